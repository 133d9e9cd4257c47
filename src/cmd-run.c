/*
 * Running networks: net-start creates a defined network's static endpoints
 * after checking its lower devices; net-destroy removes all its endpoints in
 * one kernel request; net-autostart marks a network for start-autostart,
 * which starts every marked network at boot; net-info shows a network's
 * devices, endpoints and which endpoints can reach which; reconcile repairs
 * the state after a crash.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "reach.h"
#include "store.h"

static int one_name(const struct mvn_cmd *cmd, int argc)
{
	if (argc != 2)
		return mvn_cmd_usage(cmd, _("give one network name"));
	return 0;
}

/* net-start NAME --dry-run: what it would do. */
static int start_plan(struct mvn_engine *eng, const char *name)
{
	struct mvn_error err = { 0 };
	char *plan = NULL;

	if (mvn_engine_start_plan(eng, name, &plan, &err) < 0)
		return mvn_cmd_fail(&err);
	fputs(plan, stdout);
	printf(_("Network %s would start (nothing was changed)\n"), name);
	free(plan);
	return 0;
}

static int start_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };

	if (argc == 3 && !strcmp(argv[2], "--dry-run"))
		return start_plan(eng, argv[1]);
	if (one_name(&mvn_cmd_net_start, argc))
		return 2;
	if (mvn_engine_start(eng, argv[1], &err) < 0)
		return mvn_cmd_fail(&err);
	if (mvn_engine_json(eng)) {
		printf("{\"started\":");
		mvn_json_string(argv[1]);
		printf("}\n");
	} else {
		printf(_("Network %s started\n"), argv[1]);
	}
	return 0;
}

const struct mvn_cmd mvn_cmd_net_start = {
	.name = "net-start",
	.args = "NAME [--dry-run]",
	.summary = N_("start a network: check its devices, create its static "
		      "ports"),
	.exec = start_exec,
};

static int destroy_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };

	if (one_name(&mvn_cmd_net_destroy, argc))
		return 2;
	if (mvn_engine_destroy(eng, argv[1], &err) < 0)
		return mvn_cmd_fail(&err);
	if (mvn_engine_json(eng)) {
		printf("{\"destroyed\":");
		mvn_json_string(argv[1]);
		printf("}\n");
	} else {
		printf(_("Network %s destroyed\n"), argv[1]);
	}
	return 0;
}

const struct mvn_cmd mvn_cmd_net_destroy = {
	.name = "net-destroy",
	.args = "NAME",
	.summary = N_("stop a network and delete all its endpoints"),
	.exec = destroy_exec,
};

static int autostart_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };
	bool off = false;
	const char *name = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--disable"))
			off = true;
		else if (!name && argv[i][0] != '-')
			name = argv[i];
		else
			return mvn_cmd_usage(&mvn_cmd_net_autostart,
					     _("unexpected argument"));
	}
	if (!name)
		return mvn_cmd_usage(&mvn_cmd_net_autostart,
				     _("give one network name"));
	if (mvn_engine_set_autostart(eng, name, !off, &err) < 0)
		return mvn_cmd_fail(&err);
	if (!mvn_engine_json(eng))
		printf(off ? _("Network %s unmarked as autostarted\n") :
			     _("Network %s marked as autostarted\n"),
		       name);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_autostart = {
	.name = "net-autostart",
	.args = "NAME [--disable]",
	.summary = N_("start a network at boot (start-autostart), or not"),
	.exec = autostart_exec,
};

static int start_autostart_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };
	char **started = NULL;
	size_t i;
	int ret;

	(void)argv;
	if (argc != 1)
		return mvn_cmd_usage(&mvn_cmd_start_autostart,
				     _("start-autostart takes no arguments"));
	ret = mvn_engine_start_autostart(eng, &started, &err);
	for (i = 0; started && started[i]; i++)
		printf(_("Network %s started\n"), started[i]);
	mvn_store_names_free(started);
	return ret < 0 ? mvn_cmd_fail(&err) : 0;
}

const struct mvn_cmd mvn_cmd_start_autostart = {
	.name = "start-autostart",
	.args = "",
	.summary = N_("start every network marked for autostart"),
	.exec = start_autostart_exec,
};

