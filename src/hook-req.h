/*
 * What libvirt asks of the hook, read from its command line and standard
 * input with no side effect: the hook (hook.c) acts on it, the fuzzer
 * feeds it.  libvirt runs a hook as
 *   HOOKS/qemu.d/NAME DOMAIN OPERATION SUB-OPERATION EXTRA
 * (network.d/ for networks), strictly positionally: a domain named "-h"
 * or "--run-dir=x" is a domain name like any other.
 */
#ifndef MVN_HOOK_REQ_H
#define MVN_HOOK_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "iface.h"
#include "network.h"

/* The libvirt driver whose hook this is. */
enum mvn_hook_driver {
	MVN_HOOK_QEMU,
	MVN_HOOK_NETWORK,
};

enum mvn_hook_action {
	MVN_HOOK_IGNORE, /* nothing for macvnet to do */
	MVN_HOOK_PREPARE, /* create the domain's endpoints */
	MVN_HOOK_RELEASE, /* delete them */
	MVN_HOOK_RECONNECT, /* check they are still there */
	MVN_HOOK_MIGRATE, /* can this host take the domain? XML back as is */
	MVN_HOOK_ECHO, /* give the XML back unchanged (restore) */
	MVN_HOOK_NET_START, /* a libvirt network starts: its host shim */
	MVN_HOOK_NET_STOP, /* it stopped: the shim goes */
};

/* "domain:" and a UUID, or "name:" and 32 hex digits of a hash. */
#define MVN_HOOK_OWNER_MAX 48

struct mvn_hook_req {
	enum mvn_hook_driver driver;
	enum mvn_hook_action action;
	const char *object; /* the domain or network name (argv) */
	bool needs_input; /* the action reads the XML on standard input */
	struct mvn_domain *domain; /* by mvn_hook_input(), if it has ports */
	struct mvn_network *network; /* NET_START with a host shim */
	char owner[MVN_HOOK_OWNER_MAX]; /* the domain's owner tag */
};

/*
 * The driver from the path libvirt ran the hook under (argv[0]): a
 * network.d/ directory or a file named "network" means networks, anything
 * else domains.
 */
enum mvn_hook_driver mvn_hook_driver_of(const char *argv0);

/* The directory holding libvirt's hooks (and macvnet.conf), or NULL. */
char *mvn_hook_dir_of(const char *argv0);

/* Read argv (exactly as libvirt passes it) into req. */
int mvn_hook_args(int argc, char **argv, enum mvn_hook_driver driver,
		  struct mvn_hook_req *req, struct mvn_error *err);

/* Read the XML of standard input, when req->needs_input, into req. */
int mvn_hook_input(struct mvn_hook_req *req, const char *text, size_t len,
		   struct mvn_error *err);

/* The owner tag of a domain: its UUID, or a hash of its full name. */
void mvn_hook_owner(const struct mvn_domain *d, char out[MVN_HOOK_OWNER_MAX]);

/* Free what mvn_hook_input() parsed; req can be read again. */
void mvn_hook_req_clear(struct mvn_hook_req *req);

/* Settings hook-install leaves next to the hooks (macvnet.conf). */
struct mvn_hook_conf {
	char *config_dir;
	char *run_dir;
	unsigned int timeout_s; /* 0: the built-in deadline */
};

/*
 * Read hooks_dir/macvnet.conf if it is there and trusted (trust.h); a
 * missing file leaves conf empty.  Lines are "KEY=VALUE" or comments.
 */
int mvn_hook_conf_read(const char *hooks_dir, struct mvn_hook_conf *conf,
		       struct mvn_error *err);
void mvn_hook_conf_free(struct mvn_hook_conf *conf);

#endif
