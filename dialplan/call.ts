// The Call object a dialplan handler receives: async verbs over one inbound leg. Every verb
// rejects with CallGoneError once the call has ended (or when it ends while the verb runs),
// and the call's AbortSignal tells media operations to let go of what they hold.
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { resolveCause, type HangupCause } from './causes.js';
import { CallGoneError, DialplanError, NotAvailableError, type HangupParty } from './errors.js';
import type { CallInfo, InboundLeg, LegGoneReason, LegState } from './leg.js';
import type { DialHooks, DialOptions, DialResult, DialTarget } from './dial.js';
import type { QueueEntry, QueueOutcome } from './queue-port.js';
import type { CallMedia, MediaBridge, EchoOptions, EchoResult, GatherHooks, GatherOptions, GatherResult, PlayOptions, RecordOptions, RecordResult, SpeechResult } from './media-port.js';
import { normalizePhrase, type RecognitionMode, type Recognizer } from './speech/recognizer.js';
import type { Pcm16 } from './audio/wav.js';
import type { SayOptions, Synthesizer } from './tts/synthesizer.js';
import type { EventSink } from './runner.js';

export type CallVariables = Record<string, unknown>;

export interface HangupEvent {
  by: HangupParty;
  /** 'canceled' | 'bye' | 'vanished' from the caller's side, or the cause the dialplan gave. */
  cause: string;
}

export interface CallEvents {
  answered: [];
  hangup: [HangupEvent];
  dtmf: [{ digit: string }];
  /** The caller spoke during a gather({ speech }): what the recognizer made of it. */
  speech: [SpeechResult];
  /** Bridged with another party (dial answered, bridge()); record({ stereo: true }) records both now. */
  bridged: [];
  /** The bridge ended. */
  unbridged: [];
  /** A prompt began playing `latencyMs` after the verb asked for it (see promptStarted). */
  prompt: [{ file: string; latencyMs: number }];
}

export interface CallOptions<V extends CallVariables> {
  leg: InboundLeg;
  vars: V;
  logger: Logger;
  media?: CallMedia;
  tts?: Synthesizer;
  /** What gather({ speech }) recognizes the caller's words with. */
  asr?: Recognizer;
  /** The engine's event log, for call.note(). */
  events?: EventSink;
  /** The contact centre's queue entry, once there is one. */
  queues?: () => QueueEntry | undefined;
  /** Where a dialled number goes (the dialplan's outbound routes and trunks); throws DialplanError 'no-route'. */
  outbound?: (number: string) => DialTarget;
}

export class Call<V extends CallVariables = CallVariables> extends EventEmitter<CallEvents> {
  readonly id: string;
  readonly info: CallInfo;
  /** Call variables: start from the dialplan's `variables()`, free for the handler to use. */
  readonly vars: V;
  /** A logger that puts the call-id on every line. */
  readonly log: Logger;
  private readonly leg: InboundLeg;
  private readonly abort = new AbortController();
  private endedBy?: HangupParty;
  private readonly media?: CallMedia;
  private readonly tts?: Synthesizer;
  private readonly asr?: Recognizer;
  private readonly events?: EventSink;
  private readonly queues?: () => QueueEntry | undefined;
  private readonly outbound?: (number: string) => DialTarget;
  private bridging = false;
  /** record({ stereo }) verbs running on the current bridge. */
  private readonly bridgeRecordings = new Set<Promise<RecordResult>>();

  constructor(o: CallOptions<V>) {
    super();
    this.leg = o.leg;
    this.info = o.leg.info;
    this.id = this.info.callId;
    this.vars = o.vars;
    this.log = o.logger.child({ callId: this.id });
    this.media = o.media;
    this.tts = o.tts;
    this.asr = o.asr;
    this.events = o.events;
    this.queues = o.queues;
    this.outbound = o.outbound;
    this.leg.onGone((reason) => this.end('caller', reason));
    this.media?.onDtmf?.((digit) => this.emit('dtmf', { digit }));
  }

  /** Aborts when the call ends, whoever ended it. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get state(): LegState {
    return this.endedBy ? 'ended' : this.leg.state;
  }

  get answered(): boolean {
    return this.leg.state === 'answered' && !this.endedBy;
  }

  /** Who ended the call, once it has ended. */
  get endedByParty(): HangupParty | undefined {
    return this.endedBy;
  }

  /** 180 Ringing, or with `earlyMedia` 183 Session Progress with SDP (prompts before answer). */
  ring(options: { earlyMedia?: boolean } = {}): Promise<void> {
    return this.run('ring', async () => {
      if (this.leg.state === 'answered') throw new DialplanError('invalid-state', 'ring: the call is already answered');
      this.leg.progress(options.earlyMedia ?? false);
    });
  }

