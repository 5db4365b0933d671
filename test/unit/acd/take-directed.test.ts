// Picking a waiting call by hand (the agent window's "take") and a transfer to a colleague
// (a call offered first to one agent, then to the queue if they let it ring).
import t from 'tap';
import { call, setup } from './phones.js';

t.test('an agent on break takes a waiting call, and returns to break after it', async (t) => {
  const s = setup({}, 2);
  s.acd.setState('a1', 'break', 'lunch');
  s.acd.setState('a2', 'dnd');
  const c = call();
  const outcome = s.acd.enqueue('q', c);
  t.equal(s.acd.call(c.callId).phase, 'waiting', 'nobody is free: it waits');
  s.acd.takeWaiting(c.callId, 'a1');
  t.match(await outcome, { kind: 'answered', agentId: 'a1' });
  t.equal(s.acd.agent('a1').state, 'on-call');
  s.acd.callEnded(c.callId);
  t.match(s.acd.agent('a1').view(), { state: 'break', reason: 'lunch' }, 'back to the state the agent took it from');
  t.throws(() => s.acd.takeWaiting(c.callId, 'a1'), { code: 'not-found' }, 'a finished call cannot be taken');
  s.acd.close();
});

t.test('take is refused for a call that is not waiting, an offline agent, or another queue', async (t) => {
  const s = setup({}, 2);
  s.acd.defineQueue({ id: 'other', groups: ['x'] });
  s.acd.setState('a1', 'offline');
  s.acd.setState('a2', 'break');
  const c = call();
  void s.acd.enqueue('q', c);
  t.throws(() => s.acd.takeWaiting(c.callId, 'a1'), { code: 'conflict', message: /offline/ });
  const o = call();
  void s.acd.enqueue('other', o);
  t.throws(() => s.acd.takeWaiting(o.callId, 'a2'), { code: 'conflict', message: /does not serve/ });
  s.acd.takeWaiting(c.callId, 'a2');
  t.throws(() => s.acd.takeWaiting(c.callId, 'a2'), { code: 'conflict', message: /not waiting/ });
  s.acd.close();
});

t.test('a call directed to an agent rings them first, even when another agent has waited longer', async (t) => {
  const s = setup({}, 3);
  const c = call();
  t.match(await s.acd.enqueue('q', { ...c, agentId: 'a3' }), { kind: 'answered', agentId: 'a3' });
  t.same(s.phones.offeredTo(), ['2003']);
  s.acd.close();
});

t.test('a directed call the agent lets ring out waits in the queue for anyone', async (t) => {
  const s = setup({ ringTimeoutMs: 30 }, 2);
  s.acd.setState('a2', 'break');
  s.phones.set('2001', { ring: 'forever' });
  const c = call();
  const outcome = s.acd.enqueue('q', { ...c, agentId: 'a1' });
  await s.rec.next('call.offer-result', (e) => e.result === 'no-answer');
  t.equal(s.acd.call(c.callId).phase, 'waiting', 'back in the queue');
  s.acd.setState('a2', 'available');
  t.match(await outcome, { kind: 'answered', agentId: 'a2' });
  s.acd.close();
});

t.test('a call cannot be directed to a busy agent', async (t) => {
  const s = setup({}, 1);
  s.acd.setState('a1', 'break');
  t.throws(() => s.acd.enqueue('q', { ...call(), agentId: 'a1' }), { code: 'conflict', message: /break/ });
  t.equal(s.acd.calls().length, 0, 'nothing was queued');
  s.acd.close();
});
