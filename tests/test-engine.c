/*
 * The engine against an in-memory kernel that fails its Nth operation, for
 * every N: net-start (static ports, passthrough and a host shim that moves
 * an address), net-destroy, port-create, port-delete, reconcile, and the
 * hook's prepare and release.  After each failure: a change that failed
 * left everything as it was (links, MACs, addresses, device nodes, state
 * files), no lock is held, and after the next reconcile the state and the
 * kernel agree.  Also: two stores on one kernel never touch each other's
 * links; endpoints moved to another namespace are followed and deleted;
 * damaged state files are set aside and rebuilt.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#include <libxml/parser.h>

#include "engine.h"
#include "fake-kernel.h"
#include "store.h"
#include "util.h"

static const unsigned char MAC0[6] = { 0x02, 0, 0, 0, 0, 0x10 };
static const unsigned char MAC1[6] = { 0x02, 0, 0, 0, 0, 0x11 };

struct fixture {
	char root[256];
	char cfg[300], run[300];
	struct fake_kernel k;
	struct mvn_engine *eng;
};

static const char *const LAN_XML =
	"<network>\n  <name>lan</name>\n"
	"  <forward mode='bridge'>\n"
	"    <interface dev='eth0'/>\n    <interface dev='eth1'/>\n"
	"  </forward>\n"
	"  <metadata>\n    <macvnet:network xmlns:macvnet='urn:macvnet:1'>\n"
	"      <macvnet:port name='s0'/>\n"
	"      <macvnet:port name='s1' mac='52:54:00:00:00:11'/>\n"
	"      <macvnet:port name='s2'/>\n"
	"      <macvnet:host name='mvhost0' address='198.51.100.2/24' "
	"move-addresses='yes'/>\n"
	"    </macvnet:network>\n  </metadata>\n</network>\n";

static const char *const PT_XML =
	"<network>\n  <name>pt</name>\n"
	"  <forward mode='passthrough'>\n    <interface dev='eth2'/>\n"
	"  </forward>\n"
	"  <metadata>\n    <macvnet:network xmlns:macvnet='urn:macvnet:1'>\n"
	"      <macvnet:port name='p0' mac='52:54:00:00:00:21'/>\n"
	"    </macvnet:network>\n  </metadata>\n</network>\n";

static const char *const WEB_XML =
	"<network>\n  <name>web</name>\n"
	"  <forward mode='bridge'>\n    <interface dev='eth0'/>\n"
	"  </forward>\n</network>\n";

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static struct mvn_engine *new_engine(const char *cfg, const char *run,
				     struct fake_kernel *k)
{
	struct mvn_paths paths = { cfg, run, TESTS_SRCDIR "/../schemas" };
	struct mvn_engine *eng = NULL;
	struct mvn_error err = { 0 };

	assert_int_equal(mvn_engine_new(&paths, &eng, &err), 0);
	mvn_engine_set_link_ops(eng, &fake_ops, k);
	mvn_engine_set_wait(eng, 2000);
	return eng;
}

static void define(struct fixture *f, const char *name, const char *xml)
{
	char path[400];
	struct mvn_error err = { 0 };

	snprintf(path, sizeof(path), "%s/%s.xml", f->root, name);
	write_text(path, xml);
	if (mvn_engine_define(f->eng, path, NULL, NULL, &err) < 0)
		fail_msg("define %s: %s", name, err.msg);
}

/* A fresh fixture: three lower devices, eth0 with an address. */
static void fixture_init(struct fixture *f)
{
	struct mvn_addr a;
	unsigned char mac2[6] = { 0x02, 0, 0, 0, 0, 0x12 };

	memset(f, 0, sizeof(*f));
	snprintf(f->root, sizeof(f->root), "/tmp/mvn-engine-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->cfg, sizeof(f->cfg), "%s/etc", f->root);
	snprintf(f->run, sizeof(f->run), "%s/run", f->root);
	fake_add_device(&f->k, "eth0", MAC0);
	fake_add_device(&f->k, "eth1", MAC1);
	fake_add_device(&f->k, "eth2", mac2);
	assert_true(mvn_addr_parse("198.51.100.1/24", &a));
	f->k.links[0].addrs[0] = a;
	f->k.links[0].naddrs = 1;
	f->eng = new_engine(f->cfg, f->run, &f->k);
	define(f, "lan", LAN_XML);
	define(f, "pt", PT_XML);
	define(f, "web", WEB_XML);
}

static void remove_tree(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	char sub[1024];

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		remove_tree(sub);
	}
	closedir(d);
	rmdir(path);
}

