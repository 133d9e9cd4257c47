#!/bin/sh
# No file or device node that another user could control is used or given
# out, on the real kernel in a private network and mount namespace:
# definitions and state that others own or can write are refused and
# macvnet writes its own 0600; a private device node left by a crash never
# reaches a later endpoint that gets the same device number; /sys of
# another network namespace is detected and no node is handed out through
# it; numeric owners are checked, never wrapped.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns -- "$@"

M=${MACVNET:?}
F=${MACVNET_FAULTY:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

# --- /sys of another namespace (first: it needs ifindex 4 free here) ---
# Here: mt0, a macvtap with ifindex 4.  In a namespace without its own
# /sys mount, macvnet makes its own mt0, also ifindex 4 (lo, two veths,
# then it), and sees this namespace's mt0 in /sys.
ip link add tv0 index 20 type veth peer name tv1 index 21 || bail "no veth"
ip link add link tv0 name mt0 index 4 type macvtap mode bridge || bail "no macvtap with a given index"
mknod "$tmp/tap4" c "$(cut -d: -f1 /sys/class/net/mt0/macvtap/tap4/dev)" "$(cut -d: -f2 /sys/class/net/mt0/macvtap/tap4/dev)"
printf '<network><name>far</name><forward mode="bridge"><interface dev="v0"/></forward></network>\n' >"$tmp/far.xml"
unshare --net sh -c '
	ip link add v0 type veth peer name v1 && ip link set v1 up &&
	"$1" --run-dir "$2/farrun" --config-dir "$2/faretc" net-define "$2/far.xml" >/dev/null &&
	"$1" --run-dir "$2/farrun" --config-dir "$2/faretc" net-start far >/dev/null &&
	"$1" --run-dir "$2/farrun" --config-dir "$2/faretc" port-create far --name mt0 --owner nobody
	echo "rc=$?"' sh "$M" "$tmp" >"$tmp/fo" 2>"$tmp/fe"
is "$(tail -n 1 "$tmp/fo")" "rc=1" "port-create through another namespace's /sys fails"
like "$(cat "$tmp/fe")" "^macvnet: error: .*/sys shows another network namespace.*mount -t sysfs" "saying so, with the fix"
is "$(stat -c %U /dev/tap4 2>/dev/null || stat -c %U "$tmp/tap4")" root "the other namespace's /dev/tap4 is still root's"
is "$(find "$tmp/farrun/dev" -user nobody 2>/dev/null | wc -l)" 0 "and no node was given to the owner asked for"
ip link del mt0
ip link del tv0

# Private nodes only from here: /dev without /dev/tapN.
mount -t tmpfs -o mode=0755 tmpfs /dev || bail "cannot mount a private /dev"
mknod -m 0666 /dev/null c 1 3
ip link add veth0 type veth peer name veth1 || bail "no veth"
ip link set veth0 up && ip link set veth1 up
printf '<network><name>lan</name><forward mode="bridge"><interface dev="veth0"/></forward></network>\n' >"$tmp/lan.xml"
"$M" net-define "$tmp/lan.xml" >/dev/null || bail "net-define"
"$M" net-start lan >/dev/null || bail "net-start"

# --- files: 0600 when written, refused when others can change them ---
is "$(stat -c %a "$tmp/etc/networks/lan.xml") $(stat -c %a "$tmp/run/id")" "600 600" "the definition and the store id are written 0600"
chmod 0666 "$tmp/etc/networks/lan.xml"
run "$M" net-dumpxml lan
is "$rc" 1 "a definition others can write is refused"
like "$err" "^macvnet: error: file '$tmp/etc/networks/lan.xml' is writable by other users.*chmod go-w" "with the reason and the fix"
chmod 0600 "$tmp/etc/networks/lan.xml"
chown nobody "$tmp/etc/networks/lan.xml"
run "$M" net-dumpxml lan
is "$rc" 1 "a definition another user owns is refused"
like "$err" "belongs to user $(id -u nobody), neither root nor you" "naming the owner"
chown root "$tmp/etc/networks/lan.xml"
"$M" port-create lan --name e0 >/dev/null
chmod 0606 "$tmp/run/networks/lan.log"
run "$M" port-list lan
like "$rc$err" "^1macvnet: error: .*lan\\.log.* is writable by other users" "a state file others can write is refused"
"$M" reconcile >/dev/null 2>&1
chmod 0600 "$tmp/run/networks/lan.log"
"$M" port-delete e0 >/dev/null 2>&1

# --- a node left by a crash ---
# Killed in port-create after the node was given, before the state was
# written: the next command removes the link (no state names it).
MACVNET_FAULT=state:1:kill "$F" port-create lan --name e1 --owner nobody >/dev/null 2>&1
is "$(find "$tmp/run/dev" -user nobody | wc -l)" 1 "a kill -9 in port-create leaves a node given to nobody"
"$M" port-create lan --name e2 >/dev/null || bail "port-create e2"
dev2=$(cat /sys/class/net/e2/macvtap/tap*/dev)
leak=0
for n in "$tmp"/run/dev/*; do
	[ -c "$n" ] || continue
	[ "$(stat -c '%t:%T' "$n")" = "$(printf '%x:%x' "${dev2%:*}" "${dev2#*:}")" ] || continue
	[ "$(stat -c %U "$n")" = root ] || leak=1
done
is "$leak" 0 "no node nobody owns reaches e2, which got the same device number"
is "$(stat -c %U "$("$M" port-list lan | awk '$1 == "e2" { print $6 }')")" root "e2's node is root's"
"$M" port-create lan --name e3 --owner nobody >/dev/null
ip link del e3
"$M" reconcile >/dev/null 2>&1
is "$(ls "$tmp/run/dev" | wc -l)" 1 "reconcile removes every node without an endpoint (e2's stays)"
"$M" port-delete e2 >/dev/null
is "$(ls "$tmp/run/dev" | wc -l)" 0 "port-delete removes the node with the endpoint"

# --- numeric owners ---
run "$M" port-create lan --name e4 --owner 4294968297
is "$rc" 1 "an owner id past 32 bits is refused, not wrapped"
like "$err" "user id '4294968297' is out of range" "saying so"
[ ! -e /sys/class/net/e4 ]
ok $? "and nothing is created"
run "$M" port-create lan --name e4 --owner 0:4294967295
like "$rc$err" "^1.*group id '4294967295' is out of range" "(gid_t)-1, chown's 'leave unchanged', is refused"
run "$M" port-create lan --name e4 --owner 1000:1000
is "$rc $(stat -c '%u:%g' "$("$M" port-list lan | awk '$1 == "e4" { print $6 }')" 2>/dev/null)" "0 1000:1000" "numbers in range are used as given"
run "$M" port-create lan --name e5 --mtu 40
like "$rc$err" "^1macvnet: error: .*MTU 40 is below the minimum 68" "an MTU below the minimum is called that"

"$M" net-destroy lan >/dev/null
done_testing
