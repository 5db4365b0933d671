// Alerting: admin-defined rules (kept in the event log as "alert.rule.*"), checked against the
// live metrics on a light timer, with every firing and clearing logged ("alert.fired",
// "alert.cleared") and delivered (delivery.ts). Alerts active when the engine stopped are
// taken up again, so a restart neither repeats them nor forgets to clear them.
import { AcdError } from '../acd/index.js';
import type { EventLog } from '../store/event-log.js';
import { AlertDelivery, type DeliveryDeps } from './delivery.js';
import { AlertEvaluator, readings, type Alert, type MetricsReport, type Transition } from './evaluator.js';
import type { AlertRule } from './rules.js';

export interface AlertsOptions extends DeliveryDeps {
  /** The live metrics at a given time. */
  report: (now: number) => MetricsReport;
  tickMs: number;
  now?: () => number;
}

const T = { defined: 'alert.rule.defined', removed: 'alert.rule.removed', fired: 'alert.fired', cleared: 'alert.cleared', delivery: 'alert.delivery' };
const HISTORY = 200;

export class Alerts {
  private readonly ruleSet = new Map<string, AlertRule>();
  private readonly evaluator = new AlertEvaluator();
  private readonly recent: Alert[] = [];
  private readonly delivery: AlertDelivery;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** Per rule, the last delivery under way: a clearing is never delivered before its firing. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly log: EventLog,
    private readonly opts: AlertsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.delivery = new AlertDelivery({
      ...opts,
      onOutcome: (o) => {
        log.append(T.delivery, { ...o });
        opts.onOutcome?.(o);
      },
    });
    const active = new Map<string, Alert>();
    for (const { type, data } of log.scan({ typePrefix: 'alert.' })) {
      const d = data as Record<string, unknown>;
      if (type === T.defined) this.ruleSet.set((d.rule as AlertRule).id, d.rule as AlertRule);
      else if (type === T.removed) this.ruleSet.delete(String(d.id));
      else if (type === T.fired) active.set((d.alert as Alert).id, d.alert as Alert);
      else if (type === T.cleared) {
        active.delete((d.alert as Alert).id);
        this.remember(d.alert as Alert);
      }
    }
    for (const alert of active.values()) if (this.ruleSet.has(alert.ruleId)) this.evaluator.resume(alert);
  }

  rules(): AlertRule[] {
    return [...this.ruleSet.values()];
  }

  define(rule: AlertRule): AlertRule {
    // A changed rule starts its watch afresh (its threshold or hold-down may differ).
    this.handle(this.evaluator.drop(rule.id, this.now()));
    this.ruleSet.set(rule.id, rule);
    this.log.append(T.defined, { rule });
    return rule;
  }

  remove(id: string): void {
    const rule = this.ruleSet.get(id);
    if (!rule) throw new AcdError('not-found', `no alert rule ${id}`);
    this.handle(this.evaluator.drop(id, this.now()), rule);
    this.ruleSet.delete(id);
    this.log.append(T.removed, { id });
  }

  /** Active alerts, then the most recently cleared, newest first. */
  list(): { active: Alert[]; cleared: Alert[] } {
    return { active: this.evaluator.active(), cleared: [...this.recent].reverse() };
  }

  /** Checks every rule against the live figures now. */
  evaluate(): void {
    const now = this.now();
    const report = this.opts.report(now);
    for (const rule of this.ruleSet.values()) this.handle(this.evaluator.step(rule, readings(rule, report, now), now), rule);
  }

  start(): void {
    this.timer = setInterval(() => this.evaluate(), this.opts.tickMs);
    this.timer.unref();
  }

  /** Stops the timer; resolves when deliveries under way have finished. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all(this.chains.values());
  }

  private handle(transitions: Transition[], rule = transitions.length ? this.ruleSet.get(transitions[0].alert.ruleId) : undefined): void {
    for (const t of transitions) {
      this.log.append(t.kind === 'fired' ? T.fired : T.cleared, { alert: t.alert });
      if (t.kind === 'cleared') this.remember(t.alert);
      if (!rule) continue;
      const job: Promise<void> = (this.chains.get(rule.id) ?? Promise.resolve())
        .then(() => this.delivery.deliver(rule, t))
        .finally(() => this.chains.get(rule.id) === job && this.chains.delete(rule.id));
      this.chains.set(rule.id, job);
    }
  }

  private remember(alert: Alert): void {
    this.recent.push(alert);
    if (this.recent.length > HISTORY) this.recent.shift();
  }
}
