/* An in-memory kernel for the engine's tests (see fake-kernel.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake-kernel.h"

/* Count an operation; true when it is the one that must fail. */
static bool failing(struct fake_kernel *k, struct mvn_error *err)
{
	int code = k->fail_code ? k->fail_code : EIO;

	if (++k->ops != k->fail_at)
		return false;
	k->fired = true;
	mvn_error_set(err, -code, "injected failure of operation %lu", k->ops);
	return true;
}

static int fail_code(struct fake_kernel *k)
{
	return -(k->fail_code ? k->fail_code : EIO);
}

static struct fake_link *by_index(struct fake_kernel *k, int netnsid,
				  int ifindex)
{
	int i;

	for (i = 0; i < FAKE_MAX_LINKS; i++)
		if (k->links[i].used && k->links[i].info.netnsid == netnsid &&
		    k->links[i].info.ifindex == ifindex)
			return &k->links[i];
	return NULL;
}

struct fake_link *fake_find(struct fake_kernel *k, const char *name)
{
	int i;

	for (i = 0; i < FAKE_MAX_LINKS; i++)
		if (k->links[i].used &&
		    k->links[i].info.netnsid == MVN_NETNSID_SELF &&
		    !strcmp(k->links[i].info.name, name))
			return &k->links[i];
	return NULL;
}

/*
 * Count an operation on link ifindex of this namespace (ctx is the fake
 * kernel): the link, or NULL with *ret set to the injected failure or to
 * -ENODEV when there is no such link.
 */
static struct fake_link *op_on_link(void *ctx, int ifindex, int *ret,
				    struct mvn_error *err)
{
	struct fake_link *l;

	if (failing(ctx, err)) {
		*ret = fail_code(ctx);
		return NULL;
	}
	l = by_index(ctx, MVN_NETNSID_SELF, ifindex);
	if (!l)
		*ret = mvn_error_set(err, -ENODEV, "no link %d", ifindex);
	return l;
}

static struct fake_link *new_link(struct fake_kernel *k)
{
	int i;

	for (i = 0; i < FAKE_MAX_LINKS; i++)
		if (!k->links[i].used) {
			memset(&k->links[i], 0, sizeof(k->links[i]));
			k->links[i].used = true;
			k->links[i].info.netnsid = MVN_NETNSID_SELF;
			k->links[i].info.ifindex = ++k->next_ifindex;
			return &k->links[i];
		}
	return NULL;
}

int fake_add_device(struct fake_kernel *k, const char *name,
		    const unsigned char mac[6])
{
	struct fake_link *l = new_link(k);

	if (!l)
		return -ENOSPC;
	snprintf(l->info.name, sizeof(l->info.name), "%s", name);
	memcpy(l->info.mac, mac, 6);
	l->info.mtu = 1500;
	return l->info.ifindex;
}

void fake_move(struct fake_kernel *k, const char *name, int netnsid)
{
	struct fake_link *l = fake_find(k, name);

	if (l) {
		l->info.netnsid = netnsid;
		l->info.ifindex = ++k->next_ifindex;
	}
}

int fake_count_ours(const struct fake_kernel *k)
{
	int i, n = 0;

	for (i = 0; i < FAKE_MAX_LINKS; i++)
		n += k->links[i].used && MVN_GROUP_OURS(k->links[i].info.group);
	return n;
}

/* What the real kernel refuses when a macvtap/macvlan joins lower. */
static int refuse(struct fake_kernel *k, const struct fake_link *lower,
		  const struct mvn_link_spec *s, const unsigned char mac[6])
{
	int i;

	if (s->mtu > lower->info.mtu)
		return -EINVAL;
	if (!memcmp(mac, lower->info.mac, 6) && s->mode != MVN_LINK_PASSTHRU)
		return -EADDRINUSE;
	for (i = 0; i < FAKE_MAX_LINKS; i++) {
		const struct mvn_link_info *o = &k->links[i].info;

		if (!k->links[i].used ||
		    o->lower_ifindex != lower->info.ifindex ||
		    o->netnsid != MVN_NETNSID_SELF)
			continue;
		if (s->mode == MVN_LINK_PASSTHRU ||
		    o->mode == MVN_LINK_PASSTHRU)
			return -EINVAL;
		if (!memcmp(o->mac, mac, 6))
			return -EADDRINUSE;
	}
	return 0;
}

