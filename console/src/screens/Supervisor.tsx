// The supervisor workplace: the agents of the supervisor's groups with state, activity and its
// duration (ticking), counts and percentages per state, filter by group and search by name;
// one-click listen / whisper / barge / take over on a live call; tasks; the workday card.
// Rows are memoised and state events patch only their agent, so a thousand agents under a
// stream of events re-render one row per event (bench/console-bench.ts).
import { memo } from 'preact/compat';
import { useMemo, useState } from 'preact/hooks';
import type { Session } from '../api';
import { activityLabel, duration, percent, STATE_LABEL } from '../format';
import { useEvents, useNow, useResource, type LiveStream } from '../live';
import { AGENT_STATES, type AgentView, type StreamEvent, type SupervisionView } from '../types';
import { MonitorButtons, useMonitor, type MonitorActions } from './supervisor/monitor';
import { Tasks } from './supervisor/Tasks';
import { WorkdayCard } from './supervisor/WorkdayCard';

// State changes are applied from the event itself; offers and answers (ringing) need a re-read.
const touchesAgents = (e: StreamEvent) => e.type === 'agent.defined' || e.type === 'agent.removed' || e.type === 'call.offered' || e.type === 'call.offer-result' || e.type === 'call.answered';

/** The agent after an `agent.state` event (the ACD's activity rule: engine/acd/agent.ts). */
function afterState(a: AgentView, e: StreamEvent): AgentView {
  const state = e.state!;
  const callId = state === 'on-call' || state === 'wrap-up' ? (e.callId ?? a.callId) : null;
  const activity = state === 'on-call' ? 'talking' : state === 'available' && !a.ringing && !callId ? 'free' : 'busy';
  return { ...a, state, reason: e.reason ?? '', since: e.at, callId, activity };
}

function Since({ at }: { at: number }) {
  const now = useNow();
  return <td class="timer">{duration(now - at)}</td>;
}

interface RowProps {
  agent: AgentView;
  supervision: SupervisionView | undefined;
  pending: boolean;
  actions: MonitorActions;
  onOpen: (id: string) => void;
}

const AgentRow = memo(function AgentRow({ agent: a, supervision, pending, actions, onOpen }: RowProps) {
  return (
    <tr data-agent={a.id}>
      <td>
        <button class="link-like" onClick={() => onOpen(a.id)} title="Workday card">
          {a.name}
        </button>{' '}
        <small class="muted">{a.extension}</small>
      </td>
      <td>
        <span class={`state ${a.state}`} data-testid="agent-state">
          {STATE_LABEL[a.state]}
        </span>
        {a.reason && <small class="muted"> {a.reason}</small>}
      </td>
      <td data-testid="activity">{activityLabel(a)}</td>
      <Since at={a.since} />
      <td class="monitor">
        <MonitorButtons agent={a} supervision={supervision} pending={pending} actions={actions} />
      </td>
    </tr>
  );
});

export function Supervisor({ session, stream }: { session: Session; stream: LiveStream }) {
  const [agents, patch] = useResource<AgentView[]>(stream, session.token, '/api/agents', touchesAgents);
  const [group, setGroup] = useState('');
  const [search, setSearch] = useState('');
  const [opened, setOpened] = useState<string | null>(null);
  const monitor = useMonitor(session, stream);
  useEvents(stream, (e) => e.type === 'agent.state' && patch((list) => list.map((a) => (a.id === e.agentId ? afterState(a, e) : a))));

  const groups = [...new Set((agents ?? []).flatMap((a) => a.groups))].sort();
  const needle = search.trim().toLowerCase();
  const shown = (agents ?? []).filter((a) => (!group || a.groups.includes(group)) && (!needle || a.name.toLowerCase().includes(needle) || a.extension.includes(needle)));
  const listed = group ? [group] : groups;
  // The task panel re-renders only when the shown agents (not their states) change.
  const rosterKey = shown.map((a) => `${a.id}\t${a.name}`).join('\n');
  const roster = useMemo(() => shown.map((a) => ({ id: a.id, name: a.name })), [rosterKey]);
  if (!agents) return <p>Loading…</p>;
  const card = opened ? agents.find((a) => a.id === opened) : undefined;
  return (
    <div class="supervisor">
      <div class="filters">
        <label>
          Group{' '}
          <select name="group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            <option value="">all groups</option>
            {groups.map((g) => (
              <option value={g}>{g}</option>
            ))}
          </select>
        </label>
        <input name="search" type="search" placeholder="Search agent" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        <label title="The phone the engine rings when you listen, whisper, barge or take over">
          My phone <input name="phone" size={8} inputMode="numeric" value={monitor.phone} onInput={(e) => monitor.setPhone(e.currentTarget.value.trim())} />
        </label>
      </div>
      {monitor.error && (
        <p class="error" role="alert">
          {monitor.error}
        </p>
      )}
      <div class="counts" data-testid="state-counts">
        {AGENT_STATES.map((s) => {
          const n = shown.filter((a) => a.state === s).length;
          return (
            <div class={`count state ${s}`} data-state={s}>
              <b>{n}</b> {STATE_LABEL[s]} <small>{percent(n, shown.length)}</small>
            </div>
          );
        })}
      </div>
      {card && <WorkdayCard session={session} stream={stream} agent={card} onClose={() => setOpened(null)} />}
      {listed.map((g) => {
        const members = shown.filter((a) => a.groups.includes(g)).sort((a, b) => a.name.localeCompare(b.name));
        if (members.length === 0) return null;
        return (
          <section class="card" data-group={g}>
            <h2>
              {g} <small>{members.length} agents</small>
            </h2>
            <table class="list agents stack">
              <tbody>
                {members.map((a) => (
                  <AgentRow
                    key={a.id}
                    agent={a}
                    supervision={a.callId ? monitor.byCall.get(a.callId) : undefined}
                    pending={a.callId !== null && monitor.pending === a.callId}
                    actions={monitor.actions}
                    onOpen={setOpened}
                  />
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
      <Tasks session={session} stream={stream} agents={roster} />
    </div>
  );
}
