/*
 * Endpoints: one macvtap made on an active network (a name, a lower device
 * and a MAC chosen when not given, the device node handed to its owner),
 * several made as one transaction, deleted in one kernel request, listed.
 * A port's file is written only once all of it exists; a failure before
 * that takes the transaction's one way back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "engine-int.h"
#include "tap.h"
#include "util.h"

/* How often a name or MAC that someone took meanwhile is chosen again. */
#define RETRIES 16

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

/* How many "mvtN" names there are: mvt0 to mvt99999. */
#define MVT_NAMES 100000

/* Whether name is "mvtN", and N. */
static bool mvt_number(const char *name, int *n)
{
	char *end;
	long v;

	if (strncmp(name, "mvt", 3) || name[3] < '0' || name[3] > '9' ||
	    (name[3] == '0' && name[4]))
		return false;
	v = strtol(name + 3, &end, 10);
	if (*end || v >= MVT_NAMES)
		return false;
	*n = (int)v;
	return true;
}

/*
 * A free name "mvtN": no port of st has it, and no link here (in a lazy
 * ls, each candidate is looked up).  Candidates run from base on, past
 * mvt99999 around to mvt0; *k counts those tried, so that a retry goes on
 * after a name another creator took meanwhile.  The numbers st's ports
 * hold are marked first, so the search costs one pass over them, and
 * with base the store's hint, one look-up however many endpoints other
 * networks hold.
 */
static int fresh_name(struct mvn_linkset *ls, const struct mvn_state *st,
		      unsigned int base, unsigned int *k, char out[16],
		      struct mvn_error *err)
{
	unsigned char *taken = calloc(MVT_NAMES / 8 + 1, 1);
	size_t i;
	int n, ret = -ENOSPC;

	if (!taken)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (i = 0; i < st->nports; i++)
		if (mvt_number(st->ports[i].name, &n))
			taken[n / 8] |= (unsigned char)(1u << (n % 8));
	for (i = 0; i < st->rest.n; i++)
		if (mvt_number(st->rest.name[i], &n))
			taken[n / 8] |= (unsigned char)(1u << (n % 8));
	for (; *k < MVT_NAMES; (*k)++) {
		n = (int)((base + *k) % MVT_NAMES);
		if (taken[n / 8] & (1u << (n % 8)))
			continue;
		snprintf(out, 16, "mvt%d", n);
		ret = mvn_linkset_fetch(ls, out, err);
		if (ret < 0 || !mvn_linkset_find(ls, out))
			break;
		ret = -ENOSPC;
	}
	free(taken);
	if (ret == -ENOSPC)
		return mvn_error_set(err, ret,
				     _("no free interface name (mvt0 to "
				       "mvt99999 are all taken; delete "
				       "endpoints, or name new ones with "
				       "--name)"));
	return ret;
}

/* A random 52:54:00:xx:xx:xx that no link of the namespace uses. */
int mvn_engine_fresh_mac(const struct mvn_linkset *ls, unsigned char mac[6])
{
	int tries;

	for (tries = 0; tries < 64; tries++) {
		mac[0] = 0x52;
		mac[1] = 0x54;
		mac[2] = 0x00;
		if (getrandom(mac + 3, 3, 0) != 3)
			return -EIO;
		if (!mvn_linkset_find_mac(ls, mac))
			return 0;
	}
	return -EEXIST;
}

/* Choose the pool device with the fewest endpoints (passthrough: a free one). */
static int choose_lower(const struct mvn_state *st,
			const struct mvn_linkset *ls, const char **out,
			struct mvn_error *err)
{
	const char *best = NULL;
	size_t i, best_count = (size_t)-1;

