#!/bin/sh
# domain-convert on hostile and awkward input: a domain that cannot become
# one `macvnet validate` accepts is refused with exit 1, one error line
# naming the input's problem and nothing on stdout; whatever it prints
# validates; macvnet metadata already in the input is merged into one
# <macvnet:domain>.  Also the rules validate and the hook share: a port's
# MTU below the kernel's minimum for macvtap (68, checked against the
# kernel in a private network namespace when run as root), and a port
# target used by two interfaces.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"


NET="type='network'><source network='default'/>"
PORTS="<metadata>
    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>"
ENDPORTS="</macvnet:domain>
  </metadata>"

# dom FILE HEAD IFACE...: domain vm1 with HEAD (uuid, metadata) after its
# name and one <interface IFACE</interface> per argument in <devices>.
dom() {
	f=$tmp/$1 head=$2
	shift 2
	{
		printf "<domain type='kvm'>\n  <name>vm1</name>\n  %s\n" "$head"
		printf "  <devices>\n"
		for i in "$@"; do printf "    <interface %s</interface>\n" "$i"; done
		printf "  </devices>\n</domain>\n"
	} >"$f"
}

# refused FILE REGEX DESCRIPTION [NETWORK]: domain-convert exits 1 with
# one error line matching REGEX and prints nothing.
refused() {
	run "$M" domain-convert "$tmp/$1" --network "${4:-lan}"
	is "$rc:$(printf '%s' "$out" | wc -c):$(printf '%s\n' "$err" | wc -l)" \
		"1:0:1" "$3: refused with one error line, nothing on stdout"
	like "$err" "^macvnet: error: .*$2" "$3: the message names it"
}

# converts FILE DESCRIPTION: domain-convert succeeds and validate accepts
# what it prints (kept in FILE.out).
converts() {
	run "$M" domain-convert "$tmp/$1" --network lan
	printf '%s\n' "$out" >"$tmp/$1.out"
	is "$rc" 0 "$2: converted"
	run "$M" validate "$tmp/$1.out"
	is "$rc$err" 0 "$2: the result validates"
}

# --- what cannot be converted ---
dom dup.xml "" "$NET<target dev='vnet0'/>" "$NET<target dev='vnet0'/>"
refused dup.xml "interface 1: target 'vnet0' is used twice \(also by \
interface 2\); give each interface its own <target dev> or none" \
	"two interfaces with one target"
dom dup2.xml "" "type='ethernet'><target dev='vnet0'/>" "$NET<target dev='vnet0'/>"
refused dup2.xml "interface 2: target 'vnet0' is used twice \(also by interface 1\)" \
	"a converted interface with another's target"
dom shell.xml "" "$NET<target dev='\$(id)'/>"
refused shell.xml "interface 1: target '\\\$\(id\)' cannot name a macvtap link .*remove <target>" \
	"a target that is not a link name the schema allows"
dom slash.xml "" "$NET<target dev='a/b'/>"
refused slash.xml "interface 1: target 'a/b' cannot name a macvtap link" \
	"a target with '/'"
dom long.xml "" "$NET<target dev='abcdefghijklmnop'/>"
refused long.xml "target 'abcdefghijklmnop' cannot name a macvtap link" \
	"a target of 16 bytes"
dom nl.xml "" "$NET<target dev='a&#10;b'/>"
refused nl.xml "target 'a[^']{1,4}b' cannot name a macvtap link" \
	"a target holding a newline (shown escaped)"
dom mcast.xml "" "$NET<mac address='01:00:5e:00:00:01'/>"
refused mcast.xml "MAC address is multicast; use a unicast one" "a multicast MAC"
dom badmac.xml "" "$NET<mac address='52:54:zz:00:00:01'/>"
refused badmac.xml "MAC address '52:54:zz:00:00:01' is malformed" "a malformed MAC"
dom mtu40.xml "" "$NET<mtu size='40'/>"
refused mtu40.xml "interface 1: MTU 40 is below the minimum 68 of a \
macvtap link; set <mtu size> to 68 or more" \
	"an MTU below the kernel's minimum"
dom mtuabc.xml "" "$NET<mtu size='abc'/>"
refused mtuabc.xml "interface 1: MTU 'abc' is not a whole number; set \
<mtu size> from 68 to 65535" \
	"an MTU that is not a number"
dom mtubig.xml "" "$NET<mtu size='70000'/>"
refused mtubig.xml "MTU '70000' is not a whole number" "an MTU above 65535"
dom uuid.xml "<uuid>zzz</uuid>" "$NET"
refused uuid.xml "UUID 'zzz' is malformed .*correct <uuid>" "a malformed UUID"
dom stale.xml "$PORTS<macvnet:port target='gone' network='lan'/>$ENDPORTS" "$NET"
refused stale.xml "macvnet port 'gone' names no <interface type='ethernet'>.*remove the port" \
	"a port in the input's metadata that names no interface"
