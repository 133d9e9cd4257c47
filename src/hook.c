/*
 * macvnet-hook: the libvirt hook.  libvirt runs it as
 *   hooks/qemu.d/50-macvnet DOMAIN OPERATION SUB-OPERATION EXTRA
 * (the driver is told by the directory or name it is installed under)
 * with the domain's XML on standard input, synchronously, for every domain
 * and often for several at once.  At "prepare begin" it creates the
 * endpoints the domain's macvnet metadata asks for (all or nothing), at
 * "release end" it deletes them, at "reconnect begin" it checks they are
 * still there; "restore begin" gives the XML back unchanged.  A live
 * migration runs "migrate begin" and then "prepare begin" on the
 * destination, "release end" on the source once the guest runs on the
 * destination (or on the destination when the migration fails there):
 * "migrate begin" refuses a domain whose networks this host does not run,
 * before anything moves, and otherwise gives the XML back unchanged.  It
 * never calls back into libvirt.  Its only output on failure is one line
 * on stderr, which libvirt shows to the user.
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hook-req.h"
#include "iface.h"
#include "store.h"
#include "util.h"

/*
 * libvirt waits for its hooks without a limit, holding the domain's job
 * (other calls on the domain give up after 30 s): the hook gives up well
 * before, with an error libvirt shows, rather than hang a domain's start.
 */
#define HOOK_DEADLINE_MS 10000u

static void note(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "macvnet: %s %s\n", _("note:"), msg);
}

/* An engine for the hook: its deadline and its notes. */
static int hook_engine(const struct mvn_paths *paths, unsigned int timeout_s,
		       struct mvn_engine **out, struct mvn_error *err)
{
	const char *v = getenv("MACVNET_HOOK_TIMEOUT");
	unsigned int ms = HOOK_DEADLINE_MS;
	int ret = mvn_engine_new(paths, out, err);

	/* macvnet.conf, or the environment, may set a shorter or longer one. */
	if (timeout_s)
		ms = timeout_s * 1000u;
	if (v && atoi(v) > 0 && atoi(v) <= 600)
		ms = (unsigned int)atoi(v) * 1000u;
	if (ret == 0) {
		mvn_engine_set_deadline(*out, ms);
		mvn_engine_set_notice(*out, note, NULL);
	}
	return ret;
}

/* One line on stderr: a domain or network name is shown, never obeyed. */
static void say(const char *what, const char *name, const char *msg)
{
	char buf[256];

	fprintf(stderr, "macvnet: %s %s: %s\n", what,
		mvn_shown(name ? name : "?", buf, sizeof(buf)), msg);
}

static int fail(const char *domain, const struct mvn_error *err)
{
	say(_("error:"), domain, err->msg);
	return 1;
}

/* The names of the endpoints that belong to the domain (tag). */
static int owned(struct mvn_engine *eng, const char *tag, char ***names,
		 size_t *n, struct mvn_error *err)
{
	int ret = mvn_engine_port_owned(eng, tag, names, err);

	for (*n = 0; ret == 0 && (*names)[*n]; (*n)++)
		;
	return ret;
}

static void free_names(char **v, size_t n)
{
	(void)n;
	mvn_store_names_free(v);
}

static int release(struct mvn_engine *eng, const struct mvn_hook_req *req,
		   struct mvn_error *err)
{
	return mvn_engine_release_owner(eng, req->owner, NULL, err);
}

static int prepare(struct mvn_engine *eng, const struct mvn_hook_req *req,
		   struct mvn_error *err)
{
	const struct mvn_domain *d = req->domain;
	struct mvn_port_request *reqs;
	struct mvn_port_state *outs;
	struct mvn_error quiet = { 0 };
	char **targets;
	size_t i, gone = 0;
	int ret;

