/*
 * Definitions and runtime state on disk.
 *
 * The configuration directory holds networks/NAME.xml and the autostart links
 * networks/autostart/NAME.xml -> ../NAME.xml; the run directory holds the
 * lock and the state files.  Every file is replaced atomically (temporary
 * file, fsync, rename, fsync of the directory), so a crash leaves either the
 * old or the new content.  The directories are checked when the store is
 * opened: a symbolic link, or a directory that someone other than the caller
 * or root could change, would let that someone redirect what root writes.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store.h"
#include "util.h"

/* A definition larger than this is not one of ours; refuse to read it. */
#define STORE_FILE_MAX (1024 * 1024)

/*
 * A stored name becomes NAME.xml and, while it is being written,
 * .NAME.xml.XXXXXX; both must fit in one directory entry.
 */
#define STORE_NAME_MAX \
	(NAME_MAX - (sizeof(".") - 1) - (sizeof(".xml.XXXXXX") - 1))

/* The same for a run file FILE written through .FILE.XXXXXX. */
#define STORE_RUNFILE_MAX \
	(NAME_MAX - (sizeof(".") - 1) - (sizeof(".XXXXXX") - 1))

/* Room for a name quoted in a message. */
#define SHOWN_MAX 64

struct mvn_store {
	char *config_dir;
	char *run_dir;
	char *net_dir;
	char *auto_dir;
	int lock_fd;
};

/*
 * Copy s for quoting in a message: control characters become '?' so that a
 * hostile name cannot break the line, and long names are cut with "...".
 */
static const char *shown(const char *s, char buf[SHOWN_MAX])
{
	size_t i;

	if (!s)
		s = "";
	for (i = 0; s[i] && i < SHOWN_MAX - 1; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			buf[i] = '?';
		else
			buf[i] = s[i];
	}
	buf[i] = '\0';
	if (s[i])
		memcpy(buf + SHOWN_MAX - 4, "...", 4);
	return buf;
}

static char *path_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Format a new string (the caller frees it); NULL when out of memory. */
static char *path_printf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* Copy a directory name without its trailing slashes ("/" stays "/"). */
static char *dir_dup(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strndup(dir, n);
}

static int oom(struct mvn_error *err, const char *what)
{
	return mvn_error_set(err, -ENOMEM,
			     _("out of memory while handling '%s' (free some "
			       "memory and try again)"),
			     what);
}

/*
 * Create path and its missing parents, like mkdir -p; the last component, if
 * created here, gets mode 0755 whatever the umask.
 */
