/* The <network> document: parser, canonical formatter and its model. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network.h"
#include "xml.h"

static const char *const fwd_mode_names[MVN_FWD_LAST] = {
	[MVN_FWD_NONE] = "none",       [MVN_FWD_NAT] = "nat",
	[MVN_FWD_ROUTE] = "route",     [MVN_FWD_OPEN] = "open",
	[MVN_FWD_BRIDGE] = "bridge",   [MVN_FWD_PRIVATE] = "private",
	[MVN_FWD_VEPA] = "vepa",       [MVN_FWD_PASSTHROUGH] = "passthrough",
	[MVN_FWD_HOSTDEV] = "hostdev",
};

const char *mvn_fwd_mode_name(enum mvn_fwd_mode mode)
{
	if ((int)mode < 0 || mode >= MVN_FWD_LAST)
		return "?";
	return fwd_mode_names[mode];
}

int mvn_fwd_mode_from_name(const char *name)
{
	int i;

	/* "none" is what an absent <forward> means, never a mode= value. */
	for (i = MVN_FWD_NAT; name && i < MVN_FWD_LAST; i++)
		if (!strcmp(fwd_mode_names[i], name))
			return i;
	return -1;
}

bool mvn_fwd_mode_is_macvtap(enum mvn_fwd_mode mode)
{
	return mode == MVN_FWD_BRIDGE || mode == MVN_FWD_PRIVATE ||
	       mode == MVN_FWD_VEPA || mode == MVN_FWD_PASSTHROUGH;
}

/* Parsing state: the document's name for messages and the first error. */
struct pctx {
	const char *name;
	struct mvn_error *err;
	int ret;
};

static int fail(struct pctx *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct pctx *p, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->ret = mvn_error_setl(p->err, -EINVAL, line, "%s:%d: %s", p->name,
				line, msg);
	return p->ret;
}

static int oom(struct pctx *p)
{
	p->ret = mvn_error_set(p->err, -ENOMEM, _("out of memory"));
	return p->ret;
}

/* Grow *arr (of elements of size sz) by one zeroed slot; NULL on failure. */
static void *grow(void *arrp, size_t *n, size_t sz)
{
	void **arr = arrp;
	char *p = realloc(*arr, (*n + 1) * sz);

	if (!p)
		return NULL;
	memset(p + *n * sz, 0, sz);
	*arr = p;
	return p + (*n)++ * sz;
}

static int parse_tristate(struct pctx *p, xmlNodePtr node, const char *attr,
			  enum mvn_tristate *out)
{
	char *v = mvn_xml_prop(node, attr);
	int ret = 0;

	if (!v)
		return 0;
	if (!strcmp(v, "yes"))
		*out = MVN_YES;
	else if (!strcmp(v, "no"))
		*out = MVN_NO;
	else
		ret = fail(p, mvn_xml_line(node),
			   _("%1$s='%2$s' in <%3$s> must be 'yes' or 'no'"),
			   attr, v, (const char *)node->name);
	free(v);
	return ret;
}

/* Element children of node, skipping text and comments. */
#define for_each_elem(c, node)                     \
	for (c = (node)->children; c; c = c->next) \
		if (c->type == XML_ELEMENT_NODE)

