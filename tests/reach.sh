#!/bin/sh
# net-info's reachability table against real frames, in private namespaces:
# lower devices h0 and h1 are veths whose peers are ports of a Linux bridge
# (the switch, hairpin on or off) with a LAN host behind it.  For bridge,
# vepa and private mode, and bridge mode with a host shim, each with the
# switch's hairpin on and off (and stated so in the definition), every row
# of `macvnet --json net-info` is measured: frames between two endpoints of
# one device and of the two devices (tapio, unicast and broadcast), ARP from
# an endpoint to the host's address and to the LAN host (tapio -a, broadcast
# and unicast), and ping from the host to the LAN host.  With the hairpin
# not stated, the rows whose frames differ between on and off must say
# "hairpin" and the others what the frames said.  Frames give yes (unicast
# and broadcast pass), unicast, no, or broadcast-only (no word of the table).
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

in_netns --run -- "$@"
for c in ping bridge; do
	command -v $c >/dev/null || bail "the reachability tests need $c (iputils-ping, iproute2)"
done

M=${MACVNET:?}
TAPIO=${TAPIO:-$(dirname "$M")/../tests/tapio}
tmp=$(mktemp -d) || bail "mktemp"
trap '"$M" net-destroy r >/dev/null 2>&1; ip netns del sw 2>/dev/null; ip netns del lan 2>/dev/null; rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
PAIRS="h0:h0 h0:h1 h0:host h0:LAN h1:h1 h1:host h1:LAN host:LAN"

# The switch: br0 with ports p0 (h0), p1 (h1) and pl (the LAN host's l0).
LAN_IP=192.0.2.100 LAN_MAC=02:00:00:00:01:00 HOST_IP=192.0.2.10
ip link set lo up
# The host answers ARP only on the device that has the address: else h1
# (on the same LAN, no address) answers for h0's and the probe measures h1.
echo 1 >/proc/sys/net/ipv4/conf/all/arp_ignore || bail "cannot set arp_ignore"
ip netns add sw && ip netns add lan || bail "ip netns"
ip link add h0 type veth peer name p0 netns sw || bail "no veth"
ip link add h1 type veth peer name p1 netns sw || bail "no veth"
ip -n lan link add l0 address $LAN_MAC type veth peer name pl netns sw ||
	bail "no veth"
ip -n sw link add br0 type bridge || bail "no bridge"
for p in p0 p1 pl; do
	ip -n sw link set $p master br0 && ip -n sw link set $p up ||
		bail "cannot make $p a bridge port"
done
ip -n sw link set br0 up
ip -n lan link set l0 up
ip -n lan addr add $LAN_IP/24 dev l0
ip link set h0 up && ip link set h1 up
ip addr add $HOST_IP/24 dev h0

# hairpin on|off: the switch sends frames back out of h0's and h1's ports.
hairpin() {
	ip netns exec sw bridge link set dev p0 hairpin "$1" &&
		ip netns exec sw bridge link set dev p1 hairpin "$1" ||
		bail "cannot set hairpin $1"
}

# define MODE HAIRPIN(yes|no|-) SHIM(0|1): network r, ports e0..e3.
define() {
	{
		printf "<network><name>r</name><forward mode='%s'>" "$1"
		printf "<interface dev='h0'/><interface dev='h1'/></forward>\n"
		printf "<metadata><macvnet:network xmlns:macvnet='urn:macvnet:1'>\n"
		for i in 0 1 2 3; do
			printf "<macvnet:port name='e%s' mac='52:54:00:00:00:e%s'/>\n" $i $i
		done
		[ "$2" = - ] || printf "<macvnet:switch hairpin='%s'/>\n" "$2"
		[ "$3" = 0 ] || printf "<macvnet:host name='mvh0' address='192.0.2.20/24'/>\n"
		printf "</macvnet:network></metadata></network>\n"
	} >"$tmp/r.xml"
	"$M" net-define "$tmp/r.xml" >/dev/null && "$M" net-start r >/dev/null ||
		bail "cannot define and start network r ($1, hairpin $2)"
	"$M" --json net-info r >"$tmp/info" || bail "net-info r failed"
	# One object a line: "a":..,"b":..,"passes":.. rows; ports with a tap.
	tr '{' '\n' <"$tmp/info" >"$tmp/lines"
	sed -n 's/^"a":"\([^"]*\)","b":"\([^"]*\)","passes":"\([^"]*\)".*/\1 \2 \3/p' \
		"$tmp/lines" >"$tmp/table"
	sed -n 's/^"name":"\([^"]*\)","ifindex":[0-9]*,"lower":"\([^"]*\)","mac":"\([^"]*\)","tap":"\([^"]*\)".*/\1 \2 \3 \4/p' \
		"$tmp/lines" >"$tmp/ports"
	json_hairpin=$(sed -n 's/.*,"hairpin":"\([a-z]*\)".*/\1/p' "$tmp/info")
}

undefine() {
	"$M" net-destroy r >/dev/null && "$M" net-undefine r >/dev/null ||
		bail "cannot destroy network r"
}

