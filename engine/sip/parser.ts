// Turns bytes into a SipRequest/SipResponse (RFC 3261 §7). Never throws: a malformed
// message comes back as a ParseFailure saying whether it deserves a 400 or silence.
// parseMessage is complete: everything the RFC 4475 classifications depend on is checked
// before it reports ok, and the structured headers it checks are cached on the message.
import { isAscii } from 'node:buffer';
import type { Params } from './params.js';
import { TOKEN, at, codesOf, decimal, isWs, scan, skipWs } from './grammar.js';
import { type CSeq, type Via, KNOWN_HEADERS, isNameAddrListRange, isNameAddrRange, knownHeaderNameAt, nameAddrParamsRange, parseCSeqRange, parseViaRange } from './headers.js';
import { SipRequest, SipResponse } from './message.js';
import { isUriRange } from './uri.js';

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

function fail(reason: string, request?: SipRequest, status = 400): ParseFailure {
  return { ok: false, reason, status, request };
}

/** End of a line's content: `nl` (its LF) less a preceding CR. */
function contentEnd(b: Uint8Array, start: number, nl: number): number {
  return nl > start && b[nl - 1] === 13 ? nl - 1 : nl;
}

function trimEnd(b: Uint8Array, start: number, end: number): number {
  while (end > start && isWs(b[end - 1])) end--;
  return end;
}

function nextLf(s: string, from: number): number {
  const nl = s.indexOf('\n', from);
  return nl < 0 ? s.length : nl;
}

/** The offset in `data` of index `at` of `s`, the UTF-8 decoding of data[first, decodedEnd). */
function byteOffset(data: Buffer, first: number, decodedEnd: number, s: string, at: number): number {
  // As long as every byte decoded to one character (ASCII, or one U+FFFD per bad byte).
  if (s.length === decodedEnd - first) return first + at;
  // Valid UTF-8 encodes back to the same bytes.
  const head = s.slice(0, at);
  if (!head.includes('\ufffd')) return first + Buffer.byteLength(head);
  return bodyOffset(data, first);
}

/** Byte offset just past the first empty line (LF LF or LF CR LF) after `from`; data.length if none. */
function bodyOffset(data: Buffer, from: number): number {
  for (let i = data.indexOf(10, from); i >= 0 && i + 1 < data.length; i = data.indexOf(10, i + 1)) {
    if (data[i + 1] === 10) return i + 2;
    if (data[i + 1] === 13 && i + 2 < data.length && data[i + 2] === 10) return i + 3;
  }
  return data.length;
}

/** Whether s[0, end) has a CR that does not end a line: header text may not contain one (RFC 3261 §7.3.1). */
function hasBareCr(s: string, b: Uint8Array, end: number): boolean {
  for (let i = s.indexOf('\r'); i >= 0 && i < end; i = s.indexOf('\r', i + 1)) {
    if (at(b, i + 1) !== 10) return true;
  }
  return false;
}

/**
 * The codes to scan s, the UTF-8 decoding of data[first, end), by (see grammar.ts): the bytes
 * themselves when every byte decoded to one character (ASCII, or one U+FFFD per bad byte,
 * which stays a byte above 0x7F), else codesOf(s).
 */
function scanCodes(data: Buffer, first: number, end: number, s: string): Uint8Array {
  if (s.length !== end - first) return codesOf(s);
  return first === 0 && end === data.length ? data : data.subarray(first, end);
}

/** Whether the text opens with "SIP/" in any case: a Status-Line, since no method contains '/'. */
function startsWithSipSlash(s: string): boolean {
  return s.length > 3 && (s.charCodeAt(0) | 0x20) === 115 && (s.charCodeAt(1) | 0x20) === 105 && (s.charCodeAt(2) | 0x20) === 112 && s.charCodeAt(3) === 47;
}

/** Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 §7.2), in s[0, end); null when malformed. */
function parseStatusLine(s: string, b: Uint8Array, end: number): SipResponse | null {
  if (end < 12 || s.charCodeAt(7) !== 32 || s.charCodeAt(11) !== 32) return null;
  if (!s.startsWith('SIP/2.0') && s.slice(0, 7).toUpperCase() !== 'SIP/2.0') return null;
  // Three digits, 100-699 (RFC 3261 §21); anything larger is dropped (RFC 4475 §3.1.2.19).
  const status = decimal(b, 8, 11, 699);
  return status < 100 ? null : new SipResponse(status, s.slice(12, end));
}

