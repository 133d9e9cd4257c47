#!/bin/sh
# Build macvnet on a Debian 12 machine and either run the demo or the whole
# test suite.  Installs the Debian packages that are missing (needs root).
#
#   ./quickstart.sh demo   build, then run the demo in a private network
#                          namespace with a temporary store
#   ./quickstart.sh test   build, check the code style, run the test suite,
#                          the unit tests under valgrind, make distcheck, and
#                          the suite again under ASan+UBSan
set -eu
cd "$(dirname "$0")"
top=$(pwd)

packages="gcc make autoconf automake autopoint gettext pkg-config
	libxml2-dev libxml2-utils libnl-3-dev libnl-route-3-dev libvirt-dev
	libcmocka-dev valgrind iproute2 iputils-ping util-linux strace clang-format-14
	libvirt-clients clang-14 libclang-rt-14-dev groff-base man-db
	systemd python3"
# The libvirt end-to-end test runs a real libvirtd with QEMU (TCG).
test_packages="libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86"
# The migration test runs Open vSwitch in userspace; without the package
# (not installable here) that one test is skipped and says why.
optional_packages="openvswitch-switch"

install_missing() {
	missing=""
	for p in $packages; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || missing="$missing $p"
	done
	opt_missing=""
	for p in ${optional:-}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "install ok installed" || opt_missing="$opt_missing $p"
	done
	[ -z "$missing$opt_missing" ] && return 0
	echo "quickstart: installing$missing$opt_missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Installing must not start daemons (libvirtd, Open vSwitch) on the
	# host: the tests start their own, in namespaces.
	no_start=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		no_start=1
	fi
	rc=0
	# shellcheck disable=SC2086
	[ -z "$missing" ] ||
		apt-get install -y -qq --no-install-recommends $missing >/dev/null || rc=$?
	for p in $opt_missing; do
		apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 ||
			echo "quickstart: $p cannot be installed; the tests that need it are skipped"
	done
	[ -n "$no_start" ] && rm -f /usr/sbin/policy-rc.d
	return $rc
}

build() {
	[ -x configure ] || ./autogen.sh >/dev/null 2>&1
	[ -f Makefile ] || ./configure --quiet "$@"
	make -j"$(nproc)" >/dev/null
}

# The conformance data sits beside the checkout.
CONFORMANCE_DIR=${CONFORMANCE_DIR:-$top/../shared/conformance/libvirt-9.0}
export CONFORMANCE_DIR

summary() {
	# One closing line per run, from automake's test-suite.log files.
	pass=0 fail=0 skip=0
	for log in "$@"; do
		[ -f "$log" ] || continue
		p=$(sed -n 's/^# PASS: *//p' "$log" | head -n 1)
		f=$(sed -n 's/^# FAIL: *//p' "$log" | head -n 1)
		e=$(sed -n 's/^# ERROR: *//p' "$log" | head -n 1)
		x=$(sed -n 's/^# XPASS: *//p' "$log" | head -n 1)
		s=$(sed -n 's/^# SKIP: *//p' "$log" | head -n 1)
		pass=$((pass + ${p:-0}))
		fail=$((fail + ${f:-0} + ${e:-0} + ${x:-0}))
		skip=$((skip + ${s:-0}))
	done
	echo "$pass passed, $fail failed, $skip skipped"
	[ "$fail" -eq 0 ]
}

case "${1:-}" in
demo)
	install_missing
	build
	make tests/tapio >/dev/null
	exec sh "$top/data/demo.sh" "$top/src/macvnet" "$top"
	;;
test)
	packages="$packages $test_packages"
	optional=$optional_packages
	install_missing
	# Warnings are errors here (configure's default is not to).
	werror=--enable-werror
	# libvirtd's QEMU driver needs its user and group to exist.
	getent group kvm >/dev/null || groupadd -r kvm
	getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
	id libvirt-qemu >/dev/null 2>&1 ||
		useradd -r -g kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
	build $werror
	status=0
	echo "== clang-format (kernel style)"
	if command -v clang-format-14 >/dev/null; then
		clang-format-14 --dry-run --Werror src/*.c src/*.h tests/*.c \
			fuzz/*.c fuzz/*.h ||
			status=1
	else
		echo "clang-format-14 is missing" && status=1
	fi

	echo "== tests"
	make -j"$(nproc)" check >/dev/null 2>&1 || status=1
	cp test-suite.log test-suite-plain.log 2>/dev/null ||
		{ echo "the test run produced no test-suite.log"; echo "# FAIL: 1"; } >test-suite-plain.log
	grep -E '^# (TOTAL|PASS|FAIL|ERROR)' test-suite.log || true
	grep -E '^(FAIL|ERROR)' tests/*.log | head -n 40 || true

	echo "== unit tests under valgrind"
	make check-valgrind || status=1

	# The tarball builds and passes the tests that need no namespace; the
	# kernel, libvirt and stress tests ran above from the same sources.
	echo "== distcheck"
	make -j"$(nproc)" distcheck TESTS='$(UNIT_TESTS) $(QUICK_TESTS)' \
		>distcheck.log 2>&1 || {
		status=1
		grep -E '^(FAIL|ERROR)|rror' distcheck.log | head -n 40
	}
	grep -E 'archives ready' distcheck.log || true

	# libFuzzer on the parsers and the hook's input, a fixed count each;
	# a crash, leak, or an input over 100 ms or 50 MB fails it.
	echo "== fuzz"
	make fuzz >fuzz.log 2>&1 || {
		status=1
		grep -E 'FAIL|rror|SUMMARY' fuzz.log | head -n 20
		# The inputs that broke a harness, before make clean removes
		# fuzz/work: shown here (control bytes made visible).
		for f in fuzz/work/found/*; do
			[ -f "$f" ] || continue
			echo "-- $f"
			head -c 4096 "$f" | cat -v
			echo
		done
	}
	grep -E '^fuzz-' fuzz.log || true

	echo "== tests under AddressSanitizer and UndefinedBehaviorSanitizer"
	./configure --quiet --enable-werror --enable-sanitizers || status=1
	make clean >/dev/null
	make -j"$(nproc)" >/dev/null || status=1
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		make -j"$(nproc)" check >/dev/null 2>&1 || status=1
	cp test-suite.log test-suite-sanitizers.log 2>/dev/null ||
		{ echo "the sanitizer run produced no test-suite.log"; echo "# FAIL: 1"; } >test-suite-sanitizers.log
	grep -E '^# (TOTAL|PASS|FAIL|ERROR)' test-suite.log || true
	grep -E '^(FAIL|ERROR)' tests/*.log | head -n 40 || true
	# Leave a plain build behind.
	./configure --quiet --enable-werror && make clean >/dev/null &&
		make -j"$(nproc)" >/dev/null

	summary test-suite-plain.log test-suite-sanitizers.log || status=1
	exit $status
	;;
*)
	echo "usage: $0 demo|test" >&2
	exit 2
	;;
esac
