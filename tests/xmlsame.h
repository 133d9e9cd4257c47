/*
 * Whether two XML trees are the same (test-xmlmini.c, fuzz-domain.c): the
 * plain reader's (xmlmini.c) and libxml2's of one text must be.  Header
 * only, for the tests and the fuzzer; where they part is said in
 * xml_same_where.
 */
#ifndef MVN_XMLSAME_H
#define MVN_XMLSAME_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xml.h"

/* The value of attribute a as libxml2 keeps it: its text children. */
static char *attr_value(xmlAttrPtr a)
{
	struct mvn_buf b = { 0 };
	xmlNodePtr t;
	char *s;

	for (t = a->children; t; t = t->next)
		if (t->content)
			mvn_buf_printf(&b, "%s", (const char *)t->content);
	s = mvn_buf_steal(&b);
	return s ? s : mvn_strdup("");
}

static bool same_str(const xmlChar *a, const xmlChar *b)
{
	return (!a && !b) ||
	       (a && b && !strcmp((const char *)a, (const char *)b));
}

static bool same_ns(xmlNsPtr a, xmlNsPtr b)
{
	return (!a && !b) || (a && b && same_str(a->href, b->href) &&
			      same_str(a->prefix, b->prefix));
}

/* Where two trees part, for the failure message. */
static char xml_same_where[512];

static bool same_nodes(xmlNodePtr a, xmlNodePtr b);

static bool same_node(xmlNodePtr a, xmlNodePtr b)
{
	xmlAttrPtr x, y;
	xmlNsPtr m, n;

	if (a->type != b->type) {
		snprintf(xml_same_where, sizeof(xml_same_where),
			 "node types %d and %d", a->type, b->type);
		return false;
	}
	if (a->type == XML_TEXT_NODE || a->type == XML_COMMENT_NODE) {
		if (same_str(a->content, b->content))
			return true;
		snprintf(xml_same_where, sizeof(xml_same_where),
			 "text [%.200s] and [%.200s]", (const char *)a->content,
			 (const char *)b->content);
		return false;
	}
	if (a->type != XML_ELEMENT_NODE)
		return true;
	if (!same_str(a->name, b->name) || !same_ns(a->ns, b->ns) ||
	    a->line != b->line) {
		snprintf(xml_same_where, sizeof(xml_same_where),
			 "element %s line %d and %s line %d",
			 (const char *)a->name, a->line, (const char *)b->name,
			 b->line);
		return false;
	}
	for (m = a->nsDef, n = b->nsDef; m && n; m = m->next, n = n->next)
		if (!same_ns(m, n))
			break;
	if (m || n) {
		snprintf(xml_same_where, sizeof(xml_same_where),
			 "namespaces of <%s>", (const char *)a->name);
		return false;
	}
	for (x = a->properties, y = b->properties; x && y;
	     x = x->next, y = y->next) {
		char *u = attr_value(x), *v = attr_value(y);
		bool same = same_str(x->name, y->name) &&
			    same_ns(x->ns, y->ns) && !strcmp(u, v);

		if (!same)
			snprintf(
				xml_same_where, sizeof(xml_same_where),
				"attribute %s='%.100s' and %s='%.100s' of <%s>",
				(const char *)x->name, u, (const char *)y->name,
				v, (const char *)a->name);
		free(u);
		free(v);
		/* The value's nodes too: libxml2 gives even '' a text node. */
		if (!same || !same_nodes(x->children, y->children))
			return false;
	}
	if (x || y) {
		snprintf(xml_same_where, sizeof(xml_same_where),
			 "attributes of <%s>", (const char *)a->name);
		return false;
	}
	return same_nodes(a->children, b->children);
}

static bool same_nodes(xmlNodePtr a, xmlNodePtr b)
{
	for (; a && b; a = a->next, b = b->next)
		if (!same_node(a, b))
			return false;
	if (a || b) {
		snprintf(xml_same_where, sizeof(xml_same_where),
			 "a node only in the %s tree",
			 a ? "plain reader's" : "libxml2's");
		return false;
	}
	return true;
}

#endif
