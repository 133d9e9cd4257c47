/*
 * Unit tests of the store: definitions, autostart links, the store's id,
 * the locks (held against helper processes, since POSIX locks never
 * exclude their own process) and the state files, each test in a fresh
 * temporary directory of its own.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "store.h"

#define XML_A "<network name='a'/>\n"
#define XML_B "<network name='a'><lower dev='eth0'/></network>\n"

struct fixture {
	char root[1024];
	char cfg[1100];
	char run[1100];
	char nets[1200];
	char states[1200];
	struct mvn_store *st;
};

static int setup(void **state)
{
	struct fixture *f;
	const char *tmp = getenv("TMPDIR");
	struct mvn_error err = { 0 };

	f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "%s/mvn-store-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	snprintf(f->cfg, sizeof(f->cfg), "%s/etc", f->root);
	snprintf(f->run, sizeof(f->run), "%s/run", f->root);
	snprintf(f->nets, sizeof(f->nets), "%s/networks", f->cfg);
	snprintf(f->states, sizeof(f->states), "%s/networks", f->run);
	*state = f;
	if (mvn_store_open(f->cfg, f->run, &f->st, &err) < 0) {
		fprintf(stderr, "# %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Remove everything below the directory fd, then close it. */
static void remove_below(int fd)
{
	struct dirent *de;
	DIR *d = fdopendir(fd);
	int sub;

	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			continue;
		sub = openat(dirfd(d), de->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			remove_below(sub);
		unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mvn_store_free(f->st);
	remove_below(open(f->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	rmdir(f->root);
	free(f);
	return 0;
}

/* Put dir/name into buf, PATH_MAX bytes. */
static void path_in(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	assert_true(n > 0 && n < PATH_MAX);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Read a small file into buf; return its length. */
static size_t read_file(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return n;
}

/* The sorted names in dir other than "." and "..", joined with spaces. */
static void dir_names(const char *dir, char *out, size_t size)
{
	struct dirent **list;
	int i, n;

	n = scandir(dir, &list, NULL, alphasort);
	assert_true(n >= 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(list[i]->d_name, ".") &&
		    strcmp(list[i]->d_name, "..")) {
			if (out[0])
				strncat(out, " ", size - strlen(out) - 1);
			strncat(out, list[i]->d_name, size - strlen(out) - 1);
		}
		free(list[i]);
	}
	free(list);
}

static void assert_error(const struct mvn_error *err, int code,
			 const char *mention)
{
	assert_int_equal(err->code, code);
	assert_true(strlen(err->msg) > 0);
	assert_non_null(strstr(err->msg, mention));
}

static void test_open_creates_dirs(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];
	struct stat sb;

	assert_string_equal(mvn_store_config_dir(f->st), f->cfg);
	assert_string_equal(mvn_store_run_dir(f->st), f->run);
	assert_int_equal(lstat(f->cfg, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(lstat(f->nets, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	path_in(p, f->nets, "autostart");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(lstat(f->run, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	/* The id is all the run directory gets until state is written. */
	dir_names(f->run, p, sizeof(p));
	assert_string_equal(p, "id");
	mvn_store_free(NULL);
}

static void test_trailing_slash_stripped(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	struct mvn_store *st = NULL;
	char cfg[PATH_MAX + 2], run[PATH_MAX + 2];

	snprintf(cfg, sizeof(cfg), "%s//", f->cfg);
	snprintf(run, sizeof(run), "%s/", f->run);
	assert_int_equal(mvn_store_open(cfg, run, &st, &err), 0);
	assert_string_equal(mvn_store_config_dir(st), f->cfg);
	assert_string_equal(mvn_store_run_dir(st), f->run);
	mvn_store_free(st);
}

static void test_save_load_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], buf[256];
	struct stat sb;
	char *xml = NULL;

	assert_int_equal(mvn_store_save_network(f->st, "a", XML_A, &err), 0);
	path_in(p, f->nets, "a.xml");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	read_file(p, buf, sizeof(buf));
	assert_string_equal(buf, XML_A);

	assert_int_equal(mvn_store_load_network(f->st, "a", &xml, &err), 0);
	assert_non_null(xml);
	assert_string_equal(xml, XML_A);
	free(xml);
}

static void test_load_missing(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char *xml = NULL;

	assert_int_equal(mvn_store_load_network(f->st, "nope", &xml, &err),
			 -ENOENT);
	assert_null(xml);
	assert_error(&err, -ENOENT, "'nope'");
}

static void test_save_replaces_atomically(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], names[1024];
	struct stat before, after;
	char *xml = NULL;

	assert_int_equal(mvn_store_save_network(f->st, "a", XML_A, &err), 0);
	path_in(p, f->nets, "a.xml");
	assert_int_equal(stat(p, &before), 0);
	assert_int_equal(mvn_store_save_network(f->st, "a", XML_B, &err), 0);
	assert_int_equal(stat(p, &after), 0);
	/* A new inode renamed into place, not the old file rewritten. */
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(mvn_store_load_network(f->st, "a", &xml, &err), 0);
	assert_string_equal(xml, XML_B);
	free(xml);
	/* No temporary file is left behind. */
	dir_names(f->nets, names, sizeof(names));
	assert_string_equal(names, "a.xml autostart");
}

static void test_save_failure_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], names[1024];
	int ret;

	/* A directory in the way makes the rename fail. */
	path_in(p, f->nets, "d.xml");
	assert_int_equal(mkdir(p, 0755), 0);
	ret = mvn_store_save_network(f->st, "d", XML_A, &err);
	assert_true(ret < 0);
	assert_error(&err, ret, "d.xml");
	dir_names(f->nets, names, sizeof(names));
	assert_string_equal(names, "autostart d.xml");
}

static void test_list_sorted_ignores_junk(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	const char *want[] = { "Z", "a", "b", "c-1", "\xc3\xa9t\xc3\xa9" };
	char p[PATH_MAX], q[PATH_MAX];
	char **names = NULL;
	size_t i;

	assert_int_equal(mvn_store_save_network(f->st, "b", XML_A, &err), 0);
	assert_int_equal(mvn_store_save_network(f->st, "c-1", XML_A, &err), 0);
	assert_int_equal(mvn_store_save_network(f->st, "a", XML_A, &err), 0);
	assert_int_equal(mvn_store_save_network(f->st, want[4], XML_A, &err),
			 0);
	assert_int_equal(mvn_store_save_network(f->st, "Z", XML_A, &err), 0);
	path_in(p, f->nets, "notes.txt");
	write_file(p, "x", 1);
	path_in(p, f->nets, "b.xml~");
	write_file(p, "x", 1);
	path_in(p, f->nets, ".hidden.xml");
	write_file(p, "x", 1);
	path_in(p, f->nets, ".xml");
	write_file(p, "x", 1);
	path_in(p, f->nets, ".a.xml.Ab12Cd");
	write_file(p, "x", 1);
	path_in(p, f->nets, "sub.xml");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(p, f->nets, "link.xml");
	path_in(q, f->nets, "a.xml");
	assert_int_equal(symlink(q, p), 0);

	assert_int_equal(mvn_store_list_networks(f->st, &names, &err), 0);
	assert_non_null(names);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_non_null(names[i]);
		assert_string_equal(names[i], want[i]);
	}
	assert_null(names[i]);
	mvn_store_names_free(names);
	mvn_store_names_free(NULL);
}

static void test_list_empty(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char **names = NULL;

	assert_int_equal(mvn_store_list_networks(f->st, &names, &err), 0);
	assert_non_null(names);
	assert_null(names[0]);
	mvn_store_names_free(names);
}

static void test_delete_removes_file_and_link(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], names[1024];
	struct stat sb;

	assert_int_equal(mvn_store_save_network(f->st, "a", XML_A, &err), 0);
	assert_int_equal(mvn_store_save_network(f->st, "b", XML_A, &err), 0);
	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	path_in(p, f->nets, "autostart/a.xml");
	assert_int_equal(lstat(p, &sb), 0);

	assert_int_equal(mvn_store_delete_network(f->st, "a", &err), 0);
	assert_int_equal(lstat(p, &sb), -1);
	assert_int_equal(errno, ENOENT);
	path_in(p, f->nets, "a.xml");
	assert_int_equal(lstat(p, &sb), -1);
	assert_int_equal(errno, ENOENT);
	dir_names(f->nets, names, sizeof(names));
	assert_string_equal(names, "autostart b.xml");
	path_in(p, f->nets, "autostart");
	dir_names(p, names, sizeof(names));
	assert_string_equal(names, "");
	assert_false(mvn_store_get_autostart(f->st, "a"));
}

static void test_delete_missing(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };

	assert_int_equal(mvn_store_delete_network(f->st, "ghost", &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, "'ghost'");
}

static void test_invalid_names(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "",  "a/b",  ".hidden",	"../x",	  "..",
			      ".", "a\nb", "tab\there", "del\x7f" };
	char longname[300], names[1024], p[PATH_MAX];
	struct mvn_error err;
	char *xml = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(mvn_store_name_valid(bad[i]));
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_save_network(f->st, bad[i], XML_A,
							&err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "network name");
		assert_int_equal(mvn_store_load_network(f->st, bad[i], &xml,
							&err),
				 -EINVAL);
		assert_null(xml);
		assert_int_equal(mvn_store_delete_network(f->st, bad[i], &err),
				 -EINVAL);
		assert_int_equal(mvn_store_set_autostart(f->st, bad[i], true,
							 &err),
				 -EINVAL);
		assert_false(mvn_store_get_autostart(f->st, bad[i]));
	}
	/* The message quotes the bad name, control characters made safe. */
	mvn_store_save_network(f->st, "a/b", XML_A, &err);
	assert_non_null(strstr(err.msg, "'a/b'"));
	mvn_store_save_network(f->st, "../x", XML_A, &err);
	assert_non_null(strstr(err.msg, "'../x'"));
	mvn_store_save_network(f->st, "a\nb", XML_A, &err);
	assert_non_null(strstr(err.msg, "'a?b'"));
	assert_null(strchr(err.msg, '\n'));
	assert_false(mvn_store_name_valid(NULL));

	/* NAME.xml and its temporary file must fit in a directory entry. */
	memset(longname, 'n', sizeof(longname));
	longname[243] = '\0';
	assert_true(mvn_store_name_valid(longname));
	assert_int_equal(mvn_store_save_network(f->st, longname, XML_A, &err),
			 0);
	assert_int_equal(mvn_store_delete_network(f->st, longname, &err), 0);
	longname[243] = 'n';
	longname[244] = '\0';
	assert_false(mvn_store_name_valid(longname));
	assert_int_equal(mvn_store_save_network(f->st, longname, XML_A, &err),
			 -EINVAL);

	assert_true(mvn_store_name_valid("net-1"));
	assert_true(mvn_store_name_valid("a.b"));

	/* Nothing was written anywhere. */
	dir_names(f->nets, names, sizeof(names));
	assert_string_equal(names, "autostart");
	path_in(p, f->nets, "autostart");
	dir_names(p, names, sizeof(names));
	assert_string_equal(names, "");
	dir_names(f->cfg, names, sizeof(names));
	assert_string_equal(names, "networks");
	dir_names(f->root, names, sizeof(names));
	assert_string_equal(names, "etc run");
}

