/*
 * Active networks and their endpoints: start, destroy, port create and
 * delete, and reconcile, as transactions over the kernel's links and the
 * runtime state.  Every function here that changes something holds the
 * store's lock and reconciles first.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "check.h"
#include "engine-int.h"
#include "tap.h"
#include "util.h"

void mvn_engine_set_link_ops(struct mvn_engine *eng,
			     const struct mvn_link_ops *ops, void *ctx)
{
	if (eng->link_ops)
		eng->link_ops->close(eng->link_ctx);
	eng->link_ops = ops;
	eng->link_ctx = ctx;
}

static int links(struct mvn_engine *eng, struct mvn_error *err)
{
	if (eng->link_ops)
		return 0;
	return mvn_link_netlink(&eng->link_ops, &eng->link_ctx, err);
}

#define L(eng) ((eng)->link_ops)
#define C(eng) ((eng)->link_ctx)

static void state_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "networks/%s.state", name);
}

static int load_state(struct mvn_engine *eng, const char *name,
		      struct mvn_state **out, struct mvn_error *err)
{
	char path[512], *text = NULL;
	struct mvn_error quiet = { 0 };
	int ret;

	state_path(name, path, sizeof(path));
	ret = mvn_store_read_runfile(eng->store, path, &text, &quiet);
	if (ret == -ENOENT)
		return mvn_error_set(err, ret,
				     _("network '%1$s' is not active (start "
				       "it with: macvnet net-start %1$s)"),
				     name);
	if (ret < 0) {
		if (err)
			*err = quiet;
		return ret;
	}
	ret = mvn_state_parse(text, path, out, err);
	free(text);
	return ret;
}

static int save_state(struct mvn_engine *eng, const struct mvn_state *st,
		      struct mvn_error *err)
{
	char path[512], *text = mvn_state_format(st);
	int ret;

	if (!text)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	state_path(st->network, path, sizeof(path));
	ret = mvn_store_write_runfile(eng->store, path, text, strlen(text),
				      0644, err);
	free(text);
	return ret;
}

static int drop_state(struct mvn_engine *eng, const char *name,
		      struct mvn_error *err)
{
	char path[512];

	state_path(name, path, sizeof(path));
	return mvn_store_delete_runfile(eng->store, path, err);
}

/* Every active network's state; *states is a NULL-terminated array. */
static int load_states(struct mvn_engine *eng, struct mvn_state ***states,
		       struct mvn_error *err)
{
	struct mvn_state **v = NULL;
	char **names = NULL;
	size_t n = 0, i;
	int ret;

	ret = mvn_store_list_runfiles(eng->store, "networks", ".state", &names,
				      err);
	if (ret < 0)
		return ret;
	while (names[n])
		n++;
	v = calloc(n + 1, sizeof(*v));
	if (!v) {
		mvn_store_names_free(names);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	for (i = 0; i < n; i++) {
		ret = load_state(eng, names[i], &v[i], err);
		if (ret < 0)
			break;
	}
	mvn_store_names_free(names);
	if (ret < 0) {
		for (i = 0; v[i]; i++)
			mvn_state_free(v[i]);
		free(v);
		return ret;
	}
	*states = v;
	return 0;
}

static void free_states(struct mvn_state **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		mvn_state_free(v[i]);
	free(v);
}

static const struct mvn_link_info *find_link(const struct mvn_link_info *v,
					     size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static const struct mvn_link_info *find_ifindex(const struct mvn_link_info *v,
						size_t n, int ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].ifindex == ifindex)
			return &v[i];
	return NULL;
}

/* Give a passthrough lower device its own MAC back, if it still exists. */
static bool restore_mac(struct mvn_engine *eng, struct mvn_state *st,
			const char *dev, const struct mvn_link_info *v,
			size_t n)
{
	const struct mvn_link_info *l = find_link(v, n, dev);
	struct mvn_error ignored = { 0 };
	size_t i;

	for (i = 0; i < st->nsaved; i++) {
		if (strcmp(st->saved[i].dev, dev))
			continue;
		if (l)
			L(eng)->set_mac(C(eng), l->ifindex, st->saved[i].mac,
					&ignored);
		mvn_state_forget_mac(st, dev);
		return l != NULL;
	}
	return false;
}

/* Give the lower devices back the addresses the host shim took. */
static void restore_addrs(struct mvn_engine *eng, struct mvn_state *st,
			  const struct mvn_link_info *v, size_t n)
{
	struct mvn_error ignored = { 0 };
	struct mvn_addr a;
	size_t i;

	for (i = 0; i < st->nmoved; i++) {
		const struct mvn_link_info *l =
			find_link(v, n, st->moved[i].dev);

		if (l && mvn_addr_parse(st->moved[i].cidr, &a))
			L(eng)->addr_add(C(eng), l->ifindex, &a, &ignored);
	}
	st->nmoved = 0;
}

/* The ports of st the kernel no longer has are forgotten; true if any. */
static bool forget_lost(struct mvn_engine *eng, struct mvn_state *st,
			const struct mvn_link_info *v, size_t n,
			struct mvn_reconcile_report *rep)
{
	bool changed = false;
	size_t i = 0;

