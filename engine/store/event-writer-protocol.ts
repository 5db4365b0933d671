// What the event log's engine thread (event-writer.ts) and its writer worker
// (event-writer-worker.ts) share: the worker's start data, the messages and the shared cells.
import type { RowBatch } from './event-rows.js';

/** Cells of the shared Int32Array. */
export const WRITTEN = 0;
export const FAILED = 1;

export interface EventWriterData {
  file: string;
  /** Two Int32 cells: WRITTEN (the number of the last batch committed) and FAILED. */
  shared: SharedArrayBuffer;
  /** How long a write waits for a lock another connection holds (SQLite's busy timeout). */
  busyTimeoutMs: number;
}

/** What the engine thread posts: a batch to write, numbered from 1, or 'stop'. */
export type EventWriterMessage = { seq: number; rows: RowBatch } | 'stop';

/** What the worker posts when it fails, before it ends. */
export interface EventWriterFailure {
  failed: string;
}