static int make_dirs(const char *path)
{
	bool created = false;
	char *copy, *p;
	char c;
	int fd, ret = -ENOMEM;

	copy = strdup(path);
	if (!copy)
		goto cleanup;
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		created = mkdir(copy, 0755) == 0;
		if (!created && errno != EEXIST) {
			ret = -errno;
			goto cleanup;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	ret = 0;
	if (!created)
		goto cleanup;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fchmod(fd, 0755) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
cleanup:
	free(copy);
	return ret;
}

/*
 * Make sure path is a real directory that only the caller or root can
 * change, creating it (mode 0755) with its parents when it is missing.
 */
static int check_dir(const char *path, struct mvn_error *err)
{
	struct stat sb;
	uid_t me = geteuid();
	int ret = 0;

	if (lstat(path, &sb) < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			ret = make_dirs(path);
		if (ret == 0 && lstat(path, &sb) < 0)
			ret = -errno;
	}
	if (ret < 0)
		return mvn_error_set(err, ret,
				     _("cannot access or create directory "
				       "'%1$s': %2$s (check the path and the "
				       "permissions of its parent)"),
				     path, strerror(-ret));
	if (S_ISLNK(sb.st_mode))
		return mvn_error_set(err, -ELOOP,
				     _("directory '%s' is a symbolic link, "
				       "which macvnet does not follow (name "
				       "the real directory instead)"),
				     path);
	if (!S_ISDIR(sb.st_mode))
		return mvn_error_set(err, -ENOTDIR,
				     _("'%s' is not a directory (move it "
				       "away or name another directory)"),
				     path);
	if (sb.st_uid != me && sb.st_uid != 0)
		return mvn_error_set(err, -EPERM,
				     _("directory '%1$s' belongs to user "
				       "%2$u, neither you nor root (give it "
				       "to yourself: chown %3$u %1$s)"),
				     path, (unsigned int)sb.st_uid,
				     (unsigned int)me);
	if (sb.st_mode & (S_IWGRP | S_IWOTH))
		return mvn_error_set(err, -EPERM,
				     _("directory '%1$s' is writable by other "
				       "users (take their write permission "
				       "away: chmod go-w %1$s)"),
				     path);
	return 0;
}

static int check_name(const char *name, struct mvn_error *err)
{
	char buf[SHOWN_MAX];

	if (mvn_store_name_valid(name))
		return 0;
	return mvn_error_set(err, -EINVAL,
			     _("network name '%1$s' is not valid (use 1 to "
			       "%2$zu bytes with no '/', no control characters "
			       "and no leading '.')"),
			     shown(name, buf), (size_t)STORE_NAME_MAX);
}

static int not_defined(const char *name, struct mvn_error *err)
{
	return mvn_error_set(err, -ENOENT,
			     _("network '%s' is not defined (list the defined "
			       "ones with: macvnet net-list --all)"),
			     name);
}

/*
 * Flush a directory so that a rename or unlink in it survives a crash; a
 * file system that cannot sync directories (EINVAL) is not an error.
 */
static int fsync_dir(const char *dir, struct mvn_error *err)
{
	int fd, ret;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return mvn_error_set(err, ret,
				     _("cannot open directory '%1$s': %2$s "
				       "(check that it is still there)"),
				     dir, strerror(-ret));
	}
	ret = 0;
	if (fsync(fd) < 0 && errno != EINVAL) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot flush directory '%1$s' to disk: %2$s "
				"(check the disk and the kernel log)"),
			      dir, strerror(-ret));
	}
	close(fd);
	return ret;
}

/*
 * Create the file tmpl, replacing its trailing XXXXXX with random letters
 * until the name is new, like mkostemp(); O_EXCL and O_NOFOLLOW make sure
 * that nothing already there, a symbolic link least of all, is opened.
 */
static int make_temp(char *tmpl)
{
	static const char chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[6];
	char *x = tmpl + strlen(tmpl) - sizeof(rnd);
	int tries, fd;
	size_t i;

	for (tries = 0; tries < 100; tries++) {
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
			return errno ? -errno : -EIO;
		for (i = 0; i < sizeof(rnd); i++)
			x[i] = chars[rnd[i] % (sizeof(chars) - 1)];
		fd = open(tmpl,
			  O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC |
				  O_NOCTTY,
			  0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/*
 * Replace dir/base with data: a temporary file .base.XXXXXX in dir, mode set,
 * written, fsynced, renamed over base, then the directory fsynced.  The
 * temporary file is removed on any failure.
 */
static int write_atomic(const char *dir, const char *base, const char *data,
			size_t len, mode_t mode, struct mvn_error *err)
{
	char *path = NULL, *tmp = NULL;
	bool made = false;
	size_t done = 0;
	ssize_t n;
	int fd = -1, ret = -ENOMEM;

	path = path_printf("%s/%s", dir, base);
	tmp = path_printf("%s/.%s.XXXXXX", dir, base);
	if (!path || !tmp) {
		oom(err, base);
		goto cleanup;
	}
	fd = make_temp(tmp);
	if (fd < 0) {
		ret = fd;
		mvn_error_set(err, ret,
			      _("cannot create a temporary file in '%1$s': "
				"%2$s (check that the directory is writable "
				"and the disk is not full)"),
			      dir, strerror(-ret));
		goto cleanup;
	}
	made = true;
	if (fchmod(fd, mode) < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot set the mode of '%1$s': %2$s (check "
				"the file system of '%3$s')"),
			      tmp, strerror(-ret), dir);
		goto cleanup;
	}
	while (done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			mvn_error_set(err, ret,
				      _("cannot write '%1$s': %2$s (check "
					"that the disk is not full)"),
				      path, strerror(-ret));
			goto cleanup;
		}
		done += (size_t)n;
	}
	if (fsync(fd) < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot flush '%1$s' to disk: %2$s (check the "
				"disk and the kernel log)"),
			      path, strerror(-ret));
		goto cleanup;
	}
	n = close(fd);
	fd = -1;
	if (n < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot write '%1$s': %2$s (check that the "
				"disk is not full)"),
			      path, strerror(-ret));
		goto cleanup;
	}
	if (rename(tmp, path) < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot replace '%1$s': %2$s (move away "
				"whatever is in its place)"),
			      path, strerror(-ret));
		goto cleanup;
	}
	made = false;
	ret = fsync_dir(dir, err);
