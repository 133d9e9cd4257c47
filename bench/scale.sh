#!/bin/sh
# How macvnet's calls grow with the number of endpoints.  In a private
# network namespace, on one veth lower device, times at size 0 and at size
# S+P (default 4096 static ports in the network's metadata, started by
# net-start, and 1024 more made by one port-create each):
#   port-create of one more endpoint, port-delete of it (alternating),
#   port-list, net-info, net-list, reconcile: the median of RUNS (7) runs;
#   net-destroy of the whole network: one run.
# Beside it, network small on its own device veth2 holds one endpoint; the
# same port-create, port-delete, port-list, net-info and the hook's prepare
# of a one-interface domain on small show what
# a command on one network pays for the endpoints of another.
# Each time holds the start of the date process that takes it: the timer
# is measured alone, and each ratio is also given with it taken away.
# Then the S static ports' net-start next to one "ip -batch" adding the
# same number of macvtaps, and net-destroy of all S+P next to one
# "ip link del group N" request for as many links.
# Usage: bench/scale.sh [S [P]]   (as root; RUNS=7 in the environment)
set -eu
. "$(dirname "$0")/lib.sh"
bench_netns "$@"
S=${1:-4096}
P=${2:-1024}
R=${RUNS:-7}
N=$((S + P))
bench_store
# Deleting the lower device takes every macvtap on it along.
trap 'ip link del veth0 2>/dev/null; umount "$tmp/run" 2>/dev/null; rm -rf "$tmp"' EXIT
start=$(date +%s)

# Limits.  The kernel has no cap on macvtaps (their /dev/tapN minors run
# to 2^20), but each costs it about 50 KB; macvnet opens each tap device
# only for a moment, so the open files limit does not matter.  Kernels
# before 6.3 cap IPv6 routes per namespace at 4096 by default, and each
# endpoint that is up brings its own link-local routes.
avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
need=$((N * 128 / 1024 + 64))
if [ "$avail" -lt "$need" ]; then
	echo "bench/scale.sh: $N endpoints need about $need MB of kernel memory and only $avail MB is available; give smaller sizes (bench/scale.sh S P)" >&2
	exit 1
fi
rt=/proc/sys/net/ipv6/route/max_size
if [ -w $rt ] && [ "$(cat $rt)" -lt $((N * 4)) ]; then
	echo "raising $rt from $(cat $rt) to $((N * 4)) in this namespace only, for $N endpoints"
	echo $((N * 4)) >$rt
fi

bench_veth
ip link add veth2 type veth peer name veth3
ip link set veth2 up
ip link set veth3 up
printf '<network><name>small</name><forward mode="bridge"><interface dev="veth2"/></forward></network>\n' >"$tmp/small.xml"
"$M" net-define "$tmp/small.xml" >/dev/null
"$M" net-start small >/dev/null
"$M" port-create small >/dev/null
# A domain with one interface on small, as the hook gets it from libvirt.
cat >"$tmp/dom.xml" <<'XML'
<domain type='qemu'>
  <name>bench</name>
  <uuid>6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9eab</uuid>
  <metadata><macvnet:domain xmlns:macvnet='urn:macvnet:1'>
    <macvnet:port target='hk0' network='small'/>
  </macvnet:domain></metadata>
  <devices>
    <interface type='ethernet'><mac address='52:54:00:be:01:00'/><target dev='hk0' managed='no'/></interface>
  </devices>
</domain>
XML

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }
# The endpoints of network bench: the macvtaps on veth0.
count() { ip -o link show type macvtap | grep -c '@veth0:' || true; }
# timed FILE CMD...: run CMD, its output thrown away; add its time to FILE.
timed() {
	f=$1
	shift
	t0=$(now)
	"$@" >/dev/null
	t1=$(now)
	echo $((t1 - t0)) >>"$f"
}

# pair NET CREATE DELETE: port-create of one endpoint on NET, then
# port-delete of it, their times added to files CREATE and DELETE.
pair() {
	t0=$(now)
	out=$("$M" port-create "$1")
	t1=$(now)
	echo $((t1 - t0)) >>"$2"
	timed "$3" "$M" port-delete "${out%% *}"
}

