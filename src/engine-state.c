/*
 * Runtime state on disk as the engine sees it (a network's state file and
 * its port files, loaded together), the marks that tell this store's links
 * from everybody else's, and the snapshot of the kernel's links a command
 * works from.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-int.h"
#include "util.h"

/*
 * Load the port files a version before the ports log kept (one per
 * endpoint in NAME.ports/) into st; st->legacy says there were some, and
 * the next change under the network's lock writes them as a log.
 */
static int load_legacy(struct mvn_engine *eng, struct mvn_state *st,
		       struct mvn_error *err)
{
	char **names = NULL, what[300];
	size_t i;
	int ret;

	ret = mvn_store_port_list(eng->store, st->network, &names, err);
	for (i = 0; ret == 0 && names[i]; i++) {
		struct mvn_port_state p;
		char *text = NULL;

		ret = mvn_store_port_read(eng->store, st->network, names[i],
					  &text, err);
		if (ret == -ENOENT) {
			ret = 0; /* deleted since the listing */
			continue;
		}
		if (ret < 0)
			break;
		snprintf(what, sizeof(what), "%s/%s", st->network, names[i]);
		ret = mvn_port_parse(text, what, &p, err);
		free(text);
		/* A file that names another port than its own is damage. */
		if (ret == 0 && strcmp(p.name, names[i]))
			ret = mvn_error_set(err, -EINVAL,
					    _("state file %s is damaged: it "
					      "names endpoint '%s'"),
					    what, p.name);
		if (ret == -EINVAL)
			ret = -EUCLEAN;
		if (ret == 0)
			ret = mvn_state_add_port(st, &p) < 0 ?
				      mvn_error_set(err, -ENOMEM,
						    _("out of memory")) :
				      0;
		st->legacy = true;
	}
	mvn_store_names_free(names);
	return ret;
}

/*
 * Load the ports log of st's network into st (or the older port files):
 * light when want is given (n names, perhaps none).
 */
static int load_ports(struct mvn_engine *eng, struct mvn_state *st,
		      const char *const *want, size_t n, struct mvn_error *err)
{
	char what[300], *text = NULL;
	size_t len = 0;
	int ret;

	ret = mvn_store_log_read(eng->store, st->network, &text, &len, err);
	if (ret == -ENOENT)
		return load_legacy(eng, st, err);
	if (ret < 0)
		return ret;
	snprintf(what, sizeof(what), "%s.log", st->network);
	ret = want ? mvn_port_log_scan(st, text, len, want, n, what, err) :
		     mvn_port_log_replay(st, text, len, what, err);
	free(text);
	return ret == -EINVAL ? -EUCLEAN : ret;
}

/* Read and check the header of name's state (no ports). */
static int load_header(struct mvn_engine *eng, const char *name,
		       struct mvn_state **out, struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	char *text = NULL;
	int ret;

	ret = mvn_engine_open_store(eng, err);
	if (ret < 0)
		return ret;
	ret = mvn_store_state_read(eng->store, name, &text, err);
	if (ret == -ENOENT)
		return mvn_error_set(err, ret,
				     _("network '%1$s' is not active (start "
				       "it with: macvnet net-start %1$s)"),
				     name);
	if (ret < 0)
		return ret;
	ret = mvn_state_parse(text, name, &st, err);
	free(text);
	if (ret == 0 && strcmp(st->network, name))
		ret = mvn_error_set(err, -EINVAL,
				    _("state file %1$s is damaged: it names "
				      "network '%2$s'"),
				    name, st->network);
	/* Another store's file is no truer here than a damaged one. */
	if (ret == 0 && strcmp(st->store_id, mvn_store_id(eng->store)))
		ret = mvn_error_set(err, -EINVAL,
				    _("state file %1$s belongs to store %2$s, "
				      "not to this one"),
				    name, st->store_id);
	if (ret == -EINVAL)
		ret = -EUCLEAN;
	if (ret < 0) {
		mvn_state_free(st);
		return ret;
	}
	*out = st;
	return 0;
}

