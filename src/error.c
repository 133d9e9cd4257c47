/* Filling struct mvn_error. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "util.h"

/*
 * Messages quote names and values from documents that anyone may write:
 * once formatted, the message is made one line of valid UTF-8, so that an
 * encoded newline or escape sequence in a document can neither forge a
 * second line nor drive the terminal.
 */
int mvn_error_vset(struct mvn_error *err, int code, int line, const char *fmt,
		   va_list ap)
{
	char raw[sizeof(err->msg)];

	if (!err)
		return code;
	err->code = code;
	err->line = line;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	mvn_shown(raw, err->msg, sizeof(err->msg));
	return code;
}

int mvn_error_set(struct mvn_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mvn_error_vset(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int mvn_error_setl(struct mvn_error *err, int code, int line, const char *fmt,
		   ...)
{
	va_list ap;

	va_start(ap, fmt);
	mvn_error_vset(err, code, line, fmt, ap);
	va_end(ap);
	return code;
}

void mvn_error_clear(struct mvn_error *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
}