static void fixture_free(struct fixture *f)
{
	mvn_engine_free(f->eng);
	remove_tree(f->root);
}

/* Every file under dir (names and contents, sorted by name) appended. */
static void dump_tree(const char *dir, struct mvn_buf *b)
{
	struct dirent **list;
	char path[1024];
	int i, n = scandir(dir, &list, NULL, alphasort);

	for (i = 0; i < n; i++) {
		char *text = NULL;
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (list[i]->d_name[0] != '.' && !strstr(path, ".lock") &&
		    lstat(path, &sb) == 0) {
			mvn_buf_printf(b, "%s\n", path);
			if (S_ISDIR(sb.st_mode))
				dump_tree(path, b);
			else if (S_ISREG(sb.st_mode) &&
				 mvn_file_read(path, 1 << 20, &text, NULL) == 0)
				mvn_buf_printf(b, "%s\n", text);
			free(text);
		}
		free(list[i]);
	}
	if (n >= 0)
		free(list);
}

/* The whole world as text: kernel links, addresses, nodes, state files. */
static char *world(struct fixture *f)
{
	struct mvn_buf b = { 0 };
	char dir[400];
	int i, j;

	for (i = 0; i < FAKE_MAX_LINKS; i++) {
		const struct fake_link *l = &f->k.links[i];
		char mac[18];

		if (!l->used)
			continue;
		mvn_mac_format(l->info.mac, mac);
		mvn_buf_printf(&b, "link %s %d ns%d g%u %s up%d [%s]",
			       l->info.name, l->info.ifindex, l->info.netnsid,
			       l->info.group, mac, l->info.up, l->info.alias);
		for (j = 0; j < l->naddrs; j++) {
			char text[64];

			mvn_addr_format(&l->addrs[j], text);
			mvn_buf_printf(&b, " %s", text);
		}
		mvn_buf_printf(&b, "\n");
	}
	for (i = 0; i < f->k.nnodes; i++)
		mvn_buf_printf(&b, "node %s\n", f->k.nodes[i]);
	snprintf(dir, sizeof(dir), "%s/networks", f->run);
	dump_tree(dir, &b);
	return mvn_buf_steal(&b);
}

