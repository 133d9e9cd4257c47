/*
 * migrate-ovs --output-dir: the converted documents (and, with --connect,
 * the originals beside them as *.orig.xml) written to a private directory.
 * Every output name is checked before anything is written or defined; the
 * files go through the store's one atomic writer, all staged first and
 * then renamed into place.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "migrate.h"
#include "store.h"
#include "util.h"

/* The file name of path; standard input ("-") is written as stdin.xml. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	if (!strcmp(path, "-"))
		return "stdin.xml";
	return s ? s + 1 : path;
}

/* The name of an item's output file in --output-dir. */
static void out_name(const struct item *it, bool orig, char *buf, size_t size)
{
	if (it->file && !orig)
		snprintf(buf, size, "%s", base_name(it->file));
	else
		snprintf(buf, size, "%s-%s%s.xml",
			 it->is_net ? "network" : "domain",
			 it->is_net && !orig ? it->new_name : it->name,
			 orig ? ".orig" : "");
}

/* The directory exists, and other users cannot rename files in it. */
static int check_out_dir(const char *dir, struct mvn_error *err)
{
	char d[256];
	struct stat sb;

	mvn_shown(dir, d, sizeof(d));
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     d, strerror(errno));
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return mvn_error_set(err, -ENOTDIR, _("%s is not a directory"),
				     d);
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !(sb.st_mode & S_ISVTX))
		return mvn_error_set(err, -EPERM,
				     _("%s is writable by other users, who "
				       "could replace the files written "
				       "there; choose a private --output-dir"),
				     d);
	return 0;
}

/* Whether path is one of the input files. */
static bool is_input(const char *path, char *const *inputs, int ninputs)
{
	struct stat in, out;
	int j;

	for (j = 0; j < ninputs; j++)
		if (stat(inputs[j], &in) == 0 && stat(path, &out) == 0 &&
		    in.st_dev == out.st_dev && in.st_ino == out.st_ino)
			return true;
	return false;
}

/* Whether an output before output k (of per per item) is also called name. */
static bool name_taken(const struct plan *p, size_t k, size_t per,
		       const char *name)
{
	char other[600];
	size_t j;

	for (j = 0; j < k; j++) {
		out_name(&p->items[j / per], j % per, other, sizeof(other));
		if (!strcmp(name, other))
			return true;
	}
	return false;
}

/*
 * Before anything is written or defined: the output directory exists, is
 * not open to other users' renames, and no output would land on an input
 * or on another output.
 */
int mvn_migrate_prepare_out(struct plan *p, const char *dir,
			    char *const *inputs, int ninputs, bool originals,
			    struct mvn_error *err)
{
	size_t per = originals ? 2 : 1, k;
	char name[600], path[4096], a[256], b[256];
	int n, ret;

	ret = check_out_dir(dir, err);
	for (k = 0; k < p->nitems * per && ret == 0; k++) {
		out_name(&p->items[k / per], k % per, name, sizeof(name));
		n = snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (n < 0 || (size_t)n >= sizeof(path))
			ret = mvn_error_set(err, -ENAMETOOLONG,
					    _("path too long"));
		else if (is_input(path, inputs, ninputs))
			ret = mvn_error_set(err, -EEXIST,
					    _("%s would overwrite an input "
					      "file; choose another "
					      "--output-dir"),
					    mvn_shown(path, a, sizeof(a)));
		else if (name_taken(p, k, per, name))
			ret = mvn_error_set(err, -EEXIST,
					    _("two documents would both be "
					      "written as %1$s/%2$s; migrate "
					      "them in two runs"),
					    mvn_shown(dir, a, sizeof(a)),
					    mvn_shown(name, b, sizeof(b)));
	}
	return ret;
}

/* Output k (item k / per, its original when k % per is 1) and its text. */
static const char *output(const struct plan *p, size_t k, size_t per,
			  char *name, size_t size)
{
	const struct item *it = &p->items[k / per];
	const char *text = k % per ? it->orig : it->xml;

	out_name(it, k % per, name, size);
	return text ? text : "";
}

/* The names of outputs [0, n) as "a, b, c" for a message. */
static void written_list(const struct plan *p, size_t n, size_t per, char *out,
			 size_t size)
{
	char name[600], s[256];
	size_t k, used = 0;

	out[0] = '\0';
	for (k = 0; k < n && used < size; k++) {
		output(p, k, per, name, sizeof(name));
		used += snprintf(out + used, size - used, "%s%s", k ? ", " : "",
				 mvn_shown(name, s, sizeof(s)));
	}
}

/*
 * Move the staged outputs [0, n) into place.  A rename cannot be undone:
 * when one fails, the outputs before it stay written, the rest are
 * removed, and the error names the ones written.
 */
static int commit_all(struct plan *p, const char *dir, char **tmps, size_t n,
		      size_t per, struct mvn_error *err)
{
	char name[600], done[400];
	struct mvn_error e = { 0 };
	size_t k;
	int ret = 0;

	for (k = 0; k < n; k++) {
		output(p, k, per, name, sizeof(name));
		if (ret < 0) {
			unlink(tmps[k]);
			continue;
		}
		ret = mvn_file_commit(tmps[k], dir, name, true, &e);
		if (ret == 0)
			continue;
		written_list(p, k, per, done, sizeof(done));
		if (k)
			mvn_error_set(err, ret,
				      _("%1$s; only these were written: %2$s "
					"(fix the cause and run again to write "
					"the rest)"),
				      e.msg, done);
		else
			mvn_error_set(err, ret, "%s", e.msg);
	}
	return ret;
}

/*
 * Write every output through the store's writer: all temporary files
 * first, then the renames.  A failure while the temporary files are
 * written leaves the directory as it was.  The renames cannot be undone as
 * a group: a failure between them says which files were written, and a
 * crash between them leaves some files renamed and some temporary files
 * (.NAME.XXXXXX) behind; run again to write them all.  Domains from
 * libvirt carry their secrets (VIR_DOMAIN_XML_SECURE): every file is 0600.
 */
int mvn_migrate_write_all(struct plan *p, const char *dir, bool originals,
			  struct mvn_error *err)
{
	size_t per = originals ? 2 : 1, n = p->nitems * per, staged = 0, k;
	char **tmps = calloc(n + 1, sizeof(*tmps)), name[600];
	const char *text;
	int ret = 0;

	if (!tmps)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	for (; staged < n && ret == 0; staged++) {
		text = output(p, staged, per, name, sizeof(name));
		ret = mvn_file_stage(dir, name, name, text, strlen(text), 0600,
				     &tmps[staged], err);
	}
	for (k = 0; ret < 0 && k < staged; k++)
		if (tmps[k])
			unlink(tmps[k]);
	if (ret == 0)
		ret = commit_all(p, dir, tmps, n, per, err);
	for (k = 0; k < n; k++)
		free(tmps[k]);
	free(tmps);
	return ret;
}
