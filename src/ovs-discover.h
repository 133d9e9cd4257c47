/*
 * Finding a bridge's uplinks on this host: the ports Open vSwitch lists
 * (ovs-vsctl) or those of a Linux bridge in sysfs, and what the bridge does
 * that macvtap cannot (OpenFlow rules, bonds, tunnels, VLAN filtering),
 * reported through a sink.  Each bridge is asked about once.
 */
#ifndef MVN_OVS_DISCOVER_H
#define MVN_OVS_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "util.h"

enum mvn_ovs_level {
	MVN_OVS_NOTE, /* advice; the result is complete */
	MVN_OVS_WARN, /* something is lost; --strict refuses */
};

/*
 * A report: doc is the document's name, line its line (0 when none), msg
 * one sentence with what is lost and what to do.
 */
typedef void (*mvn_ovs_report_fn)(void *ctx, enum mvn_ovs_level level,
				  const char *doc, int line, const char *msg);

/* Where reports go, and how many warnings were given so far. */
struct mvn_ovs_sink {
	mvn_ovs_report_fn fn; /* NULL: reports are only counted */
	void *ctx;
	unsigned int nwarn; /* reports of level MVN_OVS_WARN */
};

/*
 * Format a report and hand it to the sink as one printable line (control
 * characters in names from documents or programs escaped).
 */
void mvn_ovs_say(struct mvn_ovs_sink *sink, enum mvn_ovs_level level,
		 const char *doc, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* A bridge that was asked about, with the uplinks found (maybe none). */
struct mvn_ovs_found {
	char *bridge;
	char **devs;
	size_t ndevs;
};

/* The bridges asked about so far; zero it to start. */
struct mvn_discover {
	struct mvn_ovs_found *found;
	size_t nfound;
	struct mvn_ovs_sink *sink; /* borrowed */
};

/* Free what d holds (d itself is the caller's). */
void mvn_discover_clear(struct mvn_discover *d);

/*
 * Append to *devs the uplinks of bridge br: the non-VM ports that Open
 * vSwitch lists (ovs true) or the ports of a Linux bridge in sysfs that
 * are not taps.  Findings about the bridge are reported.  -ENOENT with the
 * fix (--uplink BR=DEV) when none is found.
 */
int mvn_discover_uplinks(struct mvn_discover *d, const char *br, bool ovs,
			 const char *doc, char ***devs, size_t *ndevs,
			 struct mvn_error *err);

/*
 * A bridge whose uplink was given: what Open vSwitch or the Linux bridge
 * here does that macvtap cannot is still reported, once.
 */
int mvn_discover_check(struct mvn_discover *d, const char *br, bool ovs,
		       const char *doc, struct mvn_error *err);

#endif
