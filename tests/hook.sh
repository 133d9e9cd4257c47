#!/bin/sh
# macvnet-hook as libvirt runs it (argv DOMAIN OPERATION SUB-OPERATION
# EXTRA, the domain's XML on stdin), in a private network namespace but
# without libvirt: prepare creates the domain's endpoints all or nothing,
# release deletes them, reconnect checks, migrate and restore give the XML
# back, other operations do nothing; ten domains prepared at once.  Also
# domain-convert and hook-install.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns -- "$@"

M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
conf=${CONFORMANCE_DIR:?}/domain


# dom NAME NETWORK IF...: a domain document with macvnet interfaces.
dom() {
	name=$1 net=$2
	shift 2
	{
		printf "<domain type='qemu'>\n  <name>%s</name>\n" "$name"
		printf "  <uuid>%s</uuid>\n" "$(cat /proc/sys/kernel/random/uuid)"
		printf "  <metadata>\n    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
		for ifn in "$@"; do printf "      <macvnet:port target='%s' network='%s'/>\n" "$ifn" "$net"; done
		printf "    </macvnet:domain>\n  </metadata>\n  <devices>\n"
		k=1
		for ifn in "$@"; do
			printf "    <interface type='ethernet'>\n      <mac address='52:54:00:%s:00:%02x'/>\n" "$(printf '%s' "$name" | md5sum | cut -c1-2)" $k
			printf "      <target dev='%s' managed='no'/>\n      <model type='virtio'/>\n" "$ifn"
			printf "      <mtu size='1400'/>\n    </interface>\n"
			k=$((k + 1))
		done
		printf "  </devices>\n</domain>\n"
	} >"$tmp/$name.xml"
}

ip link add veth0 type veth peer name veth1
ip link set veth1 up
printf '<network><name>lan</name><forward mode="bridge"><interface dev="veth0"/></forward></network>\n' >"$tmp/lan.xml"
"$M" net-define "$tmp/lan.xml" >/dev/null
"$M" net-start lan >/dev/null

# --- hook-install ---
run "$M" hook-install --hooks-dir "$tmp/hooks" --hook "${MACVNET_HOOK:?}"
is "$rc" 0 "hook-install into a hooks directory"
[ -x "$tmp/hooks/qemu.d/50-macvnet" ] && [ -x "$tmp/hooks/network.d/50-macvnet" ]
ok $? "the hook is in qemu.d and network.d"
[ -L "$tmp/hooks/qemu.d/50-macvnet" ] && [ "$(readlink "$tmp/hooks/qemu.d/50-macvnet")" = "$(readlink -f "$MACVNET_HOOK")" ]
ok $? "the installed hook is a link to the program, no script"
grep -qx "config-dir=$tmp/etc" "$tmp/hooks/macvnet.conf" && grep -qx "run-dir=$tmp/run" "$tmp/hooks/macvnet.conf"
ok $? "macvnet.conf next to the hooks carries the store's directories"
H=$tmp/hooks/qemu.d/50-macvnet
# libvirt runs hooks with a clean environment.
hook() { env -i PATH=/usr/bin:/bin LC_ALL=C "$H" "$@"; }

# --- hook-install: nothing becomes shell, nothing others can change ---
q="$tmp/q'\$(touch $tmp/pwned)'x"
mkdir -p "$q"
run env MACVNET_CONFIG_DIR="$q/etc" MACVNET_RUN_DIR="$q/run" "$M" hook-install --hooks-dir "$tmp/hq" --hook "$MACVNET_HOOK"
is "$rc" 0 "hook-install with quotes and \$(...) in the directory names"
"$M" --config-dir "$q/etc" --run-dir "$q/run" net-define "$tmp/lan.xml" >/dev/null 2>&1
dom qd lan qd-eth0
run env -i PATH=/usr/bin:/bin "$tmp/hq/qemu.d/50-macvnet" qd prepare begin - <"$tmp/qd.xml"
is "$rc$err" "1macvnet: error: qd: interface qd-eth0: network 'lan' is not active (start it with: macvnet net-start lan)" \
	"the hook uses that store (lan is defined there, not started)"
