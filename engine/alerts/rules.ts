// Alert rules on live KPIs, e.g. "service level below 0.8 for 5 minutes", "more than 5
// waiting", "an agent on break longer than 15 minutes", and where each alert goes. Read from
// untrusted JSON here; every problem is named in one 400 answer.
import { AGENT_STATES, type AgentState } from '../acd/index.js';
import { check } from '../gamification/validation.js';

/** Queue KPIs (engine/acd/README.md, Metrics) and one per agent: time in the current state. */
export const QUEUE_KPIS = ['serviceLevel', 'waitingNow', 'longestWaitMs', 'abandonmentRate', 'asaMs', 'ahtMs'] as const;
export const AGENT_KPIS = ['stateMs'] as const;
export const KPIS = [...QUEUE_KPIS, ...AGENT_KPIS] as const;
export type Kpi = (typeof KPIS)[number];
export const ALERT_OPS = ['<', '<=', '>', '>='] as const;
export type AlertOp = (typeof ALERT_OPS)[number];

export interface AlertRule {
  id: string;
  name: string;
  kpi: Kpi;
  op: AlertOp;
  value: number;
  /** Only this queue (queue KPIs) or this agent (stateMs); absent: each one separately. */
  queueId?: string;
  agentId?: string;
  /** stateMs: the state measured (default break). */
  state?: AgentState;
  /** Hold-down: the condition must hold this long before the alert fires. */
  forMs: number;
  channels: { console: boolean; webhook?: string; email?: string[] };
}

const EMAIL = /^[^\s<>()\\,;:"@]+@[^\s<>()\\,;:"@]+$/;

export const holds: Record<AlertOp, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

export function parseAlertRule(id: string, body: unknown): AlertRule {
  const c = check(body, 'the rule');
  c.id(id);
  const name = c.text('name', 120);
  const kpi = c.oneOf('kpi', KPIS);
  const op = c.oneOf('op', ALERT_OPS);
  const value = c.number('value', { min: 0 });
  const forMs = c.number('forMs', { min: 0, max: 86_400_000, fallback: 0 });
  const rule: AlertRule = { id, name, kpi, op, value, forMs, channels: { console: true } };
  const agentKpi = (AGENT_KPIS as readonly string[]).includes(kpi);
  if (c.has('queueId')) {
    rule.queueId = c.text('queueId', 200);
    if (agentKpi) c.problem('queueId applies to queue KPIs only');
  }
  if (c.has('agentId')) {
    rule.agentId = c.text('agentId', 200);
    if (!agentKpi) c.problem('agentId applies to stateMs only');
  }
  if (agentKpi) rule.state = c.oneOf('state', AGENT_STATES, 'break');
  else if (c.has('state')) c.problem('state applies to stateMs only');

  const ch = check(c.field('channels') ?? {}, 'channels');
  rule.channels.console = ch.boolean('console', true);
  if (ch.has('webhook')) {
    const url = ch.text('webhook', 2000);
    let ok = false;
    try {
      ok = ['http:', 'https:'].includes(new URL(url).protocol);
    } catch {
      // reported below
    }
    if (!ok) ch.problem('channels.webhook must be an http or https URL');
    rule.channels.webhook = url;
  }
  if (ch.has('email')) {
    const to = ch.array('email', { min: 1, max: 20 });
    if (!to.every((a) => typeof a === 'string' && EMAIL.test(a))) ch.problem('channels.email must be mail addresses');
    rule.channels.email = to as string[];
  }
  c.absorb(ch);
  c.done();
  return rule;
}
