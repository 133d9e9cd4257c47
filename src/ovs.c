/*
 * Open vSwitch to macvtap migration: networks are rewritten through the
 * network model (so the result is printed in libvirt's canonical form),
 * domains through their XML tree (so everything but the migrated
 * interfaces stays as written).
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ovs.h"
#include "util.h"
#include "xml.h"

extern char **environ;

/* What a helper program may print before macvnet stops reading. */
#define MVN_OVS_OUTPUT_MAX (1024 * 1024)

struct mvn_ovs *mvn_ovs_new(const struct mvn_ovs_opts *opts)
{
	struct mvn_ovs *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->opts = *opts;
	m->uplink_used = calloc(opts->nuplinks + 1, sizeof(bool));
	m->rename_used = calloc(opts->nrenames + 1, sizeof(bool));
	if (!m->uplink_used || !m->rename_used) {
		mvn_ovs_free(m);
		return NULL;
	}
	return m;
}

static void strv_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void mvn_ovs_free(struct mvn_ovs *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->nnets; i++) {
		free(m->nets[i].old_name);
		free(m->nets[i].new_name);
		free(m->nets[i].bridge);
		strv_free(m->nets[i].uplinks, m->nets[i].nuplinks);
		free(m->nets[i].xml);
	}
	free(m->nets);
	for (i = 0; i < m->nfound; i++) {
		free(m->found[i].bridge);
		strv_free(m->found[i].devs, m->found[i].ndevs);
	}
	free(m->found);
	free(m->uplink_used);
	free(m->rename_used);
	free(m);
}

static void report(struct mvn_ovs *m, enum mvn_ovs_level level, const char *doc,
		   int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void report(struct mvn_ovs *m, enum mvn_ovs_level level, const char *doc,
		   int line, const char *fmt, ...)
{
	char msg[1024], shown[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == MVN_OVS_WARN)
		m->nwarn++;
	/* Names from the documents in it: one line, whatever they hold. */
	if (m->opts.report)
		m->opts.report(m->opts.report_ctx, level, doc, line,
			       mvn_shown(msg, shown, sizeof(shown)));
}

static int oom(struct mvn_error *err)
{
	return mvn_error_set(err, -ENOMEM, _("out of memory"));
}

static int strv_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return -ENOMEM;
	(*n)++;
	return 0;
}

static bool strv_has(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

/* "a, b, c" for messages. */
static void strv_join(char *const *v, size_t n, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < n && used < size; i++)
		used += snprintf(out + used, size - used, "%s%s", i ? ", " : "",
				 v[i]);
}

/* The uplinks given on the command line for key (a bridge or network). */
static int given_uplinks(struct mvn_ovs *m, const char *key, char ***devs,
			 size_t *ndevs)
{
	size_t i;

	for (i = 0; key && i < m->opts.nuplinks; i++) {
		if (strcmp(m->opts.uplinks[i].key, key))
			continue;
		m->uplink_used[i] = true;
		if (strv_has(*devs, *ndevs, m->opts.uplinks[i].value))
			continue;
		if (strv_add(devs, ndevs, m->opts.uplinks[i].value) < 0)
			return -ENOMEM;
	}
	return 0;
}

static bool has_uplink_for(struct mvn_ovs *m, const char *key)
{
	bool found = false;
	size_t i;

	for (i = 0; key && i < m->opts.nuplinks; i++)
		if (!strcmp(m->opts.uplinks[i].key, key))
			found = m->uplink_used[i] = true;
	return found;
}

bool mvn_ovs_uplink_name_ok(const char *dev)
{
	const char *p;

	if (!mvn_ifname_valid(dev) || dev[0] == '-')
		return false;
	for (p = dev; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			return false;
	return true;
}

static const char *renamed(struct mvn_ovs *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->opts.nrenames; i++)
		if (!strcmp(m->opts.renames[i].key, name)) {
			m->rename_used[i] = true;
			return m->opts.renames[i].value;
		}
	return name;
}

/* Text from another program, safe to print: control bytes become '?'. */
static void printable(char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* ---- Asking Open vSwitch ------------------------------------------- */

/*
 * Run argv (found in PATH) without a shell and collect what it prints.
 * Returns its exit status, or a negative errno when it could not be run
 * (-ENOENT: not installed).
 */
static int run_capture(const char *const argv[], char **out, char **errout)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status, ret;
	posix_spawn_file_actions_t fa;
	struct mvn_buf bo = { 0 }, be = { 0 };
	struct pollfd pfd[2];
	bool toolong = false;
	pid_t pid;

	*out = *errout = NULL;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		ret = -errno;
		goto fail;
	}
	ret = posix_spawn_file_actions_init(&fa);
	if (ret) {
		ret = -ret;
		goto fail;
	}
	ret = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
					       0);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	if (!ret)
		ret = posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	if (!ret)
		ret = posix_spawnp(&pid, argv[0], &fa, NULL,
				   (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (ret) {
		ret = -ret;
		goto fail;
	}
	pfd[0].fd = po[0];
	pfd[1].fd = pe[0];
	pfd[0].events = pfd[1].events = POLLIN;
	while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
		int k;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (k = 0; k < 2; k++) {
			struct mvn_buf *b = k ? &be : &bo;
			char chunk[4096];
			ssize_t n;

			if (pfd[k].fd < 0 || !pfd[k].revents)
				continue;
			n = read(pfd[k].fd, chunk, sizeof(chunk));
			if (n > 0 && b->len < MVN_OVS_OUTPUT_MAX)
				mvn_buf_add(b, chunk, (size_t)n);
			else if (n > 0)
				toolong = true; /* drained, not kept */
			else if (n == 0 || errno != EINTR)
				pfd[k].fd = -1; /* closed below */
		}
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			ret = -errno;
			mvn_buf_free(&bo);
			mvn_buf_free(&be);
			return ret;
		}
	}
	mvn_buf_add(&bo, "", 0);
	mvn_buf_add(&be, "", 0);
	if (bo.oom || be.oom || toolong) {
		mvn_buf_free(&bo);
		mvn_buf_free(&be);
		return toolong ? -E2BIG : -ENOMEM;
	}
	*out = bo.data;
	*errout = be.data;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
