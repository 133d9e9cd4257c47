/*
 * The runtime state of the active networks, in the run directory: one
 * state file per network, a ports directory with one file per endpoint, the
 * journal of transactions that write several port files, and the damaged/
 * directory where a damaged state file is set aside (see store.h for the
 * layout).  Every write goes through the store's one atomic writer; removals
 * need no free space, so a full disk never stops a teardown.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fault.h"
#include "store-int.h"
#include "store.h"
#include "trust.h"
#include "util.h"

static int check_ifname(const char *ifname, struct mvn_error *err)
{
	char buf[SHOWN_MAX];

	if (mvn_ifname_valid(ifname))
		return 0;
	return mvn_error_set(err, -EINVAL,
			     _("interface name '%s' is not valid (use 1 to 15 "
			       "bytes with no '/', ':', white space or control "
			       "characters, and not '.' or '..')"),
			     store_shown(ifname, buf));
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

/* An empty list of names, for a directory that is not there. */
static int no_names(char ***names, const char *dir, struct mvn_error *err)
{
	char **v = calloc(1, sizeof(*v));

	if (!v)
		return store_oom(err, dir);
	*names = v;
	return 0;
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

	ret = store_check_name(network, err);
	if (ret == 0 && ifname)
		ret = check_ifname(ifname, err);
	if (ret < 0)
		return ret;
	*ports = store_printf("%s/%s.ports", st->state_dir, network);
	if (ifname)
		*path = store_printf("%s/%s.port", *ports, ifname);
	else
		*path = store_printf("%s/%s.state", st->state_dir, network);
	if (!*ports || !*path) {
		free(*ports);
		free(*path);
		*ports = *path = NULL;
		return store_oom(err, network);
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
	int ret = store_check_dir(st->state_dir, 0755, create, err);

	if (ret == 0 && ports)
		ret = store_check_dir(ports, 0755, create, err);
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
		ret = store_read_nofollow(path, STORE_FILE_MAX, &data, NULL,
					  err);
		if (ret < 0 && ret != -ENOENT)
			store_read_error(err, ret, path);
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
		store_write_error(err, ret, path,
				  ifname ? ports : st->state_dir);
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
		ret = store_oom(err, path);
		goto cleanup;
	}
	ret = store_write_atomic(ifname ? ports : st->state_dir, base, stem,
				 text, strlen(text), 0600, true, err);
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
		path = store_printf("%s/%s", r->dir, name);
		store_remove_error(r->err, ret, path ? path : r->dir, r->dir);
		free(path);
	}
	return ret;
}

/*
 * Remove path, an entry of dir, then flush dir; a path that is not there is
 * not an error (and dir is then left as it is).
 */
static int remove_file(const char *path, const char *dir, struct mvn_error *err)
{
	int ret = fault_state();

	if (ret == 0 && unlink(path) < 0)
		ret = -errno;
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return store_remove_error(err, ret, path, dir);
	return store_fsync_dir(dir, err);
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

	ret = store_check_dir(ports, 0755, false, err);
	if (ret == -ENOENT)
		return 0;
	if (ret == 0)
		ret = store_each_entry(ports, remove_entry, &r, err);
	if (ret == 0)
		ret = store_fsync_dir(ports, err);
	if (ret < 0)
		return ret;
	ret = fault_state();
	if (ret == 0 && rmdir(ports) < 0 && errno != ENOENT)
		ret = -errno;
	if (ret < 0)
		return store_remove_error(err, ret, ports, st->state_dir);
	return store_fsync_dir(st->state_dir, err);
}

