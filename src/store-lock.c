/*
 * The store's locks: the store lock (shared or exclusive), the groups lock
 * and one lock per network, each on a lock file of the run directory.
 *
 * The locks are POSIX record locks, so that the process holding one can be
 * named to whoever waits for it.  Such locks belong to the process and go
 * away when the process closes any descriptor of the file, so each lock
 * file is opened once per handle and kept open while its lock is held.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "store-int.h"
#include "store.h"

/* How often the timer of a bounded lock wait fires again, in microseconds. */
#define LOCK_TIMER_REPEAT 5000

enum lock_kind {
	LOCK_STORE,
	LOCK_GROUPS,
	LOCK_NETWORK,
};

/* A lock this handle holds, on a lock file it keeps open. */
struct held_lock {
	enum lock_kind kind;
	char *network; /* LOCK_NETWORK only */
	int fd;
	short type; /* F_RDLCK or F_WRLCK */
};

/* The lock of this kind (and network) that the handle holds, or NULL. */
static struct held_lock *find_lock(struct mvn_store *st, enum lock_kind kind,
				   const char *network)
{
	size_t i;

	for (i = 0; i < st->n_locks; i++) {
		if (st->locks[i].kind == kind &&
		    (kind != LOCK_NETWORK ||
		     strcmp(st->locks[i].network, network) == 0))
			return &st->locks[i];
	}
	return NULL;
}

/* Release one held lock and forget it. */
static void drop_lock(struct mvn_store *st, struct held_lock *h)
{
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	fcntl(h->fd, F_SETLK, &fl);
	close(h->fd);
	free(h->network);
	*h = st->locks[--st->n_locks];
}

/* Microseconds on the monotonic clock. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * Wait for the lock fl on fd in the kernel (which wakes waiters in the
 * order they came, where polling would favour newcomers), for at most us
 * microseconds: a timer interrupts the wait.  It repeats every few
 * milliseconds, so that one that fires before the wait begins cannot
 * leave it unbounded.  0, or -1 with errno (EINTR: time is up).
 */
static int lock_within(int fd, struct flock *fl, uint64_t us)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct itimerval it = { 0 }, off = { 0 };
	int r, e;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &old) < 0)
		return -1;
	it.it_value.tv_sec = (time_t)(us / 1000000);
	it.it_value.tv_usec = (suseconds_t)(us % 1000000);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	it.it_interval.tv_usec = LOCK_TIMER_REPEAT;
	if (setitimer(ITIMER_REAL, &it, NULL) < 0) {
		e = errno;
		sigaction(SIGALRM, &old, NULL);
		errno = e;
		return -1;
	}
	r = fcntl(fd, F_SETLKW, fl);
	e = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	errno = e;
	return r;
}

/*
 * Name the process that holds a lock conflicting with type on fd, as
 * "process PID (COMM)" with COMM from /proc made printable; false when
 * nobody holds one any more (buf then says "another process").
 */
static bool lock_holder(int fd, short type, char *buf, size_t size)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
	char comm[64], path[64];
	ssize_t n = -1;
	int cfd;
	size_t i;

	if (fcntl(fd, F_GETLK, &fl) < 0 || fl.l_type == F_UNLCK) {
		snprintf(buf, size, "%s", _("another process"));
		return false;
	}
	/* A holder in another PID namespace has no PID we could name. */
	if (fl.l_pid <= 0) {
		snprintf(buf, size, "%s", _("another process"));
		return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)fl.l_pid);
	cfd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (cfd >= 0) {
		n = read(cfd, comm, sizeof(comm) - 1);
		close(cfd);
	}
	while (n > 0 && comm[n - 1] == '\n')
		n--;
	if (n <= 0) {
		snprintf(buf, size, _("process %d"), (int)fl.l_pid);
		return true;
	}
	comm[n] = '\0';
	for (i = 0; i < (size_t)n; i++) {
		if ((unsigned char)comm[i] < 0x20 ||
		    (unsigned char)comm[i] > 0x7e)
			comm[i] = '?';
	}
	snprintf(buf, size, _("process %1$d (%2$s)"), (int)fl.l_pid, comm);
	return true;
}

