/*
 * doctor: checks the lower devices of one network, or of every defined
 * network, and says in plain words what will not work and how to fix it,
 * one line each ("DEV: LEVEL: problem; fix"), then a summary line.  With
 * --probe it measures, on each network's first lower device, whether the
 * adjacent switch sends frames back (hairpin) and whether an endpoint
 * reaches the host, through two temporary endpoints.  Exit 0 when nothing
 * is wrong (notes aside), 1 when something will not work.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "doctor.h"

static const char *level_text(enum mvn_doctor_level l)
{
	return l == MVN_DOCTOR_ERROR   ? _("error") :
	       l == MVN_DOCTOR_WARNING ? _("warning") :
					 _("note");
}

static void json_finding(struct mvn_json *j, const struct mvn_finding *f)
{
	mvn_json_begin_object(j);
	mvn_json_kv_str(j, "device", f->device[0] ? f->device : NULL);
	mvn_json_kv_str(j, "network", f->network);
	mvn_json_kv_str(j, "problem", f->problem);
	mvn_json_kv_str(j, "level", mvn_doctor_level_name(f->level));
	mvn_json_kv_str(j, "message", f->message);
	mvn_json_end(j);
}

static void json_probe(struct mvn_json *j, const struct mvn_probe *p)
{
	mvn_json_begin_object(j);
	mvn_json_kv_str(j, "device", p->device);
	mvn_json_kv_str(j, "network", p->network);
	mvn_json_kv_bool(j, "hairpin", p->hairpin);
	mvn_json_key(j, "host_reach");
	if (p->host_reach == MVN_YES || p->host_reach == MVN_NO)
		mvn_json_bool(j, p->host_reach == MVN_YES);
	else
		mvn_json_null(j);
	mvn_json_kv_str(j, "address", p->address[0] ? p->address : NULL);
	mvn_json_end(j);
}

static void print_json(const struct mvn_doctor *d)
{
	struct mvn_json j;
	size_t i;

	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_key(&j, "findings");
	mvn_json_begin_array(&j);
	for (i = 0; i < d->nfindings; i++)
		json_finding(&j, &d->findings[i]);
	mvn_json_end(&j);
	mvn_json_key(&j, "probes");
	mvn_json_begin_array(&j);
	for (i = 0; i < d->nprobes; i++)
		json_probe(&j, &d->probes[i]);
	mvn_json_end(&j);
	mvn_json_kv_uint(&j, "networks", d->nnetworks);
	mvn_json_kv_uint(&j, "devices", d->ndevices);
	mvn_json_end(&j);
}

static void print_probe(const struct mvn_probe *p)
{
	printf(_("%1$s: hairpin: %2$s (measured)\n"), p->device,
	       p->hairpin ? _("yes") : _("no"));
	if (p->host_reach == MVN_ABSENT)
		printf(_("%s: host reach: not measured (the host has no IPv4 "
			 "address on it)\n"),
		       p->device);
	else
		printf(_("%1$s: host reach: %2$s (measured), address %3$s\n"),
		       p->device, p->host_reach == MVN_YES ? _("yes") : _("no"),
		       p->address);
}

/* The lines, the summary; how many findings are more than notes. */
static size_t print_text(const struct mvn_doctor *d)
{
	size_t i, count[3] = { 0 };

	for (i = 0; i < d->nfindings; i++) {
		const struct mvn_finding *f = &d->findings[i];

		count[f->level]++;
		printf("%s: %s: %s\n", f->device[0] ? f->device : f->network,
		       level_text(f->level), f->message);
	}
	for (i = 0; i < d->nprobes; i++)
		print_probe(&d->probes[i]);
	printf(_("Summary: errors %1$zu, warnings %2$zu, notes %3$zu "
		 "(networks %4$zu, devices %5$zu)\n"),
	       count[MVN_DOCTOR_ERROR], count[MVN_DOCTOR_WARNING],
	       count[MVN_DOCTOR_NOTE], d->nnetworks, d->ndevices);
	return count[MVN_DOCTOR_ERROR] + count[MVN_DOCTOR_WARNING];
}

static const struct mvn_operand doctor_operands[] = {
	{ "NETWORK", N_("check this network (default: every defined one)") },
	{ NULL, NULL },
};

static const struct mvn_opt doctor_opts[] = {
	{ "probe", no_argument, 'p', NULL,
	  N_("also measure hairpin and host reach on the first device") },
	{ NULL, 0, 0, NULL, NULL },
};

static int doctor_exec(struct mvn_cli *cli)
{
	struct mvn_doctor *d = NULL;
	struct mvn_error err = { 0 };
	size_t i, bad = 0;

	if (cli->argc > 2)
		return mvn_cmd_usage(cli, _("unexpected argument"));
	if (mvn_doctor_run(cli->eng, cli->argc == 2 ? cli->argv[1] : NULL,
			   mvn_cli_has(cli, 'p'), &d, &err) < 0)
		return mvn_cmd_fail(cli, &err);
	if (cli->json) {
		print_json(d);
		for (i = 0; i < d->nfindings; i++)
			bad += d->findings[i].level != MVN_DOCTOR_NOTE;
	} else {
		bad = print_text(d);
	}
	mvn_doctor_free(d);
	if (!bad || !cli->json)
		return bad ? 1 : 0;
	/* Under --json, exit 1 comes with its one error object. */
	mvn_error_set(&err, -EINVAL,
		      P_("%zu finding is an error or a warning",
			 "%zu findings are errors or warnings", bad),
		      bad);
	return mvn_cmd_fail(cli, &err);
}

const struct mvn_cmd mvn_cmd_doctor = {
	.name = "doctor",
	.args = "[NETWORK] [--probe]",
	.summary = N_("say what will not work on networks' lower devices, "
		      "and the fix"),
	.help = N_("Checks the lower devices: bridge and Open vSwitch ports, "
		   "devices down or without carrier, the host's own address "
		   "where guests cannot reach it, vepa without a hairpin "
		   "switch, passthrough pools too small, a MAC used twice, "
		   "address managers that would fight the host shim.  One "
		   "line each: DEVICE: LEVEL: problem; fix.  The probe uses "
		   "two temporary vepa endpoints that are always removed "
		   "again.\n"
		   "Exit status: 0 nothing is wrong (notes aside), 1 something "
		   "will not work, 2 usage error."),
	.operands = doctor_operands,
	.opts = doctor_opts,
	.exec = doctor_exec,
};
