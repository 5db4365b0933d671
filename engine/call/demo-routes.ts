// Routing of inbound calls for the demo configuration, until user dialplans take over:
// registered extensions are bridged (B2BUA); a few numbers the engine answers itself.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MediaEngine } from '../../media/engine.js';
import type { EndpointStats } from '../../media/native.js';
import { SipError, type Dialog, type IncomingRequest, type Registrar, type ServerResponse, type SipStack } from '../sip/index.js';
import { isSipUri } from '../sip/uri.js';
import type { EventLog } from '../store/event-log.js';
import { anchoredCall, type B2buaCallOptions } from './bridge.js';
import { bypassedCall, type B2buaMedia } from './bypass.js';
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
  /** Extension-to-extension calls: media anchored in the engine, or SDP passed end to end. */
  b2buaMedia: B2buaMedia;
}

/** The numbers README lists. */
export const DEMO_NUMBERS = ['answer', 'busy', 'ringing', 'hangup', 'echo', 'record'] as const;

/** A call in progress as GET /api/media/calls shows it. */
export interface CallInfo {
  callId: string;
  to: string;
  /** bridged: media anchored (two legs); bypassed: RTP flows between the phones (no legs). */
  kind: 'answered' | 'bridged' | 'bypassed';
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
  kind: CallInfo['kind'];
  /** The legs with an engine endpoint (none for a bypassed call). */
  legs: { role: 'caller' | 'callee'; leg: CallLeg }[];
  hangup(): Promise<void>;
}

/** An answered extension-to-extension call, anchored or bypassed. */
interface BridgedCall extends Pick<ActiveCall, 'kind' | 'legs' | 'hangup'> {
  /** The caller's dialog, then the callee's. */
  dialogs: [Dialog, Dialog];
  /** `cb` once, with who ended the call (as in call.ended's `by`). */
  onEnded(cb: (by: string) => void): void;
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
      kind: c.kind,
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
    // The closures below outlive the call's setup: they keep its Call-ID, not the request.
    const callId = req.callId;
    this.track(callId, { to: number, startedAt: leg.dialog.startedAt, kind: 'answered', legs: [{ role: 'caller', leg }], hangup: () => leg.hangup().then(() => undefined) });
    leg.once('ended', ({ reason }) => this.ended(callId, byOf(reason)));
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
    const callee: B2buaCallOptions = {
      stack: this.o.stack,
      req,
      res,
      uri: binding.contact,
      target: binding.target,
      from: from && isSipUri(from.uri) ? from.uri.user : undefined,
      noAnswerTimeoutMs: this.o.noAnswerMs,
    };
    let call: BridgedCall;
    try {
      call = this.o.b2buaMedia === 'bypass' ? await this.bypassed(callee) : await this.anchored(callee);
    } catch (err) {
      if (err instanceof SipError) {
        this.o.events.append(req.canceled ? 'call.canceled' : 'call.failed', { to: number, status: err.status }, req.callId);
        return;
      }
      throw err;
    }
    for (const dialog of call.dialogs) dialog.keepAlive(this.o.keepAliveMs);
    // The closure below lives as long as the call: it keeps its Call-ID, not the request.
    const callId = req.callId;
    this.track(callId, { to: number, startedAt: call.dialogs[0].startedAt, kind: call.kind, legs: call.legs, hangup: call.hangup });
    // Whoever hangs up, the other side is ended too.
    call.onEnded((by) => this.ended(callId, by));
    this.o.events.append('call.bridged', { to: number, calleeCallId: call.dialogs[1].callId, media: this.o.b2buaMedia }, callId);
  }

  /** Media anchored: each side talks RTP with an engine endpoint, the two mixed (bridge.ts). */
  private async anchored(callee: B2buaCallOptions): Promise<BridgedCall> {
    const bridge = await anchoredCall({ ...callee, ...this.mediaOptions() });
    return {
      kind: 'bridged',
      dialogs: [bridge.a.dialog, bridge.b.dialog],
      legs: [
        { role: 'caller', leg: bridge.a },
        { role: 'callee', leg: bridge.b },
      ],
      hangup: () => bridge.hangup(),
      onEnded: (cb) => bridge.once('ended', ({ by, reason }) => cb(by === bridge.b && reason === 'remote' ? 'callee' : byOf(reason))),
    };
  }

  /** Media bypassed: the SDP passes end to end, RTP flows between the phones (bypass.ts). */
  private async bypassed(callee: B2buaCallOptions): Promise<BridgedCall> {
    const call = await bypassedCall(callee);
    return {
      kind: 'bypassed',
      dialogs: [call.caller, call.callee],
      legs: [],
      hangup: () => call.hangup(),
      // The caller hanging up reads 'remote', as for the anchored and answered calls.
      onEnded: (cb) => call.once('ended', ({ by }) => cb(by === 'caller' ? 'remote' : by)),
    };
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
