/*
 * Definitions and runtime state on disk, and the locks that guard them.
 *
 * The configuration directory holds networks/NAME.xml and the autostart links
 * networks/autostart/NAME.xml -> ../NAME.xml.  The run directory holds the
 * store's id, the locks, and the state of the active networks (see store.h
 * for its layout).  Every file is replaced atomically (temporary file, fsync,
 * rename, fsync of the directory), so a crash leaves either the old or the
 * new content; removals need no free space, so a full disk never stops a
 * teardown.  The directories are checked before they are used: a symbolic
 * link, or a directory that someone other than the caller or root could
 * change, would let that someone redirect what root writes.
 *
 * The locks are POSIX record locks, so that the process holding one can be
 * named to whoever waits for it.  Such locks belong to the process and go
 * away when the process closes any descriptor of the file, so each lock
 * file is opened once per handle and kept open while its lock is held.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fault.h"
#include "store.h"
#include "trust.h"
#include "util.h"

/* A definition or state file larger than this is not one of ours. */
#define STORE_FILE_MAX (1024 * 1024)

/*
 * A stored name becomes NAME.xml and, while it is being written,
 * .NAME.xml.XXXXXX; both must fit in one directory entry.  The run
 * directory's names for it (NAME.state, NAME.lock, NAME.ports and the
 * temporary .NAME.XXXXXX) are shorter.
 */
#define STORE_NAME_MAX \
	(NAME_MAX - (sizeof(".") - 1) - (sizeof(".xml.XXXXXX") - 1))

/* The store's id: this many lower-case hex digits, then a newline. */
#define STORE_ID_LEN 16

/* How often the timer of a bounded lock wait fires again, in microseconds. */
#define LOCK_TIMER_REPEAT 5000

/* Room for a name quoted in a message. */
#define SHOWN_MAX 64

enum lock_kind {
	LOCK_STORE,
	LOCK_GROUPS,
	LOCK_NETWORK,
};

/* A lock this handle holds, on a lock file it keeps open. */
struct held_lock {
	enum lock_kind kind;
	char *network; /* LOCK_NETWORK only */
	int fd;
	short type; /* F_RDLCK or F_WRLCK */
};

