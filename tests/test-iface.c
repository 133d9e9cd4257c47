/*
 * Domains as the hook and domain-convert read them: a bad value on an
 * interface macvnet does not serve is kept, not refused (the hook must not
 * fail there); a port's MTU below the kernel's minimum for macvtap is
 * refused by mvn_domain_check(); domain-convert refuses what would not
 * validate, sets nothing then, and merges the metadata it finds.
 *
 * And the rules for interfaces, one table row per rule and document of
 * tests/data/domains: where the document is read (validate's schema
 * stage, its checks, the hook, port-create --xml, domain-convert), the
 * errno, the line, the bad value, the fix and the whole message.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "iface.h"
#include "schema.h"

#define DOC "t.xml"

/* Where a document is read, as the programs read it. */
enum stage {
	VALIDATE, /* mvn_schema_validate(): the interface rules, the grammar */
	CHECK, /* mvn_domain_parse() and mvn_domain_check() */
	HOOK, /* the hook: mvn_domain_parse(), checked if it has ports */
	PORT, /* port-create --xml: mvn_iface_parse() */
	CONVERT, /* domain-convert: mvn_domain_convert() to network lan */
};

struct doc_case {
	const char *file; /* tests/data/domains/FILE.xml */
	enum stage stage;
	int code; /* 0 or a negative errno */
	int line;
	const char *value; /* the attribute and its bad value, as quoted */
	const char *fix; /* what the message says to write */
	const char *msg; /* the whole message after "FILE.xml:LINE: " */
};

