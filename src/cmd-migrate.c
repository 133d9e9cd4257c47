/*
 * migrate-ovs: Open vSwitch (and host bridge) networks and the domains on
 * them, from files or from libvirt, to macvtap.  The command reads its
 * options, builds a plan (every document converted by ovs.c and checked
 * as libvirt will), then prints it, writes it to --output-dir
 * (migrate-out.c) and, with --apply, defines it in libvirt
 * (migrate-virt.c).  Nothing is written or defined when any document
 * fails.  A refusal of libvirt part way through puts back what was
 * already defined, and names what could not be put back.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cmd.h"
#include "iface.h"
#include "migrate.h"
#include "ovs.h"
#include "schema.h"
#include "util.h"
#include "virt.h"

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

/* An ovs.c finding about document doc, on standard error. */
static void report(void *ctx, enum mvn_ovs_level level, const char *doc,
		   int line, const char *msg)
{
	struct mvn_cli *cli = ctx;
	char d[256];

	mvn_shown(doc, d, sizeof(d));
	if (level == MVN_OVS_WARN && line > 0)
		mvn_cmd_warn(cli, "%s:%d: %s", d, line, msg);
	else if (level == MVN_OVS_WARN)
		mvn_cmd_warn(cli, "%s: %s", d, msg);
	else if (line > 0)
		mvn_cmd_note(cli, "%s:%d: %s", d, line, msg);
	else
		mvn_cmd_note(cli, "%s: %s", d, msg);
}

/* A new zeroed item at the end of the plan (it may move the others). */
struct item *mvn_migrate_add_item(struct plan *p, bool is_net)
{
	struct item *n = realloc(p->items, (p->nitems + 1) * sizeof(*n));

	if (!n)
		return NULL;
	p->items = n;
	memset(&n[p->nitems], 0, sizeof(*n));
	n[p->nitems].is_net = is_net;
	return &n[p->nitems++];
}

/* Free what an item holds; the item itself is part of p->items. */
void mvn_migrate_item_clear(struct item *it)
{
	free(it->name);
	free(it->new_name);
	free(it->orig);
	free(it->xml);
}

/* Free what the plan holds, and close libvirt. */
static void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nitems; i++)
		mvn_migrate_item_clear(&p->items[i]);
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

/* --uplink or --rename (c is 'u' or 'n'): 0, or the exit code. */
static int take_kv(struct mvn_cli *cli, struct args *a, int c, const char *arg)
{
	struct mvn_error err = { 0 };
	int ret;

	ret = parse_kv(arg, c == 'u' ? &a->ups : &a->ren,
		       c == 'u' ? &a->nups : &a->nren);
	if (ret == -EINVAL)
		return mvn_cmd_usage(cli, c == 'u' ?
						  _("--uplink takes "
						    "BRIDGE=DEV (or "
						    "NETWORK=DEV)") :
						  _("--rename takes OLD=NEW"));
	if (ret < 0) {
		mvn_error_set(&err, ret, _("out of memory"));
		return mvn_cmd_fail(cli, &err);
	}
	return 0;
}

/* One option: 0, or the exit code of a usage error. */
static int take_option(struct mvn_cli *cli, struct args *a,
		       const struct mvn_optarg *o)
{
	int mode;

	switch (o->key) {
	case 'u':
	case 'n':
		return take_kv(cli, a, o->key, o->value);
	case 'm':
		mode = mvn_fwd_mode_from_name(o->value);
		if (mode < 0 ||
		    !mvn_fwd_mode_is_macvtap((enum mvn_fwd_mode)mode))
			return mvn_cmd_usage(cli, _("--mode is one of bridge, "
						    "vepa, private, "
						    "passthrough"));
		a->mode = (enum mvn_fwd_mode)mode;
		return 0;
	case 'd':
		a->direct = true;
		return 0;
	case 's':
		a->strict = true;
		return 0;
	case 'o':
		a->outdir = o->value;
		return 0;
	case 'c':
		a->uri = o->value;
		return 0;
	case 'a':
		a->apply = true;
		return 0;
	}
	return 0;
}

