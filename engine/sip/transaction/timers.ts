// RFC 3261 §17 timer base values; every transaction timer is derived from these.
export interface TimerSettings {
  /** RTT estimate, default 500 ms (§17.1.1.1). */
  t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  t2: number;
  /** Longest time a message stays in the network, default 5 s. */
  t4: number;
}

export const DEFAULT_TIMERS: TimerSettings = { t1: 500, t2: 4000, t4: 5000 };
