/*
 * The reader of plain XML (src/xmlmini.c) against libxml2: every document
 * it reads must give the tree libxml2 gives (names, namespaces, attributes,
 * text, comments, element lines), and what it is not sure of it must leave
 * to libxml2.  Run over hand-made documents and over every XML file of the
 * conformance data, the tests' data and the examples.
 */
#include "config.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util.h"
#include "xml.h"
#include "xmlsame.h"

/*
 * text as both read it: true when the plain reader took it (and then the
 * trees must match), false when it left it to libxml2.
 */
static bool check_doc(const char *text, size_t len, const char *what)
{
	struct mvn_error err = { 0 };
	xmlDocPtr mini = NULL, full = NULL;
	int rm, rf;

	rm = mvn_xml_mini_parse(text, len, &mini);
	rf = mvn_xml_parse(text, len, what, &full, &err);
	if (rm == 0) {
		if (rf < 0)
			fail_msg("%s: the plain reader took what libxml2 "
				 "refuses: %s",
				 what, err.msg);
		assert_true(mvn_xml_is_mini(mini));
		assert_false(mvn_xml_is_mini(full));
		if (!same_nodes(mini->children, full->children))
			fail_msg("%s: the trees differ: %s", what,
				 xml_same_where);
	}
	mvn_xml_mini_free(mini);
	mvn_xml_doc_free(full);
	return rm == 0;
}

static bool check_str(const char *text)
{
	return check_doc(text, strlen(text), text);
}

