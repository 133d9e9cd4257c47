/*
 * libvirt domains: domain-convert rewrites a domain's type='network' and
 * type='direct' interfaces into type='ethernet' ones that macvnet provides
 * through the hook, with the metadata naming the network.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "iface.h"
#include "util.h"

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

	(void)eng;
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
	free(text);
	if (ret < 0)
		return mvn_cmd_fail(&err);
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
