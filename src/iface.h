/* A domain's <interface> element: the parts macvnet acts on. */
#ifndef MVN_IFACE_H
#define MVN_IFACE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* macvnet's namespace in a domain's <metadata>. */
#define MVN_DOMAIN_NS "urn:macvnet:1"

/* The kernel's smallest MTU for a macvtap link (ETH_MIN_MTU). */
#define MVN_MACVTAP_MIN_MTU 68

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
	unsigned int mtu; /* 0: none */
	char *bad_mtu; /* <mtu size> when not a number up to 65535, or NULL */
	bool managed_no; /* <target managed='no'> */
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

/* libxml2's element, for the rules and the rewriter (see xml.h). */
struct _xmlNode;

/*
 * Apply the rules for the values of an <interface> element (iface) that
 * the schema checks too, but cannot name in its messages: a type, one of
 * the listed values for each enumerated attribute (with the nearest one
 * when the value looks like a typo of it), the <source> a type needs,
 * numbers in range; and the kernel's rules for the interface names it
 * holds (the <target dev> of a tap or macvtap that libvirt does not
 * rename, the lower device's <source dev>), which libvirt leaves to the
 * kernel.  name is the document's, for messages.  Returns 0, or -EINVAL
 * with the first broken rule, its line, the attribute, the value and
 * what to write.
 */
int mvn_iface_check_xml(struct _xmlNode *iface, const char *name,
			struct mvn_error *err);
/* The same for every <interface> in the <devices> of a <domain> element. */
int mvn_domain_check_xml(struct _xmlNode *domain, const char *name,
			 struct mvn_error *err);

/* <macvnet:port target='IF' network='NET'/> in a domain's metadata. */
struct mvn_dom_port {
	char *target;
	char *network;
	int line;
};

/* The parts of a <domain> that the hook and domain-convert need. */
struct mvn_domain {
	char *name;
	unsigned char uuid[16];
	bool has_uuid;
	char *bad_uuid; /* the text of a malformed <uuid>, or NULL */
	int uuid_line;
	struct mvn_iface **ifaces;
	size_t nifaces;
	struct mvn_dom_port *ports;
	size_t nports;
};

/*
 * Parse a <domain> document (or libvirt's <hookData> around one).  *out
 * (free with mvn_domain_free()) is set only on success.
 */
int mvn_domain_parse(const char *text, size_t len, const char *name,
		     struct mvn_domain **out, struct mvn_error *err);
/* Free a domain; NULL is a no-op. */
void mvn_domain_free(struct mvn_domain *dom);
/* The interface whose <target dev> is dev, or NULL (borrowed). */
const struct mvn_iface *mvn_domain_iface(const struct mvn_domain *dom,
					 const char *dev);

/*
 * Check a domain that macvnet serves: a well-formed UUID, unicast MACs, and
 * ports whose targets are interface names, each naming exactly one
 * <interface type='ethernet'> with <target managed='no'> and an MTU a
 * macvtap link can have, none twice.
 */
int mvn_domain_check(const struct mvn_domain *dom, const char *name,
		     struct mvn_error *err);

/*
 * What mvn_domain_rewrite() does to a domain.  begin (may be NULL) sees
 * the <domain> element first; iface sees each <interface> of <devices> in
 * order (index counted from 1) and returns 1 when it changed it, 0 when it
 * left it, or a negative errno with err set, which stops the walk.
 */
struct mvn_domain_rewriter {
	int (*begin)(void *ctx, struct _xmlNode *domain, struct mvn_error *err);
	int (*iface)(void *ctx, struct _xmlNode *iface, int index,
		     struct mvn_error *err);
	void *ctx;
};

/*
 * Parse a <domain> document (text of len bytes; name in messages), drop
 * the blanks between its elements, let rw change it, and print it the way
 * virsh dumpxml does: *out (caller frees) is that text and *count the
 * number of interfaces changed; when none was, *out is NULL.  Everything
 * rw does not touch is kept as written.  The one domain rewriter:
 * domain-convert and migrate-ovs both use it.
 */
int mvn_domain_rewrite(const char *text, size_t len, const char *name,
		       const struct mvn_domain_rewriter *rw, char **out,
		       unsigned int *count, struct mvn_error *err);

/*
 * Rewrite a domain's type='network' and type='direct' interfaces into
 * type='ethernet' with <target dev managed='no'/> and macvnet metadata
 * naming network.  Interfaces without a target get one made from the
 * domain's name; ports already in the metadata are kept, all in one
 * <macvnet:domain>.  Everything else is kept as it is.  An input that
 * cannot give a valid result (a target used twice or unusable as a link
 * name, a multicast MAC, an MTU or UUID out of range, a stale port) is
 * refused with the reason, and the result passes mvn_domain_parse() and
 * mvn_domain_check() (the caller adds the schema).  *out is the new
 * document's text (caller frees).
 */
int mvn_domain_convert(const char *text, size_t len, const char *name,
		       const char *network, char **out, struct mvn_error *err);

#endif
