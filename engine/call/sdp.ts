// SDP offer/answer for audio (RFC 3264): pick the codecs we speak from the offer and
// answer the direction the offer implies (sendonly → recvonly, inactive → inactive).
import * as sdpTransform from 'sdp-transform';

/** Static payload types we implement (RFC 3551) plus telephone-event (RFC 4733). */
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

/** Direction of the first audio stream of an SDP (session-level attribute as fallback). */
export function sdpDirection(sdp: string): Direction {
  const session = sdpTransform.parse(sdp);
  const audio = session.media.find((m) => m.type === 'audio');
  return (audio?.direction ?? session.direction ?? 'sendrecv') as Direction;
}

let sessionVersion = Math.floor(Date.now() / 1000);

/**
 * The answer to an audio offer; null when no offered codec is acceptable (the caller
 * should get 488). With no offer, returns an offer of our own.
 */
export function answerSdp(offer: string | undefined, local: MediaAddress): string | null {
  const payloads: { pt: number; codec: string; rate: number }[] = [];
  let direction: Direction = 'sendrecv';
  let eventPt: number | undefined;
  if (offer) {
    const parsed = sdpTransform.parse(offer);
    const audio = parsed.media.find((m) => m.type === 'audio' && m.port !== 0);
    if (!audio) return null;
    direction = ANSWER_DIRECTION[(audio.direction ?? parsed.direction ?? 'sendrecv') as Direction];
    const rtpmap = new Map(audio.rtp.map((r) => [r.payload, `${r.codec}/${r.rate}`]));
    for (const pt of String(audio.payloads ?? '').split(' ').map(Number)) {
      // Static payload types may come without an rtpmap line (RFC 3264 §5.1).
      const name = rtpmap.get(pt) ?? [...SUPPORTED].find(([, p]) => p === pt)?.[0];
      if (!name) continue;
      if (SUPPORTED.has(name.toUpperCase()) && payloads.length === 0) payloads.push({ pt, codec: name.split('/')[0], rate: 8000 });
      if (name.toLowerCase() === 'telephone-event/8000') eventPt = pt;
    }
    if (payloads.length === 0) return null;
  } else {
    payloads.push({ pt: 0, codec: 'PCMU', rate: 8000 });
    eventPt = 101;
  }
  if (eventPt !== undefined) payloads.push({ pt: eventPt, codec: 'telephone-event', rate: 8000 });
  sessionVersion++;
  const session: sdpTransform.SessionDescription = {
    version: 0,
    origin: { username: 'switchyard', sessionId: sessionVersion, sessionVersion, netType: 'IN', ipVer: 4, address: local.address },
    name: 'switchyard',
    connection: { version: 4, ip: local.address },
    timing: { start: 0, stop: 0 },
    media: [
      {
        type: 'audio',
        port: local.port,
        protocol: 'RTP/AVP',
        payloads: payloads.map((p) => p.pt).join(' '),
        rtp: payloads.map((p) => ({ payload: p.pt, codec: p.codec, rate: p.rate })),
        fmtp: eventPt !== undefined ? [{ payload: eventPt, config: '0-16' }] : [],
        ptime: 20,
        direction,
      },
    ],
  };
  return sdpTransform.write(session);
}
