# Domains and the seed notes' Open vSwitch example, as files for the tests:
# source it, then call seed_ovs DIR to get DIR/ovs-bridge-eth1.xml (the
# network) and DIR/VM0.xml (a domain around the notes' <devices>).  Read
# from the notes beside the checkout; bails out when they no longer hold the
# example.  domain_xml makes any other domain the tests need.

# domain_xml TYPE NAME: on standard output, a domain of TYPE (qemu, or test
# for libvirt's test driver) called NAME whose <devices> element is read
# from standard input (the six lines before it never change, so a test can
# name lines of the result).
domain_xml() {
	printf "<domain type='%s'>\n  <name>%s</name>\n  <memory>131072</memory>\n" "$1" "$2"
	printf "  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n"
	cat
	printf "</domain>\n"
}

seed_ovs() {
	seed=${CONFORMANCE_DIR:?}/../../seeds/000_1d16796a9c30f0fa.txt
	[ -r "$seed" ] || bail "the seed notes are not at $seed"
	awk '/<network>/ { buf = ""; on = 1 } on { buf = buf $0 "\n" }
	     /<\/network>/ { on = 0; if (buf ~ /ovs-bridge-eth1/) printf "%s", buf }' \
		"$seed" >"$1/ovs-bridge-eth1.xml"
	sed -n '/^<devices>/,/^<\/devices>/p' "$seed" | grep -v '^\.\.\.' |
		domain_xml qemu VM0 >"$1/VM0.xml"
	grep -q "<name>ovs-bridge-eth1</name>" "$1/ovs-bridge-eth1.xml" &&
		grep -q "52:54:00:0a:8a:c1" "$1/VM0.xml" ||
		bail "the seed notes no longer hold the ovs-bridge-eth1 example"
}