static void test_autostart(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], target[PATH_MAX];
	struct stat sb;
	ssize_t n;

	assert_int_equal(mvn_store_save_network(f->st, "a", XML_A, &err), 0);
	assert_false(mvn_store_get_autostart(f->st, "a"));

	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	assert_true(mvn_store_get_autostart(f->st, "a"));
	path_in(p, f->nets, "autostart/a.xml");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	n = readlink(p, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../a.xml");
	/* The link reaches the definition. */
	assert_int_equal(stat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));

	/* Turning it on twice, or off twice, is harmless. */
	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	assert_true(mvn_store_get_autostart(f->st, "a"));
	assert_int_equal(mvn_store_set_autostart(f->st, "a", false, &err), 0);
	assert_false(mvn_store_get_autostart(f->st, "a"));
	assert_int_equal(lstat(p, &sb), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mvn_store_set_autostart(f->st, "a", false, &err), 0);

	/* A link pointing elsewhere does not count, and is replaced. */
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_false(mvn_store_get_autostart(f->st, "a"));
	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	n = readlink(p, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "../a.xml");

	/* Only defined networks can be marked. */
	assert_int_equal(mvn_store_set_autostart(f->st, "ghost", true, &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, "'ghost'");
	assert_false(mvn_store_get_autostart(f->st, "ghost"));
	path_in(p, f->nets, "autostart/ghost.xml");
	assert_int_equal(lstat(p, &sb), -1);
}

static void expect_open_refused(const char *cfg, const char *run, int code,
				const char *mention)
{
	struct mvn_error err = { 0 };
	struct mvn_store *st = NULL;

	assert_int_equal(mvn_store_open(cfg, run, &st, &err), code);
	assert_null(st);
	assert_error(&err, code, mention);
}

static void test_symlinked_dirs_refused(void **state)
{
	struct fixture *f = *state;
	char real[PATH_MAX], link[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
	char r[PATH_MAX], names[1024];

	path_in(real, f->root, "real");
	path_in(link, f->root, "link");
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);

	/* The configuration directory, with or without a trailing slash. */
	expect_open_refused(link, f->run, -ELOOP, link);
	path_in(p, link, "");
	expect_open_refused(p, f->run, -ELOOP, link);
	/* The run directory. */
	expect_open_refused(f->cfg, link, -ELOOP, link);
	/* Nothing was created behind the links. */
	dir_names(real, names, sizeof(names));
	assert_string_equal(names, "");

	/* The networks and autostart directories below a real one. */
	path_in(p, f->root, "cfg2");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(q, p, "networks");
	assert_int_equal(symlink(real, q), 0);
	expect_open_refused(p, f->run, -ELOOP, q);
	assert_int_equal(unlink(q), 0);
	assert_int_equal(mkdir(q, 0755), 0);
	path_in(r, q, "autostart");
	assert_int_equal(symlink(real, r), 0);
	expect_open_refused(p, f->run, -ELOOP, r);

	/* A file where a directory should be. */
	path_in(p, f->root, "file");
	write_file(p, "x", 1);
	expect_open_refused(p, f->run, -ENOTDIR, p);
}

static void test_writable_dirs_refused(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	assert_int_equal(chmod(f->cfg, 0775), 0);
	expect_open_refused(f->cfg, f->run, -EPERM, f->cfg);
	assert_int_equal(chmod(f->cfg, 0755), 0);

	assert_int_equal(chmod(f->nets, 0757), 0);
	expect_open_refused(f->cfg, f->run, -EPERM, f->nets);
	assert_int_equal(chmod(f->nets, 0755), 0);

	path_in(p, f->nets, "autostart");
	assert_int_equal(chmod(p, 0775), 0);
	expect_open_refused(f->cfg, f->run, -EPERM, p);
	assert_int_equal(chmod(p, 0755), 0);

	assert_int_equal(chmod(f->run, 0777), 0);
	expect_open_refused(f->cfg, f->run, -EPERM, f->run);
	assert_int_equal(chmod(f->run, 0755), 0);

	/* Only root can hand a directory to another user. */
	if (geteuid() == 0) {
		assert_int_equal(chown(f->run, 4242, 4242), 0);
		expect_open_refused(f->cfg, f->run, -EPERM, "4242");
		assert_int_equal(chown(f->run, 0, 0), 0);
	}
}

