// The WAL checkpoint worker thread (wal-checkpointer.ts starts it): its own connection to the
// log's file copies what the WAL holds into the database file every `intervalMs`, fsync
// included, off the engine's event loop. PASSIVE: it never waits for the writer or readers, and
// the writer never waits for it (SQLite's WAL allows a checkpoint beside a writer).
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

export interface CheckpointWorkerData {
  file: string;
  intervalMs: number;
}

/** What each checkpoint reports to the main thread (SQLite's wal_checkpoint result). */
export interface CheckpointReport {
  /** Frames in the WAL, and how many of them are now in the database file. */
  walFrames: number;
  checkpointed: number;
}

const { file, intervalMs } = workerData as CheckpointWorkerData;
const db = new Database(file, { fileMustExist: true });

const timer = setInterval(() => {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
  parentPort!.postMessage({ walFrames: result?.log ?? 0, checkpointed: result?.checkpointed ?? 0 } satisfies CheckpointReport);
}, intervalMs);

parentPort!.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
