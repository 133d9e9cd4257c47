/* RelaxNG validation of network, interface and domain documents. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "iface.h"
#include "schema.h"
#include "util.h"
#include "xml.h"

/* The document kinds macvnet knows, by root element, and their schemas. */
static const struct {
	const char *root;
	const char *file;
} kinds[] = {
	{ "network", "network.rng" },
	{ "interface", "interface.rng" },
	{ "domain", "domain.rng" },
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct mvn_schema {
	char *dir;
	xmlRelaxNGPtr compiled[NKINDS];
};

struct verr {
	struct mvn_error *err;
	const char *name;
	xmlDocPtr doc;
	bool failed;
};

/* The line of the first element called name in the document, or 0. */
static int find_line(xmlNodePtr node, const char *name)
{
	xmlNodePtr c;
	int line;

	for (; node; node = node->next) {
		if (node->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)node->name, name))
			return (int)xmlGetLineNo(node);
		for (c = node->children; c; c = c->next) {
			line = find_line(c, name);
			if (line > 0)
				return line;
		}
	}
	return 0;
}

static void on_schema_error(void *data, xmlErrorPtr e)
{
	struct verr *v = data;
	char msg[400];
	size_t n;
	int line;

	if (!e || e->level < XML_ERR_ERROR || v->failed)
		return;
	snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "?");
	n = strlen(msg);
	while (n && isspace((unsigned char)msg[n - 1]))
		msg[--n] = '\0';
	v->failed = true;
	line = e->line;
	if (line <= 0 && e->node)
		line = (int)xmlGetLineNo((xmlNodePtr)e->node);
	if (line <= 0 && v->doc) {
		char elem[64];

		/*
		 * libxml2 reports a mismatch inside an unordered group only
		 * as the group's failure; name the element and its line.
		 */
		if (sscanf(msg, "Extra element %63s in interleave", elem) ==
		    1) {
			line = find_line(xmlDocGetRootElement(v->doc), elem);
			mvn_error_setl(v->err, -EINVAL, line,
				       _("%1$s:%2$d: <%3$s> does not match the "
					 "schema: one of its attributes, "
					 "children or values is not allowed "
					 "there"),
				       v->name, line, elem);
			return;
		}
	}
	mvn_error_setl(v->err, -EINVAL, line,
		       _("%1$s:%2$d: does not match the schema: %3$s"), v->name,
		       line, msg);
}

int mvn_schema_open(const char *dir, struct mvn_schema **out,
		    struct mvn_error *err)
{
	struct mvn_schema *s;
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return mvn_error_set(err, -ENOENT,
				     _("schema directory %s not found (set "
				       "MACVNET_SCHEMA_DIR to the directory "
				       "holding network.rng)"),
				     dir);
	s = calloc(1, sizeof(*s));
	if (!s || !(s->dir = strdup(dir))) {
		free(s);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	*out = s;
	return 0;
}

void mvn_schema_free(struct mvn_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < NKINDS; i++)
		if (s->compiled[i])
			xmlRelaxNGFree(s->compiled[i]);
	free(s->dir);
	free(s);
}

static int compile(struct mvn_schema *s, size_t k, const char *doc,
		   struct mvn_error *err)
{
	struct verr v = { .err = err };
	xmlRelaxNGParserCtxtPtr pctxt;
	char path[4096];
	struct stat st;

	if (s->compiled[k])
		return 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", s->dir,
			     kinds[k].file) >= sizeof(path))
		return mvn_error_set(err, -ENAMETOOLONG,
				     _("schema path too long: %s"), s->dir);
	if (stat(path, &st) < 0)
		return mvn_error_set(err, -ENOENT,
				     _("%1$s: cannot check a <%2$s> document: "
				       "schema %3$s not found (set "
				       "MACVNET_SCHEMA_DIR to the directory "
				       "holding the installed schemas)"),
				     doc, kinds[k].root, path);
	v.name = path;
	pctxt = xmlRelaxNGNewParserCtxt(path);
	if (!pctxt)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	xmlRelaxNGSetParserStructuredErrors(pctxt, on_schema_error, &v);
	s->compiled[k] = xmlRelaxNGParse(pctxt);
	xmlRelaxNGFreeParserCtxt(pctxt);
	if (!s->compiled[k]) {
		if (!v.failed)
			mvn_error_set(err, -EINVAL,
				      _("schema %s cannot be compiled"), path);
		return -EINVAL;
	}
	return 0;
}

/*
 * The values of a domain (its type, its interfaces) first: the grammar
 * refuses a bad one only as its <devices> or its <interface> not
 * matching, while the interface rules name the attribute, the value and
 * what to write.  They also apply the kernel's rules to the interface
 * names, which libvirt's grammar leaves to the kernel.
 */
static int check_values(xmlNodePtr root, const char *name,
			struct mvn_error *err)
{
	if (mvn_xml_is(root, "interface"))
		return mvn_iface_check_xml(root, name, err);
	if (mvn_xml_is(root, "domain"))
		return mvn_domain_check_xml(root, name, err);
	return 0;
}

int mvn_schema_validate(struct mvn_schema *s, const char *text, size_t len,
			const char *name, const char **kind,
			struct mvn_error *err)
{
	struct verr v = { .err = err, .name = name };
	xmlRelaxNGValidCtxtPtr vctxt = NULL;
	xmlDocPtr doc = NULL;
	xmlNodePtr root;
	size_t k;
	int ret;

	ret = mvn_xml_parse(text, len, name, &doc, err);
	if (ret < 0)
		return ret;
	root = xmlDocGetRootElement(doc);
	for (k = 0; k < NKINDS; k++)
		if (mvn_xml_is(root, kinds[k].root))
			break;
	if (k == NKINDS && root->ns && root->ns->href) {
		ret = mvn_error_setl(
			err, -EINVAL, mvn_xml_line(root),
			_("%1$s: the root element <%2$s> is in "
			  "the namespace '%3$s'; libvirt documents "
			  "have none (remove the xmlns "
			  "attribute)"),
			name, (const char *)root->name,
			(const char *)root->ns->href);
		goto cleanup;
	}
	if (k == NKINDS) {
		char *q = mvn_xml_qname(root);

		ret = mvn_error_setl(err, -EINVAL, mvn_xml_line(root),
				     _("%1$s: the root element <%2$s> is not "
				       "a document macvnet knows (network, "
				       "domain or interface)"),
				     name, q ? q : "?");
		free(q);
		goto cleanup;
	}
	*kind = kinds[k].root;
	ret = check_values(root, name, err);
	if (ret < 0)
		goto cleanup;
	ret = compile(s, k, name, err);
	if (ret < 0)
		goto cleanup;
	vctxt = xmlRelaxNGNewValidCtxt(s->compiled[k]);
	if (!vctxt) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto cleanup;
	}
	v.doc = doc;
	xmlRelaxNGSetValidStructuredErrors(vctxt, on_schema_error, &v);
	if (xmlRelaxNGValidateDoc(vctxt, doc) != 0) {
		if (!v.failed)
			mvn_error_set(err, -EINVAL,
				      _("%s: does not match the schema"), name);
		ret = -EINVAL;
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (vctxt)
		xmlRelaxNGFreeValidCtxt(vctxt);
	xmlFreeDoc(doc);
	return ret;
}
