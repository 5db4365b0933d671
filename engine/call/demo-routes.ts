// Routing of inbound calls for the demo configuration, until user dialplans take over:
// registered extensions are bridged (B2BUA); a few numbers the engine answers itself.
import type { Logger } from 'pino';
import { SipError, type Dialog, type IncomingRequest, type Registrar, type ServerResponse, type SipStack } from '../sip/index.js';
import { isSipUri } from '../sip/uri.js';
import type { EventLog } from '../store/event-log.js';
import { answerSdp, type MediaAddress } from '../../media/sdp.js';

export interface DemoRouteOptions {
  stack: SipStack;
  registrar: Registrar;
  events: EventLog;
  logger: Logger;
  noAnswerMs: number;
  hangupDemoMs: number;
  /** In-dialog OPTIONS probe interval: ends calls whose peer vanished without BYE. */
  keepAliveMs: number;
  /**
   * Where our SDP points. The media core (its own issue) will allocate real RTP ports; until
   * then calls are signalling-only and this address carries no audio.
   */
  media: MediaAddress;
  /** Takes the calls no demo number or extension takes (the user dialplan); else they get 404. */
  fallback?: (req: IncomingRequest, res: ServerResponse) => void;
}

/** The numbers README lists. */
export const DEMO_NUMBERS = ['answer', 'busy', 'ringing', 'hangup'] as const;

export class DemoRoutes {
  private readonly active = new Set<Dialog>();

  constructor(private readonly o: DemoRouteOptions) {}

  get activeCalls(): number {
    return this.active.size;
  }

  handle(req: IncomingRequest, res: ServerResponse): void {
    const uri = req.msg.parsedUri;
    const number = uri && isSipUri(uri) ? (uri.user ?? '') : '';
    const callId = req.callId;
    const log = this.o.logger.child({ callId });
    this.o.events.append('call.offered', { from: req.get('from'), to: number, source: req.source.remote }, callId);
    this.route(number, req, res).catch((err: unknown) => {
      const status = err instanceof SipError ? err.status : 500;
      if (!(err instanceof SipError)) log.error({ err }, 'call routing failed');
      if (!res.finalResponseSent) res.send(status >= 300 ? status : 500);
      this.o.events.append('call.failed', { to: number, status }, callId);
    });
  }

  private async route(number: string, req: IncomingRequest, res: ServerResponse): Promise<void> {
    switch (number) {
      case 'answer':
        await this.answer(req, res);
        return;
      case 'busy':
        res.send(486);
        this.o.events.append('call.failed', { to: number, status: 486 }, req.callId);
        return;
      case 'ringing':
        return this.ringForever(req, res);
      case 'hangup': {
        const dialog = await this.answer(req, res);
        const timer = setTimeout(() => void this.hangup(dialog, 'engine'), this.o.hangupDemoMs);
        dialog.once('destroy', () => clearTimeout(timer));
        return;
      }
    }
    if (this.o.registrar.hasUser(number)) return this.bridge(number, req, res);
    if (this.o.fallback) return this.o.fallback(req, res);
    res.send(404);
    this.o.events.append('call.failed', { to: number, status: 404 }, req.callId);
  }

  private async answer(req: IncomingRequest, res: ServerResponse): Promise<Dialog> {
    const sdp = answerSdp(req.msg.body.length ? req.body : undefined, this.o.media);
    if (sdp === null) throw new SipError(488, 'Not Acceptable Here');
    const dialog = await this.o.stack.createUAS(req, res, { localSdp: sdp });
    // Re-INVITEs (hold/unhold) are answered with the direction the new offer implies.
    dialog.on('modify', (r, s) => {
      const answer = answerSdp(r.msg.body.length ? r.body : undefined, this.o.media);
      if (answer === null) s.send(488);
      else s.send(200, { body: answer, contentType: 'application/sdp' });
    });
    this.track(dialog, req.callId);
    return dialog;
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
    try {
      const { uas, uac } = await this.o.stack.createB2BUA(req, res, binding.contact, {
        target: binding.target,
        from: caller,
        noAnswerTimeoutMs: this.o.noAnswerMs,
      });
      this.track(uas, req.callId);
      uac.keepAlive(this.o.keepAliveMs);
      // The callee hanging up ends the bridged call too (the B2BUA sent the caller BYE).
      uac.once('destroy', () => this.ended(uas, req.callId, 'callee'));
      this.o.events.append('call.bridged', { to: number, calleeCallId: uac.callId }, req.callId);
    } catch (err) {
      if (err instanceof SipError) {
        this.o.events.append(req.canceled ? 'call.canceled' : 'call.failed', { to: number, status: err.status }, req.callId);
        return;
      }
      throw err;
    }
  }

  private track(dialog: Dialog, callId: string): void {
    this.active.add(dialog);
    dialog.keepAlive(this.o.keepAliveMs);
    this.o.events.append('call.answered', {}, callId);
    dialog.once('destroy', () => this.ended(dialog, callId, 'remote'));
  }

  private async hangup(dialog: Dialog, by: string): Promise<void> {
    await dialog.destroy();
    this.ended(dialog, dialog.callId, by);
  }

  private ended(dialog: Dialog, callId: string, by: string): void {
    if (!this.active.delete(dialog)) return;
    this.o.events.append('call.ended', { by, durationMs: Date.now() - dialog.startedAt }, callId);
  }

  /** Hangs up every call (shutdown). */
  async hangupAll(): Promise<void> {
    await Promise.all([...this.active].map((d) => this.hangup(d, 'shutdown')));
  }
}