fail:
	for (status = 0; status < 2; status++) {
		if (po[status] >= 0)
			close(po[status]);
		if (pe[status] >= 0)
			close(pe[status]);
	}
	return ret;
}

/* The first line of s, without its end (in place). */
static char *first_line(char *s)
{
	char *nl;

	if (!s)
		return (char *)"";
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	printable(s);
	return s;
}

/* Next field of a CSV line (ovs-vsctl --format=csv); NULL at the end. */
static char *csv_field(char **cursor)
{
	char *s = *cursor, *out, *w;

	if (!s)
		return NULL;
	if (*s != '"') {
		char *comma = strchr(s, ',');

		*cursor = comma ? comma + 1 : NULL;
		if (comma)
			*comma = '\0';
		return s;
	}
	out = w = ++s;
	while (*s) {
		if (*s == '"' && s[1] == '"') {
			*w++ = '"';
			s += 2;
		} else if (*s == '"') {
			s++;
			break;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
	*cursor = *s == ',' ? s + 1 : NULL;
	return out;
}

struct ovs_iface {
	char *name, *type;
	bool vm; /* external ids that libvirt (or another manager) sets */
};

static bool is_vm_ids(const char *ids)
{
	static const char *const keys[] = { "attached-mac=", "iface-id=",
					    "vm-uuid=", "vm-id=" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *p = strstr(ids, keys[i]);

		if (p && (p == ids || p[-1] == ' ' || p[-1] == ','))
			return true;
	}
	return false;
}

/* A tap device of a local VM: /sys/class/net/DEV/tun_flags exists. */
static bool is_tap(const char *dev)
{
	char path[320];
	struct stat sb;

	snprintf(path, sizeof(path), "/sys/class/net/%s/tun_flags", dev);
	return stat(path, &sb) == 0;
}

/* libvirt's own tap names: vnetN and macvtapN. */
static bool libvirt_tap_name(const char *dev)
{
	const char *p = NULL;

	if (!strncmp(dev, "vnet", 4))
		p = dev + 4;
	else if (!strncmp(dev, "macvtap", 7))
		p = dev + 7;
	if (!p || !*p)
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '\0';
}

static int ovs_fail(const char *doc, const char *br, const char *why,
		    struct mvn_error *err)
{
	return mvn_error_set(err, -EINVAL,
			     _("%1$s: cannot ask Open vSwitch for the uplink "
			       "of bridge '%2$s' (%3$s): give it with "
			       "--uplink %2$s=DEV"),
			     doc, br, why);
}

/* Report the OpenFlow rules and controller that macvtap cannot keep. */
static void ovs_flows(struct mvn_ovs *m, const char *br, const char *doc)
{
	char *out = NULL, *errout = NULL, *line, *save = NULL;
	const char *const flows[] = { "ovs-ofctl", "--timeout=5", "dump-flows",
				      br, NULL };
	const char *const ctl[] = { "ovs-vsctl", "--timeout=5",
				    "get-controller", br, NULL };
	unsigned int n = 0;
	int rc;

	rc = run_capture(flows, &out, &errout);
	if (rc != 0) {
		report(m, MVN_OVS_WARN, doc, 0,
		       _("the OpenFlow rules of bridge '%1$s' could not be "
			 "read (%2$s): check them with 'ovs-ofctl dump-flows "
			 "%1$s'; macvtap switches by MAC address only"),
		       br, rc < 0 ? strerror(-rc) : first_line(errout));
	} else {
		for (line = strtok_r(out, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (!strstr(line, "actions="))
				continue;
			/* The rule every bridge starts with. */
			if (strstr(line, "priority=0 actions=NORMAL") ||
			    strstr(line, "priority=0,actions=NORMAL"))
				continue;
			n++;
		}
		if (n)
			report(m, MVN_OVS_WARN, doc, 0,
			       P_("bridge '%1$s' has %2$u OpenFlow rule "
				  "besides normal switching ('ovs-ofctl "
				  "dump-flows %1$s'); macvtap switches by "
				  "MAC address only and cannot apply it (a "
				  "hairpin rule is replaced by --mode vepa "
				  "on a switch with hairpin mode)",
				  "bridge '%1$s' has %2$u OpenFlow rules "
				  "besides normal switching ('ovs-ofctl "
				  "dump-flows %1$s'); macvtap switches by "
				  "MAC address only and cannot apply them (a "
				  "hairpin rule is replaced by --mode vepa "
				  "on a switch with hairpin mode)",
				  n),
			       br, n);
	}
	free(out);
	free(errout);
	rc = run_capture(ctl, &out, &errout);
	if (rc == 0 && first_line(out)[0])
		report(m, MVN_OVS_WARN, doc, 0,
		       _("bridge '%1$s' is run by the OpenFlow controller "
			 "%2$s; macvtap has no controller and its policies "
			 "end with the migration"),
		       br, out);
	free(out);
	free(errout);
}

static int discover_ovs(struct mvn_ovs *m, const char *br, const char *doc,
			char ***devs, size_t *ndevs, struct mvn_error *err)
{
	const char *const ports_argv[] = { "ovs-vsctl", "--timeout=5",
					   "list-ports", br, NULL };
	const char *const ifaces_argv[] = { "ovs-vsctl",
					    "--timeout=5",
					    "--format=csv",
					    "--data=bare",
					    "--no-headings",
					    "--columns=name,type,"
					    "external_ids",
					    "list",
					    "Interface",
					    NULL };
	char *ports = NULL, *ifaces = NULL, *errout = NULL;
	char *line, *save = NULL;
	struct ovs_iface *tab = NULL;
	size_t ntab = 0, i;
	int rc, ret = 0;

	rc = run_capture(ports_argv, &ports, &errout);
	if (rc == -ENOENT) {
		ret = mvn_error_set(err, -ENOENT,
				    _("%1$s: no uplink is known for bridge "
				      "'%2$s' and Open vSwitch (ovs-vsctl) "
				      "is not installed here: give it with "
				      "--uplink %2$s=DEV"),
				    doc, br);
		goto out;
	}
	if (rc != 0) {
		ret = ovs_fail(doc, br,
			       rc < 0 ? strerror(-rc) : first_line(errout),
			       err);
		goto out;
	}
	free(errout);
	errout = NULL;
	rc = run_capture(ifaces_argv, &ifaces, &errout);
	if (rc != 0) {
		ret = ovs_fail(doc, br,
			       rc < 0 ? strerror(-rc) : first_line(errout),
			       err);
		goto out;
	}
	for (line = strtok_r(ifaces, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *cur = line, *name = csv_field(&cur);
		char *type = csv_field(&cur), *ids = csv_field(&cur);
		struct ovs_iface *nt;

		if (!name || !*name)
			continue;
		nt = realloc(tab, (ntab + 1) * sizeof(*tab));
		if (!nt) {
			ret = oom(err);
			goto out;
		}
		tab = nt;
		tab[ntab].name = name;
		tab[ntab].type = type ? type : (char *)"";
		tab[ntab].vm = ids && is_vm_ids(ids);
		ntab++;
	}
	save = NULL;
	for (line = strtok_r(ports, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const struct ovs_iface *it = NULL;

		for (i = 0; i < ntab; i++)
			if (!strcmp(tab[i].name, line))
				it = &tab[i];
		printable(line);
		if (!it) {
			report(m, MVN_OVS_WARN, doc, 0,
			       _("port '%1$s' of bridge '%2$s' is an Open "
				 "vSwitch bond; macvtap needs one kernel "
				 "device: bond its interfaces in Linux (ip "
				 "link add %1$s type bond) and give --uplink "
				 "%2$s=%1$s"),
			       line, br);
			continue;
		}
		if (it->vm || !strcmp(it->type, "internal") ||
		    !strcmp(it->type, "tap") || is_tap(line) ||
		    libvirt_tap_name(line))
			continue;
		if (it->type[0] && strcmp(it->type, "system")) {
			printable(it->type);
			report(m, MVN_OVS_WARN, doc, 0,
			       _("port '%1$s' of bridge '%2$s' is of Open "
				 "vSwitch type '%3$s', which macvtap cannot "
				 "carry; its traffic does not reach the "
				 "migrated guests"),
			       line, br, it->type);
			continue;
		}
		if (!mvn_ifname_valid(line))
			continue;
		if (strv_add(devs, ndevs, line) < 0) {
			ret = oom(err);
			goto out;
		}
	}
	ovs_flows(m, br, doc);
	if (!*ndevs)
		ret = mvn_error_set(err, -ENOENT,
				    _("%1$s: Open vSwitch bridge '%2$s' has no "
				      "uplink port (only guests' and "
				      "internal ports): give the LAN device "
				      "with --uplink %2$s=DEV"),
				    doc, br);
out:
	free(tab);
	free(ports);
	free(ifaces);
	free(errout);
	return ret;
}

/* What a Linux bridge does that macvtap cannot: VLANs per port. */
static void linux_checks(struct mvn_ovs *m, const char *br, const char *doc)
{
	char path[320], *v = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/vlan_filtering",
		 br);
	if (mvn_file_read(path, 16, &v, &len) == 0 && v[0] == '1')
		report(m, MVN_OVS_WARN, doc, 0,
		       _("bridge '%1$s' filters VLANs per port (vlan_filtering "
			 "is on); macvtap cannot tag frames, so the VLANs of "
			 "its ports ('bridge vlan show') are lost"),
		       br);
	free(v);
}

static int discover_linux(struct mvn_ovs *m, const char *br, const char *doc,
			  char ***devs, size_t *ndevs, struct mvn_error *err)
{
	char path[320];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/class/net/%s/brif", br);
	d = opendir(path);
	if (!d)
		return mvn_error_set(err, -ENOENT,
				     _("%1$s: '%2$s' is not a Linux bridge on "
				       "this host, so its uplink is unknown: "
				       "give it with --uplink %2$s=DEV"),
				     doc, br);
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || is_tap(de->d_name) ||
		    libvirt_tap_name(de->d_name) ||
		    !mvn_ifname_valid(de->d_name))
			continue;
		if (strv_add(devs, ndevs, de->d_name) < 0) {
			closedir(d);
			return oom(err);
		}
	}
	closedir(d);
	linux_checks(m, br, doc);
	if (!*ndevs)
		return mvn_error_set(err, -ENOENT,
				     _("%1$s: Linux bridge '%2$s' has no "
				       "uplink port (only taps): give the LAN "
				       "device with --uplink %2$s=DEV"),
				     doc, br);
	return 0;
}

/* Keep what was found for bridge br (devs may be empty: checked only). */
static int remember(struct mvn_ovs *m, const char *br, char *const *devs,
		    size_t ndevs, struct mvn_error *err)
{
	struct mvn_ovs_found *nf, *f;
	size_t i;

	nf = realloc(m->found, (m->nfound + 1) * sizeof(*nf));
	if (!nf)
		return oom(err);
	m->found = nf;
	f = &nf[m->nfound++];
	memset(f, 0, sizeof(*f));
	f->bridge = strdup(br);
	if (!f->bridge)
		return oom(err);
	for (i = 0; i < ndevs; i++)
		if (strv_add(&f->devs, &f->ndevs, devs[i]) < 0)
			return oom(err);
	return 0;
}

/*
 * A bridge whose uplink was given: what Open vSwitch or the Linux bridge
 * here does that macvtap cannot is still reported, once.
 */
static int check_given(struct mvn_ovs *m, const char *br, bool ovs,
		       const char *doc, struct mvn_error *err)
{
	const char *const exists[] = { "ovs-vsctl", "--timeout=5", "br-exists",
				       br, NULL };
	char *out = NULL, *errout = NULL, path[320];
	struct stat sb;
	size_t i;
	int rc;

	if (!mvn_ifname_valid(br) || br[0] == '-')
		return 0;
	for (i = 0; i < m->nfound; i++)
		if (!strcmp(m->found[i].bridge, br))
			return 0;
	if (ovs) {
		rc = run_capture(exists, &out, &errout);
		free(out);
		free(errout);
		if (rc == 0)
			ovs_flows(m, br, doc);
		else
			report(m, MVN_OVS_NOTE, doc, 0,
			       _("Open vSwitch here has no bridge '%1$s' (or "
				 "is not running), so its OpenFlow rules were "
				 "not checked; check them where it runs "
				 "('ovs-ofctl dump-flows %1$s')"),
			       br);
	} else {
		snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", br);
		if (stat(path, &sb) == 0)
			linux_checks(m, br, doc);
	}
	return remember(m, br, NULL, 0, err);
}

int mvn_ovs_discover(struct mvn_ovs *m, const char *br, bool ovs,
		     const char *doc, char ***devs, size_t *ndevs,
		     struct mvn_error *err)
{
	size_t i, j;
	int ret;

	/* The name goes to another program: only an interface name. */
	if (!mvn_ifname_valid(br) || br[0] == '-')
		return mvn_error_set(err, -EINVAL,
				     _("%1$s: '%2$s' is not a valid bridge "
				       "name; give the uplink with --uplink "
				       "BRIDGE=DEV"),
				     doc, br);
	for (i = 0; i < m->nfound; i++) {
		if (strcmp(m->found[i].bridge, br))
			continue;
		/* Asked (and reported) once; the same answer again. */
		for (j = 0; j < m->found[i].ndevs; j++)
			if (strv_add(devs, ndevs, m->found[i].devs[j]) < 0)
				return oom(err);
		return 0;
	}
	ret = ovs ? discover_ovs(m, br, doc, devs, ndevs, err) :
		    discover_linux(m, br, doc, devs, ndevs, err);
	if (ret < 0)
		return ret;
	return remember(m, br, *devs, *ndevs, err);
}

/* ---- Networks ------------------------------------------------------ */

static bool vport_is_ovs(const struct mvn_virtualport *vp)
{
	return vp->present && vp->type && !strcmp(vp->type, "openvswitch");
}

enum mvn_ovs_kind mvn_ovs_network_kind(const struct mvn_network *net)
{
	size_t i;

	if (!net->forward.present || net->forward.mode != MVN_FWD_BRIDGE) {
		if (net->forward.present &&
		    mvn_fwd_mode_is_macvtap(net->forward.mode))
			return MVN_OVS_KIND_MACVTAP;
		return MVN_OVS_KIND_OTHER;
	}
	if (vport_is_ovs(&net->vport))
		return MVN_OVS_KIND_OVS;
	for (i = 0; i < net->nportgroups; i++)
		if (vport_is_ovs(&net->portgroups[i].vport))
			return MVN_OVS_KIND_OVS;
	if (net->bridge.name)
		return MVN_OVS_KIND_HOST;
	return MVN_OVS_KIND_MACVTAP;
}

/* "42, 48 (trunk)" for a <vlan>. */
static void vlan_text(const struct mvn_vlan *v, char *out, size_t size)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < v->ntags && used < size; i++)
		used += snprintf(out + used, size - used, "%s%u", i ? ", " : "",
				 v->tags[i].id);
	if (v->trunk == MVN_YES && used < size)
		snprintf(out + used, size - used, " (trunk)");
}

