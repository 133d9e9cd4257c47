/*
 * The rules libvirt applies when it defines a network, beyond what the
 * schema says: the ones its conformance tests exercise.  macvnet's own rules
 * (names, MACs, ports, what it can run) are in check.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-libvirt.h"

int mvn_check_fail(struct mvn_error *err, const char *doc, int line,
		   const char *fmt, ...)
{
	char msg[440];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line > 0)
		return mvn_error_setl(err, -EINVAL, line, "%s:%d: %s", doc,
				      line, msg);
	return mvn_error_set(err, -EINVAL, "%s: %s", doc, msg);
}

/* Whether the network's guests sit behind a host bridge with addressing. */
static bool routed_mode(enum mvn_fwd_mode m)
{
	return m == MVN_FWD_NONE || m == MVN_FWD_NAT || m == MVN_FWD_ROUTE ||
	       m == MVN_FWD_OPEN;
}

/* Each interface and each PCI device of a pool is listed once. */
static int check_pool_once(const struct mvn_network *net, const char *doc,
			   struct mvn_error *err)
{
	const struct mvn_forward *fw = &net->forward;
	size_t i, j;

	for (i = 0; i < fw->nifaces; i++)
		for (j = 0; j < i; j++)
			if (!strcmp(fw->ifaces[i].dev, fw->ifaces[j].dev))
				return mvn_check_fail(
					err, doc, fw->ifaces[i].line,
					_("interface '%1$s' can only be "
					  "listed once in network %2$s; "
					  "remove the second <interface "
					  "dev='%1$s'/>"),
					fw->ifaces[i].dev, net->name);
	for (i = 0; i < fw->naddrs; i++) {
		const struct mvn_pci_addr *a = &fw->addrs[i];

		for (j = 0; j < i; j++) {
			const struct mvn_pci_addr *o = &fw->addrs[j];

			if (a->domain == o->domain && a->bus == o->bus &&
			    a->slot == o->slot && a->function == o->function)
				return mvn_check_fail(
					err, doc, a->line,
					_("PCI device "
					  "'%1$04x:%2$02x:%3$02x.%4$x' can "
					  "only be listed once in network "
					  "%5$s; remove the second "
					  "<address>"),
					a->domain, a->bus, a->slot, a->function,
					net->name);
		}
	}
	return 0;
}

/* A pool holds interfaces or, in hostdev mode only, PCI devices. */
static int check_pool_kind(const struct mvn_network *net, const char *doc,
			   struct mvn_error *err)
{
	const struct mvn_forward *fw = &net->forward;

	if (fw->nifaces && fw->naddrs)
		return mvn_check_fail(
			err, doc, fw->line,
			_("the pool of network '%s' mixes <interface> and "
			  "<address> elements; use one kind"),
			net->name);
	if (fw->naddrs && fw->mode != MVN_FWD_HOSTDEV)
		return mvn_check_fail(
			err, doc, fw->addrs[0].line,
			_("network '%1$s' has forward mode '%2$s' but lists "
			  "a device by PCI address in its pool; that is "
			  "only supported with mode='hostdev' (name the "
			  "interfaces with <interface dev='...'/>)"),
			net->name, mvn_fwd_mode_name(fw->mode));
	if (fw->nifaces && fw->mode == MVN_FWD_HOSTDEV)
		return mvn_check_fail(
			err, doc, fw->ifaces[0].line,
			_("hostdev network '%1$s' lists '%2$s' in its pool, "
			  "but hostdev pools list PCI devices; replace "
			  "<interface> with <address type='pci' .../>"),
			net->name, fw->ifaces[0].dev);
	return 0;
}

/* A routed network forwards through at most one device and has an <ip>. */
static int check_forward_routed(const struct mvn_network *net, const char *doc,
				struct mvn_error *err)
{
	const struct mvn_forward *fw = &net->forward;
	const char *mode = mvn_fwd_mode_name(fw->mode);
	size_t pool = fw->nifaces ? fw->nifaces : fw->dev ? 1 : 0;

