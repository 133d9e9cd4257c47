#!/bin/sh
# Hostile documents, as anyone who may write a domain's XML can hand them
# to the hook: thousands of attributes, deep nesting, many elements, huge
# text and values, NUL bytes, invalid UTF-8, and names holding encoded
# newlines and terminal controls.  macvnet validate and macvnet-hook each
# refuse every one quickly with exactly one line on stderr, "macvnet: ...",
# that holds no control character and is valid UTF-8; a normal document
# still passes both.  The big inputs are made here, nothing big is kept.
# The hook names the domain in its line: the name cases need hook.c to
# print it through mvn_shown().
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

M=${MACVNET:?}
H=${MACVNET_HOOK:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
command -v iconv >/dev/null || bail "iconv is missing"

# dom NAME [EXTRA]: a domain with a macvnet port; EXTRA goes in <metadata>.
# NAME may hold printf(1) escapes: \0nnn is a byte.
dom() {
	printf "<domain type='qemu'>\n  <name>%b</name>\n" "$1"
	printf "  <memory unit='KiB'>1048576</memory>\n  <os>\n"
	printf "    <type arch='x86_64' machine='pc'>hvm</type>\n  </os>\n"
	printf "  <metadata>\n    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n"
	printf "      <macvnet:port target='t0' network='lan'/>\n"
	printf "    </macvnet:domain>\n%s\n  </metadata>\n" "${2:-}"
	printf "  <devices>\n    <interface type='ethernet'>\n"
	printf "      <mac address='52:54:00:00:00:01'/>\n"
	printf "      <target dev='t0' managed='no'/>\n"
	printf "    </interface>\n  </devices>\n</domain>\n"
}

# attrs N: N attributes.
attrs() {
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf " a%d=\"v\"", i }'
}
# rep N TEXT: TEXT N times.
rep() {
	awk -v n="$1" -v t="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", t }'
}

# root N: the domain with N attributes on its root element.
root() {
	printf "<domain type='qemu'"
	attrs "$1"
	printf ">\n"
	dom web | tail -n +2
}

dom web >"$tmp/normal.xml"
root 8000 >"$tmp/root-attrs-8000.xml"
root 50000 >"$tmp/root-attrs-50000.xml"
dom web "<x:e xmlns:x='urn:x'$(attrs 8000)/>" >"$tmp/md-attrs-8000.xml"
dom web "<x:e xmlns:x='urn:x'$(attrs 16000)/>" >"$tmp/md-attrs-16000.xml"
dom web "<e xmlns='urn:x'>$(rep 100000 '<e>')$(rep 100000 '</e>')</e>" \
	>"$tmp/deep.xml"
dom web "<e xmlns='urn:x'>$(rep 200000 '<a/>')</e>" >"$tmp/elements.xml"
dom web "<e xmlns='urn:x'>$(rep 900000 x)</e>" >"$tmp/text.xml"
dom web "<e xmlns='urn:x' v='$(rep 900000 x)'/>" >"$tmp/value.xml"
dom 'we\0000b' >"$tmp/nul.xml"
dom 'we\0377\0376b' >"$tmp/utf8.xml"
dom 'a&#10;macvnet: error: forged' >"$tmp/name-newline.xml"
dom 'a&#27;[2Jb' >"$tmp/name-esc.xml"
dom 'a&#x9b;2Jb&#x85;c' >"$tmp/name-c1.xml"
dom web | sed "s/52:54:00:00:00:01/52:54:00:\&#x9b;2J\&#10;:01/" \
	>"$tmp/mac-c1.xml"

