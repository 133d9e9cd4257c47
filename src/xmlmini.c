/*
 * A reader of plain XML that needs no libxml2 (xml.h): what libvirt writes
 * for a domain, read into a tree of libxml2's public node types, the very
 * tree libxml2 would build with the options mvn_xml_parse() gives it.  The
 * hook reads each domain with it, so that starting a domain does not pay
 * for loading libxml2 and ICU.
 *
 * It reads only what it is sure of: UTF-8 without a byte-order mark or
 * carriage returns, elements and attributes with ASCII names, namespaces
 * declared on the way, text with the five predefined entities and
 * character references, CDATA sections, comments, and an XML declaration
 * of version 1.0 in UTF-8.  Anything else (a DOCTYPE, a processing
 * instruction, an undeclared prefix, a document near one of macvnet's
 * limits, a document that is not well formed) makes it give up, and the
 * caller hands the text to libxml2, whose verdict and messages stand.  It
 * never reports an error of its own.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xml.h"

/* doc->_private of a tree made here. */
static char mini_mark;
/* The names libxml2 gives its text and comment nodes. */
static char text_name[] = "text";
static char comment_name[] = "comment";

struct mini {
	const char *p, *end;
	int line;
	xmlDocPtr doc;
	int elements, attrs;
	struct mvn_buf text; /* the text being gathered */
	size_t run; /* bytes of text since the last tag, as libxml2 counts */
	bool chars; /* character data since the last node, if only "" */
};

/* Every byte of s is UTF-8 and a character XML allows, but carriage return. */
static bool chars_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		unsigned char tail[5] = { 0 };
		const unsigned char *c = s + i;
		uint32_t cp;

		/* mvn_utf8_char() stops at a NUL; s has none at its end. */
		if (n - i < 4) {
			memcpy(tail, c, n - i);
			c = tail;
		}
		k = mvn_utf8_char(c, &cp);
		if (!k || (cp < 0x20 && cp != '\t' && cp != '\n') ||
		    cp == 0xfffe || cp == 0xffff)
			return false;
		i += k;
	}
	return true;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static bool at(const struct mini *m, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(m->end - m->p) >= n && !memcmp(m->p, s, n);
}

/* Move on n bytes, counting lines. */
static void step(struct mini *m, size_t n)
{
	for (; n; n--, m->p++)
		if (*m->p == '\n')
			m->line++;
}

static void skip_ws(struct mini *m)
{
	while (m->p < m->end && is_ws(*m->p))
		step(m, 1);
}

static bool name_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/*
 * A name, "local" or "prefix:local", at m->p: its parts copied out (prefix
 * "" when none).  False for anything else, a name of more than 127 bytes
 * included.
 */
static bool take_qname(struct mini *m, char prefix[128], char local[128])
{
	const char *s = m->p, *colon = NULL, *e;

	if (s >= m->end || !name_start(*s))
		return false;
	for (e = s + 1; e < m->end && (name_char(*e) || *e == ':'); e++) {
		if (*e != ':')
			continue;
		if (colon || e + 1 >= m->end || !name_start(e[1]))
			return false;
		colon = e;
	}
	if (e - s > 127)
		return false;
	if (colon) {
		memcpy(prefix, s, (size_t)(colon - s));
		prefix[colon - s] = '\0';
		memcpy(local, colon + 1, (size_t)(e - colon - 1));
		local[e - colon - 1] = '\0';
	} else {
		prefix[0] = '\0';
		memcpy(local, s, (size_t)(e - s));
		local[e - s] = '\0';
	}
	step(m, (size_t)(e - s));
	return true;
}

static bool put(struct mini *m, const char *s, size_t n)
{
	mvn_buf_add(&m->text, s, n);
	return !m->text.oom;
}

