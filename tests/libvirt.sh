#!/bin/sh
# libvirt end to end: a real libvirtd (qemu driver, TCG) in a private
# network and mount namespace, with its state on private tmpfs mounts and
# macvnet-hook installed as its qemu and network hook.  First the path that
# keeps domains as they are: a libvirt network in macvtap bridge mode whose
# metadata asks for a host shim, and a domain with a type='network'
# interface on it; libvirt makes the guest's macvtap, the hook the shim,
# and stopping the network gives the lower device its address back.  Then
# domains with macvnet (type='ethernet') interfaces get their endpoints at
# start and lose them at stop; a libvirtd restart keeps a running domain's
# endpoints; a domain naming a network that does not exist fails to start
# with macvnet's message; ten domains started at once get twenty
# endpoints.  Only the daemons this test starts are stopped, by pid.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"
. "${TESTS_SRCDIR:-$(dirname "$0")}/seed.sh"

# A PID namespace too: the test is init there, and reaps what libvirtd's
# QEMU probes leave behind.
in_netns --pid -- "$@"
PATH=$PATH:/usr/sbin:/sbin
for p in libvirtd virtlogd virsh qemu-system-x86_64; do
	command -v $p >/dev/null 2>&1 ||
		bail "$p is missing (apt-get install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86)"
done

M=${MACVNET:?}
HOOK=${MACVNET_HOOK:?}
tmp=$(mktemp -d) || bail "mktemp"
chmod 755 "$tmp"

# libvirt's directories, private to this namespace.
for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
	mkdir -p "$d" 2>/dev/null
	mount -t tmpfs tmpfs "$d" || bail "cannot mount a tmpfs on $d"
done
mkdir -p "$tmp/etc-libvirt"
cp -a /etc/libvirt/. "$tmp/etc-libvirt/" 2>/dev/null
mount --bind "$tmp/etc-libvirt" /etc/libvirt
rm -rf /etc/libvirt/hooks
# QEMU runs as libvirt-qemu as on a Debian host, unless that user cannot
# open a /dev/kvm that exists: libvirt then finds its probe of QEMU (which
# saw KVM) stale on every call and probes again, seconds each time.
user=root
if id libvirt-qemu >/dev/null 2>&1; then
	if [ ! -e /dev/kvm ] || setpriv --reuid=libvirt-qemu --regid="$(id -g libvirt-qemu)" \
		--clear-groups test -r /dev/kvm -a -w /dev/kvm 2>/dev/null; then
		user=libvirt-qemu
	fi
fi
diag "QEMU runs as $user"
cat >/etc/libvirt/qemu.conf <<CONF
user = "$user"
group = "root"
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
remember_owner = 0
CONF

