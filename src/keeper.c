/* Processes that keep addresses on a device (keeper.h). */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keeper.h"

/* At most this many /proc entries are looked at: a bound, not a limit. */
#define PROC_SCAN_MAX 65536

/* Programs that put addresses on devices, and whether they are daemons
 * that manage devices without naming them on their command line. */
static const struct {
	const char *prefix;
	bool daemon;
} managers[] = {
	{ "dhclient", false },	      { "dhcpcd", false },
	{ "udhcpc", false },	      { "NetworkManager", true },
	{ "systemd-networkd", true }, { "connmand", true },
	{ "wicked", true },
};

/*
 * The command line of process name (a /proc entry) into cmd, its words
 * separated by spaces; false if name is no process or it has none.
 */
static bool read_cmdline(const char *name, char *cmd, size_t size, int *pid)
{
	char path[300];
	ssize_t n, i;
	int fd;

	if (strspn(name, "0123456789") != strlen(name) || !*name)
		return false;
	snprintf(path, sizeof(path), "/proc/%s/cmdline", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, cmd, size - 1);
	close(fd);
	if (n <= 0)
		return false;
	for (i = 0; i < n; i++)
		if (cmd[i] == '\0')
			cmd[i] = ' ';
	cmd[n] = '\0';
	*pid = atoi(name);
	return true;
}

/* Which manager cmd runs (its first word's base name), or -1. */
static int manager_of(const char *cmd, char prog[64])
{
	size_t len = strcspn(cmd, " "), i;
	const char *base = cmd;

	for (i = 0; i < len; i++)
		if (cmd[i] == '/')
			base = cmd + i + 1;
	len -= (size_t)(base - cmd);
	snprintf(prog, 64, "%.*s", (int)len, base);
	prog[strcspn(prog, ":")] = '\0'; /* "dhcpcd: eth0 [ip4]" */
	for (i = 0; i < sizeof(managers) / sizeof(managers[0]); i++)
		if (!strncmp(prog, managers[i].prefix,
			     strlen(managers[i].prefix)))
			return (int)i;
	return -1;
}

/* Whether a word of cmd names dev: "eth0", "-ieth0", "--interface=eth0". */
static bool names_dev(char *cmd, const char *dev)
{
	size_t n = strlen(dev), tl;
	char *save = NULL, *t;

	for (t = strtok_r(cmd, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		tl = strlen(t);
		if (!strcmp(t, dev))
			return true;
		if (t[0] == '-' && tl > n && !strcmp(t + tl - n, dev) &&
		    (t[tl - n - 1] == '=' || (tl == n + 2 && t[1] == 'i')))
			return true;
	}
	return false;
}

size_t mvn_keepers(const char *dev, struct mvn_keeper *out, size_t max)
{
	DIR *dir = opendir("/proc");
	struct dirent *e;
	unsigned int seen = 0;
	char cmd[4096], prog[64];
	size_t n = 0;
	int pid, m;
	bool named;

	if (!dir)
		return 0;
	while (n < max && seen++ < PROC_SCAN_MAX && (e = readdir(dir))) {
		if (!read_cmdline(e->d_name, cmd, sizeof(cmd), &pid) ||
		    pid == getpid())
			continue;
		m = manager_of(cmd, prog);
		if (m < 0)
			continue;
		named = names_dev(cmd, dev);
		if (!named && !managers[m].daemon)
			continue;
		snprintf(out[n].prog, sizeof(out[n].prog), "%s", prog);
		out[n].pid = pid;
		out[n++].named = named;
	}
	closedir(dir);
	return n;
}