static int reconcile_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_reconcile_report rep = { 0 };
	struct mvn_error err = { 0 };

	(void)argv;
	if (argc != 1)
		return mvn_cmd_usage(&mvn_cmd_reconcile,
				     _("reconcile takes no arguments"));
	if (mvn_engine_reconcile(eng, &rep, &err) < 0)
		return mvn_cmd_fail(&err);
	if (mvn_engine_json(eng))
		printf("{\"forgotten\":%zu,\"removed\":%zu,\"restored\":%zu,"
		       "\"rolled_back\":%zu,\"set_aside\":%zu}\n",
		       rep.forgotten, rep.removed, rep.restored,
		       rep.rolled_back, rep.set_aside);
	else
		printf(_("Reconciled: %1$zu lost endpoints forgotten, %2$zu "
			 "leftover links removed, %3$zu device MACs "
			 "restored, %4$zu interrupted starts or stops "
			 "finished, %5$zu damaged state files set aside\n"),
		       rep.forgotten, rep.removed, rep.restored,
		       rep.rolled_back, rep.set_aside);
	return 0;
}

const struct mvn_cmd mvn_cmd_reconcile = {
	.name = "reconcile",
	.args = "",
	.summary = N_("bring the state and the kernel back into agreement"),
	.exec = reconcile_exec,
};

/* The reachability rows of net as it runs (st), or NULL. */
static struct mvn_reach_row *reach_rows(struct mvn_engine *eng,
					const struct mvn_network *net,
					const struct mvn_state *st, size_t *n)
{
	struct mvn_reach_net rn = { 0 };
	struct mvn_reach_row *rows = NULL;
	struct mvn_error quiet = { 0 };
	size_t *counts = calloc(st->nlowers + 1, sizeof(*counts)), i;
	bool *addr = calloc(st->nlowers + 1, sizeof(*addr));

	if (!counts || !addr) {
		free(counts);
		free(addr);
		return NULL;
	}
	for (i = 0; i < st->nlowers; i++) {
		counts[i] = mvn_state_count_lower(st, st->lowers[i]);
		if (mvn_engine_has_addresses(eng, st->lowers[i], &addr[i],
					     &quiet) < 0)
			addr[i] = false;
	}
	rn.host_addr = addr;
	rn.mode = st->mode;
	rn.lowers = (const char *const *)st->lowers;
	rn.nlowers = st->nlowers;
	rn.nports = counts;
	rn.shim = st->has_host ? st->host_name : NULL;
	rn.shim_lower = st->host_lower;
	rn.hairpin = net->switch_hairpin;
	if (mvn_reach(&rn, &rows, n) < 0)
		rows = NULL;
	free(counts);
	free(addr);
	return rows;
}

static const char *pass_text(enum mvn_pass p)
{
	switch (p) {
	case MVN_PASS_YES:
		return _("passes");
	case MVN_PASS_NO:
		return _("no");
	case MVN_PASS_UNICAST:
		return _("unicast");
	default:
		return _("hairpin?");
	}
}

static const char *hairpin_text(enum mvn_tristate h)
{
	return h == MVN_YES ? _("yes (stated)") :
	       h == MVN_NO  ? _("no (stated)") :
			      _("not known (state it with <macvnet:switch "
				 "hairpin='yes|no'/>, or measure it with "
				 "macvnet doctor --probe)");
}

/* net-info's table; a device stands for its endpoints. */
static void print_reach(struct mvn_engine *eng, const struct mvn_network *net,
			const struct mvn_state *st)
{
	struct mvn_reach_row *rows;
	size_t i, n = 0;

	printf("%s %s\n", _("Switch hairpin:"),
	       hairpin_text(net->switch_hairpin));
	rows = reach_rows(eng, net, st, &n);
	printf("%s\n", _("Reachability (a device stands for its endpoints):"));
	for (i = 0; rows && i < n; i++)
		printf("  %-16s %-16s %-9s %s\n", rows[i].a, rows[i].b,
		       pass_text(rows[i].pass), rows[i].why);
	free(rows);
}

static void json_reach(struct mvn_engine *eng, const struct mvn_network *net,
		       const struct mvn_state *st)
{
	struct mvn_reach_row *rows;
	size_t i, n = 0;

	printf(",\"hairpin\":\"%s\",\"shim\":",
	       net->switch_hairpin == MVN_YES ? "yes" :
	       net->switch_hairpin == MVN_NO  ? "no" :
						"unknown");
	if (st->has_host) {
		printf("{\"name\":");
		mvn_json_string(st->host_name);
		printf(",\"lower\":");
		mvn_json_string(st->host_lower);
		printf(",\"ifindex\":%d}", st->host_ifindex);
	} else {
		printf("null");
	}
	printf(",\"reach\":[");
	rows = reach_rows(eng, net, st, &n);
	for (i = 0; rows && i < n; i++) {
		printf("%s{\"a\":", i ? "," : "");
		mvn_json_string(rows[i].a);
		printf(",\"b\":");
		mvn_json_string(rows[i].b);
		printf(",\"passes\":\"%s\",\"why\":",
		       mvn_pass_name(rows[i].pass));
		mvn_json_string(rows[i].why);
		printf("}");
	}
	printf("]");
	free(rows);
}

