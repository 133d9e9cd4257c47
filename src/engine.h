/*
 * Network definitions and their activation, as transactions over the store
 * and the kernel.  Commands and the hook call only this layer.
 */
#ifndef MVN_ENGINE_H
#define MVN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "link.h"
#include "network.h"
#include "state.h"

/* Where the engine keeps things; NULL fields take the built-in defaults. */
struct mvn_paths {
	const char *config_dir;
	const char *run_dir;
	const char *schema_dir;
};

/*
 * The engine's context: paths, the store and the compiled schemas, opened
 * when first needed.  Free with mvn_engine_free().
 */
struct mvn_engine;
struct mvn_schema;

/* What the engine tells its user along the way: one line, no newline. */
typedef void (*mvn_notice_fn)(void *arg, const char *msg);

/* Make an engine for paths (copied). */
int mvn_engine_new(const struct mvn_paths *paths, struct mvn_engine **out,
		   struct mvn_error *err);
/* Free the engine, releasing any lock it holds; NULL is a no-op. */
void mvn_engine_free(struct mvn_engine *eng);
/* The directories given explicitly (flag or environment), or NULL. */
const char *mvn_engine_config_dir(const struct mvn_engine *eng);
const char *mvn_engine_run_dir(const struct mvn_engine *eng);

/*
 * Where notes go (a lock that takes a while, a damaged state file set
 * aside); without this they are dropped.
 */
void mvn_engine_set_notice(struct mvn_engine *eng, mvn_notice_fn fn, void *arg);
/* The long steps of the engine, for a progress display. */
enum mvn_progress_step {
	MVN_PROGRESS_CREATE, /* creating a network's endpoints */
	MVN_PROGRESS_DELETE, /* deleting a network's endpoints */
	MVN_PROGRESS_RECONCILE, /* reconciling the store's links */
};

/*
 * How far a step over total links is: done of them so far; done == total
 * ends the step (also when it failed part way).  network names the
 * network, or is NULL.
 */
typedef void (*mvn_progress_fn)(void *arg, enum mvn_progress_step step,
				const char *network, size_t done, size_t total);

/* Where progress goes; without this it is dropped. */
void mvn_engine_set_progress(struct mvn_engine *eng, mvn_progress_fn fn,
			     void *arg);
/* Report progress through the function set, if any (for the engine). */
void mvn_engine_progress(struct mvn_engine *eng, enum mvn_progress_step step,
			 const char *network, size_t done, size_t total);
/* How long to wait for a lock another process holds (default 30 s). */
void mvn_engine_set_wait(struct mvn_engine *eng, unsigned int ms);
/*
 * A deadline ms from now for everything the engine does: lock waits and
 * each exchange with the kernel are cut to the time left.
 */
void mvn_engine_set_deadline(struct mvn_engine *eng, unsigned int ms);

/* The schemas, opened the first time they are asked for. */
int mvn_engine_schema(struct mvn_engine *eng, struct mvn_schema **out,
		      struct mvn_error *err);

/*
 * Read a document, validate it against its schema, parse and check it.
 * Networks come back in *net (caller frees) when net is not NULL; *kind is
 * the document kind.
 */
int mvn_engine_validate_file(struct mvn_engine *eng, const char *path,
			     const char **kind, struct mvn_network **net,
			     struct mvn_error *err);

/*
 * Define (or redefine) a network from a file: validated, refused when
 * macvnet cannot run it, stored in canonical form.  *name_out (caller frees)
 * is the network's name; warn (optional) receives what is kept but not
 * acted on.
 */
int mvn_engine_define(struct mvn_engine *eng, const char *path, char **name_out,
		      struct mvn_error *warn, struct mvn_error *err);
/* Remove a definition. */
int mvn_engine_undefine(struct mvn_engine *eng, const char *name,
			struct mvn_error *err);
/*
 * The stored definition of name, parsed and checked as net-start would use
 * it (*out freed by the caller).
 */
