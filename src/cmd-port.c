/*
 * Endpoints: port-create makes one macvtap endpoint on an active network
 * (on the pool device with the fewest endpoints, with a free name and a
 * fresh MAC unless told otherwise) and prints its name, ifindex and
 * character device, ready for "qemu -netdev tap,fd=3 3<>/dev/tapN", or
 * with --netns hands it to a container's network namespace in the same
 * transaction; port-delete removes endpoints; port-list shows them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmd.h"
#include "iface.h"
#include "util.h"

static void print_port(struct mvn_cli *cli, const struct mvn_port_request *req,
		       const struct mvn_port_state *p)
{
	struct mvn_json j;
	char mac[18];

	mvn_mac_format(p->mac, mac);
	if (!cli->json) {
		printf("%s %d %s\n", p->name, p->ifindex, p->tap);
		return;
	}
	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, "name", p->name);
	mvn_json_kv_int(&j, "ifindex", p->ifindex);
	mvn_json_kv_str(&j, "tap", p->tap);
	mvn_json_kv_str(&j, "mac", mac);
	mvn_json_kv_str(&j, "lower", p->lower);
	mvn_json_kv_str(&j, "network", req->network);
	if (p->netnsid != MVN_NETNSID_SELF) {
		mvn_json_kv_str(&j, "netns", req->netns);
		mvn_json_kv_int(&j, "netnsid", p->netnsid);
		mvn_json_kv_str(&j, "ifname",
				req->netns_ifname ? req->netns_ifname :
						    p->name);
	}
	mvn_json_end(&j);
}

/* Take the endpoint's settings from a domain <interface> element. */
static int from_xml(const char *path, struct mvn_port_request *req,
		    struct mvn_error *err)
{
	struct mvn_iface *i = NULL;
	int ret = mvn_iface_parse_file(path, &i, err);

	if (ret < 0)
		return ret;
	if (i->type == MVN_IFACE_NETWORK) {
		if (!i->source_network ||
		    strcmp(i->source_network, req->network))
			ret = mvn_error_set(
				err, -EINVAL,
				_("%1$s: <source network='%2$s'> "
				  "is not network '%3$s'"),
				path,
				i->source_network ? i->source_network : "",
				req->network);
	} else if (i->type == MVN_IFACE_DIRECT) {
		/* A direct interface names its device; keep it. */
		req->lower = i->source_dev ? strdup(i->source_dev) : NULL;
	} else {
		ret = mvn_error_set(err, -EINVAL,
				    _("%1$s: <interface type='%2$s'> cannot "
				      "become a port; use type='network' or "
				      "'direct'"),
				    path, i->type_name);
	}
	if (ret == 0) {
		if (i->has_mac && !req->has_mac) {
			req->has_mac = true;
			memcpy(req->mac, i->mac, 6);
		}
		if (i->target_dev && !req->name)
			req->name = strdup(i->target_dev);
		if (i->mtu && !req->mtu)
			req->mtu = i->mtu;
	}
	mvn_iface_free(i);
	return ret;
}

/* One option of port-create into req: 0, or the exit code. */
static int create_option(struct mvn_cli *cli, const struct mvn_optarg *o,
			 struct mvn_port_request *req, const char **xml)
{
	char *end;

	switch (o->key) {
	case 'm':
		if (!mvn_mac_parse(o->value, req->mac))
			return mvn_cmd_usage(cli,
					     _("--mac needs a MAC address "
					       "such as 52:54:00:b8:9c:58"));
		req->has_mac = true;
		break;
	case 'n':
		req->name = o->value;
		break;
	case 'o':
		req->owner = o->value;
		break;
	case 'l':
		req->lower = o->value;
		break;
	case 'u':
		req->mtu = (unsigned int)strtoul(o->value, &end, 10);
		if (!req->mtu || *end || o->value[0] == '-')
			return mvn_cmd_usage(
				cli, _("--mtu needs a positive number"));
		break;
	case 'x':
		*xml = o->value;
		break;
	case 'N':
		req->netns = o->value;
		break;
	case 'i':
		req->netns_ifname = o->value;
		break;
	}
	return 0;
}

static const struct mvn_operand network_operand[] = {
	{ "NETWORK", N_("an active network") },
	{ NULL, NULL },
};