	for (i = 0; i < st->nlowers; i++) {
		size_t c = mvn_state_count_lower(st, st->lowers[i]);

		if (!mvn_linkset_find(ls, st->lowers[i]))
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

/* The lower device c asks for, checked against st's pool. */
static int given_lower(const struct mvn_state *st, const struct mvn_creation *c,
		       struct mvn_error *err)
{
	size_t i;

	for (i = 0; i < st->nlowers && strcmp(st->lowers[i], c->lower); i++)
		;
	if (i == st->nlowers)
		return mvn_error_set(err, -EINVAL,
				     _("'%1$s' is not a lower device of "
				       "network '%2$s'"),
				     c->lower, st->network);
	if (st->mode == MVN_FWD_PASSTHROUGH &&
	    mvn_state_count_lower(st, c->lower))
		return mvn_error_set(err, -EBUSY,
				     _("passthrough device '%s' already serves "
				       "an endpoint"),
				     c->lower);
	return 0;
}

/*
 * Passthrough: as libvirt does, the device itself takes the guest's MAC
 * and the endpoint inherits it.  The device's own MAC is written to the
 * port's file first, so that it comes back after a crash too.
 */
static int take_mac(struct mvn_engine *eng, struct mvn_state *st,
		    struct mvn_txn *t, const struct mvn_link_info *lower,
		    struct mvn_link_spec *spec, struct mvn_port_state *p,
		    struct mvn_error *err)
{
	int ret;

	p->has_saved_mac = true;
	memcpy(p->saved_mac, lower->mac, 6);
	ret = mvn_engine_port_save(eng, st, p, err);
	if (ret == 0)
		ret = mvn_txn_port_file(t, st, p->name);
	if (ret == 0)
		ret = eng->link_ops->set_mac(eng->link_ctx, lower->ifindex,
					     spec->mac, err);
	if (ret == 0)
		ret = mvn_txn_mac(t, lower->ifindex, lower->mac);
	spec->has_mac = false;
	return ret;
}

/*
 * A MAC asked for must be no other endpoint's on any device: the kernel
 * only refuses it twice on one device, but two endpoints with one MAC on
 * one LAN make the switch send one's frames to the other.
 */
static int mac_free(const struct mvn_linkset *ls, const unsigned char mac[6],
		    struct mvn_error *err)
{
	char text[18];
	size_t i;

	for (i = 0; i < ls->n; i++) {
		const struct mvn_link_info *l = &ls->v[i];

		if ((l->kind != MVN_LINK_MACVTAP &&
		     l->kind != MVN_LINK_MACVLAN) ||
		    memcmp(l->mac, mac, 6))
			continue;
		mvn_mac_format(mac, text);
		return mvn_error_set(err, -EADDRINUSE,
				     _("MAC %1$s is already used by '%2$s'; "
				       "two endpoints with one MAC on one LAN "
				       "take each other's frames (give another "
				       "MAC, or delete '%2$s')"),
				     text, l->name);
	}
	return 0;
}

/* Where and as what the endpoint c asks for goes: spec and p filled. */
static int plan_port(struct mvn_engine *eng, struct mvn_state *st,
		     struct mvn_linkset *ls, const struct mvn_creation *c,
		     struct mvn_link_spec *spec, char *alias,
		     struct mvn_port_state *p,
		     const struct mvn_link_info **lower, struct mvn_error *err)
{
	size_t i;
	int ret = 0;

	/*
	 * A lazy ls looks up what it needs; a MAC asked for must be no
	 * link's on any device, which only the whole list tells.
	 */
	if (ls->lazy && c->has_mac)
		ret = mvn_linkset_load(eng, ls, true, false, err);
	if (ret == 0 && c->name)
		ret = mvn_linkset_fetch(ls, c->name, err);
	if (c->lower && ret == 0)
		ret = mvn_linkset_fetch(ls, c->lower, err);
	for (i = 0; !c->lower && i < st->nlowers && ret == 0; i++)
		ret = mvn_linkset_fetch(ls, st->lowers[i], err);
	if (ret < 0)
		return ret;
	if (c->name &&
	    (mvn_state_has_port(st, c->name) || mvn_linkset_find(ls, c->name)))
		return mvn_error_set(err, -EEXIST,
				     _("an interface named '%s' already "
				       "exists; choose another name"),
				     c->name);
	ret = c->has_mac ? mac_free(ls, c->mac, err) : 0;
	if (ret == 0)
		ret = c->lower ? given_lower(st, c, err) :
				 choose_lower(st, ls, &spec->lower, err);
	if (ret < 0)
		return ret;
	if (c->lower)
		spec->lower = c->lower;
	*lower = mvn_linkset_find(ls, spec->lower);
	if (!*lower)
		return mvn_error_set(err, -ENODEV,
				     _("lower device '%s' not found; create it "
				       "or correct <interface dev>"),
				     spec->lower);
	spec->lower_ifindex = (*lower)->ifindex;
	spec->kind = MVN_LINK_MACVTAP;
	spec->mode = link_mode(st->mode);
	spec->group = st->group;
	spec->mtu = c->mtu;
	mvn_engine_alias(eng, c->owner_tag ? c->owner_tag : "cli", st->network,
			 alias);
	spec->alias = alias;
	snprintf(p->lower, sizeof(p->lower), "%s", spec->lower);
	p->uid = (unsigned int)c->uid;
	p->gid = (unsigned int)c->gid;
	p->perm = c->perm;
	p->is_static = c->is_static;
	snprintf(p->owner, sizeof(p->owner), "%s",
		 c->owner_tag ? c->owner_tag : "cli");
	return 0;
}

/*
 * Create the link of spec; a name or MAC chosen here that another creator
 * took meanwhile is chosen again, a few times.
 */
static int create_link(struct mvn_engine *eng, struct mvn_state *st,
		       struct mvn_linkset *ls, struct mvn_txn *t,
		       const struct mvn_creation *c,
		       const struct mvn_link_info *lower,
		       struct mvn_link_spec *spec, struct mvn_port_state *p,
		       struct mvn_link_info *info, struct mvn_error *err)
{
	unsigned int base = c->name ? 0 : mvn_store_name_hint(eng->store);
	unsigned int next = 0;
	int tries, ret, n;

	for (tries = 0;; tries++) {
		if (c->name)
			snprintf(p->name, sizeof(p->name), "%s", c->name);
		else if ((ret = fresh_name(ls, st, base % MVT_NAMES, &next,
					   p->name, err)) < 0)
			return ret;
		spec->name = p->name;
		spec->has_mac = true;
		if (c->has_mac)
			memcpy(spec->mac, c->mac, 6);
		else if (mvn_engine_fresh_mac(ls, spec->mac) < 0)
			return mvn_error_set(err, -EIO,
					     _("cannot make a MAC address"));
		if (st->mode == MVN_FWD_PASSTHROUGH && tries == 0) {
			ret = take_mac(eng, st, t, lower, spec, p, err);
			if (ret < 0)
				return ret;
		}
		ret = eng->link_ops->create(eng->link_ctx, spec, info, err);
		/* The next automatic name is looked for after this one. */
		if (ret == 0 && !c->name && mvt_number(p->name, &n))
			mvn_store_set_name_hint(
				eng->store, (unsigned int)(n + 1) % MVT_NAMES);
		if (ret == 0 || tries >= RETRIES ||
		    st->mode == MVN_FWD_PASSTHROUGH ||
		    !((ret == -EEXIST && !c->name) ||
		      (ret == -EADDRINUSE && !c->has_mac)))
			return ret;
		next++;
	}
}

/*
 * The link info made for p (its undo noted): node made, p added to st.  A
 * link moved to another namespace gets no node: its /dev/tapN would be
 * named by an ifindex of that namespace, which this one cannot check.
 */
static int finish_port(struct mvn_engine *eng, struct mvn_state *st,
		       struct mvn_linkset *ls, struct mvn_txn *t,
		       const struct mvn_creation *c, struct mvn_port_state *p,
		       const struct mvn_link_info *info, struct mvn_error *err)
{
	int ret;

	if (mvn_linkset_add(ls, info) < 0)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	p->ifindex = info->ifindex;
	p->netnsid = info->netnsid;
	memcpy(p->mac, info->mac, 6);
	if (info->netnsid != MVN_NETNSID_SELF) {
		snprintf(p->tap, sizeof(p->tap), "-");
		if (mvn_state_add_port(st, p) < 0)
			return mvn_error_set(err, -ENOMEM, _("out of memory"));
		return 0;
	}
	ret = eng->link_ops->node_make(eng->link_ctx, eng->run_dir, p->name,
				       p->ifindex, p->mac, c->uid, c->gid,
				       c->perm, p->tap, sizeof(p->tap), err);
	if (ret < 0)
		return ret;
	if (mvn_txn_node(t, p->tap) < 0 || mvn_state_add_port(st, p) < 0)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	return 0;
}

/* Where a port goes once made (port-create --netns). */
struct move {
	int fd; /* the target network namespace */
	const char *where; /* as the user named it */
	const char *ifname; /* its name there; NULL: its own */
};

/*
 * Move the link just made (*info, not yet in the transaction) as mv says;
 * *info then describes it there.  On failure it is deleted here.
 */
static int move_link(struct mvn_engine *eng, const struct move *mv,
		     struct mvn_link_info *info, struct mvn_error *err)
{
	struct mvn_link_info there;
	struct mvn_error why = { 0 };
	size_t n;
	int ret;

	ret = eng->link_ops->move(eng->link_ctx, info->ifindex, mv->fd,
				  mv->where, mv->ifname, &there, err);
	if (ret == 0) {
		*info = there;
		return 0;
	}
	if (eng->link_ops->delete_link(eng->link_ctx, MVN_NETNSID_SELF,
				       info->ifindex, &why) < 0 &&
	    err) {
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n,
			 _("; and deleting it failed (%s), which macvnet "
			   "reconcile finishes"),
			 why.msg);
	}
	return ret;
}

static int make_port(struct mvn_engine *eng, struct mvn_state *st,
		     struct mvn_linkset *ls, struct mvn_txn *t,
		     const struct mvn_creation *c, const struct move *mv,
		     struct mvn_port_state *out, struct mvn_error *err)
{
	struct mvn_link_spec spec = { 0 };
	struct mvn_port_state p = { .netnsid = MVN_NETNSID_SELF };
	const struct mvn_link_info *lower = NULL;
	struct mvn_link_info info;
	char alias[MVN_ALIAS_MAX + 1];
	int ret;

