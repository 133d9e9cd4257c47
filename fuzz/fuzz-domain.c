/*
 * libFuzzer harness for domain and interface documents, the way "macvnet
 * validate" reads them (engine-def.c) and the hook reads a domain: the
 * RelaxNG schema of the root element, the domain parser (which also takes
 * libvirt's <hookData> around a domain) and its port rules, and the
 * standalone <interface> parser.  Limits: fuzz.h.
 */
#include "config.h"

#include "fuzz.h"
#include "iface.h"
#include "schema.h"

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
