// Header names and the structured header values the stack reads (RFC 3261 §7.3, §20).
import { type Params, Cursor, TOKEN, code, decimal, digitsEnd, endOfQuoted, formatParams, inTable, isToken, isWs, matchWord, quote, scan, scanParams, skipWs, splitTopLevel, unquoteRange } from './grammar.js';
import { type Uri, formatUri, isUriRange, parseUriRange, scanHost } from './uri.js';

// Header keys recognised without allocating. The first ten are the ones the parser checks
// for presence and repetition, so they fit in a bit mask (see parser.ts).
export const KNOWN_HEADERS = [
  'via', 'from', 'to', 'call-id', 'cseq', 'contact', 'max-forwards', 'content-length', 'content-type', 'expires',
  'route', 'record-route', 'allow', 'supported', 'user-agent', 'server', 'require', 'proxy-require',
  'authorization', 'www-authenticate', 'proxy-authenticate', 'proxy-authorization', 'event',
  'subscription-state', 'refer-to', 'referred-by', 'accept', 'accept-encoding', 'accept-language',
  'allow-events', 'content-encoding', 'content-disposition', 'date', 'min-expires', 'session-expires',
  'min-se', 'rseq', 'rack', 'subject', 'timestamp', 'unsupported', 'warning', 'retry-after',
  'p-asserted-identity', 'p-preferred-identity', 'privacy', 'reason', 'replaces', 'path', 'organization',
  'priority', 'mime-version', 'service-route', 'call-info', 'alert-info', 'error-info', 'in-reply-to',
  'reply-to', 'identity', 'sip-etag', 'sip-if-match', 'accept-contact', 'reject-contact', 'request-disposition',
];

// RFC 3261 §7.3.3 compact forms, plus those registered later (RFC 3515, 3892, 3265, 3841, 4028, 4474).
const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', u: 'allow-events',
  r: 'refer-to', b: 'referred-by', x: 'session-expires', a: 'accept-contact', j: 'reject-contact',
  d: 'request-disposition', y: 'identity',
};
const COMPACT_INDEX = new Int8Array(128).fill(-1);
for (const [letter, key] of Object.entries(COMPACT)) COMPACT_INDEX[letter.charCodeAt(0)] = KNOWN_HEADERS.indexOf(key);

// Indexes into KNOWN_HEADERS by name length, commonest first.
const BY_LENGTH: number[][] = [];
KNOWN_HEADERS.forEach((key, i) => (BY_LENGTH[key.length] ??= []).push(i));

/**
 * The KNOWN_HEADERS index of the header name in s[start, end), long or compact form,
 * ignoring case (RFC 3261 §7.3.1, §7.3.3); -1 when it is not a known name.
 */
export function knownHeaderIndex(s: string, start: number, end: number): number {
  const len = end - start;
  if (len === 1) {
    const c = s.charCodeAt(start);
    return c < 128 ? COMPACT_INDEX[c >= 65 && c <= 90 ? c + 32 : c] : -1;
  }
  const candidates = BY_LENGTH[len];
  if (candidates === undefined) return -1;
  next: for (const index of candidates) {
    const key = KNOWN_HEADERS[index];
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(start + i);
      if ((c >= 65 && c <= 90 ? c + 32 : c) !== key.charCodeAt(i)) continue next;
    }
    return index;
  }
  return -1;
}

/** Lower-case long form of a header name: the key headers are stored under. */
export function headerKey(name: string): string {
  const i = knownHeaderIndex(name, 0, name.length);
  return i >= 0 ? KNOWN_HEADERS[i] : name.toLowerCase();
}

const DISPLAY: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'mime-version': 'MIME-Version',
  rseq: 'RSeq', rack: 'RAck', 'sip-etag': 'SIP-ETag', 'sip-if-match': 'SIP-If-Match',
};

