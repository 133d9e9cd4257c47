#!/bin/sh
# The manual pages in man/: each renders with no groff or man warning and
# names itself in its NAME line; macvnet(8) has a subsection for every
# command the program lists (and none for a command it does not have),
# names every option of every command in that command's subsection and
# every option the sources parse, every global option, every MACVNET_
# variable the sources read (macvnet-hook(8) those the hook reads), and
# says what --json does for every command; the XML examples of the pages
# pass "macvnet validate" (and net-define) or are refused, as each says,
# and are shown as they were checked.  Everything is derived from the
# program and src/, never from a copy kept here.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

M=${MACVNET:?}
top=${TESTS_SRCDIR:?}/..
man=$top/man
src=$top/src
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
export LANGUAGE='' LC_ALL=C.UTF-8
pages="macvnet.8 macvnet-hook.8 macvnet.xml.5"

command -v groff >/dev/null ||
	bail "groff is missing (apt-get install groff-base)"
for p in $pages; do
	[ -f "$man/$p" ] || bail "$man/$p is missing"
done

# plain FILE: the page's source with \- as - and no font changes.
plain() { sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' "$1"; }

# section FILE NAME: the lines of section .SH NAME (plain), up to the next.
section() {
	plain "$1" | awk -v want="$2" '
		/^\.SH / { s = $0; sub(/^\.SH +/, "", s); gsub(/"/, "", s)
			   on = (s == want); next }
		on'
}

# subsection TEXT NAME: the lines of .SS NAME (first word) in TEXT.
subsection() {
	printf '%s\n' "$1" | awk -v want="$2" '
		/^\.S[SH] / { split($0, w, " "); gsub(/"/, "", w[2])
			      on = ($1 == ".SS" && w[2] == want); next }
		on'
}

# has TEXT OPTION: TEXT names OPTION (--name or -x) as a whole word.
has() { printf '%s\n' "$1" | grep -Eq -- "(^|[^a-zA-Z0-9-])$2([^a-zA-Z0-9-]|$)"; }

# missing TEXT WORD...: the words TEXT does not name, space separated.
missing() {
	mi_text=$1 mi_out=
	shift
	for mi_w in "$@"; do
		has "$mi_text" "$mi_w" || mi_out="$mi_out $mi_w"
	done
	printf '%s' "${mi_out# }"
}

# --- rendering ---
for p in $pages; do
	groff -man -Tutf8 -ww -z "$man/$p" >"$tmp/w" 2>&1
	is "$(cat "$tmp/w")" "" "$p: groff -man -Tutf8 -ww renders it without a warning"
	if groff -Tps -z </dev/null >/dev/null 2>&1; then
		groff -man -ww -z "$man/$p" >"$tmp/w" 2>&1
		is "$(cat "$tmp/w")" "" "$p: groff -man -ww (PostScript) renders it without a warning"
	fi
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "$man/$p" 2>"$tmp/w" >/dev/null
		is "$(cat "$tmp/w")" "" "$p: man --warnings -l shows no warning"
	fi
	base=${p%.[0-9]}
	th=$(sed -n 's/^\.TH \([^ ]*\) \([0-9]\).*/\1 \2/p' "$man/$p" | sed 's/\\-/-/g')
	is "$th" "$(printf '%s' "$base" | tr 'a-z' 'A-Z') ${p##*.}" "$p: .TH names the page and its section"
	name=$(section "$man/$p" NAME | head -n 1)
	is "${name%% - *}" "$base" "$p: NAME reads '$base - what it is'"
	if command -v lexgrog >/dev/null; then
		lexgrog "$man/$p" >"$tmp/l" 2>&1
		like "$?$(cat "$tmp/l")" "^0.*\"$base - " "$p: lexgrog finds its whatis line"
	fi
done

# --- the commands the program lists, one subsection each ---
"$M" --help >"$tmp/help" || bail "macvnet --help fails"
cmds=$(sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NR > 1 && NF { print $1 }')
[ -n "$cmds" ] || bail "no command in macvnet --help"
commands=$(section "$man/macvnet.8" COMMANDS)
subs=$(printf '%s\n' "$commands" | awk '/^\.SS / { gsub(/"/, ""); print $2 }')
out=
for c in $cmds; do
	printf '%s\n' "$subs" | grep -qx -- "$c" || out="$out $c"
done
is "${out# }" "" "macvnet(8) COMMANDS has a subsection for each of the $(echo $cmds | wc -w) commands of --help"
out=
for s in $subs; do
	printf '%s\n' "$cmds" | grep -qx -- "$s" || out="$out $s"
done
is "${out# }" "" "every subsection of COMMANDS is a command the program has"

# --- each command's options, in its own subsection ---
out=
for c in $cmds; do
	"$M" "$c" --help >"$tmp/u" 2>&1 || out="$out $c(--help:$?)"
	opts=$(head -n 1 "$tmp/u" | grep -oE -- '(^|[ [])--?[a-zA-Z][a-z-]*' |
		sed 's/^[ [] *//' | sort -u)
	opts="$opts $(sed 1d "$tmp/u" | grep -oE -- '^ +-[a-zA-Z],' | tr -d ' ,')"
	m=$(missing "$(subsection "$commands" "$c")" $opts)
	[ -z "$m" ] || out="$out $c($m)"
done
is "${out# }" "" "each command's subsection names every option of its usage"

# --- every long option the sources parse ---
tables=$(grep -ho '{ *"[a-z][a-z-]*", *[a-z_]*_argument' "$src"/main.c "$src"/cmd-*.c |
	sed 's/{ *"\([^"]*\)".*/--\1/')
literal=$(grep -ho 'strcmp([^;]*"--[a-z][a-z-]*")' "$src"/main.c "$src"/cmd-*.c |
	grep -o '"--[a-z][a-z-]*"' | tr -d '"')
all=$(printf '%s\n' $tables $literal | sort -u)
[ "$(printf '%s\n' "$all" | wc -l)" -gt 10 ] || bail "no option found in $src"
is "$(missing "$(plain "$man/macvnet.8")" $all)" "" \
	"macvnet(8) names each of the $(printf '%s\n' "$all" | wc -l) long options of src/main.c and src/cmd-*.c"

# --- the global options ---
gopts=$(sed -n '/^Options:/,/^$/p' "$tmp/help" | grep -oE -- '(^| )--?[a-zA-Z][a-z-]*' | tr -d ' ' | sort -u)
[ -n "$gopts" ] || bail "no global option in macvnet --help"
is "$(missing "$(section "$man/macvnet.8" "GLOBAL OPTIONS")" $gopts)" "" \
	"GLOBAL OPTIONS names each option of macvnet --help"

# --- --json, command by command ---
is "$(missing "$(section "$man/macvnet.8" "JSON OUTPUT")" $cmds)" "" \
	"JSON OUTPUT says what each command prints with --json"

# --- the environment the sources read ---
bad=$(grep -n 'getenv([^"]' "$src"/*.c)
is "$bad" "" "every getenv() in src/ names its variable literally"
vars=$(grep -ho 'getenv("MACVNET_[A-Z0-9_]*")' "$src"/*.c | grep -o 'MACVNET_[A-Z0-9_]*' | sort -u)
[ -n "$vars" ] || bail "no MACVNET_ variable found in $src"
is "$(missing "$(section "$man/macvnet.8" ENVIRONMENT)" $vars LANGUAGE)" "" \
	"macvnet(8) ENVIRONMENT names the $(echo $vars | wc -w) MACVNET_ variables of src/ and LANGUAGE"
hvars=$(grep -ho 'getenv("MACVNET_[A-Z0-9_]*")' "$src"/hook.c "$src"/hook-req.c |
	grep -o 'MACVNET_[A-Z0-9_]*' | sort -u)
is "$(missing "$(section "$man/macvnet-hook.8" ENVIRONMENT)" $hvars)" "" \
	"macvnet-hook(8) ENVIRONMENT names the variables the hook reads"

# --- macvnet's XML vocabulary, from the schemas ---
# Each element of urn:macvnet:1 and each attribute of one (the defines
# named macvnet-*) has its own paragraph in macvnet.xml(5).
vocab=$(awk '/<define name="macvnet-/ { on = 1 } on; on && /<\/define>/ { on = 0 }' \
	"$top"/schemas/*.rng | grep -oE '(element|attribute) name="[^"]*"' |
	sed 's/.*name="\([^"]*\)"/\1/' | sort -u)
[ "$(printf '%s\n' "$vocab" | grep -c '^macvnet:')" -ge 4 ] ||
	bail "no macvnet element found in $top/schemas"
xml5=$(plain "$man/macvnet.xml.5")
out=
for v in $vocab; do
	case $v in
	macvnet:*) printf '%s\n' "$xml5" | grep -q "^\.SS <$v>" ;;
	*) printf '%s\n' "$xml5" | grep -Eq "^\.B[IR]? +$v=" ;;
	esac || out="$out $v"
done
is "${out# }" "" "macvnet.xml(5) describes each of the $(echo $vocab | wc -w) elements and attributes of the schemas' macvnet namespace"

# --- the XML examples ---
# Blocks between '.\" example-begin NAME KIND' and '.\" example-end'.
mkdir "$tmp/ex"
for p in $pages; do
	awk -v dir="$tmp/ex" -v page="$p" '
		/^\.\\" example-begin / { f = dir "/" page "," $3 "," $4; on = 1; next }
		/^\.\\" example-end/ { on = 0; close(f); next }
		on && !/^\./ { print > f }' "$man/$p"
done
ls "$tmp/ex" >"$tmp/examples"
n=$(wc -l <"$tmp/examples")
nx=$(grep -c '^macvnet.xml.5,' "$tmp/examples")
nr=$(grep -c ',refused$' "$tmp/examples")
[ "$nx" -ge 6 ] && [ "$nr" -ge 1 ]
ok $? "the pages hold $n XML examples ($nx in macvnet.xml(5), $nr refused ones)"
for f in "$tmp"/ex/*; do
	sed -e "s/\\\\(aq/'/g" -e 's/\\-/-/g' -e 's/\\e/\\/g' -e 's/\\&//g' "$f" >"$f.xml"
done
is "$(grep -l '\\' "$tmp"/ex/*.xml | sed 's|.*/||')" "" "the examples use no troff escape but those of quote, minus, backslash and zero width"
# What a reader sees: each line of each example, in the rendered page.
for p in $pages; do
	groff -man -Tutf8 -P-cbou "$man/$p" 2>/dev/null | sed 's/^ *//' >"$tmp/$p.txt"
done
out=
for f in "$tmp"/ex/*.xml; do
	p=$(basename "$f" | cut -d, -f1)
	while IFS= read -r line; do
		line=$(printf '%s' "$line" | sed 's/^ *//')
		[ -z "$line" ] || grep -qxF -- "$line" "$tmp/$p.txt" || out="$out $(basename "$f" .xml):$line"
	done <"$f"
done
is "${out# }" "" "each example is rendered as it was checked"
for f in "$tmp"/ex/*.xml; do
	what=$(basename "$f" .xml | tr , ' ')
	case $f in
	*,refused.xml)
		run "$M" validate "$f"
		is "$rc:$(printf '%s\n' "$err" | grep -c .)" "1:1" "$what: validate refuses it with one line"
		;;
	*,valid.xml)
		run "$M" validate "$f"
		is "$rc$err" "0" "$what: macvnet validate accepts it"
		;;
	*,define.xml)
		run "$M" validate "$f"
		is "$rc$err" "0" "$what: macvnet validate accepts it"
		run "$M" net-define "$f"
		is "$rc$err" "0" "$what: macvnet net-define takes it"
		;;
	*)
		ok 1 "$what: the kind is valid, define or refused"
		;;
	esac
done

done_testing