/* Plain XML of every kind the reader knows: taken, and the same tree. */
static void test_taken(void **state)
{
	static const char *const docs[] = {
		"<a/>",
		"<a></a>",
		"<?xml version='1.0'?><a/>",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>\n",
		"<?xml version='1.0' encoding='utf-8' standalone='yes'?><a/>",
		"<!-- before --><a/><!-- after -->\n",
		"<a\n  x='1\n2'\n\ty=\"&#10;z\">\n  <b/>text&amp;<![CDATA[<c>&]]>"
		"more<!--c-->\n<c\n/></a>\n",
		"<a x='&lt;&gt;&amp;&apos;&quot;' y='&#65;&#x42;&#x10FFFF;'/>",
		"<a>\u00e9t\u00e9 \u65e5\u672c &#233;</a>",
		"<a xmlns='urn:d'><b xmlns:p='urn:p' p:x='1'><p:c/></b></a>",
		"<domain type='qemu'><metadata><m:d xmlns:m='urn:macvnet:1'>"
		"<m:port target='t0' network='lan'/></m:d></metadata></domain>",
		"<a><b><c><d>deep</d></c></b></a>",
		"<a>  </a>",
		"<a x=''/>",
		"<a>]</a>",
		"<a>]]</a>",
		"<a>&gt;]]&gt;</a>",
		"<a><![CDATA[]]></a>",
		"<a><![CDATA[]]><b/></a>",
		"<a><b/><![CDATA[]]></a>",
		"<a><!--c--><![CDATA[]]></a>",
		"<a>x<![CDATA[]]>y</a>",
		"<a><![CDATA[]]><![CDATA[]]></a>",
		"<a y='' z='&#38;&amp;'/>",
		"<a xmlns:p='http://h:65535/'/>",
		"<a xmlns:p='urn:1' xmlns:q='urn:2' p:x='1' q:y='2'/>",
		"<a xmlns:p='http://libvirt.org/schemas/domain/qemu/1.0'/>",
		"<a xmlns:p='http://example.org:8080/a-b/c_d.e~f'/>",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (!check_str(docs[i]))
			fail_msg("not taken: %s", docs[i]);
}

/* What the reader must leave to libxml2 (a few of them well formed). */
static void test_left(void **state)
{
	static const char *const docs[] = {
		"",
		"   ",
		"<a>",
		"<a></b>",
		"<a/><b/>",
		"text<a/>",
		"<a/>text",
		"<!DOCTYPE a><a/>",
		"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
		"<?pi x?><a/>",
		"<a><?pi x?></a>",
		" <?xml version='1.0'?><a/>",
		"<?xml version='1.1'?><a/>",
		"<?xml version='1.0' encoding='ISO-8859-1'?><a/>",
		"<?xml encoding='UTF-8'?><a/>",
		"<?xml-stylesheet href='x'?><a/>",
		"\xef\xbb\xbf<a/>",
		"<a>\r\n</a>",
		"<a x='1' x='2'/>",
		"<a x='1'y='2'/>",
		"<a x=1/>",
		"<a x='<'/>",
		"<a>&nbsp;</a>",
		"<a>&#0;</a>",
		"<a>&#xD800;</a>",
		"<a>&#x110000;</a>",
		"<a>&#;</a>",
		"<a>]]></a>",
		"<a><!-- a -- b --></a>",
		"<a><!-- a ---></a>",
		"<p:a/>",
		"<a p:x='1'/>",
		"<a xmlns:p=''/>",
		"<a xmlns=''/>",
		"<a xml:lang='en'/>",
		"<xmlns:a/>",
		"<a xmlns:p='urn:1' xmlns:q='urn:1' p:x='1' q:x='2'/>",
		"<a:b:c/>",
		"<a xmlns:p='ur-->n:x'/>",
		"<a xmlns:p='http://a:b/'/>",
		"<a xmlns:p='relative/path'/>",
		"<a xmlns:p='urn:x y'/>",
		"<a xmlns:p='urn:%41'/>",
		"<a xmlns:p='http://www.w3.org/XML/1998/namespace'/>",
		"<a xmlns:p='http://h:2147483648/'/>",
		"<a xmlns:p='http://h:4294967295'/>",
		"<?xml version='1&#46;0'?><a/>",
		"<?xml version='1.0' encoding='UTF&#45;8'?><a/>",
		"<?xml version='1.0' standalone='y&#101;s'?><a/>",
		"<a xmlns='http://www.w3.org/2000/xmlns/'/>",
		"<\xc3\xa9/>",
		"<a>\xff</a>",
		"<a>\xc0\xaf</a>",
		"<a>\xed\xa0\x80</a>",
		"<a>\x01</a>",
		"<a><![CDATA[x</a>",
		"<a>x",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		if (check_str(docs[i]))
			fail_msg("taken: %s", docs[i]);
}

/* Near macvnet's limits, libxml2 (and mvn_xml_parse()) judge. */
/* unit, n times, added to b. */
static void repeat(struct mvn_buf *b, const char *unit, int n)
{
	int i;

	for (i = 0; i < n; i++)
		mvn_buf_printf(b, "%s", unit);
}

/* The document in b (emptied) must be left to libxml2. */
static void assert_left(struct mvn_buf *b)
{
	char *s = mvn_buf_steal(b);

	assert_non_null(s);
	assert_false(check_str(s));
	free(s);
}

static void test_limits(void **state)
{
	struct mvn_buf b = { 0 };

	(void)state;
	mvn_buf_printf(&b, "<a>");
	repeat(&b, "<b>", MVN_XML_MAX_DEPTH);
	repeat(&b, "</b>", MVN_XML_MAX_DEPTH);
	mvn_buf_printf(&b, "</a>");
	assert_left(&b);
	mvn_buf_printf(&b, "<a>");
	repeat(&b, "<b/>", MVN_XML_MAX_ELEMENTS);
	mvn_buf_printf(&b, "</a>");
	assert_left(&b);
	mvn_buf_printf(&b, "<a>");
	repeat(&b, "x", MVN_XML_MAX_TEXT);
	mvn_buf_printf(&b, "</a>");
	assert_left(&b);
	/* References that stand for more bytes than they take. */
	mvn_buf_printf(&b, "<a>");
	repeat(&b, "&#x10000;", 20000);
	mvn_buf_printf(&b, "</a>");
	assert_left(&b);
	/* libxml2 measures each & of a value as "&#38;". */
	mvn_buf_printf(&b, "<a x='");
	repeat(&b, "&amp;", 13108);
	mvn_buf_printf(&b, "'/>");
	assert_left(&b);
}

/* Every XML file under dir (and its subdirectories): how many were taken. */
static size_t check_dir(const char *dir, size_t *seen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t taken = 0;

	if (!d)
		fail_msg("cannot open %s", dir);
	while ((e = readdir(d)) != NULL) {
		char path[1024], *text = NULL;
		size_t len = 0, n = strlen(e->d_name);
		struct mvn_error err = { 0 };

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			taken += check_dir(path, seen);
			continue;
		}
		if (n < 4 || strcmp(e->d_name + n - 4, ".xml"))
			continue;
		if (mvn_doc_read(path, &text, &len, &err) < 0)
			fail_msg("%s: %s", path, err.msg);
		(*seen)++;
		if (check_doc(text, len, path))
			taken++;
		free(text);
	}
	closedir(d);
	return taken;
}

/*
 * Real documents: libvirt's test inputs and outputs, the tests' data and
 * the examples.  Nearly all are plain XML, so the reader must take most.
 */
static void test_corpus(void **state)
{
	const char *conf = getenv("CONFORMANCE_DIR");
	const char *dirs[] = { NULL, TESTS_SRCDIR "/data",
			       TESTS_SRCDIR "/schema",
			       TESTS_SRCDIR "/../data" };
	size_t i, taken = 0, seen = 0;

	(void)state;
	dirs[0] = conf ? conf :
			 TESTS_SRCDIR "/../../shared/conformance/libvirt-9.0";
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		taken += check_dir(dirs[i], &seen);
	print_message("# the plain reader took %zu of %zu documents, each "
		      "the tree libxml2 builds\n",
		      taken, seen);
	assert_true(seen > 150);
	assert_true(taken * 10 > seen * 8);
}

/* The accessors read a plain tree as they read libxml2's. */
static void test_accessors(void **state)
{
	static const char doc[] =
		"<domain>\n  <name> web1 </name>\n  <uuid>u<!--x-->v</uuid>\n"
		"  <devices><interface type='ethernet' x='a&#10;b'>\n"
		"    <mac address='52:54:00:00:00:01'/></interface>"
		"</devices>\n</domain>\n";
	struct mvn_error err = { 0 };
	xmlDocPtr d[2] = { NULL, NULL };
	int k;

	(void)state;
	assert_int_equal(
		mvn_xml_parse_plain(doc, strlen(doc), "t", &d[0], &err), 0);
	assert_int_equal(mvn_xml_parse(doc, strlen(doc), "t", &d[1], &err), 0);
	assert_true(mvn_xml_is_mini(d[0]));
	for (k = 0; k < 2; k++) {
		xmlNodePtr root = mvn_xml_root(d[k]);
		xmlNodePtr name = mvn_xml_child(root, "name");
		xmlNodePtr uuid = mvn_xml_child(root, "uuid");
		xmlNodePtr dev = mvn_xml_child(root, "devices");
		xmlNodePtr ifc = mvn_xml_child(dev, "interface");
		char *s;

		assert_true(mvn_xml_is(root, "domain"));
		s = mvn_xml_text(name);
		assert_string_equal(s, "web1");
		free(s);
		s = mvn_xml_text(uuid);
		assert_string_equal(s, "uv");
		free(s);
		s = mvn_xml_prop(ifc, "x");
		assert_string_equal(s, "a\nb");
		free(s);
		assert_null(mvn_xml_prop(ifc, "y"));
		assert_int_equal(mvn_xml_line(ifc), 4);
		assert_int_equal(mvn_xml_line(mvn_xml_child(ifc, "mac")), 5);
		mvn_xml_doc_free(d[k]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),	  cmocka_unit_test(test_left),
		cmocka_unit_test(test_limits),	  cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_accessors),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