	while (i < st->nports) {
		const struct mvn_port_state *p = &st->ports[i];
		const struct mvn_link_info *l = find_link(v, n, p->name);
		char lower[16];

		if (l && l->ifindex == p->ifindex && l->group == st->group) {
			i++;
			continue;
		}
		snprintf(lower, sizeof(lower), "%s", p->lower);
		mvn_tap_release(eng->run_dir, p->tap);
		mvn_state_remove_port(st, i);
		if (rep)
			rep->forgotten++;
		if (!mvn_state_count_lower(st, lower) &&
		    restore_mac(eng, st, lower, v, n) && rep)
			rep->restored++;
		changed = true;
	}
	if (st->has_host) {
		const struct mvn_link_info *l = find_link(v, n, st->host_name);

		if (!l || l->ifindex != st->host_ifindex ||
		    l->group != st->group) {
			st->has_host = false;
			restore_addrs(eng, st, v, n);
			if (rep)
				rep->forgotten++;
			changed = true;
		}
	}
	return changed;
}

static bool known(struct mvn_state **states, const struct mvn_link_info *l)
{
	size_t i, j;

	for (i = 0; states[i]; i++) {
		if (states[i]->group != l->group)
			continue;
		if (states[i]->has_host &&
		    states[i]->host_ifindex == l->ifindex &&
		    !strcmp(states[i]->host_name, l->name))
			return true;
		for (j = 0; j < states[i]->nports; j++)
			if (states[i]->ports[j].ifindex == l->ifindex &&
			    !strcmp(states[i]->ports[j].name, l->name))
				return true;
	}
	return false;
}

/* Reconcile with the lock held. */
static int reconcile_locked(struct mvn_engine *eng,
			    struct mvn_reconcile_report *rep,
			    struct mvn_error *err)
{
	struct mvn_link_info *v = NULL;
	struct mvn_state **states = NULL;
	size_t n = 0, i;
	int ret;

	ret = links(eng, err);
	if (ret < 0)
		return ret;
	ret = load_states(eng, &states, err);
	if (ret < 0)
		return ret;
	ret = L(eng)->list(C(eng), &v, &n, err);
	if (ret < 0)
		goto cleanup;
	for (i = 0; states[i]; i++) {
		if (forget_lost(eng, states[i], v, n, rep)) {
			ret = save_state(eng, states[i], err);
			if (ret < 0)
				goto cleanup;
		}
	}
	for (i = 0; i < n; i++) {
		if (!MVN_GROUP_OURS(v[i].group) || known(states, &v[i]))
			continue;
		/* A link of ours that no state lists: a crash left it. */
		ret = L(eng)->delete (C(eng), v[i].ifindex, err);
		if (ret < 0)
			goto cleanup;
		if (rep)
			rep->removed++;
	}
	ret = 0;
cleanup:
	free(v);
	free_states(states);
	return ret;
}

/* Lock, open the links and reconcile: the start of every change. */
static int begin(struct mvn_engine *eng, struct mvn_error *err)
{
	int ret = mvn_engine_open_store(eng, true, err);

	if (ret == 0)
		ret = links(eng, err);
	if (ret == 0)
		ret = reconcile_locked(eng, NULL, err);
	if (ret < 0 && eng->store)
		mvn_store_unlock(eng->store);
	return ret;
}

static void end(struct mvn_engine *eng)
{
	if (eng->store)
		mvn_store_unlock(eng->store);
}

int mvn_engine_reconcile(struct mvn_engine *eng,
			 struct mvn_reconcile_report *rep,
			 struct mvn_error *err)
{
	int ret = mvn_engine_open_store(eng, true, err);

	if (ret < 0)
		return ret;
	ret = reconcile_locked(eng, rep, err);
	end(eng);
	return ret;
}

int mvn_engine_state(struct mvn_engine *eng, const char *name,
		     struct mvn_state **out, struct mvn_error *err)
{
	int ret = mvn_engine_open_store(eng, false, err);

	if (ret < 0)
		return ret;
	return load_state(eng, name, out, err);
}

static enum mvn_link_mode link_mode(enum mvn_fwd_mode m)
{
	switch (m) {
	case MVN_FWD_PRIVATE:
		return MVN_LINK_PRIVATE;
	case MVN_FWD_VEPA:
		return MVN_LINK_VEPA;
	case MVN_FWD_PASSTHROUGH:
		return MVN_LINK_PASSTHRU;
	default:
		return MVN_LINK_BRIDGE_MODE;
	}
}

/* Read and parse a stored definition. */
static int load_def(struct mvn_engine *eng, const char *name,
		    struct mvn_network **out, struct mvn_error *err)
{
	char *xml = NULL;
	int ret;

	ret = mvn_store_load_network(eng->store, name, &xml, err);
	if (ret < 0)
		return ret;
	ret = mvn_network_parse(xml, strlen(xml), name, out, err);
	free(xml);
	return ret;
}

/* The smallest group no active network uses. */
static int alloc_group(struct mvn_engine *eng, uint32_t *out,
		       struct mvn_error *err)
{
	struct mvn_state **states = NULL;
	uint32_t g;
	size_t i;
	int ret;

