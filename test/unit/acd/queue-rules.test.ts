// Per-queue rules: max length, max wait, overflow (queue, number, voicemail; timed or with no
// agent logged in), the callback offer, abandonment, caller context, position and wait estimate.
import t from 'tap';
import { call, delay, setup } from './phones.js';

t.test('max length turns callers away with outcome full and a missed-call record', async (t) => {
  const s = setup({ maxLength: 1 }, 1);
  s.acd.setState('a1', 'break');
  void s.acd.enqueue('q', call('+100'));
  t.same(await s.acd.enqueue('q', call('+200')), { kind: 'full' });
  t.match(s.acd.missed.list(), [{ number: '+200', reason: 'full', status: 'not-called-back' }]);
  s.acd.close();
});

t.test('max wait: the caller leaves with outcome timeout and a missed-call record', async (t) => {
  const s = setup({ maxWaitMs: 40 }, 1);
  s.acd.setState('a1', 'break');
  t.same(await s.acd.enqueue('q', call('+300')), { kind: 'timeout' });
  t.match(s.rec.of('call.left'), [{ reason: 'timeout', queueId: 'q' }]);
  t.match(s.acd.missed.list(), [{ number: '+300', reason: 'timeout' }]);
  s.acd.close();
});

t.test('overflow to another queue after a timeout; its agents take the call', async (t) => {
  const s = setup({ overflow: { target: { kind: 'queue', queue: 'q2' }, afterMs: 40 } }, 1);
  s.acd.defineQueue({ id: 'q2', groups: ['backup'], wrapUpMs: 0 });
  s.acd.defineAgent({ id: 'b1', extension: '4001', groups: ['backup'] });
  s.acd.setState('b1', 'available');
  s.acd.setState('a1', 'break');
  const c = call();
  t.match(await s.acd.enqueue('q', c), { kind: 'answered', agentId: 'b1' });
  t.match(s.rec.of('call.overflowed'), [{ queueId: 'q', target: { kind: 'queue', queue: 'q2' } }]);
  t.match(s.rec.of('call.answered'), [{ queueId: 'q2', callId: c.callId }]);
  s.acd.close();
});

t.test('overflow never loops between queues', async (t) => {
  const s = setup({ overflow: { target: { kind: 'queue', queue: 'q2' }, afterMs: 20 } }, 0);
  s.acd.defineQueue({ id: 'q2', groups: ['x'], overflow: { target: { kind: 'queue', queue: 'q' }, afterMs: 20 } });
  t.same(await s.acd.enqueue('q', call()), { kind: 'timeout' });
  t.equal(s.rec.of('call.overflowed').length, 2);
  s.acd.close();
});

t.test('overflow when no agent is logged in: to voicemail at once (a missed call) or to a number', async (t) => {
  const s = setup({ overflow: { target: { kind: 'voicemail', box: 'support' }, afterMs: 0, whenNoAgents: true } }, 2);
  s.acd.setState('a1', 'break');
  s.acd.setState('a2', 'offline');
  const pending = s.acd.enqueue('q', call('+400'));
  await delay(20);
  t.equal(s.acd.position(s.acd.calls()[0].callId), 1, 'one agent is logged in (on break): the call waits');
  s.acd.setState('a1', 'offline');
  const voicemail = await s.acd.enqueue('q', call('+401'));
  const [missed] = s.acd.missed.list();
  t.match(missed, { number: '+401', reason: 'voicemail' });
  t.same(voicemail, { kind: 'overflow', target: { kind: 'voicemail', box: 'support' }, missedId: missed.id }, 'the outcome names the missed call the message belongs to');
  s.acd.defineQueue({ id: 'q', groups: ['g'], overflow: { target: { kind: 'number', number: '+7999' }, whenNoAgents: true } });
  t.same(await s.acd.enqueue('q', call('+402')), { kind: 'overflow', target: { kind: 'number', number: '+7999' } });
  t.equal(s.acd.missed.list().length, 1, 'a call sent to a number is not missed');
  s.acd.setState('a1', 'available');
  t.match(await pending, { kind: 'answered' });
  s.acd.close();
});

t.test('callback offer: announced after a wait; accepting it leaves the queue with a callback record', async (t) => {
  const s = setup({ callbackOfferAfterMs: 30 }, 1);
  s.acd.setState('a1', 'break');
  const c = call('+500');
  const outcome = s.acd.enqueue('q', c);
  await s.rec.next('call.callback-offered', (e) => e.callId === c.callId);
  const missedId = s.acd.acceptCallback(c.callId);
  t.same(await outcome, { kind: 'callback', missedId });
  t.match(s.acd.missed.get(missedId), { number: '+500', reason: 'callback-request', status: 'not-called-back' });
  t.throws(() => s.acd.acceptCallback(c.callId), { code: 'not-found' });
  s.acd.close();
});

