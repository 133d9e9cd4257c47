/*
 * The limits of fuzz.h: libxml2's allocations go through counting wrappers
 * (xmlMemSetup), and each input is timed with the thread's CPU clock.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/xmlmemory.h>

#include "fuzz.h"

/* Room before each block for its size, keeping the block aligned. */
#define HDR 16

static size_t mem_now; /* bytes libxml2 holds */
static size_t mem_base; /* what it held when the input started */
static int in_input;
static struct mvn_schema *schema;

/* Account for n more bytes; abort once one input holds too much. */
static void mem_grow(size_t n)
{
	mem_now += n;
	if (in_input && mem_now > mem_base &&
	    mem_now - mem_base > (size_t)FUZZ_MEM_LIMIT) {
		fprintf(stderr,
			"fuzz: libxml2 holds %zu bytes for one input, more "
			"than the limit of %ld\n",
			mem_now - mem_base, (long)FUZZ_MEM_LIMIT);
		abort();
	}
}

static void *count_malloc(size_t n)
{
	unsigned char *p;

	if (n > (size_t)-1 - HDR)
		return NULL;
	p = malloc(n + HDR);
	if (!p)
		return NULL;
	memcpy(p, &n, sizeof(n));
	mem_grow(n);
	return p + HDR;
}

static void count_free(void *q)
{
	unsigned char *p = q;
	size_t n;

	if (!p)
		return;
	p -= HDR;
	memcpy(&n, p, sizeof(n));
	mem_now -= n;
	free(p);
}

static void *count_realloc(void *q, size_t n)
{
	unsigned char *p = q, *np;
	size_t old;

	if (!p)
		return count_malloc(n);
	if (n > (size_t)-1 - HDR)
		return NULL;
	p -= HDR;
	memcpy(&old, p, sizeof(old));
	np = realloc(p, n + HDR);
	if (!np)
		return NULL;
	memcpy(np, &n, sizeof(n));
	mem_now -= old;
	mem_grow(n);
	return np + HDR;
}

static char *count_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = count_malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

/*
 * Validate a document of each kind, which compiles its schema.  The
 * documents are invalid; a message naming a file of the schema directory
 * (dir) means the schema itself was missing or broken.
 */
static void compile_all(const char *dir)
{
	static const char *const roots[] = { "<network/>", "<interface/>",
					     "<domain/>" };
	struct mvn_error err;
	const char *kind;
	size_t i;

	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		memset(&err, 0, sizeof(err));
		kind = NULL;
		if (mvn_schema_validate(schema, roots[i], strlen(roots[i]),
					"fuzz", &kind, &err) < 0 &&
		    (!kind || strstr(err.msg, dir))) {
			fprintf(stderr, "fuzz: %s\n", err.msg);
			exit(1);
		}
	}
}

void fuzz_init(void)
{
	const char *dir = getenv("MACVNET_SCHEMA_DIR");
	struct mvn_error err = { 0 };

	if (!dir)
		dir = MVN_SCHEMA_DIR;

	if (xmlMemSetup(count_free, count_malloc, count_realloc,
			count_strdup) != 0) {
		fprintf(stderr, "fuzz: xmlMemSetup failed\n");
		exit(1);
	}
	xmlInitParser();
	if (mvn_schema_open(dir, &schema, &err) < 0) {
		fprintf(stderr, "fuzz: %s\n", err.msg);
		exit(1);
	}
	compile_all(dir);
}

struct mvn_schema *fuzz_schema(void)
{
	return schema;
}

/* One run of one(data, size); returns the CPU time it took in ns. */
static long timed(void (*one)(const uint8_t *, size_t), const uint8_t *data,
		  size_t size)
{
	struct timespec start, end;

	mem_base = mem_now;
	in_input = 1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
	one(data, size);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
	in_input = 0;
	return (end.tv_sec - start.tv_sec) * 1000000000L +
	       (end.tv_nsec - start.tv_nsec);
}

void fuzz_run(const char *what, void (*one)(const uint8_t *, size_t),
	      const uint8_t *data, size_t size)
{
	long ns = timed(one, data, size);

	if (ns <= FUZZ_TIME_LIMIT_NS)
		return;
	ns = timed(one, data, size);
	if (ns <= FUZZ_TIME_LIMIT_NS)
		return;
	fprintf(stderr,
		"fuzz: %s took %ld us of CPU time for one input (twice), more "
		"than the limit of %ld us\n",
		what, ns / 1000, (long)FUZZ_TIME_LIMIT_NS / 1000);
	abort();
}

char *fuzz_text(const uint8_t *data, size_t size)
{
	char *t = malloc(size + 1);

	if (!t)
		abort();
	memcpy(t, data, size);
	t[size] = '\0';
	return t;
}
