#!/bin/sh
# The systemd unit data/macvnet.service.in, made as make makes it (@bindir@
# set, here to the built program's directory): systemd-analyze verify finds
# nothing to say; it runs "macvnet start-autostart" once, after
# network-online.target (which it wants) and before libvirtd.service, stays
# active afterwards, has a bound on its start, and is wanted by
# multi-user.target; its hardening leaves /dev, the network and root alone.
# As root, in a private network namespace, its command runs under its
# capability bounding set and no-new-privileges (setpriv) and starts an
# autostart network with a static port given to a user and a host shim
# taking the lower device's address; without CAP_NET_ADMIN it cannot.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

top=$(cd "${TESTS_SRCDIR:-$(dirname "$0")}/.." && pwd)
UNIT_IN=${UNIT_IN:-$top/data/macvnet.service.in}
kernel=
if [ "$(id -u)" = 0 ] && unshare --net --mount true 2>/dev/null; then
	in_netns -- "$@"
	kernel=1
fi
M=${MACVNET:?}
bindir=$(cd "$(dirname "$M")" && pwd)
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
unit=$tmp/macvnet.service
sed -e "s|@bindir@|$bindir|g" -e "s|@sbindir@|$bindir|g" "$UNIT_IN" >"$unit" ||
	bail "cannot read $UNIT_IN"

# key SECTION KEY: the values KEY has in SECTION, joined by spaces.
key() {
	awk -v sec="[$1]" -v k="$2" '
		/^\[/ { in_sec = ($0 == sec); next }
		in_sec && index($0, k "=") == 1 {
			v = substr($0, length(k) + 2)
			all = all (all == "" ? "" : " ") v
		}
		END { print all }' "$unit"
}
# has SECTION KEY WORD: WORD is one of KEY's space-separated values.
has() { printf ' %s ' "$(key "$1" "$2")" | grep -qF " $3 "; }

grep -q '@[A-Za-z_]*@' "$unit"
is "$?" 1 "every @variable@ is substituted"
if command -v systemd-analyze >/dev/null; then
	run systemd-analyze verify "$unit"
	is "$rc:$out$err" "0:" "systemd-analyze verify has nothing to say"
else
	ok 0 "systemd-analyze verify # SKIP no systemd-analyze (Debian package systemd)"
fi
is "$(key Service Type)" oneshot "Type=oneshot"
is "$(key Service RemainAfterExit)" yes "RemainAfterExit=yes"
is "$(key Service ExecStart)" "$bindir/macvnet start-autostart" \
	"ExecStart runs start-autostart of the installed program"
[ -x "$bindir/macvnet" ]
ok $? "the program ExecStart names exists"
has Unit Wants network-online.target
ok $? "Wants=network-online.target"
has Unit After network-online.target
ok $? "After=network-online.target"
has Unit Before libvirtd.service
ok $? "Before=libvirtd.service"
has Install WantedBy multi-user.target
ok $? "WantedBy=multi-user.target"
t=$(key Service TimeoutStartSec)
case $t in
*[!0-9]*min) s=$((${t%min} * 60)) ;;
*min) s=$((${t%min} * 60)) ;;
*s) s=${t%s} ;;
*) s=$t ;;
esac
case $s in
'' | *[!0-9]*) s=0 ;;
esac
[ "$s" -ge 10 ] && [ "$s" -le 600 ]
ok $? "TimeoutStartSec bounds the start (${t:-unset}: 10 s to 10 min)"

# Hardening that would stop it: it makes links (the host's network), device
# nodes and writes /dev (the host's /dev), as root.
bad=
for kv in PrivateDevices=yes PrivateDevices=true PrivateNetwork=yes \
	PrivateNetwork=true PrivateUsers=yes DynamicUser=yes \
	ProtectSystem=strict DevicePolicy=closed DevicePolicy=strict \
	ProtectClock=yes; do
	[ "$(key Service "${kv%%=*}")" != "${kv#*=}" ] || bad="$bad $kv"
done
[ -z "$(key Service DeviceAllow)" ] || bad="$bad DeviceAllow"
case $(key Service User) in '' | root) ;; *) bad="$bad User" ;; esac
fams=$(key Service RestrictAddressFamilies)
[ -z "$fams" ] || has Service RestrictAddressFamilies AF_NETLINK ||
	bad="$bad RestrictAddressFamilies"
