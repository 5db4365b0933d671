// A small SMTP client over node:net (RFC 5321): greeting, EHLO (HELO if the server does not
// know EHLO), STARTTLS (RFC 3207) and EHLO again over TLS, optional AUTH PLAIN (RFC 4954 /
// RFC 4616), MAIL FROM, RCPT TO per recipient, DATA with dot-stuffing, QUIT. Every reply is read
// whole (multi-line replies, §4.2.1) and its code checked; a server that stays silent longer
// than `timeoutMs` ends the attempt.
import { connect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface SmtpOptions {
  host: string;
  port: number;
  /** The name we greet with (EHLO); defaults to "localhost". */
  helo?: string;
  /** With a user, AUTH PLAIN is required before sending. */
  user?: string;
  password?: string;
  /** How long to wait for each reply (RFC 5321 §4.5.3.2 suggests minutes; alerts want less). */
  timeoutMs?: number;
  /**
   * STARTTLS: 'opportunistic' (default) upgrades when the server offers it, 'required' fails
   * before AUTH or MAIL when it does not (nothing is sent in the clear), 'off' never upgrades.
   */
  tls?: SmtpTls;
  /** Trusted CA certificates (PEM) for the server's certificate; default: Node's bundled roots. */
  ca?: string;
  /** Check the server's certificate and name (default true). */
  verify?: boolean;
}

export const SMTP_TLS_MODES = ['off', 'opportunistic', 'required'] as const;
export type SmtpTls = (typeof SMTP_TLS_MODES)[number];

export interface Envelope {
  from: string;
  to: string[];
}

export interface SmtpReply {
  code: number;
  lines: string[];
}

export interface SendResult {
  accepted: string[];
  rejected: { address: string; reply: SmtpReply }[];
  /** The server's reply to the end of DATA (often carries the queue id). */
  reply: SmtpReply;
}

export class SmtpError extends Error {
  constructor(
    message: string,
    /** The command (or stage) that failed. */
    readonly stage: string,
    readonly reply: SmtpReply | null = null,
  ) {
    super(message);
    this.name = 'SmtpError';
  }
}

/** A mailbox as SMTP carries it in a path: no brackets, spaces or line breaks (§4.1.2). */
function checkAddress(address: string): string {
  if (!/^[^\s<>()\\,;:"]+@[^\s<>()\\,;:"@]+$/.test(address)) throw new SmtpError(`not a usable mail address: "${address}"`, 'envelope');
  return address;
}

/** §4.5.2: a line that starts with "." is sent with one more "."; the data ends with CRLF.CRLF. */
export function dotStuff(message: string): string {
  const lines = message.replace(/\r?\n/g, '\r\n').split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n') + '\r\n.\r\n';
}

/** Reads the server's replies off one socket, in order. */
class ReplyReader {
  private buffer = '';
  private lines: string[] = [];
  private readonly ready: SmtpReply[] = [];
  private waiting: { resolve: (r: SmtpReply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.feed(chunk));
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.waiting?.reject(err);
    this.waiting = null;
  }

  next(): Promise<SmtpReply> {
    const r = this.ready.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      // §4.2.1: "ddd-text" continues the reply, "ddd text" (or "ddd") ends it.
      const m = /^(\d{3})([ -]|$)(.*)$/.exec(line);
      if (!m) {
        this.fail(new SmtpError(`malformed reply line: "${line.slice(0, 80)}"`, 'reply'));
        return;
      }
      this.lines.push(m[3]);
      if (m[2] === '-') continue;
      const reply = { code: Number(m[1]), lines: this.lines };
      this.lines = [];
      if (this.waiting) {
        this.waiting.resolve(reply);
        this.waiting = null;
      } else this.ready.push(reply);
    }
    if (this.buffer.length > 64 * 1024) this.fail(new SmtpError('reply line too long', 'reply'));
  }
}

/** Ends the attempt with a reply-reader failure on the socket's timeout, error or close. */
function watch(socket: Socket, replies: ReplyReader, where: string, timeoutMs: number): void {
  socket.setTimeout(timeoutMs, () => {
    replies.fail(new SmtpError(`no reply from ${where} within ${timeoutMs} ms`, 'timeout'));
    socket.destroy();
  });
  socket.on('error', (err) => replies.fail(new SmtpError(`connection to ${where} failed: ${err.message}`, 'connect')));
  socket.on('close', () => replies.fail(new SmtpError('the server closed the connection', 'closed')));
}

/** RFC 3207 §4: the TLS handshake over the connection, after the server's 220 to STARTTLS. */
function startTls(plain: Socket, opts: SmtpOptions, timeoutMs: number): Promise<Socket> {
  plain.removeAllListeners('data');
  const secure = tlsConnect({
    socket: plain,
    // The certificate is checked against host; SNI carries names only (RFC 6066 §3).
    host: opts.host,
    ...(isIP(opts.host) ? {} : { servername: opts.host }),
    ...(opts.ca === undefined ? {} : { ca: opts.ca }),
    rejectUnauthorized: opts.verify ?? true,
  });
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      secure.destroy();
      reject(new SmtpError(`TLS with ${opts.host}:${opts.port} failed: ${why}`, 'TLS'));
    };
    const onError = (err: Error) => fail(err.message);
    secure.setTimeout(timeoutMs, () => fail(`no handshake within ${timeoutMs} ms`));
    secure.on('error', onError);
    secure.once('secureConnect', () => {
      secure.setTimeout(0);
      secure.off('error', onError);
      resolve(secure);
    });
  });
}