	reqs = calloc(d->nports, sizeof(*reqs));
	outs = calloc(d->nports, sizeof(*outs));
	targets = calloc(d->nports + 1, sizeof(*targets));
	if (!reqs || !outs || !targets) {
		free(reqs);
		free(outs);
		free(targets);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	for (i = 0; i < d->nports; i++)
		targets[i] = d->ports[i].target;
	/*
	 * What a crash or a failed start left of this domain under the names
	 * it asks for goes first: one look-up per endpoint, however many
	 * links the host has.
	 */
	ret = mvn_engine_release_named(eng, req->owner, targets, d->nports,
				       NULL, err);
	free(targets);
	if (ret < 0) {
		free(reqs);
		free(outs);
		return ret;
	}
	for (i = 0; i < d->nports; i++) {
		const struct mvn_dom_port *p = &d->ports[i];
		const struct mvn_iface *iface = mvn_domain_iface(d, p->target);

		reqs[i].network = p->network;
		reqs[i].name = p->target;
		reqs[i].has_mac = iface && iface->has_mac;
		if (reqs[i].has_mac)
			memcpy(reqs[i].mac, iface->mac, 6);
		reqs[i].mtu = iface ? iface->mtu : 0;
		/* libvirt opens the device as root and hands QEMU the fd. */
		reqs[i].perm = 0600;
		reqs[i].owner_tag = req->owner;
	}
	ret = mvn_engine_ports_create(eng, reqs, d->nports, outs, err);
	/*
	 * A name or MAC in use may be what a crash left of this domain under
	 * another name: then all of the domain's goes (a dump of all links)
	 * and the endpoints are made once more.
	 */
	if ((ret == -EEXIST || ret == -EADDRINUSE) &&
	    mvn_engine_release_owner(eng, req->owner, &gone, &quiet) == 0 &&
	    gone) {
		memset(err, 0, sizeof(*err));
		ret = mvn_engine_ports_create(eng, reqs, d->nports, outs, err);
	}
	free(reqs);
	free(outs);
	return ret;
}

/* Say that a domain's endpoint is gone (reconnect never fails). */
static void warn_gone(const struct mvn_domain *d, const char *target)
{
	char buf[64], msg[256];

	snprintf(msg, sizeof(msg),
		 _("endpoint %s is gone; restart the domain to get it back"),
		 mvn_shown(target, buf, sizeof(buf)));
	say(_("warning:"), d->name, msg);
}

static int reconnect(struct mvn_engine *eng, const struct mvn_hook_req *req)
{
	const struct mvn_domain *d = req->domain;
	struct mvn_error err = { 0 };
	char **names = NULL;
	size_t i, j, n = 0;

	if (owned(eng, req->owner, &names, &n, &err) < 0) {
		say(_("warning:"), d->name, err.msg);
		return 0;
	}
	for (i = 0; i < d->nports; i++) {
		for (j = 0; j < n && strcmp(names[j], d->ports[i].target); j++)
			;
		if (j == n)
			warn_gone(d, d->ports[i].target);
	}
	free_names(names, n);
	/* libvirt kills the domain on failure here: never fail. */
	return 0;
}

/* Whether network name is defined and active in this host's store. */
static int net_ready(struct mvn_engine *eng, const char *name,
		     struct mvn_error *err)
{
	struct mvn_network *def = NULL;
	struct mvn_state *st = NULL;
	int ret = mvn_engine_definition(eng, name, &def, err);

	mvn_network_free(def);
	if (ret == -ENOENT)
		return mvn_error_set(
			err, ret,
			_("network '%1$s' is not defined here, on the "
			  "migration's destination (copy it from the source "
			  "host: macvnet net-dumpxml %1$s > %1$s.xml there, "
			  "then macvnet net-define %1$s.xml and macvnet "
			  "net-start %1$s here)"),
			name);
	if (ret < 0)
		return ret;
	ret = mvn_engine_state(eng, name, &st, err);
	mvn_state_free(st);
	if (ret == -ENOENT)
		return mvn_error_set(err, ret,
				     _("network '%1$s' is not active here, on "
				       "the migration's destination (start it "
				       "with: macvnet net-start %1$s)"),
				     name);
	return ret;
}

/*
 * "migrate begin", on the destination before anything of the domain
 * exists here: each macvnet network its ports name must be defined and
 * active in this host's store (its own definition says which lower
 * device), or the migration stops now and the guest runs on where it is.
 */
static int migrate_check(struct mvn_engine *eng, const struct mvn_hook_req *req,
			 struct mvn_error *err)
{
	const struct mvn_dom_port *p = req->domain->ports;
	struct mvn_error nerr = { 0 };
	char buf[64];
	size_t i, j;

