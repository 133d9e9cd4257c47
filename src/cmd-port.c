/*
 * Endpoints: port-create makes one macvtap endpoint on an active network
 * (on the pool device with the fewest endpoints, with a free name and a
 * fresh MAC unless told otherwise) and prints its name, ifindex and
 * character device, ready for "qemu -netdev tap,fd=3 3<>/dev/tapN";
 * port-delete removes endpoints; port-list shows them.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "iface.h"

static void print_port(struct mvn_engine *eng, const char *network,
		       const struct mvn_port_state *p)
{
	char mac[18];

	mvn_mac_format(p->mac, mac);
	if (mvn_engine_json(eng)) {
		printf("{\"name\":\"%s\",\"ifindex\":%d,\"tap\":", p->name,
		       p->ifindex);
		mvn_json_string(p->tap);
		printf(",\"mac\":\"%s\",\"lower\":\"%s\",\"network\":", mac,
		       p->lower);
		mvn_json_string(network);
		printf("}\n");
	} else {
		printf("%s %d %s\n", p->name, p->ifindex, p->tap);
	}
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

static int create_exec(struct mvn_engine *eng, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'n' },
		{ "owner", required_argument, NULL, 'o' },
		{ "lower", required_argument, NULL, 'l' },
		{ "mtu", required_argument, NULL, 'u' },
		{ "xml", required_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvn_port_request req = { .owner_tag = "cli" };
	struct mvn_port_state port;
	struct mvn_error err = { 0 };
	const char *xml = NULL;
	char *name_copy = NULL, *lower_copy = NULL;
	int c, ret;

	/* Options may come before or after the network's name. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!mvn_mac_parse(optarg, req.mac))
				return mvn_cmd_usage(&mvn_cmd_port_create,
						     _("--mac needs a MAC "
						       "address such as "
						       "52:54:00:b8:9c:58"));
			req.has_mac = true;
			break;
		case 'n':
			req.name = optarg;
			break;
		case 'o':
			req.owner = optarg;
			break;
		case 'l':
			req.lower = optarg;
			break;
		case 'u':
			req.mtu = (unsigned int)strtoul(optarg, NULL, 10);
			if (!req.mtu)
				return mvn_cmd_usage(&mvn_cmd_port_create,
						     _("--mtu needs a positive "
						       "number"));
			break;
		case 'x':
			xml = optarg;
			break;
		default:
			return mvn_cmd_usage(&mvn_cmd_port_create,
					     _("unknown option"));
		}
	}
	if (optind != argc - 1)
		return mvn_cmd_usage(&mvn_cmd_port_create,
				     _("give one network name"));
	req.network = argv[optind];
	if (xml) {
		const char *before_name = req.name, *before_lower = req.lower;

		ret = from_xml(xml, &req, &err);
		if (req.name != before_name)
			name_copy = (char *)req.name;
		if (req.lower != before_lower)
			lower_copy = (char *)req.lower;
		if (ret < 0)
			goto out;
	}
	ret = mvn_engine_port_create(eng, &req, &port, &err);
	if (ret == 0)
		print_port(eng, req.network, &port);
out:
	free(name_copy);
	free(lower_copy);
	return ret < 0 ? mvn_cmd_fail(&err) : 0;
}

const struct mvn_cmd mvn_cmd_port_create = {
	.name = "port-create",
	.args = "NETWORK [--mac M] [--name IF] [--owner U[:G]] [--lower DEV] "
		"[--mtu N] [--xml FILE]",
	.summary = N_("create an endpoint; prints its name, ifindex and "
		      "/dev/tapN"),
	.exec = create_exec,
};

static int delete_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };

	if (argc < 2)
		return mvn_cmd_usage(&mvn_cmd_port_delete,
				     _("give at least one endpoint name"));
	if (mvn_engine_port_delete(eng, argv + 1, (size_t)argc - 1, &err) < 0)
		return mvn_cmd_fail(&err);
	return 0;
}

const struct mvn_cmd mvn_cmd_port_delete = {
	.name = "port-delete",
	.args = "IF...",
	.summary = N_("delete endpoints"),
	.exec = delete_exec,
};

static int list_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_port_row *rows = NULL;
	struct mvn_error err = { 0 };
	size_t n = 0, i;
	char mac[18];

	if (argc > 2)
		return mvn_cmd_usage(&mvn_cmd_port_list,
				     _("give at most one network name"));
	if (mvn_engine_port_list(eng, argc == 2 ? argv[1] : NULL, &rows, &n,
				 &err) < 0)
		return mvn_cmd_fail(&err);
	if (mvn_engine_json(eng)) {
		printf("[");
		for (i = 0; i < n; i++) {
			mvn_mac_format(rows[i].port.mac, mac);
			printf("%s{\"name\":\"%s\",\"network\":", i ? "," : "",
			       rows[i].port.name);
			mvn_json_string(rows[i].network);
			printf(",\"ifindex\":%d,\"lower\":\"%s\",\"mac\":\"%s\","
			       "\"tap\":",
			       rows[i].port.ifindex, rows[i].port.lower, mac);
			mvn_json_string(rows[i].port.tap);
			printf(",\"uid\":%u,\"gid\":%u,\"mode\":\"%04o\","
			       "\"owner\":",
			       rows[i].port.uid, rows[i].port.gid,
			       rows[i].port.perm);
			mvn_json_string(rows[i].port.owner);
			printf("}");
		}
		printf("]\n");
	} else {
		printf(" %-15s %-15s %-15s %-17s %-7s %s\n", _("Name"),
		       _("Network"), _("Device"), _("MAC"), _("Ifindex"),
		       _("Tap"));
		for (i = 0; i < 92; i++)
			putchar('-');
		putchar('\n');
		for (i = 0; i < n; i++) {
			mvn_mac_format(rows[i].port.mac, mac);
			printf(" %-15s %-15s %-15s %-17s %-7d %s\n",
			       rows[i].port.name, rows[i].network,
			       rows[i].port.lower, mac, rows[i].port.ifindex,
			       rows[i].port.tap);
		}
		putchar('\n');
	}
	free(rows);
	return 0;
}

const struct mvn_cmd mvn_cmd_port_list = {
	.name = "port-list",
	.args = "[NETWORK]",
	.summary = N_("list the endpoints of active networks"),
	.exec = list_exec,
};
