// The dial verb over engine/call: outbound legs placed on a mixer of the caller's media
// thread (sequentially or all at once, to URIs or through a trunk), the first answer bridged
// to the caller. Meanwhile the caller hears ringback: our tone, or the early media of a callee
// that sends a 183 with SDP. A caller not answered yet gets a 183 with SDP of its own and is
// answered when a callee answers. Resolves when nobody answered (the call goes on) or when the
// bridged call ended.
import type { Endpoint, MediaEngine, Mixer } from '../media/index.js';
import { Bridge } from '../engine/call/bridge.js';
import { CallLeg } from '../engine/call/call-leg.js';
import { SipError, type OutgoingInvite, type SendTarget, type SipStack } from '../engine/sip/index.js';

export interface DialOptions {
  /** Ring time per target (sequential) or for all (parallel), ms (default 30 000). */
  timeout?: number;
  /** From URI of the outbound legs (default: the caller's From; a trunk's own caller id through a trunk). */
  callerId?: string;
  /** Play ringback to the caller while the targets ring and none sends early media (default true). */
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

/** Where one dial attempt goes: a URI, and through a trunk its gateway, account and caller id. */
export interface DialTarget {
  /** What the dialplan asked for (a URI or a number), reported back as the result's `target`. */
  label: string;
  uri: string;
  target?: SendTarget;
  auth?: { username: string; password: string };
  from?: string;
}

/** The calling side of a dial, answered or not yet. */
export interface DialCaller {
  /** Its RTP endpoint (ready before the answer, for early media). */
  readonly endpoint: Endpoint;
  readonly ended: boolean;
  /** Its answered leg: answers first when it is not answered yet. */
  answer(): Promise<CallLeg>;
}

/** What the Call hears of a dial while it runs. */
export interface DialHooks {
  /** The callee answered and the two are bridged through `mixer` (stereo recording: caller left, callee right). */
  bridged?(b: { mixer: Mixer; caller: Endpoint; callee: Endpoint }): void;
  /** The bridge ended (before dial resolves). */
  unbridged?(): void;
  /** The caller, not answered when dialling began, was answered because a callee answered. */
  answered?(): void;
}

export interface DialContext {
  stack: SipStack;
  media: MediaEngine;
  caller: DialCaller;
  from: string;
}

export async function dialAndBridge(ctx: DialContext, targets: DialTarget[], o: DialOptions, signal: AbortSignal, hooks: DialHooks = {}): Promise<DialResult> {
  const caller = ctx.caller.endpoint;
  const mixer = ctx.media.createMixer({ thread: caller.thread });
  const pending = new Set<OutgoingInvite>();
  const cancelAll = () => pending.forEach((i) => i.cancel());
  signal.addEventListener('abort', cancelAll, { once: true });
  const ringback = o.ringback ?? true;
  if (ringback) caller.playTone('ringback');
  // The callee whose early media the caller hears instead of our ringback (the first to send some).
  let early: Endpoint | undefined;
  const hearEarly = (callee: Endpoint): void => {
    if (early || signal.aborted || ctx.caller.ended) return;
    early = callee;
    caller.stopTone();
    if (!mixer.members().includes(caller)) mixer.addMember(caller);
    mixer.addMember(callee);
    mixer.setMode('bridge', { agent: caller, client: callee });
  };
  const earlyGone = (callee: Endpoint | undefined): void => {
    if (!callee || early !== callee) return;
    early = undefined;
    if (ringback && !ctx.caller.ended) caller.playTone('ringback');
  };
  let last: DialResult = { status: 'no-answer' };
  const attempt = async (t: DialTarget): Promise<CallLeg | undefined> => {
    let invite: OutgoingInvite | undefined;
    let callee: Endpoint | undefined;
    const timer = setTimeout(() => invite?.cancel(), o.timeout ?? 30_000);
    try {
      return await CallLeg.dial(
        {
          stack: ctx.stack,
          media: ctx.media,
          mixer,
          uri: t.uri,
          target: t.target,
          auth: t.auth,
          from: o.callerId ?? t.from ?? ctx.from,
          onEarlyMedia: (ep) => hearEarly((callee = ep)),
        },
        { cbRequest: (h) => pending.add((invite = h)) },
      );
    } catch (err) {
      earlyGone(callee);
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
          answered = { leg, target: target.label };
          cancelAll();
        }),
      );
    } else {
      for (const target of targets) {
        if (signal.aborted) break;
        const leg = await attempt(target);
        if (leg) {
          answered = { leg, target: target.label };
          break;
        }
      }
    }
  } finally {
    signal.removeEventListener('abort', cancelAll);
    if (!ctx.caller.ended) caller.stopTone();
  }
  let callerLeg: CallLeg | undefined;
  if (answered && !signal.aborted) callerLeg = await ctx.caller.answer().catch(() => undefined);
  if (!answered || !callerLeg || signal.aborted) {
    await answered?.leg.hangup();
    if (!ctx.caller.ended && mixer.members().includes(caller)) mixer.removeMember(caller);
    mixer.close();
    return last;
  }
  const bridge = new Bridge(callerLeg, answered.leg, mixer);
  hooks.bridged?.({ mixer, caller, callee: answered.leg.endpoint });
  const { by } = await new Promise<{ by: CallLeg }>((resolve) => bridge.once('ended', resolve));
  hooks.unbridged?.();
  return { status: 'answered', target: answered.target, endedBy: by === callerLeg ? 'caller' : 'callee' };
}
