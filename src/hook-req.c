/* What libvirt asks of the hook (hook-req.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook-req.h"
#include "i18n.h"
#include "sha256.h"
#include "trust.h"
#include "util.h"

/* The name of the directory holding path's last part ("" if none). */
static void parent_name(const char *path, char *out, size_t len)
{
	const char *end = strrchr(path, '/'), *start;

	out[0] = '\0';
	if (!end)
		return;
	for (start = end; start > path && start[-1] != '/'; start--)
		;
	snprintf(out, len, "%.*s", (int)(end - start), start);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

enum mvn_hook_driver mvn_hook_driver_of(const char *argv0)
{
	char dir[64];

	parent_name(argv0, dir, sizeof(dir));
	if (!strcmp(dir, "network.d") || !strcmp(base_name(argv0), "network"))
		return MVN_HOOK_NETWORK;
	return MVN_HOOK_QEMU;
}

char *mvn_hook_dir_of(const char *argv0)
{
	const char *base = base_name(argv0);
	char dir[64];
	size_t n;

	if (base == argv0)
		return NULL;
	parent_name(argv0, dir, sizeof(dir));
	n = (size_t)(base - argv0) - 1; /* the directory holding the hook */
	if (!strcmp(dir, "qemu.d") || !strcmp(dir, "network.d"))
		n -= strlen(dir) + 1; /* libvirt's hooks directory above it */
	else if (strcmp(base, "qemu") && strcmp(base, "network"))
		return NULL;
	if (n == 0)
		return mvn_strdup("/");
	return strndup(argv0, n);
}

/* The action of a libvirt operation and sub-operation. */
static enum mvn_hook_action action_of(enum mvn_hook_driver driver,
				      const char *op, const char *sub)
{
	static const struct {
		enum mvn_hook_driver driver;
		const char *op, *sub;
		enum mvn_hook_action action;
	} table[] = {
		{ MVN_HOOK_QEMU, "prepare", "begin", MVN_HOOK_PREPARE },
		{ MVN_HOOK_QEMU, "release", "end", MVN_HOOK_RELEASE },
		{ MVN_HOOK_QEMU, "reconnect", "begin", MVN_HOOK_RECONNECT },
		{ MVN_HOOK_QEMU, "migrate", "begin", MVN_HOOK_MIGRATE },
		{ MVN_HOOK_QEMU, "restore", "begin", MVN_HOOK_ECHO },
		{ MVN_HOOK_NETWORK, "started", "begin", MVN_HOOK_NET_START },
		{ MVN_HOOK_NETWORK, "stopped", "end", MVN_HOOK_NET_STOP },
	};
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].driver == driver && !strcmp(table[i].op, op) &&
		    !strcmp(table[i].sub, sub))
			return table[i].action;
	return MVN_HOOK_IGNORE;
}

int mvn_hook_args(int argc, char **argv, enum mvn_hook_driver driver,
		  struct mvn_hook_req *req, struct mvn_error *err)
{
	memset(req, 0, sizeof(*req));
	req->driver = driver;
	if (argc < 4 || argc > 5 || !argv[1][0])
		return mvn_error_set(err, -EINVAL,
				     _("usage: macvnet-hook NAME OPERATION "
				       "SUB-OPERATION [EXTRA] < XML (libvirt "
				       "runs it from its hooks directory; see "
				       "macvnet hook-install)"));
	req->object = argv[1];
	req->action = action_of(driver, argv[2], argv[3]);
	req->needs_input = req->action != MVN_HOOK_IGNORE &&
			   req->action != MVN_HOOK_NET_STOP;
	return 0;
}

void mvn_hook_owner(const struct mvn_domain *d, char out[MVN_HOOK_OWNER_MAX])
{
	unsigned char sum[MVN_SHA256_LEN];
	char uuid[37];
	int i;

	if (d->has_uuid) {
		mvn_uuid_format(d->uuid, uuid);
		snprintf(out, MVN_HOOK_OWNER_MAX, "domain:%s", uuid);
		return;
	}
	/* Half of SHA-256 of the whole name: no two names share a tag. */
	mvn_sha256(d->name, strlen(d->name), sum);
	strcpy(out, "name:");
	for (i = 0; i < 16; i++)
		snprintf(out + 5 + 2 * i, 3, "%02x", sum[i]);
}

