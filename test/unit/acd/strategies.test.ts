// Each routing strategy picks the agent it promises to, and calls wait by priority.
import t from 'tap';
import { call, delay, setup, type Setup } from './phones.js';

/** One call answered and hung up at once; returns who took it. */
async function handled(s: Setup, talkMs = 0): Promise<string> {
  const c = call();
  const outcome = await s.acd.enqueue('q', c);
  if (outcome.kind !== 'answered') throw new Error(`call not answered: ${outcome.kind}`);
  s.advance(talkMs);
  s.acd.callEnded(c.callId);
  return outcome.agentId;
}

async function sequence(s: Setup, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(await handled(s));
  return out;
}

t.test('longest-idle: the agent free the longest takes the call; one who toggles goes to the back', async (t) => {
  const s = setup({ strategy: 'longest-idle' });
  t.same(await sequence(s, 2), ['a1', 'a2']);
  s.acd.setState('a1', 'break');
  s.acd.setState('a1', 'available');
  t.same(await sequence(s, 3), ['a3', 'a2', 'a1']);
  s.acd.close();
});

t.test('round-robin: agents take turns whatever their idle time', async (t) => {
  const s = setup({ strategy: 'round-robin' });
  t.same(await sequence(s, 2), ['a1', 'a2']);
  s.acd.setState('a1', 'break');
  s.acd.setState('a1', 'available');
  t.same(await sequence(s, 4), ['a3', 'a1', 'a2', 'a3']);
  s.acd.close();
});

t.test('least-calls: the agent with the fewest answered calls in this queue first', async (t) => {
  const s = setup({ strategy: 'least-calls' });
  s.acd.setState('a2', 'break');
  s.acd.setState('a3', 'break');
  t.same(await sequence(s, 2), ['a1', 'a1']);
  s.acd.setState('a1', 'break');
  s.acd.setState('a2', 'available');
  t.same(await sequence(s, 1), ['a2']);
  s.acd.setState('a1', 'available'); // a2 idles longer than a1, a3 is the newest
  s.acd.setState('a3', 'available');
  const first = call();
  const o1 = await s.acd.enqueue('q', first);
  t.match(o1, { kind: 'answered', agentId: 'a3' }, 'zero calls beats longest idle');
  t.same(await sequence(s, 1), ['a2'], 'then one call beats two');
  s.acd.close();
});

t.test('fewest-talk-time: the agent with the least talk time in this queue first', async (t) => {
  const s = setup({ strategy: 'fewest-talk-time' }, 2);
  t.equal(await handled(s, 60_000), 'a1');
  t.equal(await handled(s, 5_000), 'a2');
  // a1 is now the longest idle, but a2 talked less.
  t.same(await sequence(s, 2), ['a2', 'a2']);
  t.equal(await handled(s, 100_000), 'a2');
  t.equal(await handled(s), 'a1', 'after a long call a2 has more talk time');
  s.acd.close();
});

t.test('random: the agent with the lowest draw, drawn each time the agent becomes free', async (t) => {
  const draws = [0.9, 0.1, 0.5, 0.7, 0.3, 0.2];
  const s = setup({ strategy: 'random' }, 3, { random: () => draws.shift() ?? 0.99 });
  // draws: a1 .9, a2 .1, a3 .5; a2 takes the first call and comes back with .7, a3 the
  // second and comes back with .3, so it beats a2 (.7) and a1 (.9); then it draws .2.
  t.same(await sequence(s, 4), ['a2', 'a3', 'a3', 'a3']);
  s.acd.close();
});

t.test('skills-based: only agents with the required levels; best level first, then longest idle', async (t) => {
  const s = setup({ strategy: 'skills-based', requiredSkills: { english: 5, billing: 2 } }, 0);
  const agents: [string, Record<string, number>][] = [
    ['a1', { english: 5, billing: 2 }],
    ['a2', { english: 9, billing: 3 }],
    ['a3', { english: 10, billing: 1 }], // billing too low
    ['a4', { english: 9, billing: 3 }],
    ['a5', { english: 10 }], // no billing at all
  ];
  for (const [id, skills] of agents) s.acd.defineAgent({ id, extension: `30${id.slice(1)}`, groups: ['g'], skills });
  for (const id of ['a4', 'a1', 'a3', 'a5', 'a2']) s.acd.setState(id, 'available');
  t.same([...s.acd.queue('q').members].map((a) => a.id).sort(), ['a1', 'a2', 'a4']);
  const held = [call(), call(), call()];
  const outcomes = [];
  for (const c of held) outcomes.push(await s.acd.enqueue('q', c));
  t.same(outcomes.map((o) => o.kind === 'answered' && o.agentId), ['a4', 'a2', 'a1'], 'level 12 (idle longest), level 12, level 7');
  const fourth = call();
  const pending = s.acd.enqueue('q', fourth);
  await delay(30);
  t.equal(s.acd.position(fourth.callId), 1, 'a3 and a5 are free but never offered');
  s.acd.callEnded(held[2].callId);
  t.match(await pending, { kind: 'answered', agentId: 'a1' });
  s.acd.close();
});

t.test('ring-all: every free agent rings, the first to answer wins, the others are released unharmed', async (t) => {
  const s = setup({ strategy: 'ring-all' });
  s.phones.set('2001', { ring: 'forever' });
  s.phones.set('2002', { answerAfterMs: 10 });
  s.phones.set('2003', { ring: 'forever' });
  const outcome = await s.acd.enqueue('q', call());
  t.match(outcome, { kind: 'answered', agentId: 'a2' });
  t.same(s.phones.offeredTo().sort(), ['2001', '2002', '2003']);
  await s.rec.next('call.offer-result', (e) => e.agentId === 'a3');
  t.same(s.rec.of('call.offer-result').map((e) => `${e.agentId}:${e.result}`).sort(), ['a1:cancelled', 'a2:answered', 'a3:cancelled']);
  t.equal(s.acd.agent('a1').state, 'available');
  t.equal(s.acd.agent('a1').routable, true);
  s.acd.close();
});

t.test('call priority: VIP calls are served first, equal priorities in arrival order', async (t) => {
  const s = setup({}, 1);
  s.acd.setState('a1', 'break');
  const calls = [call('+1', { priority: 0 }), call('+2', { priority: 5 }), call('+3', { priority: 0 }), call('+4', { priority: 5 })];
  const outcomes = calls.map((c) => s.acd.enqueue('q', c));
  t.same(calls.map((c) => s.acd.position(c.callId)), [3, 1, 4, 2]);
  const order: string[] = [];
  s.acd.on((e) => e.type === 'call.answered' && order.push(e.callId!));
  s.acd.setState('a1', 'available');
  for (let i = 0; i < 4; i++) {
    await s.rec.next('call.answered', () => true, i);
    s.acd.callEnded(order[i]);
  }
  await Promise.all(outcomes);
  t.same(order, [calls[1], calls[3], calls[0], calls[2]].map((c) => c.callId));
  s.acd.close();
});
