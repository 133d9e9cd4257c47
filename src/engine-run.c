/*
 * Active networks: start (lower devices checked, static ports and the host
 * shim created), destroy (all of a network's links in one request, what it
 * took given back), autostart, and the host shim of a network libvirt
 * runs.  A start is a transaction: its state file says "starting" until
 * every part exists, and any failure takes the one way back, leaving the
 * network inactive with nothing of it in the kernel.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine-int.h"
#include "keeper.h"
#include "tap.h"
#include "util.h"

/* Whether one of this store's networks other than st's uses group g. */
static bool group_taken(struct mvn_engine *eng, char **names, uint32_t g)
{
	size_t i;

	for (i = 0; names[i]; i++) {
		struct mvn_state *other = NULL;
		char *text = NULL;
		bool taken;

		if (mvn_store_state_read(eng->store, names[i], &text, NULL) < 0)
			continue;
		taken = mvn_state_parse(text, names[i], &other, NULL) == 0 &&
			other->group == g;
		mvn_state_free(other);
		free(text);
		if (taken)
			return true;
	}
	return false;
}

/*
 * A group for st that no link of the namespace carries and none of this
 * store's networks uses, searched from a place that depends on the store
 * and the network, so that two stores rarely try the same one.  Held under
 * the groups lock until st's state file records it.
 */
static int alloc_group(struct mvn_engine *eng, const struct mvn_linkset *ls,
		       struct mvn_state *st, struct mvn_error *err)
{
	const char *id = mvn_store_id(eng->store), *p;
	char **names = NULL;
	uint32_t h = 2166136261u, g;
	size_t i, k;
	int ret;

