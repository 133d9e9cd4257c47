/*
 * Definitions and runtime state on disk, and the locks that guard them.
 * store.c holds the handle, the definitions and the atomic writer,
 * store-lock.c the locks, store-state.c the runtime state; store-int.h is
 * what those three share.
 */
#ifndef MVN_STORE_H
#define MVN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * A handle on the configuration directory (network definitions, autostart
 * links) and the runtime directory (the store's id, the state of active
 * networks, the locks).  Free with mvn_store_free(), which also releases
 * every lock it holds.
 *
 * The run directory:
 *   id                       the store's id (16 hex digits), made once
 *   lock                     the store lock (shared or exclusive)
 *   groups.lock              held while a link group is chosen
 *   networks/NAME.lock       one network's lock
 *   networks/NAME.state      an active network's state (its header)
 *   networks/NAME.log        the network's endpoints, a log of records
 *   networks/NAME.ports/IF   one file per endpoint, as versions before
 *                            the log kept them (read once, then removed)
 *   journal/NAME.txn         what a transaction that writes several port
 *                            files is committing (removed once it has)
 *   damaged/                 state files set aside because they were damaged
 *   dev/                     private device nodes
 */
struct mvn_store;

/*
 * Open the store rooted at config_dir and run_dir, creating the directories
 * that are missing (mode 0755; a directory that is a symbolic link, not owned
 * by the caller, or writable by others is refused with a message naming it)
 * and the store's id when there is none.  *out is set only on success; the
 * caller frees it with mvn_store_free().
 */
int mvn_store_open(const char *config_dir, const char *run_dir,
		   struct mvn_store **out, struct mvn_error *err);
/* Release every lock held and free the handle; NULL is a no-op. */
void mvn_store_free(struct mvn_store *st);

/*
 * The store's id: 16 lower-case hex digits, random, kept in run_dir/id.
 * It marks every link the store makes, so that stores sharing a host never
 * take each other's links for their own.  Borrowed.
 */
const char *mvn_store_id(const struct mvn_store *st);

/*
 * Where automatic endpoint names ("mvtN") are looked for first: the number
 * kept in run_dir/next-name.  Only a hint, so that a new name costs one
 * look-up however many endpoints other networks hold: a missing, foreign
 * or malformed file reads as 0, and a write that fails is let go (every
 * name is still checked against the state and the kernel).
 */
unsigned int mvn_store_name_hint(struct mvn_store *st);
void mvn_store_set_name_hint(struct mvn_store *st, unsigned int next);

/* How long to wait for a lock, and whom to tell when it takes a while. */
struct mvn_lock_wait {
	unsigned int timeout_ms; /* give up after this long (0: try once) */
	unsigned int notice_ms; /* call notice once after this long */
	/* One line, without "macvnet: " or a newline; may be NULL. */
	void (*notice)(void *arg, const char *msg);
	void *arg;
};

/*
 * Take the store lock (run_dir/lock): shared by commands that work on some
 * networks (each also takes those networks' locks), exclusive for work on
 * all of them (a full reconcile).  Waits as w says; when the lock is still
 * held at the end, -ETIMEDOUT with a message naming the process holding it.
 * Taking it again in the same mode is a no-op.
 */
int mvn_store_lock(struct mvn_store *st, bool exclusive,
		   const struct mvn_lock_wait *w, struct mvn_error *err);
/*
 * Take the lock of network name (run_dir/networks/NAME.lock), exclusive,
 * waiting as w says.  Callers that need several take them in the order of
 * strcmp() of their names, so that two callers never wait for each other.
 */
int mvn_store_lock_network(struct mvn_store *st, const char *name,
			   const struct mvn_lock_wait *w,
			   struct mvn_error *err);
/* Release the lock of one network (a no-op if not held). */
void mvn_store_unlock_network(struct mvn_store *st, const char *name);
/* Take the short lock held while a new link group is chosen. */
int mvn_store_lock_groups(struct mvn_store *st, const struct mvn_lock_wait *w,
			  struct mvn_error *err);
void mvn_store_unlock_groups(struct mvn_store *st);
/* Release every lock this handle holds. */
void mvn_store_unlock(struct mvn_store *st);

/*
 * Whether name can name a stored network: not empty, at most 243 bytes (so
 * that NAME.xml and its temporary twin fit a file name), no
 * '/', no leading '.', no control characters.
 */
bool mvn_store_name_valid(const char *name);

/*
 * Write the definition of network name (XML text) atomically: a temporary
 * file in the same directory, fsync, rename over NAME.xml, fsync of the
 * directory.  The file is created with mode 0600, as libvirt keeps its own.
 */
int mvn_store_save_network(struct mvn_store *st, const char *name,
			   const char *xml, struct mvn_error *err);
/*
 * Read the stored definition of name into *xml (the caller frees it);
 * -ENOENT with a message naming the network when there is none.
 */
int mvn_store_load_network(struct mvn_store *st, const char *name, char **xml,
			   struct mvn_error *err);
/* Remove the definition and its autostart link; -ENOENT if not defined. */
int mvn_store_delete_network(struct mvn_store *st, const char *name,
			     struct mvn_error *err);
/*
 * List the defined networks' names, sorted; *names is a NULL-terminated
 * array the caller frees with mvn_store_names_free().
 */
int mvn_store_list_networks(struct mvn_store *st, char ***names,
			    struct mvn_error *err);
/* Free an array of names returned by the store; NULL is a no-op. */
void mvn_store_names_free(char **names);

