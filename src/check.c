/*
 * macvnet's own rules over a parsed network: interface names, MAC
 * addresses, its ports and host shim, and what it can run.  The rules
 * libvirt applies are in check-libvirt.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "check-libvirt.h"
#include "util.h"

const char *mvn_check_ifname_rule(const char *name, char *buf, size_t size)
{
	const unsigned char *p;
	size_t n = name ? strlen(name) : 0;

	if (n == 0)
		return _("it is empty");
	if (n > 15) {
		snprintf(buf, size,
			 _("it is %zu bytes long, and the kernel takes at "
			   "most 15"),
			 n);
		return buf;
	}
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return _("the kernel refuses '.' and '..'");
	for (p = (const unsigned char *)name; *p; p++) {
		if (*p == '/')
			return _("the kernel refuses '/' in it");
		if (*p == ':')
			return _("the kernel refuses ':' in it");
		if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
			return _("the kernel refuses white space in it");
		if (*p < 0x20 || *p == 0x7f)
			return _("it contains a control character");
		/* The kernel's isspace() counts Latin-1's no-break space. */
		if (*p == 0xa0)
			return _("it contains the byte 0xa0 (a no-break "
				 "space, or part of a UTF-8 letter), which the "
				 "kernel counts as white space");
	}
	return NULL;
}

int mvn_check_ifname(struct mvn_error *err, const char *doc, int line,
		     const char *element, const char *attr, const char *value)
{
	char buf[64];
	const char *why = mvn_check_ifname_rule(value, buf, sizeof(buf));

	if (!why)
		return 0;
	return mvn_check_fail(
		err, doc, line,
		_("%1$s='%2$s' in <%3$s> cannot name a network interface: "
		  "%4$s; rename it (1 to 15 bytes without '/', ':', white "
		  "space or control characters, not '.' or '..')"),
		attr, value ? value : "", element, why);
}

/* A MAC that an endpoint can own: unicast and not all zeroes. */
static int check_mac(struct mvn_error *err, const char *doc, int line,
		     const char *text, const unsigned char mac[6])
{
	static const unsigned char zero[6];

	if (mac[0] & 1)
		return mvn_check_fail(
			err, doc, line,
			_("MAC address '%s' is multicast (the lowest bit "
			  "of the first byte is set); use a unicast "
			  "address such as 52:54:00:xx:xx:xx"),
			text);
	if (!memcmp(mac, zero, 6))
		return mvn_check_fail(
			err, doc, line,
			_("MAC address '%s' is all zeroes; use a unicast "
			  "address such as 52:54:00:xx:xx:xx"),
			text);
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

/* Whether name is one of the lower devices of the network's pool. */
static bool in_pool(const struct mvn_network *net, const char *name)
{
	size_t i;

	if (net->forward.dev && !strcmp(net->forward.dev, name))
		return true;
	for (i = 0; i < net->forward.nifaces; i++)
		if (!strcmp(net->forward.ifaces[i].dev, name))
			return true;
	return false;
}

/* Whether s is ADDRESS/PREFIX with an IPv4 or IPv6 address. */
static bool cidr_valid(const char *s)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	unsigned long prefix;
	char *end;
	size_t n;
	int fam;

	if (!slash || slash == s || !slash[1])
		return false;
	n = (size_t)(slash - s);
	if (n >= sizeof(addr))
		return false;
	memcpy(addr, s, n);
	addr[n] = '\0';
	fam = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(fam, addr, bin) != 1)
		return false;
	if (strspn(slash + 1, "0123456789") != strlen(slash + 1))
		return false;
	prefix = strtoul(slash + 1, &end, 10);
	return prefix <= (fam == AF_INET ? 32UL : 128UL);
}

/* The lower devices of the pool have names Linux accepts. */
static int check_lower_names(const struct mvn_network *net, const char *doc,
			     struct mvn_error *err)
{
	const struct mvn_forward *fw = &net->forward;
	size_t i;

