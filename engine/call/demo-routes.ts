// Routing of inbound calls for the demo configuration, until user dialplans take over:
// registered extensions are bridged (B2BUA); a few numbers the engine answers itself.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MediaEngine } from '../../media/engine.js';
import type { EndpointStats } from '../../media/native.js';
import { SipError, type IncomingRequest, type Registrar, type ServerResponse, type SipStack } from '../sip/index.js';
import { isSipUri } from '../sip/uri.js';
import type { EventLog } from '../store/event-log.js';
import { anchoredCall, type Bridge } from './bridge.js';
import type { CallLeg, EndReason } from './call-leg.js';
import { IncomingCall } from './incoming-call.js';

export interface DemoRouteOptions {
  stack: SipStack;
  registrar: Registrar;
  events: EventLog;
  logger: Logger;
  noAnswerMs: number;
  hangupDemoMs: number;
  /** In-dialog OPTIONS probe interval: ends calls whose peer vanished without BYE. */
  keepAliveMs: number;
  media: MediaEngine;
  /** Address our SDP advertises (default: the media bind address). */
  advertisedAddress?: string;
  /** BYE after this long without RTP from a party that should send; 0: never. */
  rtpTimeoutMs: number;
  /** Takes the calls no demo number or extension takes (the user dialplan); else they get 404. */
  fallback?: (req: IncomingRequest, res: ServerResponse) => void;
  /** Where `record` writes `<call-id>.wav` (the folder must exist). */
  recordingsDir: string;
}

/** The numbers README lists. */
export const DEMO_NUMBERS = ['answer', 'busy', 'ringing', 'hangup', 'echo', 'record'] as const;

/** A call in progress as GET /api/media/calls shows it. */
export interface CallInfo {
  callId: string;
  to: string;
  kind: 'answered' | 'bridged';
  startedAt: string;
  legs: LegInfo[];
}

export interface LegInfo {
  role: 'caller' | 'callee';
  callId: string;
  local: { address: string; port: number };
  remote: { address: string; port: number; codec: string; direction: string } | null;
  held: boolean;
  rtp: EndpointStats;
}

interface ActiveCall {
  to: string;
  startedAt: number;
  legs: { role: 'caller' | 'callee'; leg: CallLeg }[];
  hangup(): Promise<void>;
}

export class DemoRoutes {
  private readonly active = new Map<string, ActiveCall>();

  constructor(private readonly o: DemoRouteOptions) {}

  get activeCalls(): number {
    return this.active.size;
  }

  /** Calls in progress with each leg's negotiated media and live RTP counters. */
  calls(): CallInfo[] {
    return [...this.active].map(([callId, c]) => ({
      callId,
      to: c.to,
      kind: c.legs.length > 1 ? 'bridged' : 'answered',
      startedAt: new Date(c.startedAt).toISOString(),
      legs: c.legs.map(({ role, leg }) => legInfo(role, leg)),
    }));
  }

  handle(req: IncomingRequest, res: ServerResponse): void {
    const uri = req.msg.parsedUri;
    const number = uri && isSipUri(uri) ? (uri.user ?? '') : '';
    const callId = req.callId;
    this.o.events.append('call.offered', { from: req.get('from'), to: number, source: req.source.remote }, callId);
    this.route(number, req, res).catch((err: unknown) => {
      const status = err instanceof SipError ? err.status : 500;
      if (!(err instanceof SipError)) this.o.logger.error({ err, callId }, 'call routing failed');
      if (!res.finalResponseSent) res.send(status >= 300 ? status : 500);
      this.o.events.append('call.failed', { to: number, status }, callId);
    });
  }

  private async route(number: string, req: IncomingRequest, res: ServerResponse): Promise<void> {
    switch (number) {
      case 'answer':
        await this.answer(number, req, res);
        return;
      case 'echo':
        await this.answer(number, req, res, { echo: true });
        return;
      case 'record':
        this.record(await this.answer(number, req, res));
        return;
      case 'busy':
        res.send(486);
        this.o.events.append('call.failed', { to: number, status: 486 }, req.callId);
        return;
      case 'ringing':
        return this.ringForever(req, res);
      case 'hangup': {
        const leg = await this.answer(number, req, res);
        const timer = setTimeout(() => void leg.hangup(), this.o.hangupDemoMs);
        leg.once('ended', () => clearTimeout(timer));
        return;
      }
    }
    if (this.o.registrar.hasUser(number)) return this.bridge(number, req, res);
    if (this.o.fallback) return this.o.fallback(req, res);
    res.send(404);
    this.o.events.append('call.failed', { to: number, status: 404 }, req.callId);
  }

