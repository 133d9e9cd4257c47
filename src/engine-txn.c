/*
 * Transactions over the kernel: every change a command makes is written
 * down as it is made, and a failure anywhere takes the one way back: device
 * nodes removed, links deleted (in one request where the kernel allows),
 * lower devices' MACs and addresses given back, lower devices that were
 * brought up taken down again, port files removed.  Link
 * deletion lives here too, because it must never touch a link another
 * store made, and must not cost one kernel round per link.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "engine-int.h"
#include "util.h"

enum undo_kind {
	UNDO_NODE,
	UNDO_LINK,
	UNDO_MAC,
	UNDO_ADDR,
	UNDO_L3,
	UNDO_UP,
	UNDO_PORT_FILE,
};

struct undo {
	enum undo_kind kind;
	int netnsid, ifindex;
	unsigned char mac[6];
	struct mvn_addr addr;
	const struct mvn_state *st; /* UNDO_L3: borrowed */
	struct mvn_state *ports; /* UNDO_PORT_FILE: its log, borrowed */
	char name[256]; /* a node's path or a port's name */
};

struct mvn_txn {
	struct mvn_engine *eng;
	struct undo *v;
	size_t n, cap;
	bool oom; /* an entry could not be recorded: abort at once */
};

struct mvn_txn *mvn_txn_new(struct mvn_engine *eng)
{
	struct mvn_txn *t = calloc(1, sizeof(*t));

	if (t)
		t->eng = eng;
	return t;
}

static struct undo *push(struct mvn_txn *t, enum undo_kind kind)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct undo *v = realloc(t->v, cap * sizeof(*v));

		if (!v) {
			t->oom = true;
			return NULL;
		}
		t->v = v;
		t->cap = cap;
	}
	memset(&t->v[t->n], 0, sizeof(t->v[0]));
	t->v[t->n].kind = kind;
	return &t->v[t->n++];
}

int mvn_txn_link(struct mvn_txn *t, int netnsid, int ifindex)
{
	struct undo *u = push(t, UNDO_LINK);

	if (!u)
		return -ENOMEM;
	u->netnsid = netnsid;
	u->ifindex = ifindex;
	return 0;
}

int mvn_txn_node(struct mvn_txn *t, const char *path)
{
	struct undo *u = push(t, UNDO_NODE);

	if (!u)
		return -ENOMEM;
	snprintf(u->name, sizeof(u->name), "%s", path);
	return 0;
}

int mvn_txn_mac(struct mvn_txn *t, int ifindex, const unsigned char mac[6])
{
	struct undo *u = push(t, UNDO_MAC);

	if (!u)
		return -ENOMEM;
	u->ifindex = ifindex;
	memcpy(u->mac, mac, 6);
	return 0;
}

int mvn_txn_addr(struct mvn_txn *t, int ifindex, const struct mvn_addr *a)
{
	struct undo *u = push(t, UNDO_ADDR);

	if (!u)
		return -ENOMEM;
	u->ifindex = ifindex;
	u->addr = *a;
	return 0;
}

int mvn_txn_l3(struct mvn_txn *t, const struct mvn_state *st)
{
	struct undo *u = push(t, UNDO_L3);

	if (!u)
		return -ENOMEM;
	u->st = st;
	return 0;
}

int mvn_txn_up(struct mvn_txn *t, int ifindex)
{
	struct undo *u = push(t, UNDO_UP);

	if (!u)
		return -ENOMEM;
	u->ifindex = ifindex;
	return 0;
}

int mvn_txn_port_file(struct mvn_txn *t, struct mvn_state *st,
		      const char *ifname)
{
	struct undo *u = push(t, UNDO_PORT_FILE);

	if (!u)
		return -ENOMEM;
	u->ports = st;
	snprintf(u->name, sizeof(u->name), "%s", ifname);
	return 0;
}

/* Add what could not be undone to the failure's message, once. */
static void undo_failed(struct mvn_error *err, const struct mvn_error *why,
			bool *noted)
{
	size_t n;

	if (!err || *noted)
		return; /* one line: the first such failure says enough */
	*noted = true;
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n,
		 _("; and undoing it failed (%s), which macvnet reconcile "
		   "finishes"),
		 why->msg);
}