t.test('a caller hanging up while phones ring: phones stop, agents stay available, the call is missed', async (t) => {
  const s = setup({ strategy: 'ring-all' }, 2);
  s.phones.set('2001', { ring: 'forever' });
  s.phones.set('2002', { ring: 'forever' });
  const c = call('+600');
  const outcome = s.acd.enqueue('q', c);
  await s.rec.next('call.offered', (e) => e.agentId === 'a2');
  s.acd.abandon(c.callId);
  t.same(await outcome, { kind: 'abandoned' });
  await s.rec.next('call.offer-result', (e) => e.agentId === 'a2');
  t.same(s.rec.of('call.offer-result').map((e) => e.result), ['cancelled', 'cancelled']);
  t.same([s.acd.agent('a1').state, s.acd.agent('a2').state], ['available', 'available']);
  t.match(s.acd.missed.list(), [{ number: '+600', reason: 'abandoned' }]);
  t.match(s.rec.of('call.abandoned'), [{ callId: c.callId }]);
  s.acd.close();
});

t.test('a phone answering across the caller hanging up is handed back to hang up', async (t) => {
  const s = setup({}, 1);
  s.phones.set('2001', { answerAfterMs: 30, ignoresCancel: true });
  const c = call();
  const outcome = s.acd.enqueue('q', c);
  await s.rec.next('call.offered');
  s.acd.abandon(c.callId);
  t.same(await outcome, { kind: 'abandoned' });
  await s.rec.next('call.offer-result');
  t.same(s.phones.dropped, [s.phones.offers[0].offerId]);
  t.match(s.acd.agent('a1'), { state: 'available', callId: null, routable: true });
  s.acd.close();
});

t.test('a 200 crossing the CANCEL at the ring timeout still connects the call', async (t) => {
  const s = setup({ ringTimeoutMs: 20 }, 1);
  s.phones.set('2001', { answerAfterMs: 60, ignoresCancel: true });
  t.match(await s.acd.enqueue('q', call()), { kind: 'answered', agentId: 'a1' });
  t.same(s.phones.dropped, []);
  s.acd.close();
});

t.test('the caller context travels with the call: number, DNIS, IVR answers, attached context', async (t) => {
  const s = setup({}, 1);
  s.acd.attachContext('+7 (495) 123-45-67', { page: '/pricing', source: 'ads' });
  const c = call('+74951234567', { dnis: '8800555', ivr: { language: 'en' } });
  await s.acd.enqueue('q', c);
  t.same(s.phones.offers[0].context, { from: '+74951234567', dnis: '8800555', ivr: { language: 'en' }, attached: { page: '/pricing', source: 'ads' } });
  s.acd.attachToCall(c.callId, { ticket: 'T-1' });
  t.same(s.acd.call(c.callId).context.attached, { page: '/pricing', source: 'ads', ticket: 'T-1' });
  t.throws(() => s.acd.attachContext('abc', {}), { code: 'invalid' });
  s.acd.close();
});

t.test('attached context expires', async (t) => {
  const s = setup({}, 1, { contextTtlMs: 1000 });
  s.acd.attachContext('+1', { page: '/old' });
  s.advance(2000);
  await s.acd.enqueue('q', call('+1'));
  t.same(s.phones.offers[0].context.attached, {});
  s.acd.close();
});

t.test('position and estimated wait', async (t) => {
  const s = setup({ wrapUpMs: 0 }, 2);
  s.acd.setState('a1', 'break');
  s.acd.setState('a2', 'break');
  const calls = [call(), call(), call()];
  for (const c of calls) void s.acd.enqueue('q', c);
  t.same(calls.map((c) => s.acd.position(c.callId)), [1, 2, 3]);
  t.equal(s.acd.estimatedWaitMs('q', 3), Math.ceil(3 / 2) * 180_000, 'no history: three minutes a call, two agents logged in');
  t.throws(() => s.acd.enqueue('q', calls[0]), { code: 'conflict' });
  t.throws(() => s.acd.enqueue('nope', call()), { code: 'not-found' });
  t.throws(() => s.acd.enqueue('q', { callId: 'z', from: '', dnis: '' }), { code: 'invalid' });
  s.acd.close();
});

