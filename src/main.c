/*
 * macvnet: the command line.  The global options come before the
 * command's name; --json, --quiet and --help may also come among the
 * command's arguments.  Each command's options are parsed here from its
 * table entry (struct mvn_cmd), the same table that its help prints, so
 * that a command sees only its operands and the options it was given.
 * Errors, warnings, notes and progress go to stderr from here, as text or
 * as JSON.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "cmd.h"
#include "util.h"
#include "xml.h"

static const struct mvn_cmd *const commands[] = {
	&mvn_cmd_validate,	  &mvn_cmd_net_define,	&mvn_cmd_net_undefine,
	&mvn_cmd_net_start,	  &mvn_cmd_net_destroy, &mvn_cmd_net_autostart,
	&mvn_cmd_start_autostart, &mvn_cmd_net_list,	&mvn_cmd_net_info,
	&mvn_cmd_net_dumpxml,	  &mvn_cmd_port_create, &mvn_cmd_port_delete,
	&mvn_cmd_port_list,	  &mvn_cmd_reconcile,	&mvn_cmd_domain_convert,
	&mvn_cmd_hook_install,	  &mvn_cmd_migrate_ovs, &mvn_cmd_doctor,
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The keys of the global options: above any character a command uses. */
enum {
	KEY_CONFIG_DIR = 256,
	KEY_RUN_DIR,
	KEY_SCHEMA_DIR,
	KEY_JSON,
	KEY_QUIET,
	KEY_WAIT,
};

