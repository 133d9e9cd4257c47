/*
 * link-many: kernel tests of the link module's batch and read paths, run
 * by tests/link-many.sh inside a private network namespace.  Each command
 * prints "ok - WHAT" or "not ok - WHAT" lines and "# " notes, which the
 * script numbers into its TAP stream; the exit status is 1 if any check
 * failed.
 *
 *   link-many create LOWER N        N endpoints in one create_many, then
 *                                   compared with what sysfs and ip say
 *   link-many clash LOWER N K NAME  spec K is named NAME, an existing link
 *   link-many missing LOWER N K     spec K is on a lower device that does
 *                                   not exist (by name), spec K+1 too (by
 *                                   ifindex)
 *   link-many sizes LOWER           batches of 0 and 1
 *   link-many dump                  list, get and get_index against
 *                                   libnl's own link objects, field by
 *                                   field
 *   link-many fault LOWER N         under MACVNET_FAULT: prints "# result
 *                                   ret=R failed=I:E,..." and "# err: MSG"
 *                                   and checks each spec is all or nothing
 *   link-many bench REPS            the time of a list of every link
 *
 * Endpoints are named PREFIX0..PREFIXn-1 with the command's own prefix and
 * link group, so that the script can remove what a command left.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/macvtap.h>

#include "link.h"
#include "util.h"

/* The group of each command's endpoints: macvnet's range, offset 7. */
#define GROUP (MVN_GROUP_BASE + 7)

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16)
#endif

static const struct mvn_link_ops *ops;
static void *ctx;
static int failed;

static void check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One check: "ok - WHAT" or "not ok - WHAT". */
static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failed = 1;
}

