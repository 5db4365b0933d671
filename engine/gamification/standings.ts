// Who earns each achievement in one period, judged from the event log: one pass gathers the
// agents' facts (facts.ts), then each definition's rule picks its winners. Pure over the log, so
// it runs the same in the engine or in the judging worker (judge-worker.ts).
import type { EventLogReader } from '../store/event-log.js';
import { winners, type AchievementDef, type Winner } from './achievement-rules.js';
import { gameEvents } from './events.js';
import { gatherFacts } from './facts.js';
import type { Period } from './periods.js';

export interface Standing extends Winner {
  achievementId: string;
  name: string;
}

/** What a judgement needs besides the log: the period's definitions, the time, the Sprinter limit. */
export interface StandingsRequest {
  period: Period;
  defs: AchievementDef[];
  now: number;
  sprinterMs: number;
}

/** A call offered just after the period began may have been queued (its kind logged) before it. */
const WINDOW_MARGIN_MS = 3600_000;

export function standings(log: EventLogReader, r: StandingsRequest): Standing[] {
  if (r.defs.length === 0) return [];
  const facts = gatherFacts(gameEvents(log, r.period.start - WINDOW_MARGIN_MS), r.period, r.now, r.sprinterMs);
  return r.defs.flatMap((def) => winners(def, facts.values()).map((w) => ({ achievementId: def.id, name: def.name, ...w })));
}
