#!/bin/sh
# The demo: validate the example networks, show what a mistake looks like,
# then define, list, print and remove a network in a temporary store.  It
# runs in a private network namespace and touches nothing of the host.
set -u
M=$1
top=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MACVNET_SCHEMA_DIR="$top/schemas" MACVNET_CONFIG_DIR="$tmp/etc" \
	MACVNET_RUN_DIR="$tmp/run"

step() { printf "\n$ %s\n" "$*"; "$@" 2>&1; }

step "$M" validate "$top"/data/networks/*.xml
printf '<network>\n  <name>lan</name>\n  <forward mode="default">\n    <interface dev="eth0"/>\n  </forward>\n</network>\n' >"$tmp/mistake.xml"
printf '\n# a mistake the seeds ran into: mode="default"\n'
step "$M" validate "$tmp/mistake.xml"
step "$M" net-define "$top/data/networks/lan.xml"
step "$M" net-list --all
step "$M" net-dumpxml lan
step "$M" net-undefine lan
printf '\nThe demo used a temporary store and a private network namespace.\n'