t.test('estimated wait follows the recent handle times (talk + wrap-up of the last 20 calls)', async (t) => {
  const s = setup({ wrapUpMs: 0 }, 1);
  const talk = async (ms: number) => {
    const id = `h${ms}-${Math.random()}`;
    const done = s.acd.enqueue('q', { callId: id, from: '+9', dnis: '' });
    await done;
    s.advance(ms);
    s.acd.callEnded(id);
  };
  for (let i = 0; i < 20; i++) await talk(600_000);
  // The test clock ticks 1 ms per reading, so figures are compared to the second.
  const seconds = (ms: number) => Math.round(ms / 1000);
  t.equal(seconds(s.acd.estimatedWaitMs('q', 1)), 600, 'twenty 10-minute calls: ten minutes');
  for (let i = 0; i < 20; i++) await talk(60_000);
  t.equal(seconds(s.acd.estimatedWaitMs('q', 2)), 120, 'the older calls no longer count; position 2 with one agent is two rounds');
  s.acd.close();
});

t.test('no call layer attached: calls wait; attaching starts distribution', async (t) => {
  const s = setup({}, 1);
  const { Acd } = await import('../../../engine/acd/index.js');
  const acd = new Acd();
  acd.defineQueue({ id: 'q', groups: ['g'] });
  acd.defineAgent({ id: 'a', extension: '1', groups: ['g'] });
  acd.setState('a', 'available');
  const pending = acd.enqueue('q', call());
  await delay(20);
  t.equal(acd.position(acd.calls()[0].callId), 1);
  acd.attachDialer(s.phones);
  t.match(await pending, { kind: 'answered', agentId: 'a' });
  acd.close();
  s.acd.close();
});

t.test('a call ringing an agent when its overflow time comes moves on; the phone stops without penalty', async (t) => {
  const s = setup({ ringTimeoutMs: 5000, overflow: { target: { kind: 'number', number: '+7000' }, afterMs: 40 } }, 1);
  s.phones.set('2001', { ring: 'forever' });
  t.same(await s.acd.enqueue('q', call()), { kind: 'overflow', target: { kind: 'number', number: '+7000' } });
  await s.rec.next('call.offer-result');
  t.match(s.acd.agent('a1'), { state: 'available', routable: true });
  s.acd.close();
});

t.test('redefining a queue keeps its waiting calls and applies the new strategy', async (t) => {
  const s = setup({}, 2);
  s.acd.setState('a1', 'break');
  s.acd.setState('a2', 'break');
  const waiting = [call(), call()];
  const outcomes = waiting.map((c) => s.acd.enqueue('q', c));
  s.acd.defineQueue({ id: 'q', groups: ['g'], strategy: 'ring-all', wrapUpMs: 0 });
  t.equal(s.acd.queue('q').waiting.size, 2);
  s.acd.setState('a1', 'available');
  s.acd.setState('a2', 'available');
  t.match(await outcomes[0], { kind: 'answered' });
  t.match(await outcomes[1], { kind: 'answered' });
  s.acd.close();
});

t.test('a transferred call leaves the ACD and the agent wraps up', async (t) => {
  const s = setup({ wrapUpMs: 60_000 }, 1);
  const c = call();
  await s.acd.enqueue('q', c);
  t.throws(() => s.acd.removeAgent('a1'), { code: 'conflict' });
  s.acd.transferred(c.callId, '1009');
  t.match(s.rec.of('call.transferred'), [{ callId: c.callId, agentId: 'a1', to: '1009' }]);
  t.match(s.rec.of('call.ended'), [{ callId: c.callId, kind: 'call' }]);
  t.match(s.acd.agent('a1'), { state: 'wrap-up', reason: 'after-call' });
  t.throws(() => s.acd.callEnded(c.callId), { code: 'not-found' });
  s.acd.close();
});

t.test('announcement settings: defaults, and bad values refused', async (t) => {
  const s = setup({ announce: { everyMs: 5000, waitTime: false } }, 1);
  t.same(s.acd.queue('q').config.announce, { everyMs: 5000, position: true, waitTime: false });
  t.equal(s.acd.defineQueue({ id: 'q2', groups: ['g'] }).config.announce, null, 'no announcements unless asked');
  t.throws(() => s.acd.defineQueue({ id: 'q3', announce: { position: 'yes' } }), { code: 'invalid', message: /announce.position/ });
  t.throws(() => s.acd.defineQueue({ id: 'q3', announce: { everyMs: -1 } }), { code: 'invalid', message: /announce.everyMs/ });
  s.acd.close();
});
