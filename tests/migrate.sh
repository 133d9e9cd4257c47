#!/bin/sh
# migrate-ovs over the Open vSwitch examples of libvirt's tests and of the
# seed notes: every result is valid to macvnet and accepted by libvirt's
# test driver; what macvtap cannot do is reported (and refused with
# --strict); uplinks come from --uplink, from a stand-in ovs-vsctl, or from
# a Linux bridge in sysfs; the migrated network and domain then get their
# endpoints on the uplink (net-start, port-create --xml, the hook) in a
# private network namespace; --connect reads from and defines into
# libvirt's test driver.  The real Open vSwitch is in ovs.sh.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"
. "${TESTS_SRCDIR:-$(dirname "$0")}/seed.sh"

in_netns -- "$@"

M=${MACVNET:?}
command -v virsh >/dev/null || bail "virsh is needed (apt-get install libvirt-clients)"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
conf=${CONFORMANCE_DIR:?}
# Whatever Open vSwitch this machine has, these tests do not ask it.
export OVS_RUNDIR="$tmp/no-ovs"
seed_ovs "$tmp"

# accepted FILE network|domain WHAT: macvnet and libvirt both take it.
accepted() {
	keep_out=$out keep_err=$err
	run "$M" validate "$1"
	is "$rc" 0 "$3: macvnet validate accepts it"
	[ "$rc" = 0 ] || diag "$err"
	if [ "$2" = network ]; then
		run virsh -q -c test:///default net-define "$1"
	else
		run virsh -q -c test:///default define "$1"
	fi
	is "$rc" 0 "$3: libvirt (test driver) defines it"
	[ "$rc" = 0 ] || diag "$err"
	out=$keep_out err=$keep_err
}

count() { printf '%s\n' "$1" | grep -c -- "$2"; }

# --- libvirt's Open vSwitch network: three portgroups with VLAN trunks ---
ip link add veth0 type veth peer name veth1
ip link set veth1 up
run "$M" migrate-ovs --uplink openvswitch-net=veth0 "$conf/network/in/openvswitch-net.xml"
is "$rc" 0 "openvswitch-net migrates with --uplink NETWORK=DEV"
printf '%s\n' "$out" >"$tmp/m-openvswitch-net.xml"
accepted "$tmp/m-openvswitch-net.xml" network "migrated openvswitch-net"
like "$out" "<forward dev='veth0' mode='bridge'>" "the network forwards in bridge mode"
like "$out" "<interface dev='veth0'/>" "over the given uplink"
is "$(count "$out" '<portgroup ')" 3 "its three portgroups are kept (domains name them)"
is "$(count "$out" '<vlan\|<virtualport\|<tag ')" 0 "no VLAN and no virtualport is left"
like "$out" "<uuid>81ff0d90-c92e-6742-64da-4a736edb9a8b</uuid>" "the UUID is kept"
is "$(count "$err" 'warning:.*VLAN tag')" 3 "each portgroup's VLAN trunk is reported"
like "$err" "777, 888, 999 \\(trunk\\) of portgroup 'alice'" "the report names the tags and the portgroup"
like "$err" "openvswitch-net.xml:15: " "the report names the line"
is "$(count "$err" "warning:.*profileid='[a-z]*-profile'")" 3 "each portgroup's profileid is reported"

run "$M" migrate-ovs --strict --uplink openvswitch-net=veth0 "$conf/network/in/openvswitch-net.xml"
is "$rc" 1 "--strict refuses what would lose VLANs"
is "$out" "" "--strict prints no document"
is "$(count "$err" 'error:')" 1 "one error line"
like "$err" "error: --strict: 6 things above cannot become macvtap" "the error counts the reports"

run "$M" migrate-ovs "$conf/network/in/openvswitch-net.xml"
is "$rc" 1 "a network without a bridge name needs --uplink"
like "$err" "^macvnet: error: .*network 'openvswitch-net' names no bridge.*--uplink openvswitch-net=DEV$" "the error shows the flag to give"