static void test_load_symlink_refused(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX];
	char *xml = NULL;

	assert_int_equal(mvn_store_save_network(f->st, "a", XML_A, &err), 0);
	path_in(p, f->nets, "b.xml");
	assert_int_equal(symlink("a.xml", p), 0);
	assert_int_equal(mvn_store_load_network(f->st, "b", &xml, &err),
			 -ELOOP);
	assert_null(xml);
	assert_error(&err, -ELOOP, p);

	/* Also one pointing out of the directory. */
	path_in(q, f->root, "outside.xml");
	write_file(q, XML_B, strlen(XML_B));
	path_in(p, f->nets, "c.xml");
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_load_network(f->st, "c", &xml, &err),
			 -ELOOP);
	assert_null(xml);
	assert_error(&err, -ELOOP, "c.xml");

	/* A directory named like a definition is not one either. */
	path_in(p, f->nets, "d.xml");
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(mvn_store_load_network(f->st, "d", &xml, &err),
			 -EINVAL);
	assert_null(xml);
	assert_error(&err, -EINVAL, p);
}

static void test_load_too_big(void **state)
{
	struct fixture *f = *state;
	const size_t mib = 1024 * 1024;
	struct mvn_error err = { 0 };
	char p[PATH_MAX];
	char *big, *xml = NULL;

	big = malloc(mib + 1);
	assert_non_null(big);
	memset(big, ' ', mib + 1);

	/* Exactly 1 MiB is still read. */
	path_in(p, f->nets, "edge.xml");
	write_file(p, big, mib);
	assert_int_equal(mvn_store_load_network(f->st, "edge", &xml, &err), 0);
	assert_int_equal(strlen(xml), mib);
	free(xml);
	xml = NULL;

	path_in(p, f->nets, "big.xml");
	write_file(p, big, mib + 1);
	free(big);
	assert_int_equal(mvn_store_load_network(f->st, "big", &xml, &err),
			 -EFBIG);
	assert_null(xml);
	assert_error(&err, -EFBIG, p);
}

/*
 * A definition or state file another user owns or can write is refused
 * with the reason: such a file would steer what root does.
 */
static void test_load_untrusted_refused(void **state)
{
	static const struct {
		mode_t mode;
		uid_t uid;
		const char *why;
	} cases[] = {
		{ 0666, 0, "is writable by other users" },
		{ 0620, 0, "is writable by other users" },
		{ 0600, 65534, "belongs to user 65534" },
	};
	struct fixture *f = *state;
	char p[PATH_MAX], *text = NULL;
	size_t i;

	path_in(p, f->nets, "u.xml");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mvn_error err = { 0 };

		write_file(p, XML_A, strlen(XML_A));
		assert_int_equal(chmod(p, cases[i].mode), 0);
		if (cases[i].uid && geteuid() != 0)
			continue; /* only root can give a file away */
		assert_int_equal(chown(p, cases[i].uid, (gid_t)-1), 0);
		assert_int_equal(mvn_store_load_network(f->st, "u", &text,
							&err),
				 -EPERM);
		assert_null(text);
		assert_error(&err, -EPERM, cases[i].why);
		assert_int_equal(unlink(p), 0);
	}
	/* The state of a network, the same. */
	assert_int_equal(mvn_store_state_write(f->st, "n", "x\n", NULL), 0);
	path_in(p, f->run, "networks/n.state");
	assert_int_equal(chmod(p, 0602), 0);
	{
		struct mvn_error err = { 0 };

		assert_int_equal(mvn_store_state_read(f->st, "n", &text, &err),
				 -EPERM);
		assert_error(&err, -EPERM, "is writable by other users");
	}
}

/* Read one byte from fd within ms milliseconds; 0 on timeout. */
static int read_within(int fd, char *c, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int n;

	n = poll(&pfd, 1, ms);
	if (n <= 0)
		return n;
	return (int)read(fd, c, 1);
}

/* Read a file's text into a new string (the caller frees it). */
static char *slurp(const char *path)
{
	char *buf = malloc(4096);

	assert_non_null(buf);
	read_file(path, buf, 4096);
	return buf;
}

static bool is_lower_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strchr("0123456789abcdef", s[i]) || !s[i])
			return false;
	}
	return true;
}

static void test_store_id_made_once(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	struct mvn_store *st = NULL;
	char p[PATH_MAX], run2[PATH_MAX], buf[64], first[17];
	struct stat before, after;

	path_in(p, f->run, "id");
	assert_int_equal(lstat(p, &before), 0);
	assert_true(S_ISREG(before.st_mode));
	assert_int_equal(before.st_mode & 07777, 0600);
	assert_int_equal(read_file(p, buf, sizeof(buf)), 17);
	assert_true(is_lower_hex(buf, 16));
	assert_int_equal(buf[16], '\n');
	assert_int_equal(strlen(mvn_store_id(f->st)), 16);
	assert_memory_equal(mvn_store_id(f->st), buf, 16);
	memcpy(first, buf, 16);
	first[16] = '\0';

	/* Opened again, the store keeps its id and its file. */
	assert_int_equal(mvn_store_open(f->cfg, f->run, &st, &err), 0);
	assert_string_equal(mvn_store_id(st), first);
	mvn_store_free(st);
	st = NULL;
	assert_int_equal(lstat(p, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	read_file(p, buf, sizeof(buf));
	assert_memory_equal(buf, first, 16);
	/* No temporary file was left beside it. */
	dir_names(f->run, buf, sizeof(buf));
	assert_string_equal(buf, "id");

	/* Another run directory is another store, with an id of its own. */
	path_in(run2, f->root, "run2");
	assert_int_equal(mvn_store_open(f->cfg, run2, &st, &err), 0);
	assert_true(is_lower_hex(mvn_store_id(st), 16));
	assert_string_not_equal(mvn_store_id(st), first);
	mvn_store_free(st);
}

static void test_store_id_one_for_all(void **state)
{
	struct fixture *f = *state;
	char run3[PATH_MAX], p[PATH_MAX], id[17], want[64];
	int go[2], ids[2], i, status;
	pid_t pids[6];

	/* Processes opening a new store at once all end up with one id. */
	path_in(run3, f->root, "run3");
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ids), 0);
	for (i = 0; i < 6; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct mvn_store *st = NULL;
			char c;

			alarm(30);
			close(go[1]);
			close(ids[0]);
			/* Start together, when the parent closes the pipe. */
			if (read(go[0], &c, 1) != 0)
				_exit(2);
			if (mvn_store_open(f->cfg, run3, &st, NULL) < 0)
				_exit(3);
			if (write(ids[1], mvn_store_id(st), 16) != 16)
				_exit(4);
			mvn_store_free(st);
			_exit(0);
		}
	}
	close(go[0]);
	close(ids[1]);
	close(go[1]);
	for (i = 0; i < 6; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	path_in(p, run3, "id");
	assert_int_equal(read_file(p, want, sizeof(want)), 17);
	want[16] = '\0';
	id[16] = '\0';
	for (i = 0; i < 6; i++) {
		assert_int_equal(read(ids[0], id, 16), 16);
		assert_string_equal(id, want);
	}
	close(ids[0]);
	dir_names(run3, p, sizeof(p));
	assert_string_equal(p, "id");
}

