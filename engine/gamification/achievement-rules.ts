// What each achievement asks for. The four of the product (PRODUCT.md, Gamification) are built
// in; an admin adds more as rules over an agent's figures of a day or a week, validated here.
import type { AgentFacts } from './facts.js';
import { PERIODS, type PeriodKind } from './periods.js';
import { ValidationError, check } from './validation.js';

export const METRICS = ['answered', 'missedOffers', 'talkMs', 'wrapMs', 'occupancy', 'callbacks', 'topics', 'loggedInMs'] as const;
export type Metric = (typeof METRICS)[number];
export const OPS = ['>=', '>', '<=', '<', '=='] as const;
export type Op = (typeof OPS)[number];

export interface MetricRule {
  metric: Metric;
  op: Op;
  value: number;
  period: PeriodKind;
}

export interface AchievementDef {
  id: string;
  name: string;
  description: string;
  period: PeriodKind;
  builtin: boolean;
  /** Admin-defined achievements only. */
  rule?: MetricRule;
}

export interface Winner {
  agentId: string;
  /** The figures that earned it, shown with the grant. */
  detail: Record<string, number>;
}

export const BUILTIN_IDS = ['sprinter', 'goalkeeper', 'speaker', 'librarian'] as const;

export function builtinAchievements(sprinterSeconds: number): AchievementDef[] {
  return [
    { id: 'sprinter', name: 'Sprinter', description: `Answered every inbound call of the day within ${sprinterSeconds} s`, period: 'day', builtin: true },
    { id: 'goalkeeper', name: 'Goalkeeper', description: 'Missed no external call in the day', period: 'day', builtin: true },
    { id: 'speaker', name: 'Speaker', description: 'Most talk time with clients in the day', period: 'day', builtin: true },
    { id: 'librarian', name: 'Librarian', description: 'Set a topic on every request of the day', period: 'day', builtin: true },
  ];
}

const compare: Record<Op, (a: number, b: number) => boolean> = {
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<=': (a, b) => a <= b,
  '<': (a, b) => a < b,
  '==': (a, b) => a === b,
};

/** The agents who earned `def` with the period's `facts`. Nobody earns anything without work in the period. */
export function winners(def: AchievementDef, facts: Iterable<AgentFacts>): Winner[] {
  const all = [...facts];
  switch (def.id) {
    case 'sprinter':
      return all.filter((f) => f.inboundOffers > 0 && f.fastAnswers === f.inboundOffers).map((f) => ({ agentId: f.agentId, detail: { calls: f.fastAnswers } }));
    case 'goalkeeper':
      return all.filter((f) => f.inboundOffers > 0 && f.missedOffers === 0).map((f) => ({ agentId: f.agentId, detail: { calls: f.inboundOffers } }));
    case 'speaker': {
      const most = Math.max(0, ...all.map((f) => f.talkMs));
      return most > 0 ? all.filter((f) => f.talkMs === most).map((f) => ({ agentId: f.agentId, detail: { talkMs: f.talkMs } })) : [];
    }
    case 'librarian':
      return all.filter((f) => f.requests > 0 && f.requestsWithTopic === f.requests).map((f) => ({ agentId: f.agentId, detail: { requests: f.requests } }));
    default: {
      const rule = def.rule!;
      return all
        .filter((f) => f.loggedInMs > 0 && f[rule.metric] !== null && compare[rule.op](f[rule.metric]!, rule.value))
        .map((f) => ({ agentId: f.agentId, detail: { [rule.metric]: f[rule.metric]! } }));
    }
  }
}

/** An admin's achievement from a request body, or a ValidationError listing every problem. */
export function parseAchievement(id: string, body: unknown): AchievementDef {
  const c = check(body, 'the achievement');
  c.id(id);
  if ((BUILTIN_IDS as readonly string[]).includes(id)) c.problem(`"${id}" is a built-in achievement`);
  const name = c.text('name', 80);
  const description = c.optionalText('description', 400) ?? '';
  const r = check(c.field('rule'), 'rule');
  const metric = r.oneOf('metric', METRICS);
  const op = r.oneOf('op', OPS);
  const value = r.number('value', { min: 0 });
  const period = r.oneOf('period', PERIODS, 'day');
  c.absorb(r);
  c.done();
  return { id, name, description, period, builtin: false, rule: { metric, op, value, period } };
}

export { ValidationError };
