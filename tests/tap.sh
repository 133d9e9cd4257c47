# A small TAP producer for the shell tests; source it, then call ok/is/...
# and end with done_testing, which prints the plan "1..N" last (TAP allows
# it after the tests).  A script whose count comes from its data may call
# plan N first instead; done_testing then prints no second plan.

tap_n=0
tap_failed=0
tap_planned=

plan() {
	echo "1..$1"
	tap_planned=1
}

# ok COND_EXIT_STATUS DESCRIPTION
ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

# is ACTUAL EXPECTED DESCRIPTION
is() {
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# expected: %s\n# actual:   %s\n' "$2" "$1"
	fi
}

# like TEXT REGEX DESCRIPTION (extended regular expression)
like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf '# %s\n# does not match: %s\n' "$1" "$2"
	fi
}

diag() { printf '# %s\n' "$*"; }

bail() {
	echo "Bail out! $*"
	exit 1
}

# done_testing: the plan, unless plan gave it first; fails if a test failed.
done_testing() {
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	tap_planned=1
	[ "$tap_failed" -eq 0 ]
}

# skip_all REASON: the whole script is skipped; the driver shows REASON.
skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds (return 0)
# or SECONDS (whole seconds) have passed (return 1).
wait_for() {
	wf_left=$(($1 * 10))
	shift
	until "$@"; do
		[ "$wf_left" -gt 0 ] || return 1
		wf_left=$((wf_left - 1))
		sleep 0.1
	done
}

# exited PID...: none of the processes runs any more (a zombie has exited).
exited() {
	for ex_pid in "$@"; do
		[ -r "/proc/$ex_pid/stat" ] || continue
		# The state follows the parenthesised command name.
		sed 's/.*) //' "/proc/$ex_pid/stat" 2>/dev/null |
			grep -q '^[ZX]' || return 1
	done
}

# holds PID FILE: process PID has FILE open.
holds() {
	ho_file=$(readlink -f "$2")
	for ho_fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$ho_fd" 2>/dev/null)" = "$ho_file" ] && return 0
	done
	return 1
}

# execed PID NAME: process PID has exec'd the program NAME (its comm).
execed() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]; }

# in_netns [--run] [--pid] [--alone] [--] "$@": make the calling script run
# as root in a private network and mount namespace (plus a PID namespace
# with --pid) with a fresh sysfs, and with --run a private /run (ip netns
# keeps its namespaces there).  Outside, it re-execs "$0" "$@" under
# unshare, with MVN_IN_NETNS=1 (--bash: under bash); not root: the script
# is skipped.  /dev is one for all namespaces: another test's macvtaps can
# hold the /dev/tapN an endpoint here would get, and the clash adds kernel
# requests.  A script that counts them (fault walks, clash counts) says
# --alone: it holds a lock alone that every other one holds shared, so
# make -j runs it beside no other namespace test (a wait of at most 15
# minutes; flock -o: the script's children do not keep the lock).
in_netns() {
	nn_run= nn_pid= nn_sh=sh nn_lock=-s
	while [ $# -gt 0 ]; do
		case $1 in
		--run) nn_run=1 ;;
		--pid) nn_pid=--pid ;;
		--bash) nn_sh=bash ;;
		--alone) nn_lock=-x ;;
		--) shift; break ;;
		*) break ;;
		esac
		shift
	done
	if [ "${MVN_IN_NETNS:-}" != 1 ]; then
		[ "$(id -u)" = 0 ] || skip_all "needs root (network namespaces)"
		unshare --net --mount true 2>/dev/null ||
			bail "unshare --net --mount fails: no network namespaces here"
		nn_file=${TMPDIR:-/tmp}/macvnet-netns-tests.lock
		if [ -n "$nn_pid" ]; then
			MVN_IN_NETNS=1 exec flock -w 900 -o $nn_lock "$nn_file" \
				unshare --net --mount --pid --fork \
				--mount-proc "$nn_sh" "$0" "$@"
		fi
		MVN_IN_NETNS=1 exec flock -w 900 -o $nn_lock "$nn_file" \
			unshare --net --mount "$nn_sh" "$0" "$@"
	fi
	mount --make-rprivate / 2>/dev/null
	mount -t sysfs sysfs /sys || bail "cannot mount a private sysfs"
	[ -z "$nn_run" ] || mount -t tmpfs tmpfs /run ||
		bail "cannot mount a private /run"
}

# maybe_netns [in_netns options] -- "$@": in_netns where root can make
# namespaces, then kernel=1; elsewhere nothing, and kernel empty (for
# scripts whose kernel checks are only a part of them).
maybe_netns() {
	kernel=
	if [ "$(id -u)" = 0 ] && unshare --net --mount true 2>/dev/null; then
		in_netns "$@"
		kernel=1
	fi
}

# run CMD...: sets $rc, $out (stdout) and $err (stderr) for the assertions;
# the caller's $tmp holds the two files.
# static_network NAME DEV N PREFIX: on stdout, network NAME in bridge mode
# on DEV, with N static ports PREFIX0, PREFIX1, ... in its metadata.
static_network() {
	printf '<network>\n  <name>%s</name>\n  <forward mode="bridge"><interface dev="%s"/></forward>\n' "$1" "$2"
	printf '  <metadata><m:network xmlns:m="urn:macvnet:1">\n'
	i=0
	while [ "$i" -lt "$3" ]; do
		printf '    <m:port name="%s%d"/>\n' "$4" "$i"
		i=$((i + 1))
	done
	printf '  </m:network></metadata>\n</network>\n'
}

run() {
	"$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	out=$(cat "$tmp/o")
	err=$(cat "$tmp/e")
}
