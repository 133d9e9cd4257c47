/*
 * The kernel's links and endpoint device nodes, as macvnet sees them: the
 * only module that talks netlink.  Callers go through struct mvn_link_ops so
 * that they can be tested against another implementation (an in-memory
 * kernel that fails where it is told to); mvn_link_netlink() is the real one.
 */
#ifndef MVN_LINK_H
#define MVN_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/*
 * Link groups macvnet uses: every link it creates carries a group in this
 * range from the moment it exists.  The group says "macvnet made this"; the
 * alias (below) says which store made it.  A group is never deleted whole
 * unless every link in it belongs to the store deleting it.
 */
#define MVN_GROUP_BASE 0x6d760000u
#define MVN_GROUP_COUNT 0x10000u
#define MVN_GROUP_LAST (MVN_GROUP_BASE + MVN_GROUP_COUNT - 1)
#define MVN_GROUP_OURS(g) \
	((g) >= MVN_GROUP_BASE && (g)-MVN_GROUP_BASE < MVN_GROUP_COUNT)

/*
 * The alias (IFLA_IFALIAS) of a link macvnet made:
 *   "macvnet STOREID OWNER NETWORK"
 * STOREID is the 16 hex digits of the store, OWNER the tag of who asked
 * ("static", "cli", "shim", "domain:UUID"), NETWORK the rest.  The kernel
 * only takes an alias on an existing link, so it is set right after the
 * link is created; until then the group alone marks it.
 */
#define MVN_ALIAS_MAX 255

/* The smallest MTU the kernel gives an Ethernet device (ETH_MIN_MTU). */
#define MVN_MTU_MIN 68

/* The namespace id of a link in the caller's own network namespace. */
#define MVN_NETNSID_SELF (-1)

enum mvn_link_kind {
	MVN_LINK_OTHER = 0,
	MVN_LINK_MACVTAP,
	MVN_LINK_MACVLAN,
	MVN_LINK_BRIDGE,
	MVN_LINK_OVS, /* an Open vSwitch datapath or internal port */
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
	int ifindex; /* the index wanted; 0: the kernel's choice */
	const char *lower;
	int lower_ifindex; /* 0: look it up by name */
	enum mvn_link_kind kind; /* MVN_LINK_MACVTAP or MVN_LINK_MACVLAN */
	enum mvn_link_mode mode;
	bool has_mac;
	unsigned char mac[6];
	unsigned int mtu; /* 0: the lower device's */
	uint32_t group;
	const char *alias; /* the owner's mark; NULL: none */
};