  /** Answers (200 OK); resolves once the caller's ACK confirmed the dialog. Answering twice is a no-op. */
  answer(): Promise<void> {
    return this.run('answer', async () => {
      if (this.leg.state === 'answered') return;
      await this.leg.answer();
      this.emit('answered');
    });
  }

  /**
   * Ends the call: BYE when answered, else a final response for `cause` (486 for 'busy',
   * 404 for 'not-found', or a SIP status). The Reason header carries the cause (RFC 3326).
   */
  async hangup(cause: HangupCause = 'normal'): Promise<void> {
    if (this.endedBy) throw new CallGoneError(this.id, this.endedBy, 'hangup');
    const { status, reason } = resolveCause(cause);
    await this.close('dialplan', String(cause), status, reason);
  }

  /** Waits `ms` milliseconds (silence); rejects at once if the caller hangs up meanwhile. */
  pause(ms: number): Promise<void> {
    if (!Number.isFinite(ms) || ms < 0) return Promise.reject(new RangeError(`pause: ms must be a non-negative number, got ${ms}`));
    return this.run('pause', () => sleep(ms, undefined, { signal: this.signal }));
  }

  play(file: string, options: PlayOptions = {}): Promise<void> {
    const asked = performance.now();
    return this.run('play', () => this.requireMedia('play').play(file, options, this.signal, () => this.promptStarted(file, asked)));
  }

  /** Speaks `text` (espeak-ng, cached on disk), then plays it like `play`. */
  say(text: string, options: SayOptions & PlayOptions = {}): Promise<void> {
    const asked = performance.now();
    return this.run('say', async () => {
      const media = this.requireMedia('say');
      if (!this.tts) throw new NotAvailableError('tts', 'say: no speech synthesizer is configured');
      const file = await this.tts.synthesize(text, options);
      await media.play(file, options, this.signal, () => this.promptStarted(file, asked));
    });
  }

  /**
   * Collects keys, and with `speech` the caller's words; a prompt, a WAV path or text to say,
   * plays meanwhile with barge-in. Keys pressed while a text prompt is synthesized count
   * (type-ahead) and skip it. Speech resolves `{ reason: 'speech', speech: { text, phrase } }`
   * (`text` '' when nothing could be made out, `phrase` absent when no asked phrase was heard).
   */
  gather(options: GatherOptions = {}): Promise<GatherResult> {
    const asked = performance.now();
    return this.run('gather', async () => {
      const media = this.requireMedia('gather');
      const speech = options.speech === undefined ? undefined : this.recognizer(options.speech);
      await speech?.check();
      const hooks: GatherHooks = { recognize: speech?.recognize };
      const { prompt } = options;
      let result: GatherResult;
      if (typeof prompt !== 'object') {
        result = await media.gather(options, this.signal, { ...hooks, started: () => this.promptStarted(prompt as string, asked) });
      } else {
        if (!this.tts) throw new NotAvailableError('tts', 'gather: a text prompt needs a speech synthesizer, none is configured');
        let typed = '';
        const onKey = ({ digit }: { digit: string }) => void (typed += digit);
        this.on('dtmf', onKey);
        let file: string;
        try {
          file = await this.tts.synthesize(prompt.say, prompt);
        } finally {
          this.off('dtmf', onKey);
        }
        result = await media.gather({ ...options, prompt: file }, this.signal, { ...hooks, started: () => this.promptStarted(file, asked), typed });
      }
      if (result.speech) this.emit('speech', result.speech);
      return result;
    });
  }

  /** The recognition gather({ speech }) asks for, checked before anything plays. */
  private recognizer(speech: NonNullable<GatherOptions['speech']>): { check: () => Promise<void> | undefined; recognize: (audio: Pcm16) => Promise<SpeechResult> } {
    const o = speech === 'free' ? {} : speech;
    if (typeof o !== 'object' || o === null) throw new DialplanError('invalid-argument', `gather: speech must be { phrases?, lang?, maxSpeechMs? } or 'free'`);
    const phrases = o.phrases;
    if (phrases !== undefined && (!Array.isArray(phrases) || phrases.length === 0 || phrases.some((p) => typeof p !== 'string' || normalizePhrase(p) === ''))) {
      throw new DialplanError('invalid-argument', 'gather: speech.phrases must be a non-empty list of words or phrases');
    }
    if (o.maxSpeechMs !== undefined && !(Number.isFinite(o.maxSpeechMs) && o.maxSpeechMs > 0)) throw new DialplanError('invalid-argument', 'gather: speech.maxSpeechMs must be a positive number of ms');
    const asr = this.asr;
    if (!asr) throw new NotAvailableError('asr', 'gather: speech input needs a speech recognizer, none is configured');
    const lang = (o.lang ?? 'en').toLowerCase();
    if (!asr.languages.includes(lang)) throw new NotAvailableError(`asr-${lang}`, `gather: no speech recognition model for "${lang}" (have: ${asr.languages.join(', ')})`);
    const mode: RecognitionMode = phrases ? { kind: 'phrases', phrases } : { kind: 'free' };
    return { check: () => asr.check?.({ mode, lang }), recognize: (audio) => asr.recognize({ audio, mode, lang }) };
  }

