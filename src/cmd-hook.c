/* hook-install: puts macvnet-hook where libvirt looks for hooks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "util.h"

static int make_dir(const char *path, struct mvn_error *err)
{
	struct stat sb;

	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     path, strerror(errno));
	if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mvn_error_set(err, -ENOTDIR, _("%s is not a directory"),
				     path);
	return 0;
}

/* Put the hook (or a wrapper naming the directories) at path. */
static int place(const char *path, const char *hook, const char *driver,
		 const char *config, const char *run, struct mvn_error *err)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return mvn_error_set(err, -ENAMETOOLONG, _("path too long"));
	unlink(tmp);
	if (!config && !run) {
		if (symlink(hook, tmp) < 0)
			return mvn_error_set(err, -errno,
					     _("cannot create %1$s: %2$s"), tmp,
					     strerror(errno));
	} else {
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0755);
		f = fd >= 0 ? fdopen(fd, "w") : NULL;
		if (!f) {
			if (fd >= 0)
				close(fd);
			return mvn_error_set(err, -errno,
					     _("cannot create %1$s: %2$s"), tmp,
					     strerror(errno));
		}
		fprintf(f,
			"#!/bin/sh\n# Installed by macvnet hook-install.\n"
			"exec '%s' --driver %s%s%s%s%s%s%s \"$@\"\n",
			hook, driver, config ? " --config-dir '" : "",
			config ? config : "", config ? "'" : "",
			run ? " --run-dir '" : "", run ? run : "",
			run ? "'" : "");
		if (fclose(f) != 0)
			return mvn_error_set(err, -EIO, _("cannot write %s"),
					     tmp);
	}
	if (rename(tmp, path) < 0)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     path, strerror(errno));
	return 0;
}

static int hook_install_exec(struct mvn_engine *eng, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "hooks-dir", required_argument, NULL, 'd' },
		{ "hook", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = "/etc/libvirt/hooks", *hook = MVN_HOOK_PATH;
	/* Directories set by flag or environment go into a wrapper. */
	const char *config = mvn_engine_config_dir(eng);
	const char *run = mvn_engine_run_dir(eng);
	struct mvn_error err = { 0 };
	char path[4096];
	const char *const subdirs[] = { "qemu.d", "network.d" };
	size_t i;
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c == 'k')
			hook = optarg;
		else
			return mvn_cmd_usage(&mvn_cmd_hook_install,
					     _("unknown option"));
	}
	if (optind != argc)
		return mvn_cmd_usage(&mvn_cmd_hook_install,
				     _("unexpected argument"));
	if (access(hook, X_OK) < 0) {
		mvn_error_set(&err, -errno,
			      _("the hook program %1$s cannot be run: %2$s "
				"(give its path with --hook)"),
			      hook, strerror(errno));
		return mvn_cmd_fail(&err);
	}
	if (make_dir(dir, &err) < 0)
		return mvn_cmd_fail(&err);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subdirs[i]);
		if (make_dir(path, &err) < 0)
			return mvn_cmd_fail(&err);
		snprintf(path, sizeof(path), "%s/%s/50-macvnet", dir,
			 subdirs[i]);
		if (place(path, hook, i == 0 ? "qemu" : "network", config, run,
			  &err) < 0)
			return mvn_cmd_fail(&err);
		printf(_("Installed %s\n"), path);
	}
	printf("%s\n", _("Restart libvirtd so that it reads the new hook."));
	return 0;
}

const struct mvn_cmd mvn_cmd_hook_install = {
	.name = "hook-install",
	.args = "[--hooks-dir DIR] [--hook PATH]",
	.summary = N_("install macvnet-hook as a libvirt hook"),
	.exec = hook_install_exec,
};
