// An RTP endpoint: one UDP socket on a media thread. Created by MediaEngine.createEndpoint.
import { EventEmitter } from 'node:events';
import type { DtmfDetectMode, DtmfEvent, DtmfSentEvent, SendDtmfOptions } from './dtmf.js';
import { MediaError } from './errors.js';
import type { CodecName, EndpointStats, NativeEndpointSettings, NativeEngine, NativeRtcpOptions, PayloadTypeMap, VadOptions } from './native.js';
import { Playback, type PlaybackResult, type PlayOptions } from './playback.js';
import { nativeToneArgs, type ToneArgument, type ToneRegion } from './tones.js';
import { RecordingRegistry, type Recording } from './recording.js';
import { statsFrom } from './stats.js';

export interface ToneOptions {
  /** Peak amplitude as a fraction of full scale, 0–1. Default 0.25. */
  amplitude?: number;
  /** How long; 0 or absent: until stopTone(). A 'toneDone' event follows a finite tone. */
  durationMs?: number;
  /**
   * 'remote' (default): the far end of this endpoint hears the tone.
   * 'mixer': the tone joins what this endpoint says, so the mixer members that hear this
   * endpoint hear it (as if its caller produced it).
   */
  target?: 'remote' | 'mixer';
  /** For a preset: whose convention ('us' default, 'eu', 'ru', 'uk'). */
  region?: ToneRegion;
}

export interface EndpointEventMap {
  /** Symmetric RTP: the first valid packet came from here; we send here from now on. */
  latched: [{ address: string; port: number }];
  /** The sender's SSRC changed; sequence tracking and the jitter buffer started over. */
  ssrcChange: [{ ssrc: number; previous: number }];
  /** No valid RTP for the configured time (raised once per silence). */
  rtpTimeout: [{ silentMs: number }];
  /** A finite tone finished. */
  toneDone: [];
  /** A DTMF key press ended (one event per press, however it arrived). */
  dtmf: [DtmfEvent];
  /** The digits of one sendDtmf call are sent. */
  dtmfSent: [DtmfSentEvent];
  /** VAD: the remote party started speaking at `mediaMs` (ms of audio since it started sending). */
  speechStart: [{ mediaMs: number }];
  /** VAD: the speech segment ended at `mediaMs` and lasted `durationMs`. */
  speechEnd: [{ mediaMs: number; durationMs: number }];
  /** A playback ended. */
  playbackDone: [{ playbackId: number } & PlaybackResult];
  /** The socket is closed and its port free; final counters. */
  closed: [EndpointStats];
}

export class Endpoint extends EventEmitter<EndpointEventMap> {
  private closing: Promise<EndpointStats> | undefined;
  private resolveClose: ((stats: EndpointStats) => void) | undefined;
  private finalStats: EndpointStats | undefined;
  private readonly playbacks = new Map<number, Playback>();

