/*
 * libxml2, loaded when a command first reads or writes XML.  Debian links
 * libxml2 (and the ICU it needs) with every symbol bound at load time: a
 * program linked with it spends about 2 ms starting before main(), which
 * is most of what port-list, port-delete or --version cost.  So the
 * programs are not linked with it; each function of it macvnet calls is
 * defined here under its own name, and the first call loads the library
 * and looks the function up.  A missing library ends the program with one
 * line naming the package.  Programs linked with libxml2 as well (the unit
 * tests) call its functions through these: the lookup finds the library's
 * own.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/relaxng.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "i18n.h"
#include "xml.h"

/* The soname of Debian's libxml2 (package libxml2). */
#define LIBXML2_SONAME "libxml2.so.2"

extern char *program_invocation_short_name;

/* Who says that libxml2 is missing (mvn_xml_on_failure()). */
static void (*failure)(const char *msg);

void mvn_xml_on_failure(void (*say)(const char *msg))
{
	failure = say;
}

/*
 * End the program saying what: the way the program says its errors, or
 * one line "PROGRAM: error: WHAT".
 */
static void fail(const char *what)
{
	if (failure)
		failure(what);
	else
		fprintf(stderr, "%s: %s %s\n", program_invocation_short_name,
			_("error:"), what);
	exit(1);
}

/* The library's handle, loaded on first use (or the program ends). */
static void *library(void)
{
	static void *handle;
	char what[1024];

	if (handle)
		return handle;
	handle = dlopen(LIBXML2_SONAME, RTLD_LAZY | RTLD_LOCAL);
	if (!handle) {
		snprintf(what, sizeof(what),
			 _("cannot load libxml2 (%s); install it with "
			   "'apt-get install libxml2'"),
			 dlerror());
		fail(what);
	}
	return handle;
}

/* The address of symbol name in the library (or the program ends). */
static void *symbol(const char *name)
{
	void *p = dlsym(library(), name);
	char what[256];

	if (!p) {
		snprintf(what, sizeof(what),
			 _("libxml2 has no %s; install libxml2 2.9 or later"),
			 name);
		fail(what);
	}
	return p;
}

/*
 * Fill the function pointer f with the library's function of the same
 * name, once (POSIX's way to store what dlsym() returns into one).
 */
#define LOOKUP(f, name)                                \
	do {                                           \
		if (!(f))                              \
			*(void **)&(f) = symbol(name); \
	} while (0)

void mvn_xml_free(void *p)
{
	static xmlFreeFunc *free_fn;

	if (!p)
		return;
	LOOKUP(free_fn, "xmlFree");
	(*free_fn)(p);
}

int *__xmlIndentTreeOutput(void)
{
	static int *(*f)(void);

	LOOKUP(f, "__xmlIndentTreeOutput");
	return f();
}

xmlNodePtr xmlAddChild(xmlNodePtr parent, xmlNodePtr cur)
{
	static xmlNodePtr (*f)(xmlNodePtr, xmlNodePtr);

	LOOKUP(f, "xmlAddChild");
	return f(parent, cur);
}

xmlNodePtr xmlAddNextSibling(xmlNodePtr cur, xmlNodePtr elem)
{
	static xmlNodePtr (*f)(xmlNodePtr, xmlNodePtr);

	LOOKUP(f, "xmlAddNextSibling");
	return f(cur, elem);
}

xmlNodePtr xmlAddPrevSibling(xmlNodePtr cur, xmlNodePtr elem)
{
	static xmlNodePtr (*f)(xmlNodePtr, xmlNodePtr);

	LOOKUP(f, "xmlAddPrevSibling");
	return f(cur, elem);
}

const xmlChar *xmlBufferContent(const xmlBuffer *buf)
{
	static const xmlChar *(*f)(const xmlBuffer *);

	LOOKUP(f, "xmlBufferContent");
	return f(buf);
}

xmlBufferPtr xmlBufferCreate(void)
{
	static xmlBufferPtr (*f)(void);

	LOOKUP(f, "xmlBufferCreate");
	return f();
}

void xmlBufferFree(xmlBufferPtr buf)
{
	static void (*f)(xmlBufferPtr);

	LOOKUP(f, "xmlBufferFree");
	f(buf);
}

xmlNodePtr xmlCopyNode(xmlNodePtr node, int recursive)
{
	static xmlNodePtr (*f)(xmlNodePtr, int);

	LOOKUP(f, "xmlCopyNode");
	return f(node, recursive);
}

