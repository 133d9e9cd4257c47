/*
 * Unit tests of the store: definitions, autostart links, the store's id,
 * the locks (held against helper processes, since POSIX locks never
 * exclude their own process), the state files and the journal, each test
 * on a fresh store in a temporary directory of its own (setup, teardown).
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

#include "state.h"
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

/* Read a file's text into a new string (the caller frees it). */
static char *slurp(const char *path)
{
	char *buf = malloc(4096);

	assert_non_null(buf);
	read_file(path, buf, 4096);
	return buf;
}

/* Fail with the store's message unless ret is 0. */
static void assert_done(int ret, const struct mvn_error *err)
{
	if (ret != 0)
		fail_msg("returned %d: %s", ret, err->msg);
}

/* Assert that the sorted names in dir, joined with spaces, are want. */
static void assert_dir(const char *dir, const char *want)
{
	char names[1024];

	dir_names(dir, names, sizeof(names));
	assert_string_equal(names, want);
}

/* Assert that path is there, of type (S_IFREG, S_IFDIR), with mode. */
static void assert_mode(const char *path, mode_t type, mode_t mode)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), 0);
	assert_int_equal(sb.st_mode & S_IFMT, type);
	assert_int_equal(sb.st_mode & 07777, mode);
}

/* Assert that path is not there at all. */
static void assert_gone(const char *path)
{
	struct stat sb;

	assert_int_equal(lstat(path, &sb), -1);
	assert_int_equal(errno, ENOENT);
}

/* Assert that a read returned 0 and gave *text, want; free it. */
static void assert_read(int ret, const struct mvn_error *err, char **text,
			const char *want)
{
	assert_done(ret, err);
	assert_string_equal(*text, want);
	free(*text);
	*text = NULL;
}

/* Assert that the file path holds want. */
static void assert_text(const char *path, const char *want)
{
	char *text = slurp(path);

	assert_string_equal(text, want);
	free(text);
}

/* Assert that the symbolic link path says target. */
static void assert_link(const char *path, const char *target)
{
	char buf[PATH_MAX];
	ssize_t n;

	n = readlink(path, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, target);
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

/* Put a one-byte file name into dir, as junk for a listing to skip. */
static void junk(const char *dir, const char *name)
{
	char p[PATH_MAX];

	path_in(p, dir, name);
	write_file(p, "x", 1);
}

/* Write size spaces to path: with 1 MiB + 1, more than the store reads. */
static void write_spaces(const char *path, size_t size)
{
	char *big = malloc(size);

	assert_non_null(big);
	memset(big, ' ', size);
	write_file(path, big, size);
	free(big);
}

/* Save the definition of network name, which must work. */
static void save(struct fixture *f, const char *name, const char *xml)
{
	struct mvn_error err = { 0 };

	assert_done(mvn_store_save_network(f->st, name, xml, &err), &err);
}

/* Write a network's state, which must work. */
static void put_state(struct fixture *f, const char *net, const char *text)
{
	struct mvn_error err = { 0 };

	assert_done(mvn_store_state_write(f->st, net, text, &err), &err);
}

/* Write one port file of a network, which must work. */
static void put_port(struct fixture *f, const char *net, const char *ifname,
		     const char *text)
{
	struct mvn_error err = { 0 };

	assert_done(mvn_store_port_write(f->st, net, ifname, text, &err), &err);
}

static void test_open_creates_dirs(void **state)
{
	struct fixture *f = *state;
	char p[PATH_MAX];

	assert_string_equal(mvn_store_config_dir(f->st), f->cfg);
	assert_string_equal(mvn_store_run_dir(f->st), f->run);
	assert_mode(f->cfg, S_IFDIR, 0755);
	assert_mode(f->nets, S_IFDIR, 0755);
	path_in(p, f->nets, "autostart");
	assert_mode(p, S_IFDIR, 0755);
	assert_mode(f->run, S_IFDIR, 0755);
	/* The id is all the run directory gets until state is written. */
	assert_dir(f->run, "id");
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
	char p[PATH_MAX];
	char *xml = NULL;

	save(f, "a", XML_A);
	path_in(p, f->nets, "a.xml");
	assert_mode(p, S_IFREG, 0600);
	assert_text(p, XML_A);

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
	char p[PATH_MAX];
	struct stat before, after;
	char *xml = NULL;

	save(f, "a", XML_A);
	path_in(p, f->nets, "a.xml");
	assert_int_equal(stat(p, &before), 0);
	save(f, "a", XML_B);
	assert_int_equal(stat(p, &after), 0);
	/* A new inode renamed into place, not the old file rewritten. */
	assert_true(before.st_ino != after.st_ino);
	assert_int_equal(mvn_store_load_network(f->st, "a", &xml, &err), 0);
	assert_string_equal(xml, XML_B);
	free(xml);
	/* No temporary file is left behind. */
	assert_dir(f->nets, "a.xml autostart");
}

static void test_save_failure_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX];
	int ret;

	/* A directory in the way makes the rename fail. */
	path_in(p, f->nets, "d.xml");
	assert_int_equal(mkdir(p, 0755), 0);
	ret = mvn_store_save_network(f->st, "d", XML_A, &err);
	assert_true(ret < 0);
	assert_error(&err, ret, "d.xml");
	assert_dir(f->nets, "autostart d.xml");
}