/* The global options (macvnet --help describes them). */
static const struct option opts[] = {
	{ "config-dir", required_argument, NULL, KEY_CONFIG_DIR },
	{ "run-dir", required_argument, NULL, KEY_RUN_DIR },
	{ "schema-dir", required_argument, NULL, KEY_SCHEMA_DIR },
	{ "json", no_argument, NULL, KEY_JSON },
	{ "quiet", no_argument, NULL, KEY_QUIET },
	{ "wait", required_argument, NULL, KEY_WAIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Where the help of an option or operand begins. */
#define HELP_COLUMN 24

/* A progress line is shown for a step over more links than this. */
#define PROGRESS_MIN 100

/* The usage line of a command, or the general one when cmd is NULL. */
static void usage_line(const struct mvn_cmd *cmd, char *out, size_t len)
{
	if (cmd)
		snprintf(out, len, "macvnet %s%s%s", cmd->name,
			 cmd->args[0] ? " " : "", cmd->args);
	else
		snprintf(out, len, "macvnet [OPTIONS] COMMAND [ARGS]");
}

/* Take a progress line off the terminal before anything else is written. */
static void progress_clear(struct mvn_cli *cli)
{
	if (!cli->progress)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	cli->progress = false;
}

/* "message", "errno" (its name, or null) and "line" (or null). */
static void error_members(struct mvn_json *j, const char *msg, int code,
			  int line)
{
	mvn_json_kv_str(j, "message", msg);
	mvn_json_kv_str(j, "errno", code < 0 ? strerrorname_np(-code) : NULL);
	mvn_json_key(j, "line");
	if (line > 0)
		mvn_json_int(j, line);
	else
		mvn_json_null(j);
}

void mvn_cmd_json_error(struct mvn_json *j, const struct mvn_error *err)
{
	mvn_json_begin_object(j);
	error_members(j, err->msg, err->code, err->line);
	mvn_json_end(j);
}

/* {"error":{"message","errno","line","usage"}} on stderr. */
static void json_error(const char *msg, int code, int line, const char *usage)
{
	struct mvn_json j;

	mvn_json_init(&j, stderr);
	mvn_json_begin_object(&j);
	mvn_json_key(&j, "error");
	mvn_json_begin_object(&j);
	error_members(&j, msg, code, line);
	mvn_json_kv_str(&j, "usage", usage);
	mvn_json_end(&j);
	mvn_json_end(&j);
}

/* The one error of a run: one line (or object) on stderr. */
static void say_error(struct mvn_cli *cli, const char *msg, int code, int line,
		      const char *usage)
{
	char shown[2048];

	progress_clear(cli);
	if (cli->json) {
		json_error(msg, code, line, usage);
		return;
	}
	fprintf(stderr, "macvnet: %s %s\n", _("error:"),
		mvn_shown(msg, shown, sizeof(shown)));
	if (usage)
		fprintf(stderr, _("usage: %s\n"), usage);
}

int mvn_cmd_fail(struct mvn_cli *cli, const struct mvn_error *err)
{
	say_error(cli, err->msg[0] ? err->msg : _("unknown failure"), err->code,
		  err->line, NULL);
	return 1;
}

int mvn_cmd_usage(struct mvn_cli *cli, const char *why)
{
	char usage[512];

	usage_line(cli->cmd, usage, sizeof(usage));
	say_error(cli, why, 0, 0, usage);
	return 2;
}

/* A warning or note: "macvnet: LEVEL: MSG", or {"LEVEL":{"message":MSG}}. */
static void say(struct mvn_cli *cli, const char *key, const char *label,
		const char *fmt, va_list ap)
{
	char msg[2048], shown[2048];
	struct mvn_json j;

	progress_clear(cli);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (cli->json) {
		mvn_json_init(&j, stderr);
		mvn_json_begin_object(&j);
		mvn_json_key(&j, key);
		mvn_json_begin_object(&j);
		mvn_json_kv_str(&j, "message", msg);
		mvn_json_end(&j);
		mvn_json_end(&j);
	} else {
		fprintf(stderr, "macvnet: %s %s\n", label,
			mvn_shown(msg, shown, sizeof(shown)));
	}
}

void mvn_cmd_warn(struct mvn_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(cli, "warning", _("warning:"), fmt, ap);
	va_end(ap);
}

void mvn_cmd_note(struct mvn_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	say(cli, "note", _("note:"), fmt, ap);
	va_end(ap);
}

void mvn_cmd_done(struct mvn_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet || cli->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

bool mvn_cli_has(const struct mvn_cli *cli, int key)
{
	size_t i;

	for (i = 0; i < cli->nopts; i++)
		if (cli->opts[i].key == key)
			return true;
	return false;
}

size_t mvn_text_width(const char *s)
{
	const unsigned char *a;
	size_t n;
	wchar_t *w;
	int cols;

	/* Names and numbers are ASCII: one column a byte, no conversion. */
	for (a = (const unsigned char *)s; *a >= 0x20 && *a < 0x7f; a++)
		;
	if (!*a)
		return (size_t)(a - (const unsigned char *)s);
	n = mbstowcs(NULL, s, 0);
	if (n == (size_t)-1)
		return strlen(s);
	w = calloc(n + 1, sizeof(*w));
	if (!w)
		return strlen(s);
	mbstowcs(w, s, n + 1);
	cols = wcswidth(w, n);
	free(w);
	return cols < 0 ? strlen(s) : (size_t)cols;
}

void mvn_text_pad(FILE *f, const char *s, size_t width)
{
	static const char blanks[] = "                                ";
	size_t n = mvn_text_width(s), k;

	fputs(s, f);
	for (; n < width; n += k) {
		k = width - n < sizeof(blanks) - 1 ? width - n :
						     sizeof(blanks) - 1;
		fwrite(blanks, 1, k, f);
	}
}

void mvn_row_cell(struct mvn_row *r, const char *s, size_t width)
{
	size_t room = sizeof(r->text) - 1 - r->len, n = strlen(s);
	size_t cols = mvn_text_width(s);

	if (n > room)
		n = room; /* the row is cut; it is never longer than that */
	memcpy(r->text + r->len, s, n);
	r->len += n;
	/* A cell that fills its column is still followed by a blank. */
	if (width && cols >= width)
		width = cols + 1;
	for (; cols < width && r->len < sizeof(r->text) - 1; cols++)
		r->text[r->len++] = ' ';
}

void mvn_row_print(struct mvn_row *r, FILE *f)
{
	r->text[r->len++] = '\n';
	fwrite(r->text, 1, r->len, f);
	r->len = 0;
}

/* Cut s (in place) to at most cols columns, at a character boundary. */
static void cut_to(char *s, size_t cols)
{
	mbstate_t ps = { 0 };
	size_t used = 0, off = 0, k;
	wchar_t wc;
	int w;

	while (s[off]) {
		k = mbrtowc(&wc, s + off, strlen(s + off), &ps);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			k = 1, w = 1;
		else
			w = wcwidth(wc) < 0 ? 1 : wcwidth(wc);
		if (used + (size_t)w > cols)
			break;
		used += (size_t)w;
		off += k;
	}
	s[off] = '\0';
}

/*
 * The engine's progress: one line on the terminal, rewritten in place,
 * cut to the terminal's width, taken off when the step ends.
 */
static void progress(void *arg, enum mvn_progress_step step,
		     const char *network, size_t done, size_t total)
{
	struct mvn_cli *cli = arg;
	struct winsize ws = { 0 };
	char line[512], name[256];
	size_t cols = 80;

	if (total <= PROGRESS_MIN || done >= total) {
		progress_clear(cli);
		return;
	}
	mvn_shown(network ? network : "", name, sizeof(name));
	if (step == MVN_PROGRESS_CREATE)
		snprintf(line, sizeof(line),
			 _("network %1$s: creating endpoints, %2$zu of %3$zu "
			   "done"),
			 name, done, total);
	else if (step == MVN_PROGRESS_DELETE)
		snprintf(line, sizeof(line),
			 _("network %1$s: deleting endpoints, %2$zu of %3$zu "
			   "done"),
			 name, done, total);
	else
		snprintf(line, sizeof(line),
			 _("reconciling links, %1$zu of %2$zu done"), done,
			 total);
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
		cols = ws.ws_col;
	cut_to(line, cols - 1);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	cli->progress = true;
}

/* What the engine says along the way. */
static void note(void *arg, const char *msg)
{
	mvn_cmd_note(arg, "%s", msg);
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "%s",
		_("usage: macvnet [--config-dir DIR] [--run-dir DIR] "
		  "[--schema-dir DIR] [--json] [--quiet] [--wait SECONDS] "
		  "COMMAND [ARGS]\n"
		  "       macvnet help [COMMAND]\n\n"
		  "Define, validate and run macvtap networks described in "
		  "libvirt's network XML.\n\n"
		  "Commands:\n"));
	for (i = 0; i < NCOMMANDS; i++) {
		fputs("  ", f);
		mvn_text_pad(f, commands[i]->name, 16);
		fprintf(f, "%s\n", _(commands[i]->summary));
	}
	fprintf(f,
		_("\nOptions:\n"
		  "  --config-dir DIR  network definitions (default "
		  "$MACVNET_CONFIG_DIR or %1$s)\n"
		  "  --run-dir DIR     runtime state and lock (default "
		  "$MACVNET_RUN_DIR or %2$s)\n"
		  "  --schema-dir DIR  RelaxNG schemas (default "
		  "$MACVNET_SCHEMA_DIR or %3$s)\n"
		  "  --json            machine-readable output; errors as JSON "
		  "on stderr\n"
		  "  --quiet           no notes and no success lines; errors "
		  "still\n"
		  "  --wait SECONDS    how long to wait for a network another "
		  "macvnet is\n"
		  "                    changing (default 30; 0: do not wait)\n"
		  "  -h, --help        show this help; 'macvnet help COMMAND' "
		  "for one command\n"
		  "  -V, --version     show the version\n"
		  "--json, --quiet and --help may also follow the command's "
		  "name.\n\n"
		  "Exit status: 0 success, 1 the request failed, 2 usage "
		  "error.\n"),
		MVN_CONFIG_DIR, MVN_RUN_DIR, MVN_SCHEMA_DIR);
}

/* "  --name VALUE" (with "-K, " before a short form), then its help. */
static void help_row(const char *left, const char *help)
{
	size_t n = mvn_text_width(left);

	printf("  %s", left);
	if (2 + n + 1 > HELP_COLUMN)
		printf("\n%*s", HELP_COLUMN, "");
	else
		printf("%*s", (int)(HELP_COLUMN - 2 - n), "");
	printf("%s\n", _(help));
}

/* macvnet COMMAND --help: usage, summary, operands, options, more. */
static void command_help(const struct mvn_cmd *cmd)
{
	const struct mvn_operand *a;
	const struct mvn_opt *o;
	char left[128], u[512], short_form[8];

	usage_line(cmd, u, sizeof(u));
	printf(_("usage: %s\n"), u);
	printf("%s\n", _(cmd->summary));
	if (cmd->operands && cmd->operands->name)
		printf("\n%s\n", _("Arguments:"));
	for (a = cmd->operands; a && a->name; a++)
		help_row(a->name, a->help);
	if (cmd->opts && cmd->opts->name)
		printf("\n%s\n", _("Options:"));
	for (o = cmd->opts; o && o->name; o++) {
		short_form[0] = '\0';
		if (cmd->short_keys && strchr(cmd->short_keys, o->key))
			snprintf(short_form, sizeof(short_form), "-%c, ",
				 o->key);
		snprintf(left, sizeof(left), "%s--%s%s%s", short_form, o->name,
			 o->value ? " " : "", o->value ? o->value : "");
		help_row(left, o->help);
	}
	if (cmd->help)
		printf("\n%s\n", _(cmd->help));
	printf("\n%s\n", _("Global options (--json, --quiet, ...): see "
			   "'macvnet --help'."));
}

/* What the global options set, and the first usage error. */
struct globals {
	struct mvn_paths paths;
	long wait_s;
	bool help, version;
	char why[512]; /* the first usage error, or empty */
};

/* Record the first usage error of the command line. */
static void usage_error(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void usage_error(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* The --wait value, or a usage error. */
static void take_wait(struct globals *g, const char *arg)
{
	char *end, shown[128];

	g->wait_s = strtol(arg, &end, 10);
	if (*arg && !*end && g->wait_s >= 0 && g->wait_s <= 86400)
		return;
	usage_error(g->why, sizeof(g->why),
		    _("--wait needs a number of seconds from 0 to 86400, not "
		      "'%s'"),
		    mvn_shown(arg, shown, sizeof(shown)));
}

/*
 * An option the parser refused (c is '?': unknown, ':': without its
 * value); where names whose --help lists the options.
 */
static void bad_option(char *why, size_t len, int c, const char *arg,
		       const char *value, const char *where)
{
	char shown[128], opt[4] = { '-', (char)optopt, '\0' };

	/* A long option is named as given, a short one by its letter. */
	if (!strncmp(arg, "--", 2))
		mvn_shown(arg, shown, sizeof(shown));
	else
		mvn_shown(opt, shown, sizeof(shown));
	if (c == ':')
		usage_error(why, len, _("%1$s needs a value (%2$s)"), shown,
			    value ? value : "?");
	else
		usage_error(why, len,
			    _("unknown option '%1$s' (see '%2$s --help')"),
			    shown, where);
}

/* One global option, wherever it was given. */
static void take_global(struct globals *g, struct mvn_cli *cli, int c,
			const char *arg)
{
	if (c == KEY_CONFIG_DIR)
		g->paths.config_dir = arg;
	else if (c == KEY_RUN_DIR)
		g->paths.run_dir = arg;
	else if (c == KEY_SCHEMA_DIR)
		g->paths.schema_dir = arg;
	else if (c == KEY_JSON)
		cli->json = true;
	else if (c == KEY_QUIET)
		cli->quiet = true;
	else if (c == KEY_WAIT)
		take_wait(g, arg);
	else if (c == 'h')
		g->help = true;
	else if (c == 'V')
		g->version = true;
}

/* The options before the command's name; returns the name's index. */
static int parse_globals(int argc, char **argv, struct globals *g,
			 struct mvn_cli *cli)
{
	int c;

	optind = 0;
	opterr = 0;
	/* "+": the options end at the command's name. */
	while ((c = getopt_long(argc, argv, "+:hV", opts, NULL)) != -1) {
		if (c == '?' || c == ':')
			bad_option(g->why, sizeof(g->why), c, argv[optind - 1],
				   optopt == KEY_WAIT ? "SECONDS" : "DIR",
				   "macvnet");
		else
			take_global(g, cli, c, optarg);
	}
	return optind;
}

/* The getopt table of cmd: its options, then --json, --quiet, --help. */
static struct option *command_table(const struct mvn_cmd *cmd, char *shorts,
				    size_t len)
{
	const struct mvn_opt *o;
	struct option *t;
	size_t n = 0, i, k = 0;

	for (o = cmd->opts; o && o->name; o++)
		n++;
	t = calloc(n + 4, sizeof(*t));
	if (!t)
		return NULL;
	k = (size_t)snprintf(shorts, len, "-:h");
	for (i = 0, o = cmd->opts; o && o->name; o++, i++) {
		t[i].name = o->name;
		t[i].has_arg = o->has_arg;
		t[i].val = o->key;
		if (cmd->short_keys && strchr(cmd->short_keys, o->key) &&
		    k + 3 < len) {
			shorts[k++] = (char)o->key;
			if (o->has_arg == required_argument)
				shorts[k++] = ':';
			shorts[k] = '\0';
		}
	}
	for (k = 0; opts[k].name; k++)
		if (opts[k].val == KEY_JSON || opts[k].val == KEY_QUIET ||
		    opts[k].val == 'h')
			t[i++] = opts[k];
	return t;
}

/* The placeholder of cmd's option key, for "needs a value". */
static const char *placeholder(const struct mvn_cmd *cmd, int key)
{
	const struct mvn_opt *o;

	for (o = cmd->opts; o && o->name; o++)
		if (o->key == key)
			return o->value;
	return NULL;
}

/* Add an operand or an option to what the command will see. */
static int keep(struct mvn_cli *cli, int key, char *value)
{
	struct mvn_optarg *no;
	char **nv;

	if (key == 1) {
		nv = realloc(cli->argv, (size_t)(cli->argc + 2) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		cli->argv = nv;
		nv[cli->argc++] = value;
		nv[cli->argc] = NULL;
		return 0;
	}
	no = realloc(cli->opts, (cli->nopts + 1) * sizeof(*no));
	if (!no)
		return -ENOMEM;
	cli->opts = no;
	no[cli->nopts].key = key;
	no[cli->nopts++].value = value;
	return 0;
}

/*
 * The command's arguments (argv[0] is its name): operands and options in
 * their order, "--" ending the options.  Usage errors go to g->why.
 */
static int parse_command(int argc, char **argv, struct globals *g,
			 struct mvn_cli *cli)
{
	struct option *table;
	char shorts[64], where[64];
	int c, ret;

	snprintf(where, sizeof(where), "macvnet %s", cli->cmd->name);
	table = command_table(cli->cmd, shorts, sizeof(shorts));
	ret = table ? keep(cli, 1, argv[0]) : -ENOMEM;
	optind = 0;
	opterr = 0;
	/* "-": operands come back in order, as option 1. */
	while (ret == 0 &&
	       (c = getopt_long(argc, argv, shorts, table, NULL)) != -1) {
		if (c == '?' || c == ':')
			bad_option(g->why, sizeof(g->why), c, argv[optind - 1],
				   placeholder(cli->cmd, optopt), where);
		else if (c == KEY_JSON || c == KEY_QUIET || c == 'h')
			take_global(g, cli, c, NULL);
		else
			ret = keep(cli, c, optarg);
	}
	for (; ret == 0 && optind < argc; optind++)
		ret = keep(cli, 1, argv[optind]);
	free(table);
	return ret;
}

/* The command called name, or NULL. */
static const struct mvn_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i]->name))
			return commands[i];
	return NULL;
}

/* Run the command with an engine made from g. */
static int run(struct mvn_cli *cli, const struct globals *g)
{
	struct mvn_error err = { 0 };
	int ret;

	if (mvn_engine_new(&g->paths, &cli->eng, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	mvn_engine_set_notice(cli->eng, note, cli);
	if (!cli->json && !cli->quiet && isatty(STDERR_FILENO))
		mvn_engine_set_progress(cli->eng, progress, cli);
	if (g->wait_s >= 0)
		mvn_engine_set_wait(cli->eng, (unsigned int)g->wait_s * 1000u);
	ret = cli->cmd->exec(cli);
	progress_clear(cli);
	mvn_engine_free(cli->eng);
	cli->eng = NULL;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		mvn_error_set(&err, -EIO, "%s", _("cannot write the output"));
		return mvn_cmd_fail(cli, &err);
	}
	return ret;
}

/* --version: the version, as text or as {"version":...}. */
static int version(const struct mvn_cli *cli)
{
	struct mvn_json j;

	if (!cli->json) {
		printf("macvnet %s\n", PACKAGE_VERSION);
		return 0;
	}
	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, "version", PACKAGE_VERSION);
	mvn_json_end(&j);
	return 0;
}

/* A usage error for a command macvnet does not have. */
static int unknown_command(struct mvn_cli *cli, const char *name)
{
	char why[300], shown[128];

	snprintf(why, sizeof(why),
		 _("unknown command '%s' (see 'macvnet --help' for the list)"),
		 mvn_shown(name, shown, sizeof(shown)));
	return mvn_cmd_usage(cli, why);
}

/* The words after "help": none, or one command's name. */
static int help_command(struct mvn_cli *cli, int argc, char **argv)
{
	const struct mvn_cmd *cmd;

	if (argc == 1) {
		usage(stdout);
		return 0;
	}
	cmd = argc == 2 ? find_command(argv[1]) : NULL;
	if (cmd) {
		command_help(cmd);
		return 0;
	}
	if (argc > 2)
		return mvn_cmd_usage(cli, _("help takes at most one command's "
					    "name: macvnet help [COMMAND]"));
	return unknown_command(cli, argv[1]);
}

/* The command's name and its arguments, parsed, then run. */
static int dispatch(struct mvn_cli *cli, struct globals *g, int argc,
		    char **argv)
{
	bool global_error;
	int i;

	cli->cmd = find_command(argv[0]);
	if (!cli->cmd) {
		/* No table to parse with: --json is taken where it stands. */
		for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
			if (!strcmp(argv[i], "--json"))
				cli->json = true;
		if (g->why[0])
			return mvn_cmd_usage(cli, g->why);
		if (!strcmp(argv[0], "help"))
			return help_command(cli, argc, argv);
		return unknown_command(cli, argv[0]);
	}
	/* An error among the global options: the general usage line. */
	global_error = g->why[0] != '\0';
	if (parse_command(argc, argv, g, cli) < 0) {
		g->why[0] = '\0';
		usage_error(g->why, sizeof(g->why), "%s", _("out of memory"));
		say_error(cli, g->why, -ENOMEM, 0, NULL);
		return 1;
	}
	if (g->help) {
		command_help(cli->cmd);
		return 0;
	}
	if (global_error)
		cli->cmd = NULL;
	if (g->why[0])
		return mvn_cmd_usage(cli, g->why);
	return run(cli, g);
}

/* The command line being run, for an error that ends it from deep down. */
static struct mvn_cli *running;

/* libxml2 cannot be loaded: said as every error is (JSON under --json). */
static void xml_missing(const char *msg)
{
	say_error(running, msg, -ENOENT, 0, NULL);
}

int main(int argc, char **argv)
{
	struct globals g = { .wait_s = -1 };
	struct mvn_cli cli = { 0 };
	int first, ret;

	setlocale(LC_ALL, "");
	/* One thread: stdio need not lock for each character of a listing. */
	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	__fsetlocking(stderr, FSETLOCKING_BYCALLER);
	/* MACVNET_LOCALEDIR: catalogs not installed (the build tree's). */
	bindtextdomain(PACKAGE, getenv("MACVNET_LOCALEDIR") ?
					getenv("MACVNET_LOCALEDIR") :
					LOCALEDIR);
	textdomain(PACKAGE);
	g.paths.config_dir = getenv("MACVNET_CONFIG_DIR");
	g.paths.run_dir = getenv("MACVNET_RUN_DIR");
	g.paths.schema_dir = getenv("MACVNET_SCHEMA_DIR");
	first = parse_globals(argc, argv, &g, &cli);
	running = &cli;
	mvn_xml_on_failure(xml_missing);
	if (g.help && first >= argc) {
		usage(stdout);
		return 0;
	}
	if (g.version && !g.why[0])
		return version(&cli);
	if (first >= argc) {
		if (!g.why[0])
			usage_error(g.why, sizeof(g.why), "%s",
				    _("no command given (see 'macvnet "
				      "--help')"));
		return mvn_cmd_usage(&cli, g.why);
	}
	ret = dispatch(&cli, &g, argc - first, argv + first);
	free(cli.argv);
	free(cli.opts);
	return ret;
}
