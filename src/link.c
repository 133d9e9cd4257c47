/*
 * The kernel's links through libnl-route-3: the only module that talks
 * netlink.  Every request goes through mvn_nl_exchange(), which counts it for fault
 * injection, sends it and waits a bounded time for its answer; libnl's own
 * send-and-wait helpers are not used, since they would wait for ever.  The
 * one exception, create_many, pipelines its requests on a second socket
 * (see batch_run()), counted and bounded the same way.  Links are read
 * from their messages directly (parse_link()), not through libnl's
 * objects.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_link.h>
#include <linux/net_namespace.h>
#include <linux/netlink.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/macvtap.h>

#include "fault.h"
#include "link-int.h"
#include "link.h"
#include "tap.h"
#include "util.h"

/*
 * libnl folds the kernel's errno (EEXIST and EADDRINUSE both become
 * NLE_EXIST); keep the kernel's own so that messages can tell them apart.
 */
static int on_nl_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct nl_ctx *c = arg;

	(void)nla;
	c->kernel_errno = -e->error;
	return NL_STOP;
}

/* The errno for a libnl error that did not come from the kernel. */
static int nl_errno(int nlret)
{
	switch (-nlret) {
	case NLE_AGAIN:
		/* A read gave up after SO_RCVTIMEO: nothing came in time. */
		return -ETIMEDOUT;
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_PERM:
	case NLE_NOACCESS:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
	case NLE_RANGE:
		return -EINVAL;
	case NLE_OPNOTSUPP:
		return -EOPNOTSUPP;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	default:
		return -EIO;
	}
}

/*
 * A connected socket whose reads give up after the context's timeout, with
 * the callback that keeps the kernel's errno.
 */
static int open_socket(struct nl_ctx *c, struct nl_sock **out)
{
	struct timeval tv = {
		.tv_sec = c->timeout_ms / 1000,
		.tv_usec = (c->timeout_ms % 1000) * 1000,
	};
	struct nl_sock *sk = nl_socket_alloc();
	int r, ret;

	if (!sk)
		return -ENOMEM;
	r = nl_connect(sk, NETLINK_ROUTE);
	if (r < 0) {
		ret = nl_errno(r);
		goto cleanup;
	}
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv,
		       sizeof(tv)) < 0) {
		ret = -errno;
		goto cleanup;
	}
	r = nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_nl_error, c);
	if (r < 0) {
		ret = nl_errno(r);
		goto cleanup;
	}
	*out = sk;
	sk = NULL;
	ret = 0;
cleanup:
	nl_socket_free(sk);
	return ret;
}

/* Where mvn_nl_exchange() is in waiting for an answer. */
struct wait {
	struct nl_ctx *c;
	bool answered;
};

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct wait *w = arg;

	(void)msg;
	w->answered = true;
	return NL_STOP;
}

/* The end of a dump: the kernel puts a failed dump's errno in it. */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct wait *w = arg;
	int e;

	w->answered = true;
	if (nlmsg_datalen(h) >= (int)sizeof(e)) {
		memcpy(&e, nlmsg_data(h), sizeof(e));
		if (e < 0)
			w->c->kernel_errno = -e;
	}
	return NL_STOP;
}

/*
 * The one way to the kernel: send msg (freed here; NULL means building it
 * ran out of memory) and wait until the kernel has answered it, each read
 * waiting at most the context's timeout.  Each reply other than the final
 * acknowledgement or end of dump goes to on_reply.  Returns 0 or a negative
 * errno, the kernel's own when it sent one.  libnl's sequence number
 * check stays on; after a request is given up, see nl_ctx.stale.
 */
int mvn_nl_exchange(struct nl_ctx *c, struct nl_msg *msg,
		    nl_recvmsg_msg_cb_t on_reply, void *arg)
{
	struct wait w = { .c = c };
	struct nl_cb *base = NULL, *cb = NULL;
	struct nl_sock *sk;
	int fault, r, ret;

	if (!msg)
		return -ENOMEM;
	if (c->stale) {
		ret = open_socket(c, &sk);
		if (ret < 0)
			goto cleanup;
		nl_socket_free(c->sk);
		c->sk = sk;
		c->stale = false;
	}
	c->kernel_errno = 0;
	/* An injected failure takes the path a kernel error would. */
	fault = mvn_fault_at(MVN_FAULT_NETLINK);
	if (fault < 0) {
		ret = fault;
		goto cleanup;
	}
	base = nl_socket_get_cb(c->sk);
	cb = base ? nl_cb_clone(base) : NULL;
	if (!cb) {
		ret = -ENOMEM;
		goto cleanup;
	}
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &w);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &w);
	if (on_reply)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_reply, arg);
	/* A lost request is not sent, and its answer is waited for. */
	if (fault != MVN_FAULT_LOST) {
		r = nl_send_auto(c->sk, msg);
		if (r < 0) {
			c->stale = true;
			ret = nl_errno(r);
			goto cleanup;
		}
	}
	/*
	 * A get is answered by its reply and then an acknowledgement, each
	 * read separately; a dump ends with NLMSG_DONE.
	 */
	r = 0;
	while (!w.answered && c->kernel_errno == 0) {
		r = nl_recvmsgs_report(c->sk, cb);
		if (r < 0)
			break;
		if (r == 0) {
			/* Nothing read and no error: treat as no answer. */
			r = -NLE_FAILURE;
			break;
		}
	}
	if (c->kernel_errno) {
		ret = -c->kernel_errno;
	} else if (r < 0) {
		/* No answer, or one that made no sense: drop this socket. */
		c->stale = true;
		ret = nl_errno(r);
	} else {
		ret = 0;
	}
cleanup:
	if (cb)
		nl_cb_put(cb);
	if (base)
		nl_cb_put(base);
	nlmsg_free(msg);
	return ret;
}

/* A request about link ifindex (0: none) in namespace netnsid. */
static struct nl_msg *link_msg(int type, int flags, int netnsid, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (netnsid != MVN_NETNSID_SELF &&
	     nla_put_s32(msg, IFLA_TARGET_NETNSID, netnsid) < 0)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Drop msg when adding to it failed (put < 0); see mvn_nl_exchange(). */
struct nl_msg *mvn_nl_checked(struct nl_msg *msg, int put)
{
	if (put >= 0)
		return msg;
	nlmsg_free(msg);
	return NULL;
}

/*
 * Change link ifindex of this namespace: group, flags, MAC, alias.  Never
 * with IFLA_TARGET_NETNSID: in RTM_NEWLINK it names where to move the link.
 */
static struct nl_msg *change_msg(int ifindex, const uint32_t *group,
				 unsigned int mask, unsigned int flags,
				 const unsigned char *mac, const char *alias)
{
	struct nl_msg *msg =
		link_msg(RTM_NEWLINK, 0, MVN_NETNSID_SELF, ifindex);
	int put = 0;

	if (!msg)
		return NULL;
	if (mask) {
		struct ifinfomsg *ifi = nlmsg_data(nlmsg_hdr(msg));

		ifi->ifi_flags = flags & mask;
		ifi->ifi_change = mask;
	}
	if (group)
		put = nla_put_u32(msg, IFLA_GROUP, *group);
	if (put >= 0 && mac)
		put = nla_put(msg, IFLA_ADDRESS, 6, mac);
	/* Without a NUL, as ip sends it: the kernel would count the NUL. */
	if (put >= 0 && alias)
		put = nla_put(msg, IFLA_IFALIAS, (int)strlen(alias), alias);
	return mvn_nl_checked(msg, put);
}

/*
 * The request that finishes a new link: its alias (the kernel ignores one
 * in the create request) and, for a macvtap (created down, IPv6 turned off
 * by no_ipv6() meanwhile), the link up.
 */
static struct nl_msg *finish_msg(const struct mvn_link_spec *s, int ifindex)
{
	bool tap = s->kind == MVN_LINK_MACVTAP;
	const char *alias = s->alias && *s->alias ? s->alias : NULL;

	return change_msg(ifindex, NULL, tap ? IFF_UP : 0, tap ? IFF_UP : 0,
			  NULL, alias);
}

/*
 * Turn IPv6 off on new macvtap name while it is down.  An endpoint is the
 * guest's: with addresses of the host's own, the host would send
 * neighbour discovery with the guest's MAC before the guest runs, and
 * each address costs the kernel routes.  Best effort: without IPv6 (or
 * /proc) there is nothing to turn off.
 */
static void no_ipv6(const struct mvn_link_spec *s, const char *name)
{
	char path[96];
	int fd;

	if (s->kind != MVN_LINK_MACVTAP)
		return;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6",
		 name);
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (write(fd, "1\n", 2) != 2) {
		/* Left on: the endpoint still works. */
	}
	close(fd);
}

/* Whether a new link of s needs finish_msg() at all. */
static bool needs_finish(const struct mvn_link_spec *s)
{
	return s->kind == MVN_LINK_MACVTAP || (s->alias && *s->alias);
}

static int change(struct nl_ctx *c, int ifindex, const uint32_t *group,
		  unsigned int mask, unsigned int flags,
		  const unsigned char *mac, const char *alias)
{
	return mvn_nl_exchange(
		c, change_msg(ifindex, group, mask, flags, mac, alias), NULL,
		NULL);
}

/* Delete link ifindex, or with ifindex 0 every link of *group. */
static struct nl_msg *del_msg(int netnsid, int ifindex, const uint32_t *group)
{
	struct nl_msg *msg = link_msg(RTM_DELLINK, 0, netnsid, ifindex);

	if (msg && group)
		msg = mvn_nl_checked(msg, nla_put_u32(msg, IFLA_GROUP, *group));
	return msg;
}

static int del(struct nl_ctx *c, int netnsid, int ifindex,
	       const uint32_t *group)
{
	return mvn_nl_exchange(c, del_msg(netnsid, ifindex, group), NULL, NULL);
}

static int ioctl_socket(struct nl_ctx *c)
{
	if (c->ioctl_fd < 0) {
		c->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (c->ioctl_fd < 0)
			return -errno;
	}
	return 0;
}

/*
 * The ifindex of a link and, when mac is not NULL, its hardware address,
 * by ioctl.
 */
