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

int SetThreadRoundRobin(pthread_t thread, int priority) {
  sched_param param{};
  param.sched_priority = priority;
  return pthread_setschedparam(thread, SCHED_RR, &param);
}

}  // namespace sy
