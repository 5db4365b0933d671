// Missed calls and their callbacks (PRODUCT.md: "every missed call is tracked until closed").
// The book holds the records; every change goes out as an event so the log can rebuild it.
import type { AcdEvent } from './events.js';
import { AcdError } from './errors.js';
import type { AttemptResult, MissedReason, MissedStatus } from './types.js';

export interface MissedAttempt {
  at: number;
  agentId: string;
  result: AttemptResult;
}

export interface MissedRecordData {
  id: string;
  number: string;
  dnis: string;
  queueId: string;
  callId: string;
  reason: MissedReason;
  missedAt: number;
}

export interface MissedRecord extends MissedRecordData {
  status: MissedStatus;
  attempts: MissedAttempt[];
  /** The agent calling back right now, so colleagues see it is taken. */
  claimedBy: string | null;
  closedAt: number | null;
}

const OPEN: ReadonlySet<MissedStatus> = new Set(['not-called-back', 'not-reached']);

export function isOpen(record: MissedRecord): boolean {
  return OPEN.has(record.status);
}

/** Digits and a leading plus: "+7 (495) 123-45-67" and "+74951234567" are the same client. */
export function normalizeNumber(number: string): string {
  const trimmed = number.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
}

export interface CallbackStats {
  agentId: string;
  attempts: number;
  connected: number;
  /** Records whose first attempt was this agent's. */
  firstAttempts: number;
  /** Mean time from the miss to this agent's first attempt. */
  avgCallbackSpeedMs: number | null;
}

export class MissedCallBook {
  private readonly records = new Map<string, MissedRecord>();
  private readonly openByNumber = new Map<string, Set<MissedRecord>>();
  private seq = 0;

  constructor(private readonly emit: (event: AcdEvent) => void) {}

  get(id: string): MissedRecord {
    const record = this.records.get(id);
    if (!record) throw new AcdError('not-found', `no missed call ${id}`);
    return record;
  }

  list(filter: { status?: MissedStatus; queueIds?: ReadonlySet<string> } = {}): MissedRecord[] {
    const out: MissedRecord[] = [];
    for (const r of this.records.values()) {
      if (filter.status && r.status !== filter.status) continue;
      if (filter.queueIds && !filter.queueIds.has(r.queueId)) continue;
      out.push(r);
    }
    return out.sort((a, b) => b.missedAt - a.missedAt);
  }

  create(data: Omit<MissedRecordData, 'id'>, at: number): MissedRecord {
    const record = this.add({ ...data, id: `m${++this.seq}-${at.toString(36)}` });
    this.emit({ type: 'missed.created', at, callId: data.callId, record: { ...data, id: record.id } });
    return record;
  }

  claim(id: string, agentId: string, at: number): MissedRecord {
    const record = this.get(id);
    if (!isOpen(record)) throw new AcdError('conflict', `missed call ${id} is already ${record.status}`);
    if (record.claimedBy && record.claimedBy !== agentId) throw new AcdError('conflict', `agent ${record.claimedBy} is already calling ${id} back`);
    record.claimedBy = agentId;
    this.emit({ type: 'missed.claimed', at, id, agentId });
    return record;
  }

  release(record: MissedRecord, at: number): void {
    if (record.claimedBy === null) return;
    record.claimedBy = null;
    this.emit({ type: 'missed.claimed', at, id: record.id, agentId: null });
  }

  /**
   * Logs one callback attempt; a connected attempt closes the record as called back. A record
   * closed while the attempt ran (the client got through meanwhile) keeps its status.
   */
  attempt(record: MissedRecord, agentId: string, result: AttemptResult, at: number): void {
    record.attempts.push({ at, agentId, result });
    this.emit({ type: 'missed.attempt', at, id: record.id, agentId, result });
    if (isOpen(record)) this.setStatus(record, result === 'connected' ? 'called-back' : 'not-reached', agentId, at);
  }

  cancel(id: string, by: string, at: number): MissedRecord {
    const record = this.get(id);
    if (!isOpen(record)) throw new AcdError('conflict', `missed call ${id} is already ${record.status}`);
    this.setStatus(record, 'cancelled', by, at);
    return record;
  }

  /** The client reached an agent on a later call: their open records close themselves. */
  gotThrough(number: string, at: number): MissedRecord[] {
    const open = [...(this.openByNumber.get(normalizeNumber(number)) ?? [])];
    for (const record of open) this.setStatus(record, 'got-through', null, at);
    return open;
  }

  stats(): CallbackStats[] {
    const byAgent = new Map<string, CallbackStats & { speedSum: number }>();
    const of = (agentId: string) => {
      let s = byAgent.get(agentId);
      if (!s) byAgent.set(agentId, (s = { agentId, attempts: 0, connected: 0, firstAttempts: 0, avgCallbackSpeedMs: null, speedSum: 0 }));
      return s;
    };
    for (const record of this.records.values()) {
      record.attempts.forEach((a, i) => {
        const s = of(a.agentId);
        s.attempts++;
        if (a.result === 'connected') s.connected++;
        if (i === 0) {
          s.firstAttempts++;
          s.speedSum += a.at - record.missedAt;
        }
      });
    }
    return [...byAgent.values()].map(({ speedSum, ...s }) => ({ ...s, avgCallbackSpeedMs: s.firstAttempts ? speedSum / s.firstAttempts : null }));
  }

  /** Rebuild from the log, without emitting anything. */
  replay(event: AcdEvent): void {
    switch (event.type) {
      case 'missed.created':
        this.add(event.record);
        this.seq = Math.max(this.seq, Number(/^m(\d+)-/.exec(event.record.id)?.[1] ?? 0));
        break;
      case 'missed.claimed': {
        const record = this.records.get(event.id);
        if (record) record.claimedBy = event.agentId;
        break;
      }
      case 'missed.attempt':
        this.records.get(event.id)?.attempts.push({ at: event.at, agentId: event.agentId, result: event.result });
        break;
      case 'missed.status': {
        const record = this.records.get(event.id);
        if (record) this.applyStatus(record, event.status, event.at);
        break;
      }
      default:
        break;
    }
  }

  private add(data: MissedRecordData): MissedRecord {
    const record: MissedRecord = { ...data, status: 'not-called-back', attempts: [], claimedBy: null, closedAt: null };
    this.records.set(record.id, record);
    const key = normalizeNumber(record.number);
    let set = this.openByNumber.get(key);
    if (!set) this.openByNumber.set(key, (set = new Set()));
    set.add(record);
    return record;
  }

  private setStatus(record: MissedRecord, status: MissedStatus, by: string | null, at: number): void {
    this.applyStatus(record, status, at);
    this.emit({ type: 'missed.status', at, id: record.id, status, by });
  }

  private applyStatus(record: MissedRecord, status: MissedStatus, at: number): void {
    record.status = status;
    if (isOpen(record)) return;
    record.closedAt = at;
    record.claimedBy = null;
    const key = normalizeNumber(record.number);
    const set = this.openByNumber.get(key);
    set?.delete(record);
    if (set?.size === 0) this.openByNumber.delete(key);
  }
}
