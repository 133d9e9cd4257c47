/*
 * What will not work on a network's lower devices (doctor.h).  Every check
 * reads: the definitions, the runtime state, the kernel's links and
 * addresses, the command lines of running address managers.  Only --probe
 * changes something, and only for a moment: two macvtap endpoints in vepa
 * mode on the device, in a scratch group and without the mark of any
 * store (so that no reconcile takes them for a network's), with their
 * device nodes in a directory of their own; they go again however the
 * probe ends, also on SIGINT and SIGTERM.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "doctor.h"
#include "keeper.h"
#include "engine-int.h"
#include "tap.h"
#include "util.h"

/* At most this many /proc entries are read in a search for processes. */
#define PROC_MAX 4096
/* How long the probe waits for a frame to come back. */
#define PROBE_WAIT_MS 500u
/* The virtio-net header before each frame on a macvtap device node. */
#define VNET_HDR 10
#define FRAME_LEN (VNET_HDR + 60)
/* The probe's own frames: the IEEE local experimental ethertype. */
#define PROBE_ETHERTYPE 0x88b5
#define ARP_ETHERTYPE 0x0806
/* The alias of a probe endpoint, followed by the prober's pid. */
#define PROBE_ALIAS "macvnet-doctor probe"

/* Set by SIGINT and SIGTERM while a probe runs: time to clean up. */
static volatile sig_atomic_t probe_stop;

/* What one run of the checks works with. */
struct doc {
	struct mvn_engine *eng;
	struct mvn_doctor *d;
	struct mvn_linkset ls; /* every link of the namespace */
	const char *only; /* the network asked about, or NULL */
	bool probe;
	bool oom;
};

const char *mvn_doctor_level_name(enum mvn_doctor_level l)
{
	return l == MVN_DOCTOR_ERROR   ? "error" :
	       l == MVN_DOCTOR_WARNING ? "warning" :
					 "note";
}

void mvn_doctor_free(struct mvn_doctor *d)
{
	if (!d)
		return;
	free(d->findings);
	free(d->probes);
	free(d);
}

