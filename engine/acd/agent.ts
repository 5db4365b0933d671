// One agent at run time: profile, state with reason and timestamp, and the per-queue figures
// the routing strategies order by.
import type { Activity, AgentProfile, AgentState } from './types.js';

export interface QueueFigures {
  answered: number;
  talkMs: number;
  /** Sequence number of the last offer in this queue (round-robin orders by it). */
  lastOfferSeq: number;
}

export class Agent {
  state: AgentState = 'offline';
  reason = '';
  since: number;
  /** When the agent last became free to take a call (longest-idle orders by it). */
  idleSince: number;
  /** The offer ringing this agent's phone right now. */
  offerId: string | null = null;
  /** The call this agent is on or wrapping up. */
  callId: string | null = null;
  callQueueId: string | null = null;
  /** A state chosen during a call, taken when the call and its wrap-up end. */
  pending: { state: AgentState; reason: string } | null = null;
  wrapTimer: NodeJS.Timeout | null = null;
  /** In a call the agent dialled themselves (click-to-call) that the client answered. */
  outboundTalking = false;
  /** Drawn each time the agent becomes free (the random strategy orders by it). */
  randomKey = 0;
  readonly figures = new Map<string, QueueFigures>();

  constructor(
    public profile: AgentProfile,
    now: number,
  ) {
    this.since = now;
    this.idleSince = now;
  }

  get id(): string {
    return this.profile.id;
  }

  /** Free to be offered a call. */
  get routable(): boolean {
    return this.state === 'available' && this.offerId === null && this.callId === null;
  }

  get loggedIn(): boolean {
    return this.state !== 'offline';
  }

  get activity(): Activity {
    if (this.state === 'on-call' || this.outboundTalking) return 'talking';
    return this.routable ? 'free' : 'busy';
  }

  figuresFor(queueId: string): QueueFigures {
    let f = this.figures.get(queueId);
    if (!f) this.figures.set(queueId, (f = { answered: 0, talkMs: 0, lastOfferSeq: 0 }));
    return f;
  }

  view() {
    return {
      ...this.profile,
      state: this.state,
      reason: this.reason,
      since: this.since,
      activity: this.activity,
      callId: this.callId,
      ringing: this.offerId !== null,
      pending: this.pending,
    };
  }
}
