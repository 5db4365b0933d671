// Real-time scheduling for the engine's latency-critical threads (sched(7)): the SIP path's
// event loop and sender, the media threads. Under SCHED_RR or SCHED_FIFO a thread that becomes
// runnable takes a core from ordinary (SCHED_OTHER) work at once, instead of waiting its turn
// behind load generators, V8's collector helpers or anything else on the host; the kernel's
// RT throttling (sched_rt_runtime_us, 95 % by default) still leaves others a share should
// such a thread ever spin.
#pragma once
#include <pthread.h>

namespace sy {

// Puts the calling thread under SCHED_RR at `priority` (1-99) with SCHED_RESET_ON_FORK: the
// threads it starts afterwards (workers, libuv's pool, V8's) begin on the default scheduler
// and are raised only where the engine asks for it. Returns 0 or the errno (EPERM without
// root or CAP_SYS_NICE).
int SetCallingThreadRoundRobin(int priority);

// Puts `thread` under `policy` (SCHED_RR or SCHED_FIFO) at `priority` (1-99). Returns 0 or
// the errno.
int SetThreadRealtime(pthread_t thread, int policy, int priority);

}  // namespace sy
