// Missed calls and callbacks: records for unanswered calls, closing when the client gets
// through, manual and automatic callbacks with every attempt logged, per-agent statistics.
import t from 'tap';
import { call, delay, setup } from './phones.js';

async function missedCall(s: ReturnType<typeof setup>, from: string) {
  const c = call(from);
  const pending = s.acd.enqueue('q', c);
  s.acd.abandon(c.callId);
  await pending;
  return s.acd.missed.list().find((r) => r.callId === c.callId)!;
}

t.test('a client who calls again and reaches an agent closes their open records', async (t) => {
  const s = setup({}, 1);
  s.acd.setState('a1', 'break');
  const first = await missedCall(s, '+7 916 000-11-22');
  const second = await missedCall(s, '+79160001122');
  const other = await missedCall(s, '+79160009999');
  s.acd.setState('a1', 'available');
  await s.acd.enqueue('q', call('+79160001122'));
  t.same([first.status, second.status, other.status], ['got-through', 'got-through', 'not-called-back']);
  t.ok(first.closedAt);
  t.equal(s.rec.of('missed.status').filter((e) => e.status === 'got-through').length, 2);
  s.acd.close();
});

t.test('manual callback: the agent takes it, their phone rings, then the client is dialled and connected', async (t) => {
  const s = setup({}, 2);
  s.acd.setState('a1', 'outbound', 'callbacks');
  s.acd.setState('a2', 'break');
  const record = await missedCall(s, '+100');
  s.acd.takeCallback(record.id, 'a1');
  t.equal(record.claimedBy, 'a1', 'colleagues see who is calling back');
  t.throws(() => s.acd.takeCallback(record.id, 'a2'), { code: 'conflict' });
  await s.rec.next('missed.attempt');
  t.same(s.phones.dialled, ['+100']);
  t.match(s.phones.offers[0], { kind: 'callback', agent: { id: 'a1' }, context: { from: '+100', attached: { missedId: record.id } } });
  t.match(record, { status: 'called-back', claimedBy: null, attempts: [{ agentId: 'a1', result: 'connected' }] });
  const agent = s.acd.agent('a1');
  t.match(agent, { state: 'on-call', reason: 'callback' });
  s.acd.callEnded(agent.callId!);
  t.match(agent, { state: 'outbound', reason: 'callbacks' }, 'back to outbound dialling after the call');
  t.throws(() => s.acd.takeCallback(record.id, 'a1'), { code: 'conflict' });
  s.acd.close();
});

t.test('a client who cannot be reached: the attempt and its result are logged, the record stays open', async (t) => {
  const s = setup({}, 1);
  s.acd.setState('a1', 'break');
  const record = await missedCall(s, '+200');
  s.phones.clients.set('+200', 'busy');
  t.throws(() => s.acd.takeCallback(record.id, 'a1'), { code: 'conflict' }, 'an agent on break cannot take it');
  s.acd.setState('a1', 'available');
  s.acd.takeCallback(record.id, 'a1');
  await s.rec.next('missed.attempt');
  t.match(record, { status: 'not-reached', attempts: [{ result: 'busy' }], claimedBy: null });
  await s.rec.next('agent.state', (e) => e.agentId === 'a1' && e.state === 'available');
  t.throws(() => s.acd.takeCallback('nope', 'a1'), { code: 'not-found' });
  s.acd.cancelMissed(record.id, 'a1');
  t.equal(record.status, 'cancelled');
  t.throws(() => s.acd.cancelMissed(record.id, 'a1'), { code: 'conflict' });
  s.acd.close();
});

t.test('an agent who does not answer a callback they took: the claim is released', async (t) => {
  const s = setup({ ringTimeoutMs: 40 }, 1);
  s.acd.setState('a1', 'break');
  const record = await missedCall(s, '+250');
  s.acd.setState('a1', 'available');
  s.phones.set('2001', { ring: 'forever' });
  s.acd.takeCallback(record.id, 'a1');
  await s.rec.next('call.offer-result');
  t.match(record, { claimedBy: null, status: 'not-called-back', attempts: [] });
  t.equal(s.acd.calls().length, 0);
  s.acd.close();
});