struct mvn_store {
	char *config_dir;
	char *run_dir;
	char *net_dir;
	char *auto_dir;
	char *state_dir; /* run_dir/networks */
	char *damaged_dir; /* run_dir/damaged */
	char *journal_dir; /* run_dir/journal */
	char id[STORE_ID_LEN + 1];
	struct held_lock *locks;
	size_t n_locks;
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

/* Whether a write failed because the disk, a quota or a limit is full. */
static bool no_space(int ret)
{
	return ret == -ENOSPC || ret == -EDQUOT || ret == -EFBIG;
}

/* Describe a failed write of path, a file in dir. */
static int write_error(struct mvn_error *err, int ret, const char *path,
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
static int remove_error(struct mvn_error *err, int ret, const char *path,
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
static int check_dir(const char *path, mode_t mode, bool create,
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

static int check_ifname(const char *ifname, struct mvn_error *err)
{
	char buf[SHOWN_MAX];

	if (mvn_ifname_valid(ifname))
		return 0;
	return mvn_error_set(err, -EINVAL,
			     _("interface name '%s' is not valid (use 1 to 15 "
			       "bytes with no '/', ':', white space or control "
			       "characters, and not '.' or '..')"),
			     shown(ifname, buf));
}

static int not_defined(const char *name, struct mvn_error *err)
{
	return mvn_error_set(err, -ENOENT,
			     _("network '%s' is not defined (list the defined "
			       "ones with: macvnet net-list --all)"),
			     name);
}

/*
 * Count one state step for the fault injection of the robustness tests
 * (fault.h); without it this is always 0.
 */
static int fault_state(void)
{
	int ret = mvn_fault_at(MVN_FAULT_STATE);

	return ret < 0 ? ret : 0;
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

int mvn_file_stage(const char *dir, const char *base, const char *stem,
		   const char *data, size_t len, mode_t mode, char **tmp,
		   struct mvn_error *err)
{
	char *shown = path_printf("%s/%s", dir, base); /* for messages */
	size_t done = 0;
	ssize_t n;
	int fd, ret = 0;

	*tmp = path_printf("%s/.%s.XXXXXX", dir, stem);
	if (!*tmp || !shown) {
		free(*tmp);
		free(shown);
		*tmp = NULL;
		return oom(err, stem);
	}
	fd = make_temp(*tmp);
	if (fd < 0) {
		if (no_space(fd))
			write_error(err, fd, shown, dir);
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
			ret = write_error(err, -errno, shown, dir);
		else
			done += (size_t)n;
	}
	if (ret == 0 && fsync(fd) < 0)
		ret = write_error(err, -errno, shown, dir);
	if (close(fd) < 0 && ret == 0)
		ret = write_error(err, -errno, shown, dir);
	if (ret < 0) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	free(shown);
	return ret;
}

int mvn_file_commit(char *tmp, const char *dir, const char *base, bool replace,
		    struct mvn_error *err)
{
	char *path = path_printf("%s/%s", dir, base);
	int ret = 0;

	if (!path)
		ret = oom(err, base);
	else if (replace ? rename(tmp, path) < 0 : link(tmp, path) < 0)
		ret = -errno;
	if (ret == -EEXIST && !replace)
		; /* another process was first: no message */
	else if (ret < 0 && path && no_space(ret))
		write_error(err, ret, path, dir);
	else if (ret < 0 && path)
		mvn_error_set(err, ret,
			      _("cannot replace '%1$s': %2$s (move away "
				"whatever is in its place)"),
			      path, strerror(-ret));
	/* A link leaves the temporary name, and a failure the file. */
	if (ret < 0 || !replace)
		unlink(tmp);
	if (ret == 0)
		ret = fsync_dir(dir, err);
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
static int write_atomic(const char *dir, const char *base, const char *stem,
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
static int read_nofollow(const char *path, size_t max, char **out, size_t *len,
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
static int run_read_error(struct mvn_error *err, int ret, const char *path)
{
	if (ret == -EPERM)
		return ret; /* read_nofollow() said why */
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

	path = path_printf("%s/id", st->run_dir);
	if (!path)
		return oom(err, st->run_dir);
	for (tries = 0; tries < 2; tries++) {
		ret = read_nofollow(path, 64, &text, &len, err);
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
		ret = write_atomic(st->run_dir, "id", "id", fresh,
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
				    path, ret == 0 ? shown(text, buf) : "...");
		goto cleanup;
	}
	if (ret < 0) {
		run_read_error(err, ret, path);
		goto cleanup;
	}
	memcpy(st->id, text, STORE_ID_LEN);
cleanup:
	free(text);
	free(path);
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
		return oom(err, config_dir);
	st->config_dir = dir_dup(config_dir);
	st->run_dir = dir_dup(run_dir);
	if (st->config_dir)
		st->net_dir = path_printf("%s/networks", st->config_dir);
	if (st->net_dir)
		st->auto_dir = path_printf("%s/autostart", st->net_dir);
	if (st->run_dir) {
		st->state_dir = path_printf("%s/networks", st->run_dir);
		st->damaged_dir = path_printf("%s/damaged", st->run_dir);
		st->journal_dir = path_printf("%s/journal", st->run_dir);
	}
	if (!st->auto_dir || !st->state_dir || !st->damaged_dir ||
	    !st->journal_dir) {
		oom(err, config_dir);
		goto cleanup;
	}
	ret = check_dir(st->config_dir, 0755, true, err);
	if (ret < 0)
		goto cleanup;
	ret = check_dir(st->net_dir, 0755, true, err);
	if (ret < 0)
		goto cleanup;
	ret = check_dir(st->auto_dir, 0755, true, err);
	if (ret < 0)
		goto cleanup;
	ret = check_dir(st->run_dir, 0755, true, err);
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

/* The lock of this kind (and network) that the handle holds, or NULL. */
static struct held_lock *find_lock(struct mvn_store *st, enum lock_kind kind,
				   const char *network)
{
	size_t i;

	for (i = 0; i < st->n_locks; i++) {
		if (st->locks[i].kind == kind &&
		    (kind != LOCK_NETWORK ||
		     strcmp(st->locks[i].network, network) == 0))
			return &st->locks[i];
	}
	return NULL;
}

/* Release one held lock and forget it. */
static void drop_lock(struct mvn_store *st, struct held_lock *h)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	fcntl(h->fd, F_SETLK, &fl);
	close(h->fd);
	free(h->network);
	*h = st->locks[--st->n_locks];
}

/* Microseconds on the monotonic clock. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Wait for the lock fl on fd in the kernel (which wakes waiters in the
 * order they came, where polling would favour newcomers), for at most us
 * microseconds: a timer interrupts the wait.  It repeats every few
 * milliseconds, so that one that fires before the wait begins cannot
 * leave it unbounded.  0, or -1 with errno (EINTR: time is up).
 */
static int lock_within(int fd, struct flock *fl, uint64_t us)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { 0 }, off = { 0 };
	int r, e;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) < 0)
		return -1;
	it.it_value.tv_sec = (time_t)(us / 1000000);
	it.it_value.tv_usec = (suseconds_t)(us % 1000000);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	it.it_interval.tv_usec = LOCK_TIMER_REPEAT;
	if (setitimer(ITIMER_REAL, &it, NULL) < 0) {
		e = errno;
		sigaction(SIGALRM, &old, NULL);
		errno = e;
		return -1;
	}
	r = fcntl(fd, F_SETLKW, fl);
	e = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	errno = e;
	return r;
}

/*
 * Name the process that holds a lock conflicting with type on fd, as
 * "process PID (COMM)" with COMM from /proc made printable; false when
 * nobody holds one any more (buf then says "another process").
 */
static bool lock_holder(int fd, short type, char *buf, size_t size)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
	char comm[64], path[64];
	ssize_t n = -1;
	int cfd;
	size_t i;

	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK) {
		snprintf(buf, size, "%s", _("another process"));
		return false;
	}
	/* A holder in another PID namespace has no PID we could name. */
	if (fl.l_pid <= 0) {
		snprintf(buf, size, "%s", _("another process"));
		return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)fl.l_pid);
	cfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (cfd >= 0) {
		n = read(cfd, comm, sizeof(comm) - 1);
		close(cfd);
	}
	while (n > 0 && comm[n - 1] == '\n')
		n--;
	if (n <= 0) {
		snprintf(buf, size, _("process %d"), (int)fl.l_pid);
		return true;
	}
	comm[n] = '\0';
	for (i = 0; i < (size_t)n; i++) {
		if ((unsigned char)comm[i] < 0x20 ||
		    (unsigned char)comm[i] > 0x7e)
			comm[i] = '?';
	}
	snprintf(buf, size, _("process %1$d (%2$s)"), (int)fl.l_pid, comm);
	return true;
}

/* Say that what is still locked by holder after waiting timeout_ms. */
static int lock_timed_out(struct mvn_error *err, unsigned int timeout_ms,
			  const char *what, const char *holder)
{
	char after[32];

	if (timeout_ms == 0)
		return mvn_error_set(err, -ETIMEDOUT,
				     _("%1$s is locked by %2$s; try again when "
				       "it is done, or stop that process if it "
				       "hangs"),
				     what, holder);
	if (timeout_ms % 1000 == 0)
		snprintf(after, sizeof(after), _("%u s"), timeout_ms / 1000);
	else
		snprintf(after, sizeof(after), _("%u ms"), timeout_ms);
	return mvn_error_set(err, -ETIMEDOUT,
			     _("%1$s is still locked by %2$s after %3$s; try "
			       "again when it is done, or stop that process if "
			       "it hangs"),
			     what, holder, after);
}

/*
 * Take a lock of type on the whole of fd (the lock file path, described as
 * what), trying again with growing sleeps until w->timeout_ms have passed;
 * w NULL means try once.
 */
static int wait_lock(int fd, short type, const char *path, const char *what,
		     const struct mvn_lock_wait *w, struct mvn_error *err)
{
	static const struct mvn_lock_wait once = { 0 };
	struct flock fl;
	uint64_t start, spent, left, timeout, notice;
	bool noticed = false, retried = false, held;
	char holder[128], msg[512];
	int ret;

	if (!w)
		w = &once;
	timeout = (uint64_t)w->timeout_ms * 1000;
	notice = (uint64_t)w->notice_ms * 1000;
	start = now_us();
	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EACCES) {
			ret = -errno;
			return mvn_error_set(err, ret,
					     _("cannot lock '%1$s': %2$s (put "
					       "the run directory on a local "
					       "file system)"),
					     path, strerror(-ret));
		}
		spent = now_us() - start;
		if (spent >= timeout) {
			held = lock_holder(fd, type, holder, sizeof(holder));
			/* Released just now: one more try before giving up. */
			if (!held && !retried) {
				retried = true;
				continue;
			}
			return lock_timed_out(err, w->timeout_ms, what, holder);
		}
		if (!noticed && w->notice && spent >= notice) {
			noticed = true;
			lock_holder(fd, type, holder, sizeof(holder));
			snprintf(msg, sizeof(msg),
				 _("waiting for %1$s, locked by %2$s"), what,
				 holder);
			w->notice(w->arg, msg);
		}
		left = timeout - spent;
		if (!noticed && w->notice && notice - spent < left)
			left = notice - spent;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		if (lock_within(fd, &fl, left) == 0)
			return 0;
		if (errno != EINTR) {
			ret = -errno;
			return mvn_error_set(err, ret,
					     _("cannot lock '%1$s': %2$s (put "
					       "the run directory on a local "
					       "file system)"),
					     path, strerror(-ret));
		}
	}
}

