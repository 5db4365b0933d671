// An agent's workday folded from the ACD's events (the event log is the source of truth): the
// timeline of states, working time (logged in), calls answered and talk time.
import type { AcdEvent } from './events.js';
import type { AgentState } from './types.js';

export interface StateSpan {
  state: AgentState;
  reason: string;
  from: number;
  to: number;
}

export interface Workday {
  agentId: string;
  from: number;
  to: number;
  timeline: StateSpan[];
  /** Time in any state but offline. */
  workingMs: number;
  /** Calls answered in the interval. */
  calls: number;
  /** Talk time of the calls that ended in the interval. */
  talkMs: number;
  /** Time per state. */
  byState: Partial<Record<AgentState, number>>;
}

/**
 * Folds `events` (oldest first, from `from` on; later ones are read only as far as needed) for
 * one agent. The state at `from` is the `prev` of the agent's first state change after it
 * (even one after `to`); with no change since, it is `current`, the agent's state now.
 */
export function foldWorkday(agentId: string, from: number, to: number, events: Iterable<AcdEvent>, current: { state: AgentState; reason: string }): Workday {
  const day: Workday = { agentId, from, to, timeline: [], workingMs: 0, calls: 0, talkMs: 0, byState: {} };
  let open: StateSpan | null = null;
  const close = (at: number) => {
    if (!open) return;
    open.to = Math.max(open.from, Math.min(at, to));
    if (open.to > open.from) day.timeline.push(open);
  };
  for (const e of events) {
    if (e.at < from) continue;
    const ownState = e.type === 'agent.state' && e.agentId === agentId;
    if (e.at >= to) {
      if (open) break;
      if (ownState) open = { state: e.prev, reason: '', from, to: from };
      continue;
    }
    if (ownState) {
      if (!open) open = { state: e.prev, reason: '', from, to: from };
      close(e.at);
      open = { state: e.state, reason: e.reason, from: e.at, to: e.at };
    } else if (e.type === 'call.answered' && e.agentId === agentId) day.calls++;
    else if (e.type === 'call.ended' && e.agentId === agentId) day.talkMs += e.talkMs;
  }
  open ??= { ...current, from, to: from };
  close(to);
  for (const span of day.timeline) {
    const ms = span.to - span.from;
    day.byState[span.state] = (day.byState[span.state] ?? 0) + ms;
    if (span.state !== 'offline') day.workingMs += ms;
  }
  return day;
}
