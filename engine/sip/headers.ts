// Header names and the structured header values the stack reads (RFC 3261 §7.3, §20).
import { type Params, endOfQuoted, isToken, parseParams, formatParams, splitTopLevel, unquote, quote } from './grammar.js';
import { type Uri, parseUri, formatUri } from './uri.js';

// RFC 3261 §7.3.3 compact forms, plus those registered later (RFC 3515, 3892, 3265, 3841, 4028).
const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', u: 'allow-events',
  r: 'refer-to', b: 'referred-by', x: 'session-expires', a: 'accept-contact', j: 'reject-contact',
  d: 'request-disposition', y: 'identity',
};

const DISPLAY: Record<string, string> = {
  'call-id': 'Call-ID', cseq: 'CSeq', 'www-authenticate': 'WWW-Authenticate', 'mime-version': 'MIME-Version',
  'rseq': 'RSeq', 'rack': 'RAck',
};

/** Lower-case long form of a header name: the key headers are stored under. */
const keyCache = new Map<string, string>();
export function headerKey(name: string): string {
  let key = keyCache.get(name);
  if (key === undefined) {
    const lower = name.toLowerCase();
    key = lower.length === 1 ? (COMPACT[lower] ?? lower) : lower;
    // Bounded: peers choose header names, so the cache must not grow without limit.
    if (keyCache.size < 2000) keyCache.set(name, key);
  }
  return key;
}

const displayCache = new Map<string, string>();
/** The conventional spelling of a header name for output (`call-id` → `Call-ID`). */
export function headerDisplayName(key: string): string {
  let d = displayCache.get(key);
  if (d === undefined) {
    d = DISPLAY[key] ?? key.replace(/(^|-)([a-z])/g, (_m, dash: string, ch: string) => dash + ch.toUpperCase());
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

// ---------------------------------------------------------------- Via (RFC 3261 §20.42)

export interface Via {
  protocol: string; // e.g. 'SIP/2.0'
  transport: string; // upper case: UDP, TCP, TLS, SCTP, WS, WSS
  host: string;
  port?: number;
  params: Params;
}

/** Reads `name / version / transport` allowing LWS around the slashes (RFC 3261 §20.42). */
function viaSentProtocol(s: string): { parts: string[]; rest: number } | null {
  const parts: string[] = [];
  let i = 0;
  for (let n = 0; n < 3; n++) {
    while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++;
    const start = i;
    while (i < s.length && s.charCodeAt(i) !== 47 && s.charCodeAt(i) !== 32 && s.charCodeAt(i) !== 9) i++;
    const part = s.slice(start, i);
    if (!isToken(part)) return null;
    parts.push(part);
    while (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9) i++;
    if (n < 2) {
      if (s.charCodeAt(i) !== 47) return null;
      i++;
    }
  }
  return { parts, rest: i };
}

const VIA_HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-.]+)$/;

export function parseVia(value: string): Via | null {
  const head = viaSentProtocol(value);
  if (!head) return null;
  const rest = value.slice(head.rest);
  const semi = rest.indexOf(';');
  const sentBy = (semi < 0 ? rest : rest.slice(0, semi)).trim();
  const params = parseParams(semi < 0 ? '' : rest.slice(semi));
  if (!params || sentBy === '') return null;
  let host = sentBy;
  let port: number | undefined;
  const colon = sentBy.lastIndexOf(':');
  if (colon > 0 && sentBy.indexOf(']', colon) < 0) {
    host = sentBy.slice(0, colon).trimEnd();
    const portText = sentBy.slice(colon + 1).trimStart();
    if (!/^\d{1,5}$/.test(portText)) return null;
    port = Number(portText);
    if (port > 65535) return null;
  }
  if (!VIA_HOST.test(host)) return null;
  const rport = params.get('rport');
  if (rport !== undefined && rport !== null && !/^\d{1,5}$/.test(rport)) return null;
  const ttl = params.get('ttl');
  if (ttl !== undefined && (ttl === null || !/^\d{1,3}$/.test(ttl) || Number(ttl) > 255)) return null;
  const parts = head.parts;
  return { protocol: (parts[0] + '/' + parts[1]).toUpperCase(), transport: parts[2].toUpperCase(), host: host.toLowerCase(), port, params };
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

/** Parses `"Name" <uri>;params`, `Name <uri>;params` or `uri;params`. Null when malformed. */
export function parseNameAddr(value: string): NameAddr | null {
  const s = value.trim();
  let displayName: string | undefined;
  let i = 0;
  if (s[0] === '"') {
    const end = endOfQuoted(s, 0);
    if (end < 0) return null;
    displayName = unquote(s.slice(0, end + 1));
    i = end + 1;
  }
  const lt = s.indexOf('<', i);
  if (lt >= 0) {
    const between = s.slice(i, lt).trim();
    if (displayName !== undefined && between !== '') return null;
    if (displayName === undefined && between !== '') {
      // An unquoted display name is a sequence of tokens (RFC 3261 §25.1 display-name).
      if (!between.split(/\s+/).every(isToken)) return null;
      displayName = between;
    }
    const gt = s.indexOf('>', lt);
    if (gt < 0) return null;
    const uri = parseUri(s.slice(lt + 1, gt));
    const params = parseParams(s.slice(gt + 1));
    if (!uri || !params) return null;
    return { displayName, uri, params };
  }
  if (displayName !== undefined) return null;
  // addr-spec: parameters after the URI belong to the header, and the URI must not
  // carry `?headers` or `;` params of its own (RFC 3261 §20.10).
  const semi = s.indexOf(';');
  const uriText = semi < 0 ? s : s.slice(0, semi);
  if (uriText.includes('?') || uriText.includes(',')) return null;
  const uri = parseUri(uriText);
  const params = parseParams(semi < 0 ? '' : s.slice(semi));
  if (!uri || !params) return null;
  return { uri, params };
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
  const m = /^\s*(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)\s*$/.exec(value);
  if (!m) return null;
  const seq = Number(m[1]);
  // The sequence number MUST be less than 2**31 (RFC 3261 §8.1.1.5).
  if (seq >= 2 ** 31) return null;
  return { seq, method: m[2] };
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