static void test_store_id_damaged(void **state)
{
	struct fixture *f = *state;
	const struct {
		const char *text;
		const char *quoted;
	} bad[] = {
		{ "xyz\n", "'xyz'" },
		{ "0123456789ABCDEF\n", "'0123456789ABCDEF'" },
		{ "0123456789abcde\n", "'0123456789abcde'" },
		{ "0123456789abcdef0\n", "'0123456789abcdef0'" },
		{ "0123456789abcdef\n\n", "'0123456789abcdef?'" },
		{ "", "''" },
		{ " 0123456789abcdef", "' 0123456789abcdef'" },
	};
	struct mvn_error err = { 0 };
	struct mvn_store *st = NULL;
	char p[PATH_MAX], q[PATH_MAX], buf[64];
	size_t i;

	mvn_store_free(f->st);
	f->st = NULL;
	path_in(p, f->run, "id");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(p, bad[i].text, strlen(bad[i].text));
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_open(f->cfg, f->run, &st, &err),
				 -EINVAL);
		assert_null(st);
		assert_error(&err, -EINVAL, p);
		assert_non_null(strstr(err.msg, bad[i].quoted));
		assert_non_null(strstr(err.msg, "ip -d link show"));
		assert_non_null(strstr(err.msg, "restore it"));
		/* The damaged id is left for the admin to repair. */
		assert_int_equal(read_file(p, buf, sizeof(buf)),
				 strlen(bad[i].text));
	}
	/* Binary junk is quoted without breaking the line. */
	write_file(p, "ab\001cd\n", 6);
	assert_int_equal(mvn_store_open(f->cfg, f->run, &st, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'ab?cd'"));
	assert_null(strchr(err.msg, '\n'));

	/* An id restored by hand, with or without its newline, is taken. */
	write_file(p, "0123456789abcdef", 16);
	assert_int_equal(mvn_store_open(f->cfg, f->run, &st, &err), 0);
	assert_string_equal(mvn_store_id(st), "0123456789abcdef");
	mvn_store_free(st);
	st = NULL;

	/* A symbolic link or a directory is not an id. */
	assert_int_equal(unlink(p), 0);
	path_in(q, f->root, "other-id");
	write_file(q, "0123456789abcdef\n", 17);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_open(f->cfg, f->run, &st, &err), -ELOOP);
	assert_null(st);
	assert_error(&err, -ELOOP, p);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(mvn_store_open(f->cfg, f->run, &st, &err), -EINVAL);
	assert_null(st);
	assert_error(&err, -EINVAL, p);
}

/*
 * A helper process with a store handle of its own, taking and releasing
 * locks on command, so that a test can hold a lock against another
 * process.  Commands, one byte each: 's' store lock shared, 'x' exclusive,
 * 'a' network "lan", 'b' network "wan", 'g' the groups lock (each tried
 * once); 'X' store lock exclusive, waiting up to 10 s and sending 'n' when
 * told it waits; 'u' release everything; 'q' quit.  Answers: '0' done,
 * 'T' -ETIMEDOUT, 'E' any other failure.
 */
struct helper {
	pid_t pid;
	int to;
	int from;
};

static void helper_notice(void *arg, const char *msg)
{
	int fd = *(int *)arg;

	(void)msg;
	if (write(fd, "n", 1) != 1)
		_exit(5);
}

static void helper_main(const struct fixture *f, int in, int out)
{
	struct mvn_lock_wait wait = { .timeout_ms = 10000,
				      .notice_ms = 0,
				      .notice = helper_notice,
				      .arg = &out };
	struct mvn_store *st = NULL;
	char c, answer;
	int ret;

	alarm(60);
	if (mvn_store_open(f->cfg, f->run, &st, NULL) < 0)
		_exit(2);
	while (read(in, &c, 1) == 1 && c != 'q') {
		ret = 0;
		if (c == 's')
			ret = mvn_store_lock(st, false, NULL, NULL);
		else if (c == 'x')
			ret = mvn_store_lock(st, true, NULL, NULL);
		else if (c == 'X')
			ret = mvn_store_lock(st, true, &wait, NULL);
		else if (c == 'a')
			ret = mvn_store_lock_network(st, "lan", NULL, NULL);
		else if (c == 'b')
			ret = mvn_store_lock_network(st, "wan", NULL, NULL);
		else if (c == 'g')
			ret = mvn_store_lock_groups(st, NULL, NULL);
		else if (c == 'u')
			mvn_store_unlock(st);
		else
			_exit(3);
		answer = ret == 0 ? '0' : ret == -ETIMEDOUT ? 'T' : 'E';
		if (write(out, &answer, 1) != 1)
			_exit(4);
	}
	mvn_store_free(st);
	_exit(0);
}

static void helper_start(const struct fixture *f, struct helper *h)
{
	int to[2], from[2];

	assert_int_equal(pipe(to), 0);
	assert_int_equal(pipe(from), 0);
	h->pid = fork();
	assert_true(h->pid >= 0);
	if (h->pid == 0) {
		close(to[1]);
		close(from[0]);
		helper_main(f, to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	h->to = to[1];
	h->from = from[0];
}

/* The helper's next answer, waiting at most 20 s for it. */
static char helper_answer(const struct helper *h)
{
	char c = 0;

	assert_int_equal(read_within(h->from, &c, 20000), 1);
	return c;
}

static char helper_ask(const struct helper *h, char cmd)
{
	assert_int_equal(write(h->to, &cmd, 1), 1);
	return helper_answer(h);
}

static void helper_stop(struct helper *h)
{
	int status;

	assert_int_equal(write(h->to, "q", 1), 1);
	assert_int_equal(waitpid(h->pid, &status, 0), h->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(h->to);
	close(h->from);
}

/* "process PID (COMM)" as the store should name the helper. */
static void helper_named(const struct helper *h, char *buf, size_t size)
{
	char path[64], comm[64];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)h->pid);
	n = read_file(path, comm, sizeof(comm));
	while (n > 0 && comm[n - 1] == '\n')
		comm[--n] = '\0';
	snprintf(buf, size, "process %d (%s)", (int)h->pid, comm);
}

static void test_lock_files(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX], names[1024];
	struct stat sb;

	mvn_store_unlock(f->st); /* nothing held: a no-op */
	mvn_store_unlock_network(f->st, "lan");
	mvn_store_unlock_groups(f->st);
	assert_int_equal(mvn_store_lock(f->st, false, NULL, &err), 0);
	assert_int_equal(mvn_store_lock_groups(f->st, NULL, &err), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "lan", NULL, &err), 0);
	/* Taking a held lock again is a no-op. */
	assert_int_equal(mvn_store_lock(f->st, false, NULL, &err), 0);
	assert_int_equal(mvn_store_lock_groups(f->st, NULL, &err), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "lan", NULL, &err), 0);
	path_in(p, f->run, "lock");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	path_in(p, f->run, "groups.lock");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	path_in(p, f->states, "lan.lock");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(lstat(f->states, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	/* Releasing keeps the files for the next taker. */
	mvn_store_unlock(f->st);
	dir_names(f->run, names, sizeof(names));
	assert_string_equal(names, "groups.lock id lock networks");
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "lan.lock");

	/* A lock file that is a symbolic link is not followed. */
	path_in(q, f->root, "elsewhere");
	path_in(p, f->run, "lock");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), -ELOOP);
	assert_error(&err, -ELOOP, p);
	assert_int_equal(lstat(q, &sb), -1);
	/* A FIFO, or a directory, is no lock file either. */
	path_in(p, f->states, "wan.lock");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "wan", NULL, &err),
			 -EINVAL);
	assert_error(&err, -EINVAL, p);
	path_in(p, f->run, "groups.lock");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkdir(p, 0700), 0);
	assert_true(mvn_store_lock_groups(f->st, NULL, &err) < 0);
	assert_non_null(strstr(err.msg, p));

	/* A bad network name never becomes a path. */
	assert_int_equal(mvn_store_lock_network(f->st, "../lock", NULL, &err),
			 -EINVAL);
	assert_error(&err, -EINVAL, "'../lock'");
	assert_int_equal(mvn_store_lock_network(f->st, "", NULL, &err),
			 -EINVAL);
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "lan.lock wan.lock");
}

