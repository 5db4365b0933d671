// The inbound leg with media: engine/call's IncomingCall (offer checked, endpoint ready)
// until answered, then its CallLeg. The endpoint is closed however the call ends.
import type { CallLeg, EndReason } from '../engine/call/call-leg.js';
import type { IncomingCall } from '../engine/call/incoming-call.js';
import type { SipStack } from '../engine/sip/index.js';
import type { MediaEngine } from '../media/index.js';
import { dialAndBridge, type DialCaller, type DialHooks, type DialOptions, type DialResult, type DialTarget } from './dial.js';
import type { InboundCall } from '../engine/acd/index.js';
import type { QueueEntry, QueueOutcome } from './queue-port.js';
import { DialplanError } from './errors.js';
import { referTransfer } from './refer.js';
import { callInfoOf, LegBase, type CallInfo, type InboundLeg, type LegGoneReason } from './leg.js';

/** How a call leg's end reads from the dialplan's side. */
export const GONE: Record<Exclude<EndReason, 'local'>, LegGoneReason> = {
  remote: 'bye',
  'rtp-timeout': 'rtp-timeout',
  'media-failed': 'media-failed',
};

export class MediaLeg extends LegBase implements InboundLeg {
  readonly info: CallInfo;
  private answered?: CallLeg;

  constructor(
    private readonly incoming: IncomingCall,
    private readonly engine: { stack: SipStack; media: MediaEngine },
  ) {
    super();
    this.info = callInfoOf(incoming.req);
    incoming.once('canceled', () => this.gone('canceled'));
  }

  /** The media engine the call's endpoint belongs to. */
  get media(): MediaEngine {
    return this.engine.media;
  }

  /** The RTP endpoint of the call (ready before answer, for early media). */
  get endpoint(): IncomingCall['session']['endpoint'] {
    return this.incoming.session.endpoint;
  }

  progress(earlyMedia: boolean): void {
    // Early media: the 183 carries the answer the 200 will repeat (RFC 3960 gateway model).
    const sent = earlyMedia
      ? this.incoming.res.send(183, { body: this.incoming.localSdp, contentType: 'application/sdp' })
      : this.incoming.res.send(180);
    if (sent && this.current === 'offered') this.current = 'early';
  }

  async answer(): Promise<void> {
    const leg = await this.incoming.answer();
    this.answered = leg;
    this.current = 'answered';
    leg.once('ended', ({ reason }) => {
      if (reason !== 'local') this.gone(GONE[reason]);
    });
  }

  reject(status: number, headers?: Record<string, string>): void {
    this.current = 'ended';
    this.incoming.res.send(status, { headers });
    void this.incoming.session.close();
  }

  async hangup(headers?: Record<string, string>): Promise<void> {
    this.current = 'ended';
    const leg = this.answered;
    if (!leg) return;
    // The BYE carries our headers (Reason); hangup() then finds the dialog ending and closes the endpoint.
    await Promise.all([leg.dialog.destroy({ headers }), leg.hangup()]);
  }

  /** Not answered yet: the caller gets a 183 with SDP (ringback or the callee's early media) and is answered with the callee. */
  dial(targets: DialTarget[], options: DialOptions, signal: AbortSignal, hooks: DialHooks): Promise<DialResult> {
    if (this.current === 'ended') return Promise.reject(new DialplanError('invalid-state', 'dial: the call has ended'));
    if (!this.answered) this.progress(true);
    const leg = this;
    const caller: DialCaller = {
      endpoint: this.endpoint,
      get ended() {
        return leg.state === 'ended';
      },
      answer: async () => {
        if (!this.answered) {
          await this.answer();
          hooks.answered?.();
        }
        return this.answered!;
      },
    };
    return dialAndBridge({ ...this.engine, caller, from: this.info.from.uri }, targets, options, signal, hooks);
  }

  transferByNewLeg(target: DialTarget, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (!this.answered) return Promise.reject(new DialplanError('invalid-state', 'transfer by a new leg needs an answered call'));
    return new Promise((resolve, reject) => {
      // The bridge outlives this promise: it ends when the caller or the target hangs up.
      this.dial([target], { timeout: timeoutMs }, signal, { bridged: () => resolve() }).then((r) => {
        if (r.status !== 'answered') reject(new DialplanError('transfer-failed', `transfer: the call to ${target.label} failed (${r.status}${r.sipStatus ? ` ${r.sipStatus}` : ''})`));
      }, reject);
    });
  }

  enqueue(entry: QueueEntry, queueId: string, info: Omit<InboundCall, 'callId'>): Promise<QueueOutcome> {
    if (!this.answered) return Promise.reject(new DialplanError('invalid-state', 'enqueue needs an answered call'));
    return entry(queueId, this.answered, info);
  }

  refer(target: string, timeoutMs: number): Promise<void> {
    if (!this.answered) return Promise.reject(new DialplanError('invalid-state', 'transfer by REFER needs an answered call'));
    return referTransfer(this.answered.dialog, target, timeoutMs);
  }
}
