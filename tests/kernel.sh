#!/bin/sh
# Real endpoints in the kernel, in a private network and mount namespace
# (fresh sysfs) on veth pairs: every mode's delivery between two endpoints
# (DESIGN's table), owners of the character devices, passthrough's single
# endpoint and MAC handover, bridge ports refused, a crash in the middle of
# creating 50 endpoints repaired by the next command, and 20 concurrent
# port-create.  Nothing outside the namespace is touched.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --alone -- "$@"

M=${MACVNET:?}
TAPIO=${TAPIO:-$(dirname "$M")/../tests/tapio}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"


# network NAME MODE DEV...: define a network over the given devices.
network() {
	name=$1 mode=$2
	shift 2
	{
		printf '<network>\n  <name>%s</name>\n  <forward mode="%s">\n' "$name" "$mode"
		for d in "$@"; do printf '    <interface dev="%s"/>\n' "$d"; done
		printf '  </forward>\n</network>\n'
	} >"$tmp/$name.xml"
	"$M" net-define "$tmp/$name.xml" >/dev/null
}

macvnet_links() { ip -o link show type macvtap | wc -l; }

ip link add veth0 type veth peer name veth1 || bail "no veth"
ip link set veth1 up

# --- each mode: two endpoints, one frame each way ---
# expect MODE UNICAST BROADCAST [hairpin]
expect() {
	mode=$1 uni=$2 bc=$3 label=$4
	network "$mode" "$mode" veth0
	run "$M" net-start "$mode"
	is "$rc" 0 "$mode$label: net-start"
	a=$("$M" port-create "$mode" --name a0 --mac 52:54:00:00:00:0a --owner nobody:nogroup)
	b=$("$M" port-create "$mode" --name b0 --mac 52:54:00:00:00:0b)
	ta=$(echo "$a" | cut -d' ' -f3)
	tb=$(echo "$b" | cut -d' ' -f3)
	if [ -z "$label" ]; then
		like "$a" "^a0 [0-9]+ /" "$mode: port-create prints name, ifindex and device"
		is "$(cat /sys/class/net/a0/address)" 52:54:00:00:00:0a "$mode: the requested MAC"
		is "$(stat -c '%U:%G %a' "$ta")" "nobody:nogroup 660" "$mode: the device belongs to the requested owner"
		is "$(stat -c '%U:%G %a' "$tb")" "root:root 600" "$mode: by default the device is root's, 0600"
	fi
	res=$("$TAPIO" "$ta" "$tb" 52:54:00:00:00:0a 52:54:00:00:00:0b | tr '\n' ' ')
	is "$res" "unicast $uni broadcast $bc " "$mode$label: a0 -> b0: unicast $uni, broadcast $bc"
	run "$M" net-destroy "$mode"
	is "$rc" 0 "$mode$label: net-destroy"
	is "$(macvnet_links)" 0 "$mode$label: no endpoint is left"
	"$M" net-undefine "$mode" >/dev/null
}
expect bridge delivered delivered ""
expect vepa dropped dropped ""
expect private dropped dropped ""

# The same behind a Linux bridge that sends frames back (hairpin).
ip link add hp0 type bridge
ip link set veth1 master hp0
ip link set hp0 up
echo 1 >/sys/class/net/veth1/brport/hairpin_mode
expect vepa delivered delivered " (hairpin)"
expect private delivered dropped " (hairpin)"
ip link set veth1 nomaster
ip link del hp0

# --- passthrough: one endpoint per device, which lends it its MAC ---
own=$(cat /sys/class/net/veth0/address)
network pt passthrough veth0
"$M" net-start pt >/dev/null
run "$M" port-create pt --name p0 --mac 52:54:00:00:00:0c
is "$rc" 0 "passthrough: the first endpoint"
is "$(cat /sys/class/net/veth0/address)" 52:54:00:00:00:0c "passthrough: the device takes the endpoint's MAC"
run "$M" port-create pt --name p1
is "$rc" 1 "passthrough: a second endpoint is refused"
like "$err" "^macvnet: error: .*each serves one endpoint" "passthrough: the refusal says why"
[ ! -e /sys/class/net/p1 ]
ok $? "passthrough: nothing was created"
"$M" net-destroy pt >/dev/null
is "$(cat /sys/class/net/veth0/address)" "$own" "passthrough: the device's own MAC is back"
"$M" net-undefine pt >/dev/null