static const struct mvn_opt create_opts[] = {
	{ "mac", required_argument, 'm', "M",
	  N_("the endpoint's MAC (default: a fresh 52:54:00:xx:xx:xx)") },
	{ "name", required_argument, 'n', "IF",
	  N_("the endpoint's name (default: the first free mvtN)") },
	{ "owner", required_argument, 'o', "U[:G]",
	  N_("who may open its /dev/tapN (default: root, mode 0600)") },
	{ "lower", required_argument, 'l', "DEV",
	  N_("the pool device to use (default: the least used)") },
	{ "mtu", required_argument, 'u', "N",
	  N_("the endpoint's MTU (default: the lower device's)") },
	{ "xml", required_argument, 'x', "FILE",
	  N_("take MAC, name and MTU from a domain <interface>") },
	{ "netns", required_argument, 'N', "NS",
	  N_("move it into this network namespace (ip netns name, PID "
	     "or path)") },
	{ "ifname", required_argument, 'i', "IF",
	  N_("its name in that namespace (default: its own)") },
	{ NULL, 0, 0, NULL, NULL },
};

/*
 * Standard input made readable twice (validated, then parsed): a pipe is
 * read once into an in-memory file put in its place, a file is rewound.
 */
static int stdin_again(off_t *start, struct mvn_error *err)
{
	char buf[4096];
	ssize_t n;
	int fd;

	*start = lseek(STDIN_FILENO, 0, SEEK_CUR);
	if (*start >= 0)
		return 0;
	*start = 0;
	fd = memfd_create("macvnet-stdin", MFD_CLOEXEC);
	if (fd < 0)
		return mvn_error_set(err, -errno,
				     _("cannot keep standard input: %s"),
				     strerror(errno));
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			break;
	if (n != 0 || dup2(fd, STDIN_FILENO) < 0 ||
	    lseek(STDIN_FILENO, 0, SEEK_SET) < 0) {
		n = errno;
		close(fd);
		return mvn_error_set(err, -(int)n,
				     _("cannot read standard input: %s"),
				     strerror((int)n));
	}
	close(fd);
	return 0;
}

/* --xml FILE: validated against the grammar, one <interface>, then read. */
static int xml_request(struct mvn_cli *cli, const char *xml,
		       struct mvn_port_request *req, struct mvn_error *err)
{
	const char *kind = NULL;
	bool in = !strcmp(xml, "-");
	off_t start = 0;
	int ret = in ? stdin_again(&start, err) : 0;

	if (ret == 0)
		ret = mvn_engine_validate_file(cli->eng, xml, &kind, NULL, err);
	if (ret == 0 && strcmp(kind, "interface"))
		ret = mvn_error_set(err, -EINVAL,
				    _("%1$s is a <%2$s> document; --xml takes "
				      "one domain <interface> element"),
				    xml, kind);
	if (ret == 0 && in && lseek(STDIN_FILENO, start, SEEK_SET) < 0)
		ret = mvn_error_set(err, -errno,
				    _("cannot read standard input again: %s"),
				    strerror(errno));
	if (ret == 0)
		ret = from_xml(xml, req, err);
	return ret;
}

static int create_exec(struct mvn_cli *cli)
{
	struct mvn_port_request req = { .owner_tag = "cli" };
	struct mvn_port_state port;
	struct mvn_error err = { 0 };
	const char *xml = NULL;
	char *name_copy = NULL, *lower_copy = NULL;
	size_t i;
	int ret;

	for (i = 0; i < cli->nopts; i++) {
		ret = create_option(cli, &cli->opts[i], &req, &xml);
		if (ret)
			return ret;
	}
	if (cli->argc != 2)
		return mvn_cmd_usage(cli, _("give one network name"));
	req.network = cli->argv[1];
	if (xml) {
		const char *before_name = req.name, *before_lower = req.lower;

		ret = xml_request(cli, xml, &req, &err);
		if (req.name != before_name)
			name_copy = (char *)req.name;
		if (req.lower != before_lower)
			lower_copy = (char *)req.lower;
		if (ret < 0)
			goto out;
	}
	ret = mvn_engine_port_create(cli->eng, &req, &port, &err);
	if (ret == 0)
		print_port(cli, &req, &port);
out:
	free(name_copy);
	free(lower_copy);
	return ret < 0 ? mvn_cmd_fail(cli, &err) : 0;
}

const struct mvn_cmd mvn_cmd_port_create = {
	.name = "port-create",
	.args = "NETWORK [--mac M] [--name IF] [--owner U[:G]] [--lower DEV] "
		"[--mtu N] [--xml FILE] [--netns NS [--ifname IF]]",
	.summary = N_("create an endpoint; prints its name, ifindex and "
		      "/dev/tapN"),
	.operands = network_operand,
	.opts = create_opts,
	.exec = create_exec,
};

static const struct mvn_operand delete_operands[] = {
	{ "IF...", N_("the endpoints to delete, of any active network") },
	{ NULL, NULL },
};

