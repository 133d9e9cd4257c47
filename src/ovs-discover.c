/*
 * Finding a bridge's uplinks: Open vSwitch is asked through ovs-vsctl and
 * ovs-ofctl (never through a shell), a Linux bridge through sysfs.  Names
 * that go to another program are interface names only.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ovs-discover.h"
#include "proc.h"
#include "util.h"

/* ovs-vsctl and ovs-ofctl give up on a dead server after this. */
#define OVS_TIMEOUT "--timeout=5"

void mvn_ovs_say(struct mvn_ovs_sink *sink, enum mvn_ovs_level level,
		 const char *doc, int line, const char *fmt, ...)
{
	char msg[1024], shown[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level == MVN_OVS_WARN)
		sink->nwarn++;
	/* Names from the documents in it: one line, whatever they hold. */
	if (sink->fn)
		sink->fn(sink->ctx, level, doc, line,
			 mvn_shown(msg, shown, sizeof(shown)));
}

void mvn_discover_clear(struct mvn_discover *d)
{
	size_t i;

	for (i = 0; i < d->nfound; i++) {
		free(d->found[i].bridge);
		mvn_strv_free(d->found[i].devs, d->found[i].ndevs);
	}
	free(d->found);
	d->found = NULL;
	d->nfound = 0;
}

static int oom(struct mvn_error *err)
{
	return mvn_error_set(err, -ENOMEM, _("out of memory"));
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

/* An Open vSwitch interface: its name, type and whether a VM owns it. */
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

/* Count the OpenFlow rules of a dump-flows text besides normal switching. */
static unsigned int extra_flows(char *text)
{
	char *line, *save = NULL;
	unsigned int n = 0;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strstr(line, "actions="))
			continue;
		/* The rule every bridge starts with. */
		if (strstr(line, "priority=0 actions=NORMAL") ||
		    strstr(line, "priority=0,actions=NORMAL"))
			continue;
		n++;
	}
	return n;
}

/* Report the OpenFlow rules and controller that macvtap cannot keep. */
static void ovs_flows(struct mvn_discover *d, const char *br, const char *doc)
{
	const char *const flows[] = { "ovs-ofctl", OVS_TIMEOUT, "dump-flows",
				      br, NULL };
	const char *const ctl[] = { "ovs-vsctl", OVS_TIMEOUT, "get-controller",
				    br, NULL };
	char *out = NULL, *errout = NULL;
	unsigned int n = 0;
	int rc;

	rc = mvn_proc_run(flows, MVN_PROC_TIMEOUT_MS, &out, &errout);
	if (rc != 0)
		mvn_ovs_say(d->sink, MVN_OVS_WARN, doc, 0,
			    _("the OpenFlow rules of bridge '%1$s' could not "
			      "be read (%2$s): check them with 'ovs-ofctl "
			      "dump-flows %1$s'; macvtap switches by MAC "
			      "address only"),
			    br,
			    rc < 0 ? strerror(-rc) :
				     mvn_proc_first_line(errout));
	else
		n = extra_flows(out);
	if (n)
		mvn_ovs_say(d->sink, MVN_OVS_WARN, doc, 0,
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
	free(out);
	free(errout);
	rc = mvn_proc_run(ctl, MVN_PROC_TIMEOUT_MS, &out, &errout);
	if (rc == 0 && mvn_proc_first_line(out)[0])
		mvn_ovs_say(d->sink, MVN_OVS_WARN, doc, 0,
			    _("bridge '%1$s' is run by the OpenFlow controller "
			      "%2$s; macvtap has no controller and its "
			      "policies end with the migration"),
			    br, out);
	free(out);
	free(errout);
}

/*
 * Run an ovs-vsctl query about bridge br; *out is what it printed.  A
 * failure is refused with the fix (--uplink BR=DEV).
 */
static int ask_ovs(const char *const argv[], const char *br, const char *doc,
		   char **out, struct mvn_error *err)
{
	char *errout = NULL;
	int rc, ret = 0;

	rc = mvn_proc_run(argv, MVN_PROC_TIMEOUT_MS, out, &errout);
	if (rc == -ENOENT)
		ret = mvn_error_set(err, -ENOENT,
				    _("%1$s: no uplink is known for bridge "
				      "'%2$s' and Open vSwitch (ovs-vsctl) "
				      "is not installed here: give it with "
				      "--uplink %2$s=DEV"),
				    doc, br);
	else if (rc != 0)
		ret = mvn_error_set(err, -EINVAL,
				    _("%1$s: cannot ask Open vSwitch for the "
				      "uplink of bridge '%2$s' (%3$s): give "
				      "it with --uplink %2$s=DEV"),
				    doc, br,
				    rc < 0 ? strerror(-rc) :
					     mvn_proc_first_line(errout));
	free(errout);
	return ret;
}

/* Parse ovs-vsctl's CSV list of interfaces (text is cut up in place). */
static int iface_table(char *text, struct ovs_iface **tab, size_t *ntab)
{
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *cur = line, *name = csv_field(&cur);
		char *type = csv_field(&cur), *ids = csv_field(&cur);
		struct ovs_iface *nt;

		if (!name || !*name)
			continue;
		nt = realloc(*tab, (*ntab + 1) * sizeof(**tab));
		if (!nt)
			return -ENOMEM;
		*tab = nt;
		nt[*ntab].name = name;
		nt[*ntab].type = type ? type : (char *)"";
		nt[*ntab].vm = ids && is_vm_ids(ids);
		(*ntab)++;
	}
	return 0;
}