# --- the host shim: the host reaches its guests, and keeps its address ---
ip addr add 198.51.100.1/24 dev veth0
cat >"$tmp/shim.xml" <<'XML'
<network>
  <name>shim</name>
  <forward mode="bridge"><interface dev="veth0"/></forward>
  <metadata>
    <macvnet:network xmlns:macvnet="urn:macvnet:1">
      <macvnet:port name="g0" mac="52:54:00:00:00:20"/>
      <macvnet:host name="mvhost0" address="198.51.100.2/24" move-addresses="yes"/>
    </macvnet:network>
  </metadata>
</network>
XML
"$M" net-define "$tmp/shim.xml" >/dev/null
run "$M" net-start shim
is "$rc" 0 "a network with a host shim starts"
ip -o -4 addr show dev mvhost0 | grep -q ' 198.51.100.1/24' &&
	ip -o -4 addr show dev mvhost0 | grep -q ' 198.51.100.2/24'
ok $? "the shim carries its address and the lower device's"
is "$(ip -o -4 addr show dev veth0 | wc -l)" 0 "the lower device's address moved to the shim"
tap=$("$M" port-list shim | awk '$1 == "g0" { print $6 }')
"$TAPIO" -l "$tap" 1500 >"$tmp/heard" &
wait_for 1 holds $! "$tap"
"$TAPIO" -b mvhost0
"$TAPIO" -b veth0
wait
got=$(cat "$tmp/heard")
[ "$got" -eq 1 ]
ok $? "the host's frames through the shim reach the guest ($got of 1; the lower device's own do not)"
run "$M" net-info shim
like "$out" "mvhost0" "net-info shows the host shim"
"$M" net-destroy shim >/dev/null
[ ! -e /sys/class/net/mvhost0 ]
ok $? "net-destroy removes the shim"
ip -o -4 addr show dev veth0 | grep -q ' 198.51.100.1/24'
ok $? "the lower device has its address back"
ip addr flush dev veth0
"$M" net-undefine shim >/dev/null

# --- what the kernel refuses, in words ---
network lan bridge veth0
"$M" net-start lan >/dev/null
run "$M" port-create lan --name veth1
is "$rc" 1 "a name in use is refused"
like "$err" "^macvnet: error: an interface named 'veth1' already exists; choose another name$" "the name in use is named"
run "$M" port-create lan --name x0 --mac "$(cat /sys/class/net/veth0/address)"
is "$rc" 1 "the lower device's MAC is refused"
like "$err" "already in use on lower device 'veth0'" "the MAC in use is explained"
[ ! -e /sys/class/net/x0 ]
ok $? "nothing is left of the refused endpoint"
run "$M" port-create lan --mtu 9000
is "$rc" 1 "an MTU above the device's is refused"
like "$err" "MTU 9000 is more than lower device 'veth0' allows" "the MTU refusal names the device"
run "$M" port-create nosuch
is "$rc" 1 "an unknown network is refused"
run "$M" port-create lan --owner nosuchuser
is "$rc" 1 "an unknown owner is refused"
like "$err" "user 'nosuchuser' does not exist" "the unknown owner is named"
run "$M" net-undefine lan
is "$rc" 1 "an active network cannot be undefined"
like "$err" "net-destroy lan" "net-undefine says to stop it first"
run "$M" port-delete nosuch0
is "$rc" 1 "deleting an unknown endpoint fails"
"$M" net-destroy lan >/dev/null

ip link add br9 type bridge
ip link set veth0 master br9
run "$M" net-start lan
is "$rc" 1 "a bridge port as lower device is refused"
is "$err" "macvnet: error: veth0 is a port of bridge br9; a macvtap lower device cannot be a bridge port (detach it: ip link set veth0 nomaster)" "the bridge port refusal names both and the fix"
run "$M" net-list
if printf '%s' "$out" | grep -q ' lan '; then ok 1 "the refused network is not active"; else ok 0 "the refused network is not active"; fi
ip link set veth0 nomaster
ip link del br9
network gone bridge veth7
run "$M" net-start gone
is "$rc" 1 "a missing lower device is refused"
like "$err" "lower device 'veth7' of network 'gone' not found" "the missing device is named"

