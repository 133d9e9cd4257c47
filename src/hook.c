/*
 * macvnet-hook: the libvirt hook.  libvirt runs it as
 *   hooks/qemu.d/50-macvnet DOMAIN OPERATION SUB-OPERATION EXTRA
 * (the driver is told by the directory or name it is installed under)
 * with the domain's XML on standard input, synchronously, for every domain
 * and often for several at once.  At "prepare begin" it creates the
 * endpoints the domain's macvnet metadata asks for (all or nothing), at
 * "release end" it deletes them, at "reconnect begin" it checks they are
 * still there; "migrate begin" and "restore begin" give the XML back
 * unchanged.  It never calls back into libvirt.  Its only output on
 * failure is one line on stderr, which libvirt shows to the user.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
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
static int hook_engine(const struct mvn_paths *paths, struct mvn_engine **out,
		       struct mvn_error *err)
{
	const char *v = getenv("MACVNET_HOOK_TIMEOUT");
	unsigned int ms = HOOK_DEADLINE_MS;
	int ret = mvn_engine_new(paths, false, out, err);

	/* The wrapper hook-install writes may set a shorter or longer one. */
	if (v && atoi(v) > 0 && atoi(v) <= 600)
		ms = (unsigned int)atoi(v) * 1000u;
	if (ret == 0) {
		mvn_engine_set_deadline(*out, ms);
		mvn_engine_set_notice(*out, note, NULL);
	}
	return ret;
}

static int fail(const char *domain, const struct mvn_error *err)
{
	fprintf(stderr, "macvnet: %s %s: %s\n", _("error:"),
		domain ? domain : "?", err->msg);
	return 1;
}

