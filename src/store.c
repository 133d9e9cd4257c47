/*
 * Definitions on disk, and what the rest of the store is built on.
 *
 * The configuration directory holds networks/NAME.xml and the autostart links
 * networks/autostart/NAME.xml -> ../NAME.xml.  The run directory holds the
 * store's id (read or made here), the locks (store-lock.c) and the state of
 * the active networks (store-state.c); store.h gives its layout.  Every file
 * is replaced atomically (temporary file, fsync, rename, fsync of the
 * directory), so a crash leaves either the old or the new content.  The
 * directories are checked before they are used: a symbolic link, or a
 * directory that someone other than the caller or root could change, would
 * let that someone redirect what root writes.  This file also holds the
 * helpers the other two share (store-int.h): the checks, the one atomic
 * writer, the one careful reader and the one directory scan.
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
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "store-int.h"
#include "store.h"
#include "trust.h"
#include "util.h"

/*
 * A stored name becomes NAME.xml and, while it is being written,
 * .NAME.xml.XXXXXX; both must fit in one directory entry.  The run
 * directory's names for it (NAME.state, NAME.lock, NAME.ports and the
 * temporary .NAME.XXXXXX) are shorter.
 */
#define STORE_NAME_MAX \
	(NAME_MAX - (sizeof(".") - 1) - (sizeof(".xml.XXXXXX") - 1))

/*
 * Copy s for quoting in a message: control characters become '?' so that a
 * hostile name cannot break the line, and long names are cut with "...".
 */
const char *store_shown(const char *s, char buf[SHOWN_MAX])
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

/* Format a new string (the caller frees it); NULL when out of memory. */
char *store_printf(const char *fmt, ...)
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

/* Say that memory ran out while handling what. */
int store_oom(struct mvn_error *err, const char *what)
{
	return mvn_error_set(err, -ENOMEM,
			     _("out of memory while handling '%s' (free some "
			       "memory and try again)"),
			     what);
}

/* Whether a write failed because the disk, a quota or a limit is full. */
static bool no_space(int ret)
{
	return ret == -ENOSPC || ret == -EDQUOT || ret == -EFBIG;
}

/* Describe a failed write of path, a file in dir. */
int store_write_error(struct mvn_error *err, int ret, const char *path,
		      const char *dir)
{
	if (no_space(ret))
		return mvn_error_set(err, ret,
				     _("cannot write '%1$s': the disk holding "
				       "it is full (%2$s); free some space "
				       "there (df '%3$s' shows it) and try "
				       "again"),
				     path, strerror(-ret), dir);
	return mvn_error_set(err, ret,
			     _("cannot write '%1$s': %2$s (check the disk and "
			       "the kernel log)"),
			     path, strerror(-ret));
}

/* Describe a failed removal of path, an entry of dir. */
int store_remove_error(struct mvn_error *err, int ret, const char *path,
		       const char *dir)
{
	return mvn_error_set(err, ret,
			     _("cannot remove '%1$s': %2$s (check the "
			       "permissions of '%3$s', or remove it by hand)"),
			     path, strerror(-ret), dir);
}

/*
 * Create path and its missing parents, like mkdir -p; the last component, if
 * created here, gets the given mode whatever the umask.
 */
static int make_dirs(const char *path, mode_t mode)
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
		created = mkdir(copy, c == '\0' ? mode : 0755) == 0;
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
	if (fd < 0 || fchmod(fd, mode) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
cleanup:
	free(copy);
	return ret;
}

/*
 * Make sure path is a real directory that only the caller or root can
 * change.  A missing one is created (with mode, and its parents with 0755)
 * when create is set; otherwise it is -ENOENT without a message, which
 * callers take for "nothing there".
 */
int store_check_dir(const char *path, mode_t mode, bool create,
		    struct mvn_error *err)
{
	struct stat sb;
	uid_t me = geteuid();
	int ret = 0;

