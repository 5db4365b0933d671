// A simulated callee for testing outbound calls (robot calls): a SIP UA on loopback that
// answers each INVITE as told — busy, or answer and press keys — over real SIP and RTP.
import pino from 'pino';
import { IncomingCall } from '../../engine/call/incoming-call.js';
import type { CallLeg } from '../../engine/call/call-leg.js';
import { SipStack } from '../../engine/sip/index.js';
import type { MediaEngine } from '../../media/index.js';

/**
 * Early media (RFC 3960): a 183 with SDP and a tone of `toneHz` until the answer (like a
 * carrier's ringback or announcement); `answerAfterMs` (default 0) waits before answering.
 */
export interface EarlyMedia {
  toneHz: number;
  answerAfterMs?: number;
}

/** What the callee does with its n-th call (0-based). `toneHz`: a tone it says once answered. */
export type CalleeBehaviour =
  | { reject: number }
  | { ring: true; earlyMedia?: { toneHz: number } }
  | { answer: true; keys?: { afterMs: number; digits: string }[]; hangupAfterMs?: number; earlyMedia?: EarlyMedia; toneHz?: number };

export class SimulatedCallee {
  /** One entry per INVITE received: what the callee did. */
  readonly calls: { behaviour: CalleeBehaviour; requestUri: string; from: string; leg?: CallLeg }[] = [];
  private constructor(
    readonly stack: SipStack,
    private readonly media: MediaEngine,
    private readonly behave: (n: number) => CalleeBehaviour,
  ) {}

  static async start(o: { media: MediaEngine; behaviour: (n: number) => CalleeBehaviour; t1?: number }): Promise<SimulatedCallee> {
    const stack = new SipStack({ host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), timers: { t1: o.t1 ?? 100, t2: 800, t4: 1000 }, userAgent: 'switchyard-testkit-callee' });
    const callee = new SimulatedCallee(stack, o.media, o.behaviour);
    stack.invite((req, res) => void callee.take(new IncomingCall({ stack, req, res, media: o.media })));
    await stack.start();
    return callee;
  }

  /** The URI that reaches this callee as `user`. */
  uri(user: string): string {
    return `sip:${user}@127.0.0.1:${this.stack.port}`;
  }

  private async take(incoming: IncomingCall): Promise<void> {
    const behaviour = this.behave(this.calls.length);
    const entry: (typeof this.calls)[number] = { behaviour, requestUri: incoming.req.msg.uri, from: incoming.req.get('from') ?? '' };
    this.calls.push(entry);
    if ('reject' in behaviour) return incoming.reject(behaviour.reject);
    if (behaviour.earlyMedia) {
      incoming.res.send(183, { body: incoming.localSdp, contentType: 'application/sdp' });
      incoming.session.endpoint.playTone(behaviour.earlyMedia.toneHz);
    } else incoming.ring();
    if ('ring' in behaviour) return; // rings until the caller cancels
    const wait = behaviour.earlyMedia?.answerAfterMs ?? 0;
    if (wait) await new Promise((resolve) => setTimeout(resolve, wait));
    if (incoming.canceled) return;
    if (behaviour.earlyMedia) incoming.session.endpoint.stopTone();
    const leg = await incoming.answer();
    entry.leg = leg;
    if (behaviour.toneHz) leg.endpoint.playTone(behaviour.toneHz);
    for (const k of behaviour.keys ?? []) setTimeout(() => !leg.ended && leg.endpoint.sendDtmf(k.digits), k.afterMs);
    if (behaviour.hangupAfterMs !== undefined) setTimeout(() => void leg.hangup(), behaviour.hangupAfterMs);
  }

  async stop(): Promise<void> {
    await Promise.all(this.calls.map((c) => c.leg?.hangup()));
    await this.stack.stop();
  }
}
