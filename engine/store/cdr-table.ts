// The CDRs as an indexed SQLite table derived from the event log (the source of truth), in the
// log's own file. It catches up incrementally from a high-water mark (the id of the last event
// folded in), in the same transaction as the rows it writes, so a crash never leaves the two
// apart; a missing table, or one of an older shape (VERSION), is rebuilt from the whole log.
// Search walks an index newest first (time; agent, disposition, queue) and stops at a page;
// every filter, the role's scope too, is SQL.
import type Database from 'better-sqlite3';
import type { AcdEvent } from '../acd/index.js';
import { foldCdrs, type Cdr, type CdrPage, type CdrQuery } from './cdrs.js';
import type { EventLog } from './event-log.js';

/** Bump when Cdr or foldCdrs changes: the table is then rebuilt from the log on start. */
const VERSION = 1;
const MARK = 'cdrs';
/** Events folded per transaction while catching up. */
const BATCH = 5000;
/** How often the table follows the log by itself (a search catches up first anyway). */
const FOLLOW_MS = 5000;
/** A number filter this long or longer is looked up in the trigram index. */
const TRIGRAM = 3;

interface Row {
  call_id: string;
  kind: Cdr['kind'];
  from_number: string;
  dnis: string;
  queues: string;
  agent_id: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  wait_ms: number;
  talk_ms: number;
  disposition: Cdr['disposition'];
}

const digits = (s: string) => s.replace(/\D/g, '');

const fromRow = (r: Row): Cdr => ({
  callId: r.call_id,
  kind: r.kind,
  from: r.from_number,
  dnis: r.dnis,
  queues: JSON.parse(r.queues) as string[],
  agentId: r.agent_id,
  startedAt: r.started_at,
  answeredAt: r.answered_at,
  endedAt: r.ended_at,
  waitMs: r.wait_ms,
  talkMs: r.talk_ms,
  disposition: r.disposition,
});

const SCHEMA = `
  CREATE TABLE cdrs (
    call_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    from_number TEXT NOT NULL,
    dnis TEXT NOT NULL,
    from_digits TEXT NOT NULL,
    dnis_digits TEXT NOT NULL,
    queues TEXT NOT NULL,
    agent_id TEXT,
    started_at INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at INTEGER,
    wait_ms INTEGER NOT NULL,
    talk_ms INTEGER NOT NULL,
    disposition TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX cdrs_time ON cdrs(started_at, call_id);
  CREATE INDEX cdrs_agent ON cdrs(agent_id, started_at, call_id);
  CREATE INDEX cdrs_disposition ON cdrs(disposition, started_at, call_id);
  -- Every queue a call waited in (overflow adds more), ordered for paging one queue.
  CREATE TABLE cdr_queues (
    queue_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    call_id TEXT NOT NULL,
    PRIMARY KEY (queue_id, started_at, call_id)
  ) WITHOUT ROWID;
  -- Digits of the caller's and the dialled number: a trigram index finds a substring of them.
  CREATE VIRTUAL TABLE cdr_numbers USING fts5(call_id UNINDEXED, digits, tokenize = 'trigram');
`;

export class CdrTable {
  private readonly db: Database.Database;
  private readonly timer: NodeJS.Timeout;
  private building: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(private readonly log: EventLog) {
    this.db = log.database;
    this.db.exec('CREATE TABLE IF NOT EXISTS derived_marks (name TEXT PRIMARY KEY, version INTEGER NOT NULL, last_event_id INTEGER NOT NULL)');
    const mark = this.db.prepare('SELECT version FROM derived_marks WHERE name = ?').get(MARK) as { version: number } | undefined;
    if (mark?.version !== VERSION) this.create();
    // A big log is folded in a batch per turn of the event loop, so a first start (or a
    // rebuild) does not hold the engine up; a search meanwhile finishes the job first.
    const step = () => {
      this.building = !this.closed && this.catchUp(1) ? setImmediate(step) : undefined;
    };
    step();
    this.timer = setInterval(() => {
      if (!this.building) this.catchUp();
    }, FOLLOW_MS);
    this.timer.unref();
  }

  private create(): void {
    this.db.transaction(() => {
      this.db.exec('DROP TABLE IF EXISTS cdrs; DROP TABLE IF EXISTS cdr_queues; DROP TABLE IF EXISTS cdr_numbers;');
      this.db.exec(SCHEMA);
      this.db.prepare('INSERT OR REPLACE INTO derived_marks (name, version, last_event_id) VALUES (?, ?, 0)').run(MARK, VERSION);
    })();
  }