	if (lstat(path, &sb) < 0) {
		ret = -errno;
		if (ret == -ENOENT && !create)
			return ret;
		if (ret == -ENOENT)
			ret = make_dirs(path, mode);
		if (ret == 0 && lstat(path, &sb) < 0)
			ret = -errno;
	}
	if (no_space(ret))
		return mvn_error_set(err, ret,
				     _("cannot create directory '%1$s': the "
				       "disk holding it is full (%2$s); free "
				       "some space there and try again"),
				     path, strerror(-ret));
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

/* Refuse, with a message quoting it, a name mvn_store_name_valid() refuses. */
int store_check_name(const char *name, struct mvn_error *err)
{
	char buf[SHOWN_MAX];

	if (mvn_store_name_valid(name))
		return 0;
	return mvn_error_set(err, -EINVAL,
			     _("network name '%1$s' is not valid (use 1 to "
			       "%2$zu bytes with no '/', no control characters "
			       "and no leading '.')"),
			     store_shown(name, buf), (size_t)STORE_NAME_MAX);
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
int store_fsync_dir(const char *dir, struct mvn_error *err)
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

/* Stage data for dir/base in a new temporary file (see store.h). */
int mvn_file_stage(const char *dir, const char *base, const char *stem,
		   const char *data, size_t len, mode_t mode, char **tmp,
		   struct mvn_error *err)
{
	char *shown = store_printf("%s/%s", dir, base); /* for messages */
	size_t done = 0;
	ssize_t n;
	int fd, ret = 0;

	*tmp = store_printf("%s/.%s.XXXXXX", dir, stem);
	if (!*tmp || !shown) {
		free(*tmp);
		free(shown);
		*tmp = NULL;
		return store_oom(err, stem);
	}
	fd = make_temp(*tmp);
	if (fd < 0) {
		if (no_space(fd))
			store_write_error(err, fd, shown, dir);
		else
			mvn_error_set(err, fd,
				      _("cannot create a temporary file in "
					"'%1$s': %2$s (check that the "
					"directory is writable)"),
				      dir, strerror(-fd));
		free(*tmp);
		free(shown);
		*tmp = NULL;
		return fd;
	}
	if (fchmod(fd, mode) < 0)
		ret = mvn_error_set(err, -errno,
				    _("cannot set the mode of '%1$s': %2$s "
				      "(check the file system of '%3$s')"),
				    *tmp, strerror(errno), dir);
	while (ret == 0 && done < len) {
		n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = store_write_error(err, -errno, shown, dir);
		else
			done += (size_t)n;
	}
	if (ret == 0 && fsync(fd) < 0)
		ret = store_write_error(err, -errno, shown, dir);
	if (close(fd) < 0 && ret == 0)
		ret = store_write_error(err, -errno, shown, dir);
	if (ret < 0) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	free(shown);
	return ret;
}

/* Put a staged file in place of dir/base, then flush dir (see store.h). */
int mvn_file_commit(char *tmp, const char *dir, const char *base, bool replace,
		    struct mvn_error *err)
{
	char *path = store_printf("%s/%s", dir, base);
	int ret = 0;

	if (!path)
		ret = store_oom(err, base);
	else if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0)
		ret = -errno;
	if (ret == -EEXIST && !replace)
		; /* another process was first: no message */
	else if (ret < 0 && path && no_space(ret))
		store_write_error(err, ret, path, dir);
	else if (ret < 0 && path)
		mvn_error_set(err, ret,
			      _("cannot replace '%1$s': %2$s (move away "
				"whatever is in its place)"),
			      path, strerror(-ret));
	/* A link leaves the temporary name, and a failure the file. */
	if (ret < 0 || !replace)
		unlink(tmp);
	if (ret == 0)
		ret = store_fsync_dir(dir, err);
	free(path);
	return ret;
}

/*
 * Put data into dir/base through a temporary file .STEM.XXXXXX in dir: mode
 * set, written, fsynced, then renamed over base (replace) or linked to it
 * only if there is none (otherwise -EEXIST, without a message), then the
 * directory fsynced.  The temporary file is removed on any failure, so a
 * full disk leaves the old file as it was and nothing else behind.
 */
int store_write_atomic(const char *dir, const char *base, const char *stem,
		       const char *data, size_t len, mode_t mode, bool replace,
		       struct mvn_error *err)
{
	char *tmp = NULL;
	int ret = mvn_file_stage(dir, base, stem, data, len, mode, &tmp, err);

