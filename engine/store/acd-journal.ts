// Writes every ACD event to the event log (types prefixed "acd.", so they never mix with the
// call layer's own "call.*" lines) and reads them back to rebuild the ACD after a restart or
// to compute metrics for a past interval.
import type { Acd, AcdEvent } from '../acd/index.js';
import type { EventLog } from './event-log.js';

const PREFIX = 'acd.';

export class AcdJournal {
  private readonly stop: () => void;

  constructor(
    private readonly log: EventLog,
    acd: Acd,
  ) {
    // Stamped with the event's own time, so `events(log, to)` cuts where the metrics' `from` does.
    this.stop = acd.on((e) => this.log.append(PREFIX + e.type, e as unknown as Record<string, unknown>, e.callId, e.at));
  }

  /** ACD events in the order they happened, from `fromTs` and up to `toTs` (event time) if given. */
  static *events(log: EventLog, toTs?: number, fromTs?: number): IterableIterator<AcdEvent> {
    for (const stored of log.scan({ typePrefix: PREFIX, toTs, fromTs })) yield stored.data as AcdEvent;
  }

  detach(): void {
    this.stop();
  }
}
