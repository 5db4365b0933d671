// Hands the event log's writes to a worker thread, so the engine's event loop never waits on
// SQLite for them: at 1,500 calls/s a flush wrote ~800 rows in 3 ms (p50; up to 14) five times
// a second on the event loop (bench/RESULTS.md, ninth session). Reads must see every append, so
// before a read the engine thread blocks (Atomics.wait) until the worker has committed every
// batch handed over, a few ms at most. If the worker fails, the engine thread writes the
// batches it had not committed, and every later one, itself: nothing appended is lost.
import { Worker } from 'node:worker_threads';
import type { RowBatch } from './event-rows.js';
import { FAILED, WRITTEN, type EventWriterData, type EventWriterFailure, type EventWriterMessage } from './event-writer-protocol.js';

export interface EventWriterOptions {
  file: string;
  /** Writes a batch on the engine thread: those the worker had not committed when it failed, and every later one. */
  writeHere(rows: RowBatch): void;
  /** Called once when the worker failed (the log takes its checkpoints back). */
  onFailure(err: Error): void;
  /** SQLite's busy timeout for the worker's writes (default 5 s, better-sqlite3's). */
  busyTimeoutMs?: number;
}

/** How long a read waits for the worker before it fails with an error (a worker starts in seconds under a loader). */
const READ_WAIT_MS = 60_000;

export class EventWriter {
  private readonly worker: Worker;
  private readonly cells: Int32Array;
  private seq = 0;
  /** Batches handed over and not yet known to be committed, oldest first. */
  private unconfirmed: { seq: number; rows: RowBatch }[] = [];
  private failed = false;
  private stopped = false;

  constructor(private readonly opts: EventWriterOptions) {
    const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.cells = new Int32Array(shared);
    const workerData: EventWriterData = { file: opts.file, shared, busyTimeoutMs: opts.busyTimeoutMs ?? 5000 };
    this.worker = new Worker(new URL('./event-writer-worker.js', import.meta.url), { workerData });
    this.worker.unref();
    this.worker.on('message', (m: EventWriterFailure) => this.fail(new Error(`the event writer worker failed: ${m.failed}`)));
    // An error from the worker's SQLite arrives as a plain object with only its code.
    this.worker.on('error', (err: Error & { code?: string }) => this.fail(new Error(`the event writer worker failed: ${err.message || err.code || String(err)}`)));
    this.worker.on('exit', (code) => this.fail(new Error(`the event writer worker exited (${code})`)));
  }

  /** Hands a batch to the worker, or writes it here once the worker failed. */
  write(rows: RowBatch): void {
    if (this.failed) {
      this.opts.writeHere(rows);
      return;
    }
    this.forgetCommitted();
    const seq = ++this.seq;
    this.unconfirmed.push({ seq, rows });
    this.worker.postMessage({ seq, rows } satisfies EventWriterMessage);
  }

  /** Blocks until every batch handed over is in the database. */
  waitWritten(): void {
    const deadline = performance.now() + READ_WAIT_MS;
    while (!this.failed) {
      if (Atomics.load(this.cells, FAILED)) {
        // Its message has not been delivered yet: the event loop is busy here.
        this.fail(new Error('the event writer worker failed'));
        break;
      }
      const written = Atomics.load(this.cells, WRITTEN);
      if (written >= this.seq) break;
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`the event writer worker has not written batch ${this.seq} within ${READ_WAIT_MS} ms`);
      Atomics.wait(this.cells, WRITTEN, written, Math.min(left, 100));
    }
    this.forgetCommitted();
  }

  /** Waits for the batches handed over, then lets the worker close its connection and end. */
  stop(): void {
    if (this.stopped) return;
    this.waitWritten();
    this.stopped = true;
    if (!this.failed) this.worker.postMessage('stop' satisfies EventWriterMessage);
  }

  private forgetCommitted(): void {
    const written = Atomics.load(this.cells, WRITTEN);
    let n = 0;
    while (n < this.unconfirmed.length && this.unconfirmed[n]!.seq <= written) n++;
    if (n) this.unconfirmed = this.unconfirmed.slice(n);
  }

  private fail(err: Error): void {
    if (this.failed || this.stopped) return;
    this.failed = true;
    this.opts.onFailure(err);
    this.forgetCommitted();
    for (const batch of this.unconfirmed) this.opts.writeHere(batch.rows);
    this.unconfirmed = [];
  }
}
