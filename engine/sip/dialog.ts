// A SIP dialog (RFC 3261 §12) with the call-control verbs of drachtio-srf's Dialog:
// `modify` (re-INVITE), `request` (INFO, UPDATE, ...), `destroy` (BYE), and events for
// what the peer does: 'destroy', 'modify', 'info', 'update', 'refer', 'notify', 'message'.
import { EventEmitter } from 'node:events';
import { detach } from './detach.js';
import { SipError } from './errors.js';
import { SipRequest, type SipResponse } from './message.js';
import type { IncomingRequest, ServerResponse } from './incoming.js';
import { targetFor } from './target.js';
import { reanswer } from './sdp-direction.js';
import type { SendTarget } from './transport/types.js';
import { TimerRelay, type TimerTarget } from './transaction/timer-queue.js';
import type { TimerSettings } from './transaction/timers.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

/** What a dialog needs from the stack. */
export interface DialogHost {
  /** Sends a request in a client transaction; resolves with the final response. */
  sendRequest(request: SipRequest, target: SendTarget): Promise<SipResponse>;
  sendAck(ack: SipRequest, target: SendTarget): void;
  removeDialog(dialog: Dialog): void;
  readonly contact: string;
  readonly allow: string;
  readonly timers: TimerSettings;
  /** Calls target.onTimer(kind, due) after `ms` (the transactions' timer queues); returns `due`. */
  startTimer(ms: number, target: TimerTarget, kind: number): number;
}

// Timer kinds (TimerTarget.onTimer). A queued timer cannot be cancelled: on firing it applies
// only if its due time is still the one recorded for it.
const ACK_RETRANSMIT = 0;
const ACK_DEADLINE = 1;
const KEEP_ALIVE = 2;

/** The INVITE server transaction whose 2xx a UAS retransmits until the ACK (RFC 3261 §13.3.1.4). */
export interface AcceptedInvite {
  resendAccepted(): void;
  /** No more retransmissions of the 2xx will be asked for. */
  releaseAccepted(): void;
}

/** A 2xx we retransmit until its ACK (RFC 3261 §13.3.1.4). */
interface PendingAck {
  seq: number;
  tx: AcceptedInvite;
  interval: number;
  retransmitDue: number;
  deadlineDue: number;
  done: Promise<void>;
  settle: () => void;
}

export interface DialogInit {
  type: 'uas' | 'uac';
  callId: string;
  localTag: string;
  remoteTag: string;
  /** The From/To values as this side writes them in requests it sends (with tags). */
  localHeader: string;
  remoteHeader: string;
  remoteTarget: string;
  routeSet: string[];
  localSeq: number;
  remoteSeq: number;
  localSdp?: string;
  remoteSdp?: string;
}

interface DialogEvents {
  destroy: [request?: IncomingRequest];
  modify: [request: IncomingRequest, response: ServerResponse];
  info: [request: IncomingRequest, response: ServerResponse];
  update: [request: IncomingRequest, response: ServerResponse];
  refer: [request: IncomingRequest, response: ServerResponse];
  notify: [request: IncomingRequest, response: ServerResponse];
  message: [request: IncomingRequest, response: ServerResponse];
  ack: [request: SipRequest];
}

export interface DestroyOptions {
  headers?: Record<string, string>;
}

export class Dialog extends EventEmitter<DialogEvents> {
  readonly type: 'uas' | 'uac';
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  state: DialogState = 'confirmed';
  localSdp?: string;
  remoteSdp?: string;
  remoteTarget: string;
  readonly routeSet: string[];
  private localSeq: number;
  remoteSeq: number;
  private readonly localHeader: string;
  private readonly remoteHeader: string;
  /** The 2xx a UAS retransmits until its ACK arrives (RFC 3261 §13.3.1.4). */
  private pendingAck?: PendingAck;
  private hangingUp = false;
  private keepAliveMs = 0;
  private keepAliveDue = 0;
  /**
   * What the timer queues hold for this dialog: a queued keep-alive or ACK deadline outlives
   * the call by up to a minute, and through this only a small object, not the ended dialog,
   * stays reachable that long.
   */
  private readonly timerTarget = new TimerRelay(this);
  /** A re-INVITE from the peer is being answered (§14.2: a second one gets 500). */
  private peerOfferOpen = false;
  /** Our own re-INVITE awaits its answer (§14.2: the peer's crossing one gets 491). */
  private ownOfferOpen = false;
  /** When the dialog began; for CDRs. */
  readonly startedAt = Date.now();

