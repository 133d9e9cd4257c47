#!/bin/sh
# Latency under contention: WORKERS parallel callers (default 50) for
# SECONDS (default 30) doing port-create, port-list, net-info, port-delete,
# the hook's prepare and release and reconcile (tests/workload.sh), with
# the run directory on tmpfs as /run is.  Run twice side by side: every
# caller on one network (each waits for the one network lock, as every
# caller once waited for one store-wide lock) and the same callers spread
# over four networks (per-network locks).  Prints the percentiles of each
# call's time, start to exit, and the machine it ran on.
# Usage: bench/contention.sh [WORKERS [SECONDS]] (as root)
set -eu
. "$(dirname "$0")/lib.sh"
bench_netns "$@"
. "$top/tests/workload.sh"
workers=${1:-50}
secs=${2:-30}
bench_store
trap 'umount "$tmp/run1" "$tmp/run4" "$tmp/run" 2>/dev/null; rm -rf "$tmp"' EXIT

# one NETWORKS: the load over NETWORKS networks, in a fresh store.
one() {
	mkdir "$tmp/run$1"
	mount -t tmpfs -o mode=755 tmpfs "$tmp/run$1"
	export MACVNET_CONFIG_DIR="$tmp/etc$1" MACVNET_RUN_DIR="$tmp/run$1"
	ip link del wl0 2>/dev/null || true
	ip link del wl2 2>/dev/null || true
	workload_setup "$1"
	workload_run "$workers" "$secs" "$tmp/w$1"
	failed=$(cat "$tmp/w$1"/*.log | awk '$3 != 0' | wc -l)
	printf '%-12s all     %s\n' "$1 network(s)" "$(workload_percentiles "$tmp/w$1")"
	for op in create delete prepare release; do
		printf '%-12s %-7s %s\n' "" "$op" "$(workload_percentiles "$tmp/w$1" $op)"
	done
	printf '%-12s failed  %d calls\n' "" "$failed"
	k=0
	while [ $k -lt "$1" ]; do "$MACVNET" net-destroy lan$k >/dev/null; k=$((k + 1)); done
}

echo "macvnet $("$MACVNET" --version | cut -d' ' -f2), $workers callers, $secs s each, $(nproc) CPUs, $(uname -r)"
echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
one 1
one 4