[ ! -e "$tmp/pwned" ]
ok $? "and no part of the names was run"
mkdir -m 0777 "$tmp/hw"
run "$M" hook-install --hooks-dir "$tmp/hw" --hook "$MACVNET_HOOK"
is "$rc" 1 "hook-install refuses a hooks directory others can write"
like "$err" "^macvnet: error: hooks directory '$tmp/hw' is writable by other users.*chmod go-w" "saying why and how to fix it"
[ ! -e "$tmp/hw/qemu.d" ]
ok $? "and installs nothing there"
mkdir -p "$tmp/bin" && cp "$MACVNET_HOOK" "$tmp/bin/hook" && chmod 0777 "$tmp/bin/hook"
run "$M" hook-install --hooks-dir "$tmp/hb" --hook "$tmp/bin/hook"
is "$rc" 1 "hook-install refuses a hook program others can write"
like "$err" "hook program '$tmp/bin/hook' is writable by other users" "naming it"
chmod 0666 "$tmp/hq/macvnet.conf"
run env -i PATH=/usr/bin:/bin "$tmp/hq/qemu.d/50-macvnet" qd prepare begin - <"$tmp/qd.xml"
is "$rc" 1 "the hook refuses a macvnet.conf others can write"
like "$err" "macvnet.conf' is writable by other users" "and says so"

# --- prepare, again, reconnect, migrate, release ---
dom web1 lan web1-eth0 web1-eth1
run hook web1 prepare begin - <"$tmp/web1.xml"
is "$rc" 0 "prepare begin"
is "$out$err" "" "prepare is silent when it succeeds"
mac=$(sed -n "s/.*<mac address='\(.*\)'.*/\1/p" "$tmp/web1.xml" | head -n 1)
is "$(cat /sys/class/net/web1-eth0/address 2>/dev/null)" "$mac" "the endpoint has the interface's MAC"
is "$(cat /sys/class/net/web1-eth1/mtu 2>/dev/null)" 1400 "the endpoint has the interface's MTU"
[ -e /sys/class/net/web1-eth1/macvtap ]
ok $? "the endpoints are macvtaps"
tap=$("$M" port-list lan | awk '$1 == "web1-eth0" { print $6 }')
is "$(stat -c '%U %a' "$tap")" "root 600" "the device stays root's, 0600 (libvirt opens it)"
ifindex=$(cat /sys/class/net/web1-eth0/ifindex)
env -i PATH=/usr/bin:/bin LC_ALL=C LD_DEBUG=files "$H" web1 prepare begin - <"$tmp/web1.xml" >"$tmp/ld" 2>&1
rc=$?
is "$rc$(grep -c 'libxml2\|libicu' "$tmp/ld")" 00 "prepare again (after a failed start) replaces what was left, without loading libxml2 or ICU"
is "$("$M" port-list lan | grep -c 'web1-eth')" 2 "still two endpoints"
# Left by a crash, and the interfaces renamed meanwhile (same UUID).
sed 's/web1-eth/web1-new/g' "$tmp/web1.xml" >"$tmp/web1b.xml"
run hook web1 prepare begin - <"$tmp/web1b.xml"
is "$rc$err" "0" "prepare under new names frees what the domain left with the same MACs"
[ ! -e /sys/class/net/web1-eth0 ] && [ -e /sys/class/net/web1-new0 ] && [ -e /sys/class/net/web1-new1 ]
ok $? "the old endpoints went, the new ones are there"
sed -e 's/web1-new/web1-alt/g' -e "s/\(<mac address='52:54:00:..\):00:/\1:01:/" "$tmp/web1b.xml" >"$tmp/web1c.xml"
run hook web1 prepare begin - <"$tmp/web1c.xml"
is "$rc$err" "0" "prepare under new names and new MACs"
is "$("$M" port-list lan | grep -c 'web1-')" 4 "what the domain left under names and MACs it no longer has stays until its release"
run hook web1 release end - <"$tmp/web1c.xml"
is "$("$M" port-list lan | grep -c 'web1-')" 0 "release end frees all of the domain's endpoints"
# Not plain XML (a processing instruction): libxml2 reads it, the same.
sed 's|<devices>|<?pi x?><devices>|' "$tmp/web1.xml" >"$tmp/web1pi.xml"
env -i PATH=/usr/bin:/bin LC_ALL=C LD_DEBUG=files "$H" web1 prepare begin - <"$tmp/web1pi.xml" >"$tmp/ld" 2>&1
rc=$?
is "$rc$(grep -c 'calling init: .*libxml2' "$tmp/ld")" 01 "a domain that is not plain XML is read by libxml2"
is "$("$M" port-list lan | grep -c 'web1-eth')" 2 "and its endpoints are made the same"
run hook web1 prepare begin - <"$tmp/web1.xml"
is "$rc$err" "0" "prepare the domain as it was"
run hook web1 reconnect begin - <"$tmp/web1.xml"
is "$rc$out$err" "0" "reconnect begin: the endpoints are there, nothing to say"
run hook web1 migrate begin - <"$tmp/web1.xml"
is "$rc" 0 "migrate begin"
cmp -s "$tmp/o" "$tmp/web1.xml"
ok $? "migrate begin gives the XML back unchanged"
run hook web1 restore begin - <"$tmp/web1.xml"
cmp -s "$tmp/o" "$tmp/web1.xml"
ok $? "restore begin gives the XML back unchanged"
for op in "start begin" "started begin" "stopped end" "release begin"; do
	run hook web1 $op - <"$tmp/web1.xml"
	is "$rc$out$err" "0" "$op: nothing to do"
