/*
 * migrate-ovs: Open vSwitch (and host bridge) networks and the domains on
 * them, from files or from libvirt, to macvtap.  The command reads its
 * options, builds a plan (every document converted by ovs.c and checked
 * as libvirt will), then prints it, writes it to --output-dir and, with
 * --apply, defines it in libvirt through virt.c.  Nothing is written or
 * defined when any document fails.  A refusal of libvirt part way through
 * puts back what was already defined, and names what could not be put
 * back.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "cmd.h"
#include "iface.h"
#include "ovs.h"
#include "schema.h"
#include "store.h"
#include "util.h"
#include "virt.h"

/* One document of the migration, from a file or from libvirt. */
struct item {
	bool is_net;
	char *name; /* network or domain name */
	char *new_name; /* network: its name after migration */
	const char *file; /* input file, or NULL (libvirt) */
	char *orig; /* the document before */
	char *xml; /* after */
	unsigned int count; /* domain: interfaces migrated */
	bool active, persistent, existed;
	size_t net; /* network: its index in the migration's networks */
};

struct plan {
	struct item *items;
	size_t nitems;
	struct mvn_schema *schema;
	struct mvn_ovs *m;
	struct mvn_virt *virt; /* NULL without --connect */
};

/* The command line. */
struct args {
	struct mvn_kv *ups, *ren; /* --uplink, --rename */
	size_t nups, nren;
	const char *outdir, *uri;
	enum mvn_fwd_mode mode;
	bool direct, strict, apply;
	char **files;
	int nfiles;
};

/*
 * A name from libvirt, a document or argv made safe for one line of a
 * message: control characters and bad UTF-8 escaped.  Four rotating
 * buffers: at most four uses per statement.
 */
static const char *shown(const char *s)
{
	static char bufs[4][256];
	static unsigned int next;
	char *b = bufs[next++ % 4];

	return mvn_shown(s ? s : "?", b, sizeof(bufs[0]));
}

static void report(void *ctx, enum mvn_ovs_level level, const char *doc,
		   int line, const char *msg)
{
	const char *what = level == MVN_OVS_WARN ? _("warning:") : _("note:");

	(void)ctx;
	if (line > 0)
		fprintf(stderr, "macvnet: %s %s:%d: %s\n", what, shown(doc),
			line, msg);
	else
		fprintf(stderr, "macvnet: %s %s: %s\n", what, shown(doc), msg);
}

static enum mvn_virt_kind kind_of(const struct item *it)
{
	return it->is_net ? MVN_VIRT_NETWORK : MVN_VIRT_DOMAIN;
}

static struct item *add_item(struct plan *p, bool is_net)
{
	struct item *n = realloc(p->items, (p->nitems + 1) * sizeof(*n));

	if (!n)
		return NULL;
	p->items = n;
	memset(&n[p->nitems], 0, sizeof(*n));
	n[p->nitems].is_net = is_net;
	return &n[p->nitems++];
}

static void item_clear(struct item *it)
{
	free(it->name);
	free(it->new_name);
	free(it->orig);
	free(it->xml);
}

static void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nitems; i++)
		item_clear(&p->items[i]);
	free(p->items);
	mvn_ovs_free(p->m);
	mvn_virt_close(p->virt);
}

/* ---- Options -------------------------------------------------------- */

/* Split KEY=VALUE; both parts must be interface or network names. */
static int parse_kv(const char *arg, struct mvn_kv **v, size_t *n)
{
	const char *eq = strchr(arg, '=');
	struct mvn_kv *nv;
	char *key;

	if (!eq || eq == arg || !eq[1])
		return -EINVAL;
	nv = realloc(*v, (*n + 1) * sizeof(**v));
	if (!nv)
		return -ENOMEM;
	*v = nv;
	key = strndup(arg, (size_t)(eq - arg));
	if (!key)
		return -ENOMEM;
	nv[*n].key = key;
	nv[*n].value = eq + 1;
	(*n)++;
	return 0;
}

static void kv_free(struct mvn_kv *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)v[i].key);
	free(v);
}

static int usage(const char *why)
{
	return mvn_cmd_usage(&mvn_cmd_migrate_ovs, why);
}

/* --uplink or --rename (c is 'u' or 'n'): 0, or the exit code. */
static int take_kv(struct args *a, int c, const char *arg)
{
	struct mvn_error err = { 0 };
	int ret;

	ret = parse_kv(arg, c == 'u' ? &a->ups : &a->ren,
		       c == 'u' ? &a->nups : &a->nren);
	if (ret == -EINVAL)
		return usage(c == 'u' ? _("--uplink takes BRIDGE=DEV (or "
					  "NETWORK=DEV)") :
					_("--rename takes OLD=NEW"));
	if (ret < 0) {
		mvn_error_set(&err, ret, _("out of memory"));
		return mvn_cmd_fail(&err);
	}
	return 0;
}

