// The UA core (RFC 3261 §8, §12-§15) over the transaction layer, with a drachtio-srf-like
// API: method handlers receive (req, res); createUAS / createUAC / createB2BUA return dialogs.
import type { Logger } from 'pino';
import { Dialog, contactUri, dialogId, type DialogHost } from './dialog.js';
import { SipError } from './errors.js';
import { newCallId, newTag } from './ids.js';
import { IncomingRequest, ServerResponse } from './incoming.js';
import { SipRequest, type SipResponse } from './message.js';
import { makeResponse } from './responses.js';
import { targetFor } from './target.js';
import { TransactionLayer, type TransactionUser } from './transaction/layer.js';
import type { ClientTransaction } from './transaction/client.js';
import type { ServerTransaction } from './transaction/server.js';
import type { TimerTarget } from './transaction/timer-queue.js';
import { DEFAULT_TIMERS, type TimerSettings } from './transaction/timers.js';
import { TransportLayer } from './transport/index.js';
import type { SendTarget } from './transport/types.js';
import { buildAuthorization, parseDigestHeader } from './auth/digest.js';
import { bridgeCall, type B2buaOptions } from './b2bua.js';

export type RequestHandler = (req: IncomingRequest, res: ServerResponse) => void;

export interface StackOptions {
  host: string;
  port: number;
  logger: Logger;
  timers?: Partial<TimerSettings>;
  userAgent?: string;
  tcpIdleTimeoutMs?: number;
  /** SCHED_RR priority 1-99 for the UDP sender thread; 0 or absent: ordinary scheduling. */
  realtimePriority?: number;
}

export interface UacOptions {
  localSdp?: string;
  headers?: Record<string, string>;
  /** Caller: a user part (`1001`) or a full name-addr / URI for From. */
  from?: string;
  /** Where to send, when not derivable from the Request-URI (e.g. a registered contact). */
  target?: SendTarget;
  /** Credentials to answer a 401/407 challenge once (trunks, tests). */
  auth?: { username: string; password: string };
  callId?: string;
}

export interface UacCallbacks {
  /** The INVITE has been sent; `cancel()` on the handle CANCELs it (RFC 3261 §9.1). */
  cbRequest?: (handle: OutgoingInvite) => void;
  cbProvisional?: (response: SipResponse) => void;
  /**
   * A 2xx that crosses our CANCEL resolves like any answer (the caller decides what to do with
   * the call, e.g. an ACD that still connects it) instead of being ended with BYE (§9.1).
   */
  acceptCrossed2xx?: boolean;
}

/** A sent INVITE not yet answered. */
export interface OutgoingInvite {
  readonly request: SipRequest;
  cancel(): void;
}


const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE, REFER, NOTIFY, MESSAGE';
/** Extensions we implement, for Require checks (RFC 3261 §8.2.2.3). */
const SUPPORTED = new Set<string>();

export class SipStack implements TransactionUser, DialogHost {
  readonly transport: TransportLayer;
  readonly layer: TransactionLayer;
  readonly timers: TimerSettings;
  readonly log: Logger;
  readonly allow = ALLOW;
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly dialogs = new Map<string, Dialog>();
  private readonly invites = new Map<ServerTransaction, { req: IncomingRequest; res: ServerResponse }>();
  /** Keys of live INVITE transactions by From tag, Call-ID and CSeq, to spot merged requests (§8.2.2.2). */
  private readonly inviteKeys = new Map<string, string>();
  private readonly userAgent: string;
  private contactValue?: string;

  constructor(private readonly options: StackOptions) {
    this.log = options.logger.child({ component: 'sip' });
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.userAgent = options.userAgent ?? 'Switchyard';
    this.transport = new TransportLayer({ host: options.host, port: options.port, logger: this.log, tcpIdleTimeoutMs: options.tcpIdleTimeoutMs, realtimePriority: options.realtimePriority });
    this.layer = new TransactionLayer(this.transport, this.timers, this.log);
    this.layer.user = this;
  }

  async start(): Promise<void> {
    await this.transport.start();
    this.contactValue = undefined;
  }

