// The Call's media port over an RTP endpoint (media/): prompts by the endpoint's file
// playback (barge-in on a key or, with the endpoint's VAD, on caller speech), DTMF input.
// recording what the caller says, and speech input (the VAD marks the utterance, the endpoint's
// recording captures it for the Call's recognizer).
import type { Endpoint, MediaEngine, Playback } from '../media/index.js';
import { connectEndpoints, type MediaConnection } from './media-connection.js';
import type { DtmfEvent } from '../media/dtmf.js';
import { NotAvailableError } from './errors.js';
import type { CallMedia, MediaBridge, EchoOptions, EchoResult, GatherHooks, GatherOptions, GatherResult, PlayOptions, RecordOptions, RecordResult, SpeechResult } from './media-port.js';
import { SpeechCapture } from './speech-capture.js';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';

export class EndpointMedia implements CallMedia {
  private vadOn = false;
  private recordingCount = 0;
  /** While the call is bridged: the mixer, and what aborts when the bridge ends. */
  private bridge?: MediaBridge & { over: AbortController };

  /**
   * `recordings`: where record() writes, and the files' name stem (the call-id); `media`: the
   * engine the endpoint belongs to, for connect() (bridging two calls); `speechDir`: an existing
   * folder for gather({ speech })'s temporary captures (default the system's temp folder).
   */
  constructor(
    private readonly endpoint: Endpoint,
    private readonly recordings?: { dir: string; name: string },
    private readonly media?: MediaEngine,
    private readonly speechDir?: string,
  ) {}

  connect(other: CallMedia): MediaConnection {
    if (!this.media || !(other instanceof EndpointMedia)) throw new NotAvailableError('bridge', 'bridge: both calls need media of this engine');
    return connectEndpoints(this.media, this.endpoint, other.endpoint);
  }

  onDtmf(listener: (digit: string) => void): void {
    this.endpoint.on('dtmf', (e: DtmfEvent) => listener(e.digit));
  }

