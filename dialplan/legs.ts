// Which inbound leg a call gets: with a media engine, engine/call's media-anchored leg; without
// one (an engine started without media), the signalling-only leg.
import type { MediaEngine } from '../media/index.js';
import { IncomingCall } from '../engine/call/incoming-call.js';
import { SipError, type IncomingRequest, type ServerResponse, type SipStack } from '../engine/sip/index.js';
import type { InboundLeg } from './leg.js';
import { MediaLeg } from './media-leg.js';
import { SignallingLeg } from './signalling-leg.js';
import { EndpointMedia } from './endpoint-media.js';
import type { CallMedia } from './media-port.js';

export interface LegFactoryOptions {
  stack: SipStack;
  media?: MediaEngine;
  /** The address our SDP advertises (media engine's bind address by default). */
  advertisedAddress?: string;
  rtpTimeoutMs?: number;
  /** Without media: the SDP's address (it carries no audio). */
  signallingOnlyAddress?: { address: string; port: number };
  keepAliveMs?: number;
}

/** A leg for an inbound INVITE, or null when the offer was refused (488 already sent). */
export function inboundLeg(req: IncomingRequest, res: ServerResponse, o: LegFactoryOptions): InboundLeg | null {
  if (!o.media) {
    return new SignallingLeg(req, res, { stack: o.stack, media: o.signallingOnlyAddress ?? { address: o.stack.host, port: 9 }, keepAliveMs: o.keepAliveMs });
  }
  try {
    return new MediaLeg(new IncomingCall({ stack: o.stack, req, res, media: o.media, advertisedAddress: o.advertisedAddress, rtpTimeoutMs: o.rtpTimeoutMs }), { stack: o.stack, media: o.media });
  } catch (err) {
    if (err instanceof SipError) return null;
    throw err;
  }
}

/**
 * The media port of a leg: its endpoint's, when it has one; record() writes into
 * `recordingsDir`, gather({ speech }) captures into `speechDir` (default the system's temp folder).
 */
export function mediaOf(leg: InboundLeg, recordingsDir?: string, speechDir?: string): CallMedia | undefined {
  if (!(leg instanceof MediaLeg)) return undefined;
  return new EndpointMedia(leg.endpoint, recordingsDir ? { dir: recordingsDir, name: fileSafe(leg.info.callId) } : undefined, leg.media, speechDir);
}

const fileSafe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');
