/*
 * The engine's context: where things are, the store, the schemas and the
 * kernel's links, opened when first needed; locks with a bound on waiting;
 * the deadline every wait is cut to; a stored definition loaded once.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine-int.h"
#include "util.h"

/* Waits that nobody chose: a lock, and one exchange with the kernel. */
#define DEFAULT_LOCK_WAIT_MS 30000u
#define NETLINK_WAIT_MS 5000u
/* A lock wait becomes worth a word after this long. */
#define NOTICE_MS 1000u

int mvn_engine_new(const struct mvn_paths *paths, struct mvn_engine **out,
		   struct mvn_error *err)
{
	struct mvn_engine *eng = calloc(1, sizeof(*eng));

	if (!eng)
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	eng->lock_wait_ms = DEFAULT_LOCK_WAIT_MS;
	eng->explicit_config = paths->config_dir != NULL;
	eng->explicit_run = paths->run_dir != NULL;
	eng->config_dir = mvn_strdup(paths->config_dir ? paths->config_dir :
							 MVN_CONFIG_DIR);
	eng->run_dir =
		mvn_strdup(paths->run_dir ? paths->run_dir : MVN_RUN_DIR);
	eng->schema_dir = mvn_strdup(paths->schema_dir ? paths->schema_dir :
							 MVN_SCHEMA_DIR);
	if (!eng->config_dir || !eng->run_dir || !eng->schema_dir) {
		mvn_engine_free(eng);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	*out = eng;
	return 0;
}

void mvn_engine_free(struct mvn_engine *eng)
{
	if (!eng)
		return;
	if (eng->link_ops)
		eng->link_ops->close(eng->link_ctx);
	mvn_store_free(eng->store);
	mvn_schema_free(eng->schema);
	free(eng->config_dir);
	free(eng->run_dir);
	free(eng->schema_dir);
	free(eng);
}

const char *mvn_engine_config_dir(const struct mvn_engine *eng)
{
	return eng->explicit_config ? eng->config_dir : NULL;
}

const char *mvn_engine_run_dir(const struct mvn_engine *eng)
{
	return eng->explicit_run ? eng->run_dir : NULL;
}

void mvn_engine_set_notice(struct mvn_engine *eng, mvn_notice_fn fn, void *arg)
{
	eng->notice = fn;
	eng->notice_arg = arg;
}

void mvn_engine_set_progress(struct mvn_engine *eng, mvn_progress_fn fn,
			     void *arg)
{
	eng->progress = fn;
	eng->progress_arg = arg;
}

void mvn_engine_progress(struct mvn_engine *eng, enum mvn_progress_step step,
			 const char *network, size_t done, size_t total)
{
	if (eng->progress)
		eng->progress(eng->progress_arg, step, network, done, total);
}

void mvn_engine_set_wait(struct mvn_engine *eng, unsigned int ms)
{
	eng->lock_wait_ms = ms;
}

uint64_t mvn_engine_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void mvn_engine_set_deadline(struct mvn_engine *eng, unsigned int ms)
{
	eng->deadline_ms = mvn_engine_now_ms() + ms;
}

unsigned int mvn_engine_left_ms(const struct mvn_engine *eng,
				unsigned int cap_ms)
{
	uint64_t now;

	if (!eng->deadline_ms)
		return cap_ms;
	now = mvn_engine_now_ms();
	if (now >= eng->deadline_ms)
		return 0;
	return eng->deadline_ms - now < cap_ms ?
		       (unsigned int)(eng->deadline_ms - now) :
		       cap_ms;
}

void mvn_engine_note(struct mvn_engine *eng, const char *fmt, ...)
{
	char msg[512], shown[512];
	va_list ap;

	if (!eng->notice)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* One line, whatever a name in it holds. */
	eng->notice(eng->notice_arg, mvn_shown(msg, shown, sizeof(shown)));
}

void mvn_engine_set_link_ops(struct mvn_engine *eng,
			     const struct mvn_link_ops *ops, void *ctx)
{
	if (eng->link_ops)
		eng->link_ops->close(eng->link_ctx);
	eng->link_ops = ops;
	eng->link_ctx = ctx;
}

int mvn_engine_open_store(struct mvn_engine *eng, struct mvn_error *err)
{
	if (eng->store)
		return 0;
	return mvn_store_open(eng->config_dir, eng->run_dir, &eng->store, err);
}

/* The bound on one exchange with the kernel. */
static unsigned int netlink_wait(void)
{
#ifdef MVN_FAULT_INJECTION
	/* A lost request in a fault test need not take the full bound. */
	const char *v = getenv("MACVNET_NETLINK_WAIT_MS");

	if (v && atoi(v) > 0)
		return (unsigned int)atoi(v);
#endif
	return NETLINK_WAIT_MS;
}

int mvn_engine_links(struct mvn_engine *eng, struct mvn_error *err)
{
	unsigned int ms;

	if (eng->link_ops)
		return 0;
	ms = mvn_engine_left_ms(eng, netlink_wait());
	return mvn_link_netlink(ms ? ms : 1, &eng->link_ops, &eng->link_ctx,
				err);
}

int mvn_engine_schema(struct mvn_engine *eng, struct mvn_schema **out,
		      struct mvn_error *err)
{
	int ret;