done
run hook web1 release end - <"$tmp/web1.xml"
is "$rc" 0 "release end"
[ ! -e /sys/class/net/web1-eth0 ] && [ ! -e /sys/class/net/web1-eth1 ]
ok $? "release deletes the endpoints"
run hook web1 reconnect begin - <"$tmp/web1.xml"
is "$rc" 0 "reconnect never fails (libvirt would kill the domain)"
like "$err" "endpoint web1-eth0 is gone" "reconnect warns about a missing endpoint"
run env -i "$tmp/hooks/network.d/50-macvnet" lan started begin - </dev/null
is "$rc" 0 "the network hook exits 0 for a network without a shim"

# --- the network hook: a libvirt-run network's host shim ---
ip link add veth2 type veth peer name veth3
ip link set veth3 up
ip addr add 203.0.113.1/24 dev veth2
cat >"$tmp/hookdata.xml" <<'XML'
<hookData>
  <network>
    <name>libnet</name>
    <forward mode='bridge'><interface dev='veth2'/></forward>
    <metadata>
      <macvnet:network xmlns:macvnet='urn:macvnet:1'>
        <macvnet:host name='lvhost0' address='203.0.113.2/24' move-addresses='yes'/>
      </macvnet:network>
    </metadata>
  </network>
</hookData>
XML
N=$tmp/hooks/network.d/50-macvnet
run env -i "$N" libnet started begin - <"$tmp/hookdata.xml"
is "$rc" 0 "network started begin"
ip -o -4 addr show dev lvhost0 2>/dev/null | grep -q ' 203.0.113.1/24'
ok $? "the libvirt network's shim exists and took the device's address"
run env -i "$N" libnet stopped end - <"$tmp/hookdata.xml"
is "$rc" 0 "network stopped end"
[ ! -e /sys/class/net/lvhost0 ] && ip -o -4 addr show dev veth2 | grep -q ' 203.0.113.1/24'
ok $? "the shim is gone and the device has its address back"

# --- arguments are positional, names are whole ---
for n in -h --run-dir=x; do
	dom "$n" lan "p${#n}-eth0"
	run hook "$n" prepare begin - <"$tmp/$n.xml"
	is "$rc$err" 0 "a domain named '$n' is prepared like any other"
	[ -e "/sys/class/net/p${#n}-eth0" ]
	ok $? "its endpoint exists"
	run hook "$n" release end - <"$tmp/$n.xml"
done
run hook web1 prepare
is "$rc" 2 "too few arguments is a usage error"
long=$(printf 'x%.0s' $(seq 60))
dom "${long}a" lan la-eth0
dom "${long}b" lan lb-eth0
sed -i '/<uuid>/d' "$tmp/${long}a.xml" "$tmp/${long}b.xml"
hook "${long}a" prepare begin - <"$tmp/${long}a.xml"
run hook "${long}b" prepare begin - <"$tmp/${long}b.xml"
[ "$rc" = 0 ] && [ -e /sys/class/net/la-eth0 ] && [ -e /sys/class/net/lb-eth0 ]
ok $? "two domains without UUID whose names share 60 characters keep their own endpoints"
hook "${long}b" release end - <"$tmp/${long}b.xml"
[ -e /sys/class/net/la-eth0 ] && [ ! -e /sys/class/net/lb-eth0 ]
ok $? "releasing one leaves the other's"
hook "${long}a" release end - <"$tmp/${long}a.xml"

