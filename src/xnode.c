/* Preserved XML elements and their canonical printing. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "xnode.h"

void mvn_xnode_free(struct mvn_xnode *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nattrs; i++) {
		free(n->attrs[i].name);
		free(n->attrs[i].value);
	}
	free(n->attrs);
	for (i = 0; i < n->nchildren; i++)
		mvn_xnode_free(n->children[i]);
	free(n->children);
	free(n->name);
	free(n->text);
	free(n);
}

const char *mvn_xnode_attr(const struct mvn_xnode *n, const char *name)
{
	size_t i;

	for (i = 0; n && i < n->nattrs; i++)
		if (!strcmp(n->attrs[i].name, name))
			return n->attrs[i].value;
	return NULL;
}

const struct mvn_xnode *mvn_xnode_child(const struct mvn_xnode *n,
					const char *name)
{
	size_t i;

	for (i = 0; n && i < n->nchildren; i++)
		if (!strcmp(n->children[i]->name, name))
			return n->children[i];
	return NULL;
}

void mvn_xnode_format_attrs(const struct mvn_xnode *n, struct mvn_buf *b)
{
	size_t i;

	for (i = 0; i < n->nattrs; i++) {
		mvn_buf_printf(b, " %s='", n->attrs[i].name);
		mvn_buf_escape(b, n->attrs[i].value);
		mvn_buf_add(b, "'", 1);
	}
}

void mvn_xnode_format_children(const struct mvn_xnode *n, struct mvn_buf *b)
{
	size_t i;

	b->indent += 2;
	for (i = 0; i < n->nchildren; i++)
		mvn_xnode_format(n->children[i], b);
	b->indent -= 2;
}

void mvn_xnode_format(const struct mvn_xnode *n, struct mvn_buf *b)
{
	mvn_buf_line(b, "<%s", n->name);
	mvn_xnode_format_attrs(n, b);
	if (n->nchildren) {
		mvn_buf_printf(b, ">\n");
		mvn_xnode_format_children(n, b);
		mvn_buf_line(b, "</%s>\n", n->name);
	} else if (n->text && *n->text) {
		mvn_buf_printf(b, ">");
		mvn_buf_escape(b, n->text);
		mvn_buf_printf(b, "</%s>\n", n->name);
	} else {
		mvn_buf_printf(b, "/>\n");
	}
}

/* libvirt's order for the elements a network keeps without modelling. */
static const struct mvn_xshape shapes[] = {
	{ NULL,
	  "ip",
	  { "family", "address", "netmask", "prefix", "localPtr" },
	  { "tftp", "dhcp" } },
	{ "ip", "tftp", { "root" }, { NULL } },
	{ "ip", "dhcp", { NULL }, { "range", "host", "bootp" } },
	{ "dhcp", "range", { "start", "end" }, { "lease" } },
	{ "dhcp", "host", { "mac", "id", "name", "ip" }, { "lease" } },
	{ NULL, "lease", { "expiry", "unit" }, { NULL } },
	{ "dhcp", "bootp", { "file", "server" }, { NULL } },
	{ NULL,
	  "dns",
	  { "enable", "forwardPlainNames" },
	  { "forwarder", "txt", "srv", "host" } },
	{ "dns", "forwarder", { "domain", "addr" }, { NULL } },
	{ "dns", "txt", { "name", "value" }, { NULL } },
	{ "dns",
	  "srv",
	  { "service", "protocol", "domain", "target", "port", "priority",
	    "weight" },
	  { NULL } },
	{ "dns", "host", { "ip" }, { "hostname" } },
	{ NULL,
	  "route",
	  { "family", "address", "netmask", "prefix", "gateway", "metric" },
	  { NULL } },
	{ NULL, "domain", { "name", "localOnly", "register" }, { NULL } },
};

const struct mvn_xshape *mvn_xshape_of(const char *parent, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (!strcmp(shapes[i].name, name) &&
		    (!shapes[i].parent ||
		     (parent && !strcmp(shapes[i].parent, parent))))
			return &shapes[i];
	return NULL;
}

static bool in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n && list[i]; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

bool mvn_xshape_has_attr(const struct mvn_xshape *sh, const char *attr)
{
	return in_list(sh->attrs, MVN_XSHAPE_ATTRS, attr);
}

bool mvn_xshape_has_child(const struct mvn_xshape *sh, const char *child)
{
	return in_list(sh->children, MVN_XSHAPE_CHILDREN, child);
}