/* One option: 0, or the exit code of a usage error. */
static int take_option(struct args *a, int c, char **argv)
{
	char why[200];
	int mode;

	switch (c) {
	case 'u':
	case 'n':
		return take_kv(a, c, optarg);
	case 'm':
		mode = mvn_fwd_mode_from_name(optarg);
		if (mode < 0 ||
		    !mvn_fwd_mode_is_macvtap((enum mvn_fwd_mode)mode))
			return usage(_("--mode is one of bridge, vepa, "
				       "private, passthrough"));
		a->mode = (enum mvn_fwd_mode)mode;
		return 0;
	case 'd':
		a->direct = true;
		return 0;
	case 's':
		a->strict = true;
		return 0;
	case 'o':
		a->outdir = optarg;
		return 0;
	case 'c':
		a->uri = optarg;
		return 0;
	case 'a':
		a->apply = true;
		return 0;
	case ':':
		snprintf(why, sizeof(why), _("%s needs a value"),
			 shown(argv[optind - 1]));
		return usage(why);
	default:
		return usage(_("unknown option"));
	}
}

/* The values of --uplink and --rename: 0, or the exit code. */
static int check_values(const struct args *a)
{
	struct mvn_error err = { 0 };
	size_t i;

	for (i = 0; i < a->nups; i++)
		if (!mvn_ovs_uplink_name_ok(a->ups[i].value)) {
			mvn_error_set(&err, -EINVAL,
				      _("--uplink %1$s=%2$s: '%2$s' is not an "
					"interface name macvnet takes (1 to 15 "
					"letters, digits, '_', '.' or '-')"),
				      shown(a->ups[i].key),
				      shown(a->ups[i].value));
			return mvn_cmd_fail(&err);
		}
	for (i = 0; i < a->nren; i++)
		if (strchr(a->ren[i].value, '/') ||
		    strchr(a->ren[i].value, '\n') ||
		    strlen(a->ren[i].value) > 200) {
			mvn_error_set(&err, -EINVAL,
				      _("--rename %1$s=%2$s: '%2$s' cannot "
					"name a network (at most 200 bytes, "
					"no '/' or line break)"),
				      shown(a->ren[i].key),
				      shown(a->ren[i].value));
			return mvn_cmd_fail(&err);
		}
	return 0;
}

/* Read the command line into a: 0, or the exit code. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "uplink", required_argument, NULL, 'u' },
		{ "rename", required_argument, NULL, 'n' },
		{ "mode", required_argument, NULL, 'm' },
		{ "direct", no_argument, NULL, 'd' },
		{ "strict", no_argument, NULL, 's' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "connect", required_argument, NULL, 'c' },
		{ "apply", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	int c, ret = 0;

	a->mode = MVN_FWD_BRIDGE;
	optind = 0;
	opterr = 0;
	while (ret == 0 &&
	       (c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1)
		ret = take_option(a, c, argv);
	if (ret)
		return ret;
	a->files = argv + optind;
	a->nfiles = argc - optind;
	if (a->apply && !a->uri)
		return usage(_("--apply needs --connect URI"));
	if (!a->nfiles && !a->uri)
		return usage(_("give network or domain files, or --connect "
			       "URI"));
	if (a->nfiles > 1 && !a->outdir && !a->uri)
		return usage(_("several files need --output-dir DIR"));
	return check_values(a);
}

/* ---- The plan -------------------------------------------------------- */

/*
 * A network from text: parsed and migrated.  When the document has no
 * UUID and libvirt knows a network of that name, libvirt's UUID is used
 * so that defining it replaces that network.
 */
static int take_network(struct plan *p, struct mvn_network *net,
			const char *text, size_t len, const char *doc,
			struct mvn_error *err)
{
	struct item *it;
	int ret;

	if (p->virt && net->uuid_generated &&
	    mvn_virt_network_uuid(p->virt, net->name, net->uuid))
		net->uuid_generated = false;
	it = add_item(p, true);
	if (!it || !(it->name = strdup(net->name)) ||
	    !(it->orig = strndup(text, len)))
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_ovs_network(p->m, net, doc, err);
	if (ret < 0)
		return ret;
	it->net = p->m->nnets - 1;
	it->new_name = strdup(p->m->nets[it->net].new_name);
	it->xml = strdup(p->m->nets[it->net].xml);
	if (!it->new_name || !it->xml)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	return 0;
}

/* A network file: parsed and migrated. */
static int take_network_file(struct plan *p, const char *file, const char *text,
			     size_t len, struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	int ret;

	ret = mvn_network_parse(text, len, file, &net, err);
	if (ret == 0)
		ret = take_network(p, net, text, len, file, err);
	mvn_network_free(net);
	if (ret == 0)
		p->items[p->nitems - 1].file = file;
	return ret;
}

