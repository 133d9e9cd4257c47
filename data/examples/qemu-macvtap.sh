#!/bin/sh
# A QEMU guest on a macvnet endpoint: the seed's start-MacVTap0-AsDaemon,
# run-MacVTap0-AsDaemon and stop-MacVTap0-restore-lan in one script, without
# "chmod 666 /dev/tapN".  Run it as root:
#
#   NETWORK=macvtap-bridge-eth1 GUEST_USER=alice DISK=vm.img ./qemu-macvtap.sh
#
# macvnet port-create makes the endpoint (its name, MAC, up) on the running
# network and gives its character device to GUEST_USER (mode 0600, or 0660
# with GUEST_GROUP); it prints "NAME IFINDEX DEVICE", and DEVICE is the node
# to open (/dev/tapN, or a node of macvnet's own when /dev/tapN belongs to
# another network namespace).  QEMU then runs as GUEST_USER and opens the
# device itself (fd 3): no one else can.  When QEMU ends, the endpoint is
# deleted.
#
# Settings, from the environment:
#   NETWORK      the macvnet network (running: macvnet net-start NETWORK)
#   GUEST_USER   the user QEMU runs as and who gets the device
#   GUEST_GROUP  also give the device to this group (mode 0660)
#   NAME         the endpoint's name (default macvtap0)
#   MAC          its MAC (default: a fresh 52:54:00:xx:xx:xx)
#   MEM, DISK    the guest's memory (default 512M) and disk image (raw)
#   VHOST        on: vhost-net (GUEST_USER needs /dev/vhost-net), default off
#   QEMU         the emulator (default qemu-system-x86_64)
#   MACVNET      the macvnet program (default macvnet)
#   DRY_RUN=1    make the endpoint, print the command QEMU would run with,
#                and keep the endpoint (macvnet port-delete NAME removes it)
set -eu

: "${NETWORK:?set NETWORK to a running macvnet network}"
: "${GUEST_USER:?set GUEST_USER to the user QEMU runs as}"
NAME=${NAME:-macvtap0}
MEM=${MEM:-512M}
DISK=${DISK:-}
VHOST=${VHOST:-off}
QEMU=${QEMU:-qemu-system-x86_64}
MACVNET=${MACVNET:-macvnet}
owner=$GUEST_USER${GUEST_GROUP:+:$GUEST_GROUP}
group=${GUEST_GROUP:-$(id -gn "$GUEST_USER")}

# quote ARG...: the arguments as one line a shell reads back the same.
quote() {
	for a in "$@"; do
		printf "'%s' " "$(printf '%s' "$a" | sed "s/'/'\\\\''/g")"
	done
}

set -- port-create "$NETWORK" --name "$NAME" --owner "$owner"
[ -z "${MAC:-}" ] || set -- "$@" --mac "$MAC"
port=$("$MACVNET" "$@")
# NAME IFINDEX DEVICE
dev=${port##* }
mac=$(cat "/sys/class/net/$NAME/address")
[ -n "${DRY_RUN:-}" ] || trap '"$MACVNET" port-delete "$NAME"' EXIT

set -- "$QEMU" -name "$NAME" -machine accel=kvm:tcg -m "$MEM" -nographic \
	-netdev "tap,id=net0,fd=3,vhost=$VHOST" \
	-device "virtio-net-pci,netdev=net0,mac=$mac"
[ -z "$DISK" ] || set -- "$@" -drive "file=$DISK,if=virtio,format=raw"

# The device is opened by the shell that setpriv starts as GUEST_USER.
# shellcheck disable=SC2016 # that shell expands them
set -- setpriv --reuid="$GUEST_USER" --regid="$group" --init-groups \
	sh -c 'exec "$@" 3<>"$0"' "$dev" "$@"
if [ -n "${DRY_RUN:-}" ]; then
	echo "endpoint: $port (mac $mac)"
	echo "command: $(quote "$@")"
	exit 0
fi
"$@"
