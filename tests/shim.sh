#!/bin/sh
# The host shim takes over the host's whole layer 3 on the lower device and
# gives it back exactly, on the real kernel in private namespaces: a gateway
# namespace behind the lower device holds a "far" address reached only
# through the default route; the host reaches it before, while a shim
# network runs and after; addresses (with their lifetimes and flags),
# routes (default, static, other tables, metrics, protocols) and policy
# rules after net-destroy equal those before, also after a SIGKILL and
# reconcile; IPv4 and IPv6.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --run -- "$@"

M=${MACVNET:?}
F=${MACVNET_FAULTY:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'ip netns del gw 2>/dev/null; rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

# The gateway: 192.0.2.1 and 2001:db8::1 on the wire, the far addresses
# on its loopback.
ip link set lo up
ip netns add gw || bail "ip netns"
ip link add h0 type veth peer name g0 netns gw || bail "no veth"
G() { ip netns exec gw "$@"; }
G ip link set lo up
G ip link set g0 up
G ip addr add 192.0.2.1/24 dev g0
G ip -6 addr add 2001:db8::1/64 dev g0 nodad
G ip addr add 198.51.100.1/32 dev lo
G ip -6 addr add 2001:db8:ffff::1/128 dev lo
G ip route add 203.0.113.0/24 dev g0
G ip -6 route add 2001:db8:1::/64 dev g0

# The host's setup on h0: what an admin (and a DHCP client) leaves there.
ip link set h0 up
ip addr add 192.0.2.10/24 dev h0
ip addr add 192.0.2.11/24 dev h0 valid_lft 600 preferred_lft 300
ip addr add 203.0.113.10/24 dev h0 noprefixroute
ip -6 addr add 2001:db8::10/64 dev h0 nodad
ip -6 addr add 2001:db8:1::10/64 dev h0 nodad valid_lft 900 preferred_lft 900
ip route add default via 192.0.2.1 dev h0 metric 100
ip route add 198.51.100.0/24 via 192.0.2.1 dev h0 table 100 proto static
ip route add 203.0.113.0/24 dev h0 metric 50 src 203.0.113.10
ip route add 198.51.100.128/25 via 192.0.2.254 dev h0 onlink proto static metric 7
ip -6 route add default via 2001:db8::1 dev h0 metric 1024
ip rule add iif h0 lookup 100 pref 1000
ip rule add oif h0 lookup main pref 1001

# The host's layer 3 on DEV as text (lifetimes apart), to compare.
l3() {
	ip -o addr show dev "$1" scope global | sed 's/^[0-9]*: [^ ]* *//; s/\\.*//; s/ *valid_lft.*//; s/ dynamic//; s/'"$1"'//g' | sort
	ip route show table all dev "$1" | grep -v 'proto kernel\|^local \|^broadcast \|^multicast ' | sed 's/ dev [^ ]*//' | sort
	ip -6 route show table all dev "$1" | grep -v 'proto kernel\|^local \|^broadcast \|^multicast \|^anycast ' | sed 's/ dev [^ ]*//' | sort
	ip rule show | sed "s/$1/DEV/g" | sort
	ip -6 rule show | sed "s/$1/DEV/g" | sort
}
# Remaining lifetime of ADDRESS on DEV, in seconds.
lft() { ip -o addr show dev "$1" | grep " $2/" | sed -n 's/.*valid_lft \([0-9]*\)sec.*/\1/p'; }
# Peers learn the device's other MAC through neighbour discovery within
# seconds (an IPv6 neighbour entry goes stale, then is probed): up to 10 s.
pings() { for i in 1 2 3 4 5; do ping "$@" -c 1 -W 2 >/dev/null 2>&1 && return 0; done; return 1; }
reach() {
	pings 198.51.100.1 || { diag "no answer from 198.51.100.1"; return 1; }
	pings -6 2001:db8:ffff::1 || { diag "no answer from 2001:db8:ffff::1"; return 1; }
}
close() { [ "$1" -le "$2" ] && [ "$1" -ge $(($2 - 15)) ]; }

l3 h0 >"$tmp/before"
reach
ok $? "before: the host reaches the far addresses through its default routes"
grep -q 'default via 192.0.2.1 metric 100' "$tmp/before" && grep -q 'iif DEV lookup 100' "$tmp/before" &&
	grep -q '198.51.100.128/25 via 192.0.2.254 proto static metric 7 onlink' "$tmp/before"
ok $? "(the setup has a default route, an on-link route and a rule naming the device)"

cat >"$tmp/lan.xml" <<'XML'
<network>
  <name>lan</name>
  <forward mode='bridge'><interface dev='h0'/></forward>
  <metadata>
    <macvnet:network xmlns:macvnet='urn:macvnet:1'>
      <macvnet:host name='mvh0' move-addresses='yes'/>
    </macvnet:network>
  </metadata>
</network>
XML
"$M" net-define "$tmp/lan.xml" >/dev/null || bail "net-define"

cycle() { # WHAT: start, check the shim holds it all, stop, compare
	run "$M" net-start lan
	is "$rc" 0 "$1: net-start with a shim that takes the addresses"
	like "$err" "host shim mvh0 took route default via 192.0.2.1 metric 100 from h0" "$1: it says what it moved"
	like "$err" "address 192.0.2.11/24 \(valid [0-9]+ s\) has a finite lifetime.*must now renew it on mvh0" "$1: and who must now renew a dynamic address"
	reach
	ok $? "$1: the host reaches the far addresses through the shim"
	l3 mvh0 >"$tmp/during"
	diff "$tmp/before" "$tmp/during" >"$tmp/diff"
	ok $? "$1: the shim holds exactly what h0 held"
	[ -s "$tmp/diff" ] && sed 's/^/# /' "$tmp/diff"
	close "$(lft mvh0 192.0.2.11)" 600
	ok $? "$1: the moved address keeps its lifetime ($(lft mvh0 192.0.2.11) s of 600)"
	ip -o -6 addr show dev mvh0 | grep ' 2001:db8::10/' | grep -q nodad
	ok $? "$1: and its flags (nodad)"
}

run "$M" net-start lan --dry-run
like "$rc$out" "^0would create host shim mvh0 on h0" "net-start --dry-run says what it would do"
like "$out" "would move route default via 192.0.2.1 metric 100 from h0 to mvh0" "including each route it would move"
like "$out" "would move address 192.0.2.11/24 \(valid [0-9]+ s\) from h0 to mvh0 \(whatever renews it" "and which address someone renews"
l3 h0 >"$tmp/dry"
[ ! -e /sys/class/net/mvh0 ] && diff "$tmp/before" "$tmp/dry" >/dev/null && [ -z "$("$M" net-list | grep lan)" ]
ok $? "and does none of it"
cycle "first life"
# What cannot work beside it is refused, and changes nothing.
sed 's/<name>lan</<name>lan2</; s/mvh0/mvh1/' "$tmp/lan.xml" >"$tmp/lan2.xml"
printf '<network><name>pt</name><forward mode="passthrough"><interface dev="h0"/></forward></network>\n' >"$tmp/pt.xml"
"$M" net-define "$tmp/lan2.xml" >/dev/null && "$M" net-define "$tmp/pt.xml" >/dev/null
run "$M" net-start lan2
like "$rc$err" "^1macvnet: error: .*host shim 'mvh0' of active network 'lan' already holds the addresses of 'h0'.*move-addresses='no'" \
	"a second shim that would take the same addresses is refused"
run "$M" net-start pt
like "$rc$err" "^1macvnet: error: device 'h0' is used by active network 'lan', and a passthrough network needs its devices to itself" \
	"a passthrough network on a device another network uses is refused"
[ ! -e /sys/class/net/mvh1 ] && [ "$("$M" net-list | grep -c 'lan2\|pt ')" = 0 ]
ok $? "neither started anything"
printf '<network><name>lan3</name><forward mode="bridge"><interface dev="h0"/></forward><metadata><m:network xmlns:m="urn:macvnet:1"><m:port name="p3"/></m:network></metadata></network>\n' >"$tmp/lan3.xml"
"$M" net-define "$tmp/lan3.xml" >/dev/null && "$M" net-start lan3 >/dev/null
run "$M" net-info lan
like "$out" "h0 +0 endpoints, and 1 of other networks" "net-info counts other networks' endpoints on its devices"
like "$("$M" --json net-info lan)" '"dev":"h0","ports":0,"others":1' "(--json too)"
"$M" net-destroy lan3 >/dev/null
"$M" net-destroy lan >/dev/null
l3 h0 >"$tmp/after"
diff "$tmp/before" "$tmp/after" >"$tmp/diff"
ok $? "after net-destroy: h0's addresses, routes and rules equal those before"
[ -s "$tmp/diff" ] && sed 's/^/# /' "$tmp/diff"
close "$(lft h0 192.0.2.11)" 600 && close "$(lft h0 2001:db8:1::10)" 900
ok $? "lifetimes run on: $(lft h0 192.0.2.11) s of 600, $(lft h0 2001:db8:1::10) s of 900"
reach
ok $? "after: the host still reaches the far addresses"

# A DHCP client keeps h0's address: net-start names it.
bash -c 'exec -a dhclient tail -f /dev/null h0' 2>/dev/null &
dh=$!
wait_for 5 execed $dh tail
cycle "second life"
like "$err" "address 192.0.2.11/24 \(valid [0-9]+ s\) has a finite lifetime: dhclient \(pid $dh\) must now renew it on mvh0, not h0" "second life: it names the DHCP client that must follow the shim"
kill "$dh" 2>/dev/null
# Killed in net-destroy once the shim and its addresses are gone.
MACVNET_FAULT=netlink:3:kill "$F" net-destroy lan >/dev/null 2>&1
run "$M" reconcile
is "$rc" 0 "reconcile after a net-destroy killed half way"
l3 h0 >"$tmp/after2"
diff "$tmp/before" "$tmp/after2" >"$tmp/diff"
ok $? "after SIGKILL and reconcile: the same as before"
[ -s "$tmp/diff" ] && sed 's/^/# /' "$tmp/diff"
reach
ok $? "and the host reaches the far addresses"
"$M" net-destroy lan >/dev/null 2>&1
done_testing