/* What the kernel says about a link. */
struct mvn_link_info {
	char name[16];
	int ifindex;
	int netnsid; /* MVN_NETNSID_SELF, or the peer namespace it is in */
	int lower_ifindex; /* 0 if none */
	int master_ifindex; /* bridge (or other master), 0 if none */
	enum mvn_link_kind kind;
	enum mvn_link_mode mode;
	unsigned char mac[6];
	unsigned int mtu;
	uint32_t group;
	bool up;
	bool carrier; /* the kernel sees a link partner (IFF_LOWER_UP) */
	char alias[MVN_ALIAS_MAX + 1]; /* "" when it has none */
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

/* Kinds of layer 3 records (link-l3.c). */
enum mvn_l3_kind {
	MVN_L3_ADDR,
	MVN_L3_ROUTE,
	MVN_L3_RULE,
	MVN_L3_NEIGH, /* a neighbour (ARP, NDP) entry the device learned */
};

/*
 * An address, route or policy rule as the kernel describes it: the body of
 * its RTM_NEWADDR, RTM_NEWROUTE or RTM_NEWRULE message, kept whole so that
 * it can be put back exactly (lifetimes, flags, metric, table, protocol,
 * source).
 */
struct mvn_l3 {
	enum mvn_l3_kind kind;
	size_t len;
	unsigned char *data;
};

/* How a record moves: from a device (ifindex and name) to another. */
struct mvn_l3_move {
	int from_ifindex;
	const char *from_name;
	int to_ifindex;
	const char *to_name;
};

/*
 * The global addresses of a device, the routes out through it (not those
 * the kernel makes from addresses, nor the local table), or the rules that
 * name it; *out is freed with mvn_l3_free().
 */
int mvn_l3_list(void *ctx, enum mvn_l3_kind kind, int ifindex,
		const char *ifname, struct mvn_l3 **out, size_t *n,
		struct mvn_error *err);
/* Add x, moved as mv says (NULL: as it is); one already there is fine. */
int mvn_l3_add(void *ctx, const struct mvn_l3 *x, const struct mvn_l3_move *mv,
	       struct mvn_error *err);
/* Remove x, moved as mv says (NULL: as it is); one already gone is fine. */
int mvn_l3_del(void *ctx, const struct mvn_l3 *x, const struct mvn_l3_move *mv,
	       struct mvn_error *err);
void mvn_l3_free(struct mvn_l3 *v, size_t n);
/* "address 192.0.2.5/24 (valid 600 s)", "route default via ...". */
void mvn_l3_describe(const struct mvn_l3 *x, char *out, size_t len);
/* Whether x is an address with a finite lifetime (DHCP, SLAAC). */
bool mvn_l3_dynamic(const struct mvn_l3 *x);
/* Whether two address records are the same address and prefix. */
bool mvn_l3_same_addr(const struct mvn_l3 *a, const struct mvn_l3 *b);
/* As text for the state file (caller frees), and back. */
char *mvn_l3_hex(const struct mvn_l3 *x);
int mvn_l3_unhex(enum mvn_l3_kind kind, const char *hex, struct mvn_l3 *out);
/* An address record from a plain address, and back. */
int mvn_l3_from_addr(const struct mvn_addr *a, int ifindex, struct mvn_l3 *out);
bool mvn_l3_to_addr(const struct mvn_l3 *x, struct mvn_addr *a, int *ifindex);

/* What mvn_link_ops.list returns. */
enum mvn_list_flags {
	/* Only links in macvnet's group range. */
	MVN_LIST_OURS = 1 << 0,
	/*
	 * Also macvnet's links that were moved to other network namespaces
	 * this one has an id for (ip link set DEV netns NS); they come with
	 * their netnsid set.
	 */
	MVN_LIST_MOVED = 1 << 1,
};

/*
 * Every operation is one bounded exchange with the kernel: a request that
 * gets no answer within the timeout fails with -ETIMEDOUT and a message
 * naming the step, never a hang.  Errors are negative errnos, the kernel's
 * own where it sent one; a message names the device and the fix.
 */
struct mvn_link_ops {
	/*
	 * Create a link, up, and give it spec->alias; *out describes it.
	 * All or nothing: when the alias cannot be set the link is deleted.
	 * A macvtap whose /dev/tapN (named by its ifindex, in the /dev all
	 * namespaces share) is another namespace's endpoint is made again at
	 * an ifindex whose node is free, as libvirt and QEMU open /dev/tapN.
	 */
	int (*create)(void *ctx, const struct mvn_link_spec *spec,
		      struct mvn_link_info *out, struct mvn_error *err);
	/*
	 * Create n links as create does, many requests in flight at once
	 * (sent in windows, their answers collected), each link all or
	 * nothing.  res[i] is 0 when link i exists, up and marked, and
	 * out[i] describes it; otherwise res[i] is its negative errno and no
	 * link of spec i is left.  Returns 0 when every link was made, else
	 * the errno of the first that was not, with err's message naming
	 * that device as create's would; the others still run.
	 */
	int (*create_many)(void *ctx, const struct mvn_link_spec *specs,
			   size_t n, struct mvn_link_info *out, int *res,
			   struct mvn_error *err);
	/* Describe the link called name here; -ENODEV if there is none. */
	int (*get)(void *ctx, const char *name, struct mvn_link_info *out,
		   struct mvn_error *err);
	/*
	 * Describe the link ifindex in namespace netnsid (MVN_NETNSID_SELF:
	 * here; out->netnsid says which); -ENODEV if there is none.
	 */
	int (*get_index)(void *ctx, int netnsid, int ifindex,
			 struct mvn_link_info *out, struct mvn_error *err);
	/* Links of the namespace (see enum mvn_list_flags); caller frees. */
	int (*list)(void *ctx, unsigned int flags, struct mvn_link_info **out,
		    size_t *n, struct mvn_error *err);
	/*
	 * Delete every link of a group (one of macvnet's) in the namespace
	 * netnsid (MVN_NETNSID_SELF: here) in one request; an empty group
	 * is not an error.
	 */
	int (*delete_group)(void *ctx, int netnsid, uint32_t group,
			    struct mvn_error *err);
	/* Delete one link; one that is already gone is not an error. */
	int (*delete_link)(void *ctx, int netnsid, int ifindex,
			   struct mvn_error *err);
	/*
	 * Move a link to another group.  Only links of this namespace: the
	 * kernel reads a target namespace in this request as "move the link
	 * there", so any other netnsid is refused (-EOPNOTSUPP).
	 */
	int (*set_group)(void *ctx, int netnsid, int ifindex, uint32_t group,
			 struct mvn_error *err);
	/*
	 * Move link ifindex of this namespace into the network namespace
	 * open at netns_fd (where names it in messages), called ifname there
	 * (NULL: its name), in one request, so that its name never clashes
	 * there.  The namespace is given an id here first; *out describes
	 * the link where it went (netnsid, ifindex, name).  All or nothing:
	 * on failure the link is still here, or was deleted.  Moving into
	 * this very namespace is refused (-EINVAL).
	 */
	int (*move)(void *ctx, int ifindex, int netns_fd, const char *where,
		    const char *ifname, struct mvn_link_info *out,
		    struct mvn_error *err);
	/* Bring a link of this namespace up, or take it down. */
	int (*set_up)(void *ctx, int ifindex, bool up, struct mvn_error *err);
	/* Give a link of this namespace another MAC address. */
	int (*set_mac)(void *ctx, int ifindex, const unsigned char mac[6],
		       struct mvn_error *err);
	/* The addresses of a link; *out is freed by the caller. */
	int (*addr_list)(void *ctx, int ifindex, struct mvn_addr **out,
			 size_t *n, struct mvn_error *err);
	/* Give a link an address; one it already has is not an error. */
	int (*addr_add)(void *ctx, int ifindex, const struct mvn_addr *a,
			struct mvn_error *err);
	/* Take an address from a link; one it lacks is not an error. */
	int (*addr_del)(void *ctx, int ifindex, const struct mvn_addr *a,
			struct mvn_error *err);
	/* The layer 3 setup of a device, moved and put back (link-l3.c). */
	int (*l3_list)(void *ctx, enum mvn_l3_kind kind, int ifindex,
		       const char *ifname, struct mvn_l3 **out, size_t *n,
		       struct mvn_error *err);
	int (*l3_add)(void *ctx, const struct mvn_l3 *x,
		      const struct mvn_l3_move *mv, struct mvn_error *err);
	int (*l3_del)(void *ctx, const struct mvn_l3 *x,
		      const struct mvn_l3_move *mv, struct mvn_error *err);
	/*
	 * The character device of macvtap ifname (ifindex and MAC here, as
	 * netlink told them) given to uid:gid with mode perm; its path is
	 * written to path.  See mvn_tap_prepare().
	 */
	int (*node_make)(void *ctx, const char *run_dir, const char *ifname,
			 int ifindex, const unsigned char *mac, uid_t uid,
			 gid_t gid, mode_t perm, char *path, size_t pathlen,
			 struct mvn_error *err);
	/* Remove a private node made by node_make (never one in /dev). */
	int (*node_remove)(void *ctx, const char *run_dir, const char *path,
			   struct mvn_error *err);
	/* Release the context. */
	void (*close)(void *ctx);
};

/*
 * Open the network namespace target names for mvn_link_ops.move: a name
 * under /run/netns (as "ip netns add" makes; never through a symbolic
 * link), a process ID (its /proc/PID/ns/net), or a path to a namespace
 * file (anything with a '/').  *fd (close-on-exec) is the caller's to
 * close; anything but a network namespace is refused.
 */
int mvn_netns_open(const char *target, int *fd, struct mvn_error *err);

/*
 * Open a netlink socket in the current network namespace; every exchange
 * waits at most timeout_ms for the kernel.  *ops and *ctx are set on
 * success; release with ops->close(ctx).
 */
int mvn_link_netlink(unsigned int timeout_ms, const struct mvn_link_ops **ops,
		     void **ctx, struct mvn_error *err);

#endif
