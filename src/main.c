/* macvnet: command-line entry point and command dispatch. */
#include "config.h"

#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

static const struct mvn_cmd *const commands[] = {
	&mvn_cmd_validate,	  &mvn_cmd_net_define,	&mvn_cmd_net_undefine,
	&mvn_cmd_net_start,	  &mvn_cmd_net_destroy, &mvn_cmd_net_autostart,
	&mvn_cmd_start_autostart, &mvn_cmd_net_list,	&mvn_cmd_net_info,
	&mvn_cmd_net_dumpxml,	  &mvn_cmd_port_create, &mvn_cmd_port_delete,
	&mvn_cmd_port_list,	  &mvn_cmd_reconcile,	&mvn_cmd_domain_convert,
	&mvn_cmd_hook_install,	  &mvn_cmd_migrate_ovs, &mvn_cmd_doctor,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int mvn_cmd_fail(const struct mvn_error *err)
{
	fprintf(stderr, "macvnet: %s %s\n", _("error:"),
		err->msg[0] ? err->msg : _("unknown failure"));
	return 1;
}

int mvn_cmd_usage(const struct mvn_cmd *cmd, const char *why)
{
	fprintf(stderr, "macvnet: %s %s\n", _("error:"), why);
	fprintf(stderr, _("usage: macvnet %1$s %2$s\n"), cmd->name, cmd->args);
	return 2;
}

void mvn_json_string(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* What the engine says along the way: one line on stderr. */
static void note(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "macvnet: %s %s\n", _("note:"), msg);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "%s",
		_("usage: macvnet [--config-dir DIR] [--run-dir DIR] "
		  "[--schema-dir DIR] [--json] [--wait SECONDS] COMMAND "
		  "[ARGS]\n\n"
		  "Define, validate and run macvtap networks described in "
		  "libvirt's network XML.\n\n"
		  "Commands:\n"));
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-14s %s\n", commands[i]->name,
			_(commands[i]->summary));
	fprintf(f,
		_("\nOptions:\n"
		  "  --config-dir DIR  network definitions (default "
		  "$MACVNET_CONFIG_DIR or %1$s)\n"
		  "  --run-dir DIR     runtime state and lock (default "
		  "$MACVNET_RUN_DIR or %2$s)\n"
		  "  --schema-dir DIR  RelaxNG schemas (default "
		  "$MACVNET_SCHEMA_DIR or %3$s)\n"
		  "  --json            machine-readable output\n"
		  "  --wait SECONDS    how long to wait for a network another "
		  "macvnet is\n"
		  "                    changing (default 30; 0: do not wait)\n"
		  "  -h, --help        show this help; 'macvnet COMMAND "
		  "--help' for one command\n"
		  "  -V, --version     show the version\n\n"
		  "Exit status: 0 success, 1 the request failed, 2 usage "
		  "error.\n"),
		MVN_CONFIG_DIR, MVN_RUN_DIR, MVN_SCHEMA_DIR);
}

/* The global options, before the command; -1 to go on, else the exit. */
struct globals {
	struct mvn_paths paths;
	bool json;
	long wait_s;
};

static int parse_globals(int argc, char **argv, struct globals *g)
{
	static const struct option opts[] = {
		{ "config-dir", required_argument, NULL, 'c' },
		{ "run-dir", required_argument, NULL, 'r' },
		{ "schema-dir", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char *end, shown[128];
	int c;

	/* Options end at the command's name: "+" stops at the first operand. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		if (c == 'c')
			g->paths.config_dir = optarg;
		else if (c == 'r')
			g->paths.run_dir = optarg;
		else if (c == 's')
			g->paths.schema_dir = optarg;
		else if (c == 'j')
			g->json = true;
		else if (c == 'w') {
			g->wait_s = strtol(optarg, &end, 10);
			if (*optarg && !*end && g->wait_s >= 0 &&
			    g->wait_s <= 86400)
				continue;
			fprintf(stderr, "macvnet: %s ", _("error:"));
			fprintf(stderr,
				_("--wait needs a number of seconds from 0 to "
				  "86400, not '%s'\n"),
				mvn_shown(optarg, shown, sizeof(shown)));
			return 2;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else if (c == 'V') {
			printf("macvnet %s\n", PACKAGE_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	return -1;
}

/* The command called name, or NULL after saying so. */
static const struct mvn_cmd *find_command(const char *name)
{
	char shown[128];
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	fprintf(stderr, "macvnet: %s ", _("error:"));
	fprintf(stderr,
		_("unknown command '%s' (see 'macvnet --help' for the "
		  "list)\n"),
		mvn_shown(name, shown, sizeof(shown)));
	return NULL;
}

/* Run cmd with its arguments in an engine made from g. */
static int run(const struct mvn_cmd *cmd, const struct globals *g, int argc,
	       char **argv)
{
	struct mvn_engine *eng = NULL;
	struct mvn_error err = { 0 };
	int ret;

	if (mvn_engine_new(&g->paths, g->json, &eng, &err) < 0)
		return mvn_cmd_fail(&err);
	mvn_engine_set_notice(eng, note, NULL);
	if (g->wait_s >= 0)
		mvn_engine_set_wait(eng, (unsigned int)g->wait_s * 1000u);
	ret = cmd->exec(eng, argc, argv);
	mvn_engine_free(eng);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "macvnet: %s %s\n", _("error:"),
			_("cannot write the output"));
		return 1;
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct globals g = { .wait_s = -1 };
	const struct mvn_cmd *cmd;
	int ret;

	setlocale(LC_ALL, "");
	/* MACVNET_LOCALEDIR lets the test suite use the uninstalled catalogs. */
	bindtextdomain(PACKAGE, getenv("MACVNET_LOCALEDIR") ?
					getenv("MACVNET_LOCALEDIR") :
					LOCALEDIR);
	textdomain(PACKAGE);
	g.paths.config_dir = getenv("MACVNET_CONFIG_DIR");
	g.paths.run_dir = getenv("MACVNET_RUN_DIR");
	g.paths.schema_dir = getenv("MACVNET_SCHEMA_DIR");
	ret = parse_globals(argc, argv, &g);
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		fprintf(stderr, "macvnet: %s %s\n", _("error:"),
			_("no command given (see 'macvnet --help')"));
		return 2;
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return 2;
	if (argc - optind > 1 && (!strcmp(argv[optind + 1], "--help") ||
				  !strcmp(argv[optind + 1], "-h"))) {
		printf(_("usage: macvnet %1$s %2$s\n"), cmd->name, cmd->args);
		printf("%s\n", _(cmd->summary));
		if (cmd->help)
			printf("\n%s\n", _(cmd->help));
		return 0;
	}
	return run(cmd, &g, argc - optind, argv + optind);
}
