// An inbound INVITE with its media prepared but not yet answered: the offer (if any) is
// checked at once, so a call we cannot carry gets 488 before anything rings.
import { EventEmitter } from 'node:events';
import type { IncomingRequest, ServerResponse, SipStack } from '../sip/index.js';
import { SipError } from '../sip/index.js';
import { CallLeg, type LegMediaOptions } from './call-leg.js';
import { MediaSession } from './media-session.js';

export interface IncomingCallOptions extends LegMediaOptions {
  stack: SipStack;
  req: IncomingRequest;
  res: ServerResponse;
}

export class IncomingCall extends EventEmitter<{ canceled: [] }> {
  readonly req: IncomingRequest;
  readonly res: ServerResponse;
  readonly session: MediaSession;
  /** The SDP our 200 will carry: the answer to the INVITE's offer, or our offer if it had none. */
  readonly localSdp: string;
  private readonly stack: SipStack;

  /**
   * Creates the endpoint and negotiates. Throws SipError 488 (already sent to the caller,
   * endpoint closed) when the offer has no codec we speak, 503 when no RTP port is free.
   */
  constructor(options: IncomingCallOptions) {
    super();
    const { stack, req, res, media, mixer, echo, advertisedAddress, rtpTimeoutMs } = options;
    this.stack = stack;
    this.req = req;
    this.res = res;
    const endpoint = { mixer, echo };
    const sessionOptions = { advertisedAddress, rtpTimeoutMs };
    try {
      if (req.msg.body.length) {
        // The endpoint is made already configured from the offer: one call into the addon.
        const answered = MediaSession.answering(media, endpoint, sessionOptions, req.body);
        this.session = answered.session;
        this.localSdp = answered.sdp;
      } else {
        this.session = MediaSession.create(media, endpoint, sessionOptions);
        this.localSdp = this.session.offer();
      }
    } catch (err) {
      if (err instanceof SipError) res.send(err.status);
      throw err;
    }
    // The caller gave up before we answered: nothing will use the endpoint.
    req.once('cancel', () => {
      void this.session.close();
      this.emit('canceled');
    });
  }

  get callId(): string {
    return this.req.callId;
  }

  /** A CANCEL came (the stack answered it 487). */
  get canceled(): boolean {
    return this.req.canceled;
  }

  /** 180 Ringing. */
  ring(): void {
    this.res.send(180);
  }

  /** 200 OK with our SDP; resolves with the confirmed leg. Rejects (487) when canceled. */
  async answer(): Promise<CallLeg> {
    try {
      const dialog = await this.stack.createUAS(this.req, this.res, { localSdp: this.localSdp });
      return new CallLeg(dialog, this.session);
    } catch (err) {
      await this.session.close();
      throw err;
    }
  }

  /** Declines the call with a final status (4xx-6xx) and frees the endpoint. */
  async reject(status: number, reason?: string): Promise<void> {
    this.res.send(status, reason ? { reason } : {});
    await this.session.close();
  }
}