static void vport_params_text(const struct mvn_virtualport *vp, char *out,
			      size_t size)
{
	const struct {
		const char *name, *value;
	} p[] = {
		{ "interfaceid", vp->interfaceid },
		{ "profileid", vp->profileid },
		{ "managerid", vp->managerid },
		{ "typeid", vp->typeid },
		{ "typeidversion", vp->typeidversion },
		{ "instanceid", vp->instanceid },
	};
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(p) / sizeof(p[0]) && used < size; i++)
		if (p[i].value)
			used += snprintf(out + used, size - used, "%s%s='%s'",
					 used ? " " : "", p[i].name,
					 p[i].value);
}

/* Report and drop what one level (network or portgroup) cannot keep. */
static void drop_level(struct mvn_ovs *m, const char *doc, const char *what,
		       const char *uplink, struct mvn_virtualport *vp,
		       struct mvn_vlan *vlan, struct mvn_bandwidth *bw)
{
	char text[256];

	if (vlan->present) {
		vlan_text(vlan, text, sizeof(text));
		report(m, MVN_OVS_WARN, doc, vlan->line,
		       _("the VLAN tag(s) %1$s of %2$s are dropped: macvtap "
			 "cannot tag frames; make a VLAN device on the "
			 "uplink (ip link add link %3$s name %3$s.%4$u type "
			 "vlan id %4$u) and a network over it for each VLAN"),
		       text, what, uplink, vlan->ntags ? vlan->tags[0].id : 1);
		mvn_vlan_clear(vlan);
	}
	if (vp->present) {
		vport_params_text(vp, text, sizeof(text));
		if (text[0])
			report(m, MVN_OVS_WARN, doc, vp->line,
			       _("the Open vSwitch port parameters %1$s of "
				 "%2$s are dropped: nothing on macvtap uses "
				 "them (OpenFlow rules or controllers keyed "
				 "on them lose these guests)"),
			       text, what);
		mvn_vport_clear(vp);
	}
	if (bw->present) {
		report(m, MVN_OVS_WARN, doc, bw->line,
		       _("the <bandwidth> of %s is dropped: libvirt does not "
			 "shape macvtap networks; put <bandwidth> into the "
			 "guests' <interface> elements instead"),
		       what);
		mvn_bandwidth_clear(bw);
	}
}

