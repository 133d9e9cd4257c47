/*
 * Inside the link module (link.c, link-l3.c): the netlink context and the
 * one bounded exchange with the kernel.  Nothing outside these files talks
 * netlink or includes this.
 */
#ifndef MVN_LINK_INT_H
#define MVN_LINK_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "error.h"

struct nl_ctx {
	struct nl_sock *sk;
	/*
	 * A request went unanswered (or the answer made no sense): its late
	 * answer may still arrive on sk, and it carries the sequence number
	 * libnl expects next, so it would pass for the answer to the next
	 * request.  The next request opens a fresh socket first.
	 */
	bool stale;
	unsigned int timeout_ms; /* the longest wait for the kernel */
	int ioctl_fd; /* for the cheap questions: ifindex, name and address */
	int kernel_errno; /* the errno of the last error the kernel sent */
	/*
	 * A second socket for pipelined requests (create_many), opened with
	 * sk so that both are in the same namespace.  Its answers are
	 * matched by sequence number, so a late answer to a request given
	 * up is recognised and dropped: it never needs reopening.
	 */
	int batch_fd;
	uint32_t batch_seq; /* the sequence number of its next request */
	size_t window; /* requests in flight at once, sized to its buffers */
	size_t batch_max; /* the most bytes one sendmsg on it may carry */
	/*
	 * After a macvtap here got another namespace's /dev/tapN: the index
	 * from which free nodes are looked for next, so that the macvtaps
	 * made after it are asked for at free indexes instead of clashing
	 * (and being deleted) one by one.  0: no clash seen.
	 */
	int tap_next;
};

/*
 * Send msg (freed here; NULL means building it ran out of memory) and wait,
 * bounded, for its answer; replies go to on_reply.  0 or a negative errno,
 * the kernel's own when it sent one.
 */
int mvn_nl_exchange(struct nl_ctx *c, struct nl_msg *msg,
		    nl_recvmsg_msg_cb_t on_reply, void *arg);

/* Drop msg when adding to it failed (put < 0); see mvn_nl_exchange(). */
struct nl_msg *mvn_nl_checked(struct nl_msg *msg, int put);

/* "interface 'eth0'" (or by ifindex) for messages, in buf. */
const char *mvn_nl_label(struct nl_ctx *c, int netnsid, int ifindex, char *buf,
			 size_t len);

/* The message of a step that got no answer in time; fmt names the step. */
int mvn_nl_timed_out(const struct nl_ctx *c, struct mvn_error *err,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