# --- static ports created together, each with its own MAC ---
cat >"$tmp/many.xml" <<'XML'
<network>
  <name>many</name>
  <forward mode="bridge"><interface dev="veth0"/></forward>
  <metadata><m:network xmlns:m="urn:macvnet:1">
    <m:port name="tw0"/>
    <m:port name="tw1" mac="52:54:00:aa:00:01"/>
    <m:port name="tw2"/>
    <m:port name="tw3" mac="52:54:00:aa:00:03"/>
  </m:network></metadata>
</network>
XML
"$M" net-define "$tmp/many.xml" >/dev/null
run "$M" net-start many
is "$rc" 0 "four static ports start together"
is "$(ip -o link show type macvtap | grep -o 'link/ether [0-9a-f:]*' | sort | uniq -d | wc -l)" 0 "each with its own MAC"
is "$(ip -o link show type macvtap | grep -c 'alias macvnet .* static many')" 4 "and each marked as the network's"
is "$(ip -o link show dev tw3 | grep -o 'link/ether [0-9a-f:]*')" "link/ether 52:54:00:aa:00:03" "a MAC asked for is the one given"
# An endpoint is the guest's: up, but without IPv6 of the host's own (no
# neighbour discovery from the guest's MAC before the guest runs).
"$M" port-create many --name tw4 >/dev/null
for d in tw0 tw4; do
	is "$(cat /proc/sys/net/ipv6/conf/$d/disable_ipv6) $(ip -6 -o addr show dev $d | wc -l)" "1 0" "$d: IPv6 off, no address"
	ip -o link show dev $d | grep -q '[<,]UP[,>]'
	ok $? "$d is up"
done
"$M" net-destroy many >/dev/null
"$M" net-undefine many >/dev/null

# --- several at once: one request; the pool is shared out ---
ip link add veth2 type veth peer name veth3
ip link set veth3 up
network two bridge veth0 veth2
"$M" net-start two >/dev/null
for i in 1 2 3 4; do "$M" port-create two >/dev/null; done
is "$(ls /sys/class/net/veth0/upper_* -d 2>/dev/null | wc -l) $(ls /sys/class/net/veth2/upper_* -d 2>/dev/null | wc -l)" "2 2" "endpoints go to the device with the fewest"
run "$M" port-delete mvt0 mvt1 mvt2
is "$rc" 0 "port-delete of three"
is "$("$M" port-list two | grep -c ' two ')" 1 "one endpoint is left"
run "$M" net-info two
like "$out" "veth0 +[0-9] endpoints" "net-info shows the devices"
like "$out" "veth0 +veth0 +passes +bridge mode: the kernel passes frames between endpoints of one device" "net-info says who reaches whom"
"$M" port-create two --name dm0 --mac 52:54:00:aa:bb:01 --lower veth0 >/dev/null
run "$M" port-create two --name dm1 --mac 52:54:00:aa:bb:01 --lower veth2
like "$rc$err" "^1macvnet: error: MAC 52:54:00:aa:bb:01 is already used by 'dm0'" "one MAC on two devices of one LAN is refused"
[ ! -e /sys/class/net/dm1 ]
ok $? "and nothing is created"
# An active network shows as it was started: a redefinition counts from
# its next start.  A state that predates the UUID and hairpin lines makes
# net-info read the definition.
sed 's#</network>#<metadata><macvnet:switch xmlns:macvnet="urn:macvnet:1" hairpin="yes"/></metadata></network>#' \
	"$tmp/two.xml" >"$tmp/two-hp.xml"
"$M" net-define "$tmp/two-hp.xml" >/dev/null
like "$("$M" --json net-info two)" '"hairpin":"unknown"' "net-info shows an active network as it was started"
"$M" net-destroy two >/dev/null
"$M" net-start two >/dev/null
like "$("$M" --json net-info two)" '"hairpin":"yes"' "and its redefinition from its next start"
grep -q '^uuid ' "$MACVNET_RUN_DIR/networks/two.state"
ok $? "the state keeps the network's UUID"
sed -i '/^uuid \|^hairpin /d' "$MACVNET_RUN_DIR/networks/two.state"
like "$("$M" --json net-info two)" '"uuid":"[0-9a-f-]{36}".*"hairpin":"yes"' "a state without them: the definition says"
"$M" net-destroy two >/dev/null

