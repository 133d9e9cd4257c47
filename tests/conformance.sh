#!/bin/sh
# libvirt 9.0's own network test files: macvnet's verdict must be libvirt's
# (EXPECTED.tsv, column "validate"), and every network macvnet can run must
# come back from net-define + net-dumpxml exactly as libvirt's formatter
# prints it (column "roundtrip", file in out/).  One assertion per file per
# property, generated from the folder, so new files are picked up.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

dir=${CONFORMANCE_DIR:?}
[ -f "$dir/EXPECTED.tsv" ] || bail "no conformance data in $dir"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

files=$(ls "$dir"/network/in/*.xml)
n_in=$(echo "$files" | wc -l)
n_rt=$(awk -F'\t' 'NR > 1 && $5 == "yes"' "$dir/EXPECTED.tsv" | wc -l)
plan $((n_in + n_rt))

for f in $files; do
	name=$(basename "$f" .xml)
	want=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$dir/EXPECTED.tsv")
	if [ -z "$want" ]; then
		ok 1 "$name: listed in EXPECTED.tsv"
		continue
	fi
	if "$MACVNET" validate "$f" >"$tmp/out" 2>"$tmp/err"; then
		got=accept
	else
		got=reject
	fi
	is "$got" "$want" "$name: validate says $want"
	[ "$got" = "$want" ] || diag "$(cat "$tmp/err")"
done

for name in $(awk -F'\t' 'NR > 1 && $5 == "yes" { print $1 }' "$dir/EXPECTED.tsv"); do
	in="$dir/network/in/$name.xml"
	out="$dir/network/out/$name.xml"
	if "$MACVNET" net-define "$in" >/dev/null 2>"$tmp/err"; then
		net=$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$in" | head -n 1)
		"$MACVNET" net-dumpxml "$net" >"$tmp/dump"
		cmp -s "$tmp/dump" "$out"
		ok $? "$name: net-dumpxml prints libvirt's out/$name.xml"
		diff "$tmp/dump" "$out" | sed 's/^/# /'
		"$MACVNET" net-undefine "$net" >/dev/null
	else
		# Not runnable by macvnet: the unit test test-network checks its
		# formatting; here, net-define must have said why.
		grep -q '^macvnet: error: ' "$tmp/err"
		ok $? "$name: net-define refuses with a reason ($(head -c 120 "$tmp/err"))"
	fi
done