static void owner_tag(const struct mvn_domain *d, char out[64])
{
	char uuid[37];

	if (d->has_uuid) {
		mvn_uuid_format(d->uuid, uuid);
		snprintf(out, 64, "domain:%s", uuid);
	} else {
		snprintf(out, 64, "domain:%.50s", d->name);
		for (char *p = out; *p; p++)
			if (*p == ' ' || *p == '\t' || *p == '\n')
				*p = '_';
	}
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

static int release(struct mvn_engine *eng, const struct mvn_domain *d,
		   struct mvn_error *err)
{
	char tag[64];

	owner_tag(d, tag);
	return mvn_engine_release_owner(eng, tag, err);
}

static int prepare(struct mvn_engine *eng, const struct mvn_domain *d,
		   struct mvn_error *err)
{
	struct mvn_port_request *reqs;
	struct mvn_port_state *outs;
	char tag[64];
	size_t i;
	int ret;

	ret = mvn_domain_check(d, d->name, err);
	if (ret < 0)
		return ret;
	/* What a crash or a failed start left for this domain goes first. */
	ret = release(eng, d, err);
	if (ret < 0)
		return ret;
	owner_tag(d, tag);
	reqs = calloc(d->nports, sizeof(*reqs));
	outs = calloc(d->nports, sizeof(*outs));
	if (!reqs || !outs) {
		free(reqs);
		free(outs);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
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
		reqs[i].owner_tag = tag;
	}
	ret = mvn_engine_ports_create(eng, reqs, d->nports, outs, err);
	free(reqs);
	free(outs);
	return ret;
}

static int reconnect(struct mvn_engine *eng, const struct mvn_domain *d)
{
	struct mvn_error err = { 0 };
	char tag[64], **names = NULL;
	size_t i, j, n = 0;

	owner_tag(d, tag);
	if (owned(eng, tag, &names, &n, &err) < 0) {
		fprintf(stderr, "macvnet: %s %s: %s\n", _("warning:"), d->name,
			err.msg);
		return 0;
	}
	for (i = 0; i < d->nports; i++) {
		for (j = 0; j < n && strcmp(names[j], d->ports[i].target); j++)
			;
		if (j == n)
			fprintf(stderr,
				_("macvnet: warning: %1$s: endpoint %2$s is "
				  "gone; restart the domain to get it back\n"),
				d->name, d->ports[i].target);
	}
	free_names(names, n);
	/* libvirt kills the domain on failure here: never fail. */
	return 0;
}

/*
 * A network libvirt runs: its macvnet host shim (from the network's
 * metadata) follows the network, "started begin" to "stopped end".
 */
static int network_hook(const struct mvn_paths *paths, const char *name,
			const char *op, const char *sub)
{
	struct mvn_engine *eng = NULL;
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 };
	char key[300], *text = NULL, *start, *end;
	size_t len = 0;
	bool up = !strcmp(op, "started") && !strcmp(sub, "begin");
	bool down = !strcmp(op, "stopped") && !strcmp(sub, "end");
	int ret = 0;

	if (!up && !down)
		return 0;
	/* Kept apart from macvnet's own networks, whose names have no ':'. */
	snprintf(key, sizeof(key), "libvirt:%s", name);
	if (hook_engine(paths, &eng, &err) < 0)
		return fail(name, &err);
	if (down) {
		if (mvn_engine_shim_stop(eng, key, &err) < 0)
			fprintf(stderr, "macvnet: %s %s: %s\n", _("warning:"),
				name, err.msg);
		goto out;
	}
	if (mvn_doc_read("-", &text, &len, &err) < 0) {
		ret = fail(name, &err);
		goto out;
	}
	/* The <network> inside libvirt's <hookData>. */
	start = strstr(text, "<network");
	end = start ? strstr(start, "</network>") : NULL;
	if (!start || !end)
		goto out;
	end += strlen("</network>");
	if (mvn_network_parse(start, (size_t)(end - start), name, &net, &err) <
	    0) {
		ret = fail(name, &err);
		goto out;
	}
	if (net->host.present && mvn_engine_shim_start(eng, net, key, &err) < 0)
		ret = fail(name, &err);
out:
	mvn_network_free(net);
	mvn_engine_free(eng);
	free(text);
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "driver", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvn_paths paths = { 0 };
	struct mvn_engine *eng = NULL;
	struct mvn_domain *d = NULL;
	struct mvn_error err = { 0 };
	const char *object, *op, *sub, *driver = NULL;
	char *text = NULL;
	size_t len = 0;
	int c, ret = 0;

	setlocale(LC_ALL, "");
	bindtextdomain(PACKAGE, LOCALEDIR);
	textdomain(PACKAGE);
	paths.config_dir = getenv("MACVNET_CONFIG_DIR");
	paths.run_dir = getenv("MACVNET_RUN_DIR");
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'c')
			paths.config_dir = optarg;
		else if (c == 'r')
			paths.run_dir = optarg;
		else if (c == 'd')
			driver = optarg;
		else
			return 2;
	}
	if (argc - optind < 3) {
		fprintf(stderr, "%s",
			_("usage: macvnet-hook OBJECT OPERATION SUB-OPERATION "
			  "[EXTRA] < XML (run by libvirt from its hooks "
			  "directory)\n"));
		return 2;
	}
	object = argv[optind];
	op = argv[optind + 1];
	sub = argv[optind + 2];
	/*
	 * The driver: given by the wrapper hook-install writes, or told by
	 * the directory (network.d/) or name (network) of a link to us.
	 */
	if (driver ?
		    !strcmp(driver, "network") :
		    (strstr(argv[0], "network.d/") ||
		     !strcmp(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
						     argv[0],
			     "network")))
		return network_hook(&paths, object, op, sub);
	/* The operations macvnet has nothing to do in end here, quickly. */
	if (!(!strcmp(op, "prepare") && !strcmp(sub, "begin")) &&
	    !(!strcmp(op, "release") && !strcmp(sub, "end")) &&
	    !(!strcmp(op, "reconnect") && !strcmp(sub, "begin")) &&
	    !(!strcmp(op, "migrate") && !strcmp(sub, "begin")) &&
	    !(!strcmp(op, "restore") && !strcmp(sub, "begin")))
		return 0;
	if (mvn_doc_read("-", &text, &len, &err) < 0)
		return fail("stdin", &err);
	if (!strcmp(op, "migrate") || !strcmp(op, "restore")) {
		/* The XML goes back as it came: names need no change. */
		fwrite(text, 1, len, stdout);
		free(text);
		return 0;
	}
	if (mvn_domain_parse(text, len, object, &d, &err) < 0) {
		ret = !strcmp(op, "prepare") ? fail(object, &err) : 0;
		goto out;
	}
	if (!d->nports)
		goto out; /* not a domain macvnet serves */
	if (hook_engine(&paths, &eng, &err) < 0) {
		ret = fail(d->name, &err);
		goto out;
	}
	if (!strcmp(op, "prepare")) {
		if (prepare(eng, d, &err) < 0)
			ret = fail(d->name, &err);
	} else if (!strcmp(op, "release")) {
		if (release(eng, d, &err) < 0)
			fprintf(stderr, "macvnet: %s %s: %s\n", _("warning:"),
				d->name, err.msg);
	} else {
		ret = reconnect(eng, d);
	}
out:
	mvn_engine_free(eng);
	mvn_domain_free(d);
	free(text);
	return ret;
}
