/*
 * Reconcile: bring a network's state and the kernel back into agreement.
 * Endpoints the kernel lost are forgotten (their device node removed, a
 * passthrough device's MAC given back); endpoints moved to another network
 * namespace are followed; this store's links that no state lists are
 * deleted; a start or destroy that was cut short is taken back or
 * finished; a damaged state file is set aside and rebuilt from the kernel.
 * Only the links this store marked are ever touched.  The caller holds the
 * locks of the networks it names.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "engine-int.h"
#include "tap.h"
#include "util.h"

/* Give a passthrough device its own MAC back, if it is still here. */
static int give_mac_back(struct mvn_engine *eng, const struct mvn_linkset *ls,
			 const struct mvn_port_state *p, struct mvn_error *err)
{
	const struct mvn_link_info *lower;
	int ret;

	if (!p->has_saved_mac)
		return 0;
	/* Lazy: a copy looks the device up; the caller's set stays as is. */
	if (ls->lazy) {
		struct mvn_link_info l;

		ret = eng->link_ops->get(eng->link_ctx, p->lower, &l, err);
		if (ret == -ENODEV)
			return 0;
		if (ret < 0)
			return ret;
		ret = eng->link_ops->set_mac(eng->link_ctx, l.ifindex,
					     p->saved_mac, err);
		return ret == -ENODEV ? 0 : ret < 0 ? ret : 1;
	}
	lower = mvn_linkset_find(ls, p->lower);
	if (!lower)
		return 0;
	ret = eng->link_ops->set_mac(eng->link_ctx, lower->ifindex,
				     p->saved_mac, err);
	return ret == -ENODEV ? 0 : ret < 0 ? ret : 1;
}

int mvn_engine_forget_port(struct mvn_engine *eng, const struct mvn_linkset *ls,
			   struct mvn_state *st, size_t i,
			   struct mvn_reconcile_report *rep,
			   struct mvn_error *err)
{
	const struct mvn_port_state *p = &st->ports[i];
	int ret;

	ret = give_mac_back(eng, ls, p, err);
	if (ret < 0)
		return ret;
	if (ret > 0 && rep)
		rep->restored++;
	if (p->tap[0]) {
		ret = eng->link_ops->node_remove(eng->link_ctx, eng->run_dir,
						 p->tap, err);
		if (ret < 0)
			return ret;
	}
	ret = mvn_engine_port_drop(eng, st, p->name, err);
	if (ret < 0)
		return ret;
	mvn_state_remove_port(st, i);
	return 0;
}

/* The link of port p, wherever it went; NULL when the kernel lost it. */
static const struct mvn_link_info *
find_port_link(struct mvn_engine *eng, const struct mvn_linkset *ls,
	       const struct mvn_state *st, const struct mvn_port_state *p)
{
	const struct mvn_link_info *l;
	size_t i;

	if (p->netnsid == MVN_NETNSID_SELF)
		l = mvn_linkset_find(ls, p->name);
	else
		l = mvn_linkset_find_index(ls, p->netnsid, p->ifindex);
	if (l && l->ifindex == p->ifindex && mvn_engine_link_mine(eng, l, st))
		return l;
	/*
	 * Moved to another namespace (or back): it keeps its MAC, group
	 * and alias, not always its name or ifindex.
	 */
	for (i = 0; i < ls->n; i++) {
		l = &ls->v[i];
		if (l->kind == MVN_LINK_MACVTAP && !memcmp(l->mac, p->mac, 6) &&
		    l->group == st->group && mvn_engine_link_mine(eng, l, st))
			return l;
	}
	return NULL;
}

/* Whether link l is one that st knows (a port or the shim). */
static bool known(const struct mvn_state *st, const struct mvn_link_info *l)
{
	size_t i;

	if (st->has_host && l->netnsid == MVN_NETNSID_SELF &&
	    l->ifindex == st->host_ifindex && !strcmp(l->name, st->host_name))
		return true;
	for (i = 0; i < st->nports; i++)
		if (st->ports[i].ifindex &&
		    st->ports[i].ifindex == l->ifindex &&
		    st->ports[i].netnsid == l->netnsid)
			return true;
	return false;
}

/* Whether some port of st is not where the state says. */
static bool ports_astray(struct mvn_engine *eng, const struct mvn_linkset *ls,
			 const struct mvn_state *st)
{
	size_t i;

	for (i = 0; i < st->nports; i++) {
		const struct mvn_port_state *p = &st->ports[i];
		const struct mvn_link_info *l = mvn_linkset_find(ls, p->name);

		if (p->netnsid != MVN_NETNSID_SELF ||
		    (p->ifindex && (!l || l->ifindex != p->ifindex ||
				    !mvn_engine_link_mine(eng, l, st))))
			return true;
	}
	return false;
}