static int unknown_child(struct pctx *p, xmlNodePtr c, const char *parent,
			 const char *allowed)
{
	char *q = mvn_xml_qname(c);

	fail(p, mvn_xml_line(c),
	     _("unknown element <%1$s> in <%2$s> (allowed here: %3$s)"),
	     q ? q : "?", parent, allowed);
	free(q);
	return p->ret;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_vlan(struct pctx *p, xmlNodePtr node, struct mvn_vlan *vlan)
{
	xmlNodePtr c;

	if (vlan->present)
		return fail(p, mvn_xml_line(node),
			    _("<vlan> is given twice; merge the tags into one "
			      "<vlan>"));
	vlan->present = true;
	vlan->line = mvn_xml_line(node);
	if (parse_tristate(p, node, "trunk", &vlan->trunk))
		return p->ret;
	for_each_elem(c, node) {
		struct mvn_vlan_tag *t;
		char *id;
		unsigned long v;

		if (!mvn_xml_is(c, "tag"))
			return unknown_child(p, c, "vlan", "tag");
		t = grow(&vlan->tags, &vlan->ntags, sizeof(*t));
		if (!t)
			return oom(p);
		id = mvn_xml_prop(c, "id");
		if (parse_uint(id, 4095, &v) < 0) {
			fail(p, mvn_xml_line(c),
			     _("vlan tag id '%s' is not a number from 0 to 4095"),
			     id ? id : "");
			free(id);
			return p->ret;
		}
		free(id);
		t->id = (unsigned int)v;
		t->native_mode = mvn_xml_prop(c, "nativeMode");
		if (t->native_mode && strcmp(t->native_mode, "tagged") &&
		    strcmp(t->native_mode, "untagged"))
			return fail(p, mvn_xml_line(c),
				    _("nativeMode='%s' must be 'tagged' or "
				      "'untagged'"),
				    t->native_mode);
	}
	if (vlan->ntags == 0)
		return fail(p, vlan->line,
			    _("<vlan> needs at least one <tag id='N'/>"));
	if (vlan->ntags > 1 && vlan->trunk == MVN_NO)
		return fail(p, vlan->line,
			    _("<vlan trunk='no'> can carry only one tag; "
			      "remove the other tags or set trunk='yes'"));
	return 0;
}

static int parse_rate(struct pctx *p, xmlNodePtr node, struct mvn_rate *r)
{
	static const char *const names[] = { "average", "peak", "floor",
					     "burst" };
	char **fields[] = { &r->average, &r->peak, &r->floor, &r->burst };
	unsigned long v;
	size_t i;

	if (r->present)
		return fail(p, mvn_xml_line(node),
			    _("<%s> is given twice in <bandwidth>"),
			    (const char *)node->name);
	r->present = true;
	for (i = 0; i < 4; i++) {
		*fields[i] = mvn_xml_prop(node, names[i]);
		if (*fields[i] &&
		    parse_uint(*fields[i], (unsigned long)-1, &v) < 0)
			return fail(p, mvn_xml_line(node),
				    _("%1$s='%2$s' in <%3$s> is not a "
				      "non-negative number (kilobytes per "
				      "second, or kilobytes for burst)"),
				    names[i], *fields[i],
				    (const char *)node->name);
	}
	return 0;
}

static int parse_bandwidth(struct pctx *p, xmlNodePtr node,
			   struct mvn_bandwidth *bw)
{
	xmlNodePtr c;

	if (bw->present)
		return fail(p, mvn_xml_line(node),
			    _("<bandwidth> is given twice"));
	bw->present = true;
	bw->line = mvn_xml_line(node);
	bw->classid = xmlHasProp(node, (const xmlChar *)"classID") != NULL;
	for_each_elem(c, node) {
		if (mvn_xml_is(c, "inbound")) {
			if (parse_rate(p, c, &bw->in))
				return p->ret;
		} else if (mvn_xml_is(c, "outbound")) {
			if (parse_rate(p, c, &bw->out))
				return p->ret;
		} else {
			return unknown_child(p, c, "bandwidth",
					     "inbound, outbound");
		}
	}
	return 0;
}

static int parse_vport(struct pctx *p, xmlNodePtr node,
		       struct mvn_virtualport *vp)
{
	static const char *const types[] = { "802.1Qbg", "802.1Qbh",
					     "openvswitch", "midonet" };
	xmlNodePtr c;
	size_t i;

	if (vp->present)
		return fail(p, mvn_xml_line(node),
			    _("<virtualport> is given twice"));
	vp->present = true;
	vp->line = mvn_xml_line(node);
	vp->type = mvn_xml_prop(node, "type");
	if (vp->type) {
		for (i = 0; i < 4 && strcmp(vp->type, types[i]); i++)
			;
		if (i == 4)
			return fail(p, vp->line,
				    _("unknown virtualport type '%s' (valid: "
				      "802.1Qbg, 802.1Qbh, openvswitch, "
				      "midonet)"),
				    vp->type);
	}
	for_each_elem(c, node) {
		if (!mvn_xml_is(c, "parameters"))
			return unknown_child(p, c, "virtualport", "parameters");
		if (vp->has_params)
			return fail(p, mvn_xml_line(c),
				    _("<parameters> is given twice in "
				      "<virtualport>"));
		vp->has_params = true;
		vp->managerid = mvn_xml_prop(c, "managerid");
		vp->typeid = mvn_xml_prop(c, "typeid");
		vp->typeidversion = mvn_xml_prop(c, "typeidversion");
		vp->instanceid = mvn_xml_prop(c, "instanceid");
		vp->profileid = mvn_xml_prop(c, "profileid");
		vp->interfaceid = mvn_xml_prop(c, "interfaceid");
	}
	return 0;
}

static int parse_portgroup(struct pctx *p, xmlNodePtr node,
			   struct mvn_network *net)
{
	struct mvn_portgroup *pg;
	xmlNodePtr c;

	pg = grow(&net->portgroups, &net->nportgroups, sizeof(*pg));
	if (!pg)
		return oom(p);
	pg->line = mvn_xml_line(node);
	pg->name = mvn_xml_prop(node, "name");
	if (!pg->name || !*pg->name)
		return fail(p, pg->line,
			    _("<portgroup> needs a name attribute"));
	if (parse_tristate(p, node, "default", &pg->is_default) ||
	    parse_tristate(p, node, "trustGuestRxFilters", &pg->trust_rx))
		return p->ret;
	for_each_elem(c, node) {
		if (mvn_xml_is(c, "virtualport")) {
			if (parse_vport(p, c, &pg->vport))
				return p->ret;
		} else if (mvn_xml_is(c, "vlan")) {
			if (parse_vlan(p, c, &pg->vlan))
				return p->ret;
		} else if (mvn_xml_is(c, "bandwidth")) {
			if (parse_bandwidth(p, c, &pg->bandwidth))
				return p->ret;
		} else {
			return unknown_child(p, c, "portgroup",
					     "virtualport, vlan, bandwidth");
		}
	}
	return 0;
}

static int parse_pci_value(const char *s, unsigned long max, unsigned long *out)
{
	return parse_uint(s, max, out);
}

static int parse_pci(struct pctx *p, xmlNodePtr node, struct mvn_forward *fw)
{
	static const char *const names[] = { "domain", "bus", "slot",
					     "function" };
	static const unsigned long max[] = { 0xffff, 0xff, 0x1f, 7 };
	struct mvn_pci_addr *a;
	unsigned int *fields[4];
	char *type, *v;
	unsigned long n;
	size_t i;

	a = grow(&fw->addrs, &fw->naddrs, sizeof(*a));
	if (!a)
		return oom(p);
	a->line = mvn_xml_line(node);
	type = mvn_xml_prop(node, "type");
	if (!type || strcmp(type, "pci")) {
		fail(p, a->line,
		     _("<address> in <forward> must have type='pci' (it names "
		       "a PCI device, e.g. domain='0x0000' bus='0x03' "
		       "slot='0x00' function='0x1')"));
		free(type);
		return p->ret;
	}
	free(type);
	fields[0] = &a->domain;
	fields[1] = &a->bus;
	fields[2] = &a->slot;
	fields[3] = &a->function;
	for (i = 0; i < 4; i++) {
		v = mvn_xml_prop(node, names[i]);
		if (!v && i == 0) {
			*fields[i] = 0;
			continue;
		}
		if (parse_pci_value(v, max[i], &n) < 0) {
			fail(p, a->line,
			     _("PCI address %1$s='%2$s' is not a number from 0 "
			       "to %3$#lx"),
			     names[i], v ? v : "", max[i]);
			free(v);
			return p->ret;
		}
		free(v);
		*fields[i] = (unsigned int)n;
	}
	return 0;
}

/* mode= of <forward>; without it, a forward is NAT. */
static int parse_fwd_mode(struct pctx *p, xmlNodePtr node,
			  struct mvn_forward *fw)
{
	char *mode = mvn_xml_prop(node, "mode");
	int m;

	if (!mode) {
		fw->mode = MVN_FWD_NAT;
		return 0;
	}
	m = mvn_fwd_mode_from_name(mode);
	if (m < 0) {
		fail(p, fw->line,
		     _("unknown forward mode '%s' (valid: nat, route, open, "
		       "bridge, private, vepa, passthrough, hostdev; for "
		       "macvtap use bridge, vepa, private or passthrough)"),
		     mode);
		free(mode);
		return p->ret;
	}
	fw->mode = (enum mvn_fwd_mode)m;
	free(mode);
	return 0;
}

static int parse_fwd_iface(struct pctx *p, xmlNodePtr c, struct mvn_forward *fw)
{
	struct mvn_fwd_iface *fi;

	fi = grow(&fw->ifaces, &fw->nifaces, sizeof(*fi));
	if (!fi)
		return oom(p);
	fi->line = mvn_xml_line(c);
	fi->dev = mvn_xml_prop(c, "dev");
	if (!fi->dev || !*fi->dev)
		return fail(p, fi->line,
			    _("<interface> in <forward> needs a dev attribute "
			      "naming a host interface, e.g. <interface "
			      "dev='eth0'/>"));
	return 0;
}

static int parse_fwd_pf(struct pctx *p, xmlNodePtr c, struct mvn_forward *fw)
{
	fw->pf_count++;
	if (fw->pf_count > 1)
		return fail(p, mvn_xml_line(c),
			    _("only one <pf> is allowed in <forward>"));
	fw->pf = mvn_xml_prop(c, "dev");
	if (!fw->pf || !*fw->pf)
		return fail(p, mvn_xml_line(c),
			    _("<pf> needs a dev attribute"));
	return 0;
}

static int parse_fwd_nat(struct pctx *p, xmlNodePtr c, struct mvn_forward *fw)
{
	if (fw->nat)
		return fail(p, mvn_xml_line(c), _("<nat> is given twice"));
	fw->nat = mvn_xml_to_xnode(c);
	return fw->nat ? 0 : oom(p);
}

static int parse_fwd_child(struct pctx *p, xmlNodePtr c, struct mvn_forward *fw)
{
	if (mvn_xml_is(c, "interface"))
		return parse_fwd_iface(p, c, fw);
	if (mvn_xml_is(c, "pf"))
		return parse_fwd_pf(p, c, fw);
	if (mvn_xml_is(c, "address"))
		return parse_pci(p, c, fw);
	if (mvn_xml_is(c, "nat"))
		return parse_fwd_nat(p, c, fw);
	if (mvn_xml_is(c, "driver")) {
		free(fw->driver);
		fw->driver = mvn_xml_prop(c, "name");
		return 0;
	}
	return unknown_child(p, c, "forward",
			     "interface, pf, address, driver, nat");
}

static int parse_forward(struct pctx *p, xmlNodePtr node,
			 struct mvn_network *net)
{
	struct mvn_forward *fw = &net->forward;
	xmlNodePtr c;

	if (fw->present)
		return fail(p, mvn_xml_line(node),
			    _("<forward> is given twice; a network has one "
			      "forward mode"));
	fw->present = true;
	fw->line = mvn_xml_line(node);
	if (parse_fwd_mode(p, node, fw))
		return p->ret;
	fw->dev = mvn_xml_prop(node, "dev");
	if (fw->dev && !*fw->dev)
		return fail(p, fw->line,
			    _("<forward dev=''> is empty; name a device or "
			      "remove the attribute"));
	if (parse_tristate(p, node, "managed", &fw->managed))
		return p->ret;
	for_each_elem(c, node) {
		if (parse_fwd_child(p, c, fw))
			return p->ret;
	}
	return 0;
}

static int parse_bridge(struct pctx *p, xmlNodePtr node,
			struct mvn_network *net)
{
	struct mvn_bridge *br = &net->bridge;

	if (br->present)
		return fail(p, mvn_xml_line(node),
			    _("<bridge> is given twice"));
	br->present = true;
	br->line = mvn_xml_line(node);
	br->name = mvn_xml_prop(node, "name");
	br->zone = mvn_xml_prop(node, "zone");
	br->stp = mvn_xml_prop(node, "stp");
	br->delay = mvn_xml_prop(node, "delay");
	br->mac_table_manager = mvn_xml_prop(node, "macTableManager");
	if (br->stp && strcmp(br->stp, "on") && strcmp(br->stp, "off"))
		return fail(p, br->line,
			    _("stp='%s' in <bridge> must be 'on' or 'off'"),
			    br->stp);
	if (br->mac_table_manager && strcmp(br->mac_table_manager, "kernel") &&
	    strcmp(br->mac_table_manager, "libvirt"))
		return fail(p, br->line,
			    _("macTableManager='%s' must be 'kernel' or "
			      "'libvirt'"),
			    br->mac_table_manager);
	if (br->delay) {
		unsigned long v;

		if (parse_uint(br->delay, 0x7fffffff, &v) < 0)
			return fail(p, br->line,
				    _("delay='%s' in <bridge> is not a number "
				      "of seconds"),
				    br->delay);
	}
	return 0;
}

/* <macvnet:port>, <macvnet:host> and <macvnet:switch> in <metadata>. */
static int parse_macvnet_meta(struct pctx *p, xmlNodePtr node,
			      struct mvn_network *net)
{
	int line = mvn_xml_line(node);

	if (!strcmp((const char *)node->name, "port")) {
		struct mvn_port_spec *ps;

		ps = grow(&net->ports, &net->nports, sizeof(*ps));
		if (!ps)
			return oom(p);
		ps->line = line;
		ps->name = mvn_xml_prop(node, "name");
		ps->mac = mvn_xml_prop(node, "mac");
		ps->owner = mvn_xml_prop(node, "owner");
		ps->group = mvn_xml_prop(node, "group");
		ps->mode = mvn_xml_prop(node, "mode");
		if (!ps->name)
			return fail(p, line,
				    _("<macvnet:port> needs a name attribute "
				      "(the endpoint's interface name)"));
		return 0;
	}
	if (!strcmp((const char *)node->name, "host")) {
		if (net->host.present)
			return fail(p, line,
				    _("<macvnet:host> is given twice; a "
				      "network has one host shim"));
		net->host.present = true;
		net->host.line = line;
		net->host.name = mvn_xml_prop(node, "name");
		net->host.address = mvn_xml_prop(node, "address");
		if (!net->host.name)
			return fail(p, line,
				    _("<macvnet:host> needs a name attribute "
				      "(the host-side interface name)"));
		return parse_tristate(p, node, "move-addresses",
				      &net->host.move_addresses);
	}
	if (!strcmp((const char *)node->name, "switch")) {
		if (net->switch_line)
			return fail(p, line,
				    _("<macvnet:switch> is given twice; say "
				      "once what the switch does"));
		net->switch_line = line;
		return parse_tristate(p, node, "hairpin", &net->switch_hairpin);
	}
	return fail(p, line,
		    _("unknown element <%s> in the macvnet namespace "
		      "(allowed in a network: network, port, host, switch)"),
		    (const char *)node->name);
}

static int parse_metadata(struct pctx *p, xmlNodePtr node,
			  struct mvn_network *net)
{
	xmlNodePtr c, k;

	if (net->metadata)
		return fail(p, mvn_xml_line(node),
			    _("<metadata> is given twice; put all metadata "
			      "elements in one"));
	for_each_elem(c, node) {
		if (!c->ns || !c->ns->href ||
		    strcmp((const char *)c->ns->href, MVN_NS))
			continue;
		if (strcmp((const char *)c->name, "network")) {
			if (parse_macvnet_meta(p, c, net))
				return p->ret;
			continue;
		}
		/* <macvnet:network> holds the settings as one element. */
		for_each_elem(k, c) {
			if (!k->ns || !k->ns->href ||
			    strcmp((const char *)k->ns->href, MVN_NS))
				return unknown_child(p, k, "macvnet:network",
						     "macvnet:port, "
						     "macvnet:host, "
						     "macvnet:switch");
			if (parse_macvnet_meta(p, k, net))
				return p->ret;
		}
	}
	net->metadata = mvn_xml_dump_metadata(node, MVN_NS, "network");
	if (!net->metadata)
		return oom(p);
	return 0;
}

static int parse_text_once(struct pctx *p, xmlNodePtr node, char **field)
{
	if (*field)
		return fail(p, mvn_xml_line(node),
			    _("<%s> is given twice; keep one"),
			    (const char *)node->name);
	*field = mvn_xml_text(node);
	return *field ? 0 : oom(p);
}

static int keep_node(struct pctx *p, xmlNodePtr node, struct mvn_xnode **slot)
{
	if (*slot)
		return fail(p, mvn_xml_line(node),
			    _("<%s> is given twice; keep one"),
			    (const char *)node->name);
	*slot = mvn_xml_to_xnode(node);
	return *slot ? 0 : oom(p);
}

static int keep_node_list(struct pctx *p, xmlNodePtr node,
			  struct mvn_xnode ***arr, size_t *n)
{
	struct mvn_xnode **slot;

	slot = grow(arr, n, sizeof(**arr));
	if (!slot)
		return oom(p);
	*slot = mvn_xml_to_xnode(node);
	return *slot ? 0 : oom(p);
}

static int dup_elem(struct pctx *p, int line, const char *name)
{
	return fail(p, line, _("<%s> is given twice; keep one"), name);
}

static int parse_name(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	net->name_count++;
	if (net->name_count > 1)
		return fail(p, mvn_xml_line(c),
			    _("<name> is given twice; a network has one name"));
	net->name = mvn_xml_text(c);
	return net->name ? 0 : oom(p);
}

static int parse_uuid(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	char *u = mvn_xml_text(c);
	int ret = 0;

	if (!u)
		return oom(p);
	if (net->has_uuid)
		ret = fail(p, mvn_xml_line(c), _("<uuid> is given twice"));
	else if (!mvn_uuid_parse(u, net->uuid))
		ret = fail(p, mvn_xml_line(c),
			   _("uuid '%s' is malformed (expected 32 hex digits "
			     "like 81ff0d90-c91e-6742-64da-4a736edb9a8c)"),
			   u);
	else
		net->has_uuid = true;
	free(u);
	return ret;
}

static int parse_title(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	return parse_text_once(p, c, &net->title);
}

static int parse_description(struct pctx *p, xmlNodePtr c,
			     struct mvn_network *net)
{
	return parse_text_once(p, c, &net->description);
}

static int parse_mtu(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	char *v = mvn_xml_prop(c, "size");
	int line = mvn_xml_line(c);
	unsigned long m;
	int ret = 0;

	if (net->mtu_line) {
		free(v);
		return dup_elem(p, line, "mtu");
	}
	net->mtu_line = line;
	if (parse_uint(v, 0xffffffffUL, &m) < 0 || m == 0)
		ret = fail(p, line,
			   _("mtu size '%s' is not a positive number of bytes"),
			   v ? v : "");
	else
		net->mtu = (unsigned int)m;
	free(v);
	return ret;
}

static int parse_mac(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	char *v = mvn_xml_prop(c, "address");
	int line = mvn_xml_line(c);
	int ret = 0;

	if (net->has_mac) {
		free(v);
		return dup_elem(p, line, "mac");
	}
	net->mac_line = line;
	if (mvn_mac_parse(v, net->mac))
		net->has_mac = true;
	else
		ret = fail(p, line,
			   _("MAC address '%s' is malformed (expected six hex "
			     "pairs like 52:54:00:b8:9c:58)"),
			   v ? v : "");
	free(v);
	return ret;
}

static int parse_domain(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	return keep_node(p, c, &net->domain);
}

static int parse_dns(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	return keep_node(p, c, &net->dns);
}

static int parse_net_vlan(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	return parse_vlan(p, c, &net->vlan);
}

static int parse_net_bandwidth(struct pctx *p, xmlNodePtr c,
			       struct mvn_network *net)
{
	return parse_bandwidth(p, c, &net->bandwidth);
}

static int parse_net_vport(struct pctx *p, xmlNodePtr c,
			   struct mvn_network *net)
{
	return parse_vport(p, c, &net->vport);
}

static int parse_ip(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	return keep_node_list(p, c, &net->ips, &net->nips);
}

static int parse_route(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	return keep_node_list(p, c, &net->routes, &net->nroutes);
}

/* <port isolated='yes|no'/>: an absent attribute reads as 'no'. */
static int parse_port(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	if (net->port_isolated)
		return dup_elem(p, mvn_xml_line(c), "port");
	if (parse_tristate(p, c, "isolated", &net->port_isolated))
		return p->ret;
	if (!net->port_isolated)
		net->port_isolated = MVN_NO;
	return 0;
}

/* The children of <network>, in the order the messages list them. */
static const struct net_child {
	const char *name;
	int (*parse)(struct pctx *p, xmlNodePtr c, struct mvn_network *net);
} net_children[] = {
	{ "name", parse_name },
	{ "uuid", parse_uuid },
	{ "title", parse_title },
	{ "description", parse_description },
	{ "metadata", parse_metadata },
	{ "forward", parse_forward },
	{ "bridge", parse_bridge },
	{ "mtu", parse_mtu },
	{ "mac", parse_mac },
	{ "domain", parse_domain },
	{ "dns", parse_dns },
	{ "vlan", parse_net_vlan },
	{ "bandwidth", parse_net_bandwidth },
	{ "virtualport", parse_net_vport },
	{ "ip", parse_ip },
	{ "route", parse_route },
	{ "portgroup", parse_portgroup },
	{ "port", parse_port },
};

#define N_NET_CHILDREN (sizeof(net_children) / sizeof(net_children[0]))

/* Refuse c, listing the children <network> allows and then hint. */
static int unknown_net_child(struct pctx *p, xmlNodePtr c, const char *hint)
{
	char allowed[256];
	size_t i, len = 0;

	allowed[0] = '\0';
	for (i = 0; i < N_NET_CHILDREN; i++)
		len += (size_t)snprintf(allowed + len, sizeof(allowed) - len,
					"%s%s", i ? ", " : "",
					net_children[i].name);
	snprintf(allowed + len, sizeof(allowed) - len, "%s", hint);
	return unknown_child(p, c, "network", allowed);
}

/* <dnsmasq:options>, the one namespaced child <network> may have. */
static int parse_dnsmasq(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	const xmlChar *prefix = c->ns->prefix;

	if (keep_node(p, c, &net->dnsmasq))
		return p->ret;
	net->dnsmasq_prefix =
		mvn_strdup(prefix ? (const char *)prefix : "dnsmasq");
	return 0;
}

static int parse_child(struct pctx *p, xmlNodePtr c, struct mvn_network *net)
{
	const char *n = (const char *)c->name;
	size_t i;

	if (c->ns) {
		if (c->ns->href &&
		    !strcmp((const char *)c->ns->href,
			    "http://libvirt.org/schemas/network/dnsmasq/1.0") &&
		    !strcmp(n, "options"))
			return parse_dnsmasq(p, c, net);
		return unknown_net_child(
			p, c, "; foreign elements go inside <metadata>");
	}
	for (i = 0; i < N_NET_CHILDREN; i++)
		if (!strcmp(n, net_children[i].name))
			return net_children[i].parse(p, c, net);
	return unknown_net_child(p, c, "");
}

static int parse_doc(struct pctx *p, xmlDocPtr doc, struct mvn_network **out)
{
	xmlNodePtr root = xmlDocGetRootElement(doc), c;
	struct mvn_network *net;

	if (!mvn_xml_is(root, "network"))
		return fail(p, mvn_xml_line(root),
			    _("the root element is <%s>, not <network>"),
			    (const char *)root->name);
	net = calloc(1, sizeof(*net));
	if (!net)
		return oom(p);
	net->line = mvn_xml_line(root);
	if (parse_tristate(p, root, "ipv6", &net->ipv6) ||
	    parse_tristate(p, root, "trustGuestRxFilters", &net->trust_rx))
		goto fail;
	for_each_elem(c, root) {
		if (parse_child(p, c, net))
			goto fail;
	}
	if (!net->name || !*net->name) {
		fail(p, net->line,
		     _("the network has no <name>; add one, e.g. "
		       "<name>lan</name>"));
		goto fail;
	}
	if (!net->has_uuid) {
		/* Like libvirt, a definition without a UUID gets a new one. */
		if (mvn_uuid_generate(net->uuid) < 0) {
			oom(p);
			goto fail;
		}
		net->has_uuid = true;
		net->uuid_generated = true;
	}
	*out = net;
	return 0;
fail:
	mvn_network_free(net);
	return p->ret;
}

int mvn_network_parse(const char *text, size_t len, const char *name,
		      struct mvn_network **out, struct mvn_error *err)
{
	struct pctx p = { .name = name, .err = err, .ret = -EINVAL };
	xmlDocPtr doc = NULL;
	int ret;

	ret = mvn_xml_parse(text, len, name, &doc, err);
	if (ret < 0)
		return ret;
	ret = parse_doc(&p, doc, out);
	xmlFreeDoc(doc);
	return ret;
}

int mvn_network_parse_file(const char *path, struct mvn_network **out,
			   struct mvn_error *err)
{
	struct pctx p = { .name = path, .err = err, .ret = -EINVAL };
	xmlDocPtr doc = NULL;
	int ret;

	ret = mvn_xml_parse_file(path, &doc, err);
	if (ret < 0)
		return ret;
	ret = parse_doc(&p, doc, out);
	xmlFreeDoc(doc);
	return ret;
}

void mvn_vlan_clear(struct mvn_vlan *v)
{
	size_t i;

	for (i = 0; i < v->ntags; i++)
		free(v->tags[i].native_mode);
	free(v->tags);
	memset(v, 0, sizeof(*v));
}

static void rate_clear(struct mvn_rate *r)
{
	free(r->average);
	free(r->peak);
	free(r->floor);
	free(r->burst);
}

void mvn_vport_clear(struct mvn_virtualport *vp)
{
	free(vp->type);
	free(vp->managerid);
	free(vp->typeid);
	free(vp->typeidversion);
	free(vp->instanceid);
	free(vp->profileid);
	free(vp->interfaceid);
	memset(vp, 0, sizeof(*vp));
}

void mvn_bandwidth_clear(struct mvn_bandwidth *bw)
{
	rate_clear(&bw->in);
	rate_clear(&bw->out);
	memset(bw, 0, sizeof(*bw));
}

void mvn_forward_clear(struct mvn_forward *fw)
{
	size_t i;

	free(fw->dev);
	free(fw->driver);
	free(fw->pf);
	for (i = 0; i < fw->nifaces; i++)
		free(fw->ifaces[i].dev);
	free(fw->ifaces);
	free(fw->addrs);
	mvn_xnode_free(fw->nat);
	memset(fw, 0, sizeof(*fw));
}

void mvn_bridge_clear(struct mvn_bridge *br)
{
	free(br->name);
	free(br->zone);
	free(br->stp);
	free(br->delay);
	free(br->mac_table_manager);
	memset(br, 0, sizeof(*br));
}

void mvn_network_free(struct mvn_network *net)
{
	size_t i;

	if (!net)
		return;
	free(net->name);
	free(net->title);
	free(net->description);
	free(net->metadata);
	for (i = 0; i < net->nports; i++) {
		free(net->ports[i].name);
		free(net->ports[i].mac);
		free(net->ports[i].owner);
		free(net->ports[i].group);
		free(net->ports[i].mode);
	}
	free(net->ports);
	free(net->host.name);
	free(net->host.address);
	mvn_forward_clear(&net->forward);
	mvn_bridge_clear(&net->bridge);
	mvn_xnode_free(net->domain);
	mvn_xnode_free(net->dns);
	mvn_vlan_clear(&net->vlan);
	mvn_bandwidth_clear(&net->bandwidth);
	mvn_vport_clear(&net->vport);
	for (i = 0; i < net->nips; i++)
		mvn_xnode_free(net->ips[i]);
	free(net->ips);
	for (i = 0; i < net->nroutes; i++)
		mvn_xnode_free(net->routes[i]);
	free(net->routes);
	for (i = 0; i < net->nportgroups; i++) {
		struct mvn_portgroup *pg = &net->portgroups[i];

		free(pg->name);
		mvn_vport_clear(&pg->vport);
		mvn_vlan_clear(&pg->vlan);
		mvn_bandwidth_clear(&pg->bandwidth);
	}
	free(net->portgroups);
	mvn_xnode_free(net->dnsmasq);
	free(net->dnsmasq_prefix);
	free(net);
}

/* Formatting: libvirt's element order, attribute order and quoting. */

static void fmt_attr(struct mvn_buf *b, const char *name, const char *v)
{
	if (!v)
		return;
	mvn_buf_printf(b, " %s='", name);
	mvn_buf_escape(b, v);
	mvn_buf_add(b, "'", 1);
}

static const char *yesno(enum mvn_tristate t)
{
	return t == MVN_YES ? "yes" : t == MVN_NO ? "no" : NULL;
}

/* Whether a number attribute is present and not zero. */
static bool nonzero(const char *v)
{
	return v && strtoull(v, NULL, 0) != 0;
}

static void fmt_vlan(struct mvn_buf *b, const struct mvn_vlan *v)
{
	const char *native = NULL;
	unsigned int native_id = 0;
	size_t i;

	if (!v->present || !v->ntags)
		return;
	for (i = 0; i < v->ntags && !native; i++) {
		native = v->tags[i].native_mode;
		native_id = v->tags[i].id;
	}
	mvn_buf_line(b, "<vlan");
	if (v->trunk == MVN_YES || v->ntags > 1)
		mvn_buf_printf(b, " trunk='yes'");
	mvn_buf_printf(b, ">\n");
	b->indent += 2;
	for (i = 0; i < v->ntags; i++) {
		mvn_buf_line(b, "<tag id='%u'", v->tags[i].id);
		/* libvirt keeps one native VLAN and marks each tag with its id. */
		if (native && v->tags[i].id == native_id)
			fmt_attr(b, "nativeMode", native);
		mvn_buf_printf(b, "/>\n");
	}
	b->indent -= 2;
	mvn_buf_line(b, "</vlan>\n");
}

static void fmt_rate(struct mvn_buf *b, const char *name,
		     const struct mvn_rate *r)
{
	if (!r->present || (!nonzero(r->average) && !nonzero(r->floor)))
		return;
	mvn_buf_line(b, "<%s", name);
	if (nonzero(r->average))
		mvn_buf_printf(b, " average='%llu'",
			       strtoull(r->average, NULL, 0));
	if (nonzero(r->peak))
		mvn_buf_printf(b, " peak='%llu'", strtoull(r->peak, NULL, 0));
	if (nonzero(r->floor))
		mvn_buf_printf(b, " floor='%llu'", strtoull(r->floor, NULL, 0));
	if (nonzero(r->burst))
		mvn_buf_printf(b, " burst='%llu'", strtoull(r->burst, NULL, 0));
	mvn_buf_printf(b, "/>\n");
}

static void fmt_bandwidth(struct mvn_buf *b, const struct mvn_bandwidth *bw)
{
	if (!bw->present || (!bw->in.present && !bw->out.present))
		return;
	mvn_buf_line(b, "<bandwidth>\n");
	b->indent += 2;
	fmt_rate(b, "inbound", &bw->in);
	fmt_rate(b, "outbound", &bw->out);
	b->indent -= 2;
	mvn_buf_line(b, "</bandwidth>\n");
}

/* UUIDs are kept as numbers by libvirt and printed in lower case. */
static void fmt_uuid_attr(struct mvn_buf *b, const char *name, const char *v)
{
	unsigned char u[16];
	char text[37];

	if (v && mvn_uuid_parse(v, u)) {
		mvn_uuid_format(u, text);
		v = text;
	}
	fmt_attr(b, name, v);
}

static void fmt_vport(struct mvn_buf *b, const struct mvn_virtualport *vp)
{
	const char *t = vp->type;
	bool qbg = !t || !strcmp(t, "802.1Qbg");
	bool ifid = !t || !strcmp(t, "openvswitch") || !strcmp(t, "midonet");
	bool prof = !t || !strcmp(t, "openvswitch") || !strcmp(t, "802.1Qbh");
	const char *managerid = qbg ? vp->managerid : NULL;
	const char *typeid = qbg ? vp->typeid : NULL;
	const char *typeidversion = qbg ? vp->typeidversion : NULL;
	const char *instanceid = qbg ? vp->instanceid : NULL;
	const char *interfaceid = ifid ? vp->interfaceid : NULL;
	const char *profileid = prof ? vp->profileid : NULL;
	bool params = managerid || typeid || typeidversion || instanceid ||
		      interfaceid || profileid;

	if (!vp->present || (!t && !params))
		return;
	mvn_buf_line(b, "<virtualport");
	fmt_attr(b, "type", t);
	if (!params) {
		mvn_buf_printf(b, "/>\n");
		return;
	}
	mvn_buf_printf(b, ">\n");
	b->indent += 2;
	mvn_buf_line(b, "<parameters");
	/* Numbers are read in any base and printed in decimal. */
	if (managerid)
		mvn_buf_printf(b, " managerid='%lu'",
			       strtoul(managerid, NULL, 0));
	if (typeid)
		mvn_buf_printf(b, " typeid='%lu'", strtoul(typeid, NULL, 0));
	if (typeidversion)
		mvn_buf_printf(b, " typeidversion='%lu'",
			       strtoul(typeidversion, NULL, 0));
	fmt_uuid_attr(b, "instanceid", instanceid);
	fmt_uuid_attr(b, "interfaceid", interfaceid);
	fmt_attr(b, "profileid", profileid);
	mvn_buf_printf(b, "/>\n");
	b->indent -= 2;
	mvn_buf_line(b, "</virtualport>\n");
}

/*
 * libvirt stores addresses as numbers and prints them back in the standard
 * form (lower-case IPv6 with the longest zero run as "::").
 */
static void fmt_ip_attr(struct mvn_buf *b, const char *name, const char *v)
{
	unsigned char bin[16];
	char text[INET6_ADDRSTRLEN];

	if (v && strchr(v, ':') && inet_pton(AF_INET6, v, bin) == 1 &&
	    inet_ntop(AF_INET6, bin, text, sizeof(text)))
		v = text;
	else if (v && inet_pton(AF_INET, v, bin) == 1 &&
		 inet_ntop(AF_INET, bin, text, sizeof(text)))
		v = text;
	fmt_attr(b, name, v);
}

/* The elements of a NAT range, address before port, whatever the input. */
static void fmt_nat(struct mvn_buf *b, const struct mvn_xnode *nat)
{
	static const char *const order[] = { "address", "port" };
	size_t i, k;

	mvn_buf_line(b, "<nat");
	fmt_attr(b, "ipv6", mvn_xnode_attr(nat, "ipv6"));
	if (!nat->nchildren) {
		mvn_buf_printf(b, "/>\n");
		return;
	}
	mvn_buf_printf(b, ">\n");
	b->indent += 2;
	for (k = 0; k < 2; k++) {
		for (i = 0; i < nat->nchildren; i++) {
			const struct mvn_xnode *c = nat->children[i];
			const char *end = mvn_xnode_attr(c, "end");

			if (strcmp(c->name, order[k]))
				continue;
			mvn_buf_line(b, "<%s", c->name);
			if (k == 0) {
				fmt_ip_attr(b, "start",
					    mvn_xnode_attr(c, "start"));
				fmt_ip_attr(b, "end", end);
			} else {
				fmt_attr(b, "start",
					 mvn_xnode_attr(c, "start"));
				if (nonzero(end))
					fmt_attr(b, "end", end);
			}
			mvn_buf_printf(b, "/>\n");
		}
	}
	b->indent -= 2;
	mvn_buf_line(b, "</nat>\n");
}

/* An element whose only attribute is dev=, as <pf> and <interface>. */
static void fmt_dev_elem(struct mvn_buf *b, const char *name, const char *dev)
{
	mvn_buf_line(b, "<%s", name);
	fmt_attr(b, "dev", dev);
	mvn_buf_printf(b, "/>\n");
}

/* The pool of <forward>: its interfaces (pool_dev: just dev) or devices. */
static void fmt_pool(struct mvn_buf *b, const struct mvn_forward *fw,
		     bool pool_dev)
{
	size_t i;

	for (i = 0; i < fw->nifaces; i++)
		fmt_dev_elem(b, "interface", fw->ifaces[i].dev);
	if (pool_dev)
		fmt_dev_elem(b, "interface", fw->dev);
	for (i = 0; !fw->nifaces && i < fw->naddrs; i++) {
		const struct mvn_pci_addr *a = &fw->addrs[i];

		mvn_buf_line(b,
			     "<address type='pci' domain='0x%04x' bus='0x%02x' "
			     "slot='0x%02x' function='0x%x'/>\n",
			     a->domain, a->bus, a->slot, a->function);
	}
}

static void fmt_forward(struct mvn_buf *b, const struct mvn_network *net)
{
	const struct mvn_forward *fw = &net->forward;
	const char *dev = NULL, *pf = fw->pf;
	bool nat, pool_dev;

	if (!fw->present)
		return;
	/* libvirt lists <forward dev> as the pool's first and only member. */
	pool_dev = !fw->nifaces && fw->dev && !fw->naddrs;
	if (fw->nifaces || pool_dev)
		pf = NULL; /* a pool of interfaces makes <pf> moot */
	if (!pf)
		dev = fw->nifaces ? fw->ifaces[0].dev :
		      pool_dev	  ? fw->dev :
				    NULL;
	nat = fw->mode == MVN_FWD_NAT && fw->nat &&
	      (fw->nat->nchildren || mvn_xnode_attr(fw->nat, "ipv6"));
	mvn_buf_line(b, "<forward");
	fmt_attr(b, "dev", dev);
	fmt_attr(b, "mode", mvn_fwd_mode_name(fw->mode));
	if (fw->mode == MVN_FWD_HOSTDEV)
		mvn_buf_printf(b, " managed='%s'",
			       fw->managed == MVN_YES ? "yes" : "no");
	if (!fw->nifaces && !pool_dev && !fw->naddrs && !pf && !fw->driver &&
	    !nat) {
		mvn_buf_printf(b, "/>\n");
		return;
	}
	mvn_buf_printf(b, ">\n");
	b->indent += 2;
	if (fw->driver) {
		mvn_buf_line(b, "<driver");
		fmt_attr(b, "name", fw->driver);
		mvn_buf_printf(b, "/>\n");
	}
	if (nat)
		fmt_nat(b, fw->nat);
	if (pf)
		fmt_dev_elem(b, "pf", pf);
	fmt_pool(b, fw, pool_dev);
	b->indent -= 2;
	mvn_buf_line(b, "</forward>\n");
}

static void fmt_bridge(struct mvn_buf *b, const struct mvn_network *net)
{
	const struct mvn_bridge *br = &net->bridge;
	enum mvn_fwd_mode m = net->forward.mode;
	bool routed = m == MVN_FWD_NONE || m == MVN_FWD_NAT ||
		      m == MVN_FWD_ROUTE || m == MVN_FWD_OPEN;

	if (!routed && !br->name && !br->mac_table_manager)
		return;
	mvn_buf_line(b, "<bridge");
	fmt_attr(b, "name", br->name);
	fmt_attr(b, "zone", br->zone);
	if (routed)
		mvn_buf_printf(b, " stp='%s' delay='%lu'",
			       br->stp && !strcmp(br->stp, "off") ? "off" :
								    "on",
			       br->delay ? strtoul(br->delay, NULL, 10) : 0UL);
	fmt_attr(b, "macTableManager", br->mac_table_manager);
	mvn_buf_printf(b, "/>\n");
}

/* Whether libvirt would print this kept element at all. */
static bool kept_visible(const char *parent, const struct mvn_xnode *n)
{
	size_t i;

	if (!strcmp(n->name, "dns") && !parent)
		return n->nattrs || n->nchildren;
	if (!strcmp(n->name, "dhcp")) {
		/* A <dhcp> with only <bootp> carries nothing libvirt keeps. */
		for (i = 0; i < n->nchildren; i++)
			if (strcmp(n->children[i]->name, "bootp"))
				return true;
		return false;
	}
	if (!strcmp(n->name, "hostname"))
		return n->text && *n->text;
	return true;
}

static void fmt_kept(struct mvn_buf *b, const char *parent,
		     const struct mvn_xnode *n, bool force_end_tag);

static bool is_addr_attr(const char *elem, const char *attr)
{
	static const char *const names[] = { "address", "netmask", "start",
					     "end",	"ip",	   "server",
					     "gateway", "addr" };
	size_t i;

	if (!strcmp(elem, "dhcp") || !strcmp(elem, "lease"))
		return false;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i], attr))
			return true;
	return false;
}

