/* Safe parsing of untrusted XML and small accessors over libxml2. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include "util.h"
#include "xml.h"

struct parse_ctx {
	struct mvn_error *err;
	const char *name;
	bool failed;
	bool doctype;
};

/*
 * libxml2 reports through this instead of printing to stderr; the first
 * error is kept, with its line.
 */
static void on_xml_error(void *data, xmlErrorPtr e)
{
	struct parse_ctx *pc = data;
	char msg[400];
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || pc->failed)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "?");
	n = strlen(msg);
	while (n && isspace((unsigned char)msg[n - 1]))
		msg[--n] = '\0';
	pc->failed = true;
	mvn_error_setl(pc->err, -EINVAL, e->line,
		       _("%1$s:%2$d: not well-formed XML: %3$s"), pc->name,
		       e->line, msg);
}

/* A DOCTYPE could declare entities that expand without bound: refuse it. */
static void on_internal_subset(void *data, const xmlChar *name,
			       const xmlChar *ext, const xmlChar *sys)
{
	xmlParserCtxtPtr ctxt = data;
	struct parse_ctx *pc = ctxt->_private;

	(void)name;
	(void)ext;
	(void)sys;
	pc->doctype = true;
	xmlStopParser(ctxt);
}

static void on_entity_decl(void *data, const xmlChar *name, int type,
			   const xmlChar *pub, const xmlChar *sys,
			   xmlChar *content)
{
	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	on_internal_subset(data, NULL, NULL, NULL);
}

static xmlEntityPtr on_get_entity(void *data, const xmlChar *name)
{
	/* Only the five predefined entities exist. */
	(void)data;
	return xmlGetPredefinedEntity(name);
}

int mvn_xml_parse(const char *text, size_t len, const char *name,
		  xmlDocPtr *out, struct mvn_error *err)
{
	struct parse_ctx pc = { .err = err, .name = name };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int ret = -EINVAL;

	if (len > MVN_XML_MAX_SIZE)
		return mvn_error_set(err, -EFBIG,
				     _("%s: larger than 1 MiB; a network or "
				       "domain document is never that big"),
				     name);
	if (len > INT32_MAX)
		return mvn_error_set(err, -EFBIG, _("%s: too large"), name);

	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ctxt->_private = &pc;
	ctxt->sax->internalSubset = on_internal_subset;
	ctxt->sax->externalSubset = on_internal_subset;
	ctxt->sax->entityDecl = on_entity_decl;
	ctxt->sax->getEntity = on_get_entity;
	ctxt->sax->getParameterEntity = on_get_entity;
	xmlSetStructuredErrorFunc(&pc, on_xml_error);

	doc = xmlCtxtReadMemory(ctxt, text, (int)len, NULL, NULL,
				XML_PARSE_NONET | XML_PARSE_NOWARNING |
					XML_PARSE_NOERROR | XML_PARSE_NOCDATA);
	xmlSetStructuredErrorFunc(NULL, NULL);
	if (pc.doctype) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: DOCTYPE and entity declarations "
				      "are not allowed (remove the <!DOCTYPE> "
				      "line)"),
				    name);
		goto cleanup;
	}
	if (!doc || !ctxt->wellFormed || pc.failed) {
		if (!pc.failed)
			mvn_error_set(err, -EINVAL,
				      _("%s: not a well-formed XML document"),
				      name);
		ret = err ? err->code : -EINVAL;
		goto cleanup;
	}
	if (!xmlDocGetRootElement(doc)) {
		ret = mvn_error_set(err, -EINVAL, _("%s: empty document"),
				    name);
		goto cleanup;
	}
	*out = doc;
	doc = NULL;
	ret = 0;
cleanup:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ret;
}

int mvn_xml_parse_file(const char *path, xmlDocPtr *out, struct mvn_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = mvn_doc_read(path, &text, &len, err);
	if (ret < 0)
		return ret;
	ret = mvn_xml_parse(text, len, path, out, err);
	free(text);
	return ret;
}

