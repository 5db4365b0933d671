// Judging off the event loop: standings (standings.ts) are computed in one worker thread
// (judge-worker.ts) started on first use; requests queue there in order. Each request first
// commits the log, so the worker reads every event appended so far.
import { Worker } from 'node:worker_threads';
import type { EventLog } from '../store/event-log.js';
import type { Standing, StandingsRequest } from './standings.js';

export interface JudgeRequest {
  id: number;
  /** The SQLite file of the event log. */
  file: string;
  request: StandingsRequest;
}

export type JudgeReply = { id: number; list: Standing[] } | { id: number; error: string };

export class Judging {
  private worker: Worker | null = null;
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (list: Standing[]) => void; reject: (err: Error) => void }>();

  /** The log's file and its commit: the worker reads the file itself. */
  constructor(private readonly log: Pick<EventLog, 'file' | 'commit'>) {}

  standings(request: StandingsRequest): Promise<Standing[]> {
    this.log.commit();
    const worker = this.started();
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref(); // kept alive while a judgement runs, not after
      worker.postMessage({ id, file: this.log.file, request } satisfies JudgeRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./judge-worker.js', import.meta.url));
    worker.on('message', (reply: JudgeReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if ('error' in reply) waiter?.reject(new Error(`judging failed: ${reply.error}`));
      else waiter?.resolve(reply.list);
    });
    // A worker that dies fails what it had; the next request starts a new one.
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the judging worker exited (${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
