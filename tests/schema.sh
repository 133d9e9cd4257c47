#!/bin/sh
# The RelaxNG schema itself: it compiles, it accepts every libvirt 9.0 input
# and output and every file in tests/schema/valid, and it refuses every file
# in tests/schema/invalid.  macvnet validate must refuse each invalid file
# too, with one error line that names the file and a line.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

schema=${MACVNET_SCHEMA_DIR:?}/network.rng
conf=${CONFORMANCE_DIR:?}/network
here=${TESTS_SRCDIR:?}/schema
command -v xmllint >/dev/null || bail "xmllint is missing (apt-get install libxml2-utils)"

dschema=${MACVNET_SCHEMA_DIR:?}/domain.rng
valid=$(ls "$conf"/in/*.xml "$conf"/out/*.xml "$here"/valid/*.xml)
dvalid=$(ls "$conf"/../domain/*.xml "$here"/valid-domain/*.xml)
invalid=$(ls "$here"/invalid/*.xml "$here"/invalid-domain/*.xml)
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
plan $(( $(echo "$valid" | wc -l) + $(echo "$dvalid" | wc -l) + 2 * $(echo "$invalid" | wc -l) ))

# One xmllint and one macvnet run per list; each file's verdict is read
# from the lines that name it.
xmllint --noout --relaxng "$schema" $valid $(echo "$invalid" | grep -v /invalid-domain/) \
	>/dev/null 2>"$tmp/net"
xmllint --noout --relaxng "$dschema" $dvalid $(echo "$invalid" | grep /invalid-domain/) \
	>/dev/null 2>"$tmp/dom"
"$MACVNET" validate $invalid >/dev/null 2>"$tmp/mvn"
cat "$tmp/net" "$tmp/dom" >"$tmp/all"

for f in $valid; do
	grep -qxF "$f validates" "$tmp/net"
	ok $? "schema accepts $(basename "$(dirname "$f")")/$(basename "$f")"
done
for f in $dvalid; do
	grep -qxF "$f validates" "$tmp/dom"
	ok $? "domain schema accepts $(basename "$(dirname "$f")")/$(basename "$f")"
done
for f in $invalid; do
	grep -qxF "$f fails to validate" "$tmp/all"
	ok $? "schema refuses invalid/$(basename "$f")"
	err=$(grep -F "macvnet: error: $f:" "$tmp/mvn")
	if [ "$(grep -cF "$f" "$tmp/mvn")" -eq 1 ] && [ -n "$err" ]; then
		ok 0 "macvnet validate refuses invalid/$(basename "$f") in one line"
	else
		ok 1 "macvnet validate refuses invalid/$(basename "$f") in one line"
		diag "$(grep -F "$f" "$tmp/mvn")"
	fi
done