  constructor(
    private readonly host: DialogHost,
    init: DialogInit,
  ) {
    super();
    this.type = init.type;
    // Kept for the whole call: copies, not views into the messages they came from (detach.ts);
    // SipMessage.callId, where the stack takes the Call-ID from, is one already.
    this.callId = init.callId;
    this.localTag = detach(init.localTag);
    this.remoteTag = detach(init.remoteTag);
    this.localHeader = detach(init.localHeader);
    this.remoteHeader = detach(init.remoteHeader);
    this.remoteTarget = detach(init.remoteTarget);
    this.routeSet = init.routeSet.map(detach);
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localSdp = init.localSdp;
    this.remoteSdp = init.remoteSdp;
  }

  /** The key the stack routes in-dialog requests by (§12.2.2). */
  get id(): string {
    return dialogId(this.callId, this.localTag, this.remoteTag);
  }

  get sip(): { callId: string; localTag: string; remoteTag: string } {
    return { callId: this.callId, localTag: this.localTag, remoteTag: this.remoteTag };
  }

  /** Builds a request inside this dialog (§12.2.1.1). */
  makeRequest(method: string, options: { headers?: Record<string, string>; body?: string; contentType?: string } = {}): SipRequest {
    const req = new SipRequest(method, this.remoteTarget);
    if (this.routeSet.length) req.set('route', [...this.routeSet]);
    req.set('max-forwards', '70');
    req.set('from', this.localHeader);
    req.set('to', this.remoteHeader);
    req.set('call-id', this.callId);
    if (method !== 'ACK') this.localSeq++;
    req.set('cseq', `${this.localSeq} ${method}`);
    req.set('contact', this.host.contact);
    for (const [k, v] of Object.entries(options.headers ?? {})) req.set(k, v);
    if (options.body !== undefined) {
      req.body = Buffer.from(options.body);
      req.set('content-type', options.contentType ?? 'application/sdp');
    }
    return req;
  }

  /**
   * Sends an in-dialog request and resolves with the final response (any status). A 2xx to an
   * UPDATE completes its offer/answer (RFC 3311 §5.1) and refreshes the remote target.
   */
  async request(method: string, options: { headers?: Record<string, string>; body?: string; contentType?: string } = {}): Promise<SipResponse> {
    if (this.state === 'terminated') throw new SipError(481, 'Dialog Terminated', 'dialog-gone');
    const req = this.makeRequest(method, options);
    const response = await this.host.sendRequest(req, targetFor(req.uri, this.routeSet));
    if (response.status === 481 || response.status === 408) this.terminate();
    if (method === 'UPDATE' && response.status >= 200 && response.status < 300) {
      this.refreshTarget(response);
      if (options.body !== undefined && response.body.length) this.recordSdp(options.body, response.body.toString('utf8'));
    }
    return response;
  }

  /**
   * Re-INVITE with a new offer (hold is an offer with a=sendonly or a=inactive, §14.1 and
   * RFC 3264 §8.4); resolves with the answer SDP. Rejects on a non-2xx answer.
   */
  async modify(sdp: string, headers?: Record<string, string>): Promise<string> {
    if (this.state === 'terminated') throw new SipError(481, 'Dialog Terminated', 'dialog-gone');
    if (this.ownOfferOpen || this.peerOfferOpen) throw new SipError(491, 'Request Pending', 'offer-pending');
    const invite = this.makeRequest('INVITE', { body: sdp, headers });
    this.ownOfferOpen = true;
    let response: SipResponse;
    try {
      response = await this.host.sendRequest(invite, targetFor(invite.uri, this.routeSet));
    } finally {
      this.ownOfferOpen = false;
    }
    if (response.status >= 300) {
      if (response.status === 481 || response.status === 408) this.terminate();
      throw new SipError(response.status, response.reason, 'modify-rejected');
    }
    this.refreshTarget(response);
    this.sendAckFor(invite.cseq!.seq);
    this.recordSdp(sdp, response.body.toString('utf8'));
    return this.remoteSdp!;
  }

  /** ACK for a 2xx to an INVITE we sent in (or creating) this dialog (§13.2.2.4). */
  sendAckFor(inviteSeq: number): void {
    const ack = new SipRequest('ACK', this.remoteTarget);
    if (this.routeSet.length) ack.set('route', [...this.routeSet]);
    ack.set('max-forwards', '70');
    ack.set('from', this.localHeader);
    ack.set('to', this.remoteHeader);
    ack.set('call-id', this.callId);
    ack.set('cseq', `${inviteSeq} ACK`);
    ack.set('contact', this.host.contact);
    this.host.sendAck(ack, targetFor(ack.uri, this.routeSet));
  }