# --- libvirt's Open vSwitch domain: a VLAN trunk, interfaceid, profileid ---
run "$M" migrate-ovs "$conf/domain/net-openvswitch.xml"
is "$rc" 0 "net-openvswitch migrates (its network keeps its name)"
printf '%s\n' "$out" >"$tmp/m-net-openvswitch.xml"
accepted "$tmp/m-net-openvswitch.xml" domain "migrated net-openvswitch"
like "$out" '<source network="ovs-net"/>' "the interface stays on network ovs-net"
like "$out" '<mac address="00:11:22:33:44:55"/>' "its MAC is kept"
like "$out" '<model type="rtl8139"/>' "its model is kept"
is "$(count "$out" '<vlan\|<virtualport')" 0 "no VLAN and no virtualport is left"
is "$(grep -c '<disk\|<controller\|<input\|<memballoon' "$tmp/m-net-openvswitch.xml")" \
	"$(grep -c '<disk\|<controller\|<input\|<memballoon' "$conf/domain/net-openvswitch.xml")" \
	"the other devices are all kept"
like "$err" "warning: .*:28: the VLAN tag\\(s\\) 42, 48, 456 \\(trunk\\) of interface 00:11:22:33:44:55" "the interface's VLAN trunk is reported"
like "$err" "interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' profileid='bob'" "interfaceid and profileid are reported"
like "$err" "note: .*network 'ovs-net', which must be migrated too" "the note says the network must follow"

run "$M" migrate-ovs --direct --uplink ovs-net=veth0 --mode vepa "$conf/domain/net-openvswitch.xml"
is "$rc" 0 "--direct puts the interface on the uplink"
printf '%s\n' "$out" >"$tmp/d-net-openvswitch.xml"
like "$out" '<interface type="direct">' "as type='direct'"
like "$out" '<source dev="veth0" mode="vepa"/>' "on the uplink, in the --mode given"
accepted "$tmp/d-net-openvswitch.xml" domain "the --direct result"
run "$M" migrate-ovs --direct "$conf/domain/net-openvswitch.xml"
is "$rc" 1 "--direct without the network's uplink is refused"
like "$err" "not among the given networks: give its XML too, or its uplink with --uplink ovs-net=DEV" "the error says what to give"

# --- the seed: ovs-bridge-eth1 and VM0 ---
run "$M" migrate-ovs --uplink br1=veth0 --output-dir "$tmp/seed" "$tmp/ovs-bridge-eth1.xml" "$tmp/VM0.xml"
is "$rc" 0 "the seed's network and domain migrate together"
like "$out" "network 'ovs-bridge-eth1': Open vSwitch bridge to macvtap over veth0" "the plan names network and uplink"
like "$out" "domain 'VM0': 1 interface moves to macvtap" "the plan counts the domain's interfaces"
accepted "$tmp/seed/ovs-bridge-eth1.xml" network "migrated ovs-bridge-eth1"
accepted "$tmp/seed/VM0.xml" domain "migrated VM0"
is "$(grep -c '<uuid>' "$tmp/seed/ovs-bridge-eth1.xml")" 0 "no UUID is made up for a network that had none"
like "$err" "interfaceid='bffd2747-4b84-44b5-bdf4-faede6e413c5' of network 'ovs-bridge-eth1' are dropped" "the network's interfaceid is reported"
like "$err" "ovs-vsctl del-port br1 veth0" "the note says how to free the uplink"
is "$(grep -c 'address type="pci"' "$tmp/seed/VM0.xml")" 2 "both PCI addresses are kept"
grep -q 'multifunction="on"' "$tmp/seed/VM0.xml"
ok $? "multifunction is kept"
grep -q '<source network="macvtap-bridge-eth2"/>' "$tmp/seed/VM0.xml"
ok $? "the interface already on macvtap is left as it is"

