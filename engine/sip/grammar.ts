// Small scanners shared by the header and URI parsers (RFC 3261 §25.1).

// Token characters (RFC 3261 §25.1) as a lookup table for the hot scanners.
const TOKEN_TABLE = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~") TOKEN_TABLE[ch.charCodeAt(0)] = 1;
// Characters allowed in an unquoted parameter value: token plus those of hosts, IPv6 and
// URI escapes (RFC 3261 §25.1 gen-value / pvalue).
const PVALUE_TABLE = TOKEN_TABLE.slice();
for (const ch of ':[]/@&=+$,?()') PVALUE_TABLE[ch.charCodeAt(0)] = 1;

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || !TOKEN_TABLE[c]) return false;
  }
  return true;
}

/**
 * Index of the closing quote of the quoted-string that opens at `start`, honouring
 * backslash escapes (RFC 3261 §25.1 quoted-pair); -1 when unterminated.
 */
export function endOfQuoted(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
  }
  return -1;
}

/** Removes the quotes and quoted-pair escapes of a quoted-string. */
export function unquote(s: string): string {
  if (s.length < 2 || s[0] !== '"') return s;
  return s.slice(1, -1).replace(/\\(.)/g, '$1');
}

export function quote(s: string): string {
  return '"' + s.replace(/(["\\])/g, '\\$1') + '"';
}

/**
 * Splits at `sep` where it is not inside a quoted string or <...>, trimming each part.
 * Returns null when a quote or angle bracket is left open.
 */
export function splitTopLevel(s: string, sep: string): string[] | null {
  const parts: string[] = [];
  const sepCode = sep.charCodeAt(0);
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) {
      const end = endOfQuoted(s, i);
      if (end < 0) return null;
      i = end;
    } else if (c === 60 /* < */) depth++;
    else if (c === 62 /* > */) depth--;
    else if (c === sepCode && depth === 0) {
      parts.push(s.slice(from, i).trim());
      from = i + 1;
    }
  }
  if (depth !== 0) return null;
  parts.push(s.slice(from).trim());
  return parts;
}

export type Params = Map<string, string | null>;

function skipWs(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/**
 * Parses `;name[=value]` pairs (names lower-cased, quoted values unquoted).
 * Returns null on an empty or malformed parameter (e.g. `;;`) or on any other text.
 */
export function parseParams(s: string): Params | null {
  const params: Params = new Map();
  let i = skipWs(s, 0);
  while (i < s.length) {
    if (s.charCodeAt(i) !== 59 /* ; */) return null;
    i = skipWs(s, i + 1);
    const nameStart = i;
    while (i < s.length && s.charCodeAt(i) < 128 && TOKEN_TABLE[s.charCodeAt(i)]) i++;
    if (i === nameStart) return null;
    const name = s.slice(nameStart, i).toLowerCase();
    i = skipWs(s, i);
    if (i >= s.length || s.charCodeAt(i) !== 61 /* = */) {
      params.set(name, null);
      continue;
    }
    i = skipWs(s, i + 1);
    if (s.charCodeAt(i) === 34) {
      const end = endOfQuoted(s, i);
      if (end < 0) return null;
      params.set(name, unquote(s.slice(i, end + 1)));
      i = end + 1;
    } else {
      const valueStart = i;
      while (i < s.length && s.charCodeAt(i) < 128 && PVALUE_TABLE[s.charCodeAt(i)]) i++;
      if (i === valueStart) return null;
      params.set(name, s.slice(valueStart, i));
    }
    i = skipWs(s, i);
  }
  return params;
}

export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) {
    if (v === null) out += ';' + k;
    else out += ';' + k + '=' + (isToken(v) || /^[\w.:\[\]\-+%@]+$/.test(v) ? v : quote(v));
  }
  return out;
}
