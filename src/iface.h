/* A domain's <interface> element: the parts macvnet acts on. */
#ifndef MVN_IFACE_H
#define MVN_IFACE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

enum mvn_iface_type {
	MVN_IFACE_OTHER = 0,
	MVN_IFACE_NETWORK,
	MVN_IFACE_DIRECT,
	MVN_IFACE_ETHERNET,
	MVN_IFACE_BRIDGE,
};

struct mvn_iface {
	enum mvn_iface_type type;
	char *type_name;
	bool has_mac;
	unsigned char mac[6];
	char *source_network; /* type='network' */
	char *source_dev; /* type='direct' (and bridge) */
	char *source_mode; /* type='direct' */
	char *target_dev;
	unsigned int mtu;
	int line;
};

/*
 * Parse a standalone <interface> document (text of len bytes; name for
 * messages).  *out (free with mvn_iface_free()) is set only on success.
 */
int mvn_iface_parse(const char *text, size_t len, const char *name,
		    struct mvn_iface **out, struct mvn_error *err);
/* Read and parse an <interface> document from a file (or "-"). */
int mvn_iface_parse_file(const char *path, struct mvn_iface **out,
			 struct mvn_error *err);
/* Free an interface; NULL is a no-op. */
void mvn_iface_free(struct mvn_iface *iface);

#endif