	if (!routed_mode(fw->mode))
		return 0;
	if (fw->mode == MVN_FWD_OPEN && pool)
		return mvn_check_fail(
			err, doc, fw->line,
			_("forward dev is not allowed for network "
			  "'%s' with forward mode='open'; remove "
			  "the dev attribute and <interface>"),
			net->name);
	if (pool > 1)
		return mvn_check_fail(
			err, doc, fw->ifaces[1].line,
			_("network '%1$s' (mode='%2$s') lists "
			  "several forwarding interfaces; only one "
			  "is supported"),
			net->name, mode);
	if (!net->nips)
		return mvn_check_fail(
			err, doc, fw->line,
			_("network '%1$s' uses forward mode='%2$s' "
			  "but has no <ip> address; add <ip "
			  "address='...' prefix='...'/>"),
			net->name, mode);
	return 0;
}

static int check_forward(const struct mvn_network *net, const char *doc,
			 struct mvn_error *err)
{
	const struct mvn_forward *fw = &net->forward;

	if (!fw->present)
		return 0;
	if (fw->nat && fw->mode != MVN_FWD_NAT)
		return mvn_check_fail(
			err, doc, fw->nat->line,
			_("<nat> can only be used with forward mode='nat', "
			  "not mode='%s'; remove <nat>"),
			mvn_fwd_mode_name(fw->mode));
	if (fw->dev && (fw->naddrs || (fw->pf && !fw->nifaces)))
		return mvn_check_fail(
			err, doc, fw->line,
			_("<forward dev> cannot be used together with "
			  "<address> or <pf> in network %s; remove the dev "
			  "attribute"),
			net->name);
	if (fw->dev && fw->nifaces && strcmp(fw->dev, fw->ifaces[0].dev))
		return mvn_check_fail(
			err, doc, fw->line,
			_("<forward dev='%1$s'> must match the first "
			  "<interface> of the pool ('%2$s'); put '%1$s' "
			  "first or remove the dev attribute"),
			fw->dev, fw->ifaces[0].dev);
	if (check_pool_once(net, doc, err) || check_pool_kind(net, doc, err))
		return -EINVAL;
	return check_forward_routed(net, doc, err);
}

/* Bridge settings that only a bridge libvirt creates itself can have. */
static int check_bridge(const struct mvn_network *net, const char *doc,
			struct mvn_error *err)
{
	const struct mvn_bridge *br = &net->bridge;
	enum mvn_fwd_mode m = net->forward.mode;
	const char *mode = mvn_fwd_mode_name(m);

	if (!br->present || routed_mode(m))
		return 0;
	if (m != MVN_FWD_BRIDGE) {
		if (br->name)
			return mvn_check_fail(
				err, doc, br->line,
				_("bridge name not allowed in %1$s mode "
				  "(network '%2$s'); remove <bridge>"),
				mode, net->name);
		if (br->zone)
			return mvn_check_fail(
				err, doc, br->line,
				_("bridge zone not allowed in %1$s mode "
				  "(network '%2$s'); remove it"),
				mode, net->name);
		if (br->mac_table_manager)
			return mvn_check_fail(
				err, doc, br->line,
				_("bridge macTableManager not allowed in "
				  "%1$s mode (network '%2$s'); remove it"),
				mode, net->name);
	}
	if (br->stp || br->zone ||
	    (br->delay && strtoul(br->delay, NULL, 10) != 0))
		return mvn_check_fail(
			err, doc, br->line,
			_("bridge stp, delay and zone are only allowed in "
			  "nat, route, open and isolated networks, not in "
			  "%1$s mode (network '%2$s'); remove them"),
			mode, net->name);
	if (m == MVN_FWD_BRIDGE && br->name &&
	    (net->forward.nifaces || net->forward.dev || net->forward.pf))
		return mvn_check_fail(
			err, doc, br->line,
			_("network %s has both <bridge name> and an "
			  "interface pool: with forward mode='bridge' use "
			  "<bridge name> for a host bridge or <interface "
			  "dev> for macvtap, not both"),
			net->name);
	return 0;
}

/* What a network whose guests sit on the host's LAN cannot have. */
static int check_bridgeless(const struct mvn_network *net, const char *doc,
			    struct mvn_error *err)
{
	const char *mode = mvn_fwd_mode_name(net->forward.mode);
	size_t i;