/*
 * Open (creating it, mode 0600) the lock file path; it must be a regular
 * file, and is never a symbolic link.
 */
static int open_lock_file(const char *path, struct mvn_error *err)
{
	struct stat sb;
	int fd, ret;

	fd = open(path,
		  O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
			  O_NOCTTY,
		  0600);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP)
			return mvn_error_set(err, ret,
					     _("lock file '%s' is a symbolic "
					       "link, which macvnet does not "
					       "follow (remove it; macvnet "
					       "creates it again)"),
					     path);
		return mvn_error_set(err, ret,
				     _("cannot open the lock file '%1$s': "
				       "%2$s (check that it is a regular file "
				       "in a writable run directory, or pick "
				       "another with --run-dir)"),
				     path, strerror(-ret));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mvn_error_set(err, -EINVAL,
				     _("lock file '%s' is not a regular file "
				       "(remove it; macvnet creates it "
				       "again)"),
				     path);
	}
	return fd;
}

/*
 * Take a lock of kind (on network for LOCK_NETWORK) for this handle,
 * waiting as w says.  A lock held already is kept (an exclusive one
 * satisfies a request for a shared one); a shared one is upgraded in place
 * on the descriptor that holds it, since opening its file again and closing
 * that would drop it.
 */
static int take_lock(struct mvn_store *st, enum lock_kind kind,
		     const char *network, bool exclusive,
		     const struct mvn_lock_wait *w, struct mvn_error *err)
{
	short type = exclusive ? F_WRLCK : F_RDLCK;
	struct held_lock *h, *grown, fresh = { .kind = kind, .fd = -1 };
	char *path = NULL, *what = NULL;
	int ret = -ENOMEM;

	h = find_lock(st, kind, network);
	if (h && (h->type == F_WRLCK || h->type == type))
		return 0;
	if (kind == LOCK_STORE) {
		path = path_printf("%s/lock", st->run_dir);
		what = path_printf(_("the macvnet store in '%s'"), st->run_dir);
	} else if (kind == LOCK_GROUPS) {
		path = path_printf("%s/groups.lock", st->run_dir);
		what = path_printf(_("the link groups of the macvnet store in "
				     "'%s'"),
				   st->run_dir);
	} else {
		path = path_printf("%s/%s.lock", st->state_dir, network);
		what = path_printf(_("network '%s'"), network);
	}
	if (!path || !what) {
		oom(err, st->run_dir);
		goto cleanup;
	}
	if (h) {
		ret = wait_lock(h->fd, type, path, what, w, err);
		if (ret == 0)
			h->type = type;
		goto cleanup;
	}
	grown = realloc(st->locks, (st->n_locks + 1) * sizeof(*st->locks));
	if (!grown) {
		oom(err, path);
		goto cleanup;
	}
	st->locks = grown;
	if (kind == LOCK_NETWORK) {
		fresh.network = strdup(network);
		if (!fresh.network) {
			oom(err, path);
			goto cleanup;
		}
		ret = check_dir(st->state_dir, 0755, true, err);
		if (ret < 0)
			goto cleanup;
	}
	ret = open_lock_file(path, err);
	if (ret < 0)
		goto cleanup;
	fresh.fd = ret;
	ret = wait_lock(fresh.fd, type, path, what, w, err);
	if (ret < 0)
		goto cleanup;
	fresh.type = type;
	st->locks[st->n_locks++] = fresh;
	fresh.fd = -1;
	fresh.network = NULL;
cleanup:
	if (fresh.fd >= 0)
		close(fresh.fd);
	free(fresh.network);
	free(what);
	free(path);
	return ret;
}

