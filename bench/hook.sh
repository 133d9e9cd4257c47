#!/bin/sh
# The hook's own time for "prepare begin" of a domain with 4 macvnet
# interfaces, then with 1 (process start to exit, median of RUNS (20)
# runs, each followed by "release end"), next to a shell hook that does
# the same with ip link, and, for one interface, next to the single
# "ip link add ... type macvtap" process a shell hook needs at least.
# Each time is taken with date +%s%N around one run, so it holds one start
# of date too: the timer is measured alone and the ratio given less it.
# Every program runs with LC_ALL=C, as libvirt runs hooks (with a clean
# environment that sets it).  Runs in a private network namespace.
# Usage: bench/hook.sh (as root)
set -eu
. "$(dirname "$0")/lib.sh"
bench_netns "$@"
bench_store
bench_veth
printf '<network><name>lan</name><forward mode="bridge"><interface dev="veth0"/></forward></network>\n' >"$tmp/lan.xml"
"$M" net-define "$tmp/lan.xml" >/dev/null
"$M" net-start lan >/dev/null
R=${RUNS:-20}
# domain N: the domain document with N macvnet interfaces, to dom.xml.
domain() {
	{
		printf "<domain type='qemu'>\n  <name>bench</name>\n  <uuid>6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9eaa</uuid>\n"
		printf "  <metadata><macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
		i=0
		while [ $i -lt "$1" ]; do printf "    <macvnet:port target='bench-eth%d' network='lan'/>\n" $i; i=$((i + 1)); done
		printf "  </macvnet:domain></metadata>\n  <devices>\n"
		i=0
		while [ $i -lt "$1" ]; do
			printf "    <interface type='ethernet'><mac address='52:54:00:be:00:0%d'/><target dev='bench-eth%d' managed='no'/></interface>\n" $i $i
			i=$((i + 1))
		done
		printf "  </devices>\n</domain>\n"
	} >"$tmp/dom.xml"
}
cat >"$tmp/shell-hook" <<'SH'
#!/bin/sh
# What admins write today: one ip process per step.
[ "$2 $3" = "prepare begin" ] || exit 0
i=0
while [ $i -lt "$N" ]; do
	ip link add link veth0 name bench-eth$i address 52:54:00:be:00:0$i type macvtap mode bridge || exit 1
	ip link set bench-eth$i up || exit 1
	i=$((i + 1))
done
SH
chmod +x "$tmp/shell-hook"

# measure N: both hooks' medians for N interfaces, in ms, as "MV SH IP".
measure() {
	N=$1
	export N
	domain "$N"
	: >"$tmp/mv"
	: >"$tmp/sh"
	: >"$tmp/ip"
	: >"$tmp/pair"
	: >"$tmp/timer"
	k=0
	while [ $k -lt "$R" ]; do
		# The timer alone: each time below holds one start of date.
		t0=$(now)
		t1=$(now)
		echo $((t1 - t0)) >>"$tmp/timer"
		t0=$(now)
		LC_ALL=C "$HOOK" bench prepare begin - <"$tmp/dom.xml"
		t1=$(now)
		echo $((t1 - t0)) >>"$tmp/mv"
		LC_ALL=C "$HOOK" bench release end - <"$tmp/dom.xml"
		t0=$(now)
		LC_ALL=C "$tmp/shell-hook" bench prepare begin - </dev/null
		t1=$(now)
		echo $((t1 - t0)) >>"$tmp/sh"
		i=0
		while [ $i -lt "$N" ]; do ip link del bench-eth$i; i=$((i + 1)); done
		t0=$(now)
		LC_ALL=C ip link add link veth0 name bench-eth0 address 52:54:00:be:00:00 up type macvtap mode bridge
		t1=$(now)
		echo $((t1 - t0)) >>"$tmp/ip"
		# This run's hook over this run's ip: load that comes and goes
		# weighs on both.
		echo "$(tail -n 1 "$tmp/mv") $((t1 - t0))" >>"$tmp/pair"
		ip link del bench-eth0
		k=$((k + 1))
	done
	echo "$(median <"$tmp/mv" 2) $(median <"$tmp/sh" 2) $(median <"$tmp/ip" 2) $(median <"$tmp/timer" 2)"
}

set -- $(measure 4)
printf 'prepare begin, median of %d (ms)\n' "$R"
printf '%-44s %8s\n' "macvnet-hook, 4 interfaces" "$1"
printf '%-44s %8s\n' "shell hook with ip link, 4 interfaces" "$2"
set -- $(measure 1)
printf '%-44s %8s\n' "macvnet-hook, 1 interface" "$1"
printf '%-44s %8s\n' "shell hook with ip link, 1 interface" "$2"
printf '%-44s %8s\n' "one ip link add ... up type macvtap" "$3"
printf '%-44s %8s\n' "timer (date +%s%N), in each time above" "$4"
awk -v a="$1" -v b="$3" -v t="$4" 'BEGIN {
	printf "macvnet-hook, 1 interface / one ip link add: %.2fx of the medians, %.2fx less the timer\n", a / b, (a - t) / (b - t)
}'
awk '{ print $1 / $2 * 1e6 }' "$tmp/pair" | median 2 | awk '{ printf "  and %.2fx as the median of the %d runs'"'"' own ratios (target 1.5x)\n", $1, '"$R"' }'
