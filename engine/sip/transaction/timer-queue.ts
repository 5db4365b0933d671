// Transaction timers without a Node Timeout each. Under load tens of thousands of
// transactions wait out Timers J, L and M (64 × T1 = 32 s after their call), and a Timeout
// object with its closure and context per timer was a large share of what the garbage
// collector walked. Timers of one delay expire in the order they were started, so each
// distinct delay gets a FIFO of (due time, target, kind) in flat arrays and one Node timer
// for its head. A queue whose timers all fired is dropped (delays vary: Timer A/E intervals,
// keep-alives, no-answer timeouts), and its Node timer is unref'd: pending transaction timers
// alone do not keep the process alive (while the engine runs its sockets do).
//
// A queue's Node timer wakes at most once every `lateness` ms (up to 10; less for short
// delays): under load its timers fall due every fraction of a millisecond, and a Node timer per
// due time (a few thousand a second) was a tenth of the event loop's time. A timer so fires
// up to that much after its due time, never before; RFC 3261's timers are minimums.
//
// A timer cannot be cancelled: the target decides on firing whether it still applies,
// from its state or by comparing `due` with the due time it recorded when it started it.

/** What a TimerQueue calls back; `kind` is the target's own name for the timer. */
export interface TimerTarget {
  onTimer(kind: number, due: number): void;
}

/**
 * Stands in for a target that may end long before a timer it started is due: the queue holds
 * this small object, and the target leaves it (`target = undefined`) when it ends, so the queue
 * does not keep the ended target alive until then.
 */
export class TimerRelay implements TimerTarget {
  constructor(public target: TimerTarget | undefined) {}

  onTimer(kind: number, due: number): void {
    this.target?.onTimer(kind, due);
  }
}

// A queue's arrays are compacted once this many fired entries sit before the head.
const COMPACT_AFTER = 4096;
/** The most a timer fires after its due time, for delays of 160 ms and more (a sixteenth of shorter ones). */
const MAX_LATENESS_MS = 10;

class DelayQueue {
  private dues: number[] = [];
  private targets: (TimerTarget | undefined)[] = [];
  private kinds: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set while fire() runs: it arms the timer for the new head itself when done. */
  private firing = false;
  /** The least time between two wake-ups of this queue's Node timer. */
  private readonly lateness: number;

  constructor(
    private readonly delay: number,
    /** Called when the last pending timer fired: the queue is empty and can be dropped. */
    private readonly onEmpty: (queue: DelayQueue) => void,
    private readonly onWake: () => void,
  ) {
    this.lateness = Math.min(MAX_LATENESS_MS, Math.max(1, Math.floor(delay / 16)));
  }

  push(now: number, target: TimerTarget, kind: number): number {
    const due = now + this.delay;
    this.dues.push(due);
    this.targets.push(target);
    this.kinds.push(kind);
    if (!this.firing) this.timer ??= this.arm(this.delay);
    return due;
  }

  private arm(ms: number): NodeJS.Timeout {
    return setTimeout(() => this.fire(), ms).unref();
  }

  private fire(): void {
    this.onWake();
    this.timer = undefined;
    this.firing = true;
    const now = performance.now();
    while (this.head < this.dues.length && this.dues[this.head] <= now) {
      const target = this.targets[this.head]!;
      this.targets[this.head] = undefined;
      const kind = this.kinds[this.head];
      const due = this.dues[this.head++];
      // A target that throws must not stop the timers behind it.
      try {
        target.onTimer(kind, due);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
    this.firing = false;
    if (this.head === this.dues.length) {
      this.onEmpty(this);
      return;
    }
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.dues.length) this.compact();
    // Node timers fire on whole milliseconds of loop time: round up so the head is due then.
    this.timer = this.arm(Math.max(this.lateness, Math.ceil(this.dues[this.head] - now)));
  }

  private compact(): void {
    this.dues = this.dues.slice(this.head);
    this.targets = this.targets.slice(this.head);
    this.kinds = this.kinds.slice(this.head);
    this.head = 0;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dues = [];
    this.targets = [];
    this.kinds = [];
    this.head = 0;
  }
}

export class TimerQueues {
  private readonly queues = new Map<number, DelayQueue>();
  private wakes = 0;
  private readonly countWake = (): void => void this.wakes++;

  /** Calls target.onTimer(kind, due) `delay` ms from now; returns `due` (a performance.now() time). */
  start(delay: number, target: TimerTarget, kind: number): number {
    let queue = this.queues.get(delay);
    if (!queue) this.queues.set(delay, (queue = new DelayQueue(delay, (empty) => this.drop(delay, empty), this.countWake)));
    return queue.push(performance.now(), target, kind);
  }

  private drop(delay: number, queue: DelayQueue): void {
    if (this.queues.get(delay) === queue) this.queues.delete(delay);
  }

  /** How many distinct delays have timers pending (each has a queue). */
  get delayCount(): number {
    return this.queues.size;
  }

  /** How many times the queues' Node timers fired so far (each fires every timer then due). */
  get wakeups(): number {
    return this.wakes;
  }

  /** Drops every pending timer (shutdown). */
  stop(): void {
    for (const queue of this.queues.values()) queue.stop();
    this.queues.clear();
  }
}