void mvn_txn_abort(struct mvn_txn *t, const struct mvn_linkset *ls,
		   struct mvn_error *err)
{
	struct mvn_engine *eng;
	struct mvn_link_ref *refs = NULL;
	struct mvn_error why = { 0 };
	bool noted = false;
	size_t i, nrefs = 0;
	int kind;

	if (!t)
		return;
	eng = t->eng;
	refs = calloc(t->n ? t->n : 1, sizeof(*refs));
	/* Kind by kind, in the order the kernel needs, newest first. */
	for (kind = UNDO_NODE; kind <= UNDO_PORT_FILE; kind++) {
		for (i = t->n; i-- > 0;) {
			struct undo *u = &t->v[i];
			int r = 0;

			if ((int)u->kind != kind)
				continue;
			switch (u->kind) {
			case UNDO_NODE:
				r = eng->link_ops->node_remove(eng->link_ctx,
							       eng->run_dir,
							       u->name, &why);
				break;
			case UNDO_LINK:
				if (refs) {
					refs[nrefs].netnsid = u->netnsid;
					refs[nrefs++].ifindex = u->ifindex;
				}
				break;
			case UNDO_MAC:
				r = eng->link_ops->set_mac(eng->link_ctx,
							   u->ifindex, u->mac,
							   &why);
				if (r == -ENODEV)
					r = 0; /* the device went away */
				break;
			case UNDO_ADDR:
				r = eng->link_ops->addr_add(eng->link_ctx,
							    u->ifindex,
							    &u->addr, &why);
				if (r == -ENODEV)
					r = 0;
				break;
			case UNDO_L3:
				r = mvn_engine_l3_back(eng, ls, u->st, NULL, 0,
						       &why);
				break;
			case UNDO_UP:
				r = eng->link_ops->set_up(
					eng->link_ctx, u->ifindex, false, &why);
				if (r == -ENODEV)
					r = 0;
				break;
			case UNDO_PORT_FILE:
				r = mvn_engine_port_drop(eng, u->ports, u->name,
							 &why);
				break;
			}
			if (r < 0)
				undo_failed(err, &why, &noted);
		}
		if (kind == UNDO_LINK && nrefs &&
		    mvn_engine_delete_links(eng, ls, refs, nrefs, &why) < 0)
			undo_failed(err, &why, &noted);
	}
	free(refs);
	free(t->v);
	free(t);
}

void mvn_txn_commit(struct mvn_txn *t)
{
	if (!t)
		return;
	free(t->v);
	free(t);
}

/* A scratch group that no link in ls (nor any link we know of) uses. */
static int scratch_group(const struct mvn_linkset *ls, uint32_t *out,
			 struct mvn_error *err)
{
	uint32_t start = 0, g;
	size_t i, k;

	/* A random start: two stores deleting at once pick apart. */
	if (getrandom(&start, sizeof(start), 0) != sizeof(start))
		start = 0;
	for (k = 0; k < MVN_SCRATCH_COUNT; k++) {
		g = MVN_SCRATCH_FIRST + (start + k) % MVN_SCRATCH_COUNT;
		for (i = 0; i < ls->n && ls->v[i].group != g; i++)
			;
		if (i == ls->n) {
			*out = g;
			return 0;
		}
	}
	return mvn_error_set(err, -ENOSPC,
			     _("every link group macvnet may use is taken; "
			       "delete some of macvnet's links (ip link show "
			       "group ...)"));
}

/*
 * Delete the links of one namespace through a scratch group.  The kernel
 * regroups links only in the caller's own namespace: elsewhere (endpoints
 * handed to a container) they go one by one.
 */
static int delete_through_group(struct mvn_engine *eng,
				const struct mvn_linkset *ls, int netnsid,
				const struct mvn_link_ref *refs, size_t n,
				struct mvn_error *err)
{
	const struct mvn_link_ops *ops = eng->link_ops;
	bool *moved = NULL;
	uint32_t g = 0;
	size_t i, count = 0;
	int ret = 0, r;

