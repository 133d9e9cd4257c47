/* Safe parsing of untrusted XML and small accessors over libxml2. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/SAX2.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

#include "util.h"
#include "xml.h"

struct parse_ctx {
	struct mvn_error *err;
	const char *name;
	int code; /* of the first failure, which err describes */
	bool failed;
	bool doctype;
	/* libxml2's own handlers, which ours call once the limits hold. */
	startElementNsSAX2Func start;
	endElementNsSAX2Func end;
	charactersSAXFunc chars;
	size_t elements;
	size_t attrs; /* namespace declarations included */
	int depth;
	size_t text; /* bytes of the current text so far */
};

/*
 * libxml2 reports through this instead of printing to stderr; the first
 * error is kept, with its line.  Only its first line: libxml2 adds a
 * second one with raw bytes of the document to some messages.
 */
static void on_xml_error(void *data, xmlErrorPtr e)
{
	struct parse_ctx *pc = data;
	char msg[400];
	size_t n;

	if (!e || e->level < XML_ERR_ERROR || pc->failed)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "?");
	n = strcspn(msg, "\n");
	while (n && isspace((unsigned char)msg[n - 1]))
		n--;
	msg[n] = '\0';
	pc->failed = true;
	pc->code = -EINVAL;
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

/* A limit was hit (err says which): stop the parser, it builds no more. */
static void refuse(xmlParserCtxtPtr ctxt, int code)
{
	struct parse_ctx *pc = ctxt->_private;

	pc->failed = true;
	pc->code = code;
	xmlStopParser(ctxt);
}

/* prefix:local, or local, of an element or attribute, for messages. */
static const char *qname(const xmlChar *prefix, const xmlChar *local,
			 char buf[128])
{
	snprintf(buf, 128, "%s%s%s", prefix ? (const char *)prefix : "",
		 prefix ? ":" : "", (const char *)local);
	return buf;
}

/*
 * Whether an element may start here: the count of elements and of
 * attributes, the depth and the attribute values are within the limits
 * (the attributes of one element were counted before parsing, see
 * scan_attrs()).  Otherwise err says which one is not, on the line the
 * start tag ends on.
 */
static bool element_fits(xmlParserCtxtPtr ctxt, const xmlChar *local,
			 const xmlChar *prefix, int nb_ns, int nb_attrs,
			 const xmlChar **attrs)
{
	struct parse_ctx *pc = ctxt->_private;
	int line = xmlSAX2GetLineNumber(ctxt), i;
	char el[128], at[128];

	if (++pc->elements > MVN_XML_MAX_ELEMENTS) {
		mvn_error_setl(
			pc->err, -E2BIG, line,
			_("%1$s:%2$d: more than %3$d elements; a network "
			  "or domain document has far fewer (remove "
			  "the extra elements)"),
			pc->name, line, MVN_XML_MAX_ELEMENTS);
		return false;
	}
	if (++pc->depth > MVN_XML_MAX_DEPTH) {
		mvn_error_setl(
			pc->err, -E2BIG, line,
			_("%1$s:%2$d: element <%3$s> is nested more than "
			  "%4$d levels deep; libvirt's documents have a "
			  "handful of levels (flatten it)"),
			pc->name, line, qname(prefix, local, el),
			MVN_XML_MAX_DEPTH);
		return false;
	}
	pc->attrs += (size_t)nb_attrs + (size_t)nb_ns;
	if (pc->attrs > MVN_XML_MAX_ALL_ATTRS) {
		mvn_error_setl(pc->err, -E2BIG, line,
			       _("%1$s:%2$d: more than %3$d attributes; a "
				 "network or domain document has far fewer "
				 "(remove the extra attributes)"),
			       pc->name, line, MVN_XML_MAX_ALL_ATTRS);
		return false;
	}
	/* Five pointers an attribute: local, prefix, URI, value, end. */
	for (i = 0; i < nb_attrs; i++) {
		if (attrs[5 * i + 4] - attrs[5 * i + 3] <= MVN_XML_MAX_TEXT)
			continue;
		mvn_error_setl(
			pc->err, -E2BIG, line,
			_("%1$s:%2$d: attribute %3$s of <%4$s> is longer "
			  "than %5$d KiB; libvirt's values are short "
			  "(shorten it)"),
			pc->name, line,
			qname(attrs[5 * i + 1], attrs[5 * i], at),
			qname(prefix, local, el), MVN_XML_MAX_TEXT / 1024);
		return false;
	}
	return true;
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix,
		     const xmlChar *uri, int nb_ns, const xmlChar **ns,
		     int nb_attrs, int nb_defaulted, const xmlChar **attrs)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_ctx *pc = ctxt->_private;

	if (pc->failed)
		return;
	pc->text = 0;
	if (!element_fits(ctxt, local, prefix, nb_ns, nb_attrs, attrs)) {
		refuse(ctxt, -E2BIG);
		return;
	}
	pc->start(ctx, local, prefix, uri, nb_ns, ns, nb_attrs, nb_defaulted,
		  attrs);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix,
		   const xmlChar *uri)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_ctx *pc = ctxt->_private;

	if (pc->failed)
		return;
	pc->depth--;
	pc->text = 0;
	pc->end(ctx, local, prefix, uri);
}