static int fk_create(void *ctx, const struct mvn_link_spec *s,
		     struct mvn_link_info *out, struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	struct fake_link *lower, *l;
	unsigned char mac[6];
	int r;

	if (failing(k, err))
		return fail_code(k);
	if (fake_find(k, s->name))
		return mvn_error_set(err, -EEXIST, "'%s' exists", s->name);
	lower = s->lower_ifindex ?
			by_index(k, MVN_NETNSID_SELF, s->lower_ifindex) :
			fake_find(k, s->lower);
	if (!lower)
		return mvn_error_set(err, -ENODEV, "no '%s'", s->lower);
	if (s->has_mac) {
		memcpy(mac, s->mac, 6);
	} else if (s->mode == MVN_LINK_PASSTHRU) {
		memcpy(mac, lower->info.mac, 6);
	} else {
		unsigned char made[6] = {
			0x02, 0, 0, 0, 0, (unsigned char)k->next_ifindex
		};
		memcpy(mac, made, 6);
	}
	r = refuse(k, lower, s, mac);
	if (r < 0)
		return mvn_error_set(err, r, "refused on '%s'", s->lower);
	l = new_link(k);
	if (!l)
		return mvn_error_set(err, -ENOSPC, "the fake kernel is full");
	snprintf(l->info.name, sizeof(l->info.name), "%s", s->name);
	l->info.lower_ifindex = lower->info.ifindex;
	l->info.kind = s->kind;
	l->info.mode = s->mode;
	memcpy(l->info.mac, mac, 6);
	l->info.mtu = s->mtu ? s->mtu : lower->info.mtu;
	l->info.group = s->group;
	l->info.up = true;
	/* The alias is a second request, as in the real kernel. */
	if (s->alias) {
		if (failing(k, err)) {
			l->used = false;
			return fail_code(k);
		}
		snprintf(l->info.alias, sizeof(l->info.alias), "%s", s->alias);
	}
	*out = l->info;
	return 0;
}

/*
 * Each spec as fk_create makes it, in order, each of its operations
 * counted, so that a fail-at walk can fail any one creation (or alias) of
 * a batch; the others are still made.
 */
static int fk_create_many(void *ctx, const struct mvn_link_spec *specs,
			  size_t n, struct mvn_link_info *out, int *res,
			  struct mvn_error *err)
{
	size_t i, first = n;

	for (i = 0; i < n; i++) {
		struct mvn_error e = { 0 };

		res[i] = fk_create(ctx, &specs[i], &out[i], &e);
		if (res[i] < 0 && first == n) {
			first = i;
			if (err)
				*err = e;
		}
	}
	return first < n ? res[first] : 0;
}

static int fk_get(void *ctx, const char *name, struct mvn_link_info *out,
		  struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	struct fake_link *l;

	if (failing(k, err))
		return fail_code(k);
	l = fake_find(k, name);
	if (!l)
		return mvn_error_set(err, -ENODEV, "no '%s'", name);
	*out = l->info;
	return 0;
}

static int fk_get_index(void *ctx, int netnsid, int ifindex,
			struct mvn_link_info *out, struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	struct fake_link *l;

	if (failing(k, err))
		return fail_code(k);
	l = by_index(k, netnsid, ifindex);
	if (!l)
		return mvn_error_set(err, -ENODEV, "no link %d in namespace %d",
				     ifindex, netnsid);
	*out = l->info;
	return 0;
}

static int fk_list(void *ctx, unsigned int flags, struct mvn_link_info **out,
		   size_t *n, struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	struct mvn_link_info *v;
	size_t count = 0;
	int i;

	k->lists++;
	if (failing(k, err))
		return fail_code(k);
	v = calloc(FAKE_MAX_LINKS, sizeof(*v));
	if (!v)
		return mvn_error_set(err, -ENOMEM, "out of memory");
	for (i = 0; i < FAKE_MAX_LINKS; i++) {
		const struct mvn_link_info *l = &k->links[i].info;

		if (!k->links[i].used ||
		    ((flags & MVN_LIST_OURS) && !MVN_GROUP_OURS(l->group)) ||
		    (l->netnsid != MVN_NETNSID_SELF &&
		     (!(flags & MVN_LIST_MOVED) || !MVN_GROUP_OURS(l->group))))
			continue;
		v[count++] = *l;
	}
	*out = v;
	*n = count;
	return 0;
}

static void drop(struct fake_link *l)
{
	l->used = false;
}

