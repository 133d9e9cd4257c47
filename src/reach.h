/*
 * Who reaches whom on a network, as the kernel and the adjacent switch
 * pass frames: the endpoints of each lower device, the host (through its
 * shim, or its own addresses on a device) and the LAN.  A pure model of
 * measured behaviour (docs: DESIGN's table, tests/reach.sh); net-info
 * prints it, doctor explains it.
 */
#ifndef MVN_REACH_H
#define MVN_REACH_H

#include <stdbool.h>
#include <stddef.h>

#include "network.h"

enum mvn_pass {
	MVN_PASS_YES,
	MVN_PASS_NO,
	MVN_PASS_UNICAST, /* unicast passes, broadcast does not */
	MVN_PASS_HAIRPIN, /* only if the switch sends frames back: not known */
};

/* The network as the model needs it. */
struct mvn_reach_net {
	enum mvn_fwd_mode mode;
	const char *const *lowers; /* the pool */
	size_t nlowers;
	const size_t *nports; /* endpoints on each lower */
	const bool *host_addr; /* which lowers carry the host's addresses */
	const char *shim; /* the host shim's name, or NULL */
	const char *shim_lower; /* its device */
	enum mvn_tristate hairpin; /* the switch: MVN_ABSENT when not known */
};

/* One pair: a and b are "DEV" (its endpoints), "host" or "LAN". */
struct mvn_reach_row {
	const char *a, *b;
	enum mvn_pass pass;
	const char *why; /* one sentence, translated */
};

/*
 * The rows for n (caller frees *rows, not the strings: they point into n
 * and the catalog): each device's endpoints among themselves (when it can
 * hold more than one), with every other device's, with the host and the
 * LAN, and the host with the LAN.
 */
int mvn_reach(const struct mvn_reach_net *n, struct mvn_reach_row **rows,
	      size_t *nrows);

/* "yes", "no", "unicast", "hairpin" (as in the JSON). */
const char *mvn_pass_name(enum mvn_pass p);

#endif
