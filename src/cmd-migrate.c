/*
 * migrate-ovs: Open vSwitch (and host bridge) networks and the domains on
 * them, from files or from libvirt, to macvtap.  Everything is converted
 * and validated before anything is written or defined; a refusal of
 * libvirt part way through puts back what was already defined.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
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
#include "util.h"

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
	virConnectPtr conn;
};

static void report(void *ctx, enum mvn_ovs_level level, const char *doc,
		   int line, const char *msg)
{
	char buf[512];

	(void)ctx;
	doc = mvn_shown(doc, buf, sizeof(buf));
	if (line > 0)
		fprintf(stderr, "macvnet: %s %s:%d: %s\n",
			level == MVN_OVS_WARN ? _("warning:") : _("note:"), doc,
			line, msg);
	else
		fprintf(stderr, "macvnet: %s %s: %s\n",
			level == MVN_OVS_WARN ? _("warning:") : _("note:"), doc,
			msg);
}

/*
 * A name from libvirt or argv made safe for one line of a message (a
 * static buffer: one use per statement).
 */
static const char *shown_name(const char *s)
{
	static char buf[256];

	return mvn_shown(s ? s : "?", buf, sizeof(buf));
}

static void quiet(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static const char *virt_msg(void)
{
	const char *s = virGetLastErrorMessage();

	return s ? s : _("unknown libvirt error");
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

static void plan_free(struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		free(p->items[i].name);
		free(p->items[i].new_name);
		free(p->items[i].orig);
		free(p->items[i].xml);
	}
	free(p->items);
	mvn_ovs_free(p->m);
	if (p->conn)
		virConnectClose(p->conn);
}

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

	if (p->conn && net->uuid_generated) {
		virNetworkPtr old = virNetworkLookupByName(p->conn, net->name);

		if (old && virNetworkGetUUID(old, net->uuid) == 0)
			net->uuid_generated = false;
		if (old)
			virNetworkFree(old);
	}
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

/*
 * Read the files, each once (standard input can be read only once), then
 * migrate the networks first, so that domains can name them.
 */
static int take_files(struct plan *p, char **files, int nfiles,
		      struct mvn_error *err)
{
	char **texts = calloc((size_t)nfiles + 1, sizeof(*texts));
	size_t *lens = calloc((size_t)nfiles + 1, sizeof(*lens));
	bool *is_net = calloc((size_t)nfiles + 1, sizeof(*is_net));
	int pass, i, ret = 0;

	if (!texts || !lens || !is_net)
		ret = -ENOMEM;
	for (i = 0; i < nfiles && ret == 0; i++) {
		const char *kind = NULL;

		ret = mvn_doc_read(files[i], &texts[i], &lens[i], err);
		if (ret == 0)
			ret = mvn_schema_validate(p->schema, texts[i], lens[i],
						  files[i], &kind, err);
		if (ret == 0 && strcmp(kind, "network") &&
		    strcmp(kind, "domain"))
			ret = mvn_error_set(err, -EINVAL,
					    _("%1$s: a <%2$s> document; "
					      "migrate-ovs reads <network> and "
					      "<domain> documents"),
					    files[i], kind);
		if (ret == 0)
			is_net[i] = !strcmp(kind, "network");
	}
	for (pass = 0; pass < 2 && ret == 0; pass++) {
		for (i = 0; i < nfiles && ret == 0; i++) {
			struct item *it;

			if (pass == 0 && is_net[i]) {
				struct mvn_network *net = NULL;

				ret = mvn_network_parse(texts[i], lens[i],
							files[i], &net, err);
				if (ret == 0)
					ret = take_network(p, net, texts[i],
							   lens[i], files[i],
							   err);
				mvn_network_free(net);
				if (ret == 0)
					p->items[p->nitems - 1].file = files[i];
				continue;
			}
			if (pass == 0 || is_net[i])
				continue;
			it = add_item(p, false);
			if (!it || !(it->orig = strndup(texts[i], lens[i]))) {
				ret = -ENOMEM;
				break;
			}
			it->file = files[i];
			ret = mvn_ovs_domain(p->m, texts[i], lens[i], files[i],
					     &it->xml, &it->count, err);
			if (ret == 0 && !it->count)
				ret = mvn_error_set(
					err, -EINVAL,
					_("%s: no interface of this domain is "
					  "on Open vSwitch, on a given network "
					  "or on a bridge given with --uplink; "
					  "there is nothing to migrate"),
					files[i]);
		}
	}
	for (i = 0; texts && i < nfiles; i++)
		free(texts[i]);
	free(texts);
	free(lens);
	free(is_net);
	if (ret == -ENOMEM)
		return mvn_error_set(err, ret, _("out of memory"));
	return ret;
}

/*
 * The persistent definition of a network; drivers without inactive
 * definitions (the test driver) refuse the flag and give the one there is.
 */
static char *net_xml(virNetworkPtr n, bool *live)
{
	char *xml = virNetworkGetXMLDesc(n, VIR_NETWORK_XML_INACTIVE);

	if (live)
		*live = false;
	if (!xml && virGetLastErrorCode() == VIR_ERR_INVALID_ARG) {
		xml = virNetworkGetXMLDesc(n, 0);
		/* An active network's is then its running definition. */
		if (live)
			*live = virNetworkIsActive(n) == 1;
	}
	return xml;
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
	bool yes = false;
	size_t i;

	if (mvn_network_parse(text, len, doc, &net, &e) < 0) {
		p->m->nwarn++;
		fprintf(stderr, "macvnet: %s %s (%s)\n", _("warning:"), e.msg,
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

/* Read the networks and the domains on them from libvirt. */
static int take_libvirt(struct plan *p, struct mvn_error *err)
{
	virNetworkPtr *nets = NULL;
	virDomainPtr *doms = NULL;
	int nn, nd, i, ret = 0;

	nn = virConnectListAllNetworks(p->conn, &nets, 0);
	if (nn < 0)
		return mvn_error_set(err, -EIO,
				     _("cannot list libvirt's networks: %s"),
				     virt_msg());
	for (i = 0; i < nn && ret == 0; i++) {
		char *xml = net_xml(nets[i], NULL);
		struct mvn_network *net = NULL;
		char doc[300];

		snprintf(doc, sizeof(doc), "network %s",
			 shown_name(virNetworkGetName(nets[i])));
		if (!xml)
			ret = mvn_error_set(err, -EIO,
					    _("cannot read %1$s from libvirt: "
					      "%2$s"),
					    doc, virt_msg());
		else if (!wanted(p, xml, strlen(xml), doc, &net))
			net = NULL; /* not on a bridge to migrate */
		else if (virNetworkIsPersistent(nets[i]) != 1) {
			p->m->nwarn++;
			fprintf(stderr, "macvnet: %s %s: %s\n", _("warning:"),
				doc,
				_("a transient network cannot be redefined; "
				  "it is left as it is (define it, then "
				  "migrate it)"));
		} else {
			ret = take_network(p, net, xml, strlen(xml), doc, err);
			if (ret == 0) {
				struct item *it = &p->items[p->nitems - 1];

				it->active = virNetworkIsActive(nets[i]) == 1;
				it->persistent =
					virNetworkIsPersistent(nets[i]) == 1;
				/* Under a new name it is a new network. */
				it->existed = !strcmp(it->name, it->new_name);
			}
		}
		mvn_network_free(net);
		free(xml);
	}
	for (i = 0; i < nn; i++)
		virNetworkFree(nets[i]);
	free(nets);
	if (ret < 0)
		return ret;
	nd = virConnectListAllDomains(p->conn, &doms, 0);
	if (nd < 0)
		return mvn_error_set(err, -EIO,
				     _("cannot list libvirt's domains: %s"),
				     virt_msg());
	for (i = 0; i < nd && ret == 0; i++) {
		char *xml = virDomainGetXMLDesc(doms[i],
						VIR_DOMAIN_XML_INACTIVE |
							VIR_DOMAIN_XML_SECURE);
		char doc[300];
		struct item *it;

		snprintf(doc, sizeof(doc), "domain %s",
			 shown_name(virDomainGetName(doms[i])));
		if (!xml) {
			ret = mvn_error_set(err, -EIO,
					    _("cannot read %1$s from libvirt: "
					      "%2$s"),
					    doc, virt_msg());
			break;
		}
		it = add_item(p, false);
		if (!it) {
			free(xml);
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
			break;
		}
		it->orig = xml;
		it->name = strdup(virDomainGetName(doms[i]));
		it->active = virDomainIsActive(doms[i]) == 1;
		it->persistent = virDomainIsPersistent(doms[i]) == 1;
		it->existed = true;
		ret = mvn_ovs_domain(p->m, xml, strlen(xml), doc, &it->xml,
				     &it->count, err);
		if (ret == 0 && it->count && !it->persistent) {
			p->m->nwarn++;
			fprintf(stderr, "macvnet: %s %s: %s\n", _("warning:"),
				doc,
				_("a transient domain cannot be redefined; it "
				  "keeps Open vSwitch until it is created "
				  "again from migrated XML"));
			it->count = 0;
		}
		if (ret == 0 && !it->count) {
			/* Not on a migrated network: leave it out. */
			free(it->name);
			free(it->orig);
			free(it->xml);
			p->nitems--;
		}
	}
	for (i = 0; i < nd; i++)
		virDomainFree(doms[i]);
	free(doms);
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
				o->renames[i].key, o->renames[i].value);
	for (i = 0; i < o->nuplinks; i++)
		if (!p->m->uplink_used[i]) {
			fprintf(stderr, "macvnet: %s ", _("note:"));
			fprintf(stderr,
				_("--uplink %1$s=%2$s was not used: no migrated "
				  "network or interface is on a bridge or "
				  "network '%1$s'\n"),
				o->uplinks[i].key, o->uplinks[i].value);
		}
	return 0;
}

/* The results pass macvnet's schemas and checks, as libvirt will. */
static int check_results(struct plan *p, struct mvn_error *err)
{
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		struct item *it = &p->items[i];
		const char *kind = NULL;
		char doc[300];
		int ret;

		snprintf(doc, sizeof(doc),
			 it->is_net ? _("migrated network %s") :
				      _("migrated domain %s"),
			 shown_name(it->file ? it->file : it->name));
		ret = mvn_schema_validate(p->schema, it->xml, strlen(it->xml),
					  doc, &kind, err);
		if (ret == 0 && it->is_net) {
			struct mvn_network *net = NULL;

			ret = mvn_network_parse(it->xml, strlen(it->xml), doc,
						&net, err);
			if (ret == 0)
				ret = mvn_check_network(net, doc, err);
			if (ret == 0)
				ret = mvn_check_runnable(net, doc, NULL, err);
			mvn_network_free(net);
		} else if (ret == 0) {
			struct mvn_domain *dom = NULL;

			ret = mvn_domain_parse(it->xml, strlen(it->xml), doc,
					       &dom, err);
			if (ret == 0 && !it->name) {
				it->name = strdup(dom->name);
				if (!it->name)
					ret = -ENOMEM;
			}
			mvn_domain_free(dom);
		}
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* The one line the plan says about an item. */
static void describe(const struct plan *p, const struct item *it)
{
	const struct mvn_ovs_net *net = it->is_net ? &p->m->nets[it->net] :
						     NULL;

	char ups[256];
	size_t i, used = 0;

	if (!it->is_net) {
		printf(P_("domain '%1$s': %2$u interface moves to "
			  "macvtap",
			  "domain '%1$s': %2$u interfaces move to "
			  "macvtap",
			  it->count),
		       it->name, it->count);
		putchar('\n');
		return;
	}
	ups[0] = '\0';
	for (i = 0; i < net->nuplinks && used < sizeof(ups); i++)
		used += snprintf(ups + used, sizeof(ups) - used, "%s%s",
				 i ? ", " : "", net->uplinks[i]);
	if (strcmp(it->name, it->new_name))
		printf(_("network '%1$s' -> new network '%2$s': %3$s over "
			 "%4$s\n"),
		       it->name, it->new_name,
		       net->kind == MVN_OVS_KIND_OVS ?
			       _("Open vSwitch bridge to macvtap") :
			       _("host bridge to macvtap"),
		       ups);
	else
		printf(_("network '%1$s': %2$s over %3$s\n"), it->name,
		       net->kind == MVN_OVS_KIND_OVS ?
			       _("Open vSwitch bridge to macvtap") :
			       _("host bridge to macvtap"),
		       ups);
}

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

/*
 * Before anything is written or defined: the output directory exists, is
 * not open to other users' renames, and no output would land on an input
 * or on another output.
 */
static int prepare_out(struct plan *p, const char *dir, char *const *inputs,
		       int ninputs, bool originals, struct mvn_error *err)
{
	char name[600], path[4096], other[600];
	struct stat sb, in, out;
	size_t i, j, k, l;
	int n;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     dir, strerror(errno));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mvn_error_set(err, -ENOTDIR, _("%s is not a directory"),
				     dir);
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !(sb.st_mode & S_ISVTX))
		return mvn_error_set(err, -EPERM,
				     _("%s is writable by other users, who "
				       "could replace the files written "
				       "there; choose a private --output-dir"),
				     dir);
	for (i = 0; i < p->nitems; i++) {
		for (k = 0; k < (originals ? 2u : 1u); k++) {
			out_name(&p->items[i], k, name, sizeof(name));
			n = snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (n < 0 || (size_t)n >= sizeof(path))
				return mvn_error_set(err, -ENAMETOOLONG,
						     _("path too long"));
			for (j = 0; j < (size_t)ninputs; j++)
				if (stat(inputs[j], &in) == 0 &&
				    stat(path, &out) == 0 &&
				    in.st_dev == out.st_dev &&
				    in.st_ino == out.st_ino)
					return mvn_error_set(
						err, -EEXIST,
						_("%s would overwrite an input "
						  "file; choose another "
						  "--output-dir"),
						path);
			for (j = 0; j <= i; j++)
				for (l = 0; l < (originals ? 2u : 1u); l++) {
					if (j == i && l >= k)
						break;
					out_name(&p->items[j], l, other,
						 sizeof(other));
					if (!strcmp(name, other))
						return mvn_error_set(
							err, -EEXIST,
							_("two documents would "
							  "both be written as "
							  "%1$s/%2$s; migrate "
							  "them in two runs"),
							dir, name);
				}
		}
	}
	return 0;
}

static int write_full(int fd, const char *data, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Write text to the temporary file of dir/name. */
static int stage(const char *dir, const char *name, const char *text,
		 struct mvn_error *err)
{
	char tmp[4200];
	int fd, e;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	unlink(tmp);
	/* Domains from libvirt carry their secrets (VIR_DOMAIN_XML_SECURE). */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     tmp, strerror(errno));
	if (write_full(fd, text, strlen(text)) < 0 || fsync(fd) < 0) {
		e = errno;
		close(fd);
		unlink(tmp);
		return mvn_error_set(err, -e, _("cannot write %1$s: %2$s"), tmp,
				     strerror(e));
	}
	if (close(fd) < 0) {
		e = errno;
		unlink(tmp);
		return mvn_error_set(err, -e, _("cannot write %1$s: %2$s"), tmp,
				     strerror(e));
	}
	return 0;
}

/*
 * Write every output: all temporary files first, then the renames, so
 * that a failure leaves the directory as it was.
 */
static int write_all(struct plan *p, const char *dir, bool originals,
		     struct mvn_error *err)
{
	size_t per = originals ? 2 : 1, n = p->nitems * per, staged, j;
	char name[600], tmp[4200], path[4096];
	int ret = 0, fd;

	/* Output j is item j / per, its original when j % per is 1. */
	for (staged = 0; staged < n && ret == 0; staged++) {
		const struct item *it = &p->items[staged / per];
		const char *text = staged % per ? it->orig : it->xml;

		out_name(it, staged % per, name, sizeof(name));
		ret = stage(dir, name, text ? text : "", err);
	}
	if (ret < 0)
		staged--;
	for (j = 0; j < staged; j++) {
		out_name(&p->items[j / per], j % per, name, sizeof(name));
		snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (ret == 0 && rename(tmp, path) < 0)
			ret = mvn_error_set(err, -errno,
					    _("cannot create %1$s: %2$s"), path,
					    strerror(errno));
		if (ret < 0)
			unlink(tmp);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	return ret;
}

/*
 * Put back what libvirt had before items [0, done).  Returns how many
 * could not be put back; *what names the first of them.
 */
static unsigned int roll_back(struct plan *p, size_t done, const char **what)
{
	unsigned int failed = 0;

	*what = NULL;
	while (done-- > 0) {
		struct item *it = &p->items[done];
		const char *name = it->is_net ? it->new_name : it->name;
		bool ok = false;

		if (it->is_net && (!it->existed || !it->persistent)) {
			virNetworkPtr n = virNetworkLookupByName(p->conn, name);

			ok = n && virNetworkUndefine(n) == 0;
			if (n)
				virNetworkFree(n);
		} else if (it->is_net) {
			virNetworkPtr n =
				virNetworkDefineXML(p->conn, it->orig);

			ok = n != NULL;
			if (n)
				virNetworkFree(n);
		} else if (it->existed && it->persistent) {
			virDomainPtr d = virDomainDefineXML(p->conn, it->orig);

			ok = d != NULL;
			if (d)
				virDomainFree(d);
		} else {
			virDomainPtr d = virDomainLookupByName(p->conn, name);

			ok = d && virDomainUndefine(d) == 0;
			if (d)
				virDomainFree(d);
		}
		if (!ok && !failed++)
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
				     why, what, failed - 1);
	return mvn_error_set(err, -EIO,
			     _("%s; everything defined before was put back"),
			     why);
}

/*
 * Define one item in libvirt; from then on it->xml is what libvirt holds.
 * Returns -1 when libvirt refuses it (its error is libvirt's last).
 */
static int define_one(struct plan *p, struct item *it)
{
	char *back = NULL;
	bool live = false;

	if (it->is_net) {
		virNetworkPtr n = virNetworkDefineXML(p->conn, it->xml);

		if (!n)
			return -1;
		back = net_xml(n, &live);
		virNetworkFree(n);
	} else {
		virDomainPtr d = virDomainDefineXML(p->conn, it->xml);

		if (!d)
			return -1;
		back = virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE |
						      VIR_DOMAIN_XML_SECURE);
		virDomainFree(d);
	}
	if (back && !live) {
		free(it->xml);
		it->xml = back;
	} else {
		free(back);
	}
	return 0;
}

/* Define everything in libvirt, all or nothing. */
static int apply(struct plan *p, struct mvn_error *err)
{
	size_t i;

	/* What libvirt has now is what a failure puts back. */
	for (i = 0; i < p->nitems; i++) {
		struct item *it = &p->items[i];
		char *now = NULL;

		if (it->existed)
			continue;
		if (it->is_net) {
			virNetworkPtr n =
				virNetworkLookupByName(p->conn, it->new_name);

			if (n && strcmp(it->name, it->new_name)) {
				virNetworkFree(n);
				return mvn_error_set(
					err, -EEXIST,
					_("libvirt already has a network "
					  "'%1$s'; choose another name with "
					  "--rename %2$s=NAME (nothing was "
					  "changed)"),
					it->new_name, it->name);
			}
			if (n) {
				now = net_xml(n, NULL);
				it->active = virNetworkIsActive(n) == 1;
				it->persistent = virNetworkIsPersistent(n) == 1;
				virNetworkFree(n);
			}
		} else {
			virDomainPtr d =
				virDomainLookupByName(p->conn, it->name);

			if (d) {
				now = virDomainGetXMLDesc(
					d, VIR_DOMAIN_XML_INACTIVE |
						   VIR_DOMAIN_XML_SECURE);
				it->active = virDomainIsActive(d) == 1;
				it->persistent = virDomainIsPersistent(d) == 1;
				virDomainFree(d);
			}
		}
		if (now) {
			free(it->orig);
			it->orig = now;
			it->existed = true;
		}
	}
	for (i = 0; i < p->nitems; i++) {
		const struct item *it = &p->items[i];
		char why[700];

		if (define_one(p, &p->items[i]) == 0)
			continue;
		if (it->is_net)
			snprintf(
				why, sizeof(why),
				_("libvirt refused the migrated network '%1$s' "
				  "(%2$s)"),
				it->new_name, virt_msg());
		else
			snprintf(why, sizeof(why),
				 _("libvirt refused the migrated domain '%1$s' "
				   "(%2$s)"),
				 it->name, virt_msg());
		return rolled_back(p, i, why, err);
	}
	return 0;
}

static void after_apply(const struct plan *p)
{
	size_t i;

	for (i = 0; i < p->nitems; i++) {
		const struct item *it = &p->items[i];

		if (it->is_net) {
			printf(_("Defined network '%s'.\n"), it->new_name);
			if (it->active && !strcmp(it->name, it->new_name))
				printf(_("  It is active and stays on its "
					 "bridge until restarted: virsh "
					 "net-destroy %1$s; virsh net-start "
					 "%1$s (once its guests are "
					 "stopped).\n"),
				       it->name);
			else if (strcmp(it->name, it->new_name))
				printf(_("  Start it: virsh net-start %1$s; "
					 "virsh net-autostart %1$s\n"),
				       it->new_name);
		} else {
			printf(_("Defined domain '%s'.\n"), it->name);
			if (it->active)
				printf(_("  It is running: restart it (virsh "
					 "shutdown %1$s, then virsh start "
					 "%1$s) to use macvtap.\n"),
				       it->name);
		}
	}
}

static int migrate_exec(struct mvn_engine *eng, int argc, char **argv)
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
	struct mvn_ovs_opts o = { .mode = MVN_FWD_BRIDGE, .discover = true };
	struct mvn_kv *ups = NULL, *ren = NULL;
	size_t nups = 0, nren = 0, i;
	const char *outdir = NULL, *uri = NULL;
	struct mvn_error err = { 0 };
	struct plan p = { 0 };
	bool strict = false, do_apply = false;
	int c, ret = 0, mode;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
		case 'n':
			ret = parse_kv(optarg, c == 'u' ? &ups : &ren,
				       c == 'u' ? &nups : &nren);
			if (ret == -EINVAL) {
				ret = mvn_cmd_usage(
					&mvn_cmd_migrate_ovs,
					c == 'u' ? _("--uplink takes "
						     "BRIDGE=DEV (or "
						     "NETWORK=DEV)") :
						   _("--rename takes OLD=NEW"));
				goto out;
			}
			if (ret < 0) {
				mvn_error_set(&err, ret, _("out of memory"));
				ret = mvn_cmd_fail(&err);
				goto out;
			}
			break;
		case 'm':
			mode = mvn_fwd_mode_from_name(optarg);
			if (mode < 0 ||
			    !mvn_fwd_mode_is_macvtap((enum mvn_fwd_mode)mode)) {
				ret = mvn_cmd_usage(
					&mvn_cmd_migrate_ovs,
					_("--mode is one of bridge, vepa, "
					  "private, passthrough"));
				goto out;
			}
			o.mode = (enum mvn_fwd_mode)mode;
			break;
		case 'd':
			o.direct = true;
			break;
		case 's':
			strict = true;
			break;
		case 'o':
			outdir = optarg;
			break;
		case 'c':
			uri = optarg;
			break;
		case 'a':
			do_apply = true;
			break;
		case ':': {
			char why[200];

			snprintf(why, sizeof(why), _("%s needs a value"),
				 argv[optind - 1]);
			ret = mvn_cmd_usage(&mvn_cmd_migrate_ovs, why);
			goto out;
		}
		default:
			ret = mvn_cmd_usage(&mvn_cmd_migrate_ovs,
					    _("unknown option"));
			goto out;
		}
	}
	if (do_apply && !uri) {
		ret = mvn_cmd_usage(&mvn_cmd_migrate_ovs,
				    _("--apply needs --connect URI"));
		goto out;
	}
	if (optind == argc && !uri) {
		ret = mvn_cmd_usage(&mvn_cmd_migrate_ovs,
				    _("give network or domain files, or "
				      "--connect URI"));
		goto out;
	}
	if (argc - optind > 1 && !outdir && !uri) {
		ret = mvn_cmd_usage(&mvn_cmd_migrate_ovs,
				    _("several files need --output-dir DIR"));
		goto out;
	}
	for (i = 0; i < nups; i++)
		if (!mvn_ovs_uplink_name_ok(ups[i].value)) {
			mvn_error_set(&err, -EINVAL,
				      _("--uplink %1$s=%2$s: '%2$s' is not an "
					"interface name macvnet takes (1 to 15 "
					"letters, digits, '_', '.' or '-')"),
				      ups[i].key, ups[i].value);
			ret = mvn_cmd_fail(&err);
			goto out;
		}
	for (i = 0; i < nren; i++)
		if (strchr(ren[i].value, '/') || strchr(ren[i].value, '\n') ||
		    strlen(ren[i].value) > 200) {
			mvn_error_set(&err, -EINVAL,
				      _("--rename %1$s=%2$s: '%2$s' cannot "
					"name a network (at most 200 bytes, "
					"no '/' or line break)"),
				      ren[i].key, ren[i].value);
			ret = mvn_cmd_fail(&err);
			goto out;
		}
	o.uplinks = ups;
	o.nuplinks = nups;
	o.renames = ren;
	o.nrenames = nren;
	o.report = report;
	p.m = mvn_ovs_new(&o);
	if (!p.m) {
		mvn_error_set(&err, -ENOMEM, _("out of memory"));
		ret = mvn_cmd_fail(&err);
		goto out;
	}
	ret = mvn_engine_schema(eng, &p.schema, &err);
	if (ret == 0 && uri) {
		virSetErrorFunc(NULL, quiet);
		p.conn = virConnectOpen(uri);
		if (!p.conn)
			ret = mvn_error_set(&err, -EIO,
					    _("cannot connect to libvirt at "
					      "%1$s: %2$s"),
					    uri, virt_msg());
	}
	if (ret == 0)
		ret = optind < argc ? take_files(&p, argv + optind,
						 argc - optind, &err) :
				      take_libvirt(&p, &err);
	if (ret == 0)
		ret = unused_keys(&p, &err);
	if (ret == 0)
		ret = check_results(&p, &err);
	if (ret == 0 && strict && p.m->nwarn)
		ret = mvn_error_set(&err, -EINVAL,
				    P_("--strict: %u thing above cannot "
				       "become macvtap; nothing was "
				       "migrated",
				       "--strict: %u things above "
				       "cannot become macvtap; nothing "
				       "was migrated",
				       p.m->nwarn),
				    p.m->nwarn);
	if (ret < 0) {
		ret = mvn_cmd_fail(&err);
		goto out;
	}
	if (!uri && !outdir) {
		fputs(p.items[0].xml, stdout);
		goto out;
	}
	if (!p.nitems) {
		printf("%s\n", _("Nothing to migrate: libvirt has no Open "
				 "vSwitch network, no host bridge network "
				 "named by --uplink, and no domain on "
				 "one."));
		goto out;
	}
	if (outdir && prepare_out(&p, outdir, argv + optind, argc - optind,
				  uri != NULL, &err) < 0) {
		ret = mvn_cmd_fail(&err);
		goto out;
	}
	if (do_apply && apply(&p, &err) < 0) {
		ret = mvn_cmd_fail(&err);
		goto out;
	}
	if (outdir && write_all(&p, outdir, uri != NULL, &err) < 0) {
		/* libvirt was changed: without the files, it goes back. */
		if (do_apply) {
			char why[600];

			snprintf(why, sizeof(why), "%s", err.msg);
			rolled_back(&p, p.nitems, why, &err);
		}
		ret = mvn_cmd_fail(&err);
		goto out;
	}
	for (i = 0; i < p.nitems; i++)
		describe(&p, &p.items[i]);
	if (do_apply)
		after_apply(&p);
	else if (uri)
		printf("%s\n", _("Nothing was changed; run again with --apply "
				 "to define these in libvirt."));
	if (outdir)
		printf(_("Wrote the migrated documents to %s.\n"), outdir);
out:
	plan_free(&p);
	kv_free(ups, nups);
	kv_free(ren, nren);
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