int mvn_engine_state_header(struct mvn_engine *eng, const char *name,
			    struct mvn_state **out, struct mvn_error *err)
{
	return load_header(eng, name, out, err);
}

int mvn_engine_state_load(struct mvn_engine *eng, const char *name,
			  struct mvn_state **out, struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	int ret = load_header(eng, name, &st, err);

	if (ret == 0)
		ret = load_ports(eng, st, NULL, 0, err);
	if (ret < 0) {
		mvn_state_free(st);
		return ret;
	}
	*out = st;
	return 0;
}

int mvn_engine_state_load_light(struct mvn_engine *eng, const char *name,
				const char *const *want, size_t n,
				struct mvn_state **out, struct mvn_error *err)
{
	static const char *const none[1] = { NULL };
	struct mvn_state *st = NULL;
	int ret = load_header(eng, name, &st, err);

	if (ret == 0)
		ret = load_ports(eng, st, want ? want : none, want ? n : 0,
				 err);
	if (ret < 0) {
		mvn_state_free(st);
		return ret;
	}
	*out = st;
	return 0;
}

int mvn_engine_state_new(struct mvn_engine *eng, const struct mvn_network *net,
			 const char *key, struct mvn_state **out,
			 struct mvn_error *err)
{
	struct mvn_state *st = calloc(1, sizeof(*st));
	size_t i, n = net->forward.nifaces;

	if (!st || !(st->network = strdup(key)) ||
	    !(st->lowers = calloc(n + 2, sizeof(char *))))
		goto nomem;
	snprintf(st->store_id, sizeof(st->store_id), "%s",
		 mvn_store_id(eng->store));
	st->mode = net->forward.mode;
	memcpy(st->uuid, net->uuid, sizeof(st->uuid));
	st->has_uuid = true;
	st->hairpin = net->switch_hairpin;
	for (i = 0; i < n; i++)
		if (!(st->lowers[st->nlowers++] =
			      strdup(net->forward.ifaces[i].dev)))
			goto nomem;
	/* <forward dev> alone is a pool of one. */
	if (!n && net->forward.dev &&
	    !(st->lowers[st->nlowers++] = strdup(net->forward.dev)))
		goto nomem;
	*out = st;
	return 0;
nomem:
	mvn_state_free(st);
	return mvn_error_set(err, -ENOMEM, _("out of memory"));
}

int mvn_engine_state_save(struct mvn_engine *eng, const struct mvn_state *st,
			  struct mvn_error *err)
{
	char *text = mvn_state_format(st);
	int ret;

	if (!text)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_store_state_write(eng->store, st->network, text, err);
	free(text);
	return ret;
}

/* Append rec (len bytes, taken) to st's ports log. */
static int log_append(struct mvn_engine *eng, struct mvn_state *st, char *rec,
		      size_t len, size_t records, struct mvn_error *err)
{
	int ret;

	if (!rec)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_store_log_append(eng->store, st->network, st->log_len, rec,
				   len, err);
	free(rec);
	if (ret == 0) {
		st->log_len += len;
		st->log_records += records;
	}
	return ret;
}

int mvn_engine_port_save(struct mvn_engine *eng, struct mvn_state *st,
			 const struct mvn_port_state *p, struct mvn_error *err)
{
	size_t len = 0;
	char *rec = mvn_port_log_put(p, &len);

	return log_append(eng, st, rec, len, 1, err);
}

/* The put records of st's ports from index from on, into *out. */
static int put_records(const struct mvn_state *st, size_t from,
		       struct mvn_buf *out, struct mvn_error *err)
{
	size_t i, len;

	for (i = from; i < st->nports; i++) {
		char *rec = mvn_port_log_put(&st->ports[i], &len);

		if (!rec)
			break;
		mvn_buf_add(out, rec, len);
		free(rec);
	}
	if (i == st->nports && !out->oom)
		return 0;
	mvn_buf_free(out);
	return mvn_error_set(err, -ENOMEM, _("out of memory"));
}

