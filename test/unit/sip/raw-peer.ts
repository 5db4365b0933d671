// A hand-driven SIP peer for the stack tests: raw UDP (and TCP) sockets on 127.0.0.1 that
// send hand-written SIP text and record everything that arrives, parsed with parseMessage.
// The stack under test runs with T1=50 ms, T2=400 ms, T4=500 ms so every timer is short.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pino } from 'pino';
import type { Test } from 'tap';
import type { SipRequest, SipResponse } from '../../../engine/sip/message.js';
import { parseMessage } from '../../../engine/sip/parser.js';
import { SipStack } from '../../../engine/sip/stack.js';

export const HOST = '127.0.0.1';
export const T1 = 50;
export const T2 = 400;
export const T4 = 500;
/** Timer B/F/H/J/L/M and the UAS's give-up-on-ACK time at these settings. */
export const T64 = 64 * T1;

export const SDP = sdp('sendrecv');

export function sdp(direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive', port = 40000, version = 1): string {
  return ['v=0', `o=- 1 ${version} IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, `a=${direction}`, ''].join('\r\n');
}

export function rand(): string {
  return randomBytes(6).toString('hex');
}

export function newBranch(): string {
  return 'z9hG4bK' + rand();
}

/** Polls `predicate` until it holds; rejects with `what` after `timeoutMs` (a bound, not an assertion). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

/**
 * Lets datagrams already sent reach the peer: waits `ms`, then until after a poll phase of
 * the event loop (setImmediate runs after poll), so nothing in flight is left uncounted.
 */
export async function drain(ms = 50): Promise<void> {
  await sleep(ms);
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

/** Polls `fn` until it returns something other than undefined. */
export async function waitForValue<T>(fn: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  let value: T | undefined;
  await waitFor(() => (value = fn()) !== undefined, what, timeoutMs);
  return value as T;
}

/**
 * Full garbage collections, with a turn of the event loop between them (a WeakRef is cleared
 * only after the job that last read it), for tests that check what the stack keeps alive.
 */
export async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Resolves or rejects like `promise`, or rejects after `timeoutMs`. */
export function within<T>(promise: Promise<T>, what: string, timeoutMs = 8000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settles `promise` into a value the test can inspect later without unhandled rejections. */
export function settle<T>(promise: Promise<T>): { done: () => boolean; value?: T; error?: unknown; promise: Promise<void> } {
  const s: { done: () => boolean; value?: T; error?: unknown; promise: Promise<void>; finished: boolean } = {
    finished: false,
    done: () => s.finished,
    promise: Promise.resolve(),
  };
  s.promise = promise.then(
    (v) => {
      s.value = v;
      s.finished = true;
    },
    (e: unknown) => {
      s.error = e;
      s.finished = true;
    },
  );
  return s;
}

// -------------------------------------------------------------------- messages

export interface Received {
  msg: SipRequest | SipResponse;
  raw: string;
  from: { address: string; port: number };
  at: number;
  socket?: net.Socket;
}

export function isRequest(m: SipRequest | SipResponse): m is SipRequest {
  return m.isRequest;
}

/** Formats a message: start line, header lines in order, Content-Length from the body. */
export function formatMessage(startLine: string, headers: string[], body = ''): string {
  return [startLine, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

/** A response to a request the stack sent us: Via, From, To, Call-ID and CSeq copied (§8.2.6.2). */
export function formatResponse(
  req: SipRequest,
  status: number,
  reason: string,
  opts: { toTag?: string; headers?: string[]; body?: string; contentType?: string } = {},
): string {
  const headers = req.lines('via').map((v) => `Via: ${v}`);
  headers.push(`From: ${req.get('from')}`);
  const to = req.get('to')!;
  headers.push(`To: ${opts.toTag && req.toTag === undefined ? `${to};tag=${opts.toTag}` : to}`);
  headers.push(`Call-ID: ${req.get('call-id')}`, `CSeq: ${req.get('cseq')}`);
  headers.push(...(opts.headers ?? []));
  if (opts.body) headers.push(`Content-Type: ${opts.contentType ?? 'application/sdp'}`);
  return formatMessage(`SIP/2.0 ${status} ${reason}`, headers, opts.body ?? '');
}

function parseOrThrow(data: Buffer): SipRequest | SipResponse {
  const parsed = parseMessage(data);
  if (!parsed.ok) throw new Error(`peer received an unparseable message (${parsed.reason}):\n${data.toString()}`);
  return parsed.message;
}

// -------------------------------------------------------------------- UDP peer

export class UdpPeer {
  readonly received: Received[] = [];
  readonly unparsed: string[] = [];
  /** Every datagram as text, parseable or not, in arrival order. */
  readonly raw: string[] = [];
  /** When set, BYEs are answered 200 at once (used on teardown so dialogs end quickly). */
  answerByes = false;

  private constructor(
    readonly socket: dgram.Socket,
    readonly port: number,
  ) {
    socket.on('message', (data, rinfo) => {
      this.raw.push(data.toString());
      let msg: SipRequest | SipResponse;
      try {
        msg = parseOrThrow(data);
      } catch {
        this.unparsed.push(data.toString());
        return;
      }
      this.received.push({ msg, raw: data.toString(), from: { address: rinfo.address, port: rinfo.port }, at: Date.now() });
      if (this.answerByes && isRequest(msg) && msg.method === 'BYE') this.send(formatResponse(msg, 200, 'OK'), rinfo.port);
    });
  }

  static async open(): Promise<UdpPeer> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, HOST, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new UdpPeer(socket, socket.address().port);
  }

  send(text: string, port: number): void {
    this.socket.send(Buffer.from(text), port, HOST);
  }

  requests(method?: string): SipRequest[] {
    const out: SipRequest[] = [];
    for (const r of this.received) if (isRequest(r.msg) && (!method || r.msg.method === method)) out.push(r.msg);
    return out;
  }

  responses(filter: { status?: number; method?: string; final?: boolean } = {}): SipResponse[] {
    const out: SipResponse[] = [];
    for (const r of this.received) {
      const m = r.msg;
      if (isRequest(m)) continue;
      if (filter.status !== undefined && m.status !== filter.status) continue;
      if (filter.method !== undefined && m.cseq?.method !== filter.method) continue;
      if (filter.final && m.status < 200) continue;
      out.push(m);
    }
    return out;
  }

  /** Waits for the first message (from index `since`) that satisfies `pred`. */
  async wait(pred: (m: SipRequest | SipResponse) => boolean, what: string, opts: { since?: number; timeoutMs?: number } = {}): Promise<Received> {
    const since = opts.since ?? 0;
    return waitForValue(() => this.received.slice(since).find((r) => pred(r.msg)), what, opts.timeoutMs);
  }

  async waitRequest(method: string, what = method, opts: { since?: number; timeoutMs?: number } = {}): Promise<SipRequest> {
    return (await this.wait((m) => isRequest(m) && m.method === method, what, opts)).msg as SipRequest;
  }

  async waitResponse(status: number, method: string, opts: { since?: number; timeoutMs?: number } = {}): Promise<SipResponse> {
    return (await this.wait((m) => !isRequest(m) && m.status === status && m.cseq?.method === method, `${status} to ${method}`, opts)).msg as SipResponse;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

// ------------------------------------------------------- the peer's side of a call

/**
 * One call as the peer sees it: Call-ID, From tag, CSeq counter, and builders for the
 * requests it sends towards the stack (UDP, Via sent-by = the peer's port).
 */
export class PeerCall {
  callId = `${rand()}@${HOST}`;
  fromTag = rand();
  cseq = 1;
  /** The stack's To tag once known. */
  toTag?: string;

  constructor(
    readonly peer: UdpPeer,
    readonly stackPort: number,
    readonly opts: { contactPort?: number; user?: string } = {},
  ) {}

  get uri(): string {
    return `sip:${this.opts.user ?? 'service'}@${HOST}:${this.stackPort}`;
  }

  get contactUri(): string {
    return `sip:alice@${HOST}:${this.opts.contactPort ?? this.peer.port}`;
  }

  get from(): string {
    return `"Alice" <sip:alice@${HOST}>;tag=${this.fromTag}`;
  }

  to(toTag = this.toTag): string {
    return `<sip:${this.opts.user ?? 'service'}@${HOST}>${toTag ? `;tag=${toTag}` : ''}`;
  }

  via(branch: string, params = ''): string {
    return `SIP/2.0/UDP ${HOST}:${this.peer.port};branch=${branch}${params}`;
  }

  /**
   * Builds a request. `cseq` defaults to the call's counter (not advanced here), `branch` to
   * a fresh one; `omit` drops mandatory headers to build malformed requests.
   */
  request(
    method: string,
    o: {
      branch?: string;
      cseq?: number;
      cseqMethod?: string;
      toTag?: string | null;
      uri?: string;
      via?: string;
      body?: string;
      contentType?: string;
      headers?: string[];
      omit?: string[];
      maxForwards?: string;
    } = {},
  ): { text: string; branch: string } {
    const branch = o.branch ?? newBranch();
    const omit = new Set((o.omit ?? []).map((x) => x.toLowerCase()));
    const headers: string[] = [];
    const add = (name: string, value: string) => {
      if (!omit.has(name.toLowerCase())) headers.push(`${name}: ${value}`);
    };
    add('Via', o.via ?? this.via(branch));
    add('Max-Forwards', o.maxForwards ?? '70');
    add('From', this.from);
    add('To', this.to(o.toTag === null ? undefined : (o.toTag ?? this.toTag)));
    add('Call-ID', this.callId);
    add('CSeq', `${o.cseq ?? this.cseq} ${o.cseqMethod ?? method}`);
    if (method !== 'ACK' && method !== 'CANCEL') add('Contact', `<${this.contactUri}>`);
    headers.push(...(o.headers ?? []));
    if (o.body) add('Content-Type', o.contentType ?? 'application/sdp');
    return { text: formatMessage(`${method} ${o.uri ?? this.uri} SIP/2.0`, headers, o.body ?? ''), branch };
  }

  /** Sends a request to the stack; returns its branch. */
  send(method: string, o: Parameters<PeerCall['request']>[1] = {}): string {
    const { text, branch } = this.request(method, o);
    this.peer.send(text, this.stackPort);
    return branch;
  }

  /** ACK for a non-2xx final: same branch and Request-URI as the INVITE, To from the response (§17.1.1.3). */
  ackNon2xx(inviteBranch: string, response: SipResponse, cseq = this.cseq): void {
    const headers = [
      `Via: ${this.via(inviteBranch)}`,
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: ${response.get('to')}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ACK`,
    ];
    this.peer.send(formatMessage(`ACK ${this.uri} SIP/2.0`, headers), this.stackPort);
  }

  /** ACK for a 2xx: a new transaction (new branch) to the Contact of the 2xx, same CSeq number (§13.2.2.4). */
  ack2xx(response: SipResponse, cseq = this.cseq): string {
    const contact = response.getAll('contact')[0] ?? '';
    const target = contact.includes('<') ? contact.slice(contact.indexOf('<') + 1, contact.indexOf('>')) : this.uri;
    const branch = newBranch();
    const headers = [
      `Via: ${this.via(branch)}`,
      'Max-Forwards: 70',
      `From: ${this.from}`,
      `To: ${response.get('to')}`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${cseq} ACK`,
    ];
    this.peer.send(formatMessage(`ACK ${target} SIP/2.0`, headers), this.stackPort);
    return branch;
  }

  /** Messages the peer received that belong to this call. */
  responses(filter: { status?: number; method?: string; final?: boolean } = {}): SipResponse[] {
    return this.peer.responses(filter).filter((r) => r.callId === this.callId);
  }

  async waitResponse(status: number, method: string, opts: { since?: number; timeoutMs?: number } = {}): Promise<SipResponse> {
    const r = await this.peer.wait(
      (m) => !isRequest(m) && m.callId === this.callId && m.status === status && m.cseq?.method === method,
      `${status} to ${method} (call ${this.callId})`,
      opts,
    );
    return r.msg as SipResponse;
  }

  async waitFinal(method: string, opts: { since?: number; timeoutMs?: number } = {}): Promise<SipResponse> {
    const r = await this.peer.wait(
      (m) => !isRequest(m) && m.callId === this.callId && m.status >= 200 && m.cseq?.method === method,
      `final response to ${method} (call ${this.callId})`,
      opts,
    );
    return r.msg as SipResponse;
  }
}

// -------------------------------------------------------------------- TCP peer

/** A TCP listener that frames what arrives by Content-Length and can answer on the connection. */
export class TcpPeer {
  readonly received: Received[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    readonly server: net.Server,
    readonly port: number,
  ) {}

  static async listen(port = 0): Promise<TcpPeer> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: HOST, port }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const peer = new TcpPeer(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (socket) => peer.attach(socket));
    return peer;
  }

  /** Opens a connection to the stack; what comes back on it is recorded too. */
  async connect(port: number): Promise<net.Socket> {
    const socket = net.connect({ host: HOST, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    this.attach(socket);
    return socket;
  }

  attach(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        while (buf.length && (buf[0] === 13 || buf[0] === 10)) buf = buf.subarray(1);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(buf.subarray(0, end).toString('latin1'));
        const total = end + 4 + (m ? Number(m[1]) : 0);
        if (buf.length < total) return;
        const data = Buffer.from(buf.subarray(0, total));
        buf = buf.subarray(total);
        this.received.push({ msg: parseOrThrow(data), raw: data.toString(), from: { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 }, at: Date.now(), socket });
      }
    });
  }

  async wait(pred: (m: SipRequest | SipResponse) => boolean, what: string, timeoutMs = 5000): Promise<Received> {
    return waitForValue(() => this.received.find((r) => pred(r.msg)), what, timeoutMs);
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

// -------------------------------------------------------------------- fixture

export interface Fixture {
  stack: SipStack;
  peer: UdpPeer;
  /** Another UDP socket, e.g. a Contact address distinct from where requests come from. */
  extraPeer(): Promise<UdpPeer>;
  tcpPeer(port?: number): Promise<TcpPeer>;
  call(opts?: { contactPort?: number; user?: string }): PeerCall;
}

/**
 * A started stack and a UDP peer; one teardown stops the stack first (with the peers still
 * answering BYEs, so leftover dialogs end at once) and then closes the peers.
 */
export async function fixture(t: Test): Promise<Fixture> {
  const stack = new SipStack({ host: HOST, port: 0, logger: pino({ level: 'silent' }), timers: { t1: T1, t2: T2, t4: T4 } });
  await stack.start();
  const peer = await UdpPeer.open();
  const udpPeers = [peer];
  const tcpPeers: TcpPeer[] = [];
  t.teardown(async () => {
    for (const p of udpPeers) p.answerByes = true;
    await within(stack.stop(), 'stack.stop()', 10000);
    await Promise.all([...udpPeers.map((p) => p.close()), ...tcpPeers.map((p) => p.close())]);
  });
  return {
    stack,
    peer,
    async extraPeer() {
      const p = await UdpPeer.open();
      udpPeers.push(p);
      return p;
    },
    async tcpPeer(port?: number) {
      const p = await TcpPeer.listen(port);
      tcpPeers.push(p);
      return p;
    },
    call(opts) {
      return new PeerCall(peer, stack.port, opts);
    },
  };
}
