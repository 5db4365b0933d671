// The append-only event log (DESIGN.md: events are the source of truth), in SQLite/WAL.
// Appends are buffered and written in one transaction every `flushMs`, so a clean shutdown
// loses nothing and `kill -9` loses at most the last `flushMs` of events. The engine's log has
// its WAL copied into the database file by a worker thread (wal-checkpointer.ts) instead of
// inside those writes.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { WalCheckpointer } from './wal-checkpointer.js';

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

/** Values per row in `pending` and in the INSERTs. */
const FIELDS = 4;
/** Rows per multi-row INSERT: 200 parameters, far below SQLite's limit on bound variables. */
const ROWS_PER_INSERT = 50;
/** How often the worker checkpoints; at 1,500 calls/s the WAL gains about 1 MB a second. */
const CHECKPOINT_EVERY_MS = 1000;
/** SQLite's default automatic checkpoint, in WAL pages: without the worker, or if it fails. */
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

/** The log's one writer (the engine): appends, buffered, and the reads of EventLogReader. */
export class EventLog extends EventLogReader {
  private readonly insert: Database.Statement;
  /** INSERT of ROWS_PER_INSERT rows in one statement (a flush under load has hundreds). */
  private readonly insertMany: Database.Statement;
  /** Appended rows not yet written, flat: ts, type, call_id, data of each in turn. */
  private pending: (number | string | null)[] = [];
  private readonly timer: NodeJS.Timeout;
  /** With `checkpointInWorker`: the worker that checkpoints the WAL. */
  readonly checkpointer: WalCheckpointer | undefined;
  private readonly listeners = new Set<(e: Omit<StoredEvent, 'id'>) => void>();

  constructor(
    /** The SQLite file (a judging worker opens its own EventLogReader on it). */
    file: string,
    private readonly flushMs = 200,
    { checkpointInWorker = false }: { checkpointInWorker?: boolean } = {},
  ) {
    super(file, openForWriting(file));
    this.insert = this.db.prepare('INSERT INTO events (ts, type, call_id, data) VALUES (?, ?, ?, ?)');
    this.insertMany = this.db.prepare(`INSERT INTO events (ts, type, call_id, data) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`);
    this.timer = setInterval(() => this.flush(), flushMs);
    this.timer.unref();
    if (!checkpointInWorker) return;
    this.db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = new WalCheckpointer({
      file,
      intervalMs: CHECKPOINT_EVERY_MS,
      onFailure: () => {
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
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
    // Rows keep their order (ids ascend as appended): whole statements first, then the rest one by one.
    const chunk = ROWS_PER_INSERT * FIELDS;
    this.db.transaction(() => {
      let at = 0;
      for (; at + chunk <= batch.length; at += chunk) this.insertMany.run(batch.slice(at, at + chunk));
      for (; at < batch.length; at += FIELDS) this.insert.run(batch[at], batch[at + 1], batch[at + 2], batch[at + 3]);
    })();
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

  protected override beforeRead(): void {
    this.flush();
  }

  /** Closes the connection; the checkpoint worker closes its own after its current checkpoint. */
  override close(): void {
    clearInterval(this.timer);
    this.flush();
    void this.checkpointer?.stop();
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
