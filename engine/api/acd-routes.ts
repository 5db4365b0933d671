// REST routes of the contact centre: sessions, agents and their states, queues, live calls,
// caller context, missed calls and callbacks, metrics. Every route checks the token's role
// and scope (scope.ts); AcdErrors become 4xx answers in http.ts.
import { AcdError, AcdMetrics, type Acd, type AgentState, type MissedStatus, type Queue, type WaitingItem, MISSED_STATUSES } from '../acd/index.js';
import { AcdJournal } from '../store/acd-journal.js';
import type { EventLog } from '../store/event-log.js';
import { sameSecret, type Principal, type Tokens } from './auth.js';
import { HttpError, type ApiRequest, type Route } from './http.js';
import { time } from './query.js';
import { Scope } from './scope.js';

export interface AcdRouteDeps {
  acd: Acd;
  tokens: Tokens;
  /** SIP users (extension → password): agents log in with their phone's credentials. */
  users: ReadonlyMap<string, string>;
  events: EventLog;
  /** Metrics folded live since `liveFrom`. */
  live: AcdMetrics;
  liveFrom: number;
  dailyPlanCalls: number;
}

export function fields(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'invalid', `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** The live figures, or with `from`/`to` a replay of the event log over that interval. */
export function intervalMetrics(d: Pick<AcdRouteDeps, 'live' | 'events'>, from?: number, to?: number) {
  let metrics = d.live;
  if (from !== undefined || to !== undefined) {
    metrics = new AcdMetrics(from ?? 0);
    for (const e of AcdJournal.events(d.events, to)) metrics.apply(e);
  }
  return metrics.report(to ?? Date.now());
}

function queueView(acd: Acd, q: Queue) {
  const oldest = q.waiting.values().reduce((min, item) => Math.min(min, item.arrivedAt), Infinity);
  return {
    ...q.config,
    waiting: q.waiting.size,
    longestWaitMs: q.waiting.size ? Date.now() - oldest : 0,
    loggedIn: q.loggedIn,
    free: q.free.size,
    members: [...q.members].map((a) => a.id),
    estimatedWaitMs: acd.estimatedWaitMs(q.id, q.waiting.size + 1),
  };
}

function callView(acd: Acd, item: WaitingItem) {
  return {
    callId: item.callId,
    kind: item.kind,
    queueId: item.queueId,
    phase: item.phase,
    priority: item.priority,
    context: item.context,
    arrivedAt: item.arrivedAt,
    agentId: item.agent?.id ?? null,
    ringing: [...item.offers.values()].map((o) => o.agent.id),
    position: acd.position(item.callId),
  };
}

export function acdRoutes(d: AcdRouteDeps): Record<string, Route> {
  const { acd, tokens } = d;
  const scoped = (req: ApiRequest, ...roles: Principal['role'][]) => new Scope(acd, tokens.require(req.token, ...roles));
  const visibleAgent = (scope: Scope, id: string) => {
    const agent = acd.agent(id);
    if (!scope.seesAgent(agent)) throw new AcdError('not-found', `no agent ${id}`);
    return agent;
  };
  const visibleMissed = (scope: Scope, id: string) => {
    const r = acd.missed.get(id);
    if (!scope.seesQueueId(r.queueId)) throw new AcdError('not-found', `no missed call ${id}`);
    return r;
  };
  /** The agent a request acts for: agents act for themselves, others name one in the body. */
  const actingAgent = (scope: Scope, body: Record<string, unknown>) => {
    const p = scope.principal;
    if (p.role === 'agent') return acd.agent(p.agentId!);
    if (typeof body.agentId !== 'string') throw new HttpError(400, 'invalid', 'agentId is required');
    return visibleAgent(scope, body.agentId);
  };
  const setState = (req: ApiRequest, state: AgentState, reason: string) => {
    const scope = scoped(req);
    return acd.setState(visibleAgent(scope, req.params.id).id, state, reason).view();
  };

  return {
    'POST /api/session': (req) => {
      const { extension, password } = fields(req.body);
      if (typeof extension !== 'string' || typeof password !== 'string') throw new HttpError(400, 'invalid', 'extension and password are required');
      const known = d.users.get(extension);
      const agent = acd.agentByExtension(extension);
      if (known === undefined || !sameSecret(known, password) || !agent) throw new HttpError(401, 'unauthorized', 'unknown extension or wrong password');
      const token = tokens.issue({ role: 'agent', name: agent.profile.name, agentId: agent.id });
      return { token, agent: agent.view() };
    },
    'DELETE /api/session': (req) => {
      tokens.require(req.token);
      tokens.revoke(req.token!);
      return { ok: true };
    },
    'GET /api/me': (req) => tokens.require(req.token),
    'GET /api/plan': (req) => {
      tokens.require(req.token);
      return { calls: d.dailyPlanCalls };
    },

    'GET /api/agents': (req) => {
      const scope = scoped(req);
      return acd.allAgents().filter((a) => scope.seesAgent(a)).map((a) => a.view());
    },
    'GET /api/agents/:id': (req) => visibleAgent(scoped(req), req.params.id).view(),
    'PUT /api/agents/:id': (req) => {
      scoped(req, 'admin');
      const body = fields(req.body);
      if (body.id !== undefined && body.id !== req.params.id) throw new HttpError(400, 'invalid', 'the body id differs from the path');
      return acd.defineAgent({ ...body, id: req.params.id }).view();
    },
    'DELETE /api/agents/:id': (req) => {
      scoped(req, 'admin');
      acd.removeAgent(req.params.id);
      return { ok: true };
    },
    'PUT /api/agents/:id/state': (req) => {
      const { state, reason } = fields(req.body);
      if (typeof state !== 'string') throw new HttpError(400, 'invalid', 'state is required');
      if (reason !== undefined && typeof reason !== 'string') throw new HttpError(400, 'invalid', 'reason must be a string');
      return setState(req, state as AgentState, reason ?? '');
    },
    'POST /api/agents/:id/login': (req) => setState(req, 'available', 'login'),
    'POST /api/agents/:id/logout': (req) => setState(req, 'offline', 'logout'),

    'GET /api/queues': (req) => {
      const scope = scoped(req);
      return acd.allQueues().filter((q) => scope.seesQueue(q)).map((q) => queueView(acd, q));
    },
    'GET /api/queues/:id': (req) => {
      const queue = acd.queue(req.params.id);
      if (!scoped(req).seesQueue(queue)) throw new AcdError('not-found', `no queue ${req.params.id}`);
      return queueView(acd, queue);
    },
    'PUT /api/queues/:id': (req) => {
      scoped(req, 'admin');
      const body = fields(req.body);
      if (body.id !== undefined && body.id !== req.params.id) throw new HttpError(400, 'invalid', 'the body id differs from the path');
      return queueView(acd, acd.defineQueue({ ...body, id: req.params.id }));
    },

    'GET /api/calls': (req) => {
      const scope = scoped(req);
      const self = scope.principal.agentId;
      return acd
        .calls()
        .filter((c) => scope.seesQueueId(c.queueId) || (self !== undefined && (c.agent?.id === self || [...c.offers.values()].some((o) => o.agent.id === self))))
        .map((c) => callView(acd, c));
    },
    'POST /api/calls/:callId/context': (req) => {
      const scope = scoped(req);
      const call = acd.call(req.params.callId);
      const own = call.agent !== null && call.agent.id === scope.principal.agentId;
      if (!own && (scope.principal.role === 'agent' || !scope.seesQueueId(call.queueId))) throw new AcdError('not-found', `no call ${req.params.callId} in the ACD`);
      return acd.attachToCall(call.callId, record(req.body, 'the context'));
    },
    'POST /api/context': (req) => {
      scoped(req, 'admin', 'supervisor');
      const { number, context } = fields(req.body);
      if (typeof number !== 'string') throw new HttpError(400, 'invalid', 'number is required');
      acd.attachContext(number, record(context, 'context'));
      return { ok: true };
    },

    'GET /api/missed': (req) => {
      const scope = scoped(req);
      const status = req.query.get('status');
      if (status !== null && !MISSED_STATUSES.includes(status as MissedStatus)) throw new HttpError(400, 'invalid', `status must be one of ${MISSED_STATUSES.join(', ')}`);
      const queueIds = new Set(acd.allQueues().filter((q) => scope.seesQueue(q)).map((q) => q.id));
      return acd.missed.list({ status: (status as MissedStatus | null) ?? undefined, queueIds });
    },
    'GET /api/missed/:id': (req) => visibleMissed(scoped(req), req.params.id),
    'POST /api/missed/:id/take': (req) => {
      const scope = scoped(req);
      const r = visibleMissed(scope, req.params.id);
      return acd.takeCallback(r.id, actingAgent(scope, req.body === undefined ? {} : fields(req.body)).id);
    },
    'POST /api/missed/:id/cancel': (req) => {
      const scope = scoped(req);
      const r = visibleMissed(scope, req.params.id);
      return acd.cancelMissed(r.id, scope.principal.agentId ?? scope.principal.name);
    },
    'GET /api/callbacks/stats': (req) => {
      const scope = scoped(req, 'admin', 'supervisor');
      return acd.missed.stats().filter((s) => scope.seesAgentId(s.agentId));
    },

    'GET /api/events': (req) => {
      scoped(req, 'admin');
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid', 'limit must be an integer from 1 to 1000');
      return d.events.recent(limit, req.query.get('type') ?? undefined);
    },
    'GET /api/metrics': (req) => {
      const scope = scoped(req, 'admin', 'supervisor');
      const from = time(req.query.get('from'), 'from');
      const to = time(req.query.get('to'), 'to');
      const report = intervalMetrics(d, from, to);
      const groups = scope.principal.role === 'admin' ? report.groups : Object.fromEntries(Object.entries(report.groups).filter(([g]) => scope.principal.groups?.includes(g)));
      return {
        from: from ?? d.liveFrom,
        to: to ?? Date.now(),
        queues: report.queues.filter((q) => scope.seesQueueId(q.queueId)),
        agents: report.agents.filter((a) => scope.seesAgentId(a.agentId)),
        groups,
        missed: Object.fromEntries(Object.entries(report.missed).filter(([q]) => scope.seesQueueId(q))),
      };
    },
  };
}
