// Runs dialplan handlers for inbound calls: picks the route in the dialplan version current
// when the call arrives (a reload does not touch calls in progress), and cleans up after the
// handler whatever it did: a handler that returns leaves no call behind, one that throws ends
// its call (500 before answer, BYE after) and is logged with the call-id, nothing else stops.
import type { Logger } from 'pino';
import { Call, type CallVariables } from './call.js';
import type { Dialplan } from './define.js';
import { CallGoneError } from './errors.js';
import type { InboundLeg } from './leg.js';
import type { QueueEntry } from './queue-port.js';
import type { CallMedia } from './media-port.js';
import { selectRoute } from './router.js';
import type { Synthesizer } from './tts/synthesizer.js';
import type { Recognizer } from './speech/recognizer.js';
import type { Trunks } from './trunk/trunk.js';

/** A dialplan as loaded: the module's export, its version number and entry file. */
export interface LoadedDialplan {
  dialplan: Dialplan<CallVariables>;
  version: number;
  file: string;
}

/** Where call events go (the engine's event log has this shape). */
export interface EventSink {
  append(type: string, data?: unknown, callId?: string): void;
}

export interface DialplanRunnerOptions {
  /** The dialplan new calls use; undefined while none has loaded. */
  current: () => LoadedDialplan | undefined;
  logger: Logger;
  events?: EventSink;
  tts?: Synthesizer;
  /** What gather({ speech }) recognizes the caller's words with. */
  asr?: Recognizer;
  /** The contact centre's queue entry for call.enqueue, once there is one. */
  queues?: () => QueueEntry | undefined;
  /** Media for a call, once the media core provides it. */
  mediaFor?: (leg: InboundLeg) => CallMedia | undefined;
  /** The configured trunks: numbers a call dials leave by the dialplan's outbound routes through them. */
  trunks?: Trunks;
}

export class DialplanRunner {
  private readonly live = new Set<Call>();
  private readonly log: Logger;

  constructor(private readonly o: DialplanRunnerOptions) {
    this.log = o.logger.child({ component: 'dialplan' });
  }

  /** Calls not yet ended. */
  get activeCalls(): number {
    return this.live.size;
  }

  /** Runs the dialplan for one inbound leg; resolves when its handler is done and the call is cleaned up. */
  async run(leg: InboundLeg): Promise<void> {
    const callId = leg.info.callId;
    const log = this.log.child({ callId });
    const loaded = this.o.current();
    if (!loaded) {
      log.warn('no dialplan loaded: call refused');
      leg.reject(503, { 'Retry-After': '5' });
      return;
    }
    let route: ReturnType<typeof selectRoute<CallVariables>>;
    let vars: CallVariables;
    try {
      route = selectRoute(loaded.dialplan, leg.info);
      vars = loaded.dialplan.variables?.() ?? {};
    } catch (err) {
      log.error({ err, dialplan: loaded.file, version: loaded.version }, 'dialplan route selection failed');
      leg.reject(500);
      this.o.events?.append('dialplan.failed', { stage: 'route', error: String(err) }, callId);
      return;
    }
    if (!route) {
      leg.reject(404);
      this.o.events?.append('dialplan.no-route', { number: leg.info.number, version: loaded.version }, callId);
      return;
    }
    const trunks = this.o.trunks;
    const outbound = trunks && ((n: string) => trunks.route(loaded.dialplan.outbound ?? [], n));
    const call = new Call({ leg, vars, logger: this.log, tts: this.o.tts, asr: this.o.asr, media: this.o.mediaFor?.(leg), events: this.o.events, queues: this.o.queues, outbound });
    this.live.add(call);
    call.once('hangup', (e) => {
      this.live.delete(call);
      this.o.events?.append('dialplan.call-ended', { by: e.by, cause: e.cause }, callId);
    });
    this.o.events?.append('dialplan.call', { route: route.name, number: leg.info.number, version: loaded.version }, callId);
    try {
      await route.handler(call);
      // The handler returned with the call still up: end it as the dialplan's last word.
      await call.terminate('dialplan', 'normal');
    } catch (err) {
      if (err instanceof CallGoneError && call.state === 'ended') {
        log.debug({ by: err.by }, 'dialplan stopped: the call is gone');
        return;
      }
      log.error({ err, route: route.name, dialplan: loaded.file, version: loaded.version }, 'dialplan handler threw: ending the call');
      this.o.events?.append('dialplan.failed', { stage: 'handler', route: route.name, error: String(err) }, callId);
      await call.terminate('engine', 'error').catch((e: unknown) => log.warn({ err: e }, 'ending the failed call'));
    }
  }

  /** Ends every live call (shutdown). */
  async hangupAll(): Promise<void> {
    await Promise.all([...this.live].map((c) => c.terminate('engine', 'unavailable').catch(() => undefined)));
  }
}