	for (p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (p = st->network; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	ret = mvn_engine_state_names(eng, &names, err);
	if (ret < 0)
		return ret;
	for (k = 0; k < MVN_NET_GROUP_COUNT; k++) {
		g = MVN_NET_GROUP_FIRST + (h + k) % MVN_NET_GROUP_COUNT;
		for (i = 0; i < ls->n && ls->v[i].group != g; i++)
			;
		if (i == ls->n && !group_taken(eng, names, g))
			break;
	}
	mvn_store_names_free(names);
	if (k == MVN_NET_GROUP_COUNT)
		return mvn_error_set(err, -ENOSPC,
				     _("too many active networks: every link "
				       "group macvnet may use is taken"));
	st->group = g;
	return 0;
}

/* Check a lower device before the network uses it, and bring it up. */
static int check_lower(struct mvn_engine *eng, const struct mvn_linkset *ls,
		       struct mvn_txn *t, const char *net, const char *dev,
		       struct mvn_error *err)
{
	const struct mvn_link_info *l = mvn_linkset_find(ls, dev), *master;

	if (!l)
		return mvn_error_set(err, -ENODEV,
				     _("lower device '%1$s' of network '%2$s' "
				       "not found; create it or correct "
				       "<interface dev='%1$s'/>"),
				     dev, net);
	master = l->master_ifindex ?
			 mvn_linkset_find_index(ls, MVN_NETNSID_SELF,
						l->master_ifindex) :
			 NULL;
	if (master && master->kind == MVN_LINK_BRIDGE)
		return mvn_error_set(err, -EBUSY,
				     _("%1$s is a port of bridge %2$s; a "
				       "macvtap lower device cannot be a "
				       "bridge port (detach it: ip link set "
				       "%1$s nomaster)"),
				     dev, master->name);
	if (l->kind == MVN_LINK_MACVTAP)
		return mvn_error_set(err, -EINVAL,
				     _("lower device '%s' is itself a macvtap "
				       "endpoint; use the device beneath "
				       "it"),
				     dev);
	if (l->up)
		return 0;
	if (mvn_txn_up(t, l->ifindex) < 0)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	return eng->link_ops->set_up(eng->link_ctx, l->ifindex, true, err);
}

/* Who renews dev's dynamic addresses, named for the note: "" if unknown. */
static void keepers_text(const char *dev, char *out, size_t len)
{
	struct mvn_keeper k[8];
	size_t n = mvn_keepers(dev, k, 8), i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used,
					 "%s%s (pid %d)", used ? ", " : "",
					 k[i].prog, k[i].pid);
}

/* What the shim took, one note each; finite lifetimes name their keeper. */
static void note_moved(struct mvn_engine *eng, const struct mvn_state *st,
		       size_t from)
{
	char text[160], who[256];
	size_t i;

	for (i = from; i < st->nmoved; i++) {
		mvn_l3_describe(&st->moved[i].rec, text, sizeof(text));
		mvn_engine_note(eng, _("host shim %1$s took %2$s from %3$s"),
				st->host_name, text, st->moved[i].dev);
		if (!mvn_l3_dynamic(&st->moved[i].rec))
			continue;
		keepers_text(st->moved[i].dev, who, sizeof(who));
		if (who[0])
			mvn_engine_note(eng,
					_("%1$s has a finite lifetime: %2$s "
					  "must now renew it on %3$s, not %4$s "
					  "(README: the host's address on the "
					  "shim)"),
					text, who, st->host_name,
					st->moved[i].dev);
		else
			mvn_engine_note(
				eng,
				_("%1$s has a finite lifetime: whatever "
				  "renews it (a DHCP client, "
				  "router advertisements, a network "
				  "manager) must now renew it on %2$s, "
				  "not %3$s (README: the host's address "
				  "on the shim)"),
				text, st->host_name, st->moved[i].dev);
	}
}

/*
 * Move the host's layer 3 from the lower device to the shim as one
 * transaction: the addresses with their lifetimes and flags, the routes
 * through the device (the kernel drops them with the addresses) and the
 * policy rules that name it.  All of it is written down first, so that
 * a failure or a crash puts back exactly that (mvn_engine_l3_back()).
 */
static int move_l3(struct mvn_engine *eng, struct mvn_state *st,
		   struct mvn_txn *t, const struct mvn_link_info *lower,
		   int shim, struct mvn_error *err)
{
	const struct mvn_link_ops *ops = eng->link_ops;
	struct mvn_l3_move mv = { lower->ifindex, lower->name, shim,
				  st->host_name };
	size_t from = st->nmoved, i;
	int pass, ret;

	ret = mvn_engine_record_l3(eng, st, lower, lower, NULL, err);
	if (ret == 0)
		ret = mvn_engine_state_save(eng, st, err);
	if (ret == 0 && mvn_txn_l3(t, st) < 0)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	/* Rules, then addresses, then the routes that need them; a rule is
	 * added for the shim before the device's goes. */
	for (pass = 0; pass < 3 && ret == 0; pass++) {
		enum mvn_l3_kind kind = pass == 0 ? MVN_L3_RULE :
					pass == 1 ? MVN_L3_ADDR :
						    MVN_L3_ROUTE;

		for (i = from; ret == 0 && i < st->nmoved; i++) {
			const struct mvn_l3 *x = &st->moved[i].rec;

			if (x->kind != kind)
				continue;
			/*
			 * An address or route leaves first: IPv6 takes a
			 * route to the same place on another device for the
			 * same route (EEXIST) while the old one is there.
			 */
			if (kind != MVN_L3_RULE) {
				ret = ops->l3_del(eng->link_ctx, x, NULL, err);
				if (ret == 0)
					ret = ops->l3_add(eng->link_ctx, x, &mv,
							  err);
			} else {
				ret = ops->l3_add(eng->link_ctx, x, &mv, err);
				if (ret == 0)
					ret = ops->l3_del(eng->link_ctx, x,
							  NULL, err);
			}
		}
	}
	return ret;
}

/*
 * The host shim: a macvlan in bridge mode on the first lower device, so
 * that the host reaches the network's guests.  It takes the given address
 * and, with move-addresses='yes', the lower device's own addresses.
 */
static int create_host(struct mvn_engine *eng, struct mvn_state *st,
		       const struct mvn_host_spec *h, struct mvn_linkset *ls,
		       struct mvn_txn *t, struct mvn_error *err)
{
	struct mvn_link_spec spec = { 0 };
	struct mvn_link_info info, lower;
	const struct mvn_link_info *found = NULL;
	char alias[MVN_ALIAS_MAX + 1];
	struct mvn_addr a;
	size_t i;
	int ret;