  /**
   * A prompt began: the time from the verb's call (synthesis on a cache miss, loading the file)
   * to the media thread taking the playback (its first frame goes out on the next 20 ms tick).
   * Stored as a `dialplan.prompt` event and emitted as 'prompt'.
   */
  private promptStarted(file: string, askedAt: number): void {
    const latencyMs = Math.round((performance.now() - askedAt) * 100) / 100;
    const name = basename(file);
    this.events?.append('dialplan.prompt', { file: name, latencyMs }, this.id);
    this.emit('prompt', { file: name, latencyMs });
  }

  record(options: RecordOptions = {}): Promise<RecordResult> {
    const work = this.run('record', () => this.requireMedia('record').record(options, this.signal));
    if (options.stereo) {
      this.bridgeRecordings.add(work);
      const forget = () => void this.bridgeRecordings.delete(work);
      work.then(forget, forget);
    }
    return work;
  }

  /** The caller hears themself (an echo test) until a finish key (default '#'), `maxSeconds` (default 60) or the hang-up. */
  echo(options: EchoOptions = {}): Promise<EchoResult> {
    return this.run('echo', () => this.requireMedia('echo').echo(options, this.signal));
  }

  /**
   * Blind transfer to `target` (a sip:, sips: or tel: URI). Answered: REFER (RFC 3515); once the
   * caller's side reports the new call answered, our leg ends (BYE). A caller's side that does
   * not take REFER — its INVITE's Allow (RFC 3261 §20.5) leaves REFER out, or it answers REFER
   * with 403/405/420/501 — is transferred by a new leg: the engine calls the target itself and,
   * once it answers, bridges the caller with it until either hangs up. Either way the call is
   * then over for the dialplan ('hangup' with cause 'transferred'). Not answered: 302 with the
   * target as Contact. Rejects with DialplanError 'transfer-failed' when the new call fails (the
   * call stays up), NotAvailableError when neither REFER nor a new leg can be had (no media).
   */
  async transfer(target: string, options: { timeoutMs?: number } = {}): Promise<void> {
    if (!/^(sips?|tel):[^\s<>]+$/i.test(target)) throw new DialplanError('invalid-argument', `transfer: target must be a sip:, sips: or tel: URI, got "${target}"`);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const answered = this.leg.state === 'answered';
    let bridged = false;
    await this.run('transfer', async () => {
      if (!answered) return;
      if (this.callerTakesRefer()) {
        try {
          return await this.leg.refer(target, timeoutMs);
        } catch (err) {
          if (!(err instanceof NotAvailableError && err.feature === 'refer')) throw err;
          this.log.info({ target, reason: err.message }, 'transfer: no REFER on the caller side, calling the target by a new leg');
        }
      }
      if (!this.leg.transferByNewLeg) throw new NotAvailableError('refer', "transfer: the caller's side does not take REFER and this call has no media for a new leg");
      const to = /^tel:/i.test(target) ? this.dialTarget(target.slice(4)) : { label: target, uri: target };
      await this.leg.transferByNewLeg(to, timeoutMs, this.signal);
      bridged = true;
    });
    // The transferee may hang up its old call itself as soon as the new one is up.
    if (this.endedBy) return;
    // By a new leg: the caller stays connected, now with the target; the engine's bridge owns both legs.
    if (bridged) return this.end('dialplan', 'transferred');
    await this.close('dialplan', 'transferred', 302, 'SIP;cause=302;text="transferred"', { Contact: `<${target}>` });
  }

  /** Whether the caller's INVITE leaves REFER possible: no Allow header, or Allow lines that list REFER. */
  private callerTakesRefer(): boolean {
    const lines = this.info.headers('allow');
    return lines.length === 0 || lines.some((line) => line.split(',').some((m) => m.trim().toUpperCase() === 'REFER'));
  }

