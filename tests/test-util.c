/*
 * The small helpers: the growing buffer, interface names, MAC addresses,
 * UUIDs and whole-file reads, each at its boundaries.  Also the defences
 * against hostile documents: messages made one line of valid UTF-8
 * (mvn_shown, mvn_error_set), NUL bytes, and the parser's limits on
 * attributes, elements, depth and text, each just under and just over.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "util.h"
#include "xml.h"

/* mvn_buf */

static void test_buf_printf(void **state)
{
	struct mvn_buf b = { 0 };
	char big[1000];
	char *s;

	(void)state;
	mvn_buf_printf(&b, "a=%d", 1);
	mvn_buf_printf(&b, " b=%s", "x");
	assert_false(b.oom);
	assert_int_equal(b.len, 7);
	assert_string_equal(b.data, "a=1 b=x");
	/* Past the first allocation: the buffer grows and keeps its text. */
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mvn_buf_printf(&b, "[%s]", big);
	mvn_buf_printf(&b, "%c", '!');
	assert_false(b.oom);
	assert_int_equal(b.len, 7 + 1 + 999 + 1 + 1);
	assert_true(b.cap > b.len);
	assert_int_equal(strlen(b.data), b.len);
	assert_memory_equal(b.data, "a=1 b=x[yyy", 11);
	assert_string_equal(b.data + b.len - 3, "y]!");
	/* printf does not indent. */
	b.indent = 4;
	mvn_buf_printf(&b, "z");
	assert_int_equal(b.data[b.len - 2], '!');
	assert_int_equal(b.data[b.len - 1], 'z');
	s = mvn_buf_steal(&b);
	assert_non_null(s);
	assert_int_equal(strlen(s), 7 + 1 + 999 + 1 + 1 + 1);
	free(s);
}

static void test_buf_add(void **state)
{
	struct mvn_buf b = { 0 };

	(void)state;
	mvn_buf_add(&b, "abcdef", 3);
	mvn_buf_add(&b, "", 0);
	mvn_buf_add(&b, "xyz", 3);
	assert_int_equal(b.len, 6);
	assert_string_equal(b.data, "abcxyz");
	mvn_buf_free(&b);
}

static void test_buf_escape(void **state)
{
	struct mvn_buf b = { 0 };

	(void)state;
	mvn_buf_escape(&b, "<a href=\"x\">'&'</a>");
	assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&apos;&amp;"
				    "&apos;&lt;/a&gt;");
	mvn_buf_free(&b);

	/* Other text, including UTF-8 and entities, passes through once. */
	mvn_buf_escape(&b, "eth0 caf\xc3\xa9 &amp;");
	assert_string_equal(b.data, "eth0 caf\xc3\xa9 &amp;amp;");
	mvn_buf_free(&b);

	/* NULL and "" add nothing. */
	mvn_buf_printf(&b, "k");
	mvn_buf_escape(&b, NULL);
	mvn_buf_escape(&b, "");
	assert_int_equal(b.len, 1);
	assert_string_equal(b.data, "k");
	mvn_buf_free(&b);
}

static void test_buf_line_indent(void **state)
{
	struct mvn_buf b = { 0 };
	char *s;

	(void)state;
	mvn_buf_line(&b, "<network>\n");
	b.indent += 2;
	mvn_buf_line(&b, "<name>%s</name>\n", "lan");
	mvn_buf_line(&b, "<forward mode='%s'>\n", "bridge");
	b.indent += 2;
	mvn_buf_line(&b, "<interface dev='eth0'");
	mvn_buf_printf(&b, "/>\n");
	b.indent -= 2;
	mvn_buf_line(&b, "</forward>\n");
	b.indent -= 2;
	mvn_buf_line(&b, "</network>\n");
	s = mvn_buf_steal(&b);
	assert_non_null(s);
	assert_string_equal(s, "<network>\n"
			       "  <name>lan</name>\n"
			       "  <forward mode='bridge'>\n"
			       "    <interface dev='eth0'/>\n"
			       "  </forward>\n"
			       "</network>\n");
	free(s);
}

static void test_buf_steal_free(void **state)
{
	struct mvn_buf b = { 0 };
	char *s, *t;

	(void)state;
	mvn_buf_printf(&b, "first");
	s = mvn_buf_steal(&b);
	assert_string_equal(s, "first");
	/* The buffer is empty again and usable. */
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	mvn_buf_printf(&b, "second");
	t = mvn_buf_steal(&b);
	assert_string_equal(t, "second");
	assert_string_equal(s, "first");
	free(s);
	free(t);

	/* free releases the text and clears the state. */
	mvn_buf_printf(&b, "gone");
	mvn_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_false(b.oom);
	mvn_buf_free(&b); /* twice is harmless */
}

