// The engine's scheduling priority, as FreeSWITCH's -hp or Asterisk's -p give theirs: on a
// host shared with other work its event loop gets a core first when both are runnable.
//
// Linux keeps a nice value per thread: setpriority() on the process id changes the main
// thread alone, and a new thread starts with its creator's value. So every thread that
// exists now (V8's helpers, libuv's pool) is set one by one, and the threads the engine
// starts later (media, SIP sender, event writer) inherit the main thread's.
import { readdirSync } from 'node:fs';
import os from 'node:os';

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