static void test_list_sorted_ignores_junk(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	const char *want[] = { "Z", "a", "b", "c-1", "\xc3\xa9t\xc3\xa9" };
	char p[PATH_MAX], q[PATH_MAX];
	char **names = NULL;

	save(f, "b", XML_A);
	save(f, "c-1", XML_A);
	save(f, "a", XML_A);
	save(f, want[4], XML_A);
	save(f, "Z", XML_A);
	junk(f->nets, "notes.txt");
	junk(f->nets, "b.xml~");
	junk(f->nets, ".hidden.xml");
	junk(f->nets, ".xml");
	junk(f->nets, ".a.xml.Ab12Cd");
	path_in(p, f->nets, "sub.xml");
	assert_int_equal(mkdir(p, 0755), 0);
	path_in(p, f->nets, "link.xml");
	path_in(q, f->nets, "a.xml");
	assert_int_equal(symlink(q, p), 0);

	assert_int_equal(mvn_store_list_networks(f->st, &names, &err), 0);
	assert_non_null(names);
	assert_names(names, want, sizeof(want) / sizeof(want[0]));
	mvn_store_names_free(NULL);
}

static void test_list_empty(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char **names = NULL;

	assert_int_equal(mvn_store_list_networks(f->st, &names, &err), 0);
	assert_names(names, NULL, 0);
}

static void test_delete_removes_file_and_link(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX];
	struct stat sb;

	save(f, "a", XML_A);
	save(f, "b", XML_A);
	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	path_in(p, f->nets, "autostart/a.xml");
	assert_int_equal(lstat(p, &sb), 0);

	assert_int_equal(mvn_store_delete_network(f->st, "a", &err), 0);
	assert_gone(p);
	path_in(p, f->nets, "a.xml");
	assert_gone(p);
	assert_dir(f->nets, "autostart b.xml");
	path_in(p, f->nets, "autostart");
	assert_dir(p, "");
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
	char longname[300], p[PATH_MAX];
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
	save(f, longname, XML_A);
	assert_int_equal(mvn_store_delete_network(f->st, longname, &err), 0);
	longname[243] = 'n';
	longname[244] = '\0';
	assert_false(mvn_store_name_valid(longname));
	assert_int_equal(mvn_store_save_network(f->st, longname, XML_A, &err),
			 -EINVAL);

	assert_true(mvn_store_name_valid("net-1"));
	assert_true(mvn_store_name_valid("a.b"));

	/* Nothing was written anywhere. */
	assert_dir(f->nets, "autostart");
	path_in(p, f->nets, "autostart");
	assert_dir(p, "");
	assert_dir(f->cfg, "networks");
	assert_dir(f->root, "etc run");
}

static void test_autostart(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX];
	struct stat sb;

	save(f, "a", XML_A);
	assert_false(mvn_store_get_autostart(f->st, "a"));

	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	assert_true(mvn_store_get_autostart(f->st, "a"));
	path_in(p, f->nets, "autostart/a.xml");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_link(p, "../a.xml");
	/* The link reaches the definition. */
	assert_int_equal(stat(p, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));

	/* Turning it on twice, or off twice, is harmless. */
	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	assert_true(mvn_store_get_autostart(f->st, "a"));
	assert_int_equal(mvn_store_set_autostart(f->st, "a", false, &err), 0);
	assert_false(mvn_store_get_autostart(f->st, "a"));
	assert_gone(p);
	assert_int_equal(mvn_store_set_autostart(f->st, "a", false, &err), 0);

	/* A link pointing elsewhere does not count, and is replaced. */
	assert_int_equal(symlink("/etc/passwd", p), 0);
	assert_false(mvn_store_get_autostart(f->st, "a"));
	assert_int_equal(mvn_store_set_autostart(f->st, "a", true, &err), 0);
	assert_link(p, "../a.xml");

	/* Only defined networks can be marked. */
	assert_int_equal(mvn_store_set_autostart(f->st, "ghost", true, &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, "'ghost'");
	assert_false(mvn_store_get_autostart(f->st, "ghost"));
	path_in(p, f->nets, "autostart/ghost.xml");
	assert_gone(p);
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
	char r[PATH_MAX];

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
	assert_dir(real, "");

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

	save(f, "a", XML_A);
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
	char *xml = NULL;

	/* Exactly 1 MiB is still read. */
	path_in(p, f->nets, "edge.xml");
	write_spaces(p, mib);
	assert_int_equal(mvn_store_load_network(f->st, "edge", &xml, &err), 0);
	assert_int_equal(strlen(xml), mib);
	free(xml);
	xml = NULL;

	path_in(p, f->nets, "big.xml");
	write_spaces(p, mib + 1);
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
	struct mvn_error err;
	char p[PATH_MAX], *text = NULL;
	size_t i;

	path_in(p, f->nets, "u.xml");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
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
	put_state(f, "n", "x\n");
	path_in(p, f->run, "networks/n.state");
	assert_int_equal(chmod(p, 0602), 0);
	memset(&err, 0, sizeof(err));
	assert_int_equal(mvn_store_state_read(f->st, "n", &text, &err), -EPERM);
	assert_error(&err, -EPERM, "is writable by other users");
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
	assert_mode(p, S_IFREG, 0600);
	assert_int_equal(lstat(p, &before), 0);
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
	assert_dir(f->run, "id");

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
	assert_dir(run3, "id");
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
	char p[PATH_MAX], q[PATH_MAX];

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
	assert_mode(p, S_IFREG, 0600);
	path_in(p, f->run, "groups.lock");
	assert_mode(p, S_IFREG, 0600);
	path_in(p, f->states, "lan.lock");
	assert_mode(p, S_IFREG, 0600);
	assert_mode(f->states, S_IFDIR, 0755);
	/* Releasing keeps the files for the next taker. */
	mvn_store_unlock(f->st);
	assert_dir(f->run, "groups.lock id lock networks");
	assert_dir(f->states, "lan.lock");

	/* A lock file that is a symbolic link is not followed. */
	path_in(q, f->root, "elsewhere");
	path_in(p, f->run, "lock");
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_lock(f->st, true, NULL, &err), -ELOOP);
	assert_error(&err, -ELOOP, p);
	assert_gone(q);
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
	assert_dir(f->states, "lan.lock wan.lock");
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

