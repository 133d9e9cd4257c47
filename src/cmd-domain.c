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
#include <getopt.h>
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

static int convert_exec(struct mvn_engine *eng, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "network", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct mvn_error err = { 0 };
	const char *network = NULL;
	char *text = NULL, *out = NULL;
	size_t len = 0;
	int c, ret;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'n')
			network = optarg;
		else
			return mvn_cmd_usage(&mvn_cmd_domain_convert,
					     _("unknown option"));
	}
	if (optind != argc - 1 || !network)
		return mvn_cmd_usage(&mvn_cmd_domain_convert,
				     _("give one domain file and --network"));
	ret = mvn_doc_read(argv[optind], &text, &len, &err);
	if (ret == 0)
		ret = mvn_domain_convert(text, len, argv[optind], network, &out,
					 &err);
	if (ret == 0)
		ret = check_schema(eng, argv[optind], text, len, out, &err);
	free(text);
	if (ret < 0) {
		free(out);
		return mvn_cmd_fail(&err);
	}
	fputs(out, stdout);
	free(out);
	return 0;
}

const struct mvn_cmd mvn_cmd_domain_convert = {
	.name = "domain-convert",
	.args = "FILE --network NET",
	.summary = N_("print a domain whose interfaces macvnet provides"),
	.exec = convert_exec,
};
