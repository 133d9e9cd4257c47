/* Semantic rules over a parsed network, beyond what the schema says. */
#ifndef MVN_CHECK_H
#define MVN_CHECK_H

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

#endif