	if (routed_mode(net->forward.mode))
		return 0;
	if (net->mtu)
		return mvn_check_fail(
			err, doc, net->mtu_line,
			_("<mtu> is not supported in network %1$s with "
			  "forward mode='%2$s': endpoints take the lower "
			  "device's MTU (set the MTU of the pool "
			  "interfaces, or <mtu> in the domain's "
			  "<interface>)"),
			net->name, mode);
	if (net->has_mac)
		return mvn_check_fail(
			err, doc, net->mac_line,
			_("<mac> is not supported in network %1$s with "
			  "forward mode='%2$s': there is no host bridge "
			  "to give it to (remove it)"),
			net->name, mode);
	if (net->nips)
		return mvn_check_fail(
			err, doc, net->ips[0]->line,
			_("<ip> is not supported in network %1$s with "
			  "forward mode='%2$s': its guests sit directly on "
			  "the host's LAN and get addresses there (remove "
			  "<ip>)"),
			net->name, mode);
	for (i = 0; net->dns && i < net->dns->nchildren; i++)
		if (strcmp(net->dns->children[i]->name, "forwarder"))
			return mvn_check_fail(
				err, doc, net->dns->line,
				_("<dns> entries are not supported in "
				  "network %1$s with forward mode='%2$s'; "
				  "the LAN's own DNS serves its guests "
				  "(remove them)"),
				net->name, mode);
	if (net->domain)
		return mvn_check_fail(
			err, doc, net->domain->line,
			_("<domain> is not supported in network %1$s with "
			  "forward mode='%2$s'; remove it"),
			net->name, mode);
	if (net->nroutes)
		return mvn_check_fail(
			err, doc, net->routes[0]->line,
			_("<route> is not supported in network %1$s with "
			  "forward mode='%2$s'; remove it"),
			net->name, mode);
	return 0;
}

static int check_rate(const struct mvn_rate *r, const char *doc, int line,
		      const char *what, struct mvn_error *err)
{
	if (!r->present)
		return 0;
	if (r->floor)
		return mvn_check_fail(
			err, doc, line,
			_("floor in <%s> is not supported in a network's "
			  "bandwidth; remove it"),
			what);
	if (!r->average)
		return mvn_check_fail(
			err, doc, line,
			_("<%s> needs an average attribute (kilobytes per "
			  "second)"),
			what);
	return 0;
}

static int check_bandwidths(const struct mvn_network *net, const char *doc,
			    struct mvn_error *err)
{
	enum mvn_fwd_mode m = net->forward.mode;
	bool allowed = routed_mode(m) ||
		       (m == MVN_FWD_BRIDGE && net->bridge.name);
	size_t i;

	for (i = 0; i <= net->nportgroups; i++) {
		const struct mvn_bandwidth *bw =
			i == 0 ? &net->bandwidth :
				 &net->portgroups[i - 1].bandwidth;

		if (!bw->present)
			continue;
		if (bw->classid)
			return mvn_check_fail(
				err, doc, bw->line,
				_("classID is not supported on <bandwidth> "
				  "in a network; remove it"));
		if (check_rate(&bw->in, doc, bw->line, "inbound", err) ||
		    check_rate(&bw->out, doc, bw->line, "outbound", err))
			return -EINVAL;
		if (!allowed)
			return mvn_check_fail(
				err, doc, bw->line,
				_("<bandwidth> is not supported in network "
				  "%1$s with forward mode='%2$s': macvtap "
				  "endpoints have no host-side port to "
				  "shape (remove it)"),
				net->name, mvn_fwd_mode_name(m));
	}
	return 0;
}

static bool is_ovs(const struct mvn_virtualport *vp)
{
	return vp->present && vp->type && !strcmp(vp->type, "openvswitch");
}

static int check_vlan_tags(const struct mvn_vlan *v, const char *doc,
			   struct mvn_error *err)
{
	size_t i, j, natives = 0;

	for (i = 0; i < v->ntags; i++) {
		if (v->tags[i].native_mode)
			natives++;
		for (j = 0; j < i; j++)
			if (v->tags[j].id == v->tags[i].id)
				return mvn_check_fail(
					err, doc, v->line,
					_("<vlan> lists tag %u twice; give "
					  "each VLAN once"),
					v->tags[i].id);
	}
	if (natives > 1)
		return mvn_check_fail(
			err, doc, v->line,
			_("<vlan> marks more than one tag with nativeMode; "
			  "a port has one native VLAN"));
	return 0;
}

