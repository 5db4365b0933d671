// Two call legs heard through one mixer (bridge mode): media is anchored in the engine, each
// leg keeps its own SDP session with its far end, and the legs end together.
import { EventEmitter } from 'node:events';
import type { Mixer } from '../../media/mixer.js';
import type { B2buaOptions } from '../sip/b2bua.js';
import { SipError, type IncomingRequest, type ServerResponse, type SipStack } from '../sip/index.js';
import { CallLeg, type EndReason, type LegMediaOptions } from './call-leg.js';
import { IncomingCall } from './incoming-call.js';
import { MediaSession } from './media-session.js';

export class Bridge extends EventEmitter<{ ended: [{ by: CallLeg; reason: EndReason }] }> {
  private endedBy: CallLeg | undefined;

  /**
   * Both endpoints must be on `mixer`'s thread (created with the { mixer } option); they may be
   * members already (early media was heard through it). The mixer is theirs from now on.
   */
  constructor(
    readonly a: CallLeg,
    readonly b: CallLeg,
    readonly mixer: Mixer,
  ) {
    super();
    const members = mixer.members();
    for (const leg of [a, b]) if (!members.includes(leg.endpoint)) mixer.addMember(leg.endpoint);
    mixer.setMode('bridge', { agent: a.endpoint, client: b.endpoint });
    for (const [leg, other] of [
      [a, b],
      [b, a],
    ] as const) {
      leg.once('ended', ({ reason }) => {
        this.endedBy ??= leg;
        if (!other.ended) {
          void other.hangup();
          return;
        }
        mixer.close();
        this.emit('ended', { by: this.endedBy, reason });
      });
    }
  }

  get legs(): [CallLeg, CallLeg] {
    return [this.a, this.b];
  }

  /** Hangs up both legs; resolves once both endpoints are closed. */
  async hangup(): Promise<void> {
    await Promise.all([this.a.hangup(), this.b.hangup()]);
  }
}

/** An inbound INVITE and where to bridge it: what both B2BUA modes (anchored, bypassed) take. */
export interface B2buaCallOptions extends Pick<B2buaOptions, 'target' | 'from' | 'noAnswerTimeoutMs' | 'headers' | 'auth'> {
  stack: SipStack;
  req: IncomingRequest;
  res: ServerResponse;
  /** Where the callee is (a registered contact, a trunk URI). */
  uri: string;
}

export interface AnchoredCallOptions extends LegMediaOptions, B2buaCallOptions {}

/**
 * The anchoring B2BUA: the caller's offer is answered by our endpoint, the callee gets our own
 * offer from a second endpoint on the same mixer, and RTP flows caller ↔ engine ↔ callee.
 * Provisionals, CANCEL, failures and the no-answer timeout behave as in the signalling B2BUA;
 * a callee answer without a usable codec ends the callee (BYE) and gives the caller 488.
 *
 * Re-INVITEs are answered by each leg locally rather than relayed: each side has its own SDP
 * session with the engine, so a new address, codec or hold on one side changes only that
 * side's endpoint (the mixer transcodes), and one side's slow or failing re-INVITE never
 * breaks the other. A caller holding stops our sending to it; the callee keeps hearing
 * whatever the caller sends (music on hold) and its RTP keeps flowing.
 */
export async function anchoredCall(o: AnchoredCallOptions): Promise<Bridge> {
  const { stack, req, res, uri, media, advertisedAddress, rtpTimeoutMs } = o;
  const mixer = media.createMixer();
  let caller: IncomingCall;
  try {
    caller = new IncomingCall({ stack, req, res, media, mixer, advertisedAddress, rtpTimeoutMs });
  } catch (err) {
    mixer.close();
    throw err;
  }
  let callee: MediaSession;
  try {
    // A member from the start (it sends nothing before the callee's answer gives it a remote).
    callee = MediaSession.create(media, { mixer, join: true }, { advertisedAddress, rtpTimeoutMs });
  } catch (err) {
    if (err instanceof SipError) res.send(err.status);
    await caller.session.close();
    mixer.close();
    throw err;
  }
  try {
    const { uas, uac } = await stack.createB2BUA(req, res, uri, {
      target: o.target,
      from: o.from,
      headers: o.headers,
      auth: o.auth,
      noAnswerTimeoutMs: o.noAnswerTimeoutMs,
      localSdp: callee.offer(),
      localSdpA: (calleeSdp) => {
        callee.applyAnswer(calleeSdp);
        return caller.localSdp;
      },
      link: false,
    });
    return new Bridge(new CallLeg(uas, caller.session), new CallLeg(uac, callee), mixer);
  } catch (err) {
    // The B2BUA has answered the caller already, except when the callee's answer was unusable.
    if (!res.finalResponseSent && !req.canceled) res.send(err instanceof SipError && err.status >= 300 ? err.status : 500);
    await Promise.all([caller.session.close(), callee.close()]);
    mixer.close();
    throw err;
  }
}