	ret = plan_port(eng, st, ls, c, &spec, alias, &p, &lower, err);
	if (ret == 0)
		ret = create_link(eng, st, ls, t, c, lower, &spec, &p, &info,
				  err);
	if (ret == 0 && mv)
		ret = move_link(eng, mv, &info, err);
	if (ret == 0 && mvn_txn_link(t, info.netnsid, info.ifindex) < 0)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	if (ret == 0)
		ret = finish_port(eng, st, ls, t, c, &p, &info, err);
	if (ret == 0 && out)
		*out = p;
	return ret;
}

int mvn_engine_make_port(struct mvn_engine *eng, struct mvn_state *st,
			 struct mvn_linkset *ls, struct mvn_txn *t,
			 const struct mvn_creation *c,
			 struct mvn_port_state *out, struct mvn_error *err)
{
	return make_port(eng, st, ls, t, c, NULL, out, err);
}

/* What make_ports() sends at once. */
struct many {
	struct mvn_link_spec *specs;
	struct mvn_port_state *ports;
	struct mvn_link_info *infos;
	char (*aliases)[MVN_ALIAS_MAX + 1];
	int *res;
	uint64_t *macs; /* the batch's MACs (+ 1; 0 empty), hashed */
	size_t mask;
};

static void many_free(struct many *m)
{
	free(m->specs);
	free(m->ports);
	free(m->infos);
	free(m->aliases);
	free(m->res);
	free(m->macs);
}

/* Add mac to the batch's; false if it is there already. */
static bool mac_add(struct many *m, const unsigned char mac[6])
{
	uint64_t v = 1;
	size_t k;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | mac[i];
	for (k = (size_t)(v * 2654435761u) & m->mask; m->macs[k];
	     k = (k + 1) & m->mask)
		if (m->macs[k] == v)
			return false;
	m->macs[k] = v;
	return true;
}

/* Add a MAC asked for to the batch's: each at most once. */
static int mac_once(struct many *m, const unsigned char mac[6],
		    struct mvn_error *err)
{
	char text[18];

