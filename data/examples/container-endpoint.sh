#!/bin/sh
# Hand a macvnet endpoint to a container: make it on a running network,
# then move it into the container's network namespace.  Run it as root:
#
#   ./container-endpoint.sh NETWORK TARGET [port-create options]
#
# TARGET is a process of the container (a PID: "lxc-info -pH NAME",
# "podman inspect -f '{{.State.Pid}}' NAME") or a name of "ip netns".
# The options go to "macvnet port-create" (--name, --mac, --mtu ...).
# Inside, the endpoint is an ordinary interface: give it its address there
# (ip -n NS addr add ..., or the container's own configuration).  It stays
# in the container until deleted, or until the namespace goes away: then
# the kernel deletes it (it is not a physical device) and "macvnet
# reconcile" forgets it.  See README.md for LXC and podman.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 NETWORK TARGET [port-create options]" >&2
	exit 2
fi
net=$1 target=$2
shift 2
MACVNET=${MACVNET:-macvnet}

# NAME IFINDEX DEVICE
port=$("$MACVNET" port-create "$net" "$@")
name=${port%% *}
if ! ip link set "$name" netns "$target"; then
	"$MACVNET" port-delete "$name"
	echo "$0: could not move $name into $target; it was deleted" >&2
	exit 1
fi
echo "$name is in $target"
