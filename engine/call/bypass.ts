// The media-bypass B2BUA: signalling only, like a proxy without media. The caller's offer goes
// to the callee unchanged and the callee's answer back, so RTP flows between the two phones and
// the engine opens no media port. Re-INVITE/UPDATE offers, BYE, CANCEL, failures and the
// no-answer timeout are relayed by the SIP core's B2BUA (engine/sip/b2bua.ts).
import { EventEmitter } from 'node:events';
import type { Dialog } from '../sip/index.js';
import type { B2buaCallOptions } from './bridge.js';

/** How extension-to-extension calls carry media (config `b2bua.media`). */
export const B2BUA_MEDIA = ['anchor', 'bypass'] as const;
export type B2buaMedia = (typeof B2BUA_MEDIA)[number];

/** Who ended a bypassed call: the caller, the callee or the engine (hangup). */
export type BypassEndedBy = 'caller' | 'callee' | 'engine';

/** An answered bypassed call: two linked dialogs; one ending ends the other (BYE). */
export class BypassedCall extends EventEmitter<{ ended: [{ by: BypassEndedBy }] }> {
  private endedBy: BypassEndedBy | undefined;

  constructor(
    readonly caller: Dialog,
    readonly callee: Dialog,
  ) {
    super();
    caller.once('destroy', () => this.end('caller'));
    callee.once('destroy', () => this.end('callee'));
  }

  /** BYE to both sides; resolves once both BYEs are answered (or failed). */
  async hangup(): Promise<void> {
    this.end('engine');
    await Promise.all([this.caller.destroy(), this.callee.destroy()]);
  }

  private end(by: BypassEndedBy): void {
    if (this.endedBy) return;
    this.endedBy = by;
    this.emit('ended', { by });
  }
}

/** Bridges the caller to `uri` without touching the SDP; rejects (SipError) as the B2BUA does. */
export async function bypassedCall(o: B2buaCallOptions): Promise<BypassedCall> {
  const { uas, uac } = await o.stack.createB2BUA(o.req, o.res, o.uri, {
    target: o.target,
    from: o.from,
    headers: o.headers,
    auth: o.auth,
    noAnswerTimeoutMs: o.noAnswerTimeoutMs,
  });
  return new BypassedCall(uas, uac);
}