static const struct doc_case doc_cases[] = {
	/* The seeds' mistake (virt-manager's mode Default), wherever read. */
	{ "direct-mode-default", VALIDATE, -EINVAL, 10, "mode='default'",
	  "leave mode out for vepa",
	  "mode='default' in <source> is not valid (valid: bridge, "
	  "vepa, private, passthrough); leave mode out for vepa, "
	  "libvirt's default" },
	{ "direct-mode-default", CONVERT, -EINVAL, 10, "mode='default'",
	  "leave mode out for vepa",
	  "mode='default' in <source> is not valid (valid: bridge, "
	  "vepa, private, passthrough); leave mode out for vepa, "
	  "libvirt's default" },
	{ "iface-mode-default", PORT, -EINVAL, 3, "mode='default'",
	  "leave mode out for vepa",
	  "mode='default' in <source> is not valid (valid: bridge, "
	  "vepa, private, passthrough); leave mode out for vepa, "
	  "libvirt's default" },
	/* The kernel's name for passthrough, and other typos of a mode. */
	{ "direct-mode-passthru", VALIDATE, -EINVAL, 9, "mode='passthru'",
	  "did you mean mode='passthrough'?",
	  "mode='passthru' in <source> is not valid (valid: bridge, "
	  "vepa, private, passthrough); did you mean "
	  "mode='passthrough'?" },
	{ "iface-mode-passthru", PORT, -EINVAL, 2, "mode='passthru'",
	  "did you mean mode='passthrough'?",
	  "mode='passthru' in <source> is not valid (valid: bridge, "
	  "vepa, private, passthrough); did you mean "
	  "mode='passthrough'?" },
	{ "direct-mode-pass-through", VALIDATE, -EINVAL, 9,
	  "mode='pass-through'", "did you mean mode='passthrough'?",
	  "mode='pass-through' in <source> is not valid (valid: "
	  "bridge, vepa, private, passthrough); did you mean "
	  "mode='passthrough'?" },
	{ "direct-mode-capital", VALIDATE, -EINVAL, 9, "mode='Bridge'",
	  "did you mean mode='bridge'?",
	  "mode='Bridge' in <source> is not valid (valid: bridge, "
	  "vepa, private, passthrough); did you mean mode='bridge'?" },
	{ "direct-modes", VALIDATE, 0, 0, NULL, NULL, NULL },
	{ "direct-modes", CONVERT, 0, 0, NULL, NULL, NULL },
	/* An interface without a type, and types libvirt does not know. */
	{ "no-type", VALIDATE, -EINVAL, 8, "has no type attribute",
	  "write type='network' with <source network='NAME'/>",
	  "<interface> has no type attribute; write type='network' "
	  "with <source network='NAME'/> to join a network, or "
	  "type='direct' with <source dev='DEV'/> for a macvtap on a "
	  "host device" },
	{ "no-type", HOOK, -EINVAL, 8, "has no type attribute",
	  "write type='network' with <source network='NAME'/>",
	  "<interface> has no type attribute; write type='network' "
	  "with <source network='NAME'/> to join a network, or "
	  "type='direct' with <source dev='DEV'/> for a macvtap on a "
	  "host device" },
	{ "no-type-network", VALIDATE, -EINVAL, 8, "<source network='lan'/>",
	  "write <interface type='network'>",
	  "<interface> has no type attribute; with <source "
	  "network='lan'/> write <interface type='network'>" },
	{ "no-type-direct", VALIDATE, -EINVAL, 8, "<source dev='eth1'/>",
	  "write <interface type='direct'>",
	  "<interface> has no type attribute; with <source "
	  "dev='eth1'/> write <interface type='direct'>" },
	{ "no-type-bridge", VALIDATE, -EINVAL, 8, "<source bridge='br0'/>",
	  "write <interface type='bridge'>",
	  "<interface> has no type attribute; with <source "
	  "bridge='br0'/> write <interface type='bridge'>" },
	{ "iface-no-type", PORT, -EINVAL, 1, "<source network='lan'/>",
	  "write <interface type='network'>",
	  "<interface> has no type attribute; with <source "
	  "network='lan'/> write <interface type='network'>" },
	{ "type-macvtap", VALIDATE, -EINVAL, 8, "type='macvtap'",
	  "type='direct' on a host device",
	  "type='macvtap' in <interface> is not valid (valid: "
	  "network, direct, ethernet, bridge, user, vhostuser, "
	  "mcast, client, udp, server, hostdev, vdpa, internal, "
	  "null, vds); a macvtap endpoint is type='direct' on a host "
	  "device or type='network' on a network" },
	{ "type-capital", VALIDATE, -EINVAL, 8, "type='Network'",
	  "did you mean type='network'?",
	  "type='Network' in <interface> is not valid (valid: "
	  "network, direct, ethernet, bridge, user, vhostuser, "
	  "mcast, client, udp, server, hostdev, vdpa, internal, "
	  "null, vds); did you mean type='network'?" },
	{ "domain-no-type", VALIDATE, -EINVAL, 1, "<domain> has no type",
	  "write <domain type='kvm'>",
	  "<domain> has no type attribute; write <domain type='kvm'> "
	  "for QEMU with KVM, type='qemu' without it" },
	{ "domain-type-capital", VALIDATE, -EINVAL, 1, "type='KVM'",
	  "did you mean type='kvm'?",
	  "type='KVM' in <domain> is not valid (valid: kvm, qemu, "
	  "kqemu, xen, lxc, uml, openvz, test, vmware, hyperv, vbox, "
	  "phyp, vz, bhyve, hvf); did you mean type='kvm'?" },
	/* What a type cannot do without. */
	{ "direct-no-source", VALIDATE, -EINVAL, 8, "has no <source dev>",
	  "<source dev='eth0' mode='bridge'/>",
	  "<interface type='direct'> has no <source dev>; name the "
	  "lower device: <source dev='eth0' mode='bridge'/>" },
	{ "direct-source-no-dev", VALIDATE, -EINVAL, 9, "has no <source dev>",
	  "<source dev='eth0' mode='bridge'/>",
	  "<interface type='direct'> has no <source dev>; name the "
	  "lower device: <source dev='eth0' mode='bridge'/>" },
	{ "network-no-source", VALIDATE, -EINVAL, 8, "has no <source network>",
	  "<source network='lan'/>",
	  "<interface type='network'> has no <source network>; name "
	  "the network: <source network='lan'/>" },
	/* Interface names: the kernel's rules, which libvirt leaves to it. */
	{ "direct-source-colon", VALIDATE, -EINVAL, 9,
	  "dev='eth1:0' in <source>", "the kernel refuses ':'",
	  "dev='eth1:0' in <source> cannot name a network interface: "
	  "the kernel refuses ':' in it; rename it (1 to 15 bytes "
	  "without '/', ':', white space or control characters, not "
	  "'.' or '..')" },
	{ "direct-source-colon", CONVERT, -EINVAL, 9,
	  "dev='eth1:0' in <source>", "the kernel refuses ':'",
	  "dev='eth1:0' in <source> cannot name a network interface: "
	  "the kernel refuses ':' in it; rename it (1 to 15 bytes "
	  "without '/', ':', white space or control characters, not "
	  "'.' or '..')" },
	{ "direct-source-16-bytes", VALIDATE, -EINVAL, 9,
	  "dev='enp130s0f0np0abc' in <source>", "the kernel takes at most 15",
	  "dev='enp130s0f0np0abc' in <source> cannot name a network "
	  "interface: it is 16 bytes long, and the kernel takes at "
	  "most 15; rename it (1 to 15 bytes without '/', ':', white "
	  "space or control characters, not '.' or '..')" },
	{ "iface-source-16-bytes", PORT, -EINVAL, 2,
	  "dev='enp130s0f0np0abc' in <source>", "the kernel takes at most 15",
	  "dev='enp130s0f0np0abc' in <source> cannot name a network "
	  "interface: it is 16 bytes long, and the kernel takes at "
	  "most 15; rename it (1 to 15 bytes without '/', ':', white "
	  "space or control characters, not '.' or '..')" },
	{ "direct-source-15-bytes", VALIDATE, 0, 0, NULL, NULL, NULL },
	{ "target-colon", VALIDATE, -EINVAL, 9, "dev='tap:0' in <target>",
	  "the kernel refuses ':'",
	  "dev='tap:0' in <target> cannot name a network interface: "
	  "the kernel refuses ':' in it; rename it (1 to 15 bytes "
	  "without '/', ':', white space or control characters, not "
	  "'.' or '..')" },
	{ "target-colon", HOOK, 0, 0, NULL, NULL, NULL },
	{ "target-dotdot", VALIDATE, -EINVAL, 10, "dev='..' in <target>",
	  "the kernel refuses '.' and '..'",
	  "dev='..' in <target> cannot name a network interface: the "
	  "kernel refuses '.' and '..'; rename it (1 to 15 bytes "
	  "without '/', ':', white space or control characters, not "
	  "'.' or '..')" },
	{ "target-empty", VALIDATE, -EINVAL, 9, "dev='' in <target>",
	  "it is empty",
	  "dev='' in <target> cannot name a network interface: it is "
	  "empty; rename it (1 to 15 bytes without '/', ':', white space "
	  "or control characters, not '.' or '..')" },
	{ "target-16-bytes", VALIDATE, -EINVAL, 10,
	  "dev='web1-eth0-abcdef' in <target>", "the kernel takes at most 15",
	  "dev='web1-eth0-abcdef' in <target> cannot name a network "
	  "interface: it is 16 bytes long, and the kernel takes at "
	  "most 15; rename it (1 to 15 bytes without '/', ':', white "
	  "space or control characters, not '.' or '..')" },
	{ "target-vnet-colon", VALIDATE, 0, 0, NULL, NULL, NULL },
	{ "target-vnet-colon-unmanaged", VALIDATE, -EINVAL, 9,
	  "dev='vnet:0' in <target>", "the kernel refuses ':'",
	  "dev='vnet:0' in <target> cannot name a network interface: "
	  "the kernel refuses ':' in it; rename it (1 to 15 bytes "
	  "without '/', ':', white space or control characters, not "
	  "'.' or '..')" },
	{ "iface-target-colon", PORT, -EINVAL, 3, "dev='mvt:7' in <target>",
	  "the kernel refuses ':'",
	  "dev='mvt:7' in <target> cannot name a network interface: "
	  "the kernel refuses ':' in it; rename it (1 to 15 bytes "
	  "without '/', ':', white space or control characters, not "
	  "'.' or '..')" },
	{ "port-target-colon", CHECK, -EINVAL, 5,
	  "target='web1:0' in <macvnet:port>", "the kernel refuses ':'",
	  "target='web1:0' in <macvnet:port> cannot name a network "
	  "interface: the kernel refuses ':' in it; rename it (1 to "
	  "15 bytes without '/', ':', white space or control "
	  "characters, not '.' or '..')" },
	{ "port-target-16-bytes", CHECK, -EINVAL, 5,
	  "target='web1-eth0-abcdef' in <macvnet:port>",
	  "the kernel takes at most 15",
	  "target='web1-eth0-abcdef' in <macvnet:port> cannot name a "
	  "network interface: it is 16 bytes long, and the kernel "
	  "takes at most 15; rename it (1 to 15 bytes without '/', "
	  "':', white space or control characters, not '.' or '..')" },
	{ "port-target-nbsp", CHECK, -EINVAL, 5,
	  "target='web1\xc2\xa0"
	  "0' in <macvnet:port>",
	  "counts as white space",
	  "target='web1\xc2\xa0"
	  "0' in <macvnet:port> cannot name a network "
	  "interface: it contains the byte 0xa0 (a no-break space, "
	  "or part of a UTF-8 letter), which the kernel counts as "
	  "white space; rename it (1 to 15 bytes without '/', ':', "
	  "white space or control characters, not '.' or '..')" },
	{ "port-network-slash", CHECK, -EINVAL, 5,
	  "network='lan/../x' in <macvnet:port>", "name the network",
	  "network='lan/../x' in <macvnet:port> cannot name a "
	  "macvnet network (a file name: no '/' or control "
	  "characters, not empty, not starting with '.'); name the "
	  "network of the port's endpoint" },
	{ "port-ok", CHECK, 0, 0, NULL, NULL, NULL },
	/* Port groups. */
	{ "network-portgroup", VALIDATE, 0, 0, NULL, NULL, NULL },
	{ "network-portgroup", CONVERT, 0, 0, NULL, NULL, NULL },
	{ "iface-portgroup", PORT, 0, 0, NULL, NULL, NULL },
	{ "network-portgroup-space", VALIDATE, -EINVAL, 9,
	  "portgroup='web servers'", "rename the port group",
	  "portgroup='web servers' in <source> may only have the "
	  "letters A-Z and a-z, digits and _ . : / \\ -; rename the "
	  "port group, in the network and here" },
	{ "iface-portgroup-space", PORT, -EINVAL, 2, "portgroup='web servers'",
	  "rename the port group",
	  "portgroup='web servers' in <source> may only have the "
	  "letters A-Z and a-z, digits and _ . : / \\ -; rename the "
	  "port group, in the network and here" },
	{ "seed-network", VALIDATE, 0, 0, NULL, NULL, NULL },
	/* The other enumerations and numbers of an interface. */
	{ "target-managed-capital", VALIDATE, -EINVAL, 9, "managed='No'",
	  "did you mean managed='no'?",
	  "managed='No' in <target> is not valid (valid: yes, no); "
	  "did you mean managed='no'?" },
	{ "trust-filters-true", VALIDATE, -EINVAL, 8,
	  "trustGuestRxFilters='true'", "(valid: yes, no)",
	  "trustGuestRxFilters='true' in <interface> is not valid "
	  "(valid: yes, no); write one of these" },
	{ "hostdev-managed-true", VALIDATE, -EINVAL, 8, "managed='true'",
	  "(valid: yes, no)",
	  "managed='true' in <interface> is not valid (valid: yes, "
	  "no); write one of these" },
	{ "vhostuser-mode-listen", VALIDATE, -EINVAL, 9, "mode='listen'",
	  "(valid: server, client)",
	  "mode='listen' in <source> is not valid (valid: server, "
	  "client); write one of these" },
	{ "bridge-mactable-case", VALIDATE, -EINVAL, 9,
	  "macTableManager='Libvirt'",
	  "did you mean macTableManager='libvirt'?",
	  "macTableManager='Libvirt' in <source> is not valid "
	  "(valid: kernel, libvirt); did you mean "
	  "macTableManager='libvirt'?" },
	{ "mac-type-fixed", VALIDATE, -EINVAL, 9, "type='fixed'",
	  "(valid: generated, static)",
	  "type='fixed' in <mac> is not valid (valid: generated, "
	  "static); write one of these" },
	{ "mac-check-false", VALIDATE, -EINVAL, 9, "check='false'",
	  "(valid: yes, no)",
	  "check='false' in <mac> is not valid (valid: yes, no); "
	  "write one of these" },
	{ "link-state-on", VALIDATE, -EINVAL, 10, "state='on'",
	  "(valid: up, down)",
	  "state='on' in <link> is not valid (valid: up, down); "
	  "write one of these" },
	{ "mtu-jumbo", VALIDATE, -EINVAL, 10, "size='jumbo'",
	  "such as 1500 or 9000",
	  "size='jumbo' in <mtu> is not a whole number from 0 to "
	  "65535; give the MTU in bytes, such as 1500 or 9000" },
	{ "virtualport-typo", VALIDATE, -EINVAL, 10, "type='802.1qbg'",
	  "did you mean type='802.1Qbg'?",
	  "type='802.1qbg' in <virtualport> is not valid (valid: "
	  "802.1Qbg, 802.1Qbh, openvswitch, midonet); did you mean "
	  "type='802.1Qbg'?" },
	{ "vlan-trunk-true", VALIDATE, -EINVAL, 10, "trunk='true'",
	  "(valid: yes, no)",
	  "trunk='true' in <vlan> is not valid (valid: yes, no); "
	  "write one of these" },
	{ "vlan-tag-4096", VALIDATE, -EINVAL, 11, "id='4096'",
	  "a VLAN id such as 42",
	  "id='4096' in <tag> is not a whole number from 0 to 4095; "
	  "give a VLAN id such as 42" },
	{ "vlan-native-typo", VALIDATE, -EINVAL, 11, "nativeMode='untaged'",
	  "did you mean nativeMode='untagged'?",
	  "nativeMode='untaged' in <tag> is not valid (valid: "
	  "tagged, untagged); did you mean nativeMode='untagged'?" },
};