  /**
   * Hangs up with BYE; 'destroy' is not emitted (the application chose this). A UAS still
   * waiting for the ACK of its 2xx sends the BYE only once the ACK (or its timeout) came (§15).
   */
  async destroy(options: DestroyOptions = {}): Promise<void> {
    if (this.state === 'terminated' || this.hangingUp) return;
    this.hangingUp = true;
    if (this.pendingAck) await this.pendingAck.done;
    // The peer may have hung up itself while we waited.
    if ((this.state as DialogState) === 'terminated') return;
    this.terminate();
    const bye = this.makeRequest('BYE', { headers: options.headers });
    try {
      await this.host.sendRequest(bye, targetFor(bye.uri, this.routeSet));
    } catch {
      // The dialog is gone either way (§15.1.1: a BYE failure still ends the session).
    }
  }

  /** The UAS side: retransmit the 2xx until its ACK, BYE if none comes (§13.3.1.4). */
  awaitAck(seq: number, tx: AcceptedInvite): void {
    const { t1 } = this.host.timers;
    let settle!: () => void;
    const done = new Promise<void>((resolve) => (settle = resolve));
    this.stopAwaitingAck();
    this.pendingAck = {
      seq,
      tx,
      interval: t1,
      retransmitDue: this.host.startTimer(t1, this.timerTarget, ACK_RETRANSMIT),
      deadlineDue: this.host.startTimer(64 * t1, this.timerTarget, ACK_DEADLINE),
      done,
      settle,
    };
  }

  private stopAwaitingAck(): void {
    const pending = this.pendingAck;
    this.pendingAck = undefined;
    pending?.tx.releaseAccepted();
    pending?.settle();
  }

  /** A timer of this dialog's fired (through its TimerRelay). */
  onTimer(kind: number, due: number): void {
    const pending = this.pendingAck;
    if (kind === ACK_RETRANSMIT && pending?.retransmitDue === due) {
      pending.tx.resendAccepted();
      pending.interval = Math.min(pending.interval * 2, this.host.timers.t2);
      pending.retransmitDue = this.host.startTimer(pending.interval, this.timerTarget, ACK_RETRANSMIT);
    } else if (kind === ACK_DEADLINE && pending?.deadlineDue === due) {
      this.stopAwaitingAck();
      void this.destroy();
      this.emit('destroy');
    } else if (kind === KEEP_ALIVE && this.keepAliveDue === due && this.state !== 'terminated') {
      this.keepAliveDue = this.host.startTimer(this.keepAliveMs, this.timerTarget, KEEP_ALIVE);
      void this.probe();
    }
  }

  /** An ACK arrived for this dialog. */
  onAck(ack: SipRequest): void {
    if (this.pendingAck && ack.cseq?.seq === this.pendingAck.seq) this.stopAwaitingAck();
    // An ACK has a body only as the answer to an offer our 2xx made (RFC 3264 §5, RFC 3261 §14.2).
    if (ack.body.length) this.remoteSdp = ack.body.toString('utf8');
    this.emit('ack', ack);
  }

  /** Handles a request the peer sent in this dialog. */
  onRequest(req: IncomingRequest, res: ServerResponse): void {
    const cseq = req.msg.cseq!.seq;
    // §12.2.2: a lower CSeq than the last one is out of order and gets 500.
    if (cseq <= this.remoteSeq && req.method !== 'ACK') {
      res.send(500, { reason: 'Out Of Order CSeq' });
      return;
    }
    this.remoteSeq = cseq;
    switch (req.method) {
      case 'BYE':
        res.send(200);
        this.terminate();
        this.emit('destroy', req);
        return;
      case 'INVITE':
        this.refreshTarget(req.msg);
        this.onReinvite(req, res);
        return;
      case 'UPDATE':
        // A target refresh (RFC 3311 §5.1) that may carry an offer; the 2xx carries the answer.
        this.refreshTarget(req.msg);
        this.offerOrDefault('update', req, this.answering(req, res));
        return;
      case 'INFO':
      case 'REFER':
      case 'NOTIFY':
      case 'MESSAGE': {
        const event = req.method.toLowerCase() as 'info' | 'refer' | 'notify' | 'message';
        if (this.listenerCount(event) > 0) this.emit(event, req, res);
        else res.send(req.method === 'REFER' ? 501 : 200);
        return;
      }
      case 'OPTIONS':
        res.send(200, { headers: { Allow: this.host.allow, Accept: 'application/sdp' } });
        return;
      default:
        res.send(405, { headers: { Allow: this.host.allow } });
    }
  }