	if (ret == 0)
		ret = mvn_file_commit(tmp, dir, base, replace, err);
	free(tmp);
	return ret;
}

/*
 * Read path into *out (the caller frees it), refusing a symbolic link
 * (-ELOOP), anything but a regular file (-EINVAL), more than max bytes
 * (-EFBIG) and a file another user owns or can write (-EPERM, with the
 * message in err: such a file could steer what root does).  O_NONBLOCK
 * keeps a FIFO from blocking the open, and reading through /proc/self/fd
 * reads the very file checked here even if the name is swapped meanwhile.
 */
int store_read_nofollow(const char *path, size_t max, char **out, size_t *len,
			struct mvn_error *err)
{
	char proc[64];
	struct stat sb;
	int fd, ret;

	fd = open(path,
		  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) < 0)
		ret = -errno;
	else if (!S_ISREG(sb.st_mode))
		ret = -EINVAL;
	else if ((ret = mvn_trust_stat(&sb, path, _("file"), err)) < 0)
		ret = -EPERM;
	else {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		ret = mvn_file_read(proc, max, out, len);
	}
	close(fd);
	return ret;
}

/* Describe a failure to read a file of the run directory (not ENOENT). */
int store_read_error(struct mvn_error *err, int ret, const char *path)
{
	if (ret == -EPERM)
		return ret; /* store_read_nofollow() said why */
	if (ret == -ELOOP)
		return mvn_error_set(err, ret,
				     _("'%s' is a symbolic link, which macvnet "
				       "does not follow (move it away; macvnet "
				       "writes its own files there)"),
				     path);
	if (ret == -EINVAL)
		return mvn_error_set(err, ret,
				     _("'%s' is not a regular file (move it "
				       "away)"),
				     path);
	if (ret == -EFBIG)
		return mvn_error_set(err, ret,
				     _("'%1$s' is larger than %2$d bytes, so "
				       "macvnet did not write it (move it "
				       "away)"),
				     path, STORE_FILE_MAX);
	return mvn_error_set(err, ret,
			     _("cannot read '%1$s': %2$s (check the file and "
			       "that /proc is mounted)"),
			     path, strerror(-ret));
}

/*
 * Whether text is a store id: 16 lower-case hex digits, and the newline
 * that macvnet writes after them (an id restored without it is fine too).
 */