run "$M" migrate-ovs --uplink br1=veth0 --mode private --rename ovs-bridge-eth1=lan-eth1 -o "$tmp/ren" "$tmp/ovs-bridge-eth1.xml" "$tmp/VM0.xml"
is "$rc" 0 "--rename and --mode private"
grep -q "<name>lan-eth1</name>" "$tmp/ren/ovs-bridge-eth1.xml" && grep -q "<forward dev='veth0' mode='private'>" "$tmp/ren/ovs-bridge-eth1.xml"
ok $? "the new network has the new name and mode"
grep -q '<source network="lan-eth1"/>' "$tmp/ren/VM0.xml"
ok $? "the domain follows the new name"
like "$out" "network 'ovs-bridge-eth1' -> new network 'lan-eth1'" "the plan says it is a new network"

# --- interfaces straight on an Open vSwitch bridge ---
domain_xml qemu web1 >"$tmp/br.xml" <<'EOF'
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:00:01:01'/>
      <source bridge='br1'/>
      <virtualport type='openvswitch'>
        <parameters interfaceid='3cc4ba0a-2a7e-4a13-9a3b-4b8c0d0c2d11'/>
      </virtualport>
      <mtu size='9000'/>
      <model type='virtio'/>
      <boot order='1'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:00:01:02'/>
      <source bridge='virbr9'/>
      <model type='e1000'/>
    </interface>
  </devices>
EOF
run "$M" migrate-ovs "$tmp/br.xml"
is "$rc" 1 "a bridge interface with no network to go to is refused"
like "$err" "br.xml:8: interface 52:54:00:00:01:01 is on bridge 'br1', which no given network uses: give that network's XML too, or --direct" "the error names interface and bridge and the ways out"
run "$M" migrate-ovs --direct --uplink br1=veth0 "$tmp/br.xml"
is "$rc" 0 "with --direct and the bridge's uplink it migrates"
printf '%s\n' "$out" >"$tmp/m-br.xml"
accepted "$tmp/m-br.xml" domain "migrated web1"
like "$out" '<boot order="1"/>' "boot order is kept"
like "$err" "<mtu size='9000'> of interface 52:54:00:00:01:01 is dropped" "the MTU libvirt cannot set on macvtap is reported"
grep -q '<source bridge="virbr9"/>' "$tmp/m-br.xml"
ok $? "an interface on another bridge is left as it is"
run "$M" migrate-ovs -o "$tmp/br-net" --uplink br1=veth0 "$tmp/ovs-bridge-eth1.xml" "$tmp/br.xml"
is "$rc" 0 "with the bridge's network given, a bridge interface joins it"
grep -q '<source network="ovs-bridge-eth1"/>' "$tmp/br-net/br.xml"
ok $? "type='bridge' became type='network' on the migrated network"

run "$M" migrate-ovs --uplink br1=veth0 - <"$tmp/ovs-bridge-eth1.xml"
is "$rc" 0 "a network can come on standard input"
like "$out" "<interface dev='veth0'/>" "and is migrated"
domain_xml qemu db1 >"$tmp/hostnet.xml" <<'EOF'
  <devices>
    <interface type='network'>
      <mac address='52:54:00:00:04:01'/>
      <source network='hostnet'/>
    </interface>
  </devices>
EOF
run "$M" migrate-ovs --direct --uplink hostnet=veth0 "$tmp/hostnet.xml"
is "$rc" 0 "--direct --uplink NETWORK=DEV moves an interface of a network not given"
like "$out" '<source dev="veth0" mode="bridge"/>' "onto that uplink"
run "$M" migrate-ovs --uplink br1=veth0 --rename nosuch=other "$tmp/ovs-bridge-eth1.xml"
is "$rc" 1 "a --rename that matches no network is refused"
like "$err" "^macvnet: error: --rename nosuch=other: no migrated network is called 'nosuch'$" "in one line"
run "$M" migrate-ovs --uplink br1=veth0 --uplink br5=veth1 "$tmp/ovs-bridge-eth1.xml"
is "$rc" 0 "an --uplink that serves nothing does not stop the run"
like "$err" "note: --uplink br5=veth1 was not used" "but is noted"
run "$M" migrate-ovs "$tmp/ovs-bridge-eth1.xml" --uplink
is "$rc" 2 "an option without its value is a usage error"
like "$err" "error: --uplink needs a value" "that names the option"

