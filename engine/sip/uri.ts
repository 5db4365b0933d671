// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966). Other schemes are kept opaque so a
// request to an unknown scheme can be answered 416 instead of 400 (RFC 4475 §3.3.2).
import { Params, ParamsCollector } from './params.js';
import { COMMON_PARAMS, at, charTable, code, codesOf, decimal, digitsEnd, formatParams, inTable, isWord3, parseParams, WordList } from './grammar.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  /** Unescaped user part; undefined when the URI has no userinfo. Escaped octets become one char each. */
  user?: string;
  password?: string;
  host: string;
  port?: number;
  /** URI parameters, names lower-cased, names and values unescaped. */
  params: Params;
  /** URI headers (`?name=value&...`), unescaped. Read-only: URIs without any share one empty map. */
  headers: ReadonlyMap<string, string>;
}

/** The headers of every URI that has none (nearly all): one map instead of one per parsed URI. */
const NO_HEADERS: ReadonlyMap<string, string> = new Map();

export interface TelUri {
  scheme: 'tel';
  number: string;
  params: Params;
}

export interface OtherUri {
  scheme: string;
  opaque: string;
}

export type Uri = SipUri | TelUri | OtherUri;

export function isSipUri(u: Uri): u is SipUri {
  return u.scheme === 'sip' || u.scheme === 'sips';
}

// Character classes of RFC 3261 §25.1 (unreserved plus each part's extras); '%' escapes are
// admitted by escapedRun() where they are well formed.
const UNRESERVED = "-_.!~*'()";
const USER = charTable(UNRESERVED + '&=+$,;?/');
const PASSWORD = charTable(UNRESERVED + '&=+$,');
const PARAMCHAR = charTable(UNRESERVED + '[]/:&+$');
const HNVCHAR = charTable(UNRESERVED + '[]/?:+$');
const HOST = charTable('-.');
const SCHEME = charTable('+-.');
const TEL_NUMBER = /^\+?[0-9A-Fa-f*#\-.()pw]+$/;
// Anything printable but the characters that delimit a URI in a header; enough to keep other schemes opaque.
const OPAQUE = new Uint8Array(256);
for (let c = 33; c < 127; c++) OPAQUE[c] = 1;
for (const ch of '<>"') OPAQUE[ch.charCodeAt(0)] = 0;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  c |= 0x20;
  return c >= 97 && c <= 102 ? c - 87 : -1;
}

/** Decodes %HH escapes; null when an escape is malformed. */
export function unescapeUriPart(s: string): string | null {
  let pct = s.indexOf('%');
  if (pct < 0) return s;
  let out = '';
  let from = 0;
  for (; pct >= 0; pct = s.indexOf('%', from)) {
    const hi = hexValue(code(s, pct + 1));
    const lo = hexValue(code(s, pct + 2));
    if (hi < 0 || lo < 0) return null;
    out += s.slice(from, pct) + String.fromCharCode(hi * 16 + lo);
    from = pct + 3;
  }
  return out + s.slice(from);
}

/** s[start, end), already checked by escapedRun(), unescaped. */
function unescaped(s: string, start: number, end: number): string {
  return unescapeUriPart(s.slice(start, end)) ?? '';
}

/** %-escapes what `table` does not allow; chars above 0xFF are escaped as their UTF-8 octets. */
function escape(s: string, table: Uint8Array): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inTable(table, c)) out += s[i];
    else if (c < 256) out += '%' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
    else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      for (const b of Buffer.from(ch, 'utf8')) out += '%' + b.toString(16).toUpperCase();
      i += ch.length - 1;
    }
  }
  return out;
}

/** End of the run of `table` characters and well-formed %HH escapes from `i`, stopping at `end`. */
function escapedRun(table: Uint8Array, b: Uint8Array, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (table[c] === 1) i++;
    else if (c === 37 /* % */ && i + 2 < end && hexValue(b[i + 1]) >= 0 && hexValue(b[i + 2]) >= 0) i += 3;
    else break;
  }
  return i;
}

function isIpv6Char(c: number): boolean {
  return hexValue(c) >= 0 || c === 58 /* : */ || c === 46 /* . */;
}

/**
 * Reads host (hostname, IPv4 address or IPv6 reference) starting at `i`; returns the end
 * index, or -1 when there is no valid host there.
 */