static int index_and_mac(struct nl_ctx *c, const char *name, int *ifindex,
			 unsigned char *mac)
{
	struct ifreq ifr = { 0 };
	int r = ioctl_socket(c);

	if (r < 0)
		return r;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(c->ioctl_fd, SIOCGIFINDEX, &ifr) < 0)
		return -errno;
	*ifindex = ifr.ifr_ifindex;
	if (!mac)
		return 0;
	if (ioctl(c->ioctl_fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/*
 * How a message names link ifindex of namespace netnsid: by name when it
 * is here and still has one.  Written to buf, which is returned.
 */
const char *mvn_nl_label(struct nl_ctx *c, int netnsid, int ifindex, char *buf,
			 size_t len)
{
	struct ifreq ifr = { .ifr_ifindex = ifindex };

	if (netnsid != MVN_NETNSID_SELF)
		snprintf(buf, len,
			 _("endpoint with ifindex %1$d in network namespace "
			   "id %2$d"),
			 ifindex, netnsid);
	else if (ioctl_socket(c) == 0 &&
		 ioctl(c->ioctl_fd, SIOCGIFNAME, &ifr) == 0)
		snprintf(buf, len, _("interface '%.*s'"), IFNAMSIZ,
			 ifr.ifr_name);
	else
		snprintf(buf, len, _("interface with ifindex %d"), ifindex);
	return buf;
}

/* The message of a step that got no answer in time; fmt names the step. */
int mvn_nl_timed_out(const struct nl_ctx *c, struct mvn_error *err,
		     const char *fmt, ...)
{
	char step[192], wait[32];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(step, sizeof(step), fmt, ap);
	va_end(ap);
	if (c->timeout_ms % 1000 == 0)
		snprintf(wait, sizeof(wait), _("%u s"), c->timeout_ms / 1000);
	else
		snprintf(wait, sizeof(wait), _("%u ms"), c->timeout_ms);
	return mvn_error_set(err, -ETIMEDOUT,
			     _("the kernel did not answer within %1$s while "
			       "%2$s; try again, and look in the kernel log "
			       "(dmesg) if it keeps happening"),
			     wait, step);
}

/* <net/if.h> stops at IFF_DYNAMIC; <linux/if.h> would clash with it. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP (1 << 16)
#endif

/*
 * The attributes a link is described by, checked as libnl's own link
 * parser checks them (a name or an alias ends in a NUL and fits), so that
 * a message it would have refused is refused here too.
 */
static const struct nla_policy ifla_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
	[IFLA_MTU] = { .type = NLA_U32 },
	[IFLA_LINK] = { .type = NLA_U32 },
	[IFLA_MASTER] = { .type = NLA_U32 },
	[IFLA_GROUP] = { .type = NLA_U32 },
	[IFLA_IFALIAS] = { .type = NLA_STRING, .maxlen = MVN_ALIAS_MAX + 1 },
	[IFLA_LINKINFO] = { .type = NLA_NESTED },
};

static const struct nla_policy info_policy[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { .type = NLA_STRING },
	[IFLA_INFO_DATA] = { .type = NLA_NESTED },
	[IFLA_INFO_XSTATS] = { .type = NLA_NESTED },
};

static const struct nla_policy macvlan_policy[IFLA_MACVLAN_MAX + 1] = {
	[IFLA_MACVLAN_MODE] = { .type = NLA_U32 },
	[IFLA_MACVLAN_FLAGS] = { .type = NLA_U16 },
};

/*
 * The kind from IFLA_LINKINFO and, for macvtap and macvlan, the mode from
 * its data (0 when the kernel gave none).  A nest that does not parse
 * makes the whole link unreadable, as it did through libnl.
 */
static int parse_kind(struct nlattr *linkinfo, struct mvn_link_info *out)
{
	struct nlattr *li[IFLA_INFO_MAX + 1], *md[IFLA_MACVLAN_MAX + 1];
	const char *kind;

	if (!linkinfo)
		return 0;
	if (nla_parse_nested(li, IFLA_INFO_MAX, linkinfo, info_policy) < 0)
		return -EINVAL;
	if (!li[IFLA_INFO_KIND])
		return 0;
	kind = nla_get_string(li[IFLA_INFO_KIND]);
	if (!strcmp(kind, "macvtap"))
		out->kind = MVN_LINK_MACVTAP;
	else if (!strcmp(kind, "macvlan"))
		out->kind = MVN_LINK_MACVLAN;
	else if (!strcmp(kind, "bridge"))
		out->kind = MVN_LINK_BRIDGE;
	else if (!strcmp(kind, "openvswitch"))
		out->kind = MVN_LINK_OVS;
	if ((out->kind != MVN_LINK_MACVTAP && out->kind != MVN_LINK_MACVLAN) ||
	    !li[IFLA_INFO_DATA])
		return 0;
	if (nla_parse_nested(md, IFLA_MACVLAN_MAX, li[IFLA_INFO_DATA],
			     macvlan_policy) < 0)
		return -EINVAL;
	/* Only the mode bits macvnet knows, as before. */
	if (md[IFLA_MACVLAN_MODE])
		out->mode = nla_get_u32(md[IFLA_MACVLAN_MODE]) & 0xf;
	return 0;
}

/*
 * Read one RTM_NEWLINK straight into *out: libnl's object parser decodes
 * every attribute (statistics, per-family data) into an allocated object,
 * which costs much more than the few fields wanted, at thousands of links.
 * -EINVAL for a message that is not a readable link.
 */
static int parse_link(struct nlmsghdr *h, struct mvn_link_info *out)
{
	struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi;

	if (h->nlmsg_type != RTM_NEWLINK || !nlmsg_valid_hdr(h, sizeof(*ifi)) ||
	    nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, ifla_policy) < 0 ||
	    !tb[IFLA_IFNAME])
		return -EINVAL;
	ifi = nlmsg_data(h);
	memset(out, 0, sizeof(*out));
	nla_strlcpy(out->name, tb[IFLA_IFNAME], sizeof(out->name));
	out->ifindex = ifi->ifi_index;
	out->netnsid = MVN_NETNSID_SELF;
	out->up = (ifi->ifi_flags & IFF_UP) != 0;
	out->carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
	if (tb[IFLA_LINK])
		out->lower_ifindex = (int)nla_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_MASTER])
		out->master_ifindex = (int)nla_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_MTU])
		out->mtu = nla_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_GROUP])
		out->group = nla_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_ADDRESS] && nla_len(tb[IFLA_ADDRESS]) == 6)
		memcpy(out->mac, nla_data(tb[IFLA_ADDRESS]), 6);
	if (tb[IFLA_IFALIAS])
		nla_strlcpy(out->alias, tb[IFLA_IFALIAS], sizeof(out->alias));
	return parse_kind(tb[IFLA_LINKINFO], out);
}

/* Links read from the kernel, as mvn_link_info. */
struct list_acc {
	struct mvn_link_info *v;
	size_t n, cap;
	int netnsid; /* the namespace being read */
	bool ours; /* keep only links in macvnet's groups */
	bool oom;
};

/* One RTM_NEWLINK reply; a message that is no readable link is skipped. */
static int on_link(struct nl_msg *msg, void *arg)
{
	struct list_acc *a = arg;
	struct mvn_link_info *slot;

	if (a->oom)
		return NL_OK;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		struct mvn_link_info *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			a->oom = true;
			return NL_OK;
		}
		a->v = v;
		a->cap = cap;
	}
	slot = &a->v[a->n];
	if (parse_link(nlmsg_hdr(msg), slot) < 0 ||
	    (a->ours && !MVN_GROUP_OURS(slot->group)))
		return NL_OK;
	slot->netnsid = a->netnsid;
	a->n++;
	return NL_OK;
}

/*
 * An RTM_GETLINK (a dump with NLM_F_DUMP) asking the kernel to leave the
 * statistics out: nothing here reads them, and they are most of each
 * answer.  A kernel older than the flag ignores it.
 */
static struct nl_msg *get_msg(int flags, int netnsid, int ifindex)
{
	struct nl_msg *msg = link_msg(RTM_GETLINK, flags, netnsid, ifindex);

#ifdef RTEXT_FILTER_SKIP_STATS
	if (msg)
		msg = mvn_nl_checked(msg, nla_put_u32(msg, IFLA_EXT_MASK,
						      RTEXT_FILTER_SKIP_STATS));
#endif
	return msg;
}

/*
 * Append the links of namespace netnsid to a.  A dump that the kernel
 * marks interrupted (links changed while it was read) is read again: a
 * link missing from it would look lost.  Many other processes changing
 * links at once can interrupt several in a row, so the retries back off a
 * little, for a while, before the error.
 */
#define DUMP_TRIES 40

static int dump_links(struct nl_ctx *c, int netnsid, struct list_acc *a)
{
	size_t start = a->n;
	int tries, r;

	a->netnsid = netnsid;
	for (tries = 0;; tries++) {
		a->n = start;
		r = mvn_nl_exchange(c, get_msg(NLM_F_DUMP, netnsid, 0), on_link,
				    a);
		if (r != -EINTR || tries == DUMP_TRIES)
			break;
		usleep((useconds_t)(1000 * (1 + tries % 8)));
	}
	if (r == 0 && a->oom)
		r = -ENOMEM;
	return r;
}

/* Ask for one link (msg: by name or ifindex) and read its answer. */
static int get_one(struct nl_ctx *c, struct nl_msg *msg, int netnsid,
		   struct mvn_link_info *out)
{
	struct list_acc acc = { .netnsid = netnsid };
	int r = mvn_nl_exchange(c, msg, on_link, &acc);

	if (r == 0 && acc.oom)
		r = -ENOMEM;
	if (r == 0 && acc.n != 1)
		r = -ENODEV;
	if (r == 0)
		*out = acc.v[0];
	free(acc.v);
	return r;
}

static int lk_get(void *ctx, const char *name, struct mvn_link_info *out,
		  struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct nl_msg *msg = get_msg(0, MVN_NETNSID_SELF, 0);
	int r;

	if (msg)
		msg = mvn_nl_checked(msg,
				     nla_put_string(msg, IFLA_IFNAME, name));
	r = get_one(c, msg, MVN_NETNSID_SELF, out);
	if (r == -ENODEV)
		return mvn_error_set(err, r, _("interface '%s' not found"),
				     name);
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("reading interface '%s'"),
					name);
	if (r < 0)
		return mvn_error_set(err, r,
				     _("cannot read interface '%1$s': %2$s"),
				     name, strerror(-r));
	return 0;
}

