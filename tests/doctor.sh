#!/bin/sh
# macvnet doctor on the real kernel, in private namespaces: each condition
# it reports is made here and its finding asserted (a bridge port, a device
# down or without carrier, the host's address where guests cannot reach
# it, vepa without a stated hairpin, a passthrough pool too small, a MAC
# used twice by static ports and by live endpoints, a dynamic address and
# a DHCP client that would fight the host shim), and a clean network has no
# finding.  --probe measures a Linux bridge behind the lower device with
# hairpin on and off, and leaves no link, node or directory behind, also
# when SIGTERM cuts it short.  Open vSwitch ports cannot be made here (no
# OVS kernel datapath on these machines): only the bridge case is tested.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --run -- "$@"

M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
fakes=
trap 'for p in $fakes; do kill $p 2>/dev/null; done; ip netns del sw 2>/dev/null; rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

# define NAME MODE DEV [METADATA]: a network on DEV.
define() {
	{
		printf '<network>\n  <name>%s</name>\n' "$1"
		printf '  <forward mode="%s">\n    <interface dev="%s"/>\n  </forward>\n' "$2" "$3"
		if [ -n "${4:-}" ]; then
			printf '  <metadata>\n    <macvnet:network xmlns:macvnet="urn:macvnet:1">\n'
			printf '      %s\n' "$4"
			printf '    </macvnet:network>\n  </metadata>\n'
		fi
		printf '</network>\n'
	} >"$tmp/$1.xml"
	"$M" net-define "$tmp/$1.xml" >/dev/null || bail "net-define $1"
}
# veth A B: a pair, both up (a link partner: carrier).
veth() {
	ip link add "$1" type veth peer name "$2" || bail "no veth"
	ip link set "$1" up
	ip link set "$2" up
}
# What a probe may leave behind: links, node directories, private nodes.
leftovers() {
	ip -o link show | grep -c 'mvdoc'
	find "$MACVNET_RUN_DIR" -name 'doctor.*' -o -name 'tap*' | wc -l
}
# made REGEX: the leftovers (links, then nodes) match REGEX.
made() { leftovers | tr '\n' ' ' | grep -Eq "$1"; }

# The switch: a Linux bridge in namespace sw; its port g0 is the peer of
# the host's h0, which carries the host's address.
ip link set lo up
ip netns add sw || bail "ip netns"
ip link add h0 type veth peer name g0 netns sw || bail "no veth"
S() { ip netns exec sw "$@"; }
S ip link add br0 type bridge
S ip link set g0 master br0
S ip link set g0 up
S ip link set br0 up
ip link set h0 up
ip addr add 192.0.2.10/24 dev h0

# --- a clean network: nothing to say ---
veth c0 c1
define clean bridge c0
run "$M" doctor clean
is "$rc" 0 "clean: exit 0"
is "$out" "Summary: errors 0, warnings 0, notes 0 (networks 1, devices 1)" "clean: no finding, only the summary"
run "$M" --json doctor clean
is "$out" '{"findings":[],"probes":[],"networks":1,"devices":1}' "clean: --json has no finding"

# --- 1. a bridge port ---
veth b0 b1
ip link add brx type bridge
ip link set b0 master brx
define bport bridge b0
run "$M" doctor bport
is "$rc" 1 "bridge port: exit 1"
like "$out" "^b0: error: a port of bridge brx, and macvtap cannot use a bridge port \(EBUSY\); detach it \(ip link set b0 nomaster\)" \
	"bridge port: named, with the kernel's refusal and the fix"
run "$M" --json doctor bport
like "$out" '^\{"findings":\[\{"device":"b0","network":"bport","problem":"bridge-port","level":"error","message":"a port of bridge brx' \
	"bridge port: --json has device, network, problem id and message"
run "$M" net-start bport
is "$rc" 1 "(net-start refuses the same device)"