cleanup:
	if (fd >= 0)
		close(fd);
	if (made)
		unlink(tmp);
	free(tmp);
	free(path);
	return ret;
}

/* Open the store, creating and checking its four directories. */
int mvn_store_open(const char *config_dir, const char *run_dir,
		   struct mvn_store **out, struct mvn_error *err)
{
	struct mvn_store *st;
	int ret = -ENOMEM;

	if (!config_dir || !*config_dir || !run_dir || !*run_dir)
		return mvn_error_set(err, -EINVAL,
				     _("the configuration or the run directory "
				       "is not named (set --config-dir and "
				       "--run-dir)"));
	st = calloc(1, sizeof(*st));
	if (!st)
		return oom(err, config_dir);
	st->lock_fd = -1;
	st->config_dir = dir_dup(config_dir);
	st->run_dir = dir_dup(run_dir);
	if (st->config_dir)
		st->net_dir = path_printf("%s/networks", st->config_dir);
	if (st->net_dir)
		st->auto_dir = path_printf("%s/autostart", st->net_dir);
	if (!st->run_dir || !st->auto_dir) {
		oom(err, config_dir);
		goto cleanup;
	}
	ret = check_dir(st->config_dir, err);
	if (ret < 0)
		goto cleanup;
	ret = check_dir(st->net_dir, err);
	if (ret < 0)
		goto cleanup;
	ret = check_dir(st->auto_dir, err);
	if (ret < 0)
		goto cleanup;
	ret = check_dir(st->run_dir, err);
	if (ret < 0)
		goto cleanup;
	*out = st;
	st = NULL;
cleanup:
	mvn_store_free(st);
	return ret;
}

/* Release the lock if held and free the handle. */
void mvn_store_free(struct mvn_store *st)
{
	if (!st)
		return;
	mvn_store_unlock(st);
	free(st->config_dir);
	free(st->run_dir);
	free(st->net_dir);
	free(st->auto_dir);
	free(st);
}

/* Take the exclusive lock on run_dir/lock, waiting for its holder. */
int mvn_store_lock(struct mvn_store *st, struct mvn_error *err)
{
	struct stat sb;
	char *path;
	int fd = -1, ret = -ENOMEM;

	if (st->lock_fd >= 0)
		return 0;
	path = path_printf("%s/lock", st->run_dir);
	if (!path) {
		oom(err, st->run_dir);
		goto cleanup;
	}
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot open the lock file '%1$s': %2$s (check "
				"that it is a regular file in a writable run "
				"directory, or pick another with --run-dir)"),
			      path, strerror(-ret));
		goto cleanup;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		mvn_error_set(err, ret,
			      _("lock file '%s' is not a regular file (remove "
				"it; macvnet creates it again)"),
			      path);
		goto cleanup;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno == EINTR)
			continue;
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot lock '%1$s': %2$s (put the run "
				"directory on a local file system)"),
			      path, strerror(-ret));
		goto cleanup;
	}
	st->lock_fd = fd;
	fd = -1;
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* Release the lock; the lock file stays for the next taker. */
void mvn_store_unlock(struct mvn_store *st)
{
	if (!st || st->lock_fd < 0)
		return;
	flock(st->lock_fd, LOCK_UN);
	close(st->lock_fd);
	st->lock_fd = -1;
}