/*
 * Stealing from a buffer that never received text gives "", a string the
 * caller owns.  The heap is dirtied first so that an unterminated result
 * shows even without valgrind.
 */
static void test_buf_steal_empty(void **state)
{
	struct mvn_buf b = { 0 };
	char *junk, *s;
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++) {
		junk = malloc(256);
		assert_non_null(junk);
		memset(junk, 'J', 256);
		free(junk);
	}
	s = mvn_buf_steal(&b);
	assert_non_null(s);
	assert_int_equal(s[0], '\0');
	free(s);
}

/* After an allocation failure nothing is appended and steal gives NULL. */
static void test_buf_oom(void **state)
{
	struct mvn_buf b = { 0 };

	(void)state;
	mvn_buf_printf(&b, "text");
	b.oom = true;
	mvn_buf_printf(&b, " more");
	mvn_buf_add(&b, "x", 1);
	mvn_buf_escape(&b, "<");
	assert_int_equal(b.len, 4);
	assert_null(mvn_buf_steal(&b));
	/* steal released the memory and reset the buffer. */
	assert_null(b.data);
	assert_false(b.oom);
	mvn_buf_free(&b);
}

static void test_strdup(void **state)
{
	char *s;

	(void)state;
	assert_null(mvn_strdup(NULL));
	s = mvn_strdup("eth0");
	assert_string_equal(s, "eth0");
	free(s);
}

/* Interface names */

static void test_ifname(void **state)
{
	static const struct {
		const char *name;
		bool valid;
	} cases[] = {
		{ "eth0", true },
		{ "a", true },
		{ "abcdefghijklmno", true }, /* 15 bytes */
		{ "abcdefghijklmnop", false }, /* 16 bytes */
		{ "macvtap0123456789", false },
		{ "enp0s31f6.4094", true }, /* a VLAN device */
		{ "eth0.100", true },
		{ "-", true },
		{ "...", true },
		{ "", false },
		{ ".", false },
		{ "..", false },
		{ "a/b", false },
		{ "/", false },
		{ "../eth0", false },
		{ "eth0:1", false },
		{ ":", false },
		{ "eth 0", false },
		{ " eth0", false },
		{ "eth0 ", false },
		{ "eth\t0", false },
		{ "eth0\n", false },
		{ "eth\v0", false },
		{ "eth\r0", false },
		{ "eth\x01", false },
		{ "eth\x7f", false },
	};
	size_t i;

	(void)state;
	assert_false(mvn_ifname_valid(NULL));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (mvn_ifname_valid(cases[i].name) != cases[i].valid)
			fail_msg("mvn_ifname_valid(\"%s\") is %s",
				 cases[i].name,
				 cases[i].valid ? "false" : "true");
}

/* MAC addresses */

static void test_mac_parse(void **state)
{
	static const unsigned char want[6] = { 0x52, 0x54, 0x00,
					       0xb8, 0x9c, 0x58 };
	static const char *const good[] = {
		"52:54:00:b8:9c:58",
		"52:54:00:B8:9C:58",
		"52:54:00:b8:9C:58",
	};
	static const char *const bad[] = {
		"",
		"52-54-00-b8-9c-58",
		"52.54.00.b8.9c.58",
		"5254.00b8.9c58",
		"525400b89c58",
		"52:54:00:b8:9c",
		"52:54:00:b8:9c:",
		"52:54:00:b8:9c:5",
		"52:54:00:b8:9c:58:01",
		"52:54:00:b8:9c:58:",
		"52:54:00:b8:9c:58x",
		"52:54:00:b8:9c:58 ",
		" 52:54:00:b8:9c:58",
		"2:54:00:b8:9c:58",
		"52:54:0:b8:9c:58",
		"052:54:00:b8:9c:58",
		"52:54:00:g8:9c:58",
		"52::54:00:b8:9c:58",
		"0x52:54:00:b8:9c:58",
		"5",
	};
	unsigned char mac[6];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(mac, 0xaa, sizeof(mac));
		if (!mvn_mac_parse(good[i], mac))
			fail_msg("\"%s\" was refused", good[i]);
		assert_memory_equal(mac, want, 6);
	}
	assert_true(mvn_mac_parse("ff:ff:ff:ff:ff:ff", mac));
	assert_memory_equal(mac, "\xff\xff\xff\xff\xff\xff", 6);
	assert_true(mvn_mac_parse("00:00:00:00:00:00", mac));
	assert_memory_equal(mac, "\0\0\0\0\0\0", 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mvn_mac_parse(bad[i], mac))
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_false(mvn_mac_parse(NULL, mac));
}

