/* Semantic rules over a parsed network, beyond what the schema says. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

static int bad(struct mvn_error *err, const char *doc, int line,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int bad(struct mvn_error *err, const char *doc, int line,
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

static int check_ifname(struct mvn_error *err, const char *doc, int line,
			const char *what, const char *name)
{
	if (mvn_ifname_valid(name))
		return 0;
	if (name && strlen(name) > 15)
		return bad(err, doc, line,
			   _("%1$s '%2$s' is %3$zu bytes long; Linux interface "
			     "names have at most 15 bytes (choose a shorter "
			     "name)"),
			   what, name, strlen(name));
	return bad(err, doc, line,
		   _("%1$s '%2$s' is not a valid interface name (1 to 15 "
		     "bytes, no '/', ':' or white space)"),
		   what, name ? name : "");
}

/* A MAC that an endpoint can own: unicast and not all zeroes. */
static int check_mac(struct mvn_error *err, const char *doc, int line,
		     const char *text, const unsigned char mac[6])
{
	static const unsigned char zero[6];

	if (mac[0] & 1)
		return bad(err, doc, line,
			   _("MAC address '%s' is multicast (the lowest bit "
			     "of the first byte is set); use a unicast "
			     "address such as 52:54:00:xx:xx:xx"),
			   text);
	if (!memcmp(mac, zero, 6))
		return bad(err, doc, line,
			   _("MAC address '%s' is all zeroes; use a unicast "
			     "address such as 52:54:00:xx:xx:xx"),
			   text);
	return 0;
}

static int check_forward(const struct mvn_network *net, const char *doc,
			 struct mvn_error *err)
{
	const struct mvn_forward *fw = &net->forward;
	const char *mode = mvn_fwd_mode_name(fw->mode);
	size_t i, j;

	if (!fw->present)
		return 0;
	if (fw->dev && fw->mode == MVN_FWD_OPEN)
		return bad(err, doc, fw->line,
			   _("forward dev is not allowed for network '%s' "
			     "with forward mode='open'; remove the dev "
			     "attribute"),
			   net->name);
	if (fw->dev && fw->nifaces && strcmp(fw->dev, fw->ifaces[0].dev))
		return bad(err, doc, fw->line,
			   _("<forward dev='%1$s'> must name the first "
			     "<interface> of the pool ('%2$s'); put '%1$s' "
			     "first or remove the dev attribute"),
			   fw->dev, fw->ifaces[0].dev);
	if (fw->dev && (mvn_fwd_mode_is_macvtap(fw->mode) ||
			fw->mode == MVN_FWD_NAT || fw->mode == MVN_FWD_ROUTE)
	    && check_ifname(err, doc, fw->line, _("forward dev"), fw->dev))
		return -EINVAL;
	for (i = 0; i < fw->nifaces; i++) {
		if (check_ifname(err, doc, fw->ifaces[i].line,
				 _("pool interface"), fw->ifaces[i].dev))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(fw->ifaces[i].dev, fw->ifaces[j].dev))
				return bad(err, doc, fw->ifaces[i].line,
					   _("interface '%1$s' can only be "
					     "listed once in network %2$s; "
					     "remove the second <interface "
					     "dev='%1$s'/>"),
					   fw->ifaces[i].dev, net->name);
	}
	for (i = 0; i < fw->naddrs; i++) {
		const struct mvn_pci_addr *a = &fw->addrs[i];

		for (j = 0; j < i; j++) {
			const struct mvn_pci_addr *b = &fw->addrs[j];

			if (a->domain == b->domain && a->bus == b->bus &&
			    a->slot == b->slot && a->function == b->function)
				return bad(err, doc, a->line,
					   _("PCI device "
					     "'%1$04x:%2$02x:%3$02x.%4$x' can "
					     "only be listed once in network "
					     "%5$s; remove the second "
					     "<address>"),
					   a->domain, a->bus, a->slot,
					   a->function, net->name);
		}
	}
	if (fw->nifaces && fw->naddrs)
		return bad(err, doc, fw->line,
			   _("the pool of network '%s' mixes <interface> and "
			     "<address> elements; use one kind"),
			   net->name);
	if (fw->naddrs && fw->mode != MVN_FWD_HOSTDEV)
		return bad(err, doc, fw->addrs[0].line,
			   _("network '%1$s' has forward mode '%2$s' but lists "
			     "a device by PCI address in its pool; that is "
			     "only supported with mode='hostdev' (name the "
			     "interfaces with <interface dev='...'/>)"),
			   net->name, mode);
	if (fw->nifaces && fw->mode == MVN_FWD_HOSTDEV)
		return bad(err, doc, fw->ifaces[0].line,
			   _("network '%s' has forward mode 'hostdev', whose "
			     "pool lists PCI devices; replace <interface> "
			     "with <address type='pci' .../>"),
			   net->name);
	if (fw->pf && (fw->nifaces || fw->naddrs))
		return bad(err, doc, fw->line,
			   _("network '%s' has both <pf> and a device pool; "
			     "use only one of them"),
			   net->name);
	if (fw->pf && check_ifname(err, doc, fw->line, _("<pf dev>"), fw->pf))
		return -EINVAL;
	if (fw->managed && fw->mode != MVN_FWD_HOSTDEV)
		return bad(err, doc, fw->line,
			   _("managed= is only meaningful with forward "
			     "mode='hostdev'; remove it"));
	return 0;
}

