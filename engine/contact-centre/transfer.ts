// Blind transfer of a connected contact-centre call by its agent: to a colleague, to a queue or
// to a number. The engine anchors the media, so it moves the caller's leg itself: the agent's
// leg is hung up (the agent goes to wrap-up, the ACD logs `call.transferred`), the caller hears
// hold music, and the target joins the same mixer. A colleague or a queue gets the call
// through the ACD (offered first to the colleague, who may let it ring: then it waits in the
// queue); a number is rung directly, and if it does not answer the caller goes back to the
// queue they came from, so a failed transfer loses nobody.
import { AcdError, type Acd, type QueueOutcome } from '../acd/index.js';
import type { ContactCall } from './contact-call.js';
import type { CallDesk } from './desk.js';
import { HoldMusic } from './hold-music.js';
import { ringExtension } from './phones.js';
import { endUnanswered } from './unanswered.js';

export type TransferTarget = { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string } | { kind: 'number'; number: string };

export interface TransferResult {
  callId: string;
  /** What the event log says the call went to, e.g. `queue sales`. */
  to: string;
}

/** The caller as the ACD knew them, to queue them again. */
interface Caller {
  from: string;
  dnis: string;
  ivr: Record<string, string>;
  attached: Record<string, unknown>;
  priority: number;
  queueId: string;
}

export async function transferCall(desk: CallDesk, callId: string, target: TransferTarget): Promise<TransferResult> {
  const acd = desk.acd;
  const call = desk.connectedCall(callId);
  if (call.supervisor) throw new AcdError('conflict', `call ${callId} has a supervisor on it; they leave first`);
  const item = acd.call(callId);
  if (item.phase !== 'connected' || !item.agent) throw new AcdError('conflict', `call ${callId} is not connected to an agent`);
  const caller: Caller = { ...item.context, priority: item.priority, queueId: item.queueId };
  // Everything that can be refused is checked before the agent is taken off the call.
  const route = plan(desk, acd, target, item.agent.id, caller.queueId);

  acd.transferred(callId, route.to);
  await call.releaseAgent();
  call.hold ??= new HoldMusic(call.client!.endpoint, desk.deps.musicOnHold);
  call.hold.start();
  const moving = route.number !== undefined ? ringNumber(desk, call, route.number, caller) : requeue(desk, call, { ...caller, queueId: route.queueId! }, route.agentId);
  moving.catch((err: unknown) => {
    desk.deps.logger.error({ err, callId }, 'transfer failed; the caller is hung up');
    void call.end();
  });
  return { callId, to: route.to };
}

/** Where the call goes; 404/409 for a target that does not exist or cannot take it now. */
function plan(desk: CallDesk, acd: Acd, target: TransferTarget, fromAgent: string, queueId: string): { to: string; queueId?: string; agentId?: string; number?: string } {
  switch (target.kind) {
    case 'queue':
      return { to: `queue ${acd.queue(target.queueId).id}`, queueId: target.queueId };
    case 'agent': {
      const agent = acd.agent(target.agentId);
      if (agent.id === fromAgent) throw new AcdError('invalid', 'the call is already with this agent');
      const queues = [...acd.queuesOf(agent)];
      // The colleague gets it in the queue it came from if they serve it, else in one of theirs.
      const queue = queues.find((q) => q.id === queueId) ?? queues[0];
      if (!queue) throw new AcdError('conflict', `agent ${agent.id} serves no queue`);
      if (!agent.routable) throw new AcdError('conflict', `agent ${agent.id} is ${agent.state}${agent.callId ? ' (on a call)' : agent.offerId ? ' (ringing)' : ''}`);
      return { to: `agent ${agent.id}`, queueId: queue.id, agentId: agent.id };
    }
    case 'number':
      if (desk.deps.registrar.lookup(target.number).length === 0) throw new AcdError('conflict', `number ${target.number} is not reachable (no registered phone)`);
      return { to: `number ${target.number}`, number: target.number };
  }
}

async function ringNumber(desk: CallDesk, call: ContactCall, number: string, caller: Caller): Promise<void> {
  try {
    const leg = await ringExtension(desk.deps, number, { mixer: call.mixer, from: caller.from });
    if (call.ended) {
      void leg.hangup();
      return;
    }
    call.setAgent(leg);
    desk.deps.events.append('call.transfer-answered', { number }, call.callId);
  } catch (err) {
    desk.deps.logger.info({ err, callId: call.callId, number }, 'transfer target did not answer; the caller goes back to the queue');
    if (!call.ended) await requeue(desk, call, caller);
  }
}

/** The caller waits in `caller.queueId` again (first offered to `agentId`), as a queue number's caller does. */
async function requeue(desk: CallDesk, call: ContactCall, caller: Caller, agentId?: string): Promise<void> {
  const { callId } = call;
  const inbound = { callId, from: caller.from, dnis: caller.dnis, ivr: caller.ivr, priority: caller.priority };
  let outcome: Promise<QueueOutcome>;
  try {
    outcome = desk.acd.enqueue(caller.queueId, agentId === undefined ? inbound : { ...inbound, agentId });
  } catch (err) {
    // The colleague was taken meanwhile: the call waits in their queue for anyone.
    if (agentId === undefined) throw err;
    outcome = desk.acd.enqueue(caller.queueId, inbound);
  }
  if (Object.keys(caller.attached).length > 0) desk.acd.attachToCall(callId, caller.attached);
  const result = await outcome;
  call.hold?.stop();
  desk.deps.events.append('call.queue-outcome', { queueId: caller.queueId, ...result }, callId);
  await endUnanswered(desk, callId, caller.from, result);
}