/* A domain file: migrated; one with nothing to migrate is refused. */
static int take_domain_file(struct plan *p, const char *file, const char *text,
			    size_t len, struct mvn_error *err)
{
	struct item *it = add_item(p, false);
	int ret;

	if (!it || !(it->orig = strndup(text, len)))
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	it->file = file;
	ret = mvn_ovs_domain(p->m, text, len, file, &it->xml, &it->count, err);
	if (ret == 0 && !it->count)
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: no interface of this domain is on "
				      "Open vSwitch, on a given network or on "
				      "a bridge given with --uplink; there is "
				      "nothing to migrate"),
				    shown(file));
	return ret;
}

/* The files as read, each once (standard input can be read only once). */
struct inputs {
	char **texts;
	size_t *lens;
	bool *is_net;
};

static void inputs_free(struct inputs *in, int n)
{
	int i;

	for (i = 0; in->texts && i < n; i++)
		free(in->texts[i]);
	free(in->texts);
	free(in->lens);
	free(in->is_net);
}

/* Read and validate every file; each is a network or a domain. */
static int read_inputs(struct plan *p, char **files, int n, struct inputs *in,
		       struct mvn_error *err)
{
	int i, ret = 0;

	in->texts = calloc((size_t)n + 1, sizeof(*in->texts));
	in->lens = calloc((size_t)n + 1, sizeof(*in->lens));
	in->is_net = calloc((size_t)n + 1, sizeof(*in->is_net));
	if (!in->texts || !in->lens || !in->is_net)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (i = 0; i < n && ret == 0; i++) {
		const char *kind = NULL;

		ret = mvn_doc_read(files[i], &in->texts[i], &in->lens[i], err);
		if (ret == 0)
			ret = mvn_schema_validate(p->schema, in->texts[i],
						  in->lens[i], files[i], &kind,
						  err);
		if (ret == 0 && strcmp(kind, "network") &&
		    strcmp(kind, "domain"))
			ret = mvn_error_set(err, -EINVAL,
					    _("%1$s: a <%2$s> document; "
					      "migrate-ovs reads <network> and "
					      "<domain> documents"),
					    shown(files[i]), kind);
		if (ret == 0)
			in->is_net[i] = !strcmp(kind, "network");
	}
	return ret;
}

/* Migrate the files: the networks first, so that domains can name them. */
static int take_files(struct plan *p, char **files, int n,
		      struct mvn_error *err)
{
	struct inputs in = { 0 };
	int i, ret;

	ret = read_inputs(p, files, n, &in, err);
	for (i = 0; i < n && ret == 0; i++)
		if (in.is_net[i])
			ret = take_network_file(p, files[i], in.texts[i],
						in.lens[i], err);
	for (i = 0; i < n && ret == 0; i++)
		if (!in.is_net[i])
			ret = take_domain_file(p, files[i], in.texts[i],
					       in.lens[i], err);
	inputs_free(&in, n);
	return ret;
}

/*
 * Whether libvirt's network (text) is one to migrate; if so, *out is it,
 * parsed (caller frees).
 */
static bool wanted(struct plan *p, const char *text, size_t len,
		   const char *doc, struct mvn_network **out)
{
	const struct mvn_ovs_opts *o = &p->m->opts;
	struct mvn_network *net = NULL;
	struct mvn_error e = { 0 };
	enum mvn_ovs_kind kind;
	char msg[sizeof(e.msg)];
	bool yes = false;
	size_t i;

	if (mvn_network_parse(text, len, doc, &net, &e) < 0) {
		p->m->sink.nwarn++;
		fprintf(stderr, "macvnet: %s %s (%s)\n", _("warning:"),
			mvn_shown(e.msg, msg, sizeof(msg)),
			_("the network is left as it is"));
		return false;
	}
	kind = mvn_ovs_network_kind(net);
	if (kind == MVN_OVS_KIND_OVS)
		yes = true;
	for (i = 0; kind == MVN_OVS_KIND_HOST && i < o->nuplinks; i++)
		if (!strcmp(o->uplinks[i].key, net->name) ||
		    !strcmp(o->uplinks[i].key, net->bridge.name))
			yes = true;
	if (yes)
		*out = net;
	else
		mvn_network_free(net);
	return yes;
}

/* A warning about a document that is left as it is. */
static void left_alone(struct plan *p, const char *doc, const char *why)
{
	p->m->sink.nwarn++;
	fprintf(stderr, "macvnet: %s %s: %s\n", _("warning:"), doc, why);
}

