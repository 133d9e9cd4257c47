/* Small helpers with no dependencies: strings, a growing buffer, names. */
#ifndef MVN_UTIL_H
#define MVN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A growing text buffer; oom is set once an allocation failed. */
struct mvn_buf {
	char *data;
	size_t len;
	size_t cap;
	int indent;
	bool oom;
};

/* Append formatted text (no indentation). */
void mvn_buf_printf(struct mvn_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append the current indentation, then formatted text. */
void mvn_buf_line(struct mvn_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append s with XML escaping suitable for attribute values and text. */
void mvn_buf_escape(struct mvn_buf *b, const char *s);
/* Append raw bytes. */
void mvn_buf_add(struct mvn_buf *b, const char *s, size_t n);
/* Hand the text to the caller (who frees it); NULL after an allocation failure. */
char *mvn_buf_steal(struct mvn_buf *b);
/* Release the buffer's memory. */
void mvn_buf_free(struct mvn_buf *b);

/* strdup that accepts NULL. */
char *mvn_strdup(const char *s);

/*
 * Whether name can be a Linux interface name: 1..15 bytes, no '/', ':' or
 * white space, not "." or "..".
 */
/*
 * A hash of a string whose low bits are as good as its high ones (for
 * tables indexed by a mask): names that differ in one digit spread out.
 */
size_t mvn_hash_name(const char *s);
bool mvn_ifname_valid(const char *name);

/*
 * Parse a MAC address "xx:xx:xx:xx:xx:xx" (hex, either case) into mac;
 * return false if the text is not one.
 */
bool mvn_mac_parse(const char *s, unsigned char mac[6]);
/* Format mac as lower-case "xx:xx:xx:xx:xx:xx" into out (18 bytes). */
void mvn_mac_format(const unsigned char mac[6], char out[18]);

/* Parse a UUID with or without dashes into 16 bytes; false if malformed. */
bool mvn_uuid_parse(const char *s, unsigned char uuid[16]);
/* Format uuid in the 8-4-4-4-12 form into out (37 bytes). */
void mvn_uuid_format(const unsigned char uuid[16], char out[37]);
/* Make a random version 4 UUID; return 0 or a negative errno. */
int mvn_uuid_generate(unsigned char uuid[16]);

/* Documents larger than this are refused before parsing. */
#define MVN_XML_MAX_SIZE (1024 * 1024)

/*
 * Read a document (a file, or "-" for standard input) of at most
 * MVN_XML_MAX_SIZE bytes into *text (caller frees), with a message naming
 * the file when it cannot be read or is too large.
 */
int mvn_doc_read(const char *path, char **text, size_t *len,
		 struct mvn_error *err);

/*
 * Refuse a document holding a NUL byte (XML has none, and string functions
 * would silently drop what follows it): -EINVAL with a message naming name,
 * the line and the byte offset.  0 when there is none.
 */
int mvn_doc_check_nul(const char *text, size_t len, const char *name,
		      struct mvn_error *err);

/*
 * s made safe to print as part of one line, in buf (size bytes, always
 * terminated): control characters (C0, DEL, C1) and bytes that are not
 * valid UTF-8 become \xNN (newline, tab and carriage return \n, \t, \r);
 * valid UTF-8 passes unchanged.  Cut at a character boundary when buf is
 * too small.  Returns buf, so that it can be an argument of printf.
 */
const char *mvn_shown(const char *s, char *buf, size_t size);

/* Read a whole file of at most max bytes; -EFBIG if larger. */
int mvn_file_read(const char *path, size_t max, char **out, size_t *len);

/* Append a copy of s to the string vector v of n entries; -ENOMEM. */
int mvn_strv_add(char ***v, size_t *n, const char *s);
/* Free a string vector of n entries; NULL is a no-op. */
void mvn_strv_free(char **v, size_t n);

/*
 * The length of the valid UTF-8 character at s, its code point in *cp (may
 * be NULL), or 0 when the bytes there are not one: a stray continuation
 * byte, a truncated sequence, an overlong form, a surrogate or a code
 * point above U+10FFFF.  Reads no further than the first byte that does
 * not belong, so never past a NUL.
 */
size_t mvn_utf8_char(const unsigned char *s, uint32_t *cp);

#endif