xmlDocPtr xmlCtxtReadMemory(xmlParserCtxtPtr ctxt, const char *buffer, int size,
			    const char *url, const char *encoding, int options)
{
	static xmlDocPtr (*f)(xmlParserCtxtPtr, const char *, int, const char *,
			      const char *, int);

	LOOKUP(f, "xmlCtxtReadMemory");
	return f(ctxt, buffer, size, url, encoding, options);
}

void xmlDocDumpFormatMemory(xmlDocPtr cur, xmlChar **mem, int *size, int format)
{
	static void (*f)(xmlDocPtr, xmlChar **, int *, int);

	LOOKUP(f, "xmlDocDumpFormatMemory");
	f(cur, mem, size, format);
}

xmlNodePtr xmlDocGetRootElement(const xmlDoc *doc)
{
	static xmlNodePtr (*f)(const xmlDoc *);

	LOOKUP(f, "xmlDocGetRootElement");
	return f(doc);
}

void xmlFreeDoc(xmlDocPtr cur)
{
	static void (*f)(xmlDocPtr);

	LOOKUP(f, "xmlFreeDoc");
	f(cur);
}

void xmlFreeNode(xmlNodePtr cur)
{
	static void (*f)(xmlNodePtr);

	LOOKUP(f, "xmlFreeNode");
	f(cur);
}

void xmlFreeNs(xmlNsPtr cur)
{
	static void (*f)(xmlNsPtr);

	LOOKUP(f, "xmlFreeNs");
	f(cur);
}

void xmlFreeParserCtxt(xmlParserCtxtPtr ctxt)
{
	static void (*f)(xmlParserCtxtPtr);

	LOOKUP(f, "xmlFreeParserCtxt");
	f(ctxt);
}

long xmlGetLineNo(const xmlNode *node)
{
	static long (*f)(const xmlNode *);

	LOOKUP(f, "xmlGetLineNo");
	return f(node);
}

xmlChar *xmlGetNoNsProp(const xmlNode *node, const xmlChar *name)
{
	static xmlChar *(*f)(const xmlNode *, const xmlChar *);

	LOOKUP(f, "xmlGetNoNsProp");
	return f(node, name);
}

xmlEntityPtr xmlGetPredefinedEntity(const xmlChar *name)
{
	static xmlEntityPtr (*f)(const xmlChar *);

	LOOKUP(f, "xmlGetPredefinedEntity");
	return f(name);
}

xmlAttrPtr xmlHasProp(const xmlNode *node, const xmlChar *name)
{
	static xmlAttrPtr (*f)(const xmlNode *, const xmlChar *);

	LOOKUP(f, "xmlHasProp");
	return f(node, name);
}

int xmlIsBlankNode(const xmlNode *node)
{
	static int (*f)(const xmlNode *);

	LOOKUP(f, "xmlIsBlankNode");
	return f(node);
}

xmlNodePtr xmlNewChild(xmlNodePtr parent, xmlNsPtr ns, const xmlChar *name,
		       const xmlChar *content)
{
	static xmlNodePtr (*f)(xmlNodePtr, xmlNsPtr, const xmlChar *,
			       const xmlChar *);

	LOOKUP(f, "xmlNewChild");
	return f(parent, ns, name, content);
}

xmlNodePtr xmlNewNode(xmlNsPtr ns, const xmlChar *name)
{
	static xmlNodePtr (*f)(xmlNsPtr, const xmlChar *);

	LOOKUP(f, "xmlNewNode");
	return f(ns, name);
}

xmlNsPtr xmlNewNs(xmlNodePtr node, const xmlChar *href, const xmlChar *prefix)
{
	static xmlNsPtr (*f)(xmlNodePtr, const xmlChar *, const xmlChar *);

	LOOKUP(f, "xmlNewNs");
	return f(node, href, prefix);
}

xmlParserCtxtPtr xmlNewParserCtxt(void)
{
	static xmlParserCtxtPtr (*f)(void);

	LOOKUP(f, "xmlNewParserCtxt");
	return f();
}

int xmlNodeDump(xmlBufferPtr buf, xmlDocPtr doc, xmlNodePtr cur, int level,
		int format)
{
	static int (*f)(xmlBufferPtr, xmlDocPtr, xmlNodePtr, int, int);

	LOOKUP(f, "xmlNodeDump");
	return f(buf, doc, cur, level, format);
}

xmlChar *xmlNodeGetContent(const xmlNode *cur)
{
	static xmlChar *(*f)(const xmlNode *);

	LOOKUP(f, "xmlNodeGetContent");
	return f(cur);
}

xmlChar *xmlNodeListGetString(xmlDocPtr doc, const xmlNode *list, int in_line)
{
	static xmlChar *(*f)(xmlDocPtr, const xmlNode *, int);

	LOOKUP(f, "xmlNodeListGetString");
	return f(doc, list, in_line);
}