static bool id_valid(const char *text, size_t len)
{
	size_t i;

	if (len == STORE_ID_LEN + 1 && text[STORE_ID_LEN] == '\n')
		len--;
	if (len != STORE_ID_LEN)
		return false;
	for (i = 0; i < STORE_ID_LEN; i++) {
		if (!((text[i] >= '0' && text[i] <= '9') ||
		      (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	}
	return true;
}

/*
 * Read run_dir/id into st->id, making a new one when there is none.  The
 * new id is linked into place only if no other process made one first, so
 * that every handle on a store sees the same id.
 */
static int load_id(struct mvn_store *st, struct mvn_error *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[STORE_ID_LEN / 2];
	char fresh[STORE_ID_LEN + 2], buf[SHOWN_MAX];
	char *path, *text = NULL;
	size_t i, len = 0;
	int tries, ret = -ENOMEM;

	path = store_printf("%s/id", st->run_dir);
	if (!path)
		return store_oom(err, st->run_dir);
	for (tries = 0; tries < 2; tries++) {
		ret = store_read_nofollow(path, 64, &text, &len, err);
		if (ret != -ENOENT || tries > 0)
			break;
		if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
			ret = errno ? -errno : -EIO;
			mvn_error_set(err, ret,
				      _("cannot make an id for the store in "
					"'%1$s': %2$s (check that the kernel "
					"has random numbers to give)"),
				      st->run_dir, strerror(-ret));
			goto cleanup;
		}
		for (i = 0; i < sizeof(rnd); i++) {
			fresh[2 * i] = hex[rnd[i] >> 4];
			fresh[2 * i + 1] = hex[rnd[i] & 0xf];
		}
		fresh[STORE_ID_LEN] = '\n';
		fresh[STORE_ID_LEN + 1] = '\0';
		ret = store_write_atomic(st->run_dir, "id", "id", fresh,
					 STORE_ID_LEN + 1, 0600, false, err);
		if (ret == 0) {
			memcpy(st->id, fresh, STORE_ID_LEN);
			goto cleanup;
		}
		/* -EEXIST: another process made one first; use that. */
		if (ret != -EEXIST)
			goto cleanup;
	}
	if (ret == -EFBIG || (ret == 0 && !id_valid(text, len))) {
		/* Show what is there, but for the newline that ends it. */
		if (ret == 0 && len > 0 && text[len - 1] == '\n')
			text[len - 1] = '\0';
		ret = mvn_error_set(err, -EINVAL,
				    _("the store id in '%1$s' is damaged: "
				      "'%2$s' is not 16 lower-case hex digits "
				      "(restore it: ip -d link show prints it "
				      "in the alias \"macvnet ID...\" of every "
				      "link this store made)"),
				    path,
				    ret == 0 ? store_shown(text, buf) : "...");
		goto cleanup;
	}
	if (ret < 0) {
		store_read_error(err, ret, path);
		goto cleanup;
	}
	memcpy(st->id, text, STORE_ID_LEN);
cleanup:
	free(text);
	free(path);
	return ret;
}

/* Check (and make) the directories every command needs, in order. */
static int check_dirs(struct mvn_store *st, struct mvn_error *err)
{
	const char *dirs[] = { st->config_dir, st->net_dir, st->auto_dir,
			       st->run_dir };
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && ret == 0; i++)
		ret = store_check_dir(dirs[i], 0755, true, err);
	return ret;
}

/* Open the store, creating and checking its directories and its id. */
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
		return store_oom(err, config_dir);
	st->config_dir = dir_dup(config_dir);
	st->run_dir = dir_dup(run_dir);
	if (st->config_dir)
		st->net_dir = store_printf("%s/networks", st->config_dir);
	if (st->net_dir)
		st->auto_dir = store_printf("%s/autostart", st->net_dir);
	if (st->run_dir) {
		st->state_dir = store_printf("%s/networks", st->run_dir);
		st->damaged_dir = store_printf("%s/damaged", st->run_dir);
		st->journal_dir = store_printf("%s/journal", st->run_dir);
	}
	if (!st->auto_dir || !st->state_dir || !st->damaged_dir ||
	    !st->journal_dir) {
		store_oom(err, config_dir);
		goto cleanup;
	}
	ret = check_dirs(st, err);
	if (ret < 0)
		goto cleanup;
	ret = load_id(st, err);
	if (ret < 0)
		goto cleanup;
	*out = st;
	st = NULL;
cleanup:
	mvn_store_free(st);
	return ret;
}

/* Release every lock held and free the handle. */
void mvn_store_free(struct mvn_store *st)
{
	if (!st)
		return;
	mvn_store_unlock(st);
	free(st->locks);
	free(st->config_dir);
	free(st->run_dir);
	free(st->net_dir);
	free(st->auto_dir);
	free(st->state_dir);
	free(st->damaged_dir);
	free(st->journal_dir);
	free(st);
}

/* The id read or made when the store was opened. */
const char *mvn_store_id(const struct mvn_store *st)
{
	return st->id;
}

/* The configuration directory, without trailing slashes. */
unsigned int mvn_store_name_hint(struct mvn_store *st)
{
	struct mvn_error quiet = { 0 };
	char *path = store_printf("%s/next-name", st->run_dir), *text = NULL;
	unsigned long v = 0;
	size_t len = 0, i;

	if (path && store_read_nofollow(path, 16, &text, &len, &quiet) == 0 &&
	    len > 1 && len < 8 && text[len - 1] == '\n') {
		for (i = 0; i + 1 < len && text[i] >= '0' && text[i] <= '9';
		     i++)
			v = v * 10 + (unsigned long)(text[i] - '0');
		if (i + 1 != len)
			v = 0;
	}
	free(text);
	free(path);
	return (unsigned int)v;
}