static int lk_get_index(void *ctx, int netnsid, int ifindex,
			struct mvn_link_info *out, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96];
	int r = -ENODEV;

	/* Index 0 would ask for nothing, a negative one is none. */
	if (ifindex > 0)
		r = get_one(c, get_msg(0, netnsid, ifindex), netnsid, out);
	/* An id the kernel does not know: that namespace is gone. */
	if (r == -EINVAL && netnsid != MVN_NETNSID_SELF)
		r = -ENODEV;
	if (r == 0)
		return 0;
	if (netnsid == MVN_NETNSID_SELF)
		snprintf(what, sizeof(what), _("interface with ifindex %d"),
			 ifindex);
	else
		mvn_nl_label(c, netnsid, ifindex, what, sizeof(what));
	if (r == -ENODEV)
		return mvn_error_set(err, r,
				     _("%s not found; it was deleted, or "
				       "moved to another network namespace"),
				     what);
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("reading %s"), what);
	return mvn_error_set(err, r, _("cannot read %1$s: %2$s"), what,
			     strerror(-r));
}

/* Say what a failed create means, naming the device and the fix. */
static int create_error(const struct mvn_link_spec *s, int e,
			struct mvn_error *err)
{
	char mac[18] = "";

	if (s->has_mac)
		mvn_mac_format(s->mac, mac);
	switch (-e) {
	case EEXIST:
		return mvn_error_set(err, e,
				     _("an interface named '%s' already "
				       "exists; choose another name"),
				     s->name);
	case EADDRINUSE:
		return mvn_error_set(err, e,
				     _("MAC address %1$s is already in use on "
				       "lower device '%2$s' (by the device or "
				       "another endpoint); choose another "
				       "MAC"),
				     mac, s->lower);
	case EBUSY:
		return mvn_error_set(err, e,
				     _("lower device '%1$s' is busy: a bridge "
				       "port cannot carry macvtap endpoints "
				       "(detach it: ip link set %1$s "
				       "nomaster)"),
				     s->lower);
	case EINVAL:
		if (s->mode == MVN_LINK_PASSTHRU)
			return mvn_error_set(err, e,
					     _("lower device '%s' already has "
					       "an endpoint, and a passthrough "
					       "endpoint needs the whole "
					       "device; delete the other or "
					       "use another device"),
					     s->lower);
		if (s->mtu && s->mtu < MVN_MTU_MIN)
			return mvn_error_set(err, e,
					     _("MTU %1$u is below the minimum "
					       "%2$d of an endpoint; raise it"),
					     s->mtu, MVN_MTU_MIN);
		if (s->mtu)
			return mvn_error_set(
				err, e,
				_("MTU %1$u is more than lower "
				  "device '%2$s' allows; lower the "
				  "MTU or raise the device's"),
				s->mtu, s->lower);
		return mvn_error_set(err, e,
				     _("the kernel refused endpoint '%1$s' on "
				       "'%2$s' as invalid (a passthrough "
				       "endpoint may hold the device)"),
				     s->name, s->lower);
	case EPERM:
	case EACCES:
		return mvn_error_set(err, e,
				     _("not permitted to create '%s': run "
				       "macvnet as root (it needs "
				       "CAP_NET_ADMIN)"),
				     s->name);
	case ENODEV:
		return mvn_error_set(err, e,
				     _("lower device '%s' not found; create "
				       "it or correct <interface dev>"),
				     s->lower);
	default:
		return mvn_error_set(err, e,
				     _("cannot create '%1$s' on '%2$s': %3$s"),
				     s->name, s->lower, strerror(-e));
	}
}

/*
 * Give the new link ifindex (called name) its alias; when that fails,
 * delete the link again so that the create leaves nothing behind.
 */
static int mark(struct nl_ctx *c, const struct mvn_link_spec *s, int ifindex,
		struct mvn_error *err)
{
	int r, undo;

	no_ipv6(s, s->name);
	r = mvn_nl_exchange(c, finish_msg(s, ifindex), NULL, NULL);
	if (r == 0)
		return 0;
	undo = del(c, MVN_NETNSID_SELF, ifindex, NULL);
	if (undo < 0 && undo != -ENODEV)
		return mvn_error_set(err, r,
				     _("new interface '%1$s' could not be "
				       "finished (%2$s), nor deleted again "
				       "(%3$s); delete it by hand: ip link "
				       "del %1$s"),
				     s->name, strerror(-r), strerror(-undo));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("setting the alias of '%s'"),
					s->name);
	/* Bringing it up is where a MAC taken on the device is refused. */
	if (r == -EADDRINUSE)
		return create_error(s, r, err);
	return mvn_error_set(err, r,
			     _("cannot set the alias of new interface "
			       "'%1$s', so it was deleted again: %2$s"),
			     s->name, strerror(-r));
}

/* The new link of s as libnl's object (*l, *addr: the caller puts them). */
static int build_link(const struct mvn_link_spec *s, int lower_ifindex,
		      struct rtnl_link **l, struct nl_addr **addr)
{
	*l = s->kind == MVN_LINK_MACVLAN ? rtnl_link_macvlan_alloc() :
					   rtnl_link_macvtap_alloc();
	if (!*l)
		return -ENOMEM;
	rtnl_link_set_name(*l, s->name);
	rtnl_link_set_link(*l, lower_ifindex);
	if (s->kind == MVN_LINK_MACVLAN)
		rtnl_link_macvlan_set_mode(*l, s->mode);
	else
		rtnl_link_macvtap_set_mode(*l, s->mode);
	if (s->ifindex > 0)
		rtnl_link_set_ifindex(*l, s->ifindex);
	/* The group marks the link as macvnet's from its first moment. */
	rtnl_link_set_group(*l, s->group);
	if (s->mtu)
		rtnl_link_set_mtu(*l, s->mtu);
	if (s->has_mac) {
		*addr = nl_addr_build(AF_LLC, s->mac, 6);
		if (!*addr)
			return -ENOMEM;
		rtnl_link_set_addr(*l, *addr);
	}
	/*
	 * Up in the same request (if that fails the kernel undoes it all),
	 * but a macvtap comes up with its mark, IPv6 off (finish_msg()).
	 */
	if (s->kind != MVN_LINK_MACVTAP)
		rtnl_link_set_flags(*l, IFF_UP);
	return 0;
}

/*
 * The request that creates the link of s on lower_ifindex, with
 * NLM_F_EXCL: without it the kernel would change a link of that name.
 */
static int create_msg(const struct mvn_link_spec *s, int lower_ifindex,
		      struct nl_msg **msg)
{
	struct rtnl_link *l = NULL;
	struct nl_addr *addr = NULL;
	int r;

	*msg = NULL;
	r = build_link(s, lower_ifindex, &l, &addr);
	if (r == 0) {
		r = rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL,
						msg);
		r = r < 0 ? nl_errno(r) : 0;
	}
	if (l)
		rtnl_link_put(l);
	if (addr)
		nl_addr_put(addr);
	return r;
}

/*
 * What create refuses before asking the kernel.  The lower device's
 * ifindex goes to *lower: the spec's, else hint (one the caller looked up
 * for this name), else asked for by ioctl, which costs no netlink round
 * trip.
 */
static int create_check(struct nl_ctx *c, const struct mvn_link_spec *s,
			int hint, int *lower, struct mvn_error *err)
{
	int r;

	if (!mvn_ifname_valid(s->name))
		return mvn_error_set(err, -EINVAL,
				     _("'%s' is not a valid interface name"),
				     s->name);
	if (s->alias && strlen(s->alias) > MVN_ALIAS_MAX)
		return mvn_error_set(err, -EINVAL,
				     _("the alias of '%1$s' is longer than "
				       "%2$d bytes; use a shorter network "
				       "name"),
				     s->name, MVN_ALIAS_MAX);
	*lower = s->lower_ifindex ? s->lower_ifindex : hint;
	if (!*lower) {
		r = index_and_mac(c, s->lower, lower, NULL);
		if (r < 0)
			return create_error(s, r, err);
	}
	return 0;
}

/* What s says of its new link, made on lower_ifindex. */
static void describe_spec(const struct mvn_link_spec *s, int lower_ifindex,
			  struct mvn_link_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", s->name);
	info->netnsid = MVN_NETNSID_SELF;
	info->lower_ifindex = lower_ifindex;
	info->kind = s->kind;
	info->mode = s->mode;
	info->mtu = s->mtu;
	info->group = s->group;
	info->up = true;
	/* A MAC that was asked for is the MAC the link has. */
	if (s->has_mac)
		memcpy(info->mac, s->mac, 6);
}

/*
 * The new link's ifindex and address through ioctls: cheaper than another
 * netlink round trip, which matters for hundreds of links.
 */
static int describe_ioctl(struct nl_ctx *c, const struct mvn_link_spec *s,
			  struct mvn_link_info *info, struct mvn_error *err)
{
	if (index_and_mac(c, s->name, &info->ifindex,
			  s->has_mac ? NULL : info->mac) < 0)
		return mvn_error_set(err, -ENODEV,
				     _("'%s' vanished right after it was "
				       "created"),
				     s->name);
	return 0;
}

static int create_one(struct nl_ctx *c, const struct mvn_link_spec *s,
		      struct mvn_link_info *out, struct mvn_error *err)
{
	struct nl_msg *msg;
	struct mvn_link_info info;
	int lower_ifindex, r, ret;

