/* Fault injection for the robustness tests (see fault.h). */
#include "config.h"

#ifdef MVN_FAULT_INJECTION

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static const char *const step_names[] = { "netlink", "tap", "state" };

static const struct {
	const char *name;
	int code;
} errno_names[] = {
	{ "EIO", EIO },	      { "ENOBUFS", ENOBUFS }, { "ENOSPC", ENOSPC },
	{ "ENOMEM", ENOMEM }, { "EBUSY", EBUSY },     { "EPERM", EPERM },
	{ "EINVAL", EINVAL }, { "EEXIST", EEXIST },   { "ENODEV", ENODEV },
	{ "EAGAIN", EAGAIN }, { "EDQUOT", EDQUOT },   { "EROFS", EROFS },
};

struct fault_plan {
	bool parsed, armed, fired;
	int step; /* -1: any */
	unsigned long at;
	unsigned long seen;
	int code; /* negative errno, or 0 for kill/lost */
	bool kill, lost;
	char action[16];
};

static struct fault_plan plan;

/* Read MACVNET_FAULT once; a malformed value arms nothing. */
static void parse_plan(void)
{
	const char *v = getenv("MACVNET_FAULT");
	char kind[16] = "", action[16] = "EIO";
	unsigned long at = 0;
	size_t i;

	plan.parsed = true;
	if (!v ||
	    sscanf(v, "%15[a-z]:%lu:%15[A-Za-z]", kind, &at, action) < 2 ||
	    at == 0)
		return;
	plan.step = -2;
	if (!strcmp(kind, "any"))
		plan.step = -1;
	for (i = 0; i < sizeof(step_names) / sizeof(step_names[0]); i++)
		if (!strcmp(kind, step_names[i]))
			plan.step = (int)i;
	if (plan.step == -2)
		return;
	plan.at = at;
	snprintf(plan.action, sizeof(plan.action), "%s", action);
	if (!strcmp(action, "kill")) {
		plan.kill = true;
	} else if (!strcmp(action, "lost")) {
		plan.lost = true;
	} else {
		for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]);
		     i++)
			if (!strcmp(action, errno_names[i].name))
				plan.code = -errno_names[i].code;
		if (!plan.code)
			return;
	}
	plan.armed = true;
}

/* Append one line to MACVNET_FAULT_LOG, with one write so lines never mix. */
static void log_fired(enum mvn_fault_step step)
{
	const char *path = getenv("MACVNET_FAULT_LOG");
	char line[96];
	int fd, n;

	if (!path)
		return;
	n = snprintf(line, sizeof(line), "fired %s %lu %s\n", step_names[step],
		     plan.at, plan.action);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) < 0) {
		/* Nothing to do: the log is only a hint for the test. */
	}
	close(fd);
}

int mvn_fault_at(enum mvn_fault_step step)
{
	if (!plan.parsed)
		parse_plan();
	if (!plan.armed || plan.fired ||
	    (plan.step >= 0 && plan.step != (int)step))
		return 0;
	if (++plan.seen != plan.at)
		return 0;
	plan.fired = true;
	log_fired(step);
	if (plan.kill) {
		kill(getpid(), SIGKILL);
		pause();
	}
	if (plan.lost)
		return step == MVN_FAULT_NETLINK ? MVN_FAULT_LOST : -EIO;
	return plan.code;
}

#else
/* An empty translation unit is not valid C. */
typedef int mvn_fault_unused;
#endif