const VERSION = /^SIP\/\d+\.\d+$/i;
const SIP_2_0 = [83, 73, 80, 47, 50, 46, 48]; // SIP/2.0

/** Whether b[at, at + 7) is SIP/2.0, in capitals as usually sent. */
function isSip20At(b: Uint8Array, at: number): boolean {
  for (let i = 0; i < 7; i++) if (b[at + i] !== SIP_2_0[i]) return false;
  return true;
}

/**
 * Request-Line = Method SP Request-URI SP SIP-Version, in s[0, end), single spaces and
 * nothing after the version (RFC 3261 §7.1; RFC 4475 §3.1.2.8-10). Null when there is no
 * method: then it is not recognisably a request. A request with other faults comes back
 * with the failure to answer it with.
 */
function parseRequestLine(s: string, b: Uint8Array, end: number): { request: SipRequest; uriEnd: number; error?: ParseFailure } | null {
  const methodEnd = scan(TOKEN, b, 0);
  if (methodEnd === 0 || methodEnd >= end || s.charCodeAt(methodEnd) !== 32) return null;
  let uriEnd = s.indexOf(' ', methodEnd + 1);
  if (uriEnd < 0 || uriEnd > end) uriEnd = end;
  const request = new SipRequest(s.slice(0, methodEnd), s.slice(methodEnd + 1, uriEnd));
  if (end - uriEnd === 8 && isSip20At(b, uriEnd + 1)) return { request, uriEnd };
  const version = s.slice(uriEnd + 1, end);
  if (uriEnd === methodEnd + 1 || uriEnd === end || !VERSION.test(version)) return { request, uriEnd, error: fail('Bad Request-Line', request) };
  if (version.toUpperCase() !== 'SIP/2.0') return { request, uriEnd, error: fail('Version Not Supported', request, 505) };
  return { request, uriEnd };
}

