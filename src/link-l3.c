/*
 * The host's layer 3 on a device (its addresses, the routes through it and
 * the policy rules that name it), read and written as the kernel's own
 * messages: a record is the body of the kernel's RTM_NEWADDR, RTM_NEWROUTE
 * or RTM_NEWRULE message, kept whole, so that moving it to another device
 * and back puts back exactly what was there (lifetimes, flags, metric,
 * table, protocol, source...), whatever attributes the kernel adds later.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <net/if.h>

#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "link-int.h"
#include "link.h"
#include "util.h"

/* The fixed header of each kind, and its message types. */
static const struct {
	size_t hdr;
	int get, add, del;
} kinds[] = {
	[MVN_L3_ADDR] = { sizeof(struct ifaddrmsg), RTM_GETADDR, RTM_NEWADDR,
			  RTM_DELADDR },
	[MVN_L3_ROUTE] = { sizeof(struct rtmsg), RTM_GETROUTE, RTM_NEWROUTE,
			   RTM_DELROUTE },
	[MVN_L3_RULE] = { sizeof(struct fib_rule_hdr), RTM_GETRULE, RTM_NEWRULE,
			  RTM_DELRULE },
	[MVN_L3_NEIGH] = { sizeof(struct ndmsg), RTM_GETNEIGH, RTM_NEWNEIGH,
			   RTM_DELNEIGH },
};

/* The attributes after the header. */
static struct nlattr *attrs(const struct mvn_l3 *x, int *len)
{
	size_t off = NLMSG_ALIGN(kinds[x->kind].hdr);

	*len = x->len > off ? (int)(x->len - off) : 0;
	return (struct nlattr *)(x->data + off);
}

static const struct nlattr *find(const struct mvn_l3 *x, int type)
{
	int len;
	struct nlattr *a = attrs(x, &len);

	return nla_find(a, len, type);
}

/* Routes the kernel makes itself, or that belong to no one device. */
static bool route_skipped(const struct rtmsg *rt)
{
	return rt->rtm_protocol == RTPROT_KERNEL ||
	       rt->rtm_table == RT_TABLE_LOCAL || rt->rtm_type == RTN_LOCAL ||
	       rt->rtm_type == RTN_BROADCAST || rt->rtm_type == RTN_MULTICAST ||
	       (rt->rtm_flags & RTM_F_CLONED);
}

/* Whether a route goes out through ifindex (alone or as one nexthop). */
static bool route_via(const struct mvn_l3 *x, int ifindex)
{
	const struct nlattr *oif = find(x, RTA_OIF),
			    *mp = find(x, RTA_MULTIPATH);
	const struct rtnexthop *nh;
	int left;

	if (oif && (int)nla_get_u32((struct nlattr *)oif) == ifindex)
		return true;
	if (!mp)
		return false;
	nh = nla_data(mp);
	left = nla_len(mp);
	while (left >= (int)sizeof(*nh) && nh->rtnh_len >= sizeof(*nh) &&
	       nh->rtnh_len <= left) {
		if (nh->rtnh_ifindex == ifindex)
			return true;
		left -= NLMSG_ALIGN(nh->rtnh_len);
		nh = (const struct rtnexthop *)((const char *)nh +
						NLMSG_ALIGN(nh->rtnh_len));
	}
	return false;
}

/* Whether a rule names the device (by name: rules know no ifindex). */
static bool rule_names(const struct mvn_l3 *x, const char *ifname)
{
	static const int types[] = { FRA_IIFNAME, FRA_OIFNAME };
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct nlattr *a = find(x, types[i]);

		if (a && !strncmp(nla_data(a), ifname, (size_t)nla_len(a)))
			return true;
	}
	return false;
}

struct l3_acc {
	enum mvn_l3_kind kind;
	int ifindex;
	const char *ifname;
	struct mvn_l3 *v;
	size_t n;
	bool oom;
};