# --- autostart ---
"$M" net-autostart two >/dev/null
run "$M" start-autostart
like "$out" "Network two started" "start-autostart starts marked networks"
run "$M" start-autostart
is "$out" "" "start-autostart leaves active networks alone"
"$M" net-destroy two >/dev/null
"$M" net-autostart two --disable >/dev/null
run "$M" start-autostart
is "$out" "" "after --disable nothing starts"

# --- a crash in the middle of creating 50 endpoints ---
static_network big veth0 50 big >"$tmp/big.xml"
"$M" net-define "$tmp/big.xml" >/dev/null
# The creations go out together (one sendto per window), then the
# aliases that mark them (the next sendto): strace kills it there, when
# the endpoints exist, unmarked, and the state says the start has not
# finished.
strace -f -o /dev/null -e trace=sendto -e inject=sendto:signal=KILL:when=2 \
	"$M" net-start big >/dev/null 2>&1
left=$(macvnet_links)
if [ "$left" -gt 0 ] && grep -q '^status starting$' "$MACVNET_RUN_DIR/networks/big.state"; then
	ok 0 "SIGKILL left a half-made network ($left endpoints, the start unfinished)"
else
	ok 1 "SIGKILL left a half-made network ($left endpoints, the start unfinished)"
fi
is "$(ip -o link show type macvtap | grep -c ' alias ')" 0 "none of them marked yet"
run "$M" reconcile
is "$rc" 0 "reconcile after the crash"
like "$out" "1 interrupted starts or stops finished" "reconcile takes the interrupted start back"
is "$(macvnet_links)" 0 "no leaked link"
run "$M" net-list --all
like "$out" " big +inactive" "the crashed network is inactive, as the kernel says"
run "$M" net-start big
is "$rc" 0 "it starts cleanly afterwards"
is "$(macvnet_links)" 50 "with its 50 endpoints"
ip link del big7
run "$M" port-create big --name late0
is "$rc" 0 "a command after a link vanished works"
# A port command checks only the endpoints it touches; reconcile all.
is "$("$M" port-list big | grep -c ' big7 ')" 1 "port-list shows the records until a reconcile"
run "$M" reconcile
like "$out" "1 lost endpoints forgotten" "reconcile forgets the endpoint the kernel lost"
is "$("$M" port-list big | grep -c ' big ')" 50 "the vanished endpoint is forgotten, the new one listed"
"$M" net-destroy big >/dev/null
is "$(macvnet_links)" 0 "net-destroy removes all 50 at once"

# --- a failed start leaves nothing behind ---
{
	printf '<network>\n  <name>half</name>\n  <forward mode="bridge"><interface dev="veth0"/></forward>\n'
	printf '  <metadata><m:network xmlns:m="urn:macvnet:1">\n'
	printf '    <m:port name="h0"/>\n    <m:port name="h1"/>\n'
	printf '    <m:port name="h2" mac="%s"/>\n' "$(cat /sys/class/net/veth0/address)"
	printf '  </m:network></metadata>\n</network>\n'
} >"$tmp/half.xml"
"$M" net-define "$tmp/half.xml" >/dev/null
run "$M" net-start half
is "$rc" 1 "a start whose third port fails is refused"
like "$err" "^macvnet: error: network 'half', port 'h2': MAC address .* already in use" "the failing port and the reason are named"
is "$(macvnet_links)" 0 "the first two ports were undone"
like "$("$M" net-list --all)" " half +inactive" "the network stays inactive"
"$M" net-undefine half >/dev/null

# --- without root: one clear line, nothing changed ---
# A copy of the program and schemas that nobody may reach, whatever the
# permissions of the build directory.
mkdir -p "$tmp/user/etc" "$tmp/user/run"
cp "$M" "$tmp/user/macvnet"
cp -r "$MACVNET_SCHEMA_DIR" "$tmp/user/schemas"
cp "$tmp/lan.xml" "$tmp/user/lan.xml"
chown -R nobody:nogroup "$tmp/user"
chmod 755 "$tmp"
run setpriv --reuid=nobody --regid=nogroup --clear-groups env \
	MACVNET_CONFIG_DIR="$tmp/user/etc" MACVNET_RUN_DIR="$tmp/user/run" \
	MACVNET_SCHEMA_DIR="$tmp/user/schemas" \
	sh -c "cd / && '$tmp/user/macvnet' net-define '$tmp/user/lan.xml' >/dev/null && '$tmp/user/macvnet' net-start lan >/dev/null && '$tmp/user/macvnet' port-create lan"