static void test_store_lock_shared_and_exclusive(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	struct helper h;
	char holder[128];

	assert_int_equal(mvn_store_lock(f->st, false, NULL, &err), 0);
	helper_start(f, &h);
	helper_named(&h, holder, sizeof(holder));
	/* Two processes share the lock... */
	assert_int_equal(helper_ask(&h, 's'), '0');
	/* ...and neither can have it alone while the other shares it. */
	assert_int_equal(helper_ask(&h, 'x'), 'T');
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), -ETIMEDOUT);
	assert_error(&err, -ETIMEDOUT, holder);
	assert_non_null(strstr(err.msg, f->run));
	assert_non_null(strstr(err.msg, "try again"));
	/* The failed upgrade kept the shared lock. */
	assert_int_equal(helper_ask(&h, 'u'), '0');
	assert_int_equal(helper_ask(&h, 'x'), 'T');
	assert_int_equal(helper_ask(&h, 'u'), '0');
	/* Alone, the shared lock is upgraded in place. */
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), 0);
	assert_int_equal(helper_ask(&h, 's'), 'T');
	/* Asking for it shared now keeps it exclusive. */
	assert_int_equal(mvn_store_lock(f->st, false, NULL, &err), 0);
	assert_int_equal(helper_ask(&h, 's'), 'T');
	mvn_store_unlock(f->st);
	assert_int_equal(helper_ask(&h, 'x'), '0');
	assert_int_equal(mvn_store_lock(f->st, false, NULL, &err), -ETIMEDOUT);
	assert_error(&err, -ETIMEDOUT, holder);
	helper_stop(&h);
	/* The helper is gone, and its lock with it. */
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), 0);
}

static void test_lock_blocks_second_handle(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	struct helper h;

	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), 0);
	helper_start(f, &h);
	assert_int_equal(write(h.to, "X", 1), 1);
	/* The helper says it waits for our lock... */
	assert_int_equal(helper_answer(&h), 'n');
	mvn_store_unlock(f->st);
	/* ...and takes it once we let go. */
	assert_int_equal(helper_answer(&h), '0');
	assert_int_equal(mvn_store_lock(f->st, false, NULL, &err), -ETIMEDOUT);
	helper_stop(&h);
}

struct notices {
	int calls;
	char msg[512];
};

static void record_notice(void *arg, const char *msg)
{
	struct notices *n = arg;

	n->calls++;
	snprintf(n->msg, sizeof(n->msg), "%s", msg);
}

static long long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000LL +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void test_lock_timeout_names_holder(void **state)
{
	struct fixture *f = *state;
	struct notices seen = { 0 };
	struct mvn_lock_wait w = { .timeout_ms = 300,
				   .notice_ms = 100,
				   .notice = record_notice,
				   .arg = &seen };
	struct mvn_error err = { 0 };
	struct timespec t0;
	struct helper h;
	char holder[128];
	long long ms;

	helper_start(f, &h);
	helper_named(&h, holder, sizeof(holder));
	assert_int_equal(helper_ask(&h, 'x'), '0');

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mvn_store_lock(f->st, false, &w, &err), -ETIMEDOUT);
	ms = ms_since(&t0);
	assert_true(ms >= 300);
	assert_true(ms < 5000);
	assert_error(&err, -ETIMEDOUT, holder);
	assert_non_null(strstr(err.msg, "the macvnet store in"));
	assert_non_null(strstr(err.msg, f->run));
	assert_non_null(strstr(err.msg, "still locked"));
	assert_non_null(strstr(err.msg, "after 300 ms"));
	assert_non_null(strstr(err.msg, "stop that process"));
	assert_null(strchr(err.msg, '\n'));
	/* Told once that it waits, and for whom. */
	assert_int_equal(seen.calls, 1);
	assert_non_null(strstr(seen.msg, "waiting for"));
	assert_non_null(strstr(seen.msg, holder));
	assert_non_null(strstr(seen.msg, f->run));
	assert_null(strchr(seen.msg, '\n'));

	/* No notice when the wait ends first. */
	memset(&seen, 0, sizeof(seen));
	w.timeout_ms = 50;
	w.notice_ms = 1000;
	assert_int_equal(mvn_store_lock(f->st, true, &w, &err), -ETIMEDOUT);
	assert_int_equal(seen.calls, 0);

	/* Whole seconds are said in seconds. */
	w.timeout_ms = 1000;
	w.notice_ms = 500;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mvn_store_lock(f->st, true, &w, &err), -ETIMEDOUT);
	assert_true(ms_since(&t0) >= 1000);
	assert_non_null(strstr(err.msg, "after 1 s"));
	assert_int_equal(seen.calls, 1);

	/* Trying once (or with no wait given) fails at once. */
	w.timeout_ms = 0;
	w.notice_ms = 0;
	memset(&seen, 0, sizeof(seen));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mvn_store_lock(f->st, true, &w, &err), -ETIMEDOUT);
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), -ETIMEDOUT);
	assert_true(ms_since(&t0) < 1000);
	assert_error(&err, -ETIMEDOUT, holder);
	assert_int_equal(seen.calls, 0);

	/* A network's lock names the network. */
	assert_int_equal(helper_ask(&h, 'a'), '0');
	w.timeout_ms = 100;
	assert_int_equal(mvn_store_lock_network(f->st, "lan", &w, &err),
			 -ETIMEDOUT);
	assert_error(&err, -ETIMEDOUT, "network 'lan' is still locked by");
	assert_non_null(strstr(err.msg, holder));
	helper_stop(&h);
}

static void test_network_locks(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	struct helper h;
	char holder[128];

	helper_start(f, &h);
	helper_named(&h, holder, sizeof(holder));
	assert_int_equal(helper_ask(&h, 'a'), '0');
	/* Another network is free; the same one is not. */
	assert_int_equal(mvn_store_lock_network(f->st, "wan", NULL, &err), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "lan", NULL, &err),
			 -ETIMEDOUT);
	assert_error(&err, -ETIMEDOUT, "network 'lan'");
	assert_non_null(strstr(err.msg, holder));
	assert_int_equal(helper_ask(&h, 'b'), 'T');
	/* The groups lock is a lock of its own. */
	assert_int_equal(mvn_store_lock_groups(f->st, NULL, &err), 0);
	assert_int_equal(helper_ask(&h, 'g'), 'T');
	assert_int_equal(helper_ask(&h, 's'), '0');

	/* Releasing one lock keeps the others. */
	mvn_store_unlock_network(f->st, "wan");
	assert_int_equal(helper_ask(&h, 'b'), '0');
	assert_int_equal(helper_ask(&h, 'g'), 'T');
	mvn_store_unlock_groups(f->st);
	assert_int_equal(helper_ask(&h, 'g'), '0');

	assert_int_equal(helper_ask(&h, 'u'), '0');
	assert_int_equal(mvn_store_lock_network(f->st, "lan", NULL, &err), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "wan", NULL, &err), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "lan", NULL, &err), 0);
	mvn_store_unlock_network(f->st, "lan");
	assert_int_equal(helper_ask(&h, 'a'), '0');
	assert_int_equal(helper_ask(&h, 'b'), 'T');
	assert_int_equal(helper_ask(&h, 'u'), '0');

	/* Releasing all, and freeing the handle, let go of everything. */
	assert_int_equal(mvn_store_lock_network(f->st, "lan", NULL, &err), 0);
	assert_int_equal(mvn_store_lock_groups(f->st, NULL, &err), 0);
	mvn_store_unlock(f->st);
	assert_int_equal(helper_ask(&h, 'a'), '0');
	assert_int_equal(helper_ask(&h, 'g'), '0');
	assert_int_equal(helper_ask(&h, 'u'), '0');
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), 0);
	assert_int_equal(mvn_store_lock_network(f->st, "wan", NULL, &err), 0);
	assert_int_equal(mvn_store_lock_groups(f->st, NULL, &err), 0);
	mvn_store_free(f->st);
	f->st = NULL;
	assert_int_equal(helper_ask(&h, 'x'), '0');
	assert_int_equal(helper_ask(&h, 'b'), '0');
	assert_int_equal(helper_ask(&h, 'g'), '0');
	helper_stop(&h);
}

/* Assert that names holds exactly the want_n strings of want, in order. */
static void assert_names(char **names, const char *const *want, size_t want_n)
{
	size_t i;

	assert_non_null(names);
	for (i = 0; i < want_n; i++) {
		assert_non_null(names[i]);
		assert_string_equal(names[i], want[i]);
	}
	assert_null(names[i]);
	mvn_store_names_free(names);
}