/* Elements that a network without a host bridge cannot use. */
static int check_bridgeless(const struct mvn_network *net, const char *doc,
			    struct mvn_error *err)
{
	const char *mode = mvn_fwd_mode_name(net->forward.mode);

	if (!mvn_fwd_mode_is_macvtap(net->forward.mode) &&
	    net->forward.mode != MVN_FWD_HOSTDEV)
		return 0;
	if (net->nips)
		return bad(err, doc, net->ips[0]->line,
			   _("<ip> is not supported in network %1$s with "
			     "forward mode='%2$s': its guests sit directly on "
			     "the host's LAN and get addresses there; remove "
			     "<ip>"),
			   net->name, mode);
	if (net->dns)
		return bad(err, doc, net->dns->line,
			   _("<dns> is not supported in network %1$s with "
			     "forward mode='%2$s'; the LAN's own DNS serves "
			     "its guests (remove <dns>)"),
			   net->name, mode);
	if (net->domain)
		return bad(err, doc, net->domain->line,
			   _("<domain> is not supported in network %1$s with "
			     "forward mode='%2$s'; remove it"),
			   net->name, mode);
	if (net->nroutes)
		return bad(err, doc, net->routes[0]->line,
			   _("<route> is not supported in network %1$s with "
			     "forward mode='%2$s'; remove it"),
			   net->name, mode);
	if (net->mtu)
		return bad(err, doc, net->mtu_line,
			   _("<mtu> is not supported in network %1$s with "
			     "forward mode='%2$s': the endpoints take the "
			     "lower device's MTU (set the MTU of the pool "
			     "interfaces, or <mtu> in the domain's "
			     "<interface>)"),
			   net->name, mode);
	if (net->has_mac)
		return bad(err, doc, net->mac_line,
			   _("<mac> is not supported in network %1$s with "
			     "forward mode='%2$s': there is no host bridge "
			     "to give it to (remove it)"),
			   net->name, mode);
	if (net->bridge.present && net->bridge.name &&
	    net->forward.mode != MVN_FWD_BRIDGE)
		return bad(err, doc, net->bridge.line,
			   _("<bridge name> is not supported in network "
			     "%1$s with forward mode='%2$s'; remove it"),
			   net->name, mode);
	if (net->forward.mode == MVN_FWD_BRIDGE && net->bridge.name &&
	    (net->forward.nifaces || net->forward.dev))
		return bad(err, doc, net->bridge.line,
			   _("network %s has both <bridge name> and an "
			     "interface pool: with forward mode='bridge' use "
			     "<bridge name> for a host bridge or <interface "
			     "dev> for macvtap, not both"),
			   net->name);
	return 0;
}

