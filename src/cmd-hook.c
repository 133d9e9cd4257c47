/* hook-install: puts macvnet-hook where libvirt looks for hooks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "trust.h"
#include "util.h"

/* Make dir if missing; it must then be a directory only root can change. */
static int make_dir(const char *path, struct mvn_error *err)
{
	struct stat sb;

	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno,
				     _("cannot create %1$s: %2$s (check the "
				       "path and its parent)"),
				     path, strerror(errno));
	if (lstat(path, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mvn_error_set(err, -ENOTDIR,
				     _("%s is not a directory (move it away "
				       "or give another --hooks-dir)"),
				     path);
	return mvn_trust_path(path, _("hooks directory"), err);
}

/* Move tmp over path, or remove tmp and say why not. */
static int replace(const char *tmp, const char *path, struct mvn_error *err)
{
	if (rename(tmp, path) == 0)
		return 0;
	mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"), path,
		      strerror(errno));
	unlink(tmp);
	return err->code;
}

/* Link path to the hook program (libvirt follows the link). */
static int place(const char *dir, const char *name, const char *hook,
		 struct mvn_error *err)
{
	char tmp[4096], path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		    sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.new", dir, name) >=
		    sizeof(tmp))
		return mvn_error_set(err, -ENAMETOOLONG, _("path too long: %s"),
				     dir);
	unlink(tmp);
	if (symlink(hook, tmp) < 0)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     tmp, strerror(errno));
	return replace(tmp, path, err);
}

/*
 * A directory for macvnet.conf: absolute, and one line of plain text
 * (the file is read line by line, never by a shell).
 */
static int conf_value(const char *what, const char *in, char *out, size_t len,
		      struct mvn_error *err)
{
	char cwd[4096];
	const char *p;

	for (p = in; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return mvn_error_set(err, -EINVAL,
					     _("%s has a control character; "
					       "give a plain path"),
					     what);
	if (in[0] == '/')
		snprintf(cwd, sizeof(cwd), "%s", "");
	else if (!getcwd(cwd, sizeof(cwd)))
		return mvn_error_set(err, -errno,
				     _("cannot find the current directory: "
				       "%s (give an absolute path)"),
				     strerror(errno));
	if ((size_t)snprintf(out, len, "%s%s%s", cwd, cwd[0] ? "/" : "", in) >=
	    len)
		return mvn_error_set(err, -ENAMETOOLONG, _("%s is too long"),
				     what);
	return 0;
}

/*
 * Write dir/macvnet.conf: the directories the hook uses when they are not
 * the built-in ones.  Read by macvnet-hook as data, never run.
 */
static int write_conf(const char *dir, const char *config, const char *run,
		      struct mvn_error *err)
{
	char tmp[4096], path[4096], cv[4096], rv[4096];
	int fd, ret = 0;
	FILE *f;

	if (config)
		ret = conf_value("--config-dir", config, cv, sizeof(cv), err);
	if (ret == 0 && run)
		ret = conf_value("--run-dir", run, rv, sizeof(rv), err);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/macvnet.conf", dir);
	snprintf(tmp, sizeof(tmp), "%s/.macvnet.conf.new", dir);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		ret = mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				    tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	fprintf(f, "# Written by macvnet hook-install: where macvnet-hook "
		   "finds macvnet's\n# directories (the built-in ones when "
		   "not set).  KEY=VALUE lines:\n# config-dir, run-dir, "
		   "timeout (seconds).\n");
	if (config)
		fprintf(f, "config-dir=%s\n", cv);
	if (run)
		fprintf(f, "run-dir=%s\n", rv);
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		fclose(f);
		unlink(tmp);
		return mvn_error_set(err, -EIO, _("cannot write %s"), tmp);
	}
	fclose(f);
	return replace(tmp, path, err);
}

/* The hook program as an absolute path root alone can change. */
static int hook_program(const char *hook, char **out, struct mvn_error *err)
{
	if (access(hook, X_OK) < 0)
		return mvn_error_set(err, -errno,
				     _("the hook program %1$s cannot be run: "
				       "%2$s (give its path with --hook)"),
				     hook, strerror(errno));
	*out = realpath(hook, NULL);
	if (!*out)
		return mvn_error_set(err, -errno,
				     _("cannot find the hook program %1$s: "
				       "%2$s"),
				     hook, strerror(errno));
	return mvn_trust_path(*out, _("hook program"), err);
}

