/* Errors that the library hands back to the one place that prints them. */
#ifndef MVN_ERROR_H
#define MVN_ERROR_H

#include <stdarg.h>

#include "i18n.h"

/*
 * A failure described for a human: the negative errno in code, the line of
 * the input document it refers to (0 when none), and one sentence that names
 * the object and the fix.  The caller owns it, usually on its stack.
 */
struct mvn_error {
	int code;
	int line;
	char msg[512];
};

/*
 * Fill err (which may be NULL) with code and a formatted message; return
 * code.  The message is always one line of valid UTF-8: control characters
 * and invalid bytes in it (from quoted names and values) are escaped as
 * mvn_shown() in util.h does.
 */
int mvn_error_set(struct mvn_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like mvn_error_set, and record the line of the input it concerns. */
int mvn_error_setl(struct mvn_error *err, int code, int line, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

/* The va_list form behind both. */
int mvn_error_vset(struct mvn_error *err, int code, int line, const char *fmt,
		   va_list ap) __attribute__((format(printf, 4, 0)));

/* Clear err so that it can be reused. */
void mvn_error_clear(struct mvn_error *err);

#endif