export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
cleanup() {
	pids=
	for f in "$tmp"/libvirtd.pid "$tmp"/virtlogd.pid; do
		[ -f "$f" ] && pids="$pids $(cat "$f")"
	done
	[ -z "$pids" ] || kill $pids 2>/dev/null
	wait_for 5 exited $pids
	pkill -f "guest=mvtest" 2>/dev/null
	umount /etc/libvirt 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

start_libvirtd() {
	libvirtd -d -p "$tmp/libvirtd.pid" || return 1
	wait_for 10 virsh -q -c qemu:///system version >/dev/null 2>&1
}

V() { timeout 60 virsh -q -c qemu:///system "$@"; }

# domain NAME NETWORK IF...: a TCG domain with no disk and macvnet interfaces.
domain() {
	name=$1 net=$2
	shift 2
	{
		printf "<domain type='qemu'>\n  <name>%s</name>\n  <memory unit='MiB'>64</memory>\n" "$name"
		printf "  <metadata>\n    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
		for ifn in "$@"; do printf "      <macvnet:port target='%s' network='%s'/>\n" "$ifn" "$net"; done
		printf "    </macvnet:domain>\n  </metadata>\n"
		printf "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n  <devices>\n"
		k=1
		for ifn in "$@"; do
			printf "    <interface type='ethernet'>\n      <mac address='52:54:00:%02x:00:%02x'/>\n" $(( $(printf '%s' "$name" | cksum | cut -d' ' -f1) % 256 )) $k
			printf "      <target dev='%s' managed='no'/>\n      <model type='virtio'/>\n    </interface>\n" "$ifn"
			k=$((k + 1))
		done
		printf "  </devices>\n</domain>\n"
	} >"$tmp/$name.xml"
	V define --validate "$tmp/$name.xml" >/dev/null
}

ip link add veth0 type veth peer name veth1
ip link set veth1 up
printf '<network><name>lan</name><forward mode="bridge"><interface dev="veth0"/></forward></network>\n' >"$tmp/lan.xml"
"$M" net-define "$tmp/lan.xml" >/dev/null
"$M" net-start lan >/dev/null


run "$M" hook-install --hooks-dir /etc/libvirt/hooks --hook "$HOOK"
is "$rc" 0 "hook-install"
[ -x /etc/libvirt/hooks/qemu.d/50-macvnet ]
ok $? "the hook is in qemu.d"
virtlogd -d -p "$tmp/virtlogd.pid" || bail "virtlogd does not start"
start_libvirtd || { tail -n 5 /var/log/libvirt/libvirtd.log | sed "s/^/# /"; bail "libvirtd does not start"; }
[ "$(readlink "/proc/$(cat "$tmp/libvirtd.pid")/ns/net")" = "$(readlink /proc/self/ns/net)" ]
ok $? "libvirtd runs in the namespace"

# --- The first path: libvirt's own macvtap network, macvnet's host shim ---
# A libvirt network in bridge mode on veth2 whose metadata asks for a host
# shim; a domain keeps its type='network' interface on it.  libvirt makes
# the guest's macvtap, macvnet's network hook makes the shim (with the
# address the metadata gives, and veth2's address and route moved onto it)
# and gives them back when libvirt stops the network.
ip link add veth2 type veth peer name veth3
ip link set veth3 up
ip link set veth2 up
ip addr add 192.0.2.10/24 dev veth2
ip route add 203.0.113.0/24 via 192.0.2.1 dev veth2
cat >"$tmp/lvnet.xml" <<'XML'
<network>
  <name>lvnet</name>
  <forward mode='bridge'>
    <interface dev='veth2'/>
  </forward>
  <metadata>
    <macvnet:network xmlns:macvnet='urn:macvnet:1'>
      <macvnet:host name='lvhost0' address='198.51.100.1/24' move-addresses='yes'/>
    </macvnet:network>
  </metadata>
</network>
XML
cat >"$tmp/mvtest-lv.xml" <<'XML'
<domain type='qemu'>
  <name>mvtest-lv</name>
  <memory unit='MiB'>64</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:0e:00:01'/>
      <source network='lvnet'/>
      <model type='virtio'/>
      <mtu size='1400'/>
    </interface>
  </devices>
</domain>
XML
[ -L /etc/libvirt/hooks/network.d/50-macvnet ]
ok $? "hook-install made the hook libvirt's network hook too"
run "$M" validate "$tmp/lvnet.xml" "$tmp/mvtest-lv.xml"
is "$rc:$(printf '%s\n' "$out" | grep -c ' validates$')" "0:2" "macvnet validate accepts the network and the domain"
# The seeds' mistake: mode 'default', in a network and in a domain's
# macvtap interface (virt-manager's "source mode Default").
sed "s/<forward mode='bridge'>/<forward mode='default'>/" "$tmp/lvnet.xml" >"$tmp/lvnet-default.xml"
sed -e "s/type='network'>/type='direct'>/" \
	-e "s|<source network='lvnet'/>|<source dev='veth2' mode='default'/>|" \
	"$tmp/mvtest-lv.xml" >"$tmp/mvtest-default.xml"
run "$M" validate "$tmp/lvnet-default.xml"
is "$rc" 1 "macvnet validate refuses a network in mode 'default'"
like "$err" "lvnet-default.xml:3: unknown forward mode 'default' \(valid: .*bridge" "naming the line and the valid modes"
run "$M" validate "$tmp/mvtest-default.xml"
is "$rc:$(printf '%s\n' "$err" | grep -c '^macvnet: error: .*mvtest-default.xml:[0-9]*: ')" "1:1" \
	"and a domain whose macvtap interface is in mode 'default', in one line"
! V net-define --validate "$tmp/lvnet-default.xml" >/dev/null 2>&1 &&
	! V define --validate "$tmp/mvtest-default.xml" >/dev/null 2>&1
ok $? "libvirt refuses both too"

run V net-define --validate "$tmp/lvnet.xml"
is "$rc" 0 "libvirt defines the network"
run V net-start lvnet
is "$rc" 0 "libvirt starts it, with macvnet's network hook"
[ "$rc" = 0 ] || diag "$err"
V net-dumpxml lvnet | grep -q '<macvnet:host name="lvhost0" address="198.51.100.1/24"'
ok $? "libvirt keeps macvnet's metadata"
like "$(ip -d -o link show lvhost0 2>&1)" "^[0-9]+: lvhost0@veth2: .* macvlan mode bridge " \
	"the host shim is a macvlan in bridge mode on veth2"
addrs=$(ip -o -4 addr show dev lvhost0 2>/dev/null | awk '{ print $4 }' | sort | tr '\n' ' ')
is "$addrs" "192.0.2.10/24 198.51.100.1/24 " "it has the metadata's address and veth2's"
is "$(ip -o -4 addr show dev veth2 | wc -l)" 0 "veth2 has none left"
like "$(ip route show 203.0.113.0/24)" "via 192.0.2.1 dev lvhost0" "veth2's route goes through the shim"

V define --validate "$tmp/mvtest-lv.xml" >/dev/null
run V start mvtest-lv
is "$rc" 0 "a domain with a type='network' interface on it starts"
[ "$rc" = 0 ] || diag "$err"
gif=$(V domiflist mvtest-lv | awk '$3 == "lvnet" { print $1 }')
like "$(ip -d -o link show "$gif" 2>&1)" "^[0-9]+: $gif@veth2: .* mtu 1400 .* link/ether 52:54:00:0e:00:01 .* macvtap mode bridge " \
	"libvirt made the guest's macvtap ($gif) on veth2, in bridge mode like the shim, with the <mtu>"
# What the README says of MTUs: libvirt refuses one on type='direct' only.
sed -e "s/type='network'>/type='direct'>/" -e "s|<source network='lvnet'/>|<source dev='veth2' mode='bridge'/>|" \
	-e "s/mvtest-lv/mvtest-mtu/" "$tmp/mvtest-lv.xml" >"$tmp/mvtest-mtu.xml"
run V define --validate "$tmp/mvtest-mtu.xml"
[ "$rc" = 1 ] && printf '%s\n' "$err" | grep -q "MTU on interface type direct is not supported"
ok $? "libvirt refuses an <mtu> on a type='direct' interface"
run "$M" reconcile
[ "$rc" = 0 ] && [ -n "$gif" ] && [ -e "/sys/class/net/$gif" ] &&
	ip -o -4 addr show dev lvhost0 2>/dev/null | grep -q ' 198.51.100.1/24'
ok $? "macvnet reconcile leaves libvirt's macvtap and the shim alone"
run V destroy mvtest-lv
[ -n "$gif" ] && wait_for 5 sh -c "[ ! -e /sys/class/net/$gif ]"
ok $? "libvirt deletes the guest's macvtap when the domain stops"

run V net-destroy lvnet
is "$rc" 0 "libvirt stops the network"
[ ! -e /sys/class/net/lvhost0 ]
ok $? "the hook deleted the shim"
is "$(ip -o -4 addr show dev veth2 | awk '{ print $4 }')" "192.0.2.10/24" "veth2 has its address back"
like "$(ip route show 203.0.113.0/24)" "via 192.0.2.1 dev veth2" "and its route"
V undefine mvtest-lv >/dev/null
V net-undefine lvnet >/dev/null

"$M" domain-convert "${CONFORMANCE_DIR:?}/domain/net-virtio-network-portgroup.xml" \
	--network lan >"$tmp/conv.xml"
run V define --validate "$tmp/conv.xml"
is "$rc" 0 "libvirt defines a domain-convert output (virsh define --validate)"
[ "$rc" = 0 ] || diag "$err"
V undefine QEMUGuest1 >/dev/null 2>&1

domain mvtest-web1 lan web1-eth0 web1-eth1
run V start mvtest-web1
is "$rc" 0 "a domain with two macvnet interfaces starts"
[ -n "$err" ] && diag "$err"
is "$(cat /sys/class/net/web1-eth0/address 2>/dev/null)" "$(sed -n "s/.*<mac address='\(.*\)'.*/\1/p" "$tmp/mvtest-web1.xml" | head -n 1)" "the first endpoint has the domain's MAC"
[ -e /sys/class/net/web1-eth1/macvtap ]
ok $? "the second endpoint is a macvtap"
is "$(V domiflist mvtest-web1 | awk '{ print $1, $2 }' | tr '\n' ' ')" "web1-eth0 ethernet web1-eth1 ethernet " "virsh domiflist shows both"
like "$("$M" port-list lan)" "web1-eth0 +lan" "macvnet lists the endpoints"
is "$(V domstate mvtest-web1)" "running" "the domain runs"

run V destroy mvtest-web1
is "$rc" 0 "virsh destroy"
wait_for 10 sh -c '[ ! -e /sys/class/net/web1-eth0 ] && [ ! -e /sys/class/net/web1-eth1 ]'
[ ! -e /sys/class/net/web1-eth0 ] && [ ! -e /sys/class/net/web1-eth1 ]
ok $? "both endpoints are gone after the domain stops"
is "$("$M" port-list lan | grep -c web1)" 0 "macvnet forgot them"

# A libvirtd restart while the domain runs: reconnect keeps the endpoints.
V start mvtest-web1 >/dev/null
ifindex=$(cat /sys/class/net/web1-eth0/ifindex)
pid=$(cat "$tmp/libvirtd.pid")
kill "$pid"
wait_for 10 exited "$pid"
start_libvirtd
ok $? "libvirtd restarts"
is "$(V domstate mvtest-web1)" "running" "the domain survived the restart"
is "$(cat /sys/class/net/web1-eth0/ifindex 2>/dev/null)" "$ifindex" "its endpoint is still the same one"
V destroy mvtest-web1 >/dev/null

# A network that does not exist: the domain does not start, macvnet says why.
domain mvtest-web2 nosuch web2-eth0
run V start mvtest-web2
is "$rc" 1 "a domain on a missing network does not start"
like "$err" "macvnet.*network 'nosuch' is not active" "virsh shows macvnet's reason"
[ ! -e /sys/class/net/web2-eth0 ]
ok $? "nothing is left of it"

# Ten domains at once.
i=0
while [ $i -lt 10 ]; do domain mvtest-p$i lan p$i-eth0 p$i-eth1; i=$((i + 1)); done
i=0
while [ $i -lt 10 ]; do V start mvtest-p$i >"$tmp/start$i" 2>&1 & i=$((i + 1)); done
wait
is "$(cat "$tmp"/start* | grep -vc '^Domain .* started$')" 0 "ten domains start at once"
is "$(ip -o link show type macvtap | grep -c 'p[0-9]-eth')" 20 "twenty endpoints"
is "$(for i in 0 1 2 3 4 5 6 7 8 9; do cat /sys/class/net/p$i-eth0/address /sys/class/net/p$i-eth1/address; done | sort -u | wc -l)" 20 "twenty distinct MACs"
is "$("$M" port-list lan | grep -c ' lan ')" 20 "macvnet's state lists exactly twenty"
i=0
while [ $i -lt 10 ]; do V destroy mvtest-p$i >/dev/null 2>&1 & i=$((i + 1)); done
wait
wait_for 10 sh -c '! ip -o link show type macvtap | grep -q .'
is "$(ip -o link show type macvtap | wc -l)" 0 "all gone after the domains stop"
"$M" net-destroy lan >/dev/null

# migrate-ovs --connect --apply against this libvirtd: an Open vSwitch
# network and a domain on it (one interface through the network, one
# straight on the bridge) become macvtap; a refusal part way puts back
# what was already defined.
cat >"$tmp/ovs-lan.xml" <<'XML'
<network>
  <name>ovs-lan</name>
  <forward mode='bridge'/>
  <bridge name='ovsbr0'/>
  <virtualport type='openvswitch'/>
</network>
XML
cat >"$tmp/mvtest-ovs.xml" <<'XML'
<domain type='qemu'>
  <name>mvtest-ovs</name>
  <memory unit='MiB'>64</memory>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
  </os>
  <devices>
    <interface type='network'>
      <mac address='52:54:00:0c:00:01'/>
      <source network='ovs-lan'/>
      <model type='virtio'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x07' function='0x0'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:0c:00:02'/>
      <source bridge='ovsbr0'/>
      <virtualport type='openvswitch'/>
      <model type='e1000'/>
    </interface>
  </devices>
</domain>
XML
V net-define "$tmp/ovs-lan.xml" >/dev/null && V define --validate "$tmp/mvtest-ovs.xml" >/dev/null
ok $? "libvirtd holds an Open vSwitch network and a domain on it"

# The domain file names an emulator libvirt refuses: the network defined
# before it must come back as it was.
V net-dumpxml --inactive ovs-lan >"$tmp/ovs-lan-now.xml"
sed -e 's/mvtest-ovs/mvtest-bad/' -e '/<uuid>/d' -e 's/52:54:00:0c/52:54:00:0d/' \
	-e 's|<devices>|<devices><emulator>/nonexistent/qemu</emulator>|' \
	"$tmp/mvtest-ovs.xml" >"$tmp/mvtest-bad.xml"
run "$M" migrate-ovs --connect qemu:///system --apply --uplink ovsbr0=veth0 \
	-o "$tmp/bad" "$tmp/ovs-lan-now.xml" "$tmp/mvtest-bad.xml"
is "$rc" 1 "a migration libvirt refuses part way fails"
like "$err" "^macvnet: error: libvirt refused the migrated domain 'mvtest-bad' .*put back$" "in one line naming what libvirt refused"
V net-dumpxml --inactive ovs-lan | grep -q "<virtualport type='openvswitch'/>"
ok $? "the network libvirt had already taken is put back"

run "$M" migrate-ovs --connect qemu:///system --uplink ovsbr0=veth0 --apply -o "$tmp/mig"
is "$rc" 0 "migrate-ovs --connect qemu:///system --apply"
[ "$rc" = 0 ] || diag "$err"
like "$out" "domain 'mvtest-ovs': 2 interfaces move to macvtap" "the plan has the domain's two interfaces"
V net-dumpxml --inactive ovs-lan >"$tmp/ovs-lan-after.xml"
grep -q "<interface dev='veth0'/>" "$tmp/ovs-lan-after.xml" && ! grep -q 'virtualport\|<bridge' "$tmp/ovs-lan-after.xml"
ok $? "libvirt now has the network in macvtap bridge mode over the uplink"
V dumpxml --inactive mvtest-ovs >"$tmp/mvtest-ovs-after.xml"
is "$(grep -c "<source network='ovs-lan'/>" "$tmp/mvtest-ovs-after.xml")" 2 "both interfaces are on the migrated network"
grep -q "52:54:00:0c:00:01" "$tmp/mvtest-ovs-after.xml" && grep -q "slot='0x07'" "$tmp/mvtest-ovs-after.xml" &&
	grep -q "model type='e1000'" "$tmp/mvtest-ovs-after.xml" && ! grep -q virtualport "$tmp/mvtest-ovs-after.xml"
ok $? "MACs, models and addresses are kept, the virtualports are gone"
cmp -s "$tmp/mig/network-ovs-lan.xml" "$tmp/ovs-lan-after.xml"
ok $? "the written network is what libvirt holds"
run V net-start ovs-lan
is "$rc" 0 "libvirt starts the migrated network"
run V define --validate "$tmp/mig/domain-mvtest-ovs.xml"
is "$rc" 0 "the written domain passes virsh define --validate"
run V start mvtest-ovs
is "$rc" 0 "the migrated domain starts on the migrated network"
[ "$rc" = 0 ] || diag "$err"
links=$(ip -o link show type macvtap)
like "$links" "@veth0: .* link/ether 52:54:00:0c:00:01" "libvirt gave its first interface a macvtap on the uplink"
like "$links" "@veth0: .* link/ether 52:54:00:0c:00:02" "and the one that was on the bridge too"
V destroy mvtest-ovs >/dev/null
V net-destroy ovs-lan >/dev/null

# The Open vSwitch examples of libvirt's tests and of the seed notes,
# migrated: this libvirtd takes each with --validate.
conf=${CONFORMANCE_DIR:?}
seed_ovs "$tmp"
"$M" migrate-ovs --uplink openvswitch-net=veth0 --rename openvswitch-net=mig-a \
	"$conf/network/in/openvswitch-net.xml" >"$tmp/mig-a.xml" 2>/dev/null
"$M" migrate-ovs --uplink br1=veth0 --rename ovs-bridge-eth1=mig-b -o "$tmp/mig-b" \
	"$tmp/ovs-bridge-eth1.xml" "$tmp/VM0.xml" >/dev/null 2>&1
sed -e 's/QEMUGuest1/mvtest-mig-c/' -e '/<uuid>/d' "$conf/domain/net-openvswitch.xml" >"$tmp/c-in.xml"
"$M" migrate-ovs "$tmp/c-in.xml" >"$tmp/mig-c.xml" 2>/dev/null
sed -e 's/QEMUGuest1/mvtest-mig-d/' -e '/<uuid>/d' "$conf/domain/net-openvswitch.xml" >"$tmp/d-in.xml"
"$M" migrate-ovs --direct --uplink ovs-net=veth0 "$tmp/d-in.xml" >"$tmp/mig-d.xml" 2>/dev/null
sed -i 's/<name>VM0</<name>mvtest-mig-b</' "$tmp/mig-b/VM0.xml"
for f in "$tmp/mig-a.xml" "$tmp/mig-b/ovs-bridge-eth1.xml"; do
	run V net-define --validate "$f"
	is "$rc" 0 "libvirtd takes the migrated $(sed -n 's/.*<name>\(.*\)<\/name>.*/\1/p' "$f" | head -n 1) (net-define --validate)"
	[ "$rc" = 0 ] || diag "$err"
done
for f in "$tmp/mig-b/VM0.xml" "$tmp/mig-c.xml" "$tmp/mig-d.xml"; do
	run V define --validate "$f"
	is "$rc" 0 "libvirtd takes the migrated domain $(sed -n 's/.*<name>\(.*\)<\/name>.*/\1/p' "$f" | head -n 1) (define --validate)"
	[ "$rc" = 0 ] || diag "$err"
done
done_testing