static int check_vlan(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err)
{
	bool allowed;
	int line = 0;
	size_t i;

	if (net->vlan.present)
		line = net->vlan.line;
	for (i = 0; !line && i < net->nportgroups; i++)
		if (net->portgroups[i].vlan.present)
			line = net->portgroups[i].vlan.line;
	if (!line)
		return 0;
	/*
	 * A VLAN can be applied only by an SR-IOV device or by Open vSwitch
	 * on its own bridge; a macvtap endpoint cannot tag frames.
	 */
	allowed = net->forward.mode == MVN_FWD_HOSTDEV ||
		  (net->forward.mode == MVN_FWD_BRIDGE && net->bridge.name &&
		   net->vport.present && net->vport.type &&
		   !strcmp(net->vport.type, "openvswitch"));
	if (!allowed)
		return bad(err, doc, line,
			   _("<vlan> element specified for network %s, whose "
			     "type does not support vlan configuration; "
			     "VLANs need forward mode='hostdev' or an Open "
			     "vSwitch bridge (for macvtap, use a VLAN "
			     "interface as the lower device instead)"),
			   net->name);
	return 0;
}

static int check_vports(const struct mvn_network *net, const char *doc,
			struct mvn_error *err)
{
	enum mvn_fwd_mode m = net->forward.mode;
	const struct mvn_virtualport *vp;
	size_t i;

	for (i = 0; i <= net->nportgroups; i++) {
		vp = i == 0 ? &net->vport : &net->portgroups[i - 1].vport;
		if (!vp->present || !vp->type)
			continue;
		if ((!strcmp(vp->type, "802.1Qbg") ||
		     !strcmp(vp->type, "802.1Qbh")) &&
		    !mvn_fwd_mode_is_macvtap(m))
			return bad(err, doc, vp->line,
				   _("virtualport type '%1$s' needs a "
				     "macvtap network (forward mode bridge, "
				     "private, vepa or passthrough), not "
				     "mode='%2$s'"),
				   vp->type, mvn_fwd_mode_name(m));
		if ((!strcmp(vp->type, "openvswitch") ||
		     !strcmp(vp->type, "midonet")) &&
		    !(m == MVN_FWD_BRIDGE && !net->forward.nifaces))
			return bad(err, doc, vp->line,
				   _("virtualport type '%1$s' needs forward "
				     "mode='bridge' with a <bridge name>, not "
				     "a macvtap interface pool"),
				   vp->type);
	}
	return 0;
}

static int check_portgroups(const struct mvn_network *net, const char *doc,
			    struct mvn_error *err)
{
	const char *def = NULL;
	size_t i, j;

	for (i = 0; i < net->nportgroups; i++) {
		const struct mvn_portgroup *pg = &net->portgroups[i];

		for (j = 0; j < i; j++)
			if (!strcmp(pg->name, net->portgroups[j].name))
				return bad(err, doc, pg->line,
					   _("portgroup '%1$s' is defined "
					     "twice in network %2$s; rename "
					     "one of them"),
					   pg->name, net->name);
		if (pg->is_default == MVN_YES) {
			if (def)
				return bad(err, doc, pg->line,
					   _("network %1$s has two default "
					     "portgroups, '%2$s' and '%3$s'; "
					     "keep default='yes' on one"),
					   net->name, def, pg->name);
			def = pg->name;
		}
	}
	return 0;
}

static int check_dns(const struct mvn_network *net, const char *doc,
		     struct mvn_error *err)
{
	const char *enable;

	if (!net->dns)
		return 0;
	enable = mvn_xnode_attr(net->dns, "enable");
	if (enable && !strcmp(enable, "no") && net->dns->nchildren)
		return bad(err, doc, net->dns->line,
			   _("network '%s' disables DNS (enable='no') but "
			     "lists DNS entries; remove the entries or "
			     "enable DNS"),
			   net->name);
	return 0;
}

static bool owner_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	size_t i;

	if (n == 0 || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!(isalnum(c) || c == '_' || c == '-' || c == '.' ||
		      (c == '$' && i == n - 1)))
			return false;
	}
	return s[0] != '-';
}

static int check_ports(const struct mvn_network *net, const char *doc,
		       struct mvn_error *err)
{
	unsigned char mac[6], other[6];
	size_t i, j;

