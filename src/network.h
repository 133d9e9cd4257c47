/*
 * The <network> document: model, parser and canonical formatter.  The model
 * holds what macvnet acts on in typed fields and keeps the parts it only
 * carries (a NAT network's addressing, DNS, routes) as preserved elements.
 */
#ifndef MVN_NETWORK_H
#define MVN_NETWORK_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "xnode.h"

/* The namespace of macvnet's own settings inside <metadata>. */
#define MVN_NS "urn:macvnet:1"

enum mvn_tristate { MVN_ABSENT = 0, MVN_YES, MVN_NO };

enum mvn_fwd_mode {
	MVN_FWD_NONE = 0, /* no <forward>: an isolated network */
	MVN_FWD_NAT,
	MVN_FWD_ROUTE,
	MVN_FWD_OPEN,
	MVN_FWD_BRIDGE,
	MVN_FWD_PRIVATE,
	MVN_FWD_VEPA,
	MVN_FWD_PASSTHROUGH,
	MVN_FWD_HOSTDEV,
	MVN_FWD_LAST
};

/* The name libvirt uses for mode, e.g. "passthrough". */
const char *mvn_fwd_mode_name(enum mvn_fwd_mode mode);
/* The mode called name, or -1. */
int mvn_fwd_mode_from_name(const char *name);
/* Whether macvnet runs networks of this mode with macvtap endpoints. */
bool mvn_fwd_mode_is_macvtap(enum mvn_fwd_mode mode);

struct mvn_vlan_tag {
	unsigned int id;
	char *native_mode; /* "tagged", "untagged" or NULL */
};

struct mvn_vlan {
	bool present;
	enum mvn_tristate trunk;
	struct mvn_vlan_tag *tags;
	size_t ntags;
	int line;
};

struct mvn_rate {
	bool present;
	char *average, *peak, *floor, *burst;
};

struct mvn_bandwidth {
	bool present;
	bool classid; /* classID= was given (libvirt refuses it here) */
	struct mvn_rate in, out;
	int line;
};

struct mvn_virtualport {
	bool present;
	char *type; /* NULL when not given */
	bool has_params;
	char *managerid, *typeid, *typeidversion, *instanceid;
	char *profileid, *interfaceid;
	int line;
};

struct mvn_portgroup {
	char *name;
	enum mvn_tristate is_default;
	enum mvn_tristate trust_rx;
	struct mvn_virtualport vport;
	struct mvn_vlan vlan;
	struct mvn_bandwidth bandwidth;
	int line;
};

struct mvn_pci_addr {
	unsigned int domain, bus, slot, function;
	int line;
};

struct mvn_fwd_iface {
	char *dev;
	int line;
};

struct mvn_forward {
	bool present;
	enum mvn_fwd_mode mode;
	char *dev;
	enum mvn_tristate managed;
	char *driver; /* <driver name=> */
	char *pf; /* <pf dev=> */
	int pf_count;
	struct mvn_fwd_iface *ifaces;
	size_t nifaces;
	struct mvn_pci_addr *addrs;
	size_t naddrs;
	struct mvn_xnode *nat; /* <nat>, kept as written */
	int line;
};

struct mvn_bridge {
	bool present;
	char *name, *zone, *stp, *delay, *mac_table_manager;
	int line;
};

/* <macvnet:port>: a static endpoint created when the network starts. */
struct mvn_port_spec {
	char *name, *mac, *owner, *group, *mode;
	int line;
};

/* <macvnet:host>: the host-side macvlan that lets the host reach guests. */
struct mvn_host_spec {
	bool present;
	char *name, *address;
	enum mvn_tristate move_addresses;
	int line;
};

struct mvn_network {
	char *name;
	int name_count;
	unsigned char uuid[16];
	bool has_uuid;
	bool uuid_generated; /* none was written; a fresh one was made */
	char *title, *description;
	enum mvn_tristate ipv6, trust_rx;
	char *metadata; /* serialised <metadata>, printed back as is */
	struct mvn_port_spec *ports;
	size_t nports;
	struct mvn_host_spec host;
	/* <macvnet:switch hairpin>: what the adjacent switch port does. */
	enum mvn_tristate switch_hairpin;
	int switch_line; /* 0: not given */
	struct mvn_forward forward;
	struct mvn_bridge bridge;
	unsigned int mtu;
	int mtu_line;
	bool has_mac;
	unsigned char mac[6];
	int mac_line;
	struct mvn_xnode *domain;
	struct mvn_xnode *dns;
	struct mvn_vlan vlan;
	struct mvn_bandwidth bandwidth;
	struct mvn_virtualport vport;
	struct mvn_xnode **ips;
	size_t nips;
	struct mvn_xnode **routes;
	size_t nroutes;
	struct mvn_portgroup *portgroups;
	size_t nportgroups;
	enum mvn_tristate port_isolated;
	struct mvn_xnode *dnsmasq; /* <dnsmasq:options> */
	char *dnsmasq_prefix; /* its namespace prefix */
	int line;
};

/*
 * Parse a network document (text of len bytes; name for messages).  Only
 * structure and values are checked here; mvn_check_network() applies the
 * semantic rules.  *out is set only on success; free with mvn_network_free().
 */
int mvn_network_parse(const char *text, size_t len, const char *name,
		      struct mvn_network **out, struct mvn_error *err);
/* Read and parse a network document from a file (or "-"). */
int mvn_network_parse_file(const char *path, struct mvn_network **out,
			   struct mvn_error *err);
/* Free a network and everything it owns; NULL is a no-op. */
void mvn_network_free(struct mvn_network *net);

/*
 * Free what a part of a network owns and zero it, so that the part reads as
 * absent (used when a network is rewritten in memory).
 */
void mvn_vlan_clear(struct mvn_vlan *v);
void mvn_vport_clear(struct mvn_virtualport *vp);
void mvn_bandwidth_clear(struct mvn_bandwidth *bw);
void mvn_forward_clear(struct mvn_forward *fw);
void mvn_bridge_clear(struct mvn_bridge *br);

/*
 * Print the network in libvirt's canonical form (element and attribute
 * order, quoting, indentation).  Returns text the caller frees, or NULL when
 * memory ran out.
 */
char *mvn_network_format(const struct mvn_network *net);

#endif
