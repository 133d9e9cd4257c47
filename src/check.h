/* Semantic rules over a parsed network, beyond what the schema says. */
#ifndef MVN_CHECK_H
#define MVN_CHECK_H

#include <stddef.h>

#include "error.h"
#include "network.h"

/*
 * Apply the rules that libvirt applies when it defines a network, and
 * macvnet's own (interface names, MAC addresses, its metadata).  name is the
 * document's name for messages.  Returns 0 or -EINVAL with the first broken
 * rule, its line and the fix in err.
 */
int mvn_check_network(const struct mvn_network *net, const char *name,
		      struct mvn_error *err);

/*
 * Whether macvnet can run net with macvtap endpoints (net-define): a bridge,
 * vepa, private or passthrough network over an interface pool.  Other
 * networks are refused with the reason and what to use instead.  What is
 * accepted but not acted on is described in warn (code 0), if not NULL.
 */
int mvn_check_runnable(const struct mvn_network *net, const char *name,
		       struct mvn_error *warn, struct mvn_error *err);

/*
 * The first of the kernel's rules for network interface names that name
 * breaks, as a phrase for a message (translated; in buf or static), or NULL
 * when the kernel takes the name: 1 to 15 bytes, no '/', ':', white space
 * (the kernel's, which includes byte 0xa0) or control characters, and
 * neither '.' nor '..'.
 */
const char *mvn_check_ifname_rule(const char *name, char *buf, size_t size);

/*
 * Refuse value, the attribute attr of an element called element (as
 * written, "macvnet:port"), unless it can name a network interface.
 * Returns 0, or -EINVAL with "doc:line: " and a message naming the
 * element, the attribute, the value and the rule it breaks.
 */
int mvn_check_ifname(struct mvn_error *err, const char *doc, int line,
		     const char *element, const char *attr, const char *value);

#endif