	if (mac_add(m, mac))
		return 0;
	mvn_mac_format(mac, text);
	return mvn_error_set(err, -EADDRINUSE,
			     _("MAC %s is asked for twice; give each endpoint "
			       "its own"),
			     text);
}

/* Plan creation i of cs into m (its name and MAC chosen). */
static int plan_one(struct mvn_engine *eng, struct mvn_state *st,
		    struct mvn_linkset *ls, const struct mvn_creation *cs,
		    size_t i, struct many *m, struct mvn_error *err)
{
	const struct mvn_link_info *lower = NULL;
	struct mvn_port_state *p = &m->ports[i];
	int ret;

	p->netnsid = MVN_NETNSID_SELF;
	ret = plan_port(eng, st, ls, &cs[i], &m->specs[i], m->aliases[i], p,
			&lower, err);
	if (ret < 0)
		return ret;
	snprintf(p->name, sizeof(p->name), "%s", cs[i].name);
	m->specs[i].name = p->name;
	m->specs[i].alias = m->aliases[i];
	m->specs[i].has_mac = true;
	if (cs[i].has_mac) {
		memcpy(m->specs[i].mac, cs[i].mac, 6);
		return 0;
	}
	/* Random ones differ from the links' and from each other. */
	do {
		ret = mvn_engine_fresh_mac(ls, m->specs[i].mac);
	} while (ret == 0 && !mac_add(m, m->specs[i].mac));
	if (ret < 0)
		return mvn_error_set(err, -EIO, _("cannot make a MAC address"));
	return 0;
}

/* make_ports() one request after the other. */
static int make_each(struct mvn_engine *eng, struct mvn_state *st,
		     struct mvn_linkset *ls, struct mvn_txn *t,
		     const struct mvn_creation *cs, size_t n, size_t *failed,
		     struct mvn_error *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		*failed = i;
		ret = mvn_engine_make_port(eng, st, ls, t, &cs[i], NULL, err);
	}
	return ret;
}

/* Whether make_ports() can send cs's requests together. */
static bool together(const struct mvn_engine *eng, const struct mvn_state *st,
		     const struct mvn_creation *cs, size_t n)
{
	size_t i;

	/* Passthrough gives each lower device its MAC first; a free name
	 * is found by trying. */
	if (n < 2 || !eng->link_ops->create_many ||
	    st->mode == MVN_FWD_PASSTHROUGH)
		return false;
	for (i = 0; i < n; i++)
		if (!cs[i].name)
			return false;
	return true;
}

