/*
 * What the engine's files share; not for commands.  The engine is cut in
 * layers, each file using only those above it in this list:
 *   engine.c        the context: paths, store, schemas, links, locks, time
 *   engine-state.c  runtime state on disk and which links are the store's
 *   engine-txn.c    transactions: the one undo path, link deletion
 *   engine-def.c    definitions (define, undefine, dumpxml, list)
 *   engine-sync.c   reconcile: bring state and kernel into agreement
 *   engine-port.c   endpoints (create, delete, list)
 *   engine-run.c    activation (start, destroy, the host shim)
 */
#ifndef MVN_ENGINE_INT_H
#define MVN_ENGINE_INT_H

#include <stdint.h>
#include <sys/types.h>

#include "engine.h"
#include "link.h"
#include "schema.h"
#include "store.h"

/*
 * Network groups come from the lower half of macvnet's range, scratch
 * groups (links moved there to be deleted in one request) from the upper
 * half: a link of a store in a scratch group is one being deleted.
 */
#define MVN_NET_GROUP_FIRST (MVN_GROUP_BASE + 1)
#define MVN_NET_GROUP_COUNT (MVN_GROUP_COUNT / 2 - 1)
#define MVN_SCRATCH_FIRST (MVN_GROUP_BASE + MVN_GROUP_COUNT / 2)
#define MVN_SCRATCH_COUNT (MVN_GROUP_COUNT / 2 - 1)
#define MVN_GROUP_SCRATCH(g) \
	((g) >= MVN_SCRATCH_FIRST && (g)-MVN_SCRATCH_FIRST < MVN_SCRATCH_COUNT)

struct mvn_engine {
	char *config_dir;
	char *run_dir;
	char *schema_dir;
	bool explicit_config, explicit_run; /* not the built-in defaults */
	struct mvn_store *store;
	struct mvn_schema *schema;
	const struct mvn_link_ops *link_ops; /* opened when first needed */
	void *link_ctx;
	unsigned int lock_wait_ms; /* how long to wait for a lock */
	uint64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none */
	mvn_notice_fn notice;
	void *notice_arg;
	mvn_progress_fn progress;
	void *progress_arg;
};

/* engine.c */

/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t mvn_engine_now_ms(void);
/* The time left before the deadline, capped at cap_ms. */
unsigned int mvn_engine_left_ms(const struct mvn_engine *eng,
				unsigned int cap_ms);