/* Whether one dumped record is about the device asked for. */
static bool wanted(const struct l3_acc *acc, const struct mvn_l3 *x)
{
	switch (x->kind) {
	case MVN_L3_ADDR: {
		const struct ifaddrmsg *ifa = (const void *)x->data;

		/* What an admin or a DHCP client assigned, not fe80::. */
		return (int)ifa->ifa_index == acc->ifindex &&
		       ifa->ifa_scope == RT_SCOPE_UNIVERSE;
	}
	case MVN_L3_ROUTE:
		return !route_skipped((const void *)x->data) &&
		       route_via(x, acc->ifindex);
	case MVN_L3_NEIGH: {
		const struct ndmsg *nd = (const void *)x->data;

		/* What the device learned, not what an admin set. */
		return nd->ndm_ifindex == acc->ifindex &&
		       !(nd->ndm_state & (NUD_PERMANENT | NUD_NOARP));
	}
	default:
		return rule_names(x, acc->ifname);
	}
}

static int on_l3(struct nl_msg *msg, void *arg)
{
	struct l3_acc *acc = arg;
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct mvn_l3 x = { .kind = acc->kind };
	struct mvn_l3 *v;

	if (acc->oom || nlmsg_datalen(h) < (int)kinds[acc->kind].hdr)
		return NL_OK;
	x.len = (size_t)nlmsg_datalen(h);
	x.data = nlmsg_data(h);
	if (!wanted(acc, &x))
		return NL_OK;
	v = realloc(acc->v, (acc->n + 1) * sizeof(*v));
	x.data = malloc(x.len);
	if (!v || !x.data) {
		if (v)
			acc->v = v;
		free(x.data);
		acc->oom = true;
		return NL_OK;
	}
	memcpy(x.data, nlmsg_data(h), x.len);
	acc->v = v;
	acc->v[acc->n++] = x;
	return NL_OK;
}

/*
 * Turn the kernel's strict checking of dump requests on or off for the
 * socket (it then honours the filters in their headers); a kernel without
 * it dumps everything, which wanted() filters anyway.
 */
static void strict(struct nl_ctx *c, int on)
{
#ifdef NETLINK_GET_STRICT_CHK
	setsockopt(nl_socket_get_fd(c->sk), SOL_NETLINK, NETLINK_GET_STRICT_CHK,
		   &on, sizeof(on));
#else
	(void)c;
	(void)on;
#endif
}

int mvn_l3_list(void *ctx, enum mvn_l3_kind kind, int ifindex,
		const char *ifname, struct mvn_l3 **out, size_t *n,
		struct mvn_error *err)
{
	static const int families[] = { AF_INET, AF_INET6 };
	struct nl_ctx *c = ctx;
	struct l3_acc acc = { .kind = kind,
			      .ifindex = ifindex,
			      .ifname = ifname };
	unsigned char hdr[sizeof(struct rtmsg) + sizeof(struct ifaddrmsg) +
			  sizeof(struct fib_rule_hdr) + sizeof(struct ndmsg)] = {
		0
	};
	char what[96];
	size_t i;
	int r = 0;

	/*
	 * One device's addresses: with strict checking the kernel dumps only
	 * that device's (else all of them, and wanted() picks).  Thousands
	 * of endpoints each hold a link-local address.
	 */
	if (kind == MVN_L3_ADDR && ifindex > 0) {
		((struct ifaddrmsg *)hdr)->ifa_index = (uint32_t)ifindex;
		strict(c, 1);
	}
	for (i = 0; r == 0 && i < 2; i++) {
		struct nl_msg *msg =
			nlmsg_alloc_simple(kinds[kind].get, NLM_F_DUMP);

		/* The family is the first byte of each header. */
		hdr[0] = (unsigned char)families[i];
		if (msg)
			msg = mvn_nl_checked(msg, nlmsg_append(msg, hdr,
							       kinds[kind].hdr,
							       NLMSG_ALIGNTO));
		r = mvn_nl_exchange(c, msg, on_l3, &acc);
		if (r == 0 && acc.oom)
			r = -ENOMEM;
	}
	if (kind == MVN_L3_ADDR && ifindex > 0)
		strict(c, 0);
	if (r == 0) {
		*out = acc.v;
		*n = acc.n;
		return 0;
	}
	mvn_l3_free(acc.v, acc.n);
	mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err,
					_("listing the layer 3 setup "
					  "of %s"),
					what);
	return mvn_error_set(err, r,
			     _("cannot list the addresses, routes or rules of "
			       "%1$s: %2$s"),
			     what, strerror(-r));
}

