// The request/response pair a handler receives, shaped like drachtio-srf's `req`/`res`.
import { EventEmitter } from 'node:events';
import type { SipRequest } from './message.js';
import { makeResponse, type ResponseOptions } from './responses.js';
import type { ServerTransaction } from './transaction/server.js';
import type { MessageSource } from './transport/types.js';

export class IncomingRequest extends EventEmitter<{ cancel: [SipRequest] }> {
  /** Set once a CANCEL for this INVITE arrived (the stack already answered 487). */
  canceled = false;

  constructor(
    readonly msg: SipRequest,
    readonly tx: ServerTransaction,
  ) {
    super();
  }

  get method(): string {
    return this.msg.method;
  }
  get uri(): string {
    return this.msg.uri;
  }
  get callId(): string {
    return this.msg.callId;
  }
  get body(): string {
    return this.msg.body.toString('utf8');
  }
  get source(): MessageSource {
    return this.tx.source;
  }
  get(name: string): string | undefined {
    return this.msg.get(name);
  }
  has(name: string): boolean {
    return this.msg.has(name);
  }
}

export class ServerResponse {
  constructor(
    private readonly req: IncomingRequest,
    /** The To tag this side answers with (one per request, RFC 3261 §8.2.6.2). */
    readonly toTag: string,
  ) {}

  get finalResponseSent(): boolean {
    return this.req.tx.finalStatus !== undefined || this.req.tx.state === 'terminated';
  }

  /** Sends a response; returns false when the transaction no longer takes one. */
  send(status: number, options: ResponseOptions = {}): boolean {
    return this.req.tx.respond(makeResponse(this.req.msg, status, { toTag: this.toTag, ...options }));
  }
}
