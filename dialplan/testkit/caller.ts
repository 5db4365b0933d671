// A simulated caller for dialplan tests: a real SIP UA on loopback that places one call and
// records what the dialplan did to it (provisionals, early media, answer, who hung up, why).
import { CallLeg } from '../../engine/call/call-leg.js';
import { SipError, type Dialog, type OutgoingInvite, type SipResponse, type SipStack } from '../../engine/sip/index.js';
import type { Endpoint, MediaEngine } from '../../media/index.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatWav } from '../audio/wav.js';
import { espeakSpeech } from '../speech/voices.js';

/** A plain PCMU offer (with RFC 4733 events) from the caller. */
export function callerSdp(address: string, port: number): string {
  return [
    'v=0',
    `o=caller 1 1 IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 0 101`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-16',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** How the call ended, as the caller saw it. */
export type CallOutcome =
  | { kind: 'rejected'; status: number; reason: string }
  | { kind: 'hungup-by-dialplan'; reasonHeader?: string }
  | { kind: 'hungup-by-caller' };

export class SimulatedCaller {
  /** Provisional statuses received, in order (180, 183...). */
  readonly provisionals: SipResponse[] = [];
  private dialog?: Dialog;
  /** With media: the caller's call leg (its RTP endpoint sends the DTMF). */
  private leg?: CallLeg;
  private earlyEndpoint?: Endpoint;
  private invite?: OutgoingInvite;
  private finish!: (o: CallOutcome) => void;
  private answeredResolve!: () => void;
  private answeredReject!: (e: unknown) => void;
  /** Resolves when the dialplan answers; rejects with the SipError when it does not. */
  readonly answered: Promise<void>;
  /** Resolves with how the call ended, whoever ended it. */
  readonly ended: Promise<CallOutcome>;
  /** The Refer-To of a REFER the dialplan sent (blind transfer). */
  referredTo?: string;

  /**
   * `transfer`: how the caller's phone answers a REFER: 'accept' (202, then reports the new call
   * answered in a NOTIFY, as a phone whose transfer target picks up), 'fail' (202, then a
   * NOTIFY reporting 486), or 'unsupported' (501, a phone without REFER). Default 'unsupported'.
   */
  constructor(
    stack: SipStack,
    uri: string,
    options: { from?: string; headers?: Record<string, string>; sdp: string; transfer?: 'accept' | 'fail' | 'unsupported'; media?: MediaEngine },
  ) {
    this.answered = new Promise((resolve, reject) => {
      this.answeredResolve = resolve;
      this.answeredReject = reject;
    });
    this.answered.catch(() => undefined);
    this.ended = new Promise((resolve) => (this.finish = resolve));
    const callbacks = { cbRequest: (h: OutgoingInvite) => (this.invite = h), cbProvisional: (r: SipResponse) => this.provisionals.push(r) };
    const { from, headers, media } = options;
    const placed = media
      ? CallLeg.dial({ stack, media, uri, from, headers, onEarlyMedia: (ep) => (this.earlyEndpoint = ep) }, callbacks).then((leg) => {
          this.leg = leg;
          return leg.dialog;
        })
      : stack.createUAC(uri, { from, headers, localSdp: options.sdp }, callbacks);
    placed.then(
      (dialog) => {
        this.dialog = dialog;
        if (options.transfer === 'accept' || options.transfer === 'fail') this.takeRefers(dialog, options.transfer === 'accept' ? 'SIP/2.0 200 OK' : 'SIP/2.0 486 Busy Here');
        dialog.once('destroy', (bye) => this.finish({ kind: 'hungup-by-dialplan', reasonHeader: bye?.get('reason') }));
        this.answeredResolve();
      },
      (err: unknown) => {
        this.answeredReject(err);
        if (err instanceof SipError) this.finish({ kind: 'rejected', status: err.status, reason: err.reason });
        else this.finish({ kind: 'rejected', status: 0, reason: String(err) });
      },
    );
  }

  private takeRefers(dialog: Dialog, finalReport: string): void {
    dialog.on('refer', (req, res) => {
      this.referredTo = req.get('refer-to');
      res.send(202);
      // RFC 3515 §2.4.4: progress of the new call as message/sipfrag in NOTIFYs of the refer event.
      const notify = (body: string, state: string) =>
        dialog.request('NOTIFY', { headers: { Event: 'refer', 'Subscription-State': state }, body: `${body}\r\n`, contentType: 'message/sipfrag;version=2.0' });
      void notify('SIP/2.0 100 Trying', 'active;expires=60').then(() => notify(finalReport, 'terminated;reason=noresource'));
    });
  }

  /** Statuses of the provisionals so far. */
  get provisionalStatuses(): number[] {
    return this.provisionals.map((r) => r.status);
  }

  /** The answer's SDP, once answered. */
  get remoteSdp(): string | undefined {
    return this.dialog?.remoteSdp;
  }

  /**
   * With media: the caller's RTP endpoint, from early media (a 183 with SDP) or the answer on.
   * `record(path)` on it keeps what the caller hears; `playTone()` makes the caller make a sound
   * (`speak`/`say` make it talk).
   */
  get endpoint(): Endpoint | undefined {
    return this.leg?.endpoint ?? this.earlyEndpoint;
  }

  /** Presses keys (RFC 4733 events when the dialplan's side offered them, else tones). Needs media. */
  sendDtmf(digits: string): void {
    if (!this.leg) throw new Error('sendDtmf: the call is not answered, or the test kit runs without media');
    this.leg.endpoint.sendDtmf(digits);
  }

  /**
   * Speaks a WAV file (16-bit PCM, any rate from 8 to 48 kHz: the endpoint resamples it to the
   * call's 8 kHz) into the call; resolves once all of it was sent. Needs media.
   */
  async speak(file: string): Promise<void> {
    const endpoint = this.endpoint;
    if (!endpoint) throw new Error('speak: the call has no media yet (not answered, or the test kit runs without media)');
    const playback = await endpoint.play(file);
    await playback.done;
  }

  /**
   * Speaks `text` with espeak-ng's `lang` voice into the call (a temporary WAV, removed after),
   * with `pauseMs` (default 800) of silence before and after it: a phone sends audio all the
   * time, and the far end's VAD learns the line's noise floor from the quiet before the words.
   */
  async say(text: string, options: { lang?: string; pauseMs?: number } = {}): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-caller-'));
    try {
      const file = join(dir, 'say.wav');
      const speech = await espeakSpeech(text, options.lang);
      const pad = Math.round(((options.pauseMs ?? 800) * speech.sampleRate) / 1000);
      const samples = new Int16Array(pad + speech.samples.length + pad);
      samples.set(speech.samples, pad);
      await writeFile(file, formatWav({ sampleRate: speech.sampleRate, samples }));
      await this.speak(file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Hangs up: CANCEL while ringing, BYE once answered. */
  async hangup(): Promise<void> {
    if (this.leg) {
      await this.leg.hangup();
      this.finish({ kind: 'hungup-by-caller' });
      return;
    }
    if (this.dialog) {
      await this.dialog.destroy();
      this.finish({ kind: 'hungup-by-caller' });
      return;
    }
    this.invite?.cancel();
    this.finish({ kind: 'hungup-by-caller' });
  }

  /** Resolves once a provisional with `status` arrived. */
  async waitProvisional(status: number, timeoutMs = 5000): Promise<SipResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.provisionals.find((r) => r.status === status);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no ${status} within ${timeoutMs} ms (got ${this.provisionalStatuses.join(', ') || 'none'})`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
