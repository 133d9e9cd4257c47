/*
 * Running networks: net-start creates a defined network's static endpoints
 * after checking its lower devices; net-destroy removes all its endpoints in
 * one kernel request; net-autostart marks a network for start-autostart,
 * which starts every marked network at boot; net-info shows a network's
 * devices, endpoints and which endpoints can reach which; reconcile repairs
 * the state after a crash.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "reach.h"
#include "store.h"
#include "util.h"

static const struct mvn_operand name_operand[] = {
	{ "NAME", N_("the network's name") },
	{ NULL, NULL },
};

static int one_name(struct mvn_cli *cli)
{
	if (cli->argc != 2)
		return mvn_cmd_usage(cli, _("give one network name"));
	return 0;
}

/* {"would_start":NAME,"plan":[LINE,...]}: the plan's lines. */
static void plan_json(const char *name, const char *plan)
{
	const char *nl;
	struct mvn_json j;
	char *line;

	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, "would_start", name);
	mvn_json_key(&j, "plan");
	mvn_json_begin_array(&j);
	for (; *plan; plan = *nl ? nl + 1 : nl) {
		nl = strchr(plan, '\n');
		if (!nl)
			nl = plan + strlen(plan);
		line = strndup(plan, (size_t)(nl - plan));
		mvn_json_str(&j, line ? line : "");
		free(line);
	}
	mvn_json_end(&j);
	mvn_json_end(&j);
}

/* net-start NAME --dry-run: what it would do. */
static int start_plan(struct mvn_cli *cli, const char *name)
{
	struct mvn_error err = { 0 };
	char *plan = NULL;

	if (mvn_engine_start_plan(cli->eng, name, &plan, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json) {
		plan_json(name, plan);
	} else {
		fputs(plan, stdout);
		mvn_cmd_done(
			cli,
			_("Network %s would start (nothing was changed)\n"),
			name);
	}
	free(plan);
	return 0;
}

static const struct mvn_opt start_opts[] = {
	{ "dry-run", no_argument, 'n', NULL,
	  N_("print what would be created and moved; change nothing") },
	{ NULL, 0, 0, NULL, NULL },
};

static int start_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };

	if (one_name(cli))
		return 2;
	if (mvn_cli_has(cli, 'n'))
		return start_plan(cli, cli->argv[1]);
	if (mvn_engine_start(cli->eng, cli->argv[1], &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json)
		mvn_json_print_pair("started", cli->argv[1]);
	else
		mvn_cmd_done(cli, _("Network %s started\n"), cli->argv[1]);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_start = {
	.name = "net-start",
	.args = "NAME [--dry-run]",
	.summary = N_("start a network: check its devices, create its static "
		      "ports"),
	.operands = name_operand,
	.opts = start_opts,
	.exec = start_exec,
};

static int destroy_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };

	if (one_name(cli))
		return 2;
	if (mvn_engine_destroy(cli->eng, cli->argv[1], &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json)
		mvn_json_print_pair("destroyed", cli->argv[1]);
	else
		mvn_cmd_done(cli, _("Network %s destroyed\n"), cli->argv[1]);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_destroy = {
	.name = "net-destroy",
	.args = "NAME",
	.summary = N_("stop a network and delete all its endpoints"),
	.operands = name_operand,
	.exec = destroy_exec,
};

static const struct mvn_opt autostart_opts[] = {
	{ "disable", no_argument, 'd', NULL, N_("remove the mark instead") },
	{ NULL, 0, 0, NULL, NULL },
};

static int autostart_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };
	bool off = mvn_cli_has(cli, 'd');
	struct mvn_json j;

	if (one_name(cli))
		return 2;
	if (mvn_engine_set_autostart(cli->eng, cli->argv[1], !off, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json) {
		mvn_json_init(&j, stdout);
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "network", cli->argv[1]);
		mvn_json_kv_bool(&j, "autostart", !off);
		mvn_json_end(&j);
	} else {
		mvn_cmd_done(cli,
			     off ? _("Network %s unmarked as autostarted\n") :
				   _("Network %s marked as autostarted\n"),
			     cli->argv[1]);
	}
	return 0;
}

const struct mvn_cmd mvn_cmd_net_autostart = {
	.name = "net-autostart",
	.args = "NAME [--disable]",
	.summary = N_("start a network at boot (start-autostart), or not"),
	.operands = name_operand,
	.opts = autostart_opts,
	.exec = autostart_exec,
};

static int start_autostart_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };
	char **started = NULL;
	struct mvn_json j;
	size_t i;
	int ret;

	if (cli->argc != 1)
		return mvn_cmd_usage(cli,
				     _("start-autostart takes no arguments"));
	ret = mvn_engine_start_autostart(cli->eng, &started, &err);
	if (cli->json) {
		mvn_json_init(&j, stdout);
		mvn_json_begin_object(&j);
		mvn_json_key(&j, "started");
		mvn_json_begin_array(&j);
		for (i = 0; started && started[i]; i++)
			mvn_json_str(&j, started[i]);
		mvn_json_end(&j);
		mvn_json_end(&j);
	}
	for (i = 0; started && started[i]; i++)
		mvn_cmd_done(cli, _("Network %s started\n"), started[i]);
	mvn_store_names_free(started);
	return ret < 0 ? mvn_cmd_fail(cli, &err) : 0;
}