	ret = load_states(eng, &states, err);
	if (ret < 0)
		return ret;
	for (g = MVN_GROUP_BASE + 1; g < MVN_GROUP_SCRATCH; g++) {
		for (i = 0; states[i] && states[i]->group != g; i++)
			;
		if (!states[i])
			break;
	}
	free_states(states);
	if (g == MVN_GROUP_SCRATCH)
		return mvn_error_set(err, -ENOSPC,
				     _("too many active networks"));
	*out = g;
	return 0;
}

/* A free name "mvtN" and a MAC that no link of the namespace uses. */
static int fresh_name(const struct mvn_link_info *v, size_t n,
		      const struct mvn_state *st, char out[16])
{
	int i;

	for (i = 0; i < 100000; i++) {
		snprintf(out, 16, "mvt%d", i);
		if (!find_link(v, n, out) && mvn_state_find_port(st, out) < 0)
			return 0;
	}
	return -ENOSPC;
}

static int fresh_mac(const struct mvn_link_info *v, size_t n,
		     unsigned char mac[6])
{
	int tries;
	size_t i;

	for (tries = 0; tries < 64; tries++) {
		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		if (getrandom(mac + 3, 3, 0) != 3)
			return -EIO;
		for (i = 0; i < n && memcmp(v[i].mac, mac, 6); i++)
			;
		if (i == n)
			return 0;
	}
	return -EEXIST;
}

struct creation {
	const char *name; /* NULL: fresh */
	const char *lower; /* NULL: choose */
	bool has_mac;
	unsigned char mac[6];
	uid_t uid;
	gid_t gid;
	unsigned int perm;
	unsigned int mtu;
	bool is_static;
	const char *owner_tag;
};

/* Choose the pool device with the fewest endpoints (passthrough: a free one). */
static int choose_lower(const struct mvn_state *st,
			const struct mvn_link_info *v, size_t n,
			const char **out, struct mvn_error *err)
{
	const char *best = NULL;
	size_t i, best_count = (size_t)-1;

	for (i = 0; i < st->nlowers; i++) {
		size_t c = mvn_state_count_lower(st, st->lowers[i]);

		if (!find_link(v, n, st->lowers[i]))
			continue;
		if (c < best_count) {
			best = st->lowers[i];
			best_count = c;
		}
	}
	if (!best)
		return mvn_error_set(err, -ENODEV,
				     _("no lower device of network '%s' exists "
				       "any more; recreate them and restart "
				       "the network"),
				     st->network);
	if (st->mode == MVN_FWD_PASSTHROUGH && best_count > 0)
		return mvn_error_set(err, -EBUSY,
				     _("all %1$zu devices of passthrough "
				       "network '%2$s' are in use, and each "
				       "serves one endpoint (delete a port or "
				       "add a device to the pool)"),
				     st->nlowers, st->network);
	*out = best;
	return 0;
}

/*
 * Create one endpoint of st and add it to st (in memory).  On failure
 * nothing of it is left.
 */
struct linkset {
	struct mvn_link_info *v;
	size_t n, cap;
};

/* Remember a link just created, so that one dump serves many creations. */
static int linkset_add(struct linkset *ls, const struct mvn_link_info *l)
{
	if (ls->n >= ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : ls->n + 64;
		struct mvn_link_info *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n++] = *l;
	return 0;
}

static int linkset_load(struct mvn_engine *eng, struct linkset *ls,
			struct mvn_error *err)
{
	free(ls->v);
	ls->v = NULL;
	ls->n = ls->cap = 0;
	if (L(eng)->list(C(eng), &ls->v, &ls->n, err) < 0)
		return err ? err->code : -EIO;
	ls->cap = ls->n;
	return 0;
}

