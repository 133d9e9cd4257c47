#!/bin/sh
# The command line as an admin meets it: help and usage errors, validate's
# one-line errors with line numbers and fixes, unsafe XML, and the
# definition commands over a temporary store (nothing outside it changes).
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

M=${MACVNET:?}
data=${TESTS_SRCDIR:?}/../data/networks
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"


# refuses FILE LINE REGEX DESCRIPTION: validate exits 1 with one line that
# names FILE:LINE and matches REGEX.
refuses() {
	run "$M" validate "$tmp/$1.xml"
	is "$rc" 1 "$4: exit 1"
	is "$(printf '%s\n' "$err" | wc -l)" 1 "$4: one error line"
	like "$err" "^macvnet: error: $tmp/$1.xml:$2: .*$3" "$4: says where and why"
}

# --- help, version and usage errors ---
run "$M" --help
is "$rc" 0 "--help exits 0"
like "$out" "validate +check network documents" "--help lists validate"
like "$out" "net-dumpxml" "--help lists net-dumpxml"
like "$out" "MACVNET_CONFIG_DIR" "--help names the environment"
run "$M" --version
like "$out" "^macvnet [0-9]" "--version prints the version"
# libvirt's client is loaded only by migrate-ovs --connect, libxml2 when
# XML is first read: neither is linked.
if command -v ldd >/dev/null; then
	libs=$(ldd "$M")
	! printf '%s\n' "$libs" | grep -Eq 'libvirt|libglib|libgnutls'
	ok $? "macvnet is not linked with libvirt (ldd: $(printf '%s\n' "$libs" | wc -l) libraries)"
	! printf '%s\n' "$libs" "$(ldd "${MACVNET_HOOK:-$M}")" | grep -Eq 'libxml2|libicu'
	ok $? "nor macvnet nor macvnet-hook with libxml2 and ICU"
fi
run "$M"
is "$rc" 2 "no command: exit 2"
run "$M" frobnicate
is "$rc" 2 "unknown command: exit 2"
like "$err" "unknown command 'frobnicate'" "unknown command is named"
run "$M" net-define
is "$rc" 2 "net-define without a file: exit 2"
like "$err" "usage: macvnet net-define FILE" "net-define prints its usage"
run "$M" net-list --bogus
is "$rc" 2 "unknown option: exit 2"
run "$M" validate --help
is "$rc" 0 "validate --help exits 0"
like "$out" "usage: macvnet validate FILE" "validate --help shows usage"
"$M" --help >"$tmp/help"
run "$M" help
is "$rc:$out" "0:$(cat "$tmp/help")" "'macvnet help' is 'macvnet --help'"
run "$M" help net-start
is "$rc:$out" "0:$("$M" net-start --help)" "'macvnet help net-start' is 'macvnet net-start --help'"
run "$M" help nosuch
is "$rc" 2 "help of an unknown command: exit 2"
like "$err" "unknown command 'nosuch'" "help of an unknown command names it"
run "$M" net-info lan extra --help
is "$rc" 0 "--help after other arguments still shows the help"