#define NDOCS (sizeof(doc_cases) / sizeof(doc_cases[0]))

static const char *const stage_names[] = { "validate", "check", "hook",
					   "port-create", "domain-convert" };

static struct mvn_schema *schema;

/* The text of tests/data/domains/file.xml (caller frees). */
static char *read_doc(const char *file, size_t *len)
{
	char path[512], *text;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/data/domains/%s.xml", TESTS_SRCDIR,
		 file);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return text;
}

/* Read text (named name) at the case's stage. */
static int read_at(const struct doc_case *c, const char *text, size_t len,
		   const char *name, struct mvn_error *err)
{
	struct mvn_domain *d = NULL;
	struct mvn_iface *i = NULL;
	const char *kind = NULL;
	char *out = NULL;
	int ret;

	switch (c->stage) {
	case VALIDATE:
		return mvn_schema_validate(schema, text, len, name, &kind, err);
	case PORT:
		ret = mvn_iface_parse(text, len, name, &i, err);
		mvn_iface_free(i);
		return ret;
	case CONVERT:
		ret = mvn_domain_convert(text, len, name, "lan", &out, err);
		if ((ret == 0) != (out != NULL))
			ret = -EFAULT;
		free(out);
		return ret;
	default:
		break;
	}
	ret = mvn_domain_parse(text, len, name, &d, err);
	if (ret == 0 && (c->stage == CHECK || d->nports))
		ret = mvn_domain_check(d, name, err);
	mvn_domain_free(d);
	return ret;
}