	if ((net->nports || net->host.present) &&
	    !mvn_fwd_mode_is_macvtap(net->forward.mode))
		return bad(err, doc,
			   net->nports ? net->ports[0].line : net->host.line,
			   _("macvnet ports and host shims need a macvtap "
			     "network (forward mode bridge, vepa, private or "
			     "passthrough), not mode='%s'"),
			   mvn_fwd_mode_name(net->forward.mode));
	for (i = 0; i < net->nports; i++) {
		const struct mvn_port_spec *ps = &net->ports[i];

		if (check_ifname(err, doc, ps->line, _("port name"),
				 ps->name))
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (!strcmp(ps->name, net->ports[j].name))
				return bad(err, doc, ps->line,
					   _("port name '%s' is used twice; "
					     "give each port its own name"),
					   ps->name);
		if (ps->mac) {
			if (!mvn_mac_parse(ps->mac, mac))
				return bad(err, doc, ps->line,
					   _("MAC address '%s' is malformed "
					     "(expected six hex pairs like "
					     "52:54:00:b8:9c:58)"),
					   ps->mac);
			if (check_mac(err, doc, ps->line, ps->mac, mac))
				return -EINVAL;
			for (j = 0; j < i; j++)
				if (net->ports[j].mac &&
				    mvn_mac_parse(net->ports[j].mac, other) &&
				    !memcmp(mac, other, 6))
					return bad(err, doc, ps->line,
						   _("MAC address '%1$s' is "
						     "used by ports '%2$s' and "
						     "'%3$s'; endpoints on one "
						     "LAN need distinct MACs"),
						   ps->mac, net->ports[j].name,
						   ps->name);
		}
		if (ps->owner && !owner_valid(ps->owner))
			return bad(err, doc, ps->line,
				   _("owner '%s' is not a user name or "
				     "number"),
				   ps->owner);
		if (ps->group && !owner_valid(ps->group))
			return bad(err, doc, ps->line,
				   _("group '%s' is not a group name or "
				     "number"),
				   ps->group);
		if (ps->mode) {
			char *end;
			unsigned long m = strtoul(ps->mode, &end, 8);

			if (*end || !*ps->mode || m > 0777)
				return bad(err, doc, ps->line,
					   _("mode '%s' is not an octal "
					     "permission such as 0600 or "
					     "0660"),
					   ps->mode);
			if (m & 07)
				return bad(err, doc, ps->line,
					   _("mode '%1$s' of port '%2$s' lets "
					     "every user on the host use the "
					     "endpoint; grant a group instead "
					     "(for example mode='0660' "
					     "group='kvm')"),
					   ps->mode, ps->name);
		}
	}
	if (net->forward.mode == MVN_FWD_PASSTHROUGH && net->forward.nifaces &&
	    net->nports > net->forward.nifaces)
		return bad(err, doc, net->ports[net->forward.nifaces].line,
			   _("network %1$s has %2$zu passthrough devices but "
			     "%3$zu static ports; each port takes a whole "
			     "device (add devices or remove ports)"),
			   net->name, net->forward.nifaces, net->nports);
	if (net->host.present) {
		if (check_ifname(err, doc, net->host.line,
				 _("host shim name"), net->host.name))
			return -EINVAL;
		if (net->forward.mode != MVN_FWD_BRIDGE)
			return bad(err, doc, net->host.line,
				   _("a host shim reaches guests only in "
				     "forward mode='bridge' (network %1$s "
				     "uses mode='%2$s'); remove "
				     "<macvnet:host> or switch to bridge "
				     "mode"),
				   net->name,
				   mvn_fwd_mode_name(net->forward.mode));
		for (i = 0; i < net->nports; i++)
			if (!strcmp(net->ports[i].name, net->host.name))
				return bad(err, doc, net->host.line,
					   _("host shim '%s' has the same name "
					     "as a port; rename one of them"),
					   net->host.name);
	}
	return 0;
}

