// GET /api/reports/kpi: the KPI dashboard's figures per group and agent for supervisors (their
// groups) and admins, live or over an interval, as JSON or exported: CSV (one table) or XLSX
// (a workbook with both). Figures: engine/reports/README.md.
import { AcdError, type Acd, type MissedRecord } from '../acd/index.js';
import { csv, CSV_TYPE } from '../reports/csv.js';
import { agentsTable, groupsTable, type AgentKpi, type GroupKpi, type KpiFigures, type KpiReport } from '../reports/kpi.js';
import { xlsx, XLSX_TYPE } from '../reports/xlsx.js';
import { intervalMetrics, type AcdRouteDeps } from './acd-routes.js';
import { time } from './query.js';
import { FileReply, HttpError, type Route } from './http.js';
import { Scope } from './scope.js';

const DAY = 86_400_000;
/** Lost clients are compared with their mean over this many earlier windows. */
const COMPARED_WINDOWS = 7;
/** Missed calls whose client nobody has reached since. */
const LOST = new Set(['not-called-back', 'not-reached', 'cancelled']);

type QueueFigures = ReturnType<typeof intervalMetrics>['queues'][number];
type AgentFigures = ReturnType<typeof intervalMetrics>['agents'][number];

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/**
 * Lost clients in the interval (index 0) and in each earlier window: the same clock window
 * moved back by whole days (a day for today or yesterday, a week for a week), as long as the
 * window ends after the log's first event (before it nothing was recorded).
 */
function lostByWindow(records: MissedRecord[], from: number, to: number, logStart: number): number[] {
  const shift = Math.max(1, Math.ceil((to - from) / DAY)) * DAY;
  const counts: number[] = [];
  for (let i = 0; i <= COMPARED_WINDOWS; i++) {
    const [start, end] = [from - i * shift, to - i * shift];
    if (i > 0 && end < logStart) break;
    counts.push(new Set(records.filter((r) => r.missedAt >= start && r.missedAt <= end && LOST.has(r.status)).map((r) => r.number)).size);
  }
  return counts;
}

/** `agents`: whose agent-dialled (cold) calls count here; queues carry the inbound and callback figures. */
function figures(queues: QueueFigures[], agents: AgentFigures[], missed: MissedRecord[], from: number, to: number, logStart: number): KpiFigures {
  const sum = (f: (q: QueueFigures) => number) => queues.reduce((s, q) => s + f(q), 0);
  const sumAgents = (f: (a: AgentFigures) => number) => agents.reduce((s, a) => s + f(a), 0);
  const [offered, answered, abandoned, handled, callbacks] = [sum((q) => q.offered), sum((q) => q.answered), sum((q) => q.abandoned), sum((q) => q.handled), sum((q) => q.callbacksHandled)];
  const [coldOutbound, coldConnected] = [sumAgents((a) => a.outboundDialled), sumAgents((a) => a.outboundConnected)];
  const [lostClients, ...earlier] = lostByWindow(missed, from, to, logStart);
  return {
    offered,
    answered,
    abandoned,
    abandonmentRate: ratio(abandoned, offered),
    serviceLevel: ratio(sum((q) => q.answeredInSl), offered),
    asaMs: ratio(sum((q) => q.waitMs), answered),
    ahtMs: ratio(sum((q) => q.talkMs + q.wrapMs), handled),
    handled,
    avgInboundTalkMs: ratio(sum((q) => q.talkMs), handled),
    callbacks,
    coldOutbound,
    coldConnected,
    avgOutboundTalkMs: ratio(sum((q) => q.callbackTalkMs) + sumAgents((a) => a.outboundTalkMs), callbacks + coldConnected),
    processed: handled + callbacks + coldConnected,
    waitingNow: sum((q) => q.waitingNow),
    longestWaitMs: Math.max(0, ...queues.map((q) => q.longestWaitMs)),
    missed: missed.filter((r) => r.missedAt >= from && r.missedAt <= to).length,
    lostClients,
    lostAverage: earlier.length ? earlier.reduce((s, n) => s + n, 0) / earlier.length : null,
  };
}