/* Whether name is safe as a file name and short enough for NAME.xml. */
bool mvn_store_name_valid(const char *name)
{
	size_t n;

	if (!name || name[0] == '\0' || name[0] == '.')
		return false;
	for (n = 0; name[n]; n++) {
		if (n >= STORE_NAME_MAX || name[n] == '/' ||
		    (unsigned char)name[n] < 0x20 || name[n] == 0x7f)
			return false;
	}
	return true;
}

/* Replace networks/NAME.xml atomically with xml, mode 0644. */
int mvn_store_save_network(struct mvn_store *st, const char *name,
			   const char *xml, struct mvn_error *err)
{
	char *base;
	int ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	if (!xml)
		return mvn_error_set(err, -EINVAL,
				     _("no definition given for network '%s' "
				       "(pass its XML text)"),
				     name);
	base = path_printf("%s.xml", name);
	if (!base)
		return oom(err, name);
	ret = write_atomic(st->net_dir, base, xml, strlen(xml), 0644, err);
	free(base);
	return ret;
}

/* Read networks/NAME.xml, refusing links, non-regular and huge files. */
int mvn_store_load_network(struct mvn_store *st, const char *name, char **xml,
			   struct mvn_error *err)
{
	char proc[64];
	struct stat sb;
	char *path, *data = NULL;
	int fd = -1, ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	ret = -ENOMEM;
	path = path_printf("%s/%s.xml", st->net_dir, name);
	if (!path) {
		oom(err, name);
		goto cleanup;
	}
	fd = open(path,
		  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			not_defined(name, err);
		else if (ret == -ELOOP)
			mvn_error_set(err, ret,
				      _("definition '%s' is a symbolic link, "
					"which macvnet does not follow "
					"(replace it with the file itself)"),
				      path);
		else
			mvn_error_set(err, ret,
				      _("cannot open '%1$s': %2$s (check its "
					"permissions)"),
				      path, strerror(-ret));
		goto cleanup;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ret = -EINVAL;
		mvn_error_set(err, ret,
			      _("definition '%s' is not a regular file (move "
				"it away)"),
			      path);
		goto cleanup;
	}
	/*
	 * Read through the descriptor opened with O_NOFOLLOW, so that what is
	 * read is the file checked above even if the name is swapped now.
	 */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ret = mvn_file_read(proc, STORE_FILE_MAX, &data, NULL);
	if (ret == -EFBIG) {
		mvn_error_set(err, ret,
			      _("definition '%1$s' is larger than %2$d bytes "
				"(this is not a network definition; move it "
				"away)"),
			      path, STORE_FILE_MAX);
		goto cleanup;
	}
	if (ret < 0) {
		mvn_error_set(err, ret,
			      _("cannot read '%1$s': %2$s (check the file and "
				"that /proc is mounted)"),
			      path, strerror(-ret));
		goto cleanup;
	}
	*xml = data;
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* Remove the autostart link, then the definition, syncing each step. */
int mvn_store_delete_network(struct mvn_store *st, const char *name,
			     struct mvn_error *err)
{
	struct stat sb;
	char *path, *link = NULL;
	int ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	ret = -ENOMEM;
	path = path_printf("%s/%s.xml", st->net_dir, name);
	link = path_printf("%s/%s.xml", st->auto_dir, name);
	if (!path || !link) {
		oom(err, name);
		goto cleanup;
	}
	if (lstat(path, &sb) < 0) {
		ret = -errno;
		if (ret == -ENOENT)
			not_defined(name, err);
		else
			mvn_error_set(err, ret,
				      _("cannot look at '%1$s': %2$s (check "
					"its permissions)"),
				      path, strerror(-ret));
		goto cleanup;
	}
	/* The link goes first: a crash in between leaves autostart off. */
	if (unlink(link) == 0) {
		ret = fsync_dir(st->auto_dir, err);
		if (ret < 0)
			goto cleanup;
	} else if (errno != ENOENT) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot remove autostart link '%1$s': %2$s "
				"(remove it by hand)"),
			      link, strerror(-ret));
		goto cleanup;
	}
	if (unlink(path) < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot remove '%1$s': %2$s (check the "
				"permissions of '%3$s')"),
			      path, strerror(-ret), st->net_dir);
		goto cleanup;
	}
	ret = fsync_dir(st->net_dir, err);