int mvn_check_network(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err)
{
	char text[18];

	if (!net->name || !*net->name)
		return bad(err, doc, net->line,
			   _("the network has no name; add <name>"));
	if (strchr(net->name, '/'))
		return bad(err, doc, net->line,
			   _("network name '%s' contains '/'; choose a name "
			     "without it"),
			   net->name);
	if (net->has_mac) {
		mvn_mac_format(net->mac, text);
		if (check_mac(err, doc, net->mac_line, text, net->mac))
			return -EINVAL;
	}
	if (check_forward(net, doc, err) || check_bridgeless(net, doc, err) ||
	    check_vlan(net, doc, err) || check_vports(net, doc, err) ||
	    check_portgroups(net, doc, err) || check_dns(net, doc, err) ||
	    check_ports(net, doc, err))
		return -EINVAL;
	if (net->bridge.name &&
	    check_ifname(err, doc, net->bridge.line, _("bridge name"),
			 net->bridge.name))
		return -EINVAL;
	return 0;
}

int mvn_check_runnable(const struct mvn_network *net, const char *doc,
		       struct mvn_error *err)
{
	enum mvn_fwd_mode m = net->forward.mode;
	const char *mode = mvn_fwd_mode_name(m);
	size_t i;

	switch (m) {
	case MVN_FWD_NONE:
		return bad(err, doc, net->line,
			   _("network %s has no <forward>: an isolated "
			     "network needs a host bridge, which macvnet does "
			     "not manage (use libvirt for it, or add <forward "
			     "mode='bridge'><interface dev='eth0'/></forward>)"),
			   net->name);
	case MVN_FWD_NAT:
	case MVN_FWD_ROUTE:
	case MVN_FWD_OPEN:
		return bad(err, doc, net->forward.line,
			   _("network %1$s uses forward mode='%2$s', which "
			     "needs a host bridge with addressing that "
			     "macvnet does not manage (use libvirt for it, or "
			     "mode='bridge' with <interface dev> for "
			     "macvtap)"),
			   net->name, mode);
	case MVN_FWD_HOSTDEV:
		return bad(err, doc, net->forward.line,
			   _("network %s uses forward mode='hostdev' (PCI "
			     "device assignment), which macvnet does not do; "
			     "use mode='passthrough' with <interface dev> to "
			     "give a guest a whole device through macvtap"),
			   net->name);
	default:
		break;
	}
	if (m == MVN_FWD_BRIDGE && net->bridge.name)
		return bad(err, doc, net->bridge.line,
			   _("network %1$s forwards to the host bridge '%2$s', "
			     "which macvnet does not manage (use libvirt for "
			     "it, or convert it with 'macvnet migrate-ovs "
			     "--uplink %2$s=DEV')"),
			   net->name, net->bridge.name);
	if (net->forward.pf)
		return bad(err, doc, net->forward.line,
			   _("network %1$s takes its devices from the SR-IOV "
			     "function <pf dev='%2$s'/>, which macvnet does "
			     "not support; list the devices with <interface "
			     "dev='...'/>"),
			   net->name, net->forward.pf);
	if (!net->forward.nifaces && !net->forward.dev)
		return bad(err, doc, net->forward.line,
			   _("network %1$s (mode='%2$s') has no lower device; "
			     "add <interface dev='eth0'/> inside <forward>"),
			   net->name, mode);
	if (net->vlan.present)
		return bad(err, doc, net->vlan.line,
			   _("macvtap endpoints cannot tag VLANs; remove "
			     "<vlan> and use a VLAN interface as the lower "
			     "device"));
	for (i = 0; i <= net->nportgroups; i++) {
		const struct mvn_virtualport *vp =
			i == 0 ? &net->vport : &net->portgroups[i - 1].vport;
		const struct mvn_bandwidth *bw =
			i == 0 ? &net->bandwidth
			       : &net->portgroups[i - 1].bandwidth;

		if (vp->present)
			return bad(err, doc, vp->line,
				   _("<virtualport> needs a switch protocol "
				     "(802.1Qbg/802.1Qbh port profiles) that "
				     "macvnet does not speak; remove it from "
				     "network %s"),
				   net->name);
		if (bw->present)
			return bad(err, doc, bw->line,
				   _("macvnet does not apply <bandwidth> "
				     "limits; remove <bandwidth> from network "
				     "%s (or shape traffic with tc on the "
				     "lower device)"),
				   net->name);
	}
	return 0;
}