int mvn_engine_definition(struct mvn_engine *eng, const char *name,
			  struct mvn_network **out, struct mvn_error *err);
/* The stored canonical XML of a network (caller frees). */
int mvn_engine_dumpxml(struct mvn_engine *eng, const char *name, char **xml,
		       struct mvn_error *err);

struct mvn_net_status {
	char *name;
	bool active;
	bool autostart;
	bool persistent;
	char *mode;
	char *damage; /* why the definition cannot be used, or NULL */
};

/* The defined networks, sorted by name; free with mvn_engine_list_free(). */
int mvn_engine_list(struct mvn_engine *eng, struct mvn_net_status **out,
		    size_t *n, struct mvn_error *err);
void mvn_engine_list_free(struct mvn_net_status *list, size_t n);

/*
 * Put the kernel's links behind other operations (a test's fake); the
 * engine closes them when it is freed.  Without this, netlink is used.
 */
void mvn_engine_set_link_ops(struct mvn_engine *eng,
			     const struct mvn_link_ops *ops, void *ctx);

struct mvn_reconcile_report {
	size_t forgotten; /* ports in the state that the kernel had lost */
	size_t removed; /* this store's links that no state knew */
	size_t restored; /* lower devices whose MAC was given back */
	size_t rolled_back; /* networks whose start or stop was cut short */
	size_t set_aside; /* damaged state files set aside and rebuilt */
};

/*
 * Bring state and kernel into agreement after a crash: ports the kernel
 * lacks are forgotten, this store's links that no state lists are
 * deleted, a start or destroy cut short is finished, damaged state files
 * are set aside and rebuilt from the kernel.  Links of other stores are
 * never touched.  Every command that changes a network first does the
 * same for that network.
 */
int mvn_engine_reconcile(struct mvn_engine *eng,
			 struct mvn_reconcile_report *rep,
			 struct mvn_error *err);

/*
 * Activate a defined network: its lower devices are checked (present, not
 * a bridge port) and brought up, its static ports created, and its state
 * recorded.  All or nothing.
 */
/*
 * What net-start NAME would do, one line each (static ports, the host
 * shim, what the shim would take), after the checks net-start makes;
 * nothing is changed.  *plan is freed by the caller.
 */
int mvn_engine_start_plan(struct mvn_engine *eng, const char *name, char **plan,
			  struct mvn_error *err);
/* Whether device dev has global addresses (the host's own). */
int mvn_engine_has_addresses(struct mvn_engine *eng, const char *dev, bool *out,
			     struct mvn_error *err);
int mvn_engine_start(struct mvn_engine *eng, const char *name,
		     struct mvn_error *err);
/*
 * Deactivate a network: its links deleted (in one request where its group
 * holds nothing else; those moved to other namespaces too), device nodes
 * removed, what it took from lower devices given back.  Needs no free
 * space in the run directory.
 */
int mvn_engine_destroy(struct mvn_engine *eng, const char *name,
		       struct mvn_error *err);
/* Mark a defined network for start-autostart, or unmark it. */
int mvn_engine_set_autostart(struct mvn_engine *eng, const char *name, bool on,
			     struct mvn_error *err);
/*
 * Start every autostart network that is not active.  *started (caller
 * frees with mvn_store_names_free) lists those started; the first failure
 * is returned after trying all.
 */
int mvn_engine_start_autostart(struct mvn_engine *eng, char ***started,
			       struct mvn_error *err);

/*
 * The host shim of a network that libvirt runs (the network hook): created
 * on its first lower device when the network starts, and recorded under
 * key, which must not be a macvnet network's name.
 */
int mvn_engine_shim_start(struct mvn_engine *eng, const struct mvn_network *net,
			  const char *key, struct mvn_error *err);
/* Remove the shim recorded under key (nothing if there is none). */
int mvn_engine_shim_stop(struct mvn_engine *eng, const char *key,
			 struct mvn_error *err);