caps=$(key Service CapabilityBoundingSet)
for c in CAP_NET_ADMIN CAP_MKNOD CAP_CHOWN CAP_FOWNER; do
	[ -z "$caps" ] || has Service CapabilityBoundingSet $c ||
		bad="$bad $c"
done
is "$bad" "" "no hardening that takes the network, /dev, root or a needed capability"

if [ -z "$kernel" ]; then
	ok 0 "start-autostart under the unit's limits # SKIP needs root and network namespaces"
	done_testing
	exit
fi

# --- the unit's command under its limits ---
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
ip link add veth0 type veth peer name veth1 || bail "no veth"
ip link set veth1 up
ip addr add 192.0.2.10/24 dev veth0
cat >"$tmp/boot.xml" <<'EOF'
<network>
  <name>boot</name>
  <forward mode="bridge"><interface dev="veth0"/></forward>
  <metadata>
    <macvnet:network xmlns:macvnet="urn:macvnet:1">
      <macvnet:port name="sp0" owner="nobody" group="nogroup" mode="0660"/>
      <macvnet:host name="mvh0" move-addresses="yes"/>
    </macvnet:network>
  </metadata>
</network>
EOF
{ "$M" net-define "$tmp/boot.xml" && "$M" net-autostart boot; } >/dev/null ||
	bail "cannot define the network"
# limited CAPS: the unit's ExecStart under bounding set CAPS, no new privileges.
limited() {
	set -- setpriv --no-new-privs --bounding-set="-all$1" --inh-caps=-all
	# shellcheck disable=SC2046 # ExecStart is split as systemd splits it
	"$@" $(key Service ExecStart)
}
bset=
for c in $caps; do
	c=$(echo "${c#CAP_}" | tr '[:upper:]' '[:lower:]')
	bset="$bset,+$c"
done
[ "$(key Service NoNewPrivileges)" = yes ]
ok $? "NoNewPrivileges=yes (setpriv --no-new-privs stands for it)"
run limited "$bset"
is "$rc" 0 "start-autostart under CapabilityBoundingSet=$caps${err:+ ($err)}"
like "$out" "Network boot started" "it starts the autostart network"
node=$("$M" --json port-list boot | sed -n 's/.*"name":"sp0".*"tap":"\([^"]*\)".*/\1/p')
[ -n "$node" ] && [ "$(stat -c '%U:%G %a' "$node")" = "nobody:nogroup 660" ]
ok $? "its static port's device is given to its owner (${node:-no device})"
is "$(ip -o -4 addr show dev mvh0 | awk '{print $4}')" 192.0.2.10/24 \
	"its host shim took the lower device's address"
"$M" net-destroy boot >/dev/null
is "$(ip -o -4 addr show dev veth0 | awk '{print $4}')" 192.0.2.10/24 \
	"(and gave it back at net-destroy)"
run limited "$(echo "$bset" | sed 's/,+net_admin//')"
[ "$rc" -ne 0 ] && ! "$M" --json net-list | grep -q '"name":"boot"'
ok $? "without CAP_NET_ADMIN it cannot (so the check above can fail)"

# With /dev/tapN missing (a private /dev here) macvnet makes its own node.
{ mount -t tmpfs -o mode=755 tmpfs /dev && mknod -m 666 /dev/null c 1 3; } ||
	bail "cannot make a private /dev"
run limited "$bset"
node=$("$M" --json port-list boot | sed -n 's/.*"name":"sp0".*"tap":"\([^"]*\)".*/\1/p')
[ "$rc" = 0 ] && [ -c "$node" ] && case $node in "$tmp/run/"*) ;; *) false ;; esac &&
	[ "$(stat -c '%U:%G %a' "$node")" = "nobody:nogroup 660" ]
ok $? "without /dev/tapN, under the same limits: its own node, given to the owner (${node:-none}${err:+; $err})"
"$M" net-destroy boot >/dev/null
spare=
for c in $(echo "$bset" | tr ',' ' '); do
	run limited "$(echo "$bset" | sed "s/,$c\$//; s/,$c,/,/")"
	[ "$rc" -ne 0 ] || spare="$spare ${c#+}"
	"$M" net-destroy boot >/dev/null 2>&1
done
is "$spare" "" "it needs every capability of the set: without any one it fails"
done_testing
