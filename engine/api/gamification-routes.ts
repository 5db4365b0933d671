// REST routes of achievements and quests (issue 6). Admins define them; agents see their own
// grants and progress, supervisors their groups' agents, admins everyone.
import { AcdError, type Acd } from '../acd/index.js';
import { parseAchievement } from '../gamification/achievement-rules.js';
import type { Achievements } from '../gamification/achievements.js';
import { periodOf, PERIODS, type PeriodKind } from '../gamification/periods.js';
import { parseQuest, type Quests } from '../gamification/quests.js';
import { fields } from './acd-routes.js';
import { time } from './query.js';
import type { Tokens } from './auth.js';
import { HttpError, type ApiRequest, type Route } from './http.js';
import { Scope } from './scope.js';

export interface GamificationRouteDeps {
  acd: Acd;
  tokens: Tokens;
  achievements: Achievements;
  quests: Quests;
  now?: () => number;
}

export function gamificationRoutes(d: GamificationRouteDeps): Record<string, Route> {
  const { acd, tokens, achievements, quests } = d;
  const now = d.now ?? Date.now;
  const scoped = (req: ApiRequest, ...roles: Scope['principal']['role'][]) => new Scope(acd, tokens.require(req.token, ...roles));
  /** The agents the caller may see, narrowed to `?agentId=` if given; null = everyone (admin). */
  const agentsFor = (req: ApiRequest): ReadonlySet<string> | null => {
    const scope = scoped(req);
    const asked = req.query.get('agentId');
    const p = scope.principal;
    if (asked !== null) {
      const allowed = p.role === 'admin' || (p.role === 'agent' ? asked === p.agentId : scope.seesAgentId(asked));
      if (!allowed) throw new AcdError('not-found', `no agent ${asked}`);
      return new Set([asked]);
    }
    if (p.role === 'admin') return null;
    return new Set(acd.allAgents().filter((a) => scope.seesAgent(a)).map((a) => a.id));
  };
  const visible = <T extends { agentId: string }>(set: ReadonlySet<string> | null, items: T[]) => (set ? items.filter((i) => set.has(i.agentId)) : items);

  return {
    'GET /api/achievements': (req) => {
      tokens.require(req.token);
      return achievements.definitions();
    },
    'PUT /api/achievements/:id': (req) => {
      tokens.require(req.token, 'admin');
      return achievements.define(parseAchievement(req.params.id, req.body));
    },
    'DELETE /api/achievements/:id': (req) => {
      tokens.require(req.token, 'admin');
      achievements.remove(req.params.id);
      return { ok: true };
    },
    'GET /api/achievements/grants': (req) => {
      const agents = agentsFor(req);
      return achievements.history({ agentIds: agents ?? undefined, from: time(req.query.get('from'), 'from'), to: time(req.query.get('to'), 'to') });
    },
    'GET /api/achievements/standing': async (req) => visible(agentsFor(req), await achievements.standing()),
    // Judges a finished day or week (e.g. one from before this feature existed).
    'POST /api/achievements/judge': async (req) => {
      tokens.require(req.token, 'admin');
      const body = fields(req.body);
      if (!PERIODS.includes(body.period as PeriodKind)) throw new HttpError(400, 'invalid', `period must be one of ${PERIODS.join(', ')}`);
      const at = typeof body.at === 'number' ? body.at : time(typeof body.at === 'string' ? body.at : null, 'at');
      if (at === undefined) throw new HttpError(400, 'invalid', 'at (a time inside the period) is required');
      const period = periodOf(body.period as PeriodKind, at);
      if (period.end > now()) throw new HttpError(409, 'conflict', 'the period has not ended yet');
      return { period, granted: await achievements.judge(period) };
    },

    'GET /api/quests': (req) => {
      tokens.require(req.token);
      return quests.definitions();
    },
    'PUT /api/quests/:id': (req) => {
      tokens.require(req.token, 'admin');
      return quests.define(parseQuest(req.params.id, req.body, now()));
    },
    'DELETE /api/quests/:id': (req) => {
      tokens.require(req.token, 'admin');
      quests.remove(req.params.id);
      return { ok: true };
    },
    'GET /api/quests/progress': (req) => quests.progressOf(agentsFor(req), now()),
  };
}