static void add(struct doc *c, enum mvn_doctor_level level, const char *net,
		const char *dev, const char *problem, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Record a finding; the message is made one safe line like an error's. */
static void add(struct doc *c, enum mvn_doctor_level level, const char *net,
		const char *dev, const char *problem, const char *fmt, ...)
{
	struct mvn_doctor *d = c->d;
	struct mvn_finding *f;
	struct mvn_error e = { 0 };
	va_list ap;

	if (d->nfindings % 16 == 0) {
		f = realloc(d->findings, (d->nfindings + 16) * sizeof(*f));
		if (!f) {
			c->oom = true;
			return;
		}
		d->findings = f;
	}
	f = &d->findings[d->nfindings++];
	memset(f, 0, sizeof(*f));
	f->level = level;
	f->problem = problem;
	snprintf(f->network, sizeof(f->network), "%s", net);
	snprintf(f->device, sizeof(f->device), "%s", dev);
	va_start(ap, fmt);
	mvn_error_vset(&e, 0, 0, fmt, ap);
	va_end(ap);
	memcpy(f->message, e.msg, sizeof(f->message));
}

/* Lower device i of net (<interface dev>, else <forward dev>), or NULL. */
static const char *lower_at(const struct mvn_network *net, size_t i)
{
	if (net->forward.nifaces)
		return i < net->forward.nifaces ? net->forward.ifaces[i].dev :
						  NULL;
	return i == 0 ? net->forward.dev : NULL;
}

static size_t pool_size(const struct mvn_network *net)
{
	size_t n = 0;

	while (lower_at(net, n))
		n++;
	return n;
}

/*
 * Whether dev can carry endpoints at all: it exists, is no endpoint
 * itself and no switch's port.  *out is its link when it exists.
 */
static bool usable(struct doc *c, const struct mvn_network *net,
		   const char *dev, const struct mvn_link_info **out)
{
	const struct mvn_link_info *l = mvn_linkset_find(&c->ls, dev), *m;

	*out = l;
	if (!l) {
		add(c, MVN_DOCTOR_ERROR, net->name, dev, "missing",
		    _("no such device, so network %1$s cannot start; create "
		      "it, or correct <interface dev='%2$s'/>"),
		    net->name, dev);
		return false;
	}
	if (l->kind == MVN_LINK_MACVTAP) {
		add(c, MVN_DOCTOR_ERROR, net->name, dev, "macvtap-lower",
		    _("a macvtap endpoint itself, which cannot carry "
		      "endpoints; give network %s the device beneath it"),
		    net->name);
		return false;
	}
	m = l->master_ifindex ? mvn_linkset_find_index(&c->ls, MVN_NETNSID_SELF,
						       l->master_ifindex) :
				NULL;
	if (m && m->kind == MVN_LINK_BRIDGE)
		add(c, MVN_DOCTOR_ERROR, net->name, dev, "bridge-port",
		    _("a port of bridge %1$s, and macvtap cannot use a bridge "
		      "port (EBUSY); detach it (ip link set %2$s nomaster), or "
		      "give network %3$s the bridge %1$s itself as its "
		      "device"),
		    m->name, dev, net->name);
	else if (m && m->kind == MVN_LINK_OVS)
		add(c, MVN_DOCTOR_ERROR, net->name, dev, "ovs-port",
		    _("a port of Open vSwitch (datapath %1$s), and macvtap "
		      "cannot use a switch port (EBUSY); remove it from its "
		      "bridge (ovs-vsctl del-port %2$s), or give network %3$s "
		      "the bridge's internal port as its device"),
		    m->name, dev, net->name);
	return !m || (m->kind != MVN_LINK_BRIDGE && m->kind != MVN_LINK_OVS);
}

/* A device down, or up without a link partner. */
static void check_state(struct doc *c, const struct mvn_network *net,
			const struct mvn_state *st,
			const struct mvn_link_info *l)
{
	if (!l->up && st)
		add(c, MVN_DOCTOR_WARNING, net->name, l->name, "down",
		    _("down, so the endpoints of active network %1$s pass no "
		      "frames; bring it up (ip link set %2$s up)"),
		    net->name, l->name);
	else if (!l->up)
		add(c, MVN_DOCTOR_NOTE, net->name, l->name, "down",
		    _("down; net-start %s brings it up"), net->name);
	else if (!l->carrier)
		add(c, MVN_DOCTOR_WARNING, net->name, l->name, "no-carrier",
		    _("no carrier (no link partner), so endpoints on it pass "
		      "no frames to the LAN; connect it (cable, switch port, "
		      "or the other end of a veth brought up)"));
}

/* The first address of family (0: any) among the n records of v. */
static bool first_addr(const struct mvn_l3 *v, size_t n, int family,
		       struct mvn_addr *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (mvn_l3_to_addr(&v[i], a, NULL) &&
		    (!family || a->family == family))
			return true;
	return false;
}

/* The host's own address on a device of a bridge network without shim. */
static void check_host(struct doc *c, const struct mvn_network *net,
		       const char *dev, const struct mvn_l3 *v, size_t n)
{
	struct mvn_addr a;
	char text[64];

	if (net->forward.mode != MVN_FWD_BRIDGE || net->host.present ||
	    !first_addr(v, n, 0, &a))
		return;
	mvn_addr_format(&a, text);
	add(c, MVN_DOCTOR_WARNING, net->name, dev, "host-unreachable",
	    _("carries the host's address %1$s, which guests on its "
	      "endpoints never reach; add <macvnet:host name='mvhost0' "
	      "move-addresses='yes'/> to network %2$s so that a host shim "
	      "carries it"),
	    text, net->name);
}

/* Addresses with a finite lifetime on the device a shim takes them from. */
static void check_dynamic(struct doc *c, const struct mvn_network *net,
			  const char *dev, const struct mvn_l3 *v, size_t n)
{
	char text[160];
	size_t i;

	for (i = 0; i < n; i++) {
		if (!mvn_l3_dynamic(&v[i]))
			continue;
		mvn_l3_describe(&v[i], text, sizeof(text));
		add(c, MVN_DOCTOR_WARNING, net->name, dev, "dynamic-address",
		    _("%1$s has a finite lifetime: whatever renews it (a DHCP "
		      "client, router advertisements) puts it back here "
		      "after host shim %2$s of network %3$s took it; renew it "
		      "on %2$s instead (README: The host's address on the "
		      "shim)"),
		    text, net->host.name, net->name);
	}
}

/* One running manager (pid, prog) met on the shim's device. */
static void report_manager(struct doc *c, const struct mvn_network *net,
			   const char *dev, const char *prog, int pid,
			   bool named)
{
	if (named)
		add(c, MVN_DOCTOR_WARNING, net->name, dev, "address-manager",
		    _("%1$s (pid %2$d) manages its addresses and will fight "
		      "host shim %3$s of network %4$s for them, renewing them "
		      "here; configure it for %3$s instead (README: The "
		      "host's address on the shim)"),
		    prog, pid, net->host.name, net->name);
	else
		add(c, MVN_DOCTOR_NOTE, net->name, dev, "address-manager",
		    _("%1$s (pid %2$d) runs; if it manages this device, it "
		      "will fight host shim %3$s of network %4$s for the "
		      "addresses; configure it for %3$s instead (README: The "
		      "host's address on the shim)"),
		    prog, pid, net->host.name, net->name);
}

/* DHCP clients and network managers that would fight the shim on dev. */
static void check_managers(struct doc *c, const struct mvn_network *net,
			   const char *dev)
{
	struct mvn_keeper k[16];
	size_t i, n = mvn_keepers(dev, k, 16);

	for (i = 0; i < n; i++)
		report_manager(c, net, dev, k[i].prog, k[i].pid, k[i].named);
}

/* The switch's hairpin, for vepa: measured (m), stated, or not known. */
static void check_hairpin(struct doc *c, const struct mvn_network *net,
			  const char *dev, const struct mvn_probe *m)
{
	if (net->forward.mode != MVN_FWD_VEPA || (m && m->hairpin) ||
	    (!m && net->switch_hairpin == MVN_YES))
		return;
	if (m || net->switch_hairpin == MVN_NO)
		add(c, MVN_DOCTOR_WARNING, net->name, dev, "no-hairpin",
		    _("its switch port sends no frames back (%1$s), so "
		      "endpoints of vepa network %2$s on it cannot reach "
		      "each other; enable reflective relay (hairpin) on the "
		      "switch port and state <macvnet:switch hairpin='yes'/>, "
		      "or use forward mode='bridge'"),
		    m ? _("measured") : _("stated"), net->name);
	else
		add(c, MVN_DOCTOR_WARNING, net->name, dev, "hairpin-unknown",
		    _("endpoints of vepa network %1$s on it reach each other "
		      "only if the switch port sends frames back (hairpin), "
		      "which the network does not state; enable reflective "
		      "relay on the switch port and add <macvnet:switch "
		      "hairpin='yes'/>, use forward mode='bridge', or "
		      "measure it: macvnet doctor --probe %1$s"),
		    net->name);
}

/* The probe: two endpoints, their nodes and descriptors, and the way back. */
struct probe_run {
	struct mvn_engine *eng;
	struct mvn_link_info lower;
	uint32_t group;
	char dir[4096]; /* "": not made */
	struct mvn_link_info ep[2];
	int nmade;
	char node[2][256];
	int fd[2];
	struct sigaction old_int, old_term;
};

static void on_signal(int sig)
{
	(void)sig;
	probe_stop = 1;
}

/* A scratch group no link uses, from a random place. */
static uint32_t probe_group(const struct mvn_linkset *ls)
{
	uint32_t start = 0, g = MVN_SCRATCH_FIRST;
	size_t i, k;

	if (getrandom(&start, sizeof(start), 0) != sizeof(start))
		start = (uint32_t)getpid();
	for (k = 0; k < MVN_SCRATCH_COUNT; k++) {
		g = MVN_SCRATCH_FIRST + (start + k) % MVN_SCRATCH_COUNT;
		for (i = 0; i < ls->n && ls->v[i].group != g; i++)
			;
		if (i == ls->n)
			break;
	}
	return g;
}

/*
 * Probe endpoints a killed doctor left: scratch group, probe alias, and a
 * pid that no longer runs.
 */
static void sweep_probes(struct doc *c)
{
	const struct mvn_link_ops *ops = c->eng->link_ops;
	size_t i, n = strlen(PROBE_ALIAS);
	long pid;

	for (i = 0; i < c->ls.n; i++) {
		const struct mvn_link_info *l = &c->ls.v[i];

		if (l->netnsid != MVN_NETNSID_SELF ||
		    !MVN_GROUP_SCRATCH(l->group) ||
		    strncmp(l->alias, PROBE_ALIAS " ", n + 1))
			continue;
		pid = strtol(l->alias + n + 1, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			ops->delete_link(c->eng->link_ctx, MVN_NETNSID_SELF,
					 l->ifindex, NULL);
	}
}

/* Remove a probe's node directory: its private nodes, then itself. */
static void remove_node_dir(struct doc *c, const char *path)
{
	char dev[4410], node[4700];
	struct dirent *e;
	DIR *d;

	if (mvn_tap_node_dir(path, dev, sizeof(dev)) < 0)
		return;
	d = opendir(dev);
	while (d && (e = readdir(d))) {
		if (!mvn_tap_node_name(e->d_name))
			continue;
		snprintf(node, sizeof(node), "%s/%s", dev, e->d_name);
		c->eng->link_ops->node_remove(c->eng->link_ctx, path, node,
					      NULL);
	}
	if (d)
		closedir(d);
	rmdir(dev);
	rmdir(path);
}

/* The node directories (doctor.PID.XXXXXX) a killed doctor left. */
static void sweep_node_dirs(struct doc *c)
{
	DIR *dir = opendir(c->eng->run_dir);
	unsigned int seen = 0;
	char path[4400];
	struct dirent *e;
	long pid;

	while (dir && seen++ < PROC_MAX && (e = readdir(dir))) {
		if (strncmp(e->d_name, "doctor.", 7))
			continue;
		pid = strtol(e->d_name + 7, NULL, 10);
		if (pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(path, sizeof(path), "%s/%s", c->eng->run_dir,
			 e->d_name);
		remove_node_dir(c, path);
	}
	if (dir)
		closedir(dir);
}

/* Catch SIGINT and SIGTERM, and make the directory for the nodes. */
static int probe_begin(struct probe_run *p, struct mvn_error *err)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	probe_stop = 0;
	sigaction(SIGINT, &sa, &p->old_int);
	sigaction(SIGTERM, &sa, &p->old_term);
	snprintf(p->dir, sizeof(p->dir), "%s/doctor.%ld.XXXXXX",
		 p->eng->run_dir, (long)getpid());
	if (!mkdtemp(p->dir)) {
		int e = errno;

		p->dir[0] = '\0';
		return mvn_error_set(err, -e,
				     _("cannot make a directory for the "
				       "probe's device nodes in %1$s: %2$s"),
				     p->eng->run_dir, strerror(e));
	}
	return 0;
}

/* Make probe endpoint i on the lower device and open its device node. */
static int probe_make(struct probe_run *p, const struct mvn_linkset *ls, int i,
		      struct mvn_error *err)
{
	const struct mvn_link_ops *ops = p->eng->link_ops;
	struct mvn_link_spec spec = { 0 };
	char name[16], alias[64];
	int ret;

	/* At most 8 digits of the pid: "mvdocNNNNNNNNa" fits in 15 bytes. */
	snprintf(name, sizeof(name), "mvdoc%u%c",
		 (unsigned int)getpid() % 100000000u, 'a' + i);
	snprintf(alias, sizeof(alias), "%s %ld", PROBE_ALIAS, (long)getpid());
	spec.name = name;
	spec.lower = p->lower.name;
	spec.lower_ifindex = p->lower.ifindex;
	spec.kind = MVN_LINK_MACVTAP;
	spec.mode = MVN_LINK_VEPA;
	spec.group = p->group;
	spec.alias = alias;
	do
		spec.has_mac = mvn_engine_fresh_mac(ls, spec.mac) == 0;
	while (spec.has_mac && i == 1 && !memcmp(spec.mac, p->ep[0].mac, 6));
	ret = ops->create(p->eng->link_ctx, &spec, &p->ep[i], err);
	if (ret < 0)
		return ret;
	p->nmade++;
	ret = ops->node_make(p->eng->link_ctx, p->dir, name, p->ep[i].ifindex,
			     p->ep[i].mac, 0, 0, 0600, p->node[i],
			     sizeof(p->node[i]), err);
	if (ret < 0) {
		p->node[i][0] = '\0';
		return ret;
	}
	p->fd[i] = open(p->node[i], O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->fd[i] < 0) {
		ret = -errno;
		return mvn_error_set(err, ret,
				     _("cannot open %1$s, the device node of "
				       "probe endpoint %2$s: %3$s"),
				     p->node[i], name, strerror(-ret));
	}
	return 0;
}

/*
 * Take everything of the probe away again: descriptors, nodes, their
 * directory, the endpoints; the signal handlers go back.  A link that
 * cannot be deleted is named in err with the command that deletes it.
 */
static int probe_end(struct probe_run *p, struct mvn_error *err)
{
	const struct mvn_link_ops *ops = p->eng->link_ops;
	char sub[4200];
	int i, r, ret = 0;

	for (i = 0; i < 2; i++) {
		if (p->fd[i] >= 0)
			close(p->fd[i]);
		if (p->node[i][0])
			ops->node_remove(p->eng->link_ctx, p->dir, p->node[i],
					 NULL);
	}
	for (i = 0; i < p->nmade; i++) {
		r = ops->delete_link(p->eng->link_ctx, MVN_NETNSID_SELF,
				     p->ep[i].ifindex, NULL);
		if (r < 0 && ret == 0)
			ret = mvn_error_set(err, r,
					    _("cannot delete probe endpoint "
					      "%1$s (%2$s); delete it: ip "
					      "link del %1$s"),
					    p->ep[i].name, strerror(-r));
	}
	if (p->dir[0]) {
		if (mvn_tap_node_dir(p->dir, sub, sizeof(sub)) == 0)
			rmdir(sub);
		rmdir(p->dir);
	}
	sigaction(SIGINT, &p->old_int, NULL);
	sigaction(SIGTERM, &p->old_term, NULL);
	return ret;
}

/* Frames waiting on fd (a bounded number), thrown away. */
static void drain(int fd)
{
	unsigned char buf[2048];
	int i;

	for (i = 0; i < 256 && read(fd, buf, sizeof(buf)) > 0; i++)
		;
}

/* Whether frame f (after the virtio-net header) is what *want says. */
struct want {
	unsigned int type; /* ethertype */
	const unsigned char *tag; /* probe: the tag; ARP: the sender IP */
};

static bool matches(const unsigned char *f, size_t len, const struct want *w)
{
	if (len < 14 + 28 || (unsigned int)(f[12] << 8 | f[13]) != w->type)
		return false;
	if (w->type == PROBE_ETHERTYPE)
		return !memcmp(f + 14, w->tag, 8);
	/* An ARP reply (operation 2) from the address asked for. */
	return f[14 + 6] == 0 && f[14 + 7] == 2 &&
	       !memcmp(f + 14 + 14, w->tag, 4);
}

/* Wait at most PROBE_WAIT_MS (less when a signal came) for frame w on fd. */
static bool await(int fd, const struct want *w)
{
	uint64_t end = mvn_engine_now_ms() + PROBE_WAIT_MS, now;
	unsigned char buf[2048];
	ssize_t n;

	while (!probe_stop && (now = mvn_engine_now_ms()) < end) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, (int)(end - now)) <= 0)
			continue;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			if (n > VNET_HDR &&
			    matches(buf + VNET_HDR, (size_t)(n - VNET_HDR), w))
				return true;
	}
	return false;
}