static int open_link(void)
{
	const char *t = getenv("LINK_MANY_TIMEOUT_MS");
	struct mvn_error err = { 0 };

	if (mvn_link_netlink(t ? (unsigned int)atoi(t) : 5000, &ops, &ctx,
			     &err) < 0) {
		fprintf(stderr, "link-many: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Specs PREFIXi on lower, with a MAC, alias and mode each. */
struct batch {
	size_t n;
	struct mvn_link_spec *specs;
	struct mvn_link_info *out;
	int *res;
	char (*names)[IFNAMSIZ];
	char (*aliases)[64];
};

static const enum mvn_link_mode modes[] = { MVN_LINK_BRIDGE_MODE, MVN_LINK_VEPA,
					    MVN_LINK_PRIVATE };

static void batch_make(struct batch *b, const char *prefix, const char *lower,
		       size_t n)
{
	size_t i;

	b->n = n;
	b->specs = calloc(n + 1, sizeof(*b->specs));
	b->out = calloc(n + 1, sizeof(*b->out));
	b->res = calloc(n + 1, sizeof(*b->res));
	b->names = calloc(n + 1, sizeof(*b->names));
	b->aliases = calloc(n + 1, sizeof(*b->aliases));
	if (!b->specs || !b->out || !b->res || !b->names || !b->aliases) {
		fprintf(stderr, "link-many: out of memory\n");
		exit(2);
	}
	for (i = 0; i < n; i++) {
		struct mvn_link_spec *s = &b->specs[i];
		unsigned char mac[6] = { 0x02,
					 0x6d,
					 0x76,
					 (unsigned char)*prefix,
					 (unsigned char)((i + 1) >> 8),
					 (unsigned char)(i + 1) };

		snprintf(b->names[i], IFNAMSIZ, "%.3s%u", prefix,
			 (unsigned int)i);
		snprintf(b->aliases[i], sizeof(b->aliases[i]),
			 "macvnet 0123456789abcdef static net %zu", i);
		s->name = b->names[i];
		s->lower = lower;
		/* Every fourth a macvlan, the others macvtaps. */
		s->kind = i % 4 == 3 ? MVN_LINK_MACVLAN : MVN_LINK_MACVTAP;
		s->mode = modes[i % 3];
		s->has_mac = true;
		memcpy(s->mac, mac, 6);
		s->group = GROUP;
		s->alias = b->aliases[i];
	}
}

static void batch_free(struct batch *b)
{
	free(b->specs);
	free(b->out);
	free(b->res);
	free(b->names);
	free(b->aliases);
}

/* What the kernel says of a link, through sysfs and ip, not netlink. */
struct kview {
	int exists;
	int ifindex, iflink;
	unsigned char mac[6];
	char alias[MVN_ALIAS_MAX + 1];
	unsigned long group, flags, mtu;
	enum mvn_link_kind kind;
	int mode;
};

static int read_sys(const char *name, const char *attr, char *buf, size_t len)
{
	char path[128];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", name, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (!ok)
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 1;
}

static unsigned long sys_num(const char *name, const char *attr)
{
	char buf[64] = "";

	read_sys(name, attr, buf, sizeof(buf));
	return strtoul(buf, NULL, 0);
}

static int operstate_is(const char *name, const char *state)
{
	char buf[32] = "";

	return read_sys(name, "operstate", buf, sizeof(buf)) &&
	       !strcmp(buf, state);
}

/* The kind and mode of name from "ip -d -o link show dev NAME". */
static void ip_kind(const char *name, struct kview *v)
{
	static const char *const words[] = { "private", "vepa", "bridge",
					     "passthru", "source" };
	static const int bits[] = { 1, 2, 4, 8, 16 };
	char cmd[96], line[4096], *p;
	FILE *f;
	size_t i;

	snprintf(cmd, sizeof(cmd), "ip -d -o link show dev %s", name);
	f = popen(cmd, "r");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		p = strstr(line, " macvtap mode ");
		v->kind = MVN_LINK_MACVTAP;
		if (!p) {
			p = strstr(line, " macvlan mode ");
			v->kind = MVN_LINK_MACVLAN;
		}
		if (!p)
			v->kind = MVN_LINK_OTHER;
		for (i = 0; p && i < 5; i++)
			if (!strncmp(p + 14, words[i], strlen(words[i])) &&
			    p[14 + strlen(words[i])] == ' ')
				v->mode = bits[i];
	}
	pclose(f);
}

static void kernel_view(const char *name, struct kview *v)
{
	char buf[MVN_ALIAS_MAX + 2] = "";

	memset(v, 0, sizeof(*v));
	if (!read_sys(name, "ifindex", buf, sizeof(buf)))
		return;
	v->exists = 1;
	v->ifindex = atoi(buf);
	v->iflink = (int)sys_num(name, "iflink");
	if (read_sys(name, "address", buf, sizeof(buf)))
		mvn_mac_parse(buf, v->mac);
	read_sys(name, "ifalias", v->alias, sizeof(v->alias));
	v->group = sys_num(name, "netdev_group");
	v->flags = sys_num(name, "flags");
	v->mtu = sys_num(name, "mtu");
	ip_kind(name, v);
}

/* Whether the kernel's link matches spec s and the info create gave. */
static int same_as_kernel(const struct mvn_link_spec *s,
			  const struct mvn_link_info *o, int lower,
			  const char **what)
{
	struct kview v;

	kernel_view(s->name, &v);
	*what = "exists";
	if (!v.exists)
		return 0;
	*what = "group";
	if (v.group != s->group || o->group != s->group)
		return 0;
	*what = "alias";
	if (strcmp(v.alias, s->alias) || strcmp(o->alias, s->alias))
		return 0;
	*what = "MAC";
	if (memcmp(v.mac, s->mac, 6) || memcmp(o->mac, s->mac, 6))
		return 0;
	*what = "kind and mode";
	if (v.kind != s->kind || (int)v.mode != (int)s->mode ||
	    o->kind != s->kind || o->mode != s->mode)
		return 0;
	*what = "ifindex, lower and up";
	return v.ifindex == o->ifindex && v.iflink == lower &&
	       o->lower_ifindex == lower && (v.flags & IFF_UP) && o->up &&
	       !strcmp(o->name, s->name);
}

/* Check every spec whose result is 0 against the kernel. */
static void check_made(const struct batch *b, int lower, const char *label)
{
	const char *what = "", *bad_what = NULL;
	size_t i, good = 0, bad = (size_t)-1;

	for (i = 0; i < b->n; i++) {
		if (b->res[i] != 0)
			continue;
		if (same_as_kernel(&b->specs[i], &b->out[i], lower, &what))
			good++;
		else if (bad == (size_t)-1) {
			bad = i;
			bad_what = what;
		}
	}
	if (bad != (size_t)-1)
		printf("# %s: first mismatch: %s (%s)\n", label,
		       b->specs[bad].name, bad_what);
	check(bad == (size_t)-1,
	      "%s: %zu links are in the kernel with the group, alias, MAC, "
	      "kind and mode asked for, as create_many described them",
	      label, good);
}

static size_t count_ok(const struct batch *b)
{
	size_t i, n = 0;

	for (i = 0; i < b->n; i++)
		n += b->res[i] == 0;
	return n;
}

static void remove_group(void)
{
	struct mvn_error err = { 0 };

	if (ops->delete_group(ctx, MVN_NETNSID_SELF, GROUP, &err) < 0)
		printf("# cleanup: %s\n", err.msg);
}

static int cmd_create(const char *lower, size_t n)
{
	struct mvn_error err = { 0 };
	struct batch b;
	int lower_index = if_nametoindex(lower), ret;
	struct timespec t0, t1;

	batch_make(&b, "lc", lower, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = ops->create_many(ctx, b.specs, n, b.out, b.res, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# create_many of %zu: %.1f ms\n", n,
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	if (ret < 0)
		printf("# err: %s\n", err.msg);
	check(ret == 0, "create: one create_many of %zu returns 0", n);
	check(count_ok(&b) == n, "create: every result is 0 (%zu of %zu)",
	      count_ok(&b), n);
	check_made(&b, lower_index, "create");
	remove_group();
	check(!if_nametoindex(b.names[0]) && !if_nametoindex(b.names[n - 1]),
	      "create: the group delete removes them");
	batch_free(&b);
	return 0;
}

static int cmd_clash(const char *lower, size_t n, size_t k, const char *name)
{
	struct mvn_error err = { 0 };
	struct kview before, after;
	struct batch b;
	size_t i, others = 0;
	int lower_index = if_nametoindex(lower), ret;

	batch_make(&b, "lx", lower, n);
	b.specs[k].name = name;
	kernel_view(name, &before);
	ret = ops->create_many(ctx, b.specs, n, b.out, b.res, &err);
	kernel_view(name, &after);
	printf("# err: %s\n", err.msg);
	check(b.res[k] == -EEXIST, "clash: spec %zu (%s) fails with EEXIST", k,
	      name);
	for (i = 0; i < n; i++)
		others += i != k && b.res[i] == 0;
	check(others == n - 1, "clash: the %zu other specs are made (%zu)",
	      n - 1, others);
	b.res[k] = -1;
	check_made(&b, lower_index, "clash");
	check(ret == -EEXIST && err.code == -EEXIST,
	      "clash: create_many returns EEXIST");
	check(strstr(err.msg, name) != NULL,
	      "clash: the message names the device %s", name);
	check(before.exists && after.exists &&
		      !strcmp(before.alias, after.alias) &&
		      before.group == after.group &&
		      before.ifindex == after.ifindex &&
		      !memcmp(before.mac, after.mac, 6) &&
		      before.mtu == after.mtu &&
		      (before.flags & IFF_UP) == (after.flags & IFF_UP),
	      "clash: the existing %s is untouched (alias '%s' -> '%s')", name,
	      before.alias, after.alias);
	remove_group();
	check(if_nametoindex(name) != 0,
	      "clash: the existing %s survives the group delete", name);
	batch_free(&b);
	return 0;
}

static int cmd_missing(const char *lower, size_t n, size_t k)
{
	struct mvn_error err = { 0 };
	struct batch b;
	size_t i, others = 0;
	int lower_index = if_nametoindex(lower), ret;

	batch_make(&b, "lm", lower, n);
	/* One asked by name (ioctl), one by ifindex (the kernel says). */
	b.specs[k].lower = "nosuch0";
	b.specs[k + 1].lower = "nosuch1";
	b.specs[k + 1].lower_ifindex = 999999;
	ret = ops->create_many(ctx, b.specs, n, b.out, b.res, &err);
	printf("# err: %s\n", err.msg);
	check(b.res[k] == -ENODEV,
	      "missing: spec %zu on a missing device (by name) is ENODEV", k);
	check(b.res[k + 1] == -ENODEV,
	      "missing: spec %zu on a missing device (by ifindex) is ENODEV",
	      k + 1);
	for (i = 0; i < n; i++)
		others += i != k && i != k + 1 && b.res[i] == 0;
	check(others == n - 2, "missing: the %zu others are made (%zu)", n - 2,
	      others);
	check(!if_nametoindex(b.names[k]) && !if_nametoindex(b.names[k + 1]),
	      "missing: nothing of the two is left");
	b.res[k] = b.res[k + 1] = -1;
	check_made(&b, lower_index, "missing");
	check(ret == -ENODEV && strstr(err.msg, "nosuch0"),
	      "missing: create_many returns ENODEV, naming nosuch0");
	remove_group();
	batch_free(&b);
	return 0;
}

static int cmd_sizes(const char *lower)
{
	struct mvn_error err = { 0 };
	struct batch b;
	int ret;

	ret = ops->create_many(ctx, NULL, 0, NULL, NULL, &err);
	check(ret == 0, "sizes: a batch of 0 returns 0");
	batch_make(&b, "l1", lower, 1);
	b.res[0] = -1;
	ret = ops->create_many(ctx, b.specs, 1, b.out, b.res, &err);
	check(ret == 0 && b.res[0] == 0, "sizes: a batch of 1 returns 0");
	check_made(&b, if_nametoindex(lower), "sizes");
	remove_group();
	batch_free(&b);
	return 0;
}

/* The link as the old code described it, through libnl's object. */
static void oracle_describe(struct rtnl_link *l, struct mvn_link_info *out)
{
	struct nl_addr *a = rtnl_link_get_addr(l);
	const char *type = rtnl_link_get_type(l);
	const char *alias = rtnl_link_get_ifalias(l);
	unsigned int flags = rtnl_link_get_flags(l);

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", rtnl_link_get_name(l));
	out->ifindex = rtnl_link_get_ifindex(l);
	out->netnsid = MVN_NETNSID_SELF;
	out->lower_ifindex = rtnl_link_get_link(l);
	out->master_ifindex = rtnl_link_get_master(l);
	out->mtu = rtnl_link_get_mtu(l);
	out->group = rtnl_link_get_group(l);
	out->up = (flags & IFF_UP) != 0;
	out->carrier = (flags & IFF_LOWER_UP) != 0;
	snprintf(out->alias, sizeof(out->alias), "%s", alias ? alias : "");
	if (a && nl_addr_get_len(a) == 6)
		memcpy(out->mac, nl_addr_get_binary_addr(a), 6);
	if (!type)
		return;
	if (!strcmp(type, "macvtap")) {
		out->kind = MVN_LINK_MACVTAP;
		out->mode = rtnl_link_macvtap_get_mode(l) & 0xf;
	} else if (!strcmp(type, "macvlan")) {
		out->kind = MVN_LINK_MACVLAN;
		out->mode = rtnl_link_macvlan_get_mode(l) & 0xf;
	} else if (!strcmp(type, "bridge")) {
		out->kind = MVN_LINK_BRIDGE;
	} else if (!strcmp(type, "openvswitch")) {
		out->kind = MVN_LINK_OVS;
	}
}

/* Every link of this namespace through libnl's link cache. */
static int oracle_list(struct mvn_link_info **out, size_t *n)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_cache *cache = NULL;
	struct nl_object *o;
	size_t i = 0;

	if (!sk || nl_connect(sk, NETLINK_ROUTE) < 0 ||
	    rtnl_link_alloc_cache(sk, AF_UNSPEC, &cache) < 0) {
		nl_socket_free(sk);
		return -1;
	}
	*out = calloc((size_t)nl_cache_nitems(cache) + 1, sizeof(**out));
	for (o = nl_cache_get_first(cache); o && *out; o = nl_cache_get_next(o))
		oracle_describe((struct rtnl_link *)o, &(*out)[i++]);
	*n = i;
	nl_cache_free(cache);
	nl_socket_free(sk);
	return *out ? 0 : -1;
}

static const struct mvn_link_info *by_index(const struct mvn_link_info *v,
					    size_t n, int ifindex)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].ifindex == ifindex)
			return &v[i];
	return NULL;
}

