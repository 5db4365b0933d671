// The supervisor workplace: the agents of the supervisor's groups with state, activity and its
// duration (ticking), counts and percentages per state, filter by group and search by name.
import { useState } from 'preact/hooks';
import type { Session } from '../api';
import { activityLabel, duration, percent, STATE_LABEL } from '../format';
import { useEvents, useNow, useResource, type LiveStream } from '../live';
import { AGENT_STATES, type AgentView, type StreamEvent } from '../types';

// The engine has no routes for supervisor monitoring yet (listen / whisper / barge / take over
// need the call layer's media hear sets); the buttons show where they go and say why they wait.
const MONITOR_ACTIONS = ['Listen', 'Whisper', 'Barge', 'Take over'];
const MONITOR_MISSING = 'Not available yet: the engine has no monitoring routes (listen/whisper/barge/take-over)';

const touchesAgents = (e: StreamEvent) => e.type.startsWith('agent.') || e.type === 'call.offered' || e.type === 'call.offer-result' || e.type === 'call.answered';

export function Supervisor({ session, stream }: { session: Session; stream: LiveStream }) {
  const [agents, patch] = useResource<AgentView[]>(stream, session.token, '/api/agents', touchesAgents);
  const [group, setGroup] = useState('');
  const [search, setSearch] = useState('');
  const now = useNow();
  // State changes apply at once from the event; the debounced re-read brings activity and ringing.
  const onState = (e: StreamEvent) => e.type === 'agent.state' && patch((list) => list.map((a) => (a.id === e.agentId ? { ...a, state: e.state!, reason: e.reason ?? '', since: e.at } : a)));
  useEvents(stream, onState);

  if (!agents) return <p>Loading…</p>;
  const groups = [...new Set(agents.flatMap((a) => a.groups))].sort();
  const needle = search.trim().toLowerCase();
  const shown = agents.filter((a) => (!group || a.groups.includes(group)) && (!needle || a.name.toLowerCase().includes(needle) || a.extension.includes(needle)));
  const listed = group ? [group] : groups;
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
      </div>
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
      {listed.map((g) => {
        const members = shown.filter((a) => a.groups.includes(g)).sort((a, b) => a.name.localeCompare(b.name));
        if (members.length === 0) return null;
        return (
          <section class="card">
            <h2>
              {g} <small>{members.length} agents</small>
            </h2>
            <table class="list agents stack">
              <tbody>
                {members.map((a) => (
                  <tr data-agent={a.id}>
                    <td>
                      {a.name} <small class="muted">{a.extension}</small>
                    </td>
                    <td>
                      <span class={`state ${a.state}`} data-testid="agent-state">
                        {STATE_LABEL[a.state]}
                      </span>
                      {a.reason && <small class="muted"> {a.reason}</small>}
                    </td>
                    <td>{activityLabel(a)}</td>
                    <td class="timer">{duration(now - a.since)}</td>
                    <td class="monitor">
                      {MONITOR_ACTIONS.map((m) => (
                        <button disabled title={MONITOR_MISSING}>
                          {m}
                        </button>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}
