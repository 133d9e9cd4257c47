/* RelaxNG validation of network, interface and domain documents. */
#ifndef MVN_SCHEMA_H
#define MVN_SCHEMA_H

#include <stddef.h>

#include "error.h"

/*
 * The schema directory and the schemas compiled from it so far (each is
 * compiled the first time a document of its kind is validated).  Free with
 * mvn_schema_free().
 */
struct mvn_schema;

/* Open the schema directory dir; *out is set only on success. */
int mvn_schema_open(const char *dir, struct mvn_schema **out,
		    struct mvn_error *err);
/* Free the compiled schemas; NULL is a no-op. */
void mvn_schema_free(struct mvn_schema *s);

/*
 * Validate a document (text of len bytes, name used in messages) against the
 * schema for its root element.  *kind is set to the root element's name
 * ("network", ...; static storage) when the document is well-formed.  The
 * interfaces of a domain or interface document go through the rules of
 * mvn_iface_check_xml() first, which name the attribute and the fix.
 * Returns 0, or -EINVAL with the first violation and its line in err.
 */
int mvn_schema_validate(struct mvn_schema *s, const char *text, size_t len,
			const char *name, const char **kind,
			struct mvn_error *err);

#endif