static void test_mac_format(void **state)
{
	static const unsigned char mac[6] = {
		0x52, 0x54, 0x00, 0xB8, 0x9C, 0x58
	};
	static const unsigned char ones[6] = { 0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff };
	static const unsigned char zero[6];
	unsigned char back[6];
	char out[18];

	(void)state;
	memset(out, 'X', sizeof(out));
	mvn_mac_format(mac, out);
	assert_string_equal(out, "52:54:00:b8:9c:58");
	mvn_mac_format(ones, out);
	assert_string_equal(out, "ff:ff:ff:ff:ff:ff");
	mvn_mac_format(zero, out);
	assert_string_equal(out, "00:00:00:00:00:00");
	/* Upper case in, lower case out, same bytes. */
	assert_true(mvn_mac_parse("0A:1B:2C:3D:4E:5F", back));
	mvn_mac_format(back, out);
	assert_string_equal(out, "0a:1b:2c:3d:4e:5f");
	assert_true(mvn_mac_parse(out, back));
	assert_memory_equal(back, "\x0a\x1b\x2c\x3d\x4e\x5f", 6);
}

/* UUIDs */

static const unsigned char uuid_bytes[16] = {
	0x81, 0xff, 0x0d, 0x90, 0xc9, 0x1e, 0x67, 0x42,
	0x64, 0xda, 0x4a, 0x73, 0x6e, 0xdb, 0x9a, 0x8c,
};