# --- refusals: one line, exit 1 (2 for usage), nothing written ---
printf "<network><name>nat0</name><forward mode='nat'/><ip address='192.0.2.1' prefix='24'/></network>\n" >"$tmp/nat.xml"
run "$M" migrate-ovs "$tmp/nat.xml"
is "$rc" 1 "a NAT network is refused"
like "$err" "network 'nat0' \\(forward mode='nat'\\) is neither an Open vSwitch nor a host bridge network" "the error names the mode"
run "$M" migrate-ovs "$tmp/seed/ovs-bridge-eth1.xml"
is "$rc" 1 "a network already on macvtap is refused"
like "$err" "already uses macvtap" "the error says so"
run "$M" migrate-ovs "$conf/domain/net-openvswitch.xml" "$tmp/VM0.xml"
is "$rc" 2 "several files need --output-dir"
run "$M" migrate-ovs --apply "$tmp/VM0.xml"
is "$rc" 2 "--apply needs --connect"
run "$M" migrate-ovs --mode default --uplink br1=veth0 "$tmp/ovs-bridge-eth1.xml"
is "$rc" 2 "--mode default is a usage error"
like "$err" "bridge, vepa, private, passthrough" "the valid modes are listed"
run "$M" migrate-ovs --uplink br1 "$tmp/ovs-bridge-eth1.xml"
is "$rc" 2 "--uplink without =DEV is a usage error"
run "$M" migrate-ovs --uplink 'br1=veth0;reboot' "$tmp/ovs-bridge-eth1.xml"
is "$rc" 1 "an uplink that is no interface name is refused"
like "$err" "^macvnet: error: --uplink br1=veth0;reboot: 'veth0;reboot' is not an interface name macvnet takes" "in one line that says why"
run "$M" migrate-ovs --uplink br1=veth0 "$tmp/VM0.xml"
is "$rc" 1 "a domain with nothing on Open vSwitch is refused"
like "$err" "there is nothing to migrate" "the error says so"
mkdir "$tmp/part"
cp "$tmp/VM0.xml" "$tmp/part/VM0.xml"
run "$M" migrate-ovs --uplink br1=veth0 -o "$tmp/part" "$tmp/ovs-bridge-eth1.xml" "$tmp/part/VM0.xml"
is "$rc" 1 "an output that would land on an input fails the run"
[ ! -e "$tmp/part/ovs-bridge-eth1.xml" ] && cmp -s "$tmp/VM0.xml" "$tmp/part/VM0.xml"
ok $? "before anything is written"
mkdir -m 0777 "$tmp/open"
run "$M" migrate-ovs --uplink br1=veth0 -o "$tmp/open" "$tmp/ovs-bridge-eth1.xml" "$tmp/VM0.xml"
is "$rc" 1 "an output directory others can write to is refused"
like "$err" "is writable by other users" "the error says why"
run "$M" migrate-ovs --uplink br1=veth0 -o "$tmp/none" "$tmp/ovs-bridge-eth1.xml" "$tmp/nat.xml"
is "$rc" 1 "one bad file fails the run"
[ ! -e "$tmp/none" ] || [ -z "$(ls -A "$tmp/none")" ]
ok $? "and nothing is written"
cp "$tmp/ovs-bridge-eth1.xml" "$tmp/seed/in.xml"
run "$M" migrate-ovs --uplink br1=veth0 -o "$tmp/seed" "$tmp/seed/in.xml"
is "$rc" 1 "an input file is never overwritten"
like "$err" "would overwrite an input file" "the error says so"
printf '<!DOCTYPE network [<!ENTITY x SYSTEM "file:///etc/passwd">]><network><name>&x;</name></network>\n' >"$tmp/xxe.xml"
run "$M" migrate-ovs "$tmp/xxe.xml"
is "$rc" 1 "entity declarations are refused"

# --- uplink discovery through ovs-vsctl (a stand-in that answers as one) ---
mkdir "$tmp/bin"
cat >"$tmp/bin/ovs-vsctl" <<'EOF'
#!/bin/sh
case "$*" in
*"list-ports br1"*) printf 'bond0\neth1\neth2\npatch-int\nvnet3\nvx0\n' ;;
*"list Interface"*)
	printf 'eth1,,\neth2,system,\nvnet3,,attached-mac=52:54:00:00:00:03 iface-id=abc\n'
	printf 'vx0,vxlan,\npatch-int,patch,\nbr1,internal,\nbond-a,,\nbond-b,,\n' ;;
