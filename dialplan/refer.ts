// Blind transfer of an answered call by REFER (RFC 3515): the far end is asked to call the
// target itself; it accepts (202) and reports the new call's progress in NOTIFYs whose
// message/sipfrag body is a status line. We wait for the final one.
import type { Dialog, IncomingRequest, ServerResponse } from '../engine/sip/index.js';
import { DialplanError, NotAvailableError } from './errors.js';

/**
 * Statuses that mean the far end will not act on REFER at all: not allowed (405), an unknown
 * extension (420), not implemented (501), or refused outright (403). The Call transfers by a
 * new leg then.
 */
const NO_REFER = new Set([403, 405, 420, 501]);

/** Resolves once the transferee reached `target` (a 2xx in the sipfrag); rejects otherwise. */
export async function referTransfer(dialog: Dialog, target: string, timeoutMs: number): Promise<void> {
  let onNotify!: (req: IncomingRequest, res: ServerResponse) => void;
  let timer: NodeJS.Timeout | undefined;
  const outcome = new Promise<number>((resolve) => {
    onNotify = (req, res) => {
      res.send(200);
      if ((req.get('event') ?? '').split(';')[0].trim().toLowerCase() !== 'refer') return;
      const status = /^SIP\/2\.0 (\d{3})/.exec(req.body.trim());
      if (status && Number(status[1]) >= 200) resolve(Number(status[1]));
      // §2.4.7: a subscription ending without a final status means we will not learn one.
      else if (/^terminated/i.test(req.get('subscription-state') ?? '')) resolve(0);
    };
    dialog.on('notify', onNotify);
    timer = setTimeout(() => resolve(408), timeoutMs);
  });
  try {
    const response = await dialog.request('REFER', { headers: { 'Refer-To': `<${target}>` } });
    if (NO_REFER.has(response.status)) throw new NotAvailableError('refer', `transfer: the caller's side does not take REFER (${response.status} ${response.reason})`);
    if (response.status >= 300) throw new DialplanError('transfer-failed', `transfer: REFER refused with ${response.status} ${response.reason}`);
    const status = await outcome;
    if (status < 200 || status >= 300) throw new DialplanError('transfer-failed', status ? `transfer: the call to ${target} failed with ${status}` : `transfer: no final report from the transferee`);
  } finally {
    clearTimeout(timer);
    dialog.off('notify', onNotify);
  }
}
