/* What every command sees: the options of the command line and a table entry. */
#ifndef MVN_CMD_H
#define MVN_CMD_H

#include <stdbool.h>

#include "engine.h"

struct mvn_cmd {
	const char *name;
	const char *args; /* argument synopsis for usage */
	const char *summary; /* one line for --help */
	const char *help; /* more for 'COMMAND --help', or NULL */
	/*
	 * Run the command with argv[0] being the command's name; return the
	 * exit code (0 ok, 1 failed, 2 usage).  Failures are printed with
	 * mvn_cmd_fail().
	 */
	int (*exec)(struct mvn_engine *eng, int argc, char **argv);
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

/* Print "macvnet: error: MSG" on stderr and return 1. */
int mvn_cmd_fail(const struct mvn_error *err);
/* Print a usage error for cmd on stderr and return 2. */
int mvn_cmd_usage(const struct mvn_cmd *cmd, const char *why);
/* Print s as a JSON string (with quotes) on stdout. */
void mvn_json_string(const char *s);

#endif