/* Whether another process can take the store lock now. */
static void assert_unlocked(struct fixture *f)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct mvn_store *st = NULL;
		struct mvn_lock_wait w = { 0 };

		if (mvn_store_open(f->cfg, f->run, &st, NULL) < 0 ||
		    mvn_store_lock(st, true, &w, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * State and kernel agree: every port of every network is a link of this
 * store with its node, every link of this store is known, no network is
 * caught in the middle of a start or destroy.
 */
static void assert_agree(struct fixture *f)
{
	struct mvn_port_list list = { 0 };
	struct mvn_port_row *rows;
	struct mvn_error err = { 0 };
	size_t n, i;
	int j, known = 0, shims = 0, moved = 0;
	char run_nets[400];

	if (mvn_engine_port_list(f->eng, NULL, &list, &err) < 0)
		fail_msg("port-list: %s", err.msg);
	rows = list.rows;
	n = list.n;
	for (i = 0; i < n; i++) {
		const struct mvn_port_state *p = rows[i].port;
		struct fake_link *l = fake_find(&f->k, p->name);
		bool node = false;

		/* Moved to another namespace: there, and without a node. */
		if (p->netnsid != MVN_NETNSID_SELF) {
			for (j = 0; j < FAKE_MAX_LINKS; j++)
				if (f->k.links[j].used &&
				    f->k.links[j].info.netnsid == p->netnsid &&
				    f->k.links[j].info.ifindex == p->ifindex)
					break;
			if (j == FAKE_MAX_LINKS || strcmp(p->tap, "-"))
				fail_msg("moved port %s of %s: no link, or a "
					 "node %s",
					 p->name, rows[i].network, p->tap);
			moved++;
			continue;
		}
		if (!l || l->info.ifindex != p->ifindex)
			fail_msg("port %s of %s has no link", p->name,
				 rows[i].network);
		for (j = 0; j < f->k.nnodes; j++)
			node |= !strcmp(f->k.nodes[j], p->tap);
		if (!node)
			fail_msg("port %s has no node %s", p->name, p->tap);
	}
	/* Links of ours: the ports, plus one shim per active network with one. */
	for (j = 0; j < FAKE_MAX_LINKS; j++) {
		const struct fake_link *l = &f->k.links[j];

		if (!l->used || !MVN_GROUP_OURS(l->info.group))
			continue;
		if (l->info.kind == MVN_LINK_MACVLAN)
			shims++;
		else
			known++;
	}
	if ((size_t)known != n)
		fail_msg("%d endpoints in the kernel, %zu in the state", known,
			 n);
	if (f->k.nnodes != known - moved)
		fail_msg("%d device nodes for %d endpoints here", f->k.nnodes,
			 known - moved);
	{
		struct mvn_state *st = NULL;
		int active_shims = 0;

		if (mvn_engine_state(f->eng, "lan", &st, NULL) == 0) {
			active_shims = st->has_host;
			assert_int_equal(st->status, MVN_STATE_ACTIVE);
		}
		mvn_state_free(st);
		if (active_shims != shims)
			fail_msg("%d shims in the kernel, %d in the state",
				 shims, active_shims);
		/* Without the shim, eth0 has its own address. */
		if (!active_shims)
			assert_int_equal(fake_find(&f->k, "eth0")->naddrs, 1);
	}
	snprintf(run_nets, sizeof(run_nets), "%s/networks", f->run);
	mvn_port_list_free(&list);
	assert_unlocked(f);
}

typedef void (*setup_fn)(struct fixture *f);
typedef int (*op_fn)(struct fixture *f, struct mvn_error *err);

/* One message line naming what failed. */
static void assert_one_line(const struct mvn_error *err)
{
	assert_true(err->code < 0);
	assert_true(strlen(err->msg) > 0);
	assert_null(strchr(err->msg, '\n'));
}

/*
 * Walk a failure over every operation op asks of the kernel.  With
 * atomic set, a failed op must leave the world exactly as it found it;
 * otherwise (a teardown) the next reconcile must make state and kernel
 * agree.  Returns how many operations the op takes without failure.
 */
static unsigned long walk(setup_fn setup, op_fn op, bool atomic)
{
	unsigned long n;

	for (n = 1; n < 2000; n++) {
		struct fixture f;
		struct mvn_error err = { 0 };
		struct mvn_reconcile_report rep = { 0 };
		char *before, *after;
		int r;

		fixture_init(&f);
		if (setup)
			setup(&f);
		before = world(&f);
		f.k.fail_at = f.k.ops + n;
		r = op(&f, &err);
		f.k.fail_at = 0;
		after = world(&f);
		if (!f.k.fired) {
			if (r < 0)
				fail_msg("without a failure: %s", err.msg);
			assert_agree(&f);
			free(before);
			free(after);
			fixture_free(&f);
			return n - 1;
		}
		if (r < 0) {
			assert_one_line(&err);
			if (atomic && strcmp(before, after))
				fail_msg("failure %lu (%s) changed the world:"
					 "\n--- before\n%s--- after\n%s",
					 n, err.msg, before, after);
		}
		assert_unlocked(&f);
		if (mvn_engine_reconcile(f.eng, &rep, &err) < 0)
			fail_msg("reconcile after failure %lu: %s", n, err.msg);
		assert_agree(&f);
		free(before);
		free(after);
		fixture_free(&f);
	}
	fail_msg("the operation never ran without a failure");
	return 0;
}

static int op_start_lan(struct fixture *f, struct mvn_error *err)
{
	return mvn_engine_start(f->eng, "lan", err);
}

static int op_start_pt(struct fixture *f, struct mvn_error *err)
{
	return mvn_engine_start(f->eng, "pt", err);
}

static void set_lan(struct fixture *f)
{
	struct mvn_error err = { 0 };

	if (mvn_engine_start(f->eng, "lan", &err) < 0)
		fail_msg("start: %s", err.msg);
}

static void set_pt(struct fixture *f)
{
	struct mvn_error err = { 0 };

	if (mvn_engine_start(f->eng, "pt", &err) < 0)
		fail_msg("start: %s", err.msg);
}

static void set_lan_web(struct fixture *f)
{
	struct mvn_error err = { 0 };

	set_lan(f);
	if (mvn_engine_start(f->eng, "web", &err) < 0)
		fail_msg("start: %s", err.msg);
}

static int op_destroy_lan(struct fixture *f, struct mvn_error *err)
{
	return mvn_engine_destroy(f->eng, "lan", err);
}

static int op_destroy_pt(struct fixture *f, struct mvn_error *err)
{
	return mvn_engine_destroy(f->eng, "pt", err);
}

static int op_port_create(struct fixture *f, struct mvn_error *err)
{
	struct mvn_port_request req = { .network = "lan", .owner_tag = "cli" };
	struct mvn_port_state out;

	return mvn_engine_port_create(f->eng, &req, &out, err);
}

/* port-create --netns (this process's namespace file) --ifname eth0. */
static int op_port_create_netns(struct fixture *f, struct mvn_error *err)
{
	struct mvn_port_request req = { .network = "lan",
					.owner_tag = "cli",
					.netns = "/proc/self/ns/net",
					.netns_ifname = "eth0" };
	struct mvn_port_state out;

	return mvn_engine_port_create(f->eng, &req, &out, err);
}

static int op_port_delete(struct fixture *f, struct mvn_error *err)
{
	char n0[] = "s0", n2[] = "s2";
	char *names[] = { n0, n2 };

	return mvn_engine_port_delete(f->eng, names, 2, err);
}

/* The hook's prepare: the domain's leftovers released, two made. */
static int op_prepare(struct fixture *f, struct mvn_error *err)
{
	struct mvn_port_request reqs[2] = {
		{ .network = "lan", .name = "web1-a", .owner_tag = "domain:x" },
		{ .network = "web", .name = "web1-b", .owner_tag = "domain:x" },
	};
	struct mvn_port_state outs[2];
	int ret;

	ret = mvn_engine_release_owner(f->eng, "domain:x", NULL, err);
	if (ret == 0)
		ret = mvn_engine_ports_create(f->eng, reqs, 2, outs, err);
	return ret;
}

static void set_prepared(struct fixture *f)
{
	struct mvn_error err = { 0 };

	set_lan_web(f);
	if (op_prepare(f, &err) < 0)
		fail_msg("prepare: %s", err.msg);
}

static int op_release(struct fixture *f, struct mvn_error *err)
{
	return mvn_engine_release_owner(f->eng, "domain:x", NULL, err);
}

/* The hook's prepare of the same names again: what was left goes by name. */
static int op_release_named(struct fixture *f, struct mvn_error *err)
{
	char a[] = "web1-a", b[] = "web1-b", c[] = "nosuch";
	char *names[] = { a, c, b };

	return mvn_engine_release_named(f->eng, "domain:x", names, 3, NULL,
					err);
}

static int op_reconcile(struct fixture *f, struct mvn_error *err)
{
	return mvn_engine_reconcile(f->eng, NULL, err);
}

/* A crash left a link of ours behind, and lost an endpoint. */
static void set_crashed(struct fixture *f)
{
	struct fake_link *l;
	char alias[MVN_ALIAS_MAX + 1];
	int idx;

	set_lan(f);
	l = fake_find(&f->k, "s0");
	snprintf(alias, sizeof(alias), "%s", l->info.alias);
	l->used = false; /* the kernel lost s0 */
	idx = fake_add_device(&f->k, "left0", (unsigned char[6]){ 2, 9 });
	l = fake_find(&f->k, "left0");
	assert_int_equal(l->info.ifindex, idx);
	l->info.kind = MVN_LINK_MACVTAP;
	l->info.group = fake_find(&f->k, "s1")->info.group;
	snprintf(l->info.alias, sizeof(l->info.alias), "%s", alias);
}

static void test_start(void **state)
{
	unsigned long n;

	(void)state;
	n = walk(NULL, op_start_lan, true);
	print_message("# net-start with 3 ports and a shim: %lu steps, each "
		      "failed once\n",
		      n);
	assert_true(n > 8);
}

static void test_start_passthrough(void **state)
{
	unsigned long n;

	(void)state;
	n = walk(NULL, op_start_pt, true);
	print_message("# passthrough net-start: %lu steps\n", n);
	assert_true(n > 3);
}

static void test_passthrough_refused_start(void **state)
{
	struct fixture f;
	struct mvn_error err = { 0 };
	char *before, *after;
	int r;

	(void)state;
	fixture_init(&f);
	/* The device already carries another macvlan: the kernel refuses. */
	fake_add_device(&f.k, "other0", (unsigned char[6]){ 2, 7 });
	fake_find(&f.k, "other0")->info.lower_ifindex =
		fake_find(&f.k, "eth2")->info.ifindex;
	before = world(&f);
	r = mvn_engine_start(f.eng, "pt", &err);
	assert_int_equal(r, -EINVAL);
	assert_one_line(&err);
	after = world(&f);
	assert_string_equal(before, after);
	/* Not recorded active: the retry says the same, not "already active". */
	err.msg[0] = '\0';
	assert_int_equal(mvn_engine_start(f.eng, "pt", &err), -EINVAL);
	assert_null(strstr(err.msg, "already active"));
	free(before);
	free(after);
	fixture_free(&f);
}

static void test_destroy(void **state)
{
	(void)state;
	walk(set_lan, op_destroy_lan, false);
	walk(set_pt, op_destroy_pt, false);
}

static void test_port_create(void **state)
{
	(void)state;
	walk(set_lan, op_port_create, true);
}

/*
 * port-create --netns: all or nothing at every step (the move too); the
 * port is recorded where it went, deleted there; a name taken there
 * leaves nothing.
 */
static void test_port_create_netns(void **state)
{
	struct fixture f;
	struct mvn_port_request req = { .network = "lan",
					.owner_tag = "cli",
					.netns = "/proc/self/ns/net",
					.netns_ifname = "eth0" };
	struct mvn_port_state out;
	struct mvn_error err = { 0 };
	struct fake_link *l = NULL;
	char name[16], *before, *after;
	char *names[] = { name };
	int j, ours;

	(void)state;
	walk(set_lan, op_port_create_netns, true);
	fixture_init(&f);
	set_lan(&f);
	ours = fake_count_ours(&f.k);
	assert_int_equal(mvn_engine_port_create(f.eng, &req, &out, &err), 0);
	assert_int_equal(out.netnsid, 9);
	assert_string_equal(out.tap, "-");
	for (j = 0; j < FAKE_MAX_LINKS; j++)
		if (f.k.links[j].used && f.k.links[j].info.netnsid == 9)
			l = &f.k.links[j];
	assert_non_null(l);
	assert_string_equal(l->info.name, "eth0");
	assert_int_equal(l->info.ifindex, out.ifindex);
	assert_null(fake_find(&f.k, out.name));
	assert_agree(&f);
	/* A second eth0 there is refused, and leaves nothing. */
	before = world(&f);
	assert_true(mvn_engine_port_create(f.eng, &req, &out, &err) < 0);
	assert_one_line(&err);
	after = world(&f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	/* Bad namespaces fail before anything is made. */
	req.netns = TESTS_SRCDIR "/netns.sh";
	assert_int_equal(mvn_engine_port_create(f.eng, &req, &out, &err),
			 -EINVAL);
	req.netns = "no-such-namespace";
	assert_int_equal(mvn_engine_port_create(f.eng, &req, &out, &err),
			 -ENOENT);
	snprintf(name, sizeof(name), "%s", out.name);
	assert_int_equal(mvn_engine_port_delete(f.eng, names, 1, &err), 0);
	assert_false(l->used);
	assert_int_equal(fake_count_ours(&f.k), ours);
	assert_agree(&f);
	fixture_free(&f);
}

static void test_port_delete(void **state)
{
	(void)state;
	walk(set_lan, op_port_delete, false);
}

static void test_prepare_release(void **state)
{
	(void)state;
	walk(set_lan_web, op_prepare, true);
	walk(set_prepared, op_prepare, false);
	walk(set_prepared, op_release, false);
	walk(set_prepared, op_release_named, false);
}

/*
 * Releasing by name looks each name up, dumps no list, and frees only
 * this store's endpoints of that owner tag.
 */
static void test_release_named(void **state)
{
	char a[] = "web1-a", b[] = "web1-b", s0[] = "s0";
	char *names[] = { a, s0 }, *rest[] = { b };
	struct mvn_error err = { 0 };
	struct fixture f;
	unsigned long before, lists;
	size_t released = 9;

	(void)state;
	fixture_init(&f);
	set_prepared(&f);
	assert_int_equal(mvn_engine_release_named(f.eng, "domain:y", rest, 1,
						  &released, &err),
			 0);
	assert_int_equal(released, 0);
	assert_non_null(fake_find(&f.k, "web1-b"));
	before = f.k.ops;
	lists = f.k.lists;
	assert_int_equal(mvn_engine_release_named(f.eng, "domain:x", names, 2,
						  &released, &err),
			 0);
	assert_int_equal(released, 1);
	assert_null(fake_find(&f.k, "web1-a"));
	assert_non_null(fake_find(&f.k, "web1-b"));
	assert_non_null(fake_find(&f.k, "s0"));
	print_message("# release of 2 names: %lu kernel operations\n",
		      f.k.ops - before);
	assert_true(f.k.ops - before <= 6);
	assert_int_equal(f.k.lists, lists);
	assert_agree(&f);
	fixture_free(&f);
}

static void test_reconcile(void **state)
{
	struct fixture f;
	struct mvn_reconcile_report rep = { 0 };
	struct mvn_error err = { 0 };

	(void)state;
	walk(set_crashed, op_reconcile, false);
	fixture_init(&f);
	set_crashed(&f);
	assert_int_equal(mvn_engine_reconcile(f.eng, &rep, &err), 0);
	assert_int_equal(rep.forgotten, 1);
	assert_int_equal(rep.removed, 1);
	assert_null(fake_find(&f.k, "left0"));
	assert_agree(&f);
	fixture_free(&f);
}

/* Two stores on one kernel: neither takes the other's links for its own. */
static void test_two_stores(void **state)
{
	struct fixture a;
	struct mvn_engine *b;
	struct mvn_reconcile_report rep = { 0 };
	struct mvn_error err = { 0 };
	char cfg[400], run[400], path[400];
	int before;

	(void)state;
	fixture_init(&a);
	snprintf(cfg, sizeof(cfg), "%s/etc-b", a.root);
	snprintf(run, sizeof(run), "%s/run-b", a.root);
	b = new_engine(cfg, run, &a.k);
	set_lan(&a);
	before = fake_count_ours(&a.k);
	assert_int_equal(mvn_engine_reconcile(b, &rep, &err), 0);
	assert_int_equal(rep.removed, 0);
	assert_int_equal(fake_count_ours(&a.k), before);
	/* B runs a network of the same name on the same devices. */
	snprintf(path, sizeof(path), "%s/web2.xml", a.root);
	write_text(path, WEB_XML);
	assert_int_equal(mvn_engine_define(b, path, NULL, NULL, &err), 0);
	assert_int_equal(mvn_engine_start(b, "web", &err), 0);
	{
		struct mvn_port_request req = { .network = "web",
						.name = "b0",
						.owner_tag = "cli" };
		struct mvn_port_state out;

		assert_int_equal(mvn_engine_port_create(b, &req, &out, &err),
				 0);
	}
	assert_int_equal(mvn_engine_destroy(b, "web", &err), 0);
	assert_null(fake_find(&a.k, "b0"));
	assert_int_equal(fake_count_ours(&a.k), before);
	assert_int_equal(mvn_engine_reconcile(a.eng, &rep, &err), 0);
	assert_int_equal(rep.removed, 0);
	assert_agree(&a);
	mvn_engine_free(b);
	fixture_free(&a);
}

/* How many records the endpoint log of network name holds. */
static size_t log_records(struct fixture *f, const char *name)
{
	char path[600], line[300];
	size_t n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/networks/%s.log", f->run, name);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		n += !strncmp(line, "end ", 4);
	fclose(fp);
	return n;
}

/*
 * Endpoints made and deleted over and over: the log is written again
 * when its dead records outnumber the live ones twice, so it stays about
 * the size of what lives; the endpoints are as before.
 */
static void test_log_tidy(void **state)
{
	struct port_churn {
		struct mvn_port_request req;
		struct mvn_port_state out;
	} c = { .req = { .network = "lan", .owner_tag = "cli" } };
	struct fixture f;
	struct mvn_error err = { 0 };
	size_t most = 0, k, live;
	int i;

	(void)state;
	fixture_init(&f);
	set_lan(&f);
	live = log_records(&f, "lan");
	for (i = 0; i < 300; i++) {
		char *names[1];

		assert_int_equal(
			mvn_engine_port_create(f.eng, &c.req, &c.out, &err), 0);
		names[0] = c.out.name;
		assert_int_equal(mvn_engine_port_delete(f.eng, names, 1, &err),
				 0);
		k = log_records(&f, "lan");
		most = k > most ? k : most;
	}
	/* Tidied past 64 records and twice the live ones; it got there. */
	assert_true(most <= 66 + 2 * live);
	assert_true(most >= 60);
	assert_agree(&f);
	fixture_free(&f);
}

/* One automatic port-create on web: the kernel operations it took. */
static unsigned long web_create_ops(struct fixture *f, char name[16])
{
	struct mvn_port_request req = { .network = "web", .owner_tag = "cli" };
	struct mvn_port_state out;
	struct mvn_error err = { 0 };
	unsigned long before = f->k.ops;

	if (mvn_engine_port_create(f->eng, &req, &out, &err) < 0)
		fail_msg("port-create web: %s", err.msg);
	snprintf(name, 16, "%s", out.name);
	return f->k.ops - before;
}

/*
 * An automatic name costs one look-up however many endpoints another
 * network holds: names go on from the store's hint (run/next-name), not
 * from mvt0 past every name in use.  A hint that is malformed or another
 * user's is read as none.
 */
static void test_name_hint(void **state)
{
	struct mvn_port_request req = { .network = "lan", .owner_tag = "cli" };
	struct mvn_port_state out;
	struct mvn_error err = { 0 };
	struct fixture f;
	unsigned long alone, beside;
	char name[16], path[400];
	int i;

	(void)state;
	fixture_init(&f);
	set_lan_web(&f);
	alone = web_create_ops(&f, name);
	assert_string_equal(name, "mvt0");
	for (i = 0; i < 60; i++)
		assert_int_equal(
			mvn_engine_port_create(f.eng, &req, &out, &err), 0);
	assert_string_equal(out.name, "mvt60");
	beside = web_create_ops(&f, name);
	assert_string_equal(name, "mvt61");
	print_message("# automatic port-create on web: %lu kernel operations "
		      "alone, %lu beside 60 of lan's\n",
		      alone, beside);
	assert_int_equal(beside, alone);
	/* A name just deleted is not the next one given. */
	{
		char *names[1] = { name };

		assert_int_equal(mvn_engine_port_delete(f.eng, names, 1, &err),
				 0);
	}
	web_create_ops(&f, name);
	assert_string_equal(name, "mvt62");
	/* Malformed: from mvt0 on again, past the names in use. */
	snprintf(path, sizeof(path), "%s/next-name", f.run);
	write_text(path, "62x\n");
	web_create_ops(&f, name);
	assert_string_equal(name, "mvt61");
	/* Another user's: not trusted, so read as none either. */
	write_text(path, "99990\n");
	assert_int_equal(chown(path, 1, 1), 0);
	web_create_ops(&f, name);
	assert_string_equal(name, "mvt63");
	/* Past mvt99999, around to mvt0 and on. */
	assert_int_equal(unlink(path), 0);
	write_text(path, "99999\n");
	web_create_ops(&f, name);
	assert_string_equal(name, "mvt99999");
	web_create_ops(&f, name);
	assert_string_equal(name, "mvt64");
	assert_agree(&f);
	fixture_free(&f);
}

/* An endpoint handed to another namespace is followed, then deleted. */
static void test_moved_endpoint(void **state)
{
	struct fixture f;
	struct mvn_port_list l = { 0 };
	struct mvn_reconcile_report rep = { 0 };
	struct mvn_error err = { 0 };
	size_t i;
	bool seen = false;

	(void)state;
	fixture_init(&f);
	set_lan(&f);
	fake_move(&f.k, "s1", 7);
	assert_int_equal(mvn_engine_reconcile(f.eng, &rep, &err), 0);
	assert_int_equal(rep.forgotten, 0);
	assert_int_equal(mvn_engine_port_list(f.eng, "lan", &l, &err), 0);
	for (i = 0; i < l.n; i++)
		if (!strcmp(l.rows[i].port->name, "s1")) {
			seen = true;
			assert_int_equal(l.rows[i].port->netnsid, 7);
		}
	mvn_port_list_free(&l);
	assert_true(seen);
	assert_int_equal(mvn_engine_destroy(f.eng, "lan", &err), 0);
	assert_int_equal(fake_count_ours(&f.k), 0);
	fixture_free(&f);
}

/* A damaged state file is set aside and rebuilt; others are untouched. */
static void test_damaged_state(void **state)
{
	struct fixture f;
	struct mvn_port_list l = { 0 };
	struct mvn_reconcile_report rep = { 0 };
	struct mvn_error err = { 0 };
	char path[600];

	(void)state;
	fixture_init(&f);
	set_lan_web(&f);
	snprintf(path, sizeof(path), "%s/networks/lan.state", f.run);
	write_text(path, "garbage\n");
	/* Another network's work goes on. */
	{
		struct mvn_port_request req = { .network = "web",
						.owner_tag = "cli" };
		struct mvn_port_state out;

		assert_int_equal(
			mvn_engine_port_create(f.eng, &req, &out, &err), 0);
	}
	assert_int_equal(mvn_engine_reconcile(f.eng, &rep, &err), 0);
	assert_int_equal(rep.set_aside, 1);
	assert_int_equal(mvn_engine_port_list(f.eng, "lan", &l, &err), 0);
	assert_int_equal(l.n, 3);
	mvn_port_list_free(&l);
	snprintf(path, sizeof(path), "%s/damaged", f.run);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(mvn_engine_destroy(f.eng, "lan", &err), 0);
	assert_int_equal(fake_find(&f.k, "eth0")->naddrs, 1);
	fixture_free(&f);
}

/* A definition whose <name> is not its file's is refused, not renamed. */
static void test_definition_name(void **state)
{
	struct fixture f;
	struct mvn_net_status *list = NULL;
	struct mvn_error err = { 0 };
	char path[600];
	size_t n = 0, i;

	(void)state;
	fixture_init(&f);
	snprintf(path, sizeof(path), "%s/networks/web.xml", f.cfg);
	write_text(path, "<network><name>other</name><forward mode='bridge'>"
			 "<interface dev='eth0'/></forward></network>\n");
	assert_int_equal(mvn_engine_start(f.eng, "web", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "names network 'other'"));
	assert_int_equal(mvn_engine_list(f.eng, &list, &n, &err), 0);
	for (i = 0; i < n; i++)
		if (!strcmp(list[i].name, "web"))
			assert_non_null(list[i].damage);
		else
			assert_null(list[i].damage);
	mvn_engine_list_free(list, n);
	{
		char *xml = NULL;

		assert_true(mvn_engine_dumpxml(f.eng, "web", &xml, &err) < 0);
		free(xml);
	}
	fixture_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_start_passthrough),
		cmocka_unit_test(test_passthrough_refused_start),
		cmocka_unit_test(test_destroy),
		cmocka_unit_test(test_port_create),
		cmocka_unit_test(test_port_create_netns),
		cmocka_unit_test(test_port_delete),
		cmocka_unit_test(test_prepare_release),
		cmocka_unit_test(test_release_named),
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_two_stores),
		cmocka_unit_test(test_moved_endpoint),
		cmocka_unit_test(test_log_tidy),
		cmocka_unit_test(test_name_hint),
		cmocka_unit_test(test_damaged_state),
		cmocka_unit_test(test_definition_name),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	xmlCleanupParser();
	return ret;
}