char *mvn_xml_prop(xmlNodePtr node, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static char *trim_dup(const char *s)
{
	const char *e;
	char *r;

	while (*s && isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	r = malloc((size_t)(e - s) + 1);
	if (!r)
		return NULL;
	memcpy(r, s, (size_t)(e - s));
	r[e - s] = '\0';
	return r;
}

char *mvn_xml_text(xmlNodePtr node)
{
	xmlChar *v = xmlNodeGetContent(node);
	char *s;

	if (!v)
		return strdup("");
	s = trim_dup((const char *)v);
	xmlFree(v);
	return s;
}

int mvn_xml_line(xmlNodePtr node)
{
	long l = xmlGetLineNo(node);

	return l > 0 && l < INT32_MAX ? (int)l : 0;
}

bool mvn_xml_is(xmlNodePtr node, const char *name)
{
	return node && node->type == XML_ELEMENT_NODE && !node->ns &&
	       !strcmp((const char *)node->name, name);
}

char *mvn_xml_qname(xmlNodePtr node)
{
	struct mvn_buf b = { 0 };

	if (node->ns && node->ns->prefix)
		mvn_buf_printf(&b, "%s:", (const char *)node->ns->prefix);
	mvn_buf_printf(&b, "%s", (const char *)node->name);
	return mvn_buf_steal(&b);
}

struct mvn_xnode *mvn_xml_to_xnode(xmlNodePtr node)
{
	struct mvn_xnode *n;
	xmlAttrPtr a;
	xmlNodePtr c;
	size_t cnt;

	n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->name = mvn_xml_qname(node);
	n->line = mvn_xml_line(node);
	if (!n->name)
		goto fail;
	for (cnt = 0, a = node->properties; a; a = a->next)
		cnt++;
	n->attrs = calloc(cnt ? cnt : 1, sizeof(*n->attrs));
	if (!n->attrs)
		goto fail;
	for (a = node->properties; a; a = a->next) {
		xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);
		struct mvn_xattr *x = &n->attrs[n->nattrs++];
		struct mvn_buf qb = { 0 };

		if (a->ns && a->ns->prefix)
			mvn_buf_printf(&qb, "%s:", (const char *)a->ns->prefix);
		mvn_buf_printf(&qb, "%s", (const char *)a->name);
		x->name = mvn_buf_steal(&qb);
		x->value = strdup(v ? (const char *)v : "");
		xmlFree(v);
		if (!x->name || !x->value)
			goto fail;
	}
	for (cnt = 0, c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			cnt++;
	if (cnt) {
		n->children = calloc(cnt, sizeof(*n->children));
		if (!n->children)
			goto fail;
		for (c = node->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			n->children[n->nchildren] = mvn_xml_to_xnode(c);
			if (!n->children[n->nchildren])
				goto fail;
			n->nchildren++;
		}
	} else {
		n->text = mvn_xml_text(node);
		if (!n->text)
			goto fail;
	}
	return n;
fail:
	mvn_xnode_free(n);
	return NULL;
}

/* Remove text nodes made only of white space between elements. */
void mvn_xml_strip_blanks(xmlNodePtr node)
{
	xmlNodePtr c, next;
	bool has_elem = false;

	for (c = node->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			has_elem = true;
	for (c = node->children; c; c = next) {
		next = c->next;
		if (c->type == XML_TEXT_NODE && has_elem && xmlIsBlankNode(c)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		} else if (c->type == XML_ELEMENT_NODE) {
			mvn_xml_strip_blanks(c);
		}
	}
}

xmlNodePtr mvn_xml_child(xmlNodePtr node, const char *name)
{
	xmlNodePtr c;

	for (c = node->children; c; c = c->next)
		if (mvn_xml_is(c, name))
			return c;
	return NULL;
}

void mvn_xml_drop_children(xmlNodePtr node, const char *name)
{
	xmlNodePtr c, next;

	for (c = node->children; c; c = next) {
		next = c->next;
		if (mvn_xml_is(c, name)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
}

char *mvn_xml_dump_body(xmlDocPtr doc)
{
	xmlChar *dump = NULL;
	const char *body;
	char *out;
	int size = 0;

	xmlDocDumpFormatMemory(doc, &dump, &size, 1);
	if (!dump)
		return NULL;
	body = (const char *)dump;
	if (!strncmp(body, "<?xml", 5) && strchr(body, '\n'))
		body = strchr(body, '\n') + 1;
	out = strdup(body);
	xmlFree(dump);
	return out;
}

/* Point every use of namespace href in the subtree at ns. */
static void adopt_ns(xmlNodePtr node, const char *href, xmlNsPtr ns)
{
	xmlAttrPtr a;
	xmlNodePtr c;

	if (node->type != XML_ELEMENT_NODE)
		return;
	if (node->ns && node->ns->href &&
	    !strcmp((const char *)node->ns->href, href))
		node->ns = ns;
	for (a = node->properties; a; a = a->next)
		if (a->ns && a->ns->href &&
		    !strcmp((const char *)a->ns->href, href))
			a->ns = ns;
	for (c = node->children; c; c = c->next)
		adopt_ns(c, href, ns);
}

/* Drop node's own declarations of href (nothing refers to them any more). */
static void drop_ns_decl(xmlNodePtr node, const char *href)
{
	xmlNsPtr *pp = &node->nsDef, n;

	while ((n = *pp)) {
		if (n->href && !strcmp((const char *)n->href, href)) {
			*pp = n->next;
			n->next = NULL;
			xmlFreeNs(n);
		} else {
			pp = &n->next;
		}
	}
}

static bool ns_is(xmlNodePtr n, const char *href)
{
	return n->ns && n->ns->href && !strcmp((const char *)n->ns->href, href);
}

/*
 * Keep what libvirt keeps of <metadata>: only namespaced elements, the
 * first of each namespace.  The elements of own_ns are not dropped but
 * gathered, in order, into one <own_wrapper> element, so that all of them
 * survive libvirt's rule.
 */
static int sanitize_metadata(xmlNodePtr md, const char *own_ns,
			     const char *own_wrapper)
{
	xmlNodePtr c, next, wrap = NULL, prev;
	xmlNsPtr wns = NULL;

	for (c = md->children; c; c = next) {
		next = c->next;
		if (c->type != XML_ELEMENT_NODE || !c->ns || !c->ns->href) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
			continue;
		}
		if (own_ns && ns_is(c, own_ns)) {
			bool is_wrap =
				!strcmp((const char *)c->name, own_wrapper);

			if (!wrap && is_wrap) {
				wrap = c;
				wns = c->ns;
				continue;
			}
			if (!wrap) {
				wrap = xmlNewNode(NULL,
						  (const xmlChar *)own_wrapper);
				if (!wrap)
					return -ENOMEM;
				wns = xmlNewNs(wrap, (const xmlChar *)own_ns,
					       c->ns->prefix);
				if (!wns) {
					xmlFreeNode(wrap);
					return -ENOMEM;
				}
				xmlSetNs(wrap, wns);
				xmlAddPrevSibling(c, wrap);
			}
			xmlUnlinkNode(c);
			if (is_wrap) {
				/* A second wrapper: take over its children. */
				xmlNodePtr k, knext;

				for (k = c->children; k; k = knext) {
					knext = k->next;
					xmlUnlinkNode(k);
					adopt_ns(k, own_ns, wns);
					xmlAddChild(wrap, k);
				}
				xmlFreeNode(c);
				continue;
			}
			adopt_ns(c, own_ns, wns);
			drop_ns_decl(c, own_ns);
			xmlAddChild(wrap, c);
			continue;
		}
		for (prev = md->children; prev != c; prev = prev->next)
			if (prev->type == XML_ELEMENT_NODE && prev->ns &&
			    prev->ns->href &&
			    !strcmp((const char *)prev->ns->href,
				    (const char *)c->ns->href))
				break;
		if (prev != c) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
	return 0;
}

char *mvn_xml_dump_metadata(xmlNodePtr node, const char *own_ns,
			    const char *own_wrapper)
{
	xmlNodePtr copy;
	xmlBufferPtr xb = NULL;
	char *s = NULL;
	int old_indent = xmlIndentTreeOutput;

	/* A copy outside any document, as libvirt keeps it. */
	copy = xmlCopyNode(node, 1);
	if (!copy)
		return NULL;
	mvn_xml_strip_blanks(copy);
	if (sanitize_metadata(copy, own_ns, own_wrapper) < 0)
		goto cleanup;
	xb = xmlBufferCreate();
	if (!xb)
		goto cleanup;
	xmlIndentTreeOutput = 1;
	if (xmlNodeDump(xb, NULL, copy, 1, 1) >= 0) {
		const char *t = (const char *)xmlBufferContent(xb);

		while (*t == ' ')
			t++;
		s = strdup(t);
	}
	xmlIndentTreeOutput = old_indent;
cleanup:
	xmlBufferFree(xb);
	xmlFreeNode(copy);
	return s;
}
