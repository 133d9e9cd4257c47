/*
 * Open vSwitch to macvtap migration: networks are rewritten through the
 * network model (so the result is printed in libvirt's canonical form),
 * domains through iface.c's domain rewriter (so everything but the
 * migrated interfaces stays as written).  Finding a bridge's uplinks is
 * ovs-discover.c's.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iface.h"
#include "ovs.h"
#include "util.h"
#include "xml.h"

struct mvn_ovs *mvn_ovs_new(const struct mvn_ovs_opts *opts)
{
	struct mvn_ovs *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->opts = *opts;
	m->sink.fn = opts->report;
	m->sink.ctx = opts->report_ctx;
	m->disc.sink = &m->sink;
	m->uplink_used = calloc(opts->nuplinks + 1, sizeof(bool));
	m->rename_used = calloc(opts->nrenames + 1, sizeof(bool));
	if (!m->uplink_used || !m->rename_used) {
		mvn_ovs_free(m);
		return NULL;
	}
	return m;
}

void mvn_ovs_free(struct mvn_ovs *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nnets; i++) {
		free(m->nets[i].old_name);
		free(m->nets[i].new_name);
		free(m->nets[i].bridge);
		mvn_strv_free(m->nets[i].uplinks, m->nets[i].nuplinks);
		free(m->nets[i].xml);
	}
	free(m->nets);
	mvn_discover_clear(&m->disc);
	free(m->uplink_used);
	free(m->rename_used);
	free(m);
}

static int oom(struct mvn_error *err)
{
	return mvn_error_set(err, -ENOMEM, _("out of memory"));
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* "a, b, c" for messages. */
static void strv_join(char *const *v, size_t n, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used < size; i++)
		used += snprintf(out + used, size - used, "%s%s", i ? ", " : "",
				 v[i]);
}