int mvn_engine_make_ports(struct mvn_engine *eng, struct mvn_state *st,
			  struct mvn_linkset *ls, struct mvn_txn *t,
			  const struct mvn_creation *cs, size_t n,
			  size_t *failed, struct mvn_error *err)
{
	struct many m = { 0 };
	size_t i, base, k = n ? n : 1;
	int ret = 0;

	if (!together(eng, st, cs, n))
		return make_each(eng, st, ls, t, cs, n, failed, err);
	m.specs = calloc(k, sizeof(*m.specs));
	m.ports = calloc(k, sizeof(*m.ports));
	m.infos = calloc(k, sizeof(*m.infos));
	m.aliases = calloc(k, sizeof(*m.aliases));
	m.res = calloc(k, sizeof(*m.res));
	for (m.mask = 64; m.mask < 2 * k; m.mask *= 2)
		;
	m.macs = calloc(m.mask--, sizeof(*m.macs));
	if (!m.specs || !m.ports || !m.infos || !m.aliases || !m.res || !m.macs)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	/* The MACs asked for first, so that random ones avoid them. */
	for (i = 0; i < n && ret == 0; i++) {
		*failed = i;
		ret = cs[i].has_mac ? mac_once(&m, cs[i].mac, err) : 0;
	}
	/*
	 * Each one planned counts in st for the next (the pool shared out,
	 * a name asked for twice refused), until they are made.
	 */
	base = st->nports;
	for (i = 0; i < n && ret == 0; i++) {
		*failed = i;
		ret = plan_one(eng, st, ls, cs, i, &m, err);
		if (ret == 0 && mvn_state_add_port(st, &m.ports[i]) < 0)
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	st->nports = base;
	if (ret == 0) {
		ret = eng->link_ops->create_many(eng->link_ctx, m.specs, n,
						 m.infos, m.res, err);
		/* Every link made is the undo's to delete. */
		for (i = 0; i < n; i++)
			if (m.res[i] == 0 &&
			    mvn_txn_link(t, MVN_NETNSID_SELF,
					 m.infos[i].ifindex) < 0)
				ret = mvn_error_set(err, -ENOMEM,
						    _("out of memory"));
		for (i = 0; ret < 0 && i < n && m.res[i] == 0; i++)
			;
		*failed = i < n ? i : 0;
	}
	for (i = 0; ret == 0 && i < n; i++) {
		*failed = i;
		ret = finish_port(eng, st, ls, t, &cs[i], &m.ports[i],
				  &m.infos[i], err);
	}
	many_free(&m);
	return ret;
}

int mvn_engine_commit_ports(struct mvn_engine *eng, struct mvn_state *st,
			    struct mvn_txn *t, size_t from,
			    struct mvn_error *err)
{
	size_t i;
	int ret = 0;

	/* One record each, in one write: a failed write leaves none. */
	ret = mvn_engine_ports_save(eng, st, from, err);
	for (i = from; i < st->nports && ret == 0; i++)
		if (mvn_txn_port_file(t, st, st->ports[i].name) < 0)
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	return ret;
}

/* Turn a request into a creation, checking what needs no kernel. */
static int prepare_creation(const struct mvn_port_request *req,
			    struct mvn_creation *c, struct mvn_error *err)
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
	if (mvn_engine_check_name(req->network, err) < 0)
		return -EINVAL;
	if (req->netns_ifname && !mvn_ifname_valid(req->netns_ifname))
		return mvn_error_set(err, -EINVAL,
				     _("'%s' is not a valid interface name (1 "
				       "to 15 bytes, no '/', ':' or white "
				       "space)"),
				     req->netns_ifname);
	if (req->netns_ifname && !req->netns)
		return mvn_error_set(err, -EINVAL,
				     _("a name in another namespace needs "
				       "that namespace; add --netns"));
	if (req->netns && req->owner)
		return mvn_error_set(err, -EINVAL,
				     _("an endpoint moved to another "
				       "namespace has no device node here to "
				       "give an owner; leave out --owner"));
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

/* Say which interface failed when the caller named them. */
static void name_failure(const struct mvn_port_request *req, bool named,
			 const struct mvn_error *perr, struct mvn_error *err)
{
	if (named && req->name)
		mvn_error_set(err, perr->code, _("interface %1$s: %2$s"),
			      req->name, perr->msg);
	else if (err)
		*err = *perr;
}

/* Write down the ports about to be committed together (name: out). */
static int journal_begin(struct mvn_engine *eng,
			 const struct mvn_port_request *reqs,
			 const struct mvn_port_state *outs, size_t n,
			 char name[32], struct mvn_error *err)
{
	struct mvn_buf b = { 0 };
	unsigned int rnd = 0;
	size_t i;
	int ret;

	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (unsigned int)mvn_engine_now_ms();
	snprintf(name, 32, "%ld-%08x", (long)getpid(), rnd);
	for (i = 0; i < n; i++)
		mvn_buf_printf(&b, "port %s %s\n", outs[i].name,
			       reqs[i].network);
	if (b.oom) {
		mvn_buf_free(&b);
		name[0] = '\0';
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	ret = mvn_store_journal_write(eng->store, name, b.data, err);
	mvn_buf_free(&b);
	if (ret < 0)
		name[0] = '\0';
	return ret;
}

/* A transaction of several endpoints (ports_create()). */
struct batch {
	const struct mvn_port_request *reqs;
	struct mvn_port_state *outs;
	size_t n;
	bool named;
	struct mvn_state **sts; /* each request's network (shared) */
	struct mvn_creation *cs;
	const char **nets;
	size_t *first; /* the network's ports before this batch */
	struct mvn_linkset ls;
	struct mvn_txn *t;
	struct move *moves; /* each request's target namespace (fd -1: none) */
};

/* Make every endpoint of the batch, or fail naming the one that failed. */
static int make_all(struct mvn_engine *eng, struct batch *b,
		    struct mvn_error *err)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < b->n && ret == 0; i++) {
		struct mvn_error perr = { 0 };

		for (j = 0; j < i && strcmp(b->nets[j], b->nets[i]); j++)
			;
		if (!b->sts[j]) {
			ret = mvn_error_set(&perr, -ENOENT,
					    _("network '%1$s' is not active "
					      "(start it with: macvnet "
					      "net-start %1$s)"),
					    b->nets[i]);
		} else {
			if (j == i)
				b->first[i] = b->sts[i]->nports;
			ret = make_port(eng, b->sts[j], &b->ls, b->t, &b->cs[i],
					b->moves[i].fd >= 0 ? &b->moves[i] :
							      NULL,
					&b->outs[i], &perr);
		}
		if (ret < 0)
			name_failure(&b->reqs[i], b->named, &perr, err);
	}
	return ret;
}

/*
 * Each network's new ports, written once all exist.  Several files are
 * not written at once: the journal says which belong together, so that a
 * crash between them takes all of them back.
 */
