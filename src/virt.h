/*
 * The libvirt edge: the only module that includes libvirt's headers.  It
 * connects, reads networks and domains with their persistent definitions,
 * defines and undefines them, and keeps libvirt from printing its errors
 * (they are returned as text instead).  Built into the macvnet program
 * only, not into libmacvnet.a.
 */
#ifndef MVN_VIRT_H
#define MVN_VIRT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* A connection to libvirt. */
struct mvn_virt;

enum mvn_virt_kind {
	MVN_VIRT_NETWORK,
	MVN_VIRT_DOMAIN,
};

/* A network or domain as libvirt has it. */
struct mvn_virt_obj {
	char *name;
	char *xml; /* the persistent definition (domains: with secrets) */
	bool active, persistent;
};

/*
 * Connect to libvirt at uri; *out (close with mvn_virt_close()) is set
 * only on success.  libvirt's own error printing is switched off.
 */
int mvn_virt_open(const char *uri, struct mvn_virt **out,
		  struct mvn_error *err);
/* Close a connection; NULL is a no-op. */
void mvn_virt_close(struct mvn_virt *v);

/* libvirt's last error message, or a placeholder when it has none. */
const char *mvn_virt_error(void);

/*
 * Every network or domain libvirt has, with its definition: *objs (free
 * with mvn_virt_objs_free()) holds *n of them.  A list or a definition
 * that cannot be read is an error naming it.
 */
int mvn_virt_list(struct mvn_virt *v, enum mvn_virt_kind kind,
		  struct mvn_virt_obj **objs, size_t *n, struct mvn_error *err);
/* Free n objects and the array; NULL is a no-op. */
void mvn_virt_objs_free(struct mvn_virt_obj *objs, size_t n);

/*
 * The network or domain called name: 1 with *obj filled (its fields are
 * the caller's: mvn_virt_obj_clear()), 0 when libvirt has none.  obj->xml
 * is NULL when its definition could not be read.
 */
int mvn_virt_get(struct mvn_virt *v, enum mvn_virt_kind kind, const char *name,
		 struct mvn_virt_obj *obj);
/* Free the fields of obj and zero it. */
void mvn_virt_obj_clear(struct mvn_virt_obj *obj);

/* The UUID of libvirt's network name: true when it has one. */
bool mvn_virt_network_uuid(struct mvn_virt *v, const char *name,
			   unsigned char uuid[16]);

/*
 * Define xml as a persistent network or domain.  *back (caller frees) is
 * the definition libvirt now holds, or NULL when it cannot be read apart
 * from the running one.  -EIO when libvirt refuses (mvn_virt_error() says
 * why).
 */
int mvn_virt_define(struct mvn_virt *v, enum mvn_virt_kind kind,
		    const char *xml, char **back);

/* Undefine libvirt's network or domain name: 0, or -EIO. */
int mvn_virt_undefine(struct mvn_virt *v, enum mvn_virt_kind kind,
		      const char *name);

#endif