/*
 * Remove the port files and the ports directory, the ports log, then the
 * state file, so
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
	if (ret == 0) {
		char *log = store_printf("%s/%s.log", st->state_dir, network);

		ret = log ? remove_file(log, st->state_dir, err) :
			    store_oom(err, network);
		free(log);
	}
	if (ret < 0)
		goto cleanup;
	ret = remove_file(path, st->state_dir, err);
cleanup:
	free(path);
	free(ports);
	return ret;
}

int mvn_store_ports_dir_remove(struct mvn_store *st, const char *network,
			       struct mvn_error *err)
{
	char *ports = NULL, *path = NULL;
	int ret;

	ret = state_paths(st, network, NULL, &ports, &path, err);
	if (ret == 0)
		ret = check_state_dirs(st, NULL, false, err);
	if (ret == 0)
		ret = remove_ports(st, ports, err);
	free(path);
	free(ports);
	return ret == -ENOENT ? 0 : ret;
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
	return store_list_files(st->state_dir, ".state", mvn_store_name_valid,
				names, err);
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
	if (ret == 0)
		ret = remove_file(path, ports, err);
	else if (ret == -ENOENT)
		ret = 0;
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

	ret = store_check_name(network, err);
	if (ret < 0)
		return ret;
	ports = store_printf("%s/%s.ports", st->state_dir, network);
	if (!ports)
		return store_oom(err, network);
	ret = check_state_dirs(st, ports, false, err);
	if (ret == -ENOENT)
		ret = no_names(names, ports, err);
	else if (ret == 0)
		ret = store_list_files(ports, ".port", mvn_ifname_valid, names,
				       err);
	free(ports);
	return ret;
}

/* Whether name can name a journal record: letters, digits and '-'. */
/* The path of a network's ports log (the caller frees it). */
static int log_path(struct mvn_store *st, const char *network, char **path,
		    struct mvn_error *err)
{
	int ret = store_check_name(network, err);

	if (ret < 0)
		return ret;
	*path = store_printf("%s/%s.log", st->state_dir, network);
	return *path ? 0 : store_oom(err, network);
}

int mvn_store_log_read(struct mvn_store *st, const char *network, char **text,
		       size_t *len, struct mvn_error *err)
{
	char *path = NULL;
	int ret = log_path(st, network, &path, err);

	if (ret == 0)
		ret = check_state_dirs(st, NULL, false, err);
	if (ret == 0) {
		ret = store_read_nofollow(path, MVN_STORE_LOG_MAX, text, len,
					  err);
		if (ret < 0 && ret != -ENOENT)
			store_read_error(err, ret, path);
	}
	free(path);
	return ret;
}

/* Write all of rec at the end of fd, the log at path. */
static int log_write_all(int fd, const char *rec, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, rec + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += (size_t)n;
	}
	return 0;
}

/*
 * Open the log for appending: made if missing (mode 0600), never through a
 * link, and only one that nobody else can write; *made says it was new.
 */
static int log_open(struct mvn_store *st, const char *path, bool *made,
		    struct mvn_error *err)
{
	struct stat sb;
	int fd, ret;

	*made = false;
	fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC |
				O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path,
			  O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW |
				  O_CLOEXEC | O_NOCTTY,
			  0600);
		*made = fd >= 0;
	}
	if (fd < 0) {
		ret = -errno;
		return ret == -ELOOP ?
			       store_read_error(err, ret, path) :
			       store_write_error(err, ret, path, st->state_dir);
	}
	if (fstat(fd, &sb) < 0)
		ret = store_write_error(err, -errno, path, st->state_dir);
	else if (!S_ISREG(sb.st_mode))
		ret = store_read_error(err, -EINVAL, path);
	else
		ret = mvn_trust_stat(&sb, path, _("file"), err);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

