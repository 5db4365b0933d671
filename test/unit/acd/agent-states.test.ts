// Agent state rules: missed offers, busy/unreachable phones, wrap-up, states chosen during a
// call, timestamps and reasons, derived activity.
import t from 'tap';
import { AcdError } from '../../../engine/acd/index.js';
import { call, delay, setup } from './phones.js';

t.test('an offer that rings out puts the agent in not-ready "missed" and the call goes to the next agent', async (t) => {
  const s = setup({ ringTimeoutMs: 60 });
  s.phones.set('2001', { ring: 'forever' });
  const outcome = await s.acd.enqueue('q', call());
  t.match(outcome, { kind: 'answered', agentId: 'a2' });
  t.same(s.phones.offeredTo(), ['2001', '2002']);
  t.match(s.rec.of('call.offer-result')[0], { agentId: 'a1', result: 'no-answer' });
  const a1 = s.acd.agent('a1');
  t.equal(a1.state, 'dnd');
  t.equal(a1.reason, 'missed');
  t.match(s.rec.of('agent.state').find((e) => e.agentId === 'a1' && e.state === 'dnd'), { prev: 'available', reason: 'missed' });
  s.acd.close();
});

t.test('the missed-offer state is configurable, or can be switched off', async (t) => {
  const s = setup({ ringTimeoutMs: 50 }, 2, { missedOffer: { state: 'break', reason: 'no-answer' } });
  s.phones.set('2001', { ring: 'forever' });
  await s.acd.enqueue('q', call());
  t.match(s.acd.agent('a1'), { state: 'break', reason: 'no-answer' });
  s.acd.close();

  const off = setup({ ringTimeoutMs: 50 }, 1, { missedOffer: null });
  off.phones.set('2001', { ring: 'forever' });
  const pending = off.acd.enqueue('q', call());
  await off.rec.next('call.offer-result');
  t.equal(off.acd.agent('a1').state, 'available', 'stays available');
  await off.rec.next('call.offered', () => true, 1);
  t.equal(off.phones.offers.length >= 2, true, 'and is offered the call again');
  off.phones.set('2001', { answerAfterMs: 1 });
  off.acd.setState('a1', 'break'); // cancels the ringing offer without penalty
  off.acd.setState('a1', 'available');
  t.match(await pending, { kind: 'answered', agentId: 'a1' });
  off.acd.close();
});

t.test('busy and rejecting phones mark the reason; an unreachable phone logs the agent off', async (t) => {
  const s = setup({}, 4);
  s.phones.set('2001', { reply: 'busy' });
  s.phones.set('2002', { reply: 'rejected' });
  s.phones.set('2003', { reply: 'unavailable' });
  t.match(await s.acd.enqueue('q', call()), { kind: 'answered', agentId: 'a4' });
  t.match(s.acd.agent('a1'), { state: 'dnd', reason: 'busy' });
  t.match(s.acd.agent('a2'), { state: 'dnd', reason: 'rejected' });
  t.match(s.acd.agent('a3'), { state: 'offline', reason: 'unreachable' });
  t.equal(s.acd.queue('q').loggedIn, 3);
  s.acd.close();
});

t.test('wrap-up: per-queue duration, no calls meanwhile, then available by itself', async (t) => {
  const s = setup({ wrapUpMs: 100 }, 2);
  const first = call();
  t.match(await s.acd.enqueue('q', first), { agentId: 'a1' });
  t.equal(s.acd.agent('a1').activity, 'talking');
  s.acd.callEnded(first.callId);
  t.match(s.acd.agent('a1'), { state: 'wrap-up', reason: 'after-call' });
  t.equal(s.acd.agent('a1').activity, 'busy');
  t.match(await s.acd.enqueue('q', call()), { agentId: 'a2' }, 'the agent in wrap-up is skipped');
  await s.rec.next('agent.state', (e) => e.agentId === 'a1' && e.prev === 'wrap-up');
  t.match(s.acd.agent('a1'), { state: 'available', activity: 'free' });
  s.acd.close();
});

t.test('a state chosen during a call is taken after it; choosing available ends wrap-up early', async (t) => {
  const s = setup({ wrapUpMs: 60_000 }, 1);
  const c = call();
  await s.acd.enqueue('q', c);
  s.acd.setState('a1', 'break', 'lunch');
  t.equal(s.acd.agent('a1').state, 'on-call', 'still on the call');
  s.acd.callEnded(c.callId);
  t.match(s.acd.agent('a1'), { state: 'wrap-up' });
  s.acd.setState('a1', 'break', 'lunch');
  t.match(s.acd.agent('a1'), { state: 'break', reason: 'lunch', callId: null });

  s.acd.setState('a1', 'available');
  const d = call();
  await s.acd.enqueue('q', d);
  s.acd.callEnded(d.callId);
  s.acd.setState('a1', 'available');
  t.match(s.acd.agent('a1'), { state: 'available', routable: true });
  s.acd.close();
});

t.test('states carry reasons and timestamps; only selectable states may be chosen', async (t) => {
  const s = setup({}, 1);
  const before = s.acd.agent('a1').since;
  s.acd.setState('a1', 'outbound', 'campaign 7');
  const a1 = s.acd.agent('a1');
  t.match(a1.view(), { state: 'outbound', reason: 'campaign 7', activity: 'busy' });
  t.ok(a1.since > before);
  t.throws(() => s.acd.setState('a1', 'on-call'), AcdError);
  t.throws(() => s.acd.setState('a1', 'wrap-up'), { code: 'invalid' });
  t.throws(() => s.acd.setState('nobody', 'break'), { code: 'not-found' });
  s.acd.setState('a1', 'offline');
  t.equal(s.acd.queue('q').loggedIn, 0);
  s.acd.close();
});

t.test('offline and not-ready agents are never offered calls; logging in serves the waiting call', async (t) => {
  const s = setup({}, 2);
  s.acd.setState('a1', 'offline');
  s.acd.setState('a2', 'dnd');
  const pending = s.acd.enqueue('q', call());
  await delay(30);
  t.equal(s.phones.offers.length, 0);
  s.acd.setState('a1', 'available');
  t.match(await pending, { kind: 'answered', agentId: 'a1' });
  s.acd.close();
});

t.test('profiles are validated; an extension belongs to one agent', async (t) => {
  const s = setup({}, 1);
  t.throws(() => s.acd.defineAgent({ id: 'x', extension: '2001' }), { code: 'conflict' });
  t.throws(() => s.acd.defineAgent({ id: 'x', extension: '9', skills: { english: 11 } }), { code: 'invalid' });
  t.throws(() => s.acd.defineAgent({ id: 'x', extension: '9', channels: { voice: 2 } }), { code: 'invalid' });
  t.throws(() => s.acd.defineAgent({ id: '', extension: '9' }), { code: 'invalid' });
  const x = s.acd.defineAgent({ id: 'x', extension: '9', groups: ['g'], channels: { chat: 3 } });
  t.same(x.profile, { id: 'x', name: 'x', extension: '9', groups: ['g'], skills: {}, channels: { voice: 1, chat: 3 } });
  t.ok(s.acd.queue('q').members.has(x));
  s.acd.defineAgent({ id: 'x', extension: '9', groups: ['other'] });
  t.notOk(s.acd.queue('q').members.has(x), 'leaves the queue with its group');
  s.acd.close();
});
