/*
 * What store.c, store-lock.c and store-state.c share, and nothing else may
 * include: the handle itself and the helpers of store.c that the other two
 * call.  Each returns 0 or a negative errno with the message in err, unless
 * its line says otherwise.
 */
#ifndef MVN_STORE_INT_H
#define MVN_STORE_INT_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "store.h"

/* A definition or state file larger than this is not one of ours. */
#define STORE_FILE_MAX (1024 * 1024)

/* The store's id: this many lower-case hex digits, then a newline. */
#define STORE_ID_LEN 16

/* Room for a name quoted in a message. */
#define SHOWN_MAX 64

/* A lock the handle holds (store-lock.c). */
struct held_lock;

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

/* s in buf for a message: control characters '?', long ones cut "...". */
const char *store_shown(const char *s, char buf[SHOWN_MAX]);
/* A new formatted string (the caller frees it); NULL when out of memory. */
char *store_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Say that memory ran out while handling what; always -ENOMEM. */
int store_oom(struct mvn_error *err, const char *what);
/* Describe a failed write of path, a file in dir (full disk or other). */
int store_write_error(struct mvn_error *err, int ret, const char *path,
		      const char *dir);
/* Describe a failed removal of path, an entry of dir. */
int store_remove_error(struct mvn_error *err, int ret, const char *path,
		       const char *dir);
/* Describe a failed store_read_nofollow() of path (not -ENOENT). */
int store_read_error(struct mvn_error *err, int ret, const char *path);
/* Check a directory only we or root may change; made if missing and create. */
int store_check_dir(const char *path, mode_t mode, bool create,
		    struct mvn_error *err);
/* Refuse a network name that mvn_store_name_valid() refuses. */
int store_check_name(const char *name, struct mvn_error *err);
/* Flush directory dir so that a rename or unlink in it survives a crash. */
int store_fsync_dir(const char *dir, struct mvn_error *err);
/* Replace (or create only if new) dir/base atomically with data. */
int store_write_atomic(const char *dir, const char *base, const char *stem,
		       const char *data, size_t len, mode_t mode, bool replace,
		       struct mvn_error *err);
/* Read a trusted regular file, never via a link; only -EPERM says why. */
int store_read_nofollow(const char *path, size_t max, char **out, size_t *len,
			struct mvn_error *err);
/* Call fn for each entry of directory path but "." and "..". */
int store_each_entry(const char *path,
		     int (*fn)(DIR *d, const char *name, void *arg), void *arg,
		     struct mvn_error *err);
/* The sorted names of dir's regular files NAME+suffix that valid takes. */
int store_list_files(const char *dir, const char *suffix,
		     bool (*valid)(const char *), char ***names,
		     struct mvn_error *err);

#endif