/* A <vlan> where neither the forward mode nor a virtualport can apply it. */
static int vlan_refused(const struct mvn_network *net, const char *doc,
			int line, struct mvn_error *err)
{
	return mvn_check_fail(
		err, doc, line,
		_("<vlan> element specified for network %s, whose type does "
		  "not support vlan configuration; VLANs need forward "
		  "mode='hostdev' or 'passthrough', or an Open vSwitch bridge "
		  "(for macvtap, use a VLAN interface as the lower device)"),
		net->name);
}

static int check_vlan(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err)
{
	enum mvn_fwd_mode m = net->forward.mode;
	bool net_ok, has_default = false;
	size_t i;

	/*
	 * A VLAN can be applied by an SR-IOV device or by Open vSwitch; a
	 * macvtap endpoint on a plain lower device cannot tag frames.
	 */
	net_ok = m == MVN_FWD_HOSTDEV || m == MVN_FWD_PASSTHROUGH ||
		 (m == MVN_FWD_BRIDGE && is_ovs(&net->vport));
	if (check_vlan_tags(&net->vlan, doc, err))
		return -EINVAL;
	for (i = 0; i < net->nportgroups; i++) {
		const struct mvn_portgroup *pg = &net->portgroups[i];
		bool ok;

		if (check_vlan_tags(&pg->vlan, doc, err))
			return -EINVAL;
		if (pg->is_default == MVN_YES)
			has_default = true;
		if (!pg->vlan.present && !net->vlan.present)
			continue;
		if (pg->vport.present)
			ok = m == MVN_FWD_BRIDGE && is_ovs(&pg->vport);
		else
			ok = net_ok;
		if (!ok)
			return vlan_refused(net, doc,
					    pg->vlan.present ? pg->vlan.line :
							       net->vlan.line,
					    err);
	}
	if (net->vlan.present && !net_ok && !has_default)
		return vlan_refused(net, doc, net->vlan.line, err);
	return 0;
}

static int check_portgroups(const struct mvn_network *net, const char *doc,
			    struct mvn_error *err)
{
	const char *def = NULL;
	size_t i, j;

	if (net->vport.present && !net->vport.type)
		return mvn_check_fail(
			err, doc, net->vport.line,
			_("a network's <virtualport> needs a type "
			  "(802.1Qbg, 802.1Qbh, openvswitch or "
			  "midonet)"));
	for (i = 0; i < net->nportgroups; i++) {
		const struct mvn_portgroup *pg = &net->portgroups[i];

		if (pg->is_default == MVN_YES) {
			if (def)
				return mvn_check_fail(
					err, doc, pg->line,
					_("network %1$s has two default "
					  "portgroups, '%2$s' and '%3$s'; "
					  "keep default='yes' on one"),
					net->name, def, pg->name);
			def = pg->name;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(pg->name, net->portgroups[j].name))
				return mvn_check_fail(
					err, doc, pg->line,
					_("portgroup '%1$s' is defined "
					  "twice in network %2$s; rename "
					  "one of them"),
					pg->name, net->name);
	}
	return 0;
}

static int check_dns(const struct mvn_network *net, const char *doc,
		     struct mvn_error *err)
{
	const char *enable;
	size_t i;

	if (!net->dns)
		return 0;
	for (i = 0; i < net->dns->nchildren; i++) {
		const struct mvn_xnode *c = net->dns->children[i];

		if (!strcmp(c->name, "forwarder") &&
		    !mvn_xnode_attr(c, "addr") && !mvn_xnode_attr(c, "domain"))
			return mvn_check_fail(
				err, doc, c->line,
				_("<forwarder> needs an addr or a domain "
				  "attribute"));
		if (!strcmp(c->name, "srv")) {
			const char *port = mvn_xnode_attr(c, "port");

			if (!mvn_xnode_attr(c, "target") &&
			    (port || mvn_xnode_attr(c, "priority") ||
			     mvn_xnode_attr(c, "weight")))
				return mvn_check_fail(
					err, doc, c->line,
					_("a DNS SRV record with port, "
					  "priority or weight needs a "
					  "target"));
			if (port && strtoul(port, NULL, 10) == 0)
				return mvn_check_fail(
					err, doc, c->line,
					_("DNS SRV port '%s' is invalid; "
					  "use 1 to 65535"),
					port);
		}
	}
	enable = mvn_xnode_attr(net->dns, "enable");
	if (enable && !strcmp(enable, "no") && net->dns->nchildren)
		return mvn_check_fail(
			err, doc, net->dns->line,
			_("network '%s' disables DNS (enable='no') but "
			  "lists DNS entries; remove the entries or "
			  "enable DNS"),
			net->name);
	return 0;
}

