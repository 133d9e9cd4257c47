/* What the engine's files share; not for commands. */
#ifndef MVN_ENGINE_INT_H
#define MVN_ENGINE_INT_H

#include "engine.h"
#include "link.h"
#include "schema.h"
#include "store.h"

struct mvn_engine {
	char *config_dir;
	char *run_dir;
	char *schema_dir;
	bool json;
	bool explicit_config, explicit_run; /* not the built-in defaults */
	struct mvn_store *store;
	struct mvn_schema *schema;
	const struct mvn_link_ops *link_ops; /* opened when first needed */
	void *link_ctx;
};

/* Open the store if needed, and take its lock when lock is true. */
int mvn_engine_open_store(struct mvn_engine *eng, bool lock,
			  struct mvn_error *err);

#endif