	if (h->address && !mvn_addr_parse(h->address, &a))
		return mvn_error_set(err, -EINVAL,
				     _("host shim address '%s' is not an "
				       "address with a prefix"),
				     h->address);
	for (i = 0; i < st->nlowers && !found; i++)
		found = mvn_linkset_find(ls, st->lowers[i]);
	if (!found)
		return mvn_error_set(err, -ENODEV,
				     _("no lower device of network '%s' exists "
				       "for the host shim"),
				     st->network);
	/* A copy: ls may move when the shim is added to it. */
	lower = *found;
	if (mvn_linkset_find(ls, h->name))
		return mvn_error_set(err, -EEXIST,
				     _("host shim '%s': an interface of that "
				       "name already exists; choose another "
				       "name"),
				     h->name);
	mvn_engine_alias(eng, "shim", st->network, alias);
	spec.name = h->name;
	spec.lower = lower.name;
	spec.lower_ifindex = lower.ifindex;
	spec.kind = MVN_LINK_MACVLAN;
	spec.mode = MVN_LINK_BRIDGE_MODE;
	spec.group = st->group;
	spec.alias = alias;
	spec.has_mac = mvn_engine_fresh_mac(ls, spec.mac) == 0;
	ret = eng->link_ops->create(eng->link_ctx, &spec, &info, err);
	if (ret < 0)
		return ret;
	if (mvn_txn_link(t, MVN_NETNSID_SELF, info.ifindex) < 0 ||
	    mvn_linkset_add(ls, &info) < 0)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	st->has_host = true;
	snprintf(st->host_name, sizeof(st->host_name), "%s", h->name);
	snprintf(st->host_lower, sizeof(st->host_lower), "%s", lower.name);
	st->host_ifindex = info.ifindex;
	ret = mvn_engine_state_save(eng, st, err);
	if (ret == 0 && h->move_addresses == MVN_YES)
		ret = move_l3(eng, st, t, &lower, info.ifindex, err);
	if (ret == 0 && h->address)
		ret = eng->link_ops->addr_add(eng->link_ctx, info.ifindex, &a,
					      err);
	return ret;
}

/* The owner, group and mode of a static port. */
static int port_ids(const struct mvn_port_spec *ps, struct mvn_creation *c,
		    struct mvn_error *err)
{
	char spec[300];
	bool has_group = false;
	int ret;

	c->uid = 0;
	c->gid = 0;
	if (ps->owner || ps->group) {
		snprintf(spec, sizeof(spec), "%s%s%s",
			 ps->owner ? ps->owner : "", ps->group ? ":" : "",
			 ps->group ? ps->group : "");
		ret = mvn_tap_owner(spec, &c->uid, &c->gid, &has_group, err);
		if (ret < 0)
			return ret;
	}
	c->perm = ps->mode  ? (unsigned int)strtoul(ps->mode, NULL, 8) :
		  has_group ? 0660 :
			      0600;
	return 0;
}

/* The static ports of net, each failure naming its port. */
static int create_static(struct mvn_engine *eng, const struct mvn_network *net,
			 struct mvn_state *st, struct mvn_linkset *ls,
			 struct mvn_txn *t, struct mvn_error *err)
{
	struct mvn_creation *cs = calloc(net->nports + 1, sizeof(*cs));
	struct mvn_error perr = { 0 };
	size_t i, failed = 0;
	int ret = cs ? 0 : mvn_error_set(err, -ENOMEM, _("out of memory"));