static int fk_delete_group(void *ctx, int netnsid, uint32_t group,
			   struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	int i;

	if (failing(k, err))
		return fail_code(k);
	if (!MVN_GROUP_OURS(group))
		return mvn_error_set(err, -EINVAL, "not macvnet's group %u",
				     group);
	for (i = 0; i < FAKE_MAX_LINKS; i++)
		if (k->links[i].used && k->links[i].info.group == group &&
		    k->links[i].info.netnsid == netnsid)
			drop(&k->links[i]);
	return 0;
}

static int fk_delete_link(void *ctx, int netnsid, int ifindex,
			  struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	struct fake_link *l;

	if (failing(k, err))
		return fail_code(k);
	l = by_index(k, netnsid, ifindex);
	if (l)
		drop(l);
	return 0;
}

static int fk_set_group(void *ctx, int netnsid, int ifindex, uint32_t group,
			struct mvn_error *err)
{
	struct fake_link *l;
	int ret;

	if (netnsid != MVN_NETNSID_SELF)
		return failing(ctx, err) ?
			       fail_code(ctx) :
			       mvn_error_set(err, -EOPNOTSUPP, "only here");
	l = op_on_link(ctx, ifindex, &ret, err);
	if (!l)
		return ret;
	l->info.group = group;
	return 0;
}

/*
 * Move a link into namespace k->peer_netnsid (9 unless set), renamed, as
 * the kernel does: a name taken there is EEXIST and leaves it here.
 */
static int fk_move(void *ctx, int ifindex, int netns_fd, const char *where,
		   const char *ifname, struct mvn_link_info *out,
		   struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	int ret, id = k->peer_netnsid ? k->peer_netnsid : 9, i;
	struct fake_link *l = op_on_link(ctx, ifindex, &ret, err);

	(void)netns_fd;
	if (!l)
		return ret;
	if (!ifname)
		ifname = l->info.name;
	for (i = 0; i < FAKE_MAX_LINKS; i++)
		if (k->links[i].used && k->links[i].info.netnsid == id &&
		    !strcmp(k->links[i].info.name, ifname))
			return mvn_error_set(err, -EEXIST, "%s has %s", where,
					     ifname);
	snprintf(l->info.name, sizeof(l->info.name), "%s", ifname);
	l->info.netnsid = id;
	l->info.ifindex = ++k->next_ifindex;
	*out = l->info;
	return 0;
}

static int fk_set_up(void *ctx, int ifindex, bool up, struct mvn_error *err)
{
	int ret;
	struct fake_link *l = op_on_link(ctx, ifindex, &ret, err);

	if (!l)
		return ret;
	l->info.up = up;
	return 0;
}

static int fk_set_mac(void *ctx, int ifindex, const unsigned char mac[6],
		      struct mvn_error *err)
{
	int ret;
	struct fake_link *l = op_on_link(ctx, ifindex, &ret, err);

	if (!l)
		return ret;
	memcpy(l->info.mac, mac, 6);
	return 0;
}

static int fk_addr_list(void *ctx, int ifindex, struct mvn_addr **out,
			size_t *n, struct mvn_error *err)
{
	struct mvn_addr *v;
	int ret;
	struct fake_link *l = op_on_link(ctx, ifindex, &ret, err);

	if (!l)
		return ret;
	v = calloc(FAKE_MAX_ADDRS, sizeof(*v));
	if (!v)
		return mvn_error_set(err, -ENOMEM, "out of memory");
	memcpy(v, l->addrs, sizeof(l->addrs));
	*out = v;
	*n = (size_t)l->naddrs;
	return 0;
}

static int addr_index(const struct fake_link *l, const struct mvn_addr *a)
{
	int i;

	for (i = 0; i < l->naddrs; i++)
		if (l->addrs[i].family == a->family &&
		    l->addrs[i].prefix == a->prefix &&
		    !memcmp(l->addrs[i].bytes, a->bytes, 16))
			return i;
	return -1;
}

static int fk_addr_add(void *ctx, int ifindex, const struct mvn_addr *a,
		       struct mvn_error *err)
{
	int ret;
	struct fake_link *l = op_on_link(ctx, ifindex, &ret, err);

	if (!l)
		return ret;
	if (addr_index(l, a) >= 0)
		return 0;
	if (l->naddrs == FAKE_MAX_ADDRS)
		return mvn_error_set(err, -ENOSPC, "too many addresses");
	l->addrs[l->naddrs++] = *a;
	return 0;
}

static int fk_addr_del(void *ctx, int ifindex, const struct mvn_addr *a,
		       struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	struct fake_link *l;
	int i;

	if (failing(k, err))
		return fail_code(k);
	l = by_index(k, MVN_NETNSID_SELF, ifindex);
	if (!l)
		return 0;
	i = addr_index(l, a);
	if (i >= 0)
		l->addrs[i] = l->addrs[--l->naddrs];
	return 0;
}

