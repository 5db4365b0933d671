// The KPI dashboard's report (GET /api/reports/kpi, built in engine/api/kpi-routes.ts) and its
// tables, shared by the engine's export route and the console's screen and exports.
// Definitions of the figures: engine/acd/README.md (metrics) and engine/reports/README.md.
import type { Column, Table, Value } from './table.js';

export interface KpiFigures {
  offered: number;
  answered: number;
  abandoned: number;
  /** abandoned / offered */
  abandonmentRate: number | null;
  /** answered within the queue's threshold / offered */
  serviceLevel: number | null;
  asaMs: number | null;
  ahtMs: number | null;
  /** Inbound calls that ended, and their mean talk time. */
  handled: number;
  avgInboundTalkMs: number | null;
  /** Callback calls (outbound to missed clients) that ended. */
  callbacks: number;
  /** Calls agents dialled themselves (click-to-call) that ended, and those the client answered. */
  coldOutbound: number;
  coldConnected: number;
  /** Mean talk time of answered outbound calls: callbacks and connected cold calls. */
  avgOutboundTalkMs: number | null;
  /** handled + callbacks + coldConnected */
  processed: number;
  waitingNow: number;
  longestWaitMs: number;
  /** Missed-call records of the interval. */
  missed: number;
  /** Distinct numbers among the interval's missed calls that nobody reached since (not called back, not reached, cancelled). */
  lostClients: number;
  /** Mean lostClients over the same window on earlier days (see README), null without any. */
  lostAverage: number | null;
}

export interface GroupKpi extends KpiFigures {
  group: string;
  /** The queues this group serves (their figures are summed). */
  queues: string[];
}

export interface AgentKpi {
  agentId: string;
  name: string;
  groups: string[];
  state: string;
  answered: number;
  handled: number;
  missedOffers: number;
  avgInboundTalkMs: number | null;
  callbacks: number;
  coldOutbound: number;
  avgOutboundTalkMs: number | null;
  wrapMs: number;
  occupancy: number | null;
}

export interface KpiReport {
  from: number;
  to: number;
  /** True for the live figures (folded as events happen), false for a replay of the log. */
  live: boolean;
  /** All visible queues, each counted once. */
  totals: KpiFigures;
  groups: GroupKpi[];
  /** The visible agents (of `group` when the report was asked for one). */
  agents: AgentKpi[];
}

type Spec<T> = [Column, (row: T) => Value][];

const GROUP_COLUMNS: Spec<GroupKpi> = [
  [{ title: 'Group', kind: 'text' }, (g) => g.group],
  [{ title: 'Offered', kind: 'count' }, (g) => g.offered],
  [{ title: 'Answered', kind: 'count' }, (g) => g.answered],
  [{ title: 'Abandoned', kind: 'count' }, (g) => g.abandoned],
  [{ title: 'Abandonment, %', kind: 'percent' }, (g) => g.abandonmentRate],
  [{ title: 'Service level, %', kind: 'percent' }, (g) => g.serviceLevel],
  [{ title: 'ASA, s', kind: 'seconds' }, (g) => g.asaMs],
  [{ title: 'AHT, s', kind: 'seconds' }, (g) => g.ahtMs],
  [{ title: 'Avg inbound talk, s', kind: 'seconds' }, (g) => g.avgInboundTalkMs],
  [{ title: 'Callbacks', kind: 'count' }, (g) => g.callbacks],
  [{ title: 'Cold outbound', kind: 'count' }, (g) => g.coldOutbound],
  [{ title: 'Avg outbound talk, s', kind: 'seconds' }, (g) => g.avgOutboundTalkMs],
  [{ title: 'Processed', kind: 'count' }, (g) => g.processed],
  [{ title: 'Lost clients', kind: 'count' }, (g) => g.lostClients],
  [{ title: 'Lost, earlier average', kind: 'decimal' }, (g) => g.lostAverage],
  [{ title: 'Waiting now', kind: 'count' }, (g) => g.waitingNow],
  [{ title: 'Longest wait, s', kind: 'seconds' }, (g) => g.longestWaitMs],
];

const AGENT_COLUMNS: Spec<AgentKpi> = [
  [{ title: 'Agent', kind: 'text' }, (a) => a.name],
  [{ title: 'Groups', kind: 'text' }, (a) => a.groups.join(' ')],
  [{ title: 'State', kind: 'text' }, (a) => a.state],
  [{ title: 'Answered', kind: 'count' }, (a) => a.answered],
  [{ title: 'Missed offers', kind: 'count' }, (a) => a.missedOffers],
  [{ title: 'Avg inbound talk, s', kind: 'seconds' }, (a) => a.avgInboundTalkMs],
  [{ title: 'Callbacks', kind: 'count' }, (a) => a.callbacks],
  [{ title: 'Cold outbound', kind: 'count' }, (a) => a.coldOutbound],
  [{ title: 'Avg outbound talk, s', kind: 'seconds' }, (a) => a.avgOutboundTalkMs],
  [{ title: 'Wrap-up, s', kind: 'seconds' }, (a) => a.wrapMs],
  [{ title: 'Occupancy, %', kind: 'percent' }, (a) => a.occupancy],
];

function table<T>(name: string, spec: Spec<T>, rows: T[]): Table {
  return { name, columns: spec.map(([c]) => c), rows: rows.map((r) => spec.map(([, value]) => value(r))) };
}

export const groupsTable = (r: KpiReport): Table => table('groups', GROUP_COLUMNS, r.groups);

/** The agents of one group (the drill-down), or all the report has. */
export const agentsTable = (r: KpiReport, group?: string): Table =>
  table(group ? `agents of ${group}` : 'agents', AGENT_COLUMNS, group ? r.agents.filter((a) => a.groups.includes(group)) : r.agents);