export function scanHost(b: Uint8Array, i: number, end: number): number {
  if (i >= end) return -1;
  if (b[i] === 91 /* [ */) {
    let j = i + 1;
    while (j < end && isIpv6Char(b[j])) j++;
    return j > i + 1 && j < end && b[j] === 93 /* ] */ ? j + 1 : -1;
  }
  const c = b[i];
  if (HOST[c] !== 1 || c === 45 || c === 46) return -1; // starts with alphanum
  let j = i + 1;
  while (j < end && HOST[b[j]] === 1) j++;
  return j;
}

/**
 * Reads `;pname[=pvalue]` URI parameters (RFC 3261 §19.1.1) into `params` (emptied first;
 * names lower-cased, both unescaped), or only checks them when `params` is null. Returns the
 * end index, or -1 when a parameter is empty.
 */
function uriParams(s: string, b: Uint8Array, i: number, end: number, params: ParamsCollector | null): number {
  params?.clear();
  while (i < end && b[i] === 59 /* ; */) {
    const nameStart = ++i;
    i = escapedRun(PARAMCHAR, b, i, end);
    if (i === nameStart) return -1;
    const name = params ? (COMMON_PARAMS.match(b, nameStart, i) ?? unescaped(s, nameStart, i).toLowerCase()) : '';
    if (i >= end || b[i] !== 61 /* = */) {
      params?.add(name, null);
      continue;
    }
    const valueStart = ++i;
    i = escapedRun(PARAMCHAR, b, i, end);
    if (i === valueStart) return -1;
    params?.add(name, unescaped(s, valueStart, i));
  }
  return i;
}

const builtUriParams = new ParamsCollector();

/**
 * Reads the SIP URI after `scheme:` from s[i], going no further than `end`. With `build`
 * true it returns the URI, which must fill s[i, end). With `build` false it only checks it,
 * allocating nothing, and returns where it stops: the first character that cannot continue
 * it, which for a URI in a name-addr must be its '>' (no part of a SIP URI admits '>', RFC
 * 3261 §25.1). -1 when malformed. `headers` false rejects `?headers` (as in a Request-URI).
 */
function readSipUri(scheme: 'sip' | 'sips', s: string, b: Uint8Array, i: number, end: number, build: boolean, headers: boolean): SipUri | number {
  let userEnd = -1;
  let passwordEnd = -1;
  // userinfo is whatever ends at an '@', which appears nowhere else in a SIP URI (RFC 3261 §25.1).
  const run = escapedRun(USER, b, i, end);
  let atSign = run;
  if (at(b, run) === 58 /* : */) atSign = escapedRun(PASSWORD, b, run + 1, end);
  if (atSign < end && b[atSign] === 64 /* @ */) {
    if (run === i) return -1;
    userEnd = run;
    passwordEnd = atSign;
  }
  const hostStart = userEnd < 0 ? i : passwordEnd + 1;
  const hostEnd = scanHost(b, hostStart, end);
  if (hostEnd < 0) return -1;
  let j = hostEnd;
  let port = -1;
  if (j < end && b[j] === 58 /* : */) {
    j = Math.min(digitsEnd(b, j + 1), end);
    port = decimal(b, hostEnd + 1, j, 65535);
    if (port < 0) return -1;
  }
  const params = build ? builtUriParams : null;
  j = uriParams(s, b, j, end, params);
  if (j < 0) return -1;
  let headerMap: Map<string, string> | null = null;
  if (j < end && b[j] === 63 /* ? */) {
    if (!headers) return -1;
    if (build) headerMap = new Map();
    do {
      const nameStart = ++j;
      j = escapedRun(HNVCHAR, b, j, end);
      if (j === nameStart || j >= end || b[j] !== 61 /* = */) return -1;
      const valueStart = ++j;
      j = escapedRun(HNVCHAR, b, j, end);
      headerMap?.set(unescaped(s, nameStart, valueStart - 1), unescaped(s, valueStart, j));
    } while (j < end && b[j] === 38 /* & */);
  }
  if (!params) return j;
  if (j !== end) return -1;
  return {
    scheme,
    user: userEnd < 0 ? undefined : unescaped(s, i, userEnd),
    password: userEnd >= 0 && passwordEnd > userEnd ? unescaped(s, userEnd + 1, passwordEnd) : undefined,
    host: s.slice(hostStart, hostEnd).toLowerCase(),
    port: port < 0 ? undefined : port,
    params: params.take(),
    headers: headerMap ?? NO_HEADERS,
  };
}

const COMMON_SCHEMES = new WordList(['sip', 'sips', 'tel']);