static void test_state_roundtrip(void **state)
{
	struct fixture *f = *state;
	const char *both[] = { "lan", "wan" }, *wan[] = { "wan" };
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX], names[1024];
	struct stat sb, before;
	char **list = NULL, *text = NULL;

	assert_int_equal(mvn_store_state_write(f->st, "lan", "one\n", &err), 0);
	path_in(p, f->states, "lan.state");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(lstat(f->states, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0755);
	assert_int_equal(mvn_store_state_read(f->st, "lan", &text, &err), 0);
	assert_string_equal(text, "one\n");
	free(text);
	text = NULL;

	/* Replaced by a new file renamed into place. */
	assert_int_equal(lstat(p, &before), 0);
	assert_int_equal(mvn_store_state_write(f->st, "lan", "two", &err), 0);
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(before.st_ino != sb.st_ino);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(mvn_store_state_read(f->st, "lan", &text, &err), 0);
	assert_string_equal(text, "two");
	free(text);
	text = NULL;
	assert_int_equal(mvn_store_state_write(f->st, "wan", "", &err), 0);
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "lan.state wan.state");

	/* Only regular NAME.state files with a valid name are listed. */
	path_in(q, f->states, ".lan.Ab12Cd");
	write_file(q, "x", 1);
	path_in(q, f->states, ".hidden.state");
	write_file(q, "x", 1);
	path_in(q, f->states, ".state");
	write_file(q, "x", 1);
	path_in(q, f->states, "notes");
	write_file(q, "x", 1);
	path_in(q, f->states, "dir.state");
	assert_int_equal(mkdir(q, 0755), 0);
	path_in(q, f->states, "link.state");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), 0);
	assert_names(list, both, 2);

	/* Removed, it is gone from the list and reads as missing. */
	assert_int_equal(mvn_store_state_remove(f->st, "lan", &err), 0);
	assert_int_equal(lstat(p, &sb), -1);
	assert_int_equal(errno, ENOENT);
	list = NULL;
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), 0);
	assert_names(list, wan, 1);
	memset(&err, 0, sizeof(err));
	assert_int_equal(mvn_store_state_read(f->st, "lan", &text, &err),
			 -ENOENT);
	assert_null(text);
	assert_error(&err, -ENOENT, p);
	/* Removing what is not there is not an error. */
	assert_int_equal(mvn_store_state_remove(f->st, "lan", &err), 0);
	assert_int_equal(mvn_store_state_remove(f->st, "ghost", &err), 0);
}

static void test_port_roundtrip(void **state)
{
	struct fixture *f = *state;
	const char *three[] = { ".x", "eth0", "veth1" };
	const char *two[] = { ".x", "eth0" };
	struct mvn_error err = { 0 };
	char ports[PATH_MAX], p[PATH_MAX], q[PATH_MAX], names[1024];
	struct stat sb;
	char **list = NULL, *text = NULL;

	assert_int_equal(mvn_store_state_write(f->st, "lan", "head", &err), 0);
	assert_int_equal(mvn_store_port_write(f->st, "lan", "eth0", "p0", &err),
			 0);
	assert_int_equal(mvn_store_port_write(f->st, "lan", ".x", "px", &err),
			 0);
	assert_int_equal(
		mvn_store_port_write(f->st, "lan", "veth1", "p1", &err), 0);
	path_in(ports, f->states, "lan.ports");
	assert_int_equal(lstat(ports, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0755);
	path_in(p, ports, "eth0.port");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	text = slurp(p);
	assert_string_equal(text, "p0");
	free(text);
	text = NULL;
	dir_names(ports, names, sizeof(names));
	assert_string_equal(names, ".x.port eth0.port veth1.port");

	/* Replaced, and read back; ".x" is a port, not a hidden file. */
	assert_int_equal(
		mvn_store_port_write(f->st, "lan", "eth0", "p0b", &err), 0);
	assert_int_equal(mvn_store_port_read(f->st, "lan", "eth0", &text, &err),
			 0);
	assert_string_equal(text, "p0b");
	free(text);
	text = NULL;
	assert_int_equal(mvn_store_port_read(f->st, "lan", ".x", &text, &err),
			 0);
	assert_string_equal(text, "px");
	free(text);
	text = NULL;

	/* Temporary files, junk and links are not ports. */
	path_in(q, ports, ".eth0.port.Ab12Cd");
	write_file(q, "x", 1);
	path_in(q, ports, "..port");
	write_file(q, "x", 1);
	path_in(q, ports, "a:b.port");
	write_file(q, "x", 1);
	path_in(q, ports, "eth9");
	write_file(q, "x", 1);
	path_in(q, ports, "l.port");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err), 0);
	assert_names(list, three, 3);

	assert_int_equal(mvn_store_port_remove(f->st, "lan", "veth1", &err), 0);
	path_in(p, ports, "veth1.port");
	assert_int_equal(lstat(p, &sb), -1);
	list = NULL;
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err), 0);
	assert_names(list, two, 2);
	memset(&err, 0, sizeof(err));
	assert_int_equal(mvn_store_port_read(f->st, "lan", "veth1", &text,
					     &err),
			 -ENOENT);
	assert_null(text);
	assert_error(&err, -ENOENT, p);
	/* Removing a port that is not there is not an error. */
	assert_int_equal(mvn_store_port_remove(f->st, "lan", "veth1", &err), 0);
	assert_int_equal(mvn_store_port_remove(f->st, "ghost", "eth0", &err),
			 0);
	list = NULL;
	assert_int_equal(mvn_store_port_list(f->st, "ghost", &list, &err), 0);
	assert_names(list, NULL, 0);

	/* Something state_remove cannot remove keeps the state file. */
	path_in(q, ports, "sub");
	assert_int_equal(mkdir(q, 0755), 0);
	assert_true(mvn_store_state_remove(f->st, "lan", &err) < 0);
	assert_non_null(strstr(err.msg, q));
	path_in(p, f->states, "lan.state");
	assert_int_equal(lstat(p, &sb), 0);
	assert_int_equal(rmdir(q), 0);

	/* The ports, their directory, then the state go. */
	assert_int_equal(mvn_store_state_remove(f->st, "lan", &err), 0);
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "");
	list = NULL;
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err), 0);
	assert_names(list, NULL, 0);
}

static void test_state_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char where[PATH_MAX];
	char **list = NULL, *text = NULL;
	struct stat sb;

	/* A new store has no networks directory until it needs one. */
	assert_int_equal(lstat(f->states, &sb), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), 0);
	assert_names(list, NULL, 0);
	list = NULL;
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err), 0);
	assert_names(list, NULL, 0);
	assert_int_equal(mvn_store_state_read(f->st, "lan", &text, &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, "lan.state");
	assert_int_equal(mvn_store_port_read(f->st, "lan", "eth0", &text, &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, "eth0.port");
	assert_null(text);
	assert_int_equal(mvn_store_state_remove(f->st, "lan", &err), 0);
	assert_int_equal(mvn_store_port_remove(f->st, "lan", "eth0", &err), 0);
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where,
					     sizeof(where), &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, "lan.state");
	/* None of that made a directory. */
	dir_names(f->run, where, sizeof(where));
	assert_string_equal(where, "id");
}

