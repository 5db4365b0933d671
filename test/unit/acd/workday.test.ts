// foldWorkday: the state at the start of the day comes from the first change after it (even a
// later day's), or the agent's state now; spans are cut at the day's edges; calls and talk time
// count only the agent's own calls within the day.
import t from 'tap';
import { foldWorkday, type AcdEvent } from '../../../engine/acd/index.js';

const H = 3600_000;
const state = (at: number, agentId: string, prev: string, next: string, reason = ''): AcdEvent => ({ type: 'agent.state', at, agentId, state: next, prev, reason }) as AcdEvent;
const answered = (at: number, agentId: string): AcdEvent => ({ type: 'call.answered', at, callId: `c${at}`, queueId: 'q', agentId, waitMs: 0 });
const ended = (at: number, agentId: string, talkMs: number): AcdEvent => ({ type: 'call.ended', at, callId: `c${at}`, queueId: 'q', kind: 'call', agentId, talkMs });
const offline = { state: 'offline', reason: '' } as const;

t.test('a day with changes: contiguous spans from the day start, working time, calls', async (t) => {
  const events = [
    state(9 * H, 'a1', 'offline', 'available', 'login'),
    state(9 * H, 'a2', 'offline', 'available'),
    answered(10 * H, 'a1'),
    state(10 * H, 'a1', 'available', 'on-call'),
    answered(10 * H, 'a2'),
    ended(11 * H, 'a1', H),
    state(11 * H, 'a1', 'on-call', 'break', 'lunch'),
    state(12 * H, 'a1', 'break', 'offline'),
  ];
  const day = foldWorkday('a1', 0, 24 * H, events, { state: 'offline', reason: '' });
  t.same(
    day.timeline.map((s) => [s.state, s.from / H, s.to / H]),
    [
      ['offline', 0, 9],
      ['available', 9, 10],
      ['on-call', 10, 11],
      ['break', 11, 12],
      ['offline', 12, 24],
    ],
  );
  t.equal(day.timeline[3].reason, 'lunch');
  t.equal(day.workingMs, 3 * H);
  t.same([day.calls, day.talkMs], [1, H], "only a1's call");
  t.same(day.byState, { offline: 21 * H, available: H, 'on-call': H, break: H });
});

t.test('no change within the day: the state from the next change after it, else the current one', async (t) => {
  const later = [state(30 * H, 'a1', 'dnd', 'available')];
  t.same(foldWorkday('a1', 0, 24 * H, later, offline).timeline.map((s) => s.state), ['dnd'], 'dnd all day, as the next change says');
  t.same(foldWorkday('a1', 0, 24 * H, [], { state: 'break', reason: 'rest' }).timeline, [{ state: 'break', reason: 'rest', from: 0, to: 24 * H }]);
  t.equal(foldWorkday('a1', 0, 24 * H, [], offline).workingMs, 0);
});

t.test('events before the day are skipped and a span crossing its end is cut there', async (t) => {
  const events = [state(-H, 'a1', 'offline', 'available'), state(20 * H, 'a1', 'available', 'break'), state(26 * H, 'a1', 'break', 'offline')];
  const day = foldWorkday('a1', 0, 24 * H, events, offline);
  t.same(day.timeline.map((s) => [s.state, s.from / H, s.to / H]), [['available', 0, 20], ['break', 20, 24]]);
  t.equal(day.workingMs, 24 * H);
});
