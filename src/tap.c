/* The character device (/dev/tapN) of a macvtap endpoint. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "i18n.h"
#include "sha256.h"
#include "tap.h"
#include "util.h"

/* Read the first line of a small sysfs file into buf (no newline). */
static int sysfs_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		ret = -EINVAL;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

/*
 * Whether /sys shows this network namespace's ifname: sysfs shows the
 * namespace of whoever mounted it, so in a namespace without its own
 * mount, /sys/class/net/NAME may be another link of the same name (and
 * /dev/tapN another namespace's endpoint).  The ifindex and the MAC the
 * kernel gave this link over netlink must both be what /sys says.
 */
static int sysfs_ours(const char *ifname, int ifindex, const unsigned char *mac,
		      struct mvn_error *err)
{
	char path[128], buf[64], want[18];
	bool same;

	snprintf(path, sizeof(path), "/sys/class/net/%s/ifindex", ifname);
	same = sysfs_line(path, buf, sizeof(buf)) == 0 && atoi(buf) == ifindex;
	if (same && mac) {
		mvn_mac_format(mac, want);
		snprintf(path, sizeof(path), "/sys/class/net/%s/address",
			 ifname);
		same = sysfs_line(path, buf, sizeof(buf)) == 0 &&
		       !strcasecmp(buf, want);
	}
	if (same)
		return 0;
	return mvn_error_set(err, -EXDEV,
			     _("/sys shows another network namespace: its "
			       "'%s' is not the endpoint macvnet made here, so "
			       "its device node is not handed out (mount a "
			       "sysfs of this namespace: unshare -m, then "
			       "mount -t sysfs sysfs /sys)"),
			     ifname);
}

int mvn_tap_devt(const char *ifname, int ifindex, const unsigned char *mac,
		 dev_t *out, struct mvn_error *err)
{
	char path[128], buf[32];
	unsigned int maj, min;
	int ret;

	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev",
		 ifname, ifindex);
	ret = sysfs_line(path, buf, sizeof(buf));
	if (ret == 0 && sscanf(buf, "%u:%u", &maj, &min) != 2)
		ret = -EINVAL;
	if (ret < 0 && ret != -EINVAL)
		return mvn_error_set(err, ret,
				     _("cannot find the character device of "
				       "'%1$s' in %2$s (is /sys mounted for "
				       "this network namespace?)"),
				     ifname, path);
	if (ret < 0)
		return mvn_error_set(err, ret,
				     _("%s: unexpected contents (is /sys a "
				       "sysfs?)"),
				     path);
	ret = sysfs_ours(ifname, ifindex, mac, err);
	if (ret == 0)
		*out = makedev(maj, min);
	return ret;
}

/* Where nodes go when the run directory's file system refuses them. */
#define NODEV_PARENT "/dev/macvnet"

int mvn_tap_node_dir(const char *run_dir, char *dir, size_t len)
{
	unsigned char h[MVN_SHA256_LEN];
	struct statvfs sv;

	/*
	 * /run is usually mounted nodev: a node there exists but cannot be
	 * opened.  Then the nodes go under /dev, in a directory of this run
	 * directory's own (named by a hash of its path).
	 */
	if (statvfs(run_dir, &sv) == 0 && (sv.f_flag & ST_NODEV)) {
		mvn_sha256(run_dir, strlen(run_dir), h);
		if ((size_t)snprintf(dir, len,
				     NODEV_PARENT "/%02x%02x%02x%02x%02x%02x"
						  "%02x%02x",
				     h[0], h[1], h[2], h[3], h[4], h[5], h[6],
				     h[7]) >= len)
			return -ENAMETOOLONG;
		return 0;
	}
	if ((size_t)snprintf(dir, len, "%s/dev", run_dir) >= len)
		return -ENAMETOOLONG;
	return 0;
}

