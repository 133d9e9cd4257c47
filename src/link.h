/*
 * The kernel's links, as macvnet sees them: the only module that talks
 * netlink.  Callers go through struct mvn_link_ops so that they can be
 * tested against another implementation; mvn_link_netlink() is the real one.
 */
#ifndef MVN_LINK_H
#define MVN_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * Link groups macvnet owns: every link it creates carries a group in this
 * range from the moment it exists, which is how reconcile tells its links
 * from anyone else's.  The last group of the range is scratch space for
 * deleting a set of links in one request.
 */
#define MVN_GROUP_BASE 0x6d760000u
#define MVN_GROUP_COUNT 0x10000u
#define MVN_GROUP_SCRATCH (MVN_GROUP_BASE + MVN_GROUP_COUNT - 1)
#define MVN_GROUP_OURS(g) \
	((g) >= MVN_GROUP_BASE && (g)-MVN_GROUP_BASE < MVN_GROUP_COUNT)

enum mvn_link_kind {
	MVN_LINK_OTHER = 0,
	MVN_LINK_MACVTAP,
	MVN_LINK_MACVLAN,
	MVN_LINK_BRIDGE,
};

/* macvtap/macvlan modes, the kernel's bit values. */
enum mvn_link_mode {
	MVN_LINK_PRIVATE = 1,
	MVN_LINK_VEPA = 2,
	MVN_LINK_BRIDGE_MODE = 4,
	MVN_LINK_PASSTHRU = 8,
};

/* What to create. */
struct mvn_link_spec {
	const char *name;
	const char *lower;
	int lower_ifindex; /* 0: look it up by name */
	enum mvn_link_kind kind; /* MVN_LINK_MACVTAP or MVN_LINK_MACVLAN */
	enum mvn_link_mode mode;
	bool has_mac;
	unsigned char mac[6];
	unsigned int mtu; /* 0: the lower device's */
	uint32_t group;
};

/* What the kernel says about a link. */
struct mvn_link_info {
	char name[16];
	int ifindex;
	int lower_ifindex; /* 0 if none */
	int master_ifindex; /* bridge (or other master), 0 if none */
	enum mvn_link_kind kind;
	enum mvn_link_mode mode;
	unsigned char mac[6];
	unsigned int mtu;
	uint32_t group;
	bool up;
};

/* An interface address. */
struct mvn_addr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char bytes[16];
	unsigned int prefix;
	bool global; /* scope global (what an admin assigned) */
};

/* Parse "ADDRESS/PREFIX"; false if it is not one. */
bool mvn_addr_parse(const char *s, struct mvn_addr *a);
/* Format as "ADDRESS/PREFIX" into out (64 bytes). */
void mvn_addr_format(const struct mvn_addr *a, char out[64]);

struct mvn_link_ops {
	/* Create and bring up a link; *out describes it.  All or nothing. */
	int (*create)(void *ctx, const struct mvn_link_spec *spec,
		      struct mvn_link_info *out, struct mvn_error *err);
	/* Describe the link called name; -ENODEV if there is none. */
	int (*get)(void *ctx, const char *name, struct mvn_link_info *out,
		   struct mvn_error *err);
	/* Every link of the namespace; *out is freed by the caller. */
	int (*list)(void *ctx, struct mvn_link_info **out, size_t *n,
		    struct mvn_error *err);
	/* Delete every link of a group (one of macvnet's) in one request. */
	int (*delete_group)(void *ctx, uint32_t group, struct mvn_error *err);
	/* Delete one link by ifindex. */
	int (*delete)(void *ctx, int ifindex, struct mvn_error *err);
	/* Move a link to another group. */
	int (*set_group)(void *ctx, int ifindex, uint32_t group,
			 struct mvn_error *err);
	/* Bring a link up. */
	int (*set_up)(void *ctx, int ifindex, struct mvn_error *err);
	/* Give a (down) link another MAC address. */
	int (*set_mac)(void *ctx, int ifindex, const unsigned char mac[6],
		       struct mvn_error *err);
	/* The addresses of a link; *out is freed by the caller. */
	int (*addr_list)(void *ctx, int ifindex, struct mvn_addr **out,
			 size_t *n, struct mvn_error *err);
	/* Give a link an address. */
	int (*addr_add)(void *ctx, int ifindex, const struct mvn_addr *a,
			struct mvn_error *err);
	/* Take an address from a link. */
	int (*addr_del)(void *ctx, int ifindex, const struct mvn_addr *a,
			struct mvn_error *err);
	/* Release the context. */
	void (*close)(void *ctx);
};

/*
 * Open a netlink socket in the current network namespace.  *ops and *ctx
 * are set on success; release with ops->close(ctx).
 */
int mvn_link_netlink(const struct mvn_link_ops **ops, void **ctx,
		     struct mvn_error *err);

#endif