/*
 * libxml2 hands text over in pieces: their sum is the text's size.  Text
 * broken by a comment counts as one, which only errs on the safe side.
 */
static bool text_fits(xmlParserCtxtPtr ctxt, int len)
{
	struct parse_ctx *pc = ctxt->_private;
	int line;
	char el[128];

	pc->text += len > 0 ? (size_t)len : 0;
	if (pc->text <= MVN_XML_MAX_TEXT)
		return true;
	line = xmlSAX2GetLineNumber(ctxt);
	mvn_error_setl(pc->err, -E2BIG, line,
		       _("%1$s:%2$d: the text in <%3$s> is longer than %4$d "
			 "KiB; libvirt's values are short (shorten it)"),
		       pc->name, line,
		       ctxt->node ?
			       qname(ctxt->node->ns ? ctxt->node->ns->prefix :
						      NULL,
				     ctxt->node->name, el) :
			       "?",
		       MVN_XML_MAX_TEXT / 1024);
	refuse(ctxt, -E2BIG);
	return false;
}

static void on_chars(void *ctx, const xmlChar *ch, int len)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct parse_ctx *pc = ctxt->_private;

	if (!pc->failed && text_fits(ctxt, len))
		pc->chars(ctx, ch, len);
}

/* Where the scan of the raw text is: index and line. */
struct scan {
	const char *text;
	size_t len;
	size_t i;
	int line;
};

static void scan_lines(struct scan *s, size_t to)
{
	for (; s->i < to; s->i++)
		if (s->text[s->i] == '\n' && s->line < INT32_MAX)
			s->line++;
}

/* Move past the next occurrence of end (after skip bytes); false if none. */
static bool scan_past(struct scan *s, size_t skip, const char *end)
{
	const char *hit;

	s->i += skip;
	hit = s->i <= s->len ?
		      memmem(s->text + s->i, s->len - s->i, end, strlen(end)) :
		      NULL;
	if (!hit)
		return false;
	scan_lines(s, (size_t)(hit - s->text) + strlen(end));
	return true;
}

/*
 * Count the attributes of the start tag at s->i ('=' outside quoted
 * values, namespace declarations included) and move past it; -1 when the
 * tag is not well-formed, which the parser then reports.
 */
static long scan_tag(struct scan *s)
{
	long n = 0;
	char c;

	for (s->i++; s->i < s->len; s->i++) {
		c = s->text[s->i];
		if (c == '>') {
			s->i++;
			return n;
		}
		if (c == '<')
			return -1;
		if (c == '=')
			n++;
		else if (c == '\n' && s->line < INT32_MAX)
			s->line++;
		else if (c == '"' || c == '\'') {
			const char *q = memchr(s->text + s->i + 1, c,
					       s->len - s->i - 1);

			if (!q)
				return -1;
			scan_lines(s, (size_t)(q - s->text));
		}
	}
	return -1;
}

/* The name of the tag at p (n bytes left), at most 64 bytes of it. */
static void tag_name(const char *p, size_t n, char out[65])
{
	size_t k = 0;

	while (k < n && k < 64 && !strchr(" \t\r\n/>", p[k]))
		k++;
	memcpy(out, p, k);
	out[k] = '\0';
}

static bool starts(const struct scan *s, const char *with)
{
	size_t n = strlen(with);

	return s->len - s->i >= n && !memcmp(s->text + s->i, with, n);
}

/*
 * libxml2 checks each attribute of an element against all the earlier
 * ones and appends it to a list it walks from the start: the cost grows
 * with the square of the count, seconds for a few ten thousand, before any
 * handler sees the element.  So the attributes are counted in the raw text
 * first.  The scan stops quietly where the text is not well-formed or
 * holds a DOCTYPE: the parser refuses those.
 */
static int scan_attrs(const char *text, size_t len, const char *name,
		      struct mvn_error *err)
{
	struct scan s = { .text = text, .len = len, .line = 1 };
	const char *lt;
	char el[65];
	size_t at;
	long n;
	int line;

	while (s.i < len) {
		lt = memchr(text + s.i, '<', len - s.i);
		if (!lt)
			return 0;
		scan_lines(&s, (size_t)(lt - text));
		if (starts(&s, "<!--")) {
			if (!scan_past(&s, 4, "-->"))
				return 0;
		} else if (starts(&s, "<![CDATA[")) {
			if (!scan_past(&s, 9, "]]>"))
				return 0;
		} else if (starts(&s, "<?")) {
			if (!scan_past(&s, 2, "?>"))
				return 0;
		} else if (starts(&s, "<!")) {
			return 0;
		} else if (starts(&s, "</")) {
			if (!scan_past(&s, 2, ">"))
				return 0;
		} else {
			at = s.i + 1;
			line = s.line;
			n = scan_tag(&s);
			if (n < 0)
				return 0;
			if (n <= MVN_XML_MAX_ATTRS)
				continue;
			tag_name(text + at, len - at, el);
			return mvn_error_setl(
				err, -E2BIG, line,
				_("%1$s:%2$d: element <%3$s> has more than "
				  "%4$d attributes; libvirt's elements have a "
				  "few (remove the extra ones)"),
				name, line, el, MVN_XML_MAX_ATTRS);
		}
	}
	return 0;
}