static void test_doc(void **state)
{
	const struct doc_case *c = *state;
	struct mvn_error err = { 0 };
	char name[96], want[600];
	size_t len;
	char *text = read_doc(c->file, &len);
	int ret;

	snprintf(name, sizeof(name), "%s.xml", c->file);
	ret = read_at(c, text, len, name, &err);
	free(text);
	if (ret != c->code)
		fail_msg("returned %d, expected %d: %s", ret, c->code, err.msg);
	assert_int_equal(err.code, c->code);
	if (!c->code) {
		assert_string_equal(err.msg, "");
		return;
	}
	if (err.line != c->line)
		fail_msg("error on line %d, expected %d: %s", err.line, c->line,
			 err.msg);
	if (!strstr(err.msg, c->value))
		fail_msg("message lacks the value \"%s\": %s", c->value,
			 err.msg);
	if (!strstr(err.msg, c->fix))
		fail_msg("message lacks the fix \"%s\": %s", c->fix, err.msg);
	snprintf(want, sizeof(want), "%s:%d: %s", name, c->line, c->msg);
	assert_string_equal(err.msg, want);
}

static int open_schema(void **state)
{
	const char *dir = getenv("MACVNET_SCHEMA_DIR");

	(void)state;
	return mvn_schema_open(dir ? dir : TESTS_SRCDIR "/../schemas", &schema,
			       NULL);
}