/*
 * Copy attribute a into msg, moved from one device to the other: an
 * output device, a nexthop's device, a rule's device name, an address's
 * label ("eth0:1" becomes "mvh0:1").  What the kernel only reports
 * (a route's cache info) is left out.
 */
static int put_moved(struct nl_msg *msg, enum mvn_l3_kind kind,
		     const struct nlattr *a, const struct mvn_l3_move *mv)
{
	int type = nla_type(a);
	char name[IFNAMSIZ];
	const char *colon;

	if (kind == MVN_L3_ROUTE && type == RTA_OIF && mv->to_ifindex &&
	    (int)nla_get_u32((struct nlattr *)a) == mv->from_ifindex)
		return nla_put_u32(msg, RTA_OIF, (uint32_t)mv->to_ifindex);
	if (kind == MVN_L3_ROUTE && type == RTA_CACHEINFO)
		return 0;
	if (kind == MVN_L3_ROUTE && type == RTA_MULTIPATH) {
		unsigned char *copy = malloc((size_t)nla_len(a));
		struct rtnexthop *nh = (struct rtnexthop *)copy;
		int left = nla_len(a), r;

		if (!copy)
			return -NLE_NOMEM;
		memcpy(copy, nla_data(a), (size_t)left);
		while (left >= (int)sizeof(*nh) &&
		       nh->rtnh_len >= sizeof(*nh) && nh->rtnh_len <= left) {
			if (mv->to_ifindex &&
			    nh->rtnh_ifindex == mv->from_ifindex)
				nh->rtnh_ifindex = mv->to_ifindex;
			nh->rtnh_flags &= ~(RTNH_F_DEAD | RTNH_F_LINKDOWN |
					    RTNH_F_OFFLOAD | RTNH_F_TRAP);
			left -= NLMSG_ALIGN(nh->rtnh_len);
			nh = (struct rtnexthop *)((char *)nh +
						  NLMSG_ALIGN(nh->rtnh_len));
		}
		r = nla_put(msg, RTA_MULTIPATH, nla_len(a), copy);
		free(copy);
		return r;
	}
	if (kind == MVN_L3_RULE &&
	    (type == FRA_IIFNAME || type == FRA_OIFNAME) && mv->from_name &&
	    mv->to_name &&
	    !strncmp(nla_data(a), mv->from_name, (size_t)nla_len(a)))
		return nla_put_string(msg, type, mv->to_name);
	if (kind == MVN_L3_ADDR && type == IFA_LABEL && mv->to_name) {
		char old[IFNAMSIZ] = "";

		nla_strlcpy(old, a, sizeof(old));
		colon = strchr(old, ':');
		snprintf(name, sizeof(name), "%s%s", mv->to_name,
			 colon ? colon : "");
		return nla_put_string(msg, IFA_LABEL, name);
	}
	return nla_put(msg, type, nla_len(a), nla_data(a));
}

