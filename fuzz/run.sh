#!/bin/sh
# Build the libFuzzer harnesses and run each for a fixed number of inputs.
#
#   fuzz/run.sh BUILDDIR [EXECS]
#
# BUILDDIR is a configured build directory (its config.h is used); the
# harnesses go to BUILDDIR/fuzz/, their corpora, logs and the inputs that
# broke them (found/) to BUILDDIR/fuzz/work/.
# EXECS (default $FUZZ_EXECS, else 200000) is the number of inputs per
# harness.  The project's library sources (Makefile.am's
# src_libmacvnet_a_SOURCES) are compiled again with clang, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer.  Prints one line per
# harness and exits 1 if any harness failed:
#
#   fuzz-network: 200000 executions, 0 crashes, 95 s
#
# Needs clang and libFuzzer's runtime (Debian 12: clang-14 and
# libclang-rt-14-dev).  Set FUZZ_CC to use another clang, FUZZ_JOBS to run
# each harness in that many processes at once (each does EXECS inputs),
# CONFORMANCE_DIR for libvirt's conformance data (the seeds), FUZZ_CFLAGS
# for more compiler flags (-DFUZZ_TIME_LIMIT_NS=..., see fuzz.h),
# FUZZ_HARNESSES to run only some of them.
set -u

all="fuzz-network fuzz-domain fuzz-convert fuzz-hook"
harnesses=${FUZZ_HARNESSES:-$all}

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILDDIR [EXECS]" >&2
	exit 2
fi
builddir=$(cd "$1" && pwd) || exit 2
execs=${2:-${FUZZ_EXECS:-200000}}
jobs=${FUZZ_JOBS:-1}
srcdir=$(cd "$(dirname "$0")/.." && pwd)
# Debian's clang-14 package installs clang-14; the clang package adds clang.
cc=${FUZZ_CC:-$(command -v clang || command -v clang-14 || echo clang)}
out=$builddir/fuzz
# Everything but the harnesses goes here (in an in-tree build, BUILDDIR/fuzz
# is the source directory).
work=$out/work
conformance=${CONFORMANCE_DIR:-$srcdir/../shared/conformance/libvirt-9.0}

if [ ! -f "$builddir/config.h" ]; then
	echo "fuzz: $builddir/config.h not found; give a configured build" \
		"directory (run configure there)" >&2
	exit 2
fi

san="-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -g -O1"
# The warnings configure chose, as for the normal build.
warn=$(sed -n 's/^WARN_CFLAGS = //p' "$builddir/Makefile" 2>/dev/null)
deps=$(pkg-config --cflags libxml-2.0 libnl-route-3.0) || exit 1
libs=$(pkg-config --libs libxml-2.0 libnl-route-3.0) || exit 1

# One compiler call with the flags of Makefile.am's AM_CPPFLAGS.  The
# directories point into BUILDDIR/fuzz/work, away from the system's.
cc_fuzz() {
	# shellcheck disable=SC2086
	"$cc" $san $warn -I"$builddir" -I"$srcdir/src" -I"$srcdir/fuzz" \
		-DLOCALEDIR="\"$work/locale\"" \
		-DMVN_CONFIG_DIR="\"$work/etc\"" \
		-DMVN_RUN_DIR="\"$work/run\"" \
		-DMVN_SCHEMA_DIR="\"$srcdir/schemas\"" \
		-DMVN_HOOK_PATH="\"$work/macvnet-hook\"" \
		$deps ${FUZZ_CFLAGS:-} "$@"
}

# The .c files of src_libmacvnet_a_SOURCES, without the "src/".
library_sources() {
	# shellcheck disable=SC1003,SC2020
	sed -n '/^src_libmacvnet_a_SOURCES *=/,/[^\\]$/p' \
		"$srcdir/Makefile.am" | tr ' \t\\' '\n\n\n' |
		sed -n 's|^src/\(.*\)\.c$|\1|p'
}

# Compile the library into BUILDDIR/fuzz/work/libmacvnet-fuzz.a, two files
# at a time per processor.
build_library() {
	rm -rf "$work/obj" && mkdir -p "$work/obj" || return 1
	n=0 pids="" status=0
	width=$(($(nproc 2>/dev/null || echo 1) * 2))
	for f in $(library_sources); do
		cc_fuzz -c "$srcdir/src/$f.c" -o "$work/obj/$f.o" &
		pids="$pids $!"
		n=$((n + 1))
		if [ "$n" -ge "$width" ]; then
			for p in $pids; do wait "$p" || status=1; done
			n=0 pids=""
		fi
	done
	for p in $pids; do wait "$p" || status=1; done
	[ "$status" -eq 0 ] || return 1
	rm -f "$work/libmacvnet-fuzz.a"
	ar cr "$work/libmacvnet-fuzz.a" "$work"/obj/*.o
}

build() {
	# shellcheck disable=SC2086
	if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n)
{ return d && n < 0; }' >"$work/probe.c" ||
		! "$cc" $san -o "$work/probe" "$work/probe.c" 2>"$work/probe.log"; then
		cat "$work/probe.log" >&2
		echo "fuzz: $cc cannot build a libFuzzer program; install" \
			"clang-14 and libclang-rt-14-dev" >&2
		return 1
	fi
	build_library || return 1
	for h in $harnesses; do
		# shellcheck disable=SC2086
		cc_fuzz -o "$out/$h" "$srcdir/fuzz/$h.c" "$srcdir/fuzz/fuzz.c" \
			"$work/libmacvnet-fuzz.a" $libs || return 1
	done
}

# The dictionary: XML syntax, then the schemas' names and values.
make_dict() {
	cat "$srcdir/fuzz/xml.dict"
	cat "$srcdir"/schemas/*.rng | tr '\n' ' ' | sed 's/</\n</g' |
		sed -n -e 's/^<element name="\([^"]*\)".*/\1/p' \
			-e 's/^<attribute name="\([^"]*\)".*/\1/p' \
			-e 's/^<value[^>]*>\([^<]*\)$/\1/p' |
		grep -v '["\\]' | sort -u | sed 's/.*/"&"/'
}

