#!/bin/sh
# port-create --netns on the real kernel, in a private network and mount
# namespace with a private /run: an endpoint handed to a named namespace
# (ip netns add), renamed there, on the right lower device with its MAC,
# gone from here; port-list shows where it went; traffic crosses it to
# the LAN; reconcile leaves it; port-delete and net-destroy delete it
# there.  A PID and a path name a namespace too.  A namespace that cannot
# be had (no such name, a plain file, no such process, a symbolic link
# under /run/netns) and a name taken in the target fail with one line and
# leave nothing, here or there.  --xml goes through the grammar first.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --run -- "$@"

M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
ctr=
trap 'kill $ctr 2>/dev/null; ip netns del c1 2>/dev/null; rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

ip link add lan0 type veth peer name lan1 || bail "no veth"
ip link set lan0 up && ip link set lan1 up
ip addr add 192.0.2.1/24 dev lan1
printf '<network>\n  <name>lan</name>\n  <forward mode="bridge"><interface dev="lan0"/></forward>\n</network>\n' >"$tmp/lan.xml"
"$M" net-define "$tmp/lan.xml" >/dev/null && "$M" net-start lan >/dev/null ||
	bail "cannot start network lan"
ip netns add c1 || bail "ip netns add fails"
lower=$(cat /sys/class/net/lan0/ifindex)

# ours_here: macvnet's links here; ours_in NS...: in a namespace (ip -n).
ours_here() { ip -d -o link show | grep -c ' alias macvnet '; }
ours_in() { ip "$@" -d -o link show | grep -c ' alias macvnet '; }
ports() { "$M" port-list lan | grep -c ' lan '; }
json_field() { printf '%s' "$1" | sed -n "s/.*\"$2\":\"\\{0,1\\}\\([^\",}]*\\).*/\\1/p"; }

# --- a named namespace ---
run "$M" --json port-create lan --netns c1 --ifname eth0
is "$rc" 0 "port-create --netns c1 --ifname eth0${err:+ ($err)}"
name=$(json_field "$out" name)
mac=$(json_field "$out" mac)
like "$out" '"netns":"c1","netnsid":[0-9]+' "its JSON says where it went"
link=$(ip -n c1 -d -o link show eth0 2>/dev/null)
like "$link" "eth0@if$lower[: ]" "eth0 is in c1, on lower device lan0"
like "$link" "macvtap" "it is a macvtap"
like "$link" "link/ether $mac " "with the port's MAC $mac"
[ -n "$name" ] && [ ! -e "/sys/class/net/$name" ] &&
	! ip -o link show | grep -q "$mac"
ok $? "nothing of it is left here"
nsid=$(json_field "$out" netnsid)
ip netns list-id | grep -q "nsid $nsid "
ok $? "netnsid $nsid is c1's id here"
run "$M" port-list lan
like "$out" "^ $name +lan +lan0 +$mac +[0-9]+@ns$nsid " \
	"port-list lists it with its namespace"
run "$M" --json port-list lan
like "$out" "\"name\":\"$name\".*\"netnsid\":$nsid" \
	"port-list --json gives its netnsid"

ip -n c1 link set eth0 up && ip -n c1 addr add 192.0.2.2/24 dev eth0
if command -v ping >/dev/null; then
	ip netns exec c1 ping -c 1 -W 3 192.0.2.1 >/dev/null 2>&1
	ok $? "c1 reaches the LAN side over it"
else
	ok 0 "c1 reaches the LAN side over it # SKIP no ping"
fi

run "$M" reconcile
like "$out" " 0 lost endpoints forgotten, 0 leftover links removed" \
	"reconcile neither forgets nor removes it"
ip -n c1 link show eth0 >/dev/null 2>&1 && [ "$(ports)" = 1 ]
ok $? "after reconcile it is still in c1 and listed"

run "$M" port-delete "$name"
is "$rc" 0 "port-delete $name${err:+ ($err)}"
! ip -n c1 link show eth0 >/dev/null 2>&1 && [ "$(ports)" = 0 ]
ok $? "port-delete deleted it in c1"

