// The media engine: the addon's media threads behind a small class. Commands go down as
// plain calls; events come up in per-tick batches and are re-emitted here and on the
// endpoint they concern.
import { EventEmitter } from 'node:events';
import type { DtmfDigit, DtmfEvent, DtmfSentEvent } from './dtmf.js';
import { Endpoint } from './endpoint.js';
import { statsFrom, zeroStats } from './stats.js';
import { MediaError } from './errors.js';
import { Mixer } from './mixer.js';
import { RecordingRegistry, isRecordingEvent, type Recording, type RecordingResult } from './recording.js';
import type { PlaybackReason } from './playback.js';
import {
  loadAddon,
  type EndpointStats,
  type NativeEndpointOptions,
  type NativeEngine,
  type NativeEngineOptions,
  type NativeEvent,
  type PortPoolStats,
  type RecordingStats,
  type ThreadStats,
} from './native.js';

export type MediaEngineOptions = NativeEngineOptions;

/** As the addon takes them, but naming the mixer by its object. */
export interface EndpointOptions extends Omit<NativeEndpointOptions, 'mixer'> {
  mixer?: Mixer;
}

export interface MediaEngineStats {
  threads: ThreadStats[];
  portPool: PortPoolStats;
  endpoints: number;
  mixers: number;
}

export interface MediaEngineEventMap {
  latched: [Endpoint, { address: string; port: number }];
  ssrcChange: [Endpoint, { ssrc: number; previous: number }];
  rtpTimeout: [Endpoint, { silentMs: number }];
  toneDone: [Endpoint];
  dtmf: [Endpoint, DtmfEvent];
  dtmfSent: [Endpoint, DtmfSentEvent];
  speechStart: [Endpoint, { mediaMs: number }];
  speechEnd: [Endpoint, { mediaMs: number; durationMs: number }];
  playbackDone: [Endpoint, { playbackId: number; reason: PlaybackReason; playedMs: number }];
  closed: [Endpoint, EndpointStats];
  recordingDone: [Recording, RecordingResult];
  recordingError: [Recording, MediaError];
}

// process.exit() skips the addon's own cleanup: engines still open then are closed here, so
// their open recordings are completed (header sizes fixed).
const openEngines = new Set<MediaEngine>();
function closeOpenEngines(): void {
  for (const engine of openEngines) engine.close();
}

export class MediaEngine extends EventEmitter<MediaEngineEventMap> {
  private native: NativeEngine | undefined;
  private isClosed = false;
  private readonly endpoints = new Map<number, Endpoint>();
  private readonly mixers = new Set<Mixer>();
  /** Endpoints whose close() is in flight: until their 'closed' event the process stays up. */
  private readonly closing = new Set<Endpoint>();
  private recordings: RecordingRegistry | undefined;

  constructor(private readonly options: MediaEngineOptions = {}) {
    super();
  }

  get started(): boolean {
    return this.native !== undefined;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Starts the media threads. Throws TypeError/RangeError on bad options. */
  start(): this {
    if (this.isClosed) throw new MediaError('media engine is closed', 'CLOSED');
    if (this.native) return this;
    const { Engine } = loadAddon();
    this.native = new Engine({ ...this.options }, (events) => this.dispatch(events));
    openEngines.add(this);
    if (openEngines.size === 1) process.once('exit', closeOpenEngines);
    this.recordings = new RecordingRegistry(this.native, {
      pendingChanged: () => this.updateKeepAlive(),
      ended: (rec, outcome) =>
        outcome instanceof MediaError ? this.emit('recordingError', rec, outcome) : this.emit('recordingDone', rec, outcome),
    });
    return this;
  }

  /**
   * A new RTP endpoint on a free even port, configured as `options` say in the same call (one
   * crossing into the addon); with { mixer, join: true } it is that mixer's member already.
   */
  createEndpoint(options: EndpointOptions = {}): Endpoint {
    const native = this.running();
    const { mixer, ...rest } = options;
    if (mixer !== undefined && !(mixer instanceof Mixer)) throw new TypeError('options.mixer must be a Mixer');
    if (mixer && mixer.native !== native) {
      throw new MediaError(`mixer ${mixer.id} belongs to another media engine`, 'FOREIGN_OBJECT');
    }
    const info = native.createEndpoint(mixer ? { ...rest, mixer: mixer.id } : rest);
    const endpoint = new Endpoint(native, info.id, info.address, info.port, info.thread, (ep) => {
      this.closing.add(ep);
      this.updateKeepAlive();
    });
    this.endpoints.set(info.id, endpoint);
    if (mixer && rest.join) mixer.joined(endpoint);
    return endpoint;
  }

  /** A new mixer, on the given thread or the least loaded one. */
  createMixer(options: { thread?: number } = {}): Mixer {
    const native = this.running();
    const info = native.createMixer(options);
    const mixer = new Mixer(native, info.id, info.thread);
    this.mixers.add(mixer);
    return mixer;
  }

  endpoint(id: number): Endpoint | undefined {
    return this.endpoints.get(id);
  }

  stats(): MediaEngineStats {
    const native = this.running();
    for (const m of this.mixers) if (m.closed) this.mixers.delete(m);
    const { threads, portPool } = native.stats();
    return { threads, portPool, endpoints: this.endpoints.size, mixers: this.mixers.size };
  }

  /**
   * Stops the media threads and closes every socket (ports are free when this returns).
   * Open endpoints get their 'closed' event with final counters. Safe to call twice.
   */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    openEngines.delete(this);
    if (openEngines.size === 0) process.off('exit', closeOpenEngines);
    const native = this.native;
    if (!native) return;
    const open = [...this.endpoints.values()];
    const last = new Map<Endpoint, EndpointStats>();
    for (const ep of open) {
      try {
        last.set(ep, statsFrom(native.endpointStats(ep.id)));
      } catch {
        // already gone on its thread: its 'closed' event is on the way or was lost
      }
    }
    native.close();
    this.recordings?.closeAll(native.takeEvents().filter(isRecordingEvent));
    for (const m of this.mixers) m.close();
    this.mixers.clear();
    for (const ep of open) this.finish(ep, last.get(ep) ?? zeroStats());
  }