static int free_schema(void **state)
{
	(void)state;
	mvn_schema_free(schema);
	return 0;
}

/* A domain with one port, p0, whose interface carries IFACE_EXTRA. */
#define PORT_DOMAIN(extra)                                     \
	"<domain type='kvm'>\n"                                \
	"  <name>vm1</name>\n"                                 \
	"  <metadata>\n"                                       \
	"    <macvnet:domain xmlns:macvnet='urn:macvnet:1'>\n" \
	"      <macvnet:port target='p0' network='lan'/>\n"    \
	"    </macvnet:domain>\n"                              \
	"  </metadata>\n"                                      \
	"  <devices>\n"                                        \
	"    <interface type='ethernet'>\n"                    \
	"      <target dev='p0' managed='no'/>" extra "\n"     \
	"    </interface>\n"                                   \
	"    <interface type='bridge'>\n"                      \
	"      <source bridge='br0'/><mtu size='abc'/>\n"      \
	"    </interface>\n"                                   \
	"  </devices>\n"                                       \
	"</domain>\n"

/* Parse and check text; return the check's code, with its error. */
static int parse_check(const char *text, struct mvn_error *err)
{
	struct mvn_domain *d = NULL;
	int ret = mvn_domain_parse(text, strlen(text), DOC, &d, err);

	if (ret == 0)
		ret = mvn_domain_check(d, DOC, err);
	mvn_domain_free(d);
	return ret;
}

