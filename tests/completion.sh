#!/bin/bash
# The bash completion (data/completion/macvnet) driven the way bash drives
# it: COMP_WORDS split at blanks, '=' and ':', COMP_CWORD, COMP_LINE and
# COMP_POINT, then the function.  Against the program and a temporary
# store it must offer: the commands and global options of main.c; each
# command's options exactly as its source file has them, every one of
# which the command accepts (with a value where it wants one); the
# store's network names (by state where the command wants one state, from
# the store named on the command line), never evaluated; endpoint names;
# the namespace's devices for --lower; users and groups for --owner.  As
# root it runs in a private network namespace (fresh sysfs) so that it can
# start a network and make endpoints; otherwise those parts are skipped.
. "${TESTS_SRCDIR:-$(dirname "$0")}/tap.sh"

top=$(cd "${TESTS_SRCDIR:-$(dirname "$0")}/.." && pwd)
M=${MACVNET:?}
COMPLETION=${COMPLETION:-$top/data/completion/macvnet}
maybe_netns --bash -- "$@"

tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
export MACVNET_CONFIG_DIR="$tmp/etc" MACVNET_RUN_DIR="$tmp/run"
cd "$tmp" || bail "cd $tmp"

# shellcheck source=/dev/null
. "$COMPLETION" || bail "cannot read $COMPLETION"
# compopt works only while bash completes; record what was asked of it.
compopt() { compopt_args+=" $*"; }

