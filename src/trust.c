/* Trust checks on files and the directories above them (trust.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"
#include "trust.h"
#include "util.h"

int mvn_trust_stat(const struct stat *sb, const char *path, const char *what,
		   struct mvn_error *err)
{
	uid_t me = geteuid();

	if (sb->st_uid != 0 && sb->st_uid != me)
		return mvn_error_set(err, -EPERM,
				     _("%1$s '%2$s' belongs to user %3$u, "
				       "neither root nor you, so macvnet does "
				       "not use it (chown root %2$s, if you "
				       "trust what it holds)"),
				     what, path, (unsigned int)sb->st_uid);
	if (sb->st_mode & (S_IWGRP | S_IWOTH))
		return mvn_error_set(err, -EPERM,
				     _("%1$s '%2$s' is writable by other "
				       "users, so macvnet does not use it "
				       "(chmod go-w %2$s, if you trust what it "
				       "holds)"),
				     what, path);
	return 0;
}

/* One directory above the checked file: sticky ones may be shared. */
static int trust_parent(const char *dir, const char *path, const char *what,
			struct mvn_error *err)
{
	struct stat sb;
	uid_t me = geteuid();

	if (lstat(dir, &sb) < 0)
		return mvn_error_set(err, -errno,
				     _("cannot check directory '%1$s': %2$s"),
				     dir, strerror(errno));
	if (sb.st_uid != 0 && sb.st_uid != me)
		return mvn_error_set(err, -EPERM,
				     _("%1$s '%2$s' lies in '%3$s', which "
				       "belongs to user %4$u, neither root nor "
				       "you (move it under a directory root "
				       "owns)"),
				     what, path, dir, (unsigned int)sb.st_uid);
	if ((sb.st_mode & (S_IWGRP | S_IWOTH)) && !(sb.st_mode & S_ISVTX))
		return mvn_error_set(
			err, -EPERM,
			_("%1$s '%2$s' lies in '%3$s', which "
			  "other users can write (chmod go-w %3$s, "
			  "or move it elsewhere)"),
			what, path, dir);
	return 0;
}

int mvn_trust_path(const char *path, const char *what, struct mvn_error *err)
{
	struct stat sb;
	char *real, *slash;
	int ret;

	real = realpath(path, NULL);
	if (!real)
		return mvn_error_set(err, -errno,
				     _("cannot find %1$s '%2$s': "
				       "%3$s"),
				     what, path, strerror(errno));
	ret = lstat(real, &sb) < 0 ? -errno : 0;
	if (ret < 0)
		mvn_error_set(err, ret, _("cannot check %1$s '%2$s': %3$s"),
			      what, path, strerror(-ret));
	else
		ret = mvn_trust_stat(&sb, real, what, err);
	/* Each directory above it, up to /. */
	while (ret == 0 && (slash = strrchr(real, '/')) != NULL &&
	       slash != real) {
		*slash = '\0';
		ret = trust_parent(real, path, what, err);
	}
	if (ret == 0 && strcmp(real, "/"))
		ret = trust_parent("/", path, what, err);
	free(real);
	return ret;
}

int mvn_trust_read(const char *dir, const char *name, size_t max, char **out,
		   size_t *len, struct mvn_error *err)
{
	char path[PATH_MAX], proc[64];
	struct stat sb;
	int dfd, fd, ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return mvn_error_set(err, -ENAMETOOLONG, _("path too long: %s"),
				     dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? -ENOENT :
					 mvn_error_set(err, -errno,
						       _("cannot open '%1$s': "
							 "%2$s"),
						       dir, strerror(errno));
	fd = openat(dfd, name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	ret = fd < 0 ? -errno : 0;
	close(dfd);
	if (ret == -ENOENT)
		return ret;
	if (ret == -ELOOP)
		return mvn_error_set(err, ret,
				     _("'%s' is a symbolic link, which macvnet "
				       "does not follow (replace it with the "
				       "file itself)"),
				     path);
	if (ret < 0)
		return mvn_error_set(err, ret, _("cannot open '%1$s': %2$s"),
				     path, strerror(-ret));
	if (fstat(fd, &sb) < 0)
		ret = mvn_error_set(err, -errno, _("cannot open '%1$s': %2$s"),
				    path, strerror(errno));
	else if (!S_ISREG(sb.st_mode))
		ret = mvn_error_set(err, -EINVAL,
				    _("'%s' is not a regular file (move it "
				      "away)"),
				    path);
	else
		ret = mvn_trust_stat(&sb, path, _("file"), err);
	if (ret == 0)
		ret = mvn_trust_path(dir, _("directory"), err);
	if (ret == 0) {
		/* Read the very file checked, whatever the name is now. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		ret = mvn_file_read(proc, max, out, len);
		if (ret < 0)
			mvn_error_set(err, ret, _("cannot read '%1$s': %2$s"),
				      path, strerror(-ret));
	}
	close(fd);
	return ret;
}