/* Links of this store for st's network that nothing in st knows. */
static int delete_leftovers(struct mvn_engine *eng,
			    const struct mvn_linkset *ls,
			    const struct mvn_state *st,
			    struct mvn_reconcile_report *rep,
			    struct mvn_error *err)
{
	struct mvn_link_ref *refs;
	size_t i, n = 0;
	int ret;

	refs = calloc(ls->n ? ls->n : 1, sizeof(*refs));
	if (!refs)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (i = 0; i < ls->n; i++) {
		const struct mvn_link_info *l = &ls->v[i];

		if (!mvn_engine_link_mine(eng, l, st) || known(st, l))
			continue;
		refs[n].netnsid = l->netnsid;
		refs[n++].ifindex = l->ifindex;
	}
	ret = mvn_engine_delete_links(eng, ls, refs, n, err);
	if (ret == 0 && rep)
		rep->removed += n;
	free(refs);
	return ret;
}

/* Reconcile an active network; st is brought up to date. */
/* A port that a transaction cut short had written: it is taken back. */
struct cut_port {
	const char *network; /* one of the networks held */
	char ifname[16];
};

static int sync_active(struct mvn_engine *eng, struct mvn_linkset *ls,
		       struct mvn_state *st, const struct cut_port *cut,
		       size_t ncut, struct mvn_reconcile_report *rep,
		       struct mvn_error *err)
{
	size_t i, j;
	int ret;

	if (!ls->moved && ports_astray(eng, ls, st)) {
		ret = mvn_linkset_load(eng, ls, true, true, err);
		if (ret < 0)
			return ret;
	}
	/*
	 * Ports being created when a crash came, and ports of a transaction
	 * that was cut short before all its files were written, are taken
	 * back first.
	 */
	for (i = 0; i < st->nports; i++) {
		struct mvn_port_state *p = &st->ports[i];
		const struct mvn_link_info *l =
			p->ifindex > 0 ? find_port_link(eng, ls, st, p) : NULL;

		for (j = 0; j < ncut; j++)
			if (!strcmp(cut[j].network, st->network) &&
			    !strcmp(cut[j].ifname, p->name))
				p->ifindex = 0;
		/* Moved to a scratch group, it was being deleted: finish. */
		if (l && MVN_GROUP_SCRATCH(l->group))
			p->ifindex = 0;
		if (!p->ifindex) {
			p->ifindex = -1; /* known() skips it */
			continue;
		}
		/*
		 * Followed into another namespace (or back) before anything
		 * is judged a leftover: known() must see it where it is.
		 */
		if (l &&
		    (l->netnsid != p->netnsid || l->ifindex != p->ifindex)) {
			p->netnsid = l->netnsid;
			p->ifindex = l->ifindex;
			ret = mvn_engine_port_save(eng, st, p, err);
			if (ret < 0)
				return ret;
		}
	}
	ret = delete_leftovers(eng, ls, st, rep, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < st->nports;) {
		struct mvn_port_state *p = &st->ports[i];
		const struct mvn_link_info *l =
			p->ifindex > 0 ? find_port_link(eng, ls, st, p) : NULL;

		if (!l) {
			ret = mvn_engine_forget_port(eng, ls, st, i, rep, err);
			if (ret < 0)
				return ret;
			if (rep)
				rep->forgotten++;
			continue;
		}
		if (l->netnsid != p->netnsid || l->ifindex != p->ifindex) {
			/* Followed into another namespace: remember where. */
			p->netnsid = l->netnsid;
			p->ifindex = l->ifindex;
			ret = mvn_engine_port_save(eng, st, p, err);
			if (ret < 0)
				return ret;
		}
		i++;
	}
	if (st->has_host) {
		const struct mvn_link_info *l =
			mvn_linkset_find(ls, st->host_name);

		if (!l || l->ifindex != st->host_ifindex ||
		    !mvn_engine_link_mine(eng, l, st)) {
			/* The shim is gone: its addresses go home. */
			ret = mvn_engine_l3_back(eng, ls, st, NULL, 0, err);
			if (ret < 0)
				return ret;
			st->has_host = false;
			mvn_state_clear_moved(st);
			if (rep)
				rep->forgotten++;
			return mvn_engine_state_save(eng, st, err);
		}
	}
	return 0;
}

