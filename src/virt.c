/*
 * The libvirt edge (see virt.h): libvirt's handles never leave this file;
 * callers see names, XML text and flags.
 *
 * libvirt's client library (and the fifty libraries it pulls in) is not
 * linked into macvnet: it is loaded with dlopen() when migrate-ovs
 * --connect opens a connection, so every other command starts without it.
 * Its headers give the functions' types; the table below holds where
 * dlsym() found each.  Built --without-libvirt, opening says so.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "virt.h"

#if HAVE_LIBVIRT
#include <dlfcn.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* The soname of libvirt's client library (Debian's libvirt0). */
#define LIBVIRT_SONAME "libvirt.so.0"

/* Every libvirt function this file calls, looked up by name at open. */
#define LIBVIRT_FUNCTIONS(X)         \
	X(virGetLastErrorMessage)    \
	X(virGetLastErrorCode)       \
	X(virSetErrorFunc)           \
	X(virConnectOpen)            \
	X(virConnectClose)           \
	X(virConnectListAllNetworks) \
	X(virConnectListAllDomains)  \
	X(virNetworkLookupByName)    \
	X(virNetworkGetName)         \
	X(virNetworkGetUUID)         \
	X(virNetworkGetXMLDesc)      \
	X(virNetworkIsActive)        \
	X(virNetworkIsPersistent)    \
	X(virNetworkDefineXML)       \
	X(virNetworkUndefine)        \
	X(virNetworkFree)            \
	X(virDomainLookupByName)     \
	X(virDomainGetName)          \
	X(virDomainGetXMLDesc)       \
	X(virDomainIsActive)         \
	X(virDomainIsPersistent)     \
	X(virDomainDefineXML)        \
	X(virDomainUndefine)         \
	X(virDomainFree)

#define LIBVIRT_MEMBER(f) __typeof__(f) *f;
static struct {
	void *handle;
	LIBVIRT_FUNCTIONS(LIBVIRT_MEMBER)
} lv;

/* Forget a half-loaded library; the error names the missing function. */
static int missing(const char *name, struct mvn_error *err)
{
	dlclose(lv.handle);
	memset(&lv, 0, sizeof(lv));
	return mvn_error_set(err, -ENOENT,
			     _("libvirt's client library has no %1$s; install "
			       "libvirt 7.0 or later"),
			     name);
}