static void test_state_dir_damaged(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], real[PATH_MAX];
	char **list = NULL, *text = NULL;

	/* A file where the directory should be is an error, not "empty". */
	write_file(f->states, "x", 1);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), -ENOTDIR);
	assert_null(list);
	assert_error(&err, -ENOTDIR, f->states);
	memset(&err, 0, sizeof(err));
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err),
			 -ENOTDIR);
	assert_null(list);
	assert_error(&err, -ENOTDIR, f->states);
	assert_int_equal(mvn_store_state_read(f->st, "lan", &text, &err),
			 -ENOTDIR);
	assert_null(text);
	assert_error(&err, -ENOTDIR, f->states);
	assert_int_equal(mvn_store_state_remove(f->st, "lan", &err), -ENOTDIR);
	assert_int_equal(mvn_store_port_remove(f->st, "lan", "eth0", &err),
			 -ENOTDIR);
	assert_int_equal(mvn_store_state_write(f->st, "lan", "x", &err),
			 -ENOTDIR);
	assert_error(&err, -ENOTDIR, f->states);

	/* So is a symbolic link to a directory. */
	assert_int_equal(unlink(f->states), 0);
	path_in(real, f->root, "real");
	assert_int_equal(mkdir(real, 0755), 0);
	path_in(p, real, "lan.state");
	write_file(p, "x", 1);
	assert_int_equal(symlink(real, f->states), 0);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), -ELOOP);
	assert_null(list);
	assert_error(&err, -ELOOP, f->states);
	assert_int_equal(mvn_store_state_read(f->st, "lan", &text, &err),
			 -ELOOP);
	assert_null(text);
	assert_int_equal(mvn_store_state_write(f->st, "wan", "x", &err),
			 -ELOOP);

	/* And a directory others may write to. */
	assert_int_equal(unlink(f->states), 0);
	assert_int_equal(mkdir(f->states, 0755), 0);
	assert_int_equal(chmod(f->states, 0777), 0);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), -EPERM);
	assert_null(list);
	assert_error(&err, -EPERM, f->states);
	assert_int_equal(chmod(f->states, 0755), 0);

	/* A ports "directory" that is a file. */
	path_in(p, f->states, "lan.ports");
	write_file(p, "x", 1);
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err),
			 -ENOTDIR);
	assert_null(list);
	assert_error(&err, -ENOTDIR, p);
	assert_int_equal(mvn_store_port_read(f->st, "lan", "eth0", &text, &err),
			 -ENOTDIR);
	assert_int_equal(mvn_store_port_write(f->st, "lan", "eth0", "x", &err),
			 -ENOTDIR);
	assert_error(&err, -ENOTDIR, p);
}

static void test_state_invalid_names(void **state)
{
	struct fixture *f = *state;
	const char *bad_nets[] = { "", "a/b", ".hidden", "..", "a\nb", NULL };
	const char *bad_ifs[] = { "",	 "a/b", ".",	"..",
				  "a:b", "a b", "a\tb", "sixteen-bytes-16" };
	struct mvn_error err;
	char **list = NULL, *text = NULL, where[PATH_MAX], names[256];
	size_t i;

	for (i = 0; i < sizeof(bad_nets) / sizeof(bad_nets[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_state_write(f->st, bad_nets[i], "x",
						       &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "network name");
		assert_int_equal(mvn_store_state_read(f->st, bad_nets[i], &text,
						      &err),
				 -EINVAL);
		assert_int_equal(mvn_store_state_remove(f->st, bad_nets[i],
							&err),
				 -EINVAL);
		assert_int_equal(mvn_store_port_write(f->st, bad_nets[i],
						      "eth0", "x", &err),
				 -EINVAL);
		assert_int_equal(mvn_store_port_read(f->st, bad_nets[i], "eth0",
						     &text, &err),
				 -EINVAL);
		assert_int_equal(mvn_store_port_remove(f->st, bad_nets[i],
						       "eth0", &err),
				 -EINVAL);
		assert_int_equal(mvn_store_port_list(f->st, bad_nets[i], &list,
						     &err),
				 -EINVAL);
		assert_int_equal(mvn_store_set_aside(f->st, bad_nets[i], NULL,
						     where, sizeof(where),
						     &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "network name");
	}
	for (i = 0; i < sizeof(bad_ifs) / sizeof(bad_ifs[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_port_write(f->st, "lan", bad_ifs[i],
						      "x", &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "interface name");
		assert_int_equal(mvn_store_port_read(f->st, "lan", bad_ifs[i],
						     &text, &err),
				 -EINVAL);
		assert_int_equal(mvn_store_port_remove(f->st, "lan", bad_ifs[i],
						       &err),
				 -EINVAL);
		assert_int_equal(mvn_store_set_aside(f->st, "lan", bad_ifs[i],
						     where, sizeof(where),
						     &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "interface name");
	}
	assert_int_equal(mvn_store_port_write(f->st, "lan", NULL, "x", &err),
			 -EINVAL);
	assert_int_equal(mvn_store_port_read(f->st, "lan", NULL, &text, &err),
			 -EINVAL);
	assert_int_equal(mvn_store_port_remove(f->st, "lan", NULL, &err),
			 -EINVAL);
	assert_error(&err, -EINVAL, "interface name");
	/* The message quotes the bad name, made safe. */
	mvn_store_port_write(f->st, "lan", "a\nb", "x", &err);
	assert_non_null(strstr(err.msg, "'a?b'"));
	assert_null(strchr(err.msg, '\n'));
	assert_int_equal(mvn_store_state_write(f->st, "lan", NULL, &err),
			 -EINVAL);
	assert_error(&err, -EINVAL, "lan.state");
	assert_null(text);
	assert_null(list);
	/* Nothing was written anywhere. */
	dir_names(f->run, names, sizeof(names));
	assert_string_equal(names, "id");
}

static void test_state_symlink_refused(void **state)
{
	struct fixture *f = *state;
	const size_t mib = 1024 * 1024;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX], ports[PATH_MAX];
	char **list = NULL, *text = NULL, *big;
	struct stat sb;

	assert_int_equal(mvn_store_state_write(f->st, "lan", "head", &err), 0);
	assert_int_equal(mvn_store_port_write(f->st, "lan", "eth0", "p", &err),
			 0);
	path_in(q, f->root, "outside");
	write_file(q, "secret", 6);

	path_in(p, f->states, "wan.state");
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_state_read(f->st, "wan", &text, &err),
			 -ELOOP);
	assert_null(text);
	assert_error(&err, -ELOOP, p);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), 0);
	assert_non_null(list);
	assert_string_equal(list[0], "lan");
	assert_null(list[1]);
	mvn_store_names_free(list);
	/* Writing replaces the link itself, never what it points to. */
	assert_int_equal(mvn_store_state_write(f->st, "wan", "new", &err), 0);
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	text = slurp(q);
	assert_string_equal(text, "secret");
	free(text);
	text = NULL;

	path_in(ports, f->states, "lan.ports");
	path_in(p, ports, "eth1.port");
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_port_read(f->st, "lan", "eth1", &text, &err),
			 -ELOOP);
	assert_null(text);
	assert_error(&err, -ELOOP, p);

	/* A FIFO does not block the read, and is refused. */
	path_in(p, ports, "eth2.port");
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(mvn_store_port_read(f->st, "lan", "eth2", &text, &err),
			 -EINVAL);
	assert_null(text);
	assert_error(&err, -EINVAL, p);

	/* Nor is a file far larger than any state read. */
	big = malloc(mib + 1);
	assert_non_null(big);
	memset(big, ' ', mib + 1);
	path_in(p, f->states, "big.state");
	write_file(p, big, mib + 1);
	free(big);
	assert_int_equal(mvn_store_state_read(f->st, "big", &text, &err),
			 -EFBIG);
	assert_null(text);
	assert_error(&err, -EFBIG, p);
}

/*
 * Run op in a child process whose files may not grow past 16 bytes (with
 * SIGXFSZ ignored, so that a longer write fails with EFBIG, as on a full
 * disk), and hand back what it returned and said.
 */
static int run_limited(struct fixture *f,
		       int (*op)(struct mvn_store *, struct mvn_error *),
		       struct mvn_error *err)
{
	struct rlimit rl = { .rlim_cur = 16, .rlim_max = RLIM_INFINITY };
	int fds[2], ret = 1, status;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		alarm(30);
		signal(SIGXFSZ, SIG_IGN);
		if (getrlimit(RLIMIT_FSIZE, &rl) == 0)
			rl.rlim_cur = 16;
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(2);
		memset(err, 0, sizeof(*err));
		ret = op(f->st, err);
		if (write(fds[1], &ret, sizeof(ret)) != sizeof(ret) ||
		    write(fds[1], err, sizeof(*err)) != sizeof(*err))
			_exit(3);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &ret, sizeof(ret)), sizeof(ret));
	assert_int_equal(read(fds[0], err, sizeof(*err)), sizeof(*err));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	return ret;
}