	if (netnsid != MVN_NETNSID_SELF) {
		for (i = 0; i < n && ret == 0; i++)
			if (refs[i].netnsid == netnsid)
				ret = ops->delete_link(eng->link_ctx, netnsid,
						       refs[i].ifindex, err);
		return ret;
	}
	moved = calloc(n, sizeof(*moved));
	if (!moved)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = scratch_group(ls, &g, err);
	for (i = 0; i < n && ret == 0; i++) {
		if (refs[i].netnsid != netnsid)
			continue;
		r = ops->set_group(eng->link_ctx, netnsid, refs[i].ifindex, g,
				   err);
		moved[i] = r == 0;
		count += r == 0;
		if (r < 0 && r != -ENODEV)
			ret = r; /* gone already is as good as deleted */
	}
	if (ret == 0 && count)
		ret = ops->delete_group(eng->link_ctx, netnsid, g, err);
	/*
	 * All or nothing: what was moved goes back to its group.  Should
	 * that fail too, the links wait in the scratch group, which tells
	 * reconcile to finish deleting them.
	 */
	for (i = 0; ret < 0 && i < n; i++) {
		const struct mvn_link_info *l =
			moved[i] ? mvn_linkset_find_index(ls, netnsid,
							  refs[i].ifindex) :
				   NULL;

		if (l)
			ops->set_group(eng->link_ctx, netnsid, l->ifindex,
				       l->group, NULL);
	}
	free(moved);
	return ret;
}

int mvn_engine_delete_links(struct mvn_engine *eng,
			    const struct mvn_linkset *ls,
			    const struct mvn_link_ref *refs, size_t n,
			    struct mvn_error *err)
{
	size_t i, j, count;
	int ret = 0;

	if (!n)
		return 0;
	for (i = 0; i < n && ret == 0; i++) {
		/* Each namespace once, at its first link. */
		for (j = 0; j < i && refs[j].netnsid != refs[i].netnsid; j++)
			;
		if (j < i)
			continue;
		for (j = i, count = 0; j < n; j++)
			count += refs[j].netnsid == refs[i].netnsid;
		/* A lazy ls cannot tell which scratch group is free. */
		if (count == 1 || ls->lazy)
			for (j = i; j < n && ret == 0; j++)
				ret = refs[j].netnsid != refs[i].netnsid ?
					      0 :
					      eng->link_ops->delete_link(
						      eng->link_ctx,
						      refs[j].netnsid,
						      refs[j].ifindex, err);
		else
			ret = delete_through_group(eng, ls, refs[i].netnsid,
						   refs, n, err);
	}
	return ret;
}

int mvn_engine_delete_network_links(struct mvn_engine *eng,
				    const struct mvn_linkset *ls,
				    const struct mvn_state *st,
				    struct mvn_error *err)
{
	struct mvn_link_ref *in, *out;
	size_t i, j, nin = 0, nout = 0;
	int ret = 0;

	/* In the network's group, and elsewhere (caught mid-delete). */
	in = calloc(ls->n ? ls->n : 1, sizeof(*in));
	out = calloc(ls->n ? ls->n : 1, sizeof(*out));
	if (!in || !out) {
		free(in);
		free(out);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	for (i = 0; i < ls->n; i++) {
		const struct mvn_link_info *l = &ls->v[i];
		struct mvn_link_ref r = { l->netnsid, l->ifindex };

		if (!mvn_engine_link_mine(eng, l, st))
			continue;
		if (l->group == st->group)
			in[nin++] = r;
		else
			out[nout++] = r;
	}
	/*
	 * Where the group holds nothing but this network's links, one
	 * request deletes them; a link of anybody else in it (another
	 * store that chose the same group) means through a scratch group.
	 */
	for (i = 0; i < nin && ret == 0; i++) {
		bool alone = true;

		for (j = 0; j < i && in[j].netnsid != in[i].netnsid; j++)
			;
		if (j < i)
			continue;
		for (j = 0; j < ls->n && alone; j++)
			if (ls->v[j].group == st->group &&
			    ls->v[j].netnsid == in[i].netnsid &&
			    !mvn_engine_link_mine(eng, &ls->v[j], st))
				alone = false;
		if (alone)
			ret = eng->link_ops->delete_group(
				eng->link_ctx, in[i].netnsid, st->group, err);
		else
			ret = delete_through_group(eng, ls, in[i].netnsid, in,
						   nin, err);
	}
	if (ret == 0)
		ret = mvn_engine_delete_links(eng, ls, out, nout, err);
	free(in);
	free(out);
	return ret;
}

int mvn_engine_teardown(struct mvn_engine *eng, const struct mvn_linkset *ls,
			struct mvn_state *st, struct mvn_error *err)
{
	const struct mvn_link_ops *ops = eng->link_ops;
	const struct mvn_link_info *shim = NULL;
	struct mvn_error e = { 0 };
	struct mvn_l3 *fresh = NULL;
	size_t i, nfresh = 0;
	int ret, r;