/*
 * Whether port (of bridge br, made printable here) can be an uplink: not
 * a guest's, not internal, not a bond or tunnel (those are reported).
 */
static bool port_is_uplink(struct mvn_discover *d, const char *br,
			   const char *doc, const struct ovs_iface *tab,
			   size_t ntab, char *port)
{
	const struct ovs_iface *it = NULL;
	size_t i;

	for (i = 0; i < ntab; i++)
		if (!strcmp(tab[i].name, port))
			it = &tab[i];
	mvn_proc_printable(port);
	if (!it) {
		mvn_ovs_say(d->sink, MVN_OVS_WARN, doc, 0,
			    _("port '%1$s' of bridge '%2$s' is an Open vSwitch "
			      "bond; macvtap needs one kernel device: bond its "
			      "interfaces in Linux (ip link add %1$s type "
			      "bond) and give --uplink %2$s=%1$s"),
			    port, br);
		return false;
	}
	if (it->vm || !strcmp(it->type, "internal") ||
	    !strcmp(it->type, "tap") || is_tap(port) || libvirt_tap_name(port))
		return false;
	if (it->type[0] && strcmp(it->type, "system")) {
		mvn_ovs_say(d->sink, MVN_OVS_WARN, doc, 0,
			    _("port '%1$s' of bridge '%2$s' is of Open vSwitch "
			      "type '%3$s', which macvtap cannot carry; its "
			      "traffic does not reach the migrated guests"),
			    port, br, mvn_proc_printable(it->type));
		return false;
	}
	return mvn_ifname_valid(port);
}

static int discover_ovs(struct mvn_discover *d, const char *br, const char *doc,
			char ***devs, size_t *ndevs, struct mvn_error *err)
{
	const char *const ports_argv[] = { "ovs-vsctl", OVS_TIMEOUT,
					   "list-ports", br, NULL };
	const char *const ifaces_argv[] = { "ovs-vsctl",
					    OVS_TIMEOUT,
					    "--format=csv",
					    "--data=bare",
					    "--no-headings",
					    "--columns=name,type,external_ids",
					    "list",
					    "Interface",
					    NULL };
	char *ports = NULL, *ifaces = NULL, *line, *save = NULL;
	struct ovs_iface *tab = NULL;
	size_t ntab = 0;
	int ret;

	ret = ask_ovs(ports_argv, br, doc, &ports, err);
	if (ret == 0)
		ret = ask_ovs(ifaces_argv, br, doc, &ifaces, err);
	if (ret == 0 && iface_table(ifaces, &tab, &ntab) < 0)
		ret = oom(err);
	for (line = ret ? NULL : strtok_r(ports, "\n", &save); line && ret == 0;
	     line = strtok_r(NULL, "\n", &save))
		if (port_is_uplink(d, br, doc, tab, ntab, line) &&
		    mvn_strv_add(devs, ndevs, line) < 0)
			ret = oom(err);
	if (ret == 0)
		ovs_flows(d, br, doc);
	if (ret == 0 && !*ndevs)
		ret = mvn_error_set(err, -ENOENT,
				    _("%1$s: Open vSwitch bridge '%2$s' has no "
				      "uplink port (only guests' and "
				      "internal ports): give the LAN device "
				      "with --uplink %2$s=DEV"),
				    doc, br);
	free(tab);
	free(ports);
	free(ifaces);
	return ret;
}

/* What a Linux bridge does that macvtap cannot: VLANs per port. */
static void linux_checks(struct mvn_discover *d, const char *br,
			 const char *doc)
{
	char path[320], *v = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/bridge/vlan_filtering",
		 br);
	if (mvn_file_read(path, 16, &v, &len) == 0 && v[0] == '1')
		mvn_ovs_say(d->sink, MVN_OVS_WARN, doc, 0,
			    _("bridge '%1$s' filters VLANs per port "
			      "(vlan_filtering is on); macvtap cannot tag "
			      "frames, so the VLANs of its ports ('bridge "
			      "vlan show') are lost"),
			    br);
	free(v);
}

