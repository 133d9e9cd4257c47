#!/bin/sh
# The examples of data/examples and the ifupdown hook: every XML file
# validates, every script parses, the README names every file.  As root, in
# a private network and mount namespace (fresh sysfs, private /run) with
# veth pairs for eth1 and eth2 and a temporary store: the three networks
# start (bridge, vepa, the host shim taking eth2's address); the QEMU
# script makes an endpoint that only its guest user can open and runs the
# emulator (a stand-in) as that user on it, and deletes it afterwards; the
# container script moves an endpoint into a namespace where it carries
# traffic; the ifupdown hook starts and destroys a network; and the
# kernel's side of uml.md: the tun driver refuses an endpoint's name, a
# packet socket on an endpoint sends and receives, and the device's
# virtio-net header can be switched off.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

top=$(cd "${TESTS_SRCDIR:-$(dirname "$0")}/.." && pwd)
EXAMPLES=${EXAMPLES:-$top/data/examples}
HOOK=${IFUPDOWN_HOOK:-$top/data/ifupdown/macvnet}
maybe_netns --run -- "$@"
M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'kill $ctr 2>/dev/null; ip netns del C 2>/dev/null; rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
ctr=
# The guest user runs the emulator's stand-in from here.
chmod 711 "$tmp"

# --- the files themselves ---
for f in "$EXAMPLES"/*.xml; do
	run "$M" validate "$f"
	is "$rc" 0 "${f##*/} validates${err:+ ($err)}"
done
for f in "$EXAMPLES"/*.sh "$HOOK"; do
	case $(head -n 1 "$f") in
	*bash*) sh='bash' ;;
	*) sh='sh' ;;
	esac
	run "$sh" -n "$f"
	is "$rc$err" 0 "${f#"$top"/}: $sh -n finds no error"
	[ -x "$f" ]
	ok $? "${f#"$top"/} is executable"
done
missing=
for f in "$EXAMPLES"/*; do
	n=${f##*/}
	[ "$n" = README.md ] || grep -qF "\`$n\`" "$EXAMPLES/README.md" ||
		missing="$missing $n"
done
is "$missing" "" "README.md lists every example"

if [ -z "$kernel" ]; then
	ok 0 "the examples on the kernel # SKIP needs root and network namespaces"
	done_testing
	exit
fi

# --- the networks: veth pairs ethN <-> swN play the NICs and the LAN ---
for i in 1 2; do
	ip link add eth$i type veth peer name sw$i || bail "no veth"
	ip link set sw$i up
done
ip addr add 172.16.100.101/24 dev eth2
ip link set eth2 up
for f in bridge-eth1 vepa-eth2 host-shim-eth2; do
	"$M" net-define "$EXAMPLES/$f.xml" >/dev/null || bail "net-define $f"
done
for n in macvtap-bridge-eth1 macvtap-vepa-eth2 macvtap-bridge-eth2; do
	run "$M" net-start "$n"
	is "$rc" 0 "net-start $n${err:+ ($err)}"
done
is "$(ip -o -4 addr show dev mvhost0 | awk '{print $4}')" 172.16.100.101/24 \
	"host-shim-eth2: the shim mvhost0 carries eth2's address"
is "$(ip -o -4 addr show dev eth2)" "" "host-shim-eth2: eth2 has given it up"
like "$(ip -d link show mvhost0)" "macvlan mode bridge" "host-shim-eth2: the shim is a macvlan in bridge mode"
"$M" port-create macvtap-vepa-eth2 --name v0 >/dev/null
like "$(ip -d link show v0)" "macvtap mode vepa" "vepa-eth2: its endpoints are in vepa mode"

# --- QEMU: the command it would run, then a stand-in run ---
cat >"$tmp/qemu" <<'EOF'
#!/bin/sh
echo "user=$(id -un) fd3=$(readlink /proc/$$/fd/3) args=$*"
EOF
chmod 755 "$tmp/qemu"
q() { # NAME [VAR=VALUE...]: the QEMU script on the bridge network
	qname=$1
	shift
	env NETWORK=macvtap-bridge-eth1 GUEST_USER=nobody GUEST_GROUP=nogroup \
		NAME="$qname" QEMU="$tmp/qemu" MACVNET="$M" "$@" \
		sh "$EXAMPLES/qemu-macvtap.sh"
}
run q vm0 DRY_RUN=1
is "$rc" 0 "qemu-macvtap.sh DRY_RUN=1 runs${err:+ ($err)}"
dev=$(printf '%s\n' "$out" | sed -n 's/^endpoint: vm0 [0-9]* \([^ ]*\) .*/\1/p')
cmd=$(printf '%s\n' "$out" | sed -n 's/^command: //p')
like "$cmd" "^'setpriv' '--reuid=nobody'.* '$tmp/qemu' .*'tap,id=net0,fd=3" \
	"DRY_RUN prints the command: the emulator as the guest user on fd 3"