/* A frame from src to dst of ethertype type, header included, in f. */
static void frame(unsigned char f[FRAME_LEN], const unsigned char dst[6],
		  const unsigned char src[6], unsigned int type)
{
	memset(f, 0, FRAME_LEN);
	memcpy(f + VNET_HDR, dst, 6);
	memcpy(f + VNET_HDR + 6, src, 6);
	f[VNET_HDR + 12] = (unsigned char)(type >> 8);
	f[VNET_HDR + 13] = (unsigned char)type;
}

/* Whether a frame from endpoint 0 to endpoint 1 comes back to the device. */
static bool probe_hairpin(struct probe_run *p)
{
	unsigned char f[FRAME_LEN], tag[8] = "mvndoc";
	struct want w = { PROBE_ETHERTYPE, tag };

	if (getrandom(tag, sizeof(tag), 0) != sizeof(tag))
		memcpy(tag + 6, &p->ep[0].ifindex, 2);
	frame(f, p->ep[1].mac, p->ep[0].mac, PROBE_ETHERTYPE);
	memcpy(f + VNET_HDR + 14, tag, sizeof(tag));
	drain(p->fd[1]);
	if (write(p->fd[0], f, FRAME_LEN) != FRAME_LEN)
		return false;
	return await(p->fd[1], &w);
}

