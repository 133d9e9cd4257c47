/*
 * libFuzzer harness for "macvnet domain-convert": rewrite a domain's
 * network and direct interfaces for the network "lan".  What it writes must
 * be a domain that the domain parser reads back; when macvnet validate
 * accepts the input, it must accept the output too.  Limits: fuzz.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "iface.h"
#include "schema.h"

/* Abort with the message of err and the document that caused it. */
static void fail(const char *what, const struct mvn_error *err,
		 const char *text)
{
	fprintf(stderr, "fuzz-convert: %s: %s\n%s\n", what, err->msg, text);
	abort();
}

/* Whether macvnet validate accepts the domain text of len bytes. */
static int valid(const char *text, size_t len)
{
	struct mvn_error err = { 0 };
	struct mvn_domain *d = NULL;
	const char *kind = NULL;
	int ret;

	if (mvn_schema_validate(fuzz_schema(), text, len, "fuzz", &kind, &err) <
	    0)
		return 0;
	if (mvn_domain_parse(text, len, "fuzz", &d, &err) < 0)
		return 0;
	ret = mvn_domain_check(d, "fuzz", &err) == 0;
	mvn_domain_free(d);
	return ret;
}

static void one(const uint8_t *data, size_t len)
{
	const char *text = (const char *)data;
	struct mvn_error err = { 0 };
	struct mvn_domain *d = NULL;
	const char *kind = NULL;
	char *out = NULL;

	if (mvn_domain_convert(text, len, "fuzz", "lan", &out, &err) < 0)
		return;
	if (mvn_domain_parse(out, strlen(out), "converted", &d, &err) < 0)
		fail("the converted domain does not parse", &err, out);
	mvn_domain_check(d, "converted", &err);
	mvn_domain_free(d);
	/* A domain macvnet accepts stays one after the conversion. */
	if (valid(text, len)) {
		mvn_error_clear(&err);
		if (mvn_schema_validate(fuzz_schema(), out, strlen(out),
					"converted", &kind, &err) < 0)
			fail("the converted domain does not match the schema",
			     &err, out);
		d = NULL;
		mvn_domain_parse(out, strlen(out), "converted", &d, &err);
		if (mvn_domain_check(d, "converted", &err) < 0)
			fail("the converted domain breaks a rule", &err, out);
		mvn_domain_free(d);
	}
	free(out);
}

FUZZ_TARGET("fuzz-convert", one)
