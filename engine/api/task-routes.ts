// REST routes of agents' tasks (engine/store/task-book.ts). Supervisors plan tasks for the
// agents of their groups and see theirs, admins all; an agent sees their own tasks and may
// only mark them done or open again.
import { AcdError, type Acd } from '../acd/index.js';
import type { TaskBook } from '../store/task-book.js';
import { TASK_STATUSES, taskStatus, type Task, type TaskInput, type TaskStatus } from '../store/task-types.js';
import type { Tokens } from './auth.js';
import { HttpError, type ApiRequest, type Route } from './http.js';
import { Scope } from './scope.js';

function input(body: unknown): TaskInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
  return body as TaskInput;
}

const withStatus = (task: Task, now: number) => ({ ...task, status: taskStatus(task, now) });

export function taskRoutes(d: { acd: Acd; tokens: Tokens; tasks: TaskBook }): Record<string, Route> {
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
      return withStatus(tasks.create(body, scope.principal.name), Date.now());
    },
    'PATCH /api/tasks/:id': (req) => {
      const scope = scoped(req);
      const task = visibleTask(scope, req.params.id);
      const body = input(req.body);
      if (scope.principal.role === 'agent' && Object.keys(body).some((k) => k !== 'done')) throw new HttpError(403, 'forbidden', 'an agent may only mark a task done or open');
      assignable(scope, body.agentId);
      return withStatus(tasks.update(task.id, body, scope.principal.agentId ?? scope.principal.name), Date.now());
    },
    'DELETE /api/tasks/:id': (req) => {
      const scope = scoped(req, 'supervisor', 'admin');
      tasks.remove(visibleTask(scope, req.params.id).id);
      return { ok: true };
    },
  };
}