/* An IPv4 or IPv6 address as 16 bytes (IPv4 in the last 4). */
struct addr {
	int family;
	unsigned char b[16];
};

static bool addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (!s)
		return false;
	if (inet_pton(AF_INET, s, a->b + 12) == 1) {
		a->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->b) == 1) {
		a->family = AF_INET6;
		return true;
	}
	return false;
}

static int addr_bits(const struct addr *a)
{
	return a->family == AF_INET ? 32 : 128;
}

/* Whether a and b agree in their first prefix bits. */
static bool addr_same_net(const struct addr *a, const struct addr *b,
			  unsigned int prefix)
{
	unsigned int off = a->family == AF_INET ? 96 : 0, i;

	if (a->family != b->family)
		return false;
	for (i = off; i < off + prefix; i++)
		if (((a->b[i / 8] ^ b->b[i / 8]) >> (7 - i % 8)) & 1)
			return false;
	return true;
}

/* Whether the host part (after prefix bits) of a is all value (0 or 1). */
static bool addr_host_all(const struct addr *a, unsigned int prefix, int value)
{
	unsigned int off = a->family == AF_INET ? 96 : 0, i;

	for (i = off + prefix; i < off + (unsigned int)addr_bits(a); i++)
		if ((int)((a->b[i / 8] >> (7 - i % 8)) & 1) != value)
			return false;
	return true;
}

static int addr_cmp(const struct addr *a, const struct addr *b)
{
	return memcmp(a->b, b->b, 16);
}

/* The prefix length of a netmask, or -1 if it is not contiguous. */
static int netmask_prefix(const struct addr *m)
{
	int n = 0, i;
	bool zero = false;

	for (i = m->family == AF_INET ? 96 : 0; i < 128; i++) {
		int bit = (m->b[i / 8] >> (7 - i % 8)) & 1;

		if (bit && zero)
			return -1;
		if (bit)
			n++;
		else
			zero = true;
	}
	return n;
}

/*
 * The prefix of an <ip> or <route>: its prefix, else its netmask, else for
 * <ip> what libvirt assumes (the IPv4 class, or 64 for IPv6).
 */
static int node_prefix(const struct mvn_xnode *n, const struct addr *a,
		       bool classful)
{
	const char *p = mvn_xnode_attr(n, "prefix");
	const char *m = mvn_xnode_attr(n, "netmask");
	struct addr mask;

	/* On an <ip>, prefix='0' means "not given", as libvirt reads it. */
	if (p && (!classful || strtoul(p, NULL, 10) != 0))
		return (int)strtoul(p, NULL, 10);
	if (m && addr_parse(m, &mask))
		return netmask_prefix(&mask);
	if (!classful)
		return 0;
	if (a->family == AF_INET6)
		return 64;
	if (a->b[12] < 128)
		return 8;
	return a->b[12] < 192 ? 16 : 24;
}