	if (!eng->schema) {
		ret = mvn_schema_open(eng->schema_dir, &eng->schema, err);
		if (ret < 0)
			return ret;
	}
	*out = eng->schema;
	return 0;
}

static void lock_notice(void *arg, const char *msg)
{
	struct mvn_engine *eng = arg;

	mvn_engine_note(eng, "%s", msg);
}

struct mvn_lock_wait mvn_engine_wait(struct mvn_engine *eng)
{
	struct mvn_lock_wait w = {
		.timeout_ms = mvn_engine_left_ms(eng, eng->lock_wait_ms),
		.notice_ms = NOTICE_MS,
		.notice = lock_notice,
		.arg = eng,
	};

	return w;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Take the locks of n networks (sorted, without duplicates) without ever
 * waiting for one while holding another: each is tried; at the first that
 * is busy, those held are let go and that one is waited for, then the
 * rest are tried again.  Nobody holds one network while queueing for the
 * next, so no queue grows behind a caller that waits elsewhere, and no
 * two callers wait for each other.
 */
static int lock_networks(struct mvn_engine *eng, const char **names, size_t n,
			 struct mvn_error *err)
{
	const struct mvn_lock_wait once = { 0 };
	struct mvn_lock_wait w;
	size_t i, j, held = n;
	int ret;

	for (;;) {
		for (i = 0; i < n; i++) {
			if (i == held)
				continue;
			ret = mvn_store_lock_network(eng->store, names[i],
						     &once, NULL);
			if (ret == -ETIMEDOUT)
				break;
			if (ret < 0)
				return mvn_store_lock_network(
					eng->store, names[i], &once, err);
		}
		if (i == n)
			return 0;
		for (j = 0; j < n; j++)
			mvn_store_unlock_network(eng->store, names[j]);
		w = mvn_engine_wait(eng);
		ret = mvn_store_lock_network(eng->store, names[i], &w, err);
		if (ret < 0)
			return ret;
		held = i;
	}
}

int mvn_engine_lock(struct mvn_engine *eng, const char *const *networks,
		    size_t n, bool exclusive, struct mvn_error *err)
{
	const char **sorted = NULL;
	struct mvn_lock_wait w;
	size_t i, k = 0;
	int ret;

	ret = mvn_engine_open_store(eng, err);
	if (ret < 0)
		return ret;
	w = mvn_engine_wait(eng);
	ret = mvn_store_lock(eng->store, exclusive, &w, err);
	if (ret < 0 || !n)
		return ret;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		mvn_store_unlock(eng->store);
		return mvn_error_set(err, -ENOMEM, _("out of memory"));
	}
	memcpy(sorted, networks, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), compare_names);
	for (i = 0; i < n; i++)
		if (!k || strcmp(sorted[i], sorted[k - 1]))
			sorted[k++] = sorted[i];
	ret = lock_networks(eng, sorted, k, err);
	free(sorted);
	if (ret < 0)
		mvn_store_unlock(eng->store);
	return ret;
}

void mvn_engine_unlock(struct mvn_engine *eng)
{
	if (eng->store)
		mvn_store_unlock(eng->store);
}

int mvn_engine_check_name(const char *name, struct mvn_error *err)
{
	if (name && mvn_store_name_valid(name))
		return 0;
	return mvn_error_set(err, -EINVAL,
			     _("'%s' is not a valid network name"),
			     name ? name : "");
}

int mvn_engine_lock_named(struct mvn_engine *eng, const char *name,
			  struct mvn_error *err)
{
	if (mvn_engine_check_name(name, err) < 0)
		return -EINVAL;
	return mvn_engine_lock(eng, &name, 1, false, err);
}

int mvn_engine_networks(struct mvn_engine *eng, char ***names, size_t *n,
			struct mvn_error *err)
{
	int ret;

	*n = 0;
	ret = mvn_engine_open_store(eng, err);
	if (ret < 0)
		return ret;
	ret = mvn_store_list_networks(eng->store, names, err);
	if (ret < 0)
		return ret;
	while ((*names)[*n])
		(*n)++;
	return 0;
}

int mvn_engine_load_def(struct mvn_engine *eng, const char *name,
			struct mvn_network **out, struct mvn_error *err)
{
	struct mvn_network *net = NULL;
	struct mvn_error perr = { 0 };
	char *xml = NULL;
	int ret;

	ret = mvn_engine_open_store(eng, err);
	if (ret < 0)
		return ret;
	ret = mvn_store_load_network(eng->store, name, &xml, err);
	if (ret < 0)
		return ret;
	ret = mvn_network_parse(xml, strlen(xml), name, &net, &perr);
	free(xml);
	if (ret < 0)
		return mvn_error_set(err, ret,
				     _("the definition of network '%1$s' is "
				       "damaged (%2$s); define it again "
				       "(macvnet net-define FILE) or remove "
				       "it (macvnet net-undefine %1$s)"),
				     name, perr.msg);
	/* A file edited by hand may name another network than its own. */
	if (strcmp(net->name, name)) {
		ret = mvn_error_set(err, -EINVAL,
				    _("the definition file of network "
				      "'%1$s' names network '%2$s'; put "
				      "<name>%1$s</name> back, or define it "
				      "under its new name (macvnet net-define "
				      "FILE) and undefine '%1$s'"),
				    name, net->name);
		mvn_network_free(net);
		return ret;
	}
	*out = net;
	return 0;
}
