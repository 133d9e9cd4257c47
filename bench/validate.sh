#!/bin/sh
# Time validating network documents: macvnet validate (one process for all
# files, and one process per file) next to libvirt's virt-xml-validate (one
# process per file, as it takes one document).  Prints the figures side by
# side.  Usage: bench/validate.sh [FILE...] (default: the test corpus and
# libvirt's conformance inputs).
set -eu
. "$(dirname "$0")/lib.sh"
conf=${CONFORMANCE_DIR:-$top/../shared/conformance/libvirt-9.0}
[ $# -gt 0 ] || set -- "$top"/tests/data/network/in/*.xml "$conf"/network/in/*.xml
rounds=${ROUNDS:-5}

ms() { awk -v a="$1" -v b="$2" -v r="$rounds" 'BEGIN { printf "%.1f", (b - a) / 1e6 / r }'; }

t0=$(now)
i=0
while [ $i -lt "$rounds" ]; do "$M" validate "$@" >/dev/null 2>&1 || true; i=$((i + 1)); done
t1=$(now)
i=0
while [ $i -lt "$rounds" ]; do
	for f in "$@"; do "$M" validate "$f" >/dev/null 2>&1 || true; done
	i=$((i + 1))
done
t2=$(now)
printf "%-44s %8s\n" "documents" "$#"
printf '%-44s %8s ms\n' "macvnet validate, one process" "$(ms "$t0" "$t1")"
printf '%-44s %8s ms\n' "macvnet validate, one process per file" "$(ms "$t1" "$t2")"
if command -v virt-xml-validate >/dev/null; then
	t3=$(now)
	i=0
	while [ $i -lt "$rounds" ]; do
		for f in "$@"; do virt-xml-validate "$f" network >/dev/null 2>&1 || true; done
		i=$((i + 1))
	done
	t4=$(now)
	printf '%-44s %8s ms\n' "virt-xml-validate, one process per file" "$(ms "$t3" "$t4")"
else
	echo "virt-xml-validate not found (apt-get install libvirt-clients)"
fi
