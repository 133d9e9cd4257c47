/*
 * The definition commands, named as in virsh: net-define stores a network
 * from an XML file after validating it and checking that macvnet can run
 * it; net-undefine removes a definition; net-list shows the networks;
 * net-dumpxml prints a definition in canonical form.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

static const struct mvn_operand define_operands[] = {
	{ "FILE", N_("the network's XML document; - reads standard input") },
	{ NULL, NULL },
};

static int define_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 }, warn = { 0 };
	char *name = NULL, shown[256];

	if (cli->argc != 2)
		return mvn_cmd_usage(cli, _("net-define takes one file"));
	if (mvn_engine_define(cli->eng, cli->argv[1], &name, &warn, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (warn.msg[0])
		mvn_cmd_warn(cli, "%s", warn.msg);
	if (cli->json)
		mvn_json_print_pair("defined", name);
	else
		mvn_cmd_done(cli, _("Network %1$s defined from %2$s\n"), name,
			     mvn_shown(cli->argv[1], shown, sizeof(shown)));
	free(name);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_define = {
	.name = "net-define",
	.args = "FILE",
	.summary = N_("define (or redefine) a network from an XML file"),
	.operands = define_operands,
	.exec = define_exec,
};

static const struct mvn_operand name_operand[] = {
	{ "NAME", N_("the network's name") },
	{ NULL, NULL },
};

static int undefine_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };

	if (cli->argc != 2)
		return mvn_cmd_usage(cli,
				     _("net-undefine takes one network name"));
	if (mvn_engine_undefine(cli->eng, cli->argv[1], &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json)
		mvn_json_print_pair("undefined", cli->argv[1]);
	else
		mvn_cmd_done(cli, _("Network %s has been undefined\n"),
			     cli->argv[1]);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_undefine = {
	.name = "net-undefine",
	.args = "NAME",
	.summary = N_("remove a network's definition"),
	.operands = name_operand,
	.exec = undefine_exec,
};

static void row(size_t w, const char *name, const char *state,
		const char *autostart, const char *persistent)
{
	putchar(' ');
	mvn_text_pad(stdout, name, w + 3);
	mvn_text_pad(stdout, state, 11);
	mvn_text_pad(stdout, autostart, 12);
	printf("%s\n", persistent);
}

static void list_json(const struct mvn_net_status *list, size_t n, bool all)
{
	struct mvn_json j;
	size_t i;

	mvn_json_init(&j, stdout);
	mvn_json_begin_array(&j);
	for (i = 0; i < n; i++) {
		if (!all && !list[i].active)
			continue;
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "name", list[i].name);
		mvn_json_kv_bool(&j, "active", list[i].active);
		mvn_json_kv_bool(&j, "autostart", list[i].autostart);
		mvn_json_kv_bool(&j, "persistent", true);
		mvn_json_kv_str(&j, "mode", list[i].mode ? list[i].mode : "");
		mvn_json_kv_str(&j, "damaged", list[i].damage);
		mvn_json_end(&j);
	}
	mvn_json_end(&j);
}

static void list_text(struct mvn_cli *cli, const struct mvn_net_status *list,
		      size_t n, bool all)
{
	size_t i, w = 4;

	for (i = 0; i < n; i++)
		if ((all || list[i].active) && mvn_text_width(list[i].name) > w)
			w = mvn_text_width(list[i].name);
	row(w, _("Name"), _("State"), _("Autostart"), _("Persistent"));
	for (i = 0; i < w + 40; i++)
		putchar('-');
	putchar('\n');
	for (i = 0; i < n; i++) {
		if (!all && !list[i].active)
			continue;
		row(w, list[i].name,
		    list[i].active ? _("active") :
		    list[i].damage ? _("damaged") :
				     _("inactive"),
		    list[i].autostart ? _("yes") : _("no"), _("yes"));
	}
	putchar('\n');
	/* What is wrong with a damaged one, and how to mend it. */
	for (i = 0; i < n; i++)
		if (list[i].damage && (all || list[i].active))
			mvn_cmd_warn(cli, "%s", list[i].damage);
}

static const struct mvn_opt list_opts[] = {
	{ "all", no_argument, 'a', NULL, N_("also the inactive networks") },
	{ NULL, 0, 0, NULL, NULL },
};

static int list_exec(struct mvn_cli *cli)
{
	struct mvn_net_status *list = NULL;
	struct mvn_error err = { 0 };
	bool all = mvn_cli_has(cli, 'a');
	size_t n = 0;

	if (cli->argc != 1)
		return mvn_cmd_usage(cli, _("unexpected argument"));
	if (mvn_engine_list(cli->eng, &list, &n, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json)
		list_json(list, n, all);
	else
		list_text(cli, list, n, all);
	mvn_engine_list_free(list, n);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_list = {
	.name = "net-list",
	.args = "[--all]",
	.summary = N_("list active networks, or all defined ones with --all"),
	.opts = list_opts,
	.exec = list_exec,
};

static int dumpxml_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };
	struct mvn_json j;
	char *xml = NULL;

	if (cli->argc != 2)
		return mvn_cmd_usage(cli,
				     _("net-dumpxml takes one network name"));
	if (mvn_engine_dumpxml(cli->eng, cli->argv[1], &xml, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json) {
		mvn_json_init(&j, stdout);
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "name", cli->argv[1]);
		mvn_json_kv_str(&j, "xml", xml);
		mvn_json_end(&j);
	} else {
		fputs(xml, stdout);
	}
	free(xml);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_dumpxml = {
	.name = "net-dumpxml",
	.args = "NAME",
	.summary = N_("print a network's definition in canonical XML"),
	.operands = name_operand,
	.exec = dumpxml_exec,
};
