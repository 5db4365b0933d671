// Voicemail messages: a caller's WAV with who left it, for which queue, and the missed-call
// record it belongs to. Each message is one `voicemail.recorded` event in the event log (the
// source of truth, DESIGN.md); the box lists them back from the log.
import { randomUUID } from 'node:crypto';
import type { EventLog } from './event-log.js';

export interface VoicemailRecord {
  id: string;
  /** The caller's number (From user). */
  caller: string;
  queueId: string;
  /** The box named by the queue's overflow target. */
  box: string;
  /** The missed-call record the ACD made for this call (the callback task). */
  missedId: string | null;
  callId: string;
  /** The WAV (8 kHz mono PCM16). */
  path: string;
  durationMs: number;
  /** Why the recording stopped: silence, max-seconds, hangup, finish-key. */
  endedBy: string;
  recordedAt: number;
}

const EVENT = 'voicemail.recorded';

export class VoicemailBox {
  constructor(private readonly log: EventLog) {}

  static newId(): string {
    return `vm-${randomUUID()}`;
  }

  save(record: VoicemailRecord): void {
    this.log.append(EVENT, { ...record }, record.callId);
  }

  /** Newest first, only the queues in `queueIds` (when given), at most `limit`. */
  list(opts: { queueIds?: ReadonlySet<string>; limit?: number } = {}): VoicemailRecord[] {
    const out: VoicemailRecord[] = [];
    for (const e of this.log.scan({ typePrefix: EVENT })) {
      const r = e.data as VoicemailRecord;
      if (!opts.queueIds || opts.queueIds.has(r.queueId)) out.push(r);
    }
    return out.reverse().slice(0, opts.limit ?? out.length);
  }

  get(id: string): VoicemailRecord | undefined {
    for (const e of this.log.scan({ typePrefix: EVENT })) if ((e.data as VoicemailRecord).id === id) return e.data as VoicemailRecord;
    return undefined;
  }
}
