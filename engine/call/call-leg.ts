// A call leg: one SIP dialog (UAS or UAC) and the RTP endpoint its SDP describes. It answers
// the far end's re-INVITEs and UPDATEs itself (new address or codec, hold and resume), and
// closes its endpoint whenever the dialog ends, whoever ends it.
import { EventEmitter } from 'node:events';
import type { MediaEngine } from '../../media/engine.js';
import type { Mixer } from '../../media/mixer.js';
import type { EndpointStats } from '../../media/native.js';
import type { RemoteMedia } from '../../media/sdp.js';
import { SipError, type Dialog, type IncomingRequest, type ServerResponse, type SipResponse, type SipStack } from '../sip/index.js';
import type { UacCallbacks, UacOptions } from '../sip/stack.js';
import { MediaSession, type MediaSessionOptions, type RemoteChange } from './media-session.js';

/** Why a leg ended. */
export type EndReason =
  /** The far end sent BYE, or vanished (keep-alive, no ACK). */
  | 'remote'
  /** hangup() was called. */
  | 'local'
  /** No RTP from the far end for the configured time: we sent BYE. */
  | 'rtp-timeout'
  /** The far end's SDP was unusable (an ACK with a bad answer): we sent BYE. */
  | 'media-failed';

export interface CallLegEvents {
  /** The far end put us on hold (a=sendonly/inactive): nothing is sent to it now. */
  held: [RemoteMedia];
  /** The far end took us off hold. */
  resumed: [RemoteMedia];
  /** A new remote SDP was applied (re-INVITE, UPDATE, late answer): address, codec, direction. */
  remoteChanged: [RemoteMedia];
  /** The leg is over and its endpoint closed; final RTP counters. Emitted once. */
  ended: [{ reason: EndReason; stats: EndpointStats }];
}

/** Media options of a new leg. */
export interface LegMediaOptions extends MediaSessionOptions {
  media: MediaEngine;
  /** Create the endpoint on this mixer's thread so it can join it. */
  mixer?: Mixer;
  /** Echo what the far end sends back to it. */
  echo?: boolean;
}

export interface DialOptions extends LegMediaOptions, Omit<UacOptions, 'localSdp'> {
  stack: SipStack;
  uri: string;
  /**
   * Early media (RFC 3960, gateway model): a provisional response with SDP is applied as the
   * answer at once, so the endpoint sends to and hears the far end before it answers (ringback
   * or announcements from a carrier); called once then. The 2xx's SDP is applied again.
   */
  onEarlyMedia?: (endpoint: MediaSession['endpoint']) => void;
}

export class CallLeg extends EventEmitter<CallLegEvents> {
  /** Set once the leg ends; `stats` holds the counters read just before the endpoint closed, then the final ones. */
  private endState: { reason: EndReason; closing: Promise<EndpointStats>; stats: EndpointStats } | undefined;

  /**
   * Wraps an established dialog and its media session. Use the factories (IncomingCall.answer,
   * CallLeg.dial) unless the dialog was made elsewhere (the B2BUA).
   */
  constructor(
    readonly dialog: Dialog,
    readonly session: MediaSession,
  ) {
    super();
    dialog.on('modify', (req, res) => this.onOffer(req, res, true));
    dialog.on('update', (req, res) => this.onOffer(req, res, false));
    dialog.on('destroy', () => void this.end('remote'));
    session.endpoint.on('rtpTimeout', () => void this.hangup('rtp-timeout'));
    // INVITE without SDP: our 200 carried the offer, the ACK carries the answer (RFC 3261 §13.2.1).
    if (session.awaitingAnswer) dialog.once('ack', (ack) => this.onLateAnswer(ack.body.toString('utf8')));
  }