/* One network libvirt has: migrated when it is on a bridge to migrate. */
static int take_virt_network(struct plan *p, struct mvn_virt_obj *o,
			     struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct item *it;
	char doc[300];
	int ret;

	snprintf(doc, sizeof(doc), "network %s", shown(o->name));
	if (!wanted(p, o->xml, strlen(o->xml), doc, &net))
		return 0;
	if (!o->persistent) {
		left_alone(p, doc,
			   _("a transient network cannot be redefined; it is "
			     "left as it is (define it, then migrate it)"));
		mvn_network_free(net);
		return 0;
	}
	ret = take_network(p, net, o->xml, strlen(o->xml), doc, err);
	mvn_network_free(net);
	if (ret < 0)
		return ret;
	it = &p->items[p->nitems - 1];
	it->active = o->active;
	it->persistent = o->persistent;
	/* Under a new name it is a new network. */
	it->existed = !strcmp(it->name, it->new_name);
	return 0;
}

/* One domain libvirt has: kept in the plan when it has anything to move. */
static int take_virt_domain(struct plan *p, struct mvn_virt_obj *o,
			    struct mvn_error *err)
{
	struct item *it;
	char doc[300];
	int ret;

	snprintf(doc, sizeof(doc), "domain %s", shown(o->name));
	it = add_item(p, false);
	if (!it)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	it->active = o->active;
	it->persistent = o->persistent;
	it->existed = true;
	ret = mvn_ovs_domain(p->m, o->xml, strlen(o->xml), doc, &it->xml,
			     &it->count, err);
	if (ret == 0 && it->count && !it->persistent) {
		left_alone(p, doc,
			   _("a transient domain cannot be redefined; it "
			     "keeps Open vSwitch until it is created again "
			     "from migrated XML"));
		it->count = 0;
	}
	if (ret < 0 || !it->count) {
		/* Not on a migrated network: leave it out. */
		item_clear(it);
		p->nitems--;
		return ret;
	}
	/* The item takes over the name and the document. */
	it->name = o->name;
	it->orig = o->xml;
	o->name = o->xml = NULL;
	return 0;
}

/* Read the networks and the domains on them from libvirt. */
static int take_libvirt(struct plan *p, struct mvn_error *err)
{
	struct mvn_virt_obj *objs = NULL;
	size_t n = 0, i;
	int ret;

	ret = mvn_virt_list(p->virt, MVN_VIRT_NETWORK, &objs, &n, err);
	for (i = 0; i < n && ret == 0; i++)
		ret = take_virt_network(p, &objs[i], err);
	mvn_virt_objs_free(objs, n);
	if (ret < 0)
		return ret;
	ret = mvn_virt_list(p->virt, MVN_VIRT_DOMAIN, &objs, &n, err);
	for (i = 0; i < n && ret == 0; i++)
		ret = take_virt_domain(p, &objs[i], err);
	mvn_virt_objs_free(objs, n);
	return ret;
}

/*
 * A --rename that names no migrated network is a mistake that would
 * otherwise replace the network under its old name; an --uplink that
 * served nothing is worth a note.
 */
static int unused_keys(struct plan *p, struct mvn_error *err)
{
	const struct mvn_ovs_opts *o = &p->m->opts;
	size_t i;

	for (i = 0; i < o->nrenames; i++)
		if (!p->m->rename_used[i])
			return mvn_error_set(
				err, -EINVAL,
				_("--rename %1$s=%2$s: no migrated "
				  "network is called '%1$s'"),
				shown(o->renames[i].key),
				shown(o->renames[i].value));
	for (i = 0; i < o->nuplinks; i++)
		if (!p->m->uplink_used[i]) {
			fprintf(stderr, "macvnet: %s ", _("note:"));
			fprintf(stderr,
				_("--uplink %1$s=%2$s was not used: no migrated "
				  "network or interface is on a bridge or "
				  "network '%1$s'\n"),
				shown(o->uplinks[i].key),
				shown(o->uplinks[i].value));
		}
	return 0;
}

/* A migrated network passes macvnet's checks, as libvirt will. */
static int check_network(const char *xml, const char *doc,
			 struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	int ret;

	ret = mvn_network_parse(xml, strlen(xml), doc, &net, err);
	if (ret == 0)
		ret = mvn_check_network(net, doc, err);
	if (ret == 0)
		ret = mvn_check_runnable(net, doc, NULL, err);
	mvn_network_free(net);
	return ret;
}

