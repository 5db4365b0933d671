// Achievements judged from a real SQLite event log holding a scripted day (scripted-day.ts),
// against expectations worked out by hand from that script, including who does NOT earn each.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAchievement } from '../../../engine/gamification/achievement-rules.js';
import { Achievements, type Grant } from '../../../engine/gamification/achievements.js';
import { periodOf, PERIODS } from '../../../engine/gamification/periods.js';
import { standings } from '../../../engine/gamification/standings.js';
import { EventLog } from '../../../engine/store/event-log.js';
import { DAY, NEXT_DAY, writeScriptedDay } from './scripted-day.js';

const dir = mkdtempSync(join(tmpdir(), 'achievements-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'events.sqlite');

/** achievement id → the agents granted it, sorted. */
const byAchievement = (grants: Grant[]) => {
  const out: Record<string, string[]> = {};
  for (const g of grants) (out[g.achievementId] ??= []).push(g.agentId);
  for (const list of Object.values(out)) list.sort();
  return out;
};

const later = () => NEXT_DAY + 5 * 86_400_000;

t.test('a scripted day: built-in and admin-defined achievements', async (t) => {
  const log = new EventLog(file);
  writeScriptedDay(log);
  const granted: Grant[] = [];
  const achievements = new Achievements(log, { sprinterSeconds: 4, now: later, onGrant: (g) => granted.push(g) });
  achievements.define(parseAchievement('busy-bee', { name: 'Busy bee', rule: { metric: 'answered', op: '>=', value: 2, period: 'day' } }));
  achievements.define(parseAchievement('marathon', { name: 'Marathon', rule: { metric: 'talkMs', op: '>', value: 150_000 } }));
  achievements.define(parseAchievement('calm', { name: 'Calm hands', rule: { metric: 'missedOffers', op: '==', value: 0 } }));

  const day = await achievements.judge(periodOf('day', DAY));
  t.same(byAchievement(day), {
    // a3 answered c3 in 2 s (its c6 rang 3 s before the caller hung up: not counted). a1 let c3
    // ring out; a2 took 6 s; a5 answered fast but let c9 ring 8 s before the caller gave up.
    sprinter: ['a3'],
    // a1 missed c3; a2's cancelled c5 and a5's cancelled c9 are not missed calls; a4 had none.
    goalkeeper: ['a2', 'a3', 'a5'],
    // talk: a2 200 s, a1 60 + 100 s (the callback counts: it is talk with a client), a3 100 s, a5 48 s
    speaker: ['a2'],
    // a1: c1 (topic without agentId: the call's owner) and c4 (topic with agentId); a2: c2;
    // a3's only topic is blank; a5 set none.
    librarian: ['a1', 'a2'],
    'busy-bee': ['a1'], // a1 answered c1 and the callback c4; everyone else one call
    marathon: ['a1', 'a2'],
    calm: ['a2', 'a3', 'a5'], // a1 let one ring out; a4, offline all day, earns nothing
  });
  t.same(granted, day, 'every grant is announced');
  t.same(day.find((g) => g.achievementId === 'speaker')!.detail, { talkMs: 200_000 });
  t.same(await achievements.judge(periodOf('day', DAY)), [], 'judging the same day again grants nothing twice');

  // The next day has no topic events at all: no Librarian, and the rest still works.
  const next = await achievements.judge(periodOf('day', NEXT_DAY));
  t.same(byAchievement(next), { sprinter: ['a2'], goalkeeper: ['a2'], speaker: ['a2'], calm: ['a2'] });
  log.close();

  const reopened = new EventLog(file);
  const again = new Achievements(reopened, { sprinterSeconds: 4, now: later });
  t.equal(again.history().length, day.length + next.length, 'the history survives a restart');
  t.same(again.history({ agentIds: new Set(['a3']) }).map((g) => g.achievementId).sort(), ['calm', 'goalkeeper', 'sprinter']);
  t.same(again.history({ from: NEXT_DAY }).length, next.length);
  t.same(await again.judge(periodOf('day', DAY)), [], 'nor after a restart');
  t.same(again.definitions().map((d) => d.id), ['sprinter', 'goalkeeper', 'speaker', 'librarian', 'busy-bee', 'marathon', 'calm'], 'admin definitions survive too');
  again.remove('calm');
  t.notOk(new Achievements(reopened, { sprinterSeconds: 4 }).definitions().some((d) => d.id === 'calm'), 'a removal is kept');
  reopened.close();
});

t.test('a stricter Sprinter limit and the standing of a day in progress', async (t) => {
  const log = new EventLog(join(dir, 'strict.sqlite'));
  writeScriptedDay(log);
  // With 1 s, a3's 2 s answer is too slow; a2's 1 s answer next day still qualifies.
  const strict = new Achievements(log, { sprinterSeconds: 1, now: later });
  t.notOk((await strict.judge(periodOf('day', DAY))).some((g) => g.achievementId === 'sprinter'));
  // In the middle of the next day nothing is granted, but a2 is on course.
  const middayLog = new EventLog(join(dir, 'strict.sqlite'));
  const noon = NEXT_DAY + 12 * 3600_000;
  const midday = new Achievements(middayLog, { sprinterSeconds: 4, now: () => noon });
  const all = await midday.standing();
  const standing = all.filter((s) => s.achievementId === 'sprinter');
  t.same(standing.map((s) => s.agentId), ['a2']);
  t.equal(midday.history({ from: NEXT_DAY }).length, 0);
  // The worker thread judges exactly as the same code on the event loop would.
  const inline = PERIODS.flatMap((kind) => standings(middayLog, { period: periodOf(kind, noon), defs: midday.definitions().filter((d) => d.period === kind), now: noon, sprinterMs: 4000 }));
  t.ok(inline.length > 0);
  t.same(all, inline, 'the worker computes what the event loop would');
  await Promise.all([strict.stop(), midday.stop()]);
  middayLog.close();
  log.close();
});

t.test('admin achievements are validated, with every problem named', async (t) => {
  t.same(parseAchievement('x', { name: 'X', rule: { metric: 'answered', op: '>=', value: 1 } }), { id: 'x', name: 'X', description: '', period: 'day', builtin: false, rule: { metric: 'answered', op: '>=', value: 1, period: 'day' } }, 'the period defaults to a day');
  const e = (() => {
    try {
      parseAchievement('Bad Id', { name: '', rule: { metric: 'karma', op: '=>', value: -1, period: 'year' } });
    } catch (err) {
      return err as Error & { code: string; problems: string[] };
    }
  })()!;
  t.equal(e.code, 'invalid');
  t.equal(e.problems.length, 6, e.message);
  t.match(e.message, /id "Bad Id"/);
  t.match(e.message, /metric must be one of answered/);
  t.match(e.message, /op must be one of/);
  t.match(e.message, /value must be a number ≥ 0/);
  t.match(e.message, /period must be one of day, week/);
  t.throws(() => parseAchievement('sprinter', { name: 'Mine', rule: { metric: 'answered', op: '>=', value: 1 } }), /built-in/);
  t.throws(() => parseAchievement('y', { name: 'Y' }), /rule must be a JSON object/);
});
