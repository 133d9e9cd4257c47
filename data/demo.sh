#!/bin/sh
# The demo, in a private network namespace with a temporary store: it
# validates the example networks, shows what a mistake looks like, then
# makes veth pairs as lower devices, starts a network in each macvtap mode,
# creates two endpoints in each, sends real frames from one /dev/tapN to
# the other to show who reaches whom, migrates an Open vSwitch network and
# a guest on it, and tears everything down.
set -u
M=$1
top=$2
PROBE=$top/tests/tapio
if [ "${MVN_IN_NETNS:-}" != 1 ]; then
	MVN_IN_NETNS=1 exec unshare --net --mount sh "$0" "$@"
fi
mount --make-rprivate / 2>/dev/null
mount -t sysfs sysfs /sys
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MACVNET_SCHEMA_DIR="$top/schemas" MACVNET_CONFIG_DIR="$tmp/etc" \
	MACVNET_RUN_DIR="$tmp/run" MACVNET_LOCALEDIR="$top/locale"

step() { printf '\n$ %s\n' "$*"; "$@" 2>&1; }
say() { printf '\n# %s\n' "$*"; }

step "$M" validate "$top"/data/networks/*.xml
printf '<network>\n  <name>lan</name>\n  <forward mode="default">\n    <interface dev="eth0"/>\n  </forward>\n</network>\n' >"$tmp/mistake.xml"
say 'a mistake the seeds ran into: mode="default"'
step "$M" validate "$tmp/mistake.xml"
say "the same in Japanese (the catalog of the build tree)"
step env LANGUAGE=ja LC_ALL=C.UTF-8 "$M" validate "$tmp/mistake.xml"

say "lower devices: veth pairs ethN <-> swN (swN plays the LAN switch)"
for i in 1 2 3 4 5 6; do
	ip link add eth$i type veth peer name sw$i
	ip link set sw$i up
done
for f in lan vepa private passthrough; do
	"$M" net-define "$top/data/networks/$f.xml" >/dev/null
done
step "$M" net-start lan
step "$M" net-start vepa
step "$M" net-start tenants
step "$M" net-start dedicated
step "$M" net-list

# probe NETWORK LABEL DEV N: two endpoints on DEV (MACs ...:0N:0a and
# ...:0N:0b), a frame from the first to the second, then delete them.
probe() {
	ma=52:54:00:00:0$4:0a mb=52:54:00:00:0$4:0b
	a=$("$M" port-create "$1" --name "${1}a" --mac $ma --lower "$3")
	b=$("$M" port-create "$1" --name "${1}b" --mac $mb --lower "$3")
	printf '%-30s %s\n' "$2" "$("$PROBE" "$(echo "$a" | cut -d' ' -f3)" \
		"$(echo "$b" | cut -d' ' -f3)" $ma $mb | tr '\n' ' ')"
	"$M" port-delete "${1}a" "${1}b"
}
say "two endpoints on one lower device, a frame from the first to the second:"
probe lan "bridge" eth1 1
probe vepa "vepa" eth2 2
probe tenants "private" eth4 3
ip link add hp0 type bridge
ip link set sw2 master hp0
ip link set sw4 master hp0
ip link set hp0 up
echo 1 >/sys/class/net/sw2/brport/hairpin_mode
echo 1 >/sys/class/net/sw4/brport/hairpin_mode
probe vepa "vepa, switch with hairpin" eth2 4
probe tenants "private, switch with hairpin" eth4 5

say "passthrough: each device serves one endpoint"
step "$M" port-create dedicated --name pt0 --lower eth5
step "$M" port-create dedicated --name pt1 --lower eth5
step "$M" port-create dedicated --name pt1 --lower eth6
step "$M" port-list
step "$M" net-info lan
say "leaving Open vSwitch: a libvirt network on bridge br1 and a guest on it"
ip link add eth7 type veth peer name sw7
ip link set sw7 up
step "$M" migrate-ovs --uplink br1=eth7 -o "$tmp/migrated" \
	"$top/data/ovs/ovs-net.xml" "$top/data/ovs/web1.xml"
step cat "$tmp/migrated/ovs-net.xml"
step sed -n '/<interface/,/<\/interface>/p' "$tmp/migrated/web1.xml"
say "the migrated network runs; the guest's first interface gets its endpoint"
step "$M" net-define "$tmp/migrated/ovs-net.xml"
step "$M" net-start ovs-net
sed -n '/<interface/,/<\/interface>/p' "$tmp/migrated/web1.xml" |
	sed -n '1,/<\/interface>/p' >"$tmp/web1-if.xml"
step "$M" port-create ovs-net --name web1-eth0 --xml "$tmp/web1-if.xml"
step ip -br link show web1-eth0
for n in lan vepa tenants dedicated ovs-net; do step "$M" net-destroy "$n"; done
say "after net-destroy, no macvtap link is left:"
ip -o link show type macvtap | wc -l
printf '\nThe demo used a temporary store and a private network namespace.\n'