int mvn_engine_ports_save(struct mvn_engine *eng, struct mvn_state *st,
			  size_t from, struct mvn_error *err)
{
	struct mvn_buf b = { 0 };
	size_t len;
	int ret;

	if (from >= st->nports)
		return 0;
	ret = put_records(st, from, &b, err);
	if (ret < 0)
		return ret;
	len = b.len;
	return log_append(eng, st, mvn_buf_steal(&b), len, st->nports - from,
			  err);
}

int mvn_engine_port_drop(struct mvn_engine *eng, struct mvn_state *st,
			 const char *ifname, struct mvn_error *err)
{
	size_t len = 0;
	char *rec = mvn_port_log_drop(ifname, &len);

	return log_append(eng, st, rec, len, 1, err);
}

int mvn_engine_ports_rewrite(struct mvn_engine *eng, struct mvn_state *st,
			     struct mvn_error *err)
{
	struct mvn_buf b = { 0 };
	int ret = put_records(st, 0, &b, err);

	if (ret < 0)
		return ret;
	ret = mvn_store_log_write(eng->store, st->network, b.data ? b.data : "",
				  b.len, err);
	if (ret == 0) {
		st->log_len = b.len;
		st->log_records = st->nports;
	}
	mvn_buf_free(&b);
	return ret;
}

bool mvn_engine_log_bloated(const struct mvn_state *st)
{
	return st->log_records > 64 && st->log_records > 2 * mvn_state_live(st);
}

void mvn_engine_log_tidy(struct mvn_engine *eng, struct mvn_state *st)
{
	struct mvn_state *full = NULL;

	if (!st || !mvn_engine_log_bloated(st))
		return;
	if (mvn_engine_state_load(eng, st->network, &full, NULL) == 0 &&
	    !full->legacy && mvn_engine_ports_rewrite(eng, full, NULL) == 0) {
		st->log_len = full->log_len;
		st->log_records = full->log_records;
	}
	mvn_state_free(full);
}

int mvn_engine_state_names(struct mvn_engine *eng, char ***names,
			   struct mvn_error *err)
{
	int ret = mvn_engine_open_store(eng, err);

	if (ret < 0)
		return ret;
	return mvn_store_state_list(eng->store, names, err);
}

void mvn_engine_alias(const struct mvn_engine *eng, const char *owner,
		      const char *network, char out[MVN_ALIAS_MAX + 1])
{
	/* A long network name is cut: the alias is a mark, not the state. */
	snprintf(out, MVN_ALIAS_MAX + 1, "macvnet %s %s %s",
		 mvn_store_id(eng->store), owner, network);
}

bool mvn_engine_alias_parse(const char *alias, char store[17], char owner[64],
			    const char **network)
{
	const char *id, *tag, *net;
	size_t taglen;

	if (strncmp(alias, "macvnet ", 8))
		return false;
	id = alias + 8;
	if (strspn(id, "0123456789abcdef") != 16 || id[16] != ' ')
		return false;
	tag = id + 17;
	net = strchr(tag, ' ');
	if (!net || net == tag)
		return false;
	taglen = (size_t)(net - tag);
	if (taglen >= 64 || !net[1])
		return false;
	if (store) {
		memcpy(store, id, 16);
		store[16] = '\0';
	}
	if (owner) {
		memcpy(owner, tag, taglen);
		owner[taglen] = '\0';
	}
	if (network)
		*network = net + 1;
	return true;
}