is "$rc" 1 "without root port-create fails"
like "$err" "^macvnet: error: .*(run macvnet as root|not permitted)" "without root the error says to run as root"
is "$(macvnet_links)" 0 "without root nothing is created"

# --- 20 port-create at the same time ---
"$M" net-start lan >/dev/null
i=0
while [ $i -lt 20 ]; do "$M" port-create lan >"$tmp/par$i" 2>&1 & i=$((i + 1)); done
wait
is "$(cat "$tmp"/par* | cut -d' ' -f1 | sort -u | wc -l)" 20 "20 concurrent port-create: 20 distinct names"
is "$(for f in "$tmp"/par*; do cat "/sys/class/net/$(cut -d' ' -f1 "$f")/address"; done | sort -u | wc -l)" 20 "20 distinct MACs"
is "$("$M" port-list lan | grep -c ' lan ')" 20 "the state lists exactly 20"
is "$(macvnet_links)" 20 "the kernel has exactly 20"
"$M" net-destroy lan >/dev/null
is "$(macvnet_links)" 0 "all gone after net-destroy"

# --- /dev/tapN taken by another namespace's endpoint ---
# /dev is shared, ifindexes are not: another namespace holds macvtaps at
# the next 16 indexes of this one, so its /dev/tapN are those of the
# indexes an endpoint here would get.  The endpoint is made again where
# its node is free, since libvirt and QEMU open /dev/tapN.
ip link add probe0 type veth peer name probe1
next=$(($(cat /sys/class/net/probe1/ifindex) + 1))
ip link del probe0
unshare --net sh -c "ip link add va type veth peer name vb || exit 1
	i=$next; while [ \$i -lt $((next + 16)) ]; do
		ip link add link va name o\$i index \$i type macvtap || exit 1
		i=\$((i + 1)); done
	touch '$tmp/other-up'; sleep 30" &
other=$!
k=0
while [ ! -e "$tmp/other-up" ] && [ $k -lt 50 ]; do sleep 0.1; k=$((k + 1)); done
[ -c "/dev/tap$next" ] || bail "the other namespace's /dev/tap$next is not there"
# The first free nodes' indexes are taken here by links without a node.
ip link add cx0 index $((next + 16)) type veth peer name cx1 index $((next + 17)) ||
	bail "cannot add a veth at a chosen index"
"$M" net-start lan >/dev/null
run "$M" port-create lan --name clash0
is "$rc" 0 "port-create where /dev/tapN is another namespace's"
idx=$(cat /sys/class/net/clash0/ifindex)
[ "$idx" -ge $((next + 18)) ]
ok $? "the endpoint got an index whose node is free and that no link here has ($idx)"
is "$(stat -c '%t:%T' "/dev/tap$idx" | awk -F: '{ printf "%d:%d", "0x" $1, "0x" $2 }')" \
	"$(cat "/sys/class/net/clash0/macvtap/tap$idx/dev")" "and /dev/tap$idx is its own device"
like "$out" " /dev/tap$idx\$" "port-create names that node"
"$M" net-destroy lan >/dev/null
# net-start of 12 static ports where the next indexes here clash: the
# first is made alone, clashes once, and the others are asked for at free
# nodes; before, each one was made, deleted and made again.
static_network st12 veth0 12 st >"$tmp/st12.xml"
"$M" net-define "$tmp/st12.xml" >/dev/null
ip monitor link >"$tmp/mon" 2>&1 &
mon=$!
sleep 0.2
run "$M" net-start st12
sleep 0.2
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
is "$rc" 0 "net-start of 12 where the next /dev/tapN are another namespace's"
is "$(grep -c '^Deleted' "$tmp/mon")" 1 "one clash, one deletion, not one for each endpoint"
grep "^Deleted" "$tmp/mon" | while read -r l; do diag "$l"; done
own=0
for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
	n=$(cat /sys/class/net/st$i/ifindex)
	[ "$(stat -c '%t:%T' "/dev/tap$n" | awk -F: '{ printf "%d:%d", "0x" $1, "0x" $2 }')" = \
		"$(cat "/sys/class/net/st$i/macvtap/tap$n/dev")" ] && own=$((own + 1))
done
is "$own" 12 "each /dev/tapN is its own endpoint's device"
"$M" net-destroy st12 >/dev/null
kill "$other" 2>/dev/null
wait "$other" 2>/dev/null
ip link del cx0
done_testing