/* The group most of links carries, among this store's links of network. */
static uint32_t group_of(struct mvn_engine *eng, const struct mvn_linkset *ls,
			 const char *network)
{
	struct mvn_state probe = { .network = (char *)network };
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (mvn_engine_alias_parse(ls->v[i].alias, NULL, NULL, NULL) &&
		    mvn_engine_link_mine(eng, &ls->v[i], &probe))
			return ls->v[i].group;
	return 0;
}

/*
 * The shim's state rebuilt from the kernel: its lower device, and as what
 * it took, every global address it has but the one the definition gives
 * it and the routes through it, recorded as the shim's (ifindex), so that
 * putting them back moves them from the shim to the lower device.
 */
static int shim_addrs(struct mvn_engine *eng, const struct mvn_linkset *ls,
		      const struct mvn_network *net, struct mvn_state *st,
		      const struct mvn_link_info *shim, struct mvn_error *err)
{
	const struct mvn_link_info *lower = mvn_linkset_find_index(
		ls, MVN_NETNSID_SELF, shim->lower_ifindex);
	struct mvn_addr own;

	if (!lower)
		return 0;
	snprintf(st->host_lower, sizeof(st->host_lower), "%s", lower->name);
	if (!net->host.address || !mvn_addr_parse(net->host.address, &own))
		return mvn_engine_record_l3(eng, st, lower, shim, NULL, err);
	return mvn_engine_record_l3(eng, st, lower, shim, &own, err);
}

/* The device node of a macvtap that lost its port file, as it is now. */
static void find_node(struct mvn_engine *eng, struct mvn_port_state *p)
{
	char paths[2][sizeof(p->tap)];
	struct mvn_error ignored = { 0 };
	struct stat sb;
	dev_t devt;
	int i;

	p->perm = 0600;
	/* Only a node that is this link's device, by sysfs of this netns. */
	if (mvn_tap_devt(p->name, p->ifindex, p->mac, &devt, &ignored) < 0)
		return;
	if (mvn_tap_private_path(eng->run_dir, devt, paths[0],
				 sizeof(paths[0])) < 0)
		paths[0][0] = '\0';
	snprintf(paths[1], sizeof(paths[1]), "/dev/tap%d", p->ifindex);
	for (i = 0; i < 2; i++) {
		if (!paths[i][0] || lstat(paths[i], &sb) < 0 ||
		    !S_ISCHR(sb.st_mode) || sb.st_rdev != devt)
			continue;
		memcpy(p->tap, paths[i], sizeof(p->tap));
		p->uid = sb.st_uid;
		p->gid = sb.st_gid;
		p->perm = sb.st_mode & 07777;
		return;
	}
}

/* A port rebuilt from its link, for a network whose files were damaged. */
static int adopt(struct mvn_engine *eng, const struct mvn_linkset *ls,
		 struct mvn_state *st, const struct mvn_link_info *l,
		 struct mvn_error *err)
{
	struct mvn_port_state p = { .netnsid = l->netnsid };
	const struct mvn_link_info *lower;
	int ret;

	snprintf(p.name, sizeof(p.name), "%s", l->name);
	p.ifindex = l->ifindex;
	memcpy(p.mac, l->mac, 6);
	if (!mvn_engine_alias_parse(l->alias, NULL, p.owner, NULL))
		snprintf(p.owner, sizeof(p.owner), "cli");
	p.is_static = !strcmp(p.owner, "static");
	lower = l->netnsid == MVN_NETNSID_SELF ?
			mvn_linkset_find_index(ls, MVN_NETNSID_SELF,
					       l->lower_ifindex) :
			NULL;
	snprintf(p.lower, sizeof(p.lower), "%s",
		 lower	     ? lower->name :
		 st->nlowers ? st->lowers[0] :
			       "?");
	find_node(eng, &p);
	if (!p.tap[0] && l->netnsid == MVN_NETNSID_SELF) {
		ret = eng->link_ops->node_make(eng->link_ctx, eng->run_dir,
					       p.name, p.ifindex, p.mac, 0, 0,
					       0600, p.tap, sizeof(p.tap), err);
		if (ret < 0)
			return ret;
	}
	if (!p.tap[0])
		snprintf(p.tap, sizeof(p.tap), "-");
	ret = mvn_state_add_port(st, &p);
	if (ret < 0)
		return mvn_error_set(err, ret, _("out of memory"));
	return mvn_engine_port_save(eng, st, &p, err);
}

/*
 * The state header of name as it is on disk, or NULL (*st) after setting
 * a damaged or foreign one aside (*aside counts it).  -ENOENT: none.
 */
