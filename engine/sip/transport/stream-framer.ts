export type Frame =
  | { type: 'message'; data: Buffer }
  /** A double-CRLF keep-alive ping (RFC 5626 §4.4.1); the caller answers with a single CRLF. */
  | { type: 'ping' }
  /** Framing is lost; the framer ignores further input and the connection must be closed. */
  | { type: 'invalid'; reason: string };

const HEADER_END = Buffer.from('\r\n\r\n');
const CR = 0x0d;
const LF = 0x0a;
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*([^\r\n]*)/gim;

/**
 * Splits a byte stream into SIP messages using Content-Length (RFC 3261 §18.3).
 * Input is accumulated in one growable buffer and the blank-line search resumes
 * where it stopped, so byte-by-byte input costs linear time.
 */
export class StreamFramer {
  private buf = Buffer.alloc(0);
  private start = 0;
  private end = 0;
  /** Bytes of the current message already searched for the blank line. */
  private scanned = 0;
  /** Total length of the current message once its headers are parsed, else -1. */
  private messageLength = -1;
  private failed = false;

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Buffer): Frame[] {
    if (this.failed) return [];
    this.append(chunk);
    const frames: Frame[] = [];
    for (let frame = this.next(); frame; frame = this.next()) {
      frames.push(frame);
      if (frame.type === 'invalid') {
        this.failed = true;
        this.buf = Buffer.alloc(0);
        break;
      }
    }
    return frames;
  }

  private next(): Frame | undefined {
    if (this.messageLength < 0) {
      const state = this.skipKeepAlive();
      if (state === 'wait') return undefined;
      if (state !== 'ready') return state;
      const invalid = this.parseHeaders();
      if (invalid || this.messageLength < 0) return invalid;
    }
    if (this.end - this.start < this.messageLength) return undefined;
    const data = Buffer.from(this.buf.subarray(this.start, this.start + this.messageLength));
    this.consume(this.messageLength);
    this.messageLength = -1;
    this.scanned = 0;
    return { type: 'message', data };
  }

  /**
   * Between messages: CRLFCRLF is a ping, other CR/LF bytes are ignored
   * (RFC 3261 §7.5). Returns 'ready' once a message's first byte is next.
   */
  private skipKeepAlive(): Frame | 'ready' | 'wait' {
    while (this.start < this.end) {
      const b = this.buf[this.start];
      if (b !== CR && b !== LF) return 'ready';
      const live = this.buf.subarray(this.start, this.end);
      if (live.length >= HEADER_END.length && live.subarray(0, HEADER_END.length).equals(HEADER_END)) {
        this.consume(HEADER_END.length);
        return { type: 'ping' };
      }
      // A partial ping: wait for the rest before deciding.
      if (live.length < HEADER_END.length && HEADER_END.subarray(0, live.length).equals(live)) return 'wait';
      this.consume(1);
    }
    return 'wait';
  }

  /** Sets messageLength once the header block is complete; returns a frame only on error. */
  private parseHeaders(): Frame | undefined {
    const live = this.buf.subarray(this.start, this.end);
    // Resume 3 bytes back: the blank line may straddle the previous chunk boundary.
    const at = live.indexOf(HEADER_END, Math.max(0, this.scanned - (HEADER_END.length - 1)));
    if (at < 0) {
      this.scanned = live.length;
      return live.length > this.maxMessageBytes
        ? { type: 'invalid', reason: `header block exceeds ${this.maxMessageBytes} bytes` }
        : undefined;
    }
    const headerLength = at + HEADER_END.length;
    const body = contentLength(live.subarray(0, at).toString('latin1'));
    if (typeof body === 'string') return { type: 'invalid', reason: body };
    if (headerLength + body > this.maxMessageBytes) {
      return { type: 'invalid', reason: `message of ${headerLength + body} bytes exceeds ${this.maxMessageBytes}` };
    }
    this.messageLength = headerLength + body;
    return undefined;
  }

  private append(chunk: Buffer): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const needed = live + chunk.length;
      // Grow geometrically so appends stay amortised O(1); otherwise just compact.
      const target = needed * 2 > this.buf.length ? Buffer.allocUnsafe(Math.max(needed * 2, 4096)) : this.buf;
      this.buf.copy(target, 0, this.start, this.end);
      this.buf = target;
      this.start = 0;
      this.end = live;
    }
    chunk.copy(this.buf, this.end);
    this.end += chunk.length;
  }

  private consume(n: number): void {
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
  }
}

/**
 * Body length from Content-Length or its compact form `l` (RFC 3261 §7.3.3, §20.14),
 * 0 when absent (the parser above enforces its presence), or a reason string when unusable.
 */
function contentLength(head: string): number | string {
  const unfolded = head.replace(/\r\n[ \t]+/g, ' '); // header line folding, RFC 3261 §7.3.1
  let length: number | undefined;
  for (const [, raw] of unfolded.matchAll(CONTENT_LENGTH)) {
    const value = raw.trim();
    if (!/^\d+$/.test(value)) return `invalid Content-Length "${value.slice(0, 40)}"`;
    const n = Number(value);
    if (length !== undefined && n !== length) return 'conflicting Content-Length headers';
    length = n;
  }
  return length ?? 0;
}