# --- a process's namespace, and a path ---
unshare --net sleep 600 &
ctr=$!
own_ns() { [ "$(readlink "/proc/$ctr/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
wait_for 5 own_ns || bail "no namespace for the container stand-in"
run "$M" port-create lan --netns "$ctr" --ifname eth0
is "$rc" 0 "port-create --netns PID${err:+ ($err)}"
nsenter -t "$ctr" -n ip -d link show eth0 2>/dev/null | grep -q macvtap
ok $? "eth0 is in the process's namespace"
run "$M" port-create lan --netns "/proc/$ctr/ns/net" --name p1
is "$rc" 0 "port-create --netns PATH${err:+ ($err)}"
nsenter -t "$ctr" -n ip link show p1 >/dev/null 2>&1 && [ ! -e /sys/class/net/p1 ]
ok $? "p1 went there, keeping its name"
run "$M" port-create lan --netns /run/netns/c1 --ifname eth1
is "$rc" 0 "port-create --netns /run/netns/c1${err:+ ($err)}"
run "$M" port-create lan --netns c1 --ifname eth2
is "$(ours_in -n c1)" 2 "two endpoints in c1"
is "$(ports)" 4 "port-list lists all four"

# --- what fails leaves nothing ---
# refused DESCRIPTION ARGS...: port-create fails with one line, exit 1,
# and nothing is made here, in c1 or in the process's namespace.
refused() {
	rf_what=$1
	shift
	rf_here=$(ours_here) rf_c1=$(ours_in -n c1) rf_p=$(ports)
	rf_ctr=$(nsenter -t "$ctr" -n ip -d -o link show | grep -c ' alias macvnet ')
	run "$M" port-create lan "$@"
	[ "$rc" = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] &&
		[ -z "$out" ]
	ok $? "$rf_what: one line, exit 1 ($err)"
	[ "$(ours_here)" = "$rf_here" ] && [ "$(ours_in -n c1)" = "$rf_c1" ] &&
		[ "$(ports)" = "$rf_p" ] &&
		[ "$(nsenter -t "$ctr" -n ip -d -o link show | grep -c ' alias macvnet ')" = "$rf_ctr" ]
	ok $? "$rf_what: nothing is left"
}
refused "a missing namespace name" --netns nosuch
like "$err" "no network namespace named 'nosuch'" "which says there is no such namespace"
: >"$tmp/plain"
refused "a regular file" --netns "$tmp/plain"
like "$err" "is not a network namespace" "which says it is no network namespace"
refused "a process that does not exist" --netns 2147483646
like "$err" "no process 2147483646" "which says there is no such process"
ln -s "/proc/$ctr/ns/net" /run/netns/elsewhere
refused "a symbolic link under /run/netns" --netns elsewhere
like "$err" "symbolic link" "which says it is a symbolic link"
refused "a namespace file of another kind" --netns "/proc/$ctr/ns/uts"
like "$err" "is not a network namespace" "which says it is no network namespace"
refused "a name taken in the target (lo)" --netns c1 --ifname lo
like "$err" "already has an interface named 'lo'" "which names the interface"
refused "a name taken in the target (eth1)" --netns c1 --ifname eth1
refused "macvnet's own namespace" --netns /proc/self/ns/net
refused "--ifname without --netns" --ifname eth9

# --- net-destroy deletes them where they are ---
run "$M" net-destroy lan
is "$rc" 0 "net-destroy${err:+ ($err)}"
is "$(ours_in -n c1)/$(nsenter -t "$ctr" -n ip -d -o link show | grep -c ' alias macvnet ')/$(ours_here)" \
	0/0/0 "net-destroy deleted them in c1, in the process's namespace and here"

# --- --xml: the grammar first, one <interface>, standard input read once ---
"$M" net-start lan >/dev/null || bail "cannot start lan again"
printf '<domain type="kvm"><name>d</name><memory>1</memory><os><type>hvm</type></os></domain>\n' >"$tmp/dom.xml"
run "$M" port-create lan --xml "$tmp/dom.xml"
[ "$rc" = 1 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ]
ok $? "--xml with a <domain> is refused in one line ($err)"
like "$err" "is a <domain> document; --xml takes one domain <interface>" \
	"naming the root element"
printf '<interface type="network"><source network="lan"/><bogus/></interface>\n' >"$tmp/bad.xml"
run "$M" port-create lan --xml "$tmp/bad.xml"
is "$rc" 1 "--xml that the grammar refuses fails ($err)"
printf '<interface type="network"><source network="lan"/><target dev="x0"/></interface>\n' >"$tmp/x0.xml"
run sh -c "cat '$tmp/x0.xml' | '$M' port-create lan --xml -"
is "$rc" 0 "--xml - from a pipe${err:+ ($err)}"
like "$out" "^x0 " "takes the name from standard input"
sed 's/x0/x1/' "$tmp/x0.xml" >"$tmp/x1.xml"
run sh -c "'$M' port-create lan --xml - <'$tmp/x1.xml'"
like "$out" "^x1 " "--xml - from a file"
"$M" net-destroy lan >/dev/null

done_testing
