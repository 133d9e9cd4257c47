/* A domain's <interface> element: the parts macvnet acts on. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iface.h"
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