  private onReinvite(req: IncomingRequest, res: ServerResponse): void {
    // §14.2: offers must not cross. Ours pending → 491; theirs still open → 500 + Retry-After.
    if (this.ownOfferOpen) {
      res.send(491);
      return;
    }
    if (this.peerOfferOpen) {
      res.send(500, { headers: { 'Retry-After': String(Math.floor(Math.random() * 10)) } });
      return;
    }
    this.peerOfferOpen = true;
    const answering = this.answering(req, res, (status) => {
      this.peerOfferOpen = false;
      // The 2xx is retransmitted until ACKed (§13.3.1.4).
      if (status < 300) this.awaitAck(req.msg.cseq!.seq, req.tx);
    });
    this.offerOrDefault('modify', req, answering);
  }

  /**
   * Wraps the response to a peer's re-INVITE or UPDATE: it carries our Contact (both are
   * target refresh requests, RFC 3261 §12.2.2 and RFC 3311 §5.2) and completes the offer/answer,
   * so the session this dialog holds follows it; `onFinal` sees the final status.
   */
  private answering(req: IncomingRequest, res: ServerResponse, onFinal?: (status: number) => void): ServerResponse {
    const wrapped = Object.create(res) as ServerResponse;
    wrapped.send = (status, options = {}) => {
      const ok = res.send(status, { ...options, headers: { Contact: this.host.contact, ...(options.headers ?? {}) } });
      if (!ok || status < 200) return ok;
      if (status < 300) {
        // Ours is the answer to the request's offer; or, to a re-INVITE without one, the offer,
        // whose answer comes in the ACK (RFC 3261 §14.2).
        if (options.body?.length) this.localSdp = options.body.toString();
        if (req.msg.body.length) this.remoteSdp = req.body;
      }
      onFinal?.(status);
      return ok;
    };
    return wrapped;
  }

  /** Records a completed offer/answer: the session this dialog now holds (RFC 3264 §8). */
  private recordSdp(localSdp: string, remoteSdp: string): void {
    this.localSdp = localSdp;
    this.remoteSdp = remoteSdp;
  }

  /** A target refresh request or its 2xx replaces the remote target with its Contact (RFC 3261 §12.2). */
  private refreshTarget(msg: SipRequest | SipResponse): void {
    const contact = msg.getAll('contact')[0];
    if (contact && msg.contacts()?.list.length) this.remoteTarget = detach(contactUri(contact));
  }

  /** Emits the event if the application listens, else answers with our current SDP. */
  private offerOrDefault(event: 'modify' | 'update', req: IncomingRequest, res: ServerResponse): void {
    if (this.listenerCount(event) > 0) {
      this.emit(event, req, res);
      return;
    }
    if (!this.localSdp) {
      res.send(200);
      return;
    }
    const answer = req.msg.body.length ? reanswer(this.localSdp, req.body) : this.localSdp;
    res.send(200, { body: answer, contentType: 'application/sdp' });
  }

  /**
   * Probes the peer with an in-dialog OPTIONS every `intervalMs`; a 481 or no answer at all
   * (408) means the peer forgot the call or vanished, and the dialog ends with 'destroy'.
   * Without this a call whose BYE never comes would live forever.
   */
  keepAlive(intervalMs: number): void {
    this.keepAliveMs = intervalMs;
    this.keepAliveDue = this.host.startTimer(intervalMs, this.timerTarget, KEEP_ALIVE);
  }

  private async probe(): Promise<void> {
    let gone: boolean;
    try {
      const response = await this.request('OPTIONS');
      gone = response.status === 481 || response.status === 408;
    } catch (err) {
      gone = err instanceof SipError && (err.status === 408 || err.status === 503);
    }
    // An application hang-up racing the probe is not the peer vanishing.
    if (gone && !this.hangingUp) {
      this.terminate();
      this.emit('destroy');
    }
  }

  /** Marks the dialog ended and unregisters it; idempotent. */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopAwaitingAck();
    this.keepAliveDue = 0;
    this.timerTarget.target = undefined;
    this.host.removeDialog(this);
  }
}

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return callId + '|' + localTag + '|' + remoteTag;
}

/** The URI inside a Contact value (`<uri>;params` or bare `uri`). */
export function contactUri(value: string): string {
  const lt = value.indexOf('<');
  if (lt >= 0) return value.slice(lt + 1, value.indexOf('>', lt));
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim();
}