	for (i = 0; i < req->domain->nports; i++) {
		for (j = 0; j < i && strcmp(p[j].network, p[i].network); j++)
			;
		if (j < i)
			continue; /* that network was checked */
		if (net_ready(eng, p[i].network, &nerr) < 0)
			break;
	}
	if (i == req->domain->nports)
		return 0;
	return mvn_error_set(err, nerr.code, _("interface %1$s: %2$s"),
			     mvn_shown(p[i].target, buf, sizeof(buf)),
			     nerr.msg);
}

/*
 * A network libvirt runs: its macvnet host shim (from the network's
 * metadata) follows the network, "started begin" to "stopped end".
 * Kept apart from macvnet's own networks, whose names have no ':'.
 */
static int network_hook(struct mvn_engine *eng, const struct mvn_hook_req *req)
{
	struct mvn_error err = { 0 };
	char key[300];

	snprintf(key, sizeof(key), "libvirt:%s", req->object);
	if (req->action == MVN_HOOK_NET_STOP) {
		if (mvn_engine_shim_stop(eng, key, &err) < 0)
			say(_("warning:"), req->object, err.msg);
		return 0;
	}
	if (mvn_engine_shim_start(eng, req->network, key, &err) < 0)
		return fail(req->object, &err);
	return 0;
}

/* Whether a failure to read the input fails the operation. */
static bool input_matters(const struct mvn_hook_req *req)
{
	return req->action == MVN_HOOK_PREPARE ||
	       req->action == MVN_HOOK_MIGRATE ||
	       req->action == MVN_HOOK_NET_START;
}

/* Act on a request whose input is read: the engine's part. */
static int act(const struct mvn_paths *paths, unsigned int timeout_s,
	       const struct mvn_hook_req *req)
{
	struct mvn_engine *eng = NULL;
	struct mvn_error err = { 0 };
	int ret = 0;

	if (hook_engine(paths, timeout_s, &eng, &err) < 0)
		return input_matters(req) ? fail(req->object, &err) : 0;
	switch (req->action) {
	case MVN_HOOK_PREPARE:
		if (prepare(eng, req, &err) < 0)
			ret = fail(req->domain->name, &err);
		break;
	case MVN_HOOK_RELEASE:
		if (release(eng, req, &err) < 0)
			say(_("warning:"), req->domain->name, err.msg);
		break;
	case MVN_HOOK_RECONNECT:
		ret = reconnect(eng, req);
		break;
	case MVN_HOOK_MIGRATE:
		if (migrate_check(eng, req, &err) < 0)
			ret = fail(req->domain->name, &err);
		break;
	default:
		ret = network_hook(eng, req);
		break;
	}
	mvn_engine_free(eng);
	return ret;
}

/*
 * Where the store is: the environment (for tests and hand runs), else
 * the macvnet.conf hook-install wrote next to the hooks, else built in.
 */
static int find_paths(const char *argv0, struct mvn_paths *paths,
		      struct mvn_hook_conf *conf, struct mvn_error *err)
{
	char *dir = mvn_hook_dir_of(argv0);
	int ret = 0;

	memset(conf, 0, sizeof(*conf));
	if (dir)
		ret = mvn_hook_conf_read(dir, conf, err);
	free(dir);
	paths->config_dir = getenv("MACVNET_CONFIG_DIR");
	if (!paths->config_dir)
		paths->config_dir = conf->config_dir;
	paths->run_dir = getenv("MACVNET_RUN_DIR");
	if (!paths->run_dir)
		paths->run_dir = conf->run_dir;
	return ret;
}

int main(int argc, char **argv)
{
	const char *env = getenv("MACVNET_HOOK_DRIVER");
	struct mvn_hook_req req;
	struct mvn_hook_conf conf;
	struct mvn_paths paths = { 0 };
	struct mvn_error err = { 0 };
	enum mvn_hook_driver driver;
	char *text = NULL;
	size_t len = 0;
	int ret = 0;

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	driver = env ? (!strcmp(env, "network") ? MVN_HOOK_NETWORK :
						  MVN_HOOK_QEMU) :
		       mvn_hook_driver_of(argc > 0 ? argv[0] : "");
	if (mvn_hook_args(argc, argv, driver, &req, &err) < 0) {
		fprintf(stderr, "macvnet: %s\n", err.msg);
		return 2;
	}
	/* The operations macvnet has nothing to do in end here, quickly. */
	if (req.action == MVN_HOOK_IGNORE)
		return 0;
	if (req.needs_input && mvn_doc_read("-", &text, &len, &err) < 0)
		return input_matters(&req) ? fail(req.object, &err) : 0;
	if (req.action == MVN_HOOK_ECHO) {
		/* The XML goes back as it came: names need no change. */
		fwrite(text, 1, len, stdout);
		free(text);
		return 0;
	}
	if (mvn_hook_input(&req, text, len, &err) < 0) {
		ret = input_matters(&req) ? fail(req.object, &err) : 0;
		goto out;
	}
	/* Not a domain or network macvnet serves. */
	if (req.needs_input && !req.domain && !req.network)
		goto out;
	if (find_paths(argv[0], &paths, &conf, &err) < 0)
		ret = fail(req.object, &err);
	else
		ret = act(&paths, conf.timeout_s, &req);
	mvn_hook_conf_free(&conf);
out:
	/* An incoming migration macvnet does not refuse: the XML as it came. */
	if (req.action == MVN_HOOK_MIGRATE && ret == 0)
		fwrite(text, 1, len, stdout);
	mvn_hook_req_clear(&req);
	free(text);
	return ret;
}
