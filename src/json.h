/*
 * A small JSON writer (RFC 8259) for the command line's --json output: one
 * value written to a stream as it is built, compact, ended by a newline.
 * The caller opens and ends objects and arrays; commas and the escaping of
 * strings are the writer's.
 */
#ifndef MVN_JSON_H
#define MVN_JSON_H

#include <stdbool.h>
#include <stdio.h>

/* Deeper nesting than this is not written correctly (none is that deep). */
#define MVN_JSON_DEPTH 16

/* The state of one value being written; on the caller's stack. */
struct mvn_json {
	FILE *f;
	int depth; /* open objects and arrays */
	bool more[MVN_JSON_DEPTH]; /* the container at each depth has members */
	char close[MVN_JSON_DEPTH]; /* and the bracket that closes it */
	bool after_key; /* a key was written, its value comes next */
};

/* Start writing one value to f. */
void mvn_json_init(struct mvn_json *j, FILE *f);

/* Open an object or an array, as a value or a member's value. */
void mvn_json_begin_object(struct mvn_json *j);
void mvn_json_begin_array(struct mvn_json *j);
/* Close the innermost object or array; the outermost ends the line. */
void mvn_json_end(struct mvn_json *j);

/* The key of the next member of the open object. */
void mvn_json_key(struct mvn_json *j, const char *key);

/*
 * A string value: quotes, backslashes and control characters (C0, DEL, C1,
 * U+2028, U+2029) escaped; each byte that is not part of valid UTF-8 as
 * \udcXX, the lone surrogate that Python's "surrogateescape" reads back as
 * that byte.  NULL writes null.
 */
void mvn_json_str(struct mvn_json *j, const char *s);
void mvn_json_int(struct mvn_json *j, long long v);
void mvn_json_uint(struct mvn_json *j, unsigned long long v);
void mvn_json_bool(struct mvn_json *j, bool v);
void mvn_json_null(struct mvn_json *j);

/* A member of the open object: its key, then its value. */
void mvn_json_kv_str(struct mvn_json *j, const char *key, const char *s);
/* The whole object {"KEY":VALUE} as one line on stdout. */
void mvn_json_print_pair(const char *key, const char *value);
void mvn_json_kv_int(struct mvn_json *j, const char *key, long long v);
void mvn_json_kv_uint(struct mvn_json *j, const char *key,
		      unsigned long long v);
void mvn_json_kv_bool(struct mvn_json *j, const char *key, bool v);

#endif
