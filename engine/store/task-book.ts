// Supervisors' tasks for agents (PRODUCT.md, supervisor workplace: planned, overdue, agents
// without tasks): who does what by when, and whether it is done. Every change is appended to
// the event log as the task's full new version ("task.saved") or its removal ("task.removed"),
// so the book is rebuilt from the log after a restart.
import { randomUUID } from 'node:crypto';
import { AcdError } from '../acd/index.js';
import type { EventLog } from './event-log.js';
import { TASK_KINDS, type Task, type TaskInput } from './task-types.js';

function invalid(message: string): never {
  throw new AcdError('invalid', message);
}

function checked(input: TaskInput): TaskInput {
  const out: TaskInput = {};
  if (input.kind !== undefined) out.kind = TASK_KINDS.includes(input.kind) ? input.kind : invalid(`kind must be one of ${TASK_KINDS.join(', ')}`);
  if (input.title !== undefined) out.title = typeof input.title === 'string' && input.title.trim() && input.title.length <= 200 ? input.title.trim() : invalid('title must be a non-empty string of at most 200 characters');
  if (input.agentId !== undefined) out.agentId = typeof input.agentId === 'string' && input.agentId ? input.agentId : invalid('agentId must be a non-empty string');
  if (input.dueAt !== undefined) out.dueAt = Number.isSafeInteger(input.dueAt) && input.dueAt > 0 ? input.dueAt : invalid('dueAt must be epoch milliseconds');
  if (input.missedId !== undefined) out.missedId = input.missedId === null || (typeof input.missedId === 'string' && input.missedId) ? input.missedId : invalid('missedId must be a string or null');
  if (input.done !== undefined) out.done = typeof input.done === 'boolean' ? input.done : invalid('done must be true or false');
  return out;
}

export class TaskBook {
  private readonly tasks = new Map<string, Task>();

  constructor(
    private readonly log: EventLog,
    private readonly now: () => number = Date.now,
  ) {
    for (const e of log.scan({ typePrefix: 'task.' })) {
      const data = e.data as { task?: Task; id?: string };
      if (e.type === 'task.saved' && data.task) this.tasks.set(data.task.id, data.task);
      else if (e.type === 'task.removed' && data.id) this.tasks.delete(data.id);
    }
  }

  list(filter: (t: Task) => boolean = () => true): Task[] {
    return [...this.tasks.values()].filter(filter).sort((a, b) => a.dueAt - b.dueAt);
  }

  get(id: string): Task {
    const task = this.tasks.get(id);
    if (!task) throw new AcdError('not-found', `no task ${id}`);
    return task;
  }

  create(input: TaskInput, by: string): Task {
    const c = checked(input);
    if (c.title === undefined || c.agentId === undefined || c.dueAt === undefined) invalid('title, agentId and dueAt are required');
    const now = this.now();
    const done = c.done ?? false;
    const task: Task = {
      id: randomUUID(),
      kind: c.kind ?? 'custom',
      title: c.title,
      agentId: c.agentId,
      dueAt: c.dueAt,
      missedId: c.missedId ?? null,
      createdAt: now,
      createdBy: by,
      done,
      doneAt: done ? now : null,
      doneBy: done ? by : null,
    };
    return this.save(task);
  }

  /** Changes the given fields; marking done (or open again) records when and by whom. */
  update(id: string, input: TaskInput, by: string): Task {
    const task = { ...this.get(id), ...checked(input) };
    if (input.done !== undefined && input.done !== this.get(id).done) {
      task.doneAt = task.done ? this.now() : null;
      task.doneBy = task.done ? by : null;
    }
    return this.save(task);
  }

  remove(id: string): void {
    this.get(id);
    this.tasks.delete(id);
    this.log.append('task.removed', { id });
  }

  private save(task: Task): Task {
    this.tasks.set(task.id, task);
    this.log.append('task.saved', { task });
    return task;
  }
}
