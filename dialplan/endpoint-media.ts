// The Call's media port over an RTP endpoint (media/): prompts by the endpoint's file
// playback (barge-in on a key or, with the endpoint's VAD, on caller speech), DTMF input.
// Speech input and recording join as the media core's audio tap and recorder get wired here;
// until then those reject clearly.
import type { Endpoint, Playback } from '../media/index.js';
import type { DtmfEvent } from '../media/dtmf.js';
import { NotAvailableError } from './errors.js';
import type { CallMedia, GatherOptions, GatherResult, PlayOptions } from './media-port.js';

export class EndpointMedia implements CallMedia {
  private vadOn = false;

  constructor(private readonly endpoint: Endpoint) {}

  onDtmf(listener: (digit: string) => void): void {
    this.endpoint.on('dtmf', (e: DtmfEvent) => listener(e.digit));
  }

  /** Plays `file` to the end (or until barge-in, or the call ends). */
  async play(file: string, options: PlayOptions, signal: AbortSignal): Promise<void> {
    const playback = await this.start(file, options);
    const stop = () => playback.stop();
    signal.addEventListener('abort', stop, { once: true });
    try {
      await playback.done;
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  record(): Promise<never> {
    return Promise.reject(new NotAvailableError('recording', 'record: recording is not wired to dialplan calls yet'));
  }

  /**
   * Collects DTMF keys: until `maxDigits`, the `finishOnKey` (not included), `timeout` ms
   * without a first key (default 5000, counted from the end of the prompt) or
   * `interDigitTimeout` ms between keys (default 3000). A prompt (a WAV path here: the Call
   * synthesizes text prompts) plays meanwhile and stops at the first key (barge-in).
   */
  gather(options: GatherOptions, signal: AbortSignal): Promise<GatherResult> {
    if (options.speech !== undefined) return Promise.reject(new NotAvailableError('asr', 'gather: speech input needs the media core’s audio tap, not wired to dialplan calls yet'));
    const prompt = options.prompt;
    if (typeof prompt === 'object') return Promise.reject(new TypeError('gather: a text prompt must be synthesized to a file first'));
    const maxDigits = options.maxDigits ?? Infinity;
    const finishOnKey = options.finishOnKey ?? '#';
    return new Promise((resolve, reject) => {
      let digits = '';
      let timer: NodeJS.Timeout | undefined;
      let playback: Playback | undefined;
      let finished = false;
      const done = (reason: GatherResult['reason'], error?: unknown): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        playback?.stop();
        this.endpoint.off('dtmf', onDigit);
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve({ digits, reason });
      };
      const arm = (ms: number): void => {
        clearTimeout(timer);
        timer = setTimeout(() => done('timeout'), ms);
      };
      const onDigit = (e: DtmfEvent): void => {
        if (finishOnKey.includes(e.digit)) return done('finish-key');
        digits += e.digit;
        if (digits.length >= maxDigits) return done('max-digits');
        arm(options.interDigitTimeout ?? 3000);
      };
      // The Call rejects the verb with CallGoneError; here we only let go of the endpoint.
      const onAbort = (): void => done('timeout');
      this.endpoint.on('dtmf', onDigit);
      signal.addEventListener('abort', onAbort, { once: true });
      if (prompt === undefined) return arm(options.timeout ?? 5000);
      this.start(prompt, { bargeIn: true }).then(
        (p) => {
          playback = p;
          if (finished) return p.stop();
          // The first-key timeout runs from the end of the prompt, unless a key came meanwhile.
          void p.done.then(() => !finished && digits === '' && arm(options.timeout ?? 5000));
        },
        (err: unknown) => done('timeout', err),
      );
    });
  }

  private start(file: string, options: PlayOptions): Promise<Playback> {
    if (options.bargeIn && !this.vadOn) {
      this.endpoint.setVad(true);
      this.vadOn = true;
    }
    return this.endpoint.play(file, { loop: options.loop, stopOnDtmf: options.bargeIn, stopOnSpeech: options.bargeIn });
  }
}