int mvn_store_log_append(struct mvn_store *st, const char *network, size_t at,
			 const char *rec, size_t len, struct mvn_error *err)
{
	char *path = NULL;
	struct stat sb;
	bool made = false;
	int fd = -1, ret;

	ret = log_path(st, network, &path, err);
	if (ret == 0)
		ret = fault_state();
	if (ret < 0) {
		if (path)
			store_write_error(err, ret, path, st->state_dir);
		goto out;
	}
	ret = check_state_dirs(st, NULL, true, err);
	if (ret == 0)
		ret = fd = log_open(st, path, &made, err);
	if (ret < 0)
		goto out;
	ret = fstat(fd, &sb) < 0 ? -errno : 0;
	/* A record cut short goes before the next one is written. */
	if (ret == 0 && (size_t)sb.st_size != at)
		ret = (size_t)sb.st_size < at	   ? -ESTALE :
		      ftruncate(fd, (off_t)at) < 0 ? -errno :
						     0;
	if (ret == -ESTALE) {
		ret = mvn_error_set(err, ret,
				    _("'%s' is shorter than macvnet read it a "
				      "moment ago; something else changes it "
				      "(run macvnet reconcile)"),
				    path);
		goto out;
	}
	if (ret == 0)
		ret = log_write_all(fd, rec, len);
	if (ret == 0 && fdatasync(fd) < 0)
		ret = -errno;
	if (ret < 0) {
		/* Only whole records stay; the caller's state is the old. */
		if (ftruncate(fd, (off_t)at) == 0)
			fdatasync(fd);
		store_write_error(err, ret, path, st->state_dir);
	}
	if (ret == 0 && made)
		ret = store_fsync_dir(st->state_dir, err);
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

int mvn_store_log_write(struct mvn_store *st, const char *network,
			const char *text, size_t len, struct mvn_error *err)
{
	char *path = NULL, *stem = NULL;
	int ret = log_path(st, network, &path, err);

	if (ret == 0)
		ret = fault_state();
	if (ret < 0) {
		if (path)
			store_write_error(err, ret, path, st->state_dir);
		free(path);
		return ret;
	}
	ret = check_state_dirs(st, NULL, true, err);
	/* .NAME.log.XXXXXX: no list takes it for a state file. */
	stem = ret == 0 ? strdup(strrchr(path, '/') + 1) : NULL;
	if (ret == 0 && !stem)
		ret = store_oom(err, path);
	if (ret == 0)
		ret = store_write_atomic(st->state_dir, stem, stem, text, len,
					 0600, true, err);
	free(stem);
	free(path);
	return ret;
}

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
			      store_shown(name, buf));
		return NULL;
	}
	path = store_printf("%s/%s.txn", st->journal_dir, name);
	if (!path)
		store_oom(err, name);
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
		store_write_error(err, ret, path, st->journal_dir);
	if (ret == 0)
		ret = store_check_dir(st->journal_dir, 0700, true, err);
	if (ret == 0)
		ret = store_write_atomic(st->journal_dir,
					 strrchr(path, '/') + 1,
					 strrchr(path, '/') + 1, text,
					 strlen(text), 0600, true, err);
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
	ret = store_check_dir(st->journal_dir, 0700, false, err);
	if (ret == 0)
		ret = store_read_nofollow(path, STORE_FILE_MAX, text, NULL,
					  err);
	if (ret < 0 && ret != -ENOENT)
		store_read_error(err, ret, path);
	free(path);
	return ret;
}

/* Remove journal/NAME.txn; one that is not there is not an error. */
int mvn_store_journal_remove(struct mvn_store *st, const char *name,
			     struct mvn_error *err)
{
	char *path = journal_path(st, name, err);
	bool absent = false;
	int ret;

	if (!path)
		return err ? err->code : -EINVAL;
	ret = fault_state();
	if (ret == 0 && unlink(path) < 0) {
		ret = errno == ENOENT ? 0 : -errno;
		absent = ret == 0;
	}
	/* A record that was not there (nor its directory) needs no fsync. */
	if (ret < 0)
		store_remove_error(err, ret, path, st->journal_dir);
	else if (!absent)
		ret = store_fsync_dir(st->journal_dir, err);
	free(path);
	return ret;
}

/* The journal's records, sorted. */
int mvn_store_journal_list(struct mvn_store *st, char ***names,
			   struct mvn_error *err)
{
	int ret = store_check_dir(st->journal_dir, 0700, false, err);