/* Take the store lock, shared or exclusive. */
int mvn_store_lock(struct mvn_store *st, bool exclusive,
		   const struct mvn_lock_wait *w, struct mvn_error *err)
{
	return take_lock(st, LOCK_STORE, NULL, exclusive, w, err);
}

/* Take the exclusive lock of one network. */
int mvn_store_lock_network(struct mvn_store *st, const char *name,
			   const struct mvn_lock_wait *w, struct mvn_error *err)
{
	int ret = check_name(name, err);

	if (ret < 0)
		return ret;
	return take_lock(st, LOCK_NETWORK, name, true, w, err);
}

/* Release the lock of one network if this handle holds it. */
void mvn_store_unlock_network(struct mvn_store *st, const char *name)
{
	struct held_lock *h;

	if (!st || !name)
		return;
	h = find_lock(st, LOCK_NETWORK, name);
	if (h)
		drop_lock(st, h);
}

/* Take the exclusive lock held while a link group is chosen. */
int mvn_store_lock_groups(struct mvn_store *st, const struct mvn_lock_wait *w,
			  struct mvn_error *err)
{
	return take_lock(st, LOCK_GROUPS, NULL, true, w, err);
}

/* Release the groups lock if this handle holds it. */
void mvn_store_unlock_groups(struct mvn_store *st)
{
	struct held_lock *h;

	if (!st)
		return;
	h = find_lock(st, LOCK_GROUPS, NULL);
	if (h)
		drop_lock(st, h);
}

/* Release every lock; the lock files stay for the next taker. */
void mvn_store_unlock(struct mvn_store *st)
{
	if (!st)
		return;
	while (st->n_locks > 0)
		drop_lock(st, &st->locks[st->n_locks - 1]);
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
	ret = write_atomic(st->net_dir, base, base, xml, strlen(xml), 0600,
			   true, err);
	free(base);
	return ret;
}

/* Read networks/NAME.xml, refusing links, non-regular and huge files. */
int mvn_store_load_network(struct mvn_store *st, const char *name, char **xml,
			   struct mvn_error *err)
{
	char *path, *data = NULL;
	int ret;