dom clash.xml "$PORTS<macvnet:port target='vnet5' network='old'/>$ENDPORTS" "$NET<target dev='vnet5'/>"
refused clash.xml "interface 1: target 'vnet5' already has a <macvnet:port>" \
	"a target that the input's metadata already names"
dom net.xml "" "$NET"
refused net.xml "network name 'a/b' is not valid" "a network name with '/'" a/b
echo "<domain type='kvm'><name>vm1</name><devices/>
  <devices><interface $NET</interface></devices></domain>" >"$tmp/devs.xml"
refused devs.xml "needs exactly one <devices> element" "two <devices>"
echo "<domain type='kvm'><name>vm1</name><metadata/><metadata/>
  <devices><interface $NET</interface></devices></domain>" >"$tmp/mds.xml"
refused mds.xml "more than one <metadata> element" "two <metadata>"

cat >"$tmp/schema.xml" <<EOF
<domain type='kvm'>
  <name>vm1</name>
  <devices>
    <interface type='bridge'><source bridge='br0'/><bogus/></interface>
    <interface $NET</interface>
  </devices>
</domain>
EOF
refused schema.xml "schema.xml:3: <devices> does not match the schema" \
	"an input the schema refuses where nothing is converted"

# --- what converts, and validates ---
dom ok.xml "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>" \
	"$NET<target dev='web-0'/><mtu size='68'/>" "$NET<mac address='52:54:00:00:00:02'/>"
converts ok.xml "a given target and the smallest MTU"
grep -q "<macvnet:port target=\"web-0\" network=\"lan\"/>" "$tmp/ok.xml.out" &&
	grep -q "<macvnet:port target=\"vm1-eth1\" network=\"lan\"/>" "$tmp/ok.xml.out"
ok $? "the given target is kept, the other is made"
dom keep.xml "$PORTS<macvnet:port target='a' network='wan'/>$ENDPORTS" \
	"type='ethernet'><target dev='a' managed='no'/>" "$NET"
converts keep.xml "a domain converted before that gained an interface"
o=$tmp/keep.xml.out
is "$(grep -c '<macvnet:domain' "$o") $(grep -c '<macvnet:port' "$o")" \
	"1 2" "one <macvnet:domain> with both ports"
grep -q "<macvnet:port target=\"a\" network=\"wan\"/>" "$tmp/keep.xml.out"
ok $? "the port already there keeps its network"
dom loose.xml "<metadata>
    <macvnet:port xmlns:macvnet='urn:macvnet:1' target='a' network='lan'/>
    <other:x xmlns:other='urn:other'/>
    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>
      <macvnet:port target='b' network='lan2'/>
    </macvnet:domain>
  </metadata>" \
	"type='ethernet'><target dev='a' managed='no'/>" \
	"type='ethernet'><target dev='b' managed='no'/>" "$NET"
converts loose.xml "a loose macvnet:port beside a <macvnet:domain>"
o=$tmp/loose.xml.out
is "$(grep -c '<macvnet:domain' "$o") $(grep -c '<macvnet:port' "$o") $(grep -c '<other:x' "$o")" \
	"1 3 1" "gathered into one <macvnet:domain>; other metadata kept"
bad=
n=0
for f in "${CONFORMANCE_DIR:?}"/domain/*.xml; do
	"$M" domain-convert "$f" --network lan >"$tmp/c.xml" 2>/dev/null || continue
	n=$((n + 1))
	"$M" validate "$tmp/c.xml" >/dev/null 2>&1 || bad="$bad ${f##*/}"
done
is "$bad" "" "every libvirt test domain that converts validates"
[ "$n" -ge 10 ]
ok $? "ten or more of them convert ($n)"

# --- validate and the hook: a port's MTU, a shared target ---
dom v68.xml "$PORTS<macvnet:port target='p0' network='lan'/>$ENDPORTS" \
	"type='ethernet'><target dev='p0' managed='no'/><mtu size='40'/>"
run "$M" validate "$tmp/v68.xml"
is "$rc" 1 "validate refuses a port whose MTU is 40"
like "$err" "interface 'p0': MTU 40 is below the minimum 68" "naming the minimum"
dom vdup.xml "$PORTS<macvnet:port target='p0' network='lan'/>$ENDPORTS" \
	"type='ethernet'><target dev='p0' managed='no'/>" \
	"type='ethernet'><target dev='p0' managed='no'/>"
run "$M" validate "$tmp/vdup.xml"
is "$rc" 1 "validate refuses a port target that two interfaces use"
like "$err" "target 'p0' is used by more than one interface" "saying so"

# --- the kernel's minimum, in a private network namespace ---
if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then
	unshare -n sh -c 'ip link add v0 type veth peer name v1 &&
		! ip link add link v0 name m0 mtu 67 type macvtap 2>/dev/null &&
		ip link add link v0 name m1 mtu 68 type macvtap' >/dev/null 2>&1
	ok $? "the kernel refuses a macvtap MTU of 67 and takes 68"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - the kernel's minimum MTU # SKIP needs root"
fi
done_testing