static void test_state_roundtrip(void **state)
{
	struct fixture *f = *state;
	const char *both[] = { "lan", "wan" }, *wan[] = { "wan" };
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX];
	struct stat sb, before;
	char **list = NULL, *text = NULL;

	put_state(f, "lan", "one\n");
	path_in(p, f->states, "lan.state");
	assert_mode(p, S_IFREG, 0600);
	assert_mode(f->states, S_IFDIR, 0755);
	assert_read(mvn_store_state_read(f->st, "lan", &text, &err), &err,
		    &text, "one\n");

	/* Replaced by a new file renamed into place. */
	assert_int_equal(lstat(p, &before), 0);
	put_state(f, "lan", "two");
	assert_int_equal(lstat(p, &sb), 0);
	assert_true(before.st_ino != sb.st_ino);
	assert_int_equal(sb.st_mode & 07777, 0600);
	assert_read(mvn_store_state_read(f->st, "lan", &text, &err), &err,
		    &text, "two");
	put_state(f, "wan", "");
	assert_dir(f->states, "lan.state wan.state");

	/* Only regular NAME.state files with a valid name are listed. */
	junk(f->states, ".lan.Ab12Cd");
	junk(f->states, ".hidden.state");
	junk(f->states, ".state");
	junk(f->states, "notes");
	path_in(q, f->states, "dir.state");
	assert_int_equal(mkdir(q, 0755), 0);
	path_in(q, f->states, "link.state");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), 0);
	assert_names(list, both, 2);

	/* Removed, it is gone from the list and reads as missing. */
	assert_int_equal(mvn_store_state_remove(f->st, "lan", &err), 0);
	assert_gone(p);
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
	char ports[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
	struct stat sb;
	char **list = NULL, *text = NULL;

	put_state(f, "lan", "head");
	put_port(f, "lan", "eth0", "p0");
	put_port(f, "lan", ".x", "px");
	put_port(f, "lan", "veth1", "p1");
	path_in(ports, f->states, "lan.ports");
	assert_mode(ports, S_IFDIR, 0755);
	path_in(p, ports, "eth0.port");
	assert_mode(p, S_IFREG, 0600);
	assert_text(p, "p0");
	assert_dir(ports, ".x.port eth0.port veth1.port");

	/* Replaced, and read back; ".x" is a port, not a hidden file. */
	put_port(f, "lan", "eth0", "p0b");
	assert_read(mvn_store_port_read(f->st, "lan", "eth0", &text, &err),
		    &err, &text, "p0b");
	assert_read(mvn_store_port_read(f->st, "lan", ".x", &text, &err), &err,
		    &text, "px");

	/* Temporary files, junk and links are not ports. */
	junk(ports, ".eth0.port.Ab12Cd");
	junk(ports, "..port");
	junk(ports, "a:b.port");
	junk(ports, "eth9");
	path_in(q, ports, "l.port");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err), 0);
	assert_names(list, three, 3);

	assert_int_equal(mvn_store_port_remove(f->st, "lan", "veth1", &err), 0);
	path_in(p, ports, "veth1.port");
	assert_gone(p);
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
	assert_dir(f->states, "");
	list = NULL;
	assert_int_equal(mvn_store_port_list(f->st, "lan", &list, &err), 0);
	assert_names(list, NULL, 0);
}

/* A port record for the log tests: name on lower, ifindex, its node. */
static char *rec_put(const char *name, int ifindex, size_t *len)
{
	struct mvn_port_state p = { .netnsid = -1, .ifindex = ifindex };
	char *rec;

	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.lower, sizeof(p.lower), "veth0");
	snprintf(p.owner, sizeof(p.owner), "cli");
	snprintf(p.tap, sizeof(p.tap), "/dev/tap%d", ifindex);
	p.perm = 0600;
	rec = mvn_port_log_put(&p, len);
	assert_non_null(rec);
	return rec;
}

/* Append rec (freed, n bytes) to buf, a growing log of *len bytes. */
static void cat_rec(char *buf, size_t *len, char *rec, size_t n)
{
	memcpy(buf + *len, rec, n);
	*len += n;
	buf[*len] = '\0';
	free(rec);
}

/* Append to buf the record putting name (ifindex), or dropping it. */
static void add_put(char *buf, size_t *len, const char *name, int ifindex)
{
	size_t n = 0;
	char *rec = rec_put(name, ifindex, &n);

	cat_rec(buf, len, rec, n);
}

static void add_drop(char *buf, size_t *len, const char *name)
{
	size_t n = 0;
	char *rec = mvn_port_log_drop(name, &n);

	assert_non_null(rec);
	cat_rec(buf, len, rec, n);
}

