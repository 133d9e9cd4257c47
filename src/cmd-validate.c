/*
 * validate FILE...: check documents the way libvirt would when defining
 * them: well-formedness, the RelaxNG schema of the document's kind (taken
 * from its root element), then the semantic rules.  Each file that passes
 * is reported on stdout; each that fails gets one error line naming the
 * line and the fix.  The exit status is 1 when any file failed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "cmd.h"
#include "util.h"

/* One document's result in the "documents" array. */
static void json_result(struct mvn_json *j, const char *file, const char *kind,
			const struct mvn_error *err)
{
	mvn_json_begin_object(j);
	mvn_json_kv_str(j, "file", file);
	mvn_json_kv_bool(j, "valid", err == NULL);
	mvn_json_kv_str(j, "kind", kind);
	mvn_json_key(j, "error");
	if (err)
		mvn_cmd_json_error(j, err);
	else
		mvn_json_null(j);
	mvn_json_end(j);
}

static const struct mvn_operand validate_operands[] = {
	{ "FILE...", N_("network, domain or interface documents; - is "
			"standard input") },
	{ NULL, NULL },
};

static int validate_exec(struct mvn_cli *cli)
{
	struct mvn_error sum = { 0 };
	struct mvn_json j;
	char shown[256];
	int i, failed = 0;

	if (cli->argc < 2)
		return mvn_cmd_usage(cli,
				     _("validate needs at least one file"));
	mvn_json_init(&j, stdout);
	if (cli->json) {
		mvn_json_begin_object(&j);
		mvn_json_key(&j, "documents");
		mvn_json_begin_array(&j);
	}
	for (i = 1; i < cli->argc; i++) {
		struct mvn_error err = { 0 };
		const char *kind = NULL;
		int ret;

		ret = mvn_engine_validate_file(cli->eng, cli->argv[i], &kind,
					       NULL, &err);
		failed += ret < 0;
		if (cli->json)
			json_result(&j, cli->argv[i], ret < 0 ? NULL : kind,
				    ret < 0 ? &err : NULL);
		else if (ret < 0)
			mvn_cmd_fail(cli, &err);
		else
			mvn_cmd_done(cli, _("%s validates\n"),
				     mvn_shown(cli->argv[i], shown,
					       sizeof(shown)));
	}
	if (!cli->json)
		return failed ? 1 : 0;
	mvn_json_end(&j);
	mvn_json_end(&j);
	if (!failed)
		return 0;
	/* Under --json, one error object says that some failed. */
	mvn_error_set(&sum, -EINVAL,
		      P_("%1$d of %2$d documents does not validate",
			 "%1$d of %2$d documents do not validate", failed),
		      failed, cli->argc - 1);
	return mvn_cmd_fail(cli, &sum);
}

const struct mvn_cmd mvn_cmd_validate = {
	.name = "validate",
	.args = "FILE...",
	.summary = N_("check network documents against the schema and "
		      "libvirt's rules"),
	.operands = validate_operands,
	.exec = validate_exec,
};
