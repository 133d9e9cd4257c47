/*
 * Parser and formatter of network documents: libvirt's golden files (every
 * out/ file must come back byte for byte from its in/ twin, and be a fixed
 * point itself), generated from the folders so new files are picked up,
 * and the model's behaviour on specific inputs.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "network.h"
#include "util.h"

struct golden {
	char *in;
	char *out;
};

static char *slurp(const char *path)
{
	char *text = NULL;

	if (mvn_file_read(path, 1 << 20, &text, NULL) < 0)
		fail_msg("cannot read %s", path);
	return text;
}

static char *reformat(const char *path)
{
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 };
	char *s;

	if (mvn_network_parse_file(path, &net, &err) < 0)
		fail_msg("%s does not parse: %s", path, err.msg);
	s = mvn_network_format(net);
	mvn_network_free(net);
	assert_non_null(s);
	return s;
}

static void test_golden(void **state)
{
	const struct golden *g = *state;
	char *want = slurp(g->out);
	char *got = reformat(g->in);
	char *again = reformat(g->out);

	assert_string_equal(got, want);
	assert_string_equal(again, want);
	free(want);
	free(got);
	free(again);
}

static struct mvn_network *parse(const char *xml, struct mvn_error *err)
{
	struct mvn_network *net = NULL;

	if (mvn_network_parse(xml, strlen(xml), "t.xml", &net, err) < 0)
		return NULL;
	return net;
}

static char *roundtrip(const char *xml)
{
	struct mvn_error err = { 0 };
	struct mvn_network *net = parse(xml, &err);
	char *s;

	if (!net)
		fail_msg("does not parse: %s", err.msg);
	s = mvn_network_format(net);
	mvn_network_free(net);
	return s;
}

static void test_macvtap_model(void **state)
{
	static const char xml[] = "<network>\n"
				  "  <name>lan</name>\n"
				  "  <forward mode='passthrough' dev='eth1'>\n"
				  "    <interface dev='eth1'/>\n"
				  "    <interface dev='eth2'/>\n"
				  "  </forward>\n"
				  "</network>\n";
	struct mvn_error err = { 0 };
	struct mvn_network *net = parse(xml, &err);

	(void)state;
	assert_non_null(net);
	assert_string_equal(net->name, "lan");
	assert_int_equal(net->forward.mode, MVN_FWD_PASSTHROUGH);
	assert_true(mvn_fwd_mode_is_macvtap(net->forward.mode));
	assert_int_equal(net->forward.nifaces, 2);
	assert_string_equal(net->forward.ifaces[1].dev, "eth2");
	assert_int_equal(net->forward.ifaces[1].line, 5);
	/* No <uuid>: one is made, random version 4. */
	assert_true(net->has_uuid);
	assert_true(net->uuid_generated);
	assert_int_equal(net->uuid[6] >> 4, 4);
	mvn_network_free(net);
}

static void test_forward_dev_becomes_pool(void **state)
{
	char *s = roundtrip("<network><name>v</name>"
			    "<uuid>81ff0d90-c91e-6742-64da-4a736edb9a8f</uuid>"
			    "<forward mode='vepa' dev='eth3'/></network>");

	(void)state;
	assert_string_equal(
		s, "<network>\n"
		   "  <name>v</name>\n"
		   "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a8f</uuid>\n"
		   "  <forward dev='eth3' mode='vepa'>\n"
		   "    <interface dev='eth3'/>\n"
		   "  </forward>\n"
		   "</network>\n");
	free(s);
}

