// The append-only event log (DESIGN.md: events are the source of truth), in SQLite/WAL.
// Appends are buffered and written in one transaction every `flushMs`, so a clean shutdown
// loses nothing and `kill -9` loses at most the last `flushMs` of events (and a batch the writer
// thread was still committing). The engine's log is written, and its WAL copied into the
// database file, by a worker thread (event-writer.ts).
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FIELDS, RowWriter, type RowBatch } from './event-rows.js';
import { EventWriter } from './event-writer.js';

export interface StoredEvent {
  id: number;
  ts: number;
  type: string;
  callId: string | null;
  data: unknown;
}

interface Row {
  id: number;
  ts: number;
  type: string;
  call_id: string | null;
  data: string;
}

/** SQLite's default automatic checkpoint, in WAL pages: for the engine thread's writes without the worker, or after it failed. */
const AUTO_CHECKPOINT_PAGES = 1000;

/** A LIKE pattern (with ESCAPE '\\') matching every type that starts with `prefix`. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, '\\$&')}%`;

const fromRow = (r: Row): StoredEvent => ({ id: r.id, ts: r.ts, type: r.type, callId: r.call_id, data: JSON.parse(r.data) });

/**
 * Reads the log. On its own (`new EventLogReader(file)`) a read-only connection to an existing
 * log, on which SQLite refuses every write: what a judging worker opens (WAL lets it read while
 * the engine writes). EventLog, the one writer, extends it.
 */
export class EventLogReader {
  protected readonly db: Database.Database;

  constructor(
    readonly file: string,
    db?: Database.Database,
  ) {
    this.db = db ?? new Database(file, { readonly: true, fileMustExist: true });
  }

  /** Runs before every read (the writer writes what it buffered, so reads see every append). */
  protected beforeRead(): void {}

  /** Newest first. */
  recent(limit = 100, type?: string): StoredEvent[] {
    this.beforeRead();
    const rows = (type
      ? this.db.prepare('SELECT * FROM events WHERE type = ? ORDER BY id DESC LIMIT ?').all(type, limit)
      : this.db.prepare('SELECT * FROM events ORDER BY id DESC LIMIT ?').all(limit)) as Row[];
    return rows.map(fromRow);
  }

  /** Oldest first, read lazily; events whose type starts with `typePrefix` (and is one of `types`), within [fromTs, toTs]. */
  *scan(opts: { typePrefix?: string; types?: readonly string[]; fromTs?: number; toTs?: number } = {}): IterableIterator<StoredEvent> {
    this.beforeRead();
    const types = opts.types ?? [];
    const oneOf = types.length ? ` AND type IN (${types.map(() => '?').join(', ')})` : '';
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE type LIKE ? ESCAPE '\\'${oneOf} AND ts >= ? AND ts <= ? ORDER BY id`)
      .iterate(likePrefix(opts.typePrefix ?? ''), ...types, opts.fromTs ?? 0, opts.toTs ?? Number.MAX_SAFE_INTEGER) as IterableIterator<Row>;
    for (const r of rows) yield fromRow(r);
  }

  /**
   * Oldest first: up to `limit` events with an id above `afterId` whose type starts with
   * `typePrefix` — how a table derived from the log catches up from its high-water mark.
   */
  after(afterId: number, typePrefix: string, limit: number): StoredEvent[] {
    this.beforeRead();
    const sql = "SELECT * FROM events WHERE id > ? AND type LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?";
    return (this.db.prepare(sql).all(afterId, likePrefix(typePrefix), limit) as Row[]).map(fromRow);
  }

  /**
   * The log's own connection, for tables derived from it (store/cdr-table.ts) in the same file:
   * the writer's writes them (they never write `events`), a reader's refuses every write.
   */
  get database(): Database.Database {
    return this.db;
  }

  /** The time of the oldest event whose type starts with `typePrefix`; null on an empty log. */
  firstTs(typePrefix = ''): number | null {
    this.beforeRead();
    const row = this.db.prepare("SELECT min(ts) AS ts FROM events WHERE type LIKE ? ESCAPE '\\'").get(likePrefix(typePrefix)) as { ts: number | null };
    return row.ts;
  }

  /** Newest first: events of `type` whose field at `path` has the digits `digits` (see EventLog.indexDigits). */
  withDigits(type: string, path: string, digits: string, limit = 100): StoredEvent[] {
    this.beforeRead();
    // The type and expression are spelled into the SQL as in the index, so SQLite uses it.
    const sql = `SELECT * FROM events WHERE type = ${quote(type)} AND ${digitsOf(path)} = ? ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(digits, limit) as Row[]).map(fromRow);
  }

  /** Oldest first: every event of the given calls. */
  ofCalls(callIds: readonly string[]): StoredEvent[] {
    this.beforeRead();
    if (callIds.length === 0) return [];
    const rows = this.db.prepare(`SELECT * FROM events WHERE call_id IN (${callIds.map(() => '?').join(', ')}) ORDER BY id`).all(...callIds) as Row[];
    return rows.map(fromRow);
  }

  close(): void {
    this.db.close();
  }
}