/* Layer 3: the fake kernel knows addresses only, no routes or rules. */
static int fk_l3_list(void *ctx, enum mvn_l3_kind kind, int ifindex,
		      const char *ifname, struct mvn_l3 **out, size_t *n,
		      struct mvn_error *err)
{
	struct mvn_addr *addrs = NULL;
	size_t na = 0, i;
	int ret;

	(void)ifname;
	*out = NULL;
	*n = 0;
	if (kind != MVN_L3_ADDR)
		return failing(ctx, err) ? fail_code(ctx) : 0;
	ret = fk_addr_list(ctx, ifindex, &addrs, &na, err);
	if (ret < 0)
		return ret;
	*out = calloc(na ? na : 1, sizeof(**out));
	for (i = 0; *out && i < na; i++) {
		if (!addrs[i].global)
			continue;
		if (mvn_l3_from_addr(&addrs[i], ifindex, &(*out)[*n]) == 0)
			(*n)++;
	}
	free(addrs);
	return *out ? 0 : -ENOMEM;
}

/* An address record added (add) or removed, moved as mv says. */
static int fk_l3_addr(void *ctx, const struct mvn_l3 *x,
		      const struct mvn_l3_move *mv, bool add,
		      struct mvn_error *err)
{
	struct mvn_addr a;
	int ifindex;

	if (x->kind != MVN_L3_ADDR)
		return failing(ctx, err) ? fail_code(ctx) : 0;
	if (!mvn_l3_to_addr(x, &a, &ifindex))
		return mvn_error_set(err, -EINVAL, "bad address record");
	if (mv && mv->to_ifindex)
		ifindex = mv->to_ifindex;
	return add ? fk_addr_add(ctx, ifindex, &a, err) :
		     fk_addr_del(ctx, ifindex, &a, err);
}

static int fk_l3_add(void *ctx, const struct mvn_l3 *x,
		     const struct mvn_l3_move *mv, struct mvn_error *err)
{
	return fk_l3_addr(ctx, x, mv, true, err);
}

static int fk_l3_del(void *ctx, const struct mvn_l3 *x,
		     const struct mvn_l3_move *mv, struct mvn_error *err)
{
	return fk_l3_addr(ctx, x, mv, false, err);
}

static int fk_node_make(void *ctx, const char *run_dir, const char *ifname,
			int ifindex, const unsigned char *mac, uid_t uid,
			gid_t gid, mode_t perm, char *path, size_t pathlen,
			struct mvn_error *err)
{
	struct fake_kernel *k = ctx;

	(void)ifname;
	(void)mac;
	(void)uid;
	(void)gid;
	(void)perm;
	if (failing(k, err))
		return fail_code(k);
	if (k->nnodes == FAKE_MAX_NODES)
		return mvn_error_set(err, -ENOSPC, "too many nodes");
	snprintf(path, pathlen, "%s/dev/tap%d", run_dir, ifindex);
	snprintf(k->nodes[k->nnodes++], sizeof(k->nodes[0]), "%s", path);
	return 0;
}

static int fk_node_remove(void *ctx, const char *run_dir, const char *path,
			  struct mvn_error *err)
{
	struct fake_kernel *k = ctx;
	int i;

	(void)run_dir;
	if (failing(k, err))
		return fail_code(k);
	for (i = 0; i < k->nnodes; i++)
		if (!strcmp(k->nodes[i], path)) {
			memcpy(k->nodes[i], k->nodes[--k->nnodes],
			       sizeof(k->nodes[0]));
			break;
		}
	return 0;
}

static void fk_close(void *ctx)
{
	(void)ctx;
}

const struct mvn_link_ops fake_ops = {
	.create = fk_create,
	.create_many = fk_create_many,
	.get = fk_get,
	.get_index = fk_get_index,
	.list = fk_list,
	.delete_group = fk_delete_group,
	.delete_link = fk_delete_link,
	.set_group = fk_set_group,
	.move = fk_move,
	.set_up = fk_set_up,
	.set_mac = fk_set_mac,
	.addr_list = fk_addr_list,
	.addr_add = fk_addr_add,
	.addr_del = fk_addr_del,
	.l3_list = fk_l3_list,
	.l3_add = fk_l3_add,
	.l3_del = fk_l3_del,
	.node_make = fk_node_make,
	.node_remove = fk_node_remove,
	.close = fk_close,
};