/* The request that adds (or deletes) x, moved as mv says (or as it is). */
static struct nl_msg *l3_msg(const struct mvn_l3 *x, bool add,
			     const struct mvn_l3_move *mv)
{
	const struct mvn_l3_move same = { 0 };
	unsigned char hdr[sizeof(struct rtmsg) + sizeof(struct ifaddrmsg) +
			  sizeof(struct fib_rule_hdr) + sizeof(struct ndmsg)];
	struct nl_msg *msg;
	struct nlattr *a;
	int len, rem, r = 0;

	msg = nlmsg_alloc_simple(add ? kinds[x->kind].add : kinds[x->kind].del,
				 add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	if (!msg)
		return NULL;
	mv = mv ? mv : &same;
	memcpy(hdr, x->data, kinds[x->kind].hdr);
	if (x->kind == MVN_L3_ADDR && mv->to_ifindex)
		((struct ifaddrmsg *)hdr)->ifa_index = (uint32_t)mv->to_ifindex;
	if (x->kind == MVN_L3_ROUTE)
		/* What the kernel reports but refuses to be told. */
		((struct rtmsg *)hdr)->rtm_flags &=
			~(RTNH_F_DEAD | RTNH_F_LINKDOWN | RTNH_F_OFFLOAD |
			  RTNH_F_TRAP | RTM_F_NOTIFY | RTM_F_CLONED |
			  RTM_F_EQUALIZE | RTM_F_PREFIX | RTM_F_LOOKUP_TABLE |
			  RTM_F_FIB_MATCH | RTM_F_OFFLOAD | RTM_F_TRAP |
			  RTM_F_OFFLOAD_FAILED);
	r = nlmsg_append(msg, hdr, kinds[x->kind].hdr, NLMSG_ALIGNTO);
	a = attrs(x, &len);
	nla_for_each_attr(a, a, len, rem)
	{
		if (r < 0)
			break;
		r = put_moved(msg, x->kind, a, mv);
	}
	return mvn_nl_checked(msg, r);
}

int mvn_l3_add(void *ctx, const struct mvn_l3 *x, const struct mvn_l3_move *mv,
	       struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char text[160];
	int r = mvn_nl_exchange(c, l3_msg(x, true, mv), NULL, NULL);

	if (r == 0 || r == -EEXIST)
		return 0;
	mvn_l3_describe(x, text, sizeof(text));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("adding %s"), text);
	if (mv && mv->to_name)
		return mvn_error_set(err, r, _("cannot add %1$s on %2$s: %3$s"),
				     text, mv->to_name, strerror(-r));
	return mvn_error_set(err, r, _("cannot add %1$s: %2$s"), text,
			     strerror(-r));
}

int mvn_l3_del(void *ctx, const struct mvn_l3 *x, const struct mvn_l3_move *mv,
	       struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char text[160];
	int r = mvn_nl_exchange(c, l3_msg(x, false, mv), NULL, NULL);

	/* Already gone (the kernel drops routes with their addresses). */
	if (r == 0 || r == -ESRCH || r == -ENOENT || r == -EADDRNOTAVAIL ||
	    r == -ENODEV)
		return 0;
	mvn_l3_describe(x, text, sizeof(text));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("removing %s"), text);
	return mvn_error_set(err, r, _("cannot remove %1$s: %2$s"), text,
			     strerror(-r));
}

void mvn_l3_free(struct mvn_l3 *v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		free(v[i].data);
	free(v);
}

/* An address attribute as text ("?" if it is not one). */
static void addr_text(int family, const struct nlattr *a, char *out, size_t len)
{
	if (!a || nla_len(a) != (family == AF_INET ? 4 : 16) ||
	    !inet_ntop(family, nla_data(a), out, (socklen_t)len))
		snprintf(out, len, "?");
}