/* Print one attribute of a kept element as libvirt would, or not at all. */
static void fmt_kept_attr(struct mvn_buf *b, const struct mvn_xnode *n,
			  const char *attr, const char *v)
{
	/* An IP prefix of 0 means "none" to libvirt. */
	if (!strcmp(n->name, "ip") && !strcmp(attr, "prefix") && !nonzero(v))
		return;
	/* So do SRV numbers of 0. */
	if (!strcmp(n->name, "srv") &&
	    (!strcmp(attr, "port") || !strcmp(attr, "priority") ||
	     !strcmp(attr, "weight")) &&
	    !nonzero(v))
		return;
	if (!strcmp(n->name, "lease") && !strcmp(attr, "unit")) {
		/* A lease of 0 is "infinite" and has no unit. */
		if (!nonzero(mvn_xnode_attr(n, "expiry")))
			return;
		fmt_attr(b, attr, v ? v : "minutes");
		return;
	}
	if (is_addr_attr(n->name, attr))
		fmt_ip_attr(b, attr, v);
	else
		fmt_attr(b, attr, v);
}

static void fmt_kept_attrs(struct mvn_buf *b, const struct mvn_xshape *sh,
			   const struct mvn_xnode *n)
{
	size_t i, k;

	for (k = 0; sh && k < MVN_XSHAPE_ATTRS && sh->attrs[k]; k++) {
		const char *v = mvn_xnode_attr(n, sh->attrs[k]);

		if (v || (!strcmp(n->name, "lease") &&
			  !strcmp(sh->attrs[k], "unit")))
			fmt_kept_attr(b, n, sh->attrs[k], v);
	}
	for (i = 0; i < n->nattrs; i++)
		if (!sh || !mvn_xshape_has_attr(sh, n->attrs[i].name))
			fmt_kept_attr(b, n, n->attrs[i].name,
				      n->attrs[i].value);
}

