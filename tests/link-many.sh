#!/bin/sh
# The link module's batch create and its link reader against the real
# kernel, in a private network and mount namespace (fresh sysfs) on veth
# pairs: 300 endpoints from one create_many as the kernel sees them, a
# batch holding a name that is taken (the other link untouched) or a
# missing lower device, batches of 0 and 1, a failure or a lost request in
# the middle of a batch (each endpoint all or nothing), and the direct
# parse of a dump against libnl's link objects, field by field.  The checks
# are made by tests/link-many, whose "ok"/"not ok" lines are numbered here.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --alone -- "$@"

M=${MACVNET:?}
LM=${LINK_MANY:-$(dirname "$M")/../tests/link-many}
[ -x "$LM" ] || bail "no $LM (make check builds it)"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
# Each command's endpoints are in this group (link-many.c's GROUP).
group=$((0x6d760000 + 7))

# report: number link-many's "ok"/"not ok" lines as this script's tests.
report() {
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok 0 "${line#ok - }" ;;
		"not ok - "*) ok 1 "${line#not ok - }" ;;
		*) echo "$line" ;;
		esac
	done <"$tmp/o"
}

# lm ARGS...: run link-many, report its checks; $rc and $out stay set.
lm() {
	run "$LM" "$@"
	report
	[ -z "$err" ] || diag "stderr: $err"
	ip link del group "$group" 2>/dev/null
}

# result: the "# result ..." line link-many printed.
result() { sed -n 's/^# result //p' "$tmp/o"; }
message() { sed -n 's/^# err: //p' "$tmp/o"; }

ip link add v0 type veth peer name v1 || bail "no veth"
ip link set v0 up
ip link set v1 up

# --- 300 endpoints in one call (more than one window) ---
lm create v0 300
is "$rc" 0 "create: link-many exits 0"

# --- a name that is somebody else's ---
ip link add taken0 type veth peer name taken1
ip link set taken0 alias "somebody else's link" group 42
lm clash v0 40 17 taken0
is "$(cat /sys/class/net/taken0/ifalias)" "somebody else's link" \
	"clash: taken0 keeps its alias"
is "$(cat /sys/class/net/taken0/netdev_group)" 42 "clash: taken0 keeps its group"
like "$(message)" "an interface named 'taken0' already exists" \
	"clash: the message is create's"
ip link del taken0

# --- a lower device that is not there ---
lm missing v0 30 4
like "$(message)" "lower device 'nosuch0' not found" \
	"missing: the message is create's, naming the device"

# --- batches of 0 and 1 ---
lm sizes v0

# --- a failure at each request of a batch of 6: the first macvtap goes
# alone (create 1, alias 2), so that a /dev/tapN clash is seen before the
# others are sent; then creates 3-7 and aliases 8-12 of the other five
for k in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
	rm -f "$tmp/log"
	MACVNET_FAULT=netlink:$k:EIO MACVNET_FAULT_LOG=$tmp/log lm fault v0 6
	if [ "$k" -le 2 ]; then
		want="ret=-5 failed=0:-5"
	elif [ "$k" -le 7 ]; then
		want="ret=-5 failed=$((k - 2)):-5"
	elif [ "$k" -le 12 ]; then
		want="ret=-5 failed=$((k - 7)):-5"
	else
		want="ret=0 failed="
	fi
	is "$(result)" "$want" "fault at request $k: $want"
	if [ "$k" -le 12 ]; then
		is "$(cat "$tmp/log" 2>/dev/null)" "fired netlink $k EIO" \
			"fault at request $k: it fired"
	fi
done
# The alias that failed: its endpoint was deleted again, and says so.
MACVNET_FAULT=netlink:9:EIO lm fault v0 6
like "$(message)" "cannot set the alias of new interface 'lf2', so it was deleted again" \
	"fault at an alias: the message names the endpoint and the undo"

# --- a request lost in the middle of a window: the window times out ---
# (the second window: lf1 to lf5; lf0 went alone and was made)
export LINK_MANY_TIMEOUT_MS=500
all="1:-110,2:-110,3:-110,4:-110,5:-110"
MACVNET_FAULT=netlink:5:lost lm fault v0 6
is "$(result)" "ret=-110 failed=$all" \
	"lost create: every spec of the window fails with ETIMEDOUT"
like "$(message)" "did not answer within 500 ms while creating the interfaces sent together with 'lf1', which was deleted again" \
	"lost create: the message names the step and the undo"
MACVNET_FAULT=netlink:10:lost lm fault v0 6
is "$(result)" "ret=-110 failed=$all" \
	"lost alias: every spec of the window fails with ETIMEDOUT"
like "$(message)" "did not answer within 500 ms while creating the interfaces sent together with 'lf1'" \
	"lost alias: the message names the step"
MACVNET_FAULT=netlink:10:lost lm fault v0 2
is "$(result)" "ret=0 failed=" "a fault past the batch: nothing fails"
unset LINK_MANY_TIMEOUT_MS

# --- the direct parse against libnl's objects ---
ip link add v2 type veth peer name v3
# Carrier but not running (IFF_LOWER_UP without IFF_RUNNING): dormant.
ip link set v2 mode dormant
ip link add br0 type bridge
ip link set v3 master br0
ip link set br0 up
ip link set v2 up
ip link set v3 up
ip link add v4 type veth peer name v5
ip link set v4 up
ip link add mt0 link v0 type macvtap mode vepa
ip link set mt0 alias "macvnet 0123456789abcdef static net é ü" group "$group" up
ip link add mt1 link v0 type macvtap mode private
ip link add mt2 link v0 type macvtap mode bridge
ip link set mt2 group 7 mtu 1400 up
ip link add mtp link v4 type macvtap mode passthru
long=$(printf 'x%.0s' $(seq 255))
ip link add mv0 link v0 type macvlan mode bridge
ip link set mv0 alias "$long" up
ip link add mv1 link v0 type macvlan mode source
ip link add mv2 link v2 type macvlan mode vepa
ip link set v1 alias "the other end"
lm dump
is "$rc" 0 "dump: link-many exits 0"

done_testing
