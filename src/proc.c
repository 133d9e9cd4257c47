/* Running another program without a shell and collecting what it prints. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

extern char **environ;

/* The two streams of a running program: standard output and error. */
struct streams {
	struct pollfd pfd[2];
	struct mvn_buf buf[2];
	bool toolong;
};

static void close_pair(int fds[2])
{
	int k;

	for (k = 0; k < 2; k++)
		if (fds[k] >= 0)
			close(fds[k]);
	fds[0] = fds[1] = -1;
}

/*
 * Start argv with standard input from /dev/null and its output into the
 * write ends of po and pe, which are closed here.  0 or a negative errno.
 */
static int spawn(const char *const argv[], int po[2], int pe[2], pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	int ret;

	ret = posix_spawn_file_actions_init(&fa);
	if (ret == 0) {
		ret = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
						       O_RDONLY, 0);
		if (!ret)
			ret = posix_spawn_file_actions_adddup2(&fa, po[1], 1);
		if (!ret)
			ret = posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
		if (!ret)
			ret = posix_spawnp(pid, argv[0], &fa, NULL,
					   (char *const *)argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	return -ret;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read what is ready on stream k; close it at its end. */
static void drain(struct streams *s, int k)
{
	char chunk[4096];
	ssize_t n;

	n = read(s->pfd[k].fd, chunk, sizeof(chunk));
	if (n > 0 && s->buf[k].len < MVN_PROC_OUTPUT_MAX)
		mvn_buf_add(&s->buf[k], chunk, (size_t)n);
	else if (n > 0)
		s->toolong = true; /* drained, not kept */
	else if (n == 0 || errno != EINTR) {
		close(s->pfd[k].fd);
		s->pfd[k].fd = -1;
	}
}

/*
 * Collect both streams until the program closes them: 0, -ETIMEDOUT when
 * the deadline passed first, or poll's negative errno.  Both are closed.
 */
static int collect(struct streams *s, long long deadline)
{
	int k, n, ret = 0;

	while (ret == 0 && (s->pfd[0].fd >= 0 || s->pfd[1].fd >= 0)) {
		n = (int)(deadline - now_ms());
		n = n > 0 ? poll(s->pfd, 2, n) : 0;
		if (n == 0)
			ret = -ETIMEDOUT;
		else if (n < 0 && errno != EINTR)
			ret = -errno;
		for (k = 0; n > 0 && k < 2; k++)
			if (s->pfd[k].fd >= 0 && s->pfd[k].revents)
				drain(s, k);
	}
	for (k = 0; k < 2; k++)
		if (s->pfd[k].fd >= 0)
			close(s->pfd[k].fd);
	return ret;
}

/* Wait for pid to end (killing it first when kill_it); its status. */
static int reap(pid_t pid, bool kill_it, int *status)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int mvn_proc_run(const char *const argv[], int timeout_ms, char **out,
		 char **errout)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, status = 0, ret, k;
	struct streams s = { 0 };
	pid_t pid;

	*out = *errout = NULL;
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		ret = -errno;
		close_pair(po);
		close_pair(pe);
		return ret;
	}
	ret = spawn(argv, po, pe, &pid);
	if (ret < 0) {
		close_pair(po);
		close_pair(pe);
		return ret;
	}
	s.pfd[0].fd = po[0];
	s.pfd[1].fd = pe[0];
	s.pfd[0].events = s.pfd[1].events = POLLIN;
	ret = collect(&s, now_ms() + timeout_ms);
	k = reap(pid, ret < 0, &status);
	if (ret == 0)
		ret = k;
	for (k = 0; k < 2; k++)
		mvn_buf_add(&s.buf[k], "", 0);
	if (ret == 0 && (s.toolong || s.buf[0].oom || s.buf[1].oom))
		ret = s.toolong ? -E2BIG : -ENOMEM;
	if (ret < 0) {
		mvn_buf_free(&s.buf[0]);
		mvn_buf_free(&s.buf[1]);
		return ret;
	}
	*out = s.buf[0].data;
	*errout = s.buf[1].data;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

char *mvn_proc_printable(char *s)
{
	char *p;

	for (p = s; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

const char *mvn_proc_first_line(char *s)
{
	char *nl;

	if (!s)
		return "";
	nl = strchr(s, '\n');
	if (nl)
		*nl = '\0';
	return mvn_proc_printable(s);
}