static void test_metadata_gathered(void **state)
{
	static const char xml[] =
		"<network xmlns:mv='urn:macvnet:1'>"
		"<name>lan</name>"
		"<uuid>81ff0d90c91e674264da4a736edb9a8f</uuid>"
		"<forward mode='bridge'><interface dev='veth0'/></forward>"
		"<metadata>\n"
		"  <a:x xmlns:a='urn:a'>one</a:x>\n"
		"  <mv:port name='mvt0' mac='52:54:00:00:00:01' owner='alice'"
		" group='kvm' mode='0660'/>\n"
		"  <plain/>\n"
		"  <a:y xmlns:a='urn:a'>dropped like libvirt does</a:y>\n"
		"  <mv:host name='mvhost0' address='198.51.100.1/24'/>\n"
		"  <mv:port name='mvt1'/>\n"
		"</metadata></network>";
	struct mvn_error err = { 0 };
	struct mvn_network *net = parse(xml, &err);
	char *s, *again;

	(void)state;
	assert_non_null(net);
	assert_int_equal(net->nports, 2);
	assert_string_equal(net->ports[0].name, "mvt0");
	assert_string_equal(net->ports[0].mac, "52:54:00:00:00:01");
	assert_string_equal(net->ports[0].owner, "alice");
	assert_string_equal(net->ports[0].group, "kvm");
	assert_string_equal(net->ports[0].mode, "0660");
	assert_string_equal(net->ports[1].name, "mvt1");
	assert_true(net->host.present);
	assert_string_equal(net->host.address, "198.51.100.1/24");
	s = mvn_network_format(net);
	mvn_network_free(net);
	assert_string_equal(
		s, "<network>\n"
		   "  <name>lan</name>\n"
		   "  <uuid>81ff0d90-c91e-6742-64da-4a736edb9a8f</uuid>\n"
		   "  <metadata xmlns:mv=\"urn:macvnet:1\">\n"
		   "    <a:x xmlns:a=\"urn:a\">one</a:x>\n"
		   "    <mv:network xmlns:mv=\"urn:macvnet:1\">\n"
		   "      <mv:port name=\"mvt0\" mac=\"52:54:00:00:00:01\" "
		   "owner=\"alice\" group=\"kvm\" mode=\"0660\"/>\n"
		   "      <mv:host name=\"mvhost0\" "
		   "address=\"198.51.100.1/24\"/>\n"
		   "      <mv:port name=\"mvt1\"/>\n"
		   "    </mv:network>\n"
		   "  </metadata>\n"
		   "  <forward dev='veth0' mode='bridge'>\n"
		   "    <interface dev='veth0'/>\n"
		   "  </forward>\n"
		   "</network>\n");
	/* The gathered form reads back to the same model and text. */
	again = roundtrip(s);
	assert_string_equal(again, s);
	free(s);
	free(again);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *xml;
		int line;
		const char *needle;
	} cases[] = {
		{ "<network>\n<name>a</name>\n<forward mode='default'/>"
		  "</network>",
		  3, "'default'" },
		{ "<network>\n<name>a</name>\n<forward mode='default'/>"
		  "</network>",
		  3, "bridge, vepa, private or passthrough" },
		{ "<network>\n<name>a</name>\n<name>b</name></network>", 3,
		  "<name> is given twice" },
		{ "<network>\n<name>a</name>\n<frobnicate/></network>", 3,
		  "unknown element <frobnicate>" },
		{ "<network>\n<name>a</name>\n<mac address='52:54:00:zz:00:01'/>"
		  "</network>",
		  3, "'52:54:00:zz:00:01' is malformed" },
		{ "<network>\n<forward mode='bridge'/></network>", 1,
		  "no <name>" },
		{ "<domain>\n<name>a</name></domain>", 1, "not <network>" },
		{ "<network>\n<name>a</name>\n<uuid>1234</uuid></network>", 3,
		  "uuid '1234' is malformed" },
		{ "<network>\n<name>a</name>\n<vlan><tag id='4096'/></vlan>"
		  "</network>",
		  3, "from 0 to 4095" },
		{ "<network>\n<name>a</name>\n<portgroup/></network>", 3,
		  "needs a name" },
		{ "<network>\n<name>a</name>\n<forward><pf dev='a'/>"
		  "<pf dev='b'/></forward></network>",
		  3, "only one <pf>" },
		{ "<network>\n<name>a</name>\n</netwrk>", 3,
		  "not well-formed" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mvn_error err = { 0 };
		struct mvn_network *net = parse(cases[i].xml, &err);

		if (net)
			fail_msg("case %zu parsed but should not", i);
		assert_int_equal(err.code, -EINVAL);
		assert_int_equal(err.line, cases[i].line);
		if (!strstr(err.msg, cases[i].needle))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg,
				 cases[i].needle);
	}
}

static void test_unsafe_xml(void **state)
{
	static const char *const docs[] = {
		"<!DOCTYPE network [<!ENTITY a 'aaaaaaaa'>"
		"<!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;'>]>"
		"<network><name>&b;</name></network>",
		"<!DOCTYPE network [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
		"<network><name>&x;</name></network>",
		"<!DOCTYPE network SYSTEM 'http://192.0.2.1/x.dtd'>"
		"<network><name>a</name></network>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct mvn_error err = { 0 };

		assert_null(parse(docs[i], &err));
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.msg, "DOCTYPE"));
	}
}

