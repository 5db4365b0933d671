// Loads the media addon (build/Release/switchyard_media.node) and types its raw surface.
// Everything else in media/ goes through the classes in engine.ts; this is internal.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DtmfDetectMode, DtmfMethod, SendDtmfOptions } from './dtmf.js';
import { MediaError } from './errors.js';
import { ENDPOINT_COUNTERS } from './stats.js';

/** The addon ABI this TypeScript face was written against. */
export const ABI_VERSION = 8;

export type CodecName = 'PCMU' | 'PCMA';

export interface PayloadTypeMap {
  /** PCMU payload type, default 0 (RFC 3551). */
  pcmu?: number;
  /** PCMA payload type, default 8 (RFC 3551). */
  pcma?: number;
  /** telephone-event (RFC 4733) payload type, 96–127, default 101; null: none. */
  telephoneEvent?: number | null;
}

export interface NativeEngineOptions {
  /** Media threads; default one per core (at least 1, at most 64). */
  threads?: number;
  /** RTP ports are even ports from portMin..portMax. Default 10000–20000. */
  portMin?: number;
  portMax?: number;
  /** Address endpoints bind to unless they say otherwise. Default 127.0.0.1. */
  address?: string;
  /** Default RTP timeout of new endpoints; 0 (default) disables. */
  rtpTimeoutMs?: number;
  /** Jitter buffer: initial target depth, default 40 ms (0–500). */
  jitterMs?: number;
  /** Jitter buffer: the range its depth adapts in, default 20–200 ms (0–500). */
  jitterMinMs?: number;
  jitterMaxMs?: number;
  /** RTCP report interval (RFC 3550 §6.2; randomized ×0.5–1.5), default 5000; 0: no reports. */
  rtcpIntervalMs?: number;
  /**
   * RTP/RTCP port pairs the media threads keep bound ahead of need (0–4096, at most a quarter of the range), default 64, so
   * that creating an endpoint costs the event loop no system call. Each media thread binds at most
   * 16 pairs after a tick to refill it; bursts beyond it bind on demand (counted in stats().portPool.missed).
   */
  portPool?: number;
  /**
   * SCHED_FIFO priority (1–99) for the media threads, so that a tick starts on time however busy
   * the machine is; default 0 (the ordinary scheduler). Needs root or CAP_SYS_NICE; when the
   * kernel refuses, the threads run as usual and stats().threads[i].realtime is false.
   */
  realtimePriority?: number;
}

/**
 * What signalling decides about an endpoint, given at creation or later in one
 * configureEndpoint call; absent fields stay as they are.
 */
export interface NativeEndpointSettings {
  /** Codec we send; default PCMU. */
  codec?: CodecName;
  payloadTypes?: PayloadTypeMap;
  /** Where to send RTP (from the remote SDP). With symmetric RTP, the latched source wins. */
  remote?: { address: string; port: number };
  /** Whether anything is sent to the far end (false while it is on hold); default true. */
  sending?: boolean;
  /** Echo what arrives back to the sender. */
  echo?: boolean;
  /** 'rtpTimeout' after this long without valid RTP; 0 disables. */
  rtpTimeoutMs?: number;
  /** RTCP multiplexing (RFC 5761) and the peer's RTCP address (a=rtcp). */
  rtcp?: NativeRtcpOptions;
  /** Which receive paths report DTMF; default 'auto' (see dtmf.ts). */
  dtmfDetect?: DtmfDetectMode;
}

export interface NativeEndpointOptions extends NativeEndpointSettings {
  /** Bind address (IPv4 or IPv6 literal); default the engine's. */
  address?: string;
  /** Put the endpoint on this media thread. */
  thread?: number;
  /** Put the endpoint on this mixer's thread (so it can join it). */
  mixer?: number;
  /** ...and make it a member of that mixer at once (hearing nobody, heard by nobody, yet). */
  join?: boolean;
  /** Symmetric RTP (latch onto the first source, drop others); default true. */
  symmetric?: boolean;
  jitterMs?: number;
  jitterMinMs?: number;
  jitterMaxMs?: number;
  /** RTCP multiplexed on the RTP port (RFC 5761), short for rtcp: { mux }; default false (RTCP on port + 1). */
  rtcpMux?: boolean;
  rtcpIntervalMs?: number;
  /** Voice activity detection: true, or its settings (default off). */
  vad?: boolean | VadOptions;
}

/** VAD settings; see native/src/vad.h. Absent fields keep their current value (defaults below). */
export interface VadOptions {
  /** Events and counters (detection for barge-in runs regardless). Default false. */
  enabled?: boolean;
  /** Speech lasts this long after its last loud frame. Default 200. */
  hangoverMs?: number;
  /** Loud frames in a row before speech starts. Default 100. */
  minSpeechMs?: number;
  /** A pause shorter than this does not end speech. Default 400. */
  minSilenceMs?: number;
  /** A loud frame is this far above the noise floor (0–60). Default 10. */
  marginDb?: number;
  /** ...and above this level, dBFS (-100–0). Default -50. */
  minLevelDb?: number;
}