static void test_uuid_parse(void **state)
{
	static const char *const good[] = {
		"81ff0d90-c91e-6742-64da-4a736edb9a8c",
		"81ff0d90c91e674264da4a736edb9a8c",
		"81FF0D90-C91E-6742-64DA-4A736EDB9A8C",
		"81FF0D90C91E674264DA4A736EDB9A8C",
	};
	static const char *const bad[] = {
		"",
		"81ff0d90-c91e-6742-64da-4a736edb9a8", /* 31 digits */
		"81ff0d90-c91e-6742-64da-4a736edb9a8c0", /* 33 digits */
		"81ff0d90c91e674264da4a736edb9a8",
		"81ff0d90c91e674264da4a736edb9a8c00",
		"81ff0d90-c91e-6742-64da-4a736edb9a8g",
		"g1ff0d90-c91e-6742-64da-4a736edb9a8c",
		"81ff0d90-c91e-6742-64da-4a736edb9a8c-",
		"81ff0d90-c91e-6742-64da-4a736edb9a8cx",
		"81ff0d90_c91e_6742_64da_4a736edb9a8c",
		"{81ff0d90-c91e-6742-64da-4a736edb9a8c}",
		"1234",
	};
	unsigned char u[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(u, 0, sizeof(u));
		if (!mvn_uuid_parse(good[i], u))
			fail_msg("\"%s\" was refused", good[i]);
		assert_memory_equal(u, uuid_bytes, 16);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (mvn_uuid_parse(bad[i], u))
			fail_msg("\"%s\" was accepted", bad[i]);
	assert_false(mvn_uuid_parse(NULL, u));
}

static void test_uuid_format(void **state)
{
	unsigned char back[16];
	char out[37];

	(void)state;
	memset(out, 'X', sizeof(out));
	mvn_uuid_format(uuid_bytes, out);
	assert_string_equal(out, "81ff0d90-c91e-6742-64da-4a736edb9a8c");
	/* Round trip: format, parse, same bytes; parse, format, same text. */
	assert_true(mvn_uuid_parse(out, back));
	assert_memory_equal(back, uuid_bytes, 16);
	assert_true(mvn_uuid_parse("81FF0D90C91E674264DA4A736EDB9A8C", back));
	mvn_uuid_format(back, out);
	assert_string_equal(out, "81ff0d90-c91e-6742-64da-4a736edb9a8c");
}

static void test_uuid_generate(void **state)
{
	unsigned char a[16], b[16], back[16];
	char text[37];
	int i;

	(void)state;
	for (i = 0; i < 64; i++) {
		assert_int_equal(mvn_uuid_generate(a), 0);
		/* Version 4 in the high nibble of byte 6. */
		assert_int_equal(a[6] >> 4, 4);
		/* RFC 4122 variant: bits 10 in the top of byte 8. */
		assert_int_equal(a[8] & 0xc0, 0x80);
		mvn_uuid_format(a, text);
		assert_int_equal(strlen(text), 36);
		assert_int_equal(text[14], '4');
		assert_non_null(strchr("89ab", text[19]));
		assert_true(mvn_uuid_parse(text, back));
		assert_memory_equal(back, a, 16);
	}
	assert_int_equal(mvn_uuid_generate(b), 0);
	assert_memory_not_equal(a, b, 16);
}

/* mvn_shown and mvn_error_set: one line of valid UTF-8 */

struct shown_case {
	const char *name;
	const char *in;
	const char *out;
};

static const struct shown_case shown_cases[] = {
	{ "plain text", "lan on eth0: 'x' (fix it)",
	  "lan on eth0: 'x' (fix it)" },
	{ "empty", "", "" },
	{ "newline, tab, CR", "a\nmacvnet: forged\tb\rc",
	  "a\\nmacvnet: forged\\tb\\rc" },
	{ "ESC sequence", "\x1b[31mred\x1b]0;title\x07",
	  "\\x1b[31mred\\x1b]0;title\\x07" },
	{ "other C0 and DEL", "\x01\x1f\x7f.", "\\x01\\x1f\\x7f." },
	{ "C1 controls (CSI, NEL)",
	  "\xc2\x9b"
	  "31m\xc2\x85",
	  "\\xc2\\x9b"
	  "31m\\xc2\\x85" },
	{ "backslash kept", "a\\b", "a\\b" },
	{ "Latin-1 supplement kept", "caf\xc3\xa9 \xc2\xa0\xc2\xbf",
	  "caf\xc3\xa9 \xc2\xa0\xc2\xbf" },
	{ "Japanese kept",
	  "\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc: "
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	  "\xe3\x82\xa8\xe3\x83\xa9\xe3\x83\xbc: "
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" },
	{ "four-byte and the last code point kept",
	  "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
	  "\xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf" },
	{ "U+D7FF and U+E000 kept", "\xed\x9f\xbf\xee\x80\x80",
	  "\xed\x9f\xbf\xee\x80\x80" },
	{ "stray continuation bytes",
	  "a\x80\xbf"
	  "b",
	  "a\\x80\\xbf"
	  "b" },
	{ "bytes never in UTF-8", "\xfe\xff\xf5\xf8", "\\xfe\\xff\\xf5\\xf8" },
	{ "overlong two bytes ('/')", "\xc0\xaf\xc1\xbf",
	  "\\xc0\\xaf\\xc1\\xbf" },
	{ "overlong three bytes", "\xe0\x80\xaf\xe0\x9f\xbf",
	  "\\xe0\\x80\\xaf\\xe0\\x9f\\xbf" },
	{ "overlong four bytes", "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf" },
	{ "surrogates", "\xed\xa0\x80\xed\xbf\xbf",
	  "\\xed\\xa0\\x80\\xed\\xbf\\xbf" },
	{ "above U+10FFFF", "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
	{ "truncated at the end", "x\xe6\x97", "x\\xe6\\x97" },
	{ "truncated before ASCII", "\xe6\x97x\xf0\x9f\x98y",
	  "\\xe6\\x97x\\xf0\\x9f\\x98y" },
	{ "truncated before a control", "\xc3\n", "\\xc3\\n" },
};

static bool one_safe_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static void test_shown(void **state)
{
	char buf[256], again[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(shown_cases) / sizeof(shown_cases[0]); i++) {
		const struct shown_case *c = &shown_cases[i];

		if (strcmp(mvn_shown(c->in, buf, sizeof(buf)), c->out))
			fail_msg("%s: got \"%s\"", c->name, buf);
		if (!one_safe_line(buf))
			fail_msg("%s: a control character remains", c->name);
		/* Showing what is shown changes nothing. */
		mvn_shown(buf, again, sizeof(again));
		if (strcmp(again, buf))
			fail_msg("%s: not stable: \"%s\"", c->name, again);
	}
	assert_string_equal(mvn_shown(NULL, buf, sizeof(buf)), "");
}

/* A short buffer cuts between characters, never inside one. */
static void test_shown_cut(void **state)
{
	char buf[8];

	(void)state;
	/* "abc" and the 3 bytes of U+65E5 need 6 bytes and the terminator. */
	assert_string_equal(mvn_shown("abc\xe6\x97\xa5", buf, 6), "abc");
	assert_string_equal(mvn_shown("abc\xe6\x97\xa5", buf, 7),
			    "abc\xe6\x97\xa5");
	assert_string_equal(mvn_shown("ab\ncd", buf, 4), "ab");
	assert_string_equal(mvn_shown("ab\ncd", buf, 5), "ab\\n");
	assert_string_equal(mvn_shown("a\x1b", buf, 5), "a");
	assert_string_equal(mvn_shown("a\x1b", buf, 6), "a\\x1b");
	assert_string_equal(mvn_shown("abc", buf, 1), "");
	buf[0] = 'z';
	mvn_shown("abc", buf, 0);
	assert_int_equal(buf[0], 'z');
}

static void test_error_one_line(void **state)
{
	struct mvn_error err = { 0 };
	char big[2000];

	(void)state;
	assert_int_equal(mvn_error_set(NULL, -EINVAL, "x"), -EINVAL);
	assert_int_equal(mvn_error_setl(&err, -EINVAL, 7,
					"network name '%s' is bad (rename it)",
					"a\nmacvnet: error: forged\x1b[2J\xff"),
			 -EINVAL);
	assert_int_equal(err.code, -EINVAL);
	assert_int_equal(err.line, 7);
	assert_string_equal(err.msg, "network name 'a\\nmacvnet: error: "
				     "forged\\x1b[2J\\xff' is bad (rename it)");
	/* A translated message passes unchanged. */
	mvn_error_set(&err, -ENOENT, "%s: \xe8\xa6\x8b\xe3\x81\xa4",
		      "\xe6\x97\xa5\xe6\x9c\xac");
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "\xe6\x97\xa5\xe6\x9c\xac: "
				     "\xe8\xa6\x8b\xe3\x81\xa4");
	/* Too long: cut, still one line, still terminated. */
	memset(big, '\n', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mvn_error_set(&err, -E2BIG, "%s", big);
	assert_true(strlen(err.msg) < sizeof(err.msg));
	assert_true(strlen(err.msg) >= sizeof(err.msg) - 2);
	assert_true(one_safe_line(err.msg));
}

/* NUL bytes */

static void test_check_nul(void **state)
{
	static const char doc[] = "<network>\n  <name>a</name>\0\n</network>";
	struct mvn_error err = { 0 };

	(void)state;
	assert_int_equal(mvn_doc_check_nul(doc, 26, "d.xml", &err), 0);
	assert_int_equal(mvn_doc_check_nul(doc, sizeof(doc) - 1, "d.xml", &err),
			 -EINVAL);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "d.xml:2: byte 26 is a NUL byte"));
	assert_int_equal(mvn_doc_check_nul("", 0, "d.xml", NULL), 0);
	assert_int_equal(mvn_doc_check_nul("\0", 1, "d.xml", NULL), -EINVAL);
}

/* The parser's limits */

/* n attributes on an element on line 3, one a line after it. */
static void make_attrs(struct mvn_buf *b, size_t n)
{
	size_t i;

	mvn_buf_printf(b, "<r>\n\n  <e");
	for (i = 0; i < n; i++)
		mvn_buf_printf(b, "\n    a%zu='%zu'", i, i);
	mvn_buf_printf(b, "/>\n</r>\n");
}

/* Namespace declarations count as attributes. */
static void make_ns(struct mvn_buf *b, size_t n)
{
	size_t i;

	mvn_buf_printf(b, "<r>\n\n  <e a='1'");
	for (i = 1; i < n; i++)
		mvn_buf_printf(b, " xmlns:p%zu='urn:%zu'", i, i);
	mvn_buf_printf(b, ">x</e>\n</r>\n");
}

/* 64 attributes each on the root and each of its children, n in all. */
static void make_all_attrs(struct mvn_buf *b, size_t n)
{
	size_t i;

	mvn_buf_printf(b, "<r");
	for (i = 0; i < n; i++) {
		if (i && i % MVN_XML_MAX_ATTRS == 0)
			mvn_buf_printf(b, "%s\n<e",
				       i == MVN_XML_MAX_ATTRS ? ">" : "/>");
		mvn_buf_printf(b, " a%zu='v'", i % MVN_XML_MAX_ATTRS);
	}
	mvn_buf_printf(b, "%s</r>\n", n > MVN_XML_MAX_ATTRS ? "/>\n" : ">");
}

/* n elements, one a line: the root, then empty children. */
static void make_elements(struct mvn_buf *b, size_t n)
{
	size_t i;

	mvn_buf_printf(b, "<r>\n");
	for (i = 1; i < n; i++)
		mvn_buf_printf(b, "<e/>\n");
	mvn_buf_printf(b, "</r>\n");
}

/* n levels, one a line. */
static void make_depth(struct mvn_buf *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mvn_buf_printf(b, "<e>\n");
	for (i = 0; i < n; i++)
		mvn_buf_printf(b, "</e>");
}

/* A text of n bytes on line 2, written with entities to the end. */
static void make_text(struct mvn_buf *b, size_t n)
{
	size_t i;

	mvn_buf_printf(b, "<r>\n  <t>");
	for (i = 0; i < n; i++)
		mvn_buf_add(b, i > n - 4 ? "&amp;" : "x", i > n - 4 ? 5 : 1);
	mvn_buf_printf(b, "</t>\n</r>\n");
}

/* A value of n bytes on line 2. */
static void make_value(struct mvn_buf *b, size_t n)
{
	size_t i;

	mvn_buf_printf(b, "<r>\n  <t v='");
	for (i = 0; i < n; i++)
		mvn_buf_add(b, "v", 1);
	mvn_buf_printf(b, "'/>\n</r>\n");
}

struct limit_case {
	const char *name;
	void (*make)(struct mvn_buf *b, size_t n);
	size_t n;
	int code; /* 0 or what mvn_xml_parse() returns */
	int line; /* err.line */
	const char *says; /* in the message */
};

static const struct limit_case limit_cases[] = {
	{ "attributes: 64", make_attrs, MVN_XML_MAX_ATTRS, 0, 0, NULL },
	{ "attributes: 65", make_attrs, MVN_XML_MAX_ATTRS + 1, -E2BIG, 3,
	  "t.xml:3: element <e> has more than 64 attributes" },
	{ "attributes: 50000", make_attrs, 50000, -E2BIG, 3,
	  "element <e> has more than 64 attributes" },
	{ "namespaces: 64", make_ns, MVN_XML_MAX_ATTRS, 0, 0, NULL },
	{ "namespaces: 65", make_ns, MVN_XML_MAX_ATTRS + 1, -E2BIG, 3,
	  "element <e> has more than 64 attributes" },
	{ "document attributes: 20000", make_all_attrs, MVN_XML_MAX_ALL_ATTRS,
	  0, 0, NULL },
	{ "document attributes: 20001", make_all_attrs,
	  MVN_XML_MAX_ALL_ATTRS + 1, -E2BIG, MVN_XML_MAX_ALL_ATTRS / 64 + 1,
	  "more than 20000 attributes" },
	{ "elements: 5000", make_elements, MVN_XML_MAX_ELEMENTS, 0, 0, NULL },
	{ "elements: 5001", make_elements, MVN_XML_MAX_ELEMENTS + 1, -E2BIG,
	  MVN_XML_MAX_ELEMENTS + 1, "more than 5000 elements" },
	{ "elements: 200000", make_elements, 200000, -E2BIG,
	  MVN_XML_MAX_ELEMENTS + 1, "more than 5000 elements" },
	{ "depth: 64", make_depth, MVN_XML_MAX_DEPTH, 0, 0, NULL },
	{ "depth: 65", make_depth, MVN_XML_MAX_DEPTH + 1, -E2BIG,
	  MVN_XML_MAX_DEPTH + 1,
	  "t.xml:65: element <e> is nested more than 64 levels" },
	{ "depth: 100000", make_depth, 100000, -E2BIG, MVN_XML_MAX_DEPTH + 1,
	  "nested more than 64 levels" },
	{ "text: 64 KiB", make_text, MVN_XML_MAX_TEXT, 0, 0, NULL },
	{ "text: 64 KiB + 1", make_text, MVN_XML_MAX_TEXT + 1, -E2BIG, 2,
	  "t.xml:2: the text in <t> is longer than 64 KiB" },
	{ "value: 64 KiB", make_value, MVN_XML_MAX_TEXT, 0, 0, NULL },
	{ "value: 64 KiB + 1", make_value, MVN_XML_MAX_TEXT + 1, -E2BIG, 2,
	  "t.xml:2: attribute v of <t> is longer than 64 KiB" },
};

static void test_xml_limits(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(limit_cases) / sizeof(limit_cases[0]); i++) {
		const struct limit_case *c = &limit_cases[i];
		struct mvn_error err = { 0 };
		struct mvn_buf b = { 0 };
		xmlDocPtr doc = NULL;
		char *text;
		int ret;

		c->make(&b, c->n);
		text = mvn_buf_steal(&b);
		assert_non_null(text);
		ret = mvn_xml_parse(text, strlen(text), "t.xml", &doc, &err);
		free(text);
		xmlFreeDoc(doc);
		if (ret != c->code)
			fail_msg("%s: returned %d, not %d: %s", c->name, ret,
				 c->code, err.msg);
		if (c->code == 0)
			continue;
		assert_int_equal(err.code, c->code);
		if (err.line != c->line)
			fail_msg("%s: line %d, not %d", c->name, err.line,
				 c->line);
		if (!strstr(err.msg, c->says) || !strstr(err.msg, "(") ||
		    !one_safe_line(err.msg))
			fail_msg("%s: unexpected message: %s", c->name,
				 err.msg);
	}
}

