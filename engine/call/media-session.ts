// One leg's SDP offer/answer state (RFC 3264) over its RTP endpoint: what we said, what the
// far end said, and the endpoint kept in line with it (address, codec, hold, RTP timeout).
import { answerSdp, endpointSettings, newOrigin, offerSdp, remoteMedia, sendsAudio, acceptsAudio } from '../../media/sdp.js';
import type { Direction, RemoteMedia } from '../../media/sdp.js';
import type { Endpoint } from '../../media/endpoint.js';
import type { EndpointOptions, MediaEngine } from '../../media/engine.js';
import type { EndpointStats, NativeEndpointSettings } from '../../media/native.js';
import { SipError } from '../sip/errors.js';

export interface MediaSessionOptions {
  /** Address written in our SDP (c=, o=); default the endpoint's bind address. */
  advertisedAddress?: string;
  /** Hang-up trigger: no RTP for this long while the far end is meant to send; 0 disables. */
  rtpTimeoutMs?: number;
}

/** What applying a remote SDP changed. */
export interface RemoteChange {
  remote: RemoteMedia;
  /** The far end's hold state flipped (it stopped or resumed taking our audio). */
  holdChanged: boolean;
}

export class MediaSession {
  /** Our last SDP (offer or answer). */
  localSdp: string | undefined;
  /** What the far end's last SDP said; undefined until an offer or answer came. */
  remote: RemoteMedia | undefined;
  /** Our offer awaits its answer (sent in a 200 to an INVITE without SDP, or in an INVITE). */
  awaitingAnswer = false;
  /** Address our SDP advertises. */
  readonly localAddress: string;
  private readonly origin = newOrigin();

  constructor(
    readonly endpoint: Endpoint,
    private readonly options: MediaSessionOptions = {},
  ) {
    this.localAddress = options.advertisedAddress ?? endpoint.address;
  }

  /**
   * A session on a new endpoint. Throws SipError 503 when no RTP port can be had (the range is
   * used up): the call is refused as overload, not as a server fault (RFC 3261 §21.5.4).
   */
  static create(media: MediaEngine, endpoint: EndpointOptions, options: MediaSessionOptions = {}): MediaSession {
    let ep: Endpoint;
    try {
      ep = media.createEndpoint(endpoint);
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      throw new SipError(503, 'Service Unavailable', 'no-media-port');
    }
    return new MediaSession(ep, options);
  }

  /**
   * A session answering `offer` on a new endpoint configured from it in the same addon call.
   * Throws SipError 488 (and makes no endpoint) when the offer has no audio stream or no codec
   * we speak (RFC 3264 §6), 503 when no RTP port can be had.
   */
  static answering(media: MediaEngine, endpoint: EndpointOptions, options: MediaSessionOptions, offer: string): { session: MediaSession; sdp: string } {
    const remote = remoteMedia(offer);
    if (!remote) throw notAcceptable();
    const session = MediaSession.create(media, { ...endpoint, ...sessionSettings(remote, options) }, options);
    let sdp: string;
    try {
      sdp = session.writeAnswer(offer);
    } catch (err) {
      void session.close();
      throw err;
    }
    session.remote = remote;
    return { session, sdp };
  }

  /** The far end takes no audio from us (it offered a=sendonly, a=inactive or c=0.0.0.0). */
  get held(): boolean {
    return this.remote !== undefined && !acceptsAudio(this.remote);
  }

  /** Our offer (PCMU, PCMA, telephone-event); the answer goes to applyAnswer(). */
  offer(direction: Direction = 'sendrecv'): string {
    const sdp = this.stamp((origin) => offerSdp({ address: this.localAddress, port: this.endpoint.port, origin }, direction));
    this.awaitingAnswer = true;
    return sdp!;
  }

  /**
   * Answers the far end's offer and applies it to the endpoint. Throws SipError 488 when the
   * offer has no audio stream or no codec we speak (RFC 3264 §6: the offer is rejected).
   */
  answer(offer: string): { sdp: string; change: RemoteChange } {
    const remote = remoteMedia(offer);
    if (!remote) throw notAcceptable();
    const sdp = this.writeAnswer(offer);
    return { sdp, change: this.apply(remote) };
  }

  /** Applies the answer to our offer. Throws SipError 488 when it is unusable. */
  applyAnswer(answer: string | undefined): RemoteChange {
    const remote = answer ? remoteMedia(answer) : null;
    if (!remote) throw new SipError(488, 'Not Acceptable Here', 'bad-answer');
    this.awaitingAnswer = false;
    return this.apply(remote);
  }

  stats(): EndpointStats {
    return this.endpoint.stats();
  }

  close(): Promise<EndpointStats> {
    return this.endpoint.close();
  }

  /** Our answer to `offer`; throws SipError 488 when there is none. */
  private writeAnswer(offer: string): string {
    const sdp = this.stamp((origin) => answerSdp(offer, { address: this.localAddress, port: this.endpoint.port, origin }));
    if (!sdp) throw notAcceptable();
    this.awaitingAnswer = false;
    return sdp;
  }

  private apply(remote: RemoteMedia): RemoteChange {
    const wasHeld = this.held;
    this.endpoint.configure(sessionSettings(remote, this.options));
    this.remote = remote;
    return { remote, holdChanged: wasHeld !== this.held };
  }

  /** Writes an SDP with our o= line; the version goes up only when the SDP changed (RFC 3264 §8). */
  private stamp(write: (origin: { sessionId: number; version: number }) => string | null): string | null {
    let sdp = write(this.origin);
    if (sdp !== null && this.localSdp !== undefined && withoutOrigin(sdp) !== withoutOrigin(this.localSdp)) {
      this.origin.version++;
      sdp = write(this.origin);
    }
    if (sdp !== null) this.localSdp = sdp;
    return sdp;
  }
}

/** The endpoint settings for `remote`, RTP timeout included. */
function sessionSettings(remote: RemoteMedia, options: MediaSessionOptions): NativeEndpointSettings {
  // A far end that sends nothing (recvonly, inactive) is not a dead one.
  return { ...endpointSettings(remote), rtpTimeoutMs: sendsAudio(remote) ? (options.rtpTimeoutMs ?? 0) : 0 };
}

function notAcceptable(): SipError {
  return new SipError(488, 'Not Acceptable Here', 'no-common-codec');
}

function withoutOrigin(sdp: string): string {
  return sdp.replace(/^o=.*$/m, '');
}