static int add_net(struct mvn_ovs *m, struct mvn_network *net,
		   const char *old_name, const char *bridge,
		   enum mvn_ovs_kind kind, char **ups, size_t nups,
		   struct mvn_error *err)
{
	struct mvn_ovs_net *nn, *slot;

	nn = realloc(m->nets, (m->nnets + 1) * sizeof(*nn));
	if (!nn) {
		strv_free(ups, nups);
		return oom(err);
	}
	m->nets = nn;
	slot = &nn[m->nnets];
	memset(slot, 0, sizeof(*slot));
	slot->kind = kind;
	slot->uplinks = ups;
	slot->nuplinks = nups;
	slot->old_name = strdup(old_name);
	slot->new_name = strdup(net->name);
	slot->bridge = bridge ? strdup(bridge) : NULL;
	slot->xml = mvn_network_format(net);
	m->nnets++;
	if (!slot->old_name || !slot->new_name || (bridge && !slot->bridge) ||
	    !slot->xml)
		return oom(err);
	return 0;
}

const struct mvn_ovs_net *mvn_ovs_find(const struct mvn_ovs *m,
				       const char *name)
{
	size_t i;

	for (i = 0; i < m->nnets; i++)
		if (!strcmp(m->nets[i].old_name, name))
			return &m->nets[i];
	return NULL;
}