	r = create_check(c, s, 0, &lower_ifindex, err);
	if (r < 0)
		return r;
	r = create_msg(s, lower_ifindex, &msg);
	if (r == -ENOMEM)
		return mvn_error_set(err, r, _("out of memory"));
	if (r == 0)
		r = mvn_nl_exchange(c, msg, NULL, NULL);
	if (r == -ETIMEDOUT) {
		ret = mvn_nl_timed_out(c, err, _("creating '%1$s' on '%2$s'"),
				       s->name, s->lower);
	} else if (r < 0) {
		ret = create_error(s, r, err);
	} else {
		describe_spec(s, lower_ifindex, &info);
		ret = describe_ioctl(c, s, &info, err);
	}
	/* The kernel ignores IFLA_IFALIAS in a create request. */
	if (ret == 0 && needs_finish(s)) {
		ret = mark(c, s, info.ifindex, err);
		if (ret == 0 && s->alias)
			snprintf(info.alias, sizeof(info.alias), "%s",
				 s->alias);
	}
	if (ret == 0)
		*out = info;
	return ret;
}

/* How many other indexes a macvtap is tried at when /dev/tapN clashes. */
#define CLASH_TRIES 8

/*
 * Delete the macvtap info describes when its /dev/tapN is another
 * namespace's endpoint's; *again says it was (0 when it is fine).
 */
static int clash_undo(struct nl_ctx *c, const struct mvn_link_spec *s,
		      const struct mvn_link_info *info, bool *again,
		      struct mvn_error *err)
{
	int r;

	*again = s->kind == MVN_LINK_MACVTAP &&
		 mvn_tap_clash(info->name, info->ifindex, info->mac);
	if (!*again)
		return 0;
	/* From now on, macvtaps are asked for at free nodes past it. */
	if (info->ifindex + 1 > c->tap_next)
		c->tap_next = info->ifindex + 1;
	r = del(c, MVN_NETNSID_SELF, info->ifindex, NULL);
	if (r == 0 || r == -ENODEV)
		return 0;
	return mvn_error_set(err, r,
			     _("cannot delete new interface '%1$s' (%2$s), "
			       "made where /dev/tap%3$d is another "
			       "namespace's endpoint; delete it by hand: ip "
			       "link del %1$s"),
			     s->name, strerror(-r), info->ifindex);
}

/*
 * Create s; a macvtap whose /dev/tapN turns out to be another namespace's
 * endpoint is deleted and made again at an index whose node is free (an
 * index taken here, EBUSY, moves on to the next free node).
 */
static int lk_create(void *ctx, const struct mvn_link_spec *s,
		     struct mvn_link_info *out, struct mvn_error *err)
{
	struct mvn_link_spec t = *s;
	struct nl_ctx *c = ctx;
	bool again = false, chosen = false;
	int tries = 0, busy = 0, ret = 0;

	/* Once a node clashed, ask for a free one from the start. */
	if (t.kind == MVN_LINK_MACVTAP && !t.ifindex && c->tap_next) {
		t.ifindex = mvn_tap_free_index(c->tap_next);
		chosen = true;
	}
	while (tries <= CLASH_TRIES) {
		ret = create_one(c, &t, out, err);
		/*
		 * An index asked for that a link here has (made since it
		 * was chosen): the kernel says EBUSY, or EEXIST as for a
		 * name, told apart by the name.  Not a clash, but bounded.
		 */
		if (t.ifindex && busy < CLASH_TRIES * 8 &&
		    (ret == -EBUSY ||
		     (ret == -EEXIST && !if_nametoindex(t.name)))) {
			t.ifindex = mvn_tap_free_index(t.ifindex + 1);
			busy++;
			continue;
		}
		if (ret == 0)
			ret = clash_undo(c, &t, out, &again, err);
		if (ret < 0)
			return ret;
		if (!again) {
			if (chosen)
				c->tap_next = out->ifindex + 1;
			return 0;
		}
		/*
		 * clash_undo() moved tap_next past the clash.  Each retry
		 * looks further on (1, 4, 16... past it), away from another
		 * namespace making its links in the same range just now.
		 */
		t.ifindex = mvn_tap_free_index(c->tap_next +
					       (1 << (2 * tries)) - 1);
		chosen = true;
		tries++;
	}
	return mvn_error_set(err, -EXDEV,
			     _("every index tried for '%s' has its /dev/tapN "
			       "taken by another namespace's endpoint; delete "
			       "stale endpoints in other namespaces"),
			     s->name);
}

/*
 * Pipelined requests, for create_many: a window of requests goes to the
 * kernel in as few sendmsg calls as the send buffer takes, then their
 * answers are read and matched to the requests by sequence number.  The
 * kernel handles every message of a sendmsg before the call returns and
 * queues all their answers at once, so a window is no larger than the
 * receive buffer holds: an answer that does not fit is dropped, and then
 * nobody knows what became of its request.
 */

/*
 * What one create of a window can take of the receive buffer: the echoed
 * RTM_NEWLINK and the acknowledgement, each a socket buffer of its own
 * with its overhead.  Measured on Linux 6.18 (SO_MEMINFO right after the
 * sendmsg): 3136 bytes a create, 832 an alias; the margin is for kernels
 * whose messages are larger.  With the 4 MiB asked for, the window is
 * WINDOW_MAX; at the usual net.core.rmem_max (208 KiB) it is 52.
 */
#define ANSWER_COST 8192
#define WINDOW_MAX 256
/* The buffers asked for: a window of WINDOW_MAX creates fits twice. */
#define BATCH_BUF (4 << 20)

/* One request of a batch and what the kernel answered. */
struct batch_req {
	uint32_t seq;
	int err; /* the kernel's answer: 0 or a negative errno */
	bool done; /* answered, or failed before it was sent */
	bool echoed; /* an RTM_NEWLINK came back: ifindex and mac are its */
	int ifindex;
	unsigned char mac[6];
};

struct batch {
	struct nl_ctx *c;
	struct batch_req *v;
	size_t n;
	unsigned char *buf; /* requests added and not yet sent */
	size_t len, cap;
};

/* Raise a socket buffer past net.core.*mem_max when allowed, else to it. */
static void grow_buffer(int fd, int force, int plain)
{
	int size = BATCH_BUF;

	if (setsockopt(fd, SOL_SOCKET, force, &size, sizeof(size)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, plain, &size, sizeof(size)) < 0) {
		/* The default size is still usable: the window shrinks. */
	}
}

/*
 * The socket for pipelined requests, its window sized to the receive
 * buffer it got and its sendmsg calls to the send buffer.
 */
static int open_batch(struct nl_ctx *c)
{
	int one = 1, rcv = 0, snd = 0, fd;
	socklen_t len = sizeof(rcv);
	size_t window;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	c->batch_fd = fd;
	grow_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
	grow_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	/* An error comes back without a copy of its request. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		/* Older kernels copy it: the margin in ANSWER_COST covers it. */
	}
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len) < 0)
		return -errno;
	len = sizeof(snd);
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len) < 0)
		return -errno;
	window = (size_t)rcv / ANSWER_COST;
	c->window = window < 1 ? 1 : window > WINDOW_MAX ? WINDOW_MAX : window;
	/* The kernel refuses a sendmsg longer than the buffer less 32. */
	c->batch_max = snd > 4096 ? (size_t)snd - 64 : 4032;
	c->batch_seq = (uint32_t)time(NULL);
	return 0;
}

static int batch_init(struct batch *b, struct nl_ctx *c, size_t n)
{
	memset(b, 0, sizeof(*b));
	b->c = c;
	b->v = calloc(n ? n : 1, sizeof(*b->v));
	return b->v ? 0 : -ENOMEM;
}

/* Forget the requests, keep the memory. */
static void batch_reset(struct batch *b)
{
	b->n = 0;
	b->len = 0;
}

static void batch_free(struct batch *b)
{
	free(b->v);
	free(b->buf);
}

/*
 * Add msg (freed here; NULL: building it ran out of memory) with extra
 * header flags; its answer will be in b->v[the index returned].  Each
 * request is counted for fault injection as mvn_nl_exchange() counts it.
 */
static size_t batch_add(struct batch *b, struct nl_msg *msg, int flags)
{
	struct batch_req *q = &b->v[b->n];
	struct nlmsghdr *h;
	size_t need;
	int fault;

	memset(q, 0, sizeof(*q));
	q->seq = b->c->batch_seq++;
	q->done = true;
	q->err = -ENOMEM;
	fault = msg ? mvn_fault_at(MVN_FAULT_NETLINK) : -ENOMEM;
	if (fault < 0) {
		q->err = fault;
		goto cleanup;
	}
	/* A lost request is not sent, and its answer is waited for. */
	if (fault == MVN_FAULT_LOST) {
		q->done = false;
		goto cleanup;
	}
	h = nlmsg_hdr(msg);
	need = NLMSG_ALIGN(h->nlmsg_len);
	if (b->len + need > b->cap) {
		size_t cap = (b->len + need) * 2;
		unsigned char *p = realloc(b->buf, cap);

		if (!p)
			goto cleanup;
		b->buf = p;
		b->cap = cap;
	}
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = q->seq;
	h->nlmsg_pid = 0;
	memset(b->buf + b->len, 0, need);
	memcpy(b->buf + b->len, h, h->nlmsg_len);
	b->len += need;
	q->done = false;
	q->err = 0;
cleanup:
	nlmsg_free(msg);
	return b->n++;
}

/* The request a message answers, or NULL for a stale or foreign one. */
static struct batch_req *batch_find(struct batch *b, const struct nlmsghdr *h)
{
	size_t i;

	if (!b->n)
		return NULL;
	i = (size_t)(uint32_t)(h->nlmsg_seq - b->v[0].seq);
	return i < b->n && !b->v[i].done ? &b->v[i] : NULL;
}

/* Fail every request in buf[from, to) that was not sent, with e. */
static void batch_unsent(struct batch *b, size_t from, size_t to, int e)
{
	while (from < to) {
		struct nlmsghdr *h = (struct nlmsghdr *)(b->buf + from);
		struct batch_req *q = batch_find(b, h);

		if (q) {
			q->done = true;
			q->err = e;
		}
		from += NLMSG_ALIGN(h->nlmsg_len);
	}
}

/* Send what was added, whole messages, as few sendmsg calls as fit. */
static void batch_send(struct batch *b)
{
	size_t off = 0, chunk;
	ssize_t r;

	while (off < b->len) {
		chunk = 0;
		while (off + chunk < b->len) {
			const struct nlmsghdr *h =
				(const void *)(b->buf + off + chunk);
			size_t l = NLMSG_ALIGN(h->nlmsg_len);

			if (chunk && chunk + l > b->c->batch_max)
				break;
			chunk += l;
		}
		do
			r = send(b->c->batch_fd, b->buf + off, chunk, 0);
		while (r < 0 && errno == EINTR);
		/* Nothing of a refused sendmsg reached the kernel. */
		if (r < 0)
			batch_unsent(b, off, off + chunk, -errno);
		off += chunk;
	}
	b->len = 0;
}