  private get lastEventId(): number {
    return (this.db.prepare('SELECT last_event_id FROM derived_marks WHERE name = ?').get(MARK) as { last_event_id: number }).last_event_id;
  }

  /** Folds the events appended since the high-water mark into the table, at most `batches` batches; true if more are left. */
  catchUp(batches = Infinity): boolean {
    const get = this.db.prepare('SELECT * FROM cdrs WHERE call_id = ?');
    const put = this.db.prepare(`INSERT OR REPLACE INTO cdrs VALUES
      (@callId, @kind, @from, @dnis, @fromDigits, @dnisDigits, @queues, @agentId, @startedAt, @answeredAt, @endedAt, @waitMs, @talkMs, @disposition)`);
    const queue = this.db.prepare('INSERT OR IGNORE INTO cdr_queues VALUES (?, ?, ?)');
    const numbers = this.db.prepare('INSERT INTO cdr_numbers (call_id, digits) VALUES (?, ?)');
    const mark = this.db.prepare('UPDATE derived_marks SET last_event_id = ? WHERE name = ?');
    const advance = this.db.prepare('UPDATE derived_marks SET last_event_id = max(last_event_id, (SELECT ifnull(max(id), 0) FROM events)) WHERE name = ?');
    for (let n = 0; n < batches; n++) {
      const batch = this.log.after(this.lastEventId, 'acd.call.', BATCH);
      // Nothing more to fold: the mark moves past the other events too, or every catch-up would
      // read again every event since the last ACD call (all of them on a PBX without queues).
      if (batch.length === 0) {
        advance.run(MARK);
        return false;
      }
      const known = new Map<string, Cdr>();
      const looked = new Set<string>();
      for (const e of batch) {
        if (!e.callId || looked.has(e.callId)) continue;
        looked.add(e.callId);
        const row = get.get(e.callId) as Row | undefined;
        if (row) known.set(e.callId, fromRow(row));
      }
      const before = new Set(known.keys());
      const cdrs = foldCdrs(
        batch.map((e) => e.data as AcdEvent),
        known,
      );
      this.db.transaction(() => {
        for (const c of cdrs.values()) {
          put.run({ ...c, queues: JSON.stringify(c.queues), fromDigits: digits(c.from), dnisDigits: digits(c.dnis) });
          for (const id of c.queues) queue.run(id, c.startedAt, c.callId);
          if (!before.has(c.callId)) numbers.run(c.callId, `${digits(c.from)} ${digits(c.dnis)}`);
        }
        mark.run(batch[batch.length - 1].id, MARK);
        if (batch.length < BATCH) advance.run(MARK);
      })();
      if (batch.length < BATCH) return false;
    }
    return true;
  }

  /** Newest first, by start time then call-id; one page, and where the next one starts. */
  search(q: CdrQuery): CdrPage {
    this.catchUp();
    const where: string[] = [];
    const args: (string | number)[] = [];
    const and = (sql: string, ...values: (string | number)[]) => {
      where.push(sql);
      args.push(...values);
    };
    if (q.from !== undefined) and('c.started_at >= ?', q.from);
    if (q.to !== undefined) and('c.started_at <= ?', q.to);
    if (q.cursor) and('(c.started_at, c.call_id) < (?, ?)', q.cursor.startedAt, q.cursor.callId);
    if (q.agentId !== undefined) and('c.agent_id = ?', q.agentId);
    if (q.disposition !== undefined) and('c.disposition = ?', q.disposition);
    if (q.queueId !== undefined) and('c.call_id IN (SELECT call_id FROM cdr_queues WHERE queue_id = ?)', q.queueId);
    if (q.inQueues) and(`c.call_id IN (SELECT call_id FROM cdr_queues WHERE queue_id IN (${q.inQueues.map(() => '?').join(', ')}))`, ...q.inQueues);
    const number = q.number === undefined ? '' : digits(q.number);
    if (number.length >= TRIGRAM) and('c.call_id IN (SELECT call_id FROM cdr_numbers WHERE digits LIKE ?)', `%${number}%`);
    else if (number !== '') and('(instr(c.from_digits, ?) > 0 OR instr(c.dnis_digits, ?) > 0)', number, number);
    const sql = `SELECT c.* FROM cdrs c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.started_at DESC, c.call_id DESC LIMIT ?`;
    // One more than a page: whether there is a next one.
    const rows = this.db.prepare(sql).all(...args, q.limit + 1) as Row[];
    const cdrs = rows.slice(0, q.limit).map(fromRow);
    const last = cdrs[cdrs.length - 1];
    return { cdrs, nextCursor: rows.length > q.limit ? { startedAt: last.startedAt, callId: last.callId } : null };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearImmediate(this.building);
  }
}
