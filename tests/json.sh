#!/bin/sh
# The machine-readable side of the command line: with --json every command
# prints one JSON value on stdout with the keys macvnet(8) documents, and
# stderr holds only JSON objects, the last an error object exactly when
# the exit status is not 0; hostile names (quotes, backslashes, C1
# controls, bytes that are not UTF-8) round-trip; --json and --quiet keep
# the progress line off the terminal, which shows it for a start or stop
# of more than 100 endpoints.  JSON is read by python3's json module.  As
# root the kernel parts run in a private network namespace (fresh sysfs,
# veth pairs); otherwise they are skipped.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

M=${MACVNET:?}
top=$(cd "${TESTS_SRCDIR:-$(dirname "$0")}/.." && pwd)
command -v python3 >/dev/null ||
	skip_all "python3 is missing (apt-get install python3)"
maybe_netns -- "$@"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"

# j.py MODE FILE EXPR: FILE holds one JSON value on one line (MODE out) or
# JSON objects, one a line, each a warning, a note or an error (MODE err);
# EXPR, over the value v (out) or the list of objects v (err), is true.
# b(s) is a string's bytes as Python's surrogateescape gives them back.
cat >"$tmp/j.py" <<'EOF'
import json, sys

mode, path, expr = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, "rb").read().decode("utf-8")
if mode == "out":
    if not text.endswith("\n") or text.count("\n") != 1:
        sys.exit("not one line")
    v = json.loads(text)
else:
    v = [json.loads(line) for line in text.splitlines()]
    for o in v:
        if not isinstance(o, dict) or list(o) not in (["error"], ["warning"], ["note"]):
            sys.exit("not an error, a warning or a note: %r" % (o,))
b = lambda s: s.encode("utf-8", "surrogateescape")
sys.exit(0 if eval(expr) else "false: " + expr)
EOF

# jout EXPR DESC: stdout of the last run is one JSON value, EXPR holds.
jout() {
	python3 "$tmp/j.py" out "$tmp/o" "$1" 2>"$tmp/why"
	ok $? "$2"
	[ -s "$tmp/why" ] && diag "$(cat "$tmp/why") in: $(head -c 300 "$tmp/o")"
	return 0
}
# jerr RC DESC: the last run exited RC; stderr is JSON objects only, and
# the last is an error object with its four keys exactly when RC is not 0.
jerr() {
	if [ "$1" = 0 ]; then
		expr='not [o for o in v if "error" in o]'
	else
		expr='"error" in v[-1] and list(v[-1]["error"]) == ["message", "errno", "line", "usage"] and not [o for o in v[:-1] if "error" in o]'
	fi
	python3 "$tmp/j.py" err "$tmp/e" "$expr" 2>"$tmp/why"
	is "$rc:$?" "$1:0" "$2"
	[ -s "$tmp/why" ] && diag "$(cat "$tmp/why") in: $(head -c 300 "$tmp/e")"
	return 0
}
# hex TEXT: the bytes of TEXT in hex, for bytes.fromhex().
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
keys() { printf 'list(v) == %s' "$1"; }

data=$top/data/networks

# --- validate ---
run "$M" --json validate "$data/lan.xml"
jerr 0 "validate: no error object"
jout "$(keys '["documents"]') and list(v['documents'][0]) == ['file', 'valid', 'kind', 'error'] and v['documents'][0]['valid'] and v['documents'][0]['kind'] == 'network'" \
	"validate: {documents:[{file,valid,kind,error}]}"
printf '<network>\n  <name>t</name>\n  <forward mode="default"/>\n</network>\n' >"$tmp/bad.xml"
run "$M" validate "$data/lan.xml" "$tmp/bad.xml" --json
jerr 1 "validate of a bad file: exit 1, one error object"
jout "[d['valid'] for d in v['documents']] == [True, False] and v['documents'][1]['error']['line'] == 3 and v['documents'][1]['error']['errno'] == 'EINVAL' and v['documents'][1]['kind'] is None" \
	"validate of a bad file: its error with line and errno"

# --- definitions ---
run "$M" net-define "$data/lan.xml" --json
jerr 0 "net-define"
jout "v == {'defined': 'lan'}" "net-define: {defined}"
run "$M" --json net-define "$tmp/bad.xml"
jerr 1 "net-define of a bad file: the error object"
printf '<network>\n  <name>qbg</name>\n  <forward mode="vepa"><interface dev="eth1"/></forward>\n  <virtualport type="802.1Qbg">\n    <parameters managerid="11" typeid="1193047" typeidversion="2"/>\n  </virtualport>\n</network>\n' >"$tmp/qbg.xml"
run "$M" --json net-define "$tmp/qbg.xml"
jerr 0 "net-define with a warning: no error object"
python3 "$tmp/j.py" err "$tmp/e" 'len(v) == 1 and list(v[0]["warning"]) == ["message"] and "802.1Qbg" in v[0]["warning"]["message"]'
ok $? "the warning is a {warning:{message}} object"
"$M" net-undefine qbg >/dev/null
run "$M" net-list --all --json
jerr 0 "net-list --all --json"
jout "len(v) == 1 and list(v[0]) == ['name', 'active', 'autostart', 'persistent', 'mode', 'damaged']" \
	"net-list: [{name,active,autostart,persistent,mode,damaged}]"