int mvn_tap_private_path(const char *run_dir, dev_t devt, char *path,
			 size_t pathlen)
{
	char dir[4096];

	if (mvn_tap_node_dir(run_dir, dir, sizeof(dir)) < 0 ||
	    (size_t)snprintf(path, pathlen, "%s/tap%u.%u", dir, major(devt),
			     minor(devt)) >= pathlen)
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Give the node at path to uid:gid with perm, after checking once more,
 * on the very file changed, that it is the character device devt: the
 * node is opened without following links, checked, then changed through
 * that handle.
 */
static int give(const char *path, dev_t devt, uid_t uid, gid_t gid, mode_t perm,
		struct mvn_error *err)
{
	char proc[64];
	struct stat sb;
	int fd, ret = 0;

	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return mvn_error_set(err, -errno,
				     _("cannot open the device node %1$s: "
				       "%2$s"),
				     path, strerror(errno));
	if (fstat(fd, &sb) < 0 || !S_ISCHR(sb.st_mode) || sb.st_rdev != devt)
		ret = mvn_error_set(err, -ESTALE,
				    _("%1$s is no longer the endpoint's device "
				      "(%2$u:%3$u); it was not handed out (run "
				      "the command again)"),
				    path, major(devt), minor(devt));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (ret == 0 && (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 ||
			 chmod(proc, perm) < 0))
		ret = mvn_error_set(err, -errno,
				    _("cannot give %1$s to %2$u:%3$u mode "
				      "%4$04o: %5$s"),
				    path, (unsigned)uid, (unsigned)gid,
				    (unsigned)perm, strerror(errno));
	close(fd);
	return ret;
}

/* dir made if missing: a real directory only its owner (root) can write. */
static int private_one(const char *dir, struct mvn_error *err)
{
	struct stat sb;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return mvn_error_set(err, -errno, _("cannot create %1$s: %2$s"),
				     dir, strerror(errno));
	if (lstat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode) || (sb.st_mode & 022))
		return mvn_error_set(err, -EPERM,
				     _("%s is not a private directory (it "
				       "must be a real directory writable only "
				       "by its owner)"),
				     dir);
	return 0;
}

/* The node directory of run_dir (mvn_tap_node_dir()), made private. */
static int private_dir(const char *run_dir, struct mvn_error *err)
{
	char dir[4096];
	int ret = 0;

	if (mvn_tap_node_dir(run_dir, dir, sizeof(dir)) < 0)
		return mvn_error_set(err, -ENAMETOOLONG,
				     _("run directory path too long: %s"),
				     run_dir);
	if (!strncmp(dir, NODEV_PARENT "/", strlen(NODEV_PARENT) + 1))
		ret = private_one(NODEV_PARENT, err);
	return ret < 0 ? ret : private_one(dir, err);
}

int mvn_tap_prepare(const char *run_dir, const char *ifname, int ifindex,
		    const unsigned char *mac, uid_t uid, gid_t gid, mode_t perm,
		    char *path, size_t pathlen, struct mvn_error *err)
{
	char priv[4096];
	struct stat sb;
	dev_t devt = 0;
	int ret;

	ret = mvn_tap_devt(ifname, ifindex, mac, &devt, err);
	if (ret < 0)
		return ret;
	/*
	 * A private node of this major:minor (left by a crash, for an
	 * endpoint since deleted) goes first: whoever it was given to must
	 * not reach the endpoint that now has the number.
	 */
	if (mvn_tap_private_path(run_dir, devt, priv, sizeof(priv)) < 0)
		return mvn_error_set(err, -ENAMETOOLONG,
				     _("run directory path too long: %s"),
				     run_dir);
	if (unlink(priv) < 0 && errno != ENOENT)
		return mvn_error_set(err, -errno,
				     _("cannot replace %1$s: %2$s"), priv,
				     strerror(errno));
	snprintf(path, pathlen, "/dev/tap%d", ifindex);
	if (lstat(path, &sb) == 0 && S_ISCHR(sb.st_mode) &&
	    sb.st_rdev == devt) {
		/* A new node is root's, 0600: often already what is wanted. */
		if (sb.st_uid == uid && sb.st_gid == gid &&
		    (sb.st_mode & 07777) == perm)
			return 0;
		return give(path, devt, uid, gid, perm, err);
	}

	/* /dev/tapN is missing or another namespace's: make our own. */
	ret = private_dir(run_dir, err);
	if (ret < 0)
		return ret;
	if ((size_t)snprintf(path, pathlen, "%s", priv) >= pathlen)
		return mvn_error_set(err, -ENAMETOOLONG,
				     _("run directory path too long: %s"),
				     run_dir);
	if (mknod(path, S_IFCHR | 0600, devt) < 0)
		return mvn_error_set(err, -errno,
				     _("cannot create the device node %1$s: "
				       "%2$s (the run directory must allow "
				       "device nodes)"),
				     path, strerror(errno));
	return give(path, devt, uid, gid, perm, err);
}