static bool srv_service_valid(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-+/*", *s))
			return false;
	return true;
}

/* A <range> lies within its <ip>'s network, in order, and not too large. */
static int check_dhcp_range(const char *doc, const struct mvn_xnode *ip,
			    const struct mvn_xnode *c,
			    const struct addr *net_addr, int prefix,
			    struct mvn_error *err)
{
	const char *s = mvn_xnode_attr(c, "start");
	const char *e = mvn_xnode_attr(c, "end");
	struct addr a, b;

	if (!addr_parse(s, &a) || !addr_parse(e, &b) ||
	    a.family != net_addr->family || b.family != net_addr->family)
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP range %1$s - %2$s does not match the "
			  "address family of its <ip>"),
			s ? s : "", e ? e : "");
	if (!addr_same_net(&a, net_addr, (unsigned)prefix) ||
	    !addr_same_net(&b, net_addr, (unsigned)prefix))
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP range %1$s - %2$s is not entirely within "
			  "network %3$s/%4$d; change the range or the "
			  "prefix"),
			s, e, mvn_xnode_attr(ip, "address"), prefix);
	if (addr_cmp(&a, &b) > 0)
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP range %1$s - %2$s is reversed; swap start "
			  "and end"),
			s, e);
	if (a.family != AF_INET)
		return 0;
	if (prefix < 31 && addr_host_all(&a, (unsigned)prefix, 0))
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP range %1$s - %2$s starts at the network "
			  "address; start one higher"),
			s, e);
	if (prefix < 31 && addr_host_all(&b, (unsigned)prefix, 1))
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP range %1$s - %2$s ends at the broadcast "
			  "address; end one lower"),
			s, e);
	if (a.b[12] != b.b[12] || a.b[13] != b.b[13])
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP range %1$s - %2$s is too large (more than "
			  "65535 addresses)"),
			s, e);
	return 0;
}

/* A DHCP <host> has a sane name and, for IPv6, an id rather than a MAC. */
static int check_dhcp_host(const struct mvn_network *net, const char *doc,
			   const struct mvn_xnode *c, int family,
			   struct mvn_error *err)
{
	const char *name = mvn_xnode_attr(c, "name");

	if (name && !isalnum((unsigned char)name[0]))
		return mvn_check_fail(
			err, doc, c->line,
			_("DHCP host name '%1$s' in network '%2$s' must "
			  "start with a letter or digit"),
			name, net->name);
	if (mvn_xnode_attr(c, "mac") && family == AF_INET6)
		return mvn_check_fail(
			err, doc, c->line,
			_("an IPv6 DHCP host is identified by id, not mac; "
			  "replace mac= with id="));
	return 0;
}

static int check_dhcp_bootp(const char *doc, const struct mvn_xnode *c,
			    struct mvn_error *err)
{
	const char *server = mvn_xnode_attr(c, "server");
	struct addr a;

	if (server && !addr_parse(server, &a))
		return mvn_check_fail(
			err, doc, c->line,
			_("bootp server '%s' must be an IP address, not a "
			  "host name"),
			server);
	return 0;
}

/* A lease of 0 is infinite; any other lasts two minutes or more. */
static int check_dhcp_lease(const char *doc, const struct mvn_xnode *lease,
			    struct mvn_error *err)
{
	const char *ex = mvn_xnode_attr(lease, "expiry");
	const char *unit = mvn_xnode_attr(lease, "unit");
	unsigned long v = ex ? strtoul(ex, NULL, 10) : 0;
	bool seconds = unit && !strcmp(unit, "seconds");

	if (v == 0 || (unit && !strcmp(unit, "hours")))
		return 0;
	if (seconds ? v < 120 : v < 2)
		return mvn_check_fail(
			err, doc, lease->line,
			_("a DHCP lease must last at least 2 minutes "
			  "(expiry='%s' is too short)"),
			ex);
	return 0;
}

static int check_dhcp(const struct mvn_network *net, const char *doc,
		      const struct mvn_xnode *ip, const struct addr *net_addr,
		      int prefix, struct mvn_error *err)
{
	const struct mvn_xnode *dhcp = mvn_xnode_child(ip, "dhcp");
	size_t i;

	for (i = 0; dhcp && i < dhcp->nchildren; i++) {
		const struct mvn_xnode *c = dhcp->children[i];
		const struct mvn_xnode *lease = mvn_xnode_child(c, "lease");

		if (!strcmp(c->name, "range") &&
		    check_dhcp_range(doc, ip, c, net_addr, prefix, err))
			return -EINVAL;
		if (!strcmp(c->name, "host") &&
		    check_dhcp_host(net, doc, c, net_addr->family, err))
			return -EINVAL;
		if (!strcmp(c->name, "bootp") && check_dhcp_bootp(doc, c, err))
			return -EINVAL;
		if (lease && check_dhcp_lease(doc, lease, err))
			return -EINVAL;
	}
	return 0;
}

/* The attributes of one <ip>: an address of its family and a fitting prefix. */
static int check_ip_attrs(const char *doc, const struct mvn_xnode *ip,
			  struct mvn_error *err)
{
	const char *addr = mvn_xnode_attr(ip, "address");
	const char *fam = mvn_xnode_attr(ip, "family");
	const char *prefix = mvn_xnode_attr(ip, "prefix");
	bool v6;