	for (i = 0; ret == 0 && i < net->nports; i++) {
		const struct mvn_port_spec *ps = &net->ports[i];

		cs[i].name = ps->name;
		cs[i].is_static = true;
		cs[i].owner_tag = "static";
		cs[i].has_mac = ps->mac && mvn_mac_parse(ps->mac, cs[i].mac);
		failed = i;
		ret = port_ids(ps, &cs[i], &perr);
	}
	if (ret == 0)
		mvn_engine_progress(eng, MVN_PROGRESS_CREATE, st->network, 0,
				    net->nports);
	if (ret == 0)
		ret = mvn_engine_make_ports(eng, st, ls, t, cs, net->nports,
					    &failed, &perr);
	mvn_engine_progress(eng, MVN_PROGRESS_CREATE, st->network, net->nports,
			    net->nports);
	if (ret < 0 && cs)
		ret = mvn_error_set(err, ret,
				    _("network '%1$s', port '%2$s': %3$s"),
				    st->network, net->ports[failed].name,
				    perr.msg);
	free(cs);
	return ret;
}

/*
 * Record st as starting, under a fresh group: the groups lock is held
 * from the choice of the group until the state file records it.
 */
static int record_start(struct mvn_engine *eng, const struct mvn_linkset *ls,
			struct mvn_state *st, struct mvn_error *err)
{
	struct mvn_lock_wait w = mvn_engine_wait(eng);
	int ret;

	ret = mvn_store_lock_groups(eng->store, &w, err);
	if (ret < 0)
		return ret;
	ret = alloc_group(eng, ls, st, err);
	st->status = MVN_STATE_STARTING;
	if (ret == 0)
		ret = mvn_engine_state_save(eng, st, err);
	mvn_store_unlock_groups(eng->store);
	return ret;
}

/*
 * Activate st from net as transaction t: lower devices checked and up
 * (when lowers is set: libvirt checks its own networks' devices),
 * the state recorded as starting, static ports and the host shim made,
 * their files written, then the state recorded as active.
 */
static bool in_pool(const struct mvn_state *st, const char *dev)
{
	size_t i;

	for (i = 0; i < st->nlowers; i++)
		if (!strcmp(st->lowers[i], dev))
			return true;
	return false;
}

/*
 * What another active network (o) holds that st cannot share: a
 * passthrough network's devices are its own, and one shim at a time
 * holds a device's addresses.
 */
static int clash(const struct mvn_network *net, const struct mvn_state *st,
		 const struct mvn_state *o, struct mvn_error *err)
{
	size_t i;

	for (i = 0; i < st->nlowers; i++) {
		const char *dev = st->lowers[i];

		if (!in_pool(o, dev))
			continue;
		if (st->mode == MVN_FWD_PASSTHROUGH ||
		    o->mode == MVN_FWD_PASSTHROUGH)
			return mvn_error_set(
				err, -EBUSY,
				_("device '%1$s' is used by active network "
				  "'%2$s', and a passthrough network needs "
				  "its devices to itself (destroy '%2$s' or "
				  "give this network other devices)"),
				dev, o->network);
	}
	if (!net->host.present || net->host.move_addresses != MVN_YES)
		return 0;
	for (i = 0; i < o->nmoved; i++)
		if (in_pool(st, o->moved[i].dev))
			return mvn_error_set(
				err, -EBUSY,
				_("the host shim '%1$s' of active network "
				  "'%2$s' already holds the addresses of "
				  "'%3$s'; one shim can take them (set "
				  "move-addresses='no' here, or destroy "
				  "'%2$s' first)"),
				o->host_name, o->network, o->moved[i].dev);
	return 0;
}

/* st against every other active network of the store. */
static int check_others(struct mvn_engine *eng, const struct mvn_network *net,
			const struct mvn_state *st, struct mvn_error *err)
{
	char **names = NULL;
	size_t i;
	int ret = mvn_engine_state_names(eng, &names, err);

	for (i = 0; ret == 0 && names[i]; i++) {
		struct mvn_state *o = NULL;
		struct mvn_error e = { 0 };

		/* The headers say what they hold; their ports do not. */
		if (!strcmp(names[i], st->network) ||
		    mvn_engine_state_header(eng, names[i], &o, &e) < 0)
			continue; /* a damaged one is reconcile's */
		ret = clash(net, st, o, err);
		mvn_state_free(o);
	}
	mvn_store_names_free(names);
	return ret;
}

static int activate(struct mvn_engine *eng, const struct mvn_network *net,
		    struct mvn_state *st, struct mvn_linkset *ls,
		    struct mvn_txn *t, bool lowers, bool *recorded,
		    struct mvn_error *err)
{
	struct mvn_error herr = { 0 };
	size_t i;
	int ret = 0;