static int discover_linux(struct mvn_discover *d, const char *br,
			  const char *doc, char ***devs, size_t *ndevs,
			  struct mvn_error *err)
{
	char path[320];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), "/sys/class/net/%s/brif", br);
	dir = opendir(path);
	if (!dir)
		return mvn_error_set(err, -ENOENT,
				     _("%1$s: '%2$s' is not a Linux bridge on "
				       "this host, so its uplink is unknown: "
				       "give it with --uplink %2$s=DEV"),
				     doc, br);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' || is_tap(de->d_name) ||
		    libvirt_tap_name(de->d_name) ||
		    !mvn_ifname_valid(de->d_name))
			continue;
		if (mvn_strv_add(devs, ndevs, de->d_name) < 0) {
			closedir(dir);
			return oom(err);
		}
	}
	closedir(dir);
	linux_checks(d, br, doc);
	if (!*ndevs)
		return mvn_error_set(err, -ENOENT,
				     _("%1$s: Linux bridge '%2$s' has no "
				       "uplink port (only taps): give the LAN "
				       "device with --uplink %2$s=DEV"),
				     doc, br);
	return 0;
}

/* Keep what was found for bridge br (devs may be empty: checked only). */
static int remember(struct mvn_discover *d, const char *br, char *const *devs,
		    size_t ndevs, struct mvn_error *err)
{
	struct mvn_ovs_found *nf, *f;
	size_t i;

	nf = realloc(d->found, (d->nfound + 1) * sizeof(*nf));
	if (!nf)
		return oom(err);
	d->found = nf;
	f = &nf[d->nfound++];
	memset(f, 0, sizeof(*f));
	f->bridge = strdup(br);
	if (!f->bridge)
		return oom(err);
	for (i = 0; i < ndevs; i++)
		if (mvn_strv_add(&f->devs, &f->ndevs, devs[i]) < 0)
			return oom(err);
	return 0;
}

static const struct mvn_ovs_found *known(const struct mvn_discover *d,
					 const char *br)
{
	size_t i;

	for (i = 0; i < d->nfound; i++)
		if (!strcmp(d->found[i].bridge, br))
			return &d->found[i];
	return NULL;
}

int mvn_discover_check(struct mvn_discover *d, const char *br, bool ovs,
		       const char *doc, struct mvn_error *err)
{
	const char *const exists[] = { "ovs-vsctl", OVS_TIMEOUT, "br-exists",
				       br, NULL };
	char *out = NULL, *errout = NULL, path[320];
	struct stat sb;
	int rc;

	if (!mvn_ifname_valid(br) || br[0] == '-' || known(d, br))
		return 0;
	if (ovs) {
		rc = mvn_proc_run(exists, MVN_PROC_TIMEOUT_MS, &out, &errout);
		free(out);
		free(errout);
		if (rc == 0)
			ovs_flows(d, br, doc);
		else
			mvn_ovs_say(d->sink, MVN_OVS_NOTE, doc, 0,
				    _("Open vSwitch here has no bridge '%1$s' "
				      "(or is not running), so its OpenFlow "
				      "rules were not checked; check them "
				      "where it runs ('ovs-ofctl dump-flows "
				      "%1$s')"),
				    br);
	} else {
		snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", br);
		if (stat(path, &sb) == 0)
			linux_checks(d, br, doc);
	}
	return remember(d, br, NULL, 0, err);
}

int mvn_discover_uplinks(struct mvn_discover *d, const char *br, bool ovs,
			 const char *doc, char ***devs, size_t *ndevs,
			 struct mvn_error *err)
{
	const struct mvn_ovs_found *f;
	size_t j;
	int ret;

	/* The name goes to another program: only an interface name. */
	if (!mvn_ifname_valid(br) || br[0] == '-')
		return mvn_error_set(err, -EINVAL,
				     _("%1$s: '%2$s' is not a valid bridge "
				       "name; give the uplink with --uplink "
				       "BRIDGE=DEV"),
				     doc, br);
	f = known(d, br);
	if (f) {
		/* Asked (and reported) once; the same answer again. */
		for (j = 0; j < f->ndevs; j++)
			if (mvn_strv_add(devs, ndevs, f->devs[j]) < 0)
				return oom(err);
		return 0;
	}
	ret = ovs ? discover_ovs(d, br, doc, devs, ndevs, err) :
		    discover_linux(d, br, doc, devs, ndevs, err);
	if (ret < 0)
		return ret;
	return remember(d, br, *devs, *ndevs, err);
}