	ret = check_name(name, err);
	if (ret < 0)
		return ret;
	path = path_printf("%s/%s.xml", st->net_dir, name);
	if (!path)
		return oom(err, name);
	ret = read_nofollow(path, STORE_FILE_MAX, &data, NULL, err);
	if (ret == -ENOENT)
		not_defined(name, err);
	else if (ret == -EPERM)
		; /* read_nofollow() said why */
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
		ret = remove_error(err, -errno, path, st->net_dir);
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
static int each_entry(const char *path,
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

/* What list_files() gathers, entry by entry. */
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
		return oom(l->err, l->dir);
	if (!l->valid(base)) {
		free(base);
		return 0;
	}
	if (l->n + 1 >= l->cap) {
		grown = realloc(l->v, 2 * l->cap * sizeof(*l->v));
		if (!grown) {
			free(base);
			return oom(l->err, l->dir);
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
static int list_files(const char *dir, const char *suffix,
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
		return oom(err, dir);
	ret = each_entry(dir, gather_name, &l, err);
	if (ret < 0) {
		mvn_store_names_free(l.v);
		return ret;
	}
	qsort(l.v, l.n, sizeof(*l.v), compare_names);
	*names = l.v;
	return 0;
}

/* An empty list of names, for a directory that is not there. */
static int no_names(char ***names, const char *dir, struct mvn_error *err)
{
	char **v = calloc(1, sizeof(*v));

	if (!v)
		return oom(err, dir);
	*names = v;
	return 0;
}

/* Collect the valid names of the regular NAME.xml files, sorted. */
int mvn_store_list_networks(struct mvn_store *st, char ***names,
			    struct mvn_error *err)
{
	return list_files(st->net_dir, ".xml", mvn_store_name_valid, names,
			  err);
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
 * Check the network name and the interface name (when ifname is not NULL),
 * then build the path of the network's ports directory (*ports) and of its
 * state or port file (*path); the caller frees both.
 */
static int state_paths(struct mvn_store *st, const char *network,
		       const char *ifname, char **ports, char **path,
		       struct mvn_error *err)
{
	int ret;

	ret = check_name(network, err);
	if (ret == 0 && ifname)
		ret = check_ifname(ifname, err);
	if (ret < 0)
		return ret;
	*ports = path_printf("%s/%s.ports", st->state_dir, network);
	if (ifname)
		*path = path_printf("%s/%s.port", *ports, ifname);
	else
		*path = path_printf("%s/%s.state", st->state_dir, network);
	if (!*ports || !*path) {
		free(*ports);
		free(*path);
		*ports = *path = NULL;
		return oom(err, network);
	}
	return 0;
}

/*
 * Check the directories on the way to a state or port file (the ports
 * directory only for a port file); -ENOENT without a message when one is
 * missing.
 */
static int check_state_dirs(struct mvn_store *st, const char *ports,
			    bool create, struct mvn_error *err)
{
	int ret = check_dir(st->state_dir, 0755, create, err);

	if (ret == 0 && ports)
		ret = check_dir(ports, 0755, create, err);
	return ret;
}

/* Read a state or port file; ifname NULL for the state file. */
static int state_file_read(struct mvn_store *st, const char *network,
			   const char *ifname, char **text,
			   struct mvn_error *err)
{
	char *ports = NULL, *path = NULL, *data = NULL;
	int ret;

	ret = state_paths(st, network, ifname, &ports, &path, err);
	if (ret < 0)
		return ret;
	ret = check_state_dirs(st, ifname ? ports : NULL, false, err);
	if (ret == 0) {
		ret = read_nofollow(path, STORE_FILE_MAX, &data, NULL, err);
		if (ret < 0 && ret != -ENOENT)
			run_read_error(err, ret, path);
	}
	if (ret == -ENOENT && ifname)
		mvn_error_set(err, ret,
			      _("network '%1$s' has no port '%2$s' ('%3$s' "
				"does not exist)"),
			      network, ifname, path);
	else if (ret == -ENOENT)
		mvn_error_set(err, ret,
			      _("network '%1$s' has no state ('%2$s' does not "
				"exist)"),
			      network, path);
	else if (ret == 0)
		*text = data;
	free(path);
	free(ports);
	return ret;
}

/* Replace a state or port file with text; ifname NULL for the state file. */
static int state_file_write(struct mvn_store *st, const char *network,
			    const char *ifname, const char *text,
			    struct mvn_error *err)
{
	char *ports = NULL, *path = NULL, *base, *stem;
	int ret;

	ret = state_paths(st, network, ifname, &ports, &path, err);
	if (ret < 0)
		return ret;
	if (!text) {
		ret = mvn_error_set(err, -EINVAL,
				    _("no text given for '%s' (pass the state "
				      "to write)"),
				    path);
		goto cleanup;
	}
	ret = fault_state();
	if (ret < 0) {
		write_error(err, ret, path, ifname ? ports : st->state_dir);
		goto cleanup;
	}
	ret = check_state_dirs(st, ifname ? ports : NULL, true, err);
	if (ret < 0)
		goto cleanup;
	base = strrchr(path, '/') + 1;
	/*
	 * The temporary twin of NAME.state is .NAME.XXXXXX, which fits a
	 * directory entry for the longest valid name; that of IF.port is
	 * .IF.port.XXXXXX, which no list takes for a port (it does not end in
	 * ".port", while an IF starting with '.' still can).
	 */
	stem = ifname ? base : strndup(base, strlen(base) - strlen(".state"));
	if (!stem) {
		ret = oom(err, path);
		goto cleanup;
	}
	ret = write_atomic(ifname ? ports : st->state_dir, base, stem, text,
			   strlen(text), 0600, true, err);
	if (stem != base)
		free(stem);
cleanup:
	free(path);
	free(ports);
	return ret;
}

/* Read networks/NAME.state. */
int mvn_store_state_read(struct mvn_store *st, const char *network, char **text,
			 struct mvn_error *err)
{
	return state_file_read(st, network, NULL, text, err);
}

/* Replace networks/NAME.state atomically, mode 0600. */
int mvn_store_state_write(struct mvn_store *st, const char *network,
			  const char *text, struct mvn_error *err)
{
	return state_file_write(st, network, NULL, text, err);
}

/* What remove_entry() needs: the directory's name, where to say why. */
struct removal {
	const char *dir;
	struct mvn_error *err;
};

/* Remove one entry of a ports directory (remove_ports()). */
static int remove_entry(DIR *d, const char *name, void *arg)
{
	struct removal *r = arg;
	char *path;
	int ret = fault_state();

	if (ret == 0 && unlinkat(dirfd(d), name, 0) < 0 && errno != ENOENT)
		ret = -errno;
	if (ret < 0) {
		path = path_printf("%s/%s", r->dir, name);
		remove_error(r->err, ret, path ? path : r->dir, r->dir);
		free(path);
	}
	return ret;
}

/*
 * Remove every entry of a network's ports directory (port files and the
 * temporary files a crash left), then the directory itself.
 */
static int remove_ports(struct mvn_store *st, const char *ports,
			struct mvn_error *err)
{
	struct removal r = { ports, err };
	int ret;

	ret = check_dir(ports, 0755, false, err);
	if (ret == -ENOENT)
		return 0;
	if (ret == 0)
		ret = each_entry(ports, remove_entry, &r, err);
	if (ret == 0)
		ret = fsync_dir(ports, err);
	if (ret < 0)
		return ret;
	ret = fault_state();
	if (ret == 0 && rmdir(ports) < 0 && errno != ENOENT)
		ret = -errno;
	if (ret < 0)
		return remove_error(err, ret, ports, st->state_dir);
	return fsync_dir(st->state_dir, err);
}

/*
 * Remove the port files and the ports directory, then the state file, so
 * that a crash on the way leaves a state that still names the network; what
 * is not there (a network with no state at all included) is not an error.
 */
int mvn_store_state_remove(struct mvn_store *st, const char *network,
			   struct mvn_error *err)
{
	char *ports = NULL, *path = NULL;
	int ret;

	ret = state_paths(st, network, NULL, &ports, &path, err);
	if (ret < 0)
		return ret;
	ret = check_state_dirs(st, NULL, false, err);
	if (ret == -ENOENT) {
		ret = 0;
		goto cleanup;
	}
	if (ret == 0)
		ret = remove_ports(st, ports, err);
	if (ret < 0)
		goto cleanup;
	ret = fault_state();
	if (ret == 0 && unlink(path) < 0)
		ret = -errno;
	if (ret == -ENOENT) {
		ret = 0;
		goto cleanup;
	}
	if (ret < 0) {
		remove_error(err, ret, path, st->state_dir);
		goto cleanup;
	}
	ret = fsync_dir(st->state_dir, err);
cleanup:
	free(path);
	free(ports);
	return ret;
}

/* The networks with a regular NAME.state file, sorted. */
int mvn_store_state_list(struct mvn_store *st, char ***names,
			 struct mvn_error *err)
{
	int ret = check_state_dirs(st, NULL, false, err);

	if (ret == -ENOENT)
		return no_names(names, st->state_dir, err);
	if (ret < 0)
		return ret;
	return list_files(st->state_dir, ".state", mvn_store_name_valid, names,
			  err);
}

/* Read networks/NAME.ports/IF.port. */
int mvn_store_port_read(struct mvn_store *st, const char *network,
			const char *ifname, char **text, struct mvn_error *err)
{
	if (!ifname)
		return check_ifname(ifname, err);
	return state_file_read(st, network, ifname, text, err);
}

/* Replace networks/NAME.ports/IF.port atomically, mode 0600. */
int mvn_store_port_write(struct mvn_store *st, const char *network,
			 const char *ifname, const char *text,
			 struct mvn_error *err)
{
	if (!ifname)
		return check_ifname(ifname, err);
	return state_file_write(st, network, ifname, text, err);
}

/* Remove networks/NAME.ports/IF.port if it is there. */
int mvn_store_port_remove(struct mvn_store *st, const char *network,
			  const char *ifname, struct mvn_error *err)
{
	char *ports = NULL, *path = NULL;
	int ret;

	if (!ifname)
		return check_ifname(ifname, err);
	ret = state_paths(st, network, ifname, &ports, &path, err);
	if (ret < 0)
		return ret;
	ret = check_state_dirs(st, ports, false, err);
	if (ret == -ENOENT) {
		ret = 0;
		goto cleanup;
	}
	if (ret < 0)
		goto cleanup;
	ret = fault_state();
	if (ret == 0 && unlink(path) < 0)
		ret = -errno;
	if (ret == -ENOENT) {
		ret = 0;
		goto cleanup;
	}
	if (ret < 0) {
		remove_error(err, ret, path, ports);
		goto cleanup;
	}
	ret = fsync_dir(ports, err);
cleanup:
	free(path);
	free(ports);
	return ret;
}

/* The interfaces with a regular IF.port file in the network's directory. */
int mvn_store_port_list(struct mvn_store *st, const char *network,
			char ***names, struct mvn_error *err)
{
	char *ports;
	int ret;

	ret = check_name(network, err);
	if (ret < 0)
		return ret;
	ports = path_printf("%s/%s.ports", st->state_dir, network);
	if (!ports)
		return oom(err, network);
	ret = check_state_dirs(st, ports, false, err);
	if (ret == -ENOENT)
		ret = no_names(names, ports, err);
	else if (ret == 0)
		ret = list_files(ports, ".port", mvn_ifname_valid, names, err);
	free(ports);
	return ret;
}

/* Whether name can name a journal record: letters, digits and '-'. */
static bool journal_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n && n <= 64 &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n;
}

/* The path of journal record name (caller frees), or NULL. */
static char *journal_path(struct mvn_store *st, const char *name,
			  struct mvn_error *err)
{
	char buf[SHOWN_MAX];
	char *path;

	if (!name || !journal_name_valid(name)) {
		mvn_error_set(err, -EINVAL,
			      _("journal record name '%s' is not valid (use "
				"letters, digits and '-')"),
			      shown(name, buf));
		return NULL;
	}
	path = path_printf("%s/%s.txn", st->journal_dir, name);
	if (!path)
		oom(err, name);
	return path;
}

/* Write journal/NAME.txn atomically, mode 0600. */
int mvn_store_journal_write(struct mvn_store *st, const char *name,
			    const char *text, struct mvn_error *err)
{
	char *path = journal_path(st, name, err);
	int ret;

	if (!path)
		return err ? err->code : -EINVAL;
	ret = fault_state();
	if (ret < 0)
		write_error(err, ret, path, st->journal_dir);
	if (ret == 0)
		ret = check_dir(st->journal_dir, 0700, true, err);
	if (ret == 0)
		ret = write_atomic(st->journal_dir, strrchr(path, '/') + 1,
				   strrchr(path, '/') + 1, text, strlen(text),
				   0600, true, err);
	free(path);
	return ret;
}

/* Read journal/NAME.txn. */
int mvn_store_journal_read(struct mvn_store *st, const char *name, char **text,
			   struct mvn_error *err)
{
	char *path = journal_path(st, name, err);
	int ret;

	if (!path)
		return err ? err->code : -EINVAL;
	ret = check_dir(st->journal_dir, 0700, false, err);
	if (ret == 0)
		ret = read_nofollow(path, STORE_FILE_MAX, text, NULL, err);
	if (ret < 0 && ret != -ENOENT)
		run_read_error(err, ret, path);
	free(path);
	return ret;
}

/* Remove journal/NAME.txn; one that is not there is not an error. */
int mvn_store_journal_remove(struct mvn_store *st, const char *name,
			     struct mvn_error *err)
{
	char *path = journal_path(st, name, err);
	int ret;

	if (!path)
		return err ? err->code : -EINVAL;
	ret = fault_state();
	if (ret == 0 && unlink(path) < 0)
		ret = errno == ENOENT ? 0 : -errno;
	if (ret < 0)
		remove_error(err, ret, path, st->journal_dir);
	else
		ret = fsync_dir(st->journal_dir, err);
	free(path);
	return ret;
}

/* The journal's records, sorted. */
int mvn_store_journal_list(struct mvn_store *st, char ***names,
			   struct mvn_error *err)
{
	int ret = check_dir(st->journal_dir, 0700, false, err);

	if (ret == -ENOENT)
		return no_names(names, st->journal_dir, err);
	if (ret < 0)
		return ret;
	return list_files(st->journal_dir, ".txn", journal_name_valid, names,
			  err);
}

/*
 * The name a damaged file gets in damaged/: what it was (NAME.state or
 * NAME.IF.port), when (UTC), and a counter when that is taken already.  A
 * long network name is cut, at a character boundary, to make room.
 */
static char *damaged_name(const char *dir, const char *network,
			  const char *ifname, const char *stamp,
			  unsigned int count)
{
	char rest[64];
	size_t keep = strlen(network), room;

	if (ifname && count)
		snprintf(rest, sizeof(rest), ".%s.port.%s.%u", ifname, stamp,
			 count);
	else if (ifname)
		snprintf(rest, sizeof(rest), ".%s.port.%s", ifname, stamp);
	else if (count)
		snprintf(rest, sizeof(rest), ".state.%s.%u", stamp, count);
	else
		snprintf(rest, sizeof(rest), ".state.%s", stamp);
	room = NAME_MAX - strlen(rest);
	if (keep > room) {
		keep = room;
		while (keep > 1 &&
		       ((unsigned char)network[keep] & 0xc0) == 0x80)
			keep--;
	}
	return path_printf("%s/%.*s%s", dir, (int)keep, network, rest);
}

/*
 * Move a damaged state or port file into damaged/ under a new name that
 * nothing else has, so that the next write starts afresh and the old
 * content stays for whoever looks into what went wrong.
 */
/* Rename path to dest unless dest exists (-EEXIST). */
static int rename_new(const char *path, const char *dest)
{
	struct stat sb;
	int ret;

	if (renameat2(AT_FDCWD, path, AT_FDCWD, dest, RENAME_NOREPLACE) == 0)
		return 0;
	ret = -errno;
	/* A file system without RENAME_NOREPLACE: look first. */
	if (ret != -EINVAL && ret != -ENOSYS)
		return ret;
	if (lstat(dest, &sb) == 0)
		return -EEXIST;
	if (errno != ENOENT)
		return -errno;
	return rename(path, dest) == 0 ? 0 : -errno;
}

/*
 * Move path into the damaged directory under a name of its own (network,
 * port, time, a count); *dest is that name (the caller frees it).
 */
static int move_aside(struct mvn_store *st, const char *network,
		      const char *ifname, const char *path, size_t where_len,
		      char **dest, struct mvn_error *err)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	unsigned int count;
	int ret = 0;

	if (!gmtime_r(&now, &tm) ||
	    !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	for (count = 0;; count++) {
		free(*dest);
		*dest = damaged_name(st->damaged_dir, network, ifname, stamp,
				     count);
		if (!*dest)
			return oom(err, path);
		if (where_len && strlen(*dest) >= where_len)
			return mvn_error_set(err, -ERANGE,
					     _("no room for the new name of "
					       "'%1$s' (%2$zu bytes are "
					       "needed; pass a larger "
					       "buffer)"),
					     path, strlen(*dest) + 1);
		ret = count == 0 ? fault_state() : 0;
		if (ret == 0)
			ret = rename_new(path, *dest);
		if (ret != -EEXIST || count >= 1000)
			break;
	}
	if (ret < 0)
		mvn_error_set(err, ret,
			      _("cannot move '%1$s' to '%2$s': %3$s (check "
				"the permissions of '%4$s', or move it away by "
				"hand)"),
			      path, *dest, strerror(-ret), st->damaged_dir);
	return ret;
}

int mvn_store_set_aside(struct mvn_store *st, const char *network,
			const char *ifname, char *where, size_t where_len,
			struct mvn_error *err)
{
	char *ports = NULL, *path = NULL, *dest = NULL;
	struct stat sb;
	int ret;

	ret = state_paths(st, network, ifname, &ports, &path, err);
	if (ret < 0)
		return ret;
	ret = check_state_dirs(st, ifname ? ports : NULL, false, err);
	if (ret == 0 && lstat(path, &sb) < 0) {
		ret = -errno;
		if (ret != -ENOENT)
			mvn_error_set(err, ret,
				      _("cannot look at '%1$s': %2$s (check "
					"its permissions)"),
				      path, strerror(-ret));
	}
	if (ret == -ENOENT)
		mvn_error_set(err, ret,
			      _("'%s' does not exist, so there is nothing to "
				"set aside"),
			      path);
	if (ret == 0)
		ret = check_dir(st->damaged_dir, 0700, true, err);
	if (ret == 0)
		ret = move_aside(st, network, ifname, path,
				 where ? where_len : 0, &dest, err);
	if (ret == 0 && where)
		snprintf(where, where_len, "%s", dest);
	if (ret == 0)
		ret = fsync_dir(st->damaged_dir, err);
	if (ret == 0)
		ret = fsync_dir(ifname ? ports : st->state_dir, err);
	free(dest);
	free(path);
	free(ports);
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