*"get-controller br1"*) echo "tcp:192.0.2.10:6653" ;;
*"br-exists br1"*) exit 0 ;;
*"br-exists"*) exit 2 ;;
*) echo "ovs-vsctl: no bridge named $*" >&2; exit 1 ;;
esac
EOF
cat >"$tmp/bin/ovs-ofctl" <<'EOF'
#!/bin/sh
echo 'NXST_FLOW reply (xid=0x4):'
echo ' cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL'
echo ' cookie=0x0, duration=1s, table=0, n_packets=0, n_bytes=0, actions=ALL,IN_PORT'
EOF
chmod +x "$tmp/bin/ovs-vsctl" "$tmp/bin/ovs-ofctl"
run env PATH="$tmp/bin:$PATH" "$M" migrate-ovs "$tmp/ovs-bridge-eth1.xml"
is "$rc" 0 "uplinks are found through ovs-vsctl"
like "$out" "<interface dev='eth1'/>" "a plain port is an uplink"
like "$out" "<interface dev='eth2'/>" "a system port is an uplink"
is "$(count "$out" 'vnet3\|vx0\|patch-int\|bond0')" 0 "guests', tunnel, patch and bond ports are not"
like "$err" "has 2 uplinks \\(eth1, eth2\\).*bond them" "several uplinks are reported, with bonding offered"
like "$err" "port 'bond0' of bridge 'br1' is an Open vSwitch bond" "a bond port is reported"
like "$err" "port 'vx0' of bridge 'br1' is of Open vSwitch type 'vxlan'" "a tunnel port is reported"
like "$err" "bridge 'br1' has 1 OpenFlow rule besides normal switching" "the hairpin flow is reported"
like "$err" "OpenFlow controller tcp:192.0.2.10:6653" "the controller is reported"
run env PATH="$tmp/bin:$PATH" "$M" migrate-ovs --uplink br1=veth0 "$tmp/ovs-bridge-eth1.xml"
is "$rc" 0 "with --uplink given, Open vSwitch is still asked about the bridge"
like "$err" "bridge 'br1' has 1 OpenFlow rule besides normal switching" "so its OpenFlow rule is reported"
like "$out" "<interface dev='veth0'/>" "and the given uplink is used"
sed -e 's/52:54:00:00:01:02/52:54:00:00:01:03/' -e "s/virbr9/br1/" \
	-e "s|<model type='e1000'/>|<virtualport type='openvswitch'/>|" "$tmp/br.xml" >"$tmp/br-two.xml"
run env PATH="$tmp/bin:$PATH" "$M" migrate-ovs --direct "$tmp/br-two.xml"
is "$rc" 0 "two interfaces on one Open vSwitch bridge migrate with --direct"
is "$(count "$err" 'OpenFlow rule besides')" 1 "the bridge is asked (and reported) once"
is "$(count "$out" '<source dev="eth1" mode="bridge"/>')" 2 "both go onto its first uplink"
sed 's/br1/br7/' "$tmp/ovs-bridge-eth1.xml" >"$tmp/br7.xml"
run env PATH="$tmp/bin:$PATH" "$M" migrate-ovs "$tmp/br7.xml"
is "$rc" 1 "a bridge Open vSwitch does not know is refused"
like "$err" "^macvnet: error: .*bridge 'br7' \\(ovs-vsctl: no bridge named.*--uplink br7=DEV$" "the error passes on Open vSwitch's reason and shows --uplink"
mkdir "$tmp/nobin"
run env PATH="$tmp/nobin" "$M" migrate-ovs "$tmp/ovs-bridge-eth1.xml"
is "$rc" 1 "without Open vSwitch installed and without --uplink it is refused"
like "$err" "Open vSwitch \\(ovs-vsctl\\) is not installed here: give it with --uplink br1=DEV" "the error names the bridge and the flag"