/** The lower-case scheme of s[start, end), without allocating for the common ones. */
function schemeName(s: string, b: Uint8Array, start: number, end: number): string {
  // sip, by far the most common, is recognised before the word list is searched.
  if (isWord3(b, start, end, 115, 105, 112) /* sip */) return 'sip';
  return COMMON_SCHEMES.match(b, start, end) ?? s.slice(start, end).toLowerCase();
}

/**
 * Reads the URI at s[start] (codes in `b`), going no further than `end`; see readSipUri()
 * for `build`, `headers` and the result.
 */
function readUri(s: string, b: Uint8Array, start: number, end: number, build: boolean, headers: boolean): Uri | number {
  const c = at(b, start) | 0x20;
  if (start >= end || c < 97 || c > 122) return -1;
  let colon = start + 1;
  while (colon < end && SCHEME[b[colon]] === 1) colon++;
  if (colon >= end || b[colon] !== 58 /* : */) return -1;
  const scheme = schemeName(s, b, start, colon);
  const rest = colon + 1;
  if (scheme === 'sip' || scheme === 'sips') return readSipUri(scheme, s, b, rest, end, build, headers);
  // Other schemes are kept opaque: they stop at the first character OPAQUE does not admit.
  let uriEnd = rest;
  while (uriEnd < end && OPAQUE[b[uriEnd]] === 1) uriEnd++;
  if (build && uriEnd !== end) return -1;
  const uri = scheme === 'tel' ? telUri(s, b, rest, uriEnd) : rest < uriEnd && { scheme, opaque: s.slice(rest, uriEnd) };
  if (!uri) return -1;
  return build ? uri : uriEnd;
}

/** The tel URI (RFC 3966) whose number and parameters are s[start, end); false when malformed. */
function telUri(s: string, b: Uint8Array, start: number, end: number): TelUri | false {
  let numberEnd = start;
  while (numberEnd < end && b[numberEnd] !== 59 /* ; */) numberEnd++;
  const number = s.slice(start, numberEnd);
  const params = parseParams(s.slice(numberEnd, end));
  return !!params && TEL_NUMBER.test(number) && { scheme: 'tel', number, params };
}

/**
 * Parses the URI that fills s[start, end) exactly; null when malformed. Whitespace
 * anywhere makes it malformed (RFC 4475 §3.1.2.8, §3.1.2.14).
 */
export function parseUriRange(s: string, b: Uint8Array, start: number, end: number): Uri | null {
  const uri = readUri(s, b, start, end, true, true);
  return typeof uri === 'object' ? uri : null;
}

/**
 * Whether s[start, end) is exactly a well-formed URI, without building it; with `headers`
 * false a SIP URI must not carry `?headers` (RFC 3261 §19.1.1: not in a Request-URI).
 */
export function isUriRange(s: string, b: Uint8Array, start: number, end: number, headers = true): boolean {
  return readUri(s, b, start, end, false, headers) === end;
}

/**
 * Where the well-formed URI at s[start] stops (the first character that cannot continue it),
 * reading no further than `end`, without building it; -1 when there is none.
 */
export function uriEndAt(s: string, b: Uint8Array, start: number, end: number): number {
  return readUri(s, b, start, end, false, true) as number;
}

/** Parses a URI; null when it is malformed. */
export function parseUri(text: string): Uri | null {
  return parseUriRange(text, codesOf(text), 0, text.length);
}

function formatUriParam(name: string, value: string | null): string {
  return ';' + escape(name, PARAMCHAR) + (value === null ? '' : '=' + escape(value, PARAMCHAR));
}

export function formatUri(u: Uri): string {
  if (u.scheme === 'tel') {
    const t = u as TelUri;
    return 'tel:' + t.number + formatParams(t.params);
  }
  if (!isSipUri(u)) return u.scheme + ':' + (u as OtherUri).opaque;
  let out = u.scheme + ':';
  if (u.user !== undefined) {
    out += escape(u.user, USER);
    if (u.password !== undefined) out += ':' + escape(u.password, PASSWORD);
    out += '@';
  }
  out += u.host;
  if (u.port !== undefined) out += ':' + u.port;
  out += u.params.joined(formatUriParam);
  let sep = '?';
  for (const [k, v] of u.headers) {
    out += sep + escape(k, HNVCHAR) + '=' + escape(v, HNVCHAR);
    sep = '&';
  }
  return out;
}

/** Builds a sip: URI from parts; the usual way the stack makes Contact and target URIs. */
export function sipUri(user: string | undefined, host: string, port?: number, params?: Record<string, string | null>): SipUri {
  return { scheme: 'sip', user, host, port, params: Params.from(Object.entries(params ?? {})), headers: NO_HEADERS };
}
