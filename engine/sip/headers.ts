// Header names and the structured header values the stack reads (RFC 3261 §7.3, §20).
import { type Params, Cursor, TOKEN, code, decimal, digitsEnd, endOfQuoted, formatParams, inTable, isToken, isWs, matchWord, quote, scan, scanParams, skipWs, splitTopLevel, unquoteRange } from './grammar.js';
import { type Uri, formatUri, isUriRange, parseUriRange, scanHost } from './uri.js';

// Header keys the parser recognises by table. The first ten are the ones it checks for
// presence and repetition, so they fit in a bit mask (see parser.ts).
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
    // Bounded in count and size: peers choose header names.
    if (displayCache.size < 1000 && key.length <= 64) displayCache.set(key, d);
  }
  return d;
}

// KNOWN_HEADERS indexes by the usual spellings of each name: conventional (`Call-ID`),
// lower case and, for compact forms, either case.
const SPELLINGS = new Map<string, number>();
KNOWN_HEADERS.forEach((key, i) => SPELLINGS.set(key, i).set(headerDisplayName(key), i));
for (const [letter, key] of Object.entries(COMPACT)) {
  SPELLINGS.set(letter, KNOWN_HEADERS.indexOf(key)).set(letter.toUpperCase(), KNOWN_HEADERS.indexOf(key));
}

/**
 * The KNOWN_HEADERS index of a header name, long or compact form, ignoring case
 * (RFC 3261 §7.3.1, §7.3.3); -1 when it is not a known name.
 */
export function knownHeaderIndex(name: string): number {
  return SPELLINGS.get(name) ?? SPELLINGS.get(name.toLowerCase()) ?? -1;
}

