// Recordings: 8 kHz PCM16 WAV files captured on the media threads (one frame per 20 ms
// tick) and written by the engine's writer thread. Started by Mixer.record and
// Endpoint.record; the engine routes the writer's events here.
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { MediaError } from './errors.js';
import type { NativeEngine, NativeRecordingSource, RecordingEndReason, RecordingEvent } from './native.js';

export interface RecordingResult {
  /** Absolute path of the WAV file. */
  path: string;
  /** Audio in the file (paused time is not in it). */
  durationMs: number;
  /** File size, header included. */
  bytes: number;
  /** 20 ms frames lost because the writer fell more than 2 s behind (disk too slow). */
  droppedFrames: number;
  reason: RecordingEndReason;
}

export type RecordingLayout = 'mono' | 'mix' | 'stereo';

export interface RecordingEventMap {
  /** The file is complete and closed. */
  done: [RecordingResult];
  /** The file could not be opened or written; what was written stays a valid WAV. */
  failed: [MediaError];
}

export class Recording extends EventEmitter<RecordingEventMap> {
  private isPaused = false;
  private stopping = false;
  private opening = true;
  private outcome: RecordingResult | MediaError | undefined;
  private readonly finished: Promise<RecordingResult>;
  private settle!: { resolve: (r: RecordingResult) => void; reject: (e: MediaError) => void };

  /** @internal Use Mixer.record or Endpoint.record. */
  constructor(
    private readonly registry: RecordingRegistry,
    readonly id: number,
    /** Absolute path of the WAV file. */
    readonly path: string,
    readonly layout: RecordingLayout,
  ) {
    super();
    this.finished = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
    this.finished.catch(() => {}); // a failure nobody awaits is reported by 'failed', not as unhandled
  }

  get paused(): boolean {
    return this.isPaused;
  }

  /** True once the file is closed (done or failed). */
  get ended(): boolean {
    return this.outcome !== undefined;
  }

  /** From the next tick on, nothing is written until resume(): paused time is left out of the file. */
  pause(): void {
    this.command('pause');
    this.isPaused = true;
  }

  resume(): void {
    this.command('resume');
    this.isPaused = false;
  }

  /**
   * Stops at the next tick; resolves once the file is complete (header sizes fixed, closed),
   * rejects with a MediaError (code RECORDING_FAILED) if it could not be written. Idempotent.
   */
  stop(): Promise<RecordingResult> {
    if (!this.outcome && !this.stopping) {
      this.registry.native.stopRecording(this.id);
      this.stopping = true;
      this.registry.pendingChanged();
    }
    return this.finished;
  }

  /** Settles when the recording ends, however it ends (stop, its source closing, the engine closing). */
  done(): Promise<RecordingResult> {
    return this.finished;
  }

  /** @internal Waiting for the writer: to open the file, or to complete it after stop(). */
  get isPending(): boolean {
    return (this.opening || this.stopping) && !this.outcome;
  }

  /** @internal The writer created the file. */
  opened(): void {
    this.opening = false;
  }

  /** @internal The writer's last word on this recording. */
  end(outcome: RecordingResult | MediaError): void {
    if (this.outcome) return;
    this.outcome = outcome;
    if (outcome instanceof MediaError) {
      this.settle.reject(outcome);
      this.emit('failed', outcome);
    } else {
      this.settle.resolve(outcome);
      this.emit('done', outcome);
    }
  }

  private command(what: 'pause' | 'resume'): void {
    if (this.outcome || this.stopping) throw new MediaError(`recording ${this.id} is over`, 'CLOSED');
    if (what === 'pause') this.registry.native.pauseRecording(this.id);
    else this.registry.native.resumeRecording(this.id);
  }
}

export interface RecordingHooks {
  /** A recording started or stopped waiting for the writer: the engine keeps the process alive meanwhile. */
  pendingChanged(): void;
  ended(recording: Recording, outcome: RecordingResult | MediaError): void;
}

const registries = new WeakMap<NativeEngine, RecordingRegistry>();

/** @internal The open recordings of one engine. */
export class RecordingRegistry {
  private readonly open = new Map<number, Recording>();

  constructor(
    readonly native: NativeEngine,
    private readonly hooks: RecordingHooks,
  ) {
    registries.set(native, this);
  }

  static of(native: NativeEngine): RecordingRegistry {
    const registry = registries.get(native);
    if (!registry) throw new MediaError('media engine is not started (call start())', 'NOT_STARTED');
    return registry;
  }

  /** Recordings waiting for the writer to open or complete their file. */
  get pending(): number {
    let n = 0;
    for (const r of this.open.values()) if (r.isPending) n++;
    return n;
  }

  start(path: unknown, source: NativeRecordingSource, layout: RecordingLayout): Recording {
    if (typeof path !== 'string') throw new TypeError(`path must be a string, got ${typeof path}`);
    if (path === '') throw new RangeError('recording path is empty');
    if (this.native.isClosed()) throw new MediaError('media engine is closed', 'CLOSED');
    const absolute = resolve(path);
    const id = this.native.startRecording(absolute, source);
    const recording = new Recording(this, id, absolute, layout);
    this.open.set(id, recording);
    this.hooks.pendingChanged();
    return recording;
  }

  pendingChanged(): void {
    this.hooks.pendingChanged();
  }

  dispatch(ev: RecordingEvent): void {
    const recording = this.open.get(ev.recordingId);
    if (!recording) return;
    if (ev.type === 'recordingOpened') {
      recording.opened();
      this.hooks.pendingChanged();
      return;
    }
    this.open.delete(ev.recordingId);
    const outcome =
      ev.type === 'recordingDone'
        ? { path: ev.path, durationMs: ev.durationMs, bytes: ev.bytes, droppedFrames: ev.droppedFrames, reason: ev.reason }
        : new MediaError(`recording to '${ev.path}' failed: ${ev.message}`, 'RECORDING_FAILED');
    const wasPending = recording.isPending;
    recording.end(outcome);
    if (wasPending) this.hooks.pendingChanged();
    this.hooks.ended(recording, outcome);
  }

  /** After the engine closed: every recording has its final event among `events`. */
  closeAll(events: RecordingEvent[]): void {
    for (const ev of events) this.dispatch(ev);
    for (const recording of this.open.values()) {
      recording.end(new MediaError(`recording ${recording.id} lost its result when the engine closed`, 'CLOSED'));
    }
    this.open.clear();
  }
}

export function isRecordingEvent(ev: { type: string }): ev is RecordingEvent {
  return ev.type === 'recordingOpened' || ev.type === 'recordingDone' || ev.type === 'recordingError';
}