const struct mvn_cmd mvn_cmd_start_autostart = {
	.name = "start-autostart",
	.args = "",
	.summary = N_("start every network marked for autostart"),
	.exec = start_autostart_exec,
};

static int reconcile_exec(struct mvn_cli *cli)
{
	struct mvn_reconcile_report rep = { 0 };
	struct mvn_error err = { 0 };
	struct mvn_json j;

	if (cli->argc != 1)
		return mvn_cmd_usage(cli, _("reconcile takes no arguments"));
	if (mvn_engine_reconcile(cli->eng, &rep, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json) {
		mvn_json_init(&j, stdout);
		mvn_json_begin_object(&j);
		mvn_json_kv_uint(&j, "forgotten", rep.forgotten);
		mvn_json_kv_uint(&j, "removed", rep.removed);
		mvn_json_kv_uint(&j, "restored", rep.restored);
		mvn_json_kv_uint(&j, "rolled_back", rep.rolled_back);
		mvn_json_kv_uint(&j, "set_aside", rep.set_aside);
		mvn_json_end(&j);
	} else {
		mvn_cmd_done(cli,
			     _("Reconciled: %1$zu lost endpoints forgotten, "
			       "%2$zu leftover links removed, %3$zu device "
			       "MACs restored, %4$zu interrupted starts or "
			       "stops finished, %5$zu damaged state files set "
			       "aside\n"),
			     rep.forgotten, rep.removed, rep.restored,
			     rep.rolled_back, rep.set_aside);
	}
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
	rn.hairpin = st->hairpin;
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

/* "LABEL  VALUE": the label padded to 12 columns, whatever its script. */
static void field(const char *label, const char *value)
{
	mvn_text_pad(stdout, label, 12);
	printf(" %s\n", value);
}

/* net-info's table; a device stands for its endpoints. */
static void print_reach(struct mvn_engine *eng, const struct mvn_state *st)
{
	struct mvn_reach_row *rows;
	size_t i, n = 0;

	printf("%s %s\n", _("Switch hairpin:"), hairpin_text(st->hairpin));
	rows = reach_rows(eng, st, &n);
	printf("%s\n", _("Reachability (a device stands for its endpoints):"));
	for (i = 0; rows && i < n; i++) {
		fputs("  ", stdout);
		mvn_text_pad(stdout, rows[i].a, 17);
		mvn_text_pad(stdout, rows[i].b, 17);
		mvn_text_pad(stdout, pass_text(rows[i].pass), 10);
		printf("%s\n", rows[i].why);
	}
	free(rows);
}

static void json_reach(struct mvn_json *j, struct mvn_engine *eng,
		       const struct mvn_state *st)
{
	struct mvn_reach_row *rows;
	size_t i, n = 0;

	mvn_json_kv_str(j, "hairpin",
			st->hairpin == MVN_YES ? "yes" :
			st->hairpin == MVN_NO  ? "no" :
						 "unknown");
	mvn_json_key(j, "shim");
	if (st->has_host) {
		mvn_json_begin_object(j);
		mvn_json_kv_str(j, "name", st->host_name);
		mvn_json_kv_str(j, "lower", st->host_lower);
		mvn_json_kv_int(j, "ifindex", st->host_ifindex);
		mvn_json_end(j);
	} else {
		mvn_json_null(j);
	}
	mvn_json_key(j, "reach");
	mvn_json_begin_array(j);
	rows = reach_rows(eng, st, &n);
	for (i = 0; rows && i < n; i++) {
		mvn_json_begin_object(j);
		mvn_json_kv_str(j, "a", rows[i].a);
		mvn_json_kv_str(j, "b", rows[i].b);
		mvn_json_kv_str(j, "passes", mvn_pass_name(rows[i].pass));
		mvn_json_kv_str(j, "why", rows[i].why);
		mvn_json_end(j);
	}
	mvn_json_end(j);
	free(rows);
}

/*
 * What net-info shows: the network, its state, all endpoints.  An active
 * network is shown as it was started (its state holds its UUID, mode and
 * hairpin), without reading its definition again.
 */
struct info {
	const char *name;
	char uuid[37];
	enum mvn_fwd_mode mode;
	struct mvn_state *st; /* NULL: not active */
	size_t *others; /* per pool device: other networks' endpoints */
};

static void info_json(struct mvn_engine *eng, const struct info *in)
{
	const struct mvn_state *st = in->st;
	struct mvn_json j;
	char mac[18];
	size_t i;

	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, "name", in->name);
	mvn_json_kv_str(&j, "uuid", in->uuid);
	mvn_json_kv_str(&j, "mode", mvn_fwd_mode_name(in->mode));
	mvn_json_kv_bool(&j, "active", st != NULL);
	mvn_json_key(&j, "devices");
	mvn_json_begin_array(&j);
	for (i = 0; st && i < st->nlowers; i++) {
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "dev", st->lowers[i]);
		mvn_json_kv_uint(&j, "ports",
				 mvn_state_count_lower(st, st->lowers[i]));
		mvn_json_kv_uint(&j, "others", in->others[i]);
		mvn_json_end(&j);
	}
	mvn_json_end(&j);
	mvn_json_key(&j, "ports");
	mvn_json_begin_array(&j);
	for (i = 0; st && i < st->nports; i++) {
		mvn_mac_format(st->ports[i].mac, mac);
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "name", st->ports[i].name);
		mvn_json_kv_int(&j, "ifindex", st->ports[i].ifindex);
		mvn_json_kv_str(&j, "lower", st->ports[i].lower);
		mvn_json_kv_str(&j, "mac", mac);
		mvn_json_kv_str(&j, "tap", st->ports[i].tap);
		mvn_json_end(&j);
	}
	mvn_json_end(&j);
	if (st)
		json_reach(&j, eng, st);
	mvn_json_end(&j);
}