/** Lower-case long form of a header name: the key headers are stored under. */
export function headerKey(name: string): string {
  const i = knownHeaderIndex(name);
  return i >= 0 ? KNOWN_HEADERS[i] : name.toLowerCase();
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

// Element readers return the element, true when they only check it, or false when malformed.
type Reader<T> = (cur: Cursor) => T | boolean;

/** Reads the one element that fills s[start, end). */
function one<T>(s: string, start: number, end: number, element: Reader<T>): T | boolean {
  const cur = new Cursor(s, start, end);
  const item = element(cur);
  return item !== false && cur.i === end ? item : false;
}

/** Reads the comma-separated elements filling s[start, end) into `out` (when given); false when any is malformed. */
function list<T>(s: string, start: number, end: number, element: Reader<T>, out: T[] | null): boolean {
  const cur = new Cursor(s, start, end);
  for (;;) {
    const item = element(cur);
    if (item === false) return false;
    if (out && item !== true) out.push(item);
    if (cur.i === end) return true;
    if (s.charCodeAt(cur.i) !== 44 /* , */) return false;
    cur.i++;
  }
}

function listOfLines<T>(lines: readonly string[], element: Reader<T>, out: T[] | null): boolean {
  for (const line of lines) if (!list(line, 0, line.length, element, out)) return false;
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

const SIP = ['SIP'];
const TRANSPORTS = ['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP'];

/**
 * Reads `token LWS? "/"` at `i` (LWS allowed around the slash, RFC 3261 §25.1 SLASH);
 * returns the token's end, or -1.
 */
function tokenThenSlash(s: string, i: number, end: number): number {
  const tokenEnd = scan(TOKEN, s, i, end);
  return tokenEnd > i && code(s, skipWs(s, tokenEnd, end), end) === 47 /* / */ ? tokenEnd : -1;
}

/** Reads one via-parm: `name / version / transport LWS host [: port] *(; param)` (RFC 3261 §20.42). */
function readVia(cur: Cursor): Via | false {
  const { s, end } = cur;
  const nameStart = skipWs(s, cur.i, end);
  const nameEnd = tokenThenSlash(s, nameStart, end);
  if (nameEnd < 0) return false;
  const versionStart = skipWs(s, skipWs(s, nameEnd, end) + 1, end);
  const versionEnd = tokenThenSlash(s, versionStart, end);
  if (versionEnd < 0) return false;
  const transportStart = skipWs(s, skipWs(s, versionEnd, end) + 1, end);
  const transportEnd = scan(TOKEN, s, transportStart, end);
  const hostStart = skipWs(s, transportEnd, end);
  if (transportEnd === transportStart || hostStart === transportEnd) return false; // LWS before sent-by
  const hostEnd = scanHost(s, hostStart, end);
  if (hostEnd < 0) return false;
  let port: number | undefined;
  let i = skipWs(s, hostEnd, end);
  if (code(s, i, end) === 58 /* : */) {
    const portStart = skipWs(s, i + 1, end);
    i = digitsEnd(s, portStart, end);
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
  const protocol = matchWord(s, nameStart, nameEnd, SIP) && versionEnd - versionStart === 3 && s.startsWith('2.0', versionStart)
    ? 'SIP/2.0'
    : (s.slice(nameStart, nameEnd) + '/' + s.slice(versionStart, versionEnd)).toUpperCase();
  const transport = matchWord(s, transportStart, transportEnd, TRANSPORTS) ?? s.slice(transportStart, transportEnd).toUpperCase();
  return { protocol, transport, host: s.slice(hostStart, hostEnd).toLowerCase(), port, params };
}

export function parseVia(value: string): Via | null {
  const via = one(value, 0, value.length, readVia);
  return typeof via === 'object' ? via : null;
}

/** Every via-parm of the given Via lines, topmost first; null if any is malformed. */
export function parseViaList(lines: readonly string[]): Via[] | null {
  const out: Via[] = [];
  return listOfLines(lines, readVia, out) ? out : null;
}

/** Appends the via-parms of the Via value in s[start, end) to `out`; false if any is malformed. */
export function parseViaRange(s: string, start: number, end: number, out: Via[]): boolean {
  return list(s, start, end, readVia, out);
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
 * only checks the syntax, returning true, and builds nothing but the header parameters
 * into `params` when that is given. False when malformed.
 */
function readNameAddr(cur: Cursor, build: boolean, params: Params | null): NameAddr | boolean {
  const { s, end } = cur;
  let i = skipWs(s, cur.i, end);
  let displayName: string | undefined;
  if (code(s, i, end) === 34 /* " */) {
    const close = endOfQuoted(s, i, end);
    if (close < 0) return false;
    if (build) displayName = unquoteRange(s, i, close);
    i = skipWs(s, close + 1, end);
    if (code(s, i, end) !== 60 /* < */) return false;
  } else {
    // An unquoted display name is tokens and LWS (RFC 3261 §25.1 display-name); no LWS is
    // needed before the '<' (RFC 4475 §3.1.1.6).
    let j = i;
    while (j < end && (inTable(TOKEN, s.charCodeAt(j)) || isWs(s.charCodeAt(j)))) j++;
    if (code(s, j, end) === 60) {
      if (j > i && build) displayName = s.slice(i, j).trimEnd();
      i = j;
    }
  }
  let uriStart = i;
  let uriEnd: number;
  if (code(s, i, end) === 60) {
    uriStart = i + 1;
    uriEnd = s.indexOf('>', uriStart);
    if (uriEnd < 0 || uriEnd >= end) return false;
    i = uriEnd + 1;
  } else {
    // addr-spec: the URI ends at LWS, ';' (header parameters) or ',' (next element); a URI
    // containing any of , ; ? must use the name-addr form (RFC 3261 §20.10).
    for (; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c === 59 || c === 44 || isWs(c)) break;
      if (c === 63 /* ? */) return false;
    }
    uriEnd = i;
  }
  cur.i = i;
  if (!build) return isUriRange(s, uriStart, uriEnd) && scanParams(cur, params);
  const uri = parseUriRange(s, uriStart, uriEnd);
  const headerParams: Params = new Map();
  return !!uri && scanParams(cur, headerParams) && { displayName, uri, params: headerParams };
}

const buildNameAddr = (cur: Cursor): NameAddr | boolean => readNameAddr(cur, true, null);
const checkNameAddr = (cur: Cursor): NameAddr | boolean => readNameAddr(cur, false, null);

/** Parses the name-addr or addr-spec filling s[start, end); null when malformed. */
export function parseNameAddrRange(s: string, start: number, end: number): NameAddr | null {
  const na = one(s, start, end, buildNameAddr);
  return typeof na === 'object' ? na : null;
}

/** Parses `"Name" <uri>;params`, `Name <uri>;params` or `uri;params`. Null when malformed. */
export function parseNameAddr(value: string): NameAddr | null {
  return parseNameAddrRange(value, 0, value.length);
}

/**
 * The header parameters of the name-addr or addr-spec filling s[start, end), all of which
 * is checked but nothing else built (a From read for its tag); null when malformed.
 */
export function nameAddrParamsRange(s: string, start: number, end: number): Params | null {
  const params: Params = new Map();
  const cur = new Cursor(s, start, end);
  return readNameAddr(cur, false, params) && cur.i === end ? params : null;
}

/** Whether s[start, end) is one well-formed name-addr or addr-spec, without building it. */
export function isNameAddrRange(s: string, start: number, end: number): boolean {
  return one(s, start, end, checkNameAddr) !== false;
}

/** Every name-addr of the given lines (e.g. Contact, Route); null if any is malformed. */
export function parseNameAddrList(lines: readonly string[]): NameAddr[] | null {
  const out: NameAddr[] = [];
  return listOfLines(lines, buildNameAddr, out) ? out : null;
}

/** Whether s[start, end) is a list of well-formed name-addrs, without building them. */
export function isNameAddrListRange(s: string, start: number, end: number): boolean {
  return list(s, start, end, checkNameAddr, null);
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

/** Parses the CSeq value filling s[start, end); null when malformed. */
export function parseCSeqRange(s: string, start: number, end: number): CSeq | null {
  const numStart = skipWs(s, start, end);
  const numEnd = digitsEnd(s, numStart, end);
  // The sequence number is a 32-bit unsigned integer (RFC 3261 §20.16, RFC 4475 §3.1.2.4).
  const seq = decimal(s, numStart, numEnd, 0xffffffff);
  const methodStart = skipWs(s, numEnd, end);
  if (seq < 0 || methodStart === numEnd) return null;
  const methodEnd = scan(TOKEN, s, methodStart, end);
  if (methodEnd === methodStart || skipWs(s, methodEnd, end) !== end) return null;
  return { seq, method: s.slice(methodStart, methodEnd) };
}

export function parseCSeq(value: string): CSeq | null {
  return parseCSeqRange(value, 0, value.length);
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
