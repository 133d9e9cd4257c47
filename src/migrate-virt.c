/*
 * migrate-ovs and libvirt (through virt.h): --connect reads the networks
 * to migrate and the domains on them into the plan; --apply defines the
 * plan, all or nothing.  What libvirt held before is recorded first, so
 * that a refusal part way through puts it back and names what could not
 * be put back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migrate.h"
#include "ovs.h"
#include "util.h"
#include "virt.h"

static enum mvn_virt_kind kind_of(const struct item *it)
{
	return it->is_net ? MVN_VIRT_NETWORK : MVN_VIRT_DOMAIN;
}

/*
 * Whether libvirt's network (text) is one to migrate; if so, *out is it,
 * parsed (caller frees).
 */
static bool wanted(struct plan *p, const char *text, size_t len,
		   const char *doc, struct mvn_network **out)
{
	const struct mvn_ovs_opts *o = &p->m->opts;
	struct mvn_network *net = NULL;
	struct mvn_error e = { 0 };
	enum mvn_ovs_kind kind;
	char msg[sizeof(e.msg)];
	bool yes = false;
	size_t i;

	if (mvn_network_parse(text, len, doc, &net, &e) < 0) {
		mvn_ovs_say(&p->m->sink, MVN_OVS_WARN, doc, 0, "%s (%s)",
			    mvn_shown(e.msg, msg, sizeof(msg)),
			    _("the network is left as it is"));
		return false;
	}
	kind = mvn_ovs_network_kind(net);
	if (kind == MVN_OVS_KIND_OVS)
		yes = true;
	for (i = 0; kind == MVN_OVS_KIND_HOST && i < o->nuplinks; i++)
		if (!strcmp(o->uplinks[i].key, net->name) ||
		    !strcmp(o->uplinks[i].key, net->bridge.name))
			yes = true;
	if (yes)
		*out = net;
	else
		mvn_network_free(net);
	return yes;
}

/* A warning about a document that is left as it is. */
static void left_alone(struct plan *p, const char *doc, const char *why)
{
	mvn_ovs_say(&p->m->sink, MVN_OVS_WARN, doc, 0, "%s", why);
}

/* One network libvirt has: migrated when it is on a bridge to migrate. */
static int take_virt_network(struct plan *p, struct mvn_virt_obj *o,
			     struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct item *it;
	char doc[300], name[256];
	int ret;

	snprintf(doc, sizeof(doc), "network %s",
		 mvn_shown(o->name, name, sizeof(name)));
	if (!wanted(p, o->xml, strlen(o->xml), doc, &net))
		return 0;
	if (!o->persistent) {
		left_alone(p, doc,
			   _("a transient network cannot be redefined; it is "
			     "left as it is (define it, then migrate it)"));
		mvn_network_free(net);
		return 0;
	}
	ret = mvn_migrate_take_network(p, net, o->xml, strlen(o->xml), doc,
				       err);
	mvn_network_free(net);
	if (ret < 0)
		return ret;
	it = &p->items[p->nitems - 1];
	it->active = o->active;
	it->persistent = o->persistent;
	/* Under a new name it is a new network. */
	it->existed = !strcmp(it->name, it->new_name);
	return 0;
}

/* One domain libvirt has: kept in the plan when it has anything to move. */
static int take_virt_domain(struct plan *p, struct mvn_virt_obj *o,
			    struct mvn_error *err)
{
	struct item *it;
	char doc[300], name[256];
	int ret;

	snprintf(doc, sizeof(doc), "domain %s",
		 mvn_shown(o->name, name, sizeof(name)));
	it = mvn_migrate_add_item(p, false);
	if (!it)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	it->active = o->active;
	it->persistent = o->persistent;
	it->existed = true;
	ret = mvn_ovs_domain(p->m, o->xml, strlen(o->xml), doc, &it->xml,
			     &it->count, err);
	if (ret == 0 && it->count && !it->persistent) {
		left_alone(p, doc,
			   _("a transient domain cannot be redefined; it "
			     "keeps Open vSwitch until it is created again "
			     "from migrated XML"));
		it->count = 0;
	}
	if (ret < 0 || !it->count) {
		/* Not on a migrated network: leave it out. */
		mvn_migrate_item_clear(it);
		p->nitems--;
		return ret;
	}
	/* The item takes over the name and the document. */
	it->name = o->name;
	it->orig = o->xml;
	o->name = o->xml = NULL;
	return 0;
}