#define BIG_TEXT "this state is longer than the sixteen bytes allowed\n"

static int write_big_state(struct mvn_store *st, struct mvn_error *err)
{
	return mvn_store_state_write(st, "lan", BIG_TEXT, err);
}

static int write_big_port(struct mvn_store *st, struct mvn_error *err)
{
	return mvn_store_port_write(st, "lan", "eth0", BIG_TEXT, err);
}

static int write_big_new_state(struct mvn_store *st, struct mvn_error *err)
{
	return mvn_store_state_write(st, "wan", BIG_TEXT, err);
}

static int write_small_state(struct mvn_store *st, struct mvn_error *err)
{
	return mvn_store_state_write(st, "lan", "fits\n", err);
}

static int remove_port(struct mvn_store *st, struct mvn_error *err)
{
	return mvn_store_port_remove(st, "lan", "eth1", err);
}

static int remove_state(struct mvn_store *st, struct mvn_error *err)
{
	return mvn_store_state_remove(st, "lan", err);
}

static void test_full_disk(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], ports[PATH_MAX], names[1024];
	char *text;

	assert_int_equal(mvn_store_state_write(f->st, "lan", "old\n", &err), 0);
	assert_int_equal(
		mvn_store_port_write(f->st, "lan", "eth0", "old0\n", &err), 0);
	assert_int_equal(
		mvn_store_port_write(f->st, "lan", "eth1", "old1\n", &err), 0);
	path_in(ports, f->states, "lan.ports");

	/* A write that does not fit keeps the old file, and nothing else. */
	assert_int_equal(run_limited(f, write_big_state, &err), -EFBIG);
	path_in(p, f->states, "lan.state");
	assert_error(&err, -EFBIG, p);
	assert_non_null(strstr(err.msg, "is full"));
	assert_non_null(strstr(err.msg, "free some space"));
	assert_null(strchr(err.msg, '\n'));
	text = slurp(p);
	assert_string_equal(text, "old\n");
	free(text);
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "lan.ports lan.state");

	assert_int_equal(run_limited(f, write_big_port, &err), -EFBIG);
	path_in(p, ports, "eth0.port");
	assert_error(&err, -EFBIG, p);
	assert_non_null(strstr(err.msg, "is full"));
	text = slurp(p);
	assert_string_equal(text, "old0\n");
	free(text);
	dir_names(ports, names, sizeof(names));
	assert_string_equal(names, "eth0.port eth1.port");

	assert_int_equal(run_limited(f, write_big_new_state, &err), -EFBIG);
	assert_error(&err, -EFBIG, "wan.state");
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "lan.ports lan.state");

	/* What fits is still written. */
	assert_int_equal(run_limited(f, write_small_state, &err), 0);
	path_in(p, f->states, "lan.state");
	text = slurp(p);
	assert_string_equal(text, "fits\n");
	free(text);

	/* Removals need no space at all. */
	assert_int_equal(run_limited(f, remove_port, &err), 0);
	dir_names(ports, names, sizeof(names));
	assert_string_equal(names, "eth0.port");
	assert_int_equal(run_limited(f, remove_state, &err), 0);
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "");
}

/* Whether s is a UTC time stamp like 20261202T184212Z. */
static bool is_stamp(const char *s)
{
	int i;

	for (i = 0; i < 16; i++) {
		if (i == 8  ? s[i] != 'T' :
		    i == 15 ? s[i] != 'Z' :
			      !(s[i] >= '0' && s[i] <= '9'))
			return false;
	}
	return true;
}

static void test_set_aside(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char where[PATH_MAX], where2[PATH_MAX], prefix[PATH_MAX];
	char damaged[PATH_MAX], p[PATH_MAX], longname[300], names[1024];
	const char *base;
	struct stat sb;
	char *text;

	assert_int_equal(mvn_store_state_write(f->st, "lan", "bad1", &err), 0);
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where,
					     sizeof(where), &err),
			 0);
	path_in(damaged, f->run, "damaged");
	assert_int_equal(lstat(damaged, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0700);
	path_in(prefix, damaged, "lan.state.");
	assert_int_equal(strncmp(where, prefix, strlen(prefix)), 0);
	assert_true(is_stamp(where + strlen(prefix)));
	assert_int_equal(strlen(where), strlen(prefix) + 16);
	text = slurp(where);
	assert_string_equal(text, "bad1");
	free(text);
	path_in(p, f->states, "lan.state");
	assert_int_equal(lstat(p, &sb), -1);
	assert_int_equal(errno, ENOENT);

	/* Set aside again, it gets a name of its own. */
	assert_int_equal(mvn_store_state_write(f->st, "lan", "bad2", &err), 0);
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where2,
					     sizeof(where2), &err),
			 0);
	assert_string_not_equal(where, where2);
	if (strncmp(where, where2, strlen(where)) == 0)
		assert_string_equal(where2 + strlen(where), ".1");
	text = slurp(where);
	assert_string_equal(text, "bad1");
	free(text);
	text = slurp(where2);
	assert_string_equal(text, "bad2");
	free(text);

	/* A port file says which network and interface it was. */
	assert_int_equal(
		mvn_store_port_write(f->st, "lan", "eth0", "pbad", &err), 0);
	assert_int_equal(mvn_store_set_aside(f->st, "lan", "eth0", where,
					     sizeof(where), &err),
			 0);
	path_in(prefix, damaged, "lan.eth0.port.");
	assert_int_equal(strncmp(where, prefix, strlen(prefix)), 0);
	assert_true(is_stamp(where + strlen(prefix)));
	text = slurp(where);
	assert_string_equal(text, "pbad");
	free(text);
	path_in(p, f->states, "lan.ports/eth0.port");
	assert_int_equal(lstat(p, &sb), -1);

	/* Nothing there, nothing moved. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(mvn_store_set_aside(f->st, "lan", "eth0", where,
					     sizeof(where), &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, p);
	/* No room for the answer: nothing moved either. */
	assert_int_equal(mvn_store_state_write(f->st, "lan", "bad3", &err), 0);
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where, 10,
					     &err),
			 -ERANGE);
	assert_error(&err, -ERANGE, "lan.state");
	path_in(p, f->states, "lan.state");
	assert_int_equal(lstat(p, &sb), 0);
	/* The answer is optional. */
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, NULL, 0, &err),
			 0);
	assert_int_equal(lstat(p, &sb), -1);
	dir_names(f->states, names, sizeof(names));
	assert_string_equal(names, "lan.ports");

	/* The longest name is cut to fit a directory entry. */
	memset(longname, 'n', sizeof(longname));
	longname[243] = '\0';
	assert_int_equal(mvn_store_state_write(f->st, longname, "x", &err), 0);
	assert_int_equal(mvn_store_set_aside(f->st, longname, NULL, where,
					     sizeof(where), &err),
			 0);
	base = strrchr(where, '/') + 1;
	assert_true(strlen(base) <= NAME_MAX);
	assert_non_null(strstr(base, "nnn.state."));
	assert_int_equal(lstat(where, &sb), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_dirs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trailing_slash_stripped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_load_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_save_replaces_atomically,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_save_failure_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_sorted_ignores_junk,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_delete_removes_file_and_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_autostart, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_dirs_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_dirs_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_symlink_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_untrusted_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_too_big, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_id_made_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_store_id_one_for_all,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_id_damaged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_store_lock_shared_and_exclusive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_blocks_second_handle,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_timeout_names_holder,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_network_locks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_port_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_missing_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_dir_damaged, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_invalid_names, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_state_symlink_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_set_aside, setup,
						teardown),
	};

	/* Modes are checked exactly; a restrictive umask would hide bits. */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