/* What hook-install made: the links, the settings, the hook program. */
struct installed {
	char links[2][4096 + 16];
	char conf[4096];
	char *prog;
};

static int install(const char *dir, const char *hook, const char *config,
		   const char *run, struct installed *done,
		   struct mvn_error *err)
{
	const char *const subdirs[] = { "qemu.d", "network.d" };
	char path[4096];
	size_t i;
	int ret;

	ret = hook_program(hook, &done->prog, err);
	if (ret == 0)
		ret = make_dir(dir, err);
	for (i = 0; ret == 0 && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subdirs[i]);
		ret = make_dir(path, err);
	}
	/* The settings first: the links must never run with stale ones. */
	if (ret == 0)
		ret = write_conf(dir, config, run, err);
	snprintf(done->conf, sizeof(done->conf), "%s/macvnet.conf", dir);
	for (i = 0; ret == 0 && i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, subdirs[i]);
		ret = place(path, "50-macvnet", done->prog, err);
		snprintf(done->links[i], sizeof(done->links[i]),
			 "%s/50-macvnet", path);
	}
	return ret;
}

/* {"hooks_dir","hook","links":[...],"config"} on stdout. */
static void print_json(const char *dir, const struct installed *done)
{
	struct mvn_json j;

	mvn_json_init(&j, stdout);
	mvn_json_begin_object(&j);
	mvn_json_kv_str(&j, "hooks_dir", dir);
	mvn_json_kv_str(&j, "hook", done->prog);
	mvn_json_key(&j, "links");
	mvn_json_begin_array(&j);
	mvn_json_str(&j, done->links[0]);
	mvn_json_str(&j, done->links[1]);
	mvn_json_end(&j);
	mvn_json_kv_str(&j, "config", done->conf);
	mvn_json_end(&j);
}

static const struct mvn_opt hook_install_opts[] = {
	{ "hooks-dir", required_argument, 'd', "DIR",
	  N_("libvirt's hooks directory (default /etc/libvirt/hooks)") },
	{ "hook", required_argument, 'k', "PATH",
	  N_("the hook program (default the installed macvnet-hook)") },
	{ NULL, 0, 0, NULL, NULL },
};

static int hook_install_exec(struct mvn_cli *cli)
{
	const char *dir = "/etc/libvirt/hooks", *hook = MVN_HOOK_PATH;
	struct installed done = { .prog = NULL };
	struct mvn_error err = { 0 };
	char shown[256];
	size_t i;
	int ret;

	for (i = 0; i < cli->nopts; i++) {
		if (cli->opts[i].key == 'd')
			dir = cli->opts[i].value;
		else if (cli->opts[i].key == 'k')
			hook = cli->opts[i].value;
	}
	if (cli->argc != 1)
		return mvn_cmd_usage(cli, _("unexpected argument"));
	/* Directories set by flag or environment go into macvnet.conf. */
	ret = install(dir, hook, mvn_engine_config_dir(cli->eng),
		      mvn_engine_run_dir(cli->eng), &done, &err);
	if (ret == 0 && cli->json)
		print_json(dir, &done);
	for (i = 0; ret == 0 && i < 2; i++)
		mvn_cmd_done(cli, _("Installed %s\n"),
			     mvn_shown(done.links[i], shown, sizeof(shown)));
	if (ret == 0)
		mvn_cmd_done(cli, "%s\n",
			     _("Restart libvirtd so that it reads the new "
			       "hook."));
	free(done.prog);
	return ret < 0 ? mvn_cmd_fail(cli, &err) : 0;
}

const struct mvn_cmd mvn_cmd_hook_install = {
	.name = "hook-install",
	.args = "[--hooks-dir DIR] [--hook PATH]",
	.summary = N_("install macvnet-hook as a libvirt hook"),
	.opts = hook_install_opts,
	.exec = hook_install_exec,
};
