// Agent-dialled outbound calls (click-to-call) in the ACD: the agent is in state outbound for
// the call and offered nothing, returns to their state after it (or the one they chose
// meanwhile), and the calls are logged as outbound.* events the metrics count.
import t from 'tap';
import { AcdMetrics } from '../../../engine/acd/index.js';
import { call, setup } from './phones.js';

t.test('an outbound call: state outbound, no offers meanwhile, back to the previous state', async (t) => {
  const s = setup({}, 1);
  s.acd.setState('a1', 'break', 'lunch');
  s.acd.startOutbound('a1', 'o1', '+555');
  t.match(s.acd.agent('a1').view(), { state: 'outbound', reason: 'click-to-call', callId: 'o1' });
  t.throws(() => s.acd.startOutbound('a1', 'o2', '+556'), { code: 'conflict', message: /on a call/ }, 'one call at a time');
  s.acd.setState('a1', 'available');
  t.equal(s.acd.agent('a1').state, 'outbound', 'a state chosen during the call is taken after it');
  const c = call();
  void s.acd.enqueue('q', c);
  t.equal(s.acd.call(c.callId).phase, 'waiting', 'the agent is not offered calls during it');
  t.equal(s.acd.agent('a1').activity, 'busy', 'dialling');
  s.acd.outboundAnswered('o1');
  t.equal(s.acd.agent('a1').activity, 'talking', 'the client answered: talking');
  s.acd.endOutbound('o1', 'connected');
  await s.rec.next('call.answered', (e) => e.callId === c.callId);
  t.pass('afterwards the agent (available, as chosen) gets the waiting call');
  t.throws(() => s.acd.endOutbound('o1', 'connected'), { code: 'not-found' });
  s.acd.close();
});

t.test('an offline agent cannot dial; the agent returns to the state they had', async (t) => {
  const s = setup({}, 1);
  s.acd.setState('a1', 'offline');
  t.throws(() => s.acd.startOutbound('a1', 'o1', '+555'), { code: 'conflict', message: /offline/ });
  s.acd.setState('a1', 'dnd', 'meeting');
  s.acd.startOutbound('a1', 'o1', '+555');
  s.acd.endOutbound('o1', 'busy');
  t.match(s.acd.agent('a1').view(), { state: 'dnd', reason: 'meeting', callId: null });
  s.acd.close();
});

t.test('the events carry ring and talk time; metrics count dialled, connected and talk', async (t) => {
  const s = setup({}, 1);
  const metrics = new AcdMetrics(0);
  s.acd.on((e) => metrics.apply(e));
  s.acd.startOutbound('a1', 'o1', '+555');
  s.advance(4000);
  s.acd.outboundAnswered('o1');
  s.advance(30_000);
  s.acd.endOutbound('o1', 'connected');
  s.acd.startOutbound('a1', 'o2', '+556');
  s.advance(20_000);
  s.acd.endOutbound('o2', 'no-answer');
  // The test clock also ticks 1 ms per reading.
  const near = (ms: number) => (v: number) => v >= ms && v < ms + 10;
  const events = s.rec.events.filter((e) => e.type.startsWith('outbound.'));
  t.match(events, [
    { type: 'outbound.dialled', callId: 'o1', agentId: 'a1', number: '+555' },
    { type: 'outbound.answered', callId: 'o1' },
    { type: 'outbound.ended', callId: 'o1', result: 'connected' },
    { type: 'outbound.dialled', callId: 'o2' },
    { type: 'outbound.ended', callId: 'o2', result: 'no-answer', talkMs: 0 },
  ]);
  const [answered, ended] = [s.rec.of('outbound.answered')[0], s.rec.of('outbound.ended')[0]];
  t.ok(near(4000)(answered.ringMs) && near(30_000)(ended.talkMs), `ring ${answered.ringMs} ms, talk ${ended.talkMs} ms`);
  t.match(metrics.report(Date.now()).agents.find((a) => a.agentId === 'a1'), { outboundDialled: 2, outboundConnected: 1, outboundTalkMs: ended.talkMs });
  s.acd.close();
});