	if (fw->dev &&
	    mvn_check_ifname(err, doc, fw->line, "forward", "dev", fw->dev))
		return -EINVAL;
	for (i = 0; i < fw->nifaces; i++)
		if (mvn_check_ifname(err, doc, fw->ifaces[i].line, "interface",
				     "dev", fw->ifaces[i].dev))
			return -EINVAL;
	if (fw->pf && !fw->nifaces &&
	    mvn_check_ifname(err, doc, fw->line, "pf", "dev", fw->pf))
		return -EINVAL;
	return 0;
}

/* A port's MAC is well formed, unicast and not another port's. */
static int check_port_mac(const struct mvn_network *net, const char *doc,
			  size_t i, struct mvn_error *err)
{
	const struct mvn_port_spec *ps = &net->ports[i];
	unsigned char mac[6], other[6];
	size_t j;

	if (!mvn_mac_parse(ps->mac, mac))
		return mvn_check_fail(
			err, doc, ps->line,
			_("MAC address '%s' is malformed (expected six hex "
			  "pairs like 52:54:00:b8:9c:58)"),
			ps->mac);
	if (check_mac(err, doc, ps->line, ps->mac, mac))
		return -EINVAL;
	for (j = 0; j < i; j++)
		if (net->ports[j].mac &&
		    mvn_mac_parse(net->ports[j].mac, other) &&
		    !memcmp(mac, other, 6))
			return mvn_check_fail(
				err, doc, ps->line,
				_("MAC address '%1$s' is used by ports "
				  "'%2$s' and '%3$s'; endpoints on one LAN "
				  "need distinct MACs"),
				ps->mac, net->ports[j].name, ps->name);
	return 0;
}

/* Who may open a port's tap device: a user, a group, no one else. */
static int check_port_access(const char *doc, const struct mvn_port_spec *ps,
			     struct mvn_error *err)
{
	unsigned long m;
	char *end;

	if (ps->owner && !owner_valid(ps->owner))
		return mvn_check_fail(
			err, doc, ps->line,
			_("owner '%s' is not a user name or number"),
			ps->owner);
	if (ps->group && !owner_valid(ps->group))
		return mvn_check_fail(
			err, doc, ps->line,
			_("group '%s' is not a group name or number"),
			ps->group);
	if (!ps->mode)
		return 0;
	m = strtoul(ps->mode, &end, 8);
	if (*end || !*ps->mode || m > 0777 ||
	    strspn(ps->mode, "01234567") != strlen(ps->mode))
		return mvn_check_fail(
			err, doc, ps->line,
			_("mode '%s' is not an octal permission such as "
			  "0600 or 0660"),
			ps->mode);
	if (m & 07)
		return mvn_check_fail(
			err, doc, ps->line,
			_("mode '%1$s' of port '%2$s' lets every user on "
			  "the host use the endpoint; grant a group instead "
			  "(for example mode='0660' group='kvm')"),
			ps->mode, ps->name);
	return 0;
}

/* Port i of the network: its own name, its MAC, its permissions. */
static int check_port(const struct mvn_network *net, const char *doc, size_t i,
		      struct mvn_error *err)
{
	const struct mvn_port_spec *ps = &net->ports[i];
	size_t j;

	if (mvn_check_ifname(err, doc, ps->line, "macvnet:port", "name",
			     ps->name))
		return -EINVAL;
	if (in_pool(net, ps->name))
		return mvn_check_fail(
			err, doc, ps->line,
			_("port '%s' has the name of a lower device of the "
			  "pool; choose another name"),
			ps->name);
	for (j = 0; j < i; j++)
		if (!strcmp(ps->name, net->ports[j].name))
			return mvn_check_fail(
				err, doc, ps->line,
				_("port name '%s' is used twice; give each "
				  "port its own name"),
				ps->name);
	if (ps->mac && check_port_mac(net, doc, i, err))
		return -EINVAL;
	return check_port_access(doc, ps, err);
}

/* <macvnet:host>: a bridge-mode shim with a name of its own. */
static int check_host_shim(const struct mvn_network *net, const char *doc,
			   struct mvn_error *err)
{
	const struct mvn_host_spec *h = &net->host;
	size_t i;