/* POSIX's way to store what dlsym() returns into a function pointer. */
#define LIBVIRT_LOOKUP(f)                       \
	*(void **)&lv.f = dlsym(lv.handle, #f); \
	if (!lv.f)                              \
		return missing(#f, err);

/* Load libvirt's client library once; 0, or -ENOENT with the reason. */
static int load_libvirt(struct mvn_error *err)
{
	if (lv.handle)
		return 0;
	lv.handle = dlopen(LIBVIRT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!lv.handle)
		return mvn_error_set(err, -ENOENT,
				     _("cannot load libvirt's client library "
				       "(%1$s); install it with 'apt-get "
				       "install libvirt0', or give migrate-ovs "
				       "files instead of --connect"),
				     dlerror());
	LIBVIRT_FUNCTIONS(LIBVIRT_LOOKUP)
	return 0;
}

struct mvn_virt {
	virConnectPtr conn;
};

/* libvirt's errors are returned, never printed by libvirt itself. */
static void quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

const char *mvn_virt_error(void)
{
	const char *s = lv.handle ? lv.virGetLastErrorMessage() : NULL;

	return s ? s : _("unknown libvirt error");
}

int mvn_virt_open(const char *uri, struct mvn_virt **out, struct mvn_error *err)
{
	struct mvn_virt *v = calloc(1, sizeof(*v));

	int ret;

	if (!v)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = load_libvirt(err);
	if (ret < 0) {
		free(v);
		return ret;
	}
	lv.virSetErrorFunc(NULL, quiet);
	v->conn = lv.virConnectOpen(uri);
	if (!v->conn) {
		free(v);
		return mvn_error_set(err, -EIO,
				     _("cannot connect to libvirt at %1$s: "
				       "%2$s"),
				     uri, mvn_virt_error());
	}
	*out = v;
	return 0;
}

void mvn_virt_close(struct mvn_virt *v)
{
	if (!v)
		return;
	lv.virConnectClose(v->conn);
	free(v);
}

/*
 * The persistent definition of a network; drivers without inactive
 * definitions (the test driver) refuse the flag and give the one there is,
 * which for an active network is its running definition (*live).
 */
static char *net_xml(virNetworkPtr n, bool *live)
{
	char *xml = lv.virNetworkGetXMLDesc(n, VIR_NETWORK_XML_INACTIVE);

	*live = false;
	if (!xml && lv.virGetLastErrorCode() == VIR_ERR_INVALID_ARG) {
		xml = lv.virNetworkGetXMLDesc(n, 0);
		*live = lv.virNetworkIsActive(n) == 1;
	}
	return xml;
}

/* A domain's persistent definition, with its secrets. */
static char *dom_xml(virDomainPtr d)
{
	return lv.virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE |
						 VIR_DOMAIN_XML_SECURE);
}

/* Fill obj from network n; 0, or -ENOMEM. */
static int net_obj(virNetworkPtr n, struct mvn_virt_obj *obj)
{
	bool live;

	obj->name = strdup(lv.virNetworkGetName(n));
	obj->xml = net_xml(n, &live);
	obj->active = lv.virNetworkIsActive(n) == 1;
	obj->persistent = lv.virNetworkIsPersistent(n) == 1;
	return obj->name ? 0 : -ENOMEM;
}

static int dom_obj(virDomainPtr d, struct mvn_virt_obj *obj)
{
	obj->name = strdup(lv.virDomainGetName(d));
	obj->xml = dom_xml(d);
	obj->active = lv.virDomainIsActive(d) == 1;
	obj->persistent = lv.virDomainIsPersistent(d) == 1;
	return obj->name ? 0 : -ENOMEM;
}

/* The error for an object whose definition cannot be read. */
static int unreadable(enum mvn_virt_kind kind, const char *name,
		      struct mvn_error *err)
{
	char shown[256], doc[300];

	snprintf(doc, sizeof(doc),
		 kind == MVN_VIRT_NETWORK ? "network %s" : "domain %s",
		 mvn_shown(name, shown, sizeof(shown)));
	return mvn_error_set(err, -EIO,
			     _("cannot read %1$s from libvirt: %2$s"), doc,
			     mvn_virt_error());
}

/*
 * Fill objs (NULL when it could not be allocated) from libvirt's handles,
 * which are freed here.
 */
static int fill_objs(enum mvn_virt_kind kind, void **h, int nh,
		     struct mvn_virt_obj *objs, struct mvn_error *err)
{
	int i, ret = objs ? 0 : -ENOMEM;

	for (i = 0; i < nh; i++) {
		if (ret == 0 && kind == MVN_VIRT_NETWORK)
			ret = net_obj(h[i], &objs[i]);
		else if (ret == 0)
			ret = dom_obj(h[i], &objs[i]);
		if (ret == 0 && !objs[i].xml)
			ret = unreadable(kind, objs[i].name, err);
		if (kind == MVN_VIRT_NETWORK)
			lv.virNetworkFree(h[i]);
		else
			lv.virDomainFree(h[i]);
	}
	if (ret == -ENOMEM)
		return mvn_error_set(err, ret, _("out of memory"));
	return ret;
}

int mvn_virt_list(struct mvn_virt *v, enum mvn_virt_kind kind,
		  struct mvn_virt_obj **objs, size_t *n, struct mvn_error *err)
{
	virNetworkPtr *nets = NULL;
	virDomainPtr *doms = NULL;
	int nh, ret;

	*objs = NULL;
	*n = 0;
	if (kind == MVN_VIRT_NETWORK)
		nh = lv.virConnectListAllNetworks(v->conn, &nets, 0);
	else
		nh = lv.virConnectListAllDomains(v->conn, &doms, 0);
	if (nh < 0)
		return mvn_error_set(
			err, -EIO,
			kind == MVN_VIRT_NETWORK ?
				_("cannot list libvirt's networks: "
				  "%s") :
				_("cannot list libvirt's domains: "
				  "%s"),
			mvn_virt_error());
	*objs = calloc((size_t)nh + 1, sizeof(**objs));
	ret = fill_objs(kind, nets ? (void **)nets : (void **)doms, nh, *objs,
			err);
	free(nets);
	free(doms);
	if (*objs)
		*n = (size_t)nh;
	return ret;
}

int mvn_virt_get(struct mvn_virt *v, enum mvn_virt_kind kind, const char *name,
		 struct mvn_virt_obj *obj)
{
	int ret;

	memset(obj, 0, sizeof(*obj));
	if (kind == MVN_VIRT_NETWORK) {
		virNetworkPtr n = lv.virNetworkLookupByName(v->conn, name);

		if (!n)
			return 0;
		ret = net_obj(n, obj);
		lv.virNetworkFree(n);
	} else {
		virDomainPtr d = lv.virDomainLookupByName(v->conn, name);

		if (!d)
			return 0;
		ret = dom_obj(d, obj);
		lv.virDomainFree(d);
	}
	return ret < 0 ? ret : 1;
}

bool mvn_virt_network_uuid(struct mvn_virt *v, const char *name,
			   unsigned char uuid[16])
{
	virNetworkPtr n = lv.virNetworkLookupByName(v->conn, name);
	bool ok = n && lv.virNetworkGetUUID(n, uuid) == 0;

	if (n)
		lv.virNetworkFree(n);
	return ok;
}

int mvn_virt_define(struct mvn_virt *v, enum mvn_virt_kind kind,
		    const char *xml, char **back)
{
	bool live = false;

	*back = NULL;
	if (kind == MVN_VIRT_NETWORK) {
		virNetworkPtr n = lv.virNetworkDefineXML(v->conn, xml);

		if (!n)
			return -EIO;
		*back = net_xml(n, &live);
		lv.virNetworkFree(n);
	} else {
		virDomainPtr d = lv.virDomainDefineXML(v->conn, xml);

		if (!d)
			return -EIO;
		*back = dom_xml(d);
		lv.virDomainFree(d);
	}
	if (live) {
		free(*back);
		*back = NULL;
	}
	return 0;
}

int mvn_virt_undefine(struct mvn_virt *v, enum mvn_virt_kind kind,
		      const char *name)
{
	bool ok;

	if (kind == MVN_VIRT_NETWORK) {
		virNetworkPtr n = lv.virNetworkLookupByName(v->conn, name);

		ok = n && lv.virNetworkUndefine(n) == 0;
		if (n)
			lv.virNetworkFree(n);
	} else {
		virDomainPtr d = lv.virDomainLookupByName(v->conn, name);

		ok = d && lv.virDomainUndefine(d) == 0;
		if (d)
			lv.virDomainFree(d);
	}
	return ok ? 0 : -EIO;
}

#else /* !HAVE_LIBVIRT */

struct mvn_virt {
	int unused;
};

int mvn_virt_open(const char *uri, struct mvn_virt **out, struct mvn_error *err)
{
	(void)uri;
	*out = NULL;
	return mvn_error_set(err, -ENOTSUP,
			     _("this macvnet was built without libvirt "
			       "(configure --without-libvirt); give "
			       "migrate-ovs files instead of --connect"));
}

void mvn_virt_close(struct mvn_virt *v)
{
	(void)v;
}

const char *mvn_virt_error(void)
{
	return _("built without libvirt");
}

/* Without libvirt no connection exists, so none of these is reached. */
int mvn_virt_list(struct mvn_virt *v, enum mvn_virt_kind kind,
		  struct mvn_virt_obj **objs, size_t *n, struct mvn_error *err)
{
	(void)v;
	(void)kind;
	*objs = NULL;
	*n = 0;
	return mvn_virt_open(NULL, &v, err);
}

int mvn_virt_get(struct mvn_virt *v, enum mvn_virt_kind kind, const char *name,
		 struct mvn_virt_obj *obj)
{
	(void)v;
	(void)kind;
	(void)name;
	memset(obj, 0, sizeof(*obj));
	return 0;
}

bool mvn_virt_network_uuid(struct mvn_virt *v, const char *name,
			   unsigned char uuid[16])
{
	(void)v;
	(void)name;
	(void)uuid;
	return false;
}

int mvn_virt_define(struct mvn_virt *v, enum mvn_virt_kind kind,
		    const char *xml, char **back)
{
	(void)v;
	(void)kind;
	(void)xml;
	*back = NULL;
	return -ENOTSUP;
}

int mvn_virt_undefine(struct mvn_virt *v, enum mvn_virt_kind kind,
		      const char *name)
{
	(void)v;
	(void)kind;
	(void)name;
	return -ENOTSUP;
}

#endif /* HAVE_LIBVIRT */

/* Freeing what the functions above handed out needs no libvirt. */
void mvn_virt_obj_clear(struct mvn_virt_obj *obj)
{
	free(obj->name);
	free(obj->xml);
	memset(obj, 0, sizeof(*obj));
}

void mvn_virt_objs_free(struct mvn_virt_obj *objs, size_t n)
{
	size_t i;

	for (i = 0; objs && i < n; i++)
		mvn_virt_obj_clear(&objs[i]);
	free(objs);
}