/*
 * Whether the host answers endpoint 0's ARP request for its address a:
 * a probe (sender address 0.0.0.0, RFC 5227), which leaves no entry in
 * the host's neighbour table.
 */
static bool probe_arp(struct probe_run *p, const struct mvn_addr *a)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff,
						0xff, 0xff, 0xff };
	static const unsigned char head[8] = { 0, 1, 8, 0, 6, 4, 0, 1 };
	unsigned char f[FRAME_LEN], *arp = f + VNET_HDR + 14;
	struct want w = { ARP_ETHERTYPE, a->bytes };

	frame(f, bcast, p->ep[0].mac, ARP_ETHERTYPE);
	memcpy(arp, head, sizeof(head));
	memcpy(arp + 8, p->ep[0].mac, 6);
	memcpy(arp + 24, a->bytes, 4);
	drain(p->fd[0]);
	if (write(p->fd[0], f, FRAME_LEN) != FRAME_LEN)
		return false;
	return await(p->fd[0], &w);
}

/* Measure on lower (its addresses v): the hairpin, then the host. */
static int probe_measure(struct doc *c, const struct mvn_link_info *lower,
			 const struct mvn_l3 *v, size_t n, struct mvn_probe *r,
			 struct mvn_error *err)
{
	struct probe_run p = { .eng = c->eng,
			       .lower = *lower,
			       .fd = { -1, -1 } };
	struct mvn_addr a;
	int ret, end;

