#!/bin/sh
# migrate-ovs against a real Open vSwitch: Debian's ovsdb-server and
# ovs-vswitchd run in userspace (bridges with datapath_type=netdev) with a
# private database and run directory, in a private network namespace.
# The uplink is discovered from the bridge's ports (guests' ports, bonds
# and tunnels left out and reported, as are OpenFlow rules), and the
# migrated network then runs on it.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"
. "${TESTS_SRCDIR:-$(dirname "$0")}/seed.sh"

in_netns -- "$@"

for prog in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-ofctl; do
	if ! command -v "$prog" >/dev/null; then
		skip_all "$prog is missing: Debian's openvswitch-switch could not be installed (apt-get install openvswitch-switch)"
	fi
done
schema=/usr/share/openvswitch/vswitch.ovsschema
[ -r "$schema" ] || bail "openvswitch-switch is installed but $schema is missing"

M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
# Open vSwitch's own tools and the ones macvnet runs all use these.
export OVS_RUNDIR="$tmp/ovs" OVS_DBDIR="$tmp/ovs" OVS_LOGDIR="$tmp/ovs" \
	OVS_SYSCONFDIR="$tmp/ovs"
mkdir "$tmp/ovs"
stop_ovs() {
	pids=
	for f in "$tmp/ovs/ovs-vswitchd.pid" "$tmp/ovs/ovsdb-server.pid"; do
		[ -s "$f" ] && pids="$pids $(cat "$f")"
	done
	[ -z "$pids" ] || kill $pids 2>/dev/null
	wait_for 5 exited $pids
	rm -rf "$tmp"
}
trap stop_ovs EXIT

ovsdb-tool create "$tmp/ovs/conf.db" "$schema" >/dev/null ||
	bail "ovsdb-tool cannot create a database"
ovsdb-server "$tmp/ovs/conf.db" --remote="punix:$tmp/ovs/db.sock" \
	--pidfile="$tmp/ovs/ovsdb-server.pid" --detach --no-chdir \
	--log-file="$tmp/ovs/ovsdb-server.log" 2>/dev/null ||
	bail "ovsdb-server does not start"
ovs-vsctl --timeout=10 --no-wait init || bail "ovs-vsctl cannot reach ovsdb-server"
ovs-vswitchd "unix:$tmp/ovs/db.sock" --pidfile="$tmp/ovs/ovs-vswitchd.pid" \
	--detach --no-chdir --log-file="$tmp/ovs/ovs-vswitchd.log" 2>/dev/null ||
	bail "ovs-vswitchd does not start"

vsctl() { ovs-vsctl --timeout=10 "$@"; }
for pair in up1 up2 vm1 b1 b2; do
	ip link add "$pair" type veth peer name "${pair}p"
	ip link set "$pair" up
	ip link set "${pair}p" up
done
vsctl add-br br1 -- set bridge br1 datapath_type=netdev ||
	bail "Open vSwitch cannot make a userspace bridge"
vsctl add-port br1 up1
# A guest's port, marked the way libvirt marks it.
vsctl add-port br1 vm1 -- set interface vm1 \
	external_ids:attached-mac=52:54:00:00:03:01 \
	external_ids:iface-id=6d0b6c1e-7a51-4d4e-a0e5-0f7a8c1d2e31

cat >"$tmp/net.xml" <<'EOF'
<network>
  <name>ovs-bridge-eth1</name>
  <forward mode='bridge'/>
  <bridge name='br1'/>
  <virtualport type='openvswitch'/>
</network>
EOF
domain_xml qemu vm1 >"$tmp/dom.xml" <<'EOF'
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:00:03:01'/>
      <source bridge='br1'/>
      <virtualport type='openvswitch'/>
      <model type='virtio'/>
    </interface>
  </devices>
EOF