static int commit_all(struct mvn_engine *eng, struct batch *b,
		      struct mvn_error *err)
{
	char journal[32] = "";
	size_t i, j;
	int ret = 0;

	if (b->n > 1)
		ret = journal_begin(eng, b->reqs, b->outs, b->n, journal, err);
	for (i = 0; i < b->n && ret == 0; i++) {
		for (j = 0; j < i && b->sts[j] != b->sts[i]; j++)
			;
		if (j == i && b->sts[i])
			ret = mvn_engine_commit_ports(eng, b->sts[i], b->t,
						      b->first[i], err);
	}
	if (ret == 0 && journal[0])
		ret = mvn_store_journal_remove(eng->store, journal, err);
	if (ret < 0)
		mvn_txn_abort(b->t, &b->ls, err);
	else
		mvn_txn_commit(b->t);
	b->t = NULL;
	if (ret < 0 && journal[0])
		mvn_store_journal_remove(eng->store, journal, NULL);
	return ret;
}

static void batch_free(struct batch *b)
{
	size_t i, j;

	mvn_txn_abort(b->t, &b->ls, NULL);
	mvn_linkset_free(&b->ls);
	for (i = 0; b->sts && i < b->n; i++) {
		for (j = 0; j < i && b->sts[j] != b->sts[i]; j++)
			;
		if (j == i)
			mvn_state_free(b->sts[i]);
	}
	for (i = 0; b->moves && i < b->n; i++)
		if (b->moves[i].fd >= 0)
			close(b->moves[i].fd);
	free(b->moves);
	free(b->sts);
	free(b->nets);
	free(b->first);
	free(b->cs);
}

/* Start the change: quick, unless the batch is large. */
static int begin_batch(struct mvn_engine *eng, struct batch *b,
		       struct mvn_error *err)
{
	const char **touched = calloc(b->n ? b->n : 1, sizeof(*touched));
	size_t i, k = 0;
	int ret;

	if (!touched)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (i = 0; i < b->n; i++)
		if (b->cs[i].name)
			touched[k++] = b->cs[i].name;
	ret = mvn_engine_begin_quick(eng, b->nets, b->n, touched, k, b->sts,
				     &b->ls, err);
	free(touched);
	return ret;
}

static int ports_create(struct mvn_engine *eng,
			const struct mvn_port_request *reqs, size_t n,
			struct mvn_port_state *outs, bool named,
			struct mvn_error *err)
{
	struct batch b = { .reqs = reqs, .outs = outs, .n = n, .named = named };
	size_t i, k = n ? n : 1;
	int ret = 0;

	b.cs = calloc(k, sizeof(*b.cs));
	b.sts = calloc(k, sizeof(*b.sts));
	b.nets = calloc(k, sizeof(*b.nets));
	b.first = calloc(k, sizeof(*b.first));
	b.moves = calloc(k, sizeof(*b.moves));
	b.t = mvn_txn_new(eng);
	if (!b.cs || !b.sts || !b.nets || !b.first || !b.moves || !b.t)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (i = 0; b.moves && i < n; i++)
		b.moves[i].fd = -1;
	for (i = 0; i < n && ret == 0; i++) {
		struct mvn_error perr = { 0 };

		ret = prepare_creation(&reqs[i], &b.cs[i], &perr);
		/* A namespace that cannot be had fails before any change. */
		if (ret == 0 && reqs[i].netns) {
			b.moves[i].where = reqs[i].netns;
			b.moves[i].ifname = reqs[i].netns_ifname;
			ret = mvn_netns_open(reqs[i].netns, &b.moves[i].fd,
					     &perr);
		}
		if (ret < 0)
			name_failure(&reqs[i], named, &perr, err);
		b.nets[i] = reqs[i].network;
	}
	if (ret == 0)
		ret = begin_batch(eng, &b, err);
	if (ret == 0) {
		/* One transaction: every endpoint, or none. */
		ret = make_all(eng, &b, err);
		if (ret == 0)
			ret = commit_all(eng, &b, err);
		else
			mvn_txn_abort(b.t, &b.ls, err);
		b.t = NULL;
		for (i = 0; i < n && ret == 0; i++)
			mvn_engine_log_tidy(eng, b.sts[i]);
		mvn_engine_unlock(eng);
	}
	batch_free(&b);
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

/*
 * The network whose state has a port called ifname; -ENOENT if none.  The
 * kernel's link of that name says which network it is of, when it is this
 * store's; otherwise (its link lost or moved) the states are read.
 */
static int port_network(struct mvn_engine *eng, char *const *nets,
			const char *ifname, const char **out)
{
	struct mvn_link_info l;
	const char *net = NULL;
	char id[17];
	size_t i;

	if (mvn_engine_links(eng, NULL) == 0 &&
	    eng->link_ops->get(eng->link_ctx, ifname, &l, NULL) == 0 &&
	    mvn_engine_alias_parse(l.alias, id, NULL, &net) &&
	    !strcmp(id, mvn_store_id(eng->store)))
		for (i = 0; nets[i]; i++)
			if (!strcmp(nets[i], net)) {
				*out = nets[i];
				return 0;
			}
	for (i = 0; nets[i]; i++) {
		struct mvn_state *st = NULL;
		bool has = false;

		if (mvn_engine_state_load(eng, nets[i], &st, NULL) == 0)
			has = mvn_state_find_port(st, ifname) >= 0;
		mvn_state_free(st);
		if (has) {
			*out = nets[i];
			return 0;
		}
	}
	return -ENOENT;
}

int mvn_engine_port_delete(struct mvn_engine *eng, char *const *names, size_t n,
			   struct mvn_error *err)
{
	struct mvn_state **sts = NULL;
	struct mvn_link_ref *refs = NULL;
	struct mvn_linkset ls = { 0 };
	const char **nets = NULL;
	char **all = NULL;
	size_t i, nrefs = 0;
	int ret, idx;