	p.group = probe_group(&c->ls);
	sweep_probes(c);
	sweep_node_dirs(c);
	ret = probe_begin(&p, err);
	if (ret == 0)
		ret = probe_make(&p, &c->ls, 0, err);
	if (ret == 0)
		ret = probe_make(&p, &c->ls, 1, err);
	if (ret == 0)
		r->hairpin = probe_hairpin(&p);
	if (ret == 0 && first_addr(v, n, AF_INET, &a)) {
		mvn_addr_format(&a, r->address);
		r->host_reach = probe_arp(&p, &a) ? MVN_YES : MVN_NO;
	}
	end = probe_end(&p, ret == 0 ? err : NULL);
	if (ret == 0)
		ret = end;
	if (probe_stop && end == 0)
		return mvn_error_set(err, -EINTR,
				     _("doctor --probe was interrupted; its "
				       "temporary endpoints were removed"));
	return ret;
}

/*
 * Probe lower (network net, addresses v) unless it was probed already;
 * *m is the measure, or NULL when there is none.  A probe that cannot be
 * made is a finding; only an interruption stops the checks.
 */
static int probe_device(struct doc *c, const struct mvn_network *net,
			const struct mvn_link_info *lower,
			const struct mvn_l3 *v, size_t n,
			const struct mvn_probe **m, struct mvn_error *err)
{
	struct mvn_doctor *d = c->d;
	struct mvn_probe r = { .host_reach = MVN_ABSENT }, *grown;
	struct mvn_error e = { 0 };
	size_t i;
	int ret;

	for (i = 0; i < d->nprobes; i++)
		if (!strcmp(d->probes[i].device, lower->name)) {
			*m = &d->probes[i];
			return 0;
		}
	if (!lower->up || !lower->carrier) {
		add(c, MVN_DOCTOR_NOTE, net->name, lower->name, "not-probed",
		    _("not probed: it is down or has no carrier"));
		return 0;
	}
	ret = probe_measure(c, lower, v, n, &r, &e);
	if (ret == -EINTR || probe_stop)
		return mvn_error_set(err, -EINTR, "%s", e.msg);
	if (ret < 0) {
		add(c, MVN_DOCTOR_WARNING, net->name, lower->name,
		    "probe-failed", _("could not be probed: %s"), e.msg);
		return 0;
	}
	grown = realloc(d->probes, (d->nprobes + 1) * sizeof(*grown));
	if (!grown)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	d->probes = grown;
	snprintf(r.device, sizeof(r.device), "%s", lower->name);
	snprintf(r.network, sizeof(r.network), "%s", net->name);
	d->probes[d->nprobes] = r;
	*m = &d->probes[d->nprobes++];
	return 0;
}