/* Take the answers in one datagram; how many requests it finished. */
static size_t batch_take(struct batch *b, void *buf, int len)
{
	struct nlmsghdr *h;
	struct mvn_link_info info;
	size_t finished = 0;

	for (h = buf; nlmsg_ok(h, len); h = nlmsg_next(h, &len)) {
		struct batch_req *q = batch_find(b, h);

		if (!q)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR &&
		    nlmsg_valid_hdr(h, sizeof(struct nlmsgerr))) {
			const struct nlmsgerr *e = nlmsg_data(h);

			q->err = e->error > 0 ? -e->error : e->error;
			q->done = true;
			finished++;
		} else if (parse_link(h, &info) == 0) {
			q->echoed = true;
			q->ifindex = info.ifindex;
			memcpy(q->mac, info.mac, 6);
		}
	}
	return finished;
}

/* Answers left on the socket by a batch that was given up. */
static void batch_drain(struct nl_ctx *c)
{
	char junk[512];

	/* A truncated read still takes the whole datagram. */
	while (recv(c->batch_fd, junk, sizeof(junk), MSG_DONTWAIT) >= 0 ||
	       errno == EINTR || errno == ENOBUFS)
		continue;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Send the batch and wait, at most the context's timeout in all, for the
 * answer to every request.  0 when all came; -ETIMEDOUT when some did not
 * in time, -ENOBUFS when the kernel dropped some (the receive buffer was
 * full): the requests not done are then unknown.
 */
static int batch_run(struct batch *b)
{
	const size_t size = 65536;
	long long deadline;
	size_t pending = 0, i;
	void *buf;
	int ret;

	for (i = 0; i < b->n; i++)
		pending += !b->v[i].done;
	if (!pending)
		return 0;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	batch_drain(b->c);
	batch_send(b);
	deadline = now_ms() + b->c->timeout_ms;
	for (pending = 0, i = 0; i < b->n; i++)
		pending += !b->v[i].done;
	ret = 0;
	while (pending) {
		struct pollfd p = { .fd = b->c->batch_fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t len;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			ret = -ETIMEDOUT;
			break;
		}
		len = recv(b->c->batch_fd, buf, size, MSG_DONTWAIT);
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0) {
			ret = -errno;
			break;
		}
		pending -= batch_take(b, buf, (int)len);
	}
	free(buf);
	return ret;
}

/*
 * create_many: lk_create for many specs, a window at a time, each window in
 * three pipelined steps.  1: the creates (NLM_F_CREATE | NLM_F_EXCL, with
 * NLM_F_ECHO so the kernel sends the new link back; a kernel that does
 * not echo leaves the ioctl describe_new() uses).  2: the aliases, by
 * ifindex, of the links whose create was seen to succeed; a create that
 * failed (EEXIST: the name is somebody else's link) is never followed by
 * anything.  3: the deletes of the links that cannot be finished.
 *
 * A step whose answers do not all come within the timeout fails its
 * window: every link of the window that is known to have been made is
 * deleted again (by ifindex), and its spec fails with -ETIMEDOUT too.  A
 * create that got no answer is unknown: its spec fails with -ETIMEDOUT
 * as lk_create's would, and if the kernel made it after all it carries
 * its group and no alias, the same leftover a timed-out lk_create can
 * leave.  The next window then goes on.
 */

/* A spec of the window being made. */
struct many_link {
	size_t req; /* its request in the step's batch, or NO_REQ */
	int lower_ifindex;
	bool made; /* the kernel made it: ours to finish or to delete */
	int undo; /* made but to be deleted again, why: a negative errno */
	bool at_alias; /* the undo comes from the alias step */
	int ifindex; /* asked for after a clash (0: the kernel's choice) */
};

#define NO_REQ ((size_t)-1)

/* A call of create_many. */
struct many {
	struct nl_ctx *c;
	const struct mvn_link_spec *specs;
	struct mvn_link_info *out;
	int *res;
	struct mvn_error *err;
	size_t first; /* the first spec that failed so far */
	/* The last lower device looked up by name, for the next spec. */
	const char *lower;
	int lower_ifindex;
};

/* Spec i failed as e says; its message is kept if it is the first. */
static void many_fail(struct many *m, size_t i, const struct mvn_error *e)
{
	m->res[i] = e->code;
	if (i < m->first) {
		m->first = i;
		if (m->err)
			*m->err = *e;
	}
}

/* Check spec i and build its create request (NULL when it fails). */
static struct nl_msg *many_create_msg(struct many *m, size_t i,
				      struct many_link *l)
{
	const struct mvn_link_spec *s = &m->specs[i];
	struct mvn_error e = { 0 };
	struct nl_msg *msg = NULL;
	int hint = 0;

	if (!s->lower_ifindex && m->lower && !strcmp(m->lower, s->lower))
		hint = m->lower_ifindex;
	if (create_check(m->c, s, hint, &l->lower_ifindex, &e) < 0) {
		many_fail(m, i, &e);
		return NULL;
	}
	if (!s->lower_ifindex) {
		m->lower = s->lower;
		m->lower_ifindex = l->lower_ifindex;
	}
	/* After a clash: at a free node, as lk_create() asks. */
	if (s->kind == MVN_LINK_MACVTAP && !s->ifindex && m->c->tap_next) {
		struct mvn_link_spec t = *s;

		t.ifindex = l->ifindex = mvn_tap_free_index(m->c->tap_next);
		m->c->tap_next = l->ifindex + 1;
		if (create_msg(&t, l->lower_ifindex, &msg) < 0)
			msg = NULL;
		if (!msg) {
			mvn_error_set(&e, -ENOMEM, _("out of memory"));
			many_fail(m, i, &e);
		}
		return msg;
	}
	if (create_msg(s, l->lower_ifindex, &msg) < 0) {
		mvn_error_set(&e, -ENOMEM, _("out of memory"));
		many_fail(m, i, &e);
		return NULL;
	}
	return msg;
}

/* Step 1's outcome for spec i, whose create got answer q. */
static void many_created(struct many *m, size_t i, struct many_link *l,
			 const struct batch_req *q, int r)
{
	const struct mvn_link_spec *s = &m->specs[i];
	struct mvn_error e = { 0 };

	if (!q->done) {
		if (r == -ETIMEDOUT)
			mvn_nl_timed_out(m->c, &e,
					 _("creating '%1$s' on '%2$s'"),
					 s->name, s->lower);
		else
			create_error(s, r, &e);
		many_fail(m, i, &e);
		return;
	}
	/* An index asked for that a link here has: made alone after. */
	if (l->ifindex && (q->err == -EBUSY ||
			   (q->err == -EEXIST && !if_nametoindex(s->name)))) {
		m->res[i] = -EAGAIN;
		return;
	}
	if (q->err < 0) {
		create_error(s, q->err, &e);
		many_fail(m, i, &e);
		return;
	}
	describe_spec(s, l->lower_ifindex, &m->out[i]);
	if (q->echoed) {
		m->out[i].ifindex = q->ifindex;
		if (!s->has_mac)
			memcpy(m->out[i].mac, q->mac, 6);
	} else if (describe_ioctl(m->c, s, &m->out[i], &e) < 0) {
		many_fail(m, i, &e);
		return;
	}
	l->made = true;
	/* The window failed: what it made is not kept. */
	l->undo = r;
}

/* Step 3's outcome for spec i, deleted (gone) or not (undo_err). */
static void many_undone(struct many *m, size_t i, const struct many_link *l,
			int undo_err)
{
	const struct mvn_link_spec *s = &m->specs[i];
	struct mvn_error e = { 0 };

	if (undo_err < 0)
		mvn_error_set(&e, l->undo,
			      _("new interface '%1$s' could not be finished "
				"(%2$s), nor deleted again (%3$s); delete it "
				"by hand: ip link del %1$s"),
			      s->name, strerror(-l->undo), strerror(-undo_err));
	else if (l->undo == -ETIMEDOUT && l->at_alias)
		mvn_nl_timed_out(m->c, &e, _("setting the alias of '%s'"),
				 s->name);
	else if (l->undo == -ETIMEDOUT)
		mvn_nl_timed_out(m->c, &e,
				 _("creating the interfaces sent together "
				   "with '%s', which was deleted again"),
				 s->name);
	else if (l->at_alias && l->undo == -EADDRINUSE)
		create_error(s, l->undo, &e); /* refused as it came up */
	else if (l->at_alias)
		mvn_error_set(&e, l->undo,
			      _("cannot set the alias of new interface '%1$s', "
				"so it was deleted again: %2$s"),
			      s->name, strerror(-l->undo));
	else
		create_error(s, l->undo, &e);
	many_fail(m, i, &e);
}

/* Step 1: create every valid spec of the window. */
static void many_step_create(struct many *m, size_t from, size_t count,
			     struct many_link *v, struct batch *b)
{
	size_t k;
	int r;

	batch_reset(b);
	for (k = 0; k < count; k++) {
		struct nl_msg *msg = many_create_msg(m, from + k, &v[k]);

		v[k].req = msg ? batch_add(b, msg, NLM_F_ECHO) : NO_REQ;
	}
	r = batch_run(b);
	for (k = 0; k < count; k++)
		if (v[k].req != NO_REQ)
			many_created(m, from + k, &v[k], &b->v[v[k].req], r);
}

/* Step 2: give the links made their alias. */
static void many_step_alias(struct many *m, size_t from, size_t count,
			    struct many_link *v, struct batch *b)
{
	size_t k;
	int r;