/* The values of --uplink and --rename: 0, or the exit code. */
static int check_values(struct mvn_cli *cli, const struct args *a)
{
	struct mvn_error err = { 0 };
	char k[256], v[256];
	size_t i;

	for (i = 0; i < a->nups; i++)
		if (!mvn_ovs_uplink_name_ok(a->ups[i].value)) {
			mvn_error_set(&err, -EINVAL,
				      _("--uplink %1$s=%2$s: '%2$s' is not an "
					"interface name macvnet takes (1 to 15 "
					"letters, digits, '_', '.' or '-')"),
				      mvn_shown(a->ups[i].key, k, sizeof(k)),
				      mvn_shown(a->ups[i].value, v, sizeof(v)));
			return mvn_cmd_fail(cli, &err);
		}
	for (i = 0; i < a->nren; i++)
		if (strchr(a->ren[i].value, '/') ||
		    strchr(a->ren[i].value, '\n') ||
		    strlen(a->ren[i].value) > 200) {
			mvn_error_set(&err, -EINVAL,
				      _("--rename %1$s=%2$s: '%2$s' cannot "
					"name a network (at most 200 bytes, "
					"no '/' or line break)"),
				      mvn_shown(a->ren[i].key, k, sizeof(k)),
				      mvn_shown(a->ren[i].value, v, sizeof(v)));
			return mvn_cmd_fail(cli, &err);
		}
	return 0;
}

/* Read the command line into a: 0, or the exit code. */
static int parse_args(struct mvn_cli *cli, struct args *a)
{
	size_t i;
	int ret = 0;

	a->mode = MVN_FWD_BRIDGE;
	for (i = 0; ret == 0 && i < cli->nopts; i++)
		ret = take_option(cli, a, &cli->opts[i]);
	if (ret)
		return ret;
	a->files = cli->argv + 1;
	a->nfiles = cli->argc - 1;
	if (a->apply && !a->uri)
		return mvn_cmd_usage(cli, _("--apply needs --connect URI"));
	if (!a->nfiles && !a->uri)
		return mvn_cmd_usage(cli, _("give network or domain files, or "
					    "--connect URI"));
	if (a->nfiles > 1 && !a->outdir && !a->uri)
		return mvn_cmd_usage(cli,
				     _("several files need --output-dir DIR"));
	return check_values(cli, a);
}

/* ---- The plan -------------------------------------------------------- */

/*
 * A network from text: parsed and migrated.  When the document has no
 * UUID and libvirt knows a network of that name, libvirt's UUID is used
 * so that defining it replaces that network.
 */
int mvn_migrate_take_network(struct plan *p, struct mvn_network *net,
			     const char *text, size_t len, const char *doc,
			     struct mvn_error *err)
{
	struct item *it;
	int ret;

	if (p->virt && net->uuid_generated &&
	    mvn_virt_network_uuid(p->virt, net->name, net->uuid))
		net->uuid_generated = false;
	it = mvn_migrate_add_item(p, true);
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
		ret = mvn_migrate_take_network(p, net, text, len, file, err);
	mvn_network_free(net);
	if (ret == 0)
		p->items[p->nitems - 1].file = file;
	return ret;
}

/* A domain file: migrated; one with nothing to migrate is refused. */
static int take_domain_file(struct plan *p, const char *file, const char *text,
			    size_t len, struct mvn_error *err)
{
	struct item *it = mvn_migrate_add_item(p, false);
	char f[256];
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
				    mvn_shown(file, f, sizeof(f)));
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
	char f[256];
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
					    mvn_shown(files[i], f, sizeof(f)),
					    kind);
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
 * A --rename that names no migrated network is a mistake that would
 * otherwise replace the network under its old name; an --uplink that
 * served nothing is worth a note.
 */
static int unused_keys(struct mvn_cli *cli, struct plan *p,
		       struct mvn_error *err)
{
	const struct mvn_ovs_opts *o = &p->m->opts;
	char k[256], v[256];
	size_t i;

	for (i = 0; i < o->nrenames; i++)
		if (!p->m->rename_used[i])
			return mvn_error_set(
				err, -EINVAL,
				_("--rename %1$s=%2$s: no migrated "
				  "network is called '%1$s'"),
				mvn_shown(o->renames[i].key, k, sizeof(k)),
				mvn_shown(o->renames[i].value, v, sizeof(v)));
	for (i = 0; i < o->nuplinks; i++)
		if (!p->m->uplink_used[i])
			mvn_cmd_note(
				cli,
				_("--uplink %1$s=%2$s was not used: no migrated "
				  "network or interface is on a bridge or "
				  "network '%1$s'"),
				mvn_shown(o->uplinks[i].key, k, sizeof(k)),
				mvn_shown(o->uplinks[i].value, v, sizeof(v)));
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
		char doc[300], name[256];

		snprintf(doc, sizeof(doc),
			 it->is_net ? _("migrated network %s") :
				      _("migrated domain %s"),
			 mvn_shown(it->file ? it->file : it->name, name,
				   sizeof(name)));
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
	char ups[256], name[256], new_name[256];
	const char *how;
	size_t i, used = 0;