	for (i = 0; lowers && ret == 0 && i < st->nlowers; i++)
		ret = check_lower(eng, ls, t, st->network, st->lowers[i], err);
	if (ret == 0)
		ret = check_others(eng, net, st, err);
	if (ret == 0)
		ret = record_start(eng, ls, st, err);
	if (ret < 0)
		return ret;
	*recorded = true;
	ret = create_static(eng, net, st, ls, t, err);
	if (ret == 0 && net->host.present) {
		ret = create_host(eng, st, &net->host, ls, t, &herr);
		if (ret < 0)
			return mvn_error_set(err, ret,
					     _("network '%1$s', host shim "
					       "'%2$s': %3$s"),
					     st->network, net->host.name,
					     herr.msg);
	}
	if (ret == 0)
		ret = mvn_engine_commit_ports(eng, st, t, 0, err);
	if (ret == 0) {
		st->status = MVN_STATE_ACTIVE;
		ret = mvn_engine_state_save(eng, st, err);
	}
	return ret;
}

/*
 * Start a network (name), or the shim of one libvirt runs (key: no ports,
 * nothing to do when it is there already).  All or nothing: a failure
 * takes the transaction back, then removes the state; when that cannot
 * be done, the state says "starting" and reconcile finishes it.
 */
static int start(struct mvn_engine *eng, const struct mvn_network *net,
		 const char *key, bool ports, struct mvn_error *err)
{
	struct mvn_state *st = NULL, *old = NULL;
	struct mvn_network shim_only = *net;
	struct mvn_linkset ls = { 0 };
	struct mvn_error why = { 0 };
	struct mvn_txn *t = NULL;
	bool recorded = false;
	int ret;

	ret = mvn_engine_begin(eng, &key, 1, &old, &ls, err);
	if (ret < 0)
		return ret;
	if (old) {
		ret = ports ? mvn_error_set(err, -EEXIST,
					    _("network '%s' is already "
					      "active"),
					    key) :
			      0;
		goto out;
	}
	ret = mvn_engine_state_new(eng, net, key, &st, err);
	if (ret == 0 && !(t = mvn_txn_new(eng)))
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	if (ret < 0)
		goto out;
	/* The network hook: libvirt makes the endpoints itself. */
	if (!ports)
		shim_only.nports = 0;
	ret = activate(eng, &shim_only, st, &ls, t, ports, &recorded, err);
	if (ret == 0) {
		mvn_txn_commit(t);
		/* Said once it holds: a failure has one line, its error. */
		note_moved(eng, st, 0);
		goto out;
	}
	mvn_txn_abort(t, &ls, err);
	if (recorded && mvn_store_state_remove(eng->store, key, &why) < 0 &&
	    err) {
		size_t n = strlen(err->msg);

		snprintf(err->msg + n, sizeof(err->msg) - n,
			 _("; its state stays until macvnet reconcile (%s)"),
			 why.msg);
	}
out:
	mvn_engine_unlock(eng);
	mvn_linkset_free(&ls);
	mvn_state_free(st);
	mvn_state_free(old);
	return ret;
}

/* The definition of name, checked to be one macvnet can run. */
static int runnable_def(struct mvn_engine *eng, const char *name,
			struct mvn_network **net, struct mvn_error *err)
{
	int ret;