  /**
   * Calls `targets` and bridges the first to answer with the caller: one after the other
   * (`strategy: 'sequential'`, `timeout` ms each) or all at once ('parallel', `timeout` in all),
   * `callerId` as From. A target is a sip: URI, or a number that leaves by the dialplan's
   * outbound routes (a trunk). Meanwhile the caller hears ringback, or a callee's early media
   * (its 183 with SDP); a caller not answered yet gets a 183 with SDP and is answered when a
   * callee answers. While bridged the call emits 'bridged' (record({ stereo }) works then).
   * Resolves `{ status: 'busy' | 'no-answer' | 'failed' }` when nobody answered (the call goes
   * on, answered or not as before), or `{ status: 'answered', target, endedBy }` when the
   * bridged call ended — then this call is over too.
   */
  async dial(targets: string | string[], options: DialOptions = {}): Promise<DialResult> {
    const list = [targets].flat();
    if (list.length === 0 || list.some((t) => typeof t !== 'string')) throw new DialplanError('invalid-argument', `dial: targets must be sip: URIs or numbers, got ${JSON.stringify(targets)}`);
    if (options.strategy !== undefined && options.strategy !== 'sequential' && options.strategy !== 'parallel') throw new DialplanError('invalid-argument', `dial: strategy must be 'sequential' or 'parallel'`);
    if (options.timeout !== undefined && !(Number.isFinite(options.timeout) && options.timeout > 0)) throw new DialplanError('invalid-argument', 'dial: timeout must be a positive number of ms');
    const resolved = list.map((t) => this.dialTarget(t));
    const hooks: DialHooks = {
      answered: () => this.emit('answered'),
      bridged: ({ mixer, caller, callee }) => this.setBridged({ mixer, self: caller, other: callee }),
      unbridged: () => this.setBridged(undefined),
    };
    const result = await this.run('dial', () => {
      if (!this.leg.dial) throw new NotAvailableError('media', 'dial: this call has no media to bridge');
      return this.leg.dial(resolved, options, this.signal, hooks);
    });
    if (result.status === 'answered') {
      // Stereo recordings of the bridge end with it: they report before the call is over.
      await Promise.allSettled([...this.bridgeRecordings]);
      this.end('dialplan', 'bridged-call-ended');
    }
    return result;
  }

  /**
   * Connects this call with `other`, a live answered call (a parked caller, a call another
   * handler holds), so the two callers hear each other; answers this call first. Both calls
   * emit 'bridged' (record({ stereo }) works on either). Resolves `{ endedBy: 'other' }` when
   * the other call ends: this call goes on, unbridged. When this call ends first, rejects with
   * CallGoneError like any verb, and the other call goes on. Meanwhile the other call's own
   * handler should only wait (e.g. for its 'unbridged' event), not play to its caller.
   */
  async bridge(other: Call): Promise<{ endedBy: 'other' }> {
    if (!(other instanceof Call) || other === this) throw new DialplanError('invalid-argument', 'bridge: needs another call');
    if (!other.answered) throw new DialplanError('invalid-state', `bridge: the other call (${other.id}) is not answered, or has ended`);
    if (this.bridgedNow || other.bridgedNow) throw new DialplanError('invalid-state', 'bridge: a call can be in one bridge at a time');
    await this.answer();
    return this.run('bridge', async () => {
      const mine = this.requireMedia('bridge');
      const theirs = other.requireMedia('bridge');
      if (!mine.connect) throw new NotAvailableError('bridge', 'bridge: this call’s media cannot be connected');
      const connection = mine.connect(theirs);
      this.setBridged(connection.a);
      other.setBridged(connection.b);
      const ended = await new Promise<'self' | 'other'>((resolve) => {
        const self = () => done('self');
        const theirEnd = () => done('other');
        const done = (who: 'self' | 'other') => {
          this.off('hangup', self);
          other.off('hangup', theirEnd);
          resolve(who);
        };
        this.once('hangup', self);
        other.once('hangup', theirEnd);
      });
      connection.close();
      this.setBridged(undefined);
      other.setBridged(undefined);
      if (ended === 'self') throw new CallGoneError(this.id, this.endedBy ?? 'caller', 'bridge');
      return { endedBy: 'other' as const };
    });
  }

  /** Whether the call is in a bridge (dial answered, or bridge()). */
  get bridgedNow(): boolean {
    return this.bridging;
  }

