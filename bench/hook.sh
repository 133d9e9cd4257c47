#!/bin/sh
# The hook's own time for "prepare begin" of a domain with 4 macvnet
# interfaces (process start to exit, median of 20 runs, each followed by
# "release end"), next to a shell hook that does the same with ip link.
# Runs in a private network namespace.  Usage: bench/hook.sh (as root)
set -eu
. "$(dirname "$0")/lib.sh"
bench_netns "$@"
bench_store
bench_veth
printf '<network><name>lan</name><forward mode="bridge"><interface dev="veth0"/></forward></network>\n' >"$tmp/lan.xml"
"$M" net-define "$tmp/lan.xml" >/dev/null
"$M" net-start lan >/dev/null
{
	printf "<domain type='qemu'>\n  <name>bench</name>\n  <uuid>6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9eaa</uuid>\n"
	printf "  <metadata><macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
	for i in 0 1 2 3; do printf "    <macvnet:port target='bench-eth%d' network='lan'/>\n" $i; done
	printf "  </macvnet:domain></metadata>\n  <devices>\n"
	for i in 0 1 2 3; do
		printf "    <interface type='ethernet'><mac address='52:54:00:be:00:0%d'/><target dev='bench-eth%d' managed='no'/></interface>\n" $i $i
	done
	printf "  </devices>\n</domain>\n"
} >"$tmp/dom.xml"
cat >"$tmp/shell-hook" <<'SH'
#!/bin/sh
# What admins write today: one ip process per step.
[ "$2 $3" = "prepare begin" ] || exit 0
for i in 0 1 2 3; do
	ip link add link veth0 name bench-eth$i address 52:54:00:be:00:0$i type macvtap mode bridge || exit 1
	ip link set bench-eth$i up || exit 1
done
SH
chmod +x "$tmp/shell-hook"

: >"$tmp/mv"
: >"$tmp/sh"
i=0
while [ $i -lt 20 ]; do
	t0=$(now)
	"$HOOK" bench prepare begin - <"$tmp/dom.xml"
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/mv"
	"$HOOK" bench release end - <"$tmp/dom.xml"
	t0=$(now)
	"$tmp/shell-hook" bench prepare begin - </dev/null
	t1=$(now)
	echo $((t1 - t0)) >>"$tmp/sh"
	for k in 0 1 2 3; do ip link del bench-eth$k; done
	i=$((i + 1))
done
printf 'prepare begin, 4 interfaces, median of 20 (ms)\n'
printf '%-32s %8s\n' "macvnet-hook" "$(median <"$tmp/mv")"
printf '%-32s %8s\n' "shell hook with ip link" "$(median <"$tmp/sh")"
printf '(target for macvnet-hook: under 10 ms)\n'
