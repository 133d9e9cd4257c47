/*
 * The libvirt edge (see virt.h): libvirt's handles never leave this file;
 * callers see names, XML text and flags.
 */
#include "config.h"

#include <errno.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "virt.h"

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
	const char *s = virGetLastErrorMessage();

	return s ? s : _("unknown libvirt error");
}

int mvn_virt_open(const char *uri, struct mvn_virt **out, struct mvn_error *err)
{
	struct mvn_virt *v = calloc(1, sizeof(*v));

	if (!v)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	virSetErrorFunc(NULL, quiet);
	v->conn = virConnectOpen(uri);
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
	virConnectClose(v->conn);
	free(v);
}

/*
 * The persistent definition of a network; drivers without inactive
 * definitions (the test driver) refuse the flag and give the one there is,
 * which for an active network is its running definition (*live).
 */
static char *net_xml(virNetworkPtr n, bool *live)
{
	char *xml = virNetworkGetXMLDesc(n, VIR_NETWORK_XML_INACTIVE);

	*live = false;
	if (!xml && virGetLastErrorCode() == VIR_ERR_INVALID_ARG) {
		xml = virNetworkGetXMLDesc(n, 0);
		*live = virNetworkIsActive(n) == 1;
	}
	return xml;
}

/* A domain's persistent definition, with its secrets. */
static char *dom_xml(virDomainPtr d)
{
	return virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE |
					      VIR_DOMAIN_XML_SECURE);
}

/* Fill obj from network n; 0, or -ENOMEM. */
static int net_obj(virNetworkPtr n, struct mvn_virt_obj *obj)
{
	bool live;

	obj->name = strdup(virNetworkGetName(n));
	obj->xml = net_xml(n, &live);
	obj->active = virNetworkIsActive(n) == 1;
	obj->persistent = virNetworkIsPersistent(n) == 1;
	return obj->name ? 0 : -ENOMEM;
}

static int dom_obj(virDomainPtr d, struct mvn_virt_obj *obj)
{
	obj->name = strdup(virDomainGetName(d));
	obj->xml = dom_xml(d);
	obj->active = virDomainIsActive(d) == 1;
	obj->persistent = virDomainIsPersistent(d) == 1;
	return obj->name ? 0 : -ENOMEM;
}

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
			virNetworkFree(h[i]);
		else
			virDomainFree(h[i]);
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
		nh = virConnectListAllNetworks(v->conn, &nets, 0);
	else
		nh = virConnectListAllDomains(v->conn, &doms, 0);
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
		virNetworkPtr n = virNetworkLookupByName(v->conn, name);

		if (!n)
			return 0;
		ret = net_obj(n, obj);
		virNetworkFree(n);
	} else {
		virDomainPtr d = virDomainLookupByName(v->conn, name);

		if (!d)
			return 0;
		ret = dom_obj(d, obj);
		virDomainFree(d);
	}
	return ret < 0 ? ret : 1;
}

bool mvn_virt_network_uuid(struct mvn_virt *v, const char *name,
			   unsigned char uuid[16])
{
	virNetworkPtr n = virNetworkLookupByName(v->conn, name);
	bool ok = n && virNetworkGetUUID(n, uuid) == 0;

	if (n)
		virNetworkFree(n);
	return ok;
}

int mvn_virt_define(struct mvn_virt *v, enum mvn_virt_kind kind,
		    const char *xml, char **back)
{
	bool live = false;

	*back = NULL;
	if (kind == MVN_VIRT_NETWORK) {
		virNetworkPtr n = virNetworkDefineXML(v->conn, xml);

		if (!n)
			return -EIO;
		*back = net_xml(n, &live);
		virNetworkFree(n);
	} else {
		virDomainPtr d = virDomainDefineXML(v->conn, xml);

		if (!d)
			return -EIO;
		*back = dom_xml(d);
		virDomainFree(d);
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
		virNetworkPtr n = virNetworkLookupByName(v->conn, name);

		ok = n && virNetworkUndefine(n) == 0;
		if (n)
			virNetworkFree(n);
	} else {
		virDomainPtr d = virDomainLookupByName(v->conn, name);

		ok = d && virDomainUndefine(d) == 0;
		if (d)
			virDomainFree(d);
	}
	return ok ? 0 : -EIO;
}