/* A bad MTU on an interface that is no port is kept, not refused. */
static void test_other_mtu_kept(void **state)
{
	struct mvn_error err = { 0 };

	(void)state;
	assert_int_equal(parse_check(PORT_DOMAIN("<mtu size='68'/>"), &err), 0);
}

static void test_port_mtu_below_minimum(void **state)
{
	struct mvn_error err = { 0 };

	(void)state;
	assert_int_equal(parse_check(PORT_DOMAIN("<mtu size='67'/>"), &err),
			 -EINVAL);
	assert_int_equal(err.line, 9);
	assert_non_null(strstr(err.msg, "MTU 67 is below the minimum 68"));
}

static void test_port_mtu_not_a_number(void **state)
{
	struct mvn_error err = { 0 };

	(void)state;
	assert_int_equal(parse_check(PORT_DOMAIN("<mtu size='1e3'/>"), &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "MTU '1e3' is not a whole number"));
}

/* A standalone <interface> (port-create --xml) is refused at once. */
static void test_iface_bad_mtu(void **state)
{
	static const char xml[] = "<interface type='network'><source "
				  "network='lan'/><mtu size='99999'/>"
				  "</interface>";
	struct mvn_error err = { 0 };
	struct mvn_iface *i = NULL;

	(void)state;
	assert_int_equal(mvn_iface_parse(xml, strlen(xml), DOC, &i, &err),
			 -EINVAL);
	assert_null(i);
	assert_non_null(strstr(err.msg, "'99999'"));
}

/* The full name and the UUID are kept, for the hook's owner tag. */
static void test_identity_kept(void **state)
{
	static const char name[] = "a-domain-name-well-beyond-fifty-characters"
				   "-and-then-some-more";
	char xml[512];
	struct mvn_domain *d = NULL;

	(void)state;
	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>%s</name><uuid>c7a5fdbd-edaf-9455-"
		 "926a-d65c16db1809</uuid></domain>",
		 name);
	assert_int_equal(mvn_domain_parse(xml, strlen(xml), DOC, &d, NULL), 0);
	assert_string_equal(d->name, name);
	assert_true(d->has_uuid);
	assert_int_equal(d->uuid[0], 0xc7);
	mvn_domain_free(d);
}

