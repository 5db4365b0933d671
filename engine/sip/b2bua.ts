// The B2BUA: an inbound call leg bridged to an outbound one, in the spirit of drachtio-srf's
// createB2BUA. Signalling only: the SDP passes end to end (media bypass) unless the call layer
// anchors media through it (engine/call/bridge.ts).
import { SipError } from './errors.js';
import type { Dialog } from './dialog.js';
import type { IncomingRequest, ServerResponse } from './incoming.js';
import type { OutgoingInvite, SipStack, UacOptions } from './stack.js';
import { TimerRelay } from './transaction/timer-queue.js';

export interface B2buaOptions extends UacOptions {
  /** Give up on the callee after this long: CANCEL it, answer the caller 480. */
  noAnswerTimeoutMs?: number;
  /** SDP to answer the caller with; defaults to the callee's answer. */
  localSdpA?: string | ((calleeSdp: string) => string);
  /** Provisional statuses relayed to the caller (default 180 and 183). */
  passProvisional?: boolean;
  /**
   * Tie the two dialogs together (default true): BYE ends both, re-INVITEs are relayed. False
   * when the application answers re-INVITEs itself and ends the legs together (media anchoring).
   */
  link?: boolean;
}

/**
 * Bridges an inbound INVITE to `uri`: relays provisionals, CANCEL, the callee's failure
 * status, a no-answer timeout (480), then BYE and re-INVITEs both ways once answered.
 */
export async function bridgeCall(stack: SipStack, req: IncomingRequest, res: ServerResponse, uri: string, opts: B2buaOptions = {}): Promise<{ uas: Dialog; uac: Dialog }> {
  let outgoing: OutgoingInvite | undefined;
  let timedOut = false;
  const onCancel = (): void => outgoing?.cancel();
  req.once('cancel', onCancel);
  // On the stack's timer queues (one Node timer per distinct delay, not one per call), through
  // a relay: a queued timer cannot be cancelled, and settling drops the callback, which would
  // otherwise keep this call (request, outgoing INVITE, dialogs) alive until the timer is due,
  // the full no-answer time (30 s in the engine) after every call.
  const noAnswer = new TimerRelay({
    onTimer: () => {
      timedOut = true;
      // The caller hears 480 now, even if the callee never rang and CANCEL must wait (§9.1).
      if (!req.canceled) res.send(480, { reason: 'No Answer' });
      outgoing?.cancel();
    },
  });
  if (opts.noAnswerTimeoutMs) stack.startTimer(opts.noAnswerTimeoutMs, noAnswer, 0);
  let uac: Dialog;
  try {
    uac = await stack.createUAC(uri, { ...opts, localSdp: opts.localSdp ?? (req.msg.body.length ? req.body : undefined) }, {
      cbRequest: (h) => (outgoing = h),
      cbProvisional: (p) => {
        if (opts.passProvisional === false || req.canceled) return;
        if (p.status === 180 || p.status === 183) {
          res.send(p.status, p.body.length ? { body: p.body, contentType: 'application/sdp', headers: { Contact: stack.contact } } : { headers: { Contact: stack.contact } });
        }
      },
    });
  } catch (err) {
    if (!req.canceled && !timedOut) {
      if (err instanceof SipError) res.send(err.status >= 300 ? err.status : 500, { reason: err.reason });
      else res.send(500);
    }
    throw err;
  } finally {
    noAnswer.target = undefined;
    req.off('cancel', onCancel);
  }
  let uas: Dialog;
  try {
    const localSdpA = typeof opts.localSdpA === 'function' ? opts.localSdpA(uac.remoteSdp ?? '') : (opts.localSdpA ?? uac.remoteSdp);
    uas = await stack.createUAS(req, res, { localSdp: localSdpA });
  } catch (err) {
    await uac.destroy();
    throw err;
  }
  if (opts.link !== false) linkDialogs(uas, uac);
  return { uas, uac };
}

/**
 * Wires BYE, re-INVITE and UPDATE of two dialogs to each other (the B2BUA's call legs): an
 * offer from one side goes to the other and its answer (or failure status) comes back.
 */
function linkDialogs(a: Dialog, b: Dialog): void {
  const pair: [Dialog, Dialog][] = [
    [a, b],
    [b, a],
  ];
  for (const [from, to] of pair) {
    from.on('destroy', () => void to.destroy());
    from.on('modify', (req, res) => {
      // No offer (a session refresh): ours is the SDP this side has (RFC 3264 §8), and the
      // answer comes in its ACK; relaying would leave the other side's offer unanswered.
      if (!req.msg.body.length) {
        res.send(200, from.localSdp ? { body: from.localSdp, contentType: 'application/sdp' } : {});
        return;
      }
      to.modify(req.body)
        .then((answer) => res.send(200, { body: answer, contentType: 'application/sdp' }))
        .catch((err: unknown) => res.send(failureStatus(err)));
    });
    // RFC 3311 §5.2: an UPDATE may carry an offer (or none); its 2xx carries the answer. Each
    // Dialog records the offer/answer and adds our Contact (a target refresh).
    from.on('update', (req, res) => {
      const offer = req.msg.body.length ? { body: req.body, contentType: req.get('content-type') ?? 'application/sdp' } : {};
      to.request('UPDATE', offer)
        .then((answer) =>
          res.send(answer.status, {
            reason: answer.reason,
            ...(answer.body.length ? { body: answer.body, contentType: answer.get('content-type') ?? 'application/sdp' } : {}),
          }),
        )
        .catch((err: unknown) => res.send(failureStatus(err)));
    });
  }
}

/** The status to answer a relayed request with when the other side failed it. */
function failureStatus(err: unknown): number {
  return err instanceof SipError && err.status >= 400 ? err.status : 500;
}
