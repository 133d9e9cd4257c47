/* The character device (/dev/tapN) of a macvtap endpoint. */
#ifndef MVN_TAP_H
#define MVN_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Find the character device of macvtap ifname (ifindex N) and give it to
 * uid:gid with permissions perm.  /dev/tapN is used when it is that device
 * (its major:minor matches sysfs); otherwise, as /dev is shared by all
 * network namespaces while ifindexes are not, a private node is made in
 * run_dir/dev/.  The node's path is written to path.
 */
int mvn_tap_prepare(const char *run_dir, const char *ifname, int ifindex,
		    uid_t uid, gid_t gid, mode_t perm, char *path,
		    size_t pathlen, struct mvn_error *err);

/*
 * Remove a private node made by mvn_tap_prepare(): path is removed only
 * when it is run_dir/dev/tapN (a node in /dev is left alone).  One that is
 * already gone is not an error.
 */
int mvn_tap_release(const char *run_dir, const char *path,
		    struct mvn_error *err);

/*
 * Resolve "USER[:GROUP]" (names or numbers) into ids.  A group that is not
 * given is left as *gid.
 */
int mvn_tap_owner(const char *spec, uid_t *uid, gid_t *gid, bool *has_group,
		  struct mvn_error *err);

#endif
