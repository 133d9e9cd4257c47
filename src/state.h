/*
 * The runtime state of an active network, as kept in the run directory: a
 * state file (the network's header: its link group, pool, host shim and
 * the addresses the shim took) and one file per endpoint.  This module only
 * turns them into text and back; the store keeps the files and the engine
 * decides what they mean.
 */
#ifndef MVN_STATE_H
#define MVN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "link.h"
#include "network.h"

/* Where a network is in its life; anything but active is a transaction. */
enum mvn_state_status {
	MVN_STATE_ACTIVE = 0,
	MVN_STATE_STARTING, /* net-start has not finished */
	MVN_STATE_STOPPING, /* net-destroy has not finished */
};

struct mvn_port_state {
	char name[16];
	int ifindex; /* 0: being created (its link may not exist yet) */
	int netnsid; /* -1: in macvnet's namespace, else where it was moved */
	char lower[16];
	unsigned char mac[6];
	unsigned int uid, gid, perm;
	bool is_static; /* created from the network's metadata */
	char owner[64]; /* who asked: "static", "cli", "domain:UUID" */
	char tap[256]; /* the character device's path */
	/* Passthrough: the lower device's own MAC, given back at the end. */
	bool has_saved_mac;
	unsigned char saved_mac[6];
};

/* An address, route or rule the host shim took from a lower device. */
struct mvn_moved {
	char dev[16];
	int ifindex; /* the device's then (0: not known) */
	struct mvn_l3 rec; /* as the kernel described it then */
};

/*
 * The endpoints a light load did not read whole: their names and lower
 * devices only (see mvn_port_log_scan()).
 */
struct mvn_port_names {
	char (*name)[16];
	unsigned short *lower; /* index into devs */
	size_t n;
	size_t *slot; /* hash of the names: place + 1; 0: empty */
	size_t mask;
	char (*devs)[16]; /* the lower devices they use, and how many each */
	size_t *count;
	size_t ndevs;
};

struct mvn_state {
	char *network;
	char store_id[17]; /* the store that wrote it */
	enum mvn_state_status status;
	uint32_t group;
	enum mvn_fwd_mode mode;
	/* The definition's, as started (net-info reads them here). */
	bool has_uuid; /* files written before these lack both */
	unsigned char uuid[16];
	enum mvn_tristate hairpin;
	char **lowers; /* the pool, in order */
	size_t nlowers;
	struct mvn_port_state *ports;
	size_t nports;
	bool has_host; /* the host shim (a macvlan) exists */
	char host_name[16];
	int host_ifindex;
	char host_lower[16];
	struct mvn_moved *moved;
	size_t nmoved;
	/* Not in the files: what the engine knows of how it read them. */
	size_t portcap; /* ports allocated */
	size_t log_len; /* bytes of whole records in the ports log */
	size_t log_records; /* records in it (puts and drops) */
	bool legacy; /* the ports came from a ports directory */
	/*
	 * A light load: ports holds only the endpoints asked for (and those
	 * added since); every other live one is in rest, by name and device.
	 */
	bool light;
	struct mvn_port_names rest;
};

/*
 * Parse a network's state file; what names it in messages.  The ports are
 * not in it: add them with mvn_state_add_port().  *out (free with
 * mvn_state_free()) only on success.
 */
int mvn_state_parse(const char *text, const char *what, struct mvn_state **out,
		    struct mvn_error *err);
/* The text of a network's state file (caller frees), NULL when out of memory. */
char *mvn_state_format(const struct mvn_state *s);
/* Free a state; NULL is a no-op. */
void mvn_state_free(struct mvn_state *s);

/* Parse one port file into *out; what names it in messages. */
int mvn_port_parse(const char *text, const char *what,
		   struct mvn_port_state *out, struct mvn_error *err);
/* The text of one port file (caller frees), NULL when out of memory. */
char *mvn_port_format(const struct mvn_port_state *p);

/*
 * The ports log: a network's endpoints as one file that only grows, so
 * that a change writes one record whatever the number of endpoints, and a
 * listing reads one file.  A record is the text of one port (as
 * mvn_port_format() writes it) or "drop IF", followed by the line
 * "end LEN" where LEN is the number of bytes of the record before it.  A
 * later record for a port replaces an earlier one; a drop removes it.
 */
/* The record that puts p, or drops the port ifname; *len is its length. */
char *mvn_port_log_put(const struct mvn_port_state *p, size_t *len);
char *mvn_port_log_drop(const char *ifname, size_t *len);
/*
 * Replay the log text (len bytes) into s's ports, sorted by name; what
 * names it in messages.  A last record cut short (a crash while it was
 * written) is left out: *good is the length of the whole records, which
 * the next append starts from.  A malformed record anywhere else is
 * damage (-EINVAL, the message naming its line).  s->log_len and
 * s->log_records are set.
 */
int mvn_port_log_replay(struct mvn_state *s, const char *text, size_t len,
			const char *what, struct mvn_error *err);

/*
 * A light replay of the log, for commands that change a few endpoints:
 * the records of the n names in want are read whole into s->ports; of the
 * others only the name and lower device, into s->rest (s->light is set).
 * A log that is not plainly whole (damage, a NUL byte, a record unlike
 * the ones macvnet writes) is replayed in full instead, with the same
 * verdict and messages as mvn_port_log_replay().
 */
int mvn_port_log_scan(struct mvn_state *s, const char *text, size_t len,
		      const char *const *want, size_t n, const char *what,
		      struct mvn_error *err);

/* The name of a status as written in the file. */
const char *mvn_state_status_name(enum mvn_state_status s);

/* Append a copy of port (returns -ENOMEM on failure). */
int mvn_state_add_port(struct mvn_state *s, const struct mvn_port_state *p);
/* Remove the port at index i. */
void mvn_state_remove_port(struct mvn_state *s, size_t i);
/* The index of the port called name, or -1. */
int mvn_state_find_port(const struct mvn_state *s, const char *name);
/* Whether a port called name is live (in ports, or in rest). */
bool mvn_state_has_port(const struct mvn_state *s, const char *name);
/* How many ports use lower device dev (in ports and in rest). */
size_t mvn_state_count_lower(const struct mvn_state *s, const char *dev);
/* How many ports are live (in ports and in rest). */
size_t mvn_state_live(const struct mvn_state *s);
/* Remember (a copy of) what the host shim took from dev (ifindex). */
int mvn_state_add_moved(struct mvn_state *s, const char *dev, int ifindex,
			const struct mvn_l3 *rec);
/* Forget all of it. */
void mvn_state_clear_moved(struct mvn_state *s);

#endif
