/*
 * Fault injection for the robustness tests: with --enable-fault-injection,
 * MACVNET_FAULT=STEP:N[:ACTION] makes the Nth step of kind STEP (netlink: a
 * request to the kernel; tap: a device node made or removed; state: a write
 * or removal in the run directory; any: all three counted together) fail
 * with EIO, or with ACTION: an errno name (ENOBUFS, ENOSPC, ...), "kill"
 * (the process SIGKILLs itself before the step) or "lost" (a netlink
 * request is not sent, and its answer is waited for).  When
 * MACVNET_FAULT_LOG names a file, a line "fired STEP N ACTION" is appended
 * to it when the fault fires.  Without the configure option, every check
 * is a constant 0.
 */
#ifndef MVN_FAULT_H
#define MVN_FAULT_H

enum mvn_fault_step {
	MVN_FAULT_NETLINK,
	MVN_FAULT_TAP,
	MVN_FAULT_STATE,
};

/* What mvn_fault_at() returns for a netlink request that must get lost. */
#define MVN_FAULT_LOST 1

#ifdef MVN_FAULT_INJECTION
/*
 * Count one step of kind step: 0 to go on, a negative errno to fail it,
 * MVN_FAULT_LOST to lose it; it does not return when the action is "kill".
 */
int mvn_fault_at(enum mvn_fault_step step);
#else
static inline int mvn_fault_at(enum mvn_fault_step step)
{
	(void)step;
	return 0;
}
#endif

#endif