/* The uplinks given on the command line for key (a bridge or network). */
static int given_uplinks(struct mvn_ovs *m, const char *key, char ***devs,
			 size_t *ndevs)
{
	size_t i;

	for (i = 0; key && i < m->opts.nuplinks; i++) {
		if (strcmp(m->opts.uplinks[i].key, key))
			continue;
		m->uplink_used[i] = true;
		if (strv_has(*devs, *ndevs, m->opts.uplinks[i].value))
			continue;
		if (mvn_strv_add(devs, ndevs, m->opts.uplinks[i].value) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool has_uplink_for(struct mvn_ovs *m, const char *key)
{
	bool found = false;
	size_t i;

	for (i = 0; key && i < m->opts.nuplinks; i++)
		if (!strcmp(m->opts.uplinks[i].key, key))
			found = m->uplink_used[i] = true;
	return found;
}

bool mvn_ovs_uplink_name_ok(const char *dev)
{
	const char *p;

	if (!mvn_ifname_valid(dev) || dev[0] == '-')
		return false;
	for (p = dev; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

static const char *renamed(struct mvn_ovs *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->opts.nrenames; i++)
		if (!strcmp(m->opts.renames[i].key, name)) {
			m->rename_used[i] = true;
			return m->opts.renames[i].value;
		}
	return name;
}

/* ---- Networks ------------------------------------------------------ */

static bool vport_is_ovs(const struct mvn_virtualport *vp)
{
	return vp->present && vp->type && !strcmp(vp->type, "openvswitch");
}

enum mvn_ovs_kind mvn_ovs_network_kind(const struct mvn_network *net)
{
	size_t i;

	if (!net->forward.present || net->forward.mode != MVN_FWD_BRIDGE) {
		if (net->forward.present &&
		    mvn_fwd_mode_is_macvtap(net->forward.mode))
			return MVN_OVS_KIND_MACVTAP;
		return MVN_OVS_KIND_OTHER;
	}
	if (vport_is_ovs(&net->vport))
		return MVN_OVS_KIND_OVS;
	for (i = 0; i < net->nportgroups; i++)
		if (vport_is_ovs(&net->portgroups[i].vport))
			return MVN_OVS_KIND_OVS;
	if (net->bridge.name)
		return MVN_OVS_KIND_HOST;
	return MVN_OVS_KIND_MACVTAP;
}

/* "42, 48 (trunk)" for a <vlan>. */
static void vlan_text(const struct mvn_vlan *v, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < v->ntags && used < size; i++)
		used += snprintf(out + used, size - used, "%s%u", i ? ", " : "",
				 v->tags[i].id);
	if (v->trunk == MVN_YES && used < size)
		snprintf(out + used, size - used, " (trunk)");
}

static void vport_params_text(const struct mvn_virtualport *vp, char *out,
			      size_t size)
{
	const struct {
		const char *name, *value;
	} p[] = {
		{ "interfaceid", vp->interfaceid },
		{ "profileid", vp->profileid },
		{ "managerid", vp->managerid },
		{ "typeid", vp->typeid },
		{ "typeidversion", vp->typeidversion },
		{ "instanceid", vp->instanceid },
	};
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(p) / sizeof(p[0]) && used < size; i++)
		if (p[i].value)
			used += snprintf(out + used, size - used, "%s%s='%s'",
					 used ? " " : "", p[i].name,
					 p[i].value);
}

/* Report and drop what one level (network or portgroup) cannot keep. */
static void drop_level(struct mvn_ovs *m, const char *doc, const char *what,
		       const char *uplink, struct mvn_virtualport *vp,
		       struct mvn_vlan *vlan, struct mvn_bandwidth *bw)
{
	char text[256];

	if (vlan->present) {
		vlan_text(vlan, text, sizeof(text));
		mvn_ovs_say(
			&m->sink, MVN_OVS_WARN, doc, vlan->line,
			_("the VLAN tag(s) %1$s of %2$s are dropped: macvtap "
			  "cannot tag frames; make a VLAN device on the "
			  "uplink (ip link add link %3$s name %3$s.%4$u type "
			  "vlan id %4$u) and a network over it for each VLAN"),
			text, what, uplink, vlan->ntags ? vlan->tags[0].id : 1);
		mvn_vlan_clear(vlan);
	}
	if (vp->present) {
		vport_params_text(vp, text, sizeof(text));
		if (text[0])
			mvn_ovs_say(
				&m->sink, MVN_OVS_WARN, doc, vp->line,
				_("the Open vSwitch port parameters %1$s of "
				  "%2$s are dropped: nothing on macvtap uses "
				  "them (OpenFlow rules or controllers keyed "
				  "on them lose these guests)"),
				text, what);
		mvn_vport_clear(vp);
	}
	if (bw->present) {
		mvn_ovs_say(
			&m->sink, MVN_OVS_WARN, doc, bw->line,
			_("the <bandwidth> of %s is dropped: libvirt does not "
			  "shape macvtap networks; put <bandwidth> into the "
			  "guests' <interface> elements instead"),
			what);
		mvn_bandwidth_clear(bw);
	}
}

static int add_net(struct mvn_ovs *m, struct mvn_network *net,
		   const char *old_name, const char *bridge,
		   enum mvn_ovs_kind kind, char **ups, size_t nups,
		   struct mvn_error *err)
{
	struct mvn_ovs_net *nn, *slot;

	nn = realloc(m->nets, (m->nnets + 1) * sizeof(*nn));
	if (!nn) {
		mvn_strv_free(ups, nups);
		return oom(err);
	}
	m->nets = nn;
	slot = &nn[m->nnets];
	memset(slot, 0, sizeof(*slot));
	slot->kind = kind;
	slot->uplinks = ups;
	slot->nuplinks = nups;
	slot->old_name = strdup(old_name);
	slot->new_name = strdup(net->name);
	slot->bridge = bridge ? strdup(bridge) : NULL;
	slot->xml = mvn_network_format(net);
	m->nnets++;
	if (!slot->old_name || !slot->new_name || (bridge && !slot->bridge) ||
	    !slot->xml)
		return oom(err);
	return 0;
}

const struct mvn_ovs_net *mvn_ovs_find(const struct mvn_ovs *m,
				       const char *name)
{
	size_t i;

	for (i = 0; i < m->nnets; i++)
		if (!strcmp(m->nets[i].old_name, name))
			return &m->nets[i];
	return NULL;
}

static const struct mvn_ovs_net *find_bridge(const struct mvn_ovs *m,
					     const char *br)
{
	size_t i;

	for (i = 0; i < m->nnets; i++)
		if (m->nets[i].bridge && !strcmp(m->nets[i].bridge, br))
			return &m->nets[i];
	return NULL;
}

/* The uplinks of a bridge or network: given, or else discovered. */
static int uplinks_of(struct mvn_ovs *m, const char *br, const char *netname,
		      bool ovs, const char *doc, char ***ups, size_t *nups,
		      struct mvn_error *err)
{
	size_t i;

	if (given_uplinks(m, br, ups, nups) < 0 ||
	    (!*nups && given_uplinks(m, netname, ups, nups) < 0))
		return oom(err);
	if (*nups && br && m->opts.discover &&
	    mvn_discover_check(&m->disc, br, ovs, doc, err) < 0)
		return err->code;
	if (!*nups && br && m->opts.discover &&
	    mvn_discover_uplinks(&m->disc, br, ovs, doc, ups, nups, err) < 0)
		return err->code;
	if (!*nups)
		return mvn_error_set(err, -ENOENT,
				     br ? _("%1$s: no uplink is known for "
					    "bridge '%2$s': give the LAN "
					    "device with --uplink %2$s=DEV") :
					  _("%1$s: network '%2$s' names no "
					    "bridge, so its uplink is "
					    "unknown: give it with --uplink "
					    "%2$s=DEV"),
				     doc, br ? br : netname);
	for (i = 0; i < *nups; i++)
		if (!mvn_ovs_uplink_name_ok((*ups)[i]))
			return mvn_error_set(
				err, -EINVAL,
				_("%1$s: uplink '%2$s' is not an "
				  "interface name macvnet takes (1 "
				  "to 15 letters, digits, '_', '.' "
				  "or '-')"),
				doc, (*ups)[i]);
	return 0;
}

/*
 * Refuse a network that cannot be migrated: already macvtap, not a bridge
 * network, given twice, or renamed onto another migrated network.
 */
static int refuse_network(struct mvn_ovs *m, const struct mvn_network *net,
			  enum mvn_ovs_kind kind, const char *doc,
			  struct mvn_error *err)
{
	size_t i;

	if (kind == MVN_OVS_KIND_MACVTAP)
		return mvn_error_set(err, -EINVAL,
				     _("%1$s: network '%2$s' already uses "
				       "macvtap (forward mode='%3$s' with "
				       "interface devices); there is nothing "
				       "to migrate"),
				     doc, net->name,
				     mvn_fwd_mode_name(net->forward.mode));
	if (kind == MVN_OVS_KIND_OTHER)
		return mvn_error_set(
			err, -EINVAL,
			_("%1$s: network '%2$s' (forward mode='%3$s') is "
			  "neither an Open vSwitch nor a host bridge "
			  "network; migrate-ovs converts networks with "
			  "<forward mode='bridge'/> and <bridge name=...> "
			  "or <virtualport type='openvswitch'/>"),
			doc, net->name,
			net->forward.present ?
				mvn_fwd_mode_name(net->forward.mode) :
				"none");
	if (mvn_ovs_find(m, net->name))
		return mvn_error_set(err, -EEXIST,
				     _("%1$s: network '%2$s' is given twice; "
				       "give each network once"),
				     doc, net->name);
	for (i = 0; i < m->nnets; i++)
		if (!strcmp(m->nets[i].new_name, renamed(m, net->name)))
			return mvn_error_set(
				err, -EEXIST,
				_("%1$s: network '%2$s' would be named '%3$s' "
				  "like network '%4$s'; choose another name "
				  "with --rename %2$s=NAME"),
				doc, net->name, renamed(m, net->name),
				m->nets[i].old_name);
	return 0;
}

/* The network's uplinks; more than one is worth a warning. */
static int network_uplinks(struct mvn_ovs *m, const struct mvn_network *net,
			   enum mvn_ovs_kind kind, const char *doc, char ***ups,
			   size_t *nups, struct mvn_error *err)
{
	char text[256];
	int ret;

	ret = uplinks_of(m, net->bridge.name, net->name,
			 kind == MVN_OVS_KIND_OVS, doc, ups, nups, err);
	if (ret < 0 || *nups < 2)
		return ret;
	strv_join(*ups, *nups, text, sizeof(text));
	mvn_ovs_say(&m->sink, MVN_OVS_WARN, doc, net->bridge.line,
		    _("network '%1$s' has %2$zu uplinks (%3$s): a macvtap "
		      "network puts each guest on one of them, without "
		      "failover or load sharing; bond them (ip link add "
		      "bond0 type bond) and give --uplink %4$s=bond0, or "
		      "make one network per uplink"),
		    net->name, *nups, text,
		    net->bridge.name ? net->bridge.name : net->name);
	return 0;
}

/* Report and drop what the network and its portgroups cannot keep. */
static void drop_all(struct mvn_ovs *m, struct mvn_network *net,
		     const char *doc, const char *uplink)
{
	const char *mode = mvn_fwd_mode_name(m->opts.mode);
	char text[256];
	size_t i;

	snprintf(text, sizeof(text), _("network '%s'"), net->name);
	drop_level(m, doc, text, uplink, &net->vport, &net->vlan,
		   &net->bandwidth);
	for (i = 0; i < net->nportgroups; i++) {
		struct mvn_portgroup *pg = &net->portgroups[i];

		snprintf(text, sizeof(text),
			 _("portgroup '%1$s' of network '%2$s'"), pg->name,
			 net->name);
		drop_level(m, doc, text, uplink, &pg->vport, &pg->vlan,
			   &pg->bandwidth);
	}
	if (net->mtu) {
		mvn_ovs_say(&m->sink, MVN_OVS_WARN, doc, net->mtu_line,
			    _("<mtu size='%1$u'> of network '%2$s' is "
			      "dropped: macvtap endpoints take the uplink's "
			      "MTU (ip link set %3$s mtu %1$u)"),
			    net->mtu, net->name, uplink);
		net->mtu = 0;
	}
	if (net->has_mac) {
		mvn_ovs_say(&m->sink, MVN_OVS_NOTE, doc, net->mac_line,
			    _("the bridge <mac> of network '%s' is dropped: a "
			      "macvtap network has no bridge"),
			    net->name);
		net->has_mac = false;
	}
	if (net->port_isolated == MVN_YES && m->opts.mode != MVN_FWD_PRIVATE)
		mvn_ovs_say(&m->sink, MVN_OVS_WARN, doc, net->line,
			    _("network '%1$s' isolates its ports (<port "
			      "isolated='yes'/>), which mode '%2$s' does not; "
			      "use --mode private to keep guests apart"),
			    net->name, mode);
	net->port_isolated = MVN_ABSENT;
}

/* Make the network a macvtap one: no bridge, forward over the uplinks. */
static int set_forward(struct mvn_ovs *m, struct mvn_network *net,
		       char *const *ups, size_t nups, struct mvn_error *err)
{
	struct mvn_fwd_iface *fi;
	int line = net->forward.line;
	size_t i;

	mvn_bridge_clear(&net->bridge);
	mvn_forward_clear(&net->forward);
	net->forward.present = true;
	net->forward.mode = m->opts.mode;
	net->forward.line = line;
	fi = calloc(nups, sizeof(*fi));
	if (!fi)
		return oom(err);
	net->forward.ifaces = fi;
	net->forward.nifaces = nups;
	for (i = 0; i < nups; i++)
		fi[i].dev = strdup(ups[i]);
	for (i = 0; i < nups; i++)
		if (!fi[i].dev)
			return oom(err);
	return 0;
}

/* Give the network its --rename name; a renamed network is a new one. */
static int rename_network(struct mvn_ovs *m, struct mvn_network *net,
			  struct mvn_error *err)
{
	const char *to = renamed(m, net->name);
	char *nn;

	if (net->uuid_generated)
		net->has_uuid = false;
	if (!strcmp(to, net->name))
		return 0;
	nn = strdup(to);
	if (!nn)
		return oom(err);
	free(net->name);
	net->name = nn;
	/* A second network: libvirt gives it its own UUID. */
	net->has_uuid = false;
	return 0;
}

/* What the administrator does before the migrated network starts. */
static void move_note(struct mvn_ovs *m, const struct mvn_network *net,
		      enum mvn_ovs_kind kind, const char *bridge,
		      char *const *ups, size_t nups, const char *doc)
{
	char text[256];

	strv_join(ups, nups, text, sizeof(text));
	if (kind == MVN_OVS_KIND_OVS && bridge)
		mvn_ovs_say(
			&m->sink, MVN_OVS_NOTE, doc, 0,
			P_("before network '%1$s' starts, take its uplink "
			   "%2$s out of Open vSwitch bridge '%3$s' (ovs-vsctl "
			   "del-port %3$s %4$s) and move the host's addresses "
			   "from '%3$s' to %4$s; the host then reaches macvtap "
			   "guests only through a macvnet host shim "
			   "(<macvnet:host>)",
			   "before network '%1$s' starts, take its uplinks "
			   "%2$s out of Open vSwitch bridge '%3$s' (ovs-vsctl "
			   "del-port %3$s %4$s, and so on) and move the host's "
			   "addresses from '%3$s' to %4$s; the host then "
			   "reaches macvtap guests only through a macvnet host "
			   "shim (<macvnet:host>)",
			   nups),
			net->name, text, bridge, ups[0]);
	else if (bridge)
		mvn_ovs_say(
			&m->sink, MVN_OVS_NOTE, doc, 0,
			P_("before network '%1$s' starts, take its uplink "
			   "%2$s out of bridge '%3$s' (ip link set %4$s "
			   "nomaster) and move the host's addresses from "
			   "'%3$s' to %4$s; the host then reaches macvtap "
			   "guests only through a macvnet host shim "
			   "(<macvnet:host>)",
			   "before network '%1$s' starts, take its uplinks "
			   "%2$s out of bridge '%3$s' (ip link set %4$s "
			   "nomaster, and so on) and move the host's addresses "
			   "from '%3$s' to %4$s; the host then reaches macvtap "
			   "guests only through a macvnet host shim "
			   "(<macvnet:host>)",
			   nups),
			net->name, text, bridge, ups[0]);
}

int mvn_ovs_network(struct mvn_ovs *m, struct mvn_network *net, const char *doc,
		    struct mvn_error *err)
{
	enum mvn_ovs_kind kind = mvn_ovs_network_kind(net);
	char *old_name = NULL, *bridge = NULL, **ups = NULL;
	size_t nups = 0;
	int ret;

	ret = refuse_network(m, net, kind, doc, err);
	if (ret == 0)
		ret = network_uplinks(m, net, kind, doc, &ups, &nups, err);
	if (ret < 0)
		goto fail;
	old_name = strdup(net->name);
	bridge = net->bridge.name ? strdup(net->bridge.name) : NULL;
	if (!old_name || (net->bridge.name && !bridge)) {
		ret = oom(err);
		goto fail;
	}
	drop_all(m, net, doc, ups[0]);
	ret = set_forward(m, net, ups, nups, err);
	if (ret == 0)
		ret = rename_network(m, net, err);
	if (ret < 0)
		goto fail;
	move_note(m, net, kind, bridge, ups, nups, doc);
	ret = add_net(m, net, old_name, bridge, kind, ups, nups, err);
	ups = NULL;
	nups = 0;
fail:
	mvn_strv_free(ups, nups);
	free(old_name);
	free(bridge);
	return ret;
}

/* ---- Domains ------------------------------------------------------- */

/* The interface's VLAN tags as "42, 48 (trunk)". */
static void iface_vlan_text(xmlNodePtr vlan, char *out, size_t size)
{
	xmlNodePtr t;
	size_t used = 0;
	char *v;

	out[0] = '\0';
	for (t = vlan->children; t && used < size; t = t->next) {
		if (!mvn_xml_is(t, "tag"))
			continue;
		v = mvn_xml_prop(t, "id");
		used += snprintf(out + used, size - used, "%s%s",
				 used ? ", " : "", v ? v : "?");
		free(v);
	}
	v = mvn_xml_prop(vlan, "trunk");
	if (v && !strcmp(v, "yes") && used < size)
		snprintf(out + used, size - used, " (trunk)");
	free(v);
}

/* Report what an interface loses on macvtap. */
static void iface_losses(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
			 const char *who)
{
	xmlNodePtr n, p;
	char text[256], *v;

	n = mvn_xml_child(c, "vlan");
	if (n) {
		iface_vlan_text(n, text, sizeof(text));
		mvn_ovs_say(
			&m->sink, MVN_OVS_WARN, doc, mvn_xml_line(n),
			_("the VLAN tag(s) %1$s of interface %2$s are "
			  "dropped: macvtap cannot tag frames; put the guest "
			  "on a network over a VLAN device of the uplink"),
			text, who);
	}
	n = mvn_xml_child(c, "virtualport");
	if (n) {
		size_t used = 0;
		xmlAttrPtr a;

		text[0] = '\0';
		p = mvn_xml_child(n, "parameters");
		for (a = p ? p->properties : NULL; a && used < sizeof(text);
		     a = a->next) {
			v = mvn_xml_prop(p, (const char *)a->name);
			used += snprintf(text + used, sizeof(text) - used,
					 "%s%s='%s'", used ? " " : "",
					 (const char *)a->name, v ? v : "");
			free(v);
		}
		v = mvn_xml_prop(n, "type");
		if (v && strcmp(v, "openvswitch"))
			mvn_ovs_say(
				&m->sink, MVN_OVS_WARN, doc, mvn_xml_line(n),
				_("the <virtualport type='%1$s'> of interface "
				  "%2$s is dropped: it belongs to the bridge, "
				  "not to macvtap"),
				v, who);
		else if (text[0])
			mvn_ovs_say(
				&m->sink, MVN_OVS_WARN, doc, mvn_xml_line(n),
				_("the Open vSwitch port parameters %1$s of "
				  "interface %2$s are dropped: nothing on "
				  "macvtap uses them (OpenFlow rules or "
				  "controllers keyed on them lose this "
				  "guest)"),
				text, who);
		free(v);
	}
	n = mvn_xml_child(c, "port");
	if (n) {
		v = mvn_xml_prop(n, "isolated");
		if (v && !strcmp(v, "yes"))
			mvn_ovs_say(
				&m->sink, MVN_OVS_WARN, doc, mvn_xml_line(n),
				_("<port isolated='yes'> of interface %s is "
				  "dropped: libvirt has no isolated macvtap "
				  "port; use --mode private to keep guests "
				  "apart"),
				who);
		free(v);
	}
	n = mvn_xml_child(c, "mtu");
	if (n) {
		v = mvn_xml_prop(n, "size");
		mvn_ovs_say(
			&m->sink, MVN_OVS_WARN, doc, mvn_xml_line(n),
			_("<mtu size='%1$s'> of interface %2$s is dropped: "
			  "libvirt cannot set the MTU of a macvtap interface, "
			  "so the guest gets the uplink's MTU; to keep this "
			  "one, let macvnet's hook make the endpoint (macvnet "
			  "domain-convert)"),
			v ? v : "", who);
		free(v);
	}
}

/* Where an interface goes: a network, or the uplinks for type='direct'. */
struct dest {
	const char *network; /* type='network' */
	char **ups; /* type='direct' */
	size_t nups;
	bool ours; /* ups owned here */
	char *name; /* network, when owned here */
};

/*
 * Where an interface on bridge or network key goes when no given network
 * is on it: its network (migrated on its own) or, with --direct, the
 * bridge's uplinks.  1, or a negative errno.
 */
static int other_dest(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
		      const char *who, const char *key, bool is_bridge,
		      bool ovs, struct dest *d, struct mvn_error *err)
{
	int ret;

	if (!is_bridge && !m->opts.direct) {
		/* Its network is migrated on its own, under this name. */
		d->name = strdup(renamed(m, key));
		if (!d->name)
			return oom(err);
		d->network = d->name;
		mvn_ovs_say(&m->sink, MVN_OVS_NOTE, doc, mvn_xml_line(c),
			    _("interface %1$s stays on network '%2$s', which "
			      "must be migrated too (virsh net-dumpxml %3$s | "
			      "macvnet migrate-ovs -)"),
			    who, d->network, key);
		return 1;
	}
	if (!is_bridge && !has_uplink_for(m, key))
		return mvn_error_setl(err, -ENOENT, mvn_xml_line(c),
				      _("%1$s:%2$d: interface %3$s is on "
					"network '%4$s', which is not among "
					"the given networks: give its XML too, "
					"or its uplink with --uplink "
					"%4$s=DEV"),
				      doc, mvn_xml_line(c), who, key);
	if (is_bridge && !m->opts.direct)
		return mvn_error_setl(err, -ENOENT, mvn_xml_line(c),
				      _("%1$s:%2$d: interface %3$s is on "
					"bridge '%4$s', which no given network "
					"uses: give that network's XML too, or "
					"--direct to put the guest straight on "
					"the bridge's uplink"),
				      doc, mvn_xml_line(c), who, key);
	d->ours = true;
	ret = uplinks_of(m, is_bridge ? key : NULL, key, ovs, doc, &d->ups,
			 &d->nups, err);
	return ret < 0 ? ret : 1;
}

/*
 * Decide where interface c goes.  Returns 1 when it is to be migrated, 0
 * when it stays as it is, negative on errors.
 */
static int iface_dest(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
		      const char *who, struct dest *d, struct mvn_error *err)
{
	xmlNodePtr src = mvn_xml_child(c, "source"),
		   vp = mvn_xml_child(c, "virtualport");
	char *type = mvn_xml_prop(c, "type"), *key = NULL, *vtype = NULL;
	const struct mvn_ovs_net *net = NULL;
	bool is_bridge, ovs;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	if (!type || !src ||
	    (strcmp(type, "bridge") && strcmp(type, "network")))
		goto out;
	is_bridge = !strcmp(type, "bridge");
	key = mvn_xml_prop(src, is_bridge ? "bridge" : "network");
	if (!key)
		goto out;
	vtype = vp ? mvn_xml_prop(vp, "type") : NULL;
	ovs = vtype && !strcmp(vtype, "openvswitch");
	net = is_bridge ? find_bridge(m, key) : mvn_ovs_find(m, key);
	if (net) {
		ret = 1;
		if (m->opts.direct) {
			d->ups = net->uplinks;
			d->nups = net->nuplinks;
		} else {
			d->network = net->new_name;
		}
	} else if (ovs || has_uplink_for(m, key)) {
		ret = other_dest(m, c, doc, who, key, is_bridge, ovs, d, err);
	}
out:
	free(type);
	free(key);
	free(vtype);
	return ret;
}

static int migrate_iface(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
			 const struct dest *d, struct mvn_error *err)
{
	xmlNodePtr src = mvn_xml_child(c, "source"), ns;
	char *pg = NULL;
	bool was_network;

	was_network = src && xmlHasProp(src, (const xmlChar *)"network");
	if (was_network)
		pg = mvn_xml_prop(src, "portgroup");
	ns = xmlNewNode(NULL, (const xmlChar *)"source");
	if (!ns) {
		free(pg);
		return oom(err);
	}
	if (src)
		xmlAddPrevSibling(src, ns);
	else
		xmlAddChild(c, ns);
	if (d->network) {
		xmlSetProp(c, (const xmlChar *)"type",
			   (const xmlChar *)"network");
		xmlSetProp(ns, (const xmlChar *)"network",
			   (const xmlChar *)d->network);
		if (pg)
			xmlSetProp(ns, (const xmlChar *)"portgroup",
				   (const xmlChar *)pg);
	} else {
		xmlSetProp(c, (const xmlChar *)"type",
			   (const xmlChar *)"direct");
		xmlSetProp(ns, (const xmlChar *)"dev",
			   (const xmlChar *)d->ups[0]);
		xmlSetProp(ns, (const xmlChar *)"mode",
			   (const xmlChar *)mvn_fwd_mode_name(m->opts.mode));
		if (pg)
			mvn_ovs_say(
				&m->sink, MVN_OVS_WARN, doc, mvn_xml_line(c),
				_("portgroup '%s' is dropped: a type='direct' "
				  "interface has no network and no portgroup"),
				pg);
	}
	free(pg);
	if (src) {
		xmlUnlinkNode(src);
		xmlFreeNode(src);
	}
	mvn_xml_drop_children(c, "virtualport");
	mvn_xml_drop_children(c, "vlan");
	mvn_xml_drop_children(c, "port");
	mvn_xml_drop_children(c, "mtu");
	return 0;
}

/* migrate-ovs's state while the domain rewriter walks a domain. */
struct dom_walk {
	struct mvn_ovs *m;
	const char *doc;
};

/* Migrate interface c (the index-th of the domain) when it is to move. */
static int walk_iface(void *ctx, xmlNodePtr c, int index, struct mvn_error *err)
{
	struct dom_walk *w = ctx;
	struct mvn_ovs *m = w->m;
	xmlNodePtr mac = mvn_xml_child(c, "mac");
	char who[64], *addr = mac ? mvn_xml_prop(mac, "address") : NULL;
	struct dest d;
	int ret;

	if (addr)
		snprintf(who, sizeof(who), "%s", addr);
	else
		snprintf(who, sizeof(who), "#%d", index);
	free(addr);
	ret = iface_dest(m, c, w->doc, who, &d, err);
	if (ret > 0) {
		iface_losses(m, c, w->doc, who);
		if (!d.network && d.nups > 1)
			mvn_ovs_say(&m->sink, MVN_OVS_NOTE, w->doc,
				    mvn_xml_line(c),
				    _("interface %1$s goes onto %2$s, the "
				      "first of the bridge's uplinks"),
				    who, d.ups[0]);
		ret = migrate_iface(m, c, w->doc, &d, err);
		if (ret == 0)
			ret = 1;
	}
	if (d.ours)
		mvn_strv_free(d.ups, d.nups);
	free(d.name);
	return ret;
}

int mvn_ovs_domain(struct mvn_ovs *m, const char *text, size_t len,
		   const char *doc, char **out, unsigned int *count,
		   struct mvn_error *err)
{
	struct dom_walk w = { m, doc };
	const struct mvn_domain_rewriter rw = { NULL, walk_iface, &w };

	return mvn_domain_rewrite(text, len, doc, &rw, out, count, err);
}