  private setBridged(bridge: MediaBridge | undefined): void {
    this.bridging = bridge !== undefined;
    this.media?.bridged?.(bridge);
    this.emit(bridge ? 'bridged' : 'unbridged');
  }

  /** A sip: URI as it is; a number through the dialplan's outbound routes and its trunk. */
  private dialTarget(target: string): DialTarget {
    if (/^sips?:[^\s<>]+$/i.test(target)) return { label: target, uri: target };
    if (!/^\+?[0-9A-Za-z*#._-]+$/.test(target)) throw new DialplanError('invalid-argument', `dial: a target must be a sip: URI or a number, got "${target}"`);
    if (!this.outbound) throw new NotAvailableError('trunks', `dial("${target}"): numbers leave by trunks, and this engine has none for dialplan calls`);
    return this.outbound(target);
  }

  /**
   * Places the caller in the ACD queue `queue` (answering first), with `priority` and
   * `context` (shown to the agent; values as strings). Resolves with how the call left the
   * queue: on 'answered' once the agent's call ended (the call is over then); otherwise
   * ('timeout', 'full', 'overflow', 'callback') the call is still up and yours.
   */
  async enqueue(queue: string, options: { priority?: number; context?: Record<string, unknown> } = {}): Promise<QueueOutcome> {
    const entry = this.queues?.();
    if (!entry || !this.leg.enqueue) return this.run('enqueue', () => Promise.reject(new NotAvailableError('acd', `enqueue("${queue}"): queues are not available in this engine (no contact centre, or a call without media)`)));
    await this.answer();
    const ivr = Object.fromEntries(Object.entries(options.context ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
    const outcome = await this.run('enqueue', () => this.leg.enqueue!(entry, queue, { from: this.info.from.uri, dnis: this.info.number, priority: options.priority, ivr }));
    if (outcome.kind === 'answered' && !this.endedBy) await new Promise((resolve) => this.once('hangup', resolve));
    return outcome;
  }

  /**
   * Stores an event with this call in the engine's event log (`GET /api/events`): survey
   * answers, what a robot collected. `type` is lower-case words joined by '.', '-' or '_'.
   * Works after the call ended too (a survey's last answer is often the caller's last word).
   */
  note(type: string, data: Record<string, unknown> = {}): void {
    if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(type)) throw new DialplanError('invalid-argument', `note: type must be lower-case words joined by '.', '-' or '_', got "${type}"`);
    this.events?.append(type, data, this.id);
  }

  /** Ends the call from the engine's side (shutdown, or the dialplan failed). */
  async terminate(by: 'engine' | 'dialplan', cause: HangupCause): Promise<void> {
    if (this.endedBy) return;
    const { status, reason } = resolveCause(cause);
    await this.close(by, String(cause), status, reason);
  }

  /** BYE when answered, else the final response `status`; Reason per RFC 3326. */
  private async close(by: HangupParty, cause: string, status: number, reason: string, responseHeaders: Record<string, string> = {}): Promise<void> {
    const answered = this.leg.state === 'answered';
    this.end(by, cause);
    if (answered) await this.leg.hangup({ Reason: reason });
    else this.leg.reject(status, { Reason: reason, ...responseHeaders });
  }

  private requireMedia(verb: string): CallMedia {
    if (!this.media) throw new NotAvailableError('media', `${verb}: this call has no media (the media core's playback/DTMF/recording is not attached)`);
    return this.media;
  }

  private end(by: HangupParty, cause: string | LegGoneReason): void {
    if (this.endedBy) return;
    this.endedBy = by;
    this.abort.abort(new CallGoneError(this.id, by, 'call'));
    this.emit('hangup', { by, cause });
  }

  /** Runs a verb unless the call is gone; rejects with CallGoneError if it ends meanwhile. */
  private async run<T>(verb: string, body: () => Promise<T>): Promise<T> {
    if (this.endedBy) throw new CallGoneError(this.id, this.endedBy, verb);
    // Listen for the end before the verb does, so a verb that settles quietly on abort (a
    // gather resolving with what it has) still reports the call gone.
    let onAbort!: () => void;
    const gone = new Promise<never>((_, reject) => {
      onAbort = () => reject(new CallGoneError(this.id, this.endedBy ?? 'caller', verb));
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
    gone.catch(() => undefined);
    let work: Promise<T>;
    try {
      work = body();
    } catch (err) {
      work = Promise.reject(err);
    }
    // Whatever the verb does after the call is gone (an AbortError, a 487) is not news.
    work.catch(() => undefined);
    try {
      return await Promise.race([gone, work]);
    } finally {
      this.signal.removeEventListener('abort', onAbort);
    }
  }
}
