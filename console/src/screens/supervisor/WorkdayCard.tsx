// The per-agent workday card: a day's timeline of states (from the event log), working time,
// calls answered and talk time; today by default (UTC days, as the API counts them). Re-read
// when the agent's state changes.
import { useState } from 'preact/hooks';
import { duration, STATE_LABEL, time } from '../../format';
import { useResource, type LiveStream } from '../../live';
import type { AgentView, Workday } from '../../types';
import type { Session } from '../../api';

export function WorkdayCard({ session, stream, agent, onClose }: { session: Session; stream: LiveStream; agent: AgentView; onClose: () => void }) {
  const [date, setDate] = useState('');
  const path = `/api/agents/${encodeURIComponent(agent.id)}/workday${date ? `?date=${date}` : ''}`;
  const [day] = useResource<Workday>(stream, session.token, path, (e) => e.agentId === agent.id, { debounceMs: 500 });
  const length = day ? Math.max(1, day.to - day.from) : 1;
  return (
    <section class="card workday" data-testid="workday" data-agent-card={agent.id}>
      <h2>
        {agent.name} <small>workday</small> <button onClick={onClose}>Close</button>
      </h2>
      <input type="date" name="workday-date" aria-label="day" max={new Date().toISOString().slice(0, 10)} value={date} onChange={(e) => setDate(e.currentTarget.value)} />
      {!day ? (
        <p>Loading…</p>
      ) : (
        <>
          <dl class="figures">
            <dt>Working time</dt>
            <dd data-testid="working-time">{duration(day.workingMs)}</dd>
            <dt>Calls</dt>
            <dd data-testid="calls">{day.calls}</dd>
            <dt>Talk time</dt>
            <dd data-testid="talk-time">{duration(day.talkMs)}</dd>
          </dl>
          <div class="timeline" aria-label="states over the day">
            {day.timeline.map((s) => (
              <span class={`state ${s.state}`} style={{ width: `${(100 * (s.to - s.from)) / length}%` }} title={`${STATE_LABEL[s.state]} ${time(s.from)}–${time(s.to)}`} />
            ))}
          </div>
          <table class="list spans">
            <tbody>
              {day.timeline
                .filter((s) => s.state !== 'offline')
                .map((s) => (
                  <tr data-span={s.state}>
                    <td class="timer">
                      {time(s.from)}–{time(s.to)}
                    </td>
                    <td>
                      <span class={`state ${s.state}`}>{STATE_LABEL[s.state]}</span> <small class="muted">{s.reason}</small>
                    </td>
                    <td class="timer">{duration(s.to - s.from)}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
