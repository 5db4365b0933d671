// The engine's scheduling priority, as FreeSWITCH's -hp/-rp or Asterisk's -p give theirs: on
// a host shared with other work its event loop gets a core first when both are runnable.
//
// Two ways. A nice value weighs the engine's threads against others under the ordinary
// scheduler, which still shares the core out: at nice -10 the event loop waited less for a
// core, but still waited. SCHED_RR (real-time) for the SIP path's two threads, the event loop
// and the SIP sender, has them preempt ordinary work the moment they are runnable.
//
// Linux keeps a nice value per thread: setpriority() on the process id changes the main
// thread alone, and a new thread starts with its creator's value. So every thread that
// exists now (V8's helpers, libuv's pool) is set one by one, and the threads the engine
// starts later (media, SIP sender, event writer) inherit the main thread's.
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { loadAddon } from '../media/native.js';

/** Sets the nice value (-20..19) of every thread of this process; the error text if the kernel refused (below 0 needs root or CAP_SYS_NICE). */
export function setNice(nice: number): string | undefined {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) throw new RangeError(`nice must be an integer from -20 to 19, got ${nice}`);
  try {
    for (const tid of threadIds()) os.setPriority(tid, nice);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Puts the calling thread, the event loop, under SCHED_RR at `priority` (1-99); returns the
 * kernel's refusal as text (it needs root or CAP_SYS_NICE). Threads it starts afterwards begin
 * on the ordinary scheduler (SCHED_RESET_ON_FORK): workers, libuv's pool and the media
 * threads (which have their own SWITCHYARD_MEDIA_RT_PRIORITY) are not raised with it; the
 * SIP sender thread is raised by its socket (UdpTransportOptions.realtimePriority). The same
 * flag starts them at nice 0 should a negative SWITCHYARD_NICE be set too (sched(7)).
 */
export function setEventLoopRealtime(priority: number): string | undefined {
  if (!Number.isInteger(priority) || priority < 1 || priority > 99) throw new RangeError(`a real-time priority is an integer from 1 to 99, got ${priority}`);
  return loadAddon().setEventLoopRealtime(priority);
}

/** This process's thread ids, the main thread's (the process id) first; just the process id where /proc is missing. */
function threadIds(): number[] {
  let tasks: number[];
  try {
    tasks = readdirSync('/proc/self/task').map(Number);
  } catch {
    return [process.pid];
  }
  return [process.pid, ...tasks.filter((tid) => tid !== process.pid)];
}
