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

static void print_json(const struct mvn_doctor *d)
{
	const char *reach;
	size_t i;

	printf("{\"findings\":[");
	for (i = 0; i < d->nfindings; i++) {
		const struct mvn_finding *f = &d->findings[i];

		printf("%s{\"device\":", i ? "," : "");
		if (f->device[0])
			mvn_json_string(f->device);
		else
			printf("null");
		printf(",\"network\":");
		mvn_json_string(f->network);
		printf(",\"problem\":\"%s\",\"level\":\"%s\",\"message\":",
		       f->problem, mvn_doctor_level_name(f->level));
		mvn_json_string(f->message);
		printf("}");
	}
	printf("],\"probes\":[");
	for (i = 0; i < d->nprobes; i++) {
		const struct mvn_probe *p = &d->probes[i];

		reach = p->host_reach == MVN_YES ? "true" :
			p->host_reach == MVN_NO	 ? "false" :
						   "null";
		printf("%s{\"device\":", i ? "," : "");
		mvn_json_string(p->device);
		printf(",\"network\":");
		mvn_json_string(p->network);
		printf(",\"hairpin\":%s,\"host_reach\":%s,\"address\":",
		       p->hairpin ? "true" : "false", reach);
		if (p->address[0])
			mvn_json_string(p->address);
		else
			printf("null");
		printf("}");
	}
	printf("],\"networks\":%zu,\"devices\":%zu}\n", d->nnetworks,
	       d->ndevices);
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

static int doctor_exec(struct mvn_engine *eng, int argc, char **argv)
{
	struct mvn_doctor *d = NULL;
	struct mvn_error err = { 0 };
	const char *name = NULL;
	bool probe = false;
	size_t i, bad = 0;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--probe"))
			probe = true;
		else if (!name && argv[a][0] != '-')
			name = argv[a];
		else
			return mvn_cmd_usage(&mvn_cmd_doctor,
					     _("unexpected argument"));
	}
	if (mvn_doctor_run(eng, name, probe, &d, &err) < 0)
		return mvn_cmd_fail(&err);
	if (mvn_engine_json(eng)) {
		print_json(d);
		for (i = 0; i < d->nfindings; i++)
			bad += d->findings[i].level != MVN_DOCTOR_NOTE;
	} else {
		bad = print_text(d);
	}
	mvn_doctor_free(d);
	return bad ? 1 : 0;
}

const struct mvn_cmd mvn_cmd_doctor = {
	.name = "doctor",
	.args = "[NETWORK] [--probe]",
	.summary = N_("say what will not work on networks' lower devices, "
		      "and the fix"),
	.help = N_("Checks the lower devices of NETWORK (default: of every "
		   "defined network): bridge and Open vSwitch ports, devices "
		   "down or without carrier, the host's own address where "
		   "guests cannot reach it, vepa without a hairpin switch, "
		   "passthrough pools too small, a MAC used twice, address "
		   "managers that would fight the host shim.  One line each: "
		   "DEVICE: LEVEL: problem; fix.\n"
		   "--probe measures, on each network's first lower device, "
		   "whether the switch sends frames back (hairpin) and whether "
		   "an endpoint reaches the host, with two temporary vepa "
		   "endpoints that are always removed again.\n"
		   "Exit status: 0 nothing is wrong (notes aside), 1 something "
		   "will not work, 2 usage error."),
	.exec = doctor_exec,
};
