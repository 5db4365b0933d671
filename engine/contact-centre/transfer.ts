// Blind transfer of a connected contact-centre call by its agent: to a colleague, to a queue or
// to a number. If the caller's phone allows REFER (RFC 3515), it is asked to place the new call
// itself (to the queue number with a one-time token, or to the number); the engine hangs up
// its old call once the phone reports the new one answered (a NOTIFY with a 2xx sipfrag).
// Otherwise, or if the phone refuses the REFER, the engine, which anchors the media, moves the
// caller's leg itself: the caller hears hold music and the target joins the same mixer. A
// colleague or a queue gets the call through the ACD (offered first to the colleague, who may
// let it ring: then it waits in the queue); a number is rung directly. Either way the agent's
// leg is hung up at once (the agent goes to wrap-up, the ACD logs `call.transferred`), and if
// the target fails the caller goes back to the queue they came from, so nobody is lost.
import { AcdError, type Acd, type QueueOutcome } from '../acd/index.js';
import type { ContactCall } from './contact-call.js';
import type { CallDesk } from './desk.js';
import { HoldMusic } from './hold-music.js';
import { QUEUE_PREFIX } from './inbound.js';
import { ringExtension } from './phones.js';
import { TRANSFER_HEADER } from './referrals.js';
import { endUnanswered } from './unanswered.js';
import type { IncomingRequest, ServerResponse } from '../sip/index.js';

export type TransferTarget = { kind: 'agent'; agentId: string } | { kind: 'queue'; queueId: string } | { kind: 'number'; number: string };

export interface TransferResult {
  callId: string;
  /** What the event log says the call went to, e.g. `queue sales`. */
  to: string;
  /** `refer`: the caller's phone places the new call; `moved`: the engine moved the caller's leg. */
  method: 'refer' | 'moved';
}

type Route = { to: string; queueId?: string; agentId?: string; number?: string };

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
  const report = call.clientAllowsRefer ? await refer(desk, call, route, caller, item.agent.profile.extension) : null;
  const method = report ? 'refer' : 'moved';

  acd.transferred(callId, route.to);
  desk.deps.events.append('call.transfer', { to: route.to, method }, callId);
  await call.releaseAgent();
  call.hold ??= new HoldMusic(call.client!.endpoint, desk.deps.musicOnHold);
  call.hold.start();
  const moving =
    report
      ? finishReferral(desk, call, caller, report.status)
      : route.number !== undefined
        ? ringNumber(desk, call, route.number, caller)
        : requeue(desk, call, { ...caller, queueId: route.queueId! }, route.agentId);
  moving.catch((err: unknown) => {
    desk.deps.logger.error({ err, callId }, 'transfer failed; the caller is hung up');
    void call.end();
  });
  return { callId, to: route.to, method };
}

/**
 * Sends the REFER. Once the caller's phone accepted it (2xx, normally 202), resolves with the
 * report of the final status of the new call; null if it refused (the engine moves the
 * caller itself then).
 */
async function refer(desk: CallDesk, call: ContactCall, route: Route, caller: Caller, by: string): Promise<{ status: Promise<number> } | null> {
  const { stack } = desk.deps;
  const token = route.number === undefined ? desk.referrals.add({ callId: call.callId, queueId: route.queueId!, agentId: route.agentId, dnis: caller.dnis, ivr: caller.ivr, attached: caller.attached, priority: caller.priority }) : undefined;
  const user = route.number ?? `${QUEUE_PREFIX}${route.queueId}`;
  // Headers of the new INVITE ride in the Refer-To URI (RFC 3261 §19.1.1; RFC 3515 §2.1).
  const referTo = `<sip:${user}@${stack.host}:${stack.port}${token ? `?${TRANSFER_HEADER}=${token}` : ''}>`;
  // Listening before the REFER goes out: a fast new call can be reported right after the 202.
  const report = referReport(call);
  try {
    const res = await call.client!.dialog.request('REFER', { headers: { 'Refer-To': referTo, 'Referred-By': `<sip:${by}@${stack.host}>` } });
    if (res.status >= 200 && res.status < 300) return report;
  } catch (err) {
    desk.deps.logger.info({ err, callId: call.callId }, 'REFER failed; the engine moves the caller itself');
  }
  report.cancel();
  desk.referrals.take(token);
  return null;
}

/**
 * The caller's phone reports its new call in NOTIFYs with a sipfrag body (RFC 3515 §2.4.5):
 * resolves with the first final status, 408 if none comes in time, 0 if our call ends first.
 */
function referReport(call: ContactCall): { status: Promise<number>; cancel: () => void } {
  const dialog = call.client!.dialog;
  let done: (status: number) => void = () => undefined;
  const status = new Promise<number>((resolve) => {
    const timer = setTimeout(() => done(408), REFER_REPORT_MS);
    const onNotify = (req: IncomingRequest, res: ServerResponse): void => {
      res.send(200);
      const reported = Number(/^SIP\/2\.0 (\d{3})/.exec(req.body)?.[1]);
      if (reported >= 200) done(reported);
    };
    const onEnded = (): void => done(0);
    done = (s) => {
      clearTimeout(timer);
      dialog.off('notify', onNotify);
      call.off('ended', onEnded);
      resolve(s);
    };
    dialog.on('notify', onNotify);
    call.once('ended', onEnded);
  });
  return { status, cancel: () => done(0) };
}

/** A 2xx report ends our call with the caller; a failure or silence puts them back in their queue. */
async function finishReferral(desk: CallDesk, call: ContactCall, caller: Caller, report: Promise<number>): Promise<void> {
  const status = await report;
  if (call.ended) return;
  desk.deps.events.append('call.transfer-report', { status }, call.callId);
  if (status >= 200 && status < 300) await call.end();
  else await requeue(desk, call, caller);
}

/** How long the caller's phone has to report the new call answered (a generous ring time). */
const REFER_REPORT_MS = 60_000;

/** Where the call goes; 404/409 for a target that does not exist or cannot take it now. */
function plan(desk: CallDesk, acd: Acd, target: TransferTarget, fromAgent: string, queueId: string): Route {
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