run "$M" migrate-ovs "$tmp/net.xml"
is "$rc" 0 "the uplink of an Open vSwitch bridge is discovered"
like "$out" "<interface dev='up1'/>" "the bridge's LAN port is the uplink"
printf '%s\n' "$out" | grep -q vm1
is $? 1 "the guest's port is not"
printf '%s\n' "$err" | grep -q 'warning:'
is $? 1 "a bridge with normal switching only has nothing to report"
like "$err" "ovs-vsctl del-port br1 up1" "the note says how to free the uplink"
printf '%s\n' "$out" >"$tmp/m-net.xml"
run "$M" validate "$tmp/m-net.xml"
is "$rc" 0 "the result is valid"

run "$M" migrate-ovs --direct "$tmp/dom.xml"
is "$rc" 0 "--direct finds the uplink of the domain's bridge too"
like "$out" '<source dev="up1" mode="bridge"/>' "the guest goes straight onto it"

# The seed's hairpin rule: OpenFlow that macvtap cannot do.
ovs-ofctl --timeout=10 add-flow br1 actions=all,in_port ||
	bail "ovs-ofctl cannot add a flow"
run "$M" migrate-ovs "$tmp/net.xml"
is "$rc" 0 "a bridge with an OpenFlow rule still migrates"
like "$err" "warning: .*bridge 'br1' has 1 OpenFlow rule besides normal switching" "the rule is reported"
run "$M" migrate-ovs --uplink br1=up1 "$tmp/net.xml"
is "$rc" 0 "with the uplink given, the bridge is still looked at"
like "$err" "warning: .*bridge 'br1' has 1 OpenFlow rule besides normal switching" "and its rule reported"
run "$M" migrate-ovs --strict "$tmp/net.xml"
is "$rc" 1 "--strict refuses it"
is "$out" "" "and prints no document"
ovs-ofctl --timeout=10 del-flows br1
ovs-ofctl --timeout=10 add-flow br1 priority=0,actions=normal

# More uplinks, a bond and a tunnel.
vsctl add-port br1 up2
vsctl add-bond br1 bond0 b1 b2
vsctl add-port br1 vx0 -- set interface vx0 type=vxlan options:remote_ip=192.0.2.9
run "$M" migrate-ovs "$tmp/net.xml"
is "$rc" 0 "a bridge with several uplinks migrates"
like "$out" "<interface dev='up1'/>" "with the first uplink"
like "$out" "<interface dev='up2'/>" "and the second in the pool"
like "$err" "has 2 uplinks \\(up1, up2\\).*bond them" "several uplinks are reported, bonding offered"
like "$err" "port 'bond0' of bridge 'br1' is an Open vSwitch bond" "the bond is reported"
like "$err" "port 'vx0' of bridge 'br1' is of Open vSwitch type 'vxlan'" "the tunnel is reported"
vsctl del-port br1 up2
vsctl del-port br1 bond0
vsctl del-port br1 vx0

sed 's/br1/br9/' "$tmp/net.xml" >"$tmp/net9.xml"
run "$M" migrate-ovs "$tmp/net9.xml"
is "$rc" 1 "a bridge Open vSwitch does not have is refused"
like "$err" "^macvnet: error: .*bridge 'br9' \\(ovs-vsctl: no bridge named br9\\): give it with --uplink br9=DEV$" "with Open vSwitch's reason and the flag"

# The migration done: the uplink leaves the bridge, the network runs on it.
vsctl del-port br1 up1
run "$M" net-define "$tmp/m-net.xml"
is "$rc" 0 "the migrated network is defined"
run "$M" net-start ovs-bridge-eth1
is "$rc" 0 "and starts on the discovered uplink"
run "$M" port-create ovs-bridge-eth1 --name vm1-eth0 --mac 52:54:00:00:03:01
is "$rc" 0 "an endpoint is created for the guest"
like "$(ip -o link show vm1-eth0)" "vm1-eth0@up1: .*52:54:00:00:03:01" "on the uplink, with the guest's MAC"
"$M" net-destroy ovs-bridge-eth1 >/dev/null

vsctl del-br br1
for pair in up1 up2 vm1 b1 b2; do ip link del "$pair" 2>/dev/null; done
done_testing
