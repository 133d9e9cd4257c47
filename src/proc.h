/*
 * Running another program (ovs-vsctl, ovs-ofctl): no shell, an argv
 * vector, standard input from /dev/null, what it prints collected, and a
 * deadline after which it is killed.
 */
#ifndef MVN_PROC_H
#define MVN_PROC_H

/* What a program may print before macvnet stops keeping it. */
#define MVN_PROC_OUTPUT_MAX (1024 * 1024)

/* How long a program may run, in milliseconds, before it is killed. */
#define MVN_PROC_TIMEOUT_MS 15000

/*
 * Run argv (argv[0] found in PATH) and collect its standard output and
 * standard error as text in *out and *errout (the caller frees both; set
 * only on success).  Returns its exit status (128 when a signal ended it),
 * or a negative errno: -ENOENT when it is not installed, -ETIMEDOUT when
 * it ran longer than timeout_ms and was killed, -E2BIG when it printed
 * more than MVN_PROC_OUTPUT_MAX bytes on one stream.
 */
int mvn_proc_run(const char *const argv[], int timeout_ms, char **out,
		 char **errout);

/*
 * Make s (text from another program) safe to print, in place: control
 * bytes become '?'.  Returns s; NULL is left alone.
 */
char *mvn_proc_printable(char *s);

/* The first line of s, printable, without its end (in place); "" for NULL. */
const char *mvn_proc_first_line(char *s);

#endif