const displayCache = new Map<string, string>();
/** The conventional spelling of a header name for output (`call-id` → `Call-ID`). */
export function headerDisplayName(key: string): string {
  let d = displayCache.get(key);
  if (d === undefined) {
    d = DISPLAY[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
    // Bounded: peers choose header names, so the cache must not grow without limit.
    if (displayCache.size < 1000) displayCache.set(key, d);
  }
  return d;
}

// Headers whose grammar is a comma-separated list (RFC 3261 §7.3.1); only these are split.
const LIST_HEADERS = new Set([
  'via', 'contact', 'route', 'record-route', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'accept', 'accept-encoding', 'accept-language', 'content-encoding', 'allow-events',
  'warning', 'error-info', 'call-info', 'alert-info', 'in-reply-to', 'path', 'service-route',
]);
export function isListHeader(key: string): boolean {
  return LIST_HEADERS.has(key);
}

/** Reads a value holding exactly one element; false when malformed or followed by other text. */
function one<T>(value: string, element: (cur: Cursor) => T | boolean): T | boolean {
  const cur = new Cursor(value);
  const item = element(cur);
  return item !== false && cur.i === value.length ? item : false;
}

/** Reads the comma-separated elements of `lines` into `out` (when given); false when any is malformed. */
function list<T>(lines: readonly string[], element: (cur: Cursor) => T | boolean, out: T[] | null): boolean {
  for (const line of lines) {
    const cur = new Cursor(line);
    for (;;) {
      const item = element(cur);
      if (item === false) return false;
      if (out && item !== true) out.push(item);
      if (cur.i === line.length) break;
      if (line.charCodeAt(cur.i) !== 44 /* , */) return false;
      cur.i++;
    }
  }
  return true;
}

// ---------------------------------------------------------------- Via (RFC 3261 §20.42)

export interface Via {
  protocol: string; // e.g. 'SIP/2.0'
  transport: string; // upper case: UDP, TCP, TLS, SCTP, WS, WSS
  host: string;
  port?: number;
  params: Params;
}

const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP'];

/**
 * Reads `token LWS? "/"` at `i` (LWS allowed around the slash, RFC 3261 §25.1 SLASH);
 * returns the token's end, or -1.
 */
function tokenThenSlash(s: string, i: number): number {
  const end = scan(TOKEN, s, i);
  return end > i && code(s, skipWs(s, end)) === 47 /* / */ ? end : -1;
}

/** Reads one via-parm: `name / version / transport LWS host [: port] *(; param)` (RFC 3261 §20.42). */
function readVia(cur: Cursor): Via | false {
  const s = cur.s;
  const nameStart = skipWs(s, cur.i);
  const nameEnd = tokenThenSlash(s, nameStart);
  if (nameEnd < 0) return false;
  const versionStart = skipWs(s, skipWs(s, nameEnd) + 1);
  const versionEnd = tokenThenSlash(s, versionStart);
  if (versionEnd < 0) return false;
  const transportStart = skipWs(s, skipWs(s, versionEnd) + 1);
  const transportEnd = scan(TOKEN, s, transportStart);
  const hostStart = skipWs(s, transportEnd);
  if (transportEnd === transportStart || hostStart === transportEnd) return false; // LWS before sent-by
  const hostEnd = scanHost(s, hostStart, s.length);
  if (hostEnd < 0) return false;
  let port: number | undefined;
  let i = skipWs(s, hostEnd);
  if (code(s, i) === 58 /* : */) {
    const portStart = skipWs(s, i + 1);
    i = digitsEnd(s, portStart);
    port = decimal(s, portStart, i, 65535);
    if (port < 0) return false;
  }
  const params: Params = new Map();
  cur.i = i;
  if (!scanParams(cur, params)) return false;
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && decimal(rport, 0, rport.length, 65535) < 0) return false;
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || decimal(ttl, 0, ttl.length, 255) < 0)) return false;
  const protocol = matchWord(s, nameStart, nameEnd, ['SIP']) && versionEnd - versionStart === 3 && s.startsWith('2.0', versionStart)
    ? 'SIP/2.0'
    : (s.slice(nameStart, nameEnd) + '/' + s.slice(versionStart, versionEnd)).toUpperCase();
  const transport = matchWord(s, transportStart, transportEnd, TRANSPORTS) ?? s.slice(transportStart, transportEnd).toUpperCase();
  return { protocol, transport, host: s.slice(hostStart, hostEnd).toLowerCase(), port, params };
}

export function parseVia(value: string): Via | null {
  const via = one(value, readVia);
  return typeof via === 'object' ? via : null;
}

/** Every via-parm of the given Via lines, topmost first; null if any is malformed. */
export function parseViaList(lines: readonly string[]): Via[] | null {
  const out: Via[] = [];
  return list(lines, readVia, out) ? out : null;
}

export function formatVia(v: Via): string {
  return `${v.protocol}/${v.transport} ${v.host}${v.port !== undefined ? ':' + v.port : ''}${formatParams(v.params)}`;
}

// ------------------------------------------------ name-addr / addr-spec (RFC 3261 §20.10)

export interface NameAddr {
  displayName?: string;
  uri: Uri;
  params: Params;
}