static void test_log_replay(void **state)
{
	struct mvn_state st = { 0 };
	struct mvn_error err = { 0 };
	char log[4096];
	size_t len = 0, n, whole;

	(void)state;
	add_put(log, &len, "mvt1", 5);
	add_put(log, &len, "mvt0", 4);
	add_put(log, &len, "gone", 6);
	/* Replaced by a later record, dropped, dropped and put back. */
	add_put(log, &len, "mvt1", 9);
	add_drop(log, &len, "gone");
	add_drop(log, &len, "mvt0");
	add_put(log, &len, "mvt0", 7);
	assert_int_equal(mvn_port_log_replay(&st, log, len, "t", &err), 0);
	assert_int_equal(st.nports, 2);
	assert_string_equal(st.ports[0].name, "mvt0"); /* sorted by name */
	assert_int_equal(st.ports[0].ifindex, 7);
	assert_string_equal(st.ports[1].name, "mvt1");
	assert_int_equal(st.ports[1].ifindex, 9);
	assert_int_equal(st.log_len, len);
	assert_int_equal(st.log_records, 7);
	free(st.ports);

	/* A record cut short at any byte is left out, and only it. */
	whole = len;
	add_put(log, &len, "late", 8);
	for (n = whole + 1; n < len; n++) {
		memset(&st, 0, sizeof(st));
		assert_int_equal(mvn_port_log_replay(&st, log, n, "t", &err),
				 0);
		assert_int_equal(st.nports, 2);
		assert_int_equal(st.log_len, whole);
		free(st.ports);
	}
	memset(&st, 0, sizeof(st));
	assert_int_equal(mvn_port_log_replay(&st, log, len, "t", &err), 0);
	assert_int_equal(st.nports, 3);
	free(st.ports);
}

/*
 * Many endpoints in no order, some replaced and some dropped: the replay
 * keeps the live ones sorted as strcmp() sorts their names (names alike
 * in their first eight bytes too), each with its last record.
 */
static void test_log_replay_many(void **state)
{
	enum { N = 3000 };
	struct mvn_state st = { 0 };
	struct mvn_error err = { 0 };
	static char log[N * 2 * 160];
	static int perm[N];
	char name[16];
	size_t len = 0, i, live = 0;
	int k, t;

	(void)state;
	for (k = 0; k < N; k++)
		perm[k] = k;
	srand(7);
	for (k = N - 1; k > 0; k--) {
		int j = rand() % (k + 1);

		t = perm[k], perm[k] = perm[j], perm[j] = t;
	}
	for (k = 0; k < N; k++) {
		snprintf(name, sizeof(name), k % 2 ? "p%d" : "longname%d",
			 perm[k]);
		add_put(log, &len, name, perm[k] + 1);
	}
	/* Every third replaced (ifindex + 100000), every fifth dropped. */
	for (k = 0; k < N; k++) {
		snprintf(name, sizeof(name), k % 2 ? "p%d" : "longname%d",
			 perm[k]);
		if (perm[k] % 5 == 0)
			add_drop(log, &len, name);
		else if (perm[k] % 3 == 0)
			add_put(log, &len, name, perm[k] + 100001);
	}
	for (k = 0; k < N; k++)
		live += perm[k] % 5 != 0;
	assert_int_equal(mvn_port_log_replay(&st, log, len, "t", &err), 0);
	assert_int_equal(st.nports, live);
	for (i = 0; i < st.nports; i++) {
		const char *nm = st.ports[i].name;
		int num = atoi(nm[0] == 'p' ? nm + 1 : nm + 8);

		if (i)
			assert_true(strcmp(st.ports[i - 1].name, nm) < 0);
		assert_true(num % 5 != 0);
		assert_int_equal(st.ports[i].ifindex,
				 num % 3 == 0 ? num + 100001 : num + 1);
	}
	free(st.ports);
}

/* The header keeps the network's UUID and hairpin as started. */
static void test_state_header(void **state)
{
	static const char text[] = "store 0123456789abcdef\nnetwork lan\n"
				   "status active\ngroup 7\nmode vepa\n"
				   "uuid 5dfb2f7f-3ad4-4ef7-9b05-0c1a0ee6f3a1\n"
				   "hairpin yes\nlower eth0\n";
	struct mvn_state *st = NULL, *again = NULL;
	struct mvn_error err = { 0 };
	char uuid[37], *out;

	(void)state;
	assert_int_equal(mvn_state_parse(text, "t", &st, &err), 0);
	assert_true(st->has_uuid);
	mvn_uuid_format(st->uuid, uuid);
	assert_string_equal(uuid, "5dfb2f7f-3ad4-4ef7-9b05-0c1a0ee6f3a1");
	assert_int_equal(st->hairpin, MVN_YES);
	out = mvn_state_format(st);
	assert_non_null(out);
	assert_int_equal(mvn_state_parse(out, "t", &again, &err), 0);
	assert_memory_equal(again->uuid, st->uuid, 16);
	assert_int_equal(again->hairpin, MVN_YES);
	free(out);
	mvn_state_free(again);
	mvn_state_free(st);
	/* Without them (an older file): none; a bad value is damage. */
	assert_int_equal(mvn_state_parse("store 0123456789abcdef\nnetwork "
					 "lan\ngroup 7\n",
					 "t", &st, &err),
			 0);
	assert_false(st->has_uuid);
	assert_int_equal(st->hairpin, MVN_ABSENT);
	mvn_state_free(st);
	assert_int_equal(mvn_state_parse("store 0123456789abcdef\nnetwork "
					 "lan\ngroup 7\nhairpin maybe\n",
					 "t", &st, &err),
			 -EINVAL);
	assert_int_equal(err.line, 4);
}

