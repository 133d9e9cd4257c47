/*
 * A preserved XML element: the parts of a document that macvnet keeps and
 * prints back in canonical form without modelling them (a NAT network's
 * <ip>, <dns>, <route>, ...).  No libxml2 types appear here.
 */
#ifndef MVN_XNODE_H
#define MVN_XNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct mvn_xattr {
	char *name;
	char *value;
};

struct mvn_xnode {
	char *name; /* qualified name as written, e.g. dnsmasq:option */
	struct mvn_xattr *attrs;
	size_t nattrs;
	struct mvn_xnode **children;
	size_t nchildren;
	char *text; /* text content of a leaf, trimmed; or NULL */
	int line;
};

/* Free a node and its subtree; NULL is a no-op. */
void mvn_xnode_free(struct mvn_xnode *n);
/* The value of attribute name, or NULL (borrowed). */
const char *mvn_xnode_attr(const struct mvn_xnode *n, const char *name);
/* The first child element called name, or NULL (borrowed). */
const struct mvn_xnode *mvn_xnode_child(const struct mvn_xnode *n,
					const char *name);
/*
 * Print n at b's indentation, attributes in single quotes, an element
 * without content as <x/>, children indented by two spaces.
 */
void mvn_xnode_format(const struct mvn_xnode *n, struct mvn_buf *b);
/* Print n's attributes only (" a='v' b='w'"). */
void mvn_xnode_format_attrs(const struct mvn_xnode *n, struct mvn_buf *b);
/* Print n's children (each via mvn_xnode_format) at b's indentation + 2. */
void mvn_xnode_format_children(const struct mvn_xnode *n, struct mvn_buf *b);

#define MVN_XSHAPE_ATTRS 8
#define MVN_XSHAPE_CHILDREN 5

/*
 * The canonical shape of a kept element of a network (<ip>, <dns>, <route>,
 * <domain> and what they hold): the order of its attributes and of its
 * children.  What a shape does not name keeps the order it was written in,
 * after the named ones.
 */
struct mvn_xshape {
	const char *parent; /* NULL: any */
	const char *name;
	const char *attrs[MVN_XSHAPE_ATTRS];
	const char *children[MVN_XSHAPE_CHILDREN];
};

/* The shape of element name inside parent (NULL: at the top), or NULL. */
const struct mvn_xshape *mvn_xshape_of(const char *parent, const char *name);
/* Whether sh names attribute attr. */
bool mvn_xshape_has_attr(const struct mvn_xshape *sh, const char *attr);
/* Whether sh names child element child. */
bool mvn_xshape_has_child(const struct mvn_xshape *sh, const char *child);

#endif