/**
 * Reads `"Name" <uri>;params`, `Name <uri>;params` or `uri;params`. With `build` false it
 * only checks the syntax, allocating nothing, and returns true; false when malformed.
 */
function readNameAddr(cur: Cursor, build: boolean): NameAddr | boolean {
  const s = cur.s;
  let i = skipWs(s, cur.i);
  let displayName: string | undefined;
  if (code(s, i) === 34 /* " */) {
    const end = endOfQuoted(s, i);
    if (end < 0) return false;
    if (build) displayName = unquoteRange(s, i, end);
    i = skipWs(s, end + 1);
    if (code(s, i) !== 60 /* < */) return false;
  } else {
    // An unquoted display name is tokens and LWS (RFC 3261 §25.1 display-name); no LWS is
    // needed before the '<' (RFC 4475 §3.1.1.6).
    let j = i;
    while (j < s.length && (inTable(TOKEN, s.charCodeAt(j)) || isWs(s.charCodeAt(j)))) j++;
    if (code(s, j) === 60) {
      if (j > i && build) displayName = s.slice(i, j).trimEnd();
      i = j;
    }
  }
  let uriStart = i;
  let uriEnd: number;
  if (code(s, i) === 60) {
    uriStart = i + 1;
    uriEnd = s.indexOf('>', uriStart);
    if (uriEnd < 0) return false;
    i = uriEnd + 1;
  } else {
    // addr-spec: the URI ends at LWS, ';' (header parameters) or ',' (next element); a URI
    // containing any of , ; ? must use the name-addr form (RFC 3261 §20.10).
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 59 || c === 44 || isWs(c)) break;
      if (c === 63 /* ? */) return false;
    }
    uriEnd = i;
  }
  cur.i = i;
  if (!build) return isUriRange(s, uriStart, uriEnd) && scanParams(cur, null);
  const uri = parseUriRange(s, uriStart, uriEnd);
  const params: Params = new Map();
  return !!uri && scanParams(cur, params) && { displayName, uri, params };
}

const buildNameAddr = (cur: Cursor): NameAddr | boolean => readNameAddr(cur, true);
const checkNameAddr = (cur: Cursor): NameAddr | boolean => readNameAddr(cur, false);

/** Parses `"Name" <uri>;params`, `Name <uri>;params` or `uri;params`. Null when malformed. */
export function parseNameAddr(value: string): NameAddr | null {
  const na = one(value, buildNameAddr);
  return typeof na === 'object' ? na : null;
}

/** Whether the value is one well-formed name-addr or addr-spec, without building it. */
export function isNameAddr(value: string): boolean {
  return one(value, checkNameAddr) !== false;
}

/** Every name-addr of the given lines (e.g. Contact, Route); null if any is malformed. */
export function parseNameAddrList(lines: readonly string[]): NameAddr[] | null {
  const out: NameAddr[] = [];
  return list(lines, buildNameAddr, out) ? out : null;
}

/** Whether every element of the given lines is a well-formed name-addr, without building them. */
export function isNameAddrList(lines: readonly string[]): boolean {
  return list(lines, checkNameAddr, null);
}

export function formatNameAddr(n: NameAddr): string {
  const dn = n.displayName === undefined ? '' : (n.displayName.split(' ').every(isToken) ? n.displayName : quote(n.displayName)) + ' ';
  return `${dn}<${formatUri(n.uri)}>${formatParams(n.params)}`;
}

// ---------------------------------------------------------------- CSeq (RFC 3261 §20.16)

export interface CSeq {
  seq: number;
  method: string;
}

export function parseCSeq(value: string): CSeq | null {
  const numStart = skipWs(value, 0);
  const numEnd = digitsEnd(value, numStart);
  // The sequence number is a 32-bit unsigned integer (RFC 3261 §20.16, RFC 4475 §3.1.2.4).
  const seq = decimal(value, numStart, numEnd, 0xffffffff);
  const methodStart = skipWs(value, numEnd);
  if (seq < 0 || methodStart === numEnd) return null;
  const methodEnd = scan(TOKEN, value, methodStart);
  if (methodEnd === methodStart || skipWs(value, methodEnd) !== value.length) return null;
  return { seq, method: value.slice(methodStart, methodEnd) };
}

/** Splits a list header's raw lines into its elements; null when quoting is unbalanced. */
export function splitList(lines: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const line of lines) {
    const parts = splitTopLevel(line, ',');
    if (!parts) return null;
    for (const p of parts) out.push(p);
  }
  return out;
}
