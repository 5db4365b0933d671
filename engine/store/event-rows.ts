// Writing buffered event rows into the log's `events` table, shared by the writer worker
// (event-writer-worker.ts) and the engine thread when it writes itself (no worker, or after
// the worker failed).
import type Database from 'better-sqlite3';

/** Values per row in a batch: ts, type, call_id, data. */
export const FIELDS = 4;
/** Rows per multi-row INSERT: 200 parameters, far below SQLite's limit on bound variables. */
const ROWS_PER_INSERT = 50;

/** A batch of rows, flat: the FIELDS values of each row in turn, in append order. */
export type RowBatch = (number | string | null)[];

export class RowWriter {
  private readonly insert: Database.Statement;
  /** INSERT of ROWS_PER_INSERT rows in one statement (a flush under load has hundreds). */
  private readonly insertMany: Database.Statement;
  private readonly writeAll: (batch: RowBatch) => void;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO events (ts, type, call_id, data) VALUES (?, ?, ?, ?)');
    this.insertMany = db.prepare(`INSERT INTO events (ts, type, call_id, data) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`);
    // One transaction per batch; rows keep their order (ids ascend as appended): whole
    // statements first, then the rest one by one.
    this.writeAll = db.transaction((batch: RowBatch) => {
      const chunk = ROWS_PER_INSERT * FIELDS;
      let at = 0;
      for (; at + chunk <= batch.length; at += chunk) this.insertMany.run(batch.slice(at, at + chunk));
      for (; at < batch.length; at += FIELDS) this.insert.run(batch[at], batch[at + 1], batch[at + 2], batch[at + 3]);
    });
  }

  write(batch: RowBatch): void {
    if (batch.length) this.writeAll(batch);
  }
}