/* One line per lower device: its endpoints, and other networks' there. */
static void info_devices(const struct info *in)
{
	const struct mvn_state *st = in->st;
	size_t i, k, o;

	printf("%s\n", _("Devices:"));
	for (i = 0; i < st->nlowers; i++) {
		o = in->others[i];
		k = mvn_state_count_lower(st, st->lowers[i]);
		fputs("  ", stdout);
		mvn_text_pad(stdout, st->lowers[i], 17);
		printf(P_("%zu endpoint", "%zu endpoints", k), k);
		if (o)
			printf(_(", and %zu of other networks (they share the "
				 "device and its MAC table)"),
			       o);
		putchar('\n');
	}
}

static void info_text(struct mvn_engine *eng, const struct info *in)
{
	const struct mvn_state *st = in->st;
	struct mvn_row row = { .len = 0 };
	char mac[18], num[16];
	size_t i;

	field(_("Name:"), in->name);
	field(_("UUID:"), in->uuid);
	field(_("Mode:"), mvn_fwd_mode_name(in->mode));
	field(_("Active:"), st ? _("yes") : _("no"));
	if (!st)
		return;
	info_devices(in);
	printf("%s\n", _("Endpoints:"));
	for (i = 0; i < st->nports; i++) {
		mvn_mac_format(st->ports[i].mac, mac);
		snprintf(num, sizeof(num), "%d", st->ports[i].ifindex);
		mvn_row_cell(&row, "  ", 0);
		mvn_row_cell(&row, st->ports[i].name, 17);
		mvn_row_cell(&row, num, 9);
		mvn_row_cell(&row, st->ports[i].lower, 17);
		mvn_row_cell(&row, mac, 18);
		mvn_row_cell(&row, st->ports[i].tap, 0);
		mvn_row_print(&row, stdout);
	}
	if (st->has_host) {
		mvn_text_pad(stdout, _("Host shim:"), 12);
		printf(_(" %1$s on %2$s (ifindex %3$d)\n"), st->host_name,
		       st->host_lower, st->host_ifindex);
	}
	print_reach(eng, st);
}

static int info_exec(struct mvn_cli *cli)
{
	struct info in = { .name = cli->argv[1] };
	struct mvn_network *net = NULL;
	struct mvn_error err = { 0 }, quiet = { 0 };
	int ret;

	if (one_name(cli))
		return 2;
	if (mvn_engine_state(cli->eng, in.name, &in.st, &quiet) < 0)
		in.st = NULL;
	if (!in.st || !in.st->has_uuid) {
		/* Not active, or started by a version that kept no UUID. */
		ret = mvn_engine_definition(cli->eng, in.name, &net, &err);
		if (ret < 0) {
			mvn_state_free(in.st);
			return mvn_cmd_fail(cli, &err);
		}
		mvn_uuid_format(net->uuid, in.uuid);
		in.mode = net->forward.mode;
		if (in.st)
			in.st->hairpin = net->switch_hairpin;
		mvn_network_free(net);
	} else {
		mvn_uuid_format(in.st->uuid, in.uuid);
		in.mode = in.st->mode;
	}
	/* Other networks' endpoints on the same devices. */
	if (in.st) {
		in.others = calloc(in.st->nlowers + 1, sizeof(*in.others));
		if (!in.others) {
			mvn_state_free(in.st);
			mvn_error_set(&err, -ENOMEM, _("out of memory"));
			return mvn_cmd_fail(cli, &err);
		}
		/* Not readable: none counted, as for a damaged network. */
		mvn_engine_lower_use(cli->eng, in.name, in.st->lowers,
				     in.st->nlowers, in.others, &quiet);
	}
	if (cli->json)
		info_json(cli->eng, &in);
	else
		info_text(cli->eng, &in);
	free(in.others);
	mvn_state_free(in.st);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_info = {
	.name = "net-info",
	.args = "NAME",
	.summary = N_("show a network's devices, endpoints and reachability"),
	.operands = name_operand,
	.exec = info_exec,
};
