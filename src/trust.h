/*
 * Whether a file may be believed: macvnet runs as root, so a file that
 * another user can change (or a directory on its path that another user
 * can change) would let that user steer it.  Trusted means: owned by root
 * or by the caller, writable by no one else; for the directories above
 * it, writable by no one else or sticky (like /tmp, where others cannot
 * replace what the caller owns).
 */
#ifndef MVN_TRUST_H
#define MVN_TRUST_H

#include <stddef.h>
#include <sys/stat.h>

#include "error.h"

/*
 * Check path (after resolving links) and every directory above it.  what
 * names the file in the message ("hooks directory", "hook program").
 */
int mvn_trust_path(const char *path, const char *what, struct mvn_error *err);

/*
 * Whether sb (of the file at path) is trusted itself; -EPERM with the
 * reason and the fix if not.
 */
int mvn_trust_stat(const struct stat *sb, const char *path, const char *what,
		   struct mvn_error *err);

/*
 * Read the regular file name in the trusted directory dir, at most max
 * bytes, refusing a symbolic link, a file others can write and the like.
 * -ENOENT (without a message) when there is none.
 */
int mvn_trust_read(const char *dir, const char *name, size_t max, char **out,
		   size_t *len, struct mvn_error *err);

#endif
