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
plan $(( $(echo "$valid" | wc -l) + $(echo "$dvalid" | wc -l) + 2 * $(echo "$invalid" | wc -l) ))

for f in $valid; do
	xmllint --noout --relaxng "$schema" "$f" 2>/dev/null
	ok $? "schema accepts $(basename "$(dirname "$f")")/$(basename "$f")"
done
for f in $dvalid; do
	xmllint --noout --relaxng "$dschema" "$f" 2>/dev/null
	ok $? "domain schema accepts $(basename "$(dirname "$f")")/$(basename "$f")"
done
for f in $invalid; do
	s=$schema
	case $f in */invalid-domain/*) s=$dschema ;; esac
	if xmllint --noout --relaxng "$s" "$f" 2>/dev/null; then
		ok 1 "schema refuses invalid/$(basename "$f")"
	else
		ok 0 "schema refuses invalid/$(basename "$f")"
	fi
	err=$("$MACVNET" validate "$f" 2>&1 >/dev/null)
	rc=$?
	lines=$(printf '%s\n' "$err" | wc -l)
	if [ $rc -eq 1 ] && [ "$lines" -eq 1 ] &&
	   printf '%s' "$err" | grep -q "^macvnet: error: .*$(basename "$f")"; then
		ok 0 "macvnet validate refuses invalid/$(basename "$f") in one line"
	else
		ok 1 "macvnet validate refuses invalid/$(basename "$f") in one line"
		diag "exit $rc: $err"
	fi
done