static void test_log_damage(void **state)
{
	static const char *const bad[] = {
		/* An end line that does not count its record. */
		"port a\nlower v\nowner cli\nend 5\n",
		/* A record that is neither a port nor a drop. */
		"junk\nend 5\n",
		/* A field that does not parse. */
		"port a\nlower v\nowner cli\nifindex x\nend 40\n",
		/* A drop of a name no interface can have. */
		"drop a/b\nend 9\n",
		/* A tail that is not even the start of a record. */
		"garbage\n",
		/* An end with nothing before it. */
		"end 0\n",
	};
	struct mvn_error err = { 0 };
	char log[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mvn_state st = { 0 };

		memset(&err, 0, sizeof(err));
		snprintf(log, sizeof(log), "%s", bad[i]);
		/* Fix the one count that is meant to be right. */
		if (i == 2)
			snprintf(log, sizeof(log),
				 "port a\nlower v\nowner cli\nifindex x\n"
				 "end 37\n");
		assert_int_equal(mvn_port_log_replay(&st, log, strlen(log),
						     "lan.log", &err),
				 -EINVAL);
		assert_non_null(strstr(err.msg, "lan.log is damaged"));
		free(st.ports);
	}
	/* A NUL byte inside a line. */
	{
		struct mvn_state st = { 0 };

		memcpy(log, "drop a\0b\nend 9\n", 15);
		assert_int_equal(mvn_port_log_replay(&st, log, 15, "lan.log",
						     &err),
				 -EINVAL);
		free(st.ports);
	}
}

/* Append to buf a record putting name on lower (ifindex 10). */
static void add_put_on(char *buf, size_t *len, const char *name,
		       const char *lower)
{
	struct mvn_port_state p = { .netnsid = -1, .ifindex = 10 };
	size_t n = 0;
	char *rec;

	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.lower, sizeof(p.lower), "%s", lower);
	snprintf(p.owner, sizeof(p.owner), "cli");
	snprintf(p.tap, sizeof(p.tap), "/dev/tap10");
	rec = mvn_port_log_put(&p, &n);
	assert_non_null(rec);
	cat_rec(buf, len, rec, n);
}

/* Free what a light replay into a state on the stack allocated. */
static void free_light(struct mvn_state *st)
{
	free(st->ports);
	free(st->rest.name);
	free(st->rest.lower);
	free(st->rest.slot);
	free(st->rest.devs);
	free(st->rest.count);
}

/*
 * The light replay and the full one of the first len bytes of log agree:
 * on the verdict and message, and on what is live, where, and how long the
 * whole records are.  The light one reads only want (one name) whole.
 */
static void assert_scan_agrees(const char *log, size_t len, const char *want)
{
	struct mvn_state full = { 0 }, light = { 0 };
	struct mvn_error e1 = { 0 }, e2 = { 0 };
	const char *w[1] = { want };
	int r1, r2;

	r1 = mvn_port_log_replay(&full, log, len, "lan.log", &e1);
	r2 = mvn_port_log_scan(&light, log, len, w, 1, "lan.log", &e2);
	assert_int_equal(r1, r2);
	assert_string_equal(e1.msg, e2.msg);
	assert_int_equal(e1.line, e2.line);
	if (r1 == 0) {
		size_t i;

		assert_int_equal(light.log_len, full.log_len);
		assert_int_equal(light.log_records, full.log_records);
		assert_int_equal(mvn_state_live(&light), full.nports);
		for (i = 0; i < full.nports; i++) {
			assert_true(
				mvn_state_has_port(&light, full.ports[i].name));
			assert_int_equal(mvn_state_count_lower(
						 &light, full.ports[i].lower),
					 mvn_state_count_lower(
						 &full, full.ports[i].lower));
		}
		/* Replayed in full (not plain): all of it, as the full one. */
		if (!light.light) {
			assert_int_equal(light.nports, full.nports);
			assert_memory_equal(light.ports, full.ports,
					    full.nports * sizeof(*full.ports));
		}
		/* Else want alone is whole, as the full replay has it. */
		else if (light.nports) {
			assert_int_equal(light.nports, 1);
			int k = mvn_state_find_port(&full, want);

			assert_true(k >= 0);
			assert_memory_equal(&light.ports[0], &full.ports[k],
					    sizeof(full.ports[k]));
		}
	}
	free(full.ports);
	free_light(&light);
}

/*
 * The light replay: the one endpoint asked for whole, the others by name
 * and device, replaced and dropped as in the full one; cut short at any
 * byte, and damaged, it says what the full replay says.
 */
static void test_log_scan(void **state)
{
	static const char *const bad[] = {
		"port a\nlower v\nowner cli\nend 5\n",
		"junk\nend 5\n",
		"port a\nlower v\nowner cli\nifindex x\nend 37\n",
		"drop a/b\nend 9\n",
		"garbage\n",
		"end 0\n",
		"port a\nowner cli\nend 17\n", /* no lower */
		"port a\nlower v\nport b\nowner cli\nend 32\n",
		"drop a\nlower v\nend 15\n",
	};
	struct mvn_state st = { 0 };
	struct mvn_error err = { 0 };
	const char *want[1] = { "c" };
	char log[4096];
	size_t len = 0, n;

	(void)state;
	add_put_on(log, &len, "a", "veth0");
	add_put_on(log, &len, "b", "veth1");
	add_put_on(log, &len, "c", "veth0");
	add_put_on(log, &len, "d", "veth1");
	add_drop(log, &len, "b");
	add_put(log, &len, "c", 42);
	add_drop(log, &len, "x");
	add_put_on(log, &len, "a", "veth1"); /* moved to another device */
	assert_int_equal(mvn_port_log_scan(&st, log, len, want, 1, "t", &err),
			 0);
	assert_true(st.light);
	assert_int_equal(st.nports, 1);
	assert_string_equal(st.ports[0].name, "c");
	assert_int_equal(st.ports[0].ifindex, 42);
	assert_int_equal(st.rest.n, 2);
	assert_true(mvn_state_has_port(&st, "a"));
	assert_false(mvn_state_has_port(&st, "b"));
	assert_true(mvn_state_has_port(&st, "d"));
	assert_int_equal(mvn_state_count_lower(&st, "veth0"), 1);
	assert_int_equal(mvn_state_count_lower(&st, "veth1"), 2);
	assert_int_equal(mvn_state_live(&st), 3);
	free_light(&st);
	for (n = 0; n <= len; n++)
		assert_scan_agrees(log, n, "c");
	assert_scan_agrees(log, len, "b");
	for (n = 0; n < sizeof(bad) / sizeof(bad[0]); n++)
		assert_scan_agrees(bad[n], strlen(bad[n]), "a");
	memcpy(log, "drop a\0b\nend 9\n", 15);
	assert_scan_agrees(log, 15, "a");
}