	if (!addr)
		return mvn_check_fail(err, doc, ip->line,
				      _("<ip> needs an address attribute"));
	v6 = strchr(addr, ':') != NULL;
	if ((!fam || !strcmp(fam, "ipv4")) && v6)
		return mvn_check_fail(
			err, doc, ip->line,
			_("address '%s' is IPv6; add family='ipv6'"), addr);
	if (fam && !strcmp(fam, "ipv6") && !v6)
		return mvn_check_fail(
			err, doc, ip->line,
			_("family='ipv6' is given for the non-IPv6 address "
			  "'%s'"),
			addr);
	if (prefix && strtoul(prefix, NULL, 10) > (v6 ? 128UL : 32UL))
		return mvn_check_fail(
			err, doc, ip->line,
			_("prefix '%1$s' is too long for address '%2$s'"),
			prefix, addr);
	if (v6 && mvn_xnode_attr(ip, "netmask"))
		return mvn_check_fail(
			err, doc, ip->line,
			_("netmask is not allowed for the IPv6 address '%s'; "
			  "use prefix"),
			addr);
	if (v6 && mvn_xnode_child(ip, "tftp"))
		return mvn_check_fail(
			err, doc, ip->line,
			_("<tftp> is not supported in an IPv6 <ip>"));
	return 0;
}

/* Each <ip> is valid, and DHCP serves at most one address per family. */
static int check_ips(const struct mvn_network *net, const char *doc,
		     struct mvn_error *err)
{
	size_t i, dhcp4 = 0, dhcp6 = 0;

	for (i = 0; i < net->nips; i++) {
		const struct mvn_xnode *ip = net->ips[i];
		const char *addr = mvn_xnode_attr(ip, "address");
		const struct mvn_xnode *dhcp = mvn_xnode_child(ip, "dhcp");
		struct addr a;
		bool v6;

		if (check_ip_attrs(doc, ip, err))
			return -EINVAL;
		if (!addr_parse(addr, &a))
			return mvn_check_fail(err, doc, ip->line,
					      _("'%s' is not an IP address"),
					      addr);
		if (check_dhcp(net, doc, ip, &a, node_prefix(ip, &a, true),
			       err))
			return -EINVAL;
		if (!dhcp || (!mvn_xnode_child(dhcp, "range") &&
			      !mvn_xnode_child(dhcp, "host")))
			continue;
		v6 = strchr(addr, ':') != NULL;
		if ((v6 ? ++dhcp6 : ++dhcp4) > 1)
			return mvn_check_fail(
				err, doc, ip->line,
				_("several %s <ip> elements have <dhcp>; "
				  "DHCP is supported on one address per "
				  "family"),
				v6 ? "IPv6" : "IPv4");
	}
	return 0;
}

/* Whether gw lies inside the network of one of the network's <ip>s. */
static bool on_some_ip(const struct mvn_network *net, const struct addr *gw)
{
	size_t i;

	for (i = 0; i < net->nips; i++) {
		struct addr ia;

		if (addr_parse(mvn_xnode_attr(net->ips[i], "address"), &ia) &&
		    addr_same_net(gw, &ia,
				  (unsigned)node_prefix(net->ips[i], &ia,
							true)))
			return true;
	}
	return false;
}

static int check_route(const struct mvn_network *net, const char *doc,
		       const struct mvn_xnode *r, struct mvn_error *err)
{
	const char *metric = mvn_xnode_attr(r, "metric");
	const char *address = mvn_xnode_attr(r, "address");
	const char *gateway = mvn_xnode_attr(r, "gateway");
	struct addr a, g;
	int prefix;

	if (metric && strtoul(metric, NULL, 10) == 0)
		return mvn_check_fail(
			err, doc, r->line,
			_("route metric 0 is not permitted; use 1 or more"));
	if (!addr_parse(address, &a) || !addr_parse(gateway, &g) ||
	    a.family != g.family)
		return mvn_check_fail(
			err, doc, r->line,
			_("<route> needs an address and a gateway of the "
			  "same family"));
	prefix = node_prefix(r, &a, false);
	if (prefix < 0 || prefix > addr_bits(&a))
		return mvn_check_fail(err, doc, r->line,
				      _("the prefix of route %s is invalid"),
				      address);
	if (!addr_host_all(&a, (unsigned)prefix, 0))
		return mvn_check_fail(
			err, doc, r->line,
			_("route address '%1$s' is not a network address "
			  "for prefix %2$d; give the prefix (or netmask) "
			  "and clear the host bits"),
			address, prefix);
	if (!on_some_ip(net, &g))
		return mvn_check_fail(
			err, doc, r->line,
			_("route gateway '%1$s' is not inside any <ip> of "
			  "network '%2$s'; it must be reachable on the "
			  "network"),
			gateway, net->name);
	return 0;
}

