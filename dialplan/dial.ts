// The dial verb over engine/call: outbound legs placed on a mixer of the caller's media
// thread (sequentially or all at once), the first answer bridged to the caller, ringback
// played to the caller meanwhile. Resolves when nobody answered (the call goes on) or when
// the bridged call ended.
import type { MediaEngine } from '../media/index.js';
import { Bridge } from '../engine/call/bridge.js';
import { CallLeg } from '../engine/call/call-leg.js';
import { SipError, type OutgoingInvite, type SipStack } from '../engine/sip/index.js';

export interface DialOptions {
  /** Ring time per target (sequential) or for all (parallel), ms (default 30 000). */
  timeout?: number;
  /** From URI of the outbound legs (default: the caller's From). */
  callerId?: string;
  /** Play ringback to the caller while the targets ring (default true). */
  ringback?: boolean;
  strategy?: 'sequential' | 'parallel';
}

export type DialResult =
  /** Someone answered; the bridged call has ended (`endedBy` tells who hung up first). */
  | { status: 'answered'; target: string; endedBy: 'caller' | 'callee' }
  /** Nobody answered: the last failure ('busy', 'no-answer', 'failed' with the SIP status). */
  | { status: 'busy' | 'no-answer' | 'failed'; sipStatus?: number };

/** Failures that mean "try again later" (RFC 3261 §21.4, §21.6): busy, unavailable, no answer, our CANCEL after the ring time. */
export const NOT_ANSWERED: Record<number, 'busy' | 'no-answer'> = { 486: 'busy', 600: 'busy', 480: 'no-answer', 408: 'no-answer', 487: 'no-answer' };

export interface DialContext {
  stack: SipStack;
  media: MediaEngine;
  /** The caller's answered leg. */
  caller: CallLeg;
  from: string;
}

export async function dialAndBridge(ctx: DialContext, targets: string[], o: DialOptions, signal: AbortSignal): Promise<DialResult> {
  const mixer = ctx.media.createMixer({ thread: ctx.caller.endpoint.thread });
  const pending = new Set<OutgoingInvite>();
  const cancelAll = () => pending.forEach((i) => i.cancel());
  signal.addEventListener('abort', cancelAll, { once: true });
  if (o.ringback ?? true) ctx.caller.endpoint.playTone('ringback');
  let last: DialResult = { status: 'no-answer' };
  const attempt = async (uri: string): Promise<CallLeg | undefined> => {
    let invite: OutgoingInvite | undefined;
    const timer = setTimeout(() => invite?.cancel(), o.timeout ?? 30_000);
    try {
      return await CallLeg.dial({ stack: ctx.stack, media: ctx.media, mixer, uri, from: o.callerId ?? ctx.from }, { cbRequest: (h) => pending.add((invite = h)) });
    } catch (err) {
      const status = err instanceof SipError ? err.status : undefined;
      last = { status: (status && NOT_ANSWERED[status]) || 'failed', sipStatus: status };
      return undefined;
    } finally {
      clearTimeout(timer);
      if (invite) pending.delete(invite);
    }
  };
  let answered: { leg: CallLeg; target: string } | undefined;
  try {
    if (o.strategy === 'parallel') {
      // First answer wins; the others are canceled, and one answering in the same instant is hung up.
      await Promise.all(
        targets.map(async (target) => {
          const leg = await attempt(target);
          if (!leg) return;
          if (answered || signal.aborted) return void leg.hangup();
          answered = { leg, target };
          cancelAll();
        }),
      );
    } else {
      for (const target of targets) {
        if (signal.aborted) break;
        const leg = await attempt(target);
        if (leg) {
          answered = { leg, target };
          break;
        }
      }
    }
  } finally {
    signal.removeEventListener('abort', cancelAll);
    if (!ctx.caller.ended) ctx.caller.endpoint.stopTone();
  }
  if (!answered || signal.aborted) {
    await answered?.leg.hangup();
    mixer.close();
    return last;
  }
  const bridge = new Bridge(ctx.caller, answered.leg, mixer);
  const { by } = await new Promise<{ by: CallLeg }>((resolve) => bridge.once('ended', resolve));
  return { status: 'answered', target: answered.target, endedBy: by === ctx.caller ? 'caller' : 'callee' };
}