/* Say that what is still locked by holder after waiting timeout_ms. */
static int lock_timed_out(struct mvn_error *err, unsigned int timeout_ms,
			  const char *what, const char *holder)
{
	char after[32];

	if (timeout_ms == 0)
		return mvn_error_set(err, -ETIMEDOUT,
				     _("%1$s is locked by %2$s; try again when "
				       "it is done, or stop that process if it "
				       "hangs"),
				     what, holder);
	if (timeout_ms % 1000 == 0)
		snprintf(after, sizeof(after), _("%u s"), timeout_ms / 1000);
	else
		snprintf(after, sizeof(after), _("%u ms"), timeout_ms);
	return mvn_error_set(err, -ETIMEDOUT,
			     _("%1$s is still locked by %2$s after %3$s; try "
			       "again when it is done, or stop that process if "
			       "it hangs"),
			     what, holder, after);
}

/* Say why the lock file path could not be locked, from errno. */
static int lock_failed(struct mvn_error *err, const char *path)
{
	int ret = -errno;

	return mvn_error_set(
		err, ret,
		_("cannot lock '%1$s': %2$s (put the run directory "
		  "on a local file system)"),
		path, strerror(-ret));
}

/*
 * Take a lock of type on the whole of fd (the lock file path, described as
 * what), waiting in the kernel (lock_within()) until w->timeout_ms have
 * passed, and telling w->notice once after w->notice_ms; w NULL means try
 * once.
 */
static int wait_lock(int fd, short type, const char *path, const char *what,
		     const struct mvn_lock_wait *w, struct mvn_error *err)
{
	static const struct mvn_lock_wait once = { 0 };
	struct flock fl;
	uint64_t start, spent, left, timeout, notice;
	bool noticed = false, retried = false, held;
	char holder[128], msg[512];

	if (!w)
		w = &once;
	timeout = (uint64_t)w->timeout_ms * 1000;
	notice = (uint64_t)w->notice_ms * 1000;
	start = now_us();
	for (;;) {
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EACCES)
			return lock_failed(err, path);
		spent = now_us() - start;
		if (spent >= timeout) {
			held = lock_holder(fd, type, holder, sizeof(holder));
			/* Released just now: one more try before giving up. */
			if (!held && !retried) {
				retried = true;
				continue;
			}
			return lock_timed_out(err, w->timeout_ms, what, holder);
		}
		if (!noticed && w->notice && spent >= notice) {
			noticed = true;
			lock_holder(fd, type, holder, sizeof(holder));
			snprintf(msg, sizeof(msg),
				 _("waiting for %1$s, locked by %2$s"), what,
				 holder);
			w->notice(w->arg, msg);
		}
		left = timeout - spent;
		if (!noticed && w->notice && notice - spent < left)
			left = notice - spent;
		memset(&fl, 0, sizeof(fl));
		fl.l_type = type;
		fl.l_whence = SEEK_SET;
		if (lock_within(fd, &fl, left) == 0)
			return 0;
		if (errno != EINTR)
			return lock_failed(err, path);
	}
}

/*
 * Open (creating it, mode 0600) the lock file path; it must be a regular
 * file, and is never a symbolic link.
 */
static int open_lock_file(const char *path, struct mvn_error *err)
{
	struct stat sb;
	int fd, ret;

	fd = open(path,
		  O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC |
			  O_NOCTTY,
		  0600);
	if (fd < 0) {
		ret = -errno;
		if (ret == -ELOOP)
			return mvn_error_set(err, ret,
					     _("lock file '%s' is a symbolic "
					       "link, which macvnet does not "
					       "follow (remove it; macvnet "
					       "creates it again)"),
					     path);
		return mvn_error_set(err, ret,
				     _("cannot open the lock file '%1$s': "
				       "%2$s (check that it is a regular file "
				       "in a writable run directory, or pick "
				       "another with --run-dir)"),
				     path, strerror(-ret));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return mvn_error_set(err, -EINVAL,
				     _("lock file '%s' is not a regular file "
				       "(remove it; macvnet creates it "
				       "again)"),
				     path);
	}
	return fd;
}

/*
 * Take a lock of kind (on network for LOCK_NETWORK) for this handle,
 * waiting as w says.  A lock held already is kept (an exclusive one
 * satisfies a request for a shared one); a shared one is upgraded in place
 * on the descriptor that holds it, since opening its file again and closing
 * that would drop it.
 */
