/*
 * validate FILE...: check documents the way libvirt would when defining
 * them: well-formedness, the RelaxNG schema of the document's kind (taken
 * from its root element), then the semantic rules.  Each file that passes
 * is reported on stdout; each that fails gets one error line naming the
 * line and the fix.  The exit status is 1 when any file failed.
 */
#include "config.h"

#include <stdio.h>

#include "cmd.h"

static int validate_exec(struct mvn_engine *eng, int argc, char **argv)
{
	int i, failed = 0;

	if (argc < 2)
		return mvn_cmd_usage(&mvn_cmd_validate,
				     _("validate needs at least one file"));
	for (i = 1; i < argc; i++) {
		struct mvn_error err = { 0 };
		const char *kind = NULL;

		if (mvn_engine_validate_file(eng, argv[i], &kind, NULL, &err) <
		    0) {
			mvn_cmd_fail(&err);
			failed = 1;
			continue;
		}
		printf(_("%s validates\n"), argv[i]);
	}
	return failed;
}

const struct mvn_cmd mvn_cmd_validate = {
	.name = "validate",
	.args = "FILE...",
	.summary = N_("check network documents against the schema and "
		      "libvirt's rules"),
	.exec = validate_exec,
};