  /** @internal Use MediaEngine.createEndpoint. */
  constructor(
    /** @internal */ readonly native: NativeEngine,
    readonly id: number,
    /** Local address the socket is bound to. */
    readonly address: string,
    /** Local RTP port (even); RTCP is on port + 1 (also bound), or on this port with rtcp-mux. */
    readonly port: number,
    /** Index of the media thread that owns this endpoint. */
    readonly thread: number,
    private readonly onCloseRequested: (ep: Endpoint) => void = () => {},
  ) {
    super();
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /**
   * Several settings at once, in one command to the media thread (e.g. all that a remote SDP
   * decides: see sdp.ts endpointSettings); absent fields stay as they are.
   */
  configure(settings: NativeEndpointSettings): void {
    this.native.configureEndpoint(this.id, settings);
  }

  /** Where to send RTP (from the remote SDP). With symmetric RTP, the latched source wins. */
  setRemote(address: string, port: number): void {
    this.native.setRemote(this.id, address, port);
  }

  /** Codec of what we send; we decode PCMU and PCMA whichever arrives. */
  setCodec(codec: CodecName): void {
    this.native.setCodec(this.id, codec);
  }

  /** Payload type numbers (absent fields take the defaults 0, 8, 101). */
  setPayloadTypes(payloadTypes: PayloadTypeMap): void {
    this.native.setPayloadTypes(this.id, payloadTypes);
  }

  /** Echo: what arrives is decoded and sent back (re-encoded), every tick. */
  setEcho(on: boolean): void {
    this.native.setEcho(this.id, on);
  }

  /**
   * Whether anything is sent to the far end (default true). Off while the far end is on hold
   * (it offered a=sendonly or a=inactive, RFC 3264 §6.1); receiving goes on.
   */
  setSending(on: boolean): void {
    this.native.setSending(this.id, on);
  }

  /** Raise 'rtpTimeout' after this long without valid RTP; 0 disables. */
  setRtpTimeout(ms: number): void {
    this.native.setRtpTimeout(this.id, ms);
  }

  /**
   * Plays a tone, replacing any tone already playing: a sine of `frequencyHz` (1–3999), a
   * preset ('ringback', 'busy', 'dial', 'congestion', 'beep'; `options.region` picks the
   * convention) or a spec ({ frequencies, onMs, offMs, cadence, amplitude, durationMs }).
   */
  playTone(tone: ToneArgument, options: ToneOptions = {}): void {
    const [frequencies, nativeOptions] = nativeToneArgs(tone, options);
    this.native.playTone(this.id, frequencies, nativeOptions);
  }

  stopTone(): void {
    this.native.stopTone(this.id);
  }

  /**
   * Queues DTMF digits (0-9 * # A-D, up to 64) to send after any queued before; 'dtmfSent'
   * follows when they are done. RFC 4733 events replace the voice while a key is sent;
   * in-band tones replace it for the key's duration.
   */
  sendDtmf(digits: string, options: SendDtmfOptions = {}): void {
    this.native.sendDtmf(this.id, digits, options);
  }

  /** Which receive paths report 'dtmf' events (default 'auto'). */
  setDtmfDetect(mode: DtmfDetectMode): void {
    this.native.setDtmfDetect(this.id, mode);
  }

  /**
   * Records what this endpoint says (its decoded input) to a mono WAV at `path`, from the
   * next tick until stop() or until the endpoint closes.
   */
  record(path: string): Recording {
    return RecordingRegistry.of(this.native).start(path, { endpoint: this.id }, 'mono');
  }

  /** Voice activity detection on what arrives: true/false, or settings (absent fields unchanged). */
  setVad(vad: boolean | VadOptions): void {
    this.native.setVad(this.id, vad);
  }

  /**
   * Plays a WAV (16-bit PCM, mono or stereo, any rate from 8 to 48 kHz: resampled to 8 kHz) or a
   * raw PCM file. Resolves once the file is loaded and handed to the media thread; rejects
   * with a MediaError ('AUDIO_FILE') if it cannot be read or decoded. Bad options throw
   * TypeError/RangeError (as a rejection).
   */
  async play(path: string, options: PlayOptions = {}): Promise<Playback> {
    if (this.closed) throw new MediaError(`endpoint ${this.id} is closed`, 'CLOSED');
    let id: number;
    try {
      id = await this.native.play(this.id, path, options);
    } catch (err) {
      if (err instanceof TypeError || err instanceof RangeError || !(err instanceof Error)) throw err;
      // Closed while the file loaded (the endpoint or the whole engine), else the file's fault.
      throw new MediaError(err.message, this.closed || this.native.isClosed() ? 'CLOSED' : 'AUDIO_FILE');
    }
    const playback = new Playback(id, (pid) => this.stopPlayback(pid));
    this.playbacks.set(id, playback);
    return playback;
  }

  /** Stops one playback (by id), or everything playing and queued here. */
  stopPlayback(playbackId?: number): void {
    if (this.closed) return;
    this.native.stopPlayback(this.id, playbackId);
  }

  /** @internal From the engine's 'playbackDone' event. */
  playbackDone(playbackId: number, result: PlaybackResult): void {
    this.playbacks.get(playbackId)?.settle(result);
    this.playbacks.delete(playbackId);
    this.emit('playbackDone', { playbackId, ...result });
  }

  /** RTCP multiplexing (RFC 5761) and the peer's RTCP address (a=rtcp); default: RTP port + 1. */
  setRtcp(options: NativeRtcpOptions): void {
    this.native.setRtcp(this.id, options);
  }

  /** Current counters (after close: the final ones). */
  stats(): EndpointStats {
    if (this.finalStats) return { ...this.finalStats };
    return statsFrom(this.native.endpointStats(this.id));
  }

  /** Closes the socket on its media thread; resolves with the final counters once the port is free. Idempotent. */
  close(): Promise<EndpointStats> {
    if (this.closing) return this.closing;
    this.closing = new Promise((resolve) => {
      this.resolveClose = resolve;
    });
    this.native.closeEndpoint(this.id);
    this.onCloseRequested(this);
    return this.closing;
  }

  /** @internal The engine reports the end (from the 'closed' event or its own close). */
  markClosed(stats: EndpointStats): void {
    if (this.finalStats) return;
    this.finalStats = stats;
    for (const p of this.playbacks.values()) p.settle({ reason: 'stopped', playedMs: 0 });
    this.playbacks.clear();
    if (!this.closing) this.closing = Promise.resolve(stats);
    this.resolveClose?.(stats);
    this.emit('closed', stats);
  }
}