/** Why a playback ended. 'error': the media thread could not start it (its endpoint was gone). */
export type PlaybackReason = 'finished' | 'stopped' | 'dtmf' | 'speech' | 'error';

/** How to play a file (Endpoint.play). */
export interface NativePlayOptions {
  /** The file is headerless 16-bit little-endian PCM in this format (default: the file is a WAV). */
  raw?: { sampleRate: number; channels?: number };
  /** Start over at the end, until stopped. */
  loop?: boolean;
  /** Queue behind what is playing (default: replace it; the replaced playback ends 'stopped'). */
  queue?: boolean;
  /** A key press (RFC 4733 event) ends it with reason 'dtmf'. */
  stopOnDtmf?: boolean;
  /** The remote party starting to speak (this endpoint's VAD) ends it with reason 'speech'. */
  stopOnSpeech?: boolean;
  /**
   * 'remote' (default): the endpoint's remote party hears it. 'mixer': it is added to what
   * the endpoint says, so the mixer members that hear this endpoint hear it (an announcement).
   */
  target?: 'remote' | 'mixer';
}

export interface NativeRtcpOptions {
  /** RTCP on the RTP port (RFC 5761). */
  mux?: boolean;
  /** Where the peer wants RTCP (a=rtcp, RFC 3605); both or neither. Default: its RTP port + 1. */
  address?: string;
  port?: number;
}

export interface NativeToneOptions {
  amplitude?: number;
  durationMs?: number;
  /** Alternating on/off times in ms: 2, 4, 6 or 8 of them. */
  cadence?: number[];
  target?: 'remote' | 'mixer';
}

/** Counters of one endpoint; see native/src/counters.h for each one's meaning. */
export interface EndpointStats {
  packetsIn: number;
  bytesIn: number;
  packetsOut: number;
  bytesOut: number;
  malformed: number;
  wrongSource: number;
  unknownPayloadType: number;
  lost: number;
  duplicates: number;
  late: number;
  concealed: number;
  timestampJumps: number;
  ssrcChanges: number;
  sequenceRestarts: number;
  underruns: number;
  overflows: number;
  jitterDepthMs: number;
  jitterTargetMs: number;
  telephoneEvents: number;
  dtmfDigits: number;
  sendErrors: number;
  rtpTimeouts: number;
  jitterUs: number;
  rtcpSent: number;
  rtcpReceived: number;
  rtcpMalformed: number;
  rtcpByes: number;
  /** From the peer's last RTCP report about our stream. */
  remoteLossPermille: number;
  remoteCumulativeLost: number;
  remoteJitterUs: number;
  /** Round-trip time from the last report carrying LSR/DLSR (RFC 3550 §6.4.1); -1 until measured. */
  rttUs: number;
  /** VAD: received audio labelled speech, ms. */
  talkMs: number;
  /** VAD: received audio labelled silence, ms. */
  silenceMs: number;
  /** VAD: ms this party talked while another member of its mixer talked too. */
  overlapMs: number;
  /** VAD: times this party started talking while another member was talking. */
  interruptions: number;
}

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface ThreadStats {
  index: number;
  ticks: number;
  /** Clock expirations that found the previous tick still running (missed ticks). */
  overruns: number;
  endpoints: number;
  mixers: number;
  /** Whether the thread runs under SCHED_FIFO (NativeEngineOptions.realtimePriority, granted). */
  realtime: boolean;
  /** How late each tick started after its 20 ms deadline, over the last 1000 ticks. */
  latenessUs: Percentiles;
  /** How long each tick took, over the last 1000 ticks. */
  workUs: Percentiles;
}

export type NativeEvent =
  | { type: 'latched'; endpointId: number; address: string; port: number }
  | { type: 'ssrcChange'; endpointId: number; ssrc: number; previous: number }
  | { type: 'rtpTimeout'; endpointId: number; silentMs: number }
  | { type: 'toneDone'; endpointId: number }
  | { type: 'dtmf'; endpointId: number; digit: string; durationMs: number; method: DtmfMethod }
  | { type: 'dtmfSent'; endpointId: number; digits: string; method: DtmfMethod }
  | { type: 'speechStart'; endpointId: number; mediaMs: number }
  | { type: 'speechEnd'; endpointId: number; mediaMs: number; durationMs: number }
  | { type: 'playbackDone'; endpointId: number; playbackId: number; reason: PlaybackReason; playedMs: number }
  /** `counters`: the final counters in ENDPOINT_COUNTERS order. */
  | { type: 'closed'; endpointId: number; counters: Float64Array }
  | RecordingEvent;

/** How a recording ended (see native/src/recording.h). */
export type RecordingEndReason = 'stopped' | 'sourceClosed' | 'engineClosed' | 'sizeLimit';

export type RecordingEvent =
  | { type: 'recordingOpened'; recordingId: number }
  | { type: 'recordingDone'; recordingId: number; path: string; durationMs: number; bytes: number; droppedFrames: number; reason: RecordingEndReason }
  | { type: 'recordingError'; recordingId: number; path: string; message: string };