/* What libxml2 itself refuses still gives one line. */
static void test_xml_refusals(void **state)
{
	static const char bad_utf8[] = "<r>\n  <n>a\xff\xfe</n>\n</r>\n";
	static const char nul[] = "<r>\n  <n>a</n>\0<junk/>\n</r>\n";
	static const char char_ref[] = "<r>\n  <n>a&#27;[2J</n>\n</r>\n";
	struct mvn_error err = { 0 };
	xmlDocPtr doc = NULL;

	(void)state;
	assert_int_equal(mvn_xml_parse(bad_utf8, strlen(bad_utf8), "t.xml",
				       &doc, &err),
			 -EINVAL);
	assert_null(doc);
	assert_int_equal(err.line, 2);
	assert_true(one_safe_line(err.msg));
	assert_null(strstr(err.msg, "Bytes"));
	assert_non_null(strstr(err.msg, "t.xml:2: not well-formed XML: "));

	assert_int_equal(mvn_xml_parse(nul, sizeof(nul) - 1, "t.xml", &doc,
				       &err),
			 -EINVAL);
	assert_null(doc);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, "t.xml:2: byte 14 is a NUL byte"));

	assert_int_equal(mvn_xml_parse(char_ref, strlen(char_ref), "t.xml",
				       &doc, &err),
			 -EINVAL);
	assert_null(doc);
	assert_true(one_safe_line(err.msg));
}