/* How many endpoints of networks other than name use dev. */
static size_t others_on(const struct mvn_port_row *all, size_t n,
			const char *name, const char *dev)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (strcmp(all[i].network, name) &&
		    !strcmp(all[i].port.lower, dev))
			k++;
	return k;
}

/* What net-info shows: the definition, its state, all endpoints. */
struct info {
	struct mvn_network *net;
	struct mvn_state *st; /* NULL: not active */
	struct mvn_port_row *all; /* every network's endpoints */
	size_t nall;
	char uuid[37];
};

static void info_json(struct mvn_engine *eng, const struct info *in)
{
	const struct mvn_state *st = in->st;
	char mac[18];
	size_t i;

	printf("{\"name\":");
	mvn_json_string(in->net->name);
	printf(",\"uuid\":\"%s\",\"mode\":\"%s\",\"active\":%s,"
	       "\"devices\":[",
	       in->uuid, mvn_fwd_mode_name(in->net->forward.mode),
	       st ? "true" : "false");
	for (i = 0; st && i < st->nlowers; i++) {
		printf("%s{\"dev\":", i ? "," : "");
		mvn_json_string(st->lowers[i]);
		printf(",\"ports\":%zu,\"others\":%zu}",
		       mvn_state_count_lower(st, st->lowers[i]),
		       others_on(in->all, in->nall, in->net->name,
				 st->lowers[i]));
	}
	printf("],\"ports\":[");
	for (i = 0; st && i < st->nports; i++) {
		mvn_mac_format(st->ports[i].mac, mac);
		printf("%s{\"name\":\"%s\",\"ifindex\":%d,\"lower\":"
		       "\"%s\",\"mac\":\"%s\",\"tap\":",
		       i ? "," : "", st->ports[i].name, st->ports[i].ifindex,
		       st->ports[i].lower, mac);
		mvn_json_string(st->ports[i].tap);
		printf("}");
	}
	printf("]");
	if (st)
		json_reach(eng, in->net, st);
	printf("}\n");
}

static void info_text(struct mvn_engine *eng, const struct info *in)
{
	const struct mvn_state *st = in->st;
	char mac[18];
	size_t i, o;

	printf("%-12s %s\n", _("Name:"), in->net->name);
	printf("%-12s %s\n", _("UUID:"), in->uuid);
	printf("%-12s %s\n", _("Mode:"),
	       mvn_fwd_mode_name(in->net->forward.mode));
	printf("%-12s %s\n", _("Active:"), st ? _("yes") : _("no"));
	if (!st)
		return;
	printf("%s\n", _("Devices:"));
	for (i = 0; i < st->nlowers; i++) {
		o = others_on(in->all, in->nall, in->net->name, st->lowers[i]);
		printf(_("  %1$-16s %2$zu endpoints"), st->lowers[i],
		       mvn_state_count_lower(st, st->lowers[i]));
		if (o)
			printf(_(", and %zu of other networks (they share the "
				 "device and its MAC table)"),
			       o);
		putchar('\n');
	}
	printf("%s\n", _("Endpoints:"));
	for (i = 0; i < st->nports; i++) {
		mvn_mac_format(st->ports[i].mac, mac);
		printf("  %-16s %-8d %-16s %s %s\n", st->ports[i].name,
		       st->ports[i].ifindex, st->ports[i].lower, mac,
		       st->ports[i].tap);
	}
	if (st->has_host)
		printf(_("Host shim:   %1$s on %2$s (ifindex %3$d)\n"),
		       st->host_name, st->host_lower, st->host_ifindex);
	print_reach(eng, in->net, st);
}

static int info_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct info in = { 0 };
	struct mvn_error err = { 0 }, quiet = { 0 };
	int ret;

	if (one_name(&mvn_cmd_net_info, argc))
		return 2;
	ret = mvn_engine_definition(eng, argv[1], &in.net, &err);
	if (ret < 0)
		return mvn_cmd_fail(&err);
	mvn_engine_state(eng, argv[1], &in.st, &quiet);
	/* Other networks' endpoints on the same devices. */
	if (in.st &&
	    mvn_engine_port_list(eng, NULL, &in.all, &in.nall, &quiet) < 0)
		in.nall = 0;
	mvn_uuid_format(in.net->uuid, in.uuid);
	if (mvn_engine_json(eng))
		info_json(eng, &in);
	else
		info_text(eng, &in);
	free(in.all);
	mvn_state_free(in.st);
	mvn_network_free(in.net);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_info = {
	.name = "net-info",
	.args = "NAME",
	.summary = N_("show a network's devices, endpoints and reachability"),
	.exec = info_exec,
};