run "$M" net-info lan --json
jerr 0 "net-info of an inactive network"
jout "$(keys "['name', 'uuid', 'mode', 'active', 'devices', 'ports']") and v['active'] is False" \
	"net-info: {name,uuid,mode,active,devices,ports}"
run "$M" net-info nosuch --json
jerr 1 "net-info of an unknown network: the error object"
python3 "$tmp/j.py" err "$tmp/e" 'v[-1]["error"]["errno"] == "ENOENT" and v[-1]["error"]["usage"] is None'
ok $? "net-info of an unknown network: errno ENOENT, no usage"
run "$M" net-dumpxml --json lan
jerr 0 "net-dumpxml --json"
"$M" net-dumpxml lan >"$tmp/lan.canon"
jout "$(keys "['name', 'xml']") and v['xml'] == open('$tmp/lan.canon').read()" \
	"net-dumpxml: {name,xml}, the XML as without --json"
run "$M" --json net-autostart lan
jerr 0 "net-autostart"
jout "v == {'network': 'lan', 'autostart': True}" "net-autostart: {network,autostart}"
run "$M" --json net-autostart --disable lan
jout "v == {'network': 'lan', 'autostart': False}" "net-autostart --disable: autostart false"
run "$M" --json net-autostart
jerr 2 "net-autostart without a name: exit 2, the error object"
python3 "$tmp/j.py" err "$tmp/e" 'v[-1]["error"]["usage"] == "macvnet net-autostart NAME [--disable]"'
ok $? "a usage error names the usage line"
run "$M" --json start-autostart
jerr 0 "start-autostart with nothing marked"
jout "v == {'started': []}" "start-autostart: {started:[]}"

# --- names that are hard to print ---
hn=$(printf 'q"\\ \047<\303\274\302\205')
printf '<network>\n  <name>q&quot;\\ &apos;&lt;\303\274\302\205</name>\n  <forward mode="bridge"><interface dev="eth9"/></forward>\n</network>\n' >"$tmp/hostile.xml"
run "$M" --json net-define "$tmp/hostile.xml"
jerr 0 "net-define of a name with a quote, a backslash and U+0085"
jout "b(v['defined']) == bytes.fromhex('$(hex "$hn")')" "the name round-trips"
grep -qF '"q\"\\ '"'"'<' "$tmp/o" && grep -qF '\u0085"' "$tmp/o"
ok $? "quote and backslash escaped, U+0085 as \\u0085"
run "$M" --json net-list --all
jout "sorted(b(n['name']) for n in v) == sorted([b'lan', bytes.fromhex('$(hex "$hn")')])" \
	"net-list: the name round-trips"
run "$M" --json net-undefine "$hn"
jerr 0 "net-undefine of that name"
jout "b(v['undefined']) == bytes.fromhex('$(hex "$hn")')" "net-undefine: {undefined} round-trips"
bad=$(printf 'a"b\377\001')
run "$M" --json net-undefine "$bad"
jerr 1 "net-undefine of a name with a quote, a non-UTF-8 byte and a control character: valid JSON"
run "$M" net-undefine 'a"b' --json
jerr 1 "net-undefine of an unknown name with a quote: valid JSON"

# --- the command line's own errors ---
run "$M" frobnicate --json
jerr 2 "unknown command"
run "$M" --json
jerr 2 "no command"
run "$M" --json --wait x net-list
jerr 2 "bad --wait"
python3 "$tmp/j.py" err "$tmp/e" 'v[-1]["error"]["usage"] == "macvnet [OPTIONS] COMMAND [ARGS]"'
ok $? "bad --wait: the general usage line"
run "$M" net-list --bogus --json
jerr 2 "unknown option"
run "$M" port-create --json lan --mtu
jerr 2 "option without its value"
python3 "$tmp/j.py" err "$tmp/e" '"--mtu needs a value (N)" == v[-1]["error"]["message"]'
ok $? "option without its value: named with its placeholder"
run "$M" --version --json
jerr 0 "--version --json"
jout "$(keys "['version']")" "--version: {version}"
run "$M" validate -- --json
is "$rc" 1 "after --, --json is a file name"
like "$err" "^macvnet: error: cannot read --json" "after --, errors are text"