static void describe_addr(const struct mvn_l3 *x, char *out, size_t len)
{
	const struct ifaddrmsg *ifa = (const void *)x->data;
	const struct nlattr *local = find(x, IFA_LOCAL), *ci;
	char text[INET6_ADDRSTRLEN];

	addr_text(ifa->ifa_family, local ? local : find(x, IFA_ADDRESS), text,
		  sizeof(text));
	ci = find(x, IFA_CACHEINFO);
	if (ci && nla_len(ci) >= (int)sizeof(struct ifa_cacheinfo) &&
	    ((const struct ifa_cacheinfo *)nla_data(ci))->ifa_valid !=
		    0xffffffffu)
		snprintf(
			out, len, _("address %1$s/%2$u (valid %3$u s)"), text,
			ifa->ifa_prefixlen,
			((const struct ifa_cacheinfo *)nla_data(ci))->ifa_valid);
	else
		snprintf(out, len, _("address %1$s/%2$u"), text,
			 ifa->ifa_prefixlen);
}

static void describe_route(const struct mvn_l3 *x, char *out, size_t len)
{
	const struct rtmsg *rt = (const void *)x->data;
	const struct nlattr *gw = find(x, RTA_GATEWAY),
			    *prio = find(x, RTA_PRIORITY);
	char dst[INET6_ADDRSTRLEN + 8], via[INET6_ADDRSTRLEN];
	size_t n;

	if (rt->rtm_dst_len == 0)
		snprintf(dst, sizeof(dst), "default");
	else {
		addr_text(rt->rtm_family, find(x, RTA_DST), dst, sizeof(dst));
		n = strlen(dst);
		snprintf(dst + n, sizeof(dst) - n, "/%u", rt->rtm_dst_len);
	}
	n = (size_t)snprintf(out, len, _("route %s"), dst);
	if (gw && n < len) {
		addr_text(rt->rtm_family, gw, via, sizeof(via));
		n += (size_t)snprintf(out + n, len - n, " via %s", via);
	}
	if (prio && n < len)
		n += (size_t)snprintf(out + n, len - n, " metric %u",
				      nla_get_u32((struct nlattr *)prio));
	if (rt->rtm_table != RT_TABLE_MAIN && n < len)
		snprintf(out + n, len - n, " table %u",
			 find(x, RTA_TABLE) ? nla_get_u32((struct nlattr *)find(
						      x, RTA_TABLE)) :
					      rt->rtm_table);
}

static void describe_rule(const struct mvn_l3 *x, char *out, size_t len)
{
	const struct fib_rule_hdr *fr = (const void *)x->data;
	const struct nlattr *prio = find(x, FRA_PRIORITY),
			    *table = find(x, FRA_TABLE);

	snprintf(out, len, _("rule %1$u (lookup %2$u)"),
		 prio ? nla_get_u32((struct nlattr *)prio) : 0,
		 table ? nla_get_u32((struct nlattr *)table) : fr->table);
}

void mvn_l3_describe(const struct mvn_l3 *x, char *out, size_t len)
{
	if (x->kind == MVN_L3_NEIGH)
		snprintf(out, len, "%s", _("a neighbour entry"));
	else if (x->kind == MVN_L3_ADDR)
		describe_addr(x, out, len);
	else if (x->kind == MVN_L3_ROUTE)
		describe_route(x, out, len);
	else
		describe_rule(x, out, len);
}

bool mvn_l3_dynamic(const struct mvn_l3 *x)
{
	const struct nlattr *ci;

	if (x->kind != MVN_L3_ADDR)
		return false;
	ci = find(x, IFA_CACHEINFO);
	return ci && nla_len(ci) >= (int)sizeof(struct ifa_cacheinfo) &&
	       ((const struct ifa_cacheinfo *)nla_data(ci))->ifa_valid !=
		       0xffffffffu;
}

bool mvn_l3_same_addr(const struct mvn_l3 *a, const struct mvn_l3 *b)
{
	const struct ifaddrmsg *x = (const void *)a->data,
			       *y = (const void *)b->data;
	const struct nlattr *la = find(a, IFA_LOCAL), *lb = find(b, IFA_LOCAL);

	if (a->kind != MVN_L3_ADDR || b->kind != MVN_L3_ADDR ||
	    x->ifa_family != y->ifa_family ||
	    x->ifa_prefixlen != y->ifa_prefixlen)
		return false;
	la = la ? la : find(a, IFA_ADDRESS);
	lb = lb ? lb : find(b, IFA_ADDRESS);
	return la && lb && nla_len(la) == nla_len(lb) &&
	       !memcmp(nla_data(la), nla_data(lb), (size_t)nla_len(la));
}

