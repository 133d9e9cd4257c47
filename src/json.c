/*
 * The JSON writer: values go straight to the stream; the writer keeps only
 * which containers are open, how each closes and whether each has a member
 * yet, so that it knows where commas and closing brackets go.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "json.h"
#include "util.h"

void mvn_json_init(struct mvn_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->more[0] = false;
	j->after_key = false;
}

/* The slot of the current depth (a deeper one shares the last). */
static int slot(const struct mvn_json *j)
{
	return j->depth < MVN_JSON_DEPTH ? j->depth : MVN_JSON_DEPTH - 1;
}

/* What goes before a value: a comma unless it is the first member. */
static void before_value(struct mvn_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->more[slot(j)])
		putc(',', j->f);
	j->more[slot(j)] = true;
}

static void begin(struct mvn_json *j, char open, char close)
{
	before_value(j);
	putc(open, j->f);
	j->depth++;
	j->more[slot(j)] = false;
	j->close[slot(j)] = close;
}

void mvn_json_begin_object(struct mvn_json *j)
{
	begin(j, '{', '}');
}

void mvn_json_begin_array(struct mvn_json *j)
{
	begin(j, '[', ']');
}

void mvn_json_end(struct mvn_json *j)
{
	if (j->depth == 0)
		return;
	putc(j->close[slot(j)], j->f);
	j->depth--;
	if (j->depth == 0)
		putc('\n', j->f);
}

/* Whether code point cp is written as an escape rather than as itself. */
static bool escaped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
	       cp == 0x2029;
}

/* The escape of code point cp (below U+10000), or of a character. */
static void put_escape(FILE *f, uint32_t cp)
{
	switch (cp) {
	case '"':
		fputs("\\\"", f);
		break;
	case '\\':
		fputs("\\\\", f);
		break;
	case '\b':
		fputs("\\b", f);
		break;
	case '\f':
		fputs("\\f", f);
		break;
	case '\n':
		fputs("\\n", f);
		break;
	case '\r':
		fputs("\\r", f);
		break;
	case '\t':
		fputs("\\t", f);
		break;
	default:
		fprintf(f, "\\u%04x", (unsigned int)cp);
	}
}

void mvn_json_str(struct mvn_json *j, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	size_t n;

	if (!s) {
		mvn_json_null(j);
		return;
	}
	before_value(j);
	putc('"', j->f);
	for (; *p; p += n ? n : 1) {
		n = mvn_utf8_char(p, &cp);
		if (n == 0)
			put_escape(j->f, 0xdc00 | *p);
		else if (cp == '"' || cp == '\\' || escaped(cp))
			put_escape(j->f, cp);
		else
			fwrite(p, 1, n, j->f);
	}
	putc('"', j->f);
}

void mvn_json_int(struct mvn_json *j, long long v)
{
	before_value(j);
	fprintf(j->f, "%lld", v);
}

void mvn_json_uint(struct mvn_json *j, unsigned long long v)
{
	before_value(j);
	fprintf(j->f, "%llu", v);
}

void mvn_json_bool(struct mvn_json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void mvn_json_null(struct mvn_json *j)
{
	before_value(j);
	fputs("null", j->f);
}

void mvn_json_key(struct mvn_json *j, const char *key)
{
	mvn_json_str(j, key);
	putc(':', j->f);
	j->after_key = true;
}

void mvn_json_kv_str(struct mvn_json *j, const char *key, const char *s)
{
	mvn_json_key(j, key);
	mvn_json_str(j, s);
}

void mvn_json_kv_int(struct mvn_json *j, const char *key, long long v)
{
	mvn_json_key(j, key);
	mvn_json_int(j, v);
}

void mvn_json_kv_uint(struct mvn_json *j, const char *key, unsigned long long v)
{
	mvn_json_key(j, key);
	mvn_json_uint(j, v);
}

void mvn_json_kv_bool(struct mvn_json *j, const char *key, bool v)
{
	mvn_json_key(j, key);
	mvn_json_bool(j, v);
}

void mvn_json_print_pair(const char *key, const char *value)
{
	struct mvn_json j;

	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, key, value);
	mvn_json_end(&j);
}