static int salvage_header(struct mvn_engine *eng, const char *name,
			  struct mvn_state **st, size_t *aside,
			  struct mvn_error *err)
{
	struct mvn_error e = { 0 };
	char where[512], *text = NULL;
	int ret;

	*st = NULL;
	ret = mvn_store_state_read(eng->store, name, &text, err);
	if (ret == 0 && (mvn_state_parse(text, name, st, &e) < 0 ||
			 strcmp((*st)->network, name) ||
			 strcmp((*st)->store_id, mvn_store_id(eng->store)))) {
		mvn_state_free(*st);
		*st = NULL;
		ret = mvn_store_set_aside(eng->store, name, NULL, where,
					  sizeof(where), err);
		if (ret == 0) {
			mvn_engine_note(eng,
					_("the state file of network '%1$s' "
					  "was damaged; it is set aside as "
					  "%2$s"),
					name, where);
			(*aside)++;
		}
	}
	free(text);
	return ret;
}

/*
 * A new header for name from its definition and this store's links (the
 * group they carry, the shim and what it holds).  *st stays NULL when
 * there is nothing to rebuild from: the network is then inactive, and
 * its leftovers are deleted.
 */
static int rebuild_header(struct mvn_engine *eng, const char *name,
			  struct mvn_linkset *ls, struct mvn_state **st,
			  struct mvn_reconcile_report *rep,
			  struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct mvn_error e = { 0 };
	uint32_t g = group_of(eng, ls, name);
	char owner[64];
	size_t i;
	int ret = mvn_engine_load_def(eng, name, &net, &e);

	if (!g || ret < 0) {
		struct mvn_state probe = { .network = (char *)name };

		mvn_network_free(net);
		ret = delete_leftovers(eng, ls, &probe, rep, err);
		return ret == 0 ?
			       mvn_store_state_remove(eng->store, name, err) :
			       ret;
	}
	ret = mvn_engine_state_new(eng, net, name, st, err);
	if (ret == 0)
		(*st)->group = g;
	for (i = 0; ret == 0 && i < ls->n; i++) {
		const struct mvn_link_info *l = &ls->v[i];

		if (l->kind != MVN_LINK_MACVLAN ||
		    !mvn_engine_alias_parse(l->alias, NULL, owner, NULL) ||
		    strcmp(owner, "shim") || !mvn_engine_link_mine(eng, l, *st))
			continue;
		(*st)->has_host = true;
		snprintf((*st)->host_name, sizeof((*st)->host_name), "%s",
			 l->name);
		(*st)->host_ifindex = l->ifindex;
		ret = shim_addrs(eng, ls, net, *st, l, err);
	}
	if (ret == 0)
		ret = mvn_engine_state_save(eng, *st, err);
	mvn_network_free(net);
	return ret;
}

/* Port file port of name into st, or set aside (*aside) when damaged. */
static int salvage_port(struct mvn_engine *eng, const char *name,
			const char *port, struct mvn_state *st, size_t *aside,
			struct mvn_error *err)
{
	struct mvn_port_state p;
	struct mvn_error e = { 0 };
	char what[300], where[512], *text = NULL;
	int ret;

	snprintf(what, sizeof(what), "%s/%s", name, port);
	ret = mvn_store_port_read(eng->store, name, port, &text, err);
	if (ret == -ENOENT)
		return 0;
	if (ret == 0 && mvn_port_parse(text, what, &p, &e) == 0 &&
	    !strcmp(p.name, port))
		ret = mvn_state_add_port(st, &p);
	else if (ret == 0) {
		ret = mvn_store_set_aside(eng->store, name, port, where,
					  sizeof(where), err);
		if (ret == 0)
			mvn_engine_note(eng,
					_("the state file of endpoint '%1$s' "
					  "was damaged; it is set aside as "
					  "%2$s"),
					port, where);
		(*aside)++;
	}
	free(text);
	return ret;
}

/* The ports log of name into st, or set aside (*aside) when damaged. */
static int salvage_log(struct mvn_engine *eng, const char *name,
		       struct mvn_state *st, size_t *aside,
		       struct mvn_error *err)
{
	struct mvn_error e = { 0 };
	char what[300], where[512], *text = NULL;
	size_t len = 0;
	int ret;

