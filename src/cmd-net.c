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
#include <wchar.h>

#include "cmd.h"

static int define_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 }, warn = { 0 };
	char *name = NULL;

	if (argc != 2)
		return mvn_cmd_usage(&mvn_cmd_net_define,
				     _("net-define takes one file"));
	if (mvn_engine_define(eng, argv[1], &name, &warn, &err) < 0)
		return mvn_cmd_fail(&err);
	if (warn.msg[0])
		fprintf(stderr, "macvnet: %s %s\n", _("warning:"), warn.msg);
	if (mvn_engine_json(eng)) {
		printf("{\"defined\":");
		mvn_json_string(name);
		printf("}\n");
	} else {
		printf(_("Network %1$s defined from %2$s\n"), name, argv[1]);
	}
	free(name);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_define = {
	.name = "net-define",
	.args = "FILE",
	.summary = N_("define (or redefine) a network from an XML file"),
	.exec = define_exec,
};

static int undefine_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };

	if (argc != 2)
		return mvn_cmd_usage(&mvn_cmd_net_undefine,
				     _("net-undefine takes one network name"));
	if (mvn_engine_undefine(eng, argv[1], &err) < 0)
		return mvn_cmd_fail(&err);
	if (!mvn_engine_json(eng))
		printf(_("Network %s has been undefined\n"), argv[1]);
	else
		printf("{\"undefined\":\"%s\"}\n", argv[1]);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_undefine = {
	.name = "net-undefine",
	.args = "NAME",
	.summary = N_("remove a network's definition"),
	.exec = undefine_exec,
};

/* The width of s on a terminal: translations may hold wide characters. */
static size_t text_width(const char *s)
{
	size_t n = mbstowcs(NULL, s, 0);
	wchar_t *w;
	int cols;

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

/* Print s, then spaces up to width columns. */
static void cell(const char *s, size_t width)
{
	size_t n = text_width(s);

	fputs(s, stdout);
	for (; n < width; n++)
		putchar(' ');
}

static void row(size_t w, const char *name, const char *state,
		const char *autostart, const char *persistent)
{
	putchar(' ');
	cell(name, w + 3);
	cell(state, 11);
	cell(autostart, 12);
	printf("%s\n", persistent);
}

static int list_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_net_status *list = NULL;
	struct mvn_error err = { 0 };
	bool all = false, first = true;
	size_t n = 0, i, w = 4;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--all"))
			all = true;
		else
			return mvn_cmd_usage(&mvn_cmd_net_list,
					     _("unknown option"));
	}
	if (mvn_engine_list(eng, &list, &n, &err) < 0)
		return mvn_cmd_fail(&err);
	for (i = 0; i < n; i++)
		if ((all || list[i].active) && text_width(list[i].name) > w)
			w = text_width(list[i].name);
	if (mvn_engine_json(eng)) {
		printf("[");
		for (i = 0; i < n; i++) {
			if (!all && !list[i].active)
				continue;
			printf("%s{\"name\":", first ? "" : ",");
			mvn_json_string(list[i].name);
			printf(",\"active\":%s,\"autostart\":%s,"
			       "\"persistent\":true,\"mode\":",
			       list[i].active ? "true" : "false",
			       list[i].autostart ? "true" : "false");
			mvn_json_string(list[i].mode ? list[i].mode : "");
			printf(",\"damaged\":");
			if (list[i].damage)
				mvn_json_string(list[i].damage);
			else
				printf("null");
			printf("}");
			first = false;
		}
		printf("]\n");
	} else {
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
				fprintf(stderr, "macvnet: %s %s\n",
					_("warning:"), list[i].damage);
	}
	mvn_engine_list_free(list, n);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_list = {
	.name = "net-list",
	.args = "[--all]",
	.summary = N_("list active networks, or all defined ones with --all"),
	.exec = list_exec,
};

static int dumpxml_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_error err = { 0 };
	char *xml = NULL;

	if (argc != 2)
		return mvn_cmd_usage(&mvn_cmd_net_dumpxml,
				     _("net-dumpxml takes one network name"));
	if (mvn_engine_dumpxml(eng, argv[1], &xml, &err) < 0)
		return mvn_cmd_fail(&err);
	fputs(xml, stdout);
	free(xml);
	return 0;
}

const struct mvn_cmd mvn_cmd_net_dumpxml = {
	.name = "net-dumpxml",
	.args = "NAME",
	.summary = N_("print a network's definition in canonical XML"),
	.exec = dumpxml_exec,
};