/* Turn autostart of a defined network on or off. */
int mvn_store_set_autostart(struct mvn_store *st, const char *name, bool on,
			    struct mvn_error *err);
/* Whether the network is marked for autostart. */
bool mvn_store_get_autostart(struct mvn_store *st, const char *name);

/*
 * The state of active networks.  Every write is atomic (temporary file,
 * fsync, rename, fsync of the directory) with mode 0600; every removal needs
 * no free space, so that a full disk never stops a teardown.  Reads refuse
 * symbolic links and files that are not regular.  A missing file is
 * -ENOENT (and only that means "nothing there"); any other failure is an
 * error with a message naming the file.
 */

/* Read networks/NAME.state into *text (caller frees). */
int mvn_store_state_read(struct mvn_store *st, const char *network, char **text,
			 struct mvn_error *err);
/* Replace networks/NAME.state with text. */
int mvn_store_state_write(struct mvn_store *st, const char *network,
			  const char *text, struct mvn_error *err);
/* Remove a network's state: its ports, then the state file. */
int mvn_store_state_remove(struct mvn_store *st, const char *network,
			   struct mvn_error *err);
/*
 * The networks that have a state file, sorted (caller frees with
 * mvn_store_names_free()); no networks directory is an empty list.
 */
int mvn_store_state_list(struct mvn_store *st, char ***names,
			 struct mvn_error *err);

/* Read networks/NAME.ports/IF into *text (caller frees). */
int mvn_store_port_read(struct mvn_store *st, const char *network,
			const char *ifname, char **text, struct mvn_error *err);
/* Replace networks/NAME.ports/IF with text. */
int mvn_store_port_write(struct mvn_store *st, const char *network,
			 const char *ifname, const char *text,
			 struct mvn_error *err);
/* Remove networks/NAME.ports/IF; one that is not there is not an error. */
int mvn_store_port_remove(struct mvn_store *st, const char *network,
			  const char *ifname, struct mvn_error *err);
/* The port files of a network, sorted; none (or no directory) is empty. */
int mvn_store_port_list(struct mvn_store *st, const char *network,
			char ***names, struct mvn_error *err);

/*
 * The ports log of a network (networks/NAME.log; its records are
 * state.h's): read whole (at most MVN_STORE_LOG_MAX bytes), appended to,
 * or replaced atomically (written anew without the records that no longer
 * count).  An append is one write and one fdatasync(); at is the length of
 * the log's whole records, and a longer file (a record cut short by a
 * crash) is cut back to it first.  An append that fails is cut back off
 * too, so the log only ever holds whole records and perhaps one cut short.
 */
#define MVN_STORE_LOG_MAX (64 * 1024 * 1024)
int mvn_store_log_read(struct mvn_store *st, const char *network, char **text,
		       size_t *len, struct mvn_error *err);
int mvn_store_log_append(struct mvn_store *st, const char *network, size_t at,
			 const char *rec, size_t len, struct mvn_error *err);
int mvn_store_log_write(struct mvn_store *st, const char *network,
			const char *text, size_t len, struct mvn_error *err);
/* Remove a network's port files of older versions, if there are any. */
int mvn_store_ports_dir_remove(struct mvn_store *st, const char *network,
			       struct mvn_error *err);
/* Set a damaged ports log aside, as mvn_store_set_aside() does. */
int mvn_store_log_set_aside(struct mvn_store *st, const char *network,
			    char *where, size_t where_len,
			    struct mvn_error *err);

/*
 * The journal: a transaction that commits several port files (on one or
 * more networks) first writes down which, and removes the record once all
 * are written; a record found later belongs to a transaction that was cut
 * short, whose files reconcile takes back.  name is letters, digits and
 * '-' only.  Writes are atomic (mode 0600); a missing record is -ENOENT.
 */
int mvn_store_journal_write(struct mvn_store *st, const char *name,
			    const char *text, struct mvn_error *err);
int mvn_store_journal_read(struct mvn_store *st, const char *name, char **text,
			   struct mvn_error *err);
int mvn_store_journal_remove(struct mvn_store *st, const char *name,
			     struct mvn_error *err);
/* The records in the journal, sorted; none (or no directory) is empty. */
int mvn_store_journal_list(struct mvn_store *st, char ***names,
			   struct mvn_error *err);

/*
 * Set a damaged state file (ifname NULL: the network's state file;
 * otherwise one port file) aside into run_dir/damaged/, under a name that
 * says what it was and when; its new path goes to where (where_len bytes).
 */
int mvn_store_set_aside(struct mvn_store *st, const char *network,
			const char *ifname, char *where, size_t where_len,
			struct mvn_error *err);

/*
 * macvnet's one way to write a file whole: stage data for dir/base in dir
 * as a new temporary file .STEM.XXXXXX (mode set, written, flushed; *tmp is
 * its path, freed by the caller; messages name base), then commit it to
 * dir/base: renamed over it (replace) or linked only if there is none
 * (-EEXIST, no message), and the directory flushed.  A failure removes the
 * temporary file.
 */
int mvn_file_stage(const char *dir, const char *base, const char *stem,
		   const char *data, size_t len, mode_t mode, char **tmp,
		   struct mvn_error *err);
int mvn_file_commit(char *tmp, const char *dir, const char *base, bool replace,
		    struct mvn_error *err);

/* The directories the store was opened on (borrowed). */
const char *mvn_store_config_dir(const struct mvn_store *st);
const char *mvn_store_run_dir(const struct mvn_store *st);

#endif