char *mvn_l3_hex(const struct mvn_l3 *x)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(2 * x->len + 1);
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < x->len; i++) {
		s[2 * i] = digits[x->data[i] >> 4];
		s[2 * i + 1] = digits[x->data[i] & 15];
	}
	s[2 * x->len] = '\0';
	return s;
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int mvn_l3_unhex(enum mvn_l3_kind kind, const char *hex, struct mvn_l3 *out)
{
	size_t n = strlen(hex), i;
	int hi, lo;

	if (kind > MVN_L3_NEIGH || n % 2 || n / 2 < kinds[kind].hdr ||
	    n / 2 > 65536)
		return -EINVAL;
	out->kind = kind;
	out->len = n / 2;
	out->data = malloc(out->len);
	if (!out->data)
		return -ENOMEM;
	for (i = 0; i < out->len; i++) {
		hi = nibble(hex[2 * i]);
		lo = nibble(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(out->data);
			out->data = NULL;
			return -EINVAL;
		}
		out->data[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Append attribute type with len bytes of data to the record x. */
static int append_attr(struct mvn_l3 *x, int type, const void *data, size_t len)
{
	size_t at = NLMSG_ALIGN(x->len),
	       total = at + NLA_ALIGN(NLA_HDRLEN + len);
	unsigned char *p = realloc(x->data, total);
	struct nlattr *a;

	if (!p)
		return -ENOMEM;
	memset(p + x->len, 0, total - x->len);
	a = (struct nlattr *)(p + at);
	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((unsigned char *)a + NLA_HDRLEN, data, len);
	x->data = p;
	x->len = total;
	return 0;
}

int mvn_l3_from_addr(const struct mvn_addr *a, int ifindex, struct mvn_l3 *out)
{
	struct ifaddrmsg ifa = { .ifa_family = (unsigned char)a->family,
				 .ifa_prefixlen = (unsigned char)a->prefix,
				 .ifa_scope = a->global ? RT_SCOPE_UNIVERSE :
							  RT_SCOPE_LINK,
				 .ifa_index = (uint32_t)ifindex };
	size_t n = a->family == AF_INET ? 4 : 16;

	out->kind = MVN_L3_ADDR;
	out->len = sizeof(ifa);
	out->data = malloc(sizeof(ifa));
	if (!out->data)
		return -ENOMEM;
	memcpy(out->data, &ifa, sizeof(ifa));
	if (append_attr(out, IFA_LOCAL, a->bytes, n) < 0 ||
	    append_attr(out, IFA_ADDRESS, a->bytes, n) < 0) {
		free(out->data);
		out->data = NULL;
		return -ENOMEM;
	}
	return 0;
}

bool mvn_l3_to_addr(const struct mvn_l3 *x, struct mvn_addr *a, int *ifindex)
{
	const struct ifaddrmsg *ifa = (const void *)x->data;
	const struct nlattr *local;
	size_t n;

	if (x->kind != MVN_L3_ADDR || x->len < sizeof(*ifa))
		return false;
	local = find(x, IFA_LOCAL);
	local = local ? local : find(x, IFA_ADDRESS);
	n = ifa->ifa_family == AF_INET ? 4 : 16;
	if (!local || (size_t)nla_len(local) != n)
		return false;
	memset(a, 0, sizeof(*a));
	a->family = ifa->ifa_family;
	memcpy(a->bytes, nla_data(local), n);
	a->prefix = ifa->ifa_prefixlen;
	a->global = ifa->ifa_scope == RT_SCOPE_UNIVERSE;
	if (ifindex)
		*ifindex = (int)ifa->ifa_index;
	return true;
}