# --- 2. down, and no carrier ---
ip link add d0 type veth peer name d1
define downnet bridge d0
run "$M" doctor downnet
is "$rc" 0 "down: only a note, exit 0"
like "$out" "^d0: note: down; net-start downnet brings it up$" "down: says net-start brings it up"
is "$(cat /sys/class/net/d0/operstate)" down "down: doctor changed nothing"
ip link add n0 type veth peer name n1
ip link set n0 up
define nocarrier bridge n0
run "$M" doctor nocarrier
is "$rc" 1 "no carrier: exit 1"
like "$out" "^n0: warning: no carrier \(no link partner\), so endpoints on it pass no frames to the LAN" \
	"no carrier: endpoints pass no frames to the LAN"

# --- 3. the host's address on a bridge network's device, no shim ---
define hostaddr bridge h0
run "$M" doctor hostaddr
is "$rc" 1 "host address: exit 1"
like "$out" "^h0: warning: carries the host's address 192.0.2.10/24, which guests on its endpoints never reach; add <macvnet:host name='mvhost0' move-addresses='yes'/> to network hostaddr" \
	"host address: guests cannot reach the host; add a shim"
define withshim bridge h0 "<macvnet:host name='mvs0'/>"
run "$M" doctor withshim
is "$rc.$out" "0.Summary: errors 0, warnings 0, notes 0 (networks 1, devices 1)" \
	"host address: with a shim there is nothing to say"

# --- 4. vepa: hairpin not stated, stated no, stated yes ---
define vepa1 vepa c0
run "$M" doctor vepa1
is "$rc" 1 "vepa, hairpin not stated: exit 1"
like "$out" "^c0: warning: endpoints of vepa network vepa1 on it reach each other only if the switch port sends frames back \(hairpin\).*<macvnet:switch hairpin='yes'/>.*macvnet doctor --probe vepa1$" \
	"vepa, hairpin not stated: the switch must hairpin; state it or measure it"
define vepa2 vepa c0 "<macvnet:switch hairpin='no'/>"
run "$M" doctor vepa2
like "$out" "^c0: warning: its switch port sends no frames back \(stated\), so endpoints of vepa network vepa2 on it cannot reach each other; enable reflective relay" \
	"vepa, hairpin='no': endpoints cannot reach each other"
define vepa3 vepa c0 "<macvnet:switch hairpin='yes'/>"
run "$M" doctor vepa3
is "$rc.$out" "0.Summary: errors 0, warnings 0, notes 0 (networks 1, devices 1)" \
	"vepa, hairpin='yes': nothing to say"

# --- 5. passthrough with more static ports than devices (a file edited
# by hand: net-define refuses it) ---
veth p0 p1
cat >"$tmp/pt.xml" <<EOF
<network>
  <name>pt</name>
  <forward mode='passthrough'>
    <interface dev='p0'/>
  </forward>
  <metadata>
    <macvnet:network xmlns:macvnet='urn:macvnet:1'>
      <macvnet:port name='pt0'/>
      <macvnet:port name='pt1'/>
    </macvnet:network>
  </metadata>
</network>
EOF
run "$M" net-define "$tmp/pt.xml"
is "$rc" 1 "(net-define refuses a passthrough pool smaller than its ports)"
cp "$tmp/pt.xml" "$MACVNET_CONFIG_DIR/networks/pt.xml"
run "$M" doctor pt
is "$rc" 1 "passthrough: exit 1"
like "$out" "^pt: error: passthrough network pt has more static ports \(2\) than devices \(1\), and each port takes a whole device" \
	"passthrough: more static ports than devices"

# --- 6. a MAC used twice: static ports, then live endpoints ---
define mac1 bridge c0 "<macvnet:port name='ma0' mac='52:54:00:00:00:99'/>"
define mac2 bridge p0 "<macvnet:port name='mb0' mac='52:54:00:00:00:99'/>"
run "$M" doctor mac1
is "$rc" 1 "static MAC twice: exit 1"
like "$out" "^c0: error: MAC 52:54:00:00:00:99 is used twice, by static port ma0 of network mac1 and by static port mb0 of network mac2; .*give one of them another MAC$" \
	"static MAC twice: both ports named"