static const struct mvn_ovs_net *find_bridge(const struct mvn_ovs *m,
					     const char *br)
{
	size_t i;

	for (i = 0; i < m->nnets; i++)
		if (m->nets[i].bridge && !strcmp(m->nets[i].bridge, br))
			return &m->nets[i];
	return NULL;
}

/* The uplinks of a bridge or network: given, or else discovered. */
static int uplinks_of(struct mvn_ovs *m, const char *br, const char *netname,
		      bool ovs, const char *doc, char ***ups, size_t *nups,
		      struct mvn_error *err)
{
	size_t i;

	if (given_uplinks(m, br, ups, nups) < 0 ||
	    (!*nups && given_uplinks(m, netname, ups, nups) < 0))
		return oom(err);
	if (*nups && br && m->opts.discover &&
	    check_given(m, br, ovs, doc, err) < 0)
		return err->code;
	if (!*nups && br && m->opts.discover &&
	    mvn_ovs_discover(m, br, ovs, doc, ups, nups, err) < 0)
		return err->code;
	if (!*nups)
		return mvn_error_set(err, -ENOENT,
				     br ? _("%1$s: no uplink is known for "
					    "bridge '%2$s': give the LAN "
					    "device with --uplink %2$s=DEV") :
					  _("%1$s: network '%2$s' names no "
					    "bridge, so its uplink is "
					    "unknown: give it with --uplink "
					    "%2$s=DEV"),
				     doc, br ? br : netname);
	for (i = 0; i < *nups; i++)
		if (!mvn_ovs_uplink_name_ok((*ups)[i]))
			return mvn_error_set(
				err, -EINVAL,
				_("%1$s: uplink '%2$s' is not an "
				  "interface name macvnet takes (1 "
				  "to 15 letters, digits, '_', '.' "
				  "or '-')"),
				doc, (*ups)[i]);
	return 0;
}

int mvn_ovs_network(struct mvn_ovs *m, struct mvn_network *net, const char *doc,
		    struct mvn_error *err)
{
	enum mvn_ovs_kind kind = mvn_ovs_network_kind(net);
	const char *mode = mvn_fwd_mode_name(m->opts.mode);
	char *old_name = NULL, *bridge = NULL, **ups = NULL, text[256];
	struct mvn_fwd_iface *fi;
	size_t nups = 0, i;
	int ret;