	snprintf(what, sizeof(what), "%s.log", name);
	ret = mvn_store_log_read(eng->store, name, &text, &len, err);
	if (ret == -ENOENT)
		return 0;
	if (ret == 0 && mvn_port_log_replay(st, text, len, what, &e) < 0) {
		/* Nothing of it is trusted: the kernel says what is left. */
		st->nports = 0;
		st->log_len = st->log_records = 0;
		ret = mvn_store_log_set_aside(eng->store, name, where,
					      sizeof(where), err);
		if (ret == 0) {
			mvn_engine_note(eng,
					_("the endpoint log of network "
					  "'%1$s' was damaged (%2$s); it is "
					  "set aside as %3$s"),
					name, e.msg, where);
			(*aside)++;
		}
	}
	free(text);
	return ret;
}

/*
 * Write st's ports as its one log, then remove the port files of older
 * versions (a crash between the two leaves both; the log wins).
 */
static int rewrite_log(struct mvn_engine *eng, struct mvn_state *st,
		       struct mvn_error *err)
{
	int ret = mvn_engine_ports_rewrite(eng, st, err);

	if (ret == 0)
		ret = mvn_store_ports_dir_remove(eng->store, st->network, err);
	if (ret == 0)
		st->legacy = false;
	return ret;
}

/*
 * The state of name is damaged: set aside what cannot be read, keep what
 * can, and rebuild the rest from this store's links of the network.
 */
static int salvage(struct mvn_engine *eng, const char *name,
		   struct mvn_linkset *ls, struct mvn_state **out,
		   struct mvn_reconcile_report *rep, struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	char **ports = NULL;
	size_t i, aside = 0, adopted = 0;
	int ret;

	ret = mvn_linkset_load(eng, ls, true, true, err);
	if (ret == 0)
		ret = salvage_header(eng, name, &st, &aside, err);
	if (ret == 0 || ret == -ENOENT)
		ret = st ? 0 : rebuild_header(eng, name, ls, &st, rep, err);
	if (ret < 0 || !st)
		goto out;
	ret = salvage_log(eng, name, st, &aside, err);
	/* Older port files: the readable ones stay, the others go aside. */
	if (ret == 0)
		ret = mvn_store_port_list(eng->store, name, &ports, err);
	for (i = 0; ret == 0 && ports[i]; i++)
		ret = salvage_port(eng, name, ports[i], st, &aside, err);
	/* This store's endpoints of the network that lost their file. */
	for (i = 0; ret == 0 && i < ls->n; i++) {
		const struct mvn_link_info *l = &ls->v[i];

		if (l->kind != MVN_LINK_MACVTAP || known(st, l) ||
		    !mvn_engine_alias_parse(l->alias, NULL, NULL, NULL) ||
		    !mvn_engine_link_mine(eng, l, st))
			continue;
		ret = adopt(eng, ls, st, l, err);
		adopted++;
	}
	/* What was kept and adopted, as the one log from now on. */
	if (ret == 0)
		ret = rewrite_log(eng, st, err);
	if (ret == 0 && (aside || adopted)) {
		mvn_engine_note(eng,
				_("network '%1$s' was rebuilt from the "
				  "kernel: %2$zu endpoints"),
				name, st->nports);
		if (rep)
			rep->set_aside += aside;
	}
	if (ret == 0) {
		*out = st;
		st = NULL;
	}
out:
	mvn_store_names_free(ports);
	mvn_state_free(st);
	return ret;
}

/* Reconcile one network whose lock is held; *out is its state or NULL. */
static int sync_one(struct mvn_engine *eng, const char *name,
		    struct mvn_linkset *ls, const struct cut_port *cut,
		    size_t ncut, struct mvn_state **out,
		    struct mvn_reconcile_report *rep, struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	int ret;

	*out = NULL;
	ret = mvn_engine_state_load(eng, name, &st, err);
	if (ret == -EUCLEAN)
		ret = salvage(eng, name, ls, &st, rep, err);
	if (ret == -ENOENT) {
		/* Not active: no link of this store may carry its name. */
		struct mvn_state probe = { .network = (char *)name };

		return delete_leftovers(eng, ls, &probe, rep, err);
	}
	if (ret < 0 || !st)
		return ret;
	if (st->status != MVN_STATE_ACTIVE) {
		/* A start or destroy was cut short: finish taking it down. */
		if (!ls->moved)
			ret = mvn_linkset_load(eng, ls, true, true, err);
		if (ret == 0)
			ret = mvn_engine_teardown(eng, ls, st, err);
		if (ret == 0)
			ret = mvn_store_state_remove(eng->store, name, err);
		if (ret == 0 && rep)
			rep->rolled_back++;
		mvn_state_free(st);
		return ret;
	}
	ret = sync_active(eng, ls, st, cut, ncut, rep, err);
	if (ret == 0 && (st->legacy || mvn_engine_log_bloated(st)))
		ret = rewrite_log(eng, st, err);
	if (ret < 0) {
		mvn_state_free(st);
		return ret;
	}
	*out = st;
	return 0;
}