/*
 * The device the host shim of net takes addresses from (its first lower
 * device that exists), or NULL when its shim takes none.
 */
static const char *shim_device(struct doc *c, const struct mvn_network *net,
			       const struct mvn_state *st)
{
	const char *dev;
	size_t i;

	if (!net->host.present || net->host.move_addresses != MVN_YES)
		return NULL;
	if (st && st->has_host)
		return st->host_lower;
	for (i = 0; (dev = lower_at(net, i)); i++)
		if (mvn_linkset_find(&c->ls, dev))
			return dev;
	return NULL;
}

/* Every check of one lower device; first: the one a probe measures. */
static int check_device(struct doc *c, const struct mvn_network *net,
			const struct mvn_state *st, const char *dev, bool first,
			struct mvn_error *err)
{
	const struct mvn_link_info *l;
	const struct mvn_probe *m = NULL;
	const char *shim = shim_device(c, net, st);
	struct mvn_l3 *v = NULL;
	size_t n = 0;
	int ret = 0;

	c->d->ndevices++;
	if (!usable(c, net, dev, &l))
		return 0;
	check_state(c, net, st, l);
	if (c->eng->link_ops->l3_list(c->eng->link_ctx, MVN_L3_ADDR, l->ifindex,
				      l->name, &v, &n, NULL) < 0) {
		v = NULL;
		n = 0;
	}
	check_host(c, net, dev, v, n);
	if (shim && !strcmp(shim, dev)) {
		check_dynamic(c, net, dev, v, n);
		check_managers(c, net, dev);
	}
	if (first && c->probe)
		ret = probe_device(c, net, l, v, n, &m, err);
	if (ret == 0)
		check_hairpin(c, net, dev, m);
	mvn_l3_free(v, n);
	return ret;
}