static void test_log_store(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX], where[PATH_MAX];
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(mvn_store_log_read(f->st, "lan", &text, &len, &err),
			 -ENOENT);
	/* Made 0600 on the first record, then appended to. */
	assert_done(mvn_store_log_append(f->st, "lan", 0, "abc\n", 4, &err),
		    &err);
	path_in(p, f->states, "lan.log");
	assert_mode(p, S_IFREG, 0600);
	assert_done(mvn_store_log_append(f->st, "lan", 4, "def\n", 4, &err),
		    &err);
	assert_text(p, "abc\ndef\n");
	/* A record cut short after the whole ones goes first. */
	write_file(p, "abc\ndef\nhal", 11);
	assert_done(mvn_store_log_append(f->st, "lan", 8, "ghi\n", 4, &err),
		    &err);
	assert_text(p, "abc\ndef\nghi\n");
	/* A log shorter than read a moment ago: someone else writes it. */
	assert_int_equal(mvn_store_log_append(f->st, "lan", 99, "x\n", 2, &err),
			 -ESTALE);
	assert_non_null(strstr(err.msg, "lan.log"));
	assert_text(p, "abc\ndef\nghi\n");
	assert_read(mvn_store_log_read(f->st, "lan", &text, &len, &err), &err,
		    &text, "abc\ndef\nghi\n");
	/* Written anew whole. */
	assert_done(mvn_store_log_write(f->st, "lan", "new\n", 4, &err), &err);
	assert_text(p, "new\n");
	assert_mode(p, S_IFREG, 0600);
	/* Others may not write it, nor may it be a link. */
	assert_int_equal(chmod(p, 0620), 0);
	assert_int_equal(mvn_store_log_append(f->st, "lan", 4, "x\n", 2, &err),
			 -EPERM);
	assert_non_null(strstr(err.msg, "writable by other users"));
	assert_int_equal(mvn_store_log_read(f->st, "lan", &text, &len, &err),
			 -EPERM);
	assert_int_equal(chmod(p, 0600), 0);
	path_in(q, f->states, "web.log");
	assert_int_equal(symlink(p, q), 0);
	assert_int_equal(mvn_store_log_append(f->st, "web", 4, "x\n", 2, &err),
			 -ELOOP);
	assert_int_equal(mvn_store_log_read(f->st, "web", &text, &len, &err),
			 -ELOOP);
	assert_text(p, "new\n");
	assert_int_equal(unlink(q), 0);
	/* Set aside into damaged/ under a name that says what it was. */
	assert_done(mvn_store_log_set_aside(f->st, "lan", where, sizeof(where),
					    &err),
		    &err);
	assert_gone(p);
	assert_non_null(strstr(where, "/damaged/lan.log."));
	assert_text(where, "new\n");
	/* The state's removal takes the log with it. */
	put_state(f, "lan", "head");
	assert_done(mvn_store_log_append(f->st, "lan", 0, "abc\n", 4, &err),
		    &err);
	assert_done(mvn_store_state_remove(f->st, "lan", &err), &err);
	assert_gone(p);
	assert_int_equal(mvn_store_log_append(f->st, "a/b", 0, "x\n", 2, &err),
			 -EINVAL);
}

static void test_state_missing_dir(void **state)
{
	struct fixture *f = *state;
	struct mvn_error err = { 0 };
	char where[PATH_MAX];
	char **list = NULL, *text = NULL;

	/* A new store has no networks directory until it needs one. */
	assert_gone(f->states);
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
	assert_dir(f->run, "id");
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
	char **list = NULL, *text = NULL, where[PATH_MAX];
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
	assert_dir(f->run, "id");
}