/* Tell the user something that is not an error (one line). */
void mvn_engine_note(struct mvn_engine *eng, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Open the store if needed (no lock). */
int mvn_engine_open_store(struct mvn_engine *eng, struct mvn_error *err);
/* Open the kernel's links if needed. */
int mvn_engine_links(struct mvn_engine *eng, struct mvn_error *err);
/*
 * Take the store lock (shared, or exclusive when exclusive) and the locks
 * of the n networks (in name order, duplicates taken once), with the
 * engine's bound on waiting.  On failure nothing is held.
 */
int mvn_engine_lock(struct mvn_engine *eng, const char *const *networks,
		    size_t n, bool exclusive, struct mvn_error *err);
/* Release every lock. */
void mvn_engine_unlock(struct mvn_engine *eng);
/* The bound and notice for a lock wait. */
struct mvn_lock_wait mvn_engine_wait(struct mvn_engine *eng);
/* -EINVAL with a message unless name can name a network. */
int mvn_engine_check_name(const char *name, struct mvn_error *err);
/* Check name, then take the shared store lock and name's lock. */
int mvn_engine_lock_named(struct mvn_engine *eng, const char *name,
			  struct mvn_error *err);
/*
 * The names of the stored definitions (free with mvn_store_names_free()),
 * *n of them; opens the store if needed.
 */
int mvn_engine_networks(struct mvn_engine *eng, char ***names, size_t *n,
			struct mvn_error *err);
/*
 * Read, parse and check the stored definition of name; a file whose
 * <name> is not its file's name, or that does not parse, is refused with
 * a message saying so.  *out is freed by the caller.
 */
int mvn_engine_load_def(struct mvn_engine *eng, const char *name,
			struct mvn_network **out, struct mvn_error *err);

/* engine-state.c */

/*
 * Load the state of network name (its state file and its port files).
 * -ENOENT (message: not active) when it has none.  A damaged file makes
 * -EUCLEAN: the caller that holds the network's lock sets it aside and
 * rebuilds (engine-sync.c); others skip the network.
 */
int mvn_engine_state_load(struct mvn_engine *eng, const char *name,
			  struct mvn_state **out, struct mvn_error *err);
/*
 * The same, light (mvn_port_log_scan()): only the endpoints named in want
 * (n of them) are read whole, the others by name and lower device.
 */
int mvn_engine_state_load_light(struct mvn_engine *eng, const char *name,
				const char *const *want, size_t n,
				struct mvn_state **out, struct mvn_error *err);
/*
 * After a change under the network's lock: when st's endpoint log holds
 * more than twice as many records as live endpoints (and more than 64),
 * write it again with the live ones only, read whole for it.  The cost is
 * paid once for as many changes as made the log grow; a failure leaves
 * the log as it was, which is as true.
 */
/*
 * Whether st's log holds so many dead records that it is worth rewriting:
 * over 64, and more than twice its live endpoints (light loads included).
 */
bool mvn_engine_log_bloated(const struct mvn_state *st);
void mvn_engine_log_tidy(struct mvn_engine *eng, struct mvn_state *st);
/*
 * A new state for net, to be recorded under key (the network's name, or
 * another key for a network libvirt runs), with the network's pool and
 * mode and this store's id; no group yet.
 */
int mvn_engine_state_new(struct mvn_engine *eng, const struct mvn_network *net,
			 const char *key, struct mvn_state **out,
			 struct mvn_error *err);
/* Write a network's state file (not its ports). */
int mvn_engine_state_save(struct mvn_engine *eng, const struct mvn_state *st,
			  struct mvn_error *err);
/* Only the header of name's state (no ports), as state_load checks it. */
int mvn_engine_state_header(struct mvn_engine *eng, const char *name,
			    struct mvn_state **out, struct mvn_error *err);
/*
 * Record port p of st in its ports log (it replaces what the log said of
 * that port), st's ports from index from on (one write), or that the port
 * ifname is gone; st's place in the log moves on.
 */
int mvn_engine_port_save(struct mvn_engine *eng, struct mvn_state *st,
			 const struct mvn_port_state *p, struct mvn_error *err);
int mvn_engine_ports_save(struct mvn_engine *eng, struct mvn_state *st,
			  size_t from, struct mvn_error *err);
int mvn_engine_port_drop(struct mvn_engine *eng, struct mvn_state *st,
			 const char *ifname, struct mvn_error *err);
/* Write st's ports log anew: its ports, nothing else (atomic). */
int mvn_engine_ports_rewrite(struct mvn_engine *eng, struct mvn_state *st,
			     struct mvn_error *err);
/* The names of the networks with state, sorted; free with names_free. */
int mvn_engine_state_names(struct mvn_engine *eng, char ***names,
			   struct mvn_error *err);
/* The alias that marks a link of this store: owner tag, network. */
void mvn_engine_alias(const struct mvn_engine *eng, const char *owner,
		      const char *network, char out[MVN_ALIAS_MAX + 1]);
/*
 * What the alias of a link says: true if it is a macvnet alias, with the
 * store id, the owner tag and the network (out buffers may be NULL).
 */
bool mvn_engine_alias_parse(const char *alias, char store[17], char owner[64],
			    const char **network);
/*
 * Whether link l is this store's.  With st, whether it is one of the links
 * of st's network: its alias names this store and that network, or it has
 * no macvnet alias and carries st's group (the moment between creation and
 * alias).  Without st, any link whose alias names this store.
 */
bool mvn_engine_link_mine(const struct mvn_engine *eng,
			  const struct mvn_link_info *l,
			  const struct mvn_state *st);

/*
 * A snapshot of the kernel's links (the dump a command works from), or,
 * when lazy is set, only the links a command looked up one by one
 * (mvn_linkset_fetch) and the names it found free.
 */
struct mvn_linkset {
	struct mvn_link_info *v;
	size_t n, cap;
	bool moved; /* links moved to other namespaces are included */
	bool loaded;
	struct mvn_engine *lazy; /* no dump: look links up through this */
	char (*absent)[16]; /* lazy: names the kernel said it has not */
	size_t nabsent;
	size_t *by_name, *by_index, *by_mac; /* place + 1; 0 empty */
	size_t mask; /* of both hashes; 0: none built */
};
/* Dump macvnet's links (all links when all is set) into ls. */
int mvn_linkset_load(struct mvn_engine *eng, struct mvn_linkset *ls, bool all,
		     bool moved, struct mvn_error *err);
/*
 * Make ls a lazy one: no dump; links are looked up as they are needed.
 */
void mvn_linkset_lazy(struct mvn_engine *eng, struct mvn_linkset *ls);
/*
 * In a lazy ls, look the link called name up in the kernel unless done
 * already, so that mvn_linkset_find() answers for it; 0 also when there is
 * no such link.  A loaded ls knows every link: 0 at once.
 */
int mvn_linkset_fetch(struct mvn_linkset *ls, const char *name,
		      struct mvn_error *err);
/* The same for link ifindex of namespace netnsid. */
int mvn_linkset_fetch_index(struct mvn_linkset *ls, int netnsid, int ifindex,
			    struct mvn_error *err);
/* Add a link just created. */
int mvn_linkset_add(struct mvn_linkset *ls, const struct mvn_link_info *l);
/* Find by name in this namespace, or by ifindex in namespace netnsid. */
const struct mvn_link_info *mvn_linkset_find(const struct mvn_linkset *ls,
					     const char *name);
const struct mvn_link_info *mvn_linkset_find_index(const struct mvn_linkset *ls,
						   int netnsid, int ifindex);
/* A link with this MAC, anywhere in ls. */
const struct mvn_link_info *mvn_linkset_find_mac(const struct mvn_linkset *ls,
						 const unsigned char mac[6]);
void mvn_linkset_free(struct mvn_linkset *ls);

/* engine-txn.c */

/* A transaction: what to undo, in the order undo needs. */
struct mvn_txn;

struct mvn_txn *mvn_txn_new(struct mvn_engine *eng);
/* Remember a link made, a device node made, a MAC taken, an address
 * moved from lower (ifindex) or a port file written. */
int mvn_txn_link(struct mvn_txn *t, int netnsid, int ifindex);
int mvn_txn_node(struct mvn_txn *t, const char *path);
int mvn_txn_mac(struct mvn_txn *t, int ifindex, const unsigned char mac[6]);
int mvn_txn_addr(struct mvn_txn *t, int ifindex, const struct mvn_addr *a);
/*
 * Record in st what device from holds of lower's layer 3 (addresses,
 * routes, and when from is lower itself its rules), as taken from lower,
 * but the address except: net-start records the lower device before the
 * shim takes it; reconcile rebuilds from the shim.
 */
int mvn_engine_record_l3(struct mvn_engine *eng, struct mvn_state *st,
			 const struct mvn_link_info *lower,
			 const struct mvn_link_info *from,
			 const struct mvn_addr *except, struct mvn_error *err);
/* The layer 3 setup st->moved lists was moved to the shim. */
int mvn_txn_l3(struct mvn_txn *t, const struct mvn_state *st);
int mvn_txn_port_file(struct mvn_txn *t, struct mvn_state *st,
		      const char *ifname);
/* Remember a lower device brought up (taken down again on undo). */
int mvn_txn_up(struct mvn_txn *t, int ifindex);
/*
 * Undo everything remembered: device nodes, links (in one request where
 * the kernel allows), MACs, addresses, devices brought up, port files.  A step that cannot be
 * undone is added to err's message; reconcile finishes it later.  Frees t.
 */
void mvn_txn_abort(struct mvn_txn *t, const struct mvn_linkset *ls,
		   struct mvn_error *err);
/* Forget the undo log: the change stays.  Frees t. */
void mvn_txn_commit(struct mvn_txn *t);

/*
 * Delete links of this store (n of them, netnsid/ifindex pairs) in as few
 * requests as the kernel allows: one link alone, several through a link
 * group no other link uses.
 */
struct mvn_link_ref {
	int netnsid;
	int ifindex;
};
int mvn_engine_delete_links(struct mvn_engine *eng,
			    const struct mvn_linkset *ls,
			    const struct mvn_link_ref *refs, size_t n,
			    struct mvn_error *err);
/*
 * Delete every link of network st (its group, wherever they are): one
 * group request when the group holds only st's links.
 */
int mvn_engine_delete_network_links(struct mvn_engine *eng,
				    const struct mvn_linkset *ls,
				    const struct mvn_state *st,
				    struct mvn_error *err);
/*
 * Give back what st's network took and drop its links: links deleted,
 * device nodes removed, lower devices' MACs and addresses restored.  The
 * state files stay; 0 only when everything was put back.
 */
int mvn_engine_teardown(struct mvn_engine *eng, const struct mvn_linkset *ls,
			struct mvn_state *st, struct mvn_error *err);

/*
 * Give the lower devices back the addresses, routes and rules st's host
 * shim took, addresses with the lifetimes fresh (the shim's, read before
 * it went) says they have now, else as they were taken.  Idempotent.
 */
int mvn_engine_l3_back(struct mvn_engine *eng, const struct mvn_linkset *ls,
		       const struct mvn_state *st, const struct mvn_l3 *fresh,
		       size_t nfresh, struct mvn_error *err);

/* engine-sync.c */

/*
 * Reconcile the networks whose locks are held (names), loading their
 * state into states[i] (NULL when inactive afterwards) and, unless ls is
 * loaded already, the kernel's links into ls.  Damaged files are set aside
 * and rebuilt.
 */
int mvn_engine_sync(struct mvn_engine *eng, const char *const *names, size_t n,
		    struct mvn_state **states, struct mvn_linkset *ls,
		    struct mvn_reconcile_report *rep, struct mvn_error *err);

/*
 * Forget port i of st: its lower device's MAC given back (passthrough),
 * its device node and its file removed.  Its link is gone already.
 */
int mvn_engine_forget_port(struct mvn_engine *eng, const struct mvn_linkset *ls,
			   struct mvn_state *st, size_t i,
			   struct mvn_reconcile_report *rep,
			   struct mvn_error *err);
/*
 * The start of every change: the store lock (shared) and the locks of the
 * n networks taken, the kernel's links opened and those networks
 * reconciled; states[i] is network i's state (NULL: not active), ls the
 * kernel's links.  On failure no lock is held.
 */
int mvn_engine_begin(struct mvn_engine *eng, const char *const *names, size_t n,
		     struct mvn_state **states, struct mvn_linkset *ls,
		     struct mvn_error *err);

/*
 * mvn_engine_begin() for a change of a few ports (touched, ntouched: the
 * names it creates or deletes): without a transaction cut short or damage,
 * only the networks' states are read and the touched ports looked up, and
 * ls is lazy (mvn_linkset_fetch()); otherwise as mvn_engine_begin().
 */
int mvn_engine_begin_quick(struct mvn_engine *eng, const char *const *names,
			   size_t n, const char *const *touched,
			   size_t ntouched, struct mvn_state **states,
			   struct mvn_linkset *ls, struct mvn_error *err);

/*
 * Remove the private device nodes in the run directory that no port of
 * states (n of them, NULL entries skipped) uses and no link of this store
 * in ls has: a crash can leave them, and the kernel hands their minor
 * numbers to later endpoints.
 */
int mvn_engine_sweep_nodes(struct mvn_engine *eng, const struct mvn_linkset *ls,
			   struct mvn_state **states, size_t n,
			   struct mvn_error *err);

/* engine-port.c */

/* One endpoint to make. */
struct mvn_creation {
	const char *name; /* NULL: the first free mvtN */
	const char *lower; /* NULL: the pool device with fewest ports */
	bool has_mac;
	unsigned char mac[6];
	uid_t uid;
	gid_t gid;
	unsigned int perm;
	unsigned int mtu;
	bool is_static;
	const char *owner_tag;
};

/* A random 52:54:00:xx:xx:xx no link in ls has. */
int mvn_engine_fresh_mac(const struct mvn_linkset *ls, unsigned char mac[6]);
/*
 * Make one endpoint of st as part of transaction t and add it to st (in
 * memory) and ls; *out (may be NULL) describes it.  Its file is written by
 * mvn_engine_commit_ports().
 */
int mvn_engine_make_port(struct mvn_engine *eng, struct mvn_state *st,
			 struct mvn_linkset *ls, struct mvn_txn *t,
			 const struct mvn_creation *c,
			 struct mvn_port_state *out, struct mvn_error *err);
/*
 * Make the n endpoints cs of st as mvn_engine_make_port() does, their
 * creation requests sent together when they all have names (and the
 * network is not passthrough); *failed is the index of the one that
 * failed.
 */
int mvn_engine_make_ports(struct mvn_engine *eng, struct mvn_state *st,
			  struct mvn_linkset *ls, struct mvn_txn *t,
			  const struct mvn_creation *cs, size_t n,
			  size_t *failed, struct mvn_error *err);
/* Write the files of st's ports from index from on, as part of t. */
int mvn_engine_commit_ports(struct mvn_engine *eng, struct mvn_state *st,
			    struct mvn_txn *t, size_t from,
			    struct mvn_error *err);

#endif
