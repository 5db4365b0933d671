// Alert rules over live KPIs: readings come from the ACD's real metrics; the hold-down must
// pass without a break before an alert fires; it clears when the condition stops holding or
// its subject goes; an alert taken up after a restart is not fired twice. Times are by hand.
import t from 'tap';
import { AcdMetrics, type AcdEvent } from '../../../engine/acd/index.js';
import { AlertEvaluator, readings, type Transition } from '../../../engine/alerts/evaluator.js';
import { parseAlertRule } from '../../../engine/alerts/rules.js';

const S = 1000;
const queued = (callId: string, at: number): AcdEvent => ({ type: 'call.queued', at, callId, queueId: 'q1', kind: 'call', priority: 0, context: { from: '+1', dnis: '1', ivr: {}, attached: {} } });
const abandoned = (callId: string, at: number): AcdEvent => ({ type: 'call.abandoned', at, callId, queueId: 'q1', waitMs: 0 });
const summary = (ts: Transition[]) => ts.map((x) => `${x.kind} ${x.alert.subject} ${x.alert.value}`);

t.test('more than 2 waiting for 5 s: hold-down, fire once, clear; a break restarts the hold-down', async (t) => {
  const rule = parseAlertRule('waiting', { name: 'Queue filling up', kpi: 'waitingNow', op: '>', value: 2, forMs: 5 * S });
  const metrics = new AcdMetrics();
  const ev = new AlertEvaluator();
  const step = (at: number) => summary(ev.step(rule, readings(rule, metrics.report(at), at), at));
  for (const c of ['c1', 'c2', 'c3']) metrics.apply(queued(c, 0));
  t.same(step(0), [], '3 waiting: the hold-down starts');
  metrics.apply(queued('c4', 3 * S));
  t.same(step(3 * S), []);
  t.same(step(5 * S), ['fired queue:q1 4'], 'fires when the condition has held 5 s');
  t.same(step(6 * S), [], 'fires once');
  t.equal(ev.active()[0].firedAt, 5 * S);
  metrics.apply(abandoned('c1', 7 * S));
  metrics.apply(abandoned('c2', 7 * S));
  t.same(step(7 * S), ['cleared queue:q1 4'], 'clears as soon as 2 wait');
  t.same(ev.active(), []);

  metrics.apply(queued('c5', 10 * S)); // 3 waiting again
  t.same(step(10 * S), []);
  metrics.apply(abandoned('c3', 12 * S));
  t.same(step(12 * S), [], 'back to 2: the hold-down is broken');
  metrics.apply(queued('c6', 14 * S));
  t.same(step(14 * S), []);
  t.same(step(18 * S), [], 'only 4 s since it held again');
  t.same(step(19 * S), ['fired queue:q1 3']);
});

t.test('service level below 0.8: no figure before the first call; per queue', async (t) => {
  const rule = parseAlertRule('sl', { name: 'Service level', kpi: 'serviceLevel', op: '<', value: 0.8 });
  const metrics = new AcdMetrics();
  const ev = new AlertEvaluator();
  metrics.apply({ type: 'queue.defined', at: 0, queue: { id: 'q1', serviceLevelMs: 20 * S } } as AcdEvent);
  t.same(readings(rule, metrics.report(0), 0), [{ subject: 'queue:q1', queueId: 'q1', value: null }]);
  t.same(summary(ev.step(rule, readings(rule, metrics.report(0), 0), 0)), [], 'no calls, no service level, no alert');
  metrics.apply(queued('c1', S));
  metrics.apply({ type: 'call.answered', at: 30 * S, callId: 'c1', queueId: 'q1', agentId: 'a1', waitMs: 29 * S });
  t.same(summary(ev.step(rule, readings(rule, metrics.report(30 * S), 30 * S), 30 * S)), ['fired queue:q1 0'], 'answered after 29 s: 0 % in service level');
  t.same(summary(ev.drop('sl', 31 * S)), ['cleared queue:q1 0'], 'removing the rule clears its alerts');
});

t.test('an agent on break longer than 10 minutes; taken up after a restart', async (t) => {
  const rule = parseAlertRule('long-break', { name: 'Long break', kpi: 'stateMs', op: '>', value: 600 * S });
  t.equal(rule.state, 'break', 'break is the default state');
  const metrics = new AcdMetrics();
  metrics.apply({ type: 'agent.defined', at: 0, agent: { id: 'a1', groups: ['g'] } } as AcdEvent);
  metrics.apply({ type: 'agent.defined', at: 0, agent: { id: 'a2', groups: ['g'] } } as AcdEvent);
  metrics.apply({ type: 'agent.state', at: 0, agentId: 'a1', state: 'break', reason: 'lunch', prev: 'offline' });
  metrics.apply({ type: 'agent.state', at: 0, agentId: 'a2', state: 'available', reason: '', prev: 'offline' });
  const ev = new AlertEvaluator();
  const step = (e: AlertEvaluator, at: number) => summary(e.step(rule, readings(rule, metrics.report(at), at), at));
  t.same(step(ev, 600 * S), [], 'exactly 10 minutes is not longer');
  t.same(step(ev, 601 * S), [`fired agent:a1 ${601 * S}`], 'a2, available for as long, is not alerted');
  const [alert] = ev.active();

  const restarted = new AlertEvaluator();
  restarted.resume(alert);
  t.same(step(restarted, 700 * S), [], 'still on break after the restart: not fired again');
  metrics.apply({ type: 'agent.state', at: 710 * S, agentId: 'a1', state: 'available', reason: '', prev: 'break' });
  t.same(step(restarted, 711 * S), [`cleared agent:a1 ${700 * S}`], 'back from the break: cleared');
});

t.test('bad rules are refused with every problem named', async (t) => {
  const problems = (body: unknown) => {
    try {
      parseAlertRule('r', body);
      return [];
    } catch (e) {
      return (e as { problems: string[] }).problems;
    }
  };
  t.same(problems({ name: 'ok', kpi: 'waitingNow', op: '>', value: 3, queueId: 'support', channels: { webhook: 'http://127.0.0.1:9/x', email: ['a@b.c'] } }), []);
  const bad = problems({ name: 'x', kpi: 'waitingNow', op: '!=', value: 'many', forMs: -1, agentId: 'a1', state: 'break', channels: { webhook: 'ftp://x', email: ['not an address'], console: 'yes' } });
  t.equal(bad.length, 8, bad.join(' | '));
  t.match(bad.join('\n'), /op must be one of/);
  t.match(bad.join('\n'), /agentId applies to stateMs only/);
  t.match(bad.join('\n'), /webhook must be an http or https URL/);
  t.match(bad.join('\n'), /email must be mail addresses/);
});