/*
 * Check network name; a definition that cannot be read stops the checks
 * when it was the one asked about (err), else it is a finding.
 */
static int check_network(struct doc *c, const char *name, struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct mvn_state *st = NULL;
	struct mvn_error e = { 0 };
	size_t i, pool;
	int ret = mvn_engine_load_def(c->eng, name, &net, &e);

	if (ret < 0 && c->only)
		return mvn_error_set(err, ret, "%s", e.msg);
	c->d->nnetworks++;
	if (ret == 0)
		ret = mvn_check_runnable(net, name, NULL, &e);
	if (ret < 0) {
		add(c, MVN_DOCTOR_ERROR, name, "", "definition", "%s", e.msg);
		mvn_network_free(net);
		return 0;
	}
	if (mvn_engine_state_load(c->eng, name, &st, NULL) < 0)
		st = NULL;
	pool = pool_size(net);
	if (net->forward.mode == MVN_FWD_PASSTHROUGH && net->nports > pool)
		add(c, MVN_DOCTOR_ERROR, name, "", "passthrough-ports",
		    _("passthrough network %1$s has more static ports "
		      "(%2$zu) than devices (%3$zu), and each port takes a "
		      "whole device; add devices to <forward> or remove "
		      "ports"),
		    name, net->nports, pool);
	for (i = 0, ret = 0; ret == 0 && i < pool; i++)
		ret = check_device(c, net, st, lower_at(net, i), i == 0, err);
	mvn_state_free(st);
	mvn_network_free(net);
	return ret;
}

/* One use of a MAC: a static port of a definition, or a live endpoint. */
struct mac_use {
	unsigned char mac[6];
	char network[256];
	char port[16];
	char lower[16]; /* "" until an endpoint has one */
	bool active;
};

struct mac_uses {
	struct mac_use *v;
	size_t n;
};

static struct mac_use *use_add(struct mac_uses *u, const unsigned char mac[6],
			       const char *network, const char *port)
{
	struct mac_use *v;

	if (u->n % 64 == 0) {
		v = realloc(u->v, (u->n + 64) * sizeof(*v));
		if (!v)
			return NULL;
		u->v = v;
	}
	v = &u->v[u->n++];
	memset(v, 0, sizeof(*v));
	memcpy(v->mac, mac, 6);
	snprintf(v->network, sizeof(v->network), "%s", network);
	snprintf(v->port, sizeof(v->port), "%s", port ? port : "");
	return v;
}

/* The static ports with a MAC of every definition that can be read. */
static bool uses_static(struct doc *c, char **names, struct mac_uses *u)
{
	unsigned char mac[6];
	size_t i, j;
	bool ok = true;

	for (i = 0; ok && names[i]; i++) {
		struct mvn_network *net = NULL;

		if (mvn_engine_load_def(c->eng, names[i], &net, NULL) < 0)
			continue;
		for (j = 0; ok && j < net->nports; j++) {
			struct mac_use *x;

			if (!net->ports[j].mac ||
			    !mvn_mac_parse(net->ports[j].mac, mac))
				continue;
			x = use_add(u, mac, net->name, net->ports[j].name);
			ok = x != NULL;
			/* Until it runs, say the pool's first device. */
			if (x && lower_at(net, 0))
				snprintf(x->lower, sizeof(x->lower), "%s",
					 lower_at(net, 0));
		}
		mvn_network_free(net);
	}
	return ok;
}