# Each command's help: every option of its usage line and every argument
# with a line of its own that says what it is.
out=
for c in $(sed -n '/^Commands:/,/^$/p' "$tmp/help" | awk 'NR > 1 && NF { print $1 }'); do
	"$M" help "$c" >"$tmp/ch" || out="$out $c(exit $?)"
	usage=$(head -n 1 "$tmp/ch")
	for o in $(printf '%s\n' "$usage" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
		grep -Eq -- "^  (-[a-z], )?$o( [^ ]+)?  +[^ ]" "$tmp/ch" ||
			out="$out $c:$o"
	done
	# The usage line's words but options and their values.
	for a in $(printf '%s\n' "${usage#usage: macvnet $c}" | awk '{
		for (i = 1; i <= NF; i++) {
			t = $i
			if (t ~ /^\[?--/) {
				if (t !~ /\]$/ && i < NF && $(i + 1) !~ /^[[-]/)
					i++
				continue
			}
			gsub(/[][]/, "", t)
			print t
		} }'); do
		grep -Eq -- "^  $a +[^ ]" "$tmp/ch" || out="$out $c:$a"
	done
done
is "${out# }" "" "each command's help describes each of its options and arguments on a line"

# --- validate: good files and the report ---
run "$M" validate "$data/lan.xml" "$data/vepa.xml"
is "$rc" 0 "the example networks validate"
like "$out" "lan.xml validates" "validate reports each good file"

# --- validate: each mistake, one line, the line number and the fix ---
printf '<network>\n  <name>t</name>\n  <forward mode="default">\n    <interface dev="eth0"/>\n  </forward>\n</network>\n' >"$tmp/mode.xml"
refuses mode 3 "unknown forward mode 'default' \(valid: .*bridge.*vepa.*private.*passthrough" "mode default lists the valid modes"
printf '<network>\n  <name>t</name>\n  <forward mode="nat"/>\n  <mac address="52:54:00:zz:00:01"/>\n  <ip address="192.0.2.1" prefix="24"/>\n</network>\n' >"$tmp/mac1.xml"
refuses mac1 4 "MAC address '52:54:00:zz:00:01' is malformed" "malformed MAC"
printf '<network>\n  <name>t</name>\n  <forward mode="nat"/>\n  <mac address="01:00:5e:00:00:01"/>\n  <ip address="192.0.2.1" prefix="24"/>\n</network>\n' >"$tmp/mac2.xml"
refuses mac2 4 "multicast.*unicast" "multicast MAC"
printf '<network>\n  <name>t</name>\n  <metadata>\n    <m:port xmlns:m="urn:macvnet:1" name="mvt0" mac="00:00:00:00:00:00"/>\n  </metadata>\n  <forward mode="bridge"><interface dev="eth0"/></forward>\n</network>\n' >"$tmp/mac3.xml"
refuses mac3 4 "all zeroes" "all-zero MAC"
printf '<network>\n  <name>a/b</name>\n  <forward mode="bridge"><interface dev="eth0"/></forward>\n</network>\n' >"$tmp/slash.xml"
refuses slash 1 "'a/b' contains '/'" "name with a slash"
printf '<network>\n  <name>t</name>\n  <forward mode="bridge">\n    <interface dev="eth0123456789012"/>\n  </forward>\n</network>\n' >"$tmp/long.xml"
refuses long 4 "16 bytes long.*at most 15" "interface name of 16 bytes"
printf '<network>\n  <name>t</name>\n  <forward mode="vepa">\n    <interface dev="eth1"/>\n    <interface dev="eth2"/>\n    <interface dev="eth1"/>\n  </forward>\n</network>\n' >"$tmp/dup.xml"
refuses dup 6 "'eth1' can only be listed once" "the same pool device twice"
printf '<network>\n  <name>t</name>\n  <forward mode="private" dev="eth9">\n    <interface dev="eth1"/>\n  </forward>\n</network>\n' >"$tmp/fdev.xml"
refuses fdev 3 "dev='eth9'.*first <interface>" "forward dev outside the pool"
printf '<network>\n  <name>t</name>\n  <forward mode="bridge">\n    <interface dev="eth1"/>\n  </forward>\n  <bridge name="br0"/>\n</network>\n' >"$tmp/brpool.xml"
refuses brpool 6 "both <bridge name> and an interface pool" "bridge name with a pool"
printf '<network>\n  <name>t</name>\n  <forward mode="bridge">\n    <interface dev="eth1"/>\n  </forward>\n  <ip address="192.0.2.1" prefix="24"/>\n</network>\n' >"$tmp/ip.xml"
refuses ip 6 "<ip> is not supported.*mode='bridge'" "ip on a macvtap network"
printf '<network>\n  <name>t</name>\n  <forward mode="vepa">\n    <interface dev="eth1"/>\n  </forward>\n  <mtu size="9000"/>\n</network>\n' >"$tmp/mtu.xml"
refuses mtu 6 "<mtu> is not supported.*mode='vepa'" "mtu on a macvtap network"
printf '<network>\n  <name>t</name>\n  <name>u</name>\n  <forward mode="bridge"><interface dev="eth0"/></forward>\n</network>\n' >"$tmp/name2.xml"
refuses name2 3 "<name> is given twice" "a second name"
printf '<network>\n  <name>t</name>\n  <forward mode="bridge"><interface dev="eth0"/></forward>\n  <macvtap/>\n</network>\n' >"$tmp/unk.xml"
refuses unk 4 "unknown element <macvtap> in <network>" "an unknown element"
printf '<network>\n  <name>t</name>\n  <forward mode="bridge" colour="red"><interface dev="eth0"/></forward>\n</network>\n' >"$tmp/attr.xml"
refuses attr 3 "<forward> does not match the schema" "an unknown attribute"
printf '<network>\n  <name>t</name>\n  <forward mode="bridge">\n' >"$tmp/broken.xml"
refuses broken 4 "not well-formed" "a truncated document"

# --- unsafe XML is refused before anything reads it ---
printf '<!DOCTYPE network [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<network><name>&x;</name><forward mode="bridge"><interface dev="eth0"/></forward></network>\n' >"$tmp/xxe.xml"
run "$M" validate "$tmp/xxe.xml"
is "$rc" 1 "external entity: refused"
like "$err" "DOCTYPE and entity declarations are not allowed" "external entity: says why"
run "$M" net-define "$tmp/xxe.xml"
is "$rc" 1 "external entity: net-define refuses"
if grep -q root: "$tmp/o" "$tmp/e"; then ok 1 "no file content leaks"; else ok 0 "no file content leaks"; fi
{
	printf '<!DOCTYPE network [\n<!ENTITY a "aaaaaaaaaaaaaaaa">\n'
	prev=a
	for e in b c d e f g h i j; do
		printf '<!ENTITY %s "&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;&%s;">\n' $e $prev $prev $prev $prev $prev $prev $prev $prev $prev $prev
		prev=$e
	done
	printf ']>\n<network><name>&j;</name></network>\n'
} >"$tmp/laughs.xml"
run "$M" validate "$tmp/laughs.xml"
is "$rc" 1 "entity expansion: refused"
like "$err" "DOCTYPE" "entity expansion: says why"
head -c 1100000 /dev/zero | tr '\0' ' ' >"$tmp/big.xml"
run "$M" validate "$tmp/big.xml"
is "$rc" 1 "a file over 1 MiB is refused"
like "$err" "larger than 1 MiB" "the size is named"
run "$M" validate "$tmp/missing.xml"
is "$rc" 1 "a missing file is refused"
like "$err" "cannot read .*missing.xml: No such file" "the missing file is named"

# --- definitions ---
run "$M" net-list --all
is "$rc" 0 "net-list on an empty store"
run "$M" net-define "$data/lan.xml"
is "$rc" 0 "net-define lan"
like "$out" "^Network lan defined from .*lan.xml" "net-define says what it did"
[ -f "$tmp/etc/networks/lan.xml" ]
ok $? "the definition is stored"
is "$(stat -c %a "$tmp/etc/networks/lan.xml")" 600 "the definition has mode 0600, as libvirt keeps its own"
run "$M" net-dumpxml lan
is "$rc" 0 "net-dumpxml lan"
like "$out" "<forward dev='eth1' mode='bridge'>" "net-dumpxml prints the canonical form"
"$M" net-dumpxml lan >"$tmp/lan-canon.xml"
run "$M" validate "$tmp/lan-canon.xml"
is "$rc" 0 "the canonical form validates"
run "$M" net-define "$tmp/lan-canon.xml"
is "$rc" 0 "redefining from the canonical form"
"$M" net-dumpxml lan | cmp -s - "$tmp/lan-canon.xml"
ok $? "the canonical form is a fixed point"
run "$M" net-list
is "$rc" 0 "net-list"
if printf '%s' "$out" | grep -q ' lan '; then ok 1 "net-list hides inactive networks"; else ok 0 "net-list hides inactive networks"; fi
run "$M" net-list --all
like "$out" " lan +inactive +no +yes" "net-list --all shows lan inactive"
run "$M" --json net-list --all
is "$out" '[{"name":"lan","active":false,"autostart":false,"persistent":true,"mode":"bridge","damaged":null}]' "net-list --json"
sed 's/6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9e01/6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9eff/' "$data/lan.xml" >"$tmp/lan-uuid.xml"
run "$M" net-define "$tmp/lan-uuid.xml"
is "$rc" 1 "same name, other uuid: refused"
like "$err" "already defined with uuid 6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9e01" "the existing uuid is named"
sed 's/<name>lan</<name>lan2</' "$data/lan.xml" >"$tmp/lan2.xml"
run "$M" net-define "$tmp/lan2.xml"
is "$rc" 1 "same uuid, other name: refused"
like "$err" "network 'lan' already has uuid" "the owner of the uuid is named"
[ ! -e "$tmp/etc/networks/lan2.xml" ]
ok $? "a refused definition writes nothing"
sed '/<uuid>/d' "$data/lan.xml" >"$tmp/lan-nouuid.xml"
run "$M" net-define "$tmp/lan-nouuid.xml"
is "$rc" 0 "a redefinition without uuid keeps the network's uuid"
like "$("$M" net-dumpxml lan)" "6f1c2a7e-3b0d-4c55-9f4e-2d8a1b7c9e01" "the uuid is kept"

# --- networks macvnet cannot run are refused with the reason ---
printf '<network>\n  <name>natnet</name>\n  <forward mode="nat"/>\n  <ip address="192.0.2.1" prefix="24"/>\n</network>\n' >"$tmp/nat.xml"
run "$M" validate "$tmp/nat.xml"
is "$rc" 0 "a NAT network is valid XML"
run "$M" net-define "$tmp/nat.xml"
is "$rc" 1 "net-define refuses a NAT network"
like "$err" "forward mode='nat'.*mode='bridge' with <interface dev>" "the NAT refusal names the mode and the alternative"
printf '<network>\n  <name>hb</name>\n  <forward mode="bridge"/>\n  <bridge name="br0"/>\n</network>\n' >"$tmp/hb.xml"
run "$M" net-define "$tmp/hb.xml"
is "$rc" 1 "net-define refuses a host bridge network"
like "$err" "host bridge 'br0'.*migrate-ovs --uplink br0=DEV" "the host bridge refusal shows the way out"
printf '<network>\n  <name>iso</name>\n  <ip address="192.0.2.1" prefix="24"/>\n</network>\n' >"$tmp/iso.xml"
run "$M" net-define "$tmp/iso.xml"
is "$rc" 1 "net-define refuses an isolated network"
run "$M" net-define "$data/../../tests/schema/invalid/second-name.xml"
is "$rc" 1 "net-define refuses an invalid document"
is "$(ls "$tmp/etc/networks" | grep -c xml)" 1 "only lan is stored"

printf '<network>\n  <name>qbg</name>\n  <forward mode="vepa"><interface dev="eth1"/></forward>\n  <virtualport type="802.1Qbg">\n    <parameters managerid="11" typeid="1193047" typeidversion="2"/>\n  </virtualport>\n</network>\n' >"$tmp/qbg.xml"
run "$M" net-define "$tmp/qbg.xml"
is "$rc" 0 "a port profile is kept"
like "$err" "^macvnet: warning: .*qbg.xml:4: <virtualport type='802.1Qbg'> is kept but not applied" "the port profile gets a warning that names it"
"$M" net-undefine qbg >/dev/null

# --- undefine ---
run "$M" net-undefine lan
is "$rc" 0 "net-undefine lan"
like "$out" "Network lan has been undefined" "net-undefine says what it did"
[ ! -e "$tmp/etc/networks/lan.xml" ]
ok $? "the definition is gone"
run "$M" net-undefine lan
is "$rc" 1 "undefining twice fails"
like "$err" "network 'lan' is not defined" "the missing network is named"
run "$M" net-dumpxml nosuch
is "$rc" 1 "net-dumpxml of an unknown network fails"
run "$M" net-undefine ../../etc/passwd
is "$rc" 1 "a path as a network name is refused"

# --- options anywhere; --quiet ---
run "$M" net-define --quiet "$data/lan.xml"
is "$rc:$out:$err" "0::" "net-define --quiet: nothing on stdout or stderr"
run "$M" --quiet net-autostart --disable lan
is "$rc:$out" "0:" "--quiet before the command: no success line"
run "$M" net-autostart lan
like "$out" "^Network lan marked as autostarted" "the name may come after an option of its command..."
run "$M" net-autostart --disable lan
like "$out" "^Network lan unmarked as autostarted" "...or before it"
run "$M" validate "$data/lan.xml" --quiet
is "$rc:$out" "0:" "validate --quiet of a good file prints nothing"
run "$M" validate --quiet "$data/lan.xml" "$tmp/mode.xml"
is "$rc:$out:$(printf '%s\n' "$err" | wc -l)" "1::1" "validate --quiet of a bad file: only its one error line"
like "$err" "^macvnet: error: .*mode.xml:3:" "validate --quiet: the error still names file and line"
run "$M" --quiet net-list --all
like "$out" " lan +inactive" "net-list --quiet still lists"
run "$M" --quiet net-undefine lan
is "$rc:$out" "0:" "net-undefine --quiet: no success line"
run "$M" --quiet net-undefine lan
is "$rc:$(printf '%s\n' "$err" | wc -l)" "1:1" "--quiet: a failure is still one error line"
run "$M" validate -- -
is "$rc" 1 "after --, - is still standard input"
"$M" net-define "$data/lan.xml" >/dev/null

# --- directories: flags win over the environment; unsafe ones are refused ---
run "$M" --config-dir "$tmp/other" net-define "$data/vepa.xml"
is "$rc" 0 "--config-dir"
[ -f "$tmp/other/networks/vepa.xml" ] && [ ! -e "$tmp/etc/networks/vepa.xml" ]
ok $? "--config-dir overrides MACVNET_CONFIG_DIR"
mkdir -p "$tmp/real"
ln -s "$tmp/real" "$tmp/link"
run "$M" --config-dir "$tmp/link" net-list --all
is "$rc" 1 "a symlinked config directory is refused"
like "$err" "$tmp/link" "the symlink is named"
mkdir -p "$tmp/loose" && chmod 0777 "$tmp/loose"
run "$M" --config-dir "$tmp/loose" net-list --all
is "$rc" 1 "a world-writable config directory is refused"

# --- concurrent writers are serialised: every definition lands ---
for i in 1 2 3 4 5 6 7 8 9 10; do
	sed -e "s/<name>vepa</<name>par$i</" -e "s/9e02</9e$((i + 10))</" \
		"$data/vepa.xml" >"$tmp/par$i.xml"
	"$M" net-define "$tmp/par$i.xml" >/dev/null 2>&1 &
done
wait
is "$(ls "$tmp/etc/networks" | grep -c '^par.*\.xml$')" 10 "10 parallel net-define: 10 definitions"
is "$(ls -a "$tmp/etc/networks" | grep -c '^\.par')" 0 "no temporary files are left"
run "$M" net-list --all
is "$(printf '%s\n' "$out" | grep -c ' par')" 10 "net-list --all lists all 10"
done_testing
