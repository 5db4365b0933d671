// The per-agent workday card (supervisor workplace): GET /api/agents/:id/workday?date=YYYY-MM-DD
// (a UTC day, today by default) folds that day's ACD events from the event log.
import { AcdError, foldWorkday, type Acd } from '../acd/index.js';
import { AcdJournal } from '../store/acd-journal.js';
import type { EventLog } from '../store/event-log.js';
import type { Tokens } from './auth.js';
import { HttpError, type Route } from './http.js';
import { Scope } from './scope.js';

const DAY_MS = 24 * 3600_000;

function dayStart(raw: string | null, now: number): number {
  if (raw === null) return new Date(now).setUTCHours(0, 0, 0, 0);
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? Date.parse(`${raw}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms)) throw new HttpError(400, 'invalid', 'date must be YYYY-MM-DD');
  return ms;
}

export function workdayRoutes(d: { acd: Acd; tokens: Tokens; events: EventLog }): Record<string, Route> {
  return {
    'GET /api/agents/:id/workday': (req) => {
      const scope = new Scope(d.acd, d.tokens.require(req.token));
      const agent = d.acd.findAgent(req.params.id);
      if (!agent || !scope.seesAgent(agent)) throw new AcdError('not-found', `no agent ${req.params.id}`);
      const now = Date.now();
      const from = dayStart(req.query.get('date'), now);
      if (from > now) throw new HttpError(400, 'invalid', 'date is in the future');
      const events = AcdJournal.events(d.events, undefined, from);
      return foldWorkday(agent.id, from, Math.min(from + DAY_MS, now), events, { state: agent.state, reason: agent.reason });
    },
  };
}