	if (mvn_engine_check_name(name, err) < 0)
		return -EINVAL;
	ret = mvn_engine_load_def(eng, name, net, err);
	if (ret == 0)
		ret = mvn_check_runnable(*net, name, NULL, err);
	return ret;
}

int mvn_engine_start(struct mvn_engine *eng, const char *name,
		     struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	int ret = runnable_def(eng, name, &net, err);

	if (ret == 0)
		ret = start(eng, net, name, true, err);
	mvn_network_free(net);
	return ret;
}

/* The layer 3 setup the shim of st would take from dev, as lines. */
static int plan_l3(struct mvn_engine *eng, const struct mvn_linkset *ls,
		   const struct mvn_network *net, struct mvn_state *st,
		   struct mvn_buf *out, struct mvn_error *err)
{
	const struct mvn_link_info *lower = NULL;
	char text[160];
	size_t i;
	int ret;

	for (i = 0; i < st->nlowers && !lower; i++)
		lower = mvn_linkset_find(ls, st->lowers[i]);
	if (!lower)
		return 0;
	mvn_buf_line(out, _("would create host shim %1$s on %2$s"),
		     net->host.name, lower->name);
	if (net->host.move_addresses != MVN_YES)
		return 0;
	ret = mvn_engine_record_l3(eng, st, lower, lower, NULL, err);
	for (i = 0; ret == 0 && i < st->nmoved; i++) {
		mvn_l3_describe(&st->moved[i].rec, text, sizeof(text));
		mvn_buf_line(out, _("would move %1$s from %2$s to %3$s%4$s"),
			     text, lower->name, net->host.name,
			     mvn_l3_dynamic(&st->moved[i].rec) ?
				     _(" (whatever renews it must then renew "
				       "it there)") :
				     "");
	}
	return ret;
}

int mvn_engine_start_plan(struct mvn_engine *eng, const char *name, char **plan,
			  struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct mvn_state *st = NULL;
	struct mvn_linkset ls = { 0 };
	struct mvn_buf out = { 0 };
	size_t i;
	int ret = runnable_def(eng, name, &net, err);

	if (ret == 0)
		ret = mvn_engine_state_new(eng, net, name, &st, err);
	if (ret == 0)
		ret = mvn_linkset_load(eng, &ls, true, false, err);
	for (i = 0; ret == 0 && i < st->nlowers; i++)
		if (!mvn_linkset_find(&ls, st->lowers[i]))
			ret = mvn_error_set(
				err, -ENODEV,
				_("lower device '%1$s' of network "
				  "'%2$s' not found; create it or "
				  "correct <interface dev='%1$s'/>"),
				st->lowers[i], name);
	if (ret == 0)
		ret = check_others(eng, net, st, err);
	for (i = 0; ret == 0 && i < net->nports; i++)
		mvn_buf_line(&out, _("would create static port %s"),
			     net->ports[i].name ? net->ports[i].name : "?");
	if (ret == 0 && net->host.present)
		ret = plan_l3(eng, &ls, net, st, &out, err);
	if (ret == 0)
		*plan = out.len ? mvn_buf_steal(&out) : mvn_strdup("");
	mvn_buf_free(&out);
	mvn_linkset_free(&ls);
	mvn_state_free(st);
	mvn_network_free(net);
	return ret == 0 && !*plan ?
		       mvn_error_set(err, -ENOMEM, _("out of memory")) :
		       ret;
}

/* Take network key down: its links, its nodes, what it took, its state. */
static int destroy(struct mvn_engine *eng, const char *key,
		   struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	struct mvn_linkset ls = { 0 };
	int ret;

	ret = mvn_engine_begin(eng, &key, 1, &st, &ls, err);
	if (ret < 0)
		return ret;
	if (!st) {
		ret = mvn_error_set(err, -ENOENT,
				    _("network '%1$s' is not active (start it "
				      "with: macvnet net-start %1$s)"),
				    key);
		goto out;
	}
	/*
	 * Marked first, so that a crash midway is finished by the next
	 * command; a full disk must not stop a teardown, so the mark is
	 * only a help.
	 */
	st->status = MVN_STATE_STOPPING;
	mvn_engine_state_save(eng, st, NULL);
	/* Endpoints handed to other namespaces go too. */
	ret = mvn_linkset_load(eng, &ls, true, true, err);
	mvn_engine_progress(eng, MVN_PROGRESS_DELETE, key, 0, st->nports);
	if (ret == 0)
		ret = mvn_engine_teardown(eng, &ls, st, err);
	mvn_engine_progress(eng, MVN_PROGRESS_DELETE, key, st->nports,
			    st->nports);
	if (ret == 0)
		ret = mvn_store_state_remove(eng->store, key, err);
out:
	mvn_engine_unlock(eng);
	mvn_linkset_free(&ls);
	mvn_state_free(st);
	return ret;
}

int mvn_engine_destroy(struct mvn_engine *eng, const char *name,
		       struct mvn_error *err)
{
	if (mvn_engine_check_name(name, err) < 0)
		return -EINVAL;
	return destroy(eng, name, err);
}

int mvn_engine_start_autostart(struct mvn_engine *eng, char ***started,
			       struct mvn_error *err)
{
	char **names = NULL, **done;
	struct mvn_error first = { 0 };
	size_t i, n, k = 0;
	int ret;

