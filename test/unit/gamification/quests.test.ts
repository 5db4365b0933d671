// Quests follow the real event log: steps in order, filters on event fields, actions before
// the quest or out of order do not count, a topic counts for the agent whose call it is,
// progress survives a restart, a daily quest starts over the next day; bad definitions are refused.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuest, Quests, type QuestProgress } from '../../../engine/gamification/quests.js';
import { EventLog } from '../../../engine/store/event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'quests-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const steps = [
  { event: 'missed.attempt', where: { result: 'connected' }, label: 'Call a client back' },
  { event: 'call.topic', label: 'Set a topic' },
  { event: 'script.finished', label: 'Finish a script' },
];

t.test('progress from real actions, in order', async (t) => {
  const file = join(dir, 'q.sqlite');
  const log = new EventLog(file);
  const T0 = Date.UTC(2026, 10, 18, 9);
  const acd = (type: string, s: number, fields: Record<string, unknown>) => log.append(`acd.${type}`, { type, at: T0 + s * 1000, ...fields }, fields.callId as string | undefined);
  acd('missed.attempt', -60, { id: 'm0', agentId: 'a1', result: 'connected' }); // before the quest existed

  const seen: QuestProgress[] = [];
  const quests = new Quests(log, (p) => seen.push({ ...p, steps: [...p.steps] }));
  quests.define(parseQuest('rookie', { name: 'Rookie', reward: '100 points', steps }, T0));

  log.append('call.topic', { at: T0 + 1000, topic: 'billing', agentId: 'a1' }, 'c0'); // out of order: not yet
  acd('missed.attempt', 2, { id: 'm1', agentId: 'a1', result: 'busy' }); // the filter wants connected
  t.same(quests.progressOf(null, T0), [], 'nothing counts yet');

  acd('missed.attempt', 3, { id: 'm2', agentId: 'a1', result: 'connected' });
  acd('missed.attempt', 4, { id: 'm3', agentId: 'a2', result: 'connected' });
  acd('call.answered', 10, { callId: 'c1', queueId: 'q', agentId: 'a1', waitMs: 1000 });
  log.append('call.topic', { at: T0 + 20_000, topic: 'delivery' }, 'c1'); // no agentId: c1 is a1's
  log.append('script.finished', { at: T0 + 30_000, agentId: 'a1', script: 'greeting' });
  log.append('script.finished', { at: T0 + 31_000, agentId: 'a1', script: 'again' }); // after completion: nothing

  const byAgent = (list: QuestProgress[]) => Object.fromEntries(list.map((p) => [p.agentId, p]));
  const progress = byAgent(quests.progressOf(null, T0));
  t.same(progress.a1.steps, [T0 + 3000, T0 + 20_000, T0 + 30_000]);
  t.equal(progress.a1.completedAt, T0 + 30_000);
  t.same(progress.a2.steps, [T0 + 4000]);
  t.equal(progress.a2.completedAt, null);
  t.same(seen.map((p) => `${p.agentId}:${p.steps.length}`), ['a1:1', 'a2:1', 'a1:2', 'a1:3'], 'each step is announced once');
  t.same(quests.progressOf(new Set(['a2']), T0).map((p) => p.agentId), ['a2'], 'filtered by agent');
  const completed = log.recent(10, 'gamify.quest.completed');
  t.equal(completed.length, 1);
  t.match(completed[0].data, { questId: 'rookie', agentId: 'a1', reward: '100 points' }, 'the reward is logged');
  quests.close();
  log.close();

  const reopened = new EventLog(file);
  const again = new Quests(reopened);
  t.same(byAgent(again.progressOf(null, T0)), progress, 'progress survives a restart');
  again.define(parseQuest('rookie', { name: 'Rookie 2', reward: '1 point', steps: steps.slice(0, 1) }, T0 + 60_000));
  t.same(again.progressOf(null, T0), [], 'a redefined quest starts over');
  again.remove('rookie');
  t.same(again.definitions(), []);
  t.throws(() => again.remove('rookie'), { code: 'not-found' });
  again.close();
  reopened.close();
});

t.test('a daily quest starts over each day', async (t) => {
  const log = new EventLog(join(dir, 'daily.sqlite'));
  const D1 = Date.UTC(2026, 10, 18, 10);
  const D2 = D1 + 86_400_000;
  const quests = new Quests(log);
  quests.define(parseQuest('daily', { name: 'Daily', reward: 'a star', repeat: 'day', steps: [{ event: 'call.answered' }, { event: 'call.answered' }] }, D1 - 1));
  const answered = (at: number, callId: string) => log.append('acd.call.answered', { type: 'call.answered', at, callId, queueId: 'q', agentId: 'a1', waitMs: 0 }, callId);
  answered(D1, 'c1');
  answered(D1 + 1000, 'c2');
  t.equal(quests.progressOf(null, D1)[0].completedAt, D1 + 1000);
  answered(D2, 'c3');
  const [p] = quests.progressOf(null, D2);
  t.same({ steps: p.steps, done: p.completedAt }, { steps: [D2], done: null }, 'day two begins from the first step');
  t.same(quests.progressOf(null, D2 + 86_400_000), [], 'nothing yet on day three');
  quests.close();
  log.close();
});

t.test('bad quests are refused with every problem named', async (t) => {
  const err = (body: unknown) => {
    try {
      parseQuest('q1', body, 0);
    } catch (e) {
      return (e as { problems: string[] }).problems;
    }
    return [];
  };
  t.same(err({ name: 'Q', reward: 'r', steps: [] }), ['the quest.steps must be an array of 1 to 20 items']);
  const problems = err({ name: 'Q', reward: '', repeat: 'weekly', steps: [{ event: 'Not An Event' }, { event: 'call.topic', where: { topic: { nested: true } } }, 'x'] });
  t.equal(problems.length, 5, problems.join(' | '));
  t.match(problems.join('\n'), /reward must be a non-empty string/);
  t.match(problems.join('\n'), /repeat must be one of once, day/);
  t.match(problems.join('\n'), /steps\[0\]\.event must be an event type/);
  t.match(problems.join('\n'), /steps\[1\]\.where\.topic must be a string, number or boolean/);
  t.match(problems.join('\n'), /steps\[2\] must be a JSON object/);
});

t.test('a failure in quest tracking is reported, not thrown at whoever appended to the log', async (t) => {
  const log = new EventLog(join(dir, 'failing.sqlite'));
  const errors: unknown[] = [];
  const quests = new Quests(log, () => {
    throw new Error('screen gone');
  }, (err) => errors.push(err));
  quests.define(parseQuest('one', { name: 'One', reward: 'r', steps: [{ event: 'call.answered' }] }, 0));
  t.doesNotThrow(() => log.append('acd.call.answered', { type: 'call.answered', at: 1, callId: 'c1', agentId: 'a1' }, 'c1'));
  t.match(errors, [{ message: 'screen gone' }]);
  t.equal(log.recent(1, 'acd.call.answered').length, 1, 'the event is in the log');
  quests.close();
  log.close();
});