	batch_reset(b);
	for (k = 0; k < count; k++) {
		const struct mvn_link_spec *sp = &m->specs[from + k];

		v[k].req = NO_REQ;
		if (!v[k].made || v[k].undo || !needs_finish(sp))
			continue;
		no_ipv6(sp, sp->name);
		v[k].req = batch_add(
			b, finish_msg(sp, m->out[from + k].ifindex), 0);
	}
	r = batch_run(b);
	for (k = 0; k < count; k++) {
		const struct batch_req *q =
			v[k].req == NO_REQ ? NULL : &b->v[v[k].req];

		if (q && (!q->done || q->err < 0)) {
			/* Its own alias was refused or got no answer. */
			v[k].undo = q->done ? q->err : r;
			v[k].at_alias = true;
		} else if (q && r < 0) {
			/* Marked, but the window failed: none of it is kept. */
			v[k].undo = r;
		} else if (q) {
			snprintf(m->out[from + k].alias,
				 sizeof(m->out[0].alias), "%s",
				 m->specs[from + k].alias);
		} else if (r < 0 && v[k].made && !v[k].undo) {
			v[k].undo = r;
		}
	}
}

/* Step 3: delete what was made and cannot be kept; settle every spec. */
static void many_step_undo(struct many *m, size_t from, size_t count,
			   struct many_link *v, struct batch *b)
{
	size_t k;
	int r;

	batch_reset(b);
	for (k = 0; k < count; k++) {
		v[k].req = NO_REQ;
		if (v[k].made && v[k].undo)
			v[k].req = batch_add(b,
					     del_msg(MVN_NETNSID_SELF,
						     m->out[from + k].ifindex,
						     NULL),
					     0);
	}
	r = batch_run(b);
	for (k = 0; k < count; k++) {
		const struct batch_req *q;

		if (!v[k].made)
			continue;
		if (!v[k].undo) {
			m->res[from + k] = 0;
			continue;
		}
		q = &b->v[v[k].req];
		/* One already gone is as good as deleted. */
		if (q->done && (q->err == 0 || q->err == -ENODEV))
			many_undone(m, from + k, &v[k], 0);
		else
			many_undone(m, from + k, &v[k], q->done ? q->err : r);
	}
}

/* The specs [from, from + count) through the three steps. */
static int many_window(struct many *m, size_t from, size_t count)
{
	struct many_link *v = calloc(count, sizeof(*v));
	struct batch b;

	if (!v || batch_init(&b, m->c, count) < 0) {
		free(v);
		return -ENOMEM;
	}
	many_step_create(m, from, count, v, &b);
	many_step_alias(m, from, count, v, &b);
	many_step_undo(m, from, count, v, &b);
	batch_free(&b);
	free(v);
	return 0;
}

static int lk_create_many(void *ctx, const struct mvn_link_spec *specs,
			  size_t n, struct mvn_link_info *out, int *res,
			  struct mvn_error *err)
{
	struct many m = { .c = ctx,
			  .specs = specs,
			  .out = out,
			  .res = res,
			  .err = err,
			  .first = n };
	struct mvn_error e = { 0 };
	size_t from, count, i;

	for (i = 0; i < n; i++)
		res[i] = -EINPROGRESS;
	for (from = 0; from < n; from += count) {
		count = n - from < m.c->window ? n - from : m.c->window;
		/*
		 * A first macvtap alone: if its node clashes, all the others
		 * are asked for at free nodes (one clash, not a window's).
		 */
		if (from == 0 && specs[0].kind == MVN_LINK_MACVTAP &&
		    !specs[0].ifindex && !m.c->tap_next)
			count = 1;
		if (many_window(&m, from, count) < 0)
			break;
		/*
		 * Each one made where /dev/tapN clashes is made again alone,
		 * before the next window: after the first clash, the rest
		 * are asked for at free nodes.
		 */
		for (i = from; i < from + count; i++) {
			bool again = res[i] == -EAGAIN;
			int r = 0;

			if (res[i] != 0 && !again)
				continue;
			if (!again)
				r = clash_undo(m.c, &specs[i], &out[i], &again,
					       &e);
			if (r == 0 && again)
				r = lk_create(ctx, &specs[i], &out[i], &e);
			if (r < 0)
				many_fail(&m, i, &e);
			else
				res[i] = 0;
		}
	}
	/* Out of memory for a window: it and those after it are not tried. */
	for (i = from; i < n; i++) {
		mvn_error_set(&e, -ENOMEM, _("out of memory"));
		many_fail(&m, i, &e);
	}
	return m.first < n ? res[m.first] : 0;
}

/* Peer namespace ids, from an RTM_GETNSID dump. */
struct nsid_acc {
	int *v;
	size_t n;
	bool oom;
};

static int on_nsid(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[NETNSA_MAX + 1];
	struct nsid_acc *a = arg;
	int *v, id;

	if (a->oom || nlmsg_hdr(msg)->nlmsg_type != RTM_NEWNSID ||
	    nlmsg_parse(nlmsg_hdr(msg), sizeof(struct rtgenmsg), tb, NETNSA_MAX,
			NULL) < 0 ||
	    !tb[NETNSA_NSID])
		return NL_OK;
	id = nla_get_s32(tb[NETNSA_NSID]);
	if (id < 0)
		return NL_OK;
	v = realloc(a->v, (a->n + 1) * sizeof(*v));
	if (!v) {
		a->oom = true;
		return NL_OK;
	}
	v[a->n++] = id;
	a->v = v;
	return NL_OK;
}

static int dump_nsids(struct nl_ctx *c, struct nsid_acc *a)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETNSID, NLM_F_DUMP);
	int r;

	if (msg)
		msg = mvn_nl_checked(msg, nlmsg_append(msg, &g, sizeof(g),
						       NLMSG_ALIGNTO));
	r = mvn_nl_exchange(c, msg, on_nsid, a);
	if (r == 0 && a->oom)
		r = -ENOMEM;
	return r;
}

/* A request of type (RTM_GETNSID, RTM_NEWNSID) about the namespace at fd. */
static struct nl_msg *nsid_msg(int type, int fd)
{
	struct rtgenmsg g = { .rtgen_family = AF_UNSPEC };
	struct nl_msg *msg = nlmsg_alloc_simple(type, 0);

	if (msg)
		msg = mvn_nl_checked(msg, nlmsg_append(msg, &g, sizeof(g),
						       NLMSG_ALIGNTO));
	if (msg)
		msg = mvn_nl_checked(msg,
				     nla_put_u32(msg, NETNSA_FD, (uint32_t)fd));
	return msg;
}

/* The id this namespace has for the namespace open at fd, -1 if none. */
static int peer_id(struct nl_ctx *c, int fd, int *id)
{
	struct nsid_acc a = { 0 };
	int r = mvn_nl_exchange(c, nsid_msg(RTM_GETNSID, fd), on_nsid, &a);

	if (r == 0 && a.oom)
		r = -ENOMEM;
	*id = r == 0 && a.n ? a.v[0] : -1;
	free(a.v);
	return r;
}

/*
 * The id this namespace has for itself, -1 if none: one can be given (ip
 * netns set), and a dump of that id would list this namespace's links again.
 */
static int own_nsid(struct nl_ctx *c, int *id)
{
	/* The socket's own namespace, whatever the thread is in now. */
	int fd = ioctl(nl_socket_get_fd(c->sk), SIOCGSKNS), r;

	if (fd < 0)
		return -errno;
	r = peer_id(c, fd, id);
	close(fd);
	return r;
}

static int lk_list(void *ctx, unsigned int flags, struct mvn_link_info **out,
		   size_t *n, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct list_acc acc = { .ours = (flags & MVN_LIST_OURS) != 0 };
	struct nsid_acc ids = { 0 };
	size_t i;
	int self = -1, r, ret;

	r = dump_links(c, MVN_NETNSID_SELF, &acc);
	if (r == -ETIMEDOUT) {
		ret = mvn_nl_timed_out(c, err, _("listing the interfaces"));
		goto cleanup;
	}
	if (r < 0) {
		ret = mvn_error_set(err, r, _("cannot list the interfaces: %s"),
				    strerror(-r));
		goto cleanup;
	}
	if (flags & MVN_LIST_MOVED) {
		r = dump_nsids(c, &ids);
		if (r == 0 && ids.n)
			r = own_nsid(c, &self);
		if (r == -ETIMEDOUT) {
			ret = mvn_nl_timed_out(
				c, err, _("listing the network namespace ids"));
			goto cleanup;
		}
		if (r < 0) {
			ret = mvn_error_set(err, r,
					    _("cannot list the network "
					      "namespace ids: %s"),
					    strerror(-r));
			goto cleanup;
		}
	}
	/* In other namespaces only macvnet's links are wanted. */
	acc.ours = true;
	for (i = 0; i < ids.n; i++) {
		if (ids.v[i] == self)
			continue;
		r = dump_links(c, ids.v[i], &acc);
		/* A namespace that went away since its id was read. */
		if (r == -EINVAL)
			continue;
		if (r == -ETIMEDOUT) {
			ret = mvn_nl_timed_out(
				c, err,
				_("listing the interfaces of network "
				  "namespace id %d"),
				ids.v[i]);
			goto cleanup;
		}
		if (r < 0) {
			ret = mvn_error_set(err, r,
					    _("cannot list the interfaces of "
					      "network namespace id %1$d: "
					      "%2$s"),
					    ids.v[i], strerror(-r));
			goto cleanup;
		}
	}
	*out = acc.v;
	*n = acc.n;
	acc.v = NULL;
	ret = 0;
cleanup:
	free(acc.v);
	free(ids.v);
	return ret;
}

static int lk_delete_group(void *ctx, int netnsid, uint32_t group,
			   struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96];
	int r;

	/* Never group 0 (every link) nor anybody else's group. */
	if (!MVN_GROUP_OURS(group))
		return mvn_error_set(err, -EINVAL,
				     _("refusing to delete link group %u, "
				       "which is not macvnet's"),
				     group);
	r = del(c, netnsid, 0, &group);
	/* An empty group is not an error: there was nothing to delete. */
	if (r == 0 || r == -ENODEV)
		return 0;
	if (netnsid == MVN_NETNSID_SELF)
		snprintf(what, sizeof(what), _("link group %u"), group);
	else
		snprintf(what, sizeof(what),
			 _("link group %1$u in network namespace id %2$d"),
			 group, netnsid);
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(
			c, err, _("deleting the endpoints of %s"), what);
	if (r == -EOPNOTSUPP)
		return mvn_error_set(err, r,
				     _("%s holds a device that cannot be "
				       "deleted; move it out of the group (ip "
				       "link set DEV group default)"),
				     what);
	return mvn_error_set(err, r,
			     _("cannot delete the endpoints of %1$s: %2$s"),
			     what, strerror(-r));
}

