// Ringing a registered extension from the contact centre, with media on a given mixer, and the
// mapping of a failed INVITE to the ACD's vocabulary.
import type { MediaEngine } from '../../media/engine.js';
import type { Mixer } from '../../media/mixer.js';
import type { OfferResult } from '../acd/index.js';
import { CallLeg } from '../call/index.js';
import { SipError, type Registrar, type SendTarget, type SipStack } from '../sip/index.js';
import type { OutgoingInvite } from '../sip/stack.js';

/** Where a number outside the registrar is sent: a trunk's gateway, account and caller id (the dialplan's outbound routes). */
export interface TrunkRoute {
  uri: string;
  target?: SendTarget;
  auth?: { username: string; password: string };
  from?: string;
}

/** A number an agent may dial or transfer to: digits, `*`, `#`, an optional leading `+`. */
export const DIALABLE_NUMBER = /^\+?[0-9*#]{1,32}$/;
/** The error a caller gets for a number DIALABLE_NUMBER refuses. */
export const NOT_DIALABLE = 'number must be 1-32 digits, * or # (with an optional leading +)';

export interface PhoneDeps {
  stack: SipStack;
  registrar: Registrar;
  media: MediaEngine;
  advertisedAddress?: string;
  rtpTimeoutMs: number;
  keepAliveMs: number;
  /** The outbound route of a number (throws when none matches); absent: only registered extensions are reachable. */
  outboundRoute?: (number: string) => TrunkRoute;
}

export interface RingOptions {
  /** The endpoint is created on this mixer's thread so it can join it. */
  mixer: Mixer;
  /** Caller id shown on the phone (From user). */
  from?: string;
  headers?: Record<string, string>;
  /** Called with the INVITE once sent (to CANCEL it). */
  onInvite?: (invite: OutgoingInvite) => void;
  /** A 200 crossing our CANCEL still resolves (the ACD port contract). */
  acceptCrossed2xx?: boolean;
}

/** Rings the phone registered for `extension`. Rejects SipError 480 when it has no registration. */
export async function ringExtension(deps: PhoneDeps, extension: string, o: RingOptions): Promise<CallLeg> {
  const binding = deps.registrar.lookup(extension)[0];
  if (!binding) throw new SipError(480, 'Not Registered', 'rejected');
  return dialLeg(deps, { uri: binding.contact, target: binding.target, from: o.from }, o);
}

/**
 * Rings `number`: a registered extension directly, any other number through its outbound trunk
 * route. Rejects SipError 480 when neither reaches it (no registration and no route).
 */
export async function ringNumber(deps: PhoneDeps, number: string, o: RingOptions): Promise<CallLeg> {
  const route = routeOf(deps, number);
  if (route === undefined || route === 'extension') return ringExtension(deps, number, o);
  // The trunk's own caller id: a provider accepts only its account's numbers as From.
  return dialLeg(deps, { uri: route.uri, target: route.target, auth: route.auth, from: route.from ?? o.from }, o);
}

async function dialLeg(deps: PhoneDeps, to: TrunkRoute, o: RingOptions): Promise<CallLeg> {
  const leg = await CallLeg.dial(
    {
      stack: deps.stack,
      media: deps.media,
      mixer: o.mixer,
      ...to,
      headers: o.headers,
      advertisedAddress: deps.advertisedAddress,
      rtpTimeoutMs: deps.rtpTimeoutMs,
    },
    { cbRequest: o.onInvite, acceptCrossed2xx: o.acceptCrossed2xx },
  );
  leg.dialog.keepAlive(deps.keepAliveMs);
  return leg;
}

/**
 * How ringNumber reaches `number`: 'extension' when it is registered (rung directly), else its
 * outbound trunk route; undefined when neither reaches it.
 */
export function routeOf(deps: PhoneDeps, number: string): 'extension' | TrunkRoute | undefined {
  return deps.registrar.lookup(number).length > 0 ? 'extension' : trunkRouteOf(deps, number);
}

/** The trunk route of `number`, or undefined when no outbound route matches it. */
function trunkRouteOf(deps: PhoneDeps, number: string): TrunkRoute | undefined {
  if (!deps.outboundRoute) return undefined;
  try {
    return deps.outboundRoute(number);
  } catch {
    return undefined;
  }
}

/** A failed INVITE to a client's number as an attempt result: busy, unreachable, or not answered. */
export function clientAttemptResultOf(err: unknown): 'busy' | 'unavailable' | 'no-answer' {
  const result = offerResultOf(err, false);
  return result === 'busy' || result === 'unavailable' ? result : 'no-answer';
}

/** An INVITE's failure as an offer result (engine/acd/README.md: the port contract). */
export function offerResultOf(err: unknown, cancelled: boolean): OfferResult {
  if (!(err instanceof SipError)) return 'unavailable';
  if (err.status === 487 && cancelled) return 'cancelled';
  if (err.status === 486 || err.status === 600) return 'busy';
  // 404/408/480, no response, and server errors: the phone cannot be reached; 603 and the rest: declined.
  if (err.status === 404 || err.status === 408 || err.status === 480 || (err.status >= 500 && err.status < 600)) return 'unavailable';
  return 'rejected';
}
