// The test kit for dialplan authors: runs a dialplan in a real SIP stack on loopback and
// places calls into it from a simulated caller, so a test asserts what a caller would notice.
// With a media engine the calls carry RTP: the caller presses keys, speaks (a WAV, or text
// synthesized by espeak-ng) and records what it hears.
import pino, { type Logger } from 'pino';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SipStack, type IncomingRequest, type ServerResponse } from '../../engine/sip/index.js';
import type { CallVariables } from '../call.js';
import type { Dialplan } from '../define.js';
import { DialplanLoader } from '../loader.js';
import { DialplanRunner, type EventSink, type LoadedDialplan } from '../runner.js';
import { inboundLeg, mediaOf } from '../legs.js';
import type { MediaEngine } from '../../media/index.js';
import type { Synthesizer } from '../tts/synthesizer.js';
import type { Recognizer } from '../speech/recognizer.js';
import type { QueueEntry } from '../queue-port.js';
import { SimulatedCaller, callerSdp } from './caller.js';
import { Trunks, type TrunkConfig } from '../trunk/trunk.js';

export { SimulatedCaller, callerSdp, type CallOutcome } from './caller.js';
export { SimulatedCallee, type CalleeBehaviour } from './callee.js';

const HOST = '127.0.0.1';

export interface TestEngineOptions {
  /** A dialplan object, or the path of a dialplan module (loaded and watched like in production). */
  dialplan: Dialplan<CallVariables> | string;
  logger?: Logger;
  tts?: Synthesizer;
  /** What gather({ speech }) recognizes with (e.g. `new PocketsphinxRecognizer()`). */
  asr?: Recognizer;
  events?: EventSink;
  /** SIP timer T1 (ms); small values make failure paths quick. */
  t1?: number;
  /** What call.enqueue puts calls in queues with (the contact centre's CallDesk.enqueue, or your own). */
  queues?: QueueEntry;
  /** An existing folder for gather({ speech })'s temporary captures (default the system's temp folder). */
  speechDir?: string;
  /** Where call.record() writes (needs `media`). */
  recordingsDir?: string;
  /** Carry media through this engine (engine/call legs with RTP endpoints); signalling only without. */
  media?: MediaEngine;
  /** Trunks by name, for the dialplan's outbound routes (a SimulatedCallee can play the gateway). */
  trunks?: Record<string, TrunkConfig>;
}

export interface TestEngine {
  readonly stack: SipStack;
  readonly runner: DialplanRunner;
  /** Set when the dialplan came from a file. */
  readonly loader?: DialplanLoader;
  /** Calls `number` (the Request-URI user) from a simulated caller. */
  call(number: string, options?: { from?: string; headers?: Record<string, string>; transfer?: 'accept' | 'fail' | 'unsupported' }): SimulatedCaller;
  stop(): Promise<void>;
}

export async function startTestEngine(o: TestEngineOptions): Promise<TestEngine> {
  const logger = o.logger ?? pino({ level: 'silent' });
  const timers = { t1: o.t1 ?? 100, t2: 800, t4: 1000 };
  const engine = new SipStack({ host: HOST, port: 0, logger, timers });
  const caller = new SipStack({ host: HOST, port: 0, logger, timers, userAgent: 'switchyard-testkit' });
  let loader: DialplanLoader | undefined;
  let buildDir: string | undefined;
  let current: () => LoadedDialplan | undefined;
  if (typeof o.dialplan === 'string') {
    buildDir = await mkdtemp(join(tmpdir(), 'switchyard-dialplan-'));
    const l = new DialplanLoader({ entry: o.dialplan, buildDir, logger, debounceMs: 50 });
    loader = l;
    await l.start();
    current = () => l.current;
  } else {
    const fixed: LoadedDialplan = { dialplan: o.dialplan, version: 1, file: '(object)' };
    current = () => fixed;
  }
  const trunks = new Trunks(o.trunks ?? {}, engine, logger);
  const runner = new DialplanRunner({ current, logger, tts: o.tts, asr: o.asr, events: o.events, mediaFor: (leg) => mediaOf(leg, o.recordingsDir, o.speechDir), queues: () => o.queues, trunks });
  engine.invite((req: IncomingRequest, res: ServerResponse) => {
    const leg = inboundLeg(req, res, { stack: engine, media: o.media });
    if (leg) void runner.run(leg);
  });
  await engine.start();
  await caller.start();
  trunks.start();
  return {
    stack: engine,
    runner,
    loader,
    call(number, options = {}) {
      return new SimulatedCaller(caller, `sip:${number}@${HOST}:${engine.port}`, { ...options, sdp: callerSdp(HOST, 9), media: o.media });
    },
    async stop() {
      loader?.stop();
      await runner.hangupAll();
      await trunks.stop();
      await caller.stop();
      await engine.stop();
      if (buildDir) await rm(buildDir, { recursive: true, force: true });
    },
  };
}