static int lk_delete_link(void *ctx, int netnsid, int ifindex,
			  struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96];
	int r = del(c, netnsid, ifindex, NULL);

	/*
	 * One that is already gone is what was wanted; so is one in a
	 * namespace that is gone (the kernel no longer knows its id, and
	 * a dying namespace takes its macvtaps with it).
	 */
	if (r == 0 || r == -ENODEV ||
	    (r == -EINVAL && netnsid != MVN_NETNSID_SELF))
		return 0;
	mvn_nl_label(c, netnsid, ifindex, what, sizeof(what));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("deleting %s"), what);
	return mvn_error_set(err, r, _("cannot delete %1$s: %2$s"), what,
			     strerror(-r));
}

static int lk_set_group(void *ctx, int netnsid, int ifindex, uint32_t group,
			struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96];
	int r;

	/*
	 * The kernel changes only links of the socket's own namespace: an
	 * RTM_NEWLINK with IFLA_TARGET_NETNSID moves the link of that ifindex
	 * here into the namespace instead (measured on Linux 6.18).
	 */
	if (netnsid != MVN_NETNSID_SELF)
		return mvn_error_set(err, -EOPNOTSUPP,
				     _("cannot move %1$s to link group %2$u: "
				       "the kernel changes links only in the "
				       "caller's own namespace (delete it "
				       "instead, or run macvnet there)"),
				     mvn_nl_label(c, netnsid, ifindex, what,
						  sizeof(what)),
				     group);
	r = change(c, ifindex, &group, 0, 0, NULL, NULL);
	if (r == 0)
		return 0;
	mvn_nl_label(c, netnsid, ifindex, what, sizeof(what));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err,
					_("moving %1$s to link group %2$u"),
					what, group);
	return mvn_error_set(err, r,
			     _("cannot move %1$s to link group %2$u: %3$s"),
			     what, group, strerror(-r));
}

/*
 * The id of the namespace open at fd, given one first if it has none: the
 * link is found there by it once moved, and deleted there should that
 * fail.  Someone else giving one meanwhile (EEXIST) is as good.
 */
static int ensure_peer_id(struct nl_ctx *c, int fd, int *id)
{
	struct nl_msg *msg;
	int r = peer_id(c, fd, id);

	if (r < 0 || *id >= 0)
		return r;
	msg = nsid_msg(RTM_NEWNSID, fd);
	if (msg)
		msg = mvn_nl_checked(msg, nla_put_s32(msg, NETNSA_NSID, -1));
	r = mvn_nl_exchange(c, msg, NULL, NULL);
	if (r < 0 && r != -EEXIST)
		return r;
	r = peer_id(c, fd, id);
	return r == 0 && *id < 0 ? -ENOENT : r;
}

/* Whether fd is the namespace of c's socket (moving there does nothing). */
static bool own_namespace(struct nl_ctx *c, int fd)
{
	struct stat a, b;
	int own = ioctl(nl_socket_get_fd(c->sk), SIOCGSKNS);
	bool same;

	if (own < 0)
		return false;
	same = fstat(own, &a) == 0 && fstat(fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	close(own);
	return same;
}

/* Move link ifindex into the namespace at fd, named name there. */
static int move_link(struct nl_ctx *c, int ifindex, int fd, const char *name)
{
	struct nl_msg *msg =
		link_msg(RTM_NEWLINK, 0, MVN_NETNSID_SELF, ifindex);

	if (msg)
		msg = mvn_nl_checked(msg, nla_put_u32(msg, IFLA_NET_NS_FD,
						      (uint32_t)fd));
	if (msg)
		msg = mvn_nl_checked(msg,
				     nla_put_string(msg, IFLA_IFNAME, name));
	return mvn_nl_exchange(c, msg, NULL, NULL);
}

/* The link called name in namespace netnsid. */
static int get_named(struct nl_ctx *c, int netnsid, const char *name,
		     struct mvn_link_info *out)
{
	struct nl_msg *msg = get_msg(0, netnsid, 0);

	if (msg)
		msg = mvn_nl_checked(msg,
				     nla_put_string(msg, IFLA_IFNAME, name));
	return get_one(c, msg, netnsid, out);
}

/* Delete the link called name in namespace netnsid. */
static int del_named(struct nl_ctx *c, int netnsid, const char *name)
{
	struct nl_msg *msg = link_msg(RTM_DELLINK, 0, netnsid, 0);

	if (msg)
		msg = mvn_nl_checked(msg,
				     nla_put_string(msg, IFLA_IFNAME, name));
	return mvn_nl_exchange(c, msg, NULL, NULL);
}

/*
 * After a failed move: the link ("here" as it was) is taken out of the
 * namespace netnsid again if it went there.  The kernel moves a link
 * first and renames it after (measured on Linux 6.18): a name taken there
 * fails the request with the link already moved, under its old name.
 */
static void unmove(struct nl_ctx *c, const struct mvn_link_info *here,
		   int netnsid)
{
	struct list_acc acc = { .ours = true };
	struct mvn_link_info now;
	size_t i;

	if (get_one(c, get_msg(0, MVN_NETNSID_SELF, here->ifindex),
		    MVN_NETNSID_SELF, &now) == 0 &&
	    !memcmp(now.mac, here->mac, 6))
		return; /* still here: the caller deletes it */
	if (dump_links(c, netnsid, &acc) == 0)
		for (i = 0; i < acc.n; i++)
			if (!memcmp(acc.v[i].mac, here->mac, 6) &&
			    acc.v[i].group == here->group &&
			    acc.v[i].kind == MVN_LINK_MACVTAP)
				del(c, netnsid, acc.v[i].ifindex, NULL);
	free(acc.v);
}

/* Say what a failed move means, naming the link, the namespace and the fix. */
static int move_error(struct nl_ctx *c, int r, const char *what,
		      const char *where, const char *name,
		      struct mvn_error *err)
{
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err,
					_("moving %1$s into network namespace "
					  "%2$s"),
					what, where);
	if (r == -EEXIST)
		return mvn_error_set(err, r,
				     _("network namespace %1$s already has an "
				       "interface named '%2$s'; choose another "
				       "name with --ifname"),
				     where, name);
	return mvn_error_set(err, r,
			     _("cannot move %1$s into network namespace %2$s: "
			       "%3$s"),
			     what, where, strerror(-r));
}

static int lk_move(void *ctx, int ifindex, int netns_fd, const char *where,
		   const char *ifname, struct mvn_link_info *out,
		   struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct mvn_link_info here;
	char what[96];
	int r, id = -1;

	mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
	if (own_namespace(c, netns_fd))
		return mvn_error_set(err, -EINVAL,
				     _("network namespace %s is macvnet's own; "
				       "leave out --netns to keep the endpoint "
				       "here"),
				     where);
	r = lk_get_index(c, MVN_NETNSID_SELF, ifindex, &here, err);
	if (r < 0)
		return r;
	if (!ifname)
		ifname = here.name;
	r = ensure_peer_id(c, netns_fd, &id);
	/* A name taken there is refused before anything moves. */
	if (r == 0 && get_named(c, id, ifname, out) == 0)
		r = -EEXIST;
	if (r < 0)
		return move_error(c, r, what, where, ifname, err);
	r = move_link(c, ifindex, netns_fd, ifname);
	if (r < 0) {
		unmove(c, &here, id);
		return move_error(c, r, what, where, ifname, err);
	}
	r = get_named(c, id, ifname, out);
	if (r == 0 && out->netnsid != id)
		r = -EPROTO;
	if (r == 0)
		return 0;
	/* Moved but not found again: it is not left there unknown. */
	del_named(c, id, ifname);
	return move_error(c, r, what, where, ifname, err);
}

/* Whether a name under /run/netns is one file's name. */
static bool netns_name_ok(const char *name)
{
	return name[0] && strcmp(name, ".") && strcmp(name, "..") &&
	       !strchr(name, '/') && strlen(name) < NAME_MAX;
}

/* Open a name under /run/netns, refusing a symbolic link. */
static int open_netns_name(const char *name, int *fd, struct mvn_error *err)
{
	int dir, e;

	if (!netns_name_ok(name))
		return mvn_error_set(err, -EINVAL,
				     _("'%s' is not a network namespace name; "
				       "give a name of ip netns list, a PID "
				       "or a path"),
				     name);
	dir = open("/run/netns",
		   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	*fd = dir < 0 ? -1 :
			openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	e = errno;
	if (dir >= 0)
		close(dir);
	if (*fd >= 0)
		return 0;
	if (e == ELOOP)
		return mvn_error_set(
			err, -ELOOP,
			_("/run/netns/%s is a symbolic link, which "
			  "macvnet does not follow; give the "
			  "namespace's own path instead"),
			name);
	if (e == ENOENT)
		return mvn_error_set(err, -ENOENT,
				     _("no network namespace named '%1$s' "
				       "(see ip netns list; make one with: ip "
				       "netns add %1$s)"),
				     name);
	return mvn_error_set(err, -e, _("cannot open /run/netns/%1$s: %2$s"),
			     name, strerror(e));
}

/* Open /proc/PID/ns/net. */
static int open_netns_pid(const char *pid, int *fd, struct mvn_error *err)
{
	char path[64];
	int e;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	e = errno;
	if (e == ENOENT)
		return mvn_error_set(err, -ESRCH,
				     _("no process %s; give the PID of a "
				       "process in the target namespace"),
				     pid);
	return mvn_error_set(err, -e, _("cannot open %1$s: %2$s"), path,
			     strerror(e));
}

/* Whether every byte of s is a digit. */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int mvn_netns_open(const char *target, int *fd, struct mvn_error *err)
{
	int r, e, type;

	if (strchr(target, '/')) {
		*fd = open(target, O_RDONLY | O_CLOEXEC);
		e = errno;
		r = *fd >= 0 ? 0 :
			       mvn_error_set(err, -e,
					     _("cannot open %1$s: %2$s; give "
					       "a network namespace file such "
					       "as /proc/PID/ns/net"),
					     target, strerror(e));
	} else if (all_digits(target)) {
		r = open_netns_pid(target, fd, err);
	} else {
		r = open_netns_name(target, fd, err);
	}
	if (r < 0)
		return r;
	type = ioctl(*fd, NS_GET_NSTYPE);
	if (type == CLONE_NEWNET)
		return 0;
	close(*fd);
	*fd = -1;
	return mvn_error_set(err, -EINVAL,
			     _("'%s' is not a network namespace; give a name "
			       "of ip netns list, a PID or a path such as "
			       "/proc/PID/ns/net"),
			     target);
}

static int lk_set_up(void *ctx, int ifindex, bool up, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96];
	int r = change(c, ifindex, NULL, IFF_UP, up ? IFF_UP : 0, NULL, NULL);

	if (r == 0)
		return 0;
	mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(
			c, err, up ? _("bringing %s up") : _("taking %s down"),
			what);
	return mvn_error_set(err, r,
			     up ? _("cannot bring %1$s up: %2$s") :
				  _("cannot take %1$s down: %2$s"),
			     what, strerror(-r));
}