/* The runtime state of an active network; -ENOENT when it is inactive. */
int mvn_engine_state(struct mvn_engine *eng, const char *name,
		     struct mvn_state **out, struct mvn_error *err);

struct mvn_port_request {
	const char *network;
	const char *name; /* NULL: the first free mvtN */
	const char *lower; /* NULL: the pool device with fewest ports */
	bool has_mac; /* false: a random 52:54:00:xx:xx:xx */
	unsigned char mac[6];
	const char *owner; /* "USER[:GROUP]", NULL: root */
	unsigned int perm; /* 0: 0600, or 0660 with a group */
	unsigned int mtu; /* 0: the lower device's */
	const char *owner_tag; /* who asks, kept in the state */
	/*
	 * The network namespace to hand the endpoint to (a name under
	 * /run/netns, a PID or a path; see mvn_netns_open()), or NULL: it
	 * stays here.  netns_ifname is its name there (NULL: its own).
	 */
	const char *netns;
	const char *netns_ifname;
};

/*
 * Create one endpoint on an active network; *out describes it.  With
 * req->netns it is made here, then moved there and renamed in one step,
 * and recorded where it went (out->netnsid, out->ifindex, out->tap "-":
 * its device node is not this namespace's to give).  On failure nothing
 * is left behind, here or there.
 */
int mvn_engine_port_create(struct mvn_engine *eng,
			   const struct mvn_port_request *req,
			   struct mvn_port_state *out, struct mvn_error *err);
/*
 * Create several endpoints (on one or more active networks) as one
 * transaction: all of them, or none; a failure names the interface.
 * outs has n slots.
 */
int mvn_engine_ports_create(struct mvn_engine *eng,
			    const struct mvn_port_request *reqs, size_t n,
			    struct mvn_port_state *outs, struct mvn_error *err);
/* Delete endpoints by name, in one kernel request; all must exist. */
int mvn_engine_port_delete(struct mvn_engine *eng, char *const *names, size_t n,
			   struct mvn_error *err);

/* One endpoint of a listing; it points into the list's states. */
struct mvn_port_row {
	const char *network;
	enum mvn_fwd_mode mode;
	const struct mvn_port_state *port;
};

struct mvn_port_list {
	struct mvn_port_row *rows;
	size_t n;
	struct mvn_state **states; /* what the rows point into */
	size_t nstates;
};

/*
 * The endpoints of one active network (or all), each network's sorted by
 * name; free with mvn_port_list_free().
 */
int mvn_engine_port_list(struct mvn_engine *eng, const char *network,
			 struct mvn_port_list *out, struct mvn_error *err);
void mvn_port_list_free(struct mvn_port_list *l);

/*
 * counts[i]: how many endpoints of active networks other than skip use
 * device devs[i] (n of them).  A network whose state cannot be read
 * counts none; only skip's own endpoints are never read.
 */
int mvn_engine_lower_use(struct mvn_engine *eng, const char *skip,
			 char *const *devs, size_t n, size_t *counts,
			 struct mvn_error *err);

/*
 * The endpoints of this store whose owner tag is tag, on any network
 * (*names is NULL-terminated; free with mvn_store_names_free()).
 */
int mvn_engine_port_owned(struct mvn_engine *eng, const char *tag,
			  char ***names, struct mvn_error *err);

/*
 * Delete every endpoint of this store whose owner tag is tag (one dump of
 * all links finds them); *released (may be NULL) says how many went.
 */
int mvn_engine_release_owner(struct mvn_engine *eng, const char *tag,
			     size_t *released, struct mvn_error *err);

/*
 * Delete those of the n endpoints called names that are this store's and
 * carry owner tag tag: one look-up each, no dump of all links (what a
 * crash left of a domain under the names it asks for again).  *released
 * (may be NULL) says how many went.
 */
int mvn_engine_release_named(struct mvn_engine *eng, const char *tag,
			     char *const *names, size_t n, size_t *released,
			     struct mvn_error *err);

#endif
