/*
 * What every command sees: its table entry (name, usage, options with
 * their help), the command line as parsed, and the one place that prints
 * errors, notes and success lines in the output mode asked for.
 */
#ifndef MVN_CMD_H
#define MVN_CMD_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "json.h"

/*
 * One option of a command, read by both the option parser and the help:
 * { "name", no_argument or required_argument, key, placeholder, help }.
 */
struct mvn_opt {
	const char *name; /* the long name, without the dashes */
	int has_arg; /* no_argument or required_argument */
	int key; /* what the command finds in mvn_cli.opts; not 'h' */
	const char *value; /* the value's placeholder ("DIR"), or NULL */
	const char *help; /* one line, marked with N_() */
};

/* One operand of a command, for its help. */
struct mvn_operand {
	const char *name; /* as in the usage line: "NAME", "FILE..." */
	const char *help; /* one line, marked with N_() */
};

struct mvn_cmd;

/* An option as the command line gave it. */
struct mvn_optarg {
	int key;
	const char *value; /* NULL for an option without a value */
};

/* A command being run: its engine, the output modes, its arguments. */
struct mvn_cli {
	struct mvn_engine *eng;
	const struct mvn_cmd *cmd;
	bool json; /* --json: JSON on stdout, errors as JSON on stderr */
	bool quiet; /* --quiet: no notes and no success lines */
	bool progress; /* a progress line is on the terminal now */
	int argc; /* argv[0] is the command's name, then its operands */
	char **argv;
	struct mvn_optarg *opts; /* its options, in command-line order */
	size_t nopts;
};

struct mvn_cmd {
	const char *name;
	const char *args; /* the usage line after the name */
	const char *summary; /* one line for --help */
	const char *help; /* a paragraph for 'COMMAND --help', or NULL */
	const struct mvn_operand *operands; /* ended by a NULL name, or NULL */
	const struct mvn_opt *opts; /* ended by a NULL name, or NULL */
	const char *short_keys; /* keys that also work as -KEY, or NULL */
	/*
	 * Run the command; return the exit code (0 ok, 1 failed, 2 usage).
	 * Failures are printed with mvn_cmd_fail() or mvn_cmd_usage().
	 */
	int (*exec)(struct mvn_cli *cli);
};

extern const struct mvn_cmd mvn_cmd_validate;
extern const struct mvn_cmd mvn_cmd_net_define;
extern const struct mvn_cmd mvn_cmd_net_undefine;
extern const struct mvn_cmd mvn_cmd_net_list;
extern const struct mvn_cmd mvn_cmd_net_dumpxml;
extern const struct mvn_cmd mvn_cmd_net_start;
extern const struct mvn_cmd mvn_cmd_net_destroy;
extern const struct mvn_cmd mvn_cmd_net_autostart;
extern const struct mvn_cmd mvn_cmd_start_autostart;
extern const struct mvn_cmd mvn_cmd_net_info;
extern const struct mvn_cmd mvn_cmd_port_create;
extern const struct mvn_cmd mvn_cmd_port_delete;
extern const struct mvn_cmd mvn_cmd_port_list;
extern const struct mvn_cmd mvn_cmd_reconcile;
extern const struct mvn_cmd mvn_cmd_domain_convert;
extern const struct mvn_cmd mvn_cmd_hook_install;
extern const struct mvn_cmd mvn_cmd_migrate_ovs;
extern const struct mvn_cmd mvn_cmd_doctor;

/* Whether option key was given. */
bool mvn_cli_has(const struct mvn_cli *cli, int key);

/*
 * Say that the command failed: "macvnet: error: MSG" on stderr, or under
 * --json one object {"error":{...}}; return 1.
 */
int mvn_cmd_fail(struct mvn_cli *cli, const struct mvn_error *err);
/* The same for a usage error, with the command's usage line; return 2. */
int mvn_cmd_usage(struct mvn_cli *cli, const char *why);
/*
 * err as the object {"message","errno","line"} (errno's name such as
 * "ENOENT", or null; the document's line, or null), as a value in j.
 */
void mvn_cmd_json_error(struct mvn_json *j, const struct mvn_error *err);
/*
 * A warning or a note on stderr (one line, or under --json one object
 * {"warning":{"message":...}} or {"note":...}); notes not under --quiet.
 */
void mvn_cmd_warn(struct mvn_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void mvn_cmd_note(struct mvn_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A line that only says that something was done: not under --quiet. */
void mvn_cmd_done(struct mvn_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The columns s takes on a terminal (wide characters count two). */
size_t mvn_text_width(const char *s);
/* Print s on f, then spaces up to width columns. */
void mvn_text_pad(FILE *f, const char *s, size_t width);

/*
 * A table row built in memory, printed with one call: listings of
 * thousands of endpoints cost what their text costs.
 */
struct mvn_row {
	char text[1024];
	size_t len;
};
/*
 * Add s, then spaces up to width columns, and at least one when width is
 * not 0 (s is cut where the row is full).
 */
void mvn_row_cell(struct mvn_row *r, const char *s, size_t width);
/* Print the row and a newline on f, and empty it. */
void mvn_row_print(struct mvn_row *r, FILE *f);

#endif
