// Agents' tasks as plain data, shared with the web console (console/src/types.ts); the book
// that keeps them is task-book.ts.
export const TASK_KINDS = ['callback', 'missed-call', 'custom'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface Task {
  id: string;
  kind: TaskKind;
  title: string;
  agentId: string;
  dueAt: number;
  /** The missed-call record a callback task is about, if any. */
  missedId: string | null;
  createdAt: number;
  createdBy: string;
  done: boolean;
  doneAt: number | null;
  doneBy: string | null;
}

/** What a caller may set; everything else is the book's. */
export type TaskInput = Partial<Pick<Task, 'kind' | 'title' | 'agentId' | 'dueAt' | 'missedId' | 'done'>>;

/** Planned: open and due later; overdue: open and past due. */
export type TaskStatus = 'planned' | 'overdue' | 'done';
export const TASK_STATUSES: readonly TaskStatus[] = ['planned', 'overdue', 'done'];

export function taskStatus(task: Task, now: number): TaskStatus {
  if (task.done) return 'done';
  return task.dueAt < now ? 'overdue' : 'planned';
}