# --- a host (Linux) bridge network: uplink from sysfs ---
ip link add br0 type bridge
ip link add up0 type veth peer name up0p
ip tuntap add dev vnet7 mode tap
ip link set up0 master br0
ip link set vnet7 master br0
printf "<network><name>host-br0</name><forward mode='bridge'/><bridge name='br0'/></network>\n" >"$tmp/host.xml"
run "$M" migrate-ovs "$tmp/host.xml"
is "$rc" 0 "a host bridge network finds its uplink in sysfs"
like "$out" "<interface dev='up0'/>" "the bridge's port is the uplink"
is "$(count "$out" vnet7)" 0 "a guest's tap is not"
like "$err" "ip link set up0 nomaster" "the note says how to free the uplink"
ip link del br0

# --- round trip: the migrated network and domain get endpoints ---
run "$M" net-define "$tmp/seed/ovs-bridge-eth1.xml"
is "$rc" 0 "macvnet defines the migrated network"
run "$M" net-start ovs-bridge-eth1
is "$rc" 0 "and starts it on the uplink"
sed -n '/<interface type="network">/,/<\/interface>/p' "$tmp/seed/VM0.xml" | sed -n '1,/<\/interface>/p' >"$tmp/if1.xml"
run "$M" port-create ovs-bridge-eth1 --name vm0-eth0 --xml "$tmp/if1.xml"
is "$rc" 0 "port-create --xml takes the migrated interface"
like "$(ip -o link show vm0-eth0)" "vm0-eth0@veth0: .* link/ether 52:54:00:0a:8a:c1" "the endpoint sits on the uplink with the guest's MAC"
run "$M" port-delete vm0-eth0
is "$rc" 0 "port-delete removes it"
run "$M" domain-convert "$tmp/seed/VM0.xml" --network ovs-bridge-eth1
is "$rc" 0 "domain-convert takes the migrated domain"
printf '%s\n' "$out" >"$tmp/VM0-hook.xml"
run env MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run" MACVNET_HOOK_DRIVER=qemu "${MACVNET_HOOK:?}" VM0 prepare begin - <"$tmp/VM0-hook.xml"
is "$rc" 0 "the hook prepares the migrated domain"
tgt=$(sed -n 's/.*<macvnet:port target="\([^"]*\)".*/\1/p' "$tmp/VM0-hook.xml" | head -n 1)
like "$(ip -o link show "$tgt" 2>&1)" "@veth0: .*52:54:00:0a:8a:c1" "its endpoint is on the uplink with the guest's MAC"
run env MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run" MACVNET_HOOK_DRIVER=qemu "${MACVNET_HOOK:?}" VM0 release end - <"$tmp/VM0-hook.xml"
ip link show "$tgt" >/dev/null 2>&1
is $? 1 "release removes it"
"$M" net-destroy ovs-bridge-eth1 >/dev/null

# --- --connect: libvirt's test driver ---
run "$M" migrate-ovs --connect test:///default --apply --uplink br1=veth0 -o "$tmp/tdef" "$tmp/ovs-bridge-eth1.xml" "$tmp/VM0.xml"
is "$rc" 0 "--connect test:///default --apply defines the migrated files"
like "$out" "Defined network 'ovs-bridge-eth1'." "the network is defined"
like "$out" "Defined domain 'VM0'." "the domain is defined"
grep -q "<interface dev='veth0'/>" "$tmp/tdef/ovs-bridge-eth1.xml" && grep -q "<uuid>" "$tmp/tdef/ovs-bridge-eth1.xml"
ok $? "the written network is what libvirt holds (with the UUID it gave)"
grep -q "<source network='ovs-bridge-eth1'/>" "$tmp/tdef/VM0.xml"
ok $? "the written domain is what libvirt holds"
run "$M" migrate-ovs --connect test:///default
is "$rc" 0 "test:///default has nothing on Open vSwitch"
like "$out" "Nothing to migrate" "and says so"

