# A small TAP producer for the shell tests; source it, then call plan/ok/...
# Each test script prints "1..N" first, then one line per assertion.

tap_n=0
tap_failed=0

plan() { echo "1..$1"; }

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

done_testing() { [ "$tap_failed" -eq 0 ]; }

# run CMD...: sets $rc, $out (stdout) and $err (stderr) for the assertions;
# the caller's $tmp holds the two files.
run() {
	"$@" >"$tmp/o" 2>"$tmp/e"
	rc=$?
	out=$(cat "$tmp/o")
	err=$(cat "$tmp/e")
}