	if (kind == MVN_OVS_KIND_MACVTAP)
		return mvn_error_set(err, -EINVAL,
				     _("%1$s: network '%2$s' already uses "
				       "macvtap (forward mode='%3$s' with "
				       "interface devices); there is nothing "
				       "to migrate"),
				     doc, net->name,
				     mvn_fwd_mode_name(net->forward.mode));
	if (kind == MVN_OVS_KIND_OTHER)
		return mvn_error_set(
			err, -EINVAL,
			_("%1$s: network '%2$s' (forward mode='%3$s') is "
			  "neither an Open vSwitch nor a host bridge "
			  "network; migrate-ovs converts networks with "
			  "<forward mode='bridge'/> and <bridge name=...> "
			  "or <virtualport type='openvswitch'/>"),
			doc, net->name,
			net->forward.present ?
				mvn_fwd_mode_name(net->forward.mode) :
				"none");
	if (mvn_ovs_find(m, net->name))
		return mvn_error_set(err, -EEXIST,
				     _("%1$s: network '%2$s' is given twice; "
				       "give each network once"),
				     doc, net->name);
	for (i = 0; i < m->nnets; i++)
		if (!strcmp(m->nets[i].new_name, renamed(m, net->name)))
			return mvn_error_set(
				err, -EEXIST,
				_("%1$s: network '%2$s' would be named '%3$s' "
				  "like network '%4$s'; choose another name "
				  "with --rename %2$s=NAME"),
				doc, net->name, renamed(m, net->name),
				m->nets[i].old_name);
	ret = uplinks_of(m, net->bridge.name, net->name,
			 kind == MVN_OVS_KIND_OVS, doc, &ups, &nups, err);
	if (ret < 0)
		goto fail;
	if (nups > 1) {
		strv_join(ups, nups, text, sizeof(text));
		report(m, MVN_OVS_WARN, doc, net->bridge.line,
		       _("network '%1$s' has %2$zu uplinks (%3$s): a macvtap "
			 "network puts each guest on one of them, without "
			 "failover or load sharing; bond them (ip link add "
			 "bond0 type bond) and give --uplink %4$s=bond0, or "
			 "make one network per uplink"),
		       net->name, nups, text,
		       net->bridge.name ? net->bridge.name : net->name);
	}
	old_name = strdup(net->name);
	bridge = net->bridge.name ? strdup(net->bridge.name) : NULL;
	if (!old_name || (net->bridge.name && !bridge)) {
		ret = oom(err);
		goto fail;
	}
	snprintf(text, sizeof(text), _("network '%s'"), net->name);
	drop_level(m, doc, text, ups[0], &net->vport, &net->vlan,
		   &net->bandwidth);
	for (i = 0; i < net->nportgroups; i++) {
		struct mvn_portgroup *pg = &net->portgroups[i];

		snprintf(text, sizeof(text),
			 _("portgroup '%1$s' of network "
			   "'%2$s'"),
			 pg->name, net->name);
		drop_level(m, doc, text, ups[0], &pg->vport, &pg->vlan,
			   &pg->bandwidth);
	}
	if (net->mtu) {
		report(m, MVN_OVS_WARN, doc, net->mtu_line,
		       _("<mtu size='%1$u'> of network '%2$s' is dropped: "
			 "macvtap endpoints take the uplink's MTU (ip link "
			 "set %3$s mtu %1$u)"),
		       net->mtu, net->name, ups[0]);
		net->mtu = 0;
	}
	if (net->has_mac) {
		report(m, MVN_OVS_NOTE, doc, net->mac_line,
		       _("the bridge <mac> of network '%s' is dropped: a "
			 "macvtap network has no bridge"),
		       net->name);
		net->has_mac = false;
	}
	if (net->port_isolated == MVN_YES && m->opts.mode != MVN_FWD_PRIVATE)
		report(m, MVN_OVS_WARN, doc, net->line,
		       _("network '%1$s' isolates its ports (<port "
			 "isolated='yes'/>), which mode '%2$s' does not; "
			 "use --mode private to keep guests apart"),
		       net->name, mode);
	net->port_isolated = MVN_ABSENT;
	mvn_bridge_clear(&net->bridge);
	ret = net->forward.line;
	mvn_forward_clear(&net->forward);
	net->forward.present = true;
	net->forward.mode = m->opts.mode;
	net->forward.line = ret;
	fi = calloc(nups, sizeof(*fi));
	if (!fi) {
		ret = oom(err);
		goto fail;
	}
	net->forward.ifaces = fi;
	net->forward.nifaces = nups;
	for (i = 0; i < nups; i++)
		fi[i].dev = strdup(ups[i]);
	for (i = 0; i < nups; i++)
		if (!fi[i].dev) {
			ret = oom(err);
			goto fail;
		}
	if (strcmp(renamed(m, old_name), old_name)) {
		char *nn = strdup(renamed(m, old_name));

		if (!nn) {
			ret = oom(err);
			goto fail;
		}
		free(net->name);
		net->name = nn;
		/* A second network: libvirt gives it its own UUID. */
		net->has_uuid = false;
	}
	if (net->uuid_generated)
		net->has_uuid = false;
	strv_join(ups, nups, text, sizeof(text));
	if (kind == MVN_OVS_KIND_OVS && bridge)
		report(m, MVN_OVS_NOTE, doc, 0,
		       P_("before network '%1$s' starts, take its uplink "
			  "%2$s out of Open vSwitch bridge '%3$s' (ovs-vsctl "
			  "del-port %3$s %4$s) and move the host's addresses "
			  "from '%3$s' to %4$s; the host then reaches macvtap "
			  "guests only through a macvnet host shim "
			  "(<macvnet:host>)",
			  "before network '%1$s' starts, take its uplinks "
			  "%2$s out of Open vSwitch bridge '%3$s' (ovs-vsctl "
			  "del-port %3$s %4$s, and so on) and move the host's "
			  "addresses from '%3$s' to %4$s; the host then "
			  "reaches macvtap guests only through a macvnet host "
			  "shim (<macvnet:host>)",
			  nups),
		       net->name, text, bridge, ups[0]);
	else if (bridge)
		report(m, MVN_OVS_NOTE, doc, 0,
		       P_("before network '%1$s' starts, take its uplink "
			  "%2$s out of bridge '%3$s' (ip link set %4$s "
			  "nomaster) and move the host's addresses from "
			  "'%3$s' to %4$s; the host then reaches macvtap "
			  "guests only through a macvnet host shim "
			  "(<macvnet:host>)",
			  "before network '%1$s' starts, take its uplinks "
			  "%2$s out of bridge '%3$s' (ip link set %4$s "
			  "nomaster, and so on) and move the host's addresses "
			  "from '%3$s' to %4$s; the host then reaches macvtap "
			  "guests only through a macvnet host shim "
			  "(<macvnet:host>)",
			  nups),
		       net->name, text, bridge, ups[0]);
	ret = add_net(m, net, old_name, bridge, kind, ups, nups, err);
	ups = NULL;
	nups = 0;
fail:
	strv_free(ups, nups);
	free(old_name);
	free(bridge);
	return ret;
}