static int create_port(struct mvn_engine *eng, struct mvn_state *st,
		       struct linkset *ls, const struct creation *c,
		       struct mvn_port_state *out, struct mvn_error *err)
{
	struct mvn_link_spec spec = { 0 };
	struct mvn_link_info info, *v = ls->v, lower_info = { 0 };
	struct mvn_port_state p = { 0 };
	struct mvn_error ignored = { 0 };
	const struct mvn_link_info *lower;
	char name[16];
	bool took_mac = false;
	size_t n = ls->n, i;
	int ret;
	if (c->name) {
		snprintf(name, sizeof(name), "%s", c->name);
		if (mvn_state_find_port(st, name) >= 0 ||
		    find_link(v, n, name)) {
			ret = mvn_error_set(err, -EEXIST,
					    _("an interface named '%s' already "
					      "exists; choose another name"),
					    name);
			goto cleanup;
		}
	} else if (fresh_name(v, n, st, name) < 0) {
		ret = mvn_error_set(err, -ENOSPC, _("no free interface name"));
		goto cleanup;
	}
	if (c->lower) {
		for (i = 0; i < st->nlowers && strcmp(st->lowers[i], c->lower);
		     i++)
			;
		if (i == st->nlowers) {
			ret = mvn_error_set(err, -EINVAL,
					    _("'%1$s' is not a lower device of "
					      "network '%2$s'"),
					    c->lower, st->network);
			goto cleanup;
		}
		if (st->mode == MVN_FWD_PASSTHROUGH &&
		    mvn_state_count_lower(st, c->lower)) {
			ret = mvn_error_set(err, -EBUSY,
					    _("passthrough device '%s' already "
					      "serves an endpoint"),
					    c->lower);
			goto cleanup;
		}
		spec.lower = c->lower;
	} else {
		ret = choose_lower(st, v, n, &spec.lower, err);
		if (ret < 0)
			goto cleanup;
	}
	lower = find_link(v, n, spec.lower);
	spec.lower_ifindex = lower ? lower->ifindex : 0;
	spec.name = name;
	spec.kind = MVN_LINK_MACVTAP;
	spec.mode = link_mode(st->mode);
	spec.group = st->group;
	spec.mtu = c->mtu;
	if (c->has_mac) {
		memcpy(spec.mac, c->mac, 6);
	} else if (fresh_mac(v, n, spec.mac) < 0) {
		ret = mvn_error_set(err, -EIO, _("cannot make a MAC address"));
		goto cleanup;
	}
	spec.has_mac = true;
	if (st->mode == MVN_FWD_PASSTHROUGH) {
		/*
		 * As libvirt does, the device itself takes the guest's MAC
		 * and the endpoint inherits it; the device's own is saved
		 * (in the state, so that it survives a crash) and given back
		 * at the end.
		 */
		lower = find_link(v, n, spec.lower);
		if (!lower) {
			ret = mvn_error_set(err, -ENODEV,
					    _("lower device '%s' not found"),
					    spec.lower);
			goto cleanup;
		}
		lower_info = *lower;
		ret = mvn_state_save_mac(st, spec.lower, lower_info.mac);
		if (ret == 0)
			ret = save_state(eng, st, err);
		if (ret < 0)
			goto cleanup;
		ret = L(eng)->set_mac(C(eng), lower_info.ifindex, spec.mac,
				      err);
		if (ret < 0)
			goto cleanup;
		took_mac = true;
		spec.has_mac = false;
	}
	ret = L(eng)->create(C(eng), &spec, &info, err);
	if (ret < 0)
		goto cleanup;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.lower, sizeof(p.lower), "%s", spec.lower);
	p.ifindex = info.ifindex;
	memcpy(p.mac, info.mac, 6);
	p.uid = c->uid;
	p.gid = c->gid;
	p.perm = c->perm;
	p.is_static = c->is_static;
	snprintf(p.owner, sizeof(p.owner), "%s",
		 c->owner_tag ? c->owner_tag : "cli");
	ret = mvn_tap_prepare(eng->run_dir, name, info.ifindex, c->uid, c->gid,
			      c->perm, p.tap, sizeof(p.tap), err);
	if (ret == 0)
		ret = mvn_state_add_port(st, &p);
	if (ret == 0 && linkset_add(ls, &info) < 0) {
		mvn_state_remove_port(st, st->nports - 1);
		ret = -ENOMEM;
	}
	if (ret < 0) {
		if (ret == -ENOMEM)
			mvn_error_set(err, ret, _("out of memory"));
		mvn_tap_release(eng->run_dir, p.tap);
		L(eng)->delete (C(eng), info.ifindex, &ignored);
		goto cleanup;
	}
	if (out)
		*out = p;
	took_mac = false;
cleanup:
	if (took_mac) {
		L(eng)->set_mac(C(eng), lower_info.ifindex, lower_info.mac,
				&ignored);
	}
	if (ret < 0 && st->mode == MVN_FWD_PASSTHROUGH && spec.lower &&
	    !mvn_state_count_lower(st, spec.lower))
		mvn_state_forget_mac(st, spec.lower);
	return ret;
}

/* Check a lower device before the network uses it, and bring it up. */
static int check_lower(struct mvn_engine *eng, const char *net, const char *dev,
		       struct mvn_error *err)
{
	struct mvn_link_info l, master;
	struct mvn_error quiet = { 0 };
	int ret;

	ret = L(eng)->get(C(eng), dev, &l, &quiet);
	if (ret == -ENODEV)
		return mvn_error_set(err, ret,
				     _("lower device '%1$s' of network '%2$s' "
				       "not found; create it or correct "
				       "<interface dev='%1$s'/>"),
				     dev, net);
	if (ret < 0) {
		if (err)
			*err = quiet;
		return ret;
	}
	if (l.master_ifindex) {
		struct mvn_link_info *v = NULL;
		const struct mvn_link_info *m;
		size_t n = 0;

		ret = L(eng)->list(C(eng), &v, &n, err);
		if (ret < 0)
			return ret;
		m = find_ifindex(v, n, l.master_ifindex);
		if (m)
			master = *m;
		free(v);
		if (m && master.kind == MVN_LINK_BRIDGE)
			return mvn_error_set(err, -EBUSY,
					     _("%1$s is a port of bridge %2$s; "
					       "a macvtap lower device cannot "
					       "be a bridge port (detach it: "
					       "ip link set %1$s nomaster)"),
					     dev, master.name);
	}
	if (l.kind == MVN_LINK_MACVTAP)
		return mvn_error_set(err, -EINVAL,
				     _("lower device '%s' is itself a macvtap "
				       "endpoint; use the device beneath "
				       "it"),
				     dev);
	if (!l.up)
		return L(eng)->set_up(C(eng), l.ifindex, err);
	return 0;
}

