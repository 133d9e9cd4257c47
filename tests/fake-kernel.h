/*
 * An in-memory kernel behind struct mvn_link_ops, for the engine's tests:
 * links with groups, aliases, MACs and addresses, several network
 * namespaces, device nodes, and the refusals the real kernel makes
 * (name or MAC in use, a second endpoint beside a passthrough one).  It
 * counts every operation and can fail the Nth one.
 */
#ifndef MVN_FAKE_KERNEL_H
#define MVN_FAKE_KERNEL_H

#include <stdbool.h>

#include "link.h"

#define FAKE_MAX_LINKS 128
#define FAKE_MAX_ADDRS 8
#define FAKE_MAX_NODES 128

struct fake_link {
	bool used;
	struct mvn_link_info info;
	struct mvn_addr addrs[FAKE_MAX_ADDRS];
	int naddrs;
};

struct fake_kernel {
	struct fake_link links[FAKE_MAX_LINKS];
	int next_ifindex;
	char nodes[FAKE_MAX_NODES][256];
	int nnodes;
	unsigned long ops; /* operations asked for so far */
	unsigned long lists; /* of them, lists of all links (dumps) */
	unsigned long fail_at; /* fail operation number fail_at (0: never) */
	int fail_code; /* the errno it fails with (default EIO) */
	bool fired; /* the failure happened */
	int peer_netnsid; /* the id move gives its target (0: 9) */
};

/* The ops table; the context is a struct fake_kernel (never freed by it). */
extern const struct mvn_link_ops fake_ops;

/* Add a plain device (a lower device or anything else); its ifindex. */
int fake_add_device(struct fake_kernel *k, const char *name,
		    const unsigned char mac[6]);
/* The link called name in this namespace, or NULL. */
struct fake_link *fake_find(struct fake_kernel *k, const char *name);
/* Move link name to namespace netnsid with a new ifindex (ip link set netns). */
void fake_move(struct fake_kernel *k, const char *name, int netnsid);
/* How many links carry a group in macvnet's range. */
int fake_count_ours(const struct fake_kernel *k);

#endif
