/* A domain's <interface> element: the parts macvnet acts on. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iface.h"
#include "network.h"
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
	free(i);
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
		return mvn_error_setl(err, -EINVAL, line,
				      _("%1$s:%2$d: <interface> needs a type "
					"attribute (network, direct, ethernet "
					"or bridge)"),
				      name, line);
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
			v = mvn_xml_prop(c, "address");
			i->has_mac = mvn_mac_parse(v, i->mac);
			if (!i->has_mac) {
				line = mvn_xml_line(c);
				mvn_error_setl(
					err, -EINVAL, line,
					_("%1$s:%2$d: MAC address '%3$s' "
					  "is malformed (expected six "
					  "hex pairs like "
					  "52:54:00:b8:9c:58)"),
					name, line, v ? v : "");
				free(v);
				mvn_iface_free(i);
				return -EINVAL;
			}
			free(v);
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
			v = mvn_xml_prop(c, "size");
			i->mtu = v ? (unsigned int)strtoul(v, NULL, 10) : 0;
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

	if (!mvn_xml_is(root, "interface"))
		return mvn_error_setl(err, -EINVAL, mvn_xml_line(root),
				      _("%1$s: the root element is <%2$s>, not "
					"<interface>"),
				      name, (const char *)root->name);
	return parse_node(root, name, out, err);
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
	xmlNodePtr root = xmlDocGetRootElement(doc), c;

	if (mvn_xml_is(root, "domain"))
		return root;
	if (mvn_xml_is(root, "hookData"))
		for (c = root->children; c; c = c->next)
			if (mvn_xml_is(c, "domain"))
				return c;
	return NULL;
}

int mvn_domain_parse(const char *text, size_t len, const char *name,
		     struct mvn_domain **out, struct mvn_error *err)
{
	struct mvn_domain *d = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root, c, k, m;
	int ret;

	ret = mvn_xml_parse(text, len, name, &doc, err);
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
	for (c = root->children; c; c = c->next) {
		if (mvn_xml_is(c, "name") && !d->name) {
			d->name = mvn_xml_text(c);
		} else if (mvn_xml_is(c, "uuid")) {
			char *u = mvn_xml_text(c);

			d->has_uuid = u && mvn_uuid_parse(u, d->uuid);
			free(u);
		} else if (mvn_xml_is(c, "metadata")) {
			for (k = c->children; k; k = k->next) {
				if (!in_macvnet_ns(k))
					continue;
				if (strcmp((const char *)k->name, "domain")) {
					ret = add_port(d, k, name, err);
					if (ret < 0)
						goto cleanup;
					continue;
				}
				for (m = k->children; m; m = m->next) {
					if (m->type != XML_ELEMENT_NODE)
						continue;
					ret = add_port(d, m, name, err);
					if (ret < 0)
						goto cleanup;
				}
			}
		} else if (mvn_xml_is(c, "devices")) {
			for (k = c->children; k; k = k->next) {
				struct mvn_iface **v, *i = NULL;

				if (!mvn_xml_is(k, "interface"))
					continue;
				ret = parse_node(k, name, &i, err);
				if (ret < 0)
					goto cleanup;
				v = realloc(d->ifaces,
					    (d->nifaces + 1) * sizeof(*v));
				if (!v) {
					mvn_iface_free(i);
					ret = mvn_error_set(err, -ENOMEM,
							    _("out of memory"));
					goto cleanup;
				}
				d->ifaces = v;
				d->ifaces[d->nifaces++] = i;
			}
		}
	}
	if (!d->name) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: the domain has no name"), name);
		goto cleanup;
	}
	*out = d;
	d = NULL;
	ret = 0;
cleanup:
	mvn_domain_free(d);
	xmlFreeDoc(doc);
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

int mvn_domain_check(const struct mvn_domain *d, const char *name,
		     struct mvn_error *err)
{
	const struct mvn_iface *i;
	size_t k, j;

	for (k = 0; k < d->nifaces; k++) {
		i = d->ifaces[k];
		if (i->has_mac && (i->mac[0] & 1))
			return mvn_error_setl(
				err, -EINVAL, i->line,
				_("%1$s:%2$d: the interface's MAC "
				  "address is multicast; use a "
				  "unicast one such as "
				  "52:54:00:xx:xx:xx"),
				name, i->line);
	}
	for (k = 0; k < d->nports; k++) {
		const struct mvn_dom_port *p = &d->ports[k];

		if (!mvn_ifname_valid(p->target))
			return mvn_error_setl(
				err, -EINVAL, p->line,
				_("%1$s:%2$d: macvnet port target "
				  "'%3$s' is not a valid interface "
				  "name (1 to 15 bytes, no '/', "
				  "':' or white space)"),
				name, p->line, p->target);
		for (j = 0; j < k; j++)
			if (!strcmp(d->ports[j].target, p->target))
				return mvn_error_setl(
					err, -EINVAL, p->line,
					_("%1$s:%2$d: macvnet port target '%3$s' "
					  "is given twice"),
					name, p->line, p->target);
		i = mvn_domain_iface(d, p->target);
		if (!i || i->type != MVN_IFACE_ETHERNET || !i->managed_no)
			return mvn_error_setl(
				err, -EINVAL, p->line,
				_("%1$s:%2$d: macvnet port '%3$s' needs an "
				  "<interface type='ethernet'> with <target "
				  "dev='%3$s' managed='no'/> (convert the domain "
				  "with: macvnet domain-convert FILE --network "
				  "%4$s)"),
				name, p->line, p->target, p->network);
	}
	return 0;
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

int mvn_domain_convert(const char *text, size_t len, const char *name,
		       const char *network, char **out, struct mvn_error *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr root, devices, c, md, wrap, anchor = NULL;
	xmlNsPtr ns;
	char *dname = NULL;
	int ret, n = 0;

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
	c = mvn_xml_child(root, "name");
	dname = c ? mvn_xml_text(c) : NULL;
	devices = mvn_xml_child(root, "devices");
	if (!dname || !devices) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: the domain has no name or no "
				      "<devices>"),
				    name);
		goto cleanup;
	}
	md = mvn_xml_child(root, "metadata");
	if (!md) {
		for (c = root->children; c; c = c->next)
			if (mvn_xml_is(c, "name") || mvn_xml_is(c, "uuid") ||
			    mvn_xml_is(c, "genid") || mvn_xml_is(c, "title") ||
			    mvn_xml_is(c, "description"))
				anchor = c;
		md = xmlNewNode(NULL, (const xmlChar *)"metadata");
		if (!md)
			goto nomem;
		if (anchor)
			xmlAddNextSibling(anchor, md);
		else
			xmlAddChild(root, md);
	}
	/* One wrapper for all: libvirt keeps one element per namespace. */
	for (c = md->children; c; c = c->next)
		if (in_macvnet_ns(c))
			break;
	if (c) {
		xmlUnlinkNode(c);
		xmlFreeNode(c);
	}
	wrap = xmlNewChild(md, NULL, (const xmlChar *)"domain", NULL);
	ns = wrap ? xmlNewNs(wrap, (const xmlChar *)MVN_DOMAIN_NS,
			     (const xmlChar *)"macvnet") :
		    NULL;
	if (!ns)
		goto nomem;
	xmlSetNs(wrap, ns);
	for (c = devices->children; c; c = c->next) {
		char *type, *dev = NULL, target[16];
		xmlNodePtr t, p;

		if (!mvn_xml_is(c, "interface"))
			continue;
		type = mvn_xml_prop(c, "type");
		if (!type ||
		    (strcmp(type, "network") && strcmp(type, "direct"))) {
			free(type);
			continue;
		}
		free(type);
		xmlSetProp(c, (const xmlChar *)"type",
			   (const xmlChar *)"ethernet");
		/* libvirt's rx-filter sync is for its own macvtap only. */
		xmlUnsetProp(c, (const xmlChar *)"trustGuestRxFilters");
		mvn_xml_drop_children(c, "source");
		mvn_xml_drop_children(c, "virtualport");
		mvn_xml_drop_children(c, "vlan");
		t = mvn_xml_child(c, "target");
		if (t)
			dev = mvn_xml_prop(t, "dev");
		if (!dev || !mvn_ifname_valid(dev)) {
			make_target(dname, n, devices, target);
			if (!t)
				t = xmlNewChild(c, NULL,
						(const xmlChar *)"target",
						NULL);
			if (!t)
				goto nomem;
			xmlSetProp(t, (const xmlChar *)"dev",
				   (const xmlChar *)target);
		} else {
			snprintf(target, sizeof(target), "%s", dev);
		}
		free(dev);
		xmlSetProp(t, (const xmlChar *)"managed",
			   (const xmlChar *)"no");
		p = xmlNewChild(wrap, ns, (const xmlChar *)"port", NULL);
		if (!p)
			goto nomem;
		xmlSetProp(p, (const xmlChar *)"target",
			   (const xmlChar *)target);
		xmlSetProp(p, (const xmlChar *)"network",
			   (const xmlChar *)network);
		n++;
	}
	if (!n) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: the domain has no interface of type "
				      "'network' or 'direct' to convert"),
				    name);
		goto cleanup;
	}
	*out = mvn_xml_dump_body(doc);
	if (!*out)
		goto nomem;
	ret = 0;
	goto cleanup;
nomem:
	ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
cleanup:
	free(dname);
	xmlFreeDoc(doc);
	return ret;
}
