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

/* Load the port files of st's network into st. */
static int load_ports(struct mvn_engine *eng, struct mvn_state *st,
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
	}
	mvn_store_names_free(names);
	return ret;
}

int mvn_engine_state_load(struct mvn_engine *eng, const char *name,
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
	if (ret == 0)
		ret = load_ports(eng, st, err);
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

int mvn_engine_port_save(struct mvn_engine *eng, const struct mvn_state *st,
			 const struct mvn_port_state *p, struct mvn_error *err)
{
	char *text = mvn_port_format(p);
	int ret;

	if (!text)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_store_port_write(eng->store, st->network, p->name, text, err);
	free(text);
	return ret;
}

int mvn_engine_port_drop(struct mvn_engine *eng, const struct mvn_state *st,
			 const char *ifname, struct mvn_error *err)
{
	return mvn_store_port_remove(eng->store, st->network, ifname, err);
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
	return 0;
}

const struct mvn_link_info *mvn_linkset_find(const struct mvn_linkset *ls,
					     const char *name)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (ls->v[i].netnsid == MVN_NETNSID_SELF &&
		    !strcmp(ls->v[i].name, name))
			return &ls->v[i];
	return NULL;
}

const struct mvn_link_info *mvn_linkset_find_index(const struct mvn_linkset *ls,
						   int netnsid, int ifindex)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (ls->v[i].netnsid == netnsid && ls->v[i].ifindex == ifindex)
			return &ls->v[i];
	return NULL;
}

void mvn_linkset_free(struct mvn_linkset *ls)
{
	free(ls->v);
	ls->v = NULL;
	ls->n = ls->cap = 0;
	ls->moved = false;
	ls->loaded = false;
}
