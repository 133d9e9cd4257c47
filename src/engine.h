/*
 * Network definitions and (later) their activation, as transactions over the
 * store and the kernel.  Commands call only this layer.
 */
#ifndef MVN_ENGINE_H
#define MVN_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "network.h"

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

/* Make an engine for paths (copied). */
int mvn_engine_new(const struct mvn_paths *paths, bool json,
		   struct mvn_engine **out, struct mvn_error *err);
/* Free the engine, releasing any lock it holds; NULL is a no-op. */
void mvn_engine_free(struct mvn_engine *eng);
/* Whether output was asked for as JSON. */
bool mvn_engine_json(const struct mvn_engine *eng);

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
/* The stored canonical XML of a network (caller frees). */
int mvn_engine_dumpxml(struct mvn_engine *eng, const char *name, char **xml,
		       struct mvn_error *err);

struct mvn_net_status {
	char *name;
	bool active;
	bool autostart;
	bool persistent;
	char *mode;
};

/* The defined networks, sorted by name; free with mvn_engine_list_free(). */
int mvn_engine_list(struct mvn_engine *eng, struct mvn_net_status **out,
		    size_t *n, struct mvn_error *err);
void mvn_engine_list_free(struct mvn_net_status *list, size_t n);

#endif
