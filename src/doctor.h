/*
 * What will not work on a network's lower devices, and the fix: bridge and
 * Open vSwitch ports, devices down or without carrier, a host its guests
 * cannot reach, a switch that may not send frames back (measured with
 * --probe on two temporary endpoints), passthrough pools too small, MACs
 * used twice, address managers that would fight the host shim.  It
 * changes nothing but the probe's own temporary endpoints.
 */
#ifndef MVN_DOCTOR_H
#define MVN_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "engine.h"

enum mvn_doctor_level {
	MVN_DOCTOR_NOTE, /* worth knowing; everything works */
	MVN_DOCTOR_WARNING, /* part of the network will not work */
	MVN_DOCTOR_ERROR, /* the network will not start or run */
};

/* One thing found, on a device (or on the network when device is ""). */
struct mvn_finding {
	enum mvn_doctor_level level;
	char device[16];
	char network[256];
	const char *problem; /* a short id, e.g. "bridge-port" */
	char message[512]; /* one line: the problem and its fix */
};

/* What --probe measured on a network's first lower device. */
struct mvn_probe {
	char device[16];
	char network[256];
	bool hairpin; /* a frame between two endpoints came back */
	enum mvn_tristate host_reach; /* MVN_ABSENT: no IPv4 address there */
	char address[64]; /* the host's address asked for, or "" */
};

struct mvn_doctor {
	struct mvn_finding *findings;
	size_t nfindings;
	struct mvn_probe *probes;
	size_t nprobes;
	size_t nnetworks, ndevices; /* how many were checked */
};

/*
 * Check the lower devices of network (NULL: of every defined network);
 * with probe, measure the switch on each network's first lower device.
 * *out (free with mvn_doctor_free()) lists what was found; an error is
 * only what stopped the checks (a network that is not defined, an
 * interrupted probe).
 */
int mvn_doctor_run(struct mvn_engine *eng, const char *network, bool probe,
		   struct mvn_doctor **out, struct mvn_error *err);
void mvn_doctor_free(struct mvn_doctor *d);
/* "note", "warning", "error" (as in the JSON). */
const char *mvn_doctor_level_name(enum mvn_doctor_level l);

#endif