/* The character cp (an XML Char) as UTF-8, added to the text. */
static bool put_char(struct mini *m, uint32_t cp)
{
	char u[4];
	size_t n;

	if (!(cp == 0x9 || cp == 0xa || cp == 0xd ||
	      (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	      (cp >= 0x10000 && cp <= 0x10ffff)))
		return false;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return put(m, u, n);
}

/* A reference at m->p ("&...;"), its character added to the text. */
static bool take_ref(struct mini *m)
{
	static const struct {
		const char *ref;
		char c;
	} named[] = { { "&lt;", '<' },
		      { "&gt;", '>' },
		      { "&amp;", '&' },
		      { "&apos;", '\'' },
		      { "&quot;", '"' } };
	uint32_t cp = 0;
	const char *s;
	size_t i;
	bool hex;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (at(m, named[i].ref)) {
			step(m, strlen(named[i].ref));
			return put(m, &named[i].c, 1);
		}
	if (!at(m, "&#"))
		return false;
	hex = m->end - m->p > 2 && m->p[2] == 'x';
	for (s = m->p + (hex ? 3 : 2); s < m->end && *s != ';'; s++) {
		int d = *s >= '0' && *s <= '9'	      ? *s - '0' :
			hex && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 :
			hex && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 :
							-1;

		if (d < 0 || cp > 0x10ffff)
			return false;
		cp = cp * (hex ? 16 : 10) + (uint32_t)d;
	}
	if (s >= m->end || s == m->p + (hex ? 3 : 2))
		return false;
	step(m, (size_t)(s + 1 - m->p));
	return put_char(m, cp);
}

/* A node of type t called name, last child of parent. */
static xmlNodePtr new_node(struct mini *m, xmlNodePtr parent, xmlElementType t,
			   char *name)
{
	xmlNodePtr n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->type = t;
	n->name = (const xmlChar *)name;
	n->doc = m->doc;
	n->line = (unsigned short)m->line;
	if (parent) {
		n->parent = parent;
		n->prev = parent->last;
		if (parent->last)
			parent->last->next = n;
		else
			parent->children = n;
		parent->last = n;
	} else {
		n->parent = (xmlNodePtr)m->doc;
		n->prev = m->doc->last;
		if (m->doc->last)
			m->doc->last->next = n;
		else
			m->doc->children = n;
		m->doc->last = n;
	}
	return n;
}

/* The gathered text, if any, as a text node of parent. */
static bool flush_text(struct mini *m, xmlNodePtr parent)
{
	xmlNodePtr n;

	if (!m->text.len && !m->chars)
		return true;
	n = new_node(m, parent, XML_TEXT_NODE, text_name);
	if (!n)
		return false;
	n->content = (xmlChar *)strndup(m->text.data ? m->text.data : "",
					m->text.len);
	m->text.len = 0;
	m->chars = false;
	return n->content != NULL;
}

/* A comment at m->p ("<!--"), as a node of parent (the document if NULL). */
static bool take_comment(struct mini *m, xmlNodePtr parent)
{
	const char *s = m->p + 4, *e;
	xmlNodePtr n;

	for (e = s; e + 1 < m->end && !(e[0] == '-' && e[1] == '-'); e++)
		;
	if (e + 2 >= m->end || e[2] != '>')
		return false;
	step(m, (size_t)(e + 3 - m->p));
	n = new_node(m, parent, XML_COMMENT_NODE, comment_name);
	if (!n)
		return false;
	n->content = (xmlChar *)strndup(s, (size_t)(e - s));
	return n->content != NULL;
}

/* The namespace prefix (NULL: the default one) has in scope at node n. */
static xmlNsPtr find_ns(xmlNodePtr n, const char *prefix)
{
	xmlNsPtr ns;

	for (; n && n->type == XML_ELEMENT_NODE; n = n->parent)
		for (ns = n->nsDef; ns; ns = ns->next)
			if (prefix ? ns->prefix &&
					     !strcmp((const char *)ns->prefix,
						     prefix) :
				     !ns->prefix)
				return ns;
	return NULL;
}

/* One attribute as written, before its namespace is known. */
struct raw_attr {
	char prefix[128], local[128];
	char *value;
	xmlNsPtr ns; /* once known */
};

/* An attribute's value at m->p (quoted), decoded and normalized. */
static char *take_value(struct mini *m)
{
	size_t amps = 0;
	char q;

	if (m->p >= m->end || (*m->p != '"' && *m->p != '\''))
		return NULL;
	q = *m->p;
	step(m, 1);
	m->text.len = 0;
	while (m->p < m->end && *m->p != q) {
		if (*m->p == '<')
			return NULL;
		if (*m->p == '&') {
			if (!take_ref(m))
				return NULL;
			/* libxml2 measures an & of a value as "&#38;". */
			if (m->text.data[m->text.len - 1] == '&')
				amps++;
			continue;
		}
		/* A tab or line end in a value reads as a space. */
		if (!put(m, is_ws(*m->p) ? " " : m->p, 1))
			return NULL;
		step(m, 1);
	}
	/* Near the limit on values, libxml2's measure is the one to judge. */
	if (m->p >= m->end || m->text.len + 4 * amps > MVN_XML_MAX_TEXT / 2)
		return NULL;
	step(m, 1);
	return strndup(m->text.data ? m->text.data : "", m->text.len);
}

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/*
 * A namespace name libxml2 surely takes: an absolute URI of the plainest
 * kind (scheme, an optional host and port, then letters, digits and
 * "._~:/-"), and none of the two names XML keeps for itself.  libxml2
 * refuses a name it cannot parse as a URI; anything less plain goes to it.
 */
static bool uri_plain(const char *s)
{
	const char *p = s;

	if (!strcmp(s, "http://www.w3.org/XML/1998/namespace") ||
	    !strcmp(s, "http://www.w3.org/2000/xmlns/"))
		return false;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return false;
	for (p++; alnum(*p) || *p == '+' || *p == '-' || *p == '.'; p++)
		;
	if (*p++ != ':' || !*p)
		return false;
	if (p[0] == '/' && p[1] == '/') {
		const char *host = p += 2;

		while (alnum(*p) || *p == '.' || *p == '-')
			p++;
		if (p == host)
			return false;
		if (*p == ':') {
			const char *port = ++p;
			long v = 0;

			/* libxml2 refuses a port past 2^31 - 1. */
			while (*p >= '0' && *p <= '9' && v <= 65535)
				v = v * 10 + (*p++ - '0');
			if (p == port || v > 65535)
				return false;
		}
		if (*p && *p != '/')
			return false;
	}
	for (; *p; p++)
		if (!alnum(*p) && !strchr("._~:/-", *p))
			return false;
	return true;
}

static bool add_ns(xmlNodePtr n, const char *prefix, char *href)
{
	xmlNsPtr ns = calloc(1, sizeof(*ns)), *tail;

	if (!ns) {
		free(href);
		return false;
	}
	ns->type = XML_NAMESPACE_DECL;
	ns->href = (xmlChar *)href;
	ns->prefix = prefix ? (xmlChar *)strdup(prefix) : NULL;
	for (tail = &n->nsDef; *tail; tail = &(*tail)->next)
		;
	*tail = ns;
	return !prefix || ns->prefix;
}

static bool add_attr(struct mini *m, xmlNodePtr n, struct raw_attr *a)
{
	xmlAttrPtr at = calloc(1, sizeof(*at)), *tail;
	xmlNodePtr t;

	if (!at)
		return false;
	at->type = XML_ATTRIBUTE_NODE;
	at->parent = n;
	at->doc = m->doc;
	for (tail = &n->properties; *tail; tail = &(*tail)->next)
		at->prev = *tail;
	*tail = at;
	at->name = (const xmlChar *)strdup(a->local);
	if (!at->name)
		return false;
	if (a->prefix[0] && !(at->ns = find_ns(n, a->prefix)))
		return false;
	a->ns = at->ns;
	/* As libxml2 does, an empty value too is one text node. */
	t = calloc(1, sizeof(*t));
	if (!t)
		return false;
	t->type = XML_TEXT_NODE;
	t->name = (const xmlChar *)text_name;
	t->parent = (xmlNodePtr)at;
	t->doc = m->doc;
	t->content = (xmlChar *)a->value;
	a->value = NULL;
	at->children = at->last = t;
	return true;
}

static void free_raw(struct raw_attr *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].value);
}