/* Name the first field where a and b differ, or NULL. */
static const char *differ(const struct mvn_link_info *a,
			  const struct mvn_link_info *b)
{
	if (strcmp(a->name, b->name))
		return "name";
	if (a->ifindex != b->ifindex)
		return "ifindex";
	if (a->netnsid != b->netnsid)
		return "netnsid";
	if (a->lower_ifindex != b->lower_ifindex)
		return "lower_ifindex";
	if (a->master_ifindex != b->master_ifindex)
		return "master_ifindex";
	if (a->kind != b->kind)
		return "kind";
	if (a->mode != b->mode)
		return "mode";
	if (memcmp(a->mac, b->mac, 6))
		return "mac";
	if (a->mtu != b->mtu)
		return "mtu";
	if (a->group != b->group)
		return "group";
	if (a->up != b->up)
		return "up";
	if (a->carrier != b->carrier)
		return "carrier";
	if (strcmp(a->alias, b->alias))
		return "alias";
	/* And nothing else: both clear the whole struct first. */
	if (memcmp(a, b, sizeof(*a)))
		return "padding or bytes after a string";
	return NULL;
}

/* How many of want's links got differs from, the first one named. */
static size_t compare_lists(const struct mvn_link_info *want, size_t nw,
			    const struct mvn_link_info *got, size_t ng)
{
	size_t i, bad = 0;

	for (i = 0; i < nw; i++) {
		const struct mvn_link_info *g =
			by_index(got, ng, want[i].ifindex);
		const char *d = g ? differ(&want[i], g) : "missing";

		if (d && !bad++)
			printf("# %s: %s differs\n", want[i].name, d);
	}
	if (nw != ng && !bad++)
		printf("# %zu links against %zu\n", nw, ng);
	return bad;
}