  async stop(): Promise<void> {
    // Send every BYE at once and wait a little for the answers; peers that stay silent don't
    // hold the shutdown for 64*T1.
    const byes = Promise.all([...this.dialogs.values()].map((d) => d.destroy().catch(() => undefined)));
    await Promise.race([byes, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    this.layer.clear();
    await this.transport.stop();
  }

  get host(): string {
    return this.transport.host;
  }

  get port(): number {
    return this.transport.localPort;
  }

  /** Our Contact (every INVITE, 2xx and in-dialog request carries it): made once, the port is fixed once started. */
  get contact(): string {
    this.contactValue ??= `<sip:${this.host}:${this.port}>`;
    return this.contactValue;
  }

  get stats(): { dialogs: number; serverTransactions: number; clientTransactions: number } {
    const c = this.layer.counts;
    return { dialogs: this.dialogs.size, serverTransactions: c.servers, clientTransactions: c.clients };
  }

  /** Registers the handler for out-of-dialog requests of a method ('*' for any). */
  on(method: string, handler: RequestHandler): this {
    this.handlers.set(method.toUpperCase(), handler);
    return this;
  }
  invite(handler: RequestHandler): this {
    return this.on('INVITE', handler);
  }
  register(handler: RequestHandler): this {
    return this.on('REGISTER', handler);
  }

  // -------------------------------------------------------------- inbound (TU)

  onRequest(request: SipRequest, tx: ServerTransaction): void {
    const req = new IncomingRequest(request, tx);
    const res = new ServerResponse(req, request.toTag ?? newTag());
    if (request.toTag !== undefined) {
      const dialog = this.dialogs.get(dialogId(request.callId, request.toTag, request.fromTag ?? ''));
      // §12.2.2: a request for a dialog we do not know.
      if (!dialog) res.send(481);
      else dialog.onRequest(req, res);
      return;
    }
    const rejection = this.checkOutOfDialog(request);
    if (rejection) {
      res.send(rejection.status, { reason: rejection.reason, headers: rejection.headers });
      return;
    }
    if (request.method === 'INVITE') {
      const key = mergeKey(request);
      this.invites.set(tx, { req, res });
      this.inviteKeys.set(key, tx.key);
      tx.onFinalResponse = () => this.invites.delete(tx);
      tx.onTerminated = forgetMergeKey(this.inviteKeys, key, tx.key);
    }
    const handler = this.handlers.get(request.method) ?? this.handlers.get('*');
    if (handler) {
      handler(req, res);
      return;
    }
    if (request.method === 'OPTIONS') {
      res.send(200, { headers: { Allow: ALLOW, Accept: 'application/sdp', 'Accept-Language': 'en' } });
    } else if (ALLOW.includes(request.method)) {
      res.send(405, { headers: { Allow: ALLOW } });
    } else {
      res.send(501, { headers: { Allow: ALLOW } });
    }
  }

  /** UAS checks before a new request reaches the application (RFC 3261 §8.2, §8.2.2.2). */
  private checkOutOfDialog(request: SipRequest): { status: number; reason?: string; headers?: Record<string, string> } | null {
    const uri = request.parsedUri!;
    if (uri.scheme !== 'sip' && uri.scheme !== 'sips' && uri.scheme !== 'tel') return { status: 416 };
    const mf = request.get('max-forwards');
    if (mf !== undefined && Number(mf) === 0 && request.method !== 'OPTIONS') return { status: 483 };
    if (request.method !== 'CANCEL') {
      const unsupported = request.getAll('require').filter((x) => !SUPPORTED.has(x.toLowerCase()));
      if (unsupported.length) return { status: 420, headers: { Unsupported: unsupported.join(', ') } };
    }
    if (request.method === 'INVITE' && request.body.length > 0) {
      const type = (request.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
      if (type !== 'application/sdp') return { status: 415, headers: { Accept: 'application/sdp' } };
    }
    // §8.2.2.2 merged requests: same From tag, Call-ID and CSeq on a different transaction
    // (a request that forked back to us) get 482.
    if (request.method === 'INVITE' && this.inviteKeys.has(mergeKey(request))) return { status: 482 };
    return null;
  }

  onAck(ack: SipRequest): void {
    const dialog = this.dialogs.get(dialogId(ack.callId, ack.toTag ?? '', ack.fromTag ?? ''));
    dialog?.onAck(ack);
  }

  onCancel(invite: ServerTransaction, cancel: SipRequest): void {
    const pending = this.invites.get(invite);
    // RFC 3261 §9.2: the UAS answers the INVITE 487 once it is cancelled.
    if (!pending) {
      invite.respond(makeResponse(invite.request, 487, { toTag: newTag() }));
      return;
    }
    pending.res.send(487);
    pending.req.canceled = true;
    pending.req.emit('cancel', cancel);
  }

  /**
   * A 2xx to an INVITE after the first one (§13.2.2.4): a retransmission is ACKed again in
   * its dialog; one from another fork, or for a call already over, is ACKed and ended (BYE).
   */
  onStrayResponse(response: SipResponse): void {
    if (response.status < 200 || response.status >= 300 || response.cseq?.method !== 'INVITE') return;
    const seq = response.cseq.seq;
    const dialog = this.dialogs.get(dialogId(response.callId, response.fromTag ?? '', response.toTag ?? ''));
    if (dialog) {
      dialog.sendAckFor(seq);
      return;
    }
    const contact = response.getAll('contact')[0];
    if (!contact || response.fromTag === undefined) return;
    let target: SendTarget;
    try {
      target = targetFor(contactUri(contact), response.getAll('record-route').reverse());
    } catch {
      return;
    }
    const from = response.get('from')!;
    const extra = this.uacDialog(response, { callId: response.callId, localTag: response.fromTag, from, to: response.get('to')!, seq, target });
    extra.sendAckFor(seq);
    void extra.destroy();
  }

  // ------------------------------------------------------------- DialogHost

  sendRequest(request: SipRequest, target: SendTarget): Promise<SipResponse> {
    request.set('user-agent', this.userAgent);
    return new Promise((resolve, reject) => {
      this.layer.request(request, target, {
        onResponse: (response) => {
          if (response.status >= 200) resolve(response);
        },
        onFailure: (status, reason) => reject(new SipError(status, reason, 'no-response')),
      });
    });
  }

  sendAck(ack: SipRequest, target: SendTarget): void {
    this.layer.sendStateless(ack, target);
  }

  startTimer(ms: number, target: TimerTarget, kind: number): number {
    return this.layer.startTimer(ms, target, kind);
  }

  removeDialog(dialog: Dialog): void {
    if (this.dialogs.get(dialog.id) === dialog) this.dialogs.delete(dialog.id);
  }

  private addDialog(dialog: Dialog): void {
    this.dialogs.set(dialog.id, dialog);
  }

  // ------------------------------------------------------------- call API

  /** Answers an INVITE with 200 OK and returns the confirmed UAS dialog. */
  async createUAS(req: IncomingRequest, res: ServerResponse, opts: { localSdp?: string; headers?: Record<string, string> } = {}): Promise<Dialog> {
    if (req.canceled) throw new SipError(487, 'Request Terminated', 'canceled');
    const request = req.msg;
    const headers: Record<string, string> = { Contact: this.contact, Allow: ALLOW, 'User-Agent': this.userAgent, ...opts.headers };
    const rr = request.lines('record-route');
    if (rr.length) headers['Record-Route'] = rr.join(', ');
    const sent = res.send(200, { headers, body: opts.localSdp, contentType: opts.localSdp ? 'application/sdp' : undefined });
    if (!sent) throw new SipError(487, 'Request Terminated', 'canceled');
    const contact = request.getAll('contact')[0];
    const dialog = new Dialog(this, {
      type: 'uas',
      callId: request.callId,
      localTag: res.toTag,
      remoteTag: request.fromTag ?? '',
      localHeader: `${request.get('to')};tag=${res.toTag}`,
      remoteHeader: request.get('from')!,
      remoteTarget: contact ? contactUri(contact) : request.uri,
      // §12.1.1: the UAS route set is the Record-Route list in order.
      routeSet: request.getAll('record-route'),
      localSeq: 0,
      remoteSeq: request.cseq!.seq,
      localSdp: opts.localSdp,
      remoteSdp: request.body.length ? req.body : undefined,
    });
    this.addDialog(dialog);
    dialog.awaitAck(request.cseq!.seq, req.tx);
    return dialog;
  }

  /** Places a call; resolves with the confirmed UAC dialog, rejects with a SipError. */
  createUAC(uri: string, opts: UacOptions = {}, callbacks: UacCallbacks = {}): Promise<Dialog> {
    const localTag = newTag();
    const callId = opts.callId ?? newCallId(this.host);
    const from = formatFrom(opts.from, this.host, localTag);
    const to = `<${uri}>`;
    let target: SendTarget;
    try {
      target = opts.target ?? targetFor(uri, []);
    } catch (err) {
      return Promise.reject(err);
    }
    let seq = 1;
    const build = (authorization?: { header: string; value: string }): SipRequest => {
      const invite = new SipRequest('INVITE', uri);
      invite.set('max-forwards', '70');
      invite.set('from', from);
      invite.set('to', to);
      invite.set('call-id', callId);
      invite.set('cseq', `${seq} INVITE`);
      invite.set('contact', this.contact);
      invite.set('allow', ALLOW);
      invite.set('user-agent', this.userAgent);
      if (authorization) invite.set(authorization.header, authorization.value);
      for (const [k, v] of Object.entries(opts.headers ?? {})) invite.set(k, v);
      if (opts.localSdp) {
        invite.body = Buffer.from(opts.localSdp);
        invite.set('content-type', 'application/sdp');
      }
      return invite;
    };

    return new Promise<Dialog>((resolve, reject) => {
      let dialog: Dialog | undefined;
      let settled = false;
      let cancelRequested = false;
      let provisional = false;
      let tx: ClientTransaction;
      let sent: SipRequest;
      let authTried = false;

      const sendCancel = (): void => {
        const cancel = new SipRequest('CANCEL', uri);
        for (const name of ['route', 'max-forwards', 'from', 'to', 'call-id']) {
          const lines = tx.request.lines(name);
          if (lines.length) cancel.set(name, [...lines]);
        }
        cancel.set('cseq', `${seq} CANCEL`);
        this.layer.cancel(tx, cancel, { onResponse: () => undefined, onFailure: () => undefined });
      };

      const handle: OutgoingInvite = {
        get request() {
          return sent;
        },
        cancel: () => {
          if (settled || cancelRequested) return;
          cancelRequested = true;
          // §9.1: a CANCEL may only follow a provisional response.
          if (provisional) sendCancel();
        },
      };

      const send = (authorization?: { header: string; value: string }): void => {
        sent = build(authorization);
        tx = this.layer.request(sent, target, {
          onResponse: (response) => {
            const status = response.status;
            if (status < 200) {
              provisional = true;
              if (cancelRequested) sendCancel();
              else callbacks.cbProvisional?.(response);
              return;
            }
            if (status < 300) {
              dialog = this.uacDialog(response, { callId, localTag, from, to, seq, localSdp: opts.localSdp, target });
              dialog.sendAckFor(seq);
              settled = true;
              if (cancelRequested && !callbacks.acceptCrossed2xx) {
                // The 2xx crossed our CANCEL: the call is up, so end it with BYE (§9.1).
                void dialog.destroy();
                reject(new SipError(487, 'Request Terminated', 'canceled'));
              } else {
                resolve(dialog);
              }
              return;
            }
            if ((status === 401 || status === 407) && opts.auth && !authTried && !cancelRequested) {
              const challenge = parseDigestHeader(response.get(status === 401 ? 'www-authenticate' : 'proxy-authenticate') ?? '');
              if (challenge) {
                authTried = true;
                seq++;
                const value = buildAuthorization({ challenge: challenge.params, username: opts.auth.username, password: opts.auth.password, method: 'INVITE', uri });
                send({ header: status === 401 ? 'authorization' : 'proxy-authorization', value });
                return;
              }
            }
            settled = true;
            reject(new SipError(status, response.reason, 'rejected'));
          },
          onFailure: (status, reason) => {
            if (settled) return;
            settled = true;
            reject(new SipError(status, reason, 'no-response'));
          },
        });
      };
      send();
      callbacks.cbRequest?.(handle);
    });
  }

  private uacDialog(response: SipResponse, d: { callId: string; localTag: string; from: string; to: string; seq: number; localSdp?: string; target: SendTarget }): Dialog {
    const contact = response.getAll('contact')[0];
    const dialog = new Dialog(this, {
      type: 'uac',
      callId: d.callId,
      localTag: d.localTag,
      remoteTag: response.toTag ?? '',
      localHeader: d.from,
      remoteHeader: response.get('to') ?? d.to,
      remoteTarget: contact ? contactUri(contact) : `sip:${d.target.address}:${d.target.port}`,
      // §12.1.2: the UAC route set is the Record-Route list reversed.
      routeSet: response.getAll('record-route').reverse(),
      localSeq: d.seq,
      remoteSeq: -1, // empty (§12.1.2): any CSeq from the callee, 0 included, is in order
      localSdp: d.localSdp,
      remoteSdp: response.body.length ? response.body.toString('utf8') : undefined,
    });
    this.addDialog(dialog);
    return dialog;
  }

  /**
   * Bridges an inbound INVITE to `uri` (see b2bua.ts): provisionals, CANCEL, failures and a
   * no-answer timeout go back to the caller; once answered, BYE and re-INVITEs pass both ways.
   */
  createB2BUA(req: IncomingRequest, res: ServerResponse, uri: string, opts: B2buaOptions = {}): Promise<{ uas: Dialog; uac: Dialog }> {
    return bridgeCall(this, req, res, uri, opts);
  }

  /** Sends an out-of-dialog non-INVITE request (OPTIONS, MESSAGE, REGISTER...). */
  request(uri: string, opts: { method: string; headers?: Record<string, string>; body?: string; contentType?: string; target?: SendTarget; from?: string }): Promise<SipResponse> {
    const req = new SipRequest(opts.method, uri);
    req.set('max-forwards', '70');
    req.set('from', formatFrom(opts.from, this.host, newTag()));
    req.set('to', `<${uri}>`);
    req.set('call-id', newCallId(this.host));
    req.set('cseq', `1 ${opts.method}`);
    req.set('contact', this.contact);
    for (const [k, v] of Object.entries(opts.headers ?? {})) req.set(k, v);
    if (opts.body !== undefined) {
      req.body = Buffer.from(opts.body);
      req.set('content-type', opts.contentType ?? 'text/plain');
    }
    try {
      return this.sendRequest(req, opts.target ?? targetFor(uri, []));
    } catch (err) {
      return Promise.reject(err);
    }
  }

}

function mergeKey(request: SipRequest): string {
  // join() makes a flat copy; a concatenation would keep the whole request text alive (the
  // Call-ID is a substring of it) for as long as the INVITE transaction (Timer L, 64 × T1).
  return [request.callId, request.fromTag ?? '', request.cseq!.seq].join('|');
}

/**
 * Forgets a merge key once its INVITE transaction ended (Timer L, 64 × T1 after the answer).
 * Made out here so that it keeps only the two keys alive that long, not the transaction.
 */
function forgetMergeKey(inviteKeys: Map<string, string>, mergeKey: string, txKey: string): () => void {
  return () => {
    if (inviteKeys.get(mergeKey) === txKey) inviteKeys.delete(mergeKey);
  };
}

function formatFrom(from: string | undefined, host: string, tag: string): string {
  if (!from) return `<sip:switchyard@${host}>;tag=${tag}`;
  if (from.includes('<') || from.includes(':')) return `${from.includes('<') ? from : `<${from}>`};tag=${tag}`;
  return `<sip:${from}@${host}>;tag=${tag}`;
}
