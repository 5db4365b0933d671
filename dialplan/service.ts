// The dialplan as one engine component: trunks (registered at start, unregistered at stop),
// the loader watching the user's dialplan, the runner taking inbound calls, `say` prompts.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { IncomingRequest, ServerResponse, SipStack } from '../engine/sip/index.js';
import type { MediaEngine } from '../media/index.js';
import { inboundLeg, mediaOf } from './legs.js';
import { DialplanLoader } from './loader.js';
import { DialplanRunner, type EventSink } from './runner.js';
import { Trunks, type TrunkConfig, type TrunkStatus } from './trunk/trunk.js';
import { EspeakSynthesizer } from './tts/espeak.js';
import { PocketsphinxRecognizer } from './speech/pocketsphinx.js';
import { RobotCalls } from './robot/robot-calls.js';
import type { QueueEntry } from './queue-port.js';
import type { DialTarget } from './dial.js';

export interface DialplanServiceOptions {
  stack: SipStack;
  logger: Logger;
  events: EventSink;
  dataDir: string;
  /** The dialplan module; '' for none (calls the engine does not route itself get 404). */
  path: string;
  watch: boolean;
  trunks: Record<string, TrunkConfig>;
  ttsCacheDir: string;
  /** The engine's media; without it dialplan calls are signalling only. */
  media?: MediaEngine;
  keepAliveMs: number;
}

export class DialplanService {
  readonly trunks: Trunks;
  private readonly loader?: DialplanLoader;
  private readonly runner?: DialplanRunner;
  /** Outbound robot calls (POST /api/robot-calls): with media and a dialplan whose `robots` name the flows. */
  readonly robotCalls?: RobotCalls;
  /** Set by the engine once the contact centre runs: what call.enqueue puts calls in queues with. */
  queueEntry?: QueueEntry;

  constructor(private readonly o: DialplanServiceOptions) {
    this.trunks = new Trunks(o.trunks, o.stack, o.logger);
    if (!o.path) return;
    const loader = new DialplanLoader({ entry: o.path, buildDir: join(o.dataDir, 'dialplan-build'), logger: o.logger, watch: o.watch });
    this.loader = loader;
    const tts = new EspeakSynthesizer({ cacheDir: o.ttsCacheDir || join(o.dataDir, 'tts-cache') });
    const asr = new PocketsphinxRecognizer();
    const recordings = join(o.dataDir, 'recordings');
    this.runner = new DialplanRunner({ current: () => loader.current, logger: o.logger, events: o.events, tts, asr, mediaFor: (leg) => mediaOf(leg, recordings), queues: () => this.queueEntry, trunks: this.trunks });
    if (o.media) {
      this.robotCalls = new RobotCalls({ stack: o.stack, media: o.media, logger: o.logger, events: o.events, tts, asr, robot: (flow) => loader.current?.dialplan.robots?.[flow] });
    }
  }

  /** Loads the dialplan (a broken one stops the start with its file and line) and registers trunks. */
  async start(): Promise<void> {
    await this.loader?.start();
    this.trunks.start();
  }

  /** Where `number` leaves by the loaded dialplan's outbound routes (the contact centre's click-to-call); DialplanError 'no-route' when none matches. */
  outboundRoute(number: string): DialTarget {
    return this.trunks.route(this.loader?.current?.dialplan.outbound ?? [], number);
  }

  /** For DemoRoutes' fallback: null when no dialplan is configured. */
  get handler(): ((req: IncomingRequest, res: ServerResponse) => void) | undefined {
    const runner = this.runner;
    if (!runner) return undefined;
    return (req, res) => {
      const leg = inboundLeg(req, res, { stack: this.o.stack, media: this.o.media, keepAliveMs: this.o.keepAliveMs });
      if (leg) void runner.run(leg);
    };
  }

  get status(): { version: number | null; activeCalls: number; trunks: TrunkStatus[] } {
    return { version: this.loader?.current?.version ?? null, activeCalls: this.runner?.activeCalls ?? 0, trunks: this.trunks.status };
  }

  async stop(): Promise<void> {
    await this.robotCalls?.stop();
    this.loader?.stop();
    await this.runner?.hangupAll();
    await this.trunks.stop();
  }
}
