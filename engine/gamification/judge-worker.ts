// The judging worker thread: computes standings (standings.ts) over its own read-only connection
// to the event log (SQLite in WAL mode lets it read while the engine writes; the engine is the
// log's one writer), so a judgement's scan of a busy day never blocks the engine's event loop.
// Messages: judging.ts.
import { parentPort } from 'node:worker_threads';
import { EventLogReader } from '../store/event-log.js';
import type { JudgeReply, JudgeRequest } from './judging.js';
import { standings } from './standings.js';

const logs = new Map<string, EventLogReader>();

parentPort!.on('message', (m: JudgeRequest) => {
  let reply: JudgeReply;
  try {
    let log = logs.get(m.file);
    if (!log) logs.set(m.file, (log = new EventLogReader(m.file)));
    reply = { id: m.id, list: standings(log, m.request) };
  } catch (err) {
    reply = { id: m.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