void mvn_store_set_name_hint(struct mvn_store *st, unsigned int next)
{
	struct mvn_error quiet = { 0 };
	char text[16];
	int len = snprintf(text, sizeof(text), "%u\n", next);

	/* A hint: a full disk or a race with another writer loses nothing. */
	(void)store_write_atomic(st->run_dir, "next-name", "next-name", text,
				 (size_t)len, 0600, true, &quiet);
}

const char *mvn_store_config_dir(const struct mvn_store *st)
{
	return st->config_dir;
}

/* The run directory, without trailing slashes. */
const char *mvn_store_run_dir(const struct mvn_store *st)
{
	return st->run_dir;
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

/* Replace networks/NAME.xml atomically with xml, mode 0600 (as libvirt). */
int mvn_store_save_network(struct mvn_store *st, const char *name,
			   const char *xml, struct mvn_error *err)
{
	char *base;
	int ret;

	ret = store_check_name(name, err);
	if (ret < 0)
		return ret;
	if (!xml)
		return mvn_error_set(err, -EINVAL,
				     _("no definition given for network '%s' "
				       "(pass its XML text)"),
				     name);
	base = store_printf("%s.xml", name);
	if (!base)
		return store_oom(err, name);
	ret = store_write_atomic(st->net_dir, base, base, xml, strlen(xml),
				 0600, true, err);
	free(base);
	return ret;
}

/* Read networks/NAME.xml, refusing links, non-regular and huge files. */
int mvn_store_load_network(struct mvn_store *st, const char *name, char **xml,
			   struct mvn_error *err)
{
	char *path, *data = NULL;
	int ret;

	ret = store_check_name(name, err);
	if (ret < 0)
		return ret;
	path = store_printf("%s/%s.xml", st->net_dir, name);
	if (!path)
		return store_oom(err, name);
	ret = store_read_nofollow(path, STORE_FILE_MAX, &data, NULL, err);
	if (ret == -ENOENT)
		not_defined(name, err);
	else if (ret == -EPERM)
		; /* store_read_nofollow() said why */
	else if (ret == -ELOOP)
		mvn_error_set(err, ret,
			      _("definition '%s' is a symbolic link, which "
				"macvnet does not follow (replace it with the "
				"file itself)"),
			      path);
	else if (ret == -EINVAL)
		mvn_error_set(err, ret,
			      _("definition '%s' is not a regular file (move "
				"it away)"),
			      path);
	else if (ret == -EFBIG)
		mvn_error_set(err, ret,
			      _("definition '%1$s' is larger than %2$d bytes "
				"(this is not a network definition; move it "
				"away)"),
			      path, STORE_FILE_MAX);
	else if (ret < 0)
		mvn_error_set(err, ret,
			      _("cannot read '%1$s': %2$s (check the file and "
				"that /proc is mounted)"),
			      path, strerror(-ret));
	else
		*xml = data;
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

	ret = store_check_name(name, err);
	if (ret < 0)
		return ret;
	ret = -ENOMEM;
	path = store_printf("%s/%s.xml", st->net_dir, name);
	link = store_printf("%s/%s.xml", st->auto_dir, name);
	if (!path || !link) {
		store_oom(err, name);
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
		ret = store_fsync_dir(st->auto_dir, err);
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
		ret = store_remove_error(err, -errno, path, st->net_dir);
		goto cleanup;
	}
	ret = store_fsync_dir(st->net_dir, err);
cleanup:
	free(link);
	free(path);
	return ret;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Open directory path for reading, never through a symbolic link. */
static int open_dir(const char *path, DIR **out, struct mvn_error *err)
{
	DIR *d = NULL;
	int fd, ret;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		d = fdopendir(fd);
		if (!d)
			close(fd);
	}
	if (!d) {
		ret = -errno;
		return mvn_error_set(err, ret,
				     _("cannot read directory '%1$s': %2$s "
				       "(check that it is a directory you may "
				       "read)"),
				     path, strerror(-ret));
	}
	*out = d;
	return 0;
}

/*
 * macvnet's one directory scan: call fn for each entry of directory path
 * ("." and ".." skipped) with the open directory (for the *at() calls),
 * until fn fails.  A failure to open or read the directory is an error
 * naming it, never the end of the list.
 */
int store_each_entry(const char *path,
		     int (*fn)(DIR *d, const char *name, void *arg), void *arg,
		     struct mvn_error *err)
{
	struct dirent *de;
	DIR *d = NULL;
	int ret = open_dir(path, &d, err);

	while (ret == 0) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = mvn_error_set(
					err, -errno,
					_("cannot read directory '%1$s': %2$s "
					  "(check the file system)"),
					path, strerror(errno));
			break;
		}
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = fn(d, de->d_name, arg);
	}
	if (d)
		closedir(d);
	return ret;
}