  private async answer(number: string, req: IncomingRequest, res: ServerResponse, options: { echo?: boolean } = {}): Promise<CallLeg> {
    const incoming = new IncomingCall({ stack: this.o.stack, req, res, ...this.mediaOptions(), ...options });
    const leg = await incoming.answer();
    leg.dialog.keepAlive(this.o.keepAliveMs);
    this.track(req.callId, { to: number, startedAt: leg.dialog.startedAt, legs: [{ role: 'caller', leg }], hangup: () => leg.hangup().then(() => undefined) });
    leg.once('ended', ({ reason }) => this.ended(req.callId, byOf(reason)));
    return leg;
  }

  /** Records what the caller says until the call ends (the endpoint closing ends the file). */
  private record(leg: CallLeg): void {
    const recording = leg.endpoint.record(join(this.o.recordingsDir, `${fileNameOf(leg.callId)}.wav`));
    recording.once('done', (r) => this.o.events.append('call.recorded', { path: r.path, durationMs: r.durationMs, droppedFrames: r.droppedFrames }, leg.callId));
    recording.once('failed', (err) => this.o.logger.error({ err, callId: leg.callId }, 'recording failed'));
  }

  private mediaOptions(): { media: MediaEngine; advertisedAddress?: string; rtpTimeoutMs: number } {
    return { media: this.o.media, advertisedAddress: this.o.advertisedAddress, rtpTimeoutMs: this.o.rtpTimeoutMs };
  }

  private ringForever(req: IncomingRequest, res: ServerResponse): Promise<void> {
    res.send(180);
    const timer = setTimeout(() => {
      if (res.send(480, { reason: 'No Answer' })) this.o.events.append('call.failed', { to: 'ringing', status: 480 }, req.callId);
    }, this.o.noAnswerMs);
    req.once('cancel', () => {
      clearTimeout(timer);
      this.o.events.append('call.canceled', {}, req.callId);
    });
    return Promise.resolve();
  }

  private async bridge(number: string, req: IncomingRequest, res: ServerResponse): Promise<void> {
    const binding = this.o.registrar.lookup(number)[0];
    if (!binding) {
      res.send(480, { reason: 'Not Registered' });
      this.o.events.append('call.failed', { to: number, status: 480 }, req.callId);
      return;
    }
    const from = req.msg.from;
    const caller = from && isSipUri(from.uri) ? from.uri.user : undefined;
    let bridge: Bridge;
    try {
      bridge = await anchoredCall({
        stack: this.o.stack,
        req,
        res,
        uri: binding.contact,
        target: binding.target,
        from: caller,
        noAnswerTimeoutMs: this.o.noAnswerMs,
        ...this.mediaOptions(),
      });
    } catch (err) {
      if (err instanceof SipError) {
        this.o.events.append(req.canceled ? 'call.canceled' : 'call.failed', { to: number, status: err.status }, req.callId);
        return;
      }
      throw err;
    }
    for (const leg of bridge.legs) leg.dialog.keepAlive(this.o.keepAliveMs);
    this.track(req.callId, {
      to: number,
      startedAt: bridge.a.dialog.startedAt,
      legs: [
        { role: 'caller', leg: bridge.a },
        { role: 'callee', leg: bridge.b },
      ],
      hangup: () => bridge.hangup(),
    });
    // Whoever hangs up, the bridge ends the other leg too.
    bridge.once('ended', ({ by, reason }) => this.ended(req.callId, by === bridge.b && reason === 'remote' ? 'callee' : byOf(reason)));
    this.o.events.append('call.bridged', { to: number, calleeCallId: bridge.b.callId }, req.callId);
  }

  private track(callId: string, call: ActiveCall): void {
    this.active.set(callId, call);
    this.o.events.append('call.answered', {}, callId);
  }

  private ended(callId: string, by: string): void {
    const call = this.active.get(callId);
    if (!call || !this.active.delete(callId)) return;
    this.o.events.append('call.ended', { by, durationMs: Date.now() - call.startedAt }, callId);
  }

  /** Hangs up every call (shutdown). */
  async hangupAll(): Promise<void> {
    await Promise.all([...this.active.values()].map((c) => c.hangup()));
  }
}

/** A Call-ID as a file name: anything but letters, digits, '.', '-', '_' and '@' becomes '_'. */
function fileNameOf(callId: string): string {
  return callId.replace(/[^A-Za-z0-9._@-]/g, '_');
}

function byOf(reason: EndReason): string {
  return reason === 'local' ? 'engine' : reason;
}

function legInfo(role: 'caller' | 'callee', leg: CallLeg): LegInfo {
  const r = leg.remote;
  return {
    role,
    callId: leg.callId,
    local: { address: leg.session.localAddress, port: leg.endpoint.port },
    remote: r ? { address: r.address, port: r.port, codec: r.codec, direction: r.direction } : null,
    held: leg.held,
    rtp: leg.stats(),
  }
}