/* Put the limits between the parser and libxml2's tree builder. */
static void set_handlers(xmlParserCtxtPtr ctxt, struct parse_ctx *pc)
{
	xmlSAXHandlerPtr sax = ctxt->sax;

	ctxt->_private = pc;
	sax->internalSubset = on_internal_subset;
	sax->externalSubset = on_internal_subset;
	sax->entityDecl = on_entity_decl;
	sax->getEntity = on_get_entity;
	sax->getParameterEntity = on_get_entity;
	pc->start = sax->startElementNs;
	pc->end = sax->endElementNs;
	pc->chars = sax->characters;
	sax->startElementNs = on_start;
	sax->endElementNs = on_end;
	/*
	 * Blanks are kept, so libxml2 has one handler for text and blanks;
	 * one handler it stays, which spares libxml2 its guess at which
	 * blanks could be dropped.
	 */
	sax->characters = on_chars;
	sax->ignorableWhitespace = on_chars;
}

static int parse(const char *text, size_t len, const char *name, xmlDocPtr *out,
		 bool plain, struct mvn_error *err)
{
	struct parse_ctx pc = { .err = err, .name = name };
	xmlParserCtxtPtr ctxt = NULL;
	xmlDocPtr doc = NULL;
	int ret = -EINVAL;

	_Static_assert(MVN_XML_MAX_SIZE <= INT32_MAX, "libxml2 takes an int");
	if (len > MVN_XML_MAX_SIZE)
		return mvn_error_set(err, -EFBIG,
				     _("%s: larger than 1 MiB; a network or "
				       "domain document is never that big"),
				     name);
	ret = mvn_doc_check_nul(text, len, name, err);
	if (ret == 0)
		ret = scan_attrs(text, len, name, err);
	if (ret < 0)
		return ret;
	if (plain && mvn_xml_mini_parse(text, len, out) == 0)
		return 0;

	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	set_handlers(ctxt, &pc);
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
		ret = pc.failed ? pc.code : -EINVAL;
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

int mvn_xml_parse(const char *text, size_t len, const char *name,
		  xmlDocPtr *out, struct mvn_error *err)
{
	return parse(text, len, name, out, false, err);
}

int mvn_xml_parse_plain(const char *text, size_t len, const char *name,
			xmlDocPtr *out, struct mvn_error *err)
{
	return parse(text, len, name, out, true, err);
}

void mvn_xml_doc_free(xmlDocPtr doc)
{
	if (mvn_xml_is_mini(doc))
		mvn_xml_mini_free(doc);
	else if (doc)
		xmlFreeDoc(doc);
}

/* As libxml2 finds it: the first element among the document's children. */
xmlNodePtr mvn_xml_root(xmlDocPtr doc)
{
	xmlNodePtr c;

	for (c = doc ? doc->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return c;
	return NULL;
}

/* Whether node is in a tree of the reader of plain XML. */
static bool in_mini(xmlNodePtr node)
{
	return node && mvn_xml_is_mini(node->doc);
}

/* The text of node's subtree added to b, as libxml2 gathers content. */
static void mini_content(xmlNodePtr node, struct mvn_buf *b)
{
	xmlNodePtr c;

	if (node->type == XML_TEXT_NODE) {
		mvn_buf_printf(b, "%s", (const char *)node->content);
		return;
	}
	if (node->type != XML_ELEMENT_NODE)
		return;
	for (c = node->children; c; c = c->next)
		mini_content(c, b);
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
	xmlChar *v;
	char *s;

	if (in_mini(node)) {
		xmlAttrPtr a;

		for (a = node->properties; a; a = a->next)
			if (!a->ns && !strcmp((const char *)a->name, name))
				return strdup(a->children ?
						      (const char *)a->children
							      ->content :
						      "");
		return NULL;
	}
	v = xmlGetNoNsProp(node, (const xmlChar *)name);
	if (!v)
		return NULL;
	s = strdup((const char *)v);
	mvn_xml_free(v);
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
	xmlChar *v;
	char *s;

	if (in_mini(node)) {
		struct mvn_buf b = { 0 };

		mini_content(node, &b);
		v = (xmlChar *)mvn_buf_steal(&b);
		s = trim_dup(v ? (const char *)v : "");
		free(v);
		return s;
	}
	v = xmlNodeGetContent(node);
	if (!v)
		return strdup("");
	s = trim_dup((const char *)v);
	mvn_xml_free(v);
	return s;
}

int mvn_xml_line(xmlNodePtr node)
{
	long l = in_mini(node) ? node->line : xmlGetLineNo(node);

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
		mvn_xml_free(v);
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
	mvn_xml_free(dump);
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