/*
 * The attributes of the start tag at m->p (after its name) into n: the
 * namespaces it declares first, then the others, each name once.
 */
static bool take_attrs(struct mini *m, xmlNodePtr n, bool *empty)
{
	struct raw_attr v[MVN_XML_MAX_ATTRS];
	size_t k = 0, i, j;
	bool ok = true;

	for (;;) {
		bool ws = m->p < m->end && is_ws(*m->p);

		skip_ws(m);
		if (at(m, "/>") || at(m, ">"))
			break;
		if (!ws || k == MVN_XML_MAX_ATTRS ||
		    !take_qname(m, v[k].prefix, v[k].local)) {
			ok = false;
			break;
		}
		skip_ws(m);
		if (!at(m, "=")) {
			ok = false;
			break;
		}
		step(m, 1);
		skip_ws(m);
		v[k].value = take_value(m);
		if (!v[k].value) {
			ok = false;
			break;
		}
		k++;
	}
	*empty = ok && at(m, "/>");
	if (ok)
		step(m, *empty ? 2 : 1);
	m->attrs += (int)k;
	ok = ok && m->attrs <= MVN_XML_MAX_ALL_ATTRS;
	/* Namespace declarations: a prefixed one names something. */
	for (i = 0; ok && i < k; i++) {
		bool named = !strcmp(v[i].prefix, "xmlns");

		if (!named && (v[i].prefix[0] || strcmp(v[i].local, "xmlns")))
			continue;
		ok = uri_plain(v[i].value) &&
		     (!named || (strcmp(v[i].local, "xml") &&
				 strcmp(v[i].local, "xmlns")));
		if (ok) {
			/* add_ns() takes the value, even when it fails. */
			ok = add_ns(n, named ? v[i].local : NULL, v[i].value);
			v[i].value = NULL;
		}
	}
	for (i = 0; ok && i < k; i++)
		for (j = 0; ok && j < i; j++)
			ok = strcmp(v[i].prefix, v[j].prefix) ||
			     strcmp(v[i].local, v[j].local);
	for (i = 0; ok && i < k; i++)
		if (v[i].value)
			ok = strcmp(v[i].prefix, "xml") &&
			     add_attr(m, n, &v[i]);
	/* Two prefixes for one namespace could name one attribute twice. */
	for (i = 0; ok && i < k; i++)
		for (j = 0; ok && j < i; j++)
			ok = !v[i].prefix[0] || !v[j].prefix[0] ||
			     !strcmp(v[i].prefix, "xmlns") ||
			     !strcmp(v[j].prefix, "xmlns") ||
			     !strcmp(v[i].prefix, v[j].prefix) ||
			     strcmp(v[i].local, v[j].local) ||
			     strcmp((const char *)v[i].ns->href,
				    (const char *)v[j].ns->href);
	free_raw(v, k);
	return ok;
}

