/*
 * The runtime state of an active network: its link group and the endpoints
 * that exist for it, as kept in the run directory.
 */
#ifndef MVN_STATE_H
#define MVN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "network.h"

struct mvn_port_state {
	char name[16];
	int ifindex;
	char lower[16];
	unsigned char mac[6];
	unsigned int uid, gid, perm;
	bool is_static; /* created from the network's metadata */
	char owner[64]; /* who asked: "static", "cli", "domain:NAME" */
	char tap[256]; /* the character device's path */
};

/* A lower device whose MAC a passthrough endpoint took, and its own. */
struct mvn_saved_mac {
	char dev[16];
	unsigned char mac[6];
};

/* An address moved from a lower device to the host shim. */
struct mvn_moved_addr {
	char dev[16];
	char cidr[64];
};

struct mvn_state {
	char *network;
	uint32_t group;
	enum mvn_fwd_mode mode;
	char **lowers; /* the pool, in order */
	size_t nlowers;
	struct mvn_port_state *ports;
	size_t nports;
	struct mvn_saved_mac *saved;
	size_t nsaved;
	bool has_host; /* the host shim (a macvlan) exists */
	char host_name[16];
	int host_ifindex;
	char host_lower[16];
	struct mvn_moved_addr *moved;
	size_t nmoved;
};

/* Remember an address moved from dev to the host shim. */
int mvn_state_add_moved(struct mvn_state *s, const char *dev, const char *cidr);

/* Parse state text; *out (free with mvn_state_free()) only on success. */
int mvn_state_parse(const char *text, const char *what, struct mvn_state **out,
		    struct mvn_error *err);
/* The text of a state (caller frees), or NULL when out of memory. */
char *mvn_state_format(const struct mvn_state *s);
/* Free a state; NULL is a no-op. */
void mvn_state_free(struct mvn_state *s);

/* Append a copy of port (returns -ENOMEM on failure). */
int mvn_state_add_port(struct mvn_state *s, const struct mvn_port_state *p);
/* Remove the port at index i. */
void mvn_state_remove_port(struct mvn_state *s, size_t i);
/* The index of the port called name, or -1. */
int mvn_state_find_port(const struct mvn_state *s, const char *name);
/* Remember dev's own MAC before a passthrough endpoint takes it over. */
int mvn_state_save_mac(struct mvn_state *s, const char *dev,
		       const unsigned char mac[6]);
/* Forget the saved MAC of dev (after it was restored). */
void mvn_state_forget_mac(struct mvn_state *s, const char *dev);
/* How many ports use lower device dev. */
size_t mvn_state_count_lower(const struct mvn_state *s, const char *dev);

#endif