/* Whether name is one of the n names. */
static bool held(const char *const *names, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return true;
	return false;
}

/*
 * The journal's records of transactions cut short: the ports they wrote
 * on the networks held (their owners are gone, as these locks show).
 * With rest set, the record is rewritten to hold only what is left, or
 * removed when nothing is.
 */
static int read_journal(struct mvn_engine *eng, const char *const *names,
			size_t n, struct cut_port **cut, size_t *ncut,
			bool rest, struct mvn_error *err)
{
	char **recs = NULL;
	size_t i;
	int ret;

	ret = mvn_store_journal_list(eng->store, &recs, err);
	for (i = 0; ret == 0 && recs[i]; i++) {
		struct mvn_buf left = { 0 };
		char *text = NULL, *line, *save = NULL;
		bool changed = false;

		ret = mvn_store_journal_read(eng->store, recs[i], &text, err);
		if (ret == -ENOENT) {
			ret = 0;
			continue;
		}
		for (line = ret ? NULL : strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			struct cut_port *grown;
			char ifname[16];
			int at = 0;
			size_t k;

			if (sscanf(line, "port %15s %n", ifname, &at) != 1 ||
			    !at || !held(names, n, line + at)) {
				mvn_buf_printf(&left, "%s\n", line);
				continue;
			}
			changed = true;
			if (rest)
				continue;
			for (k = 0; k < n && strcmp(names[k], line + at); k++)
				;
			grown = realloc(*cut, (*ncut + 1) * sizeof(**cut));
			if (!grown) {
				ret = mvn_error_set(err, -ENOMEM,
						    _("out of memory"));
				break;
			}
			*cut = grown;
			grown[*ncut].network = names[k];
			memcpy(grown[(*ncut)++].ifname, ifname, 16);
		}
		if (ret == 0 && rest && changed)
			ret = left.len ?
				      mvn_store_journal_write(eng->store,
							      recs[i],
							      left.data, err) :
				      mvn_store_journal_remove(eng->store,
							       recs[i], err);
		mvn_buf_free(&left);
		free(text);
	}
	mvn_store_names_free(recs);
	return ret;
}

int mvn_engine_sync(struct mvn_engine *eng, const char *const *names, size_t n,
		    struct mvn_state **states, struct mvn_linkset *ls,
		    struct mvn_reconcile_report *rep, struct mvn_error *err)
{
	struct cut_port *cut = NULL;
	size_t i, ncut = 0;
	int ret;

	for (i = 0; i < n; i++)
		states[i] = NULL;
	ret = ls->loaded ? 0 : mvn_linkset_load(eng, ls, true, false, err);
	if (ret == 0)
		ret = read_journal(eng, names, n, &cut, &ncut, false, err);
	for (i = 0; i < n && ret == 0; i++) {
		size_t j;

		/* A name given twice is one network. */
		for (j = 0; j < i && strcmp(names[j], names[i]); j++)
			;
		if (j < i) {
			states[i] = states[j];
			continue;
		}
		ret = sync_one(eng, names[i], ls, cut, ncut, &states[i], rep,
			       err);
	}
	/* Taken back: the records need not say it again. */
	if (ret == 0 && ncut)
		ret = read_journal(eng, names, n, &cut, &ncut, true, err);
	free(cut);
	return ret;
}

int mvn_engine_begin(struct mvn_engine *eng, const char *const *names, size_t n,
		     struct mvn_state **states, struct mvn_linkset *ls,
		     struct mvn_error *err)
{
	int ret = mvn_engine_lock(eng, names, n, false, err);

	if (ret == 0)
		ret = mvn_engine_links(eng, err);
	if (ret == 0)
		ret = mvn_engine_sync(eng, names, n, states, ls, NULL, err);
	if (ret < 0)
		mvn_engine_unlock(eng);
	return ret;
}

/*
 * Whether port p of st is where its state says, as far as a lazy ls can
 * tell by looking it up alone; errors other than "no such link" fail.
 */
static int port_in_place(struct mvn_engine *eng, struct mvn_linkset *ls,
			 const struct mvn_state *st,
			 const struct mvn_port_state *p, bool *ok,
			 struct mvn_error *err)
{
	const struct mvn_link_info *l;
	int ret;