/** Opens (creating if need be) the log's file for writing: WAL, the events table and its indexes. */
function openForWriting(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(`CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    type TEXT NOT NULL,
    call_id TEXT,
    data TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
  CREATE INDEX IF NOT EXISTS events_call ON events(call_id);`);
  return db;
}

export interface EventLogOptions {
  /** Write flushed rows on a worker thread (the engine's log) instead of the calling thread. */
  writeInWorker?: boolean;
  /** SQLite's busy timeout for the worker's writes (default 5 s). */
  workerBusyTimeoutMs?: number;
  /** Told once if the writer worker fails; the log then writes on the calling thread. */
  onWriterFailure?: (err: Error) => void;
}

/** The log's one writer (the engine): appends, buffered, and the reads of EventLogReader. */
export class EventLog extends EventLogReader {
  private readonly rows: RowWriter;
  /** Appended rows not yet written, flat: ts, type, call_id, data of each in turn. */
  private pending: RowBatch = [];
  private readonly timer: NodeJS.Timeout;
  /** With `writeInWorker`: the thread that writes the flushed rows. */
  private readonly writer: EventWriter | undefined;
  private readonly listeners = new Set<(e: Omit<StoredEvent, 'id'>) => void>();

  constructor(
    /** The SQLite file (a judging worker opens its own EventLogReader on it). */
    file: string,
    private readonly flushMs = 200,
    opts: EventLogOptions = {},
  ) {
    super(file, openForWriting(file));
    this.rows = new RowWriter(this.db);
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
    if (!opts.writeInWorker) return;
    // The worker's commits checkpoint the WAL; this connection writes only derived tables.
    this.db.pragma('wal_autocheckpoint = 0');
    this.writer = new EventWriter({
      file,
      busyTimeoutMs: opts.workerBusyTimeoutMs,
      writeHere: (rows) => this.rows.write(rows),
      onFailure: (err) => {
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
        opts.onWriterFailure?.(err);
      },
    });
  }

  /** `ts`: when it happened (default now); intervals of `scan` are cut on it. */
  append(type: string, data: Record<string, unknown> = {}, callId?: string, ts = Date.now()): void {
    this.pending.push(ts, type, callId ?? null, JSON.stringify(data));
    if (this.pending.length >= 1000 * FIELDS) this.flush();
    for (const listener of this.listeners) listener({ ts, type, callId: callId ?? null, data });
  }

  /** Calls `listener` with every event appended from now on (derived state that follows the log live). */
  onAppend(listener: (e: Omit<StoredEvent, 'id'>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    if (this.writer) this.writer.write(batch);
    else this.rows.write(batch);
  }

  /**
   * Indexes events of `type` by the digits of a field of their data (a partial expression
   * index), so `withDigits` finds them without scanning the log. `path` is a JSON path like
   * `$.context.from`; "+7 (900) 555-01-01" and "79005550101" index alike.
   */
  indexDigits(type: string, path: string): void {
    const name = `events_${type}_${path}_digits`.replace(/\W/g, '_');
    this.db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON events(${digitsOf(path)}) WHERE type = ${quote(type)}`);
  }

  /**
   * Writes what is buffered and returns once it is committed, the writer worker's batches too:
   * for a reader on another connection (a worker reading the file), which flush() alone would
   * leave racing the writer.
   */
  commit(): void {
    this.flush();
    this.writer?.waitWritten();
  }

  protected override beforeRead(): void {
    this.commit();
  }

  /** Writes what is buffered and closes the connection; the writer worker closes its own once it has written everything. */
  override close(): void {
    clearInterval(this.timer);
    this.flush();
    this.writer?.stop();
    super.close();
  }
}

/** The field at a JSON path with the usual separators of a phone number taken out. */
function digitsOf(path: string): string {
  // Code constants only, checked so nothing else gets into the SQL.
  if (!/^\$(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(path)) throw new RangeError(`not a plain JSON path: ${path}`);
  let sql = `json_extract(data, ${quote(path)})`;
  for (const c of ['+', ' ', '-', '(', ')', '.']) sql = `replace(${sql}, ${quote(c)}, '')`;
  return sql;
}

const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
