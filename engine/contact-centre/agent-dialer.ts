// The ACD's AgentDialer port over real SIP calls: rings the agent's registered phone with its
// media on the waiting call's mixer, and bridges on answer (engine/acd/README.md, the contract).
import type { AgentDialer, AttemptResult, OfferHandle, OfferRequest, OfferResult } from '../acd/index.js';
import type { CallLeg } from '../call/index.js';
import type { OutgoingInvite } from '../sip/index.js';
import type { CallDesk } from './desk.js';
import { clientAttemptResultOf, offerResultOf, ringExtension, ringNumber } from './phones.js';

export class CallAgentDialer implements AgentDialer {
  constructor(private readonly desk: CallDesk) {}

  offer(req: OfferRequest): OfferHandle {
    // A callback rings the agent first, on a call of its own; the client is dialled later.
    const call = req.kind === 'callback' ? this.desk.newCall(req.callId) : this.desk.find(req.callId);
    if (!call || call.ended || call.agent) return settled('cancelled');
    let invite: OutgoingInvite | undefined;
    let cancelled = false;
    let dropped = false;
    let answered: CallLeg | undefined;
    const result = ringExtension(this.desk.deps, req.agent.extension, {
      mixer: call.mixer,
      from: req.context.from,
      // What the agent's phone can show about the caller (RFC 3261 §8.1.1 allows extension headers).
      headers: { 'X-Switchyard-Queue': req.queueId, 'X-Switchyard-Call': req.callId, ...(req.context.dnis ? { 'X-Switchyard-Dnis': req.context.dnis } : {}) },
      onInvite: (i) => {
        invite = i;
        if (cancelled) i.cancel();
      },
      acceptCrossed2xx: true,
    }).then(
      (leg): OfferResult => {
        answered = leg;
        if (leg.ended) {
          // Answered and hung up at once (or an unusable answer): nothing to bridge.
          if (req.kind === 'callback') void call.end();
          return 'rejected';
        }
        // Bridge only a call still waiting for an agent; otherwise the ACD will drop() this leg.
        if (dropped) void leg.hangup();
        else if (!call.ended && !call.agent) {
          call.setAgent(leg);
          if (req.kind === 'callback') this.desk.track(call);
        } else if (req.kind === 'callback') void call.end();
        return 'answered';
      },
      (err: unknown) => {
        if (req.kind === 'callback') void call.end();
        return offerResultOf(err, cancelled);
      },
    );
    return {
      result,
      cancel() {
        cancelled = true;
        invite?.cancel();
      },
      drop() {
        dropped = true;
        void answered?.hangup();
      },
    };
  }

  async dialClient(req: OfferRequest, number: string): Promise<AttemptResult> {
    const call = this.desk.find(req.callId);
    if (!call || call.ended || !call.agent) return 'unavailable';
    try {
      const leg = await ringNumber(this.desk.deps, number, { mixer: call.mixer, from: req.agent.extension });
      if (call.ended) {
        void leg.hangup();
        return 'no-answer';
      }
      call.setClient(leg);
      return 'connected';
    } catch (err) {
      void call.end();
      return clientAttemptResultOf(err);
    }
  }
}

function settled(result: OfferResult): OfferHandle {
  return { result: Promise.resolve(result), cancel: () => undefined, drop: () => undefined };
}
