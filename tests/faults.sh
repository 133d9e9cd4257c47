#!/bin/sh
# Faults on the real kernel, in a private network and mount namespace:
# with the fault-injection build of macvnet (MACVNET_FAULT=any:N:ACTION),
# walk N over every step (netlink request, device node step, state file
# write or removal) of net-start with 20 static ports and a host shim that
# moves the lower device's address, port-create, net-destroy, and the
# hook's prepare and release (a bridge and a passthrough endpoint), making
# that step fail; and walk net-start again killing the process at each
# step.  After each fault: the command failed with one error line (or was
# killed); a failed creation left the kernel and the state exactly as
# they were (after a kill: once the next command ran); the next command
# runs without waiting for a lock; then the state and the kernel agree
# (every endpoint of the store is listed with its device node, nothing
# else is), and the definitions are unchanged.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --alone -- "$@"

M=${MACVNET:?}
F=${MACVNET_FAULTY:?}
HF=${MACVNET_HOOK_FAULTY:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
# A lost request would wait the full bound: not walked here.
export MACVNET_NETLINK_WAIT_MS=2000

ip link add veth0 type veth peer name veth1 || bail "no veth"
ip link add veth2 type veth peer name veth3
ip link set veth1 up
ip link set veth3 up
ip link set veth0 up
ip link set veth2 up
v2mac=$(cat /sys/class/net/veth2/address)

{
	printf '<network>\n  <name>big</name>\n'
	printf '  <forward mode="bridge"><interface dev="veth0"/></forward>\n'
	printf '  <metadata><m:network xmlns:m="urn:macvnet:1">\n'
	i=0
	while [ $i -lt 20 ]; do
		printf '    <m:port name="big%d" owner="nobody" group="nogroup"/>\n' $i
		i=$((i + 1))
	done
	printf '    <m:host name="mvhost0" address="198.51.100.2/24" move-addresses="yes"/>\n'
	printf '  </m:network></metadata>\n</network>\n'
} >"$tmp/big.xml"
printf '<network><name>pt</name><forward mode="passthrough"><interface dev="veth2"/></forward></network>\n' >"$tmp/pt.xml"
cat >"$tmp/web1.xml" <<'XML'
<domain type='qemu'>
  <name>web1</name>
  <uuid>3adebedc-eb5c-4a26-96fe-5933861c4abd</uuid>
  <metadata>
    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>
      <macvnet:port target='web1-a' network='big'/>
      <macvnet:port target='web1-b' network='pt'/>
    </macvnet:domain>
  </metadata>
  <devices>
    <interface type='ethernet'>
      <mac address='52:54:00:77:00:01'/>
      <target dev='web1-a' managed='no'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:77:00:02'/>
      <target dev='web1-b' managed='no'/>
    </interface>
  </devices>
</domain>
XML

# A fresh world for each step: nothing of macvnet's, the device's address
# and MAC as at the start, an empty run directory.  The definitions stay
# (each step checks that nothing changed them).
fresh() {
	# Each of macvnet's groups in one request (macvnet's range: 0x6d76xxxx).
	for g in $(ip -o link show | sed -n 's/.* group \([0-9][0-9]*\) .*/\1/p' | sort -u); do
		[ "$g" -ge 1836449792 ] && [ "$g" -lt 1836515328 ] && ip link del group "$g"
	done
	ip addr flush dev veth0
	ip addr add 198.51.100.1/24 dev veth0
	ip link set veth2 address "$v2mac"
	rm -rf "$tmp/run"
}
"$M" net-define "$tmp/big.xml" >/dev/null &&
	"$M" net-define "$tmp/pt.xml" >/dev/null ||
	bail "cannot define the networks"

# The kernel and the state as text: the store's links (name, MAC, kind),
# the lower devices' addresses and MAC, private nodes, listed ports.
world() {
	id=$(cat "$tmp/run/id" 2>/dev/null)
	ip -d -o link show | grep " alias macvnet $id " |
		sed -E 's/^[0-9]+: ([^@:]+).* link\/ether ([0-9a-f:]+) .*/\1 \2/' | sort
	echo "veth0: $(ip -o addr show dev veth0 scope global | awk '{ print $4 }' | sort | tr '\n' ' ')"
	echo "veth2: $(cat /sys/class/net/veth2/address)"
	echo "nodes: $(ls "$tmp/run/dev" 2>/dev/null | tr '\n' ' ')"
	cat "$tmp/run/networks/"*.ports/* 2>/dev/null | md5sum
}

# State and kernel agree: the store's endpoints are exactly the listed
# ports, each with its node; the only other link of the store is the shim
# of an active network; no private node is left over.
agree() {
	id=$(cat "$tmp/run/id" 2>/dev/null)
	"$M" port-list >"$tmp/pl" 2>&1 || { cat "$tmp/pl"; return 1; }
	ip -d -o link show >"$tmp/links"
	links=$(grep " alias macvnet $id " "$tmp/links" | grep -v "alias macvnet $id shim " |
		sed -E 's/^[0-9]+: ([^@:]+).*/\1/' | sort | tr '\n' ' ')
	ports=$(awk 'NR > 2 && NF { print $1 }' "$tmp/pl" | sort | tr '\n' ' ')
	[ "$links" = "$ports" ] || { echo "links [$links] ports [$ports]"; return 1; }
	# A link in a scratch group (upper half of macvnet's range) is one
	# whose deletion was left half done.
	scratch=$(grep " alias macvnet $id " "$tmp/links" |
		sed -n 's/.* group \([0-9][0-9]*\) .*/\1/p' |
		awk '$1 >= 1836482560 && $1 < 1836515328' | wc -l)
	[ "$scratch" = 0 ] || { echo "$scratch links left in a scratch group"; return 1; }
	shims=$(grep -c " alias macvnet $id shim " "$tmp/links")
	active=0
	[ -f "$tmp/run/networks/big.state" ] && active=1
	[ "$shims" = "$active" ] || { echo "$shims shims, big active: $active"; return 1; }
	for t in $(awk 'NR > 2 && NF { print $6 }' "$tmp/pl"); do
		[ -c "$t" ] || { echo "no node $t"; return 1; }
	done
	for n in $(ls "$tmp/run/dev" 2>/dev/null); do
		grep -q " $tmp/run/dev/$n\$" "$tmp/pl" || { echo "stray node $n"; return 1; }
	done
	if [ "$active" = 0 ]; then
		[ "$(ip -o addr show dev veth0 scope global | awk '{ print $4 }')" = 198.51.100.1/24 ] ||
			{ echo "veth0 lost its address"; return 1; }
	fi
	return 0
}

defs() { (cd "$tmp/etc" && find . -type f -o -type l | sort | xargs cat | md5sum); }

start_big() { "$M" net-start big >/dev/null || bail "setup: net-start big"; }
start_both() { start_big && { "$M" net-start pt >/dev/null || bail "setup: net-start pt"; }; }
prepared() {
	start_both
	env MACVNET_HOOK_DRIVER=qemu "$MACVNET_HOOK" web1 prepare begin - <"$tmp/web1.xml" 2>"$tmp/pe" || bail "setup: prepare: $(cat "$tmp/pe")"
}

op_start() { "$F" net-start big; }
op_port_create() { "$F" port-create big --owner nobody; }
op_destroy() { "$F" net-destroy big; }
op_prepare() { env MACVNET_HOOK_DRIVER=qemu "$HF" web1 prepare begin - <"$tmp/web1.xml"; }
op_release() { env MACVNET_HOOK_DRIVER=qemu "$HF" web1 release end - <"$tmp/web1.xml"; }

# walk LABEL SETUP OP ATOMIC ACTION: fault every step of OP in turn.
walk() {
	label=$1 setup=$2 op=$3 atomic=$4 action=$5
	n=1 steps=0 bad=0
	while [ $n -lt 1000 ]; do
		fresh
		$setup
		before=$(world)
		d0=$(defs)
		rm -f "$tmp/fired"
		MACVNET_FAULT="any:$n:$action" MACVNET_FAULT_LOG="$tmp/fired" \
			$op >"$tmp/o" 2>"$tmp/e"
		rc=$?
		if [ ! -s "$tmp/fired" ]; then
			[ "$rc" = 0 ] || { diag "$label: fails without a fault: $(cat "$tmp/e")"; bad=$((bad + 1)); }
			break
		fi
		steps=$((steps + 1))
		why=""
		lines=$(wc -l <"$tmp/e")
		if [ "$action" = kill ]; then
			[ "$rc" = 137 ] || why="$why; exit $rc, not killed"
		elif [ "$rc" != 0 ]; then
			[ "$rc" = 1 ] && [ "$lines" = 1 ] && grep -q '^macvnet: error: ' "$tmp/e" ||
				why="$why; exit $rc with: $(head -c 300 "$tmp/e")"
		fi
		if [ "$atomic" = yes ] && [ "$rc" != 0 ] && [ "$action" != kill ]; then
			[ "$(world)" = "$before" ] || why="$why; the failure changed the world"
		fi
		"$M" --wait 0 reconcile >"$tmp/r" 2>&1 || why="$why; next command: $(cat "$tmp/r")"
		if [ "$atomic" = yes ] && [ "$rc" != 0 ]; then
			[ "$(world)" = "$before" ] || why="$why; not as before after reconcile"
		fi
		a=$(agree) || why="$why; state and kernel disagree: $a"
		[ "$(defs)" = "$d0" ] || why="$why; the definitions changed"
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			[ $bad -le 5 ] && diag "$label, step $n ($(cat "$tmp/fired")):$why"
		fi
		n=$((n + 1))
	done
	[ "$bad" = 0 ] && [ "$steps" -gt 0 ]
	ok $? "$label: $steps steps, each faulted once ($action); $bad went wrong"
}

walk "net-start, 20 ports and a shim" "" op_start yes EIO
walk "net-start, 20 ports and a shim" "" op_start yes kill
walk "port-create" start_big op_port_create yes EIO
walk "port-create" start_big op_port_create yes kill
walk "net-destroy" start_big op_destroy no EIO
walk "hook prepare" start_both op_prepare yes EIO
walk "hook prepare" start_both op_prepare yes kill
walk "hook release" prepared op_release no EIO
walk "hook release" prepared op_release no kill
done_testing