	*ok = false;
	if (p->ifindex <= 0)
		return 0;
	if (p->netnsid == MVN_NETNSID_SELF) {
		ret = mvn_linkset_fetch(ls, p->name, err);
		l = mvn_linkset_find(ls, p->name);
	} else {
		ret = mvn_linkset_fetch_index(ls, p->netnsid, p->ifindex, err);
		l = mvn_linkset_find_index(ls, p->netnsid, p->ifindex);
	}
	if (ret == 0)
		*ok = l && l->ifindex == p->ifindex &&
		      !memcmp(l->mac, p->mac, 6) &&
		      !MVN_GROUP_SCRATCH(l->group) &&
		      mvn_engine_link_mine(eng, l, st);
	return ret;
}

/*
 * The quick start of a change: the states of the n networks read, and
 * only the ports the change touches (touched, ntouched names) checked
 * against the kernel, one lookup each.  *quick is false when the full
 * reconcile is needed: a transaction cut short, a network caught in a
 * start or destroy, a damaged file, a touched port not where its state
 * says.
 */
static int quick_sync(struct mvn_engine *eng, const char *const *names,
		      size_t n, const char *const *touched, size_t ntouched,
		      struct mvn_state **states, struct mvn_linkset *ls,
		      bool *quick, struct mvn_error *err)
{
	struct cut_port *cut = NULL;
	size_t i, j, ncut = 0;
	int ret, idx;
	bool ok = true;

	*quick = false;
	mvn_linkset_lazy(eng, ls);
	ret = read_journal(eng, names, n, &cut, &ncut, false, err);
	free(cut);
	if (ret < 0 || ncut)
		return ret;
	for (i = 0; i < n && ret == 0 && ok; i++) {
		for (j = 0; j < i && strcmp(names[j], names[i]); j++)
			;
		if (j < i) {
			states[i] = states[j];
			continue;
		}
		/* Only the touched endpoints are read whole. */
		ret = mvn_engine_state_load_light(eng, names[i], touched,
						  ntouched, &states[i], NULL);
		if (ret == -ENOENT) {
			ret = 0; /* not active: the command says so */
			continue;
		}
		if (ret == -EUCLEAN ||
		    (ret == 0 && (states[i]->legacy ||
				  states[i]->status != MVN_STATE_ACTIVE)))
			ok = false;
		if (ret == -EUCLEAN)
			ret = 0;
	}
	for (i = 0; i < n && ret == 0 && ok; i++)
		for (j = 0; states[i] && j < ntouched && ok && ret == 0; j++) {
			idx = mvn_state_find_port(states[i], touched[j]);
			if (idx >= 0)
				ret = port_in_place(eng, ls, states[i],
						    &states[i]->ports[idx], &ok,
						    err);
		}
	*quick = ret == 0 && ok;
	return ret;
}

/* Free the states of a quick start that gave way to the full one. */
static void free_states(struct mvn_state **states, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i && states[j] != states[i]; j++)
			;
		if (j == i)
			mvn_state_free(states[i]);
	}
	for (i = 0; i < n; i++)
		states[i] = NULL;
}

int mvn_engine_begin_quick(struct mvn_engine *eng, const char *const *names,
			   size_t n, const char *const *touched,
			   size_t ntouched, struct mvn_state **states,
			   struct mvn_linkset *ls, struct mvn_error *err)
{
	bool quick = false;
	size_t i;
	int ret = mvn_engine_lock(eng, names, n, false, err);

	for (i = 0; i < n; i++)
		states[i] = NULL;
	if (ret == 0)
		ret = mvn_engine_links(eng, err);
	if (ret == 0)
		ret = quick_sync(eng, names, n, touched, ntouched, states, ls,
				 &quick, err);
	if (ret == 0 && !quick) {
		free_states(states, n);
		mvn_linkset_free(ls);
		ret = mvn_engine_sync(eng, names, n, states, ls, NULL, err);
	}
	if (ret < 0) {
		free_states(states, n);
		mvn_engine_unlock(eng);
	}
	return ret;
}

int mvn_engine_reconcile(struct mvn_engine *eng,
			 struct mvn_reconcile_report *rep,
			 struct mvn_error *err)
{
	struct mvn_linkset ls = { 0 };
	struct mvn_state **states = NULL;
	char **names = NULL, **all = NULL;
	size_t n = 0, i, j, mine = 0;
	int ret;

