/*
 * Unit tests of the store: definitions, autostart links, the lock and run
 * files, each test in a fresh temporary directory of its own.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	assert_int_equal(sb.st_mode & 07777, 0644);
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

static void test_lock_blocks_second_handle(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], c = 0;
	struct stat sb;
	int pipefd[2], status;
	pid_t pid;

	mvn_store_unlock(f->st); /* not held: a no-op */
	assert_int_equal(mvn_store_lock(f->st, &err), 0);
	assert_int_equal(mvn_store_lock(f->st, &err), 0);
	path_in(p, f->run, "lock");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct mvn_store *st2 = NULL;

		alarm(10);
		close(pipefd[0]);
		if (mvn_store_open(f->cfg, f->run, &st2, NULL) < 0)
			_exit(2);
		if (write(pipefd[1], "o", 1) != 1)
			_exit(3);
		if (mvn_store_lock(st2, NULL) < 0)
			_exit(4);
		if (write(pipefd[1], "l", 1) != 1)
			_exit(5);
		mvn_store_free(st2);
		_exit(0);
	}
	close(pipefd[1]);
	alarm(30);
	assert_int_equal(read_within(pipefd[0], &c, 10000), 1);
	assert_int_equal(c, 'o');
	/* The child has opened its handle and now waits for our lock. */
	assert_int_equal(read_within(pipefd[0], &c, 500), 0);
	mvn_store_unlock(f->st);
	assert_int_equal(read_within(pipefd[0], &c, 10000), 1);
	assert_int_equal(c, 'l');
	assert_int_equal(waitpid(pid, &status, 0), pid);
	alarm(0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(pipefd[0]);
}

static void test_write_runfile(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "..",    "../x",	  "a/../b", "a/..", "/abs",
			      "a/b/c", "",	  "a//b",   "a/",   ".",
			      "./x",   ".hidden", "lock" };
	struct mvn_error err = { 0 };
	char p[PATH_MAX], buf[256], names[1024];
	struct stat sb;
	size_t i;

	assert_int_equal(mvn_store_write_runfile(f->st, "state", "one\n", 4,
						 0600, &err),
			 0);
	path_in(p, f->run, "state");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_int_equal(read_file(p, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "one\n");

	/* Replaced, with the new mode. */
	assert_int_equal(mvn_store_write_runfile(f->st, "state", "two", 3, 0640,
						 &err),
			 0);
	assert_int_equal(lstat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0640);
	read_file(p, buf, sizeof(buf));
	assert_string_equal(buf, "two");

	/* One subdirectory level, created 0755. */
	assert_int_equal(mvn_store_write_runfile(f->st, "active/n1", "{}", 2,
						 0644, &err),
			 0);
	path_in(p, f->run, "active");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0755);
	path_in(p, f->run, "active/n1");
	assert_int_equal(lstat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
	read_file(p, buf, sizeof(buf));
	assert_string_equal(buf, "{}");
	/* An empty file is fine. */
	assert_int_equal(mvn_store_write_runfile(f->st, "active/empty", NULL, 0,
						 0644, &err),
			 0);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_write_runfile(f->st, bad[i], "x", 1,
							 0644, &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "run file");
	}
	assert_non_null(strstr(err.msg, "'lock'"));
	mvn_store_write_runfile(f->st, "a/../b", "x", 1, 0644, &err);
	assert_non_null(strstr(err.msg, "'a/../b'"));
	assert_int_equal(mvn_store_write_runfile(f->st, "x", "x", 1, 04755,
						 &err),
			 -EINVAL);
	assert_error(&err, -EINVAL, "'x'");

	/* A subdirectory that is a symbolic link is not followed. */
	path_in(p, f->root, "elsewhere");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(buf, f->run, "sub");
	assert_int_equal(symlink(p, buf), 0);
	assert_int_equal(mvn_store_write_runfile(f->st, "sub/f", "x", 1, 0644,
						 &err),
			 -ELOOP);
	assert_error(&err, -ELOOP, buf);
	dir_names(p, names, sizeof(names));
	assert_string_equal(names, "");

	/* Nothing but what was asked for, and no temporary files. */
	dir_names(f->run, names, sizeof(names));
	assert_string_equal(names, "active state sub");
	path_in(p, f->run, "active");
	dir_names(p, names, sizeof(names));
	assert_string_equal(names, "empty n1");
	dir_names(f->root, names, sizeof(names));
	assert_string_equal(names, "elsewhere etc run");
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
		cmocka_unit_test_setup_teardown(test_load_too_big, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lock_blocks_second_handle,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_runfile, setup,
						teardown),
	};

	/* Modes are checked exactly; a restrictive umask would hide bits. */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
