#include "thread_priority.h"

#include <errno.h>
#include <sched.h>

namespace sy {

int SetCallingThreadRoundRobin(int priority) {
  sched_param param{};
  param.sched_priority = priority;
  // pid 0 is the calling thread (Linux schedules threads, not processes).
  return sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &param) == 0 ? 0 : errno;
}

int SetThreadRealtime(pthread_t thread, int policy, int priority) {
  sched_param param{};
  param.sched_priority = priority;
  return pthread_setschedparam(thread, policy, &param);
}

}  // namespace sy