static void test_state_symlink_refused(void **state)
{
	struct fixture *f = *state;
	const size_t mib = 1024 * 1024;
	const char *lan[] = { "lan" };
	struct mvn_error err = { 0 };
	char p[PATH_MAX], q[PATH_MAX], ports[PATH_MAX];
	char **list = NULL, *text = NULL;

	put_state(f, "lan", "head");
	put_port(f, "lan", "eth0", "p");
	path_in(q, f->root, "outside");
	write_file(q, "secret", 6);

	path_in(p, f->states, "wan.state");
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_state_read(f->st, "wan", &text, &err),
			 -ELOOP);
	assert_null(text);
	assert_error(&err, -ELOOP, p);
	assert_int_equal(mvn_store_state_list(f->st, &list, &err), 0);
	assert_names(list, lan, 1);
	/* Writing replaces the link itself, never what it points to. */
	put_state(f, "wan", "new");
	assert_mode(p, S_IFREG, 0600);
	assert_text(q, "secret");

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
	path_in(p, f->states, "big.state");
	write_spaces(p, mib + 1);
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
	char p[PATH_MAX], ports[PATH_MAX];

	put_state(f, "lan", "old\n");
	put_port(f, "lan", "eth0", "old0\n");
	put_port(f, "lan", "eth1", "old1\n");
	path_in(ports, f->states, "lan.ports");

	/* A write that does not fit keeps the old file, and nothing else. */
	assert_int_equal(run_limited(f, write_big_state, &err), -EFBIG);
	path_in(p, f->states, "lan.state");
	assert_error(&err, -EFBIG, p);
	assert_non_null(strstr(err.msg, "is full"));
	assert_non_null(strstr(err.msg, "free some space"));
	assert_null(strchr(err.msg, '\n'));
	assert_text(p, "old\n");
	assert_dir(f->states, "lan.ports lan.state");

	assert_int_equal(run_limited(f, write_big_port, &err), -EFBIG);
	path_in(p, ports, "eth0.port");
	assert_error(&err, -EFBIG, p);
	assert_non_null(strstr(err.msg, "is full"));
	assert_text(p, "old0\n");
	assert_dir(ports, "eth0.port eth1.port");

	assert_int_equal(run_limited(f, write_big_new_state, &err), -EFBIG);
	assert_error(&err, -EFBIG, "wan.state");
	assert_dir(f->states, "lan.ports lan.state");

	/* What fits is still written. */
	assert_int_equal(run_limited(f, write_small_state, &err), 0);
	path_in(p, f->states, "lan.state");
	assert_text(p, "fits\n");

	/* Removals need no space at all. */
	assert_int_equal(run_limited(f, remove_port, &err), 0);
	assert_dir(ports, "eth0.port");
	assert_int_equal(run_limited(f, remove_state, &err), 0);
	assert_dir(f->states, "");
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
	char damaged[PATH_MAX], p[PATH_MAX], longname[300];
	const char *base;
	struct stat sb;

	put_state(f, "lan", "bad1");
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where,
					     sizeof(where), &err),
			 0);
	path_in(damaged, f->run, "damaged");
	assert_mode(damaged, S_IFDIR, 0700);
	path_in(prefix, damaged, "lan.state.");
	assert_int_equal(strncmp(where, prefix, strlen(prefix)), 0);
	assert_true(is_stamp(where + strlen(prefix)));
	assert_int_equal(strlen(where), strlen(prefix) + 16);
	assert_text(where, "bad1");
	path_in(p, f->states, "lan.state");
	assert_gone(p);

	/* Set aside again, it gets a name of its own. */
	put_state(f, "lan", "bad2");
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where2,
					     sizeof(where2), &err),
			 0);
	assert_string_not_equal(where, where2);
	if (strncmp(where, where2, strlen(where)) == 0)
		assert_string_equal(where2 + strlen(where), ".1");
	assert_text(where, "bad1");
	assert_text(where2, "bad2");

	/* A port file says which network and interface it was. */
	put_port(f, "lan", "eth0", "pbad");
	assert_int_equal(mvn_store_set_aside(f->st, "lan", "eth0", where,
					     sizeof(where), &err),
			 0);
	path_in(prefix, damaged, "lan.eth0.port.");
	assert_int_equal(strncmp(where, prefix, strlen(prefix)), 0);
	assert_true(is_stamp(where + strlen(prefix)));
	assert_text(where, "pbad");
	path_in(p, f->states, "lan.ports/eth0.port");
	assert_gone(p);

	/* Nothing there, nothing moved. */
	memset(&err, 0, sizeof(err));
	assert_int_equal(mvn_store_set_aside(f->st, "lan", "eth0", where,
					     sizeof(where), &err),
			 -ENOENT);
	assert_error(&err, -ENOENT, p);
	/* No room for the answer: nothing moved either. */
	put_state(f, "lan", "bad3");
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, where, 10,
					     &err),
			 -ERANGE);
	assert_error(&err, -ERANGE, "lan.state");
	path_in(p, f->states, "lan.state");
	assert_int_equal(lstat(p, &sb), 0);
	/* The answer is optional. */
	assert_int_equal(mvn_store_set_aside(f->st, "lan", NULL, NULL, 0, &err),
			 0);
	assert_gone(p);
	assert_dir(f->states, "lan.ports");

	/* The longest name is cut to fit a directory entry. */
	memset(longname, 'n', sizeof(longname));
	longname[243] = '\0';
	put_state(f, longname, "x");
	assert_int_equal(mvn_store_set_aside(f->st, longname, NULL, where,
					     sizeof(where), &err),
			 0);
	base = strrchr(where, '/') + 1;
	assert_true(strlen(base) <= NAME_MAX);
	assert_non_null(strstr(base, "nnn.state."));
	assert_int_equal(lstat(where, &sb), 0);
}

/* Write journal record name, which must work. */
static void put_record(struct fixture *f, const char *name, const char *text)
{
	struct mvn_error err = { 0 };

	assert_done(mvn_store_journal_write(f->st, name, text, &err), &err);
}

