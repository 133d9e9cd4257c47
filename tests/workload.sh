# A mixed load of parallel macvnet callers, for tests/stress.sh and
# bench/contention.sh; source it inside a private network namespace with
# MACVNET, MACVNET_HOOK, MACVNET_CONFIG_DIR and MACVNET_RUN_DIR set.
#
#   workload_setup NETWORKS          NETWORKS bridge networks lanK, started
#   workload_run WORKERS SECONDS DIR run the callers; DIR/W.log per worker:
#                                    "OP NAME RC MS" per call
#   workload_expected DIR            the endpoints that must exist now
#   workload_percentiles DIR [OP]    p50 p95 p99 max of the calls, in ms
#
# Each worker loops until SECONDS have passed over: port-create of a port
# of its own, port-list, net-info, port-delete of that port, the hook's
# prepare of a domain of its own (two endpoints on two networks), reconcile
# (two workers in fifty), the hook's release.  Every call waits for locks at
# most 60 s (the hook too: MACVNET_HOOK_TIMEOUT) and is killed after 90 s:
# a kill is reported as RC 124.

workload_setup() {
	n=$1
	ip link add wl0 type veth peer name wl1 && ip link set wl1 up &&
		ip link add wl2 type veth peer name wl3 && ip link set wl3 up ||
		return 1
	k=0
	while [ $k -lt "$n" ]; do
		dev=wl0
		[ $((k % 2)) = 1 ] && dev=wl2
		printf '<network><name>lan%d</name><forward mode="bridge"><interface dev="%s"/></forward></network>\n' \
			$k $dev >"$MACVNET_RUN_DIR.lan$k.xml"
		"$MACVNET" net-define "$MACVNET_RUN_DIR.lan$k.xml" >/dev/null &&
			"$MACVNET" net-start lan$k >/dev/null || return 1
		k=$((k + 1))
	done
	WORKLOAD_NETS=$n
}

# The domain of worker w: two endpoints on two networks.
workload_domain() {
	w=$1 a=$2 b=$3
	printf "<domain type='qemu'><name>wd%d</name><uuid>00000000-0000-4000-8000-%012d</uuid>\n" "$w" "$w"
	printf "<metadata><macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
	printf "<macvnet:port target='wd%d-a' network='lan%d'/><macvnet:port target='wd%d-b' network='lan%d'/>\n" "$w" "$a" "$w" "$b"
	printf "</macvnet:domain></metadata><devices>\n"
	printf "<interface type='ethernet'><mac address='52:54:01:00:%02x:01'/><target dev='wd%d-a' managed='no'/></interface>\n" "$w" "$w"
	printf "<interface type='ethernet'><mac address='52:54:01:00:%02x:02'/><target dev='wd%d-b' managed='no'/></interface>\n" "$w" "$w"
	printf "</devices></domain>\n"
}

# call OP NAME CMD...: run CMD bounded, log "OP NAME RC MS".
workload_call() {
	op=$1 name=$2
	shift 2
	t0=$(date +%s%N)
	timeout 90 "$@" >/dev/null 2>>"$wl_dir/$wl_w.err"
	rc=$?
	echo "$op $name $rc $((($(date +%s%N) - t0) / 1000000))" >>"$wl_dir/$wl_w.log"
}

workload_worker() {
	wl_w=$1 end=$2
	net=$((wl_w % WORKLOAD_NETS))
	other=$(((wl_w + 1) % WORKLOAD_NETS))
	workload_domain "$wl_w" "$net" "$other" >"$wl_dir/$wl_w.xml"
	i=0
	while [ "$(date +%s)" -lt "$end" ]; do
		p=w$wl_w-$i
		workload_call create "$p" "$MACVNET" --wait 60 port-create lan$net --name "$p"
		workload_call list - "$MACVNET" port-list lan$net
		workload_call info - "$MACVNET" net-info lan$other
		# Every other port stays: the end state is not just empty.
		[ $((i % 2)) = 0 ] &&
			workload_call delete "$p" "$MACVNET" --wait 60 port-delete "$p"
		workload_call prepare "wd$wl_w" env MACVNET_HOOK_TIMEOUT=60 MACVNET_HOOK_DRIVER=qemu "$MACVNET_HOOK" "wd$wl_w" prepare begin - <"$wl_dir/$wl_w.xml"
		[ $((wl_w % 25)) = 0 ] && workload_call reconcile - "$MACVNET" --wait 60 reconcile
		workload_call release "wd$wl_w" env MACVNET_HOOK_TIMEOUT=60 MACVNET_HOOK_DRIVER=qemu "$MACVNET_HOOK" "wd$wl_w" release end - <"$wl_dir/$wl_w.xml"
		i=$((i + 1))
	done
}

workload_run() {
	workers=$1 secs=$2 wl_dir=$3
	mkdir -p "$wl_dir"
	end=$(($(date +%s) + secs))
	w=0
	while [ $w -lt "$workers" ]; do
		workload_worker $w $end &
		w=$((w + 1))
	done
	wait
}

# The ports that must exist: created (rc 0) and not deleted (rc 0) after.
workload_expected() {
	cat "$1"/*.log | awk '
		$1 == "create" && $3 == 0 { live[$2] = 1 }
		$1 == "delete" && $3 == 0 { delete live[$2] }
		END { for (p in live) print p }' | sort
}

workload_percentiles() {
	dir=$1 op=${2:-}
	cat "$dir"/*.log | awk -v op="$op" 'op == "" || $1 == op { print $4 }' |
		sort -n | awk '
			function at(q,  i) { i = int(NR * q); return v[i > 0 ? i : 1] }
			{ v[NR] = $1 }
			END {
				if (NR == 0) { print "no calls"; exit }
				printf "%d calls: p50 %d ms, p95 %d ms, p99 %d ms, max %d ms\n",
					NR, at(0.50), at(0.95), at(0.99), v[NR]
			}'
}