	ret = mvn_engine_networks(eng, &names, &n, err);
	if (ret < 0)
		return ret;
	done = calloc(n + 1, sizeof(*done));
	if (!done) {
		mvn_store_names_free(names);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	for (i = 0; names[i]; i++) {
		struct mvn_state *st = NULL;
		struct mvn_error e = { 0 };
		int r;

		if (!mvn_store_get_autostart(eng->store, names[i]))
			continue;
		r = mvn_engine_state_header(eng, names[i], &st, &e);
		mvn_state_free(st);
		if (r != -ENOENT)
			continue; /* active already (or damaged: reconcile) */
		r = mvn_engine_start(eng, names[i], &e);
		if (r < 0 && ret == 0) {
			ret = r;
			first = e;
		}
		if (r == 0)
			done[k++] = strdup(names[i]);
	}
	mvn_store_names_free(names);
	*started = done;
	if (ret < 0 && err)
		*err = first;
	return ret;
}

int mvn_engine_shim_start(struct mvn_engine *eng, const struct mvn_network *net,
			  const char *key, struct mvn_error *err)
{
	if (!net->host.present)
		return 0;
	if (net->forward.mode != MVN_FWD_BRIDGE)
		return mvn_error_set(err, -EINVAL,
				     _("network '%s': a host shim needs "
				       "forward mode='bridge'"),
				     net->name);
	return start(eng, net, key, false, err);
}

int mvn_engine_shim_stop(struct mvn_engine *eng, const char *key,
			 struct mvn_error *err)
{
	struct mvn_error quiet = { 0 };
	int ret = destroy(eng, key, &quiet);

	/* A network whose shim never started has nothing to stop. */
	if (ret == -ENOENT)
		return 0;
	if (ret < 0 && err)
		*err = quiet;
	return ret;
}

int mvn_engine_state(struct mvn_engine *eng, const char *name,
		     struct mvn_state **out, struct mvn_error *err)
{
	return mvn_engine_state_load(eng, name, out, err);
}

int mvn_engine_has_addresses(struct mvn_engine *eng, const char *dev, bool *out,
			     struct mvn_error *err)
{
	struct mvn_link_info l;
	struct mvn_l3 *v = NULL;
	size_t n = 0;
	int ret = mvn_engine_links(eng, err);

	*out = false;
	if (ret == 0)
		ret = eng->link_ops->get(eng->link_ctx, dev, &l, err);
	if (ret == 0)
		ret = eng->link_ops->l3_list(eng->link_ctx, MVN_L3_ADDR,
					     l.ifindex, l.name, &v, &n, err);
	*out = ret == 0 && n > 0;
	mvn_l3_free(v, n);
	return ret;
}