  /**
   * Places a call: our offer (PCMU, PCMA, telephone-event) in the INVITE, the answer applied
   * to a new endpoint. Rejects with the SipError of the failure (486, 487 after cancel, 408...)
   * and closes the endpoint; an answer without a usable codec ends the call (BYE) with 488.
   */
  static async dial(options: DialOptions, callbacks: UacCallbacks = {}): Promise<CallLeg> {
    const { stack, uri, media, mixer, echo, advertisedAddress, rtpTimeoutMs, onEarlyMedia, ...uac } = options;
    const session = MediaSession.create(media, { mixer, echo }, { advertisedAddress, rtpTimeoutMs });
    let early = false;
    const cbProvisional = (response: SipResponse): void => {
      callbacks.cbProvisional?.(response);
      if (early || !onEarlyMedia || !response.body.length || !/application\/sdp/i.test(response.get('content-type') ?? '')) return;
      try {
        session.applyAnswer(response.body.toString('utf8'));
      } catch {
        return; // an unusable early SDP: no early media, the final answer decides
      }
      early = true;
      onEarlyMedia(session.endpoint);
    };
    let dialog: Dialog;
    try {
      dialog = await stack.createUAC(uri, { ...uac, localSdp: session.offer() }, { ...callbacks, cbProvisional });
    } catch (err) {
      await session.close();
      throw err;
    }
    try {
      session.applyAnswer(dialog.remoteSdp);
    } catch (err) {
      await Promise.all([dialog.destroy(), session.close()]);
      throw err;
    }
    return new CallLeg(dialog, session);
  }

  get callId(): string {
    return this.dialog.callId;
  }

  /** The far end's media as last negotiated. */
  get remote(): RemoteMedia | undefined {
    return this.session.remote;
  }

  /** The far end has put us on hold. */
  get held(): boolean {
    return this.session.held;
  }

  get ended(): boolean {
    return this.endState !== undefined;
  }

  get endpoint(): MediaSession['endpoint'] {
    return this.session.endpoint;
  }

  /** Live RTP counters (final ones once ended). */
  stats(): EndpointStats {
    return this.endState ? { ...this.endState.stats } : this.session.stats();
  }

  /**
   * Sends BYE (unless the dialog is already over; `headers` go in it, e.g. a Reason, RFC 3326)
   * and closes the endpoint. Idempotent.
   */
  async hangup(reason: EndReason = 'local', headers?: Record<string, string>): Promise<EndpointStats> {
    if (this.endState) return this.endState.closing;
    const stats = this.end(reason);
    await this.dialog.destroy({ headers });
    return stats;
  }

  private end(reason: EndReason): Promise<EndpointStats> {
    if (this.endState) return this.endState.closing;
    // A closing endpoint's counters can no longer be read: keep the last ones until the final ones come.
    const last = this.session.stats();
    const closing = this.session.close();
    const state = { reason, closing, stats: last };
    this.endState = state;
    void closing.then((stats) => {
      state.stats = stats;
      this.emit('ended', { reason, stats });
    });
    return closing;
  }

  /** A re-INVITE (answered with a 200 the dialog retransmits until ACKed) or an UPDATE. */
  private onOffer(req: IncomingRequest, res: ServerResponse, isInvite: boolean): void {
    if (this.ended) {
      res.send(481);
      return;
    }
    if (!req.msg.body.length) {
      // No offer: we offer our current media in the 200 (UPDATE without SDP changes nothing).
      if (!isInvite) {
        res.send(200);
        return;
      }
      const offer = this.session.offer();
      if (res.send(200, { body: offer, contentType: 'application/sdp' })) {
        this.dialog.once('ack', (ack) => this.onLateAnswer(ack.body.toString('utf8')));
      }
      return;
    }
    let answer: { sdp: string; change: RemoteChange };
    try {
      answer = this.session.answer(req.body);
    } catch (err) {
      // RFC 3264 §8: a rejected re-offer leaves the session as it was.
      res.send(err instanceof SipError ? err.status : 500);
      return;
    }
    res.send(200, { body: answer.sdp, contentType: 'application/sdp' });
    this.announce(answer.change);
  }

  private onLateAnswer(sdp: string): void {
    if (this.ended) return;
    try {
      this.announce(this.session.applyAnswer(sdp));
    } catch {
      // §13.3.1.4 leaves a bad answer in an ACK to the UAS: the call cannot carry media.
      void this.hangup('media-failed');
    }
  }

  private announce(change: RemoteChange): void {
    this.emit('remoteChanged', change.remote);
    if (change.holdChanged) this.emit(this.held ? 'held' : 'resumed', change.remote);
  }
}