# --- failures: one line, nothing left ---
dom web2 nosuch web2-eth0
run hook web2 prepare begin - <"$tmp/web2.xml"
is "$rc" 1 "prepare on a network that does not exist fails"
is "$(printf '%s\n' "$err" | wc -l)" 1 "with one line on stderr"
like "$err" "^macvnet: error: web2: interface web2-eth0: network 'nosuch' is not active" "naming the domain, the interface and the reason"
dom web3 lan web3-eth0 veth1
run hook web3 prepare begin - <"$tmp/web3.xml"
is "$rc" 1 "prepare whose second interface fails fails"
like "$err" "interface veth1: an interface named 'veth1' already exists" "the failing interface is named"
[ ! -e /sys/class/net/web3-eth0 ]
ok $? "all or nothing: the first endpoint was removed"
sed "s/<target dev='web1-eth0' managed='no'\\/>/<target dev='web1-eth0'\\/>/" "$tmp/web1.xml" >"$tmp/web4.xml"
run hook web4 prepare begin - <"$tmp/web4.xml"
is "$rc" 1 "a macvnet port on a managed interface is refused"
like "$err" "managed='no'" "the fix is named"

# --- ten domains at once ---
i=0
while [ $i -lt 10 ]; do dom d$i lan d$i-a d$i-b; i=$((i + 1)); done
i=0
while [ $i -lt 10 ]; do hook d$i prepare begin - <"$tmp/d$i.xml" >"$tmp/p$i" 2>&1 & i=$((i + 1)); done
wait
is "$(cat "$tmp"/p[0-9] | wc -c)" 0 "ten prepares at once all succeed"
for f in "$tmp"/p[0-9]; do [ ! -s "$f" ] || diag "$(basename "$f"): $(cat "$f")"; done
is "$(ip -o link show type macvtap | wc -l)" 20 "twenty endpoints"
is "$(cat /sys/class/net/d*-?/address | sort -u | wc -l)" 20 "twenty distinct MACs"
is "$("$M" port-list lan | grep -c ' lan ')" 20 "the state lists exactly twenty"
i=0
while [ $i -lt 10 ]; do hook d$i release end - <"$tmp/d$i.xml" & i=$((i + 1)); done
wait
is "$(ip -o link show type macvtap | wc -l)" 0 "all gone after ten releases"

# --- domain-convert ---
run "$M" domain-convert "$conf/net-virtio-network-portgroup.xml" --network lan
is "$rc" 0 "domain-convert of a domain on a libvirt network"
printf '%s\n' "$out" >"$tmp/conv.xml"
run "$M" validate "$tmp/conv.xml"
is "$rc" 0 "the converted domain validates"
is "$(grep -o "address='[0-9a-f:]*'\|address=\"[0-9a-f:]*\"" "$tmp/conv.xml" | tr -d "'\"" | sort | tr '\n' ' ')" \
	"$(grep -o "<mac address='[0-9a-f:]*'" "$conf/net-virtio-network-portgroup.xml" | sed "s/<mac //" | tr -d "'" | sort | tr '\n' ' ')" \
	"domain-convert keeps the MACs"
is "$(grep -c "type=\"ethernet\"" "$tmp/conv.xml") $(grep -c 'managed="no"' "$tmp/conv.xml") $(grep -c '<macvnet:port target="QEMUGuest1-eth[0-9]" network="lan"/>' "$tmp/conv.xml")" \
	"3 3 3" "three ethernet interfaces with generated targets and metadata"
if command -v virt-xml-validate >/dev/null; then
	virt-xml-validate "$tmp/conv.xml" domain >/dev/null 2>&1
	ok $? "libvirt's schema accepts it (virt-xml-validate)"
else
	ok 1 "libvirt's schema accepts it (virt-xml-validate is missing)"
fi
done_testing