/** What a recording takes: one endpoint (mono), a mixer's mono mix, or two of its members as stereo. */
export type NativeRecordingSource =
  | { endpoint: number }
  | { mixer: number; layout: 'mix' }
  | { mixer: number; layout: 'stereo'; left: number; right: number };

/** Counters of an engine's recording writer thread (native/src/writer_thread.h). */
export interface RecordingStats {
  active: number;
  finished: number;
  failed: number;
  framesWritten: number;
  bytesWritten: number;
  droppedFrames: number;
  writeUs: number;
  passes: number;
  maxPassUs: number;
}

/** The pre-bound RTP/RTCP port pairs (NativeEngineOptions.portPool). */
export interface PortPoolStats {
  /** Pairs handed out ready-bound. */
  taken: number;
  /** Pairs bound on demand because none was ready. */
  missed: number;
  /** Pairs ready now. */
  ready: number;
}

export interface NativeEngine {
  createEndpoint(options?: NativeEndpointOptions): { id: number; address: string; port: number; thread: number };
  closeEndpoint(id: number): void;
  configureEndpoint(id: number, settings: NativeEndpointSettings): void;
  setRemote(id: number, address: string, port: number): void;
  setCodec(id: number, codec: CodecName): void;
  setPayloadTypes(id: number, payloadTypes: PayloadTypeMap): void;
  setEcho(id: number, on: boolean): void;
  setSending(id: number, on: boolean): void;
  setRtpTimeout(id: number, ms: number): void;
  playTone(id: number, frequencies: number | number[], options?: NativeToneOptions): void;
  stopTone(id: number): void;
  sendDtmf(id: number, digits: string, options?: SendDtmfOptions): void;
  setDtmfDetect(id: number, mode: DtmfDetectMode): void;
  setRtcp(id: number, options: NativeRtcpOptions): void;
  /** The counters in ENDPOINT_COUNTERS order. */
  endpointStats(id: number): Float64Array;
  setVad(id: number, vad: boolean | VadOptions): void;
  /** Resolves with the playback id once the file is loaded (off the JS and media threads). */
  play(id: number, path: string, options?: NativePlayOptions): Promise<number>;
  /** playbackId absent: everything playing or queued on the endpoint. */
  stopPlayback(id: number, playbackId?: number): void;
  createMixer(options?: { thread?: number }): { id: number; thread: number };
  closeMixer(id: number): void;
  addMember(mixerId: number, endpointId: number): void;
  removeMember(mixerId: number, endpointId: number): void;
  setHears(mixerId: number, sets: Array<[number, number[]]>): void;
  stats(): { threads: ThreadStats[]; portPool: PortPoolStats };
  close(): void;
  isClosed(): boolean;
  /** While true, pending events keep the process alive (the default is false). */
  keepAlive(on: boolean): void;
  startRecording(path: string, source: NativeRecordingSource): number;
  pauseRecording(id: number): void;
  resumeRecording(id: number): void;
  stopRecording(id: number): void;
  recordingStats(): RecordingStats;
  /** The events not delivered yet, returned at once (after close: the recordings' last events). */
  takeEvents(): NativeEvent[];
}

export interface NativeAddon {
  abiVersion: number;
  /** The names of endpointStats()' values, in order. */
  endpointCounters: string[];
  Engine: new (options: NativeEngineOptions, onEvents: (events: NativeEvent[]) => void) => NativeEngine;
  /** SCHED_RR at `priority` for the calling thread (engine/process-priority.ts); the kernel's refusal as text. */
  setEventLoopRealtime(priority: number): string | undefined;
  g711: {
    ulawEncode(samples: Int16Array): Uint8Array;
    ulawDecode(codes: Uint8Array): Int16Array;
    alawEncode(samples: Int16Array): Uint8Array;
    alawDecode(codes: Uint8Array): Int16Array;
  };
}

const ADDON_FILE = join('build', 'Release', 'switchyard_media.node');

/**
 * Where the addon is: $SWITCHYARD_MEDIA_ADDON, else build/Release/ in the nearest folder
 * above this module that has one (works from media/ and from dist/media/).
 */
export function addonPath(): string {
  const override = process.env.SWITCHYARD_MEDIA_ADDON;
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new MediaError(`media addon not found (${ADDON_FILE}); build it with \`npx node-gyp rebuild\``, 'ADDON_MISSING');
}

let addon: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  const loaded = require(addonPath()) as NativeAddon;
  if (loaded.abiVersion !== ABI_VERSION) {
    throw new MediaError(
      `media addon ABI ${loaded.abiVersion} does not match ${ABI_VERSION}; rebuild it with \`npx node-gyp rebuild\``,
      'ADDON_ABI',
    );
  }
  if (loaded.endpointCounters.join() !== ENDPOINT_COUNTERS.join()) {
    throw new MediaError('media addon counters do not match media/stats.ts; rebuild it with `npx node-gyp rebuild`', 'ADDON_ABI');
  }
  addon = loaded;
  return addon;
}
