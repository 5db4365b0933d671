// The Call's media port over an RTP endpoint (media/): DTMF now; prompts (playback), speech
// (VAD) and recording join as the media core provides them, until then those reject clearly.
import type { Endpoint } from '../media/index.js';
import type { DtmfEvent } from '../media/dtmf.js';
import { NotAvailableError } from './errors.js';
import type { CallMedia, GatherOptions, GatherResult } from './media-port.js';

export class EndpointMedia implements CallMedia {
  constructor(private readonly endpoint: Endpoint) {}

  onDtmf(listener: (digit: string) => void): void {
    this.endpoint.on('dtmf', (e: DtmfEvent) => listener(e.digit));
  }

  play(): Promise<void> {
    return Promise.reject(new NotAvailableError('playback', 'play/say: prompt playback is not in the media core yet'));
  }

  record(): Promise<never> {
    return Promise.reject(new NotAvailableError('recording', 'record: recording is not in the media core yet'));
  }

  /**
   * Collects DTMF keys: until `maxDigits`, the `finishOnKey` (not included), `timeout` ms
   * without a first key (default 5000) or `interDigitTimeout` ms between keys (default 3000).
   */
  gather(options: GatherOptions, signal: AbortSignal): Promise<GatherResult> {
    if (options.prompt !== undefined) return Promise.reject(new NotAvailableError('playback', 'gather: prompts need playback, not in the media core yet'));
    if (options.speech !== undefined) return Promise.reject(new NotAvailableError('vad', 'gather: speech input needs the media core’s VAD and audio tap, not there yet'));
    const maxDigits = options.maxDigits ?? Infinity;
    const finishOnKey = options.finishOnKey ?? '#';
    return new Promise((resolve) => {
      let digits = '';
      let timer: NodeJS.Timeout;
      const done = (reason: GatherResult['reason']): void => {
        clearTimeout(timer);
        this.endpoint.off('dtmf', onDigit);
        signal.removeEventListener('abort', onAbort);
        resolve({ digits, reason });
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
      arm(options.timeout ?? 5000);
    });
  }
}
