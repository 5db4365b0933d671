// SDP offer/answer for audio (RFC 3264), and what an endpoint needs from the remote SDP.
// The engine's call layer uses these too: media sits below call.
import * as sdpTransform from 'sdp-transform';
import type { Endpoint } from './endpoint.js';
import type { CodecName, NativeEndpointSettings } from './native.js';

/** Static payload types we implement (RFC 3551); telephone-event (RFC 4733) is dynamic. */
const SUPPORTED = new Map<string, number>([
  ['PCMU/8000', 0],
  ['PCMA/8000', 8],
]);

export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const ANSWER_DIRECTION: Record<Direction, Direction> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

export interface MediaAddress {
  address: string;
  port: number;
}

type MediaSection = sdpTransform.SessionDescription['media'][number];

interface Negotiated {
  /** The first offered codec we speak, with the offer's payload type. */
  codec: { pt: number; name: CodecName; offeredAs: string } | undefined;
  /** Every audio codec we speak that the SDP maps, by name. */
  mapped: { pcmu?: number; pcma?: number };
  telephoneEvent: number | undefined;
}

function negotiate(audio: MediaSection): Negotiated {
  const rtpmap = new Map(audio.rtp.map((r) => [r.payload, `${r.codec}/${r.rate}`]));
  const out: Negotiated = { codec: undefined, mapped: {}, telephoneEvent: undefined };
  for (const pt of String(audio.payloads ?? '').split(' ').map(Number)) {
    // Static payload types may come without an rtpmap line (RFC 3264 §5.1).
    const name = rtpmap.get(pt) ?? [...SUPPORTED].find(([, p]) => p === pt)?.[0];
    if (!name) continue;
    const upper = name.toUpperCase();
    if (SUPPORTED.has(upper)) {
      const codec = upper.split('/')[0] as CodecName;
      if (!out.codec) out.codec = { pt, name: codec, offeredAs: name.split('/')[0] };
      if (codec === 'PCMU' && out.mapped.pcmu === undefined) out.mapped.pcmu = pt;
      if (codec === 'PCMA' && out.mapped.pcma === undefined) out.mapped.pcma = pt;
    }
    if (name.toLowerCase() === 'telephone-event/8000') out.telephoneEvent = pt;
  }
  return out;
}

/**
 * sdp-transform's parse, remembering the last SDP: answering an offer reads it twice
 * (remoteMedia, then answerSdp). Callers only read the result.
 */
let lastParsed: { sdp: string; session: sdpTransform.SessionDescription } | undefined;
function parseSdp(sdp: string): sdpTransform.SessionDescription {
  if (lastParsed?.sdp !== sdp) lastParsed = { sdp, session: sdpTransform.parse(sdp) };
  return lastParsed.session;
}

function firstAudio(session: sdpTransform.SessionDescription): MediaSection | undefined {
  return session.media.find((m) => m.type === 'audio' && m.port !== 0);
}

/** Direction of the first audio stream of an SDP (session-level attribute as fallback). */
export function sdpDirection(sdp: string): Direction {
  const session = parseSdp(sdp);
  const audio = session.media.find((m) => m.type === 'audio');
  return (audio?.direction ?? session.direction ?? 'sendrecv') as Direction;
}

/** Our side of an SDP: where our endpoint listens, and the o= line to write. */
export interface LocalMedia extends MediaAddress {
  /**
   * o= session id and version. RFC 3264 §8: every SDP of a session keeps the id and bumps the
   * version when it changes; absent, a fresh session is written.
   */
  origin?: { sessionId: number; version: number };
}

/** What our offers list (RFC 3551 static types, then telephone-event on 101). */
const OFFERED = [
  { pt: 0, codec: 'PCMU', rate: 8000 },
  { pt: 8, codec: 'PCMA', rate: 8000 },
];
const OFFERED_EVENT_PT = 101;

let freshSession = Math.floor(Date.now() / 1000);

/** A new o= id/version pair (unique within this process). */
export function newOrigin(): { sessionId: number; version: number } {
  freshSession++;
  return { sessionId: freshSession, version: 1 };
}

/** Our offer: PCMU, PCMA and telephone-event 101, in `direction` (default sendrecv). */
export function offerSdp(local: LocalMedia, direction: Direction = 'sendrecv'): string {
  return writeSdp(local, OFFERED, OFFERED_EVENT_PT, direction, true);
}

/**
 * The answer to an audio offer: the first offered codec we speak (in the offerer's order,
 * RFC 3264 §6.1) with the offer's payload type, the offer's telephone-event type, the mirrored
 * direction. Null when no offered codec is acceptable (the caller should get 488). With no
 * offer, returns an offer of our own. RTCP: our SDP names port + 1 in a=rtcp (RFC 3605) and
 * offers a=rtcp-mux (RFC 5761); an answer accepts rtcp-mux when it was offered. Either way
 * the endpoint listens on both ports.
 */