	ret = mvn_engine_state_names(eng, &all, err);
	if (ret < 0)
		return ret;
	nets = calloc(n ? n : 1, sizeof(*nets));
	sts = calloc(n ? n : 1, sizeof(*sts));
	refs = calloc(n ? n : 1, sizeof(*refs));
	if (!nets || !sts || !refs) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto out;
	}
	/* All names must be ports before anything is deleted. */
	for (i = 0; i < n; i++) {
		if (!mvn_ifname_valid(names[i]) ||
		    port_network(eng, all, names[i], &nets[i]) < 0) {
			ret = mvn_error_set(err, -ENOENT,
					    _("'%s' is not an endpoint of an "
					      "active macvnet network (see "
					      "macvnet port-list)"),
					    names[i]);
			goto out;
		}
	}
	ret = mvn_engine_begin_quick(eng, nets, n, (const char *const *)names,
				     n, sts, &ls, err);
	if (ret < 0)
		goto out;
	for (i = 0; i < n; i++) {
		idx = sts[i] ? mvn_state_find_port(sts[i], names[i]) : -1;
		/* Reconcile may have found it gone already: as good. */
		if (idx < 0 && !ls.lazy)
			continue;
		if (idx < 0) {
			ret = mvn_error_set(err, -ENOENT,
					    _("'%s' is not an endpoint of an "
					      "active macvnet network (see "
					      "macvnet port-list)"),
					    names[i]);
			mvn_engine_unlock(eng);
			goto out;
		}
		refs[nrefs].netnsid = sts[i]->ports[idx].netnsid;
		refs[nrefs++].ifindex = sts[i]->ports[idx].ifindex;
	}
	/* The kernel first: if it refuses, nothing has changed. */
	ret = mvn_engine_delete_links(eng, &ls, refs, nrefs, err);
	for (i = 0; i < n && ret == 0; i++) {
		idx = sts[i] ? mvn_state_find_port(sts[i], names[i]) : -1;
		if (idx >= 0)
			ret = mvn_engine_forget_port(eng, &ls, sts[i],
						     (size_t)idx, NULL, err);
	}
	for (i = 0; i < n && ret == 0; i++)
		mvn_engine_log_tidy(eng, sts[i]);
	mvn_engine_unlock(eng);
out:
	for (i = 0; sts && i < n; i++) {
		size_t j;

		for (j = 0; j < i && sts[j] != sts[i]; j++)
			;
		if (j == i)
			mvn_state_free(sts[i]);
	}
	mvn_linkset_free(&ls);
	mvn_store_names_free(all);
	free(nets);
	free(sts);
	free(refs);
	return ret;
}

void mvn_port_list_free(struct mvn_port_list *l)
{
	size_t i;

	for (i = 0; i < l->nstates; i++)
		mvn_state_free(l->states[i]);
	free(l->states);
	free(l->rows);
	memset(l, 0, sizeof(*l));
}

/* Add st's endpoints (made ones only) to l, which takes st. */
static int list_add(struct mvn_port_list *l, struct mvn_state *st)
{
	struct mvn_port_row *rows;
	struct mvn_state **states;
	size_t j;

	states = realloc(l->states, (l->nstates + 1) * sizeof(*states));
	if (!states) {
		mvn_state_free(st);
		return -ENOMEM;
	}
	l->states = states;
	l->states[l->nstates++] = st;
	if (!st->nports)
		return 0;
	rows = realloc(l->rows, (l->n + st->nports) * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	l->rows = rows;
	for (j = 0; j < st->nports; j++) {
		if (!st->ports[j].ifindex)
			continue; /* still being made */
		rows[l->n].network = st->network;
		rows[l->n].mode = st->mode;
		rows[l->n].port = &st->ports[j];
		l->n++;
	}
	return 0;
}

int mvn_engine_port_list(struct mvn_engine *eng, const char *network,
			 struct mvn_port_list *out, struct mvn_error *err)
{
	struct mvn_port_list l = { 0 };
	char **names = NULL;
	const char *one[2] = { network, NULL };
	size_t i;
	int ret = 0;

	if (!network) {
		ret = mvn_engine_state_names(eng, &names, err);
		if (ret < 0)
			return ret;
	}
	for (i = 0; network ? one[i] != NULL : names[i] != NULL; i++) {
		const char *name = network ? one[i] : names[i];
		struct mvn_state *st = NULL;
		struct mvn_error e = { 0 };

		ret = mvn_engine_state_load(eng, name, &st, &e);
		if (ret == -ENOENT && !network)
			continue;
		if (ret == -EUCLEAN && !network) {
			/* One damaged network does not hide the others. */
			mvn_engine_note(eng, "%s", e.msg);
			continue;
		}
		if (ret < 0) {
			if (err)
				*err = e;
			goto fail;
		}
		ret = list_add(&l, st);
		if (ret < 0) {
			ret = mvn_error_set(err, ret, _("out of memory"));
			goto fail;
		}
	}
	mvn_store_names_free(names);
	*out = l;
	return 0;
fail:
	mvn_store_names_free(names);
	mvn_port_list_free(&l);
	return ret;
}

/* Whether dev is one of the n in devs. */
static bool in_list(char *const *devs, size_t n, const char *dev)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(devs[i], dev))
			return true;
	return false;
}

