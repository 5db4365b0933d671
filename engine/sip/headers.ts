// Header names and the structured header values the stack reads (RFC 3261 §7.3, §20).
import { type Params, ParamsCollector } from './params.js';
import { Cursor, WordList, TOKEN, at, codesOf, decimal, digitsEnd, endOfQuoted, formatParams, isToken, isWord3, isWs, quote, scan, scanParams, skipWs, splitTopLevel, unquoteRange } from './grammar.js';
import { type Uri, formatUri, isUriRange, parseUriRange, scanHost, uriEndAt } from './uri.js';

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

/** Keeps `value` for `key` unless the cache is full: peers choose header names, so it is bounded in count and size. */
function remember(cache: Map<string, string>, key: string, value: string): string {
  if (cache.size < 1000 && key.length <= 64) cache.set(key, value);
  return value;
}

const displayCache = new Map<string, string>();
/** The conventional spelling of a header name for output (`call-id` → `Call-ID`). */
export function headerDisplayName(key: string): string {
  return (
    displayCache.get(key) ??
    remember(displayCache, key, DISPLAY[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase()))
  );
}

const linePrefixCache = new Map<string, string>();
/** `Name: ` as a header line starts on output, for a headerKey() result. */
export function headerLinePrefix(key: string): string {
  return linePrefixCache.get(key) ?? remember(linePrefixCache, key, headerDisplayName(key) + ': ');
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

// The same lookup on the bytes of a header line, for the parser, without scanning the name
// first or making a string of it. A long name is looked for among the candidates that share
// the line's first two bytes, a compact form (one letter) by its letter alone. A candidate
// matches when the line spells it, ignoring the case of its letters only, and goes on with
// ':' or whitespace: neither is a token character (RFC 3261 §25.1), so the name is then
// exactly that token. Setting bit 0x20 folds a letter to lower case and no other byte onto a
// letter; '-' is compared as it is, since CR | 0x20 is '-'. A name of four or more bytes is
// compared four at a time, as little-endian 32-bit words: word k holds bytes [4k, 4k + 4),
// the last word the name's last four (overlapping the one before). Candidates are numbered
// from 1 and their fields kept in flat typed arrays, which V8 reads cheaply.
const BY_FIRST_TWO = new Uint8Array(256 * 256); // the first candidate of two folded bytes
const NEXT_CANDIDATE = new Uint8Array(KNOWN_HEADERS.length + 1); // the next with the same first two
const CANDIDATE_LENGTH = new Uint8Array(KNOWN_HEADERS.length + 1);
const CANDIDATE_THIRD = new Uint8Array(KNOWN_HEADERS.length + 1); // a three-letter name's last letter
const CANDIDATE_RESULT = new Int16Array(KNOWN_HEADERS.length + 1); // what knownHeaderNameAt() returns
const FIRST_WORD = new Uint16Array(KNOWN_HEADERS.length + 1); // where its words start in WORDS
const WORDS: number[] = []; // the lower-case words of all names of four letters or more
const FOLDS: number[] = []; // and the bits each sets before comparing: 0x20 at letters
// By letter, either case: what knownHeaderNameAt() returns for its compact form, or -1.
const COMPACT_RESULT = new Int16Array(256).fill(-1);
function firstTwo(b0: number, b1: number): number {
  return ((b0 | 0x20) << 8) | (b1 | 0x20);
}
function wordsOf(spelled: Buffer): number[] {
  const words: number[] = [];
  for (let at = 0; at + 4 < spelled.length; at += 4) words.push(spelled.readInt32LE(at));
  if (spelled.length >= 4) words.push(spelled.readInt32LE(spelled.length - 4));
  return words;
}
const LAST_OF_SLOT = new Map<number, number>();
KNOWN_HEADERS.forEach((key, index) => {
  const c = index + 1;
  // Appended, so that a chain tries the names in KNOWN_HEADERS order, the usual ones first.
  const slot = firstTwo(key.charCodeAt(0), key.charCodeAt(1));
  const last = LAST_OF_SLOT.get(slot);
  if (last === undefined) BY_FIRST_TWO[slot] = c;
  else NEXT_CANDIDATE[last] = c;
  LAST_OF_SLOT.set(slot, c);
  CANDIDATE_LENGTH[c] = key.length;
  CANDIDATE_THIRD[c] = key.charCodeAt(2);
  CANDIDATE_RESULT[c] = key.length * 256 + index;
  FIRST_WORD[c] = WORDS.length;
  WORDS.push(...wordsOf(Buffer.from(key, 'latin1')));
  FOLDS.push(...wordsOf(Buffer.from([...key].map((ch) => (/[a-z]/.test(ch) ? 0x20 : 0)))));
});
const WORD_TABLE = Int32Array.from(WORDS);
const FOLD_TABLE = Int32Array.from(FOLDS);
for (const [letter, key] of Object.entries(COMPACT)) {
  COMPACT_RESULT[letter.charCodeAt(0)] = COMPACT_RESULT[letter.toUpperCase().charCodeAt(0)] = 256 + KNOWN_HEADERS.indexOf(key);
}

/** The little-endian 32-bit word of b[at, at + 4). */
function wordAt(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
}

/** Whether `c` may end a header name: ':' or whitespace (RFC 3261 §7.3.1 HCOLON). */
function endsName(c: number): boolean {
  return c === 58 || c === 32 || c === 9;
}

/** Whether b[start, end) spells candidate `c`, whose first two bytes it is known to have. */
function spellsCandidate(b: Uint8Array, start: number, end: number, c: number): boolean {
  // Names under four bytes are letters (to, via), which the first two bytes matched exactly.
  if (end - start < 4) return end - start === 2 || (b[start + 2] | 0x20) === CANDIDATE_THIRD[c];
  let w = FIRST_WORD[c];
  for (let at = start; at + 4 < end; at += 4, w++) if ((wordAt(b, at) | FOLD_TABLE[w]) !== WORD_TABLE[w]) return false;
  return (wordAt(b, end - 4) | FOLD_TABLE[w]) === WORD_TABLE[w];
}

/**
 * The known header name (long or compact form, any case) that opens the header line
 * b[start, end), followed by ':' or whitespace within the line, as
 * `name length * 256 + KNOWN_HEADERS index`; -1 when the line opens otherwise (another
 * name, or no name at all).
 */
export function knownHeaderNameAt(b: Uint8Array, start: number, end: number): number {
  if (start + 1 >= end) return -1;
  if (endsName(b[start + 1])) return COMPACT_RESULT[b[start]];
  for (let c = BY_FIRST_TWO[firstTwo(b[start], b[start + 1])]; c !== 0; c = NEXT_CANDIDATE[c]) {
    const nameEnd = start + CANDIDATE_LENGTH[c];
    if (nameEnd < end && endsName(b[nameEnd]) && spellsCandidate(b, start, nameEnd, c)) return CANDIDATE_RESULT[c];
  }
  return -1;
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

/** Reads the one element that fills s[start, end) (codes in `b`). */
function one<T>(s: string, b: Uint8Array, start: number, end: number, element: Reader<T>): T | boolean {
  const cur = new Cursor(s, b, start, end);
  const item = element(cur);
  return item !== false && cur.i === end ? item : false;
}

/** Reads the comma-separated elements filling s[start, end) into `out` (when given); false when any is malformed. */
function list<T>(s: string, b: Uint8Array, start: number, end: number, element: Reader<T>, out: T[] | null): boolean {
  const cur = new Cursor(s, b, start, end);
  for (;;) {
    const item = element(cur);
    if (item === false) return false;
    if (out && item !== true) out.push(item);
    if (cur.i === end) return true;
    if (b[cur.i] !== 44 /* , */) return false;
    cur.i++;
  }
}

function listOfLines<T>(lines: readonly string[], element: Reader<T>, out: T[] | null): boolean {
  for (const line of lines) if (!list(line, codesOf(line), 0, line.length, element, out)) return false;
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

const TRANSPORTS = new WordList(['UDP', 'TCP', 'TLS', 'WS', 'WSS', 'SCTP']);

/**
 * Reads `token LWS? "/"` at `i` (LWS allowed around the slash, RFC 3261 §25.1 SLASH);
 * returns the token's end, or -1.
 */
function tokenThenSlash(b: Uint8Array, i: number, end: number): number {
  const tokenEnd = scan(TOKEN, b, i, end);
  return tokenEnd > i && at(b, skipWs(b, tokenEnd, end), end) === 47 /* / */ ? tokenEnd : -1;
}

/** Whether b[start, end) has an ASCII capital: a host usually has none, and then needs no toLowerCase(). */
function hasUpper(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] >= 65 && b[i] <= 90) return true;
  return false;
}

// The parsers' parameter lists are collected here, then handed over sized to fit (params.ts).
const viaParams = new ParamsCollector();

/** Reads one via-parm: `name / version / transport LWS host [: port] *(; param)` (RFC 3261 §20.42). */
function readVia(cur: Cursor): Via | false {
  const { s, b, end } = cur;
  const nameStart = skipWs(b, cur.i, end);
  const nameEnd = tokenThenSlash(b, nameStart, end);
  if (nameEnd < 0) return false;
  const versionStart = skipWs(b, skipWs(b, nameEnd, end) + 1, end);
  const versionEnd = tokenThenSlash(b, versionStart, end);
  if (versionEnd < 0) return false;
  const transportStart = skipWs(b, skipWs(b, versionEnd, end) + 1, end);
  const transportEnd = scan(TOKEN, b, transportStart, end);
  const hostStart = skipWs(b, transportEnd, end);
  if (transportEnd === transportStart || hostStart === transportEnd) return false; // LWS before sent-by
  const hostEnd = scanHost(b, hostStart, end);
  if (hostEnd < 0) return false;
  let port: number | undefined;
  let i = skipWs(b, hostEnd, end);
  if (at(b, i, end) === 58 /* : */) {
    const portStart = skipWs(b, i + 1, end);
    i = digitsEnd(b, portStart, end);
    port = decimal(b, portStart, i, 65535);
    if (port < 0) return false;
  }
  cur.i = i;
  if (!scanParams(cur, viaParams)) return false;
  const params = viaParams.take();
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && decimal(codesOf(rport), 0, rport.length, 65535) < 0) return false;
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || decimal(codesOf(ttl), 0, ttl.length, 255) < 0)) return false;
  const protocol = isWord3(b, nameStart, nameEnd, 115, 105, 112) /* sip */ && versionEnd - versionStart === 3 && b[versionStart] === 50 && b[versionStart + 1] === 46 && b[versionStart + 2] === 48 /* 2.0 */
    ? 'SIP/2.0'
    : (s.slice(nameStart, nameEnd) + '/' + s.slice(versionStart, versionEnd)).toUpperCase();
  // UDP, the usual one, is recognised before the word list is searched.
  const transport = isWord3(b, transportStart, transportEnd, 117, 100, 112) /* udp */ ? 'UDP' : (TRANSPORTS.match(b, transportStart, transportEnd) ?? s.slice(transportStart, transportEnd).toUpperCase());
  const host = s.slice(hostStart, hostEnd);
  return { protocol, transport, host: hasUpper(b, hostStart, hostEnd) ? host.toLowerCase() : host, port, params };
}