export function answerSdp(offer: string | undefined, local: LocalMedia): string | null {
  if (!offer) return offerSdp(local);
  const parsed = parseSdp(offer);
  const audio = firstAudio(parsed);
  if (!audio) return null;
  const n = negotiate(audio);
  if (!n.codec) return null;
  const direction = ANSWER_DIRECTION[(audio.direction ?? parsed.direction ?? 'sendrecv') as Direction];
  const rtcpMux = audio.rtcpMux !== undefined;
  return writeSdp(local, [{ pt: n.codec.pt, codec: n.codec.offeredAs, rate: 8000 }], n.telephoneEvent, direction, rtcpMux);
}

/**
 * Our SDP, written directly (a fixed layout; sdp-transform's writer walks its whole grammar
 * per line and was a few % of a bridged call's CPU).
 */
function writeSdp(
  local: LocalMedia,
  payloads: { pt: number; codec: string; rate: number }[],
  eventPt: number | undefined,
  direction: Direction,
  rtcpMux: boolean,
): string {
  const all = eventPt === undefined ? payloads : [...payloads, { pt: eventPt, codec: 'telephone-event', rate: 8000 }];
  const origin = local.origin ?? newOrigin();
  let sdp =
    `v=0\r\no=switchyard ${origin.sessionId} ${origin.version} IN IP4 ${local.address}\r\ns=switchyard\r\n` +
    `c=IN IP4 ${local.address}\r\nt=0 0\r\nm=audio ${local.port} RTP/AVP ${all.map((p) => p.pt).join(' ')}\r\n`;
  for (const p of all) sdp += `a=rtpmap:${p.pt} ${p.codec}/${p.rate}\r\n`;
  if (eventPt !== undefined) sdp += `a=fmtp:${eventPt} 0-16\r\n`;
  sdp += `a=rtcp:${local.port + 1}\r\na=ptime:20\r\na=${direction}\r\n`;
  return rtcpMux ? sdp + 'a=rtcp-mux\r\n' : sdp;
}

/** What the far end's SDP (offer or answer) says about its audio. */
export interface RemoteMedia extends MediaAddress {
  /** The codec to send: the first one listed that we speak, and its payload type. */
  codec: CodecName;
  payloadType: number;
  /** Payload types to accept (absent: not offered). */
  payloadTypes: { pcmu?: number; pcma?: number; telephoneEvent?: number };
  direction: Direction;
  ptime: number | undefined;
  /** c=0.0.0.0 (RFC 2543 hold): no address to send to. */
  held: boolean;
  /** a=rtcp-mux: RTCP shares the RTP port (RFC 5761). */
  rtcpMux: boolean;
  /** a=rtcp: where RTCP goes when it is not port + 1 (RFC 3605). */
  rtcp: MediaAddress | undefined;
}

/** The remote audio of an SDP; null without an active audio stream or a codec we speak. */
export function remoteMedia(sdp: string): RemoteMedia | null {
  const session = parseSdp(sdp);
  const audio = firstAudio(session);
  if (!audio) return null;
  const n = negotiate(audio);
  if (!n.codec) return null;
  const address = audio.connection?.ip ?? session.connection?.ip;
  if (!address) return null;
  const payloadTypes: RemoteMedia['payloadTypes'] = { ...n.mapped };
  if (n.telephoneEvent !== undefined) payloadTypes.telephoneEvent = n.telephoneEvent;
  return {
    address,
    port: audio.port,
    codec: n.codec.name,
    payloadType: n.codec.pt,
    payloadTypes,
    direction: (audio.direction ?? session.direction ?? 'sendrecv') as Direction,
    ptime: audio.ptime,
    held: address === '0.0.0.0',
    rtcpMux: audio.rtcpMux !== undefined,
    rtcp: audio.rtcp ? { address: audio.rtcp.address ?? address, port: audio.rtcp.port } : undefined,
  };
}

/**
 * Points an endpoint at the remote media: payload types, codec to send, remote address, and
 * whether to send at all (not while the far end is on hold: a=sendonly, a=inactive or
 * c=0.0.0.0, RFC 3264 §5.1 and §8.4), and RTCP (multiplexed, or where a=rtcp says).
 */
export function configureEndpoint(endpoint: Endpoint, remote: RemoteMedia): void {
  endpoint.configure(endpointSettings(remote));
}

/** What an endpoint must be told to carry the media `remote` describes (createEndpoint or configure). */
export function endpointSettings(remote: RemoteMedia): NativeEndpointSettings {
  return {
    payloadTypes: {
      pcmu: remote.payloadTypes.pcmu ?? 0,
      pcma: remote.payloadTypes.pcma ?? 8,
      telephoneEvent: remote.payloadTypes.telephoneEvent ?? null,
    },
    codec: remote.codec,
    ...(remote.held ? {} : { remote: { address: remote.address, port: remote.port } }),
    sending: acceptsAudio(remote),
    rtcp: remote.rtcp && !remote.rtcpMux && !remote.held ? { mux: false, ...remote.rtcp } : { mux: remote.rtcpMux },
  };
}

/** Whether the far end takes audio from us. */
export function acceptsAudio(remote: RemoteMedia): boolean {
  return !remote.held && (remote.direction === 'sendrecv' || remote.direction === 'recvonly');
}

/** Whether the far end sends us audio (an RTP timeout only makes sense then). */
export function sendsAudio(remote: RemoteMedia): boolean {
  return remote.direction === 'sendrecv' || remote.direction === 'sendonly';
}