	if (mvn_check_ifname(err, doc, h->line, "macvnet:host", "name",
			     h->name))
		return -EINVAL;
	if (net->forward.mode != MVN_FWD_BRIDGE)
		return mvn_check_fail(
			err, doc, h->line,
			_("a host shim reaches guests only in forward "
			  "mode='bridge' (network %1$s uses mode='%2$s'); "
			  "remove <macvnet:host> or switch to bridge mode"),
			net->name, mvn_fwd_mode_name(net->forward.mode));
	for (i = 0; i < net->nports; i++)
		if (!strcmp(net->ports[i].name, h->name))
			return mvn_check_fail(
				err, doc, h->line,
				_("host shim '%s' has the same name as a "
				  "port; rename one of them"),
				h->name);
	if (in_pool(net, h->name))
		return mvn_check_fail(
			err, doc, h->line,
			_("host shim '%s' has the name of a lower device of "
			  "the pool; choose another name"),
			h->name);
	if (h->address && !cidr_valid(h->address))
		return mvn_check_fail(
			err, doc, h->line,
			_("host shim address '%s' is not an address with a "
			  "prefix, such as 198.51.100.1/24 or "
			  "2001:db8::1/64"),
			h->address);
	return 0;
}

static int check_ports(const struct mvn_network *net, const char *doc,
		       struct mvn_error *err)
{
	size_t pool = net->forward.nifaces ? net->forward.nifaces :
		      net->forward.dev	   ? 1 :
					     0;
	size_t i;

	if ((net->nports || net->host.present) &&
	    !mvn_fwd_mode_is_macvtap(net->forward.mode))
		return mvn_check_fail(
			err, doc,
			net->nports ? net->ports[0].line : net->host.line,
			_("macvnet ports and host shims need a macvtap "
			  "network (forward mode bridge, vepa, private or "
			  "passthrough), not mode='%s'"),
			mvn_fwd_mode_name(net->forward.mode));
	for (i = 0; i < net->nports; i++)
		if (check_port(net, doc, i, err))
			return -EINVAL;
	if (net->forward.mode == MVN_FWD_PASSTHROUGH && pool &&
	    net->nports > pool)
		return mvn_check_fail(
			err, doc, net->ports[pool].line,
			_("network %1$s has %2$zu passthrough devices but "
			  "%3$zu static ports; each port takes a whole "
			  "device (add devices or remove ports)"),
			net->name, pool, net->nports);
	if (net->host.present)
		return check_host_shim(net, doc, err);
	return 0;
}

int mvn_check_network(const struct mvn_network *net, const char *doc,
		      struct mvn_error *err)
{
	char text[18];

	if (mvn_check_libvirt(net, doc, err))
		return -EINVAL;
	if (net->has_mac) {
		mvn_mac_format(net->mac, text);
		if (check_mac(err, doc, net->mac_line, text, net->mac))
			return -EINVAL;
	}
	if (check_lower_names(net, doc, err) || check_ports(net, doc, err))
		return -EINVAL;
	if (net->bridge.name &&
	    mvn_check_ifname(err, doc, net->bridge.line, "bridge", "name",
			     net->bridge.name))
		return -EINVAL;
	return 0;
}

