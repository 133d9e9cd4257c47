/*
 * Safe parsing of untrusted XML and small accessors; only the XML modules
 * (network, iface, schema) include this header and libxml2.
 */
#ifndef MVN_XML_H
#define MVN_XML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "error.h"
#include "xnode.h"

/*
 * Bounds on what a document may hold, far above any real network or domain
 * (libvirt's largest test documents have 139 elements, 7 attributes on an
 * element, 6 levels), so that parsing and RelaxNG validation, whose cost
 * grows faster than the input, stay within about 100 ms and 50 MB.
 */
#define MVN_XML_MAX_ATTRS 64 /* per element, namespace declarations included */
#define MVN_XML_MAX_ELEMENTS 5000 /* per document */
#define MVN_XML_MAX_ALL_ATTRS 20000 /* per document */
#define MVN_XML_MAX_DEPTH 64 /* levels of elements, the root is 1 */
#define MVN_XML_MAX_TEXT (64 * 1024) /* bytes of one text or attribute value */

/*
 * Parse text (len bytes) into a document: no network, no DTD loading, no
 * entity substitution; a DOCTYPE or entity declaration is refused, and so
 * is a NUL byte or a document over one of the limits above (-E2BIG, with
 * the line).  name is used in messages.  *out is set only on success; free
 * it with xmlFreeDoc().
 */
int mvn_xml_parse(const char *text, size_t len, const char *name,
		  xmlDocPtr *out, struct mvn_error *err);

/* Read and parse a file (or "-" for standard input), at most 1 MiB. */
int mvn_xml_parse_file(const char *path, xmlDocPtr *out, struct mvn_error *err);

/*
 * The same, but plain XML is read without libxml2 (xmlmini.c), into the
 * tree libxml2 would build; anything else goes to libxml2 as above.  Read
 * such a tree only with the accessors below and mvn_xml_root(), and free
 * it with mvn_xml_doc_free(): libxml2 is not loaded for it.
 */
int mvn_xml_parse_plain(const char *text, size_t len, const char *name,
			xmlDocPtr *out, struct mvn_error *err);
/* Free a document of mvn_xml_parse() or mvn_xml_parse_plain(). */
void mvn_xml_doc_free(xmlDocPtr doc);
/* The root element of doc, or NULL. */
xmlNodePtr mvn_xml_root(xmlDocPtr doc);

/*
 * The reader of plain XML (xmlmini.c): 0 with *out, or -1 when the text is
 * not plain XML it is sure of (then libxml2 must judge it).
 */
int mvn_xml_mini_parse(const char *text, size_t len, xmlDocPtr *out);
/* Whether doc was made by mvn_xml_mini_parse(). */
bool mvn_xml_is_mini(const xmlDoc *doc);
void mvn_xml_mini_free(xmlDocPtr doc);

/*
 * Free what libxml2 returned (its xmlFree): libxml2 is loaded when first
 * used (xmlload.c), so its variables are not linked to.
 */
void mvn_xml_free(void *p);
/*
 * When libxml2 cannot be loaded, the program ends (exit code 1) after say
 * is given the message (by default: one line on stderr).
 */
void mvn_xml_on_failure(void (*say)(const char *msg));
/* A copy of attribute name of node (caller frees), or NULL if absent. */
char *mvn_xml_prop(xmlNodePtr node, const char *name);
/* A copy of the text content of node, trimmed (caller frees). */
char *mvn_xml_text(xmlNodePtr node);
/* The element's line in its document. */
int mvn_xml_line(xmlNodePtr node);
/* Whether node is an element with this local name and no namespace. */
bool mvn_xml_is(xmlNodePtr node, const char *name);
/* The qualified name (prefix:local) of an element (caller frees). */
char *mvn_xml_qname(xmlNodePtr node);

/* Remove text made only of white space between elements, recursively. */
void mvn_xml_strip_blanks(xmlNodePtr node);

/* The first child element of node called name (no namespace), or NULL. */
xmlNodePtr mvn_xml_child(xmlNodePtr node, const char *name);
/* Remove and free every child element of node called name. */
void mvn_xml_drop_children(xmlNodePtr node, const char *name);
/*
 * The document indented, without the XML declaration (as virsh dumpxml
 * prints domains).  The caller frees it; NULL when out of memory.
 */
char *mvn_xml_dump_body(xmlDocPtr doc);

/* Copy an element and its subtree into a preserved node (caller frees). */
struct mvn_xnode *mvn_xml_to_xnode(xmlNodePtr node);

/*
 * Serialise a <metadata> element the way libvirt keeps it: blanks between
 * elements dropped, only the first element of each namespace kept, children
 * indented two spaces per level under an element at indentation level 1.
 * Elements in own_ns (macvnet's namespace) are all kept, gathered into one
 * <own_wrapper> element.  The caller frees the text; NULL when out of memory.
 */
char *mvn_xml_dump_metadata(xmlNodePtr node, const char *own_ns,
			    const char *own_wrapper);

#endif
