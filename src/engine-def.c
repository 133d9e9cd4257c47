/*
 * Network definitions: validation of any document, define, undefine,
 * dumpxml, the list, autostart.  A definition changes under its network's
 * lock, so that it never changes under a start.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine-int.h"
#include "iface.h"
#include "util.h"

/*
 * A domain or interface document: the parser and checks run after the
 * schema (sret is its verdict), and their messages win as for networks.
 */
static int validate_domain(const char *text, size_t len, const char *path,
			   const char *kind, int sret, struct mvn_error *err)
{
	struct mvn_error serr = { 0 };
	int ret;

	if (err)
		serr = *err;
	if (!strcmp(kind, "domain")) {
		struct mvn_domain *d = NULL;

		ret = mvn_domain_parse(text, len, path, &d, err);
		if (ret == 0)
			ret = mvn_domain_check(d, path, err);
		mvn_domain_free(d);
	} else {
		struct mvn_iface *i = NULL;

		ret = mvn_iface_parse(text, len, path, &i, err);
		if (ret == 0 && i->has_mac && (i->mac[0] & 1))
			ret = mvn_error_setl(err, -EINVAL, i->line,
					     _("%1$s:%2$d: the interface's MAC "
					       "address is multicast; use a "
					       "unicast one such as "
					       "52:54:00:xx:xx:xx"),
					     path, i->line);
		mvn_iface_free(i);
	}
	if (ret == 0 && sret < 0) {
		if (err)
			*err = serr;
		ret = sret;
	}
	return ret;
}

int mvn_engine_validate_file(struct mvn_engine *eng, const char *path,
			     const char **kind, struct mvn_network **net_out,
			     struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	char *text = NULL;
	size_t len = 0;
	int ret;

	ret = mvn_doc_read(path, &text, &len, err);
	if (ret < 0)
		return ret;
	if (!eng->schema) {
		ret = mvn_schema_open(eng->schema_dir, &eng->schema, err);
		if (ret < 0)
			goto cleanup;
	}
	*kind = NULL;
	ret = mvn_schema_validate(eng->schema, text, len, path, kind, err);
	if (!*kind)
		goto cleanup; /* not well-formed */
	if (!strcmp(*kind, "domain") || !strcmp(*kind, "interface")) {
		ret = validate_domain(text, len, path, *kind, ret, err);
		goto cleanup;
	}
	{
		/*
		 * The model's parser and checks name the element and the
		 * fix, where the schema can only say what did not match:
		 * their message wins, and the schema's is the last word.
		 */
		struct mvn_error serr = { 0 };
		int sret = ret;

		if (err)
			serr = *err;
		ret = mvn_network_parse(text, len, path, &net, err);
		if (ret == 0)
			ret = mvn_check_network(net, path, err);
		if (ret == 0 && sret < 0) {
			if (err)
				*err = serr;
			ret = sret;
		}
		if (ret < 0)
			goto cleanup;
	}
	if (net_out) {
		*net_out = net;
		net = NULL;
	}
cleanup:
	mvn_network_free(net);
	free(text);
	return ret;
}

/*
 * Refuse a definition whose UUID another network already uses.  A
 * definition that cannot be read is someone else's problem here (net-list
 * shows it), not a reason to refuse this one.
 */
static int check_uuid_unique(struct mvn_engine *eng,
			     const struct mvn_network *net,
			     struct mvn_error *err)
{
	char **names = NULL;
	size_t i;
	int ret;

	ret = mvn_store_list_networks(eng->store, &names, err);
	if (ret < 0)
		return ret;
	for (i = 0; names[i] && ret == 0; i++) {
		struct mvn_network *other = NULL;
		char uuid[37];

		if (!strcmp(names[i], net->name) ||
		    mvn_engine_load_def(eng, names[i], &other, NULL) < 0)
			continue;
		if (!memcmp(other->uuid, net->uuid, 16)) {
			mvn_uuid_format(net->uuid, uuid);
			ret = mvn_error_set(err, -EEXIST,
					    _("network '%1$s' already has "
					      "uuid %2$s; give '%3$s' another "
					      "uuid or remove its <uuid>"),
					    names[i], uuid, net->name);
		}
		mvn_network_free(other);
	}
	mvn_store_names_free(names);
	return ret;
}

/* A redefinition keeps the network's identity, like libvirt's. */
static int keep_identity(struct mvn_engine *eng, struct mvn_network *net,
			 struct mvn_error *err)
{
	struct mvn_network *old = NULL;
	char u1[37], u2[37];
	int ret = 0;

	if (mvn_engine_load_def(eng, net->name, &old, NULL) < 0)
		return 0;
	if (net->uuid_generated) {
		memcpy(net->uuid, old->uuid, 16);
	} else if (memcmp(net->uuid, old->uuid, 16)) {
		mvn_uuid_format(old->uuid, u1);
		mvn_uuid_format(net->uuid, u2);
		ret = mvn_error_set(err, -EEXIST,
				    _("network '%1$s' is already defined with "
				      "uuid %2$s, not %3$s; undefine it first "
				      "or use its uuid"),
				    net->name, u1, u2);
	}
	mvn_network_free(old);
	return ret;
}

