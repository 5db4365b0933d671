// Recent handle times per queue, for the estimated wait time (EWT) callers are told while they
// wait. Only the last RECENT handled calls count, so the estimate follows the queue's current
// pace rather than its whole history. Definition in engine/acd/README.md ("Estimated wait").

/** How many of a queue's most recent handled calls the mean is taken over. */
export const RECENT = 20;
/** Assumed talk time per call until a queue has handled one. */
export const DEFAULT_TALK_MS = 180_000;

export class HandleTimes {
  private readonly recent = new Map<string, number[]>();

  /** An inbound call of `queueId` ended: talk plus the queue's wrap-up. */
  add(queueId: string, handleMs: number): void {
    let list = this.recent.get(queueId);
    if (!list) this.recent.set(queueId, (list = []));
    list.push(handleMs);
    if (list.length > RECENT) list.shift();
  }

  /** Mean of the recent handle times; with none yet, DEFAULT_TALK_MS plus `wrapUpMs`. */
  meanMs(queueId: string, wrapUpMs: number): number {
    const list = this.recent.get(queueId);
    if (!list?.length) return DEFAULT_TALK_MS + wrapUpMs;
    return list.reduce((a, b) => a + b, 0) / list.length;
  }

  /**
   * EWT of the caller at `position` (1-based) when `agents` agents serve the queue: every agent
   * takes one caller per handle time, so the caller is reached in round ceil(position / agents);
   * callers in round 1 wait for the first agent to finish (on average one handle time).
   */
  estimateMs(queueId: string, wrapUpMs: number, position: number, agents: number): number {
    return Math.ceil(position / Math.max(1, agents)) * this.meanMs(queueId, wrapUpMs);
  }
}
