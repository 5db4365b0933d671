// Metrics from the scripted morning equal the figures computed by hand.
import t from 'tap';
import { Acd, AcdMetrics } from '../../../engine/acd/index.js';
import { S, scriptedMorning } from './scenario.js';

export const expectedQueue = {
  queueId: 'q',
  offered: 4,
  answered: 2,
  answeredInSl: 1,
  abandoned: 1,
  abandonmentRate: 1 / 4,
  serviceLevel: 1 / 4, // answered within 20 s / offered
  asaMs: ((10 + 30) / 2) * S,
  handled: 2,
  talkMs: 120 * S,
  wrapMs: 30 * S,
  ahtMs: ((120 + 30) / 2) * S, // (talk + wrap-up) / handled
  avgTalkMs: 60 * S,
  waitingNow: 1,
  longestWaitMs: 10 * S,
};

t.test('queue, agent, group and missed-call figures from a scripted scenario', async (t) => {
  const clock = { t: 0 };
  const acd = new Acd({ now: () => clock.t });
  const metrics = new AcdMetrics();
  acd.on((e) => metrics.apply(e));
  await scriptedMorning(acd, clock);
  const report = metrics.report(clock.t);
  t.match(report.queues, [expectedQueue]);
  const a1 = report.agents.find((a) => a.agentId === 'a1')!;
  t.match(a1, { state: 'break', answered: 1, talkMs: 60 * S, wrapMs: 10 * S });
  t.match(a1.stateMs, { break: (10 + 15) * S, 'on-call': 60 * S, 'wrap-up': 10 * S, available: (0 + 55) * S });
  t.equal(a1.occupancy, 70 / 150, '(talk + wrap-up) / logged-in time');
  t.same(report.groups.g, { available: 0, 'on-call': 0, 'wrap-up': 0, break: 2, outbound: 0, dnd: 0, offline: 0 });
  t.same(report.missed.q, { total: 1, 'not-called-back': 1, 'not-reached': 0, cancelled: 0, 'called-back': 0, 'got-through': 0 });

  const later = new AcdMetrics(100 * S);
  acd.close();
  const clock2 = { t: 0 };
  const replay = new Acd({ now: () => clock2.t });
  replay.on((e) => later.apply(e));
  await scriptedMorning(replay, clock2);
  const [q] = later.report(150 * S).queues;
  t.match(q, { offered: 1, answered: 0, handled: 1, talkMs: 60 * S, wrapMs: 20 * S, waitingNow: 1 }, 'an interval counts only what happened inside it');
  replay.close();
});
