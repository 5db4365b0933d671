// The event log's writer thread (event-writer.ts starts it): its own connection to the log's
// file writes each batch the engine thread hands over in one transaction, then publishes the
// batch's number in the shared cell WRITTEN, which the engine thread waits on before it reads.
// SQLite's automatic checkpoint stays on for this connection, so copying the WAL into the
// database file, fsync included, happens on this thread too. On a failure it raises FAILED,
// reports why and ends: the engine thread writes what was not committed.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { RowWriter } from './event-rows.js';
import { FAILED, WRITTEN, type EventWriterData, type EventWriterFailure, type EventWriterMessage } from './event-writer-protocol.js';

const { file, shared, busyTimeoutMs } = workerData as EventWriterData;
const cells = new Int32Array(shared);
const db = new Database(file, { fileMustExist: true, timeout: busyTimeoutMs });
db.pragma('synchronous = NORMAL');
const rows = new RowWriter(db);

const end = (): void => {
  db.close();
  parentPort!.close();
};

parentPort!.on('message', (message: EventWriterMessage) => {
  if (message === 'stop') return end();
  if (Atomics.load(cells, FAILED)) return;
  try {
    rows.write(message.rows);
  } catch (err) {
    Atomics.store(cells, FAILED, 1);
    Atomics.notify(cells, WRITTEN);
    parentPort!.postMessage({ failed: err instanceof Error ? err.message : String(err) } satisfies EventWriterFailure);
    return end();
  }
  Atomics.store(cells, WRITTEN, message.seq);
  Atomics.notify(cells, WRITTEN);
});