int mvn_engine_lower_use(struct mvn_engine *eng, const char *skip,
			 char *const *devs, size_t n, size_t *counts,
			 struct mvn_error *err)
{
	char **names = NULL;
	size_t i, k;
	int ret;

	memset(counts, 0, n * sizeof(*counts));
	ret = mvn_engine_state_names(eng, &names, err);
	for (i = 0; ret == 0 && names[i]; i++) {
		struct mvn_state *st = NULL;
		bool shares = false;

		if (!strcmp(names[i], skip) ||
		    mvn_engine_state_header(eng, names[i], &st, NULL) < 0)
			continue;
		/*
		 * A network's endpoints are on its pool devices: only the
		 * logs of networks sharing one of devs are read, and lightly.
		 */
		for (k = 0; k < st->nlowers && !shares; k++)
			shares = in_list(devs, n, st->lowers[k]);
		mvn_state_free(st);
		st = NULL;
		if (!shares || mvn_engine_state_load_light(eng, names[i], NULL,
							   0, &st, NULL) < 0)
			continue;
		for (k = 0; k < n; k++)
			counts[k] += mvn_state_count_lower(st, devs[k]);
		mvn_state_free(st);
	}
	mvn_store_names_free(names);
	return ret;
}

/* Whether l is an endpoint of this store whose owner tag is tag. */
static bool owned_by(struct mvn_engine *eng, const struct mvn_link_info *l,
		     const char *tag)
{
	char owner[64], id[17];

	return l->kind == MVN_LINK_MACVTAP &&
	       mvn_engine_alias_parse(l->alias, id, owner, NULL) &&
	       !strcmp(id, mvn_store_id(eng->store)) && !strcmp(owner, tag);
}

int mvn_engine_port_owned(struct mvn_engine *eng, const char *tag,
			  char ***names, struct mvn_error *err)
{
	struct mvn_linkset ls = { 0 };
	char **v = NULL;
	size_t i, n = 0;
	int ret;

	ret = mvn_engine_open_store(eng, err);
	if (ret == 0)
		ret = mvn_linkset_load(eng, &ls, false, false, err);
	if (ret == 0 && !(v = calloc(ls.n + 1, sizeof(*v))))
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	/* The kernel's links say whose they are: one dump, no state read. */
	for (i = 0; ret == 0 && i < ls.n; i++) {
		if (!owned_by(eng, &ls.v[i], tag))
			continue;
		v[n] = strdup(ls.v[i].name);
		if (!v[n++])
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	mvn_linkset_free(&ls);
	if (ret < 0) {
		mvn_store_names_free(v);
		return ret;
	}
	*names = v;
	return 0;
}

int mvn_engine_release_owner(struct mvn_engine *eng, const char *tag,
			     size_t *released, struct mvn_error *err)
{
	char **names = NULL;
	size_t n;
	int ret;

	if (released)
		*released = 0;
	ret = mvn_engine_port_owned(eng, tag, &names, err);
	for (n = 0; ret == 0 && names[n]; n++)
		;
	if (ret == 0 && n)
		ret = mvn_engine_port_delete(eng, names, n, err);
	if (ret == 0 && released)
		*released = n;
	mvn_store_names_free(names);
	return ret;
}

int mvn_engine_release_named(struct mvn_engine *eng, const char *tag,
			     char *const *names, size_t n, size_t *released,
			     struct mvn_error *err)
{
	struct mvn_link_info l;
	char **v;
	size_t i, k = 0;
	int ret;

	if (released)
		*released = 0;
	ret = mvn_engine_open_store(eng, err);
	if (ret == 0)
		ret = mvn_engine_links(eng, err);
	if (ret < 0)
		return ret;
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (i = 0; i < n; i++) {
		/* Not there, or not readable: nothing of tag's to free. */
		if (eng->link_ops->get(eng->link_ctx, names[i], &l, NULL) < 0 ||
		    !owned_by(eng, &l, tag))
			continue;
		v[k++] = names[i];
	}
	ret = k ? mvn_engine_port_delete(eng, v, k, err) : 0;
	if (ret == 0 && released)
		*released = k;
	free(v);
	return ret;
}
