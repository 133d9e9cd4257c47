/*
 * libFuzzer harness for network documents, the way "macvnet validate" and
 * net-define read them (engine-def.c): the RelaxNG schema of the root
 * element, the parser, libvirt's and macvnet's rules, then the canonical
 * formatter.  When a document passes the schema and the rules, its
 * canonical form must too, and must be a fixed point.  Limits: fuzz.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fuzz.h"
#include "network.h"
#include "schema.h"

/* Abort with the message of err and the document that caused it. */
static void fail(const char *what, const struct mvn_error *err,
		 const char *text)
{
	fprintf(stderr, "fuzz-network: %s: %s\n%s\n", what, err ? err->msg : "",
		text);
	abort();
}

/*
 * What macvnet prints for a network that net-define accepts must be a
 * network that net-define accepts, and printing it again must change
 * nothing (the canonical form is a fixed point).
 */
static void reformat(const char *text)
{
	struct mvn_error err = { 0 };
	struct mvn_network *net = NULL;
	const char *kind = NULL;
	char *again;

	if (mvn_schema_validate(fuzz_schema(), text, strlen(text), "formatted",
				&kind, &err) < 0)
		fail("the formatted network does not match the schema", &err,
		     text);
	if (mvn_network_parse(text, strlen(text), "formatted", &net, &err) < 0)
		fail("the formatted network does not parse", &err, text);
	if (mvn_check_network(net, "formatted", &err) < 0)
		fail("the formatted network breaks a rule", &err, text);
	again = mvn_network_format(net);
	if (again && strcmp(again, text))
		fail("formatting twice changes the network", NULL, again);
	free(again);
	mvn_network_free(net);
}

static void one(const uint8_t *data, size_t len)
{
	const char *text = (const char *)data;
	struct mvn_error err = { 0 }, warn = { 0 };
	struct mvn_network *net = NULL;
	const char *kind = NULL;
	char *out;
	int valid;

	valid = mvn_schema_validate(fuzz_schema(), text, len, "fuzz", &kind,
				    &err) == 0;
	mvn_error_clear(&err);
	if (mvn_network_parse(text, len, "fuzz", &net, &err) < 0)
		return;
	if (mvn_check_network(net, "fuzz", &err) < 0)
		valid = 0;
	mvn_check_runnable(net, "fuzz", &warn, &err);
	out = mvn_network_format(net);
	if (out && valid)
		reformat(out);
	free(out);
	mvn_network_free(net);
}

FUZZ_TARGET("fuzz-network", one)