/* Read the networks and the domains on them from libvirt. */
int mvn_migrate_take_libvirt(struct plan *p, struct mvn_error *err)
{
	struct mvn_virt_obj *objs = NULL;
	size_t n = 0, i;
	int ret;

	ret = mvn_virt_list(p->virt, MVN_VIRT_NETWORK, &objs, &n, err);
	for (i = 0; i < n && ret == 0; i++)
		ret = take_virt_network(p, &objs[i], err);
	mvn_virt_objs_free(objs, n);
	if (ret < 0)
		return ret;
	ret = mvn_virt_list(p->virt, MVN_VIRT_DOMAIN, &objs, &n, err);
	for (i = 0; i < n && ret == 0; i++)
		ret = take_virt_domain(p, &objs[i], err);
	mvn_virt_objs_free(objs, n);
	return ret;
}

/*
 * Put back what libvirt had before items [0, done).  Returns how many
 * could not be put back; *what names the first of them.
 */
static unsigned int roll_back(struct plan *p, size_t done, const char **what)
{
	unsigned int failed = 0;
	char *back;
	int ret;

	*what = NULL;
	while (done-- > 0) {
		struct item *it = &p->items[done];
		const char *name = it->is_net ? it->new_name : it->name;

		/* What did not exist (or was transient) goes away again. */
		if (it->existed && it->persistent) {
			ret = mvn_virt_define(p->virt, kind_of(it), it->orig,
					      &back);
			free(back);
		} else {
			ret = mvn_virt_undefine(p->virt, kind_of(it), name);
		}
		if (ret < 0 && !failed++)
			*what = name;
	}
	return failed;
}

/* The error after a refusal or failure once libvirt was changed. */
int mvn_migrate_rolled_back(struct plan *p, size_t done, const char *why,
			    struct mvn_error *err)
{
	const char *what;
	unsigned int failed = roll_back(p, done, &what);
	char name[256];

	if (failed)
		return mvn_error_set(err, -EIO,
				     _("%1$s; putting back what was defined "
				       "before failed for '%2$s' and %3$u "
				       "more: restore them from the "
				       "originals (virsh net-define / virsh "
				       "define)"),
				     why, mvn_shown(what, name, sizeof(name)),
				     failed - 1);
	return mvn_error_set(err, -EIO,
			     _("%s; everything defined before was put back"),
			     why);
}

/*
 * Record what libvirt has now under the item's name: that is what a
 * failure puts back.  A network that would take another's name is
 * refused.
 */
static int record_current(struct plan *p, struct item *it,
			  struct mvn_error *err)
{
	const char *name = it->is_net ? it->new_name : it->name;
	struct mvn_virt_obj now;
	char a[256], b[256];
	int found;

	found = mvn_virt_get(p->virt, kind_of(it), name, &now);
	if (found < 0)
		return mvn_error_set(err, found, _("out of memory"));
	if (found && it->is_net && strcmp(it->name, it->new_name)) {
		mvn_virt_obj_clear(&now);
		return mvn_error_set(err, -EEXIST,
				     _("libvirt already has a network '%1$s'; "
				       "choose another name with --rename "
				       "%2$s=NAME (nothing was changed)"),
				     mvn_shown(it->new_name, a, sizeof(a)),
				     mvn_shown(it->name, b, sizeof(b)));
	}
	if (found) {
		it->active = now.active;
		it->persistent = now.persistent;
	}
	if (now.xml) {
		free(it->orig);
		it->orig = now.xml;
		now.xml = NULL;
		it->existed = true;
	}
	mvn_virt_obj_clear(&now);
	return 0;
}

/*
 * Define one item in libvirt; from then on it->xml is what libvirt holds.
 * -EIO when libvirt refuses it (mvn_virt_error() says why).
 */
static int define_one(struct plan *p, struct item *it)
{
	char *back = NULL;
	int ret;

	ret = mvn_virt_define(p->virt, kind_of(it), it->xml, &back);
	if (back) {
		free(it->xml);
		it->xml = back;
	}
	return ret;
}

/* Define everything in libvirt, all or nothing. */
int mvn_migrate_apply(struct plan *p, struct mvn_error *err)
{
	char why[700], name[256];
	size_t i;
	int ret = 0;

	for (i = 0; i < p->nitems && ret == 0; i++)
		if (!p->items[i].existed)
			ret = record_current(p, &p->items[i], err);
	for (i = 0; i < p->nitems && ret == 0; i++) {
		const struct item *it = &p->items[i];

		if (define_one(p, &p->items[i]) == 0)
			continue;
		if (it->is_net)
			snprintf(why, sizeof(why),
				 _("libvirt refused the migrated network "
				   "'%1$s' (%2$s)"),
				 mvn_shown(it->new_name, name, sizeof(name)),
				 mvn_virt_error());
		else
			snprintf(why, sizeof(why),
				 _("libvirt refused the migrated domain '%1$s' "
				   "(%2$s)"),
				 mvn_shown(it->name, name, sizeof(name)),
				 mvn_virt_error());
		ret = mvn_migrate_rolled_back(p, i, why, err);
	}
	return ret;
}
