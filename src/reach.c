/* Who reaches whom (reach.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "reach.h"

const char *mvn_pass_name(enum mvn_pass p)
{
	static const char *const names[] = { "yes", "no", "unicast",
					     "hairpin" };

	return names[p];
}

/* What a switch that may or may not send frames back gives. */
static enum mvn_pass by_hairpin(enum mvn_tristate h, enum mvn_pass if_yes)
{
	return h == MVN_YES ? if_yes :
	       h == MVN_NO  ? MVN_PASS_NO :
			      MVN_PASS_HAIRPIN;
}

/* The endpoints of one device among themselves. */
static void among(const struct mvn_reach_net *n, struct mvn_reach_row *r)
{
	switch (n->mode) {
	case MVN_FWD_BRIDGE:
		r->pass = MVN_PASS_YES;
		r->why = _("bridge mode: the kernel passes frames between "
			   "endpoints of one device");
		break;
	case MVN_FWD_VEPA:
		r->pass = by_hairpin(n->hairpin, MVN_PASS_YES);
		r->why = _("vepa mode: every frame goes to the switch, which "
			   "must send it back out of the same port (hairpin)");
		break;
	default:
		r->pass = by_hairpin(n->hairpin, MVN_PASS_UNICAST);
		r->why = _("private mode: the kernel never passes frames "
			   "between them; a hairpin switch sends unicast back, "
			   "and the kernel drops broadcast that comes back");
		break;
	}
}

/* Whether another device of the pool than dev carries host addresses. */
static bool elsewhere(const struct mvn_reach_net *n, const char *dev)
{
	size_t i;

	for (i = 0; n->host_addr && i < n->nlowers; i++)
		if (n->host_addr[i] && strcmp(n->lowers[i], dev))
			return true;
	return false;
}

/* Whether dev (of the pool) carries host addresses. */
static bool here(const struct mvn_reach_net *n, const char *dev)
{
	size_t i;

	for (i = 0; n->host_addr && i < n->nlowers; i++)
		if (n->host_addr[i] && !strcmp(n->lowers[i], dev))
			return true;
	return false;
}

/* The endpoints of device dev and the host's own addresses on it. */
static void to_own(const struct mvn_reach_net *n, struct mvn_reach_row *r)
{
	if (n->mode == MVN_FWD_PASSTHROUGH) {
		r->pass = MVN_PASS_NO;
		r->why = _("passthrough: the device is the endpoint's, so the "
			   "host's addresses on it get no frame");
	} else if (n->mode == MVN_FWD_PRIVATE) {
		r->pass = by_hairpin(n->hairpin, MVN_PASS_UNICAST);
		r->why = _("the host's addresses on the device get unicast "
			   "only if the switch sends it back (hairpin); the "
			   "kernel drops broadcast that comes back");
	} else {
		r->pass = by_hairpin(n->hairpin, MVN_PASS_YES);
		r->why = n->mode == MVN_FWD_BRIDGE ?
				 _("the host's addresses on the device get a "
				   "frame only if the switch sends it back "
				   "(hairpin); a <macvnet:host> shim makes it "
				   "direct") :
				 _("the host's addresses on the device get a "
				   "frame only if the switch sends it back "
				   "(hairpin)");
	}
}

/* The endpoints of device dev and the host. */
static void to_host(const struct mvn_reach_net *n, const char *dev,
		    struct mvn_reach_row *r)
{
	if (n->shim && !strcmp(n->shim_lower, dev)) {
		r->pass = n->mode == MVN_FWD_BRIDGE ?
				  MVN_PASS_YES :
				  by_hairpin(n->hairpin, MVN_PASS_YES);
		r->why = n->mode == MVN_FWD_BRIDGE ?
				 _("through the host shim, a bridge-mode "
				   "macvlan beside the endpoints") :
				 _("through the host shim, once the switch "
				   "sends the frames back (hairpin)");
	} else if (n->shim) {
		r->pass = MVN_PASS_YES;
		r->why = _("through the LAN to the host shim on another "
			   "device");
	} else if (here(n, dev)) {
		to_own(n, r);
	} else if (elsewhere(n, dev)) {
		r->pass = MVN_PASS_YES;
		r->why = _("through the LAN to the host's addresses on "
			   "another device");
	} else {
		r->pass = MVN_PASS_NO;
		r->why = _("the host has no address on the network's devices "
			   "(it may still be reached through the LAN on "
			   "another interface)");
	}
}

static struct mvn_reach_row *add(struct mvn_reach_row **v, size_t *n,
				 const char *a, const char *b)
{
	struct mvn_reach_row *g = realloc(*v, (*n + 1) * sizeof(**v));

	if (!g)
		return NULL;
	*v = g;
	g[*n].a = a;
	g[*n].b = b;
	return &g[(*n)++];
}

int mvn_reach(const struct mvn_reach_net *n, struct mvn_reach_row **rows,
	      size_t *nrows)
{
	struct mvn_reach_row *v = NULL, *r;
	size_t k = 0, i, j;

	for (i = 0; i < n->nlowers; i++) {
		const char *d = n->lowers[i];

		if (n->mode != MVN_FWD_PASSTHROUGH) {
			if (!(r = add(&v, &k, d, d)))
				goto nomem;
			among(n, r);
		}
		for (j = i + 1; j < n->nlowers; j++) {
			if (!(r = add(&v, &k, d, n->lowers[j])))
				goto nomem;
			r->pass = MVN_PASS_YES;
			r->why = _("out of one device and in through the "
				   "other, when both are on the same LAN");
		}
		if (!(r = add(&v, &k, d, "host")))
			goto nomem;
		to_host(n, d, r);
		if (!(r = add(&v, &k, d, "LAN")))
			goto nomem;
		r->pass = MVN_PASS_YES;
		r->why = _("every mode sends frames out through the device");
	}
	if (!(r = add(&v, &k, "host", "LAN")))
		goto nomem;
	r->pass = MVN_PASS_YES;
	r->why = n->shim ? _("through the host shim and its device") :
			   _("through the host's own addresses");
	*rows = v;
	*nrows = k;
	return 0;
nomem:
	free(v);
	return -ENOMEM;
}
