// Outbound robot calls: call a target, run a robot flow on the answered call with the
// request's variables (prompt templates), retry with back-off on busy / no answer, keep the
// outcome (readable back by id) and POST it to a webhook.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { CallLeg } from '../../engine/call/call-leg.js';
import { SipError, type OutgoingInvite, type SipStack } from '../../engine/sip/index.js';
import type { MediaEngine } from '../../media/index.js';
import { Call } from '../call.js';
import { NOT_ANSWERED } from '../dial.js';
import { EndpointMedia } from '../endpoint-media.js';
import { CallGoneError, DialplanError } from '../errors.js';
import { OutboundLeg } from '../outbound-leg.js';
import type { EventSink } from '../runner.js';
import type { Synthesizer } from '../tts/synthesizer.js';
import type { Recognizer } from '../speech/recognizer.js';
import type { Robot } from './flow.js';
import { startRobot, type RobotOutcome } from './run.js';
import { templateNames } from './template.js';

export interface RetryPolicy {
  /** Calls in all, the first included (default 3). */
  attempts: number;
  /** Wait before the first retry, ms (default 60 000); each further wait is `factor` times longer. */
  backoffMs: number;
  factor: number;
  /** How long a call may ring before it counts as no answer, ms (default 30 000). */
  ringTimeoutMs: number;
}

export interface RobotCallRequest {
  /** sip: URI to call. */
  target: string;
  /** The robot's name (the dialplan's `robots`). */
  flow: string;
  variables?: Record<string, string | number | boolean>;
  /** Where the outcome is POSTed (http: or https: URL). */
  webhook?: string;
  /** From URI (default: sip:robot@<engine host>). */
  from?: string;
  retry?: Partial<RetryPolicy>;
}

export type AttemptResult = 'answered' | 'busy' | 'no-answer' | 'failed';

export interface RobotCallAttempt {
  at: string;
  result: AttemptResult;
  /** The SIP status of a failed attempt. */
  status?: number;
  /** When another attempt follows: the wait before it, ms. */
  retryInMs?: number;
}

export interface RobotCallRecord {
  id: string;
  target: string;
  flow: string;
  variables: Record<string, string | number | boolean>;
  state: 'calling' | 'waiting' | 'in-call' | 'done';
  attempts: RobotCallAttempt[];
  /** Once done: answered (the robot ran) or failed, with the reason. */
  result?: 'answered' | 'failed';
  reason?: string;
  /** What the robot collected (answered calls). */
  robot?: RobotOutcome;
  /** Who hung up an answered call first. */
  endedBy?: string;
  webhook?: { url: string; status?: number; error?: string };
}

export interface RobotCallsOptions {
  stack: SipStack;
  media: MediaEngine;
  logger: Logger;
  events?: EventSink;
  tts?: Synthesizer;
  /** What robots that listen for speech recognize it with. */
  asr?: Recognizer;
  /** The robot named `flow`, from the dialplan currently loaded. */
  robot: (flow: string) => Robot | undefined;
  retry?: Partial<RetryPolicy>;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoffMs: 60_000, factor: 2, ringTimeoutMs: 30_000 };
const KEEP = 1000;

