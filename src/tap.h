/* The character device (/dev/tapN) of a macvtap endpoint. */
#ifndef MVN_TAP_H
#define MVN_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * Find the character device of macvtap ifname (ifindex N, MAC mac when
 * not NULL) and give it to uid:gid with permissions perm.  /dev/tapN is
 * used when it is that device (its major:minor matches sysfs); otherwise,
 * as /dev is shared by all network namespaces while ifindexes are not, a
 * private node tapMAJOR.MINOR is made in mvn_tap_node_dir().  Either way a private
 * node left with that number is removed first, and the node is checked
 * again as it is handed out.  sysfs showing another namespace is -EXDEV.
 * The node's path is written to path.
 */
int mvn_tap_prepare(const char *run_dir, const char *ifname, int ifindex,
		    const unsigned char *mac, uid_t uid, gid_t gid, mode_t perm,
		    char *path, size_t pathlen, struct mvn_error *err);

/* major:minor of macvtap ifname (ifindex, mac as for mvn_tap_prepare()). */
int mvn_tap_devt(const char *ifname, int ifindex, const unsigned char *mac,
		 dev_t *out, struct mvn_error *err);

/*
 * The directory of run_dir's private nodes: run_dir/dev, or when run_dir's
 * file system does not allow device nodes (nodev, as /run usually is),
 * /dev/macvnet/HASH with HASH from run_dir's path.
 */
int mvn_tap_node_dir(const char *run_dir, char *dir, size_t len);
/* The path of the private node of devt for run_dir. */
int mvn_tap_private_path(const char *run_dir, dev_t devt, char *path,
			 size_t pathlen);

/*
 * Whether /dev/tapN (N the ifindex of macvtap ifname, mac as above) is
 * another device than that endpoint's: another namespace's endpoint with
 * the same ifindex.  false when it is the endpoint's, missing, or sysfs
 * cannot tell.
 */
bool mvn_tap_clash(const char *ifname, int ifindex, const unsigned char *mac);
/*
 * The first ifindex from from on whose /dev/tapN does not exist and that
 * no link of this namespace has.
 */
int mvn_tap_free_index(int from);

/* Whether name is one of a private node: tapMAJOR.MINOR (or tapN). */
bool mvn_tap_node_name(const char *name);

/*
 * Remove a private node made by mvn_tap_prepare(): path is removed only
 * when it is one in run_dir's node directory (one in /dev is left alone).  One that is
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
