/*
 * What the three parts of migrate-ovs share: the plan (one item per network
 * or domain document, before and after) and the calls between
 * cmd-migrate.c (options, building and printing the plan), migrate-out.c
 * (--output-dir) and migrate-virt.c (--connect and --apply).
 */
#ifndef MVN_MIGRATE_H
#define MVN_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>

struct mvn_error;
struct mvn_network;
struct mvn_ovs;
struct mvn_schema;
struct mvn_virt;

/* One document of the migration, from a file or from libvirt. */
struct item {
	bool is_net;
	char *name; /* network or domain name */
	char *new_name; /* network: its name after migration */
	const char *file; /* input file, or NULL (libvirt) */
	char *orig; /* the document before */
	char *xml; /* after */
	unsigned int count; /* domain: interfaces migrated */
	bool active, persistent, existed;
	size_t net; /* network: its index in the migration's networks */
};

/* Everything to write and define; cmd-migrate.c frees it. */
struct plan {
	struct item *items;
	size_t nitems;
	struct mvn_schema *schema;
	struct mvn_ovs *m;
	struct mvn_virt *virt; /* NULL without --connect */
};

/* A new zeroed item at the end of p->items, or NULL when out of memory. */
struct item *mvn_migrate_add_item(struct plan *p, bool is_net);

/* Free what it holds (it itself stays). */
void mvn_migrate_item_clear(struct item *it);

/* Migrate net (text, len bytes; doc names it) and add it to the plan. */
int mvn_migrate_take_network(struct plan *p, struct mvn_network *net,
			     const char *text, size_t len, const char *doc,
			     struct mvn_error *err);

/* Add the networks to migrate, and the domains on them, from p->virt. */
int mvn_migrate_take_libvirt(struct plan *p, struct mvn_error *err);

/* Define every item in p->virt, all or nothing. */
int mvn_migrate_apply(struct plan *p, struct mvn_error *err);

/* Put back what items [0, done) replaced in libvirt; the error says how. */
int mvn_migrate_rolled_back(struct plan *p, size_t done, const char *why,
			    struct mvn_error *err);

/* Refuse an output directory or output name that is unsafe, before all. */
int mvn_migrate_prepare_out(struct plan *p, const char *dir,
			    char *const *inputs, int ninputs, bool originals,
			    struct mvn_error *err);

/* Write every result (and with originals, every original) into dir. */
int mvn_migrate_write_all(struct plan *p, const char *dir, bool originals,
			  struct mvn_error *err);

#endif