/* A migrated domain parses; a domain from a file gets its name here. */
static int check_domain(struct item *it, const char *doc, struct mvn_error *err)
{
	struct mvn_domain *dom = NULL;
	int ret;

	ret = mvn_domain_parse(it->xml, strlen(it->xml), doc, &dom, err);
	if (ret == 0 && !it->name) {
		it->name = strdup(dom->name);
		if (!it->name)
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	mvn_domain_free(dom);
	return ret;
}

/* The results pass macvnet's schemas and checks, as libvirt will. */
static int check_results(struct plan *p, struct mvn_error *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < p->nitems && ret == 0; i++) {
		struct item *it = &p->items[i];
		const char *kind = NULL;
		char doc[300];

		snprintf(doc, sizeof(doc),
			 it->is_net ? _("migrated network %s") :
				      _("migrated domain %s"),
			 shown(it->file ? it->file : it->name));
		ret = mvn_schema_validate(p->schema, it->xml, strlen(it->xml),
					  doc, &kind, err);
		if (ret == 0)
			ret = it->is_net ? check_network(it->xml, doc, err) :
					   check_domain(it, doc, err);
	}
	return ret;
}

/* The one line the plan says about an item. */
static void describe(const struct plan *p, const struct item *it)
{
	const struct mvn_ovs_net *net;
	const char *how;
	char ups[256];
	size_t i, used = 0;

	if (!it->is_net) {
		printf(P_("domain '%1$s': %2$u interface moves to macvtap",
			  "domain '%1$s': %2$u interfaces move to macvtap",
			  it->count),
		       shown(it->name), it->count);
		putchar('\n');
		return;
	}
	net = &p->m->nets[it->net];
	how = net->kind == MVN_OVS_KIND_OVS ?
		      _("Open vSwitch bridge to macvtap") :
		      _("host bridge to macvtap");
	ups[0] = '\0';
	for (i = 0; i < net->nuplinks && used < sizeof(ups); i++)
		used += snprintf(ups + used, sizeof(ups) - used, "%s%s",
				 i ? ", " : "", net->uplinks[i]);
	if (strcmp(it->name, it->new_name))
		printf(_("network '%1$s' -> new network '%2$s': %3$s over "
			 "%4$s\n"),
		       shown(it->name), shown(it->new_name), how, ups);
	else
		printf(_("network '%1$s': %2$s over %3$s\n"), shown(it->name),
		       how, ups);
}

/* ---- Writing --output-dir ------------------------------------------- */

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!strcmp(path, "-"))
		return "stdin.xml";
	return s ? s + 1 : path;
}

/* The name of an item's output file in --output-dir. */
static void out_name(const struct item *it, bool orig, char *buf, size_t size)
{
	if (it->file && !orig)
		snprintf(buf, size, "%s", base_name(it->file));
	else
		snprintf(buf, size, "%s-%s%s.xml",
			 it->is_net ? "network" : "domain",
			 it->is_net && !orig ? it->new_name : it->name,
			 orig ? ".orig" : "");
}

/* The directory exists, and other users cannot rename files in it. */
static int check_out_dir(const char *dir, struct mvn_error *err)
{
	struct stat sb;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     shown(dir), strerror(errno));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mvn_error_set(err, -ENOTDIR, _("%s is not a directory"),
				     shown(dir));
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !(sb.st_mode & S_ISVTX))
		return mvn_error_set(err, -EPERM,
				     _("%s is writable by other users, who "
				       "could replace the files written "
				       "there; choose a private --output-dir"),
				     shown(dir));
	return 0;
}