static bool take_element(struct mini *m, xmlNodePtr parent, int depth);

/* The content of element n, up to and with its end tag. */
static bool take_content(struct mini *m, xmlNodePtr n, const char *qname,
			 int depth)
{
	m->text.len = 0;
	m->run = 0;
	m->chars = false;
	while (m->p < m->end) {
		/* Near the limit on text, libxml2's count is the one to judge. */
		if (m->run > MVN_XML_MAX_TEXT / 2)
			return false;
		if (*m->p == '&') {
			size_t before = m->text.len;

			if (!take_ref(m))
				return false;
			m->run += m->text.len - before;
			m->chars = true;
		} else if (*m->p != '<') {
			if (at(m, "]]>") || !put(m, m->p, 1))
				return false;
			step(m, 1);
			m->run++;
			m->chars = true;
		} else if (at(m, "<![CDATA[")) {
			const char *s = m->p + 9, *e;

			for (e = s; e + 2 < m->end && memcmp(e, "]]>", 3); e++)
				;
			if (e + 2 >= m->end || !put(m, s, (size_t)(e - s)))
				return false;
			m->run += (size_t)(e - s);
			/* Even an empty section makes a text node in libxml2. */
			m->chars = true;
			step(m, (size_t)(e + 3 - m->p));
		} else if (at(m, "<!--")) {
			if (!flush_text(m, n) || !take_comment(m, n))
				return false;
		} else if (at(m, "</")) {
			char prefix[128], local[128], q[260];

			if (!flush_text(m, n))
				return false;
			step(m, 2);
			if (!take_qname(m, prefix, local))
				return false;
			snprintf(q, sizeof(q), "%s%s%s", prefix,
				 *prefix ? ":" : "", local);
			skip_ws(m);
			if (strcmp(q, qname) || !at(m, ">"))
				return false;
			step(m, 1);
			return true;
		} else if (at(m, "<!") || at(m, "<?")) {
			return false;
		} else {
			if (!flush_text(m, n) || !take_element(m, n, depth + 1))
				return false;
			m->text.len = 0;
			m->run = 0;
			m->chars = false;
		}
	}
	return false;
}

/* The element at m->p ("<"), as the last child of parent (NULL: root). */
static bool take_element(struct mini *m, xmlNodePtr parent, int depth)
{
	char prefix[128], local[128], qname[260], *name;
	xmlNodePtr n;
	bool empty;

	if (depth > MVN_XML_MAX_DEPTH || ++m->elements > MVN_XML_MAX_ELEMENTS)
		return false;
	step(m, 1);
	if (!take_qname(m, prefix, local))
		return false;
	snprintf(qname, sizeof(qname), "%s%s%s", prefix, *prefix ? ":" : "",
		 local);
	name = strdup(local);
	n = name ? new_node(m, parent, XML_ELEMENT_NODE, name) : NULL;
	if (!n) {
		free(name);
		return false;
	}
	if (!take_attrs(m, n, &empty))
		return false;
	/*
	 * libxml2 gives an element the line its start tag ends on, and
	 * 65535 to all past that.
	 */
	if (m->line >= 65535)
		return false;
	n->line = (unsigned short)m->line;
	if (!strcmp(prefix, "xml") || !strcmp(prefix, "xmlns"))
		return false;
	n->ns = find_ns(n, *prefix ? prefix : NULL);
	if (*prefix && !n->ns)
		return false;
	return empty || take_content(m, n, qname, depth);
}