static int delete_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };
	struct mvn_json j;
	int i;

	if (cli->argc < 2)
		return mvn_cmd_usage(cli, _("give at least one endpoint name"));
	if (mvn_engine_port_delete(cli->eng, cli->argv + 1,
				   (size_t)cli->argc - 1, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json) {
		mvn_json_init(&j, stdout);
		mvn_json_begin_object(&j);
		mvn_json_key(&j, "deleted");
		mvn_json_begin_array(&j);
		for (i = 1; i < cli->argc; i++)
			mvn_json_str(&j, cli->argv[i]);
		mvn_json_end(&j);
		mvn_json_end(&j);
	}
	for (i = 1; i < cli->argc; i++)
		mvn_cmd_done(cli, _("Endpoint %s deleted\n"), cli->argv[i]);
	return 0;
}

const struct mvn_cmd mvn_cmd_port_delete = {
	.name = "port-delete",
	.args = "IF...",
	.summary = N_("delete endpoints"),
	.operands = delete_operands,
	.exec = delete_exec,
};

static void list_json(const struct mvn_port_row *rows, size_t n)
{
	struct mvn_json j;
	char mac[18], mode[8];
	size_t i;

	mvn_json_init(&j, stdout);
	mvn_json_begin_array(&j);
	for (i = 0; i < n; i++) {
		const struct mvn_port_state *p = rows[i].port;

		mvn_mac_format(p->mac, mac);
		snprintf(mode, sizeof(mode), "%04o", p->perm & 07777);
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "name", p->name);
		mvn_json_kv_str(&j, "network", rows[i].network);
		mvn_json_kv_int(&j, "ifindex", p->ifindex);
		mvn_json_kv_str(&j, "lower", p->lower);
		mvn_json_kv_str(&j, "mac", mac);
		mvn_json_kv_str(&j, "tap", p->tap);
		mvn_json_kv_uint(&j, "uid", p->uid);
		mvn_json_kv_uint(&j, "gid", p->gid);
		mvn_json_kv_str(&j, "mode", mode);
		mvn_json_kv_str(&j, "owner", p->owner);
		if (p->netnsid != MVN_NETNSID_SELF)
			mvn_json_kv_int(&j, "netnsid", p->netnsid);
		mvn_json_end(&j);
	}
	mvn_json_end(&j);
}

static void list_text(const struct mvn_port_row *rows, size_t n)
{
	struct mvn_row row = { .len = 0 };
	char mac[18], num[32];
	size_t i;

	putchar(' ');
	mvn_text_pad(stdout, _("Name"), 16);
	mvn_text_pad(stdout, _("Network"), 16);
	mvn_text_pad(stdout, _("Device"), 16);
	mvn_text_pad(stdout, _("MAC"), 18);
	mvn_text_pad(stdout, _("Ifindex"), 8);
	printf("%s\n", _("Tap"));
	for (i = 0; i < 92; i++)
		putchar('-');
	putchar('\n');
	for (i = 0; i < n; i++) {
		const struct mvn_port_state *p = rows[i].port;

		mvn_mac_format(p->mac, mac);
		/* Moved to another namespace: its ifindex there, and which. */
		if (p->netnsid == MVN_NETNSID_SELF)
			snprintf(num, sizeof(num), "%d", p->ifindex);
		else
			snprintf(num, sizeof(num), "%d@ns%d", p->ifindex,
				 p->netnsid);
		mvn_row_cell(&row, " ", 0);
		mvn_row_cell(&row, p->name, 16);
		mvn_row_cell(&row, rows[i].network, 16);
		mvn_row_cell(&row, p->lower, 16);
		mvn_row_cell(&row, mac, 18);
		mvn_row_cell(&row, num, 8);
		mvn_row_cell(&row, p->tap, 0);
		mvn_row_print(&row, stdout);
	}
	putchar('\n');
}

static const struct mvn_operand list_operands[] = {
	{ "NETWORK", N_("only this network's endpoints") },
	{ NULL, NULL },
};

static int list_exec(struct mvn_cli *cli)
{
	struct mvn_port_list l = { 0 };
	struct mvn_error err = { 0 };

	if (cli->argc > 2)
		return mvn_cmd_usage(cli, _("give at most one network name"));
	if (mvn_engine_port_list(cli->eng, cli->argc == 2 ? cli->argv[1] : NULL,
				 &l, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json)
		list_json(l.rows, l.n);
	else
		list_text(l.rows, l.n);
	mvn_port_list_free(&l);
	return 0;
}

const struct mvn_cmd mvn_cmd_port_list = {
	.name = "port-list",
	.args = "[NETWORK]",
	.summary = N_("list the endpoints of active networks"),
	.operands = list_operands,
	.exec = list_exec,
};