/* An encoded newline is kept in the document, never in a message. */
static void test_xml_newline_name(void **state)
{
	static const char doc_text[] =
		"<r>\n  <name>a&#10;macvnet: error: forged&#x9b;</name>\n</r>\n";
	struct mvn_error err = { 0 };
	xmlDocPtr doc = NULL;
	char *name;

	(void)state;
	assert_int_equal(mvn_xml_parse(doc_text, strlen(doc_text), "t.xml",
				       &doc, &err),
			 0);
	name = mvn_xml_text(mvn_xml_child(xmlDocGetRootElement(doc), "name"));
	xmlFreeDoc(doc);
	assert_string_equal(name, "a\nmacvnet: error: forged\xc2\x9b");
	mvn_error_setl(&err, -EINVAL, 2, "t.xml:2: network name '%s' is bad",
		       name);
	free(name);
	assert_string_equal(err.msg, "t.xml:2: network name 'a\\nmacvnet: "
				     "error: forged\\xc2\\x9b' is bad");
}

/* mvn_file_read */

struct tmpdir {
	char path[PATH_MAX - 64];
};

static int tmp_setup(void **state)
{
	struct tmpdir *t = calloc(1, sizeof(*t));
	const char *tmp = getenv("TMPDIR");

	if (!t)
		return -1;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(t->path, sizeof(t->path), "%s/mvn-test-util.XXXXXX", tmp);
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	static const char *const files[] = { "file", "empty", "ten", "nul" };
	struct tmpdir *t = *state;
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", t->path, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/sub", t->path);
	rmdir(p);
	rmdir(t->path);
	free(t);
	return 0;
}