static void fmt_kept(struct mvn_buf *b, const char *parent,
		     const struct mvn_xnode *n, bool force_end_tag)
{
	const struct mvn_xshape *sh = mvn_xshape_of(parent, n->name);
	size_t i, k, shown = 0;

	if (!kept_visible(parent, n))
		return;
	for (i = 0; i < n->nchildren; i++)
		if (kept_visible(n->name, n->children[i]))
			shown++;
	mvn_buf_line(b, "<%s", n->name);
	fmt_kept_attrs(b, sh, n);
	if (!shown && !(n->text && *n->text)) {
		if (force_end_tag)
			mvn_buf_printf(b, ">\n");
		else
			mvn_buf_printf(b, "/>\n");
	} else if (!shown) {
		mvn_buf_printf(b, ">");
		mvn_buf_escape(b, n->text);
		mvn_buf_printf(b, "</%s>\n", n->name);
		return;
	} else {
		mvn_buf_printf(b, ">\n");
		b->indent += 2;
		for (k = 0; sh && k < MVN_XSHAPE_CHILDREN && sh->children[k];
		     k++)
			for (i = 0; i < n->nchildren; i++)
				if (!strcmp(n->children[i]->name,
					    sh->children[k]))
					fmt_kept(b, n->name, n->children[i],
						 false);
		for (i = 0; i < n->nchildren; i++)
			if (!sh ||
			    !mvn_xshape_has_child(sh, n->children[i]->name))
				fmt_kept(b, n->name, n->children[i], false);
		b->indent -= 2;
	}
	if (shown || force_end_tag)
		mvn_buf_line(b, "</%s>\n", n->name);
}