	mvn_shown(it->name, name, sizeof(name));
	if (!it->is_net) {
		printf(P_("domain '%1$s': %2$u interface moves to macvtap",
			  "domain '%1$s': %2$u interfaces move to macvtap",
			  it->count),
		       name, it->count);
		putchar('\n');
		return;
	}
	mvn_shown(it->new_name, new_name, sizeof(new_name));
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
		       name, new_name, how, ups);
	else
		printf(_("network '%1$s': %2$s over %3$s\n"), name, how, ups);
}

/* What --apply did to a network, and how to bring it into use. */
static void applied_network(struct mvn_cli *cli, const struct item *it)
{
	char name[256], new_name[256];

	mvn_shown(it->name, name, sizeof(name));
	mvn_shown(it->new_name, new_name, sizeof(new_name));
	mvn_cmd_done(cli, _("Defined network '%s'.\n"), new_name);
	if (it->active && !strcmp(it->name, it->new_name))
		mvn_cmd_done(cli,
			     _("  It is active and stays on its bridge until "
			       "restarted: virsh net-destroy %1$s; virsh "
			       "net-start %1$s (once its guests are "
			       "stopped).\n"),
			     name);
	else if (strcmp(it->name, it->new_name))
		mvn_cmd_done(cli,
			     _("  Start it: virsh net-start %1$s; virsh "
			       "net-autostart %1$s\n"),
			     new_name);
}

/* What --apply did, and how to bring it into use, on standard output. */
static void after_apply(struct mvn_cli *cli, const struct plan *p)
{
	const struct item *it;
	char name[256];
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		it = &p->items[i];
		if (it->is_net) {
			applied_network(cli, it);
			continue;
		}
		mvn_shown(it->name, name, sizeof(name));
		mvn_cmd_done(cli, _("Defined domain '%s'.\n"), name);
		if (it->active)
			mvn_cmd_done(cli,
				     _("  It is running: restart it (virsh "
				       "shutdown %1$s, then virsh start %1$s) "
				       "to use macvtap.\n"),
				     name);
	}
}

/* One item of --json's "items". */
static void json_item(struct mvn_json *j, const struct plan *p,
		      const struct item *it)
{
	const struct mvn_ovs_net *net = it->is_net ? &p->m->nets[it->net] :
						     NULL;
	size_t i;

	mvn_json_begin_object(j);
	mvn_json_kv_str(j, "kind", it->is_net ? "network" : "domain");
	mvn_json_kv_str(j, "name", it->name);
	mvn_json_kv_str(j, "file", it->file);
	mvn_json_kv_bool(j, "active", it->active);
	if (net) {
		mvn_json_kv_str(j, "new_name", it->new_name);
		mvn_json_kv_str(j, "from",
				net->kind == MVN_OVS_KIND_OVS ? "openvswitch" :
								"bridge");
		mvn_json_key(j, "uplinks");
		mvn_json_begin_array(j);
		for (i = 0; i < net->nuplinks; i++)
			mvn_json_str(j, net->uplinks[i]);
		mvn_json_end(j);
	} else {
		mvn_json_kv_uint(j, "interfaces", it->count);
	}
	mvn_json_kv_str(j, "xml", it->xml);
	mvn_json_end(j);
}

/* The plan under --json: {"items":[...],"output_dir","applied"}. */
static void print_json(const struct plan *p, const struct args *a)
{
	struct mvn_json j;
	size_t i;

	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_key(&j, "items");
	mvn_json_begin_array(&j);
	for (i = 0; i < p->nitems; i++)
		json_item(&j, p, &p->items[i]);
	mvn_json_end(&j);
	mvn_json_kv_str(&j, "output_dir", a->outdir);
	mvn_json_kv_bool(&j, "applied", a->apply && p->nitems);
	mvn_json_end(&j);
}

/* ---- The command -------------------------------------------------------- */

/* Build the plan: from the files, or from libvirt; checked. */
static int make_plan(struct mvn_cli *cli, const struct args *a, struct plan *p,
		     struct mvn_error *err)
{
	struct mvn_ovs_opts o = { .mode = a->mode,
				  .direct = a->direct,
				  .discover = true,
				  .uplinks = a->ups,
				  .nuplinks = a->nups,
				  .renames = a->ren,
				  .nrenames = a->nren,
				  .report = report,
				  .report_ctx = cli };
	int ret;