function agentRow(acd: Acd, a: AgentFigures): AgentKpi {
  const profile = acd.agent(a.agentId).profile;
  return {
    agentId: a.agentId,
    name: profile.name,
    groups: profile.groups,
    state: a.state,
    answered: a.answered,
    handled: a.handled,
    missedOffers: a.missedOffers,
    avgInboundTalkMs: ratio(a.talkMs, a.handled),
    callbacks: a.callbacksHandled,
    coldOutbound: a.outboundDialled,
    avgOutboundTalkMs: ratio(a.callbackTalkMs + a.outboundTalkMs, a.callbacksHandled + a.outboundConnected),
    wrapMs: a.wrapMs,
    occupancy: a.occupancy,
  };
}

/** The groups a principal may see: a supervisor's own, for an admin every group of a queue or agent. */
function visibleGroups(acd: Acd, scope: Scope): string[] {
  const p = scope.principal;
  if (p.role === 'supervisor') return [...(p.groups ?? [])].sort();
  return [...new Set([...acd.allQueues().flatMap((q) => q.config.groups), ...acd.allAgents().flatMap((a) => a.profile.groups)])].sort();
}

/** Keeps a file name to safe ASCII. */
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function kpiRoutes(d: AcdRouteDeps): Record<string, Route> {
  const { acd, tokens } = d;
  /** When the log begins (the earliest window the lost-clients average may look at). */
  const logStart = () => d.events.firstTs('acd.') ?? Date.now();

  const report = (scope: Scope, from: number | undefined, to: number | undefined, group: string | null): KpiReport => {
    const groups = visibleGroups(acd, scope);
    if (group !== null && !groups.includes(group)) throw new AcdError('not-found', `no group ${group}`);
    const shown = group === null ? groups : [group];
    const metrics = intervalMetrics(d, from, to);
    const [start, end] = [from ?? (to === undefined ? d.liveFrom : 0), to ?? Date.now()];
    const begins = logStart();
    const queues = metrics.queues.filter((q) => scope.seesQueueId(q.queueId));
    const queuesOf = (g: string) => queues.filter((q) => acd.queue(q.queueId).config.groups.includes(g));
    const agents = metrics.agents.filter((a) => scope.seesAgentId(a.agentId));
    const agentsOf = (g: string) => agents.filter((a) => acd.agent(a.agentId).profile.groups.includes(g));
    const figuresOf = (qs: QueueFigures[], as: AgentFigures[]) => figures(qs, as, acd.missed.list({ queueIds: new Set(qs.map((q) => q.queueId)) }), start, end, begins);
    return {
      from: start,
      to: end,
      live: from === undefined && to === undefined,
      totals: group === null ? figuresOf(queues, agents) : figuresOf(queuesOf(group), agentsOf(group)),
      groups: shown.map((g): GroupKpi => ({ group: g, queues: queuesOf(g).map((q) => q.queueId), ...figuresOf(queuesOf(g), agentsOf(g)) })),
      agents: (group === null ? agents : agentsOf(group)).map((a) => agentRow(acd, a)),
    };
  };

  return {
    'GET /api/reports/kpi': (req) => {
      const scope = new Scope(acd, tokens.require(req.token, 'admin', 'supervisor'));
      const q = req.query;
      const [from, to] = [time(q.get('from'), 'from'), time(q.get('to'), 'to')];
      if (from !== undefined && to !== undefined && from > to) throw new HttpError(400, 'invalid', 'from must not be after to');
      const format = q.get('format') ?? 'json';
      const which = q.get('table') ?? 'groups';
      if (!['json', 'csv', 'xlsx'].includes(format)) throw new HttpError(400, 'invalid', 'format must be json, csv or xlsx');
      if (!['groups', 'agents'].includes(which)) throw new HttpError(400, 'invalid', 'table must be groups or agents');
      const group = q.get('group');
      const r = report(scope, from, to, group);
      if (format === 'json') return r;
      const name = `kpi-${day(r.from)}-${day(r.to)}${group === null ? '' : `-${slug(group)}`}`;
      if (format === 'xlsx') return new FileReply(XLSX_TYPE, `${name}.xlsx`, xlsx([groupsTable(r), agentsTable(r)]));
      return new FileReply(CSV_TYPE, `${name}-${which}.csv`, csv(which === 'groups' ? groupsTable(r) : agentsTable(r)));
    },
  };
}