/* ---- Domains ------------------------------------------------------- */

/* The interface's VLAN tags as "42, 48 (trunk)". */
static void iface_vlan_text(xmlNodePtr vlan, char *out, size_t size)
{
	xmlNodePtr t;
	size_t used = 0;
	char *v;

	out[0] = '\0';
	for (t = vlan->children; t && used < size; t = t->next) {
		if (!mvn_xml_is(t, "tag"))
			continue;
		v = mvn_xml_prop(t, "id");
		used += snprintf(out + used, size - used, "%s%s",
				 used ? ", " : "", v ? v : "?");
		free(v);
	}
	v = mvn_xml_prop(vlan, "trunk");
	if (v && !strcmp(v, "yes") && used < size)
		snprintf(out + used, size - used, " (trunk)");
	free(v);
}

/* Report what an interface loses on macvtap. */
static void iface_losses(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
			 const char *who)
{
	xmlNodePtr n, p;
	char text[256], *v;

	n = mvn_xml_child(c, "vlan");
	if (n) {
		iface_vlan_text(n, text, sizeof(text));
		report(m, MVN_OVS_WARN, doc, mvn_xml_line(n),
		       _("the VLAN tag(s) %1$s of interface %2$s are "
			 "dropped: macvtap cannot tag frames; put the guest "
			 "on a network over a VLAN device of the uplink"),
		       text, who);
	}
	n = mvn_xml_child(c, "virtualport");
	if (n) {
		size_t used = 0;
		xmlAttrPtr a;

		text[0] = '\0';
		p = mvn_xml_child(n, "parameters");
		for (a = p ? p->properties : NULL; a && used < sizeof(text);
		     a = a->next) {
			v = mvn_xml_prop(p, (const char *)a->name);
			used += snprintf(text + used, sizeof(text) - used,
					 "%s%s='%s'", used ? " " : "",
					 (const char *)a->name, v ? v : "");
			free(v);
		}
		v = mvn_xml_prop(n, "type");
		if (v && strcmp(v, "openvswitch"))
			report(m, MVN_OVS_WARN, doc, mvn_xml_line(n),
			       _("the <virtualport type='%1$s'> of interface "
				 "%2$s is dropped: it belongs to the bridge, "
				 "not to macvtap"),
			       v, who);
		else if (text[0])
			report(m, MVN_OVS_WARN, doc, mvn_xml_line(n),
			       _("the Open vSwitch port parameters %1$s of "
				 "interface %2$s are dropped: nothing on "
				 "macvtap uses them (OpenFlow rules or "
				 "controllers keyed on them lose this "
				 "guest)"),
			       text, who);
		free(v);
	}
	n = mvn_xml_child(c, "port");
	if (n) {
		v = mvn_xml_prop(n, "isolated");
		if (v && !strcmp(v, "yes"))
			report(m, MVN_OVS_WARN, doc, mvn_xml_line(n),
			       _("<port isolated='yes'> of interface %s is "
				 "dropped: libvirt has no isolated macvtap "
				 "port; use --mode private to keep guests "
				 "apart"),
			       who);
		free(v);
	}
	n = mvn_xml_child(c, "mtu");
	if (n) {
		v = mvn_xml_prop(n, "size");
		report(m, MVN_OVS_WARN, doc, mvn_xml_line(n),
		       _("<mtu size='%1$s'> of interface %2$s is dropped: "
			 "libvirt cannot set the MTU of a macvtap interface, "
			 "so the guest gets the uplink's MTU; to keep this "
			 "one, let macvnet's hook make the endpoint (macvnet "
			 "domain-convert)"),
		       v ? v : "", who);
		free(v);
	}
}

/* Where an interface goes: a network, or the uplinks for type='direct'. */
struct dest {
	const char *network; /* type='network' */
	char **ups; /* type='direct' */
	size_t nups;
	bool ours; /* ups owned here */
	char *name; /* network, when owned here */
};

/*
 * Decide where interface c goes.  Returns 1 when it is to be migrated, 0
 * when it stays as it is, negative on errors.
 */
