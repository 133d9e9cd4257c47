/*
 * Migration of Open vSwitch (and host bridge) networks and of the domain
 * interfaces that use them to macvtap: networks become <forward mode=MODE>
 * over the bridge's uplink, interfaces become type='network' on the
 * migrated network (or type='direct' on the uplink).  What macvtap cannot
 * do is reported through a callback, never dropped silently.
 */
#ifndef MVN_OVS_H
#define MVN_OVS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "network.h"
#include "ovs-discover.h"

/* KEY=VALUE as given on the command line. */
struct mvn_kv {
	const char *key, *value;
};

/* What kind of bridge network a network is. */
enum mvn_ovs_kind {
	MVN_OVS_KIND_OTHER = 0, /* not a bridge network */
	MVN_OVS_KIND_OVS, /* <virtualport type='openvswitch'> */
	MVN_OVS_KIND_HOST, /* <bridge name> of a host (Linux) bridge */
	MVN_OVS_KIND_MACVTAP, /* already macvtap */
};

struct mvn_ovs_opts {
	enum mvn_fwd_mode mode; /* bridge, vepa, private or passthrough */
	bool direct; /* interfaces become type='direct' */
	bool discover; /* ask Open vSwitch or sysfs when no uplink is given */
	const struct mvn_kv *uplinks; /* BRIDGE=DEV or NETWORK=DEV */
	size_t nuplinks;
	const struct mvn_kv *renames; /* OLD=NEW network names */
	size_t nrenames;
	mvn_ovs_report_fn report;
	void *report_ctx;
};

/* A migrated network. */
struct mvn_ovs_net {
	char *old_name, *new_name;
	char *bridge; /* the bridge's name, or NULL */
	enum mvn_ovs_kind kind;
	char **uplinks;
	size_t nuplinks;
	char *xml; /* the macvtap network */
};

struct mvn_ovs {
	struct mvn_ovs_opts opts;
	struct mvn_ovs_net *nets;
	size_t nnets;
	struct mvn_discover disc; /* the bridges asked about */
	bool *uplink_used, *rename_used; /* per --uplink and --rename */
	struct mvn_ovs_sink sink; /* opts.report, and the warnings so far */
};

/*
 * Whether dev can be an uplink: an interface name that libvirt's network
 * XML also takes (letters, digits, '_', '.', '-').
 */
bool mvn_ovs_uplink_name_ok(const char *dev);

/* Start a migration with opts (copied); free with mvn_ovs_free(). */
struct mvn_ovs *mvn_ovs_new(const struct mvn_ovs_opts *opts);
void mvn_ovs_free(struct mvn_ovs *m);

/* The kind of network net is. */
enum mvn_ovs_kind mvn_ovs_network_kind(const struct mvn_network *net);

/*
 * Migrate a parsed network (rewritten in place) and record it in m.  doc
 * names the document in messages.  Networks that are not Open vSwitch or
 * host bridge networks are refused with the reason.
 */
int mvn_ovs_network(struct mvn_ovs *m, struct mvn_network *net, const char *doc,
		    struct mvn_error *err);

/* The migrated network that was called name, or NULL. */
const struct mvn_ovs_net *mvn_ovs_find(const struct mvn_ovs *m,
				       const char *name);

/*
 * Migrate the interfaces of a domain document that sit on Open vSwitch, on
 * a migrated network or on a bridge given with an uplink.  *out is the new
 * document (caller frees) and *count the number of interfaces changed; when
 * none is, *out is NULL.
 */
int mvn_ovs_domain(struct mvn_ovs *m, const char *text, size_t len,
		   const char *doc, char **out, unsigned int *count,
		   struct mvn_error *err);

#endif
