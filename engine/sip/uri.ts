// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966). Other schemes are kept opaque so a
// request to an unknown scheme can be answered 416 instead of 400 (RFC 4475 §3.3.3).
import { type Params, parseParams, formatParams } from './grammar.js';

export interface SipUri {
  scheme: 'sip' | 'sips';
  /** Unescaped user part; undefined when the URI has no userinfo. */
  user?: string;
  password?: string;
  host: string;
  port?: number;
  params: Params;
  /** URI headers (`?name=value&...`), unescaped. */
  headers: Map<string, string>;
}

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

const HEX = /^[0-9A-Fa-f]{2}$/;

/** Decodes %HH escapes; null when an escape is malformed. */
export function unescapeUriPart(s: string): string | null {
  if (!s.includes('%')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i];
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!HEX.test(hex)) return null;
    out += String.fromCharCode(parseInt(hex, 16));
    i += 2;
  }
  return out;
}

// Characters allowed unescaped in the user part (RFC 3261 §25.1 user = unreserved / user-unreserved).
const USER_SAFE = /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/;
function escapeUser(s: string): string {
  let out = '';
  for (const ch of s) {
    out += USER_SAFE.test(ch) ? ch : '%' + ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

// Host names and IPv4 addresses (RFC 3261 §25.1 hostname / IPv4address), checked loosely.
const HOSTNAME = /^[A-Za-z0-9][A-Za-z0-9\-.]*$/;
const IPV6_REF = /^\[[0-9A-Fa-f:.]+\]$/;

function parseHostPort(s: string): { host: string; port?: number } | null {
  let host: string;
  let portText: string | undefined;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    host = s.slice(0, close + 1);
    const rest = s.slice(close + 1);
    if (rest !== '') {
      if (rest[0] !== ':') return null;
      portText = rest.slice(1);
    }
    if (!IPV6_REF.test(host)) return null;
  } else {
    const colon = s.indexOf(':');
    host = colon < 0 ? s : s.slice(0, colon);
    if (colon >= 0) portText = s.slice(colon + 1);
    if (!HOSTNAME.test(host)) return null;
  }
  if (portText === undefined) return { host: host.toLowerCase() };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port > 65535) return null;
  return { host: host.toLowerCase(), port };
}

function parseSipUri(scheme: 'sip' | 'sips', rest: string): SipUri | null {
  let userinfo: string | undefined;
  let afterUser = rest;
  const at = rest.indexOf('@');
  if (at >= 0) {
    userinfo = rest.slice(0, at);
    afterUser = rest.slice(at + 1);
  }
  const q = afterUser.indexOf('?');
  const headerText = q < 0 ? '' : afterUser.slice(q + 1);
  const beforeHeaders = q < 0 ? afterUser : afterUser.slice(0, q);
  const semi = beforeHeaders.indexOf(';');
  const hostport = semi < 0 ? beforeHeaders : beforeHeaders.slice(0, semi);
  const hp = parseHostPort(hostport);
  if (!hp) return null;
  const params = parseParams(semi < 0 ? '' : beforeHeaders.slice(semi));
  if (!params) return null;
  const uri: SipUri = { scheme, host: hp.host, port: hp.port, params, headers: new Map() };
  if (userinfo !== undefined) {
    if (userinfo === '') return null;
    const colon = userinfo.indexOf(':');
    const user = unescapeUriPart(colon < 0 ? userinfo : userinfo.slice(0, colon));
    if (user === null || user === '') return null;
    uri.user = user;
    if (colon >= 0) {
      const password = unescapeUriPart(userinfo.slice(colon + 1));
      if (password === null) return null;
      uri.password = password;
    }
  }
  if (headerText !== '') {
    for (const pair of headerText.split('&')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return null;
      const name = unescapeUriPart(pair.slice(0, eq));
      const value = unescapeUriPart(pair.slice(eq + 1));
      if (name === null || value === null) return null;
      uri.headers.set(name, value);
    }
  }
  return uri;
}

/** Parses a URI; null when it is malformed. Whitespace anywhere makes it malformed. */
export function parseUri(text: string): Uri | null {
  if (text === '' || /[\s<>"]/.test(text)) return null;
  const colon = text.indexOf(':');
  if (colon <= 0) return null;
  const scheme = text.slice(0, colon).toLowerCase();
  if (!/^[a-z][a-z0-9+\-.]*$/.test(scheme)) return null;
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest);
  if (scheme === 'tel') {
    const semi = rest.indexOf(';');
    const number = semi < 0 ? rest : rest.slice(0, semi);
    const params = parseParams(semi < 0 ? '' : rest.slice(semi));
    if (!params || !/^[+]?[0-9A-Fa-f*#\-.()pw]+$/.test(number)) return null;
    return { scheme: 'tel', number, params };
  }
  if (rest === '') return null;
  return { scheme, opaque: rest };
}

export function formatUri(u: Uri): string {
  if (u.scheme === 'tel') {
    const t = u as TelUri;
    return 'tel:' + t.number + formatParams(t.params);
  }
  if (!isSipUri(u)) return u.scheme + ':' + (u as OtherUri).opaque;
  let out = u.scheme + ':';
  if (u.user !== undefined) {
    out += escapeUser(u.user);
    if (u.password !== undefined) out += ':' + encodeURIComponent(u.password);
    out += '@';
  }
  out += u.host;
  if (u.port !== undefined) out += ':' + u.port;
  out += formatParams(u.params);
  if (u.headers.size) {
    out += '?' + [...u.headers].map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
  }
  return out;
}

/** Builds a sip: URI from parts; the usual way the stack makes Contact and target URIs. */
export function sipUri(user: string | undefined, host: string, port?: number, params?: Record<string, string | null>): SipUri {
  return { scheme: 'sip', user, host, port, params: new Map(Object.entries(params ?? {})), headers: new Map() };
}
