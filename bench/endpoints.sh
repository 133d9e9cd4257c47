#!/bin/sh
# Create and destroy N macvtap endpoints (default 500) on one veth lower
# device, in a private network namespace, three ways, and print the times
# side by side:
#   macvnet      net-start of a network with N static ports (one process,
#                one netlink socket), net-destroy (one request for all)
#   ip loop      one "ip link add" and one "ip link del" process per link
#   ip -batch    one ip process for all adds, one for all deletes (each
#                delete still its own request)
# Usage: bench/endpoints.sh [N]   (as root)
set -eu
. "$(dirname "$0")/lib.sh"
bench_netns "$@"
N=${1:-500}
bench_store
bench_veth

ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", (b - a) / 1e6 }'; }
count() { ip -o link show type macvtap | wc -l; }

bench_network "$N" "$tmp/bench.xml"
"$M" net-define "$tmp/bench.xml" >/dev/null

t0=$(now); "$M" net-start bench >/dev/null; t1=$(now)
[ "$(count)" -eq "$N" ] || { echo "macvnet created $(count), not $N" >&2; exit 1; }
"$M" net-destroy bench >/dev/null; t2=$(now)
[ "$(count)" -eq 0 ] || { echo "macvnet left $(count)" >&2; exit 1; }
mv_create=$(ms "$t0" "$t1") mv_destroy=$(ms "$t1" "$t2")

t0=$(now)
i=0
while [ $i -lt "$N" ]; do
	ip link add link veth0 name b$i type macvtap mode bridge
	ip link set b$i up
	i=$((i + 1))
done
t1=$(now)
i=0
while [ $i -lt "$N" ]; do ip link del b$i; i=$((i + 1)); done
t2=$(now)
loop_create=$(ms "$t0" "$t1") loop_destroy=$(ms "$t1" "$t2")

i=0
: >"$tmp/add" && : >"$tmp/del"
while [ $i -lt "$N" ]; do
	echo "link add link veth0 name b$i up type macvtap mode bridge" >>"$tmp/add"
	echo "link del b$i" >>"$tmp/del"
	i=$((i + 1))
done
t0=$(now); ip -batch "$tmp/add"; t1=$(now)
[ "$(count)" -eq "$N" ] || { echo "ip -batch created $(count)" >&2; exit 1; }
ip -batch "$tmp/del"; t2=$(now)
batch_create=$(ms "$t0" "$t1") batch_destroy=$(ms "$t1" "$t2")

printf '%d endpoints (ms)    %10s %10s\n' "$N" create destroy
printf '%-22s %10s %10s\n' "macvnet" "$mv_create" "$mv_destroy"
printf '%-22s %10s %10s\n' "ip link add/del loop" "$loop_create" "$loop_destroy"
printf '%-22s %10s %10s\n' "ip -batch" "$batch_create" "$batch_destroy"
awk -v a="$mv_create" -v b="$batch_create" -v c="$mv_destroy" -v d="$batch_destroy" 'BEGIN {
	printf "macvnet create / ip -batch create:   %.2fx (target <= 1.3x)\n", a / b
	printf "ip -batch destroy / macvnet destroy: %.1fx (target >= 20x)\n", d / (c ? c : 1)
}'
