// The supervisor workplace: the agents of the supervisor's groups with state, activity and its
// duration (ticking), counts and percentages per state, filter by group and search by name;
// one-click listen / whisper / barge / take over on a live call; tasks; the workday card.
// A state event re-renders only its agent's row and the counts (supervisor/agent-store.ts), so
// a thousand agents under a stream of events stay responsive (bench/console-bench.ts).
import { memo } from 'preact/compat';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Session } from '../api';
import { activityLabel, duration, percent, STATE_LABEL } from '../format';
import { useEvents, useNow, useResource, type LiveStream } from '../live';
import { AGENT_STATES, type AgentView, type StreamEvent, type SupervisionView } from '../types';
import { AgentStore, useAgent, useStore } from './supervisor/agent-store';
import { MonitorButtons, useMonitor, type MonitorActions } from './supervisor/monitor';
import { Tasks } from './supervisor/Tasks';
import { WorkdayCard } from './supervisor/WorkdayCard';

// State changes are applied from the event itself; offers and answers (ringing) need a re-read.
const touchesAgents = (e: StreamEvent) => e.type === 'agent.defined' || e.type === 'agent.removed' || e.type === 'call.offered' || e.type === 'call.offer-result' || e.type === 'call.answered' || e.type === 'outbound.answered';
const byName = new Intl.Collator();
/** How long state events are gathered before they are applied together. */
const BATCH_MS = 15;

/** Feeds `agent.state` events to the store; events arriving together are applied together. */
function useStatePatches(stream: LiveStream, store: AgentStore): void {
  const queued = useRef<StreamEvent[]>([]);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  useEvents(stream, (e) => {
    if (e.type !== 'agent.state') return;
    queued.current.push(e);
    timer.current ??= setTimeout(() => {
      timer.current = null;
      store.apply(queued.current.splice(0));
    }, BATCH_MS);
  });
}

function Since({ at }: { at: number }) {
  const now = useNow();
  return <td class="timer">{duration(now - at)}</td>;
}

interface RowProps {
  store: AgentStore;
  id: string;
  byCall: Map<string, SupervisionView>;
  pending: string | null;
  actions: MonitorActions;
  onOpen: (id: string) => void;
}

const AgentRow = memo(function AgentRow({ store, id, byCall, pending, actions, onOpen }: RowProps) {
  const a = useAgent(store, id);
  if (!a) return null;
  return (
    <tr data-agent={a.id}>
      <td>
        <button class="link-button" onClick={() => onOpen(a.id)} title="Workday card">
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
        <MonitorButtons agent={a} supervision={a.callId ? byCall.get(a.callId) : undefined} pending={a.callId !== null && pending === a.callId} actions={actions} />
      </td>
    </tr>
  );
});

const Counts = memo(function Counts({ store, ids }: { store: AgentStore; ids: string[] }) {
  useStore(store, 'any');
  const n: Partial<Record<string, number>> = {};
  for (const id of ids) {
    const state = store.get(id)?.state;
    if (state) n[state] = (n[state] ?? 0) + 1;
  }
  return (
    <div class="counts" data-testid="state-counts">
      {AGENT_STATES.map((s) => (
        <div class={`count state ${s}`} data-state={s}>
          <b>{n[s] ?? 0}</b> {STATE_LABEL[s]} <small>{percent(n[s] ?? 0, ids.length)}</small>
        </div>
      ))}
    </div>
  );
});

export function Supervisor({ session, stream }: { session: Session; stream: LiveStream }) {
  const store = useMemo(() => new AgentStore(), []);
  const [agents] = useResource<AgentView[]>(stream, session.token, '/api/agents', touchesAgents);
  useEffect(() => {
    if (agents) store.replace(agents);
  }, [agents]);
  useStatePatches(stream, store);
  // Re-rendered when the roster changes (who is listed where), not with every state change.
  useStore(store, 'roster');
  const [group, setGroup] = useState('');
  const [search, setSearch] = useState('');
  const [opened, setOpened] = useState<string | null>(null);
  const monitor = useMonitor(session, stream);

  if (!store.loaded) return <p>Loading…</p>;
  const all = store.all();
  const allGroups = [...new Set(all.flatMap((a) => a.groups))].sort();
  const needle = search.trim().toLowerCase();
  const shown = all
    .filter((a) => (!group || a.groups.includes(group)) && (!needle || a.name.toLowerCase().includes(needle) || a.extension.includes(needle)))
    .sort((a, b) => byName.compare(a.name, b.name));
  const sections = (group ? [group] : allGroups).map((g) => ({ name: g, members: shown.filter((a) => a.groups.includes(g)).map((a) => a.id) })).filter((s) => s.members.length > 0);
  const card = opened ? store.get(opened) : undefined;
  return (
    <div class="supervisor">
      <div class="filters">
        <label>
          Group{' '}
          <select name="group" value={group} onChange={(e) => setGroup(e.currentTarget.value)}>
            <option value="">all groups</option>
            {allGroups.map((g) => (
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
      <Counts store={store} ids={shown.map((a) => a.id)} />
      {card && <WorkdayCard session={session} stream={stream} agent={card} onClose={() => setOpened(null)} />}
      {sections.map(({ name, members }) => (
        <section class="card" data-group={name}>
          <h2>
            {name} <small>{members.length} agents</small>
          </h2>
          <table class="list agents stack">
            <tbody>
              {members.map((id) => (
                <AgentRow key={id} store={store} id={id} byCall={monitor.byCall} pending={monitor.pending} actions={monitor.actions} onOpen={setOpened} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
      <Tasks session={session} stream={stream} agents={shown.map((a) => ({ id: a.id, name: a.name }))} />
    </div>
  );
}