bool mvn_tap_clash(const char *ifname, int ifindex, const unsigned char *mac)
{
	struct mvn_error ignored = { 0 };
	char path[32];
	struct stat sb;
	dev_t devt;

	snprintf(path, sizeof(path), "/dev/tap%d", ifindex);
	if (lstat(path, &sb) < 0 || !S_ISCHR(sb.st_mode) ||
	    mvn_tap_devt(ifname, ifindex, mac, &devt, &ignored) < 0)
		return false;
	return sb.st_rdev != devt;
}

int mvn_tap_free_index(int from)
{
	char path[32], name[IF_NAMESIZE];
	struct stat sb;
	int i;

	for (i = from > 0 ? from : 1; i < 0x7fffffff; i++) {
		snprintf(path, sizeof(path), "/dev/tap%d", i);
		if (lstat(path, &sb) < 0 && errno == ENOENT &&
		    !if_indextoname((unsigned int)i, name))
			return i;
	}
	return from;
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

bool mvn_tap_node_name(const char *name)
{
	const char *dot;

	if (strncmp(name, "tap", 3))
		return false;
	name += 3;
	dot = strchr(name, '.');
	if (!dot)
		return all_digits(
			name); /* tapN, as earlier versions named them */
	return dot > name &&
	       strspn(name, "0123456789") == (size_t)(dot - name) &&
	       all_digits(dot + 1);
}

int mvn_tap_release(const char *run_dir, const char *path,
		    struct mvn_error *err)
{
	char dir[4096];
	size_t n;

	/*
	 * Only a node of run_dir's node directory is ours to remove: one in
	 * /dev itself belongs to the kernel (devtmpfs) and goes with its
	 * link.
	 */
	if (mvn_tap_node_dir(run_dir, dir, sizeof(dir)) < 0)
		return 0;
	n = strlen(dir);
	if (strncmp(path, dir, n) || path[n] != '/' ||
	    !mvn_tap_node_name(path + n + 1))
		return 0;
	if (unlink(path) < 0 && errno != ENOENT)
		return mvn_error_set(err, -errno,
				     _("cannot remove the device node %1$s: "
				       "%2$s"),
				     path, strerror(errno));
	return 0;
}

/*
 * A numeric user or group id: 0 to 4294967294 ((uid_t)-1 means "leave
 * unchanged" to chown), never wrapped around.
 */
static int parse_id(const char *s, const char *what, unsigned int *out,
		    struct mvn_error *err)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v >= 0xffffffffULL)
		return mvn_error_set(err, -ERANGE,
				     _("%1$s id '%2$s' is out of range (give "
				       "a number from 0 to 4294967294, or a "
				       "name)"),
				     what, s);
	*out = (unsigned int)v;
	return 0;
}

int mvn_tap_owner(const char *spec, uid_t *uid, gid_t *gid, bool *has_group,
		  struct mvn_error *err)
{
	char user[256], *group;
	unsigned int id;
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
			if (parse_id(user, _("user"), &id, err) < 0)
				return err->code;
			*uid = (uid_t)id;
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
			if (parse_id(group, _("group"), &id, err) < 0)
				return err->code;
			*gid = (gid_t)id;
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