	p->m = mvn_ovs_new(&o);
	if (!p->m)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_engine_schema(cli->eng, &p->schema, err);
	if (ret == 0 && a->uri)
		ret = mvn_virt_open(a->uri, &p->virt, err);
	if (ret == 0)
		ret = a->nfiles ? take_files(p, a->files, a->nfiles, err) :
				  mvn_migrate_take_libvirt(p, err);
	if (ret == 0)
		ret = unused_keys(cli, p, err);
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
		ret = mvn_migrate_prepare_out(p, a->outdir, a->files, a->nfiles,
					      a->uri != NULL, err);
	if (ret == 0 && a->apply)
		ret = mvn_migrate_apply(p, err);
	if (ret < 0 || !a->outdir)
		return ret;
	ret = mvn_migrate_write_all(p, a->outdir, a->uri != NULL, err);
	if (ret < 0 && a->apply) {
		/* libvirt was changed: without the files, it goes back. */
		snprintf(why, sizeof(why), "%s", err->msg);
		ret = mvn_migrate_rolled_back(p, p->nitems, why, err);
	}
	return ret;
}

/* What was done, on standard output. */
static void print_done(struct mvn_cli *cli, const struct plan *p,
		       const struct args *a)
{
	char dir[256];
	size_t i;

	if (cli->json) {
		print_json(p, a);
		return;
	}
	for (i = 0; i < p->nitems; i++)
		describe(p, &p->items[i]);
	if (a->apply)
		after_apply(cli, p);
	else if (a->uri)
		mvn_cmd_done(cli, "%s\n",
			     _("Nothing was changed; run again with --apply "
			       "to define these in libvirt."));
	if (a->outdir)
		mvn_cmd_done(cli, _("Wrote the migrated documents to %s.\n"),
			     mvn_shown(a->outdir, dir, sizeof(dir)));
}

static int migrate_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };
	struct args a = { 0 };
	struct plan p = { 0 };
	int ret;

	ret = parse_args(cli, &a);
	if (ret == 0 && make_plan(cli, &a, &p, &err) < 0)
		ret = mvn_cmd_fail(cli, &err);
	if (ret)
		goto out;
	if (!p.nitems && cli->json)
		print_json(&p, &a);
	else if (!p.nitems)
		mvn_cmd_done(cli, "%s\n",
			     _("Nothing to migrate: libvirt has no Open "
			       "vSwitch network, no host bridge network "
			       "named by --uplink, and no domain on one."));
	else if (!a.uri && !a.outdir && !cli->json)
		fputs(p.items[0].xml, stdout);
	else if (carry_out(&p, &a, &err) < 0)
		ret = mvn_cmd_fail(cli, &err);
	else
		print_done(cli, &p, &a);
out:
	plan_free(&p);
	kv_free(a.ups, a.nups);
	kv_free(a.ren, a.nren);
	return ret;
}

static const struct mvn_operand migrate_operands[] = {
	{ "FILE...", N_("network and domain documents; - is standard input") },
	{ NULL, NULL },
};

static const struct mvn_opt migrate_opts[] = {
	{ "uplink", required_argument, 'u', "BRIDGE=DEV",
	  N_("the LAN device of bridge (or network) BRIDGE; repeatable") },
	{ "mode", required_argument, 'm', "MODE",
	  N_("bridge (default), vepa, private or passthrough") },
	{ "direct", no_argument, 'd', NULL,
	  N_("make type='direct' interfaces on the uplink instead") },
	{ "strict", no_argument, 's', NULL,
	  N_("refuse when anything would be lost") },
	{ "rename", required_argument, 'n', "OLD=NEW",
	  N_("give migrated network OLD the name NEW; repeatable") },
	{ "output-dir", required_argument, 'o', "DIR",
	  N_("write the results to DIR (needed for several files)") },
	{ "connect", required_argument, 'c', "URI",
	  N_("read the networks and their domains from libvirt") },
	{ "apply", no_argument, 'a', NULL,
	  N_("define the results in libvirt (needs --connect)") },
	{ NULL, 0, 0, NULL, NULL },
};

const struct mvn_cmd mvn_cmd_migrate_ovs = {
	.name = "migrate-ovs",
	.args = "[--uplink BRIDGE=DEV]... [--mode MODE] [--direct] "
		"[--strict] [--rename OLD=NEW]... [--output-dir DIR] "
		"[--connect URI [--apply]] [FILE...]",
	.summary = N_("convert Open vSwitch networks and domains to macvtap"),
	.help = N_(
		"Converts Open vSwitch bridge networks (<forward "
		"mode='bridge'/> with\n"
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
		"is reported on standard error as a warning.  Without "
		"--uplink, Open vSwitch\n"
		"(ovs-vsctl) or the Linux bridge in sysfs is asked.  With "
		"one FILE the\n"
		"result goes to standard output.  Nothing is written or "
		"defined when any\n"
		"document fails."),
	.operands = migrate_operands,
	.opts = migrate_opts,
	.short_keys = "o",
	.exec = migrate_exec,
};