# --- domain-convert, hook-install, migrate-ovs, doctor ---
run "$M" domain-convert "$top/data/ovs/web1.xml" --network lan --json
jerr 0 "domain-convert"
"$M" domain-convert "$top/data/ovs/web1.xml" --network lan >"$tmp/web1.conv"
jout "$(keys "['file', 'network', 'xml']") and v['xml'] == open('$tmp/web1.conv').read()" \
	"domain-convert: {file,network,xml}"
run "$M" --json domain-convert "$top/data/ovs/web1.xml"
jerr 2 "domain-convert without --network"
if [ "$(id -u)" = 0 ]; then
	mkdir -m 0755 "$tmp/hk"
	run "$M" --json hook-install --hooks-dir "$tmp/hk/hooks" --hook "${MACVNET_HOOK:-$(dirname "$M")/macvnet-hook}"
	jerr 0 "hook-install"
	jout "$(keys "['hooks_dir', 'hook', 'links', 'config']") and v['links'] == ['$tmp/hk/hooks/qemu.d/50-macvnet', '$tmp/hk/hooks/network.d/50-macvnet']" \
		"hook-install: {hooks_dir,hook,links,config}"
else
	ok 0 "hook-install # SKIP needs root"
	ok 0 "hook-install: {hooks_dir,hook,links,config} # SKIP needs root"
fi
mkdir -m 0777 "$tmp/open"
run "$M" --json hook-install --hooks-dir "$tmp/open/hooks" --hook /nonexistent
jerr 1 "hook-install refused: the error object"
run "$M" --json migrate-ovs --uplink br1=eth1 "$top/data/ovs/ovs-net.xml"
jerr 0 "migrate-ovs of one file (warnings and notes as objects)"
jout "$(keys "['items', 'output_dir', 'applied']") and list(v['items'][0]) == ['kind', 'name', 'file', 'active', 'new_name', 'from', 'uplinks', 'xml'] and v['items'][0]['uplinks'] == ['eth1']" \
	"migrate-ovs: {items:[{kind,name,file,active,new_name,from,uplinks,xml}],output_dir,applied}"
run "$M" --json migrate-ovs --uplink br1=eth1 -o "$tmp/mig" "$top/data/ovs/ovs-net.xml" "$top/data/ovs/web1.xml"
jerr 0 "migrate-ovs of a network and a domain"
jout "[i['kind'] for i in v['items']] == ['network', 'domain'] and list(v['items'][1]) == ['kind', 'name', 'file', 'active', 'interfaces', 'xml'] and v['output_dir'] == '$tmp/mig'" \
	"migrate-ovs: a domain item {kind,name,file,active,interfaces,xml}"
run "$M" --json migrate-ovs --mode default "$top/data/ovs/ovs-net.xml"
jerr 2 "migrate-ovs with a bad mode"
run "$M" --json doctor lan
jerr 1 "doctor with findings: exit 1 with its error object"
jout "$(keys "['findings', 'probes', 'networks', 'devices']") and list(v['findings'][0]) == ['device', 'network', 'problem', 'level', 'message']" \
	"doctor: {findings:[{device,network,problem,level,message}],probes,networks,devices}"

if [ -z "$kernel" ]; then
	ok 0 "the kernel parts # SKIP need root and network namespaces"
	done_testing
	exit
fi

# --- in the namespace: endpoints, names with any byte ---
# A lower device's name is one the schema takes (a backslash); an
# endpoint's name any the kernel takes.
lower='l\w0'
ip link add "$lower" type veth peer name sw0 || bail "no veth"
ip link set sw0 up
printf '<network>\n  <name>h</name>\n  <forward mode="bridge"><interface dev="l\\w0"/></forward>\n</network>\n' >"$tmp/h.xml"
"$M" net-define "$tmp/h.xml" >/dev/null || bail "net-define h"
run "$M" net-start --json h
jerr 0 "net-start"
jout "v == {'started': 'h'}" "net-start: {started}"
run "$M" net-start h --json
jerr 1 "net-start of an active network: the error object"
pn=$(printf 'p"\\\377\302\205')
run "$M" port-create h --json --name "$pn" --mac 52:54:00:00:00:42
jerr 0 "port-create of a name with a quote, a backslash, a byte 0xff and U+0085"
jout "$(keys "['name', 'ifindex', 'tap', 'mac', 'lower', 'network']") and b(v['name']) == bytes.fromhex('$(hex "$pn")') and b(v['lower']) == bytes.fromhex('$(hex "$lower")')" \
	"port-create: {name,ifindex,tap,mac,lower,network}, names round-trip"