t.test('automatic callbacks wait in the queue like calls, below live callers, and retry', async (t) => {
  const s = setup({ callback: { mode: 'automatic', retryDelayMs: 30, maxAttempts: 2 } }, 1);
  s.acd.setState('a1', 'break');
  const record = await missedCall(s, '+300');
  t.match(s.rec.of('call.queued').at(-1), { kind: 'callback', missedId: record.id, priority: -10 });
  const live = call('+301');
  const liveOutcome = s.acd.enqueue('q', live);
  s.phones.clients.set('+300', 'no-answer');
  s.acd.setState('a1', 'available');
  t.match(await liveOutcome, { kind: 'answered', agentId: 'a1' }, 'the live caller first');
  s.acd.callEnded(live.callId);
  await s.rec.next('missed.attempt', () => true, 1);
  t.same(record.attempts.map((a) => a.result), ['no-answer', 'no-answer']);
  t.equal(record.status, 'not-reached');
  await delay(80);
  t.equal(record.attempts.length, 2, 'stops at maxAttempts');
  t.equal(s.phones.offers.filter((o) => o.kind === 'callback').length, 2);
  s.acd.close();
});

t.test('automatic callback connects; a record closed meanwhile is no longer called back', async (t) => {
  const s = setup({ callback: { mode: 'automatic' } }, 1);
  s.acd.setState('a1', 'break');
  const record = await missedCall(s, '+400');
  const closed = await missedCall(s, '+401');
  s.acd.cancelMissed(closed.id, 'supervisor');
  s.acd.setState('a1', 'available');
  await s.rec.next('missed.attempt');
  t.match(record, { status: 'called-back', attempts: [{ agentId: 'a1', result: 'connected' }] });
  t.same(s.phones.dialled, ['+400']);
  t.match(s.rec.of('call.left').at(-1), { reason: 'cancelled' });
  s.acd.close();
});

t.test('a client who gets through while being called back keeps got-through; callback tasks are not callers', async (t) => {
  const s = setup({ callback: { mode: 'automatic' } }, 2);
  s.acd.setState('a1', 'break');
  s.acd.setState('a2', 'break');
  const record = await missedCall(s, '+600');
  const task = s.acd.calls().find((c) => c.kind === 'callback')!;
  t.throws(() => s.acd.abandon(task.callId), { code: 'conflict' });
  s.phones.clientDelayMs = 300;
  s.acd.setState('a1', 'available');
  await s.rec.next('call.offer-result', (e) => e.result === 'answered');
  s.acd.setState('a2', 'available');
  await s.acd.enqueue('q', call('+600')); // the client calls in and reaches a2
  await s.rec.next('missed.attempt');
  t.match(record, { status: 'got-through', attempts: [{ agentId: 'a1', result: 'connected' }] });
  s.acd.close();
});

t.test('callback statistics per agent: attempts, connections, speed from the miss to the first attempt', async (t) => {
  const s = setup({}, 2);
  s.acd.setState('a1', 'break');
  s.acd.setState('a2', 'break');
  const r1 = await missedCall(s, '+500');
  const r2 = await missedCall(s, '+501');
  s.advance(60_000);
  s.acd.setState('a1', 'available');
  s.phones.clients.set('+500', 'no-answer');
  s.acd.takeCallback(r1.id, 'a1');
  await s.rec.next('missed.attempt');
  await s.rec.next('agent.state', (e) => e.agentId === 'a1' && e.state === 'available');
  s.acd.takeCallback(r2.id, 'a1');
  await s.rec.next('missed.attempt', () => true, 1);
  const [stats] = s.acd.missed.stats();
  t.match(stats, { agentId: 'a1', attempts: 2, connected: 1, firstAttempts: 2 });
  const expected = (r1.attempts[0].at - r1.missedAt + (r2.attempts[0].at - r2.missedAt)) / 2;
  t.equal(stats.avgCallbackSpeedMs, expected);
  t.ok(stats.avgCallbackSpeedMs! >= 60_000);
  s.acd.close();
});
