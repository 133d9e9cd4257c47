/* Definitions and runtime state on disk. */
#ifndef MVN_STORE_H
#define MVN_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/*
 * A handle on the configuration directory (network definitions, autostart
 * links) and the runtime directory (state of active networks, the lock).
 * Free with mvn_store_free(), which also releases the lock.
 */
struct mvn_store;

/*
 * Open the store rooted at config_dir and run_dir, creating the directories
 * that are missing (mode 0755; a directory that is a symbolic link, not owned
 * by the caller, or writable by others is refused with a message naming it).
 * *out is set only on success; the caller frees it with mvn_store_free().
 */
int mvn_store_open(const char *config_dir, const char *run_dir,
		   struct mvn_store **out, struct mvn_error *err);
/* Release the lock if held and free the handle; NULL is a no-op. */
void mvn_store_free(struct mvn_store *st);

/*
 * Take the store's exclusive lock (run_dir/lock, flock), waiting for other
 * macvnet processes to release it.  Every command that changes the store
 * holds it from before it reads until after it has written.
 */
int mvn_store_lock(struct mvn_store *st, struct mvn_error *err);
/* Release the lock taken by mvn_store_lock(); a no-op if not held. */
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
 * directory.  The file is created with mode 0644.
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
/* Free an array returned by mvn_store_list_networks(); NULL is a no-op. */
void mvn_store_names_free(char **names);

/* Turn autostart of a defined network on or off. */
int mvn_store_set_autostart(struct mvn_store *st, const char *name, bool on,
			    struct mvn_error *err);
/* Whether the network is marked for autostart. */
bool mvn_store_get_autostart(struct mvn_store *st, const char *name);

/*
 * Write data to path (a file inside the run directory, named relative to
 * it) atomically, like mvn_store_save_network(), with the given mode.
 */
int mvn_store_write_runfile(struct mvn_store *st, const char *relpath,
			    const char *data, size_t len, unsigned int mode,
			    struct mvn_error *err);

/*
 * Read run file relpath (relative to the run directory) into *data (caller
 * frees); -ENOENT when it does not exist.
 */
int mvn_store_read_runfile(struct mvn_store *st, const char *relpath,
			   char **data, struct mvn_error *err);
/* Remove run file relpath; one that does not exist is not an error. */
int mvn_store_delete_runfile(struct mvn_store *st, const char *relpath,
			     struct mvn_error *err);
/*
 * The regular files of the run directory's subdir whose names end in
 * suffix, without the suffix, sorted; free with mvn_store_names_free().
 */
int mvn_store_list_runfiles(struct mvn_store *st, const char *subdir,
			    const char *suffix, char ***names,
			    struct mvn_error *err);

/* The directories the store was opened on (borrowed). */
const char *mvn_store_config_dir(const struct mvn_store *st);
const char *mvn_store_run_dir(const struct mvn_store *st);

#endif
