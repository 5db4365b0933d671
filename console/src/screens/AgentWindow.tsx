// The agent's own window ("единое окно"): state switcher with reasons, a number to call, their
// calls with the caller card, topic, comments, call script, transfer and hang-up (screens/agent/), the calls
// waiting in their queues to take, and the missed calls to call back.
import { useEffect, useState } from 'preact/hooks';
import { request, type Session } from '../api';
import { duration, STATE_LABEL, STATE_REASONS, time } from '../format';
import { useNow, useResource, type LiveStream } from '../live';
import { MyAchievements } from './Achievements';
import { SELECTABLE_STATES, type AgentState, type AgentView, type CallView, type MissedRecord, type StreamEvent } from '../types';
import { ActiveCall, type Act } from './agent/ActiveCall';
import { DialBox } from './agent/DialBox';

const isCall = (e: StreamEvent) => e.type.startsWith('call.');
const isMissed = (e: StreamEvent) => e.type.startsWith('missed.');

export function AgentWindow({ session, stream }: { session: Session; stream: LiveStream }) {
  const id = session.principal.agentId!;
  const [me, patchMe] = useResource<AgentView>(stream, session.token, `/api/agents/${encodeURIComponent(id)}`, (e) => e.agentId === id || isCall(e));
  const [calls] = useResource<CallView[]>(stream, session.token, '/api/calls', isCall);
  const [missed, patchMissed] = useResource<MissedRecord[]>(stream, session.token, '/api/missed', isMissed);
  const [error, setError] = useState('');
  const now = useNow();

  // The call the agent was on last stays on screen after it ends, to finish its notes in wrap-up.
  const [last, setLast] = useState<{ callId: string; arrivedAt: number } | null>(null);
  const act: Act = (method, path, body) => {
    setError('');
    return request<any>(session.token, method, path, body).catch((e: Error) => {
      setError(e.message);
      return undefined;
    });
  };
  const setState = (state: AgentState, reason: string) => act<AgentView>('PUT', `/api/agents/${encodeURIComponent(id)}/state`, { state, reason }).then((a) => a && patchMe(() => a));
  const callBack = (m: MissedRecord) => act<MissedRecord>('POST', `/api/missed/${encodeURIComponent(m.id)}/take`, {}).then((r) => r && patchMissed((list) => list.map((x) => (x.id === r.id ? r : x))));
  const take = (c: CallView) => act('POST', `/api/calls/${encodeURIComponent(c.callId)}/take`, {});

  const mine = (calls ?? []).filter((c) => c.agentId === id || c.ringing.includes(id));
  const connected = mine.find((c) => c.agentId === id);
  useEffect(() => {
    if (connected && connected.callId !== last?.callId) setLast({ callId: connected.callId, arrivedAt: connected.arrivedAt });
  }, [connected?.callId]);

  if (!me) return <p>Loading…</p>;
  const waiting = (calls ?? []).filter((c) => c.phase === 'waiting');
  const ended = last && !mine.some((c) => c.callId === last.callId) ? last : null;
  return (
    <div class="agent-window">
      {error && <p class="error" role="alert">{error}</p>}
      <section class="card">
        <h2>
          {me.name} <small>ext. {me.extension}</small>
        </h2>
        <p>
          <span class={`state ${me.state}`} data-testid="my-state">
            {STATE_LABEL[me.state]}
          </span>{' '}
          {me.reason && <em>({me.reason})</em>} <span class="timer">{duration(now - me.since)}</span>
          {me.pending && <small> → {STATE_LABEL[me.pending.state]} after the call</small>}
        </p>
        <StateSwitcher current={me.state} onChoose={setState} />
      </section>

      <DialBox me={me} act={act} />

      <MyAchievements session={session} stream={stream} />

      <section class="card">
        <h2>My calls</h2>
        {mine.length === 0 && !ended && <p class="muted">No call offered to you right now.</p>}
        {mine.map((c) => (
          <ActiveCall key={c.callId} session={session} stream={stream} callId={c.callId} stage={c.agentId === id ? 'connected' : 'ringing'} arrivedAt={c.arrivedAt} now={now} act={act} />
        ))}
        {ended && <ActiveCall key={ended.callId} session={session} stream={stream} callId={ended.callId} stage="ended" arrivedAt={ended.arrivedAt} now={now} act={act} />}
      </section>

      <section class="card">
        <h2>Waiting in my queues ({waiting.length})</h2>
        {waiting.map((c) => (
          <WaitingCall call={c} now={now} label={`#${c.position ?? '?'} in ${c.queueId}`} canTake={me.state !== 'offline' && !me.callId && !me.ringing} onTake={() => take(c)} />
        ))}
      </section>

      <section class="card">
        <h2>Missed calls</h2>
        <MissedList records={missed ?? []} me={id} onCallBack={callBack} />
      </section>
    </div>
  );
}