{
	printf '<node>\n'
	cat <<'EOF'
  <network>
    <name>ovs-net</name>
    <uuid>2f6f4ac8-6c2e-4d0b-9a5d-0c1b0a7e6a11</uuid>
    <forward mode='bridge'/>
    <bridge name='ovsbr0'/>
    <virtualport type='openvswitch'/>
    <portgroup name='web' default='yes'>
      <vlan>
        <tag id='42'/>
      </vlan>
    </portgroup>
  </network>
  <network>
    <name>nat0</name>
    <forward mode='nat'/>
    <ip address='192.0.2.1' netmask='255.255.255.0'/>
  </network>
EOF
	domain_xml test web1 <<'EOF'
  <devices>
    <interface type='network'>
      <mac address='52:54:00:00:02:01'/>
      <source network='ovs-net' portgroup='web'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:00:02:02'/>
      <source bridge='ovsbr0'/>
      <virtualport type='openvswitch'/>
    </interface>
  </devices>
EOF
	domain_xml test other <<'EOF'
  <devices>
    <interface type='network'>
      <mac address='52:54:00:00:02:03'/>
      <source network='nat0'/>
    </interface>
  </devices>
EOF
	printf '</node>\n'
} >"$tmp/node.xml"
run "$M" migrate-ovs --connect "test://$tmp/node.xml" --uplink ovsbr0=veth0
is "$rc" 0 "--connect reads the Open vSwitch networks from libvirt"
like "$out" "network 'ovs-net': Open vSwitch bridge to macvtap over veth0" "the plan has the Open vSwitch network"
like "$out" "domain 'web1': 2 interfaces move to macvtap" "and the domain on it"
is "$(count "$out" "nat0\|'other'")" 0 "the NAT network and its domain are left out"
like "$out" "Nothing was changed; run again with --apply" "without --apply nothing changes"
run "$M" migrate-ovs --connect "test://$tmp/node.xml" --uplink ovsbr0=veth0 --apply -o "$tmp/tnode"
is "$rc" 0 "--apply defines them"
like "$out" "It is running: restart it \\(virsh shutdown web1, then virsh start web1\\)" "a running domain is told to restart"
like "$out" "It is active and stays on its bridge until restarted" "the active network is told to restart"
grep -q "<forward dev='veth0' mode='bridge'>" "$tmp/tnode/network-ovs-net.xml" && grep -q "<bridge" "$tmp/tnode/network-ovs-net.orig.xml"
ok $? "the written files hold the result and the original"
is "$(grep -c "<source network='ovs-net'" "$tmp/tnode/domain-web1.xml")" 2 "both of web1's interfaces are on ovs-net"
run "$M" migrate-ovs --connect "test://$tmp/node.xml" --uplink ovsbr0=veth0 --apply --strict
is "$rc" 1 "--strict --apply refuses before defining anything"
like "$err" "--strict: .* nothing was migrated" "the error says nothing was migrated"
run "$M" migrate-ovs --connect "test://$tmp/node.xml" --uplink ovsbr0=veth0 --rename ovs-net=nat0 --apply
is "$rc" 1 "--rename to a name libvirt already has is refused"
like "$err" "^macvnet: error: libvirt already has a network 'nat0'; choose another name with --rename ovs-net=NAME \\(nothing was changed\\)$" "in one line, before anything is defined"
run "$M" migrate-ovs --connect "test://$tmp/node.xml" --uplink ovsbr0=veth0 --rename ovs-net=lan-new --apply -o "$tmp/tren"
is "$rc" 0 "--rename with --connect --apply defines a new network"
like "$out" "Start it: virsh net-start lan-new; virsh net-autostart lan-new" "and says how to start it"
is "$(grep -c "<source network='lan-new'" "$tmp/tren/domain-web1.xml")" 2 "the domain moves to the new network"
is "$(stat -c %a "$tmp/tren/domain-web1.xml")" 600 "written domains (they may hold secrets) are private to root"
run "$M" migrate-ovs --connect "test:///nonexistent/node.xml"
is "$rc" 1 "a URI libvirt cannot open is an error"
like "$err" "^macvnet: error: cannot connect to libvirt at test:///nonexistent/node.xml: " "the error names the URI"

ip link del veth0
done_testing