bool mvn_engine_link_mine(const struct mvn_engine *eng,
			  const struct mvn_link_info *l,
			  const struct mvn_state *st)
{
	const char *net = NULL;
	char id[17];

	if (!MVN_GROUP_OURS(l->group))
		return false;
	if (mvn_engine_alias_parse(l->alias, id, NULL, &net)) {
		if (strcmp(id, mvn_store_id(eng->store)))
			return false; /* another store's, whatever its group */
		if (!st)
			return true;
		/* A long name was cut: the part that fits must agree. */
		if (strlen(l->alias) == MVN_ALIAS_MAX)
			return !strncmp(net, st->network, strlen(net));
		return !strcmp(net, st->network);
	}
	/*
	 * No mark of a store: only a link in the network's own group can be
	 * one this store made an instant before it could mark it.
	 */
	return st && l->group == st->group;
}

/* Hash of a namespace's ifindex. */
static size_t hash_index(int netnsid, int ifindex)
{
	return (size_t)(unsigned int)ifindex * 2654435761u +
	       (size_t)(unsigned int)netnsid;
}

static size_t hash_mac(const unsigned char mac[6])
{
	size_t h = 0;
	int i;

	for (i = 0; i < 6; i++)
		h = h * 131 + mac[i];
	return h * 2654435761u;
}

/* Put link place i of ls into the hashes. */
static void hash_put(struct mvn_linkset *ls, size_t i)
{
	const struct mvn_link_info *l = &ls->v[i];
	size_t k;

	k = hash_mac(l->mac) & ls->mask;
	while (ls->by_mac[k])
		k = (k + 1) & ls->mask;
	ls->by_mac[k] = i + 1;

	if (l->netnsid == MVN_NETNSID_SELF) {
		k = mvn_hash_name(l->name) & ls->mask;
		while (ls->by_name[k])
			k = (k + 1) & ls->mask;
		ls->by_name[k] = i + 1;
	}
	k = hash_index(l->netnsid, l->ifindex) & ls->mask;
	while (ls->by_index[k])
		k = (k + 1) & ls->mask;
	ls->by_index[k] = i + 1;
}

/* (Re)build the hashes for room of at least twice the links. */
static int hash_build(struct mvn_linkset *ls)
{
	size_t size = 64, i;

	while (size < 2 * ls->cap)
		size *= 2;
	free(ls->by_name);
	free(ls->by_index);
	free(ls->by_mac);
	ls->by_name = calloc(size, sizeof(*ls->by_name));
	ls->by_index = calloc(size, sizeof(*ls->by_index));
	ls->by_mac = calloc(size, sizeof(*ls->by_mac));
	ls->mask = 0;
	if (!ls->by_name || !ls->by_index || !ls->by_mac) {
		free(ls->by_name);
		free(ls->by_index);
		free(ls->by_mac);
		ls->by_name = ls->by_index = ls->by_mac = NULL;
		return -ENOMEM;
	}
	ls->mask = size - 1;
	for (i = 0; i < ls->n; i++)
		hash_put(ls, i);
	return 0;
}

void mvn_linkset_lazy(struct mvn_engine *eng, struct mvn_linkset *ls)
{
	mvn_linkset_free(ls);
	ls->lazy = eng;
}

/* Whether a lazy ls was told name is free. */
static bool known_absent(const struct mvn_linkset *ls, const char *name)
{
	size_t i;

	for (i = 0; i < ls->nabsent; i++)
		if (!strcmp(ls->absent[i], name))
			return true;
	return false;
}

int mvn_linkset_fetch(struct mvn_linkset *ls, const char *name,
		      struct mvn_error *err)
{
	struct mvn_engine *eng = ls->lazy;
	struct mvn_link_info l;
	char(*grown)[16];
	int ret;

	if (!eng || mvn_linkset_find(ls, name) || known_absent(ls, name))
		return 0;
	ret = eng->link_ops->get(eng->link_ctx, name, &l, err);
	if (ret == 0)
		return mvn_linkset_add(ls, &l) < 0 ?
			       mvn_error_set(err, -ENOMEM, _("out of memory")) :
			       0;
	if (ret != -ENODEV)
		return ret;
	grown = realloc(ls->absent, (ls->nabsent + 1) * sizeof(*grown));
	if (!grown)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ls->absent = grown;
	snprintf(grown[ls->nabsent++], 16, "%s", name);
	return 0;
}

