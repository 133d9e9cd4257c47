/* The character device (/dev/tapN) of a macvtap endpoint. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "i18n.h"
#include "tap.h"
#include "util.h"

/* major:minor of the endpoint's character device, from sysfs. */
static int sysfs_devt(const char *ifname, int ifindex, dev_t *out,
		      struct mvn_error *err)
{
	char path[128], buf[32];
	unsigned int maj, min;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev",
		 ifname, ifindex);
	f = fopen(path, "re");
	if (!f)
		return mvn_error_set(err, -errno,
				     _("cannot find the character device of "
				       "'%1$s' in %2$s (is /sys mounted for "
				       "this network namespace?)"),
				     ifname, path);
	if (!fgets(buf, sizeof(buf), f) ||
	    sscanf(buf, "%u:%u", &maj, &min) != 2) {
		fclose(f);
		return mvn_error_set(err, -EINVAL, _("%s: unexpected contents"),
				     path);
	}
	fclose(f);
	*out = makedev(maj, min);
	return 0;
}

/*
 * Give the node to uid:gid with perm.  path was just seen to be a character
 * device, not a link, in a directory only root may write.
 */
static int give(const char *path, uid_t uid, gid_t gid, mode_t perm,
		struct mvn_error *err)
{
	if (lchown(path, uid, gid) < 0 || fchmodat(AT_FDCWD, path, perm, 0) < 0)
		return mvn_error_set(err, -errno,
				     _("cannot give %1$s to %2$u:%3$u mode "
				       "%4$04o: %5$s"),
				     path, (unsigned)uid, (unsigned)gid,
				     (unsigned)perm, strerror(errno));
	return 0;
}

int mvn_tap_prepare(const char *run_dir, const char *ifname, int ifindex,
		    uid_t uid, gid_t gid, mode_t perm, char *path,
		    size_t pathlen, struct mvn_error *err)
{
	struct stat sb;
	char dir[4096];
	dev_t devt = 0;
	int ret;

	ret = sysfs_devt(ifname, ifindex, &devt, err);
	if (ret < 0)
		return ret;
	snprintf(path, pathlen, "/dev/tap%d", ifindex);
	if (lstat(path, &sb) == 0 && S_ISCHR(sb.st_mode) &&
	    sb.st_rdev == devt) {
		/* A new node is root's, 0600: often already what is wanted. */
		if (sb.st_uid == uid && sb.st_gid == gid &&
		    (sb.st_mode & 07777) == perm)
			return 0;
		return give(path, uid, gid, perm, err);
	}

	/* /dev/tapN is missing or another namespace's: make our own. */
	snprintf(dir, sizeof(dir), "%s/dev", run_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     dir, strerror(errno));
	if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || (sb.st_mode & 022))
		return mvn_error_set(err, -EPERM,
				     _("%s is not a private directory (it "
				       "must be a real directory writable only "
				       "by its owner)"),
				     dir);
	if ((size_t)snprintf(path, pathlen, "%s/tap%d", dir, ifindex) >=
	    pathlen)
		return mvn_error_set(err, -ENAMETOOLONG,
				     _("run directory path too long: %s"),
				     run_dir);
	if (unlink(path) < 0 && errno != ENOENT)
		return mvn_error_set(err, -errno,
				     _("cannot replace %1$s: %2$s"), path,
				     strerror(errno));
	if (mknod(path, S_IFCHR | 0600, devt) < 0)
		return mvn_error_set(err, -errno,
				     _("cannot create the device node %1$s: "
				       "%2$s (the run directory must allow "
				       "device nodes)"),
				     path, strerror(errno));
	return give(path, uid, gid, perm, err);
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

int mvn_tap_release(const char *run_dir, const char *path,
		    struct mvn_error *err)
{
	size_t n = strlen(run_dir);

	/*
	 * Only run_dir/dev/tapN is ours to remove: a node in /dev belongs to
	 * the kernel (devtmpfs) and goes with its link.
	 */
	if (strncmp(path, run_dir, n) || strncmp(path + n, "/dev/tap", 8) ||
	    !all_digits(path + n + 8))
		return 0;
	if (unlink(path) < 0 && errno != ENOENT)
		return mvn_error_set(err, -errno,
				     _("cannot remove the device node %1$s: "
				       "%2$s"),
				     path, strerror(errno));
	return 0;
}

int mvn_tap_owner(const char *spec, uid_t *uid, gid_t *gid, bool *has_group,
		  struct mvn_error *err)
{
	char user[256], *group;
	struct passwd *pw;
	struct group *gr;

	if (snprintf(user, sizeof(user), "%s", spec) >= (int)sizeof(user))
		return mvn_error_set(err, -EINVAL, _("owner '%s' is too long"),
				     spec);
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	*has_group = group && *group;
	if (*user) {
		if (all_digits(user)) {
			*uid = (uid_t)strtoul(user, NULL, 10);
		} else {
			pw = getpwnam(user);
			if (!pw)
				return mvn_error_set(
					err, -ENOENT,
					_("user '%s' does not exist "
					  "(give an existing user "
					  "or a number)"),
					user);
			*uid = pw->pw_uid;
			if (!*has_group)
				*gid = pw->pw_gid;
		}
	}
	if (*has_group) {
		if (all_digits(group)) {
			*gid = (gid_t)strtoul(group, NULL, 10);
		} else {
			gr = getgrnam(group);
			if (!gr)
				return mvn_error_set(
					err, -ENOENT,
					_("group '%s' does not "
					  "exist (give an existing "
					  "group or a number)"),
					group);
			*gid = gr->gr_gid;
		}
	}
	return 0;
}
