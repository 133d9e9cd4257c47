/*
 * The rules libvirt itself applies when it defines a network (what its
 * conformance tests exercise), kept apart from macvnet's own rules in
 * check.c.  Internal to the check module: callers use check.h.
 */
#ifndef MVN_CHECK_LIBVIRT_H
#define MVN_CHECK_LIBVIRT_H

#include "error.h"
#include "network.h"

/*
 * Fill err with "doc:line: message" (or "doc: message" when line is 0) and
 * return -EINVAL.  Shared by the rules of both files of the check module.
 */
int mvn_check_fail(struct mvn_error *err, const char *doc, int line,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * Apply libvirt's rules to net: its name, addressing (<ip>, <route>, <dns>,
 * <nat>), forward pool, bridge, portgroups, bandwidth and VLANs.  Returns 0
 * or -EINVAL with the first broken rule in err.
 */
int mvn_check_libvirt(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err);

#endif