# verdict UNICAST BROADCAST (1 passed, 0 not): the table's word for it.
verdict() {
	case $1$2 in
	11) echo yes ;;
	10) echo unicast ;;
	00) echo no ;;
	*) echo broadcast-only ;;
	esac
}

# port N DEV: the Nth endpoint on DEV as "name lower mac tap".
port() { awk -v d="$2" '$2 == d' "$tmp/ports" | sed -n "$1p"; }

# frames FROM TO (lines of port): a unicast and a broadcast frame.
frames() {
	set -- $1 $2 # their 8 fields
	r=$("$TAPIO" "$4" "$8" "$3" "$7" | tr '\n' ' ')
	u=0 b=0
	case $r in *"unicast delivered"*) u=1 ;; esac
	case $r in *"broadcast delivered"*) b=1 ;; esac
	verdict $u $b
}

# arp FROM IP MAC: ARP for IP from FROM's endpoint, broadcast and unicast
# (to MAC); the endpoint's own address is 192.0.2.5N for port eN.
arp() {
	set -- $1 "$2" "$3" # FROM's 4 fields, IP, MAC
	src=192.0.2.5${1#e}
	u=0 b=0
	[ "$("$TAPIO" -a "$4" "$3" "$src" "$5" 300)" = reply ] && b=1
	[ "$("$TAPIO" -a "$4" "$3" "$src" "$5" 300 "$6")" = reply ] && u=1
	verdict $u $b
}

# ping_lan: the host reaches the LAN host (its neighbour entry may be new).
ping_lan() {
	for i in 1 2 3; do
		ping -c 1 -W 1 $LAN_IP >/dev/null 2>&1 && echo yes && return
	done
	echo no
}

# measure A B: what real frames say for the table's row A-B.
measure() {
	if [ "$1" = host ]; then
		ping_lan
	elif [ "$1" = "$2" ]; then
		frames "$(port 1 "$1")" "$(port 2 "$1")"
	elif [ "$2" = host ]; then
		arp "$(port 1 "$1")" "$host_ip" "$host_mac"
	elif [ "$2" = LAN ]; then
		arp "$(port 1 "$1")" $LAN_IP $LAN_MAC
	else
		frames "$(port 1 "$1")" "$(port 1 "$2")"
	fi
}

# rows LABEL HAIRPIN_JSON: the table has the 8 pairs and no other row.
rows() {
	is "$(wc -l <"$tmp/table") $json_hairpin" "8 $2" \
		"$1: net-info has 8 rows, hairpin $2"
}

# stated SETUP MODE SHIM ON|OFF: measure every row, compare with the table.
stated() {
	hairpin "$4"
	[ "$4" = on ] && said=yes || said=no
	define "$2" $said "$3"
	label="$1, hairpin $4 (stated $said)"
	rows "$label" $said
	[ "$(port 2 h0 | cut -d' ' -f1) $(port 2 h1 | cut -d' ' -f1)" = "e2 e3" ] ||
		bail "the ports are not two on each device: $(cat "$tmp/ports")"
	if [ "$3" = 1 ]; then
		host_ip=192.0.2.20 host_mac=$(cat /sys/class/net/mvh0/address)
	else
		host_ip=$HOST_IP host_mac=$(cat /sys/class/net/h0/address)
	fi
	for pr in $PAIRS; do
		a=${pr%:*} b=${pr#*:}
		want=$(awk -v a="$a" -v b="$b" '$1 == a && $2 == b { print $3 }' "$tmp/table")
		got=$(measure "$a" "$b")
		echo "$a $b $got" >>"$tmp/m.$1.$4"
		is "$got" "${want:-missing}" "$label: $a-$b: table ${want:-missing}, frames $got"
	done
	undefine
}

# unstated SETUP MODE SHIM: rows whose frames depend on the hairpin say so.
unstated() {
	define "$2" - "$3"
	label="$1, hairpin not stated"
	rows "$label" unknown
	for pr in $PAIRS; do
		a=${pr%:*} b=${pr#*:}
		want=$(awk -v a="$a" -v b="$b" '$1 == a && $2 == b { print $3 }' "$tmp/table")
		on=$(awk -v a="$a" -v b="$b" '$1 == a && $2 == b { print $3 }' "$tmp/m.$1.on")
		off=$(awk -v a="$a" -v b="$b" '$1 == a && $2 == b { print $3 }' "$tmp/m.$1.off")
		[ "$on" = "$off" ] && truth=$on || truth=hairpin
		is "${want:-missing}" "$truth" "$label: $a-$b: table ${want:-missing}, frames $on with hairpin, $off without"
	done
	undefine
}

for setup in bridge vepa private; do
	stated $setup $setup 0 on
	stated $setup $setup 0 off
	unstated $setup $setup 0
done
# The shim carries the host's address; h0 keeps none.
ip addr flush dev h0
stated bridge+shim bridge 1 on
stated bridge+shim bridge 1 off
unstated bridge+shim bridge 1
done_testing