static int take_lock(struct mvn_store *st, enum lock_kind kind,
		     const char *network, bool exclusive,
		     const struct mvn_lock_wait *w, struct mvn_error *err)
{
	short type = exclusive ? F_WRLCK : F_RDLCK;
	struct held_lock *h, *grown, fresh = { .kind = kind, .fd = -1 };
	char *path = NULL, *what = NULL;
	int ret = -ENOMEM;

	h = find_lock(st, kind, network);
	if (h && (h->type == F_WRLCK || h->type == type))
		return 0;
	if (kind == LOCK_STORE) {
		path = store_printf("%s/lock", st->run_dir);
		what = store_printf(_("the macvnet store in '%s'"),
				    st->run_dir);
	} else if (kind == LOCK_GROUPS) {
		path = store_printf("%s/groups.lock", st->run_dir);
		what = store_printf(_("the link groups of the macvnet store in "
				      "'%s'"),
				    st->run_dir);
	} else {
		path = store_printf("%s/%s.lock", st->state_dir, network);
		what = store_printf(_("network '%s'"), network);
	}
	if (!path || !what) {
		store_oom(err, st->run_dir);
		goto cleanup;
	}
	if (h) {
		ret = wait_lock(h->fd, type, path, what, w, err);
		if (ret == 0)
			h->type = type;
		goto cleanup;
	}
	grown = realloc(st->locks, (st->n_locks + 1) * sizeof(*st->locks));
	if (!grown) {
		store_oom(err, path);
		goto cleanup;
	}
	st->locks = grown;
	if (kind == LOCK_NETWORK) {
		fresh.network = strdup(network);
		if (!fresh.network) {
			store_oom(err, path);
			goto cleanup;
		}
		ret = store_check_dir(st->state_dir, 0755, true, err);
		if (ret < 0)
			goto cleanup;
	}
	ret = open_lock_file(path, err);
	if (ret < 0)
		goto cleanup;
	fresh.fd = ret;
	ret = wait_lock(fresh.fd, type, path, what, w, err);
	if (ret < 0)
		goto cleanup;
	fresh.type = type;
	st->locks[st->n_locks++] = fresh;
	fresh.fd = -1;
	fresh.network = NULL;
cleanup:
	if (fresh.fd >= 0)
		close(fresh.fd);
	free(fresh.network);
	free(what);
	free(path);
	return ret;
}

/* Take the store lock, shared or exclusive. */
int mvn_store_lock(struct mvn_store *st, bool exclusive,
		   const struct mvn_lock_wait *w, struct mvn_error *err)
{
	return take_lock(st, LOCK_STORE, NULL, exclusive, w, err);
}

/* Take the exclusive lock of one network. */
int mvn_store_lock_network(struct mvn_store *st, const char *name,
			   const struct mvn_lock_wait *w, struct mvn_error *err)
{
	int ret = store_check_name(name, err);

	if (ret < 0)
		return ret;
	return take_lock(st, LOCK_NETWORK, name, true, w, err);
}

/* Release the lock of one network if this handle holds it. */
void mvn_store_unlock_network(struct mvn_store *st, const char *name)
{
	struct held_lock *h;

	if (!st || !name)
		return;
	h = find_lock(st, LOCK_NETWORK, name);
	if (h)
		drop_lock(st, h);
}

/* Take the exclusive lock held while a link group is chosen. */
int mvn_store_lock_groups(struct mvn_store *st, const struct mvn_lock_wait *w,
			  struct mvn_error *err)
{
	return take_lock(st, LOCK_GROUPS, NULL, true, w, err);
}

/* Release the groups lock if this handle holds it. */
void mvn_store_unlock_groups(struct mvn_store *st)
{
	struct held_lock *h;

	if (!st)
		return;
	h = find_lock(st, LOCK_GROUPS, NULL);
	if (h)
		drop_lock(st, h);
}

/* Release every lock; the lock files stay for the next taker. */
void mvn_store_unlock(struct mvn_store *st)
{
	if (!st)
		return;
	while (st->n_locks > 0)
		drop_lock(st, &st->locks[st->n_locks - 1]);
}