# The cases: the file, then what validate's line and the hook's line say
# ("-": that program does not read the file; empty: as validate's).
cases="root-attrs-8000|:1: element <domain> has more than 64 attributes|
root-attrs-50000|:1: element <domain> has more than 64 attributes|
md-attrs-8000|:11: element <x:e> has more than 64 attributes|
md-attrs-16000|:11: element <x:e> has more than 64 attributes|
deep|:11: element <e> is nested more than 64 levels|
elements|:11: more than 5000 elements|
text|:11: the text in <e> is longer than 64 KiB|
value|:11: attribute v of <e> is longer than 64 KiB|
nul|:2: byte 31 is a NUL byte|
utf8|:2: not well-formed XML: Input is not proper UTF-8|
name-newline|:2: does not match the schema|: a\\\\nmacvnet: error: forged: .*not active
name-esc|:2: not well-formed XML: .*27|
name-c1|-|: a\\\\xc2\\\\x9b2Jb\\\\xc2\\\\x85c: .*not active
mac-c1|:15: MAC address '52:54:00:\\\\xc2\\\\x9b2J\\\\n:01' is malformed|"
n=$(printf '%s\n' "$cases" |
	awk -F'|' '{ n += ($2 != "-") + ($3 != "-") } END { print n }')
plan $((4 + n * 5))

c1=$(printf '\302[\200-\237]')
# refused DESC REGEX CMD...: exit 1 within 2 s (the real bound, 100 ms,
# is measured, not tested) and one safe line on stderr matching REGEX.
refused() {
	r_desc=$1 r_re=$2
	shift 2
	t0=$(date +%s%N)
	run "$@"
	ms=$((($(date +%s%N) - t0) / 1000000))
	is "$rc" 1 "$r_desc: exit 1"
	last=$(tail -c 1 "$tmp/e" | od -An -tx1 | tr -d ' ')
	is "$(wc -l <"$tmp/e") $last" "1 0a" "$r_desc: exactly one line on stderr"
	like "$err" "^macvnet: .*$r_re" "$r_desc: the line says why"
	bad=$(tr -d '\n\040-\176\200-\377' <"$tmp/e" | wc -c)
	if [ "$bad" -eq 0 ] && ! LC_ALL=C grep -q "$c1" "$tmp/e" &&
		iconv -f UTF-8 -t UTF-8 <"$tmp/e" >/dev/null 2>&1; then
		ok 0 "$r_desc: no control character, valid UTF-8"
	else
		ok 1 "$r_desc: no control character, valid UTF-8"
		od -c "$tmp/e" | head -n 5 | sed 's/^/# /'
	fi
	[ "$ms" -lt 2000 ]
	ok $? "$r_desc: refused in ${ms} ms"
}

hook() { MACVNET_HOOK_DRIVER=qemu "$H" DOM prepare begin - <"$1"; }

# --- a normal document passes ---
run "$M" validate "$tmp/normal.xml"
is "$rc$err" 0 "validate: the normal domain validates"
dom web | sed '/metadata>/d; /macvnet/d' >"$tmp/plain.xml"
run hook "$tmp/plain.xml"
is "$rc$out$err" 0 "hook: a domain without macvnet ports passes silently"
{
	printf '<network>\n  <name>lan</name>\n  <forward mode="bridge">\n'
	printf '    <interface dev="eth0"/>\n  </forward>\n</network>\n'
} >"$tmp/net.xml"
run "$M" validate "$tmp/net.xml"
is "$rc$err" 0 "validate: a normal network validates"
# The limits leave room: 64 attributes on an element are fine.
dom web "<x:e xmlns:x='urn:x'$(attrs 63)/>" >"$tmp/md-attrs-63.xml"
run "$M" validate "$tmp/md-attrs-63.xml"
is "$rc$err" 0 "validate: 64 attributes on a metadata element pass"

# --- each hostile document, to validate and to the hook as libvirt runs it ---
printf '%s\n' "$cases" | while IFS='|' read -r f re hre; do
	[ "$re" = - ] ||
		refused "validate $f" "$f.xml$re" "$M" validate "$tmp/$f.xml"
	[ "$hre" = - ] || refused "hook $f" "${hre:-$re}" hook "$tmp/$f.xml"
done >"$tmp/tap"
# The loop ran in a subshell: count its failures here.
cat "$tmp/tap"
tap_failed=$((tap_failed + $(grep -c '^not ok' "$tmp/tap")))
done_testing