run "$M" doctor clean
is "$rc" 0 "static MAC twice: not a finding of an unrelated network"
veth e0 e1
define act1 bridge e0
define act2 bridge c0
"$M" net-start act1 >/dev/null && "$M" net-start act2 >/dev/null || bail "net-start"
"$M" port-create act1 --name ea0 --mac 52:54:00:00:00:77 >/dev/null || bail "port-create"
run "$M" port-create act2 --name eb0 --mac 52:54:00:00:00:77
like "$rc$err" "^1macvnet: error: MAC 52:54:00:00:00:77 is already used by 'ea0'" "(port-create refuses the MAC twice)"
# As an earlier version (or another tool) could have left it.
"$M" port-create act2 --name eb0 --mac 52:54:00:00:00:78 >/dev/null || bail "port-create"
sed -i 's/^mac 52:54:00:00:00:78$/mac 52:54:00:00:00:77/' "$MACVNET_RUN_DIR/networks/act2.log"
run "$M" doctor act2
is "$rc" 1 "live MAC twice: exit 1"
like "$out" "MAC 52:54:00:00:00:77 is used twice, by endpoint ea0 of active network act1 and by endpoint eb0 of active network act2" \
	"live MAC twice: both endpoints named"
like "$out" "^c0: error: MAC 52:54:00:00:00:77" "live MAC twice: on the device of the network asked about"
"$M" net-destroy act1 >/dev/null
"$M" net-destroy act2 >/dev/null

# --- 7. address managers that would fight the shim ---
veth s0 s1
ip addr add 198.51.100.10/24 dev s0 valid_lft 600 preferred_lft 300
ip addr add 198.51.100.11/24 dev s0
define shimnet bridge s0 "<macvnet:host name='mvh0' move-addresses='yes'/>"
run "$M" doctor shimnet
is "$rc" 1 "dynamic address: exit 1"
like "$out" "^s0: warning: address 198.51.100.10/24 \(valid [0-9]+ s.*\) has a finite lifetime: whatever renews it .* after host shim mvh0 of network shimnet took it; renew it on mvh0 instead \(README: The host's address on the shim\)$" \
	"dynamic address: named, with its lifetime and the fix"
is "$(printf '%s\n' "$out" | grep -c 198.51.100.11)" 0 "dynamic address: a permanent one is no finding"
if command -v bash >/dev/null; then
	# Processes whose command lines look like DHCP clients' (tail
	# follows /dev/null until killed; the missing files are no matter).
	(cd "$tmp" && exec bash -c 'exec -a dhclient tail -v -f /dev/null s0') >/dev/null 2>&1 &
	dh=$!
	(cd "$tmp" && exec bash -c 'exec -a /sbin/udhcpc tail -f /dev/null eth9') >/dev/null 2>&1 &
	other=$!
	(cd "$tmp" && exec bash -c 'exec -a /usr/lib/systemd/systemd-networkd tail -f /dev/null') >/dev/null 2>&1 &
	nd=$!
	fakes="$dh $other $nd"
	for p in $fakes; do wait_for 5 execed $p tail; done
	run "$M" doctor shimnet
	like "$out" "^s0: warning: dhclient \(pid $dh\) manages its addresses and will fight host shim mvh0 of network shimnet for them, renewing them here; configure it for mvh0 instead" \
		"DHCP client naming the device: named with its pid and the fix"
	is "$(printf '%s\n' "$out" | grep -c "pid $other")" 0 "a DHCP client of another device is not named"
	like "$out" "^s0: note: systemd-networkd \(pid $nd\) runs; if it manages this device, it will fight host shim mvh0" \
		"a network manager that names no device: a note"
	kill $fakes 2>/dev/null
	wait $fakes 2>/dev/null
	fakes=