	if (ret == -ENOENT)
		return no_names(names, st->journal_dir, err);
	if (ret < 0)
		return ret;
	return store_list_files(st->journal_dir, ".txn", journal_name_valid,
				names, err);
}

/*
 * The name a damaged file gets in damaged/: what it was (NAME.state,
 * NAME.log or NAME.IF.port: kind is the part after NAME.), when (UTC), and
 * a counter when that is taken already.  A long network name is cut, at a
 * character boundary, to make room.
 */
static char *damaged_name(const char *dir, const char *network,
			  const char *kind, const char *stamp,
			  unsigned int count)
{
	char rest[64];
	size_t keep = strlen(network), room;

	if (count)
		snprintf(rest, sizeof(rest), ".%s.%s.%u", kind, stamp, count);
	else
		snprintf(rest, sizeof(rest), ".%s.%s", kind, stamp);
	room = NAME_MAX - strlen(rest);
	if (keep > room) {
		keep = room;
		while (keep > 1 &&
		       ((unsigned char)network[keep] & 0xc0) == 0x80)
			keep--;
	}
	return store_printf("%s/%.*s%s", dir, (int)keep, network, rest);
}

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
		      const char *kind, const char *path, size_t where_len,
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
		*dest = damaged_name(st->damaged_dir, network, kind, stamp,
				     count);
		if (!*dest)
			return store_oom(err, path);
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

/* Move path (kind, in dir) into damaged/, and say where to where. */
static int set_aside(struct mvn_store *st, const char *network,
		     const char *kind, const char *path, const char *dir,
		     char *where, size_t where_len, struct mvn_error *err)
{
	char *dest = NULL;
	struct stat sb;
	int ret = 0;

	if (lstat(path, &sb) < 0) {
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
		ret = store_check_dir(st->damaged_dir, 0700, true, err);
	if (ret == 0)
		ret = move_aside(st, network, kind, path, where ? where_len : 0,
				 &dest, err);
	if (ret == 0 && where)
		snprintf(where, where_len, "%s", dest);
	if (ret == 0)
		ret = store_fsync_dir(st->damaged_dir, err);
	if (ret == 0)
		ret = store_fsync_dir(dir, err);
	free(dest);
	return ret;
}

/*
 * Move a damaged state or port file into damaged/ under a new name that
 * nothing else has, so that the next write starts afresh and the old
 * content stays for whoever looks into what went wrong.
 */
int mvn_store_set_aside(struct mvn_store *st, const char *network,
			const char *ifname, char *where, size_t where_len,
			struct mvn_error *err)
{
	char *ports = NULL, *path = NULL, *kind = NULL;
	int ret;

	ret = state_paths(st, network, ifname, &ports, &path, err);
	if (ret < 0)
		return ret;
	/* A missing directory: set_aside() says the file is not there. */
	ret = check_state_dirs(st, ifname ? ports : NULL, false, err);
	if (ret == 0 || ret == -ENOENT) {
		kind = ifname ? store_printf("%s.port", ifname) :
				strdup("state");
		ret = kind ? 0 : store_oom(err, path);
	}
	if (ret == 0)
		ret = set_aside(st, network, kind, path,
				ifname ? ports : st->state_dir, where,
				where_len, err);
	free(kind);
	free(path);
	free(ports);
	return ret;
}

int mvn_store_log_set_aside(struct mvn_store *st, const char *network,
			    char *where, size_t where_len,
			    struct mvn_error *err)
{
	char *path = NULL;
	int ret = log_path(st, network, &path, err);

	if (ret == 0)
		ret = check_state_dirs(st, NULL, false, err);
	if (ret == 0 || ret == -ENOENT)
		ret = set_aside(st, network, "log", path, st->state_dir, where,
				where_len, err);
	free(path);
	return ret;
}