cleanup:
	free(link);
	free(path);
	return ret;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect the valid names of the regular NAME.xml files, sorted. */
int mvn_store_list_networks(struct mvn_store *st, char ***names,
			    struct mvn_error *err)
{
	struct dirent *de;
	struct stat sb;
	char **v, **grown, *base;
	size_t n = 0, cap = 8, len;
	DIR *d = NULL;
	int fd, ret = -ENOMEM;

	v = calloc(cap, sizeof(*v));
	if (!v) {
		oom(err, st->net_dir);
		goto cleanup;
	}
	fd = open(st->net_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		d = fdopendir(fd);
		if (!d)
			close(fd);
	}
	if (!d) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot read directory '%1$s': %2$s (check "
				"that it is a directory you may read)"),
			      st->net_dir, strerror(-ret));
		goto cleanup;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de && errno) {
			ret = -errno;
			mvn_error_set(err, ret,
				      _("cannot read directory '%1$s': %2$s "
					"(check the file system)"),
				      st->net_dir, strerror(-ret));
			goto cleanup;
		}
		if (!de)
			break;
		len = strlen(de->d_name);
		if (len <= 4 || strcmp(de->d_name + len - 4, ".xml") != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		base = strndup(de->d_name, len - 4);
		if (!base) {
			oom(err, st->net_dir);
			goto cleanup;
		}
		if (!mvn_store_name_valid(base)) {
			free(base);
			continue;
		}
		if (n + 1 == cap) {
			grown = realloc(v, 2 * cap * sizeof(*v));
			if (!grown) {
				free(base);
				oom(err, st->net_dir);
				goto cleanup;
			}
			v = grown;
			cap *= 2;
		}
		v[n++] = base;
		v[n] = NULL;
	}
	qsort(v, n, sizeof(*v), compare_names);
	*names = v;
	v = NULL;
	ret = 0;
cleanup:
	if (d)
		closedir(d);
	mvn_store_names_free(v);
	return ret;
}

/* Free each name and the array. */
void mvn_store_names_free(char **names)
{
	size_t i;

	if (!names)
		return;
	for (i = 0; names[i]; i++)
		free(names[i]);
	free(names);
}

