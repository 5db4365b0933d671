// Ringing a registered extension from the contact centre, with media on a given mixer, and the
// mapping of a failed INVITE to the ACD's vocabulary.
import type { MediaEngine } from '../../media/engine.js';
import type { Mixer } from '../../media/mixer.js';
import type { OfferResult } from '../acd/index.js';
import { CallLeg } from '../call/index.js';
import { SipError, type Registrar, type SipStack } from '../sip/index.js';
import type { OutgoingInvite } from '../sip/stack.js';

export interface PhoneDeps {
  stack: SipStack;
  registrar: Registrar;
  media: MediaEngine;
  advertisedAddress?: string;
  rtpTimeoutMs: number;
  keepAliveMs: number;
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
  const leg = await CallLeg.dial(
    {
      stack: deps.stack,
      media: deps.media,
      mixer: o.mixer,
      uri: binding.contact,
      target: binding.target,
      from: o.from,
      headers: o.headers,
      advertisedAddress: deps.advertisedAddress,
      rtpTimeoutMs: deps.rtpTimeoutMs,
    },
    { cbRequest: o.onInvite, acceptCrossed2xx: o.acceptCrossed2xx },
  );
  leg.dialog.keepAlive(deps.keepAliveMs);
  return leg;
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