  /** Plays `file` to the end (or until barge-in, or the call ends). */
  async play(file: string, options: PlayOptions, signal: AbortSignal, started?: () => void): Promise<void> {
    const playback = await this.start(file, options);
    started?.();
    const stop = () => playback.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await playback.done;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  /**
   * Records what the caller says into `<recordingsDir>/<name>-<n>.wav`: after an optional beep,
   * until `maxSeconds`, `silenceTimeoutMs` without speech (the endpoint's VAD), a finish key,
   * or the call's end (the file is kept, reason 'hangup').
   */
  async record(options: RecordOptions, signal: AbortSignal): Promise<RecordResult> {
    if (!this.recordings) throw new NotAvailableError('recording', 'record: no recordings folder is configured');
    const bridge = this.bridge;
    if (options.stereo && !bridge) throw new NotAvailableError('stereo-recording', 'record: stereo needs a bridged call (while dial or bridge() connects another party)');
    const maxMs = (options.maxSeconds ?? 60) * 1000;
    if (!(maxMs > 0)) throw new RangeError(`record: maxSeconds must be positive, got ${options.maxSeconds}`);
    if (options.beep) {
      const toneDone = once(this.endpoint, 'toneDone', { signal });
      this.endpoint.playTone('beep');
      await toneDone;
    }
    if (options.silenceTimeoutMs !== undefined) this.enableVad();
    await mkdir(this.recordings.dir, { recursive: true });
    const path = join(this.recordings.dir, `${this.recordings.name}-${++this.recordingCount}.wav`);
    // Stereo: the bridge's mixer, the caller left and the other party right; it ends with the bridge.
    const stereo = options.stereo && bridge;
    const recording = stereo ? stereo.mixer.record(path, { layout: 'stereo', left: stereo.self, right: stereo.other }) : this.endpoint.record(path);
    const until = stereo ? AbortSignal.any([signal, stereo.over.signal]) : signal;
    let reason: RecordResult['reason'] = await this.until({ maxMs, finishOnKey: options.finishOnKey, silenceTimeoutMs: options.silenceTimeoutMs }, until);
    if (reason === 'hangup' && !signal.aborted) reason = 'bridge-ended';
    // A closed mixer ends its recordings itself.
    const result = await (reason === 'bridge-ended' ? recording.done() : recording.stop());
    return { file: result.path, durationMs: result.durationMs, reason };
  }

  bridged(bridge: MediaBridge | undefined): void {
    this.bridge?.over.abort();
    this.bridge = bridge && { ...bridge, over: new AbortController() };
  }

  /** The caller hears themself (the endpoint sends back what arrives) until a finish key, maxSeconds or the call's end. */
  async echo(options: EchoOptions, signal: AbortSignal): Promise<EchoResult> {
    const maxMs = (options.maxSeconds ?? 60) * 1000;
    if (!(maxMs > 0)) throw new RangeError(`echo: maxSeconds must be positive, got ${options.maxSeconds}`);
    const started = Date.now();
    this.endpoint.setEcho(true);
    try {
      // No silence timeout is given, so 'silence' cannot come back.
      const reason = (await this.until({ maxMs, finishOnKey: options.finishOnKey }, signal)) as EchoResult['reason'];
      return { durationMs: Date.now() - started, reason };
    } finally {
      if (!this.endpoint.closed) this.endpoint.setEcho(false);
    }
  }

  /**
   * Waits for the end of a record or echo: `maxMs`, a finish key (default '#'), `silenceTimeoutMs`
   * without speech (the endpoint's VAD, counted from the start or the end of speech) or the call's end.
   */
  private until(o: { maxMs: number; finishOnKey?: string; silenceTimeoutMs?: number }, signal: AbortSignal): Promise<RecordResult['reason']> {
    const finishOnKey = o.finishOnKey ?? '#';
    return new Promise((resolve) => {
      let silence: NodeJS.Timeout | undefined;
      const armSilence = () => {
        if (o.silenceTimeoutMs !== undefined) silence = setTimeout(() => finish('silence'), o.silenceTimeoutMs);
      };
      const onSpeech = () => clearTimeout(silence);
      const onKey = (e: DtmfEvent) => finishOnKey.includes(e.digit) && finish('finish-key');
      const onAbort = () => finish('hangup');
      const max = setTimeout(() => finish('max-seconds'), o.maxMs);
      const finish = (r: RecordResult['reason']) => {
        clearTimeout(max);
        clearTimeout(silence);
        this.endpoint.off('speechStart', onSpeech);
        this.endpoint.off('speechEnd', armSilence);
        this.endpoint.off('dtmf', onKey);
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      };
      this.endpoint.on('speechStart', onSpeech);
      this.endpoint.on('speechEnd', armSilence);
      if (finishOnKey) this.endpoint.on('dtmf', onKey);
      if (signal.aborted) return finish('hangup');
      signal.addEventListener('abort', onAbort, { once: true });
      armSilence();
    });
  }

  /**
   * Collects DTMF keys: until `maxDigits`, the `finishOnKey` (not included), `timeout` ms
   * without a first key (default 5000, counted from the end of the prompt) or
   * `interDigitTimeout` ms between keys (default 3000). A prompt (a WAV path here: the Call
   * synthesizes text prompts) plays meanwhile and stops at the first key (barge-in).
   * With `speech`, the caller's words count too: the endpoint's VAD marks the utterance (its
   * start stops the prompt and the first-input timeout), what arrived since the gather began is
   * captured by the media core and handed to `hooks.recognize` once the speech ended (or after
   * `maxSpeechMs`). Whichever comes first wins: a key before the speech ended drops the speech,
   * keys after it are not counted.
   */
  gather(options: GatherOptions, signal: AbortSignal, hooks: GatherHooks = {}): Promise<GatherResult> {
    const prompt = options.prompt;
    if (typeof prompt === 'object') return Promise.reject(new TypeError('gather: a text prompt must be synthesized to a file first'));
    if (options.speech !== undefined && !hooks.recognize) return Promise.reject(new NotAvailableError('asr', 'gather: speech input needs a speech recognizer, none is configured'));
    const maxDigits = options.maxDigits ?? Infinity;
    const finishOnKey = options.finishOnKey ?? '#';
    const maxSpeechMs = (typeof options.speech === 'object' && options.speech.maxSpeechMs) || 10_000;
    return new Promise((resolve, reject) => {
      let digits = '';
      let bargedIn = false;
      let timer: NodeJS.Timeout | undefined;
      let playback: Playback | undefined;
      let finished = false;
      // Speech: the capture while the caller may still speak; `speaking` from the VAD's start on.
      let capture = options.speech !== undefined ? this.startCapture() : undefined;
      let speaking = false;
      let recognizing = false;
      // Captures being stopped and removed: the gather settles once they are gone.
      const cleanups: Promise<void>[] = [];
      const promptPlaying = (): boolean => prompt !== undefined && playback?.ended?.reason !== 'finished';
      const stopListening = (): void => {
        this.endpoint.off('speechStart', onSpeechStart);
        this.endpoint.off('speechEnd', onSpeechEnd);
        if (capture) cleanups.push(capture.discard());
        capture = undefined;
      };
      const done = (reason: GatherResult['reason'], error?: unknown, speech?: SpeechResult): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        playback?.stop();
        this.endpoint.off('dtmf', onDigit);
        stopListening();
        signal.removeEventListener('abort', onAbort);
        void Promise.all(cleanups).then(() => {
          if (error) reject(error);
          else resolve(speech ? { digits, speech, reason, bargedIn } : { digits, reason, bargedIn });
        });
      };
      const arm = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => done('timeout'), ms);
      };
      const onDigit = (e: DtmfEvent): void => {
        if (recognizing) return;
        // The first key while the prompt is loading or playing cuts it short.
        if (digits === '' && promptPlaying()) bargedIn = true;
        stopListening();
        if (finishOnKey.includes(e.digit)) return done('finish-key');
        digits += e.digit;
        if (digits.length >= maxDigits) return done('max-digits');
        arm(options.interDigitTimeout ?? 3000);
      };
      const onSpeechStart = (): void => {
        if (speaking) return;
        speaking = true;
        // The endpoint stopped the prompt itself (stopOnSpeech); the no-input timeout is over.
        if (promptPlaying()) bargedIn = true;
        clearTimeout(timer);
        timer = setTimeout(onSpeechEnd, maxSpeechMs);
      };
      const onSpeechEnd = (): void => {
        // An utterance that began before this gather was not captured whole: not ours.
        if (!speaking || !capture || recognizing) return;
        recognizing = true;
        clearTimeout(timer);
        const heard = capture;
        capture = undefined;
        heard
          .stop()
          .then((audio) => hooks.recognize!(audio))
          .then(
            (speech) => done('speech', undefined, speech),
            (err: unknown) => done('speech', err),
          );
      };
      // The Call rejects the verb with CallGoneError; here we only let go of the endpoint.
      const onAbort = (): void => done('timeout');
      this.endpoint.on('dtmf', onDigit);
      if (capture) {
        this.endpoint.on('speechStart', onSpeechStart);
        this.endpoint.on('speechEnd', onSpeechEnd);
      }
      signal.addEventListener('abort', onAbort, { once: true });
      for (const digit of hooks.typed ?? '') if (!finished) onDigit({ digit } as DtmfEvent);
      if (finished) return;
      const noInput = (): void => void (!finished && digits === '' && !speaking && arm(options.timeout ?? 5000));
      if (prompt === undefined) return noInput();
      if (digits !== '') return; // keys came before the prompt could start: it is not played
      this.start(prompt, { bargeIn: true }).then(
        (p) => {
          playback = p;
          if (finished) return p.stop();
          hooks.started?.();
          // The first-input timeout runs from the end of the prompt, unless input came meanwhile.
          void p.done.then(noInput);
        },
        (err: unknown) => done('timeout', err),
      );
    });
  }

  /** Captures what the caller says (VAD on: its events mark the utterance). */
  private startCapture(): SpeechCapture {
    this.enableVad();
    return SpeechCapture.start(this.endpoint, this.speechDir);
  }

  private enableVad(): void {
    if (this.vadOn) return;
    this.endpoint.setVad(true);
    this.vadOn = true;
  }

  private start(file: string, options: PlayOptions): Promise<Playback> {
    if (options.bargeIn) this.enableVad();
    return this.endpoint.play(file, { loop: options.loop, stopOnDtmf: options.bargeIn, stopOnSpeech: options.bargeIn });
  }
}