export function parseVia(value: string): Via | null {
  const via = one(value, codesOf(value), 0, value.length, readVia);
  return typeof via === 'object' ? via : null;
}

/** Every via-parm of the given Via lines, topmost first; null if any is malformed. */
export function parseViaList(lines: readonly string[]): Via[] | null {
  const out: Via[] = [];
  return listOfLines(lines, readVia, out) ? out : null;
}

/** Appends the via-parms of the Via value in s[start, end) (codes in `b`) to `out`; false if any is malformed. */
export function parseViaRange(s: string, b: Uint8Array, start: number, end: number, out: Via[]): boolean {
  return list(s, b, start, end, readVia, out);
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

const nameAddrParams = new ParamsCollector();

/**
 * Reads `"Name" <uri>;params`, `Name <uri>;params` or `uri;params`. With `build` false it
 * only checks the syntax, returning true, and builds nothing but the header parameters
 * into `params` when that is given. False when malformed.
 */
function readNameAddr(cur: Cursor, build: boolean, params: ParamsCollector | null): NameAddr | boolean {
  const { s, b, end } = cur;
  let i = skipWs(b, cur.i, end);
  let displayName: string | undefined;
  if (at(b, i, end) === 34 /* " */) {
    const close = endOfQuoted(b, i, end);
    if (close < 0) return false;
    if (build) displayName = unquoteRange(s, i, close);
    i = skipWs(b, close + 1, end);
    if (at(b, i, end) !== 60 /* < */) return false;
  } else {
    // An unquoted display name is tokens and LWS (RFC 3261 §25.1 display-name); no LWS is
    // needed before the '<' (RFC 4475 §3.1.1.6).
    let j = i;
    while (j < end && (TOKEN[b[j]] === 1 || isWs(b[j]))) j++;
    if (at(b, j, end) === 60) {
      if (j > i && build) displayName = s.slice(i, j).trimEnd();
      i = j;
    }
  }
  let uriStart = i;
  let uriEnd: number;
  let uriChecked = false;
  if (at(b, i, end) === 60) {
    uriStart = i + 1;
    // Only checking, the URI is read as far as it goes, which must be to the '>'. Building,
    // the '>' is found first: indexOf (memchr) does it in fewer instructions than a loop.
    uriEnd = build ? s.indexOf('>', uriStart) : uriEndAt(s, b, uriStart, end);
    if (uriEnd < 0 || uriEnd >= end || b[uriEnd] !== 62 /* > */) return false;
    uriChecked = !build;
    i = uriEnd + 1;
  } else {
    // addr-spec: the URI ends at LWS, ';' (header parameters) or ',' (next element); a URI
    // containing any of , ; ? must use the name-addr form (RFC 3261 §20.10).
    for (; i < end; i++) {
      const c = b[i];
      if (c === 59 || c === 44 || isWs(c)) break;
      if (c === 63 /* ? */) return false;
    }
    uriEnd = i;
  }
  cur.i = i;
  if (!build) return (uriChecked || isUriRange(s, b, uriStart, uriEnd)) && scanParams(cur, params);
  const uri = parseUriRange(s, b, uriStart, uriEnd);
  return !!uri && scanParams(cur, nameAddrParams) && { displayName, uri, params: nameAddrParams.take() };
}

const buildNameAddr = (cur: Cursor): NameAddr | boolean => readNameAddr(cur, true, null);
const checkNameAddr = (cur: Cursor): NameAddr | boolean => readNameAddr(cur, false, null);

/** Parses `"Name" <uri>;params`, `Name <uri>;params` or `uri;params`. Null when malformed. */
export function parseNameAddr(value: string): NameAddr | null {
  const na = one(value, codesOf(value), 0, value.length, buildNameAddr);
  return typeof na === 'object' ? na : null;
}

/**
 * The header parameters of the name-addr or addr-spec filling s[start, end), all of which
 * is checked but nothing else built (a From read for its tag); null when malformed.
 */
export function nameAddrParamsRange(s: string, b: Uint8Array, start: number, end: number): Params | null {
  const cur = new Cursor(s, b, start, end);
  return readNameAddr(cur, false, nameAddrParams) && cur.i === end ? nameAddrParams.take() : null;
}

/** Whether s[start, end) is one well-formed name-addr or addr-spec, without building it. */
export function isNameAddrRange(s: string, b: Uint8Array, start: number, end: number): boolean {
  return one(s, b, start, end, checkNameAddr) !== false;
}

/** Every name-addr of the given lines (e.g. Contact, Route); null if any is malformed. */
export function parseNameAddrList(lines: readonly string[]): NameAddr[] | null {
  const out: NameAddr[] = [];
  return listOfLines(lines, buildNameAddr, out) ? out : null;
}

/** Whether s[start, end) is a list of well-formed name-addrs, without building them. */
export function isNameAddrListRange(s: string, b: Uint8Array, start: number, end: number): boolean {
  return list(s, b, start, end, checkNameAddr, null);
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

/** Parses the CSeq value filling s[start, end) (codes in `b`); null when malformed. */
export function parseCSeqRange(s: string, b: Uint8Array, start: number, end: number): CSeq | null {
  const numStart = skipWs(b, start, end);
  const numEnd = digitsEnd(b, numStart, end);
  // The sequence number is a 32-bit unsigned integer (RFC 3261 §20.16, RFC 4475 §3.1.2.4).
  const seq = decimal(b, numStart, numEnd, 0xffffffff);
  const methodStart = skipWs(b, numEnd, end);
  if (seq < 0 || methodStart === numEnd) return null;
  const methodEnd = scan(TOKEN, b, methodStart, end);
  if (methodEnd === methodStart || skipWs(b, methodEnd, end) !== end) return null;
  return { seq, method: s.slice(methodStart, methodEnd) };
}

export function parseCSeq(value: string): CSeq | null {
  return parseCSeqRange(value, codesOf(value), 0, value.length);
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
