#!/bin/sh
# Hand a macvnet endpoint to a container: make it on a running network and
# move it into the container's network namespace, as one step that leaves
# nothing behind when it fails.  Run it as root:
#
#   ./container-endpoint.sh NETWORK TARGET [port-create options]
#
# TARGET is a process of the container (a PID: "lxc-info -pH NAME",
# "podman inspect -f '{{.State.Pid}}' NAME"), a name of "ip netns", or a
# path to a namespace file.  The options go to "macvnet port-create"
# (--name, --ifname eth0, --mac, --mtu ...).  Inside, the endpoint is an
# ordinary interface, down: bring it up and give it its address there
# (ip -n NS addr add ..., or the container's own configuration).  It stays
# in the container until deleted (macvnet port-delete NAME), or until the
# namespace goes away: then the kernel deletes it (it is not a physical
# device) and "macvnet reconcile" forgets it.  See README.md for LXC and
# podman.
set -eu

if [ $# -lt 2 ]; then
	echo "usage: $0 NETWORK TARGET [port-create options]" >&2
	exit 2
fi
net=$1 target=$2
shift 2
MACVNET=${MACVNET:-macvnet}

# NAME IFINDEX DEVICE; the ifindex is the one in the target namespace.
port=$("$MACVNET" port-create "$net" --netns "$target" "$@")
echo "${port%% *} is in $target"
