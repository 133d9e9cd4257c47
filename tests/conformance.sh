#!/bin/sh
# Verdicts against real libvirt 9.0.  Two folders of network documents
# and libvirt's domain documents (DOMAIN-EXPECTED.tsv, column "validate"):
# libvirt's own test files (../shared/conformance, EXPECTED.tsv column
# "validate") and macvnet's corpus (tests/data/network, column "libvirt",
# where DEVIATIONS.tsv lists the few deliberate differences and why).  For
# every file macvnet validate must give that verdict; every runnable network
# of libvirt's "roundtrip" rows must come back from net-define + net-dumpxml
# exactly as libvirt's formatter prints it.  macvnet's corpus of domains
# and interfaces (tests/data/domains, EXPECTED.tsv) gets its verdict, with
# one error line that names the line, and libvirt's verdict is checked
# against a libvirt 9.0 client's when virsh is installed; where the two
# differ, EXPECTED.tsv says why.  One assertion per file (two for the
# domains), generated from the folders, so new files are picked up.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

dir=${CONFORMANCE_DIR:?}
corpus=${TESTS_SRCDIR:?}/data/network
domains=${TESTS_SRCDIR:?}/data/domains
[ -f "$dir/EXPECTED.tsv" ] || bail "no conformance data in $dir"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

n_in=$(ls "$dir"/network/in/*.xml | wc -l)
n_rt=$(awk -F'\t' 'NR > 1 && $5 == "yes"' "$dir/EXPECTED.tsv" | wc -l)
n_corpus=$(ls "$corpus"/in/*.xml | wc -l)
n_dom=$(ls "$dir"/domain/*.xml | wc -l)
n_domains=$(ls "$domains"/*.xml | wc -l)
plan $((n_in + n_rt + n_corpus + n_dom + 2 * n_domains))

# One validate run for all files; each file's verdict is read from the
# lines that name it ("FILE validates" on stdout, "...: error: FILE:LINE:"
# on stderr).
"$MACVNET" validate "$dir"/network/in/*.xml "$corpus"/in/*.xml \
	"$dir"/domain/*.xml "$domains"/*.xml >"$tmp/out" 2>"$tmp/err"

# verdict FILE WANT LABEL
verdict() {
	if grep -qxF "$1 validates" "$tmp/out"; then
		got=accept
	else
		got=reject
	fi
	is "$got" "$2" "$3: validate says $2"
	[ "$got" = "$2" ] || diag "$(grep -F "$1:" "$tmp/err")"
}

for f in "$dir"/network/in/*.xml; do
	name=$(basename "$f" .xml)
	want=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$dir/EXPECTED.tsv")
	[ -n "$want" ] || want="(not listed in EXPECTED.tsv)"
	verdict "$f" "$want" "libvirt-9.0 $name"
done

for name in $(awk -F'\t' 'NR > 1 && $5 == "yes" { print $1 }' "$dir/EXPECTED.tsv"); do
	in="$dir/network/in/$name.xml"
	out="$dir/network/out/$name.xml"
	if "$MACVNET" net-define "$in" >/dev/null 2>"$tmp/define"; then
		net=$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$in" | head -n 1)
		"$MACVNET" net-dumpxml "$net" >"$tmp/dump"
		cmp -s "$tmp/dump" "$out"
		ok $? "libvirt-9.0 $name: net-dumpxml prints libvirt's out/$name.xml"
		diff "$tmp/dump" "$out" | sed 's/^/# /'
		"$MACVNET" net-undefine "$net" >/dev/null
	else
		# Not runnable by macvnet: test-network checks its formatting;
		# here, net-define must have said why, in one line.
		[ "$(wc -l <"$tmp/define")" -eq 1 ] && grep -q '^macvnet: error: ' "$tmp/define"
		ok $? "libvirt-9.0 $name: net-define refuses with a reason ($(cut -c1-100 "$tmp/define"))"
	fi
done

for f in "$corpus"/in/*.xml; do
	name=$(basename "$f" .xml)
	want=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$corpus/DEVIATIONS.tsv")
	[ -n "$want" ] ||
		want=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$corpus/EXPECTED.tsv")
	[ -n "$want" ] || want="(not listed in EXPECTED.tsv)"
	verdict "$f" "$want" "corpus $name"
done

for f in "$dir"/domain/*.xml; do
	name=$(basename "$f" .xml)
	want=$(awk -F'\t' -v n="$name" '$1 == n { print $4 }' "$dir/DOMAIN-EXPECTED.tsv")
	[ -n "$want" ] || want="(not listed in DOMAIN-EXPECTED.tsv)"
	verdict "$f" "$want" "libvirt-9.0 domain $name"
done

# domain_verdict FILE WANT LABEL: as verdict, and a refusal is one line
# "macvnet: error: FILE:LINE: ...".
domain_verdict() {
	got=accept
	grep -qxF "$1 validates" "$tmp/out" || got=reject
	msg=$(awk -v p="macvnet: error: $1:" \
		'index($0, p) == 1 { print substr($0, length(p) + 1) }' \
		"$tmp/err")
	lines=$(grep -cF "$1:" "$tmp/err")
	if [ "$got" = reject ] && [ "$lines" -ne 1 ]; then
		got="reject, not in one line"
	elif [ "$got" = reject ] &&
		! printf '%s' "$msg" | grep -Eq '^[0-9]+: '; then
		got="reject, with no line number"
	fi
	is "$got" "$2" "$3: validate says $2"
}

# libvirt_verdict FILE: what a libvirt 9.0 client says when defining FILE
# (an <interface> inside a minimal domain) with its test driver.
libvirt_verdict() {
	doc=$1
	if head -n 1 "$1" | grep -q '^<interface'; then
		{
			printf "<domain type='kvm'><name>vm0</name>"
			printf "<memory unit='KiB'>524288</memory>"
			printf "<os><type arch='x86_64'>hvm</type></os><devices>\n"
			cat "$1"
			printf "</devices></domain>\n"
		} >"$tmp/wrapped.xml"
		doc=$tmp/wrapped.xml
	fi
	if HOME=$tmp XDG_CACHE_HOME=$tmp XDG_CONFIG_HOME=$tmp \
		virsh -q -c test:///default define --validate "$doc" \
		>/dev/null 2>&1; then
		echo accept
	else
		echo reject
	fi
}

have_virsh=$(command -v virsh)
for f in "$domains"/*.xml; do
	name=$(basename "$f" .xml)
	row=$(awk -F'\t' -v n="$name" '$1 == n' "$domains/EXPECTED.tsv")
	lv=$(printf '%s' "$row" | cut -f2)
	want=$(printf '%s' "$row" | cut -f3)
	why=$(printf '%s' "$row" | cut -f4)
	[ -n "$want" ] || want="(not listed in EXPECTED.tsv)"
	domain_verdict "$f" "$want" "domains $name"
	label="domains $name: libvirt says $lv"
	if [ "$lv" != "$want" ] && [ -z "$why" ]; then
		ok 1 "$label, and EXPECTED.tsv must say why macvnet differs"
	elif [ -z "$have_virsh" ]; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $label # SKIP no virsh"
	else
		is "$(libvirt_verdict "$f")" "$lv" "$label"
	fi
done
