#!/bin/sh
# Live migration between two libvirtd hosts, each in network, mount and
# UTS namespaces of its own (its own /etc/libvirt, /run/libvirt,
# /var/lib/libvirt, sockets and macvnet store), joined by a "LAN": a bridge
# in the test's namespace with one veth port per host.  The same macvnet
# network "lan" runs on both, copied with net-dumpxml and net-define, on
# lower devices of different names (lan0 on A, uplink1 on B).  A TCG guest
# with two macvnet interfaces starts on A and moves to B with virsh migrate
# --live over TCP (libvirtd --listen, auth none, on 192.0.2.0/24): it runs
# on B, its endpoints are on B with its MACs and QEMU holds B's devices,
# nothing is left on A, the switch learns its MACs on B's port; migrating
# back works.  A migration to a host whose network is inactive or
# undefined fails at "migrate begin" with macvnet's line in virsh's error,
# one that B refuses at "prepare begin" or that A cancels halfway leaves
# the guest running on A with its endpoints and nothing on B; an offline
# migration copies the definition and makes no endpoint.  Skipped,
# with virsh's reason, only when QEMU cannot migrate a plain guest here.
# Only the daemons and guests this test starts are stopped, by pid.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

# A PID namespace too: what the daemons leave behind ends with the test.
in_netns --pid -- "$@"
PATH=$PATH:/usr/sbin:/sbin
for p in libvirtd virsh qemu-system-x86_64 nsenter bridge; do
	command -v $p >/dev/null 2>&1 ||
		bail "$p is missing (apt-get install libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 util-linux iproute2)"
done

M=${MACVNET:?}
HOOK=${MACVNET_HOOK:?}
tmp=$(mktemp -d) || bail "mktemp"
chmod 755 "$tmp"
G=mvtest-mig
MAC1=52:54:00:4d:00:01
MAC2=52:54:00:4d:00:02

# on HOST CMD...: run CMD on a host (its namespaces, its macvnet store).
on() {
	on_h=$1
	shift
	nsenter -t "$(cat "$tmp/$on_h/holder")" -n -m -u -- env \
		MACVNET_CONFIG_DIR="$tmp/$on_h/etc" MACVNET_RUN_DIR="$tmp/$on_h/run" "$@"
}
V() {
	v_h=$1
	shift
	on "$v_h" timeout 60 virsh -q -c qemu:///system "$@"
}

# host_up NAME ADDRESS LOWER UUID: a host with its LAN port, its private
# libvirt directories and configuration, macvnet's hook, and libvirtd
# listening on ADDRESS.
host_up() {
	h=$1 addr=$2 lower=$3
	etc=$tmp/$h/etc-libvirt
	mkdir -p "$etc/hooks"
	unshare --net --mount --uts sleep 1000000 &
	echo $! >"$tmp/$h/holder"
	wait_for 5 sh -c "[ \"\$(readlink /proc/$!/ns/net)\" != \"\$(readlink /proc/self/ns/net)\" ]" ||
		return 1
	ip link add "sw-$h" type veth peer name "$lower" netns "$!" &&
		ip link set "sw-$h" master sw0 up || return 1
	cat >"$etc/libvirtd.conf" <<EOF
listen_tls = 0
listen_tcp = 1
listen_addr = "$addr"
auth_tcp = "none"
host_uuid = "$4"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
EOF
	cat >"$etc/qemu.conf" <<EOF
user = "root"
group = "root"
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
remember_owner = 0
stdio_handler = "file"
migration_address = "$addr"
migration_host = "$addr"
migration_port_min = 49152
migration_port_max = 49160
EOF
	on "$h" sh -e -c "
		mount -t sysfs sysfs /sys
		for d in /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
			mkdir -p \$d
			mount -t tmpfs tmpfs \$d
		done
		mount --bind '$etc' /etc/libvirt
		hostname mvtest-$h
		ip link set lo up
		ip link set $lower up
		ip addr add $addr/24 dev $lower
	" || return 1
	on "$h" "$M" hook-install --hooks-dir /etc/libvirt/hooks --hook "$HOOK" >/dev/null &&
		on "$h" libvirtd -d --listen -p "$tmp/$h/libvirtd.pid" &&
		wait_for 20 V "$h" version >/dev/null 2>&1
}