static void write_file(const char *dir, const char *name, const char *text,
		       char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void test_file_read_regular(void **state)
{
	struct tmpdir *t = *state;
	char path[PATH_MAX];
	char *out = NULL;
	size_t len = 99;

	write_file(t->path, "file", "<network/>\nline 2\n", path, sizeof(path));
	assert_int_equal(mvn_file_read(path, 1 << 20, &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(len, 18);
	assert_string_equal(out, "<network/>\nline 2\n");
	free(out);

	/* len may be NULL. */
	out = NULL;
	assert_int_equal(mvn_file_read(path, 1 << 20, &out, NULL), 0);
	assert_string_equal(out, "<network/>\nline 2\n");
	free(out);

	write_file(t->path, "empty", "", path, sizeof(path));
	out = NULL;
	len = 99;
	assert_int_equal(mvn_file_read(path, 0, &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
}

static void test_file_read_limit(void **state)
{
	struct tmpdir *t = *state;
	char path[PATH_MAX];
	char *out = NULL;
	size_t len = 0;

	write_file(t->path, "ten", "0123456789", path, sizeof(path));
	/* Exactly the limit is fine, one byte over is not. */
	assert_int_equal(mvn_file_read(path, 10, &out, &len), 0);
	assert_int_equal(len, 10);
	assert_string_equal(out, "0123456789");
	free(out);
	out = NULL;
	assert_int_equal(mvn_file_read(path, 9, &out, &len), -EFBIG);
	assert_null(out);
	assert_int_equal(mvn_file_read(path, 0, &out, &len), -EFBIG);
	assert_null(out);
}

/* A device without a size: the limit holds while reading. */
static void test_file_read_endless(void **state)
{
	char *out = NULL;

	(void)state;
	if (access("/dev/zero", R_OK) < 0)
		skip();
	assert_int_equal(mvn_file_read("/dev/zero", 100, &out, NULL), -EFBIG);
	assert_null(out);
	assert_int_equal(mvn_file_read("/dev/zero", 10000, &out, NULL), -EFBIG);
	assert_null(out);
}

static void test_file_read_errors(void **state)
{
	struct tmpdir *t = *state;
	char path[PATH_MAX];
	char *out = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/sub", t->path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(mvn_file_read(path, 1 << 20, &out, &len), -EISDIR);
	assert_null(out);
	assert_int_equal(mvn_file_read(t->path, 1 << 20, &out, &len), -EISDIR);
	assert_null(out);

	snprintf(path, sizeof(path), "%s/missing", t->path);
	assert_int_equal(mvn_file_read(path, 1 << 20, &out, &len), -ENOENT);
	assert_null(out);
	snprintf(path, sizeof(path), "%s/missing/file", t->path);
	assert_int_equal(mvn_file_read(path, 1 << 20, &out, &len), -ENOENT);
	assert_null(out);
}

/* mvn_doc_read refuses a file with a NUL byte and hands back nothing. */
static void test_doc_read_nul(void **state)
{
	struct tmpdir *t = *state;
	struct mvn_error err = { 0 };
	char path[PATH_MAX];
	char *out = NULL;
	size_t len = 99;
	FILE *f;

	snprintf(path, sizeof(path), "%s/nul", t->path);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite("<r>\n\0</r>\n", 1, 10, f), 10);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(mvn_doc_read(path, &out, &len, &err), -EINVAL);
	assert_null(out);
	assert_int_equal(len, 99);
	assert_int_equal(err.line, 2);
	assert_non_null(strstr(err.msg, ":2: byte 4 is a NUL byte"));

	write_file(t->path, "file", "<r>\n</r>\n", path, sizeof(path));
	assert_int_equal(mvn_doc_read(path, &out, &len, &err), 0);
	assert_int_equal(len, 9);
	free(out);
}

static int group_teardown(void **state)
{
	(void)state;
	xmlCleanupParser();
	return 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_add),
		cmocka_unit_test(test_buf_escape),
		cmocka_unit_test(test_buf_line_indent),
		cmocka_unit_test(test_buf_steal_free),
		cmocka_unit_test(test_buf_steal_empty),
		cmocka_unit_test(test_buf_oom),
		cmocka_unit_test(test_strdup),
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_mac_parse),
		cmocka_unit_test(test_mac_format),
		cmocka_unit_test(test_uuid_parse),
		cmocka_unit_test(test_uuid_format),
		cmocka_unit_test(test_uuid_generate),
		cmocka_unit_test_setup_teardown(test_file_read_regular,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_file_read_limit, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_file_read_endless),
		cmocka_unit_test_setup_teardown(test_file_read_errors,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_doc_read_nul, tmp_setup,
						tmp_teardown),
		cmocka_unit_test(test_shown),
		cmocka_unit_test(test_shown_cut),
		cmocka_unit_test(test_error_one_line),
		cmocka_unit_test(test_check_nul),
		cmocka_unit_test(test_xml_limits),
		cmocka_unit_test(test_xml_refusals),
		cmocka_unit_test(test_xml_newline_name),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, group_teardown);
}
