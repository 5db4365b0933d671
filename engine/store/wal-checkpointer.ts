// Checkpoints a SQLite WAL from a worker thread instead of inside the writer's commits.
// SQLite's automatic checkpoint runs in the commit that takes the WAL past 1,000 pages, on
// whatever thread commits: for the event log that is the event loop, and copying the WAL into
// the database file with its fsync stalled it 23-38 ms every few seconds at 1,500 calls/s
// (bench/RESULTS.md, eighth session). The writer turns its own automatic checkpoint off while
// this runs, and back on if the worker fails, so the WAL never grows without bound.
import { Worker } from 'node:worker_threads';
import type { CheckpointReport, CheckpointWorkerData } from './wal-checkpoint-worker.js';

export interface WalCheckpointerOptions {
  file: string;
  intervalMs: number;
  /** Called once if the worker fails or exits on its own: the writer must checkpoint again. */
  onFailure(err: Error): void;
}

export class WalCheckpointer {
  private readonly worker: Worker;
  private stopped = false;
  /** The latest checkpoint's figures (undefined before the first). */
  last: CheckpointReport | undefined;

  constructor(opts: WalCheckpointerOptions) {
    this.worker = new Worker(new URL('./wal-checkpoint-worker.js', import.meta.url), {
      workerData: { file: opts.file, intervalMs: opts.intervalMs } satisfies CheckpointWorkerData,
    });
    this.worker.unref();
    this.worker.on('message', (report: CheckpointReport) => {
      this.last = report;
    });
    const fail = (err: Error): void => {
      if (this.stopped) return;
      this.stopped = true;
      opts.onFailure(err);
    };
    // An error from the worker's SQLite arrives as a plain object with only its code.
    this.worker.on('error', (err: Error & { code?: string }) => fail(new Error(`the WAL checkpoint worker failed: ${err.message || err.code || String(err)}`)));
    this.worker.on('exit', (code) => fail(new Error(`the WAL checkpoint worker exited (${code})`)));
  }

  /** Stops the worker after its current checkpoint; its connection closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.postMessage('stop');
    await exited;
  }
}