/* Whether link is a symbolic link whose text is exactly target. */
static bool link_is(const char *link, const char *target)
{
	char buf[NAME_MAX + 8];
	ssize_t n;

	n = readlink(link, buf, sizeof(buf));
	if (n < 0 || (size_t)n >= sizeof(buf))
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/* Create or remove the link autostart/NAME.xml -> ../NAME.xml. */
int mvn_store_set_autostart(struct mvn_store *st, const char *name, bool on,
			    struct mvn_error *err)
{
	struct stat sb;
	char *path, *link = NULL, *target = NULL;
	int ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	ret = -ENOMEM;
	path = path_printf("%s/%s.xml", st->net_dir, name);
	link = path_printf("%s/%s.xml", st->auto_dir, name);
	target = path_printf("../%s.xml", name);
	if (!path || !link || !target) {
		oom(err, name);
		goto cleanup;
	}
	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ret = not_defined(name, err);
		goto cleanup;
	}
	if (on && link_is(link, target)) {
		ret = 0;
		goto cleanup;
	}
	if (unlink(link) < 0 && errno != ENOENT) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot remove '%1$s': %2$s (remove it by "
				"hand)"),
			      link, strerror(-ret));
		goto cleanup;
	}
	if (on && symlink(target, link) < 0) {
		ret = -errno;
		mvn_error_set(err, ret,
			      _("cannot create autostart link '%1$s': %2$s "
				"(check the permissions of '%3$s')"),
			      link, strerror(-ret), st->auto_dir);
		goto cleanup;
	}
	ret = fsync_dir(st->auto_dir, err);
cleanup:
	free(target);
	free(link);
	free(path);
	return ret;
}

/* Whether the autostart link exists and points at a defined network. */
bool mvn_store_get_autostart(struct mvn_store *st, const char *name)
{
	struct stat sb;
	char *path = NULL, *link = NULL, *target = NULL;
	bool on = false;

	if (!mvn_store_name_valid(name))
		return false;
	path = path_printf("%s/%s.xml", st->net_dir, name);
	link = path_printf("%s/%s.xml", st->auto_dir, name);
	target = path_printf("../%s.xml", name);
	if (path && link && target)
		on = link_is(link, target) && lstat(path, &sb) == 0 &&
		     S_ISREG(sb.st_mode);
	free(target);
	free(link);
	free(path);
	return on;
}

/*
 * Whether relpath names a file in the run directory or in one subdirectory
 * of it: one or two components, none empty or starting with '.', each short
 * enough for its temporary file, and not the lock (replacing the lock's
 * inode would break the locking of every other process).
 */
static bool runfile_valid(const char *relpath)
{
	const char *p, *slash;
	int parts = 0;
	size_t n;

	if (!relpath || strcmp(relpath, "lock") == 0)
		return false;
	for (p = relpath;; p = slash + 1) {
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || p[0] == '.' || n > STORE_RUNFILE_MAX ||
		    ++parts > 2)
			return false;
		if (!slash)
			return true;
	}
}

/* Replace a file of the run directory atomically with the given mode. */
int mvn_store_write_runfile(struct mvn_store *st, const char *relpath,
			    const char *data, size_t len, unsigned int mode,
			    struct mvn_error *err)
{
	char buf[SHOWN_MAX];
	const char *slash;
	char *dir;
	int ret;

	if (!runfile_valid(relpath))
		return mvn_error_set(err, -EINVAL,
				     _("run file name '%1$s' is not valid (use "
				       "FILE or DIR/FILE inside '%2$s', with "
				       "no component empty or starting with "
				       "'.', and not 'lock')"),
				     shown(relpath, buf), st->run_dir);
	if (mode & ~0777u)
		return mvn_error_set(err, -EINVAL,
				     _("mode %1$#o for run file '%2$s' is not "
				       "valid (use permission bits only, such "
				       "as 0644)"),
				     mode, relpath);
	if (!data && len)
		return mvn_error_set(err, -EINVAL,
				     _("no data given for run file '%s' (pass "
				       "the text to write)"),
				     relpath);
	slash = strchr(relpath, '/');
	if (slash)
		dir = path_printf("%s/%.*s", st->run_dir,
				  (int)(slash - relpath), relpath);
	else
		dir = strdup(st->run_dir);
	if (!dir)
		return oom(err, relpath);
	ret = 0;
	if (slash)
		ret = check_dir(dir, err);
	if (ret == 0)
		ret = write_atomic(dir, slash ? slash + 1 : relpath, data, len,
				   mode, err);
	free(dir);
	return ret;
}