/* What store_list_files() gathers, entry by entry. */
struct name_list {
	const char *dir, *suffix;
	bool (*valid)(const char *);
	char **v;
	size_t n, cap;
	struct mvn_error *err;
};

static int gather_name(DIR *d, const char *name, void *arg)
{
	struct name_list *l = arg;
	size_t len = strlen(name), slen = strlen(l->suffix);
	struct stat sb;
	char *base, **grown;

	if (len <= slen || strcmp(name + len - slen, l->suffix) ||
	    fstatat(dirfd(d), name, &sb, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	base = strndup(name, len - slen);
	if (!base)
		return store_oom(l->err, l->dir);
	if (!l->valid(base)) {
		free(base);
		return 0;
	}
	if (l->n + 1 >= l->cap) {
		grown = realloc(l->v, 2 * l->cap * sizeof(*l->v));
		if (!grown) {
			free(base);
			return store_oom(l->err, l->dir);
		}
		l->v = grown;
		l->cap *= 2;
	}
	l->v[l->n++] = base;
	l->v[l->n] = NULL;
	return 0;
}

/*
 * The regular files of dir whose names end in suffix, without it, that
 * valid accepts; sorted, NULL-terminated.  Any failure to open or read the
 * directory, a missing one included, is an error naming it.
 */
int store_list_files(const char *dir, const char *suffix,
		     bool (*valid)(const char *), char ***names,
		     struct mvn_error *err)
{
	struct name_list l = { .dir = dir,
			       .suffix = suffix,
			       .valid = valid,
			       .cap = 8,
			       .err = err };
	int ret;

	l.v = calloc(l.cap, sizeof(*l.v));
	if (!l.v)
		return store_oom(err, dir);
	ret = store_each_entry(dir, gather_name, &l, err);
	if (ret < 0) {
		mvn_store_names_free(l.v);
		return ret;
	}
	qsort(l.v, l.n, sizeof(*l.v), compare_names);
	*names = l.v;
	return 0;
}

/* Collect the valid names of the regular NAME.xml files, sorted. */
int mvn_store_list_networks(struct mvn_store *st, char ***names,
			    struct mvn_error *err)
{
	return store_list_files(st->net_dir, ".xml", mvn_store_name_valid,
				names, err);
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

	ret = store_check_name(name, err);
	if (ret < 0)
		return ret;
	ret = -ENOMEM;
	path = store_printf("%s/%s.xml", st->net_dir, name);
	link = store_printf("%s/%s.xml", st->auto_dir, name);
	target = store_printf("../%s.xml", name);
	if (!path || !link || !target) {
		store_oom(err, name);
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
	ret = store_fsync_dir(st->auto_dir, err);
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
	path = store_printf("%s/%s.xml", st->net_dir, name);
	link = store_printf("%s/%s.xml", st->auto_dir, name);
	target = store_printf("../%s.xml", name);
	if (path && link && target)
		on = link_is(link, target) && lstat(path, &sb) == 0 &&
		     S_ISREG(sb.st_mode);
	free(target);
	free(link);
	free(path);
	return on;
}