	/* The shim's addresses as they are now: lifetimes run on. */
	if (st->has_host && st->nmoved)
		shim = mvn_linkset_find(ls, st->host_name);
	if (shim && shim->ifindex == st->host_ifindex &&
	    ops->l3_list(eng->link_ctx, MVN_L3_ADDR, shim->ifindex, shim->name,
			 &fresh, &nfresh, &e) < 0)
		nfresh = 0;
	ret = mvn_engine_delete_network_links(eng, ls, st, err);
	/* With the links still there, what they hold stays theirs. */
	if (ret < 0) {
		mvn_l3_free(fresh, nfresh);
		return ret;
	}
	for (i = 0; i < st->nports; i++) {
		const struct mvn_port_state *p = &st->ports[i];
		const struct mvn_link_info *lower;

		if (p->tap[0]) {
			r = ops->node_remove(eng->link_ctx, eng->run_dir,
					     p->tap, &e);
			if (r < 0 && ret == 0)
				ret = mvn_error_set(err, r, "%s", e.msg);
		}
		lower = mvn_linkset_find(ls, p->lower);
		if (p->has_saved_mac && lower) {
			r = ops->set_mac(eng->link_ctx, lower->ifindex,
					 p->saved_mac, &e);
			if (r < 0 && r != -ENODEV && ret == 0)
				ret = mvn_error_set(err, r, "%s", e.msg);
		}
	}
	r = mvn_engine_l3_back(eng, ls, st, fresh, nfresh, &e);
	if (r < 0 && ret == 0)
		ret = mvn_error_set(err, r, "%s", e.msg);
	mvn_l3_free(fresh, nfresh);
	return ret;
}

int mvn_engine_record_l3(struct mvn_engine *eng, struct mvn_state *st,
			 const struct mvn_link_info *lower,
			 const struct mvn_link_info *from,
			 const struct mvn_addr *except, struct mvn_error *err)
{
	static const enum mvn_l3_kind order[] = { MVN_L3_ADDR, MVN_L3_ROUTE,
						  MVN_L3_RULE };
	struct mvn_l3 *v = NULL;
	struct mvn_addr a;
	size_t i, k, n = 0;
	/* A shim's rules name the shim: only the lower device's are kept. */
	size_t kinds = from == lower ? 3 : 2;
	int ret = 0;

	for (k = 0; ret == 0 && k < kinds; k++) {
		ret = eng->link_ops->l3_list(eng->link_ctx, order[k],
					     from->ifindex, from->name, &v, &n,
					     err);
		for (i = 0; ret == 0 && i < n; i++) {
			if (except && mvn_l3_to_addr(&v[i], &a, NULL) &&
			    a.family == except->family &&
			    a.prefix == except->prefix &&
			    !memcmp(a.bytes, except->bytes, 16))
				continue;
			if (mvn_state_add_moved(st, lower->name, from->ifindex,
						&v[i]) < 0)
				ret = mvn_error_set(err, -ENOMEM,
						    _("out of memory"));
		}
		mvn_l3_free(v, n);
		v = NULL;
		n = 0;
	}
	return ret;
}

/* The shim's own record of address x, if it still has it. */
static const struct mvn_l3 *fresh_of(const struct mvn_l3 *x,
				     const struct mvn_l3 *fresh, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mvn_l3_same_addr(x, &fresh[i]))
			return &fresh[i];
	return NULL;
}

