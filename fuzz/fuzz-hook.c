/*
 * libFuzzer harness for what libvirt hands the hook: its command line and
 * standard input, read the way hook.c reads them (hook-req.h), up to the
 * point where the hook would act on the kernel.
 *
 * The input is split as follows: the first byte picks the driver (even:
 * qemu, odd: network); then come up to four NUL-terminated strings, which
 * become argv[1..4] (the domain or network name, the operation, the
 * sub-operation, the extra argument); the rest is standard input.  argv[0]
 * is the path libvirt runs the hook under for that driver.  Limits: fuzz.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "hook-req.h"

#define MAX_ARGS 4

/* What the hook computes from a domain it serves, before acting. */
static void use_domain(const struct mvn_hook_req *req)
{
	const struct mvn_domain *d = req->domain;
	size_t i;

	for (i = 0; i < d->nports; i++)
		mvn_domain_iface(d, d->ports[i].target);
	if (strnlen(req->owner, sizeof(req->owner)) == sizeof(req->owner)) {
		fprintf(stderr, "fuzz-hook: the owner tag is not terminated\n");
		abort();
	}
}

/*
 * The hook's path helpers take argv[0]; it is fixed here, so they read the
 * fuzzed name instead.
 */
static void path_helpers(const char *path)
{
	mvn_hook_driver_of(path);
	free(mvn_hook_dir_of(path));
}

/* What hook.c does with its arguments and input, short of acting. */
static void request(enum mvn_hook_driver driver, int argc, char **argv,
		    const char *text, size_t len)
{
	struct mvn_error err = { 0 };
	struct mvn_hook_req req;

	if (argc > 1)
		path_helpers(argv[1]);
	if (mvn_hook_args(argc, argv, driver, &req, &err) < 0)
		return;
	if (req.action == MVN_HOOK_IGNORE || !req.needs_input)
		return;
	if (mvn_hook_input(&req, text, len, &err) == 0 && req.domain)
		use_domain(&req);
	mvn_hook_req_clear(&req);
}

/* Split the input into driver, argv and standard input (see the top). */
static void one(const uint8_t *data, size_t size)
{
	static char qemu[] = "/etc/libvirt/hooks/qemu.d/macvnet";
	static char network[] = "/etc/libvirt/hooks/network.d/macvnet";
	enum mvn_hook_driver driver;
	char *argv[MAX_ARGS + 2] = { NULL };
	char *copy, *p, *end, *nul;
	int argc = 1;

	if (size < 1)
		return;
	driver = (data[0] & 1) ? MVN_HOOK_NETWORK : MVN_HOOK_QEMU;
	argv[0] = driver == MVN_HOOK_NETWORK ? network : qemu;
	/* One copy, NUL-terminated like the hook's standard input. */
	copy = fuzz_text(data + 1, size - 1);
	p = copy;
	end = copy + size - 1;
	while (argc <= MAX_ARGS &&
	       (nul = memchr(p, '\0', (size_t)(end - p))) != NULL) {
		argv[argc++] = p;
		p = nul + 1;
	}
	request(driver, argc, argv, p, (size_t)(end - p));
	free(copy);
}

FUZZ_TARGET("fuzz-hook", one)