/* Undo a partial start or destroy a network: one request for all links. */
static void teardown(struct mvn_engine *eng, struct mvn_state *st)
{
	struct mvn_link_info *v = NULL;
	struct mvn_error ignored = { 0 };
	size_t n = 0, i;

	L(eng)->delete_group(C(eng), st->group, &ignored);
	for (i = 0; i < st->nports; i++)
		mvn_tap_release(eng->run_dir, st->ports[i].tap);
	st->nports = 0;
	st->has_host = false;
	if ((st->nsaved || st->nmoved) &&
	    L(eng)->list(C(eng), &v, &n, &ignored) == 0) {
		while (st->nsaved)
			restore_mac(eng, st, st->saved[0].dev, v, n);
		restore_addrs(eng, st, v, n);
	}
	free(v);
}

/*
 * The host shim: a macvlan in bridge mode on the first lower device, so
 * that the host reaches the network's guests.  It takes the given address
 * and, with move-addresses='yes', the lower device's own addresses (saved
 * in the state first, so that they come back after a crash too).
 */
static int create_host(struct mvn_engine *eng, struct mvn_state *st,
		       const struct mvn_host_spec *h, struct linkset *ls,
		       struct mvn_error *err)
{
	struct mvn_link_spec spec = { 0 };
	struct mvn_link_info info;
	const struct mvn_link_info *found = NULL;
	struct mvn_link_info lower_copy, *lower = &lower_copy;
	struct mvn_addr a, *addrs = NULL;
	char text[64];
	size_t i, n = 0;
	int ret;

	for (i = 0; i < st->nlowers && !found; i++)
		found = find_link(ls->v, ls->n, st->lowers[i]);
	if (!found)
		return mvn_error_set(err, -ENODEV,
				     _("no lower device of network '%s' exists "
				       "for the host shim"),
				     st->network);
	/* A copy: ls may move when the shim is added to it. */
	lower_copy = *found;
	if (find_link(ls->v, ls->n, h->name))
		return mvn_error_set(err, -EEXIST,
				     _("host shim '%s': an interface of that "
				       "name already exists; choose another "
				       "name"),
				     h->name);
	spec.name = h->name;
	spec.lower = lower->name;
	spec.lower_ifindex = lower->ifindex;
	spec.kind = MVN_LINK_MACVLAN;
	spec.mode = MVN_LINK_BRIDGE_MODE;
	spec.group = st->group;
	if (fresh_mac(ls->v, ls->n, spec.mac) == 0)
		spec.has_mac = true;
	ret = L(eng)->create(C(eng), &spec, &info, err);
	if (ret < 0)
		return ret;
	st->has_host = true;
	snprintf(st->host_name, sizeof(st->host_name), "%s", h->name);
	memcpy(st->host_lower, lower_copy.name, sizeof(st->host_lower));
	st->host_lower[sizeof(st->host_lower) - 1] = '\0';
	st->host_ifindex = info.ifindex;
	ret = linkset_add(ls, &info);
	if (ret == 0)
		ret = save_state(eng, st, err);
	if (ret < 0)
		return ret;
	if (h->move_addresses == MVN_YES) {
		ret = L(eng)->addr_list(C(eng), lower->ifindex, &addrs, &n,
					err);
		for (i = 0; ret == 0 && i < n; i++) {
			if (!addrs[i].global)
				continue;
			mvn_addr_format(&addrs[i], text);
			ret = mvn_state_add_moved(st, lower->name, text);
			if (ret == 0)
				ret = save_state(eng, st, err);
			if (ret == 0)
				ret = L(eng)->addr_del(C(eng), lower->ifindex,
						       &addrs[i], err);
			if (ret == 0)
				ret = L(eng)->addr_add(C(eng), info.ifindex,
						       &addrs[i], err);
		}
		free(addrs);
		if (ret < 0)
			return ret;
	}
	if (h->address) {
		if (!mvn_addr_parse(h->address, &a))
			return mvn_error_set(err, -EINVAL,
					     _("host shim address '%s' is not "
					       "an address with a prefix"),
					     h->address);
		ret = L(eng)->addr_add(C(eng), info.ifindex, &a, err);
	}
	return ret;
}

