#!/bin/sh
# 50 parallel callers for 30 s (STRESS_SECONDS, STRESS_WORKERS) over four
# networks, in a private network namespace: port-create, port-list,
# net-info, port-delete, the hook's prepare and release, reconcile (see
# tests/workload.sh).  Afterwards: no call hung (each was bounded), every
# call succeeded, no port is lost or listed twice, the state and the
# kernel agree, and a last reconcile finds nothing to repair.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"
. "${TESTS_SRCDIR:-$(dirname "$0")}/workload.sh"

in_netns -- "$@"

MACVNET=${MACVNET:?}
MACVNET_HOOK=${MACVNET_HOOK:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'umount "$tmp/run" 2>/dev/null; rm -rf "$tmp"' EXIT
# The run directory on tmpfs, as /run is.
mkdir "$tmp/run"
mount -t tmpfs -o mode=755 tmpfs "$tmp/run" || bail "cannot mount a tmpfs"
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
workers=${STRESS_WORKERS:-50}
secs=${STRESS_SECONDS:-30}

workload_setup 4 || bail "cannot set up the networks"
workload_run "$workers" "$secs" "$tmp/w"
calls=$(cat "$tmp"/w/*.log | wc -l)
diag "$workers callers, $secs s: $(workload_percentiles "$tmp/w")"
for op in create delete prepare release reconcile list; do
	diag "  $op: $(workload_percentiles "$tmp/w" $op)"
done
is "$(cat "$tmp"/w/*.log | awk '$3 == 124' | wc -l)" 0 "no call hung ($calls calls)"
failed=$(cat "$tmp"/w/*.log | awk '$3 != 0' | wc -l)
is "$failed" 0 "every call succeeded"
[ "$failed" = 0 ] || head -n 5 "$tmp"/w/*.err | sed 's/^/# /'

listed=$("$MACVNET" port-list | awk 'NR > 2 && NF { print $1 }' | sort)
is "$(printf '%s\n' "$listed" | uniq -d | wc -l)" 0 "no port is listed twice"
expected=$(workload_expected "$tmp/w")
is "$(printf '%s\n' "$listed" | grep -v '^wd')" "$expected" "exactly the ports created and not deleted are listed ($(printf '%s\n' "$expected" | wc -l))"
is "$(printf '%s\n' "$listed" | grep -c '^wd')" 0 "every domain's endpoints were released"
id=$(cat "$tmp/run/id")
kernel=$(ip -d -o link show | grep " alias macvnet $id " | sed -E 's/^[0-9]+: ([^@:]+).*/\1/' | sort)
is "$kernel" "$listed" "the kernel has exactly the listed endpoints"
run "$MACVNET" --wait 60 reconcile
is "$rc" 0 "a last reconcile"
like "$out" "^Reconciled: 0 lost endpoints forgotten, 0 leftover links removed, 0 device MACs restored, 0 interrupted starts or stops finished, 0 damaged" "finds nothing to repair"
k=0
while [ $k -lt 4 ]; do "$MACVNET" net-destroy lan$k >/dev/null; k=$((k + 1)); done
done_testing
