/* A domain's <interface> element: the parts macvnet acts on. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "iface.h"
#include "network.h"
#include "store.h"
#include "util.h"
#include "xml.h"

void mvn_iface_free(struct mvn_iface *i)
{
	if (!i)
		return;
	free(i->type_name);
	free(i->source_network);
	free(i->source_dev);
	free(i->source_mode);
	free(i->target_dev);
	free(i->bad_mtu);
	free(i);
}

/* An <mtu size>: decimal digits only, at most 65535; false otherwise. */
static bool mtu_parse(const char *s, unsigned int *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 65535)
			return false;
	}
	*out = (unsigned int)v;
	return true;
}

/* An interface's <mac address>, refused when malformed. */
static int parse_mac(struct mvn_iface *i, xmlNodePtr c, const char *name,
		     struct mvn_error *err)
{
	char *v = mvn_xml_prop(c, "address"), buf[64];
	int line = mvn_xml_line(c);

	i->has_mac = mvn_mac_parse(v, i->mac);
	if (!i->has_mac)
		mvn_error_setl(err, -EINVAL, line,
			       _("%1$s:%2$d: MAC address '%3$s' is malformed "
				 "(expected six hex pairs like "
				 "52:54:00:b8:9c:58)"),
			       name, line, mvn_shown(v, buf, sizeof(buf)));
	free(v);
	return i->has_mac ? 0 : -EINVAL;
}

/* The interface types libvirt 9.0 knows. */
#define IFACE_TYPES                                                   \
	"network, direct, ethernet, bridge, user, vhostuser, mcast, " \
	"client, udp, server, hostdev, vdpa, internal, null, vds"

/* How a rule judges one attribute. */
enum rule_kind {
	RULE_NEEDED, /* the element is there, with the attribute */
	RULE_ONE_OF, /* the value is one of values */
	RULE_IFNAME, /* the value can name a network interface */
	RULE_DEVNAME, /* only characters libvirt takes in a device name */
	RULE_NUMBER, /* decimal digits, at most max */
};

/*
 * One rule over an attribute of an <interface> element or of one of its
 * children, for the interface types it lists.  The schema says the same
 * (but for the kernel's rules on interface names, which libvirt leaves to
 * the kernel), in words that cannot name the attribute.
 */
struct iface_rule {
	const char *types; /* space separated; NULL: every type */
	const char *element; /* "interface", a child, or "vlan/tag" */
	const char *attr;
	enum rule_kind kind;
	const char *values; /* RULE_ONE_OF: the valid ones, ", " between */
	unsigned long max; /* RULE_NUMBER */
	const char *fix; /* what to write instead (N_), or NULL */
};

/* The host sides that are network interfaces with the target's name. */
#define TAP_TYPES "network direct ethernet bridge"

static const struct iface_rule rules[] = {
	{ NULL, "interface", "type", RULE_ONE_OF, IFACE_TYPES, 0,
	  N_("a macvtap endpoint is type='direct' on a host device or "
	     "type='network' on a network") },
	{ NULL, "interface", "trustGuestRxFilters", RULE_ONE_OF, "yes, no", 0,
	  NULL },
	{ "hostdev", "interface", "managed", RULE_ONE_OF, "yes, no", 0, NULL },
	{ "network", "source", "network", RULE_NEEDED, NULL, 0,
	  N_("name the network: <source network='lan'/>") },
	{ "direct", "source", "dev", RULE_NEEDED, NULL, 0,
	  N_("name the lower device: <source dev='eth0' mode='bridge'/>") },
	{ "direct", "source", "dev", RULE_IFNAME, NULL, 0, NULL },
	{ "direct", "source", "mode", RULE_ONE_OF,
	  "bridge, vepa, private, passthrough", 0,
	  N_("leave mode out for vepa, libvirt's default") },
	{ "vhostuser", "source", "mode", RULE_ONE_OF, "server, client", 0,
	  NULL },
	{ NULL, "source", "portgroup", RULE_DEVNAME, NULL, 0,
	  N_("rename the port group, in the network and here") },
	{ NULL, "source", "macTableManager", RULE_ONE_OF, "kernel, libvirt", 0,
	  NULL },
	{ TAP_TYPES, "target", "dev", RULE_IFNAME, NULL, 0, NULL },
	{ NULL, "target", "managed", RULE_ONE_OF, "yes, no", 0, NULL },
	{ NULL, "mac", "type", RULE_ONE_OF, "generated, static", 0, NULL },
	{ NULL, "mac", "check", RULE_ONE_OF, "yes, no", 0, NULL },
	{ NULL, "link", "state", RULE_ONE_OF, "up, down", 0, NULL },
	{ NULL, "mtu", "size", RULE_NUMBER, NULL, 65535,
	  N_("give the MTU in bytes, such as 1500 or 9000") },
	{ NULL, "virtualport", "type", RULE_ONE_OF,
	  "802.1Qbg, 802.1Qbh, openvswitch, midonet", 0, NULL },
	{ NULL, "vlan", "trunk", RULE_ONE_OF, "yes, no", 0, NULL },
	{ NULL, "vlan/tag", "id", RULE_NUMBER, NULL, 4095,
	  N_("give a VLAN id such as 42") },
	{ NULL, "vlan/tag", "nativeMode", RULE_ONE_OF, "tagged, untagged", 0,
	  NULL },
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* Whether word is one of list's words (separated by ' ' or ", "). */
static bool in_words(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	if (!n)
		return false;
	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') &&
		    (!p[n] || p[n] == ' ' || p[n] == ','))
			return true;
	return false;
}

/* Whether rule r applies to interfaces of this type. */
static bool rule_for_type(const struct iface_rule *r, const char *type)
{
	return !r->types || in_words(r->types, type);
}