// Headers checked by presence and repetition, as bits of KNOWN_HEADERS indexes.
function mask(keys: string[]): number {
  let bits = 0;
  for (const key of keys) bits |= 1 << KNOWN_HEADERS.indexOf(key);
  return bits;
}
// Required in every request and response (RFC 3261 §8.1.1; RFC 4475 §3.3.1).
const REQUIRED = ['via', 'from', 'to', 'call-id', 'cseq'];
const REQUIRED_MASK = mask(REQUIRED);
// May appear once only (RFC 3261 §20; RFC 4475 §3.3.8, §3.3.9).
const SINGLE_MASK = mask(['to', 'from', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires']);
const CONTACT_BIT = mask(['contact']);
// Call-ID is one word [@ word] (RFC 3261 §25.1); accepted here as one run of visible ASCII.
// A regular expression checks a run this long in fewer instructions than a loop over its bytes.
const CALL_ID_VALUE = /^[!-~]+$/;

/** What checkHeader() parsed on the way. */
interface Found {
  vias: Via[];
  fromParams: Params | null;
  cseq: CSeq | null;
  contentLength: number;
}

// KNOWN_HEADERS indexes of the headers checkHeader() looks at: it switches on the index,
// which compiles to fewer instructions than comparing the key strings.
const [VIA, FROM, TO, CALL_ID, CSEQ, CONTACT, MAX_FORWARDS, CONTENT_LENGTH, EXPIRES] = [
  'via', 'from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-length', 'expires',
].map((key) => KNOWN_HEADERS.indexOf(key));

/**
 * Checks a header, KNOWN_HEADERS[index], whose value is s[start, end) (codes in `b`, `value`
 * as a string), keeping what it parses in `found`; returns what is wrong with it, if
 * anything. Via and CSeq, which the transaction layer reads from every message, are parsed,
 * and of From its parameters (the tag); the rest of From, To, Contact and others are only
 * checked here and parsed when first read. Contact, Max-Forwards and Expires are checked in
 * requests only.
 */
function checkHeader(found: Found, index: number, s: string, b: Uint8Array, start: number, end: number, value: string, isRequest: boolean): string | undefined {
  switch (index) {
    case VIA:
      return parseViaRange(s, b, start, end, found.vias) ? undefined : 'Bad Via';
    case FROM:
      return (found.fromParams ??= nameAddrParamsRange(s, b, start, end)) ? undefined : 'Bad From';
    case TO:
      return isNameAddrRange(s, b, start, end) ? undefined : 'Bad To';
    case CSEQ:
      return (found.cseq ??= parseCSeqRange(s, b, start, end)) ? undefined : 'Bad CSeq';
    case CALL_ID:
      return CALL_ID_VALUE.test(value) ? undefined : 'Bad Call-ID';
    case CONTENT_LENGTH:
      found.contentLength = decimal(b, start, end, 0xffffffff);
      return found.contentLength < 0 ? 'Bad Content-Length' : undefined;
  }
  if (!isRequest) return undefined;
  switch (index) {
    case CONTACT:
      return value === '*' || isNameAddrListRange(s, b, start, end) ? undefined : 'Bad Contact';
    case MAX_FORWARDS:
      return decimal(b, start, end, 255) < 0 ? 'Bad Max-Forwards' : undefined;
    case EXPIRES:
      return decimal(b, start, end, 0xffffffff) < 0 ? 'Bad Expires' : undefined;
  }
  return undefined;
}

// The headers checkHeader() looks at are the first KNOWN_HEADERS.
const CHECKED = KNOWN_HEADERS.indexOf('expires') + 1;

export function parseMessage(data: Buffer): ParseResult {
  // CRLFs before the start line are ignored (RFC 3261 §7.5).
  let first = 0;
  while (first < data.length && (data[first] === 13 || data[first] === 10)) first++;
  // Decode the message once; the header section ends at the first empty line, which the
  // line scan below finds. A large one (a big body) is decoded only up to the CRLFCRLF, so
  // that header strings do not keep a decoded copy of the body alive.
  const blank = data.length - first > 4096 ? data.indexOf(CRLFCRLF, first) : -1;
  const decodedEnd = blank < 0 ? data.length : blank + 2;
  // An ASCII message (the usual case) decodes as Latin-1, a plain copy, instead of through
  // the UTF-8 decoder; isAscii() checks the bytes far faster than the decoder walks them.
  const s = decodedEnd === data.length && isAscii(data) ? data.toString('latin1', first, decodedEnd) : data.toString('utf8', first, decodedEnd);
  const b = scanCodes(data, first, decodedEnd, s);
  let nl = nextLf(s, 0);
  const startEnd = contentEnd(b, 0, nl);

  let message: SipRequest | SipResponse;
  let request: SipRequest | undefined;
  // The first problem found. A request is still read to the end so that the 400 can echo its headers.
  let error: ParseFailure | undefined;
  let uriEnd = 0; // of the Request-URI, which starts after the method and its SP
  if (startsWithSipSlash(s)) {
    const response = parseStatusLine(s, b, startEnd);
    if (!response) return fail('Bad Status-Line');
    message = response;
  } else {
    const line = parseRequestLine(s, b, startEnd);
    if (!line) return fail('Bad Request-Line');
    message = request = line.request;
    uriEnd = line.uriEnd;
    error = line.error;
  }

  const found: Found = { vias: [], fromParams: null, cseq: null, contentLength: -1 };
  let bodyStart = blank < 0 ? data.length : blank + 4;
  let headEnd = s.length;
  const keys: string[] = []; // the header lines, handed to the message once read
  const values: string[] = [];
  let seen = 0; // KNOWN_HEADERS bits present
  let repeated = 0; // and present more than once
  for (let pos = nl + 1; pos < s.length; pos = nl + 1) {
    nl = nextLf(s, pos);
    const end = contentEnd(b, pos, nl);
    if (end === pos) {
      headEnd = pos;
      bodyStart = byteOffset(data, first, decodedEnd, s, nl + 1);
      break;
    }
    // field-name HCOLON: whitespace may precede the colon (RFC 3261 §25.1). A known name is
    // found by its spelling, any other scanned as a token.
    const known = knownHeaderNameAt(b, pos, end);
    const nameEnd = known < 0 ? scan(TOKEN, b, pos, end) : pos + (known >> 8);
    // The usual layout, "Name: value", is read without the general whitespace scans.
    const colonFirst = at(b, nameEnd, end) === 58 /* : */;
    const colon = colonFirst ? nameEnd : skipWs(b, nameEnd, end);
    const named = nameEnd > pos && (colonFirst || at(b, colon, end) === 58);
    let src = s;
    let srcCodes = b;
    let valueStart = !named ? end : at(b, colon + 1, end) === 32 && !isWs(at(b, colon + 2, end)) ? colon + 2 : skipWs(b, colon + 1, end);
    let valueEnd = trimEnd(b, valueStart, end);
    let value = s.slice(valueStart, valueEnd);
    if (isWs(at(b, nl + 1))) {
      // Continuation lines are folded into one SP (RFC 3261 §7.3.1). join() keeps the value a
      // flat string, which later scans read much faster than a concatenation.
      const parts = value === '' ? [] : [value];
      while (isWs(at(b, nl + 1))) {
        const from = nl + 1;
        nl = nextLf(s, from);
        const partEnd = trimEnd(b, from, contentEnd(b, from, nl));
        const partStart = skipWs(b, from, partEnd);
        if (partStart < partEnd) parts.push(s.slice(partStart, partEnd));
      }
      src = value = parts.join(' ');
      srcCodes = codesOf(value);
      valueStart = 0;
      valueEnd = value.length;
    }
    if (!named) {
      if (!request) return fail('Bad Header Line');
      error ??= fail('Bad Header Line', request);
      continue;
    }
    if (known < 0) {
      keys.push(s.slice(pos, nameEnd).toLowerCase());
      values.push(value);
      continue;
    }
    const index = known & 255;
    const key = KNOWN_HEADERS[index];
    keys.push(key);
    values.push(value);
    if (index >= CHECKED) continue;
    const bit = 1 << index;
    repeated |= seen & bit;
    seen |= bit;
    // After the first problem only the headers are still wanted (for the 400), not more checks.
    const problem = error ? undefined : checkHeader(found, index, src, srcCodes, valueStart, valueEnd, value, request !== undefined);
    if (problem) {
      if (!request) return fail(problem);
      error = fail(problem, request);
    }
  }
  message.adoptHeaders(keys, values);
  if (!error && hasBareCr(s, b, headEnd)) error = fail('Bad Header Line', request);
  if (error) return error;

  const bad = (reason: string): ParseFailure => fail(reason, request);
  if (repeated & SINGLE_MASK) return bad(`Multiple ${KNOWN_HEADERS[31 - Math.clz32(repeated & SINGLE_MASK)]} Values`);
  if ((seen & REQUIRED_MASK) !== REQUIRED_MASK) return bad(`Missing ${REQUIRED.find((k) => !message.has(k))} Header`);
  let bodyEnd = data.length;
  if (found.contentLength >= 0) {
    // RFC 3261 §18.3: a body shorter than Content-Length is an error; extra bytes are dropped (RFC 4475 §3.1.1.8).
    if (bodyStart + found.contentLength > data.length) return bad('Content-Length Exceeds Body');
    bodyEnd = bodyStart + found.contentLength;
  }
  if (bodyEnd > bodyStart) message.body = data.subarray(bodyStart, bodyEnd);
  if (request) {
    if (found.cseq!.method !== request.method) return bad('CSeq Method Mismatch');
    // A Request-URI carries no headers or angle brackets (RFC 3261 §19.1.1, RFC 4475 §3.1.2.7/11).
    if (!isUriRange(s, b, request.method.length + 1, uriEnd, false)) return bad('Bad Request-URI');
    // `*` stands alone (RFC 3261 §10.2.2).
    if (repeated & CONTACT_BIT && message.lines('contact').includes('*')) return bad('Bad Contact');
  }
  message.primeParsed(found.vias, found.fromParams!, found.cseq!);
  return { ok: true, message };
}
