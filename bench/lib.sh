# What the bench scripts share.  Source it after "set -eu" with
#   . "$(dirname "$0")/lib.sh"
# It sets top (the source tree), MACVNET and M (macvnet), MACVNET_HOOK and
# HOOK (macvnet-hook), exports MACVNET_SCHEMA_DIR, and defines the helpers
# below.  It runs nothing else: each script asks for what it needs.

top=$(cd "$(dirname "$0")/.." && pwd)
MACVNET=${MACVNET:-$top/src/macvnet}
MACVNET_HOOK=${MACVNET_HOOK:-$top/src/macvnet-hook}
M=$MACVNET
HOOK=$MACVNET_HOOK
export MACVNET_SCHEMA_DIR="${MACVNET_SCHEMA_DIR:-$top/schemas}"

# bench_netns "$@": run the script again in a private network and mount
# namespace with a fresh sysfs; returns only inside it.  A fresh namespace
# holds lo alone: never go on in anybody else's.
bench_netns() {
	if [ "${MVN_IN_NETNS:-}" != 1 ]; then
		MVN_IN_NETNS=1 exec unshare --net --mount sh "$0" "$@"
	fi
	if [ "$(ip -o link show | wc -l)" -ne 1 ]; then
		echo "$0: this network namespace has links besides lo; run the script as root without MVN_IN_NETNS set, it makes a private one" >&2
		exit 1
	fi
	mount --make-rprivate / 2>/dev/null || true
	mount -t sysfs sysfs /sys
}

# bench_store: a scratch directory $tmp, removed on exit (and on a signal),
# holding the store macvnet is pointed at.  The run directory is a tmpfs of
# its own, as /run is on a host: flushing state there costs what it costs
# in use (inside bench_netns' private mount namespace; elsewhere a plain
# directory, and the flushes cost what that disk makes them cost).
bench_store() {
	tmp=$(mktemp -d)
	trap 'umount "$tmp/run" 2>/dev/null; rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM HUP
	mkdir "$tmp/run"
	if [ "${MVN_IN_NETNS:-}" = 1 ]; then
		mount -t tmpfs -o mode=0755,size=256m tmpfs "$tmp/run"
	fi
	export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
}

# bench_veth: the lower device veth0 (its peer veth1), both up.
bench_veth() {
	ip link add veth0 type veth peer name veth1
	ip link set veth0 up
	ip link set veth1 up
}

# bench_network STATIC FILE: network bench in bridge mode on veth0, with
# STATIC static ports b0, b1, ... in its metadata, written to FILE.
bench_network() {
	{
		printf '<network>\n  <name>bench</name>\n  <forward mode="bridge"><interface dev="veth0"/></forward>\n'
		printf '  <metadata><m:network xmlns:m="urn:macvnet:1">\n'
		i=0
		while [ $i -lt "$1" ]; do printf '    <m:port name="b%d"/>\n' $i; i=$((i + 1)); done
		printf '  </m:network></metadata>\n</network>\n'
	} >"$2"
}

# now: the time in nanoseconds.
now() { date +%s%N; }

# median [DIGITS]: the median of the nanosecond figures on stdin, in ms
# with DIGITS decimals (1 if not given).
median() {
	sort -n | awk -v d="${1:-1}" '{ v[NR] = $1 } END {
		printf "%." d "f", (v[int((NR + 1) / 2)] + v[int((NR + 2) / 2)]) / 2 / 1e6
	}'
}
