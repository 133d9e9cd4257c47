/* The kernel's links through libnl-route-3: the only module that talks netlink. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_link.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>
#include <netlink/route/link/macvtap.h>

#include "link.h"
#include "util.h"

struct nl_ctx {
	struct nl_sock *sk;
	int ioctl_fd; /* for the cheap questions: ifindex and address */
	int kernel_errno; /* the errno of the last error the kernel sent */
};

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

/* The errno behind a libnl result: the kernel's if it sent one. */
static int sys_err(struct nl_ctx *c, int nlret)
{
	int e = c->kernel_errno;

	c->kernel_errno = 0;
	if (e > 0)
		return -e;
	switch (-nlret) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_OBJ_NOTFOUND:
	case NLE_NODEV:
		return -ENODEV;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_PERM:
		return -EPERM;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_INVAL:
		return -EINVAL;
	default:
		return -EIO;
	}
}

static void describe(struct rtnl_link *l, struct mvn_link_info *out)
{
	struct nl_addr *a = rtnl_link_get_addr(l);
	const char *type = rtnl_link_get_type(l);

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s",
		 rtnl_link_get_name(l) ? rtnl_link_get_name(l) : "");
	out->ifindex = rtnl_link_get_ifindex(l);
	out->lower_ifindex = rtnl_link_get_link(l);
	out->master_ifindex = rtnl_link_get_master(l);
	out->mtu = rtnl_link_get_mtu(l);
	out->group = rtnl_link_get_group(l);
	out->up = (rtnl_link_get_flags(l) & IFF_UP) != 0;
	if (a && nl_addr_get_len(a) == 6)
		memcpy(out->mac, nl_addr_get_binary_addr(a), 6);
	if (type && !strcmp(type, "macvtap")) {
		out->kind = MVN_LINK_MACVTAP;
		/* The getters report errors as huge values: keep known bits. */
		out->mode = rtnl_link_macvtap_get_mode(l) & 0xf;
	} else if (type && !strcmp(type, "macvlan")) {
		out->kind = MVN_LINK_MACVLAN;
		out->mode = rtnl_link_macvlan_get_mode(l) & 0xf;
	} else if (type && !strcmp(type, "bridge")) {
		out->kind = MVN_LINK_BRIDGE;
	}
}