like "$(ip -d link show vm0)" "macvtap mode bridge" "the endpoint exists, in bridge mode"
majmin=$(cat /sys/class/net/vm0/macvtap/tap*/dev)
[ -c "$dev" ] && [ "$(stat -Lc '%t:%T' "$dev")" = "$(printf '%x:%x' \
	"${majmin%:*}" "${majmin#*:}")" ]
ok $? "the device printed is the endpoint's character device"
is "$(stat -c '%U:%G %a' "$dev")" "nobody:nogroup 660" \
	"the device is the guest user's and group's, mode 0660 (no chmod 666)"
mac=$(cat /sys/class/net/vm0/address)
eval "set -- $cmd"
res=$("$@" 2>&1)
like "$res" "^user=nobody fd3=$dev args=.*mac=$mac" \
	"the printed command runs the emulator as nobody with the device on fd 3"
# shellcheck disable=SC2016 # the inner shell expands it
setpriv --reuid=daemon --regid=daemon --clear-groups sh -c ': 3<>"$1"' sh "$dev" 2>/dev/null
is "$?" 2 "another user cannot open the device"
run q vm1
like "$out" "^user=nobody fd3=/.* args=.*netdev=net0" "without DRY_RUN the emulator runs on the endpoint"
[ ! -e /sys/class/net/vm1 ] && ! "$M" port-list | grep -q ' vm1 '
ok $? "and the endpoint is deleted when it ends"

# --- containers: an endpoint moved into a namespace ---
# A process's namespace; when the process ends, so does the endpoint.
unshare --net sleep 600 &
ctr=$!
own_ns() { [ "$(readlink "/proc/$ctr/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
wait_for 5 own_ns || bail "no namespace for the container stand-in"
ids=$(ip netns list-id | wc -l)
run env MACVNET="$M" sh "$EXAMPLES/container-endpoint.sh" macvtap-bridge-eth1 "$ctr" --name c1
nsenter -t "$ctr" -n ip link show c1 >/dev/null 2>&1 && [ ! -e /sys/class/net/c1 ]
ok $? "container-endpoint.sh moves an endpoint to a process's namespace"
kill "$ctr"
wait "$ctr" 2>/dev/null
ctr=
# The kernel dismantles a namespace after its last process, in the
# background; its id here goes last.
ns_gone() { [ "$(ip netns list-id | wc -l)" -le "$ids" ]; }
wait_for 10 ns_gone || diag "the namespace's id is still there"
run "$M" reconcile
like "$out" "^Reconciled: 1 lost endpoints forgotten" \
	"when that namespace ends, the kernel deletes the endpoint and reconcile forgets it"
"$M" port-list | grep -q ' c1 '
is "$?" 1 "port-list no longer lists it"
run env MACVNET="$M" sh "$EXAMPLES/container-endpoint.sh" macvtap-bridge-eth1 nosuchns --name c2
[ "$rc" = 1 ] && [ ! -e /sys/class/net/c2 ] && ! "$M" port-list | grep -q ' c2 '
ok $? "an endpoint that cannot be moved is deleted again"

# A named namespace (ip netns): traffic through the endpoint.
ip netns add C
ip addr add 10.9.0.1/24 dev sw1
run env MACVNET="$M" sh "$EXAMPLES/container-endpoint.sh" macvtap-bridge-eth1 C --name c0
is "$rc" 0 "container-endpoint.sh moves an endpoint into namespace C${err:+ ($err)}"
ip -n C link show c0 >/dev/null 2>&1 && [ ! -e /sys/class/net/c0 ]
ok $? "the endpoint is in C and no longer here"
ip -n C link set c0 up && ip -n C addr add 10.9.0.2/24 dev c0
if command -v ping >/dev/null; then
	ip netns exec C ping -c 1 -W 3 10.9.0.1 >/dev/null 2>&1
	ok $? "the container reaches the LAN through it"
else
	ok 0 "the container reaches the LAN through it # SKIP no ping"
fi
"$M" port-list macvtap-bridge-eth1 | grep -q '^ c0 '
ok $? "port-list still lists it"
"$M" port-create macvtap-bridge-eth1 --name c3 >/dev/null &&
	"$M" port-delete c3 && ip -n C link show c0 >/dev/null 2>&1
ok $? "port-create and port-delete on the network leave it alone"
run "$M" reconcile
like "$out" "0 leftover links removed" "reconcile removes nothing of the container's"
ip -n C link show c0 >/dev/null 2>&1
ok $? "reconcile follows an endpoint moved to another namespace"
"$M" --json port-list macvtap-bridge-eth1 | grep -q '"name":"c0"'
ok $? "and it stays listed"

# --- the ifupdown hook ---
"$M" net-destroy macvtap-bridge-eth1 >/dev/null
active() { "$M" --json net-list | grep -qF "{\"name\":\"$1\","; }
hook() { # MODE PHASE NETWORKS
	env MACVNET="$M" IFACE=eth1 MODE="$1" PHASE="$2" \
		IF_MACVNET_NETWORKS="$3" sh "$HOOK"
}
run hook start post-up macvtap-bridge-eth1
active macvtap-bridge-eth1
is "$?$rc" 00 "ifupdown hook at post-up: starts the networks of the stanza"
run hook start post-up macvtap-bridge-eth1
is "$rc$err" 0 "run again (another address family): nothing to do, no error"
run hook stop pre-down macvtap-bridge-eth1
active macvtap-bridge-eth1
is "$?$rc" 10 "at pre-down: destroys them"
run hook stop pre-down ""
is "$rc$out$err" 0 "a stanza without macvnet-networks: nothing"
run hook start post-up nosuchnet
[ "$rc" = 0 ] && printf '%s' "$err" | grep -q "nosuchnet"
ok $? "a network that cannot start: its error on stderr, ifup goes on"

# --- uml.md: the kernel's side ---
if ! command -v python3 >/dev/null; then
	ok 0 "uml.md's kernel facts # SKIP no python3"
	done_testing
	exit
fi
cat >"$tmp/uml.py" <<'EOF'
# What UML's transports rely on, asked of the kernel: tun NAME (attach a
# tap by name, as tuntap/tap/hybrid do); raw EP PEER (packet sockets on the
# endpoint, as raw does); fd DEV EP PEER (the device: header by default,
# bare frames once IFF_VNET_HDR is off, as fd needs).
import fcntl, os, select, socket, struct, sys

TUNSETIFF, IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x400454CA, 2, 0x1000, 0x4000
ETH_P = 0x88B5


def mac(dev):
    with open("/sys/class/net/%s/address" % dev) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def frame(dst, src, tag):
    return mac(dst) + mac(src) + struct.pack("!H", ETH_P) + tag.ljust(46, b"\0")


def packet(dev):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P))
    s.bind((dev, 0))
    return s


def wait(read, tag):
    while select.select([read[0]], [], [], 2)[0]:
        data = read[1]()
        if tag in data:
            return data
    return None


cmd = sys.argv[1]
if cmd == "tun":
    fd = os.open("/dev/net/tun", os.O_RDWR)
    req = struct.pack("16sH22x", sys.argv[2].encode(), IFF_TAP | IFF_NO_PI | IFF_VNET_HDR)
    try:
        fcntl.ioctl(fd, TUNSETIFF, req)
        print("attached")
    except OSError as e:
        print("refused errno %d" % e.errno)
elif cmd == "raw":
    ep, peer = sys.argv[2], sys.argv[3]
    s, r = packet(ep), packet(peer)
    s.send(frame(peer, ep, b"to-lan"))
    tx = wait((r, lambda: r.recv(2048)), b"to-lan")
    r.send(frame(ep, peer, b"to-uml"))
    rx = wait((s, lambda: s.recv(2048)), b"to-uml")
    print("sent %s received %s" % (tx is not None, rx is not None))
elif cmd == "fd":
    dev, ep, peer = sys.argv[2], sys.argv[3], sys.argv[4]
    fd, r = os.open(dev, os.O_RDWR), packet(peer)
    seen = []
    for step in ("default", "cleared"):
        if step == "cleared":
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH22x", b"", IFF_TAP | IFF_NO_PI))
        r.send(frame(ep, peer, step.encode()))
        data = wait((fd, lambda: os.read(fd, 2048)), step.encode()) or b""
        seen.append("%s:%s" % (step, "bare" if data[:6] == mac(ep) else "header"))
    print(" ".join(seen))
EOF
"$M" net-start macvtap-bridge-eth1 >/dev/null
p=$("$M" port-create macvtap-bridge-eth1 --name uml0)
is "$(python3 "$tmp/uml.py" tun uml0)" "refused errno 22" \
	"uml.md: the tun driver refuses to attach to an endpoint by its name"
is "$(python3 "$tmp/uml.py" tun tap77)" attached \
	"uml.md: for a free name (the seed's tapN) it makes a new tap instead"
is "$(python3 "$tmp/uml.py" raw uml0 sw1)" "sent True received True" \
	"uml.md: a packet socket on the endpoint sends to and receives from the LAN"
is "$(python3 "$tmp/uml.py" fd "${p##* }" uml0 sw1)" "default:header cleared:bare" \
	"uml.md: the device heads frames with a header until it is switched off"
"$M" net-destroy macvtap-bridge-eth1 >/dev/null
done_testing