int mvn_engine_define(struct mvn_engine *eng, const char *path, char **name_out,
		      struct mvn_error *warn, struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	const char *kind = NULL;
	const char *names[1];
	char *xml = NULL;
	int ret;

	ret = mvn_engine_validate_file(eng, path, &kind, &net, err);
	if (ret < 0)
		goto cleanup;
	if (strcmp(kind, "network")) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%1$s is a <%2$s> document, not a "
				      "<network>; net-define takes network "
				      "XML"),
				    path, kind);
		goto cleanup;
	}
	ret = mvn_check_runnable(net, path, warn, err);
	if (ret < 0)
		goto cleanup;
	if (!mvn_store_name_valid(net->name)) {
		ret = mvn_error_set(err, -EINVAL,
				    _("network name '%s' cannot be stored: it "
				      "must not start with '.' or hold '/' or "
				      "control characters; rename it"),
				    net->name);
		goto cleanup;
	}
	names[0] = net->name;
	ret = mvn_engine_lock(eng, names, 1, false, err);
	if (ret < 0)
		goto cleanup;
	ret = keep_identity(eng, net, err);
	if (ret == 0)
		ret = check_uuid_unique(eng, net, err);
	if (ret < 0)
		goto cleanup;
	xml = mvn_network_format(net);
	if (!xml) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto cleanup;
	}
	ret = mvn_store_save_network(eng->store, net->name, xml, err);
	if (ret < 0)
		goto cleanup;
	if (name_out) {
		*name_out = net->name;
		net->name = NULL;
	}
cleanup:
	mvn_engine_unlock(eng);
	mvn_network_free(net);
	free(xml);
	return ret;
}

int mvn_engine_undefine(struct mvn_engine *eng, const char *name,
			struct mvn_error *err)
{
	struct mvn_state *st = NULL;
	int ret;

	ret = mvn_engine_lock_named(eng, name, err);
	if (ret < 0)
		return ret;
	ret = mvn_engine_state_header(eng, name, &st, err);
	if (ret == 0 || ret == -EUCLEAN) {
		ret = mvn_error_set(err, -EBUSY,
				    _("network '%1$s' is active; stop it "
				      "first (macvnet net-destroy %1$s)"),
				    name);
	} else if (ret == -ENOENT) {
		ret = mvn_store_delete_network(eng->store, name, err);
	}
	mvn_state_free(st);
	mvn_engine_unlock(eng);
	return ret;
}

int mvn_engine_definition(struct mvn_engine *eng, const char *name,
			  struct mvn_network **out, struct mvn_error *err)
{
	if (mvn_engine_check_name(name, err) < 0)
		return -EINVAL;
	return mvn_engine_load_def(eng, name, out, err);
}

int mvn_engine_dumpxml(struct mvn_engine *eng, const char *name, char **xml,
		       struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	int ret;

	if (mvn_engine_check_name(name, err) < 0)
		return -EINVAL;
	/* What is printed must be a definition macvnet would use. */
	ret = mvn_engine_load_def(eng, name, &net, err);
	if (ret < 0)
		return ret;
	mvn_network_free(net);
	return mvn_store_load_network(eng->store, name, xml, err);
}

int mvn_engine_list(struct mvn_engine *eng, struct mvn_net_status **out,
		    size_t *n, struct mvn_error *err)
{
	struct mvn_net_status *list = NULL;
	char **names = NULL;
	size_t count = 0, i;
	int ret;

	ret = mvn_engine_networks(eng, &names, &count, err);
	if (ret < 0)
		return ret;
	list = calloc(count ? count : 1, sizeof(*list));
	if (!list) {
		mvn_store_names_free(names);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	for (i = 0; i < count; i++) {
		struct mvn_network *net = NULL;
		struct mvn_state *st = NULL;
		struct mvn_error derr = { 0 };
		int r;

		list[i].name = names[i];
		names[i] = NULL;
		list[i].persistent = true;
		r = mvn_engine_state_header(eng, list[i].name, &st, NULL);
		/* A damaged state is still an active network. */
		list[i].active = r == 0 || r == -EUCLEAN;
		list[i].autostart =
			mvn_store_get_autostart(eng->store, list[i].name);
		/*
		 * An active network's mode is in its state: its definition,
		 * checked when it started, is not parsed again (it may hold
		 * thousands of ports).
		 */
		if (r == 0)
			list[i].mode = mvn_strdup(mvn_fwd_mode_name(st->mode));
		else if (mvn_engine_load_def(eng, list[i].name, &net, &derr) ==
			 0)
			list[i].mode = mvn_strdup(
				mvn_fwd_mode_name(net->forward.mode));
		else
			list[i].damage = mvn_strdup(derr.msg);
		mvn_state_free(st);
		mvn_network_free(net);
	}
	mvn_store_names_free(names);
	*out = list;
	*n = count;
	return 0;
}

void mvn_engine_list_free(struct mvn_net_status *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++) {
		free(list[i].name);
		free(list[i].mode);
		free(list[i].damage);
	}
	free(list);
}

int mvn_engine_set_autostart(struct mvn_engine *eng, const char *name, bool on,
			     struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	int ret;

	ret = mvn_engine_lock_named(eng, name, err);
	if (ret < 0)
		return ret;
	/* Only a definition that can start is worth marking. */
	if (on)
		ret = mvn_engine_load_def(eng, name, &net, err);
	if (ret == 0)
		ret = mvn_store_set_autostart(eng->store, name, on, err);
	mvn_network_free(net);
	mvn_engine_unlock(eng);
	return ret;
}