static void test_too_large(void **state)
{
	size_t n = (1 << 20) + 1;
	char *big = malloc(n + 1);
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 };

	(void)state;
	assert_non_null(big);
	memset(big, ' ', n);
	big[n] = '\0';
	memcpy(big, "<network>", 9);
	assert_int_equal(mvn_network_parse(big, n, "big.xml", &net, &err),
			 -EFBIG);
	assert_null(net);
	assert_non_null(strstr(err.msg, "1 MiB"));
	free(big);
}

static void test_escaping(void **state)
{
	char *s =
		roundtrip("<network><name>a&amp;b &lt;c&gt; 'q'</name>"
			  "<uuid>81ff0d90-c91e-6742-64da-4a736edb9a8f</uuid>"
			  "<forward mode='bridge'><interface dev='eth&apos;0'/>"
			  "</forward></network>");

	(void)state;
	assert_non_null(strstr(s, "<name>a&amp;b &lt;c&gt; &apos;q&apos;"
				  "</name>"));
	assert_non_null(strstr(s, "dev='eth&apos;0'"));
	free(s);
}

/* One golden test per out/ file of each folder that has in/ and out/. */
static size_t add_golden(struct CMUnitTest **tests, size_t n, const char *dir,
			 const char *label)
{
	char path[4096];
	struct dirent **ents = NULL;
	int count, i;

	snprintf(path, sizeof(path), "%s/out", dir);
	count = scandir(path, &ents, NULL, alphasort);
	for (i = 0; i < count; i++) {
		const char *f = ents[i]->d_name;
		size_t len = strlen(f);
		struct golden *g;
		struct CMUnitTest *t;
		char *name;

		if (len < 5 || strcmp(f + len - 4, ".xml")) {
			free(ents[i]);
			continue;
		}
		g = calloc(1, sizeof(*g));
		t = realloc(*tests, (n + 1) * sizeof(**tests));
		assert_non_null(g);
		assert_non_null(t);
		*tests = t;
		if (asprintf(&g->in, "%s/in/%s", dir, f) < 0 ||
		    asprintf(&g->out, "%s/macvnet-out/%s", dir, f) < 0 ||
		    asprintf(&name, "%s %.*s", label, (int)(len - 4), f) < 0)
			abort();
		/*
		 * Where macvnet deliberately prints something else than
		 * libvirt (DEVIATIONS.tsv), macvnet-out/ holds its form.
		 */
		if (access(g->out, F_OK) != 0) {
			free(g->out);
			if (asprintf(&g->out, "%s/out/%s", dir, f) < 0)
				abort();
		}
		memset(&t[n], 0, sizeof(t[n]));
		t[n].name = name;
		t[n].test_func = test_golden;
		t[n].initial_state = g;
		n++;
		free(ents[i]);
	}
	free(ents);
	return n;
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_macvtap_model),
		cmocka_unit_test(test_forward_dev_becomes_pool),
		cmocka_unit_test(test_metadata_gathered),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_unsafe_xml),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_escaping),
	};
	const char *conf = getenv("CONFORMANCE_DIR");
	struct CMUnitTest *tests = NULL;
	char dir[4096];
	size_t n = 0, i;
	int ret;

	cmocka_set_message_output(CM_OUTPUT_TAP);
	tests = calloc(sizeof(fixed) / sizeof(fixed[0]), sizeof(*tests));
	assert_non_null(tests);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	if (!conf)
		conf = TESTS_SRCDIR "/../../shared/conformance/libvirt-9.0";
	snprintf(dir, sizeof(dir), "%s/network", conf);
	n = add_golden(&tests, n, dir, "libvirt-9.0");
	n = add_golden(&tests, n, TESTS_SRCDIR "/data/network", "corpus");
	if (n < sizeof(fixed) / sizeof(fixed[0]) + 42) {
		fprintf(stderr, "no golden files found under %s\n", dir);
		return 1;
	}
	ret = _cmocka_run_group_tests("network", tests, n, NULL, NULL);
	for (i = sizeof(fixed) / sizeof(fixed[0]); i < n; i++) {
		struct golden *g = (struct golden *)tests[i].initial_state;

		free((char *)tests[i].name);
		free(g->in);
		free(g->out);
		free(g);
	}
	free(tests);
	xmlCleanupParser();
	return ret;
}