else
	ok 0 "DHCP client naming the device # SKIP no bash for exec -a"
	ok 0 "a DHCP client of another device is not named # SKIP no bash"
	ok 0 "a network manager that names no device: a note # SKIP no bash"
fi

# --- every network at once ---
run "$M" doctor
is "$rc" 1 "all networks: exit 1"
like "$out" "Summary: errors [1-9][0-9]*, warnings [1-9][0-9]*, notes [1-9][0-9]* \(networks 15, devices 15\)$" \
	"all networks: every definition checked, counted in the summary"
like "$(printf '%s\n' "$out" | grep -c '^b0: error\|^d0: note\|^n0: warning\|^pt: error')" "^4$" \
	"all networks: the findings of each network"

# --- --probe: the switch measured ---
define probe vepa h0
S bridge link set dev g0 hairpin on
run "$M" doctor probe --probe
is "$rc" 0 "probe, hairpin on: exit 0"
like "$out" "^h0: hairpin: yes \(measured\)$" "probe, hairpin on: hairpin yes (measured)"
like "$out" "^h0: host reach: yes \(measured\), address 192.0.2.10/24$" "probe, hairpin on: host reach yes (measured)"
is "$(printf '%s\n' "$out" | grep -c ': warning: ')" 0 "probe, hairpin on: measured, so no hairpin finding"
is "$(leftovers | tr '\n' ' ')" "0 0 " "probe, hairpin on: no link, node or directory left"
S bridge link set dev g0 hairpin off
run "$M" doctor --probe probe
is "$rc" 1 "probe, hairpin off: exit 1"
like "$out" "^h0: hairpin: no \(measured\)$" "probe, hairpin off: hairpin no (measured)"
like "$out" "^h0: host reach: no \(measured\), address 192.0.2.10/24$" "probe, hairpin off: host reach no (measured)"
like "$out" "^h0: warning: its switch port sends no frames back \(measured\)" "probe, hairpin off: the finding says measured"
is "$(leftovers | tr '\n' ' ')" "0 0 " "probe, hairpin off: no link, node or directory left"
run "$M" --json doctor probe --probe
like "$out" '"probes":\[\{"device":"h0","network":"probe","hairpin":false,"host_reach":false,"address":"192.0.2.10/24"\}\]' \
	"probe: --json has the measures"
# SIGTERM once the endpoints exist (the waits take a second with hairpin off).
"$M" doctor probe --probe >"$tmp/o" 2>"$tmp/e" &
pid=$!
wait_for 5 made '^[1-9]'
kill -TERM $pid
wait $pid
rc=$?
is "$rc.$(cat "$tmp/e")" "1.macvnet: error: doctor --probe was interrupted; its temporary endpoints were removed" \
	"probe, SIGTERM: says it was interrupted"
is "$(leftovers | tr '\n' ' ')" "0 0 " "probe, SIGTERM: no link, node or directory left"
# SIGKILL leaves the endpoints and nodes; the next probe removes them.
"$M" doctor probe --probe >/dev/null 2>&1 &
pid=$!
wait_for 5 made '^2 [1-9]'
kill -KILL $pid
{ wait $pid; } 2>/dev/null
like "$(leftovers | tr '\n' ' ')" "^2 [1-9]" "probe, SIGKILL: its endpoints and node directory stay"
run "$M" doctor probe --probe
is "$(leftovers | tr '\n' ' ')" "0 0 " "probe, SIGKILL: the next probe removes what it left"

# --- usage ---
run "$M" doctor a b
is "$rc" 2 "two network names: usage error"
run "$M" doctor nosuch
like "$rc $err" "^1 macvnet: error: network 'nosuch' is not defined" "a network that is not defined: an error, exit 1"

done_testing
