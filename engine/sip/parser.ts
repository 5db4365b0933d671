// Turns bytes into a SipRequest/SipResponse (RFC 3261 §7). Never throws: a malformed
// message comes back as a ParseFailure saying whether it deserves a 400 or silence.
import { isListHeader } from './headers.js';
import { isToken } from './grammar.js';
import { SipRequest, SipResponse } from './message.js';

export type ParseResult =
  | { ok: true; message: SipRequest | SipResponse }
  | ParseFailure;

export interface ParseFailure {
  ok: false;
  /** Why, used as the reason phrase of the 400 (or the log line when dropped). */
  reason: string;
  /** Status to answer with when `request` is set (400, or 505 for a bad version). */
  status: number;
  /** Set when enough of a request was read to answer it; absent means drop silently. */
  request?: SipRequest;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');

function fail(reason: string, request?: SipRequest, status = 400): ParseFailure {
  return { ok: false, reason, status, request };
}

/** Splits the header section into logical lines, unfolding continuation lines (RFC 3261 §7.3.1). */
function headerLines(head: string): string[] {
  const lines: string[] = [];
  let from = 0;
  while (from <= head.length) {
    let nl = head.indexOf('\n', from);
    if (nl < 0) nl = head.length;
    const line = head.slice(from, nl > from && head.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    from = nl + 1;
    const c = line.charCodeAt(0);
    if ((c === 32 || c === 9) && lines.length > 0) lines[lines.length - 1] += ' ' + line.trim();
    else lines.push(line);
  }
  return lines;
}

export function parseMessage(data: Buffer): ParseResult {
  let headEnd = data.indexOf(CRLFCRLF);
  let bodyStart = headEnd + 4;
  if (headEnd < 0) {
    headEnd = data.indexOf(LFLF);
    bodyStart = headEnd + 2;
  }
  if (headEnd < 0) {
    // A datagram that ends right after its last header line (no empty line) still
    // carries a complete header section with no body.
    headEnd = data.length;
    bodyStart = data.length;
  }
  const lines = headerLines(data.toString('utf8', 0, headEnd));
  const start = lines[0] ?? '';

  let message: SipRequest | SipResponse;
  if (start.startsWith('SIP/')) {
    const m = /^SIP\/2\.0 ([1-6]\d\d) (.*)$/.exec(start);
    if (!m) return fail('Bad Status-Line');
    message = new SipResponse(Number(m[1]), m[2]);
  } else {
    // Request-Line = Method SP Request-URI SP SIP-Version, single spaces (RFC 3261 §7.1).
    const parts = start.split(' ');
    if (parts.length < 3 || !isToken(parts[0])) return fail('Bad Request-Line');
    const request = new SipRequest(parts[0], parts[1]);
    message = request;
    for (let i = 1; i < lines.length; i++) if (!addHeaderLine(request, lines[i])) return fail('Bad Header Line', request);
    if (parts.length !== 3 || parts[1] === '') return fail('Bad Request-Line', request);
    if (!/^SIP\/\d+\.\d+$/i.test(parts[2])) return fail('Bad Request-Line', request);
    if (parts[2].toUpperCase() !== 'SIP/2.0') return fail('Version Not Supported', request, 505);
    return finish(request, data, bodyStart);
  }
  for (let i = 1; i < lines.length; i++) if (!addHeaderLine(message, lines[i])) return fail('Bad Header Line');
  return finish(message, data, bodyStart);
}

function addHeaderLine(message: SipRequest | SipResponse, line: string): boolean {
  if (line === '') return true;
  const colon = line.indexOf(':');
  if (colon <= 0) return false;
  // HCOLON allows whitespace before the colon (RFC 3261 §25.1).
  const name = line.slice(0, colon).trimEnd();
  if (!isToken(name)) return false;
  message.add(name, line.slice(colon + 1).trim());
  return true;
}

// Headers that may appear once only; a second value is a 400 (RFC 4475 §3.3.9).
const SINGLE = ['to', 'from', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires'];

function finish(message: SipRequest | SipResponse, data: Buffer, bodyStart: number): ParseResult {
  const request = message instanceof SipRequest ? message : undefined;
  const bad = (reason: string): ParseFailure => fail(reason, request);

  const lengths = message.lines('content-length');
  let body = data.subarray(Math.min(bodyStart, data.length));
  if (lengths.length > 0) {
    if (lengths.length > 1 || !/^\d{1,9}$/.test(lengths[0])) return bad('Bad Content-Length');
    const length = Number(lengths[0]);
    // RFC 3261 §18.3: a body shorter than Content-Length is an error; extra bytes are dropped.
    if (length > body.length) return bad('Content-Length Exceeds Body');
    body = body.subarray(0, length);
  }
  message.body = body;

  for (const key of SINGLE) {
    const lines = message.lines(key);
    if (lines.length > 1 || (lines.length === 1 && !isListHeader(key) && hasTopLevelComma(key, lines[0]))) {
      return bad(`Multiple ${key} Values`);
    }
  }
  for (const key of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!message.has(key)) return bad(`Missing ${key} Header`);
  }
  if (message.callId === '') return bad('Bad Call-ID');
  if (!message.vias || message.vias.length === 0) return bad('Bad Via');
  if (!message.from) return bad('Bad From');
  if (!message.to) return bad('Bad To');
  const cseq = message.cseq;
  if (!cseq) return bad('Bad CSeq');
  if (request) {
    if (cseq.method !== request.method) return bad('CSeq Method Mismatch');
    const uri = request.parsedUri;
    // A Request-URI carries no headers or angle brackets (RFC 3261 §19.1.1, RFC 4475 §3.1.2.7/11).
    if (!uri || ('headers' in uri && uri.headers.size > 0)) return bad('Bad Request-URI');
    if (message.has('contact') && !message.contacts()) return bad('Bad Contact');
    const mf = message.get('max-forwards');
    if (mf !== undefined && !(/^\d{1,3}$/.test(mf) && Number(mf) <= 255)) return bad('Bad Max-Forwards');
    const expires = message.get('expires');
    if (expires !== undefined && !(/^\d{1,10}$/.test(expires) && Number(expires) <= 0xffffffff)) return bad('Bad Expires');
  }
  return { ok: true, message };
}

/** Catches `To: a, b` style second values in a single-valued header (outside quotes/brackets). */
function hasTopLevelComma(key: string, value: string): boolean {
  if (key !== 'to' && key !== 'from') return false;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) return true;
  }
  return false;
}