/** Sends one message (already formatted, see mail.ts) to its recipients. */
export async function sendMail(opts: SmtpOptions, envelope: Envelope, message: string): Promise<SendResult> {
  const from = checkAddress(envelope.from);
  const to = envelope.to.map(checkAddress);
  if (to.length === 0) throw new SmtpError('no recipients', 'envelope');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const tls = opts.tls ?? 'opportunistic';
  if (!SMTP_TLS_MODES.includes(tls)) throw new SmtpError(`tls must be one of ${SMTP_TLS_MODES.join(', ')}`, 'config');
  const where = `${opts.host}:${opts.port}`;

  // The connection: replaced by its TLS wrapping after STARTTLS.
  let socket: Socket = connect({ host: opts.host, port: opts.port });
  let replies = new ReplyReader(socket);
  watch(socket, replies, where, timeoutMs);

  const expect = async (stage: string, ok: (code: number) => boolean): Promise<SmtpReply> => {
    const reply = await replies.next();
    if (!ok(reply.code)) throw new SmtpError(`${stage} refused: ${reply.code} ${reply.lines.join(' ')}`, stage, reply);
    return reply;
  };
  const command = (line: string, stage: string, ok: (code: number) => boolean) => {
    socket.write(`${line}\r\n`);
    return expect(stage, ok);
  };
  const is = (...codes: number[]) => (code: number) => codes.includes(code);
  const helo = opts.helo ?? 'localhost';
  /** EHLO, or HELO for a server that does not know it; the extensions the server offers. */
  const greet = async (): Promise<string[]> => {
    socket.write(`EHLO ${helo}\r\n`);
    const ehlo = await replies.next();
    if (ehlo.code === 250) return ehlo.lines.slice(1).map((l) => l.toUpperCase());
    // §4.1.4: a server that does not know EHLO answers 500/502; then HELO, without extensions.
    if (ehlo.code >= 500) {
      await command(`HELO ${helo}`, 'HELO', is(250));
      return [];
    }
    throw new SmtpError(`EHLO refused: ${ehlo.code} ${ehlo.lines.join(' ')}`, 'EHLO', ehlo);
  };

  try {
    await expect('greeting', is(220));
    let extensions = await greet();

    if (tls !== 'off') {
      const offered = extensions.some((e) => e.split(' ')[0] === 'STARTTLS');
      if (!offered && tls === 'required') throw new SmtpError(`${where} does not offer STARTTLS, which the configuration requires`, 'STARTTLS');
      // A 454 (TLS not available now, RFC 3207 §4) lets an opportunistic client go on in the clear.
      const ready = offered ? await command('STARTTLS', 'STARTTLS', tls === 'required' ? is(220) : is(220, 454)) : null;
      if (ready?.code === 220) {
        socket.setTimeout(0); // the TLS socket keeps the time from now on
        socket = await startTls(socket, opts, timeoutMs);
        replies = new ReplyReader(socket);
        watch(socket, replies, where, timeoutMs);
        // §4.2: forget what the server said before TLS and ask again.
        extensions = await greet();
      }
    }

    if (opts.user !== undefined) {
      const auth = extensions.find((e) => e.startsWith('AUTH'));
      if (!auth || !auth.split(/[ =]/).includes('PLAIN')) throw new SmtpError('the server does not offer AUTH PLAIN', 'AUTH');
      const token = Buffer.from(`\0${opts.user}\0${opts.password ?? ''}`, 'utf8').toString('base64');
      await command(`AUTH PLAIN ${token}`, 'AUTH', is(235));
    }

    await command(`MAIL FROM:<${from}>`, 'MAIL', is(250));
    const accepted: string[] = [];
    const rejected: SendResult['rejected'] = [];
    for (const address of to) {
      socket.write(`RCPT TO:<${address}>\r\n`);
      const reply = await replies.next();
      if (reply.code === 250 || reply.code === 251) accepted.push(address);
      else rejected.push({ address, reply });
    }
    if (accepted.length === 0) throw new SmtpError(`every recipient was refused (${rejected.map((r) => `${r.address}: ${r.reply.code}`).join(', ')})`, 'RCPT', rejected[0].reply);
    await command('DATA', 'DATA', is(354));
    socket.write(dotStuff(message));
    const reply = await expect('message', is(250));
    // The message is accepted; a failing QUIT changes nothing for the sender.
    await command('QUIT', 'QUIT', is(221)).catch(() => {});
    return { accepted, rejected, reply };
  } catch (err) {
    if (!socket.destroyed && socket.writable) socket.write('QUIT\r\n');
    throw err;
  } finally {
    socket.setTimeout(0);
    socket.end();
  }
}