/* A quoted value at m->p with no reference or "<" in it (a declaration's). */
static char *take_plain_value(struct mini *m)
{
	const char *s, *e;

	if (m->p >= m->end || (*m->p != '"' && *m->p != '\''))
		return NULL;
	s = m->p + 1;
	for (e = s; e < m->end && *e != *m->p; e++)
		if (*e == '&' || *e == '<')
			return NULL;
	if (e >= m->end)
		return NULL;
	step(m, (size_t)(e + 1 - m->p));
	return strndup(s, (size_t)(e - s));
}

/* Version 1.0, in UTF-8 if said, standalone or not: nothing else. */
static bool take_decl(struct mini *m)
{
	static const char *const keys[] = { "version", "encoding",
					    "standalone" };
	size_t next = 0, i;

	step(m, 5);
	for (;;) {
		char prefix[128], local[128], *v;
		bool ws = m->p < m->end && is_ws(*m->p), ok;

		skip_ws(m);
		if (at(m, "?>")) {
			step(m, 2);
			return next > 0;
		}
		if (!ws || !take_qname(m, prefix, local) || *prefix)
			return false;
		for (i = next; i < 3 && strcmp(keys[i], local); i++)
			;
		if (i == 3 || (next == 0 && i != 0))
			return false;
		next = i + 1;
		skip_ws(m);
		if (!at(m, "="))
			return false;
		step(m, 1);
		skip_ws(m);
		v = take_plain_value(m);
		ok = v && (i == 0 ? !strcmp(v, "1.0") :
			   i == 1 ? !strcasecmp(v, "UTF-8") :
				    !strcmp(v, "yes") || !strcmp(v, "no"));
		free(v);
		if (!ok)
			return false;
	}
}

/* Comments and blanks before or after the root element. */
static bool take_misc(struct mini *m)
{
	for (;;) {
		skip_ws(m);
		if (!at(m, "<!--"))
			return true;
		if (!take_comment(m, NULL))
			return false;
	}
}

static void free_nodes(xmlNodePtr n)
{
	while (n) {
		xmlNodePtr next = n->next;
		xmlAttrPtr a = n->type == XML_ELEMENT_NODE ? n->properties :
							     NULL;

		while (a) {
			xmlAttrPtr an = a->next;

			free_nodes(a->children);
			free((char *)a->name);
			free(a);
			a = an;
		}
		if (n->type == XML_ELEMENT_NODE) {
			xmlNsPtr ns = n->nsDef;

			while (ns) {
				xmlNsPtr nn = ns->next;

				free((char *)ns->href);
				free((char *)ns->prefix);
				free(ns);
				ns = nn;
			}
			free_nodes(n->children);
			free((char *)n->name);
		}
		free(n->content);
		free(n);
		n = next;
	}
}

void mvn_xml_mini_free(xmlDocPtr doc)
{
	if (!doc)
		return;
	free_nodes(doc->children);
	free(doc);
}

bool mvn_xml_is_mini(const xmlDoc *doc)
{
	return doc && doc->_private == &mini_mark;
}

int mvn_xml_mini_parse(const char *text, size_t len, xmlDocPtr *out)
{
	struct mini m = { .p = text, .end = text + len, .line = 1 };
	bool ok;

	if (len > MVN_XML_MAX_SIZE || memchr(text, '\r', len) ||
	    !chars_ok((const unsigned char *)text, len))
		return -1;
	m.doc = calloc(1, sizeof(*m.doc));
	if (!m.doc)
		return -1;
	m.doc->type = XML_DOCUMENT_NODE;
	m.doc->_private = &mini_mark;
	ok = !at(&m, "<?xml") || (len > 5 && is_ws(text[5]) && take_decl(&m));
	ok = ok && take_misc(&m) && at(&m, "<") && !at(&m, "<!") &&
	     !at(&m, "<?") && take_element(&m, NULL, 1) && take_misc(&m) &&
	     m.p == m.end;
	mvn_buf_free(&m.text);
	if (!ok) {
		mvn_xml_mini_free(m.doc);
		return -1;
	}
	*out = m.doc;
	return 0;
}