grep -qF '\udcff' "$tmp/o"
ok $? "the byte 0xff is written as \\udcff"
run "$M" port-list --json
jerr 0 "port-list"
jout "len(v) == 1 and list(v[0]) == ['name', 'network', 'ifindex', 'lower', 'mac', 'tap', 'uid', 'gid', 'mode', 'owner'] and b(v[0]['name']) == bytes.fromhex('$(hex "$pn")') and b(v[0]['lower']) == bytes.fromhex('$(hex "$lower")')" \
	"port-list: the documented keys, names round-trip"
run "$M" --json net-info h
jout "$(keys "['name', 'uuid', 'mode', 'active', 'devices', 'ports', 'hairpin', 'shim', 'reach']") and b(v['devices'][0]['dev']) == bytes.fromhex('$(hex "$lower")') and b(v['ports'][0]['name']) == bytes.fromhex('$(hex "$pn")') and list(v['reach'][0]) == ['a', 'b', 'passes', 'why']" \
	"net-info of an active network: its keys, names round-trip"
run "$M" port-delete --json nosuch0
jerr 1 "port-delete of an unknown endpoint: the error object"
run "$M" port-delete --json -- "$pn"
jerr 0 "port-delete"
jout "$(keys "['deleted']") and [b(n) for n in v['deleted']] == [bytes.fromhex('$(hex "$pn")')]" \
	"port-delete: {deleted:[...]} round-trips"
run "$M" port-create h --name mvt7
run "$M" port-delete mvt7
is "$out" "Endpoint mvt7 deleted" "port-delete says what it deleted"
run "$M" --json reconcile
jerr 0 "reconcile"
jout "$(keys "['forgotten', 'removed', 'restored', 'rolled_back', 'set_aside']")" \
	"reconcile: its five counts"
run "$M" --json net-destroy h
jerr 0 "net-destroy"
jout "v == {'destroyed': 'h'}" "net-destroy: {destroyed}"
run "$M" --json net-destroy h
jerr 1 "net-destroy of an inactive network: the error object"
run "$M" net-start --dry-run h --json
jerr 0 "net-start --dry-run"
jout "$(keys "['would_start', 'plan']") and v['would_start'] == 'h' and all(isinstance(l, str) for l in v['plan'])" \
	"net-start --dry-run: {would_start,plan:[...]}"
"$M" net-autostart h >/dev/null
run "$M" --json start-autostart
jerr 0 "start-autostart"
jout "v == {'started': ['h']}" "start-autostart: the networks it started"
"$M" net-destroy h >/dev/null

# --- progress: on a terminal only, never with --json or --quiet ---
static_network big 'l\w0' 150 big >"$tmp/big.xml"
"$M" net-define "$tmp/big.xml" >/dev/null || bail "net-define big"
# on_tty CMD...: run CMD with a terminal as stdout and stderr, into $tmp/tty.
on_tty() { script -qec "$*" /dev/null >"$tmp/tty" 2>&1 </dev/null; }
has_tty() { python3 -c 'import sys; t = open(sys.argv[1], "rb").read(); sys.exit(0 if sys.argv[2].encode() in t else 1)' "$tmp/tty" "$1"; }
clears() { python3 -c 'import sys; t = open(sys.argv[1], "rb").read(); i = t.find(b"done\033[K"); sys.exit(0 if i >= 0 and t.find(b"\r\033[K", i) > 0 else 1)' "$tmp/tty"; }
on_tty "$M" net-start big
has_tty "network big: creating endpoints, 0 of 150 done" && clears
ok $? "net-start of 150 endpoints on a terminal: a progress line, cleared"
has_tty "Network big started"
ok $? "net-start on a terminal: its line after the progress"
on_tty "$M" net-destroy big --json
has_tty "deleting endpoints"
is "$?:$(cat "$tmp/tty" | tr -d '\r')" '1:{"destroyed":"big"}' "net-destroy --json on a terminal: no progress line"
on_tty "$M" net-start big --quiet
has_tty "creating endpoints"
is "$?:$(wc -c <"$tmp/tty")" "1:0" "net-start --quiet on a terminal: no progress, no line"
"$M" net-destroy big 2>"$tmp/e" >/dev/null
grep -q "endpoints" "$tmp/e"
ok $((!$?)) "net-destroy with stderr not a terminal: no progress line"
"$M" net-start big >/dev/null 2>&1
on_tty "$M" net-destroy big
has_tty "network big: deleting endpoints, 0 of 150 done" && clears
ok $? "net-destroy of 150 endpoints on a terminal: a progress line, cleared"
on_tty "$M" net-start h
has_tty "creating endpoints"
ok $((!$?)) "net-start of a network of no static port: no progress line"
done_testing
