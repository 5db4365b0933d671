// The facts achievements are judged on, from plain events: an agent's own outbound calls
// (click-to-call) count as talk with clients, like inbound calls and callbacks.
import t from 'tap';
import { gatherFacts } from '../../../engine/gamification/facts.js';
import { periodOf } from '../../../engine/gamification/periods.js';

t.test("talk with clients includes the agent's connected outbound calls", async (t) => {
  const day = periodOf('day', Date.UTC(2026, 0, 5));
  const at = day.start + 9 * 3600_000;
  const events = [
    { type: 'agent.defined', at: day.start, agent: { id: 'a1', groups: ['g'] } },
    { type: 'agent.state', at, agentId: 'a1', state: 'available', reason: '', prev: 'offline' },
    { type: 'call.ended', at: at + 60_000, callId: 'c1', queueId: 'q', kind: 'call', agentId: 'a1', talkMs: 50_000 },
    { type: 'outbound.ended', at: at + 120_000, callId: 'o1', agentId: 'a1', number: '+1', result: 'connected', talkMs: 30_000 },
    { type: 'outbound.ended', at: at + 130_000, callId: 'o2', agentId: 'a1', number: '+2', result: 'no-answer', talkMs: 0 },
  ];
  const facts = gatherFacts(events, day, day.end, 4000);
  t.equal(facts.get('a1')!.talkMs, 80_000);
});