# define STATIC: (re)define network bench with STATIC static ports.
define() {
	bench_network "$1" "$tmp/bench.xml"
	"$M" net-define "$tmp/bench.xml" >/dev/null || {
		echo "bench/scale.sh: cannot define a network with $1 static ports (see above); give fewer static and more port-create'd ports (bench/scale.sh S P)" >&2
		exit 1
	}
}

# measure TAG: the repeatable calls on the running network bench, medians
# into $tmp/TAG.OP, then net-destroy once into $tmp/TAG.destroy.
measure() {
	d=$tmp/$1
	mkdir "$d"
	before=$(count)
	k=0
	while [ $k -lt "$R" ]; do
		# The timer alone: each time here holds one start of date.
		t0=$(now)
		t1=$(now)
		echo $((t1 - t0)) >>"$d/timer"
		pair bench "$d/create" "$d/delete"
		timed "$d/list" "$M" port-list bench
		timed "$d/info" "$M" net-info bench
		timed "$d/netlist" "$M" net-list
		timed "$d/reconcile" "$M" reconcile
		# The kernel's own cost of one macvtap at this size.
		timed "$d/ipadd" ip link add link veth0 name ref0 up type macvtap mode bridge
		timed "$d/ipdel" ip link del ref0
		# The same on network small, beside bench.
		pair small "$d/screate" "$d/sdelete"
		timed "$d/slist" "$M" port-list small
		timed "$d/sinfo" "$M" net-info small
		timed "$d/shook" "$HOOK" bench prepare begin - <"$tmp/dom.xml"
		"$HOOK" bench release end - <"$tmp/dom.xml"
		timed "$d/sipadd" ip link add link veth2 name ref0 up type macvtap mode bridge
		ip link del ref0
		k=$((k + 1))
	done
	[ "$(count)" -eq "$before" ] || { echo "bench/scale.sh: $(count) endpoints after the pairs, not $before" >&2; exit 1; }
	timed "$d/destroy" "$M" net-destroy bench
	[ "$(count)" -eq 0 ] || { echo "bench/scale.sh: net-destroy left $(count) endpoints" >&2; exit 1; }
	for op in create delete list info netlist reconcile destroy ipadd ipdel \
		screate sdelete slist sinfo shook sipadd timer; do
		median <"$d/$op" >"$d/$op.ms"
	done
}

echo "macvnet $("$M" --version | cut -d' ' -f2), $(nproc) CPUs, $(uname -r), $S static + $P port-create'd endpoints"

define 0
"$M" net-start bench >/dev/null
measure 0

define "$S"
t0=$(now)
"$M" net-start bench >/dev/null
t1=$(now)
[ "$(count)" -eq "$S" ] || { echo "bench/scale.sh: net-start made $(count) endpoints, not $S" >&2; exit 1; }
mv_start=$(ms "$t0" "$t1")
k=0
while [ $k -lt "$P" ]; do "$M" port-create bench >/dev/null; k=$((k + 1)); done
t2=$(now)
[ "$(count)" -eq "$N" ] || { echo "bench/scale.sh: $(count) endpoints, not $N" >&2; exit 1; }
fill=$(ms "$t1" "$t2")
measure S
mv_destroy=$(cat "$tmp/S/destroy.ms")

# The same links with ip: one batch for the S, one for the P, all in
# one group, and one request deleting the group.
g=4242
: >"$tmp/addS" && : >"$tmp/addP"
k=0
while [ $k -lt "$N" ]; do
	f=$tmp/addS
	[ $k -lt "$S" ] || f=$tmp/addP
	echo "link add link veth0 name b$k group $g up type macvtap mode bridge" >>"$f"
	k=$((k + 1))
