/*
 * libvirt domains: domain-convert rewrites a domain's type='network' and
 * type='direct' interfaces into type='ethernet' ones that macvnet provides
 * through the hook, with the metadata naming the network.  What it prints
 * passes `macvnet validate` (the domain schema, the parser and its checks);
 * an input that cannot give such a result is refused with one error line
 * naming the input's problem, and nothing is printed.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "iface.h"
#include "schema.h"
#include "util.h"

/*
 * Validate the result against the domain schema.  When it fails, the
 * input's own violation (if it has one) is what the user can fix, so
 * that is the message; otherwise the result's.
 */
static int check_schema(struct mvn_engine *eng, const char *path,
			const char *in, size_t len, const char *out,
			struct mvn_error *err)
{
	struct mvn_error oerr = { 0 };
	struct mvn_schema *schema = NULL;
	const char *kind = NULL;
	int ret;

	ret = mvn_engine_schema(eng, &schema, err);
	if (ret < 0)
		return ret;
	ret = mvn_schema_validate(schema, out, strlen(out),
				  _("the converted domain"), &kind, &oerr);
	if (ret == 0)
		return 0;
	if (mvn_schema_validate(schema, in, len, path, &kind, err) < 0)
		return -EINVAL;
	return mvn_error_set(err, -EINVAL,
			     _("%1$s: cannot convert: the result would not "
			       "validate (%2$s); please report this with the "
			       "input"),
			     path, oerr.msg);
}

static const struct mvn_operand convert_operands[] = {
	{ "FILE", N_("the domain's XML document; - reads standard input") },
	{ NULL, NULL },
};

static const struct mvn_opt convert_opts[] = {
	{ "network", required_argument, 'n', "NET",
	  N_("the macvnet network that serves the interfaces (required)") },
	{ NULL, 0, 0, NULL, NULL },
};

/* The result: the XML, or {"file","network","xml"}. */
static void print_result(const struct mvn_cli *cli, const char *file,
			 const char *network, const char *out)
{
	struct mvn_json j;

	if (!cli->json) {
		fputs(out, stdout);
		return;
	}
	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, "file", file);
	mvn_json_kv_str(&j, "network", network);
	mvn_json_kv_str(&j, "xml", out);
	mvn_json_end(&j);
}

static int convert_exec(struct mvn_cli *cli)
{
	struct mvn_error err = { 0 };
	const char *network = NULL, *file;
	char *text = NULL, *out = NULL;
	size_t len = 0, i;
	int ret;

	for (i = 0; i < cli->nopts; i++)
		if (cli->opts[i].key == 'n')
			network = cli->opts[i].value;
	if (cli->argc != 2 || !network)
		return mvn_cmd_usage(cli,
				     _("give one domain file and --network"));
	file = cli->argv[1];
	ret = mvn_doc_read(file, &text, &len, &err);
	if (ret == 0)
		ret = mvn_domain_convert(text, len, file, network, &out, &err);
	if (ret == 0)
		ret = check_schema(cli->eng, file, text, len, out, &err);
	free(text);
	if (ret == 0)
		print_result(cli, file, network, out);
	free(out);
	return ret < 0 ? mvn_cmd_fail(cli, &err) : 0;
}

const struct mvn_cmd mvn_cmd_domain_convert = {
	.name = "domain-convert",
	.args = "FILE --network NET",
	.summary = N_("print a domain whose interfaces macvnet provides"),
	.operands = convert_operands,
	.opts = convert_opts,
	.exec = convert_exec,
};
