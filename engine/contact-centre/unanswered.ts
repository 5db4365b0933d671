// What happens to a caller the ACD gives back unanswered (a queue number's caller, or a
// transferred caller whose new queue gave up): the call ends with an RFC 3326 Reason, rings
// the overflow number, or leaves a voicemail message.
import type { QueueOutcome } from '../acd/index.js';
import { SipError } from '../sip/index.js';
import type { CallDesk } from './desk.js';
import { ringExtension } from './phones.js';

/** RFC 3326 Reason for the BYE that ends a queued call the ACD gave back. */
function reason(cause: number, text: string): Record<string, string> {
  return { Reason: `SIP;cause=${cause};text="${text}"` };
}

export async function endUnanswered(desk: CallDesk, callId: string, caller: string, outcome: QueueOutcome): Promise<void> {
  const call = desk.find(callId);
  if (!call || call.ended) return;
  switch (outcome.kind) {
    case 'answered':
    case 'abandoned':
      return;
    case 'timeout':
      return call.end(reason(480, 'No agent answered within the queue wait limit'));
    case 'full':
      return call.end(reason(486, 'Queue full'));
    case 'callback':
      // A short beep confirms the request, then we hang up; the ACD calls back.
      call.client!.endpoint.playTone('beep');
      call.client!.endpoint.once('toneDone', () => void call.end(reason(200, 'Callback requested')));
      return;
    case 'overflow':
      if (outcome.target.kind === 'voicemail') {
        // The missed-call record names the queue the call overflowed from (maybe after others).
        const missedId = outcome.missedId ?? null;
        const queueId = missedId ? desk.acd.missed.get(missedId).queueId : '';
        const message = await desk.takeVoicemail(callId, { caller, queueId, box: outcome.target.box, missedId });
        return call.end(message ? reason(200, 'Message recorded') : reason(480, 'Voicemail is not available'));
      }
      try {
        call.setAgent(await ringExtension(desk.deps, outcome.target.number, { mixer: call.mixer, from: caller }));
      } catch (err) {
        await call.end(reason(err instanceof SipError ? err.status : 480, 'Overflow number did not answer'));
      }
      return;
  }
}
