// Turns KPI readings into alert transitions. Each rule watches one or more subjects (a queue,
// an agent); a subject's alert fires once its condition has held for the rule's hold-down
// (`forMs`) without a break, and clears as soon as the condition stops holding (or the subject
// is gone). Pure state: the caller supplies readings and the time.
import type { AcdMetrics } from '../acd/index.js';
import { holds, type AlertRule, type Kpi } from './rules.js';

export type MetricsReport = ReturnType<AcdMetrics['report']>;

export interface Reading {
  /** "queue:<id>" or "agent:<id>". */
  subject: string;
  queueId?: string;
  agentId?: string;
  /** null: no figure yet (e.g. service level before any call). */
  value: number | null;
}

export interface Alert {
  id: string;
  ruleId: string;
  name: string;
  kpi: Kpi;
  op: AlertRule['op'];
  threshold: number;
  subject: string;
  queueId?: string;
  agentId?: string;
  /** The reading when it fired (kept up to date while active). */
  value: number | null;
  firedAt: number;
  clearedAt: number | null;
}

export type Transition = { kind: 'fired' | 'cleared'; alert: Alert };

/** The readings a rule watches in a live metrics report at `now`. */
export function readings(rule: AlertRule, report: MetricsReport, now: number): Reading[] {
  if (rule.kpi === 'stateMs') {
    return report.agents
      .filter((a) => !rule.agentId || a.agentId === rule.agentId)
      .map((a) => ({ subject: `agent:${a.agentId}`, agentId: a.agentId, value: a.state === rule.state ? now - a.since : null }));
  }
  const kpi = rule.kpi;
  return report.queues.filter((q) => !rule.queueId || q.queueId === rule.queueId).map((q) => ({ subject: `queue:${q.queueId}`, queueId: q.queueId, value: q[kpi] }));
}

export class AlertEvaluator {
  /** ruleId → subject → since when the condition holds, and the alert if it fired. */
  private readonly watch = new Map<string, Map<string, { since: number; alert: Alert | null }>>();

  /** An alert that was active when the engine stopped: it clears if its condition no longer holds. */
  resume(alert: Alert): void {
    this.subjects(alert.ruleId).set(alert.subject, { since: alert.firedAt, alert });
  }

  active(): Alert[] {
    return [...this.watch.values()].flatMap((m) => [...m.values()].flatMap((w) => (w.alert ? [w.alert] : [])));
  }

  step(rule: AlertRule, current: Reading[], now: number): Transition[] {
    const out: Transition[] = [];
    const subjects = this.subjects(rule.id);
    const seen = new Set<string>();
    for (const r of current) {
      if (r.value === null || !holds[rule.op](r.value, rule.value)) continue;
      seen.add(r.subject);
      const w = subjects.get(r.subject) ?? subjects.set(r.subject, { since: now, alert: null }).get(r.subject)!;
      if (w.alert) w.alert.value = r.value;
      else if (now - w.since >= rule.forMs) {
        w.alert = { id: `${rule.id}:${r.subject}:${now}`, ruleId: rule.id, name: rule.name, kpi: rule.kpi, op: rule.op, threshold: rule.value, subject: r.subject, queueId: r.queueId, agentId: r.agentId, value: r.value, firedAt: now, clearedAt: null };
        out.push({ kind: 'fired', alert: w.alert });
      }
    }
    for (const [subject, w] of subjects) {
      if (seen.has(subject)) continue;
      subjects.delete(subject);
      if (w.alert) out.push({ kind: 'cleared', alert: { ...w.alert, clearedAt: now } });
    }
    return out;
  }

  /** A removed rule's alerts clear. */
  drop(ruleId: string, now: number): Transition[] {
    const subjects = this.watch.get(ruleId);
    this.watch.delete(ruleId);
    return [...(subjects?.values() ?? [])].flatMap((w) => (w.alert ? [{ kind: 'cleared' as const, alert: { ...w.alert, clearedAt: now } }] : []));
  }

  private subjects(ruleId: string) {
    return this.watch.get(ruleId) ?? this.watch.set(ruleId, new Map()).get(ruleId)!;
  }
}