int mvn_linkset_fetch_index(struct mvn_linkset *ls, int netnsid, int ifindex,
			    struct mvn_error *err)
{
	struct mvn_engine *eng = ls->lazy;
	struct mvn_link_info l;
	int ret;

	/* Without a lookup by index, the caller takes it as not found. */
	if (!eng || !eng->link_ops->get_index ||
	    mvn_linkset_find_index(ls, netnsid, ifindex))
		return 0;
	ret = eng->link_ops->get_index(eng->link_ctx, netnsid, ifindex, &l,
				       err);
	if (ret == -ENODEV)
		return 0;
	if (ret == 0 && mvn_linkset_add(ls, &l) < 0)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	return ret;
}

int mvn_linkset_load(struct mvn_engine *eng, struct mvn_linkset *ls, bool all,
		     bool moved, struct mvn_error *err)
{
	unsigned int flags = (all ? 0 : MVN_LIST_OURS) |
			     (moved ? MVN_LIST_MOVED : 0);
	int ret;

	mvn_linkset_free(ls);
	ret = mvn_engine_links(eng, err);
	if (ret == 0)
		ret = eng->link_ops->list(eng->link_ctx, flags, &ls->v, &ls->n,
					  err);
	if (ret < 0) {
		ls->v = NULL;
		ls->n = 0;
		return ret;
	}
	ls->cap = ls->n;
	ls->moved = moved;
	ls->loaded = true;
	if (hash_build(ls) < 0)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	return 0;
}

int mvn_linkset_add(struct mvn_linkset *ls, const struct mvn_link_info *l)
{
	if (ls->n >= ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		struct mvn_link_info *v = realloc(ls->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		ls->v = v;
		ls->cap = cap;
	}
	ls->v[ls->n++] = *l;
	if (ls->mask && 2 * ls->n <= ls->mask + 1) {
		hash_put(ls, ls->n - 1);
		return 0;
	}
	return hash_build(ls);
}

const struct mvn_link_info *mvn_linkset_find(const struct mvn_linkset *ls,
					     const char *name)
{
	size_t k;

	if (!ls->mask)
		return NULL;
	for (k = mvn_hash_name(name) & ls->mask; ls->by_name[k];
	     k = (k + 1) & ls->mask) {
		const struct mvn_link_info *l = &ls->v[ls->by_name[k] - 1];

		if (l->netnsid == MVN_NETNSID_SELF && !strcmp(l->name, name))
			return l;
	}
	return NULL;
}

const struct mvn_link_info *mvn_linkset_find_index(const struct mvn_linkset *ls,
						   int netnsid, int ifindex)
{
	size_t k;

	if (!ls->mask)
		return NULL;
	for (k = hash_index(netnsid, ifindex) & ls->mask; ls->by_index[k];
	     k = (k + 1) & ls->mask) {
		const struct mvn_link_info *l = &ls->v[ls->by_index[k] - 1];

		if (l->netnsid == netnsid && l->ifindex == ifindex)
			return l;
	}
	return NULL;
}

const struct mvn_link_info *mvn_linkset_find_mac(const struct mvn_linkset *ls,
						 const unsigned char mac[6])
{
	size_t k;

	if (!ls->mask)
		return NULL;
	for (k = hash_mac(mac) & ls->mask; ls->by_mac[k];
	     k = (k + 1) & ls->mask) {
		const struct mvn_link_info *l = &ls->v[ls->by_mac[k] - 1];

		if (!memcmp(l->mac, mac, 6))
			return l;
	}
	return NULL;
}

void mvn_linkset_free(struct mvn_linkset *ls)
{
	free(ls->v);
	free(ls->absent);
	free(ls->by_name);
	free(ls->by_index);
	free(ls->by_mac);
	memset(ls, 0, sizeof(*ls));
}
