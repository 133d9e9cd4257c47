/*
 * libFuzzer harness for domain and interface documents, the way "macvnet
 * validate" reads them (engine-def.c) and the hook reads a domain: the
 * RelaxNG schema of the root element, the domain parser (which also takes
 * libvirt's <hookData> around a domain) and its port rules, and the
 * standalone <interface> parser; and what the plain reader takes must be
 * libxml2's tree.  Limits: fuzz.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "../tests/xmlsame.h"
#include "fuzz.h"
#include "iface.h"
#include "schema.h"

/*
 * What the plain reader (xmlmini.c) takes, libxml2 must take too, into the
 * same tree; otherwise the input is a crash.
 */
static void same_as_libxml2(const char *text, size_t len)
{
	struct mvn_error err = { 0 };
	xmlDocPtr mini = NULL, full = NULL;

	if (mvn_xml_mini_parse(text, len, &mini) < 0)
		return;
	if (mvn_xml_parse(text, len, "fuzz", &full, &err) < 0) {
		fprintf(stderr,
			"the plain reader took what libxml2 refuses: "
			"%s\n",
			err.msg);
		abort();
	}
	if (!same_nodes(mini->children, full->children)) {
		fprintf(stderr, "the trees differ: %s\n", xml_same_where);
		abort();
	}
	mvn_xml_mini_free(mini);
	mvn_xml_doc_free(full);
	mvn_error_clear(&err);
}

/* Look up every port's and interface's target, as the hook does. */
static void lookups(const struct mvn_domain *d)
{
	size_t i;

	for (i = 0; i < d->nports; i++)
		mvn_domain_iface(d, d->ports[i].target);
	for (i = 0; i < d->nifaces; i++)
		if (d->ifaces[i]->target_dev)
			mvn_domain_iface(d, d->ifaces[i]->target_dev);
}

static void one(const uint8_t *data, size_t len)
{
	const char *text = (const char *)data;
	struct mvn_error err = { 0 };
	struct mvn_domain *d = NULL;
	struct mvn_iface *i = NULL;
	const char *kind = NULL;

	same_as_libxml2(text, len);
	mvn_schema_validate(fuzz_schema(), text, len, "fuzz", &kind, &err);
	mvn_error_clear(&err);
	if (mvn_domain_parse(text, len, "fuzz", &d, &err) == 0) {
		lookups(d);
		mvn_domain_check(d, "fuzz", &err);
		mvn_domain_free(d);
	}
	mvn_error_clear(&err);
	if (mvn_iface_parse(text, len, "fuzz", &i, &err) == 0)
		mvn_iface_free(i);
}

FUZZ_TARGET("fuzz-domain", one)