/* Whether path is one of the input files. */
static bool is_input(const char *path, char *const *inputs, int ninputs)
{
	struct stat in, out;
	int j;

	for (j = 0; j < ninputs; j++)
		if (stat(inputs[j], &in) == 0 && stat(path, &out) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			return true;
	return false;
}

/* Whether an output before output k (of per per item) is also called name. */
static bool name_taken(const struct plan *p, size_t k, size_t per,
		       const char *name)
{
	char other[600];
	size_t j;

	for (j = 0; j < k; j++) {
		out_name(&p->items[j / per], j % per, other, sizeof(other));
		if (!strcmp(name, other))
			return true;
	}
	return false;
}

/*
 * Before anything is written or defined: the output directory exists, is
 * not open to other users' renames, and no output would land on an input
 * or on another output.
 */
static int prepare_out(struct plan *p, const char *dir, char *const *inputs,
		       int ninputs, bool originals, struct mvn_error *err)
{
	size_t per = originals ? 2 : 1, k;
	char name[600], path[4096];
	int n, ret;

	ret = check_out_dir(dir, err);
	for (k = 0; k < p->nitems * per && ret == 0; k++) {
		out_name(&p->items[k / per], k % per, name, sizeof(name));
		n = snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (n < 0 || (size_t)n >= sizeof(path))
			ret = mvn_error_set(err, -ENAMETOOLONG,
					    _("path too long"));
		else if (is_input(path, inputs, ninputs))
			ret = mvn_error_set(err, -EEXIST,
					    _("%s would overwrite an input "
					      "file; choose another "
					      "--output-dir"),
					    shown(path));
		else if (name_taken(p, k, per, name))
			ret = mvn_error_set(err, -EEXIST,
					    _("two documents would both be "
					      "written as %1$s/%2$s; migrate "
					      "them in two runs"),
					    shown(dir), shown(name));
	}
	return ret;
}

/* Write text to the temporary file of dir/name. */
/* Output k (item k / per, its original when k % per is 1) and its text. */
static const char *output(const struct plan *p, size_t k, size_t per,
			  char *name, size_t size)
{
	const struct item *it = &p->items[k / per];
	const char *text = k % per ? it->orig : it->xml;

	out_name(it, k % per, name, size);
	return text ? text : "";
}

/* The names of outputs [0, n) as "a, b, c" for a message. */
static void written_list(const struct plan *p, size_t n, size_t per, char *out,
			 size_t size)
{
	char name[600];
	size_t k, used = 0;

	out[0] = '\0';
	for (k = 0; k < n && used < size; k++) {
		output(p, k, per, name, sizeof(name));
		used += snprintf(out + used, size - used, "%s%s", k ? ", " : "",
				 shown(name));
	}
}

/*
 * Move the staged outputs [0, n) into place.  A rename cannot be undone:
 * when one fails, the outputs before it stay written, the rest are
 * removed, and the error names the ones written.
 */
static int commit_all(struct plan *p, const char *dir, char **tmps, size_t n,
		      size_t per, struct mvn_error *err)
{
	char name[600], done[400];
	struct mvn_error e = { 0 };
	size_t k;
	int ret = 0;

	for (k = 0; k < n; k++) {
		output(p, k, per, name, sizeof(name));
		if (ret < 0) {
			unlink(tmps[k]);
			continue;
		}
		ret = mvn_file_commit(tmps[k], dir, name, true, &e);
		if (ret == 0)
			continue;
		written_list(p, k, per, done, sizeof(done));
		if (k)
			mvn_error_set(err, ret,
				      _("%1$s; only these were written: %2$s "
					"(fix the cause and run again to write "
					"the rest)"),
				      e.msg, done);
		else
			mvn_error_set(err, ret, "%s", e.msg);
	}
	return ret;
}

/*
 * Write every output through the store's writer: all temporary files
 * first, then the renames.  A failure while the temporary files are
 * written leaves the directory as it was.  The renames cannot be undone as
 * a group: a failure between them says which files were written, and a
 * crash between them leaves some files renamed and some temporary files
 * (.NAME.XXXXXX) behind; run again to write them all.  Domains from
 * libvirt carry their secrets (VIR_DOMAIN_XML_SECURE): every file is 0600.
 */
static int write_all(struct plan *p, const char *dir, bool originals,
		     struct mvn_error *err)
{
	size_t per = originals ? 2 : 1, n = p->nitems * per, staged = 0, k;
	char **tmps = calloc(n + 1, sizeof(*tmps)), name[600];
	const char *text;
	int ret = 0;

	if (!tmps)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (; staged < n && ret == 0; staged++) {
		text = output(p, staged, per, name, sizeof(name));
		ret = mvn_file_stage(dir, name, name, text, strlen(text), 0600,
				     &tmps[staged], err);
	}
	for (k = 0; ret < 0 && k < staged; k++)
		if (tmps[k])
			unlink(tmps[k]);
	if (ret == 0)
		ret = commit_all(p, dir, tmps, n, per, err);
	for (k = 0; k < n; k++)
		free(tmps[k]);
	free(tmps);
	return ret;
}

/* ---- Defining in libvirt ---------------------------------------------- */

/*
 * Put back what libvirt had before items [0, done).  Returns how many
 * could not be put back; *what names the first of them.
 */
static unsigned int roll_back(struct plan *p, size_t done, const char **what)
{
	unsigned int failed = 0;
	char *back;
	int ret;

	*what = NULL;
	while (done-- > 0) {
		struct item *it = &p->items[done];
		const char *name = it->is_net ? it->new_name : it->name;

		/* What did not exist (or was transient) goes away again. */
		if (it->existed && it->persistent) {
			ret = mvn_virt_define(p->virt, kind_of(it), it->orig,
					      &back);
			free(back);
		} else {
			ret = mvn_virt_undefine(p->virt, kind_of(it), name);
		}
		if (ret < 0 && !failed++)
			*what = name;
	}
	return failed;
}

/* The error after a refusal or failure once libvirt was changed. */
static int rolled_back(struct plan *p, size_t done, const char *why,
		       struct mvn_error *err)
{
	const char *what;
	unsigned int failed = roll_back(p, done, &what);

	if (failed)
		return mvn_error_set(err, -EIO,
				     _("%1$s; putting back what was defined "
				       "before failed for '%2$s' and %3$u "
				       "more: restore them from the "
				       "originals (virsh net-define / virsh "
				       "define)"),
				     why, shown(what), failed - 1);
	return mvn_error_set(err, -EIO,
			     _("%s; everything defined before was put back"),
			     why);
}

/*
 * Record what libvirt has now under the item's name: that is what a
 * failure puts back.  A network that would take another's name is
 * refused.
 */
static int record_current(struct plan *p, struct item *it,
			  struct mvn_error *err)
{
	const char *name = it->is_net ? it->new_name : it->name;
	struct mvn_virt_obj now;
	int found;

	found = mvn_virt_get(p->virt, kind_of(it), name, &now);
	if (found < 0)
		return mvn_error_set(err, found, _("out of memory"));
	if (found && it->is_net && strcmp(it->name, it->new_name)) {
		mvn_virt_obj_clear(&now);
		return mvn_error_set(err, -EEXIST,
				     _("libvirt already has a network '%1$s'; "
				       "choose another name with --rename "
				       "%2$s=NAME (nothing was changed)"),
				     shown(it->new_name), shown(it->name));
	}
	if (found) {
		it->active = now.active;
		it->persistent = now.persistent;
	}
	if (now.xml) {
		free(it->orig);
		it->orig = now.xml;
		now.xml = NULL;
		it->existed = true;
	}
	mvn_virt_obj_clear(&now);
	return 0;
}

/*
 * Define one item in libvirt; from then on it->xml is what libvirt holds.
 * -EIO when libvirt refuses it (mvn_virt_error() says why).
 */
static int define_one(struct plan *p, struct item *it)
{
	char *back = NULL;
	int ret;

	ret = mvn_virt_define(p->virt, kind_of(it), it->xml, &back);
	if (back) {
		free(it->xml);
		it->xml = back;
	}
	return ret;
}

/* Define everything in libvirt, all or nothing. */
static int apply(struct plan *p, struct mvn_error *err)
{
	char why[700];
	size_t i;
	int ret = 0;

	for (i = 0; i < p->nitems && ret == 0; i++)
		if (!p->items[i].existed)
			ret = record_current(p, &p->items[i], err);
	for (i = 0; i < p->nitems && ret == 0; i++) {
		const struct item *it = &p->items[i];

		if (define_one(p, &p->items[i]) == 0)
			continue;
		if (it->is_net)
			snprintf(why, sizeof(why),
				 _("libvirt refused the migrated network "
				   "'%1$s' (%2$s)"),
				 shown(it->new_name), mvn_virt_error());
		else
			snprintf(why, sizeof(why),
				 _("libvirt refused the migrated domain '%1$s' "
				   "(%2$s)"),
				 shown(it->name), mvn_virt_error());
		ret = rolled_back(p, i, why, err);
	}
	return ret;
}

static void after_apply(const struct plan *p)
{
	const struct item *it;
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		if (it->is_net) {
			printf(_("Defined network '%s'.\n"),
			       shown(it->new_name));
			if (it->active && !strcmp(it->name, it->new_name))
				printf(_("  It is active and stays on its "
					 "bridge until restarted: virsh "
					 "net-destroy %1$s; virsh net-start "
					 "%1$s (once its guests are "
					 "stopped).\n"),
				       shown(it->name));
			else if (strcmp(it->name, it->new_name))
				printf(_("  Start it: virsh net-start %1$s; "
					 "virsh net-autostart %1$s\n"),
				       shown(it->new_name));
		} else {
			printf(_("Defined domain '%s'.\n"), shown(it->name));
			if (it->active)
				printf(_("  It is running: restart it (virsh "
					 "shutdown %1$s, then virsh start "
					 "%1$s) to use macvtap.\n"),
				       shown(it->name));
		}
	}
}