static void fmt_portgroup(struct mvn_buf *b, const struct mvn_portgroup *pg)
{
	/* libvirt always prints a portgroup with an end tag. */
	mvn_buf_line(b, "<portgroup");
	fmt_attr(b, "name", pg->name);
	if (pg->is_default == MVN_YES)
		mvn_buf_printf(b, " default='yes'");
	fmt_attr(b, "trustGuestRxFilters", yesno(pg->trust_rx));
	mvn_buf_printf(b, ">\n");
	b->indent += 2;
	fmt_vlan(b, &pg->vlan);
	fmt_vport(b, &pg->vport);
	fmt_bandwidth(b, &pg->bandwidth);
	b->indent -= 2;
	mvn_buf_line(b, "</portgroup>\n");
}

static bool has_dnsmasq_options(const struct mvn_network *net)
{
	return net->dnsmasq && net->dnsmasq->nchildren;
}

static void fmt_dnsmasq(struct mvn_buf *b, const struct mvn_network *net)
{
	size_t i;

	if (!has_dnsmasq_options(net))
		return;
	mvn_buf_line(b, "<dnsmasq:options>\n");
	b->indent += 2;
	for (i = 0; i < net->dnsmasq->nchildren; i++) {
		mvn_buf_line(b, "<dnsmasq:option");
		fmt_attr(b, "value",
			 mvn_xnode_attr(net->dnsmasq->children[i], "value"));
		mvn_buf_printf(b, "/>\n");
	}
	b->indent -= 2;
	mvn_buf_line(b, "</dnsmasq:options>\n");
}