/* The live endpoints of every active network; a static one is its port. */
static bool uses_active(struct doc *c, struct mac_uses *u)
{
	char **names = NULL;
	size_t i, j, k, nstatic = u->n;
	bool ok = true;

	if (mvn_engine_state_names(c->eng, &names, NULL) < 0)
		return true;
	for (i = 0; ok && names[i]; i++) {
		struct mvn_state *st = NULL;

		if (mvn_engine_state_load(c->eng, names[i], &st, NULL) < 0)
			continue;
		for (j = 0; ok && j < st->nports; j++) {
			const struct mvn_port_state *p = &st->ports[j];
			struct mac_use *x = NULL;

			for (k = 0; k < nstatic && !x; k++)
				if (!strcmp(u->v[k].network, st->network) &&
				    !strcmp(u->v[k].port, p->name))
					x = &u->v[k];
			if (!x)
				x = use_add(u, p->mac, st->network, p->name);
			ok = x != NULL;
			if (x) {
				memcpy(x->mac, p->mac, 6);
				snprintf(x->lower, sizeof(x->lower), "%s",
					 p->lower);
				x->active = true;
			}
		}
		mvn_state_free(st);
	}
	mvn_store_names_free(names);
	return ok;
}

static int mac_order(const void *a, const void *b)
{
	return memcmp(((const struct mac_use *)a)->mac,
		      ((const struct mac_use *)b)->mac, 6);
}

/* "static port P of network N" or "endpoint P of active network N". */
static void describe_use(const struct mac_use *x, char *out, size_t len)
{
	if (x->active)
		snprintf(out, len, _("endpoint %1$s of active network %2$s"),
			 x->port, x->network);
	else
		snprintf(out, len, _("static port %1$s of network %2$s"),
			 x->port, x->network);
}

/* Report x, which has the MAC of first. */
static void report_twice(struct doc *c, const struct mac_use *first,
			 const struct mac_use *x)
{
	const struct mac_use *ours =
		c->only && strcmp(x->network, c->only) ? first : x;
	const struct mac_use *other = ours == x ? first : x;
	char a[300], b[300], mac[18];

	describe_use(first, a, sizeof(a));
	describe_use(x, b, sizeof(b));
	mvn_mac_format(x->mac, mac);
	add(c, MVN_DOCTOR_ERROR, ours->network,
	    ours->lower[0] ? ours->lower : other->lower, "duplicate-mac",
	    _("MAC %1$s is used twice, by %2$s and by %3$s; two interfaces "
	      "with one MAC on a LAN take each other's frames (and one "
	      "device refuses the second: EADDRINUSE); give one of them "
	      "another MAC"),
	    mac, a, b);
}

/* A MAC used twice, by static ports of any definitions or live endpoints. */
static int check_macs(struct doc *c, char **names, struct mvn_error *err)
{
	struct mac_uses u = { 0 };
	size_t i, first = 0;

	if (!uses_static(c, names, &u) || !uses_active(c, &u)) {
		free(u.v);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	if (u.n)
		qsort(u.v, u.n, sizeof(*u.v), mac_order);
	for (i = 1; i < u.n; i++) {
		if (memcmp(u.v[i].mac, u.v[first].mac, 6)) {
			first = i;
			continue;
		}
		if (!c->only || !strcmp(u.v[i].network, c->only) ||
		    !strcmp(u.v[first].network, c->only))
			report_twice(c, &u.v[first], &u.v[i]);
	}
	free(u.v);
	return 0;
}

int mvn_doctor_run(struct mvn_engine *eng, const char *network, bool probe,
		   struct mvn_doctor **out, struct mvn_error *err)
{
	struct doc c = { .eng = eng, .only = network, .probe = probe };
	char **names = NULL;
	size_t i;
	int ret;

	if (network && mvn_engine_check_name(network, err) < 0)
		return -EINVAL;
	c.d = calloc(1, sizeof(*c.d));
	if (!c.d)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	ret = mvn_engine_open_store(eng, err);
	if (ret == 0)
		ret = mvn_store_list_networks(eng->store, &names, err);
	if (ret == 0)
		ret = mvn_linkset_load(eng, &c.ls, true, false, err);
	if (ret == 0 && network)
		ret = check_network(&c, network, err);
	for (i = 0; ret == 0 && !network && names[i]; i++)
		ret = check_network(&c, names[i], err);
	if (ret == 0)
		ret = check_macs(&c, names, err);
	if (ret == 0 && c.oom)
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
	mvn_store_names_free(names);
	mvn_linkset_free(&c.ls);
	if (ret < 0) {
		mvn_doctor_free(c.d);
		return ret;
	}
	*out = c.d;
	return 0;
}