/* The <network> libvirt wraps in <hookData> when a network starts. */
static int network_input(struct mvn_hook_req *req, const char *text, size_t len,
			 struct mvn_error *err)
{
	const char *start = text, *end;
	int ret;

	(void)len;
	while ((start = strstr(start, "<network")) != NULL &&
	       !strchr(" \t\r\n>", start[8]))
		start += 8;
	end = start ? strstr(start, "</network>") : NULL;
	if (!start || !end)
		return 0; /* no network: nothing of macvnet's */
	end += strlen("</network>");
	ret = mvn_network_parse(start, (size_t)(end - start), req->object,
				&req->network, err);
	if (ret == 0 && !req->network->host.present) {
		mvn_network_free(req->network);
		req->network = NULL;
	}
	return ret;
}

int mvn_hook_input(struct mvn_hook_req *req, const char *text, size_t len,
		   struct mvn_error *err)
{
	int ret;

	if (!req->needs_input || req->action == MVN_HOOK_ECHO)
		return 0;
	if (req->action == MVN_HOOK_NET_START)
		return network_input(req, text, len, err);
	ret = mvn_domain_parse(text, len, req->object, &req->domain, err);
	if (ret < 0)
		return ret;
	if (!req->domain->nports) {
		/* Not a domain macvnet serves. */
		mvn_domain_free(req->domain);
		req->domain = NULL;
		return 0;
	}
	mvn_hook_owner(req->domain, req->owner);
	/* What prepare would refuse, an incoming migration is refused for. */
	if (req->action == MVN_HOOK_PREPARE || req->action == MVN_HOOK_MIGRATE)
		return mvn_domain_check(req->domain, req->domain->name, err);
	return 0;
}

void mvn_hook_req_clear(struct mvn_hook_req *req)
{
	mvn_domain_free(req->domain);
	mvn_network_free(req->network);
	req->domain = NULL;
	req->network = NULL;
}

/* One "KEY=VALUE" line of macvnet.conf. */
static int conf_line(struct mvn_hook_conf *conf, char *line, const char *path,
		     int no, struct mvn_error *err)
{
	char *eq = strchr(line, '='), *end;
	char **slot = NULL;
	unsigned long v;

	if (!eq)
		return mvn_error_setl(err, -EINVAL, no,
				      _("%1$s:%2$d: expected KEY=VALUE (run "
					"macvnet hook-install again to rewrite "
					"the file)"),
				      path, no);
	*eq++ = '\0';
	if (!strcmp(line, "config-dir"))
		slot = &conf->config_dir;
	else if (!strcmp(line, "run-dir"))
		slot = &conf->run_dir;
	else if (!strcmp(line, "timeout")) {
		errno = 0;
		v = strtoul(eq, &end, 10);
		if (errno || *end || end == eq || v < 1 || v > 600)
			return mvn_error_setl(err, -EINVAL, no,
					      _("%1$s:%2$d: timeout must be 1 "
						"to 600 seconds"),
					      path, no);
		conf->timeout_s = (unsigned int)v;
		return 0;
	} else
		return mvn_error_setl(err, -EINVAL, no,
				      _("%1$s:%2$d: unknown setting (the "
					"settings are config-dir, run-dir and "
					"timeout)"),
				      path, no);
	if (eq[0] != '/')
		return mvn_error_setl(err, -EINVAL, no,
				      _("%1$s:%2$d: %3$s must be an absolute "
					"path"),
				      path, no, line);
	free(*slot);
	*slot = mvn_strdup(eq);
	return *slot ? 0 : mvn_error_set(err, -ENOMEM, _("out of memory"));
}

int mvn_hook_conf_read(const char *hooks_dir, struct mvn_hook_conf *conf,
		       struct mvn_error *err)
{
	char *text = NULL, *line, *next, path[4200];
	int no = 0, ret;

	memset(conf, 0, sizeof(*conf));
	snprintf(path, sizeof(path), "%s/macvnet.conf", hooks_dir);
	ret = mvn_trust_read(hooks_dir, "macvnet.conf", 65536, &text, NULL,
			     err);
	if (ret == -ENOENT)
		return 0;
	for (line = text; ret == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		no++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		ret = conf_line(conf, line, path, no, err);
	}
	free(text);
	if (ret < 0)
		mvn_hook_conf_free(conf);
	return ret;
}

void mvn_hook_conf_free(struct mvn_hook_conf *conf)
{
	free(conf->config_dir);
	free(conf->run_dir);
	conf->config_dir = conf->run_dir = NULL;
}