/* <name>text</name>, escaped; nothing when text is NULL. */
static void fmt_text(struct mvn_buf *b, const char *name, const char *text)
{
	if (!text)
		return;
	mvn_buf_line(b, "<%s>", name);
	mvn_buf_escape(b, text);
	mvn_buf_printf(b, "</%s>\n", name);
}

char *mvn_network_format(const struct mvn_network *net)
{
	struct mvn_buf b = { 0 };
	char uuid[37], mac[18];
	size_t i;

	mvn_buf_printf(&b, "<network");
	if (has_dnsmasq_options(net))
		mvn_buf_printf(&b, " xmlns:dnsmasq='http://libvirt.org/schemas/"
				   "network/dnsmasq/1.0'");
	if (net->ipv6 == MVN_YES)
		mvn_buf_printf(&b, " ipv6='yes'");
	fmt_attr(&b, "trustGuestRxFilters", yesno(net->trust_rx));
	mvn_buf_printf(&b, ">\n");
	b.indent = 2;
	mvn_buf_line(&b, "<name>");
	mvn_buf_escape(&b, net->name);
	mvn_buf_printf(&b, "</name>\n");
	/* Only a network built in memory goes without one. */
	if (net->has_uuid) {
		mvn_uuid_format(net->uuid, uuid);
		mvn_buf_line(&b, "<uuid>%s</uuid>\n", uuid);
	}
	fmt_text(&b, "title", net->title);
	fmt_text(&b, "description", net->description);
	if (net->metadata)
		mvn_buf_line(&b, "%s\n", net->metadata);
	fmt_forward(&b, net);
	fmt_bridge(&b, net);
	if (net->mtu)
		mvn_buf_line(&b, "<mtu size='%u'/>\n", net->mtu);
	if (net->has_mac) {
		mvn_mac_format(net->mac, mac);
		mvn_buf_line(&b, "<mac address='%s'/>\n", mac);
	}
	if (net->domain)
		fmt_kept(&b, NULL, net->domain, false);
	if (net->dns)
		fmt_kept(&b, NULL, net->dns, false);
	fmt_vlan(&b, &net->vlan);
	fmt_bandwidth(&b, &net->bandwidth);
	if (net->port_isolated)
		mvn_buf_line(&b, "<port isolated='%s'/>\n",
			     yesno(net->port_isolated));
	for (i = 0; i < net->nips; i++)
		fmt_kept(&b, NULL, net->ips[i], true);
	for (i = 0; i < net->nroutes; i++)
		fmt_kept(&b, NULL, net->routes[i], false);
	fmt_vport(&b, &net->vport);
	for (i = 0; i < net->nportgroups; i++)
		fmt_portgroup(&b, &net->portgroups[i]);
	fmt_dnsmasq(&b, net);
	b.indent = 0;
	mvn_buf_printf(&b, "</network>\n");
	return mvn_buf_steal(&b);
}
