#!/bin/sh
# Messages and their translation: every source that prints messages is in
# po/POTFILES.in, po/macvnet.pot holds every message of those sources,
# po/ja.po translates all of them, and LANGUAGE=ja makes macvnet speak
# Japanese.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

top=${TESTS_SRCDIR:?}/..
M=${MACVNET:?}
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
command -v msgfmt >/dev/null && command -v xgettext >/dev/null ||
	bail "gettext tools are missing (apt-get install gettext)"

missing=""
for f in $(cd "$top" && grep -l '_("' src/*.c); do
	grep -qx "$f" "$top/po/POTFILES.in" || missing="$missing $f"
done
is "$missing" "" "every source with messages is listed in po/POTFILES.in"

(cd "$top" && xgettext --keyword=_ --keyword=N_ --keyword=P_:1,2 --from-code=UTF-8 \
	-o "$tmp/now.pot" $(grep -v '^#' po/POTFILES.in)) 2>/dev/null
msgids() { msgcat --no-wrap --sort-output "$1" 2>/dev/null | grep '^msgid ' | sort; }
msgids "$tmp/now.pot" >"$tmp/now"
msgids "$top/po/macvnet.pot" >"$tmp/pot"
cmp -s "$tmp/now" "$tmp/pot"
ok $? "po/macvnet.pot holds exactly the messages of the sources"
diff "$tmp/pot" "$tmp/now" | head -n 5 | sed 's/^/# /'

stats=$(msgfmt -c --statistics -o "$tmp/ja.mo" "$top/po/ja.po" 2>&1)
ok $? "po/ja.po compiles with msgfmt -c"
like "$stats" "^[0-9]+ translated messages\.$" "po/ja.po translates every message ($stats)"
msgids "$top/po/ja.po" >"$tmp/ja"
cmp -s "$tmp/ja" "$tmp/pot"
ok $? "po/ja.po covers exactly the catalog's messages"

mkdir -p "$tmp/loc/ja/LC_MESSAGES"
cp "$tmp/ja.mo" "$tmp/loc/ja/LC_MESSAGES/macvnet.mo"
printf '<network>\n  <name>t</name>\n  <forward mode="default"/>\n</network>\n' >"$tmp/bad.xml"
err=$(MACVNET_LOCALEDIR="$tmp/loc" LANGUAGE=ja LC_ALL=C.UTF-8 "$M" validate "$tmp/bad.xml" 2>&1)
is "$?" 1 "LANGUAGE=ja: validate still fails"
like "$err" "^macvnet: エラー: .*bad.xml:3: .*'default'" "LANGUAGE=ja: the error is in Japanese and names line and value"
help=$(MACVNET_LOCALEDIR="$tmp/loc" LANGUAGE=ja LC_ALL=C.UTF-8 "$M" --help)
if printf '%s' "$help" | LC_ALL=C grep -q "$(printf '[\343-\351]')"; then
	ok 0 "LANGUAGE=ja: --help is translated"
else
	ok 1 "LANGUAGE=ja: --help is translated"
fi
err=$(MACVNET_LOCALEDIR="$tmp/loc" LANGUAGE= LC_ALL=C "$M" validate "$tmp/bad.xml" 2>&1)
like "$err" "^macvnet: error: .*unknown forward mode 'default'" "without LANGUAGE the error is in English"
done_testing