static int lk_set_mac(void *ctx, int ifindex, const unsigned char mac[6],
		      struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96], text[18];
	int r = change(c, ifindex, NULL, 0, 0, mac, NULL);

	if (r == 0)
		return 0;
	mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
	mvn_mac_format(mac, text);
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err, _("setting MAC %1$s on %2$s"),
					text, what);
	return mvn_error_set(err, r, _("cannot set MAC %1$s on %2$s: %3$s"),
			     text, what, strerror(-r));
}

bool mvn_addr_parse(const char *s, struct mvn_addr *a)
{
	char text[64], *slash, *end;
	unsigned long p;

	memset(a, 0, sizeof(*a));
	if (!s || snprintf(text, sizeof(text), "%s", s) >= (int)sizeof(text))
		return false;
	slash = strchr(text, '/');
	if (!slash || !slash[1])
		return false;
	*slash++ = '\0';
	a->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, text, a->bytes) != 1)
		return false;
	if (strspn(slash, "0123456789") != strlen(slash))
		return false;
	p = strtoul(slash, &end, 10);
	if (p > (a->family == AF_INET ? 32UL : 128UL))
		return false;
	a->prefix = (unsigned int)p;
	a->global = true;
	return true;
}

void mvn_addr_format(const struct mvn_addr *a, char out[64])
{
	char text[INET6_ADDRSTRLEN] = "?";

	inet_ntop(a->family, a->bytes, text, sizeof(text));
	snprintf(out, 64, "%s/%u", text, a->prefix);
}

struct addr_acc {
	int ifindex;
	struct mvn_addr *v;
	size_t n;
	bool oom;
};

static void collect_addr(struct nl_object *obj, void *arg)
{
	struct rtnl_addr *ra = (struct rtnl_addr *)obj;
	struct addr_acc *acc = arg;
	struct nl_addr *local = rtnl_addr_get_local(ra);
	struct mvn_addr *v;

	if (acc->oom || rtnl_addr_get_ifindex(ra) != acc->ifindex || !local)
		return;
	v = realloc(acc->v, (acc->n + 1) * sizeof(*v));
	if (!v) {
		acc->oom = true;
		return;
	}
	acc->v = v;
	memset(&v[acc->n], 0, sizeof(v[0]));
	v[acc->n].family = rtnl_addr_get_family(ra);
	if (nl_addr_get_len(local) <= 16)
		memcpy(v[acc->n].bytes, nl_addr_get_binary_addr(local),
		       nl_addr_get_len(local));
	v[acc->n].prefix = (unsigned int)rtnl_addr_get_prefixlen(ra);
	v[acc->n].global = rtnl_addr_get_scope(ra) == RT_SCOPE_UNIVERSE;
	acc->n++;
}

static int on_addr(struct nl_msg *msg, void *arg)
{
	struct addr_acc *acc = arg;

	if (nl_msg_parse(msg, collect_addr, acc) == -NLE_NOMEM)
		acc->oom = true;
	return NL_OK;
}

static int lk_addr_list(void *ctx, int ifindex, struct mvn_addr **out,
			size_t *n, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };
	struct addr_acc acc = { .ifindex = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETADDR, NLM_F_DUMP);
	char what[96];
	int r;

	if (msg)
		msg = mvn_nl_checked(msg, nlmsg_append(msg, &ifa, sizeof(ifa),
						       NLMSG_ALIGNTO));
	r = mvn_nl_exchange(c, msg, on_addr, &acc);
	if (r == 0 && acc.oom)
		r = -ENOMEM;
	if (r < 0) {
		free(acc.v);
		mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
		if (r == -ETIMEDOUT)
			return mvn_nl_timed_out(
				c, err, _("listing the addresses of %s"), what);
		return mvn_error_set(err, r,
				     _("cannot list the addresses of %1$s: "
				       "%2$s"),
				     what, strerror(-r));
	}
	*out = acc.v;
	*n = acc.n;
	return 0;
}

static int addr_op(struct nl_ctx *c, int ifindex, const struct mvn_addr *a,
		   bool add)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local = NULL;
	struct nl_msg *msg = NULL;
	int r;

	if (!ra)
		return -ENOMEM;
	local = nl_addr_build(a->family, a->bytes,
			      a->family == AF_INET ? 4 : 16);
	if (!local) {
		r = -ENOMEM;
		goto cleanup;
	}
	nl_addr_set_prefixlen(local, (int)a->prefix);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, (int)a->prefix);
	r = add ? rtnl_addr_build_add_request(ra, 0, &msg) :
		  rtnl_addr_build_delete_request(ra, 0, &msg);
	r = r < 0 ? nl_errno(r) : mvn_nl_exchange(c, msg, NULL, NULL);
cleanup:
	if (local)
		nl_addr_put(local);
	rtnl_addr_put(ra);
	return r;
}

static int lk_addr_add(void *ctx, int ifindex, const struct mvn_addr *a,
		       struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96], text[64];
	int r = addr_op(c, ifindex, a, true);

	if (r == 0 || r == -EEXIST)
		return 0;
	mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
	mvn_addr_format(a, text);
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(
			c, err, _("adding address %1$s to %2$s"), text, what);
	return mvn_error_set(err, r, _("cannot add address %1$s to %2$s: %3$s"),
			     text, what, strerror(-r));
}

static int lk_addr_del(void *ctx, int ifindex, const struct mvn_addr *a,
		       struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	char what[96], text[64];
	int r = addr_op(c, ifindex, a, false);

	if (r == 0 || r == -EADDRNOTAVAIL || r == -ENODEV)
		return 0;
	mvn_nl_label(c, MVN_NETNSID_SELF, ifindex, what, sizeof(what));
	mvn_addr_format(a, text);
	if (r == -ETIMEDOUT)
		return mvn_nl_timed_out(c, err,
					_("removing address %1$s from %2$s"),
					text, what);
	return mvn_error_set(err, r,
			     _("cannot remove address %1$s from %2$s: %3$s"),
			     text, what, strerror(-r));
}

static int lk_node_make(void *ctx, const char *run_dir, const char *ifname,
			int ifindex, const unsigned char *mac, uid_t uid,
			gid_t gid, mode_t perm, char *path, size_t pathlen,
			struct mvn_error *err)
{
	int r = mvn_fault_at(MVN_FAULT_TAP);

	(void)ctx;
	if (r < 0)
		return mvn_error_set(err, r,
				     _("cannot make the device node of "
				       "'%1$s': %2$s"),
				     ifname, strerror(-r));
	return mvn_tap_prepare(run_dir, ifname, ifindex, mac, uid, gid, perm,
			       path, pathlen, err);
}

static int lk_node_remove(void *ctx, const char *run_dir, const char *path,
			  struct mvn_error *err)
{
	int r = mvn_fault_at(MVN_FAULT_TAP);

	(void)ctx;
	if (r < 0)
		return mvn_error_set(err, r,
				     _("cannot remove the device node %1$s: "
				       "%2$s"),
				     path, strerror(-r));
	return mvn_tap_release(run_dir, path, err);
}

static void lk_close(void *ctx)
{
	struct nl_ctx *c = ctx;

	if (!c)
		return;
	if (c->ioctl_fd >= 0)
		close(c->ioctl_fd);
	if (c->batch_fd >= 0)
		close(c->batch_fd);
	nl_socket_free(c->sk);
	free(c);
}

static const struct mvn_link_ops netlink_ops = {
	.create = lk_create,
	.create_many = lk_create_many,
	.get = lk_get,
	.get_index = lk_get_index,
	.list = lk_list,
	.delete_group = lk_delete_group,
	.delete_link = lk_delete_link,
	.set_group = lk_set_group,
	.move = lk_move,
	.set_up = lk_set_up,
	.set_mac = lk_set_mac,
	.addr_list = lk_addr_list,
	.addr_add = lk_addr_add,
	.addr_del = lk_addr_del,
	.l3_list = mvn_l3_list,
	.l3_add = mvn_l3_add,
	.l3_del = mvn_l3_del,
	.node_make = lk_node_make,
	.node_remove = lk_node_remove,
	.close = lk_close,
};

int mvn_link_netlink(unsigned int timeout_ms, const struct mvn_link_ops **ops,
		     void **ctx, struct mvn_error *err)
{
	struct nl_ctx *c;
	int r;

	/* SO_RCVTIMEO of zero would mean no bound at all. */
	if (timeout_ms == 0)
		return mvn_error_set(err, -EINVAL,
				     _("a netlink timeout of 0 ms leaves the "
				       "waits unbounded; give at least 1 ms"));
	c = calloc(1, sizeof(*c));
	if (!c)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	c->ioctl_fd = -1;
	c->batch_fd = -1;
	c->timeout_ms = timeout_ms;
	r = open_socket(c, &c->sk);
	if (r == 0)
		r = open_batch(c);
	if (r < 0) {
		lk_close(c);
		return mvn_error_set(err, r,
				     _("cannot open a netlink socket: %s"),
				     strerror(-r));
	}
	*ops = &netlink_ops;
	*ctx = c;
	return 0;
}
