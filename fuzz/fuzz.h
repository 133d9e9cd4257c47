/*
 * What the libFuzzer harnesses share: the limits every input must stay
 * within, and the compiled schemas.  An input that breaks a limit aborts the
 * process, which libFuzzer reports as a crash and saves as crash-*.
 */
#ifndef MVN_FUZZ_H
#define MVN_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "schema.h"

/*
 * CPU time one input may take, measured on the harness's thread (so a busy
 * machine does not make a fast input look slow).  The harnesses run the
 * project's code under ASan and UBSan at -O1, two to three times slower
 * than a normal build; a document that takes 100 ms here is one a user
 * could use to stall the hook.  (Both limits can be set with -D to prove
 * that the harnesses fail when an input breaks them.)
 */
#ifndef FUZZ_TIME_LIMIT_NS
#define FUZZ_TIME_LIMIT_NS (100 * 1000 * 1000L)
#endif

/*
 * Memory libxml2 may hold at once for one input, counted from what it held
 * before the input (the compiled schemas stay in between).  The largest
 * input is 8 KiB (-max_len=8192); 50 MB would mean an amplification of
 * several thousand.
 */
#ifndef FUZZ_MEM_LIMIT
#define FUZZ_MEM_LIMIT (50 * 1024 * 1024L)
#endif

/* The libFuzzer entry points each harness defines. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Count libxml2's memory (before anything else touches libxml2), open the
 * schema directory ($MACVNET_SCHEMA_DIR, else the built-in one) and compile
 * every schema, so that no input pays for a compilation.  Exits on failure.
 */
void fuzz_init(void);

/* The schemas fuzz_init() compiled (never freed). */
struct mvn_schema *fuzz_schema(void);

/*
 * Run one(data, size) as one input: abort if libxml2 held more than
 * FUZZ_MEM_LIMIT for it, or if it took more than FUZZ_TIME_LIMIT_NS twice in
 * a row (the sanitizers' allocator now and then does its housekeeping in
 * the middle of an input; a slow input is slow every time).  what names the
 * harness in the message.
 */
void fuzz_run(const char *what, void (*one)(const uint8_t *, size_t),
	      const uint8_t *data, size_t size);

/*
 * A copy of data with a NUL after it, as the programs read documents
 * (util.c's mvn_file_read); the caller frees it.  Aborts when memory runs
 * out, which libFuzzer's own limits make a harness failure anyway.
 */
char *fuzz_text(const uint8_t *data, size_t size);

/*
 * The two entry points libFuzzer calls, for a harness whose input goes
 * to one (what names it in failures).
 */
#define FUZZ_TARGET(what, one)                                       \
	int LLVMFuzzerInitialize(int *argc, char ***argv)            \
	{                                                            \
		(void)argc;                                          \
		(void)argv;                                          \
		fuzz_init();                                         \
		return 0;                                            \
	}                                                            \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) \
	{                                                            \
		fuzz_run(what, one, data, size);                     \
		return 0;                                            \
	}

#endif
