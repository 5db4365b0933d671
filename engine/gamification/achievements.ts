// Achievements: judged from the event log when a day (or week) ends, granted once per agent
// and period, and kept as events ("gamify.achievement.*") so the history survives restarts.
// Any past period can be judged again on request; grants already given are not repeated.
// The judging itself (a scan of the period's events) runs in a worker thread (judging.ts).
import { AcdError } from '../acd/index.js';
import type { EventLog } from '../store/event-log.js';
import { builtinAchievements, type AchievementDef } from './achievement-rules.js';
import { Judging } from './judging.js';
import { periodOf, previousPeriod, PERIODS, type Period, type PeriodKind } from './periods.js';
import type { Standing } from './standings.js';

export type { Standing };

export interface Grant {
  achievementId: string;
  name: string;
  agentId: string;
  period: PeriodKind;
  periodStart: number;
  /** When it was granted. */
  at: number;
  detail: Record<string, number>;
}

export interface AchievementsOptions {
  sprinterSeconds: number;
  now?: () => number;
  onGrant?: (grant: Grant) => void;
  /** A scheduled judgement that failed (the worker died, the log could not be read). */
  onError?: (err: unknown) => void;
  /** The standing is recomputed (a scan of the day's log) at most this often (default 60 s); every screen shares it. */
  standingTtlMs?: number;
}

const T = {
  defined: 'gamify.achievement.defined',
  removed: 'gamify.achievement.removed',
  granted: 'gamify.achievement.granted',
  judged: 'gamify.period.judged',
};

const grantKey = (g: { achievementId: string; agentId: string; periodStart: number }) => `${g.achievementId}/${g.agentId}/${g.periodStart}`;

export class Achievements {
  private readonly builtins: AchievementDef[];
  private readonly custom = new Map<string, AchievementDef>();
  private readonly grants: Grant[] = [];
  private readonly granted = new Set<string>();
  private readonly judged = new Set<string>();
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  /** The shared standing (a request made while one is computed waits for it). */
  private standingCache: { at: number; list: Promise<Standing[]> } | null = null;
  private readonly judging: Judging;

  constructor(
    private readonly log: EventLog,
    private readonly opts: AchievementsOptions,
  ) {
    this.now = opts.now ?? Date.now;
    this.builtins = builtinAchievements(opts.sprinterSeconds);
    this.judging = new Judging(log);
    for (const { type, data } of log.scan({ typePrefix: 'gamify.' })) {
      const d = data as Record<string, unknown>;
      if (type === T.defined) this.custom.set((d.definition as AchievementDef).id, d.definition as AchievementDef);
      else if (type === T.removed) this.custom.delete(String(d.id));
      else if (type === T.granted) this.remember(d as unknown as Grant);
      else if (type === T.judged) this.judged.add(`${d.kind}/${d.start}`);
    }
  }

  definitions(): AchievementDef[] {
    return [...this.builtins, ...this.custom.values()];
  }

  define(def: AchievementDef): AchievementDef {
    this.custom.set(def.id, def);
    this.log.append(T.defined, { definition: def });
    return def;
  }

  remove(id: string): void {
    if (!this.custom.has(id)) throw new AcdError('not-found', `no admin-defined achievement ${id}`);
    this.custom.delete(id);
    this.log.append(T.removed, { id });
  }

  /** Judges a finished (or, for a test of the past, any) period and grants what was earned. */
  async judge(period: Period): Promise<Grant[]> {
    const earned = await this.compute(period);
    // From here on synchronous: two judgements of one period cannot both grant.
    const out: Grant[] = [];
    for (const w of earned) {
      if (this.granted.has(grantKey({ ...w, periodStart: period.start }))) continue;
      const grant: Grant = { achievementId: w.achievementId, name: w.name, agentId: w.agentId, period: period.kind, periodStart: period.start, at: this.now(), detail: w.detail };
      this.remember(grant);
      this.log.append(T.granted, { ...grant });
      this.opts.onGrant?.(grant);
      out.push(grant);
    }
    this.judged.add(`${period.kind}/${period.start}`);
    this.log.append(T.judged, { kind: period.kind, start: period.start });
    return out;
  }

  /** Who is on course for each achievement in the current day and week (nothing is granted). */
  standing(): Promise<Standing[]> {
    const now = this.now();
    if (this.standingCache && now - this.standingCache.at < (this.opts.standingTtlMs ?? 60_000)) return this.standingCache.list;
    const list = Promise.all(PERIODS.map((kind) => this.compute(periodOf(kind, now)))).then((lists) => lists.flat());
    this.standingCache = { at: now, list };
    // A failed computation is not kept: the next request tries again.
    list.catch(() => {
      if (this.standingCache?.list === list) this.standingCache = null;
    });
    return list;
  }

  history(filter: { agentIds?: ReadonlySet<string>; from?: number; to?: number } = {}): Grant[] {
    return this.grants.filter((g) => (!filter.agentIds || filter.agentIds.has(g.agentId)) && g.periodStart >= (filter.from ?? 0) && g.periodStart <= (filter.to ?? Infinity));
  }

  /** Judges the last day and week if that has not happened yet, then each period as it ends. */
  start(): void {
    const catchUp = () => {
      for (const kind of PERIODS) {
        const p = previousPeriod(kind, this.now());
        if (!this.judged.has(`${kind}/${p.start}`)) this.judge(p).catch((err: unknown) => this.opts.onError?.(err));
      }
    };
    const schedule = () => {
      const now = this.now();
      this.timer = setTimeout(
        () => {
          catchUp();
          schedule();
        },
        periodOf('day', now).end - now + 1000,
      );
      this.timer.unref();
    };
    catchUp();
    schedule();
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    await this.judging.close();
  }

  private async compute(period: Period): Promise<Standing[]> {
    const defs = this.definitions().filter((d) => d.period === period.kind);
    if (defs.length === 0) return [];
    return this.judging.standings({ period, defs, now: this.now(), sprinterMs: this.opts.sprinterSeconds * 1000 });
  }

  private remember(grant: Grant): void {
    this.grants.push(grant);
    this.granted.add(grantKey(grant));
  }
}