# Copy the files of the directories (*.xml below them) into corpus $1.
seed_copy() {
	dest=$1
	shift
	for d in "$@"; do
		[ -d "$d" ] || continue
		find "$d" -name '*.xml' -type f | while read -r f; do
			cp "$f" "$dest/$(echo "$f" | tr '/' '_')"
		done
	done
}

# The hook's inputs: the argv libvirt passes, then a document on stdin.
seed_hook() {
	dest=$1 i=0
	for f in "$work/corpus/fuzz-domain"/*; do
		i=$((i + 1))
		for op in "prepare begin" "release end" "reconnect begin"; do
			# shellcheck disable=SC2086
			set -- $op
			{ printf '\000vm%s\000%s\000%s\000-\000' "$i" "$1" "$2"
			  cat "$f"; } >"$dest/qemu-$1-$i"
		done
	done
	for f in "$work/corpus/fuzz-network"/*; do
		i=$((i + 1))
		{ printf '\001net%s\000started\000begin\000-\000<hookData>' "$i"
		  cat "$f"; printf '</hookData>'; } >"$dest/network-$i"
	done
	printf '\001net\000stopped\000end\000-\000' >"$dest/network-stop"
}

seeds() {
	rm -rf "$work/corpus" && mkdir -p "$work/corpus" || return 1
	for h in $all; do
		mkdir -p "$work/corpus/$h" || return 1
		# Inputs that once broke the harness run first, every time.
		for d in seeds crashes; do
			[ -d "$srcdir/fuzz/$d/$h" ] &&
				cp "$srcdir/fuzz/$d/$h"/* "$work/corpus/$h/"
		done
	done
	seed_copy "$work/corpus/fuzz-network" "$conformance/network" \
		"$srcdir/tests/data" "$srcdir/tests/schema/valid" \
		"$srcdir/tests/schema/invalid" "$srcdir/data/networks"
	seed_copy "$work/corpus/fuzz-domain" "$conformance/domain" \
		"$srcdir/tests/schema/valid-domain" \
		"$srcdir/tests/schema/invalid-domain" "$srcdir/data/ovs"
	cp "$work/corpus/fuzz-domain"/* "$work/corpus/fuzz-convert/"
	seed_hook "$work/corpus/fuzz-hook"
	make_dict >"$work/xml.dict"
}

# The inputs libFuzzer ran, from its log $1: "Done N runs" at the end, or
# the last status line "#N ..." when it stopped at a crash.
executions() {
	awk '/^Done [0-9]+ runs/ { done = $2 }
		/^#[0-9]+\t/ { last = substr($1, 2) }
		END { print (done != "" ? done : last + 0) }' "$1"
}

# Run harness $1; print its line; return 1 if it failed.
run_one() {
	h=$1
	mkdir -p "$work/found" || return 1
	rm -f "$work/found/$h"-*
	parallel=""
	[ "$jobs" -gt 1 ] && parallel="-jobs=$jobs -workers=$jobs"
	# With -jobs, libFuzzer writes job N's output to ./fuzz-N.log.
	rm -rf "$work/jobs" && mkdir -p "$work/jobs" || return 1
	start=$(date +%s)
	# shellcheck disable=SC2086
	(cd "$work/jobs" && MACVNET_SCHEMA_DIR=$srcdir/schemas LC_ALL=C LANGUAGE='' \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		"$out/$h" -runs="$execs" -max_len=8192 -timeout=10 \
		-malloc_limit_mb=50 -rss_limit_mb=2048 -detect_leaks=1 \
		-dict="$work/xml.dict" -artifact_prefix="$work/found/$h-" \
		$parallel -print_final_stats=1 \
		"$work/corpus/$h" >"$work/$h.log" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	# Each job's count is in its log (which libFuzzer also copies to ours).
	logs="$work/$h.log"
	[ "$jobs" -gt 1 ] && logs=$(ls "$work"/jobs/fuzz-*.log 2>/dev/null)
	done_runs=0
	for l in $logs; do
		done_runs=$((done_runs + $(executions "$l")))
	done
	crashes=$(find "$work/found" -name "$h-*" | wc -l)
	echo "$h: $done_runs executions, $crashes crashes, $secs s"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ] ||
		[ "$done_runs" -lt "$execs" ]; then
		grep -E 'ERROR|SUMMARY|runtime error|^fuzz[a-z-]*: |written to' \
			"$work/$h.log" | head -n 20
		echo "$h: FAILED (exit $rc); the log is $work/$h.log"
		return 1
	fi
	return 0
}

mkdir -p "$work" || exit 1
build || exit 1
seeds || exit 1
status=0
for h in $harnesses; do
	run_one "$h" || status=1
done
exit $status