/* Put back one record the shim took from its device (lower). */
static int l3_back_one(struct mvn_engine *eng, const struct mvn_state *st,
		       const struct mvn_moved *m,
		       const struct mvn_link_info *lower,
		       const struct mvn_l3 *fresh, size_t nfresh,
		       struct mvn_error *err)
{
	const struct mvn_link_ops *ops = eng->link_ops;
	struct mvn_l3_move mv = { m->ifindex, st->host_name, lower->ifindex,
				  lower->name };
	struct mvn_l3_move on_shim = { m->ifindex, lower->name, 0,
				       st->host_name };
	const struct mvn_l3 *x = &m->rec, *now;

	switch (x->kind) {
	case MVN_L3_ADDR:
		/* With the lifetime it has now, if the shim still has it. */
		now = fresh_of(x, fresh, nfresh);
		return ops->l3_add(eng->link_ctx, now ? now : x, &mv, err);
	case MVN_L3_ROUTE:
		/* The shim's copy first (IPv6 would take it for this one). */
		on_shim.to_ifindex = st->host_ifindex;
		on_shim.from_name = on_shim.to_name = NULL;
		if (st->host_ifindex)
			ops->l3_del(eng->link_ctx, x, &on_shim, err);
		return ops->l3_add(eng->link_ctx, x, &mv, err);
	default:
		/* The rule as it was, and not the shim's copy any more. */
		mv.from_name = mv.to_name = NULL;
		if (ops->l3_add(eng->link_ctx, x, &mv, err) < 0)
			return err->code;
		return ops->l3_del(eng->link_ctx, x, &on_shim, err);
	}
}

/*
 * The neighbours a lower device learned before the shim took its
 * addresses, forgotten: it then asks again, and its neighbour discovery
 * tells the peers (who still send to the shim's MAC) its own MAC at once.
 * Best effort: the peers would find out on their own in some seconds.
 */
static void forget_neighbours(struct mvn_engine *eng,
			      const struct mvn_linkset *ls,
			      const struct mvn_state *st)
{
	struct mvn_error e = { 0 };
	struct mvn_l3 *v = NULL;
	size_t i, n = 0;
	const struct mvn_link_info *lower;

	if (!st->nmoved)
		return;
	lower = mvn_linkset_find(ls, st->moved[0].dev);
	if (!lower ||
	    eng->link_ops->l3_list(eng->link_ctx, MVN_L3_NEIGH, lower->ifindex,
				   lower->name, &v, &n, &e) < 0)
		return;
	for (i = 0; i < n; i++)
		eng->link_ops->l3_del(eng->link_ctx, &v[i], NULL, &e);
	mvn_l3_free(v, n);
}

int mvn_engine_l3_back(struct mvn_engine *eng, const struct mvn_linkset *ls,
		       const struct mvn_state *st, const struct mvn_l3 *fresh,
		       size_t nfresh, struct mvn_error *err)
{
	static const enum mvn_l3_kind order[] = { MVN_L3_ADDR, MVN_L3_ROUTE,
						  MVN_L3_RULE };
	struct mvn_error e = { 0 };
	size_t i, k;
	int ret = 0, r;

	/* Addresses first: routes need them. */
	for (k = 0; k < 3; k++) {
		for (i = 0; i < st->nmoved; i++) {
			const struct mvn_link_info *lower =
				mvn_linkset_find(ls, st->moved[i].dev);

			if (!lower || st->moved[i].rec.kind != order[k])
				continue;
			r = l3_back_one(eng, st, &st->moved[i], lower, fresh,
					nfresh, &e);
			if (r < 0 && r != -ENODEV && ret == 0)
				ret = mvn_error_set(err, r, "%s", e.msg);
		}
	}
	forget_neighbours(eng, ls, st);
	return ret;
}