/* The edit distance of a and b, letter case aside; large when long. */
static size_t distance(const char *a, size_t na, const char *b, size_t nb)
{
	size_t row[32], i, j, diag, up;

	if (na >= 32 || nb >= 32)
		return 99;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			up = row[j];
			row[j] = diag + (tolower((unsigned char)a[i - 1]) !=
					 tolower((unsigned char)b[j - 1]));
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[nb];
}

/*
 * The valid value (of the ", " separated values) that value is most
 * likely a typo of, in out; false when none is close enough: within a
 * third of its length, or only a difference of letter case.
 */
static bool near_value(const char *values, const char *value, char *out,
		       size_t size)
{
	size_t best = 99, d, n;
	const char *p = values, *end;

	out[0] = '\0';
	while (*p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		d = distance(value, strlen(value), p, n);
		if (d < best && d <= (n / 3 ? n / 3 : 1) && n < size) {
			best = d;
			memcpy(out, p, n);
			out[n] = '\0';
		}
		p += n;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return out[0] != '\0';
}

/* Refuse value, attribute attr of el, unless it is one of r's values. */
static int check_one_of(const struct iface_rule *r, xmlNodePtr el,
			const char *value, const char *name,
			struct mvn_error *err)
{
	char v[64], near[32], fix[160];
	int line = mvn_xml_line(el);

	if (in_words(r->values, value) && !strchr(value, ' ') &&
	    !strchr(value, ','))
		return 0;
	if (near_value(r->values, value, near, sizeof(near)))
		snprintf(fix, sizeof(fix), _("did you mean %1$s='%2$s'?"),
			 r->attr, near);
	else
		snprintf(fix, sizeof(fix), "%s",
			 r->fix ? _(r->fix) : _("write one of these"));
	return mvn_error_setl(err, -EINVAL, line,
			      _("%1$s:%2$d: %3$s='%4$s' in <%5$s> is not "
				"valid (valid: %6$s); %7$s"),
			      name, line, r->attr,
			      mvn_shown(value, v, sizeof(v)),
			      (const char *)el->name, r->values, fix);
}

/* libvirt's characters for a device name: A-Z a-z 0-9 _ . : / \ - */
static int check_devname(const struct iface_rule *r, xmlNodePtr el,
			 const char *value, const char *name,
			 struct mvn_error *err)
{
	static const char ok[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz"
				 "0123456789_.:/\\-";
	char v[64];
	int line = mvn_xml_line(el);

	if (*value && strspn(value, ok) == strlen(value))
		return 0;
	return mvn_error_setl(err, -EINVAL, line,
			      _("%1$s:%2$d: %3$s='%4$s' in <%5$s> may only "
				"have the letters A-Z and a-z, digits and "
				"_ . : / \\ -; %6$s"),
			      name, line, r->attr,
			      mvn_shown(value, v, sizeof(v)),
			      (const char *)el->name, _(r->fix));
}

/* A decimal number up to r->max (read no further than past it). */
static int check_number(const struct iface_rule *r, xmlNodePtr el,
			const char *value, const char *name,
			struct mvn_error *err)
{
	unsigned long v = 0;
	const char *p;
	char shown[64];
	int line = mvn_xml_line(el);

	for (p = value; *p >= '0' && *p <= '9' && v <= r->max; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (*value && !*p && v <= r->max)
		return 0;
	return mvn_error_setl(err, -EINVAL, line,
			      _("%1$s:%2$d: %3$s='%4$s' in <%5$s> is not a "
				"whole number from 0 to %6$lu; %7$s"),
			      name, line, r->attr,
			      mvn_shown(value, shown, sizeof(shown)),
			      (const char *)el->name, r->max, _(r->fix));
}

/*
 * A target that libvirt throws away: it makes its own name for a tap or
 * macvtap it creates when the given one has a prefix of its own names.
 */
static bool target_dropped(xmlNodePtr el, const char *dev)
{
	char *managed = mvn_xml_prop(el, "managed");
	bool created = !managed || strcmp(managed, "no");

	free(managed);
	return created &&
	       (!strncmp(dev, "vnet", 4) || !strncmp(dev, "macvtap", 7) ||
		!strncmp(dev, "macvlan", 7));
}

/* Rule r over element el, when el has the attribute the rule judges. */
static int apply_rule(const struct iface_rule *r, xmlNodePtr el,
		      const char *name, struct mvn_error *err)
{
	char *v = mvn_xml_prop(el, r->attr);
	int ret = 0;

	if (!v)
		return 0;
	if (r->kind == RULE_ONE_OF)
		ret = check_one_of(r, el, v, name, err);
	else if (r->kind == RULE_DEVNAME)
		ret = check_devname(r, el, v, name, err);
	else if (r->kind == RULE_NUMBER)
		ret = check_number(r, el, v, name, err);
	else if (r->kind == RULE_IFNAME &&
		 !(mvn_xml_is(el, "target") && target_dropped(el, v)))
		ret = mvn_check_ifname(err, name, mvn_xml_line(el),
				       (const char *)el->name, r->attr, v);
	free(v);
	return ret;
}

/* The rules for element el, at path ("source", "vlan/tag"). */
static int apply_rules(const char *type, const char *path, xmlNodePtr el,
		       const char *name, struct mvn_error *err)
{
	size_t k;

	for (k = 0; k < NRULES; k++) {
		const struct iface_rule *r = &rules[k];

		if (r->kind == RULE_NEEDED || strcmp(r->element, path) ||
		    !rule_for_type(r, type))
			continue;
		if (apply_rule(r, el, name, err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* What an interface of this type cannot do without. */
static int check_needed(const char *type, xmlNodePtr iface, const char *name,
			struct mvn_error *err)
{
	size_t k;

	for (k = 0; k < NRULES; k++) {
		const struct iface_rule *r = &rules[k];
		xmlNodePtr el;
		char *v;
		int line;

		if (r->kind != RULE_NEEDED || !rule_for_type(r, type))
			continue;
		el = mvn_xml_child(iface, r->element);
		v = el ? mvn_xml_prop(el, r->attr) : NULL;
		free(v);
		if (v)
			continue;
		line = mvn_xml_line(el ? el : iface);
		return mvn_error_setl(err, -EINVAL, line,
				      _("%1$s:%2$d: <interface type='%3$s'> "
					"has no <%4$s %5$s>; %6$s"),
				      name, line, type, r->element, r->attr,
				      _(r->fix));
	}
	return 0;
}

/*
 * An <interface> without a type: say which to write, from its <source>
 * when that tells.
 */
static int missing_type(xmlNodePtr iface, const char *name,
			struct mvn_error *err)
{
	static const char *const guess[][2] = {
		{ "network", "network" },
		{ "dev", "direct" },
		{ "bridge", "bridge" },
	};
	xmlNodePtr src = mvn_xml_child(iface, "source");
	int line = mvn_xml_line(iface);
	char *v = NULL, shown[64];
	size_t k;
	int ret;

	for (k = 0; src && k < sizeof(guess) / sizeof(guess[0]) && !v; k++)
		v = mvn_xml_prop(src, guess[k][0]);
	if (!v)
		return mvn_error_setl(
			err, -EINVAL, line,
			_("%1$s:%2$d: <interface> has no type attribute; write "
			  "type='network' with <source network='NAME'/> to "
			  "join a network, or type='direct' with <source "
			  "dev='DEV'/> for a macvtap on a host device"),
			name, line);
	ret = mvn_error_setl(err, -EINVAL, line,
			     _("%1$s:%2$d: <interface> has no type attribute; "
			       "with <source %3$s='%4$s'/> write <interface "
			       "type='%5$s'>"),
			     name, line, guess[k - 1][0],
			     mvn_shown(v, shown, sizeof(shown)),
			     guess[k - 1][1]);
	free(v);
	return ret;
}

int mvn_iface_check_xml(xmlNodePtr iface, const char *name,
			struct mvn_error *err)
{
	char *type = mvn_xml_prop(iface, "type");
	xmlNodePtr c, t;
	int ret;

	if (!type)
		return missing_type(iface, name, err);
	ret = apply_rules(type, "interface", iface, name, err);
	for (c = iface->children; c && ret == 0; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns)
			continue;
		ret = apply_rules(type, (const char *)c->name, c, name, err);
		if (!mvn_xml_is(c, "vlan"))
			continue;
		for (t = c->children; t && ret == 0; t = t->next)
			if (mvn_xml_is(t, "tag"))
				ret = apply_rules(type, "vlan/tag", t, name,
						  err);
	}
	if (ret == 0)
		ret = check_needed(type, iface, name, err);
	free(type);
	return ret;
}

/* The hypervisor of a <domain>, as libvirt's drivers name them. */
static const struct iface_rule domain_type = {
	NULL,
	"domain",
	"type",
	RULE_ONE_OF,
	"kvm, qemu, kqemu, xen, lxc, uml, openvz, test, vmware, hyperv, vbox, "
	"phyp, vz, bhyve, hvf",
	0,
	N_("QEMU with KVM is type='kvm', without it type='qemu'"),
};

int mvn_domain_check_xml(xmlNodePtr domain, const char *name,
			 struct mvn_error *err)
{
	char *type = mvn_xml_prop(domain, "type");
	int line = mvn_xml_line(domain), ret = 0;
	xmlNodePtr d, c;

	if (!type)
		return mvn_error_setl(err, -EINVAL, line,
				      _("%1$s:%2$d: <domain> has no type "
					"attribute; write <domain type='kvm'> "
					"for QEMU with KVM, type='qemu' "
					"without it"),
				      name, line);
	ret = check_one_of(&domain_type, domain, type, name, err);
	free(type);
	for (d = domain->children; d && ret == 0; d = d->next) {
		if (!mvn_xml_is(d, "devices"))
			continue;
		for (c = d->children; c && ret == 0; c = c->next)
			if (mvn_xml_is(c, "interface"))
				ret = mvn_iface_check_xml(c, name, err);
	}
	return ret;
}

static int parse_node(xmlNodePtr node, const char *name, struct mvn_iface **out,
		      struct mvn_error *err)
{
	struct mvn_iface *i = calloc(1, sizeof(*i));
	xmlNodePtr c;
	char *v;
	int line = mvn_xml_line(node);

	if (!i)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	i->line = line;
	i->type_name = mvn_xml_prop(node, "type");
	if (!i->type_name) {
		mvn_iface_free(i);
		return missing_type(node, name, err);
	}
	if (!strcmp(i->type_name, "network"))
		i->type = MVN_IFACE_NETWORK;
	else if (!strcmp(i->type_name, "direct"))
		i->type = MVN_IFACE_DIRECT;
	else if (!strcmp(i->type_name, "ethernet"))
		i->type = MVN_IFACE_ETHERNET;
	else if (!strcmp(i->type_name, "bridge"))
		i->type = MVN_IFACE_BRIDGE;
	for (c = node->children; c; c = c->next) {
		if (mvn_xml_is(c, "mac")) {
			if (parse_mac(i, c, name, err) < 0) {
				mvn_iface_free(i);
				return -EINVAL;
			}
		} else if (mvn_xml_is(c, "source")) {
			free(i->source_network);
			free(i->source_dev);
			free(i->source_mode);
			i->source_network = mvn_xml_prop(c, "network");
			i->source_dev = mvn_xml_prop(c, "dev");
			if (!i->source_dev)
				i->source_dev = mvn_xml_prop(c, "bridge");
			i->source_mode = mvn_xml_prop(c, "mode");
		} else if (mvn_xml_is(c, "target")) {
			free(i->target_dev);
			i->target_dev = mvn_xml_prop(c, "dev");
			v = mvn_xml_prop(c, "managed");
			i->managed_no = v && !strcmp(v, "no");
			free(v);
		} else if (mvn_xml_is(c, "mtu")) {
			/*
			 * Kept, not refused: the hook must not fail on an
			 * interface that macvnet does not serve.
			 */
			v = mvn_xml_prop(c, "size");
			free(i->bad_mtu);
			i->bad_mtu = NULL;
			i->mtu = 0;
			if (!mtu_parse(v, &i->mtu)) {
				i->bad_mtu = v ? v : mvn_strdup("");
				v = NULL;
			}
			free(v);
		}
	}
	*out = i;
	return 0;
}

static int parse_doc(xmlDocPtr doc, const char *name, struct mvn_iface **out,
		     struct mvn_error *err)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	struct mvn_iface *i = NULL;
	int ret;

	if (!mvn_xml_is(root, "interface"))
		return mvn_error_setl(err, -EINVAL, mvn_xml_line(root),
				      _("%1$s: the root element is <%2$s>, not "
					"<interface>"),
				      name, (const char *)root->name);
	ret = mvn_iface_check_xml(root, name, err);
	if (ret == 0)
		ret = parse_node(root, name, &i, err);
	if (ret < 0)
		return ret;
	if (i->bad_mtu) {
		char buf[64];

		ret = mvn_error_setl(err, -EINVAL, i->line,
				     _("%1$s:%2$d: MTU '%3$s' is not a number "
				       "up to 65535; correct <mtu size>"),
				     name, i->line,
				     mvn_shown(i->bad_mtu, buf, sizeof(buf)));
		mvn_iface_free(i);
		return ret;
	}
	*out = i;
	return 0;
}

int mvn_iface_parse(const char *text, size_t len, const char *name,
		    struct mvn_iface **out, struct mvn_error *err)
{
	xmlDocPtr doc = NULL;
	int ret = mvn_xml_parse(text, len, name, &doc, err);

	if (ret < 0)
		return ret;
	ret = parse_doc(doc, name, out, err);
	xmlFreeDoc(doc);
	return ret;
}

int mvn_iface_parse_file(const char *path, struct mvn_iface **out,
			 struct mvn_error *err)
{
	xmlDocPtr doc = NULL;
	int ret = mvn_xml_parse_file(path, &doc, err);

	if (ret < 0)
		return ret;
	ret = parse_doc(doc, path, out, err);
	xmlFreeDoc(doc);
	return ret;
}

void mvn_domain_free(struct mvn_domain *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nifaces; i++)
		mvn_iface_free(d->ifaces[i]);
	free(d->ifaces);
	for (i = 0; i < d->nports; i++) {
		free(d->ports[i].target);
		free(d->ports[i].network);
	}
	free(d->ports);
	free(d->name);
	free(d->bad_uuid);
	free(d);
}

static bool in_macvnet_ns(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       !strcmp((const char *)n->ns->href, MVN_DOMAIN_NS);
}

static int add_port(struct mvn_domain *d, xmlNodePtr n, const char *name,
		    struct mvn_error *err)
{
	struct mvn_dom_port *v;
	int line = mvn_xml_line(n);

	if (strcmp((const char *)n->name, "port"))
		return mvn_error_setl(err, -EINVAL, line,
				      _("%1$s:%2$d: unknown element <%3$s> in "
					"the macvnet namespace (allowed in a "
					"domain: domain, port)"),
				      name, line, (const char *)n->name);
	v = realloc(d->ports, (d->nports + 1) * sizeof(*v));
	if (!v)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	d->ports = v;
	v[d->nports].target = mvn_xml_prop(n, "target");
	v[d->nports].network = mvn_xml_prop(n, "network");
	v[d->nports].line = line;
	d->nports++;
	if (!v[d->nports - 1].target || !v[d->nports - 1].network)
		return mvn_error_setl(
			err, -EINVAL, line,
			_("%1$s:%2$d: <macvnet:port> needs target "
			  "(the interface's <target dev>) and "
			  "network (a macvnet network)"),
			name, line);
	return 0;
}

static xmlNodePtr domain_root(xmlDocPtr doc)
{
	xmlNodePtr root = mvn_xml_root(doc), c;

	if (mvn_xml_is(root, "domain"))
		return root;
	if (mvn_xml_is(root, "hookData"))
		for (c = root->children; c; c = c->next)
			if (mvn_xml_is(c, "domain"))
				return c;
	return NULL;
}

/* The ports in macvnet's namespace in a <metadata> element. */
static int parse_metadata(struct mvn_domain *d, xmlNodePtr md, const char *name,
			  struct mvn_error *err)
{
	xmlNodePtr k, m;
	int ret;

	for (k = md->children; k; k = k->next) {
		if (!in_macvnet_ns(k))
			continue;
		if (strcmp((const char *)k->name, "domain")) {
			ret = add_port(d, k, name, err);
			if (ret < 0)
				return ret;
			continue;
		}
		for (m = k->children; m; m = m->next) {
			if (m->type != XML_ELEMENT_NODE)
				continue;
			ret = add_port(d, m, name, err);
			if (ret < 0)
				return ret;
		}
	}
	return 0;
}

/* The <interface> elements of a <devices> element. */
static int parse_devices(struct mvn_domain *d, xmlNodePtr devices,
			 const char *name, struct mvn_error *err)
{
	xmlNodePtr k;
	int ret;

	for (k = devices->children; k; k = k->next) {
		struct mvn_iface **v, *i = NULL;

		if (!mvn_xml_is(k, "interface"))
			continue;
		ret = parse_node(k, name, &i, err);
		if (ret < 0)
			return ret;
		v = realloc(d->ifaces, (d->nifaces + 1) * sizeof(*v));
		if (!v) {
			mvn_iface_free(i);
			return mvn_error_set(err, -ENOMEM, _("out of memory"));
		}
		d->ifaces = v;
		d->ifaces[d->nifaces++] = i;
	}
	return 0;
}

/* A <uuid>: kept when malformed, for mvn_domain_check() to refuse. */
static void parse_uuid(struct mvn_domain *d, xmlNodePtr c)
{
	char *u = mvn_xml_text(c);

	d->has_uuid = u && mvn_uuid_parse(u, d->uuid);
	free(d->bad_uuid);
	d->bad_uuid = NULL;
	d->uuid_line = mvn_xml_line(c);
	if (!d->has_uuid)
		d->bad_uuid = u ? u : mvn_strdup("");
	else
		free(u);
}

int mvn_domain_parse(const char *text, size_t len, const char *name,
		     struct mvn_domain **out, struct mvn_error *err)
{
	struct mvn_domain *d = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c;
	int ret;

	/* Plain XML (what libvirt writes) is read without loading libxml2. */
	ret = mvn_xml_parse_plain(text, len, name, &doc, err);
	if (ret < 0)
		return ret;
	root = domain_root(doc);
	if (!root) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: not a <domain> document"), name);
		goto cleanup;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto cleanup;
	}
	for (c = root->children; c && ret == 0; c = c->next) {
		if (mvn_xml_is(c, "name") && !d->name)
			d->name = mvn_xml_text(c);
		else if (mvn_xml_is(c, "uuid"))
			parse_uuid(d, c);
		else if (mvn_xml_is(c, "metadata"))
			ret = parse_metadata(d, c, name, err);
		else if (mvn_xml_is(c, "devices"))
			ret = parse_devices(d, c, name, err);
	}
	if (ret == 0 && !d->name)
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: the domain has no name"), name);
	if (ret == 0) {
		*out = d;
		d = NULL;
	}
cleanup:
	mvn_domain_free(d);
	mvn_xml_doc_free(doc);
	return ret;
}

const struct mvn_iface *mvn_domain_iface(const struct mvn_domain *d,
					 const char *dev)
{
	size_t i;

	for (i = 0; i < d->nifaces; i++)
		if (d->ifaces[i]->target_dev &&
		    !strcmp(d->ifaces[i]->target_dev, dev))
			return d->ifaces[i];
	return NULL;
}

/* How many of the domain's interfaces have dev as their <target dev>. */
static size_t target_uses(const struct mvn_domain *d, const char *dev)
{
	size_t k, n = 0;

	for (k = 0; k < d->nifaces; k++)
		if (d->ifaces[k]->target_dev &&
		    !strcmp(d->ifaces[k]->target_dev, dev))
			n++;
	return n;
}

/* The port in the domain's metadata whose target is dev, or NULL. */
static const struct mvn_dom_port *port_of(const struct mvn_domain *d,
					  const char *dev)
{
	size_t k;

	for (k = 0; k < d->nports; k++)
		if (!strcmp(d->ports[k].target, dev))
			return &d->ports[k];
	return NULL;
}

/*
 * Whether dev can name a link that domain-convert writes: a Linux
 * interface name made only of characters the schema allows in <target dev>.
 */
static bool target_ok(const char *dev)
{
	static const char allowed[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "abcdefghijklmnopqrstuvwxyz"
				      "0123456789_.-\\";

	return mvn_ifname_valid(dev) && strspn(dev, allowed) == strlen(dev);
}

static int check_uuid(const struct mvn_domain *d, const char *name,
		      struct mvn_error *err)
{
	char buf[64];

	if (!d->bad_uuid)
		return 0;
	return mvn_error_setl(
		err, -EINVAL, d->uuid_line,
		_("%1$s:%2$d: UUID '%3$s' is malformed (expected "
		  "32 hex digits like "
		  "4dea22b3-1d52-d8f3-2516-782e98ab3fa0); correct "
		  "<uuid> or remove it to have one made"),
		name, d->uuid_line, mvn_shown(d->bad_uuid, buf, sizeof(buf)));
}

static int check_mac(const struct mvn_iface *i, const char *name,
		     struct mvn_error *err)
{
	if (!i->has_mac || !(i->mac[0] & 1))
		return 0;
	return mvn_error_setl(err, -EINVAL, i->line,
			      _("%1$s:%2$d: the interface's MAC address is "
				"multicast; use a unicast one such as "
				"52:54:00:xx:xx:xx"),
			      name, i->line);
}

/*
 * The MTU of an interface that becomes a macvtap link: the kernel refuses
 * less than ETH_MIN_MTU, and says only "invalid" when it does.  label names
 * the interface in the message (its number or its quoted target).
 */
static int check_mtu(const struct mvn_iface *i, const char *label,
		     const char *name, struct mvn_error *err)
{
	char buf[64];

	if (i->bad_mtu)
		return mvn_error_setl(err, -EINVAL, i->line,
				      _("%1$s:%2$d: interface %3$s: MTU '%4$s' "
					"is not a whole number; set <mtu size> "
					"from %5$d to 65535"),
				      name, i->line, label,
				      mvn_shown(i->bad_mtu, buf, sizeof(buf)),
				      MVN_MACVTAP_MIN_MTU);
	if (i->mtu && i->mtu < MVN_MACVTAP_MIN_MTU)
		return mvn_error_setl(
			err, -EINVAL, i->line,
			_("%1$s:%2$d: interface %3$s: MTU %4$u is "
			  "below the minimum %5$d of a macvtap "
			  "link; set <mtu size> to %5$d or more"),
			name, i->line, label, i->mtu, MVN_MACVTAP_MIN_MTU);
	return 0;
}

/*
 * Check port k of a domain.  converting: the domain is domain-convert's
 * input, where the port must already be usable as it stands.
 */
static int check_port(const struct mvn_domain *d, size_t k, bool converting,
		      const char *name, struct mvn_error *err)
{
	const struct mvn_dom_port *p = &d->ports[k];
	const struct mvn_iface *i;
	char t[64], net[64], label[80];
	size_t j;

	mvn_shown(p->target, t, sizeof(t));
	if (mvn_check_ifname(err, name, p->line, "macvnet:port", "target",
			     p->target))
		return -EINVAL;
	if (!mvn_store_name_valid(p->network))
		return mvn_error_setl(err, -EINVAL, p->line,
				      _("%1$s:%2$d: network='%3$s' in "
					"<macvnet:port> cannot name a macvnet "
					"network (a file name: no '/' or "
					"control characters, not empty, not "
					"starting with '.'); name the network "
					"of the port's endpoint"),
				      name, p->line,
				      mvn_shown(p->network, net, sizeof(net)));
	if (converting && !target_ok(p->target))
		return mvn_error_setl(err, -EINVAL, p->line,
				      _("%1$s:%2$d: macvnet port target '%3$s' "
					"cannot name a macvtap link (1 to 15 "
					"of A-Z a-z 0-9 _ . -); rename it in "
					"the port and in its interface"),
				      name, p->line, t);
	for (j = 0; j < k; j++)
		if (!strcmp(d->ports[j].target, p->target))
			return mvn_error_setl(
				err, -EINVAL, p->line,
				_("%1$s:%2$d: macvnet port target '%3$s' "
				  "is given twice"),
				name, p->line, t);
	i = mvn_domain_iface(d, p->target);
	if (!i || i->type != MVN_IFACE_ETHERNET || !i->managed_no) {
		if (converting)
			return mvn_error_setl(
				err, -EINVAL, p->line,
				_("%1$s:%2$d: macvnet port '%3$s' names no "
				  "<interface type='ethernet'> with <target "
				  "dev='%3$s' managed='no'/>; remove the port "
				  "from <metadata> or correct the interface"),
				name, p->line, t);
		return mvn_error_setl(
			err, -EINVAL, p->line,
			_("%1$s:%2$d: macvnet port '%3$s' needs an "
			  "<interface type='ethernet'> with <target "
			  "dev='%3$s' managed='no'/> (convert the domain "
			  "with: macvnet domain-convert FILE --network "
			  "%4$s)"),
			name, p->line, t,
			mvn_shown(p->network, net, sizeof(net)));
	}
	if (target_uses(d, p->target) > 1)
		return mvn_error_setl(err, -EINVAL, i->line,
				      _("%1$s:%2$d: target '%3$s' is used by "
					"more than one interface; give each "
					"interface its own <target dev>"),
				      name, i->line, t);
	snprintf(label, sizeof(label), "'%s'", t);
	return check_mtu(i, label, name, err);
}

int mvn_domain_check(const struct mvn_domain *d, const char *name,
		     struct mvn_error *err)
{
	size_t k;
	int ret;

	ret = check_uuid(d, name, err);
	for (k = 0; k < d->nifaces && ret == 0; k++)
		ret = check_mac(d->ifaces[k], name, err);
	for (k = 0; k < d->nports && ret == 0; k++)
		ret = check_port(d, k, false, name, err);
	return ret;
}

static bool converts(const struct mvn_iface *i)
{
	return i->type == MVN_IFACE_NETWORK || i->type == MVN_IFACE_DIRECT;
}

/* The target of interface n (counted from 1) that is to be converted. */
static int check_convert_target(const struct mvn_domain *d,
				const struct mvn_iface *i, size_t n,
				const char *name, struct mvn_error *err)
{
	const struct mvn_dom_port *p;
	char t[64];
	size_t k;

	mvn_shown(i->target_dev, t, sizeof(t));
	if (!target_ok(i->target_dev))
		return mvn_error_setl(
			err, -EINVAL, i->line,
			_("%1$s:%2$d: interface %3$zu: target '%4$s' cannot "
			  "name a macvtap link (1 to 15 of A-Z a-z 0-9 _ . "
			  "-); rename it, or remove <target> to have one "
			  "made"),
			name, i->line, n, t);
	for (k = 0; k < d->nifaces; k++)
		if (k + 1 != n && d->ifaces[k]->target_dev &&
		    !strcmp(d->ifaces[k]->target_dev, i->target_dev))
			return mvn_error_setl(
				err, -EINVAL, i->line,
				_("%1$s:%2$d: interface %3$zu: target '%4$s' "
				  "is used twice (also by interface %5$zu); "
				  "give each interface its own <target dev> "
				  "or none"),
				name, i->line, n, t, k + 1);
	p = port_of(d, i->target_dev);
	if (p)
		return mvn_error_setl(err, -EINVAL, i->line,
				      _("%1$s:%2$d: interface %3$zu: target "
					"'%4$s' already has a <macvnet:port> "
					"(line %5$d); remove that port or this "
					"interface's <target>"),
				      name, i->line, n, t, p->line);
	return 0;
}

/*
 * Refuse an input to domain-convert whose result could not validate,
 * naming the input's problem: the same rules as mvn_domain_check() for
 * the interfaces about to be converted and the ports already there.
 */
static int check_convert_input(const struct mvn_domain *d, const char *name,
			       struct mvn_error *err)
{
	char label[24];
	size_t k;
	int ret;

	ret = check_uuid(d, name, err);
	for (k = 0; k < d->nifaces && ret == 0; k++) {
		const struct mvn_iface *i = d->ifaces[k];

		ret = check_mac(i, name, err);
		if (ret < 0 || !converts(i))
			continue;
		if (i->target_dev)
			ret = check_convert_target(d, i, k + 1, name, err);
		snprintf(label, sizeof(label), "%zu", k + 1);
		if (ret == 0)
			ret = check_mtu(i, label, name, err);
	}
	for (k = 0; k < d->nports && ret == 0; k++)
		ret = check_port(d, k, true, name, err);
	return ret;
}

/* An interface name for the n-th converted interface of a domain. */
static void make_target(const char *domain, int n, xmlNodePtr devices,
			char out[16])
{
	char suffix[16], base[16];
	size_t room, i, k = 0;
	int attempt;

	for (attempt = 0; attempt < 1000; attempt++) {
		xmlNodePtr c, t;
		bool used = false;

		snprintf(suffix, sizeof(suffix), "-eth%d", n + attempt);
		room = 15 - strlen(suffix);
		for (i = 0, k = 0; domain[i] && k < room; i++) {
			unsigned char ch = (unsigned char)domain[i];

			/* Only characters every tool takes in a name. */
			if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.')
				base[k++] = (char)ch;
		}
		base[k] = '\0';
		if (!k)
			strcpy(base, "vm");
		memcpy(out, base, strlen(base));
		memcpy(out + strlen(base), suffix, strlen(suffix) + 1);
		for (c = devices->children; c && !used; c = c->next) {
			if (!mvn_xml_is(c, "interface"))
				continue;
			for (t = c->children; t; t = t->next) {
				char *dev;

				if (!mvn_xml_is(t, "target"))
					continue;
				dev = mvn_xml_prop(t, "dev");
				used = dev && !strcmp(dev, out);
				free(dev);
			}
		}
		if (!used)
			return;
	}
}

/* How many children of node are elements called name (no namespace). */
static size_t count_children(xmlNodePtr node, const char *name)
{
	xmlNodePtr c;
	size_t n = 0;

	for (c = node->children; c; c = c->next)
		n += mvn_xml_is(c, name);
	return n;
}

/* A <metadata> element for root, after its name and the like. */
static xmlNodePtr new_metadata(xmlNodePtr root)
{
	xmlNodePtr c, md, anchor = NULL;

	for (c = root->children; c; c = c->next)
		if (mvn_xml_is(c, "name") || mvn_xml_is(c, "uuid") ||
		    mvn_xml_is(c, "genid") || mvn_xml_is(c, "title") ||
		    mvn_xml_is(c, "description"))
			anchor = c;
	md = xmlNewNode(NULL, (const xmlChar *)"metadata");
	if (!md)
		return NULL;
	if (anchor)
		xmlAddNextSibling(anchor, md);
	else
		xmlAddChild(root, md);
	return md;
}

static xmlNodePtr add_port_node(xmlNodePtr wrap, xmlNsPtr ns,
				const char *target, const char *network)
{
	xmlNodePtr p = xmlNewChild(wrap, ns, (const xmlChar *)"port", NULL);

	if (p && (!xmlSetProp(p, (const xmlChar *)"target",
			      (const xmlChar *)target) ||
		  !xmlSetProp(p, (const xmlChar *)"network",
			      (const xmlChar *)network)))
		return NULL;
	return p;
}

/*
 * Replace every element of macvnet's namespace in <metadata> by one
 * <macvnet:domain> holding the ports the input had (libvirt keeps one
 * element per namespace).  Merged, not refused: a domain that gained an
 * interface after its conversion can be converted again.  *ns is the new
 * element's namespace; NULL when out of memory.
 */
static xmlNodePtr merge_metadata(xmlNodePtr root, const struct mvn_domain *d,
				 xmlNsPtr *ns)
{
	xmlNodePtr md = mvn_xml_child(root, "metadata"), wrap, c, next;
	size_t k;

	if (!md)
		md = new_metadata(root);
	wrap = md ? xmlNewNode(NULL, (const xmlChar *)"domain") : NULL;
	if (!wrap)
		return NULL;
	*ns = xmlNewNs(wrap, (const xmlChar *)MVN_DOMAIN_NS,
		       (const xmlChar *)"macvnet");
	if (!*ns) {
		xmlFreeNode(wrap);
		return NULL;
	}
	xmlSetNs(wrap, *ns);
	for (c = md->children; c && !in_macvnet_ns(c); c = c->next)
		;
	if (c)
		xmlAddPrevSibling(c, wrap);
	else
		xmlAddChild(md, wrap);
	for (c = md->children; c; c = next) {
		next = c->next;
		if (c != wrap && in_macvnet_ns(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	for (k = 0; k < d->nports; k++)
		if (!add_port_node(wrap, *ns, d->ports[k].target,
				   d->ports[k].network))
			return NULL;
	return wrap;
}

/*
 * Turn interface element c (the n-th converted, from 0) into a
 * type='ethernet' one with a port in wrap; its target, if any, was
 * checked by check_convert_input().
 */
static int convert_iface(xmlNodePtr c, const char *dname, int n,
			 xmlNodePtr devices, xmlNodePtr wrap, xmlNsPtr ns,
			 const char *network)
{
	char *dev = NULL, target[16];
	xmlNodePtr t;

	xmlSetProp(c, (const xmlChar *)"type", (const xmlChar *)"ethernet");
	/* libvirt's rx-filter sync is for its own macvtap only. */
	xmlUnsetProp(c, (const xmlChar *)"trustGuestRxFilters");
	mvn_xml_drop_children(c, "source");
	mvn_xml_drop_children(c, "virtualport");
	mvn_xml_drop_children(c, "vlan");
	t = mvn_xml_child(c, "target");
	if (t)
		dev = mvn_xml_prop(t, "dev");
	if (dev) {
		snprintf(target, sizeof(target), "%s", dev);
		free(dev);
	} else {
		make_target(dname, n, devices, target);
		if (!t)
			t = xmlNewChild(c, NULL, (const xmlChar *)"target",
					NULL);
		if (!t || !xmlSetProp(t, (const xmlChar *)"dev",
				      (const xmlChar *)target))
			return -ENOMEM;
	}
	if (!xmlSetProp(t, (const xmlChar *)"managed", (const xmlChar *)"no") ||
	    !add_port_node(wrap, ns, target, network))
		return -ENOMEM;
	return 0;
}

/*
 * The result must pass what validate and the hook apply to a domain;
 * check_convert_input() should have refused whatever would not, so a
 * failure here is macvnet's bug, and nothing invalid is handed out.
 */
static int check_result(const char *out, const char *name,
			struct mvn_error *err)
{
	struct mvn_error inner = { 0 };
	struct mvn_domain *d = NULL;
	const char *what = _("the converted domain");
	int ret;

	ret = mvn_domain_parse(out, strlen(out), what, &d, &inner);
	if (ret == 0)
		ret = mvn_domain_check(d, what, &inner);
	mvn_domain_free(d);
	if (ret < 0)
		return mvn_error_set(err, ret,
				     _("%1$s: cannot convert: the result would "
				       "not validate (%2$s); please report "
				       "this with the input"),
				     name, inner.msg);
	return 0;
}

/* The parts of the document that convert needs, each present once. */
static int check_convert_doc(xmlNodePtr root, const char *network,
			     const char *name, struct mvn_error *err)
{
	char buf[64];

	if (!mvn_store_name_valid(network))
		return mvn_error_set(err, -EINVAL,
				     _("network name '%s' is not valid (no "
				       "'/' or control characters, not "
				       "starting with '.'); give the name of "
				       "a macvnet network"),
				     mvn_shown(network, buf, sizeof(buf)));
	if (count_children(root, "devices") != 1)
		return mvn_error_set(err, -EINVAL,
				     _("%s: the domain needs exactly one "
				       "<devices> element"),
				     name);
	if (count_children(root, "metadata") > 1)
		return mvn_error_set(err, -EINVAL,
				     _("%s: the domain has more than one "
				       "<metadata> element; merge them into "
				       "one"),
				     name);
	return 0;
}

int mvn_domain_rewrite(const char *text, size_t len, const char *name,
		       const struct mvn_domain_rewriter *rw, char **out,
		       unsigned int *count, struct mvn_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, devices, c;
	int ret, idx = 0;

	*out = NULL;
	*count = 0;
	ret = mvn_xml_parse(text, len, name, &doc, err);
	if (ret < 0)
		return ret;
	root = xmlDocGetRootElement(doc);
	if (!mvn_xml_is(root, "domain")) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: not a <domain> document"), name);
		goto cleanup;
	}
	mvn_xml_strip_blanks(root);
	if (rw->begin)
		ret = rw->begin(rw->ctx, root, err);
	devices = mvn_xml_child(root, "devices");
	for (c = devices ? devices->children : NULL; c && ret >= 0;
	     c = c->next) {
		if (!mvn_xml_is(c, "interface"))
			continue;
		ret = rw->iface(rw->ctx, c, ++idx, err);
		if (ret > 0)
			(*count)++;
	}
	if (ret < 0 || !*count)
		goto cleanup;
	ret = 0;
	*out = mvn_xml_dump_body(doc);
	if (!*out)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
cleanup:
	if (ret < 0)
		*count = 0;
	xmlFreeDoc(doc);
	return ret < 0 ? ret : 0;
}

/* domain-convert's state while the rewriter walks the domain. */
struct convert {
	const char *text, *name, *network;
	size_t len;
	struct mvn_domain *d; /* the input, parsed */
	xmlNodePtr wrap; /* <macvnet:domain> in <metadata> */
	xmlNsPtr ns;
	int n; /* interfaces converted so far */
};

/*
 * Refuse an input whose result could not validate, or with a value that
 * libvirt or the kernel would refuse (in an interface to be converted it
 * would silently be lost); merge its metadata.
 */
static int convert_begin(void *ctx, xmlNodePtr root, struct mvn_error *err)
{
	struct convert *cv = ctx;
	int ret;

	ret = mvn_domain_parse(cv->text, cv->len, cv->name, &cv->d, err);
	if (ret == 0)
		ret = check_convert_doc(root, cv->network, cv->name, err);
	if (ret == 0)
		ret = check_convert_input(cv->d, cv->name, err);
	if (ret == 0)
		ret = mvn_domain_check_xml(root, cv->name, err);
	if (ret < 0)
		return ret;
	cv->wrap = merge_metadata(root, cv->d, &cv->ns);
	if (!cv->wrap)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	return 0;
}

/* Convert interface c when it is of type 'network' or 'direct'. */
static int convert_one(void *ctx, xmlNodePtr c, int index,
		       struct mvn_error *err)
{
	struct convert *cv = ctx;
	char *type = mvn_xml_prop(c, "type");
	bool conv;

	(void)index;
	conv = type && (!strcmp(type, "network") || !strcmp(type, "direct"));
	free(type);
	if (!conv)
		return 0;
	if (convert_iface(c, cv->d->name, cv->n, c->parent, cv->wrap, cv->ns,
			  cv->network))
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	cv->n++;
	return 1;
}

int mvn_domain_convert(const char *text, size_t len, const char *name,
		       const char *network, char **out, struct mvn_error *err)
{
	struct convert cv = {
		.text = text, .name = name, .network = network, .len = len
	};
	const struct mvn_domain_rewriter rw = { convert_begin, convert_one,
						&cv };
	char *result = NULL;
	unsigned int count = 0;
	int ret;

	ret = mvn_domain_rewrite(text, len, name, &rw, &result, &count, err);
	if (ret == 0 && !count)
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: the domain has no interface of type "
				      "'network' or 'direct' to convert"),
				    name);
	if (ret == 0)
		ret = check_result(result, name, err);
	if (ret == 0) {
		*out = result;
		result = NULL;
	}
	free(result);
	mvn_domain_free(cv.d);
	return ret;
}
