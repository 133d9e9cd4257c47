#!/bin/sh
# Trust on a shared host, on the real kernel in a private network and mount
# namespace: two stores on one host never remove each other's endpoints; a
# refused passthrough start leaves the network inactive; a failed or lost
# netlink request ends in one error line within its bound; a held lock is
# waited for with a bound that names the holder, and other networks do not
# wait at all; an unreadable state directory is an error, not "no state";
# an endpoint moved to another namespace is followed and deleted; a
# damaged state file is set aside and rebuilt without stopping other
# networks; a full run directory refuses new endpoints cleanly and still
# lets everything be torn down; a definition edited to name another
# network is refused and shown as damaged.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

# ip netns keeps its namespaces under /run/netns: a private /run.
in_netns --run --alone -- "$@"

M=${MACVNET:?}
F=${MACVNET_FAULTY:?}
H=${MACVNET_HOOK:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'ip netns del C 2>/dev/null; umount "$tmp/small" "$tmp/nodev" 2>/dev/null; rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

ip link add veth0 type veth peer name veth1 || bail "no veth"
ip link add veth2 type veth peer name veth3
for d in veth0 veth1 veth2 veth3; do ip link set "$d" up; done

# net NAME MODE DEV [PORT...]: a network definition in $tmp/NAME.xml.
net() {
	name=$1 mode=$2 dev=$3
	shift 3
	{
		printf '<network>\n  <name>%s</name>\n  <forward mode="%s"><interface dev="%s"/></forward>\n' "$name" "$mode" "$dev"
		if [ $# -gt 0 ]; then
			printf '  <metadata><m:network xmlns:m="urn:macvnet:1">\n'
			for p in "$@"; do printf '    <m:port name="%s"/>\n' "$p"; done
			printf '  </m:network></metadata>\n'
		fi
		printf '</network>\n'
	} >"$tmp/$name.xml"
}
exists() { [ -e "/sys/class/net/$1" ]; }
ours() { ip -d -o link show | grep -c ' alias macvnet '; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- two stores on one host ---
A="--config-dir $tmp/etcA --run-dir $tmp/runA"
B="--config-dir $tmp/etcB --run-dir $tmp/runB"
net lan bridge veth0
"$M" $A net-define "$tmp/lan.xml" >/dev/null && "$M" $A net-start lan >/dev/null
"$M" $A port-create lan --name a0 >/dev/null && "$M" $A port-create lan --name a1 >/dev/null
"$M" $B net-define "$tmp/lan.xml" >/dev/null && "$M" $B net-start lan >/dev/null
"$M" $B port-create lan --name b0 >/dev/null
run "$M" $B reconcile
is "$rc" 0 "two stores: the second store's reconcile"
like "$out" " 0 leftover links removed" "two stores: it takes none of the first store's links for leftovers"
exists a0 && exists a1
ok $? "two stores: the first store's endpoints are still there"
run "$M" $B net-destroy lan
is "$rc" 0 "two stores: the second store destroys its network of the same name"
exists a0 && exists a1 && ! exists b0
ok $? "two stores: only its own endpoint went"
is "$("$M" $A port-list lan | awk 'NR > 2 && NF { print $1 }' | tr '\n' ' ')" "a0 a1 " "two stores: the first store still lists its two"
"$M" $A net-destroy lan >/dev/null
is "$(ours)" 0 "two stores: nothing of either is left"

# --- a refused passthrough start leaves the network inactive ---
ip link add link veth2 name other0 type macvlan
net pt passthrough veth2 p0
"$M" net-define "$tmp/pt.xml" >/dev/null
own=$(cat /sys/class/net/veth2/address)
run "$M" net-start pt
is "$rc" 1 "passthrough on a device that carries a macvlan: refused"
is "$(printf '%s\n' "$err" | wc -l)" 1 "passthrough refusal: one line"
run "$M" net-start pt
is "$rc" 1 "the retry is refused the same way"
if printf '%s' "$err" | grep -q "already active"; then ok 1 "the retry does not say 'already active'"; else ok 0 "the retry does not say 'already active'"; fi
like "$("$M" net-list --all)" " pt +inactive" "the refused network is recorded inactive"
is "$(cat /sys/class/net/veth2/address) $(ours)" "$own 0" "the device keeps its MAC, no endpoint is left"
ip link del other0
run "$M" net-start pt
is "$rc" 0 "with the macvlan gone it starts"
"$M" net-destroy pt >/dev/null
is "$(cat /sys/class/net/veth2/address)" "$own" "and gives the device its MAC back at destroy"

# --- netlink failures and lost answers, bounded ---
net lan bridge veth0 s0 s1
"$M" net-define "$tmp/lan.xml" >/dev/null
run env MACVNET_FAULT=netlink:4:ENOBUFS MACVNET_FAULT_LOG="$tmp/fired" "$F" net-start lan
is "$rc" 1 "a netlink request refused with ENOBUFS: net-start fails"
like "$err" "^macvnet: error: .*No buffer space" "ENOBUFS: one line with the kernel's reason"
is "$(ours)" 0 "ENOBUFS: nothing left in the kernel"
t0=$(now_ms)
run env MACVNET_FAULT=netlink:4:lost MACVNET_NETLINK_WAIT_MS=700 "$F" net-start lan
t=$(($(now_ms) - t0))
is "$rc" 1 "a lost netlink answer: net-start fails"
like "$err" "^macvnet: error: .*did not answer within" "a lost answer: one line naming the step"
[ "$t" -ge 600 ] && [ "$t" -lt 4000 ]
ok $? "a lost answer is waited for within the bound ($t ms for 700 ms)"
is "$(ours) $("$M" net-list | grep -c ' lan ')" "0 0" "a lost answer: nothing left, the network inactive"

# --- a held lock (8 s): bounded wait naming the holder; others go on ---
"$M" net-start lan >/dev/null
net web bridge veth2
"$M" net-define "$tmp/web.xml" >/dev/null && "$M" net-start web >/dev/null
rm -f "$tmp/fired"
MACVNET_FAULT=netlink:1:lost MACVNET_NETLINK_WAIT_MS=8000 MACVNET_FAULT_LOG="$tmp/fired" \
	"$F" port-create lan >/dev/null 2>&1 &
holder=$!
wait_for 5 test -s "$tmp/fired"
t0=$(now_ms)
run "$M" --wait 2 port-create lan
t=$(($(now_ms) - t0))
is "$rc" 1 "port-create on a network another process holds: fails"
like "$err" "waiting for network 'lan', locked by process $holder" "a noticeable wait says who holds the lock"
like "$(printf '%s\n' "$err" | tail -n 1)" "^macvnet: error: .*still locked by process $holder .*after 2 s" "then one error line naming the holder"
[ "$t" -ge 1900 ] && [ "$t" -lt 4500 ]
ok $? "the wait ends at its bound ($t ms for 2 s)"
run "$M" --wait 0 port-create web
is "$rc" 0 "meanwhile port-create on another network works, with --wait 0"
kill -0 "$holder" 2>/dev/null
ok $? "while the holder still holds the first network"
cat >"$tmp/dom.xml" <<'XML'
<domain type='qemu'><name>d1</name><uuid>6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9e01</uuid>
<metadata><macvnet:domain xmlns:macvnet='urn:macvnet:1'><macvnet:port target='d1-eth0' network='lan'/></macvnet:domain></metadata>
<devices><interface type='ethernet'><mac address='52:54:00:12:34:56'/><target dev='d1-eth0' managed='no'/></interface></devices></domain>
XML
t0=$(now_ms)
run env MACVNET_HOOK_TIMEOUT=1 MACVNET_HOOK_DRIVER=qemu "$H" d1 prepare begin - <"$tmp/dom.xml"
t=$(($(now_ms) - t0))
is "$rc" 1 "the hook's prepare on a held network fails"
[ "$t" -lt 4000 ]
ok $? "within the hook's deadline ($t ms for 1 s)"
like "$(printf '%s\n' "$err" | tail -n 1)" "^macvnet: error: d1: .*locked by process $holder" "with one line libvirt shows, naming the holder"
wait $holder
run "$M" --wait 0 port-create lan --name after0
is "$rc" 0 "once the holder is gone, the network is free at once"

# --- an unreadable state directory is an error, not "no state" ---
mv "$tmp/run/networks" "$tmp/run/networks.real"
touch "$tmp/run/networks"
before=$(ours)
run "$M" reconcile
is "$rc" 1 "reconcile with the state directory replaced by a file fails"
like "$err" "networks" "and names the directory"
is "$(ours)" "$before" "no endpoint was taken for a leftover"
rm "$tmp/run/networks"
mv "$tmp/run/networks.real" "$tmp/run/networks"

# --- an endpoint handed to another namespace ---
ip netns add C
"$M" port-create lan --name mv0 >/dev/null
ip link set mv0 netns C
run "$M" reconcile
like "$out" "^Reconciled: 0 lost endpoints forgotten, 0 leftover links removed" "reconcile follows an endpoint moved to another namespace"
"$M" port-list lan | grep -q '^ mv0 '
ok $? "port-list still lists it"
run "$M" net-destroy lan
is "$rc" 0 "net-destroy of the network"
ip -n C link show mv0 >/dev/null 2>&1
is "$?" 1 "deleted the endpoint inside the other namespace too"
ip netns del C

# --- a damaged state file ---
"$M" net-start lan >/dev/null
printf 'garbage\n' >"$tmp/run/networks/lan.state"
run "$M" port-create web --name w1
is "$rc" 0 "a damaged state file of one network does not stop another"
sed 's/network=.lan./network="web"/; s/d1-eth0/d2-eth0/g; s/>d1</>d2</; s/9e01/9e02/; s/12:34:56/12:34:57/' "$tmp/dom.xml" >"$tmp/dom2.xml"
run env MACVNET_HOOK_DRIVER=qemu "$H" d2 prepare begin - <"$tmp/dom2.xml"
is "$rc" 0 "nor the hook's prepare of a domain on another network"
run "$M" reconcile
is "$rc" 0 "reconcile with a damaged state file"
like "$err" "state file of network 'lan' was damaged; it is set aside as $tmp/run/damaged/lan.state" "the file set aside is named"
like "$out" "1 damaged state files set aside" "reconcile counts it"
is "$("$M" port-list lan | awk 'NR > 2 && NF { print $1 }' | sort | tr '\n' ' ')" "s0 s1 " "the network is rebuilt from the kernel"
printf 'junk\n' >"$tmp/run/networks/web.log"
run "$M" reconcile
is "$rc" 0 "reconcile with a damaged endpoint log"
like "$err" "endpoint log of network 'web' was damaged .*; it is set aside as $tmp/run/damaged/web.log" "the log set aside is named"
"$M" port-list web | grep -q '^ w1 '
ok $? "the endpoint is rebuilt from the kernel"
is "$(ls "$tmp/run/damaged" | wc -l)" 2 "both damaged files are kept for inspection"
"$M" net-destroy lan >/dev/null
"$M" net-destroy web >/dev/null
is "$(ours)" 0 "the rebuilt networks are torn down completely"

# --- a full run directory ---
mkdir "$tmp/small"
mount -t tmpfs -o size=256k tmpfs "$tmp/small"
export MACVNET_RUN_DIR="$tmp/small/run"
"$M" net-start lan >/dev/null && "$M" port-create lan --name f0 >/dev/null ||
	bail "cannot start on the small run directory"
dd if=/dev/zero of="$tmp/small/fill" bs=4k 2>/dev/null
# The endpoint log's last page may still hold a few records: endpoints
# are made until one needs room the disk no longer has.
k=1
while :; do
	before=$(ours)
	run "$M" port-create lan --name f$k
	[ "$rc" -eq 0 ] && [ $k -lt 64 ] || break
	k=$((k + 1))
done
is "$rc" 1 "port-create on a full run directory fails (after $((k - 1)) that fit)"
like "$err" "^macvnet: error: .*full" "and says the disk is full"
is "$(ours)" "$before" "nothing of the new endpoint is left"
run "$M" port-list lan
is "$(echo "$out" | grep -c " f$k ")" 0 "nor is it listed"
run "$M" port-delete f0
is "$rc" 0 "port-delete works on a full run directory"
exists f0
is "$?" 1 "the endpoint is gone"
run "$M" net-destroy lan
is "$rc$(ours)" "00" "net-destroy works on a full run directory and leaves nothing"
rm -f "$tmp/small/fill"
export MACVNET_RUN_DIR="$tmp/run"

# --- a run directory that refuses device nodes (nodev, as /run usually is) ---
# With a /dev of its own, where no /dev/tapN is, each endpoint gets a
# private node: on a nodev run directory it could not be opened, so it
# goes under /dev/macvnet, in a directory of that run directory's own.
mkdir "$tmp/nodev"
mount -t tmpfs -o nodev,size=1m tmpfs "$tmp/nodev"
res=$(MACVNET_RUN_DIR="$tmp/nodev/run" unshare --mount sh -c '
	mount --make-rprivate / && mount -t tmpfs -o mode=0755 tmpfs /dev || exit 1
	mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 || exit 1
	"$1" net-start lan >/dev/null || exit 1
	out=$("$1" port-create lan --name nd0) || exit 1
	node=${out##* }
	if : <"$node"; then echo "opened $node"; else echo "cannot open $node"; fi
	"$1" net-destroy lan >/dev/null
	echo "left: $(ls -A /dev/macvnet/*/ 2>/dev/null | wc -l)"
' sh "$M" 2>&1)
like "$res" "^opened /dev/macvnet/[0-9a-f]{16}/tap[0-9]+\.[0-9]+$" "a nodev run directory: the endpoint's private node is under /dev/macvnet, and opens"
like "$res" "^left: 0$" "net-destroy removes it"
umount "$tmp/nodev"

# --- a definition edited to name another network ---
sed 's/<name>web</<name>other</' "$tmp/etc/networks/web.xml" >"$tmp/x" && cat "$tmp/x" >"$tmp/etc/networks/web.xml"
run "$M" net-start web
is "$rc" 1 "a definition whose <name> is not its file's is refused"
like "$err" "names network 'other'" "the refusal names both"
run "$M" net-list --all
like "$out" " web +damaged" "net-list shows it as damaged"
like "$err" "^macvnet: warning: .*'web'" "and says why on stderr"
run "$M" net-dumpxml web
is "$rc" 1 "net-dumpxml refuses it"

# --- libxml2 missing: loaded only when XML is read ---
# In this mount namespace the library is an empty file: what reads no XML
# still works, what reads XML ends with one line naming the package.
lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libxml2\.so\.2 (.*x86-64.*) => //p' | head -n 1)
[ -n "$lib" ] || lib=$(ldconfig -p | sed -n 's/^[[:space:]]*libxml2\.so\.2 .* => //p' | head -n 1)
[ -f "$lib" ] || bail "no libxml2.so.2 in ldconfig's cache"
mount --bind /dev/null "$lib" || bail "cannot hide $lib"
run "$M" --version
is "$rc" 0 "without libxml2: --version works"
run "$M" port-list
is "$rc" 0 "without libxml2: port-list works"
run "$M" validate "$tmp/lan.xml"
is "$rc$(printf '%s\n' "$err" | wc -l)" 11 "without libxml2: validate fails with one line"
like "$err" "^macvnet: error: cannot load libxml2 .*apt-get install libxml2" "naming the package"
run "$M" --json validate "$tmp/lan.xml"
like "$rc$err" '^1\{"error":\{"message":"cannot load libxml2 .*","errno":"ENOENT",' "under --json, the error is JSON"
umount "$lib"
done_testing