/* Forward modes that need a host bridge or PCI assignment: not macvnet's. */
static int refuse_mode(const struct mvn_network *net, const char *doc,
		       struct mvn_error *err)
{
	switch (net->forward.mode) {
	case MVN_FWD_NONE:
		return mvn_check_fail(
			err, doc, net->line,
			_("network %s has no <forward>: an isolated "
			  "network needs a host bridge, which macvnet does "
			  "not manage (use libvirt for it, or add <forward "
			  "mode='bridge'><interface dev='eth0'/></forward>)"),
			net->name);
	case MVN_FWD_NAT:
	case MVN_FWD_ROUTE:
	case MVN_FWD_OPEN:
		return mvn_check_fail(
			err, doc, net->forward.line,
			_("network %1$s uses forward mode='%2$s', which "
			  "needs a host bridge with addressing that "
			  "macvnet does not manage (use libvirt for it, or "
			  "mode='bridge' with <interface dev> for "
			  "macvtap)"),
			net->name, mvn_fwd_mode_name(net->forward.mode));
	case MVN_FWD_HOSTDEV:
		return mvn_check_fail(
			err, doc, net->forward.line,
			_("network %s uses forward mode='hostdev' (PCI "
			  "device assignment), which macvnet does not do; "
			  "use mode='passthrough' with <interface dev> to "
			  "give a guest a whole device through macvtap"),
			net->name);
	default:
		return 0;
	}
}

/* A macvtap network needs lower devices macvnet can name and use as is. */
static int refuse_pool(const struct mvn_network *net, const char *doc,
		       struct mvn_error *err)
{
	if (net->forward.mode == MVN_FWD_BRIDGE && net->bridge.name)
		return mvn_check_fail(
			err, doc, net->bridge.line,
			_("network %1$s forwards to the host bridge '%2$s', "
			  "which macvnet does not manage (use libvirt for "
			  "it, or convert it with 'macvnet migrate-ovs "
			  "--uplink %2$s=DEV')"),
			net->name, net->bridge.name);
	if (net->forward.pf)
		return mvn_check_fail(
			err, doc, net->forward.line,
			_("network %1$s takes its devices from the SR-IOV "
			  "function <pf dev='%2$s'/>, which macvnet does "
			  "not support; list the devices with <interface "
			  "dev='...'/>"),
			net->name, net->forward.pf);
	if (!net->forward.nifaces && !net->forward.dev)
		return mvn_check_fail(
			err, doc, net->forward.line,
			_("network %1$s (mode='%2$s') has no lower device; "
			  "add <interface dev='eth0'/> inside <forward>"),
			net->name, mvn_fwd_mode_name(net->forward.mode));
	if (net->vlan.present)
		return mvn_check_fail(
			err, doc, net->vlan.line,
			_("macvtap endpoints cannot tag VLANs; remove "
			  "<vlan> and use a VLAN interface as the lower "
			  "device"));
	return 0;
}

/*
 * Port profiles are kept but not applied (warned of once); bandwidth limits
 * are refused, on the network and on each portgroup.
 */
static int refuse_shaping(const struct mvn_network *net, const char *doc,
			  struct mvn_error *warn, struct mvn_error *err)
{
	size_t i;

	for (i = 0; i <= net->nportgroups; i++) {
		const struct mvn_virtualport *vp =
			i == 0 ? &net->vport : &net->portgroups[i - 1].vport;
		const struct mvn_bandwidth *bw =
			i == 0 ? &net->bandwidth :
				 &net->portgroups[i - 1].bandwidth;

		/*
		 * A port profile is kept (libvirt's own macvtap networks carry
		 * them) but macvnet does not associate it with the switch.
		 */
		if (vp->present && warn && !warn->msg[0])
			mvn_error_setl(warn, 0, vp->line,
				       _("%1$s:%2$d: <virtualport type='%3$s'> "
					 "is kept but not applied: macvnet "
					 "does not associate port profiles "
					 "with the switch (configure the "
					 "switch port for these MACs "
					 "yourself)"),
				       doc, vp->line, vp->type ? vp->type : "");
		if (bw->present)
			return mvn_check_fail(
				err, doc, bw->line,
				_("macvnet does not apply <bandwidth> "
				  "limits; remove <bandwidth> from network "
				  "%s (or shape traffic with tc on the "
				  "lower device)"),
				net->name);
	}
	return 0;
}

int mvn_check_runnable(const struct mvn_network *net, const char *doc,
		       struct mvn_error *warn, struct mvn_error *err)
{
	if (refuse_mode(net, doc, err) || refuse_pool(net, doc, err))
		return -EINVAL;
	return refuse_shaping(net, doc, warn, err);
}