  private finish(ep: Endpoint, stats: EndpointStats): void {
    this.endpoints.delete(ep.id);
    if (this.closing.delete(ep)) this.updateKeepAlive();
    ep.markClosed(stats);
    this.emit('closed', ep, stats);
  }

  /** The writer thread's counters (recordings open, bytes and frames written, dropped frames). */
  recordingStats(): RecordingStats {
    return this.running().recordingStats();
  }

  /** Pending events keep the process alive while an endpoint close, or a recording's file being opened or completed, awaits one. */
  private updateKeepAlive(): void {
    if (this.isClosed || !this.native) return;
    this.native.keepAlive(this.closing.size > 0 || (this.recordings?.pending ?? 0) > 0);
  }

  private running(): NativeEngine {
    if (this.isClosed) throw new MediaError('media engine is closed', 'CLOSED');
    if (!this.native) throw new MediaError('media engine is not started (call start())', 'NOT_STARTED');
    return this.native;
  }

  private dispatch(events: NativeEvent[]): void {
    for (const ev of events) {
      if (isRecordingEvent(ev)) {
        this.recordings?.dispatch(ev);
        continue;
      }
      const ep = this.endpoints.get(ev.endpointId);
      if (!ep) continue;
      switch (ev.type) {
        case 'latched': {
          const info = { address: ev.address, port: ev.port };
          ep.emit('latched', info);
          this.emit('latched', ep, info);
          break;
        }
        case 'ssrcChange': {
          const info = { ssrc: ev.ssrc, previous: ev.previous };
          ep.emit('ssrcChange', info);
          this.emit('ssrcChange', ep, info);
          break;
        }
        case 'rtpTimeout': {
          const info = { silentMs: ev.silentMs };
          ep.emit('rtpTimeout', info);
          this.emit('rtpTimeout', ep, info);
          break;
        }
        case 'toneDone':
          ep.emit('toneDone');
          this.emit('toneDone', ep);
          break;
        case 'dtmf': {
          const info: DtmfEvent = { digit: ev.digit as DtmfDigit, durationMs: ev.durationMs, method: ev.method };
          ep.emit('dtmf', info);
          this.emit('dtmf', ep, info);
          break;
        }
        case 'dtmfSent': {
          const info: DtmfSentEvent = { digits: ev.digits, method: ev.method };
          ep.emit('dtmfSent', info);
          this.emit('dtmfSent', ep, info);
          break;
        }
        case 'speechStart': {
          const info = { mediaMs: ev.mediaMs };
          ep.emit('speechStart', info);
          this.emit('speechStart', ep, info);
          break;
        }
        case 'speechEnd': {
          const info = { mediaMs: ev.mediaMs, durationMs: ev.durationMs };
          ep.emit('speechEnd', info);
          this.emit('speechEnd', ep, info);
          break;
        }
        case 'playbackDone': {
          const result = { reason: ev.reason, playedMs: ev.playedMs };
          ep.playbackDone(ev.playbackId, result);
          this.emit('playbackDone', ep, { playbackId: ev.playbackId, ...result });
          break;
        }
        case 'closed': {
          this.finish(ep, statsFrom(ev.counters));
          break;
        }
      }
    }
  }
}
