/*
 * Domains as the hook and domain-convert read them: a bad value on an
 * interface macvnet does not serve is kept, not refused (the hook must not
 * fail there); a port's MTU below the kernel's minimum for macvtap is
 * refused by mvn_domain_check(); domain-convert refuses what would not
 * validate, sets nothing then, and merges the metadata it finds.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "iface.h"

#define DOC "t.xml"

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
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other_mtu_kept),
		cmocka_unit_test(test_port_mtu_below_minimum),
		cmocka_unit_test(test_port_mtu_not_a_number),
		cmocka_unit_test(test_iface_bad_mtu),
		cmocka_unit_test(test_identity_kept),
		cmocka_unit_test(test_bad_uuid),
		cmocka_unit_test(test_convert_refuses),
		cmocka_unit_test(test_convert_merges),
	};
	int ret;

	cmocka_set_message_output(CM_OUTPUT_TAP);
	ret = cmocka_run_group_tests_name("iface", tests, NULL, NULL);
	xmlCleanupParser();
	return ret;
}