static void test_journal(void **state)
{
	struct fixture *f = *state;
	const char *both[] = { "t-1", "t-2" }, *one[] = { "t-2" };
	struct mvn_error err = { 0 };
	char dir[PATH_MAX], p[PATH_MAX], q[PATH_MAX];
	char **list = NULL, *text = NULL;

	/* A new store has no journal directory and no records; removing one is
	 * not an error. */
	path_in(dir, f->run, "journal");
	assert_int_equal(mvn_store_journal_list(f->st, &list, &err), 0);
	assert_names(list, NULL, 0);
	list = NULL;
	assert_int_equal(mvn_store_journal_read(f->st, "t-1", &text, &err),
			 -ENOENT);
	assert_null(text);
	assert_done(mvn_store_journal_remove(f->st, "t-1", &err), &err);
	assert_gone(dir);

	/* Records are private, and replaced whole. */
	put_record(f, "t-2", "two\n");
	put_record(f, "t-1", "one\n");
	assert_mode(dir, S_IFDIR, 0700);
	path_in(p, dir, "t-1.txn");
	assert_mode(p, S_IFREG, 0600);
	assert_read(mvn_store_journal_read(f->st, "t-1", &text, &err), &err,
		    &text, "one\n");
	put_record(f, "t-1", "again\n");
	assert_text(p, "again\n");

	/* Temporary files, junk and bad names are not records. */
	junk(dir, ".t-1.txn.Ab12Cd");
	junk(dir, "notes");
	junk(dir, "a.b.txn");
	assert_int_equal(mvn_store_journal_list(f->st, &list, &err), 0);
	assert_names(list, both, 2);
	list = NULL;

	/* A record that is a symbolic link is not followed. */
	path_in(q, f->root, "outside");
	write_file(q, "secret", 6);
	path_in(p, dir, "t-3.txn");
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(mvn_store_journal_read(f->st, "t-3", &text, &err),
			 -ELOOP);
	assert_null(text);
	assert_error(&err, -ELOOP, p);
	assert_int_equal(unlink(p), 0);

	/* Removed, it is gone; removing it again is not an error. */
	assert_done(mvn_store_journal_remove(f->st, "t-1", &err), &err);
	path_in(p, dir, "t-1.txn");
	assert_gone(p);
	assert_done(mvn_store_journal_remove(f->st, "t-1", &err), &err);
	assert_int_equal(mvn_store_journal_read(f->st, "t-1", &text, &err),
			 -ENOENT);
	assert_null(text);
	assert_int_equal(mvn_store_journal_list(f->st, &list, &err), 0);
	assert_names(list, one, 1);
	assert_dir(dir, ".t-1.txn.Ab12Cd a.b.txn notes t-2.txn");
}

static void test_journal_invalid_names(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = { "", "a.b", "a/b", "../x", "a b", "a\nb", NULL };
	struct mvn_error err;
	char longname[80], *text = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_journal_write(f->st, bad[i], "x",
							 &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "journal record name");
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_journal_read(f->st, bad[i], &text,
							&err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "journal record name");
		memset(&err, 0, sizeof(err));
		assert_int_equal(mvn_store_journal_remove(f->st, bad[i], &err),
				 -EINVAL);
		assert_error(&err, -EINVAL, "journal record name");
	}
	assert_null(text);
	/* The message quotes the bad name, made safe. */
	mvn_store_journal_write(f->st, "a\nb", "x", &err);
	assert_non_null(strstr(err.msg, "'a?b'"));
	assert_null(strchr(err.msg, '\n'));
	/* At most 64 characters. */
	memset(longname, 'j', sizeof(longname));
	longname[64] = '\0';
	put_record(f, longname, "x");
	longname[64] = 'j';
	longname[65] = '\0';
	assert_int_equal(mvn_store_journal_write(f->st, longname, "x", &err),
			 -EINVAL);
	assert_int_equal(mvn_store_journal_write(f->st, longname, "x", NULL),
			 -EINVAL);
}

/* Each test runs on a fresh store in a temporary directory of its own. */
#define STORE_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		STORE_TEST(test_open_creates_dirs),
		STORE_TEST(test_trailing_slash_stripped),
		STORE_TEST(test_save_load_roundtrip),
		STORE_TEST(test_load_missing),
		STORE_TEST(test_save_replaces_atomically),
		STORE_TEST(test_save_failure_leaves_nothing),
		STORE_TEST(test_list_sorted_ignores_junk),
		STORE_TEST(test_list_empty),
		STORE_TEST(test_delete_removes_file_and_link),
		STORE_TEST(test_delete_missing),
		STORE_TEST(test_invalid_names),
		STORE_TEST(test_autostart),
		STORE_TEST(test_symlinked_dirs_refused),
		STORE_TEST(test_writable_dirs_refused),
		STORE_TEST(test_load_symlink_refused),
		STORE_TEST(test_load_untrusted_refused),
		STORE_TEST(test_load_too_big),
		STORE_TEST(test_store_id_made_once),
		STORE_TEST(test_store_id_one_for_all),
		STORE_TEST(test_store_id_damaged),
		STORE_TEST(test_lock_files),
		STORE_TEST(test_store_lock_shared_and_exclusive),
		STORE_TEST(test_lock_blocks_second_handle),
		STORE_TEST(test_lock_timeout_names_holder),
		STORE_TEST(test_network_locks),
		STORE_TEST(test_state_roundtrip),
		STORE_TEST(test_port_roundtrip),
		STORE_TEST(test_state_missing_dir),
		cmocka_unit_test(test_log_replay),
		cmocka_unit_test(test_log_replay_many),
		cmocka_unit_test(test_state_header),
		cmocka_unit_test(test_log_damage),
		cmocka_unit_test(test_log_scan),
		STORE_TEST(test_log_store),
		STORE_TEST(test_state_dir_damaged),
		STORE_TEST(test_state_invalid_names),
		STORE_TEST(test_state_symlink_refused),
		STORE_TEST(test_full_disk),
		STORE_TEST(test_set_aside),
		STORE_TEST(test_journal),
		STORE_TEST(test_journal_invalid_names),
	};

	/* Modes are checked exactly; a restrictive umask would hide bits. */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