void xmlRelaxNGFree(xmlRelaxNGPtr schema)
{
	static void (*f)(xmlRelaxNGPtr);

	LOOKUP(f, "xmlRelaxNGFree");
	f(schema);
}

void xmlRelaxNGFreeParserCtxt(xmlRelaxNGParserCtxtPtr ctxt)
{
	static void (*f)(xmlRelaxNGParserCtxtPtr);

	LOOKUP(f, "xmlRelaxNGFreeParserCtxt");
	f(ctxt);
}

void xmlRelaxNGFreeValidCtxt(xmlRelaxNGValidCtxtPtr ctxt)
{
	static void (*f)(xmlRelaxNGValidCtxtPtr);

	LOOKUP(f, "xmlRelaxNGFreeValidCtxt");
	f(ctxt);
}

xmlRelaxNGParserCtxtPtr xmlRelaxNGNewParserCtxt(const char *url)
{
	static xmlRelaxNGParserCtxtPtr (*f)(const char *);

	LOOKUP(f, "xmlRelaxNGNewParserCtxt");
	return f(url);
}

xmlRelaxNGValidCtxtPtr xmlRelaxNGNewValidCtxt(xmlRelaxNGPtr schema)
{
	static xmlRelaxNGValidCtxtPtr (*f)(xmlRelaxNGPtr);

	LOOKUP(f, "xmlRelaxNGNewValidCtxt");
	return f(schema);
}

xmlRelaxNGPtr xmlRelaxNGParse(xmlRelaxNGParserCtxtPtr ctxt)
{
	static xmlRelaxNGPtr (*f)(xmlRelaxNGParserCtxtPtr);

	LOOKUP(f, "xmlRelaxNGParse");
	return f(ctxt);
}

void xmlRelaxNGSetParserStructuredErrors(xmlRelaxNGParserCtxtPtr ctxt,
					 xmlStructuredErrorFunc serror,
					 void *ctx)
{
	static void (*f)(xmlRelaxNGParserCtxtPtr, xmlStructuredErrorFunc,
			 void *);

	LOOKUP(f, "xmlRelaxNGSetParserStructuredErrors");
	f(ctxt, serror, ctx);
}

void xmlRelaxNGSetValidStructuredErrors(xmlRelaxNGValidCtxtPtr ctxt,
					xmlStructuredErrorFunc serror,
					void *ctx)
{
	static void (*f)(xmlRelaxNGValidCtxtPtr, xmlStructuredErrorFunc,
			 void *);

	LOOKUP(f, "xmlRelaxNGSetValidStructuredErrors");
	f(ctxt, serror, ctx);
}

int xmlRelaxNGValidateDoc(xmlRelaxNGValidCtxtPtr ctxt, xmlDocPtr doc)
{
	static int (*f)(xmlRelaxNGValidCtxtPtr, xmlDocPtr);

	LOOKUP(f, "xmlRelaxNGValidateDoc");
	return f(ctxt, doc);
}

int xmlSAX2GetLineNumber(void *ctx)
{
	static int (*f)(void *);

	LOOKUP(f, "xmlSAX2GetLineNumber");
	return f(ctx);
}

void xmlSetNs(xmlNodePtr node, xmlNsPtr ns)
{
	static void (*f)(xmlNodePtr, xmlNsPtr);

	LOOKUP(f, "xmlSetNs");
	f(node, ns);
}

xmlAttrPtr xmlSetProp(xmlNodePtr node, const xmlChar *name,
		      const xmlChar *value)
{
	static xmlAttrPtr (*f)(xmlNodePtr, const xmlChar *, const xmlChar *);

	LOOKUP(f, "xmlSetProp");
	return f(node, name, value);
}

void xmlSetStructuredErrorFunc(void *ctx, xmlStructuredErrorFunc handler)
{
	static void (*f)(void *, xmlStructuredErrorFunc);

	LOOKUP(f, "xmlSetStructuredErrorFunc");
	f(ctx, handler);
}

void xmlStopParser(xmlParserCtxtPtr ctxt)
{
	static void (*f)(xmlParserCtxtPtr);

	LOOKUP(f, "xmlStopParser");
	f(ctxt);
}

void xmlUnlinkNode(xmlNodePtr cur)
{
	static void (*f)(xmlNodePtr);

	LOOKUP(f, "xmlUnlinkNode");
	f(cur);
}

int xmlUnsetProp(xmlNodePtr node, const xmlChar *name)
{
	static int (*f)(xmlNodePtr, const xmlChar *);

	LOOKUP(f, "xmlUnsetProp");
	return f(node, name);
}