static int iface_dest(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
		      const char *who, struct dest *d, struct mvn_error *err)
{
	xmlNodePtr src = mvn_xml_child(c, "source"),
		   vp = mvn_xml_child(c, "virtualport");
	char *type = mvn_xml_prop(c, "type"), *key = NULL, *vtype = NULL;
	const struct mvn_ovs_net *net = NULL;
	bool is_bridge, ovs;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	if (!type || !src ||
	    (strcmp(type, "bridge") && strcmp(type, "network")))
		goto out;
	is_bridge = !strcmp(type, "bridge");
	key = mvn_xml_prop(src, is_bridge ? "bridge" : "network");
	if (!key)
		goto out;
	vtype = vp ? mvn_xml_prop(vp, "type") : NULL;
	ovs = vtype && !strcmp(vtype, "openvswitch");
	net = is_bridge ? find_bridge(m, key) : mvn_ovs_find(m, key);
	if (net) {
		ret = 1;
		if (m->opts.direct) {
			d->ups = net->uplinks;
			d->nups = net->nuplinks;
		} else {
			d->network = net->new_name;
		}
		goto out;
	}
	if (!ovs && !has_uplink_for(m, key))
		goto out;
	ret = 1;
	if (!is_bridge && !m->opts.direct) {
		/* Its network is migrated on its own, under this name. */
		d->name = strdup(renamed(m, key));
		if (!d->name) {
			ret = oom(err);
			goto out;
		}
		d->network = d->name;
		report(m, MVN_OVS_NOTE, doc, mvn_xml_line(c),
		       _("interface %1$s stays on network '%2$s', which must "
			 "be migrated too (virsh net-dumpxml %3$s | macvnet "
			 "migrate-ovs -)"),
		       who, d->network, key);
		goto out;
	}
	if (!is_bridge && !has_uplink_for(m, key)) {
		ret = mvn_error_setl(err, -ENOENT, mvn_xml_line(c),
				     _("%1$s:%2$d: interface %3$s is on "
				       "network '%4$s', which is not among the "
				       "given networks: give its XML too, or "
				       "its uplink with --uplink %4$s=DEV"),
				     doc, mvn_xml_line(c), who, key);
		goto out;
	}
	if (is_bridge && !m->opts.direct) {
		ret = mvn_error_setl(err, -ENOENT, mvn_xml_line(c),
				     _("%1$s:%2$d: interface %3$s is on "
				       "bridge '%4$s', which no given network "
				       "uses: give that network's XML too, or "
				       "--direct to put the guest straight on "
				       "the bridge's uplink"),
				     doc, mvn_xml_line(c), who, key);
		goto out;
	}
	d->ours = true;
	ret = uplinks_of(m, is_bridge ? key : NULL, key, ovs, doc, &d->ups,
			 &d->nups, err);
	if (ret == 0)
		ret = 1;
out:
	free(type);
	free(key);
	free(vtype);
	return ret;
}

static int migrate_iface(struct mvn_ovs *m, xmlNodePtr c, const char *doc,
			 const struct dest *d, struct mvn_error *err)
{
	xmlNodePtr src = mvn_xml_child(c, "source"), ns;
	char *pg = NULL;
	bool was_network;

	was_network = src && xmlHasProp(src, (const xmlChar *)"network");
	if (was_network)
		pg = mvn_xml_prop(src, "portgroup");
	ns = xmlNewNode(NULL, (const xmlChar *)"source");
	if (!ns) {
		free(pg);
		return oom(err);
	}
	if (src)
		xmlAddPrevSibling(src, ns);
	else
		xmlAddChild(c, ns);
	if (d->network) {
		xmlSetProp(c, (const xmlChar *)"type",
			   (const xmlChar *)"network");
		xmlSetProp(ns, (const xmlChar *)"network",
			   (const xmlChar *)d->network);
		if (pg)
			xmlSetProp(ns, (const xmlChar *)"portgroup",
				   (const xmlChar *)pg);
	} else {
		xmlSetProp(c, (const xmlChar *)"type",
			   (const xmlChar *)"direct");
		xmlSetProp(ns, (const xmlChar *)"dev",
			   (const xmlChar *)d->ups[0]);
		xmlSetProp(ns, (const xmlChar *)"mode",
			   (const xmlChar *)mvn_fwd_mode_name(m->opts.mode));
		if (pg)
			report(m, MVN_OVS_WARN, doc, mvn_xml_line(c),
			       _("portgroup '%s' is dropped: a type='direct' "
				 "interface has no network and no portgroup"),
			       pg);
	}
	free(pg);
	if (src) {
		xmlUnlinkNode(src);
		xmlFreeNode(src);
	}
	mvn_xml_drop_children(c, "virtualport");
	mvn_xml_drop_children(c, "vlan");
	mvn_xml_drop_children(c, "port");
	mvn_xml_drop_children(c, "mtu");
	return 0;
}

int mvn_ovs_domain(struct mvn_ovs *m, const char *text, size_t len,
		   const char *doc, char **out, unsigned int *count,
		   struct mvn_error *err)
{
	xmlDocPtr xd = NULL;
	xmlNodePtr root, devices, c;
	int ret, idx = 0;

	*out = NULL;
	*count = 0;
	ret = mvn_xml_parse(text, len, doc, &xd, err);
	if (ret < 0)
		return ret;
	root = xmlDocGetRootElement(xd);
	if (!mvn_xml_is(root, "domain")) {
		ret = mvn_error_set(err, -EINVAL,
				    _("%s: not a <domain> document"), doc);
		goto cleanup;
	}
	mvn_xml_strip_blanks(root);
	devices = mvn_xml_child(root, "devices");
	for (c = devices ? devices->children : NULL; c; c = c->next) {
		xmlNodePtr mac;
		char who[64], *addr;
		struct dest d;

		if (!mvn_xml_is(c, "interface"))
			continue;
		idx++;
		mac = mvn_xml_child(c, "mac");
		addr = mac ? mvn_xml_prop(mac, "address") : NULL;
		if (addr)
			snprintf(who, sizeof(who), "%s", addr);
		else
			snprintf(who, sizeof(who), "#%d", idx);
		free(addr);
		ret = iface_dest(m, c, doc, who, &d, err);
		if (ret > 0) {
			iface_losses(m, c, doc, who);
			if (!d.network && d.nups > 1)
				report(m, MVN_OVS_NOTE, doc, mvn_xml_line(c),
				       _("interface %1$s goes onto %2$s, the "
					 "first of the bridge's uplinks"),
				       who, d.ups[0]);
			ret = migrate_iface(m, c, doc, &d, err);
			if (ret == 0)
				(*count)++;
		}
		if (d.ours)
			strv_free(d.ups, d.nups);
		free(d.name);
		if (ret < 0)
			goto cleanup;
	}
	ret = 0;
	if (!*count)
		goto cleanup;
	*out = mvn_xml_dump_body(xd);
	if (!*out)
		ret = oom(err);
cleanup:
	xmlFreeDoc(xd);
	return ret;
}