	/*
	 * The store lock shared, and one network at a time: reconcile never
	 * stops the whole store, and a caller on another network does not
	 * wait for it.
	 */
	ret = mvn_engine_lock(eng, NULL, 0, false, err);
	if (ret == 0)
		ret = mvn_engine_links(eng, err);
	if (ret < 0)
		return ret;
	ret = mvn_engine_state_names(eng, &names, err);
	if (ret == 0)
		ret = mvn_linkset_load(eng, &ls, true, true, err);
	if (ret < 0)
		goto out;
	/* Every network with state, and every one a link of ours names. */
	for (n = 0; names[n]; n++)
		;
	all = calloc(n + ls.n + 1, sizeof(*all));
	if (!all) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto out;
	}
	for (i = 0; i < n; i++) {
		all[i] = names[i];
		names[i] = NULL;
	}
	for (i = 0; i < ls.n; i++) {
		const char *net = NULL;
		char id[17];

		if (!mvn_engine_alias_parse(ls.v[i].alias, id, NULL, &net) ||
		    strcmp(id, mvn_store_id(eng->store)))
			continue;
		mine++;
		for (j = 0; j < n && strcmp(all[j], net); j++)
			;
		if (j == n && !(all[n++] = strdup(net))) {
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
			goto out;
		}
	}
	states = calloc(n + 1, sizeof(*states));
	if (!states) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto out;
	}
	mvn_engine_progress(eng, MVN_PROGRESS_RECONCILE, NULL, 0, mine);
	for (i = 0; i < n && ret == 0; i++) {
		struct mvn_lock_wait w = mvn_engine_wait(eng);

		mvn_linkset_free(&ls);
		ret = mvn_store_lock_network(eng->store, all[i], &w, err);
		if (ret == 0)
			ret = mvn_engine_sync(eng, (const char *const *)&all[i],
					      1, &states[i], &ls, rep, err);
		mvn_store_unlock_network(eng->store, all[i]);
	}
	mvn_linkset_free(&ls);
	mvn_engine_progress(eng, MVN_PROGRESS_RECONCILE, NULL, mine, mine);
	if (ret == 0)
		ret = mvn_linkset_load(eng, &ls, false, false, err);
	if (ret == 0)
		ret = mvn_engine_sweep_nodes(eng, &ls, states, n, err);
out:
	for (i = 0; states && i < n; i++)
		mvn_state_free(states[i]);
	free(states);
	mvn_store_names_free(all);
	mvn_store_names_free(names);
	mvn_linkset_free(&ls);
	mvn_engine_unlock(eng);
	return ret;
}

/*
 * Whether the private node name (tapMAJOR.MINOR, or tapIFINDEX as earlier
 * versions named them) is the device of a link of this store here.
 */
static bool node_in_use(struct mvn_engine *eng, const struct mvn_linkset *ls,
			const char *name)
{
	struct mvn_error ignored = { 0 };
	unsigned int maj, min;
	bool by_devt = strchr(name, '.') != NULL;
	dev_t devt;
	size_t i;

	if (by_devt && sscanf(name + 3, "%u.%u", &maj, &min) != 2)
		return false;
	for (i = 0; i < ls->n; i++) {
		const struct mvn_link_info *l = &ls->v[i];

		if (l->netnsid != MVN_NETNSID_SELF ||
		    !mvn_engine_link_mine(eng, l, NULL))
			continue;
		if (!by_devt && l->ifindex == atoi(name + 3))
			return true;
		if (by_devt &&
		    mvn_tap_devt(l->name, l->ifindex, l->mac, &devt,
				 &ignored) == 0 &&
		    devt == makedev(maj, min))
			return true;
	}
	return false;
}

int mvn_engine_sweep_nodes(struct mvn_engine *eng, const struct mvn_linkset *ls,
			   struct mvn_state **states, size_t n,
			   struct mvn_error *err)
{
	char dir[4096], path[4096 + 256];
	struct dirent *de;
	size_t i, j;
	DIR *d;
	int ret = 0;

	if (mvn_tap_node_dir(eng->run_dir, dir, sizeof(dir)) < 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 :
					 mvn_error_set(err, -errno,
						       _("cannot read %1$s: "
							 "%2$s"),
						       dir, strerror(errno));
	while (ret == 0 && (de = readdir(d))) {
		bool used = false;

		if (!mvn_tap_node_name(de->d_name))
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     de->d_name) >= sizeof(path))
			continue;
		for (i = 0; i < n && !used; i++)
			for (j = 0; states[i] && j < states[i]->nports; j++)
				if (!strcmp(states[i]->ports[j].tap, path))
					used = true;
		/*
		 * A node made since the networks were read belongs to a link
		 * of this store made before it.
		 */
		if (!used)
			used = node_in_use(eng, ls, de->d_name);
		if (!used)
			ret = eng->link_ops->node_remove(
				eng->link_ctx, eng->run_dir, path, err);
	}
	closedir(d);
	return ret;
}