/* Two lists the same, after links stopped changing (carrier settles). */
static int stable_lists(struct mvn_link_info **fast, size_t *nf,
			struct mvn_link_info **slow, size_t *ns)
{
	struct mvn_error err = { 0 };
	struct mvn_link_info *again;
	size_t na, tries;

	for (tries = 0; tries < 20; tries++) {
		if (ops->list(ctx, 0, fast, nf, &err) < 0 ||
		    oracle_list(slow, ns) < 0 ||
		    ops->list(ctx, 0, &again, &na, &err) < 0)
			return -1;
		if (na == *nf && !memcmp(again, *fast, na * sizeof(*again))) {
			free(again);
			return 0;
		}
		free(again);
		free(*fast);
		free(*slow);
		usleep(100000);
	}
	return -1;
}

static int cmd_dump(void)
{
	struct mvn_link_info *fast, *slow, one;
	struct mvn_error err = { 0 };
	size_t nf, ns, i, kinds[5] = { 0 }, aliased = 0, dormant = 0;
	size_t bad_get = 0;
	int r;

	if (stable_lists(&fast, &nf, &slow, &ns) < 0) {
		check(0, "dump: the links settle and can be listed");
		return 0;
	}
	for (i = 0; i < nf; i++) {
		kinds[fast[i].kind]++;
		aliased += fast[i].alias[0] != '\0';
		dormant += fast[i].up && fast[i].carrier &&
			   operstate_is(fast[i].name, "dormant");
	}
	printf("# %zu links: %zu macvtap, %zu macvlan, %zu bridge, %zu "
	       "aliased, %zu with carrier and dormant\n",
	       nf, kinds[MVN_LINK_MACVTAP], kinds[MVN_LINK_MACVLAN],
	       kinds[MVN_LINK_BRIDGE], aliased, dormant);
	check(kinds[MVN_LINK_MACVTAP] && kinds[MVN_LINK_MACVLAN] &&
		      kinds[MVN_LINK_BRIDGE] && aliased && dormant,
	      "dump: list finds every kind, aliases, and carrier apart from "
	      "running");
	check(compare_lists(slow, ns, fast, nf) == 0,
	      "dump: list gives every link as libnl's objects do, field by "
	      "field (%zu links)",
	      ns);
	for (i = 0; i < ns; i++) {
		if (ops->get(ctx, slow[i].name, &one, &err) < 0 ||
		    differ(&slow[i], &one) ||
		    ops->get_index(ctx, MVN_NETNSID_SELF, slow[i].ifindex, &one,
				   &err) < 0 ||
		    differ(&slow[i], &one)) {
			if (!bad_get++)
				printf("# %s: %s\n", slow[i].name,
				       err.msg[0] ? err.msg :
						    differ(&slow[i], &one));
		}
	}
	check(bad_get == 0, "dump: get and get_index give each link the same");
	err.msg[0] = '\0';
	r = ops->get_index(ctx, MVN_NETNSID_SELF, 999999, &one, &err);
	printf("# err: %s\n", err.msg);
	check(r == -ENODEV && strstr(err.msg, "999999"),
	      "dump: get_index of a missing ifindex is ENODEV, named");
	r = ops->get_index(ctx, 4242, 1, &one, &err);
	printf("# err: %s\n", err.msg);
	check(r == -ENODEV,
	      "dump: get_index in a namespace id that is not is ENODEV");
	free(fast);
	free(slow);
	return 0;
}