/* ---- The command -------------------------------------------------------- */

/* Build the plan: from the files, or from libvirt; checked. */
static int make_plan(struct mvn_engine *eng, const struct args *a,
		     struct plan *p, struct mvn_error *err)
{
	struct mvn_ovs_opts o = { .mode = a->mode,
				  .direct = a->direct,
				  .discover = true,
				  .uplinks = a->ups,
				  .nuplinks = a->nups,
				  .renames = a->ren,
				  .nrenames = a->nren,
				  .report = report };
	int ret;

	p->m = mvn_ovs_new(&o);
	if (!p->m)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_engine_schema(eng, &p->schema, err);
	if (ret == 0 && a->uri)
		ret = mvn_virt_open(a->uri, &p->virt, err);
	if (ret == 0)
		ret = a->nfiles ? take_files(p, a->files, a->nfiles, err) :
				  take_libvirt(p, err);
	if (ret == 0)
		ret = unused_keys(p, err);
	if (ret == 0)
		ret = check_results(p, err);
	if (ret == 0 && a->strict && p->m->sink.nwarn)
		ret = mvn_error_set(err, -EINVAL,
				    P_("--strict: %u thing above cannot "
				       "become macvtap; nothing was "
				       "migrated",
				       "--strict: %u things above "
				       "cannot become macvtap; nothing "
				       "was migrated",
				       p->m->sink.nwarn),
				    p->m->sink.nwarn);
	return ret;
}