# complete LINE: run the completion for LINE (cursor at its end) as bash
# would, leaving the candidates in $reply, sorted and joined by '|'.
complete() {
	local line=$1 tok part
	COMP_WORDS=()
	for tok in $line; do
		while [ -n "$tok" ]; do
			if [[ $tok =~ ^[=:]+ || $tok =~ ^[^=:]+ ]]; then
				part=${BASH_REMATCH[0]}
				COMP_WORDS+=("$part")
				tok=${tok:${#part}}
			fi
		done
	done
	[[ $line == *' ' ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE=$line
	COMP_POINT=${#line}
	# readline's word: what follows the last blank, '=' or ':'.
	local text=${COMP_WORDS[COMP_CWORD]}
	[[ $text =~ ^[=:]+$ ]] && text=
	COMPREPLY=()
	compopt_args=
	_macvnet "$M" "$text" "${COMP_WORDS[COMP_CWORD - 1]}"
	reply=$(printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | paste -sd'|')
}

# words LIST...: the arguments sorted and joined by '|', as reply is.
words() { printf '%s\n' "$@" | sed '/^$/d' | sort | paste -sd'|'; }
has() { printf '%s\n' "$reply" | tr '|' '\n' | grep -qxF -- "$1"; }

# --- the commands and global options: those of main.c ---
src=$top/src
cmds=$(sed -n '/^static const struct mvn_cmd \*const commands/,/^};/p' \
	"$src/main.c" | grep -o 'mvn_cmd_[a-z_]*' | while read -r sym; do
	sed -n "/^const struct mvn_cmd $sym = {/,/^};/s/.*\\.name = \"\\(.*\\)\",/\\1/p" \
		"$src"/cmd-*.c
done | sort | paste -sd'|')
[ "$(echo "$cmds" | tr '|' '\n' | wc -l)" -ge 18 ] || bail "cannot read the command table of main.c"
complete "$M "
is "$reply" "$cmds" "the commands are main.c's command table"
globals=$(sed -n '/static const struct option opts/,/};/s/.*{ "\([a-z-]*\)".*/--\1/p' \
	"$src/main.c" | sort | paste -sd'|')
complete "$M --"
is "$reply" "$globals" "the global options are main.c's option table"
complete "$M --config-dir "
like "$compopt_args" "filenames" "--config-dir takes a directory"
complete "$M --json net-info --"
is "$reply" "" "global options are not offered after the command"

# --- each command's options: those of its source file, all accepted ---
# Each cmd-*.c: its commands' options together must be the file's option
# table entries and the "--x" literals it compares arguments with.
for f in "$src"/cmd-*.c; do
	names=$(sed -n 's/^\t\.name = "\([a-z-]*\)",$/\1/p' "$f")
	want=$( (sed -n 's/.*{ "\([a-z-]*\)", [a-z_]*_argument.*/--\1/p' "$f"
		grep -o 'strcmp(argv\[[^]]*\], "--[a-z-]*")' "$f" |
			sed 's/.*"\(--[a-z-]*\)")/\1/') | sort -u | paste -sd'|')
	got=$(for c in $names; do
		complete "$M $c --"
		echo "$reply" | tr '|' '\n'
	done | sed '/^$/d' | sort -u | paste -sd'|')
	is "$got" "$want" "${f##*/}: the options offered for $(echo "$names" | paste -sd' ') are the file's"
done

# A value for each placeholder, and the arguments each command needs, so
# that a run tells an accepted option (any status but 2) from a refused one.
value() {
	case $1 in
	M) echo 52:54:00:12:34:56 ;; N) echo 1500 ;; IF) echo new0 ;;
	'U[:G]') echo root ;; DEV) echo lo ;; FILE) echo "$tmp/none.xml" ;;
	DIR) echo "$tmp/hooks" ;; PATH) echo "$tmp/nohook" ;; MODE) echo bridge ;;
	BRIDGE=DEV) echo br0=eth0 ;; OLD=NEW) echo a=b ;;
	URI) echo test:///default ;; NAME | NETWORK | NET) echo nonet ;;
	*) echo "?$1" ;;
	esac
}
for c in $(echo "$cmds" | tr '|' ' '); do
	mapfile -t usage < <(_macvnet_usage "$M" "$c")
	pos=() unknown=
	for u in "${usage[@]}"; do
		u=${u% ...}
		case $u in
		+*) pos+=("$(value "${u#+}")")
			[ "$(_macvnet_kind arg "${u#+}")" != unknown ] || unknown="$unknown ${u#+}" ;;
		-*' '?*) [ "$(_macvnet_kind opt "${u#* }")" != unknown ] ||
				unknown="$unknown ${u#* }" ;;
		esac
	done
	is "$unknown" "" "$c: the completion knows each placeholder of its usage line"
	# Each option the completion offers, with a value where the usage line
	# gives one; --apply is taken only with --connect.
	complete "$M $c --"
	bad=
	for opt in $(echo "$reply" | tr '|' ' '); do
		p=
		for u in "${usage[@]}"; do
			u=${u% ...}
			[ "${u%% *}" = "-$opt" ] && p=${u#* }
		done
		args=("$opt")
		[ -n "$p" ] && args+=("$(value "$p")")
		[ "$opt" = --apply ] && args+=(--connect test:///default)
		"$M" --wait 0 "$c" "${pos[@]}" "${args[@]}" >/dev/null 2>&1
		[ $? -ne 2 ] || bad="$bad ${args[*]}"
	done
	is "$bad" "" "$c: it accepts every option offered (each with a value where the usage line has one)"
	# Commands without options take "--x" as an operand (a file, a name).
	case "${usage[*]}" in
	-* | *' -'*)
		"$M" --wait 0 "$c" "${pos[@]}" --no-such-option >/dev/null 2>&1
		is "$?" 2 "$c: an option not offered is refused (so the check above can fail)"
		;;
	esac
done

# migrate-ovs --mode: the script's table, each value taken, another refused.
complete "$M migrate-ovs --mode "
is "$reply" "$(words bridge vepa private passthrough)" "migrate-ovs --mode offers the four modes"
bad=
for m in $(echo "$reply" | tr '|' ' '); do
	"$M" migrate-ovs --mode "$m" "$tmp/none.xml" >/dev/null 2>&1
	[ $? -ne 2 ] || bad="$bad $m"
done
is "$bad" "" "migrate-ovs takes each mode offered"
"$M" migrate-ovs --mode default "$tmp/none.xml" >/dev/null 2>&1
is "$?" 2 "migrate-ovs refuses a mode not offered"

# --- network names from the store, as data ---
define() { # NAME DEV [CONFIG-DIR]
	printf '<network>\n  <name>%s</name>\n  <forward mode="bridge">\n    <interface dev="%s"/>\n  </forward>\n</network>\n' \
		"$1" "$2" >"$tmp/def.xml"
	MACVNET_CONFIG_DIR=${3:-$MACVNET_CONFIG_DIR} "$M" net-define "$tmp/def.xml" >/dev/null
}
# shellcheck disable=SC2016 # shell syntax that must never run
hostile='a $(touch pwned) `touch pwned2` b'
quoted='q"\ z'\'
define lan veth0 || bail "net-define lan"
define "$hostile" veth1 || bail "net-define of a name with shell syntax"
define "$quoted" veth1 || bail "net-define of a name with quotes"
complete "$M net-info "
is "$reply" "$(words lan "$hostile" "$quoted")" "net-info offers the defined networks, names exactly as stored"
[ ! -e pwned ] && [ ! -e pwned2 ]
ok $? "a network name is never evaluated"
like "$compopt_args" filenames "a name with special characters is left to readline to quote"
complete "$M net-dumpxml l"
is "$reply" lan "a prefix narrows the names"
complete "$M --json net-autostart l"
is "$reply" lan "global options before the command do not hide the names"
mkdir -p "$tmp/other"
define elsewhere veth0 "$tmp/other/etc" || bail "net-define in another store"
complete "$M --config-dir $tmp/other/etc net-info "
is "$reply" elsewhere "--config-dir DIR on the command line: that store's names"
complete "$M --config-dir=$tmp/other/etc doctor "
is "$reply" elsewhere "--config-dir=DIR on the command line: that store's names"
mkdir -p files/sub
: >files/a.xml
: >files/b.txt
complete "$M validate files/"
is "$reply" "$(words files/a.xml files/sub)" "validate offers XML files and directories"
complete "$M port-create lan --xml files/"
has files/a.xml && ! has files/b.txt
ok $? "port-create --xml offers XML files"

# --- --owner: users, then groups after ':' ---
complete "$M port-create lan --owner roo"
has root
ok $? "--owner offers users"
complete "$M port-create lan --owner root:"
is "$reply" "$(compgen -g | sort -u | paste -sd'|')" "--owner USER: offers every group"
g=$(compgen -g | sed -n 1p)
complete "$M port-create lan --owner root:${g%?}"
has "$g"
ok $? "--owner USER:GR offers the groups, without the part readline keeps"
complete "$M port-create lan --owner=roo"
has root
ok $? "--owner=USER offers users"

# --- in the namespace: states, endpoints, devices ---
if [ -z "$kernel" ]; then
	for d in "net-start offers inactive networks" "net-destroy offers active ones" \
		"port-delete offers endpoints" "--lower offers the devices"; do
		ok 0 "$d # SKIP needs root and network namespaces"
	done
	done_testing
	exit
fi
ip link add veth0 type veth peer name veth1 || bail "no veth"
ip link set veth1 up
"$M" net-start lan >/dev/null || bail "net-start lan"
"$M" port-create lan --name ep0 >/dev/null || bail "port-create"
complete "$M net-start "
is "$reply" "$(words "$hostile" "$quoted")" "net-start offers the inactive networks only"
complete "$M net-destroy "
is "$reply" lan "net-destroy offers the active networks only"
complete "$M port-delete "
is "$reply" ep0 "port-delete offers the endpoints"
complete "$M port-delete ep0 "
is "$reply" ep0 "port-delete offers endpoints for each argument"
complete "$M port-create lan --lower "
is "$reply" "$(words veth0 veth1)" "--lower offers the namespace's devices but lo and endpoints"
complete "$M port-create lan --lower=ve"
is "$reply" "$(words veth0 veth1)" "--lower=DEV offers them too"
complete "$M migrate-ovs --uplink br0=v"
is "$reply" "$(words veth0 veth1)" "--uplink BRIDGE=DEV offers devices after '='"
"$M" net-destroy lan >/dev/null
done_testing