static int cmd_fault(const char *lower, size_t n)
{
	struct mvn_error err = { 0 };
	struct batch b;
	size_t i, bad = 0;
	int ret;

	batch_make(&b, "lf", lower, n);
	ret = ops->create_many(ctx, b.specs, n, b.out, b.res, &err);
	printf("# result ret=%d failed=", ret);
	for (i = 0; i < n; i++)
		if (b.res[i])
			printf("%s%zu:%d", bad++ ? "," : "", i, b.res[i]);
	printf("\n# err: %s\n", err.msg);
	/* Each spec all or nothing: made and marked, or not there. */
	for (bad = 0, i = 0; i < n; i++) {
		struct kview v;

		kernel_view(b.names[i], &v);
		if (b.res[i] == 0 ?
			    !v.exists || v.ifindex != b.out[i].ifindex ||
				    strcmp(v.alias, b.aliases[i]) :
			    v.exists) {
			if (!bad++)
				printf("# %s: result %d, %s\n", b.names[i],
				       b.res[i],
				       v.exists ? "exists" : "missing");
		}
	}
	check(bad == 0, "fault: each spec is made and marked, or not there");
	batch_free(&b);
	return 0;
}

static int cmd_bench(int reps)
{
	struct mvn_error err = { 0 };
	struct mvn_link_info *v;
	double best = 1e9, sum = 0;
	size_t n = 0;
	int i;

	for (i = 0; i < reps; i++) {
		struct timespec t0, t1;
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (ops->list(ctx, 0, &v, &n, &err) < 0) {
			fprintf(stderr, "link-many: %s\n", err.msg);
			return 1;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		free(v);
		ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		sum += ms;
		if (ms < best)
			best = ms;
	}
	printf("# list of %zu links: best %.2f ms, mean %.2f ms over %d\n", n,
	       best, sum / reps, reps);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: link-many create|clash|missing|sizes|dump|"
			"fault|bench ARGS (see tests/link-many.c)\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int r;

	if (!strcmp(cmd, "") || open_link() < 0)
		return usage();
	if (!strcmp(cmd, "create") && argc == 4)
		r = cmd_create(argv[2], strtoul(argv[3], NULL, 10));
	else if (!strcmp(cmd, "clash") && argc == 6)
		r = cmd_clash(argv[2], strtoul(argv[3], NULL, 10),
			      strtoul(argv[4], NULL, 10), argv[5]);
	else if (!strcmp(cmd, "missing") && argc == 5)
		r = cmd_missing(argv[2], strtoul(argv[3], NULL, 10),
				strtoul(argv[4], NULL, 10));
	else if (!strcmp(cmd, "sizes") && argc == 3)
		r = cmd_sizes(argv[2]);
	else if (!strcmp(cmd, "dump") && argc == 2)
		r = cmd_dump();
	else if (!strcmp(cmd, "fault") && argc == 4)
		r = cmd_fault(argv[2], strtoul(argv[3], NULL, 10));
	else if (!strcmp(cmd, "bench") && argc == 3)
		r = cmd_bench(atoi(argv[2]));
	else
		r = usage();
	ops->close(ctx);
	return r ? r : failed;
}