/* The configuration directory, without trailing slashes. */
const char *mvn_store_config_dir(const struct mvn_store *st)
{
	return st->config_dir;
}

/* The run directory, without trailing slashes. */
const char *mvn_store_run_dir(const struct mvn_store *st)
{
	return st->run_dir;
}

/* Read a run file (relative to the run directory) without following links. */
int mvn_store_read_runfile(struct mvn_store *st, const char *relpath,
			   char **data, struct mvn_error *err)
{
	char proc[64], *path;
	struct stat sb;
	int fd, ret;

	if (!runfile_valid(relpath))
		return mvn_error_set(err, -EINVAL,
				     _("run file name '%s' is not valid"),
				     relpath);
	path = path_printf("%s/%s", st->run_dir, relpath);
	if (!path)
		return oom(err, relpath);
	fd = open(path,
		  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		mvn_error_set(err, ret, _("cannot open '%1$s': %2$s"), path,
			      strerror(-ret));
		free(path);
		return ret;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ret = mvn_error_set(err, -EINVAL,
				    _("'%s' is not a regular file (move it "
				      "away)"),
				    path);
		goto cleanup;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ret = mvn_file_read(proc, STORE_FILE_MAX, data, NULL);
	if (ret < 0)
		mvn_error_set(err, ret, _("cannot read '%1$s': %2$s"), path,
			      strerror(-ret));
cleanup:
	close(fd);
	free(path);
	return ret;
}

/* Remove a run file; one that does not exist is not an error. */
int mvn_store_delete_runfile(struct mvn_store *st, const char *relpath,
			     struct mvn_error *err)
{
	char *path, *dir;
	int ret = 0;

	if (!runfile_valid(relpath))
		return mvn_error_set(err, -EINVAL,
				     _("run file name '%s' is not valid"),
				     relpath);
	path = path_printf("%s/%s", st->run_dir, relpath);
	if (!path)
		return oom(err, relpath);
	if (unlink(path) < 0 && errno != ENOENT) {
		ret = -errno;
		mvn_error_set(err, ret, _("cannot remove '%1$s': %2$s"), path,
			      strerror(-ret));
	} else {
		dir = strdup(path);
		if (dir) {
			*strrchr(dir, '/') = '\0';
			ret = fsync_dir(dir, err);
			free(dir);
		}
	}
	free(path);
	return ret;
}

/*
 * The regular files of run_dir/subdir whose names end in suffix, without
 * the suffix, sorted; a missing directory gives an empty list.
 */
int mvn_store_list_runfiles(struct mvn_store *st, const char *subdir,
			    const char *suffix, char ***names,
			    struct mvn_error *err)
{
	struct dirent *de;
	struct stat sb;
	char **v = NULL, **grown, *path;
	size_t n = 0, len, slen = strlen(suffix);
	DIR *d;
	int fd;

	path = path_printf("%s/%s", st->run_dir, subdir);
	if (!path)
		return oom(err, subdir);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d && fd >= 0)
		close(fd);
	free(path);
	v = calloc(1, sizeof(*v));
	if (!v) {
		if (d)
			closedir(d);
		return oom(err, subdir);
	}
	while (d && (de = readdir(d))) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= slen ||
		    strcmp(de->d_name + len - slen, suffix) ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) <
			    0 ||
		    !S_ISREG(sb.st_mode))
			continue;
		grown = realloc(v, (n + 2) * sizeof(*v));
		if (!grown)
			goto nomem;
		v = grown;
		v[n] = strndup(de->d_name, len - slen);
		if (!v[n])
			goto nomem;
		v[++n] = NULL;
	}
	if (d)
		closedir(d);
	qsort(v, n, sizeof(*v), compare_names);
	*names = v;
	return 0;
nomem:
	if (d)
		closedir(d);
	mvn_store_names_free(v);
	return oom(err, subdir);
}