function StateSwitcher({ current, onChoose }: { current: AgentState; onChoose: (s: AgentState, reason: string) => void }) {
  const [reason, setReason] = useState<Record<string, string>>({});
  return (
    <div class="switcher">
      {SELECTABLE_STATES.map((s) => {
        const reasons = STATE_REASONS[s];
        return (
          <div class="choice">
            <button class={`state ${s}${s === current ? ' current' : ''}`} onClick={() => onChoose(s, reason[s] ?? reasons?.[0] ?? '')}>
              {STATE_LABEL[s]}
            </button>
            {reasons && (
              <select aria-label={`reason for ${STATE_LABEL[s]}`} value={reason[s] ?? reasons[0]} onChange={(e) => setReason({ ...reason, [s]: e.currentTarget.value })}>
                {reasons.map((r) => (
                  <option value={r}>{r}</option>
                ))}
              </select>
            )}
          </div>
        );
      })}
    </div>
  );
}

/** A caller waiting in one of the agent's queues; a free agent gets them anyway, so "Take" is for agents on break, dnd or outbound. */
function WaitingCall({ call, now, label, canTake, onTake }: { call: CallView; now: number; label: string; canTake: boolean; onTake: () => void }) {
  const ctx = call.context;
  const extra = { ...ctx.ivr, ...ctx.attached };
  return (
    <div class="caller" data-testid="caller-card">
      <div class="number">{ctx.from}</div>
      <div class="muted">
        {call.kind === 'callback' ? 'callback' : 'to ' + ctx.dnis} · {label} · waiting {duration(now - call.arrivedAt)}
      </div>
      {Object.keys(extra).length > 0 && (
        <dl>
          {Object.entries(extra).map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </>
          ))}
        </dl>
      )}
      <button class="take" disabled={!canTake} onClick={onTake}>
        Take
      </button>
    </div>
  );
}

const OPEN = new Set(['not-called-back', 'not-reached']);

function MissedList({ records, me, onCallBack }: { records: MissedRecord[]; me: string; onCallBack: (m: MissedRecord) => void }) {
  if (records.length === 0) return <p class="muted">No missed calls.</p>;
  const sorted = [...records].sort((a, b) => Number(OPEN.has(b.status)) - Number(OPEN.has(a.status)) || b.missedAt - a.missedAt);
  return (
    <table class="list stack">
      <thead>
        <tr>
          <th>Number</th>
          <th>When</th>
          <th>Status</th>
          <th>Tried</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {sorted.map((m) => (
          <tr data-testid="missed-row">
            <td>{m.number}</td>
            <td>{time(m.missedAt)}</td>
            <td>
              <span class={`missed ${m.status}`}>{m.status}</span>
              {m.claimedBy && <div class="claimed">{m.claimedBy === me ? 'you are calling back' : `${m.claimedBy} is calling back`}</div>}
            </td>
            <td>{m.attempts.length} attempts</td>
            <td>
              <button disabled={!OPEN.has(m.status) || m.claimedBy !== null} onClick={() => onCallBack(m)}>
                Call back
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