static int lk_get(void *ctx, const char *name, struct mvn_link_info *out,
		  struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct rtnl_link *l = NULL;
	int r;

	r = rtnl_link_get_kernel(c->sk, 0, name, &l);
	if (r < 0) {
		r = sys_err(c, r);
		if (r == -ENODEV)
			return mvn_error_set(
				err, r, _("interface '%s' not found"), name);
		return mvn_error_set(err, r,
				     _("cannot read interface '%1$s': %2$s"),
				     name, strerror(-r));
	}
	describe(l, out);
	rtnl_link_put(l);
	return 0;
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
 * The ifindex of a link and, when mac is not NULL, its hardware address,
 * by ioctl.
 */
static int index_and_mac(struct nl_ctx *c, const char *name, int *ifindex,
			 unsigned char *mac)
{
	struct ifreq ifr = { 0 };

	if (c->ioctl_fd < 0) {
		c->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (c->ioctl_fd < 0)
			return -errno;
	}
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

static int lk_create(void *ctx, const struct mvn_link_spec *s,
		     struct mvn_link_info *out, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct rtnl_link *l = NULL, *lower = NULL;
	struct nl_addr *addr = NULL;
	int lower_ifindex = s->lower_ifindex, r, ret;

	if (!mvn_ifname_valid(s->name))
		return mvn_error_set(err, -EINVAL,
				     _("'%s' is not a valid interface name"),
				     s->name);
	if (!lower_ifindex) {
		r = rtnl_link_get_kernel(c->sk, 0, s->lower, &lower);
		if (r < 0)
			return create_error(s, sys_err(c, r), err);
		lower_ifindex = rtnl_link_get_ifindex(lower);
		rtnl_link_put(lower);
	}
	l = s->kind == MVN_LINK_MACVLAN ? rtnl_link_macvlan_alloc() :
					  rtnl_link_macvtap_alloc();
	if (!l) {
		ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
		goto cleanup;
	}
	rtnl_link_set_name(l, s->name);
	rtnl_link_set_link(l, lower_ifindex);
	if (s->kind == MVN_LINK_MACVLAN)
		rtnl_link_macvlan_set_mode(l, s->mode);
	else
		rtnl_link_macvtap_set_mode(l, s->mode);
	/* The group marks the link as macvnet's from its first moment. */
	rtnl_link_set_group(l, s->group);
	if (s->mtu)
		rtnl_link_set_mtu(l, s->mtu);
	if (s->has_mac) {
		addr = nl_addr_build(AF_LLC, s->mac, 6);
		if (!addr) {
			ret = mvn_error_set(err, -ENOMEM, _("out of memory"));
			goto cleanup;
		}
		rtnl_link_set_addr(l, addr);
	}
	/* Up in the same request: if that fails the kernel undoes it all. */
	rtnl_link_set_flags(l, IFF_UP);
	c->kernel_errno = 0;
	r = rtnl_link_add(c->sk, l, NLM_F_CREATE | NLM_F_EXCL);
	if (r < 0) {
		ret = create_error(s, sys_err(c, r), err);
		goto cleanup;
	}
	/*
	 * The new link's ifindex and address through ioctls: cheaper than
	 * another netlink round trip, which matters for hundreds of links.
	 */
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", s->name);
	out->lower_ifindex = lower_ifindex;
	out->kind = s->kind;
	out->mode = s->mode;
	out->mtu = s->mtu;
	out->group = s->group;
	out->up = true;
	/* A MAC that was asked for is the MAC the link has. */
	if (s->has_mac)
		memcpy(out->mac, s->mac, 6);
	if (index_and_mac(c, s->name, &out->ifindex,
			  s->has_mac ? NULL : out->mac) < 0) {
		ret = mvn_error_set(err, -ENODEV,
				    _("'%s' vanished right after it was "
				      "created"),
				    s->name);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (l)
		rtnl_link_put(l);
	if (addr)
		nl_addr_put(addr);
	return ret;
}

struct list_acc {
	struct mvn_link_info *v;
	size_t n, cap;
	bool oom;
};

static void collect(struct nl_object *obj, void *arg)
{
	struct list_acc *a = arg;

	if (a->oom)
		return;
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct mvn_link_info *v = realloc(a->v, cap * sizeof(*v));

		if (!v) {
			a->oom = true;
			return;
		}
		a->v = v;
		a->cap = cap;
	}
	describe((struct rtnl_link *)obj, &a->v[a->n++]);
}

static int lk_list(void *ctx, struct mvn_link_info **out, size_t *n,
		   struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct nl_cache *cache = NULL;
	struct list_acc acc = { 0 };
	int r;

	r = rtnl_link_alloc_cache(c->sk, AF_UNSPEC, &cache);
	if (r < 0) {
		r = sys_err(c, r);
		return mvn_error_set(err, r,
				     _("cannot list the interfaces: %s"),
				     strerror(-r));
	}
	nl_cache_foreach(cache, collect, &acc);
	nl_cache_free(cache);
	if (acc.oom) {
		free(acc.v);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	*out = acc.v;
	*n = acc.n;
	return 0;
}

/* Send a request built by the caller and wait for the kernel's answer. */
static int send_and_ack(struct nl_ctx *c, struct nl_msg *msg)
{
	int r;

	c->kernel_errno = 0;
	r = nl_send_auto_complete(c->sk, msg);
	nlmsg_free(msg);
	if (r < 0)
		return sys_err(c, r);
	r = nl_wait_for_ack(c->sk);
	return r < 0 ? sys_err(c, r) : 0;
}

static struct nl_msg *link_msg(int type, int flags, int ifindex)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC,
				 .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(type, flags);

	if (msg && nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int lk_delete_group(void *ctx, uint32_t group, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct nl_msg *msg;
	int r;

	/* Never group 0 (every link) nor anybody else's group. */
	if (!MVN_GROUP_OURS(group))
		return mvn_error_set(err, -EINVAL,
				     _("refusing to delete link group %u, "
				       "which is not macvnet's"),
				     group);
	msg = link_msg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, 0);
	if (!msg || nla_put_u32(msg, IFLA_GROUP, group) < 0) {
		nlmsg_free(msg);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	r = send_and_ack(c, msg);
	/* An empty group is not an error: there was nothing to delete. */
	if (r < 0 && r != -ENODEV)
		return mvn_error_set(err, r,
				     _("cannot delete the interfaces of link "
				       "group %1$u: %2$s"),
				     group, strerror(-r));
	return 0;
}

static int lk_delete(void *ctx, int ifindex, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct nl_msg *msg =
		link_msg(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);
	int r;

	if (!msg)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	r = send_and_ack(c, msg);
	if (r < 0 && r != -ENODEV)
		return mvn_error_set(err, r,
				     _("cannot delete interface %1$d: %2$s"),
				     ifindex, strerror(-r));
	return 0;
}

static int change(struct nl_ctx *c, int ifindex, uint32_t *group,
		  unsigned int flags, const unsigned char *mac)
{
	struct nl_msg *msg =
		link_msg(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, ifindex);

	if (!msg)
		return -ENOMEM;
	if (flags) {
		struct nlmsghdr *h = nlmsg_hdr(msg);
		struct ifinfomsg *ifi = nlmsg_data(h);

		ifi->ifi_flags = flags;
		ifi->ifi_change = flags;
	}
	if ((group && nla_put_u32(msg, IFLA_GROUP, *group) < 0) ||
	    (mac && nla_put(msg, IFLA_ADDRESS, 6, mac) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return send_and_ack(c, msg);
}

static int lk_set_group(void *ctx, int ifindex, uint32_t group,
			struct mvn_error *err)
{
	int r = change(ctx, ifindex, &group, 0, NULL);

	if (r < 0)
		return mvn_error_set(err, r,
				     _("cannot move interface %1$d to link "
				       "group %2$u: %3$s"),
				     ifindex, group, strerror(-r));
	return 0;
}

static int lk_set_up(void *ctx, int ifindex, struct mvn_error *err)
{
	int r = change(ctx, ifindex, NULL, IFF_UP, NULL);

	if (r < 0)
		return mvn_error_set(err, r,
				     _("cannot bring interface %1$d up: %2$s"),
				     ifindex, strerror(-r));
	return 0;
}

static int lk_set_mac(void *ctx, int ifindex, const unsigned char mac[6],
		      struct mvn_error *err)
{
	int r = change(ctx, ifindex, NULL, 0, mac);
	char text[18];

	if (r < 0) {
		mvn_mac_format(mac, text);
		return mvn_error_set(err, r,
				     _("cannot set MAC %1$s on interface %2$d: "
				       "%3$s"),
				     text, ifindex, strerror(-r));
	}
	return 0;
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

static int lk_addr_list(void *ctx, int ifindex, struct mvn_addr **out,
			size_t *n, struct mvn_error *err)
{
	struct nl_ctx *c = ctx;
	struct nl_cache *cache = NULL;
	struct addr_acc acc = { .ifindex = ifindex };
	int r;

	r = rtnl_addr_alloc_cache(c->sk, &cache);
	if (r < 0) {
		r = sys_err(c, r);
		return mvn_error_set(err, r, _("cannot list addresses: %s"),
				     strerror(-r));
	}
	nl_cache_foreach(cache, collect_addr, &acc);
	nl_cache_free(cache);
	if (acc.oom) {
		free(acc.v);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	*out = acc.v;
	*n = acc.n;
	return 0;
}

static int addr_op(struct nl_ctx *c, int ifindex, const struct mvn_addr *a,
		   bool add)
{
	struct rtnl_addr *ra = rtnl_addr_alloc();
	struct nl_addr *local;
	int r;

	if (!ra)
		return -ENOMEM;
	local = nl_addr_build(a->family, a->bytes,
			      a->family == AF_INET ? 4 : 16);
	if (!local) {
		rtnl_addr_put(ra);
		return -ENOMEM;
	}
	nl_addr_set_prefixlen(local, (int)a->prefix);
	rtnl_addr_set_ifindex(ra, ifindex);
	rtnl_addr_set_family(ra, a->family);
	rtnl_addr_set_local(ra, local);
	rtnl_addr_set_prefixlen(ra, (int)a->prefix);
	c->kernel_errno = 0;
	r = add ? rtnl_addr_add(c->sk, ra, 0) : rtnl_addr_delete(c->sk, ra, 0);
	nl_addr_put(local);
	rtnl_addr_put(ra);
	return r < 0 ? sys_err(c, r) : 0;
}

static int lk_addr_add(void *ctx, int ifindex, const struct mvn_addr *a,
		       struct mvn_error *err)
{
	char text[64];
	int r = addr_op(ctx, ifindex, a, true);

	if (r < 0 && r != -EEXIST) {
		mvn_addr_format(a, text);
		return mvn_error_set(err, r,
				     _("cannot add address %1$s to interface "
				       "%2$d: %3$s"),
				     text, ifindex, strerror(-r));
	}
	return 0;
}

static int lk_addr_del(void *ctx, int ifindex, const struct mvn_addr *a,
		       struct mvn_error *err)
{
	char text[64];
	int r = addr_op(ctx, ifindex, a, false);

	if (r < 0 && r != -EADDRNOTAVAIL && r != -ENODEV) {
		mvn_addr_format(a, text);
		return mvn_error_set(err, r,
				     _("cannot remove address %1$s from "
				       "interface %2$d: %3$s"),
				     text, ifindex, strerror(-r));
	}
	return 0;
}

static void lk_close(void *ctx)
{
	struct nl_ctx *c = ctx;

	if (!c)
		return;
	if (c->ioctl_fd >= 0)
		close(c->ioctl_fd);
	nl_socket_free(c->sk);
	free(c);
}

static const struct mvn_link_ops netlink_ops = {
	.create = lk_create,
	.get = lk_get,
	.list = lk_list,
	.delete_group = lk_delete_group,
	.delete = lk_delete,
	.set_group = lk_set_group,
	.set_up = lk_set_up,
	.set_mac = lk_set_mac,
	.addr_list = lk_addr_list,
	.addr_add = lk_addr_add,
	.addr_del = lk_addr_del,
	.close = lk_close,
};

int mvn_link_netlink(const struct mvn_link_ops **ops, void **ctx,
		     struct mvn_error *err)
{
	struct nl_ctx *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	c->ioctl_fd = -1;
	c->sk = nl_socket_alloc();
	if (!c->sk) {
		free(c);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	r = nl_connect(c->sk, NETLINK_ROUTE);
	if (r < 0) {
		lk_close(c);
		return mvn_error_set(err, -EIO,
				     _("cannot open a netlink socket: %s"),
				     nl_geterror(r));
	}
	nl_socket_modify_err_cb(c->sk, NL_CB_CUSTOM, on_nl_error, c);
	*ops = &netlink_ops;
	*ctx = c;
	return 0;
}