static int check_routes(const struct mvn_network *net, const char *doc,
			struct mvn_error *err)
{
	size_t i;

	for (i = 0; i < net->nroutes; i++)
		if (check_route(net, doc, net->routes[i], err))
			return -EINVAL;
	return 0;
}

static int check_srv_services(const struct mvn_network *net, const char *doc,
			      struct mvn_error *err)
{
	size_t i;

	for (i = 0; net->dns && i < net->dns->nchildren; i++) {
		const struct mvn_xnode *c = net->dns->children[i];
		const char *svc = mvn_xnode_attr(c, "service");

		if (!strcmp(c->name, "srv") && svc &&
		    (strlen(svc) > 482 || !srv_service_valid(svc)))
			return mvn_check_fail(
				err, doc, c->line,
				_("DNS SRV service '%s' may hold only "
				  "letters, digits and _-+/* (at most 482 "
				  "bytes)"),
				svc);
	}
	return 0;
}

/* One <port> or <address> range of <nat>. */
static int check_nat_range(const char *doc, const struct mvn_xnode *c,
			   struct mvn_error *err)
{
	const char *s = mvn_xnode_attr(c, "start");
	const char *e = mvn_xnode_attr(c, "end");
	struct addr a, b;

	if (!strcmp(c->name, "port") &&
	    ((s && strtoul(s, NULL, 10) > 65535) ||
	     (e && strtoul(e, NULL, 10) < strtoul(s ? s : "0", NULL, 10))))
		return mvn_check_fail(
			err, doc, c->line,
			_("NAT port range %1$s - %2$s is invalid; use "
			  "start <= end <= 65535"),
			s ? s : "", e ? e : "");
	if (!strcmp(c->name, "address") &&
	    (!addr_parse(s, &a) || !addr_parse(e, &b) || a.family != AF_INET ||
	     b.family != AF_INET || addr_cmp(&a, &b) > 0))
		return mvn_check_fail(
			err, doc, c->line,
			_("NAT address range %1$s - %2$s must be two IPv4 "
			  "addresses, start <= end"),
			s ? s : "", e ? e : "");
	return 0;
}

static int check_nat(const struct mvn_network *net, const char *doc,
		     struct mvn_error *err)
{
	const struct mvn_xnode *nat = net->forward.nat;
	size_t i;

	for (i = 0; nat && i < nat->nchildren; i++)
		if (check_nat_range(doc, nat->children[i], err))
			return -EINVAL;
	return 0;
}

/* A name libvirt can store the network under. */
static int check_name(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err)
{
	if (!net->name || !*net->name)
		return mvn_check_fail(err, doc, net->line,
				      _("the network has no name; add <name>"));
	if (strchr(net->name, '/') || strchr(net->name, '\n'))
		return mvn_check_fail(
			err, doc, net->line,
			_("network name '%s' contains '/' or a line break; "
			  "choose a name without them"),
			net->name);
	return 0;
}

int mvn_check_libvirt(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err)
{
	if (check_name(net, doc, err) || check_dns(net, doc, err) ||
	    check_ips(net, doc, err) || check_routes(net, doc, err) ||
	    check_srv_services(net, doc, err) || check_nat(net, doc, err) ||
	    check_forward(net, doc, err) || check_bridge(net, doc, err) ||
	    check_bridgeless(net, doc, err) ||
	    check_portgroups(net, doc, err) ||
	    check_bandwidths(net, doc, err) || check_vlan(net, doc, err))
		return -EINVAL;
	return 0;
}
