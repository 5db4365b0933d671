// Tasks of the shown agents: overdue, planned, and who has no open task; plan a new one, mark
// one done, remove one. Overdue is judged against the ticking clock, so a task turns overdue
// on screen when its time passes. Changes by others (an agent marking a task done, another
// supervisor) arrive as task.* stream events.
import { memo } from 'preact/compat';
import { useState } from 'preact/hooks';
import { request, type Session } from '../../api';
import { time } from '../../format';
import { useNow, useResource, type LiveStream } from '../../live';
import type { StreamEvent, TaskView } from '../../types';

/** The agents the tasks are about (the screen's filtered list). */
export type Roster = { id: string; name: string }[];

const KINDS: TaskView['kind'][] = ['callback', 'missed-call', 'custom'];
const isTask = (e: StreamEvent) => e.type.startsWith('task.');

/** "HH:MM" today in local time as epoch milliseconds (an earlier time makes the task overdue at once). */
function dueFrom(hhmm: string, now: number): number {
  const [h, m] = hhmm.split(':').map(Number);
  const d = new Date(now);
  d.setHours(h, m, 0, 0);
  return d.getTime();
}

export const Tasks = memo(function Tasks({ session, stream, agents }: { session: Session; stream: LiveStream; agents: Roster }) {
  const [tasks, patch] = useResource<TaskView[]>(stream, session.token, '/api/tasks', isTask);
  const [error, setError] = useState('');
  const [draft, setDraft] = useState({ agentId: '', title: '', kind: 'custom' as TaskView['kind'], due: '' });
  const now = useNow(5000);
  if (!tasks) return null;

  const names = new Map(agents.map((a) => [a.id, a.name]));
  const shown = tasks.filter((t) => names.has(t.agentId));
  const open = shown.filter((t) => !t.done);
  const overdue = open.filter((t) => t.dueAt < now);
  const planned = open.filter((t) => t.dueAt >= now);
  const busy = new Set(open.map((t) => t.agentId));
  const idle = agents.filter((a) => !busy.has(a.id));

  const act = <T,>(method: string, path: string, body: unknown, then: (r: T) => void) => {
    setError('');
    request<T>(session.token, method, path, body).then(then, (e: Error) => setError(e.message));
  };
  const replace = (t: TaskView) => patch((l) => l.map((x) => (x.id === t.id ? t : x)));
  const add = (e: Event) => {
    e.preventDefault();
    const body = { agentId: draft.agentId, title: draft.title, kind: draft.kind, dueAt: dueFrom(draft.due, Date.now()) };
    act<TaskView>('POST', '/api/tasks', body, (t) => {
      patch((l) => [...l, t].sort((a, b) => a.dueAt - b.dueAt));
      setDraft({ ...draft, title: '' });
    });
  };
  const row = (t: TaskView) => (
    <tr data-task={t.id}>
      <td class="timer">{time(t.dueAt)}</td>
      <td>{names.get(t.agentId)}</td>
      <td>
        {t.title} <small class="muted">{t.kind}</small>
      </td>
      <td>
        <button onClick={() => act<TaskView>('PATCH', `/api/tasks/${encodeURIComponent(t.id)}`, { done: true }, replace)}>Done</button>{' '}
        <button onClick={() => act('DELETE', `/api/tasks/${encodeURIComponent(t.id)}`, undefined, () => patch((l) => l.filter((x) => x.id !== t.id)))}>Remove</button>
      </td>
    </tr>
  );
  const section = (title: string, status: TaskView['status'], list: TaskView[]) => (
    <>
      <h3>
        {title} <small data-testid={`${status}-count`}>{list.length}</small>
      </h3>
      <table class={`list stack ${status}`}>
        <tbody>{list.map(row)}</tbody>
      </table>
    </>
  );
  return (
    <section class="card tasks" data-testid="tasks">
      <h2>Tasks</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {section('Overdue', 'overdue', overdue)}
      {section('Planned', 'planned', planned)}
      <h3>
        Without tasks <small data-testid="idle-count">{idle.length}</small>
      </h3>
      <p class="idle" data-testid="without-tasks">
        {idle.map((a) => a.name).join(', ') || '—'}
      </p>
      <form class="new-task" onSubmit={add}>
        <select name="task-agent" required value={draft.agentId} onChange={(e) => setDraft({ ...draft, agentId: e.currentTarget.value })}>
          <option value="">agent…</option>
          {agents.map((a) => (
            <option value={a.id}>{a.name}</option>
          ))}
        </select>
        <select name="task-kind" value={draft.kind} onChange={(e) => setDraft({ ...draft, kind: e.currentTarget.value as TaskView['kind'] })}>
          {KINDS.map((k) => (
            <option value={k}>{k}</option>
          ))}
        </select>
        <input name="task-title" required placeholder="Task" value={draft.title} onInput={(e) => setDraft({ ...draft, title: e.currentTarget.value })} />
        <input name="task-due" type="time" required value={draft.due} onInput={(e) => setDraft({ ...draft, due: e.currentTarget.value })} />
        <button type="submit">Add task</button>
      </form>
    </section>
  );
});
