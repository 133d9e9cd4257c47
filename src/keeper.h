/*
 * Processes that keep addresses on a device: DHCP clients whose command
 * line names it, and network managers (daemons that name no device).
 * Read from /proc, bounded; nothing is changed.
 */
#ifndef MVN_KEEPER_H
#define MVN_KEEPER_H

#include <stdbool.h>
#include <stddef.h>

struct mvn_keeper {
	char prog[64]; /* "dhclient", "NetworkManager"... */
	int pid;
	bool named; /* its command line names the device */
};

/* Up to max keepers of dev's addresses into out; how many. */
size_t mvn_keepers(const char *dev, struct mvn_keeper *out, size_t max);

#endif
