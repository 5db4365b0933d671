// Agent-dialled outbound calls (click-to-call, the "cold outbound calls" of the KPI dashboard):
// the engine rings the agent's own phone first, then dials the number (through its outbound
// trunk route, or a registered extension) on the same mixer and bridges the two. The ACD keeps
// the agent in state outbound for the call and logs it (outbound.* events), so KPIs count it.
import { AcdError, type OutboundResult } from '../acd/index.js';
import type { CallLeg } from '../call/index.js';
import type { OutgoingInvite } from '../sip/index.js';
import type { ContactCall } from './contact-call.js';
import type { CallDesk } from './desk.js';
import { DIALABLE_NUMBER, NOT_DIALABLE, clientAttemptResultOf, ringExtension, ringNumber, routeOf } from './phones.js';

export interface PlacedCall {
  callId: string;
  agentId: string;
  number: string;
  /** Settles when the call is over, with how it ended. */
  done: Promise<OutboundResult>;
}

export class ClickToCall {
  /** The agent of each running call, by call id. */
  private readonly running = new Map<string, { agentId: string; call: ContactCall }>();
  private seq = 0;

  constructor(
    private readonly desk: CallDesk,
    /** How long the agent's phone, then the client, may ring before the attempt gives up. */
    private readonly ringTimeoutMs = 60_000,
  ) {}

  /** Starts a call from `agentId` to `number`; refuses (AcdError) what cannot work before anything rings. */
  place(agentId: string, number: string): PlacedCall {
    if (!DIALABLE_NUMBER.test(number)) throw new AcdError('invalid', NOT_DIALABLE);
    const { acd, deps } = this.desk;
    const extension = acd.agent(agentId).profile.extension;
    if (deps.registrar.lookup(extension).length === 0) throw new AcdError('conflict', `the phone of agent ${agentId} (${extension}) is not registered`);
    if (!routeOf(deps, number)) throw new AcdError('conflict', `no outbound route reaches ${number}`);
    const callId = `out-${Date.now().toString(36)}-${++this.seq}@switchyard`;
    acd.startOutbound(agentId, callId, number);
    const call = this.desk.newCall(callId);
    this.running.set(callId, { agentId, call });
    const done = this.connect(call, extension, number)
      .catch(() => 'unavailable' as const)
      .then((result) => {
        this.running.delete(callId);
        acd.endOutbound(callId, result);
        return result;
      });
    return { callId, agentId, number, done };
  }

  /** The agent whose running call this is, or undefined. */
  agentOf(callId: string): string | undefined {
    return this.running.get(callId)?.agentId;
  }

  /** Ends a running call (the agent's hang-up button), ringing or connected. */
  async hangup(callId: string): Promise<void> {
    const running = this.running.get(callId);
    if (!running) throw new AcdError('not-found', `no outbound call ${callId}`);
    await running.call.end();
  }

  /** Rings the agent, then the client; resolves with the result once the call is over. */
  private async connect(call: ContactCall, extension: string, number: string): Promise<OutboundResult> {
    const ended = new Promise<void>((resolve) => call.once('ended', resolve));
    let agent: CallLeg;
    try {
      // The agent's phone shows the number it is about to call.
      agent = await this.ring(call, (o) => ringExtension(this.desk.deps, extension, { ...o, from: number, headers: { 'X-Switchyard-Call': call.callId } }));
    } catch {
      const cancelled = call.ended;
      await call.end();
      return cancelled ? 'cancelled' : 'agent-unreached';
    }
    if (call.ended || agent.ended) {
      void agent.hangup();
      await call.end();
      return call.ended ? 'cancelled' : 'agent-unreached';
    }
    call.setAgent(agent); // from now the call ends when the agent hangs up
    this.desk.track(call); // supervisors can join it like any agent call
    agent.endpoint.playTone('ringback');
    let client: CallLeg;
    try {
      client = await this.ring(call, (o) => ringNumber(this.desk.deps, number, { ...o, from: extension }));
    } catch (err) {
      if (call.ended) return 'cancelled';
      await call.end();
      return clientAttemptResultOf(err);
    }
    if (call.ended) {
      void client.hangup();
      return 'cancelled';
    }
    agent.endpoint.stopTone();
    call.setClient(client);
    this.desk.acd.outboundAnswered(call.callId);
    await ended;
    return 'connected';
  }

  /**
   * One INVITE on the call's mixer, CANCELled after the ring timeout or when the call ends
   * meanwhile (the agent hung up, or the hang-up button).
   */
  private async ring(call: ContactCall, dial: (o: { mixer: ContactCall['mixer']; onInvite: (i: OutgoingInvite) => void }) => Promise<CallLeg>): Promise<CallLeg> {
    let invite: OutgoingInvite | undefined;
    const cancel = () => invite?.cancel();
    const timer = setTimeout(cancel, this.ringTimeoutMs);
    call.once('ended', cancel);
    try {
      return await dial({
        mixer: call.mixer,
        onInvite: (i) => {
          invite = i;
          if (call.ended) i.cancel();
        },
      });
    } finally {
      clearTimeout(timer);
      call.off('ended', cancel);
    }
  }
}