static void test_bad_uuid(void **state)
{
	static const char xml[] = "<domain type='kvm'><name>a</name>\n"
				  "<uuid>zzz</uuid></domain>";
	struct mvn_error err = { 0 };

	(void)state;
	assert_int_equal(parse_check(xml, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "UUID 'zzz' is malformed"));
}

static void test_convert_refuses(void **state)
{
	static const char xml[] =
		"<domain type='kvm'><name>a</name><devices>\n"
		"<interface type='network'><source network='x'/>"
		"<target dev='t0'/></interface>\n"
		"<interface type='direct'><source dev='eth0'/>"
		"<target dev='t0'/></interface>\n"
		"</devices></domain>";
	struct mvn_error err = { 0 };
	char *out = NULL;

	(void)state;
	assert_int_equal(mvn_domain_convert(xml, strlen(xml), DOC, "lan", &out,
					    &err),
			 -EINVAL);
	assert_null(out);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "interface 1: target 't0' is used "
					"twice (also by interface 2)"));
}

/* Ports already in the input are kept, in one <macvnet:domain>. */
static void test_convert_merges(void **state)
{
	static const char xml[] =
		"<domain type='kvm'><name>a</name><metadata>"
		"<macvnet:port xmlns:macvnet='urn:macvnet:1' target='e0' "
		"network='wan'/>"
		"<macvnet:domain xmlns:macvnet='urn:macvnet:1'/>"
		"</metadata><devices>"
		"<interface type='ethernet'><target dev='e0' managed='no'/>"
		"</interface>"
		"<interface type='network'><source network='x'/></interface>"
		"</devices></domain>";
	struct mvn_domain *d = NULL;
	char *out = NULL, *first;

	(void)state;
	assert_int_equal(mvn_domain_convert(xml, strlen(xml), DOC, "lan", &out,
					    NULL),
			 0);
	first = strstr(out, "<macvnet:domain");
	assert_non_null(first);
	assert_null(strstr(first + 1, "<macvnet:domain"));
	assert_int_equal(mvn_domain_parse(out, strlen(out), DOC, &d, NULL), 0);
	assert_int_equal(d->nports, 2);
	assert_string_equal(d->ports[0].target, "e0");
	assert_string_equal(d->ports[0].network, "wan");
	assert_string_equal(d->ports[1].target, "a-eth0");
	assert_string_equal(d->ports[1].network, "lan");
	assert_int_equal(mvn_domain_check(d, DOC, NULL), 0);
	mvn_domain_free(d);
	free(out);
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_other_mtu_kept),
		cmocka_unit_test(test_port_mtu_below_minimum),
		cmocka_unit_test(test_port_mtu_not_a_number),
		cmocka_unit_test(test_iface_bad_mtu),
		cmocka_unit_test(test_identity_kept),
		cmocka_unit_test(test_bad_uuid),
		cmocka_unit_test(test_convert_refuses),
		cmocka_unit_test(test_convert_merges),
	};
	const size_t nfixed = sizeof(fixed) / sizeof(fixed[0]);
	static char names[NDOCS][96];
	struct CMUnitTest *tests;
	size_t i;
	int ret;

	cmocka_set_message_output(CM_OUTPUT_TAP);
	tests = calloc(nfixed + NDOCS, sizeof(*tests));
	if (!tests)
		return 1;
	for (i = 0; i < nfixed; i++)
		tests[i] = fixed[i];
	for (i = 0; i < NDOCS; i++) {
		struct CMUnitTest *t = &tests[nfixed + i];

		snprintf(names[i], sizeof(names[i]), "%s: %s",
			 stage_names[doc_cases[i].stage], doc_cases[i].file);
		t->name = names[i];
		t->test_func = test_doc;
		t->initial_state = (void *)&doc_cases[i];
	}
	ret = _cmocka_run_group_tests("iface", tests, nfixed + NDOCS,
				      open_schema, free_schema);
	free(tests);
	xmlCleanupParser();
	return ret;
}
