// The inbound leg over the SIP stack alone, until engine/call's media-anchored leg replaces
// it: answers with an SDP that points at `media` (no RTP is sent or received here), and
// reports the caller's CANCEL, BYE, or silence to keep-alive probes.
import { answerSdp, type MediaAddress } from '../media/sdp.js';
import { SipError, type Dialog, type IncomingRequest, type ServerResponse, type SipStack } from '../engine/sip/index.js';
import { DialplanError } from './errors.js';
import { referTransfer } from './refer.js';
import { callInfoOf, LegBase, type CallInfo, type InboundLeg, type LegGoneReason } from './leg.js';

export interface SignallingLegOptions {
  stack: SipStack;
  media: MediaAddress;
  /** In-dialog OPTIONS interval that notices callers who vanished without BYE. */
  keepAliveMs?: number;
}

export class SignallingLeg extends LegBase implements InboundLeg {
  readonly info: CallInfo;
  private dialog?: Dialog;

  constructor(
    private readonly req: IncomingRequest,
    private readonly res: ServerResponse,
    private readonly o: SignallingLegOptions,
  ) {
    super();
    this.info = callInfoOf(req);
    req.once('cancel', () => this.gone('canceled'));
  }

  private sdp(): string {
    const sdp = answerSdp(this.req.msg.body.length ? this.req.body : undefined, this.o.media);
    if (sdp === null) throw new SipError(488, 'Not Acceptable Here', 'no-common-codec');
    return sdp;
  }

  progress(earlyMedia: boolean): void {
    const sent = earlyMedia
      ? this.res.send(183, { body: this.sdp(), contentType: 'application/sdp', headers: { Contact: this.o.stack.contact } })
      : this.res.send(180, { headers: { Contact: this.o.stack.contact } });
    if (sent && this.current === 'offered') this.current = 'early';
  }

  async answer(): Promise<void> {
    const dialog = await this.o.stack.createUAS(this.req, this.res, { localSdp: this.sdp() });
    this.dialog = dialog;
    this.current = 'answered';
    if (this.o.keepAliveMs) dialog.keepAlive(this.o.keepAliveMs);
    dialog.once('destroy', (bye) => this.gone(bye ? 'bye' : 'vanished'));
  }

  reject(status: number, headers?: Record<string, string>): void {
    this.res.send(status, { headers });
    this.current = 'ended';
  }

  async hangup(headers?: Record<string, string>): Promise<void> {
    this.current = 'ended';
    await this.dialog?.destroy({ headers });
  }

  refer(target: string, timeoutMs: number): Promise<void> {
    if (!this.dialog) return Promise.reject(new DialplanError('invalid-state', 'transfer by REFER needs an answered call'));
    return referTransfer(this.dialog, target, timeoutMs);
  }
}