# The guests' QEMU processes, then the daemons, then the hosts' holders.
cleanup() {
	pids=
	for h in a b; do
		[ -f "$tmp/$h/holder" ] || continue
		pids="$pids $(on $h sh -c 'cat /run/libvirt/qemu/*.pid' 2>/dev/null)"
	done
	[ -z "${pids# }" ] || kill $pids 2>/dev/null
	wait_for 5 exited $pids
	pids=
	for h in a b; do
		[ -f "$tmp/$h/libvirtd.pid" ] && pids="$pids $(cat "$tmp/$h/libvirtd.pid")"
	done
	[ -z "${pids# }" ] || kill $pids 2>/dev/null
	wait_for 5 exited $pids
	for h in a b; do
		[ -f "$tmp/$h/holder" ] && kill "$(cat "$tmp/$h/holder")" 2>/dev/null
	done
	ip link del sw0 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM

start=$(date +%s)
ip link add sw0 type bridge && ip link set sw0 up || bail "no bridge"
host_up a 192.0.2.1 lan0 6d760000-0000-4000-8000-00000000000a >"$tmp/a.log" 2>&1 &
host_up b 192.0.2.2 uplink1 6d760000-0000-4000-8000-00000000000b >"$tmp/b.log" 2>&1 &
wait
for h in a b; do
	V $h version >/dev/null 2>&1 ||
		bail "host $h does not come up: $(tr '\n' ' ' <"$tmp/$h.log") $(on $h tail -n 3 /var/log/libvirt/libvirtd.log 2>/dev/null | tr '\n' ' ')"
done

# The network, defined on A and copied to B as the documentation says:
# B's definition names its own lower device.
printf '<network><name>lan</name><forward mode="bridge"><interface dev="lan0"/></forward></network>\n' >"$tmp/lan.xml"
on a "$M" net-define "$tmp/lan.xml" >/dev/null && on a "$M" net-start lan >/dev/null ||
	bail "lan does not start on A"
on a "$M" net-dumpxml lan | sed "s/'lan0'/'uplink1'/g" >"$tmp/lan-b.xml"
on b "$M" net-define "$tmp/lan-b.xml" >/dev/null && on b "$M" net-start lan >/dev/null ||
	bail "lan does not start on B"

# domain NAME [IF...]: a TCG domain with no disk and macvnet interfaces.
domain() {
	d_name=$1
	shift
	{
		printf "<domain type='qemu'>\n  <name>%s</name>\n  <memory unit='MiB'>64</memory>\n" "$d_name"
		if [ $# -gt 0 ]; then
			printf "  <metadata>\n    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
			for ifn in "$@"; do printf "      <macvnet:port target='%s' network='lan'/>\n" "$ifn"; done
			printf "    </macvnet:domain>\n  </metadata>\n"
		fi
		printf "  <os><type arch='x86_64' machine='pc'>hvm</type></os>\n  <devices>\n"
		k=1
		for ifn in "$@"; do
			printf "    <interface type='ethernet'>\n      <mac address='52:54:00:4d:00:%02x'/>\n" $k
			printf "      <target dev='%s' managed='no'/>\n      <model type='virtio'/>\n    </interface>\n" "$ifn"
			k=$((k + 1))
		done
		printf "  </devices>\n</domain>\n"
	} >"$tmp/$d_name.xml"
	V a define "$tmp/$d_name.xml" >/dev/null
}

# migrate FROM TO [ARGS...]: virsh migrate --live on FROM, to TO's libvirtd.
migrate() {
	m_to=192.0.2.1
	[ "$2" = b ] && m_to=192.0.2.2
	m_from=$1
	shift 2
	run V "$m_from" migrate --live "$@" "$G" "qemu+tcp://$m_to/system"
}

# Can QEMU migrate here at all?  A guest without interfaces goes to B.
domain mvtest-plain && V a start mvtest-plain >/dev/null || bail "a plain guest does not start on A"
run V a migrate --live mvtest-plain qemu+tcp://192.0.2.2/system
if [ "$rc" != 0 ]; then
	case $err in
	*macvnet*) bail "macvnet refused a guest without macvnet interfaces: $err" ;;
	esac
	skip_all "QEMU cannot migrate a plain TCG guest between two libvirtd here: $(printf '%s' "$err" | tr '\n' ' ')"
fi
V b destroy mvtest-plain >/dev/null
V a undefine mvtest-plain >/dev/null

# endpoints HOST: the host's macvtap links as "NAME MAC LOWER" lines.
endpoints() {
	on "$1" ip -o link show type macvtap | sed -n 's/^[0-9]*: \([^@]*\)@\([^:]*\):.* link\/ether \([0-9a-f:]*\) .*/\1 \3 \2/p' | sort
}
# qemu_devs HOST: the macvtap character devices the guest's QEMU holds,
# and those of the host's endpoints mig-eth0 and mig-eth1 (MAJ:MIN each).
qemu_devs() {
	q=$(on "$1" cat "/run/libvirt/qemu/$G.pid" 2>/dev/null)
	[ -n "$q" ] || return
	for f in /proc/"$q"/fd/*; do
		stat -L -c '%F %t %T' "$f" 2>/dev/null
	done | sed -n 's/^character special file //p' | while read -r maj min; do
		printf '%d:%d\n' "0x$maj" "0x$min"
	done | grep "^$(own_devs "$1" | cut -d: -f1):" | sort | tr '\n' ' '
}
own_devs() {
	on "$1" sh -c 'cat /sys/class/net/mig-eth[01]/macvtap/tap*/dev' | sort | tr '\n' ' '
}
# port_of MAC: the switch port where the LAN last saw MAC.
port_of() { bridge fdb show br sw0 | sed -n "s/^$1 dev \\([^ ]*\\) .*/\\1/p"; }
# runs_on HOST: the guest runs on HOST, its endpoints (only there) have
# its MACs on that host's lower device, and its QEMU holds their devices.
runs_on() {
	r_h=$1 r_other=$2 r_low=$3 r_what=$4
	is "$(V "$r_h" domstate $G)" running "$r_what: the guest runs on $r_h"
	is "$(endpoints "$r_h" | tr '\n' ' ')" "mig-eth0 $MAC1 $r_low mig-eth1 $MAC2 $r_low " \
		"$r_what: its endpoints are on $r_h's $r_low with its MACs"
	is "$(endpoints "$r_other")" "" "$r_what: no endpoint is left on $r_other"
	is "$(on "$r_other" "$M" port-list lan | grep -c mig-eth)" 0 "$r_what: $r_other's macvnet state lists none"
	r_own=$(own_devs "$r_h")
	is "$(qemu_devs "$r_h")" "$r_own" "$r_what: QEMU on $r_h holds $r_h's endpoints' devices ($r_own)"
	is "$(echo $r_own | wc -w)" 2 "$r_what: that is, two character devices"
}

domain $G mig-eth0 mig-eth1
run V a start $G
is "$rc" 0 "a guest with two macvnet interfaces starts on A"
[ "$rc" = 0 ] || diag "$err"
runs_on a b lan0 "started"

migrate a b
is "$rc" 0 "virsh migrate --live to B"
[ "$rc" = 0 ] || diag "$err"
is "$(V a domstate $G)" "shut off" "A keeps the definition, not the guest"
runs_on b a uplink1 "migrated"
wait_for 5 sh -c "[ \"\$(bridge fdb show br sw0 | grep -c '^52:54:00:4d:00:0[12] dev sw-b ')\" = 2 ]"
is "$(port_of $MAC1) $(port_of $MAC2)" "sw-b sw-b" "the LAN switch learned both MACs on B's port"

migrate b a
is "$rc" 0 "virsh migrate --live back to A"
[ "$rc" = 0 ] || diag "$err"
runs_on a b lan0 "back"
wait_for 5 sh -c "[ \"\$(bridge fdb show br sw0 | grep -c '^52:54:00:4d:00:0[12] dev sw-a ')\" = 2 ]"
is "$(port_of $MAC1) $(port_of $MAC2)" "sw-a sw-a" "the switch moved both MACs back to A's port"

# stays FAILED_WHAT: the guest still runs on A with the same endpoints,
# and B holds nothing of it.
stays() {
	is "$(V a domstate $G)" running "$1: the guest still runs on A"
	is "$(endpoints a | tr '\n' ' ') $(cat "$tmp/ifindex" 2>/dev/null)" \
		"mig-eth0 $MAC1 lan0 mig-eth1 $MAC2 lan0  $(on a cat /sys/class/net/mig-eth0/ifindex)" \
		"$1: A keeps the same endpoints"
	wait_for 5 sh -c "[ -z \"\$(nsenter -t $(cat "$tmp/b/holder") -n ip -o link show type macvtap)\" ]"
	is "$(endpoints b)" "" "$1: B has no endpoint"
	is "$(V b list --all --name | grep -c $G)" 0 "$1: B has no such domain"
}
on a cat /sys/class/net/mig-eth0/ifindex >"$tmp/ifindex"

on b "$M" net-destroy lan >/dev/null
migrate a b
is "$rc" 1 "a migration to a host where lan is inactive fails"
like "$err" "macvnet: error: $G: interface mig-eth0: network 'lan' is not active here, on the migration's destination \\(start it with: macvnet net-start lan\\)" \
	"virsh's error ends with macvnet's line from migrate begin"
stays "inactive"

on b "$M" net-undefine lan >/dev/null
migrate a b
is "$rc" 1 "a migration to a host where lan is undefined fails"
like "$err" "macvnet: error: $G: interface mig-eth0: network 'lan' is not defined here, on the migration's destination \\(copy it from the source host: macvnet net-dumpxml lan" \
	"virsh's error names the network and how to copy it"
stays "undefined"
on b "$M" net-define "$tmp/lan-b.xml" >/dev/null && on b "$M" net-start lan >/dev/null

# B refuses at prepare begin: another link holds the second target name.
on b ip link add mig-eth1 type veth peer name mvtest-peer
migrate a b
is "$rc" 1 "a migration that B's prepare refuses fails"
like "$err" "macvnet: error: $G: interface mig-eth1: an interface named 'mig-eth1' already exists" \
	"with macvnet's line from prepare begin"
on b ip link del mig-eth1
stays "refused at prepare"

# A cancels halfway: 64 MiB at 1 MiB/s leaves time to abort.
migrate a b --bandwidth 1 &
mig=$!
wait_for 20 on b test -e /sys/class/net/mig-eth1
ok $? "a slow migration made the endpoints on B"
n=0
until exited $mig || [ $n -ge 100 ]; do
	V a domjobabort $G >/dev/null 2>&1
	sleep 0.2
	n=$((n + 1))
done
wait "$mig"
like "$(cat "$tmp/e")" "canceled by client" "A cancelled it (virsh domjobabort)"
[ -n "$(V b list --name | grep $G)" ]
is "$?" 1 "the cancelled migration stopped the incoming guest on B"
stays "cancelled"
diag "after the cancelled migration the switch has $MAC1 on $(port_of $MAC1), $MAC2 on $(port_of $MAC2)"

# An offline migration (the definition only) runs migrate begin too.
domain mvtest-off mig-off0
run V a migrate --offline --persistent mvtest-off qemu+tcp://192.0.2.2/system
is "$rc" 0 "an offline migration to B copies the definition"
is "$(V b list --all --name | grep -c mvtest-off):$(endpoints b)" "1:" "B has it, and no endpoint"
V b undefine mvtest-off >/dev/null

# All hosts agree on the network: what net-info says of it besides its
# devices and endpoints (name, uuid, mode, active) is the same on both.
is "$(on a "$M" --json net-info lan | sed 's/,"devices".*//')" \
	"$(on b "$M" --json net-info lan | sed 's/,"devices".*//')" \
	"net-info agrees on A and B (name, uuid, mode, active)"

# The hook by hand: a domain without macvnet ports migrates in whatever
# this host runs; a refusal writes nothing on standard output.
hk() { on b env -i PATH=/usr/bin:/bin LC_ALL=C /etc/libvirt/hooks/qemu.d/50-macvnet "$@"; }
on b "$M" net-destroy lan >/dev/null
domain mvtest-plain >/dev/null 2>&1
run hk mvtest-plain migrate begin - <"$tmp/mvtest-plain.xml"
is "$rc" 0 "migrate begin: a domain without macvnet ports is not refused"
cmp -s "$tmp/o" "$tmp/mvtest-plain.xml"
ok $? "and gets its XML back unchanged"
run hk $G migrate begin - <"$tmp/$G.xml"
is "$rc:$(wc -c <"$tmp/o"):$(printf '%s\n' "$err" | wc -l)" "1:0:1" \
	"a refusal prints no XML and one line"
V a undefine mvtest-plain >/dev/null 2>&1
run V a migrate --offline --persistent mvtest-off qemu+tcp://192.0.2.2/system
like "$rc $err" "^1 .*network 'lan' is not active here" "an offline migration to it is refused as well"
V a undefine mvtest-off >/dev/null

V a destroy $G >/dev/null
wait_for 5 sh -c "[ -z \"\$(nsenter -t $(cat "$tmp/a/holder") -n ip -o link show type macvtap)\" ]"
is "$(endpoints a)" "" "after the guest stops, A has no endpoint left"
diag "$(($(date +%s) - start)) s"
done_testing