static int port_ids(const struct mvn_port_spec *ps, struct creation *c,
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

/* A new state for net, recorded under key, with the network's pool. */
static int new_state(const struct mvn_network *net, const char *key,
		     struct mvn_state **out, struct mvn_error *err)
{
	struct mvn_state *st = calloc(1, sizeof(*st));
	size_t i, n = net->forward.nifaces;

	if (!st || !(st->network = strdup(key)) ||
	    !(st->lowers = calloc(n + 1, sizeof(char *))))
		goto nomem;
	st->mode = net->forward.mode;
	for (i = 0; i < n; i++)
		if (!(st->lowers[st->nlowers++] =
			      strdup(net->forward.ifaces[i].dev)))
			goto nomem;
	if (!n && net->forward.dev &&
	    !(st->lowers[st->nlowers++] = strdup(net->forward.dev)))
		goto nomem;
	*out = st;
	return 0;
nomem:
	mvn_state_free(st);
	return mvn_error_set(err, -ENOMEM, _("out of memory"));
}

int mvn_engine_start(struct mvn_engine *eng, const char *name,
		     struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct mvn_state *st = NULL, *old = NULL;
	struct mvn_error quiet = { 0 };
	struct linkset ls = { 0 };
	size_t i;
	int ret;

	ret = begin(eng, err);
	if (ret < 0)
		return ret;
	ret = load_def(eng, name, &net, err);
	if (ret < 0)
		goto out;
	if (load_state(eng, name, &old, &quiet) == 0) {
		ret = mvn_error_set(err, -EEXIST,
				    _("network '%s' is already active"), name);
		goto out;
	}
	ret = mvn_check_runnable(net, name, NULL, err);
	if (ret < 0)
		goto out;
	ret = new_state(net, net->name, &st, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < st->nlowers; i++) {
		ret = check_lower(eng, name, st->lowers[i], err);
		if (ret < 0)
			goto out;
	}
	ret = alloc_group(eng, &st->group, err);
	if (ret == 0)
		ret = linkset_load(eng, &ls, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < net->nports; i++) {
		const struct mvn_port_spec *ps = &net->ports[i];
		struct creation c = { .name = ps->name,
				      .is_static = true,
				      .owner_tag = "static" };
		struct mvn_error perr = { 0 };

		c.has_mac = ps->mac && mvn_mac_parse(ps->mac, c.mac);
		ret = port_ids(ps, &c, err);
		if (ret == 0)
			ret = create_port(eng, st, &ls, &c, NULL, &perr);
		if (ret < 0) {
			if (perr.msg[0])
				mvn_error_set(err, ret,
					      _("network '%1$s', port '%2$s': "
						"%3$s"),
					      name, ps->name, perr.msg);
			teardown(eng, st);
			goto out;
		}
	}
	if (net->host.present) {
		struct mvn_error herr = { 0 };

		ret = create_host(eng, st, &net->host, &ls, &herr);
		if (ret < 0) {
			mvn_error_set(err, ret,
				      _("network '%1$s', host shim '%2$s': "
					"%3$s"),
				      name, net->host.name, herr.msg);
			teardown(eng, st);
			drop_state(eng, name, NULL);
			goto out;
		}
	}
	ret = save_state(eng, st, err);
	if (ret < 0) {
		teardown(eng, st);
		drop_state(eng, name, NULL);
	}
out:
	end(eng);
	free(ls.v);
	mvn_state_free(st);
	mvn_state_free(old);
	mvn_network_free(net);
	return ret;
}

int mvn_engine_destroy(struct mvn_engine *eng, const char *name,
		       struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	int ret;

	ret = begin(eng, err);
	if (ret < 0)
		return ret;
	ret = load_state(eng, name, &st, err);
	if (ret < 0)
		goto out;
	/* The state goes last: a crash before it leaves links to reconcile. */
	teardown(eng, st);
	ret = drop_state(eng, name, err);
out:
	end(eng);
	mvn_state_free(st);
	return ret;
}

int mvn_engine_set_autostart(struct mvn_engine *eng, const char *name, bool on,
			     struct mvn_error *err)
{
	int ret = mvn_engine_open_store(eng, true, err);

	if (ret < 0)
		return ret;
	ret = mvn_store_set_autostart(eng->store, name, on, err);
	end(eng);
	return ret;
}

int mvn_engine_start_autostart(struct mvn_engine *eng, char ***started,
			       struct mvn_error *err)
{
	char **names = NULL, **done;
	struct mvn_error first = { 0 };
	size_t i, n = 0;
	int ret;

	ret = mvn_engine_open_store(eng, false, err);
	if (ret < 0)
		return ret;
	ret = mvn_store_list_networks(eng->store, &names, err);
	if (ret < 0)
		return ret;
	for (i = 0; names[i]; i++)
		;
	done = calloc(i + 1, sizeof(*done));
	if (!done) {
		mvn_store_names_free(names);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	ret = 0;
	for (i = 0; names[i]; i++) {
		struct mvn_state *st = NULL;
		struct mvn_error e = { 0 };
		int r;

		if (!mvn_store_get_autostart(eng->store, names[i]))
			continue;
		if (load_state(eng, names[i], &st, &e) == 0) {
			mvn_state_free(st);
			continue;
		}
		r = mvn_engine_start(eng, names[i], &e);
		if (r < 0 && ret == 0) {
			ret = r;
			first = e;
		}
		if (r == 0)
			done[n++] = strdup(names[i]);
	}
	mvn_store_names_free(names);
	*started = done;
	if (ret < 0 && err)
		*err = first;
	return ret;
}

/* Turn a request into a creation, checking what needs no kernel. */
static int prepare_creation(const struct mvn_port_request *req,
			    struct creation *c, struct mvn_error *err)
{
	bool has_group = false;
	int ret;

	memset(c, 0, sizeof(*c));
	c->name = req->name;
	c->lower = req->lower;
	c->has_mac = req->has_mac;
	memcpy(c->mac, req->mac, 6);
	c->mtu = req->mtu;
	c->owner_tag = req->owner_tag;
	if (req->name && !mvn_ifname_valid(req->name))
		return mvn_error_set(err, -EINVAL,
				     _("'%s' is not a valid interface name (1 "
				       "to 15 bytes, no '/', ':' or white "
				       "space)"),
				     req->name);
	if (req->owner) {
		ret = mvn_tap_owner(req->owner, &c->uid, &c->gid, &has_group,
				    err);
		if (ret < 0)
			return ret;
	}
	c->perm = req->perm ? req->perm : has_group ? 0660 : 0600;
	if (c->perm & 07)
		return mvn_error_set(err, -EINVAL,
				     _("mode %04o lets every user on the host "
				       "use the endpoint; grant a group "
				       "instead (for example --owner "
				       "alice:kvm)"),
				     c->perm);
	return 0;
}

/* With named, failures say which interface (by its name) failed. */
static int ports_create(struct mvn_engine *eng,
			const struct mvn_port_request *reqs, size_t n,
			struct mvn_port_state *outs, bool named,
			struct mvn_error *err)
{
	struct mvn_state **sts = NULL;
	struct creation *cs = NULL;
	struct linkset ls = { 0 };
	size_t i, j, made = 0;
	int ret = 0;

	cs = calloc(n ? n : 1, sizeof(*cs));
	sts = calloc(n + 1, sizeof(*sts));
	if (!cs || !sts) {
		free(cs);
		free(sts);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	for (i = 0; i < n && ret == 0; i++)
		ret = prepare_creation(&reqs[i], &cs[i], err);
	if (ret < 0)
		goto done;
	ret = begin(eng, err);
	if (ret < 0)
		goto done;
	ret = linkset_load(eng, &ls, err);
	/* One transaction: every endpoint, or none. */
	for (i = 0; i < n && ret == 0; i++) {
		struct mvn_error perr = { 0 };

		for (j = 0; sts[j] && strcmp(sts[j]->network, reqs[i].network);
		     j++)
			;
		if (!sts[j]) {
			ret = load_state(eng, reqs[i].network, &sts[j], &perr);
			if (ret < 0) {
				sts[j] = NULL;
				if (named && reqs[i].name)
					mvn_error_set(err, ret,
						      _("interface %1$s: %2$s"),
						      reqs[i].name, perr.msg);
				else if (err)
					*err = perr;
				break;
			}
		}
		ret = create_port(eng, sts[j], &ls, &cs[i], &outs[i], &perr);
		if (ret < 0) {
			if (named && reqs[i].name)
				mvn_error_set(err, ret,
					      _("interface %1$s: %2$s"),
					      reqs[i].name, perr.msg);
			else if (err)
				*err = perr;
			break;
		}
		made++;
	}
	for (j = 0; ret == 0 && sts[j]; j++)
		ret = save_state(eng, sts[j], err);
	if (ret < 0) {
		struct mvn_error ignored = { 0 };

		for (i = 0; i < made; i++) {
			mvn_tap_release(eng->run_dir, outs[i].tap);
			L(eng)->delete (C(eng), outs[i].ifindex, &ignored);
		}
		/* States already written name links that are gone now. */
		reconcile_locked(eng, NULL, &ignored);
	}
	end(eng);
done:
	free(ls.v);
	for (j = 0; sts[j]; j++)
		mvn_state_free(sts[j]);
	free(sts);
	free(cs);
	return ret;
}

int mvn_engine_ports_create(struct mvn_engine *eng,
			    const struct mvn_port_request *reqs, size_t n,
			    struct mvn_port_state *outs, struct mvn_error *err)
{
	return ports_create(eng, reqs, n, outs, true, err);
}

int mvn_engine_port_create(struct mvn_engine *eng,
			   const struct mvn_port_request *req,
			   struct mvn_port_state *out, struct mvn_error *err)
{
	return ports_create(eng, req, 1, out, false, err);
}

int mvn_engine_port_delete(struct mvn_engine *eng, char *const *names, size_t n,
			   struct mvn_error *err)
{
	struct mvn_state **states = NULL;
	struct mvn_link_info *v = NULL;
	size_t i, j, nv = 0, found;
	int ret, idx = -1;

	ret = begin(eng, err);
	if (ret < 0)
		return ret;
	ret = load_states(eng, &states, err);
	if (ret < 0)
		goto out;
	/* All names must be ports before anything is deleted. */
	for (i = 0; i < n; i++) {
		for (j = 0, found = 0; states[j]; j++)
			if (mvn_state_find_port(states[j], names[i]) >= 0)
				found++;
		if (!found) {
			ret = mvn_error_set(err, -ENOENT,
					    _("'%s' is not an endpoint of an "
					      "active macvnet network (see "
					      "macvnet port-list)"),
					    names[i]);
			goto out;
		}
	}
	/* Several go in one request, through the scratch group. */
	for (i = 0; i < n && n > 1; i++)
		for (j = 0; states[j]; j++)
			if ((idx = mvn_state_find_port(states[j], names[i])) >=
			    0) {
				ret = L(eng)->set_group(
					C(eng), states[j]->ports[idx].ifindex,
					MVN_GROUP_SCRATCH, err);
				if (ret < 0)
					goto out;
			}
	if (n > 1) {
		ret = L(eng)->delete_group(C(eng), MVN_GROUP_SCRATCH, err);
	} else {
		for (j = 0; states[j]; j++)
			if ((idx = mvn_state_find_port(states[j], names[0])) >=
			    0)
				ret = L(eng)->delete (
					C(eng), states[j]->ports[idx].ifindex,
					err);
	}
	if (ret < 0)
		goto out;
	ret = L(eng)->list(C(eng), &v, &nv, err);
	if (ret < 0)
		goto out;
	for (j = 0; states[j]; j++) {
		bool changed = false;

		for (i = 0; i < n; i++) {
			idx = mvn_state_find_port(states[j], names[i]);
			if (idx < 0)
				continue;
			mvn_tap_release(eng->run_dir,
					states[j]->ports[idx].tap);
			mvn_state_remove_port(states[j], (size_t)idx);
			changed = true;
		}
		for (i = 0; i < states[j]->nsaved;)
			if (!mvn_state_count_lower(states[j],
						   states[j]->saved[i].dev))
				restore_mac(eng, states[j],
					    states[j]->saved[i].dev, v, nv);
			else
				i++;
		if (changed) {
			ret = save_state(eng, states[j], err);
			if (ret < 0)
				goto out;
		}
	}
out:
	end(eng);
	free(v);
	free_states(states);
	return ret;
}

int mvn_engine_port_list(struct mvn_engine *eng, const char *network,
			 struct mvn_port_row **rows, size_t *n,
			 struct mvn_error *err)
{
	struct mvn_state **states = NULL;
	struct mvn_port_row *v = NULL, *grown;
	size_t count = 0, i, j;
	int ret;

	ret = mvn_engine_open_store(eng, false, err);
	if (ret < 0)
		return ret;
	if (network) {
		struct mvn_state *st = NULL;

		ret = load_state(eng, network, &st, err);
		if (ret < 0)
			return ret;
		states = calloc(2, sizeof(*states));
		if (!states) {
			mvn_state_free(st);
			return mvn_error_set(err, -ENOMEM, _("out of memory"));
		}
		states[0] = st;
	} else {
		ret = load_states(eng, &states, err);
		if (ret < 0)
			return ret;
	}
	for (i = 0; states[i]; i++) {
		for (j = 0; j < states[i]->nports; j++) {
			grown = realloc(v, (count + 1) * sizeof(*v));
			if (!grown) {
				ret = mvn_error_set(err, -ENOMEM,
						    _("out of memory"));
				free(v);
				free_states(states);
				return ret;
			}
			v = grown;
			snprintf(v[count].network, sizeof(v[count].network),
				 "%s", states[i]->network);
			v[count].mode = states[i]->mode;
			v[count].port = states[i]->ports[j];
			count++;
		}
	}
	free_states(states);
	*rows = v;
	*n = count;
	return 0;
}

int mvn_engine_shim_start(struct mvn_engine *eng, const struct mvn_network *net,
			  const char *key, struct mvn_error *err)
{
	struct mvn_state *st = NULL, *old = NULL;
	struct mvn_error quiet = { 0 };
	struct linkset ls = { 0 };
	int ret;

	if (!net->host.present)
		return 0;
	if (net->forward.mode != MVN_FWD_BRIDGE)
		return mvn_error_set(
			err, -EINVAL,
			_("network '%s': a host shim needs forward "
			  "mode='bridge'"),
			net->name);
	ret = begin(eng, err);
	if (ret < 0)
		return ret;
	if (load_state(eng, key, &old, &quiet) == 0)
		goto out; /* already there */
	ret = new_state(net, key, &st, err);
	if (ret < 0)
		goto out;
	ret = alloc_group(eng, &st->group, err);
	if (ret == 0)
		ret = linkset_load(eng, &ls, err);
	if (ret == 0)
		ret = create_host(eng, st, &net->host, &ls, err);
	if (ret == 0)
		ret = save_state(eng, st, err);
	if (ret < 0) {
		teardown(eng, st);
		drop_state(eng, key, NULL);
	}
out:
	end(eng);
	free(ls.v);
	mvn_state_free(st);
	mvn_state_free(old);
	return ret;
}

int mvn_engine_shim_stop(struct mvn_engine *eng, const char *key,
			 struct mvn_error *err)
{
	struct mvn_error quiet = { 0 };
	int ret = mvn_engine_destroy(eng, key, &quiet);

	/* A network whose shim never started has nothing to stop. */
	if (ret == -ENOENT)
		return 0;
	if (ret < 0 && err)
		*err = quiet;
	return ret;
}
