// REST routes of agents' tasks (engine/store/task-book.ts). Supervisors plan tasks for the
// agents of their groups and see theirs, admins all; an agent sees their own tasks and may
// only mark them done or open again. Every change goes on the WebSocket stream as
// task.created / task.updated / task.removed to whoever may see the task.
import { AcdError, type Acd } from '../acd/index.js';
import type { TaskBook } from '../store/task-book.js';
import { TASK_STATUSES, taskStatus, type Task, type TaskInput, type TaskStatus } from '../store/task-types.js';
import type { Tokens } from './auth.js';
import type { EventStream } from './event-stream.js';
import { HttpError, type ApiRequest, type Route } from './http.js';
import { Scope } from './scope.js';

function input(body: unknown): TaskInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
  return body as TaskInput;
}

const withStatus = (task: Task, now: number) => ({ ...task, status: taskStatus(task, now) });

export function taskRoutes(d: { acd: Acd; tokens: Tokens; tasks: TaskBook; stream: EventStream }): Record<string, Route> {
  const { acd, tokens, tasks } = d;
  const scoped = (req: ApiRequest, ...roles: ('agent' | 'supervisor' | 'admin')[]) => new Scope(acd, tokens.require(req.token, ...roles));
  const sees = (scope: Scope, task: Task) => (scope.principal.role === 'admin' ? true : scope.seesAgentId(task.agentId));
  const visibleTask = (scope: Scope, id: string) => {
    const task = tasks.get(id);
    if (!sees(scope, task)) throw new AcdError('not-found', `no task ${id}`);
    return task;
  };
  const assignable = (scope: Scope, agentId: unknown) => {
    if (typeof agentId === 'string' && !scope.seesAgentId(agentId)) throw new AcdError('not-found', `no agent ${agentId}`);
  };
  /** Streams the change to whoever saw the task before it or sees it after (a task moved to another agent). */
  const announce = (type: 'task.created' | 'task.updated' | 'task.removed', task: Task, before: Task = task) => {
    const at = Date.now();
    d.stream.publish({ type, at, task: withStatus(task, at) }, (scope) => sees(scope, task) || sees(scope, before));
    return withStatus(task, at);
  };

  return {
    // ?status=planned|overdue|done and ?agentId= narrow the list; ordered by due time.
    'GET /api/tasks': (req) => {
      const scope = scoped(req);
      const status = req.query.get('status');
      if (status !== null && !TASK_STATUSES.includes(status as TaskStatus)) throw new HttpError(400, 'invalid', `status must be one of ${TASK_STATUSES.join(', ')}`);
      const agentId = req.query.get('agentId');
      const now = Date.now();
      return tasks
        .list((t) => sees(scope, t) && (agentId === null || t.agentId === agentId) && (status === null || taskStatus(t, now) === status))
        .map((t) => withStatus(t, now));
    },
    'POST /api/tasks': (req) => {
      const scope = scoped(req, 'supervisor', 'admin');
      const body = input(req.body);
      assignable(scope, body.agentId);
      return announce('task.created', tasks.create(body, scope.principal.name));
    },
    'PATCH /api/tasks/:id': (req) => {
      const scope = scoped(req);
      const task = visibleTask(scope, req.params.id);
      const body = input(req.body);
      if (scope.principal.role === 'agent' && Object.keys(body).some((k) => k !== 'done')) throw new HttpError(403, 'forbidden', 'an agent may only mark a task done or open');
      assignable(scope, body.agentId);
      return announce('task.updated', tasks.update(task.id, body, scope.principal.agentId ?? scope.principal.name), task);
    },
    'DELETE /api/tasks/:id': (req) => {
      const scope = scoped(req, 'supervisor', 'admin');
      const task = visibleTask(scope, req.params.id);
      tasks.remove(task.id);
      announce('task.removed', task);
      return { ok: true };
    },
  };
}