done
t0=$(now)
ip -batch "$tmp/addS"
t1=$(now)
ip -batch "$tmp/addP"
[ "$(count)" -eq "$N" ] || { echo "bench/scale.sh: ip -batch made $(count) links, not $N" >&2; exit 1; }
t2=$(now)
ip link del group $g
t3=$(now)
[ "$(count)" -eq 0 ] || { echo "bench/scale.sh: ip link del group left $(count)" >&2; exit 1; }
ip_start=$(ms "$t0" "$t1")
ip_destroy=$(ms "$t2" "$t3")

printf '\n%-22s %10s %12s %8s %12s\n' "operation (ms)" "at 0" "at $S+$P" ratio "less timer"
# row LABEL OP: one operation's medians at both sizes and their ratio,
# also with the timer (the start of date each time holds) taken away.
row() {
	awk -v l="$1" -v a="$(cat "$tmp/0/$2.ms")" -v b="$(cat "$tmp/S/$2.ms")" \
		-v t="$(cat "$tmp/0/timer.ms")" -v u="$(cat "$tmp/S/timer.ms")" 'BEGIN {
		printf "%-22s %10.1f %12.1f %7.2fx %11.2fx\n", l, a, b, b / (a ? a : 1), (b - u) / (a - t > 0 ? a - t : 1)
	}'
}
row port-create create
row port-delete delete
row port-list list
row net-info info
row net-list netlist
row reconcile reconcile
row "net-destroy (1 run)" destroy
row "ip link add (kernel)" ipadd
row "ip link del (kernel)" ipdel
awk -v a="$(cat "$tmp/0/timer.ms")" -v b="$(cat "$tmp/S/timer.ms")" 'BEGIN {
	printf "%-22s %10.1f %12.1f\n", "timer (date) alone", a, b
}'
echo "(median of $R runs; target, issue 13: port-create, port-delete and the listings within 1.5x)"
# What macvnet adds to the kernel's own work, at each size.
awk -v a0="$(cat "$tmp/0/create.ms")" -v aS="$(cat "$tmp/S/create.ms")" \
	-v k0="$(cat "$tmp/0/ipadd.ms")" -v kS="$(cat "$tmp/S/ipadd.ms")" \
	-v d0="$(cat "$tmp/0/delete.ms")" -v dS="$(cat "$tmp/S/delete.ms")" \
	-v e0="$(cat "$tmp/0/ipdel.ms")" -v eS="$(cat "$tmp/S/ipdel.ms")" 'BEGIN {
	printf "%-22s %10.1f %12.1f %7.2fx\n", "port-create - ip add", a0 - k0, aS - kS, (aS - kS) / (a0 - k0 ? a0 - k0 : 1)
	printf "%-22s %10.1f %12.1f %7.2fx\n", "port-delete - ip del", d0 - e0, dS - eS, (dS - eS) / (d0 - e0 ? d0 - e0 : 1)
}'
printf '\n%-22s %10s %12s %8s %12s\n' "small, 1 endpoint (ms)" "bench 0" "bench $S+$P" ratio "less timer"
row port-create screate
row port-delete sdelete
row port-list slist
row net-info sinfo
row "hook prepare, 1 iface" shook
row "ip link add (kernel)" sipadd
echo "(network small on veth2 beside bench; target: within 1.5x)"
awk -v f="$fill" -v p="$P" 'BEGIN {
	printf "%d port-create calls to fill: %.0f ms, %.1f ms each\n", p, f, f / (p ? p : 1)
}'

printf '\n%-38s %10s %10s %8s\n' "$S static / $N all (ms)" macvnet ip ratio
awk -v s="$S" -v n="$N" -v a="$mv_start" -v b="$ip_start" -v c="$mv_destroy" -v d="$ip_destroy" 'BEGIN {
	printf "%-38s %10.0f %10.0f %7.2fx\n", "create " s ": net-start / ip -batch", a, b, a / (b ? b : 1)
	printf "%-38s %10.0f %10.0f %7.2fx\n", "destroy " n ": net-destroy / del group", c, d, c / (d ? d : 1)
}'
echo "total $(($(date +%s) - start)) s"