/* Write and define the plan; on failure after --apply, libvirt goes back. */
static int carry_out(struct plan *p, const struct args *a,
		     struct mvn_error *err)
{
	char why[600];
	int ret = 0;

	if (a->outdir)
		ret = prepare_out(p, a->outdir, a->files, a->nfiles,
				  a->uri != NULL, err);
	if (ret == 0 && a->apply)
		ret = apply(p, err);
	if (ret < 0 || !a->outdir)
		return ret;
	ret = write_all(p, a->outdir, a->uri != NULL, err);
	if (ret < 0 && a->apply) {
		/* libvirt was changed: without the files, it goes back. */
		snprintf(why, sizeof(why), "%s", err->msg);
		ret = rolled_back(p, p->nitems, why, err);
	}
	return ret;
}

/* What was done, on standard output. */
static void print_done(const struct plan *p, const struct args *a)
{
	size_t i;

	for (i = 0; i < p->nitems; i++)
		describe(p, &p->items[i]);
	if (a->apply)
		after_apply(p);
	else if (a->uri)
		printf("%s\n", _("Nothing was changed; run again with --apply "
				 "to define these in libvirt."));
	if (a->outdir)
		printf(_("Wrote the migrated documents to %s.\n"),
		       shown(a->outdir));
}

static int migrate_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };
	struct args a = { 0 };
	struct plan p = { 0 };
	int ret;

	ret = parse_args(argc, argv, &a);
	if (ret == 0 && make_plan(eng, &a, &p, &err) < 0)
		ret = mvn_cmd_fail(&err);
	if (ret)
		goto out;
	if (!a.uri && !a.outdir)
		fputs(p.items[0].xml, stdout);
	else if (!p.nitems)
		printf("%s\n", _("Nothing to migrate: libvirt has no Open "
				 "vSwitch network, no host bridge network "
				 "named by --uplink, and no domain on "
				 "one."));
	else if (carry_out(&p, &a, &err) < 0)
		ret = mvn_cmd_fail(&err);
	else
		print_done(&p, &a);
out:
	plan_free(&p);
	kv_free(a.ups, a.nups);
	kv_free(a.ren, a.nren);
	return ret;
}

const struct mvn_cmd mvn_cmd_migrate_ovs = {
	.name = "migrate-ovs",
	.args = "[--uplink BRIDGE=DEV]... [--mode MODE] [--direct] "
		"[--strict] [--rename OLD=NEW]... [--output-dir DIR] "
		"[--connect URI [--apply]] [FILE...]",
	.summary = N_("convert Open vSwitch networks and domains to macvtap"),
	.help = N_(
		"Convert Open vSwitch bridge networks (<forward mode='bridge'/> "
		"with\n"
		"<virtualport type='openvswitch'/>) and host bridge networks "
		"into macvtap\n"
		"networks over the bridge's uplink, and the domain interfaces "
		"on them into\n"
		"type='network' interfaces on the migrated network (MACs, "
		"models, addresses\n"
		"and boot order kept).  What macvtap cannot do (VLAN tags, "
		"Open vSwitch\n"
		"port parameters, OpenFlow rules, bandwidth of a network, "
		"several uplinks)\n"
		"is reported on standard error as a warning.\n\n"
		"  --uplink BRIDGE=DEV\n"
		"                    the LAN device of bridge BRIDGE "
		"(NETWORK=DEV for a\n"
		"                    network without <bridge name>); "
		"repeat for more;\n"
		"                    without it Open vSwitch (ovs-vsctl) "
		"or the Linux\n"
		"                    bridge in sysfs is asked\n"
		"  --mode MODE       bridge (default), vepa, private or "
		"passthrough\n"
		"  --direct          make type='direct' interfaces on the "
		"uplink instead\n"
		"  --rename OLD=NEW  give migrated network OLD the name NEW "
		"(default: keep\n"
		"                    the name, so that defining it replaces "
		"the old one)\n"
		"  --strict          refuse when anything would be lost\n"
		"  -o, --output-dir DIR\n"
		"                    write the results to DIR (needed for "
		"several files)\n"
		"  --connect URI     read the networks and the domains on them "
		"from libvirt\n"
		"                    (with FILEs: where --apply defines "
		"them)\n"
		"  --apply           define the results in libvirt "
		"(inactive definitions;\n"
		"                    a refusal puts back what was defined)\n\n"
		"With one FILE the result goes to standard output.  Nothing "
		"is written or\n"
		"defined when any document fails."),
	.exec = migrate_exec,
};
