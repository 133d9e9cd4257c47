#!/bin/sh
# Process start cost: the median wall time of RUNS runs (default 21) of
# "macvnet --version", "ip -V", "virsh --version" and "macvnet net-list" on
# an empty store, each a fresh process, next to /bin/true (the floor of
# fork and exec).  Each time is taken with date +%s%N around one run, so
# it holds one start of date too: the "timer" row is that cost alone, and
# "less timer" takes it away.  Ratios are to ip -V.  Also counts the shared
# libraries ldd lists for each program.  Reads no kernel state.
# Usage: bench/startup.sh [RUNS]
set -eu
. "$(dirname "$0")/lib.sh"
runs=${1:-21}
bench_store
virsh=$(command -v virsh || true)
truebin=/bin/true

# libs PROGRAM: how many shared libraries ldd lists (those with a path).
libs() { ldd "$1" 2>/dev/null | grep -c / || true; }

# one KEY CMD...: run CMD once, add its wall time to $tmp/KEY.
one() {
	k=$1
	shift
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/$k"
}

# Warm the page cache and make the (empty) store once, untimed.
"$M" --version >/dev/null
"$M" net-list >/dev/null
ip -V >/dev/null
[ -z "$virsh" ] || "$virsh" --version >/dev/null
for k in timer true ip mver mlist virsh; do : >"$tmp/$k"; done
# Round robin: a drift in the machine's load touches every command alike.
i=0
while [ $i -lt "$runs" ]; do
	t0=$(now)
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/timer"
	one true "$truebin"
	one ip ip -V
	[ -z "$virsh" ] || one virsh "$virsh" --version
	one mver "$M" --version
	one mlist "$M" net-list
	i=$((i + 1))
done

timer=$(median 2 <"$tmp/timer")
ip_ms=$(median 2 <"$tmp/ip")
# row LABEL KEY PROGRAM: one line of the table.
row() {
	med=$(median 2 <"$tmp/$2")
	awk -v l="$1" -v m="$med" -v t="$timer" -v i="$ip_ms" -v n="$(libs "$3")" 'BEGIN {
		printf "%-26s %9.2f %11.2f %9.2fx %9.2fx %5d\n", l, m, m - t, m / i, (m - t) / (i - t), n
	}'
}
echo "macvnet $("$M" --version | cut -d' ' -f2), $(nproc) CPUs, $(uname -r), median of $runs runs"
printf '%-26s %9s %11s %10s %10s %5s\n' command "ms" "less timer" "/ ip -V" "(less t.)" libs
printf '%-26s %9s\n' "timer (date +%s%N)" "$timer"
row "/bin/true" true "$truebin"
row "ip -V" ip "$(command -v ip)"
if [ -n "$virsh" ]; then
	row "virsh --version" virsh "$virsh"
else
	echo "virsh: not installed"
fi
row "macvnet --version" mver "$M"
row "macvnet net-list (empty)" mlist "$M"
echo "(target, issue 13: macvnet within 1.5x of ip -V)"