export class RobotCalls {
  private readonly records = new Map<string, RobotCallRecord>();
  private readonly active = new Set<{ stop: () => void }>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly o: RobotCallsOptions) {
    this.log = o.logger.child({ component: 'robot-calls' });
  }

  get(id: string): RobotCallRecord | undefined {
    return this.records.get(id);
  }

  /** Checks the request, then calls in the background; throws DialplanError 'invalid-argument' with the reason. */
  start(request: RobotCallRequest): RobotCallRecord {
    const robot = this.check(request);
    const retry = { ...DEFAULT_RETRY, ...this.o.retry, ...request.retry };
    const record: RobotCallRecord = { id: randomUUID(), target: request.target, flow: request.flow, variables: { ...request.variables }, state: 'calling', attempts: [] };
    if (request.webhook) record.webhook = { url: request.webhook };
    this.records.set(record.id, record);
    if (this.records.size > KEEP) this.records.delete(this.records.keys().next().value!);
    const placing = this.place(record, robot, retry, request.from ?? `sip:robot@${this.o.stack.host}`);
    this.running.add(placing);
    void placing.finally(() => this.running.delete(placing));
    return record;
  }

  /** Stops calling: waits end, ringing calls are canceled, robots in calls hang up; resolves when all are done (webhooks sent). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const a of this.active) a.stop();
    await Promise.allSettled([...this.running]);
  }

  private check(r: RobotCallRequest): Robot {
    const bad = (why: string): never => {
      throw new DialplanError('invalid-argument', why);
    };
    if (typeof r.target !== 'string' || !/^sips?:[^\s<>]+$/i.test(r.target)) bad('target must be a sip: or sips: URI');
    if (typeof r.flow !== 'string') bad('flow must name a robot');
    const robot = this.o.robot(r.flow) ?? bad(`no robot flow "${r.flow}" in the dialplan`);
    const vars = r.variables ?? {};
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) bad('variables must be an object');
    for (const [k, v] of Object.entries(vars)) if (!['string', 'number', 'boolean'].includes(typeof v)) bad(`variables.${k} must be a string, number or boolean`);
    const missing = templateNames(JSON.stringify(robot.steps)).filter((n) => !(n in vars));
    if (missing.length) bad(`the flow's prompts need variables: ${[...new Set(missing)].join(', ')}`);
    if (r.webhook !== undefined && (typeof r.webhook !== 'string' || !URL.canParse(r.webhook) || !/^https?:$/.test(new URL(r.webhook).protocol))) bad('webhook must be an http: or https: URL');
    if (r.from !== undefined && (typeof r.from !== 'string' || !/^sips?:[^\s<>]+$/i.test(r.from))) bad('from must be a sip: URI');
    const retry = r.retry ?? {};
    if (typeof retry !== 'object' || retry === null) bad('retry must be an object');
    if (retry.attempts !== undefined && !(Number.isInteger(retry.attempts) && retry.attempts >= 1 && retry.attempts <= 10)) bad('retry.attempts must be an integer from 1 to 10');
    for (const k of ['backoffMs', 'ringTimeoutMs'] as const) {
      const v = retry[k];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 86_400_000)) bad(`retry.${k} must be milliseconds from 0 to 86400000`);
    }
    if (retry.factor !== undefined && !(typeof retry.factor === 'number' && retry.factor >= 1 && retry.factor <= 10)) bad('retry.factor must be a number from 1 to 10');
    return robot;
  }

  private async place(record: RobotCallRecord, robot: Robot, retry: RetryPolicy, from: string): Promise<void> {
    try {
      for (let n = 1; n <= retry.attempts && !this.stopped; n++) {
        record.state = 'calling';
        const attempt: RobotCallAttempt = { at: new Date().toISOString(), result: 'failed' };
        record.attempts.push(attempt);
        const leg = await this.dial(record.target, from, retry.ringTimeoutMs).catch((err: unknown) => {
          attempt.status = err instanceof SipError ? err.status : undefined;
          attempt.result = (attempt.status && NOT_ANSWERED[attempt.status]) || 'failed';
          record.reason = err instanceof SipError ? `${err.status} ${err.reason}` : String(err);
          return undefined;
        });
        if (leg) {
          attempt.result = 'answered';
          record.reason = undefined;
          await this.converse(record, robot, leg, from);
          return;
        }
        if (attempt.result === 'failed' || n === retry.attempts) break;
        attempt.retryInMs = Math.round(retry.backoffMs * retry.factor ** (n - 1));
        record.state = 'waiting';
        await this.wait(attempt.retryInMs);
      }
      record.result = 'failed';
      record.reason = this.stopped ? 'engine stopped' : `${record.attempts.at(-1)?.result}: ${record.reason}`;
    } catch (err) {
      record.result = 'failed';
      record.reason = `error: ${String(err)}`;
      this.log.error({ err, id: record.id }, 'robot call failed');
    } finally {
      record.state = 'done';
      this.o.events?.append('robot-call.done', { ...record, variables: undefined });
      if (record.webhook) await this.notify(record);
    }
  }

  /** Calls `target`; CANCEL after `ringTimeoutMs` (the attempt then fails 487: no answer). */
  private async dial(target: string, from: string, ringTimeoutMs: number): Promise<CallLeg> {
    let invite: OutgoingInvite | undefined;
    const stopper = { stop: () => invite?.cancel() };
    this.active.add(stopper);
    const timer = setTimeout(() => invite?.cancel(), ringTimeoutMs);
    try {
      return await CallLeg.dial({ stack: this.o.stack, media: this.o.media, uri: target, from }, { cbRequest: (h) => (invite = h) });
    } finally {
      clearTimeout(timer);
      this.active.delete(stopper);
    }
  }

  private async converse(record: RobotCallRecord, robot: Robot, leg: CallLeg, from: string): Promise<void> {
    record.state = 'in-call';
    record.result = 'answered';
    const call = new Call({
      leg: new OutboundLeg(leg, record.target, from),
      vars: { ...record.variables },
      logger: this.log,
      media: new EndpointMedia(leg.endpoint, undefined, this.o.media),
      tts: this.o.tts,
      asr: this.o.asr,
      events: this.o.events,
    });
    call.once('hangup', (e) => (record.endedBy = e.by));
    const stopper = { stop: () => void call.terminate('engine', 'unavailable') };
    this.active.add(stopper);
    const run = startRobot(call, robot);
    record.robot = run.outcome;
    try {
      await run.done;
      await call.terminate('dialplan', 'normal');
    } catch (err) {
      if (!(err instanceof CallGoneError)) {
        this.log.error({ err, id: record.id, callId: call.id }, 'robot flow threw: ending the call');
        record.reason = `robot error: ${String(err)}`;
        await call.terminate('engine', 'error');
      }
    } finally {
      this.active.delete(stopper);
    }
  }

  private async wait(ms: number): Promise<void> {
    const ac = new AbortController();
    const stopper = { stop: () => ac.abort() };
    this.active.add(stopper);
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => undefined);
    this.active.delete(stopper);
  }

  private async notify(record: RobotCallRecord): Promise<void> {
    const hook = record.webhook!;
    try {
      const res = await fetch(hook.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(record), signal: AbortSignal.timeout(10_000) });
      hook.status = res.status;
      await res.body?.cancel();
    } catch (err) {
      hook.error = String(err);
      this.log.warn({ err, id: record.id, url: hook.url }, 'robot call webhook failed');
    }
  }
}
