// Small scanners shared by the header and URI parsers (RFC 3261 §25.1).
//
// They read character codes from a Uint8Array `b` whose b[i] is the code of s[i] (see
// codesOf), and slice values from the string `s`. Reading a typed array costs about half of
// what charCodeAt does (V8 checks a string's representation on every charCodeAt), and the
// parser can hand over the received bytes themselves for an ASCII message. They never read
// past the end: an out-of-range read makes V8 recompile the whole function with slower
// generic loads, so peeks go through at().

import { type Params, ParamsCollector } from './params.js';

/** Codes to scan `s` by: ASCII as is, everything else 0x80, which no table admits. */
export function codesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[i] = c < 0x80 ? c : 0x80;
  }
  return b;
}

/**
 * A 256-entry membership table: letters, digits and the listed characters. 256 entries so
 * that any byte indexes it; bytes above 0x7F are never members.
 */
export function charTable(extra: string): Uint8Array {
  const table = new Uint8Array(256);
  for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789' + extra) table[ch.charCodeAt(0)] = 1;
  return table;
}

/** Whether `c` (a char code, or -1) is in `table`; everything outside ASCII is not. */
export function inTable(table: Uint8Array, c: number): boolean {
  return c >= 0 && c < 128 && table[c] === 1;
}

/** The char code at `i`, or -1 at or past `end`. */
export function code(s: string, i: number, end = s.length): number {
  return i < end ? s.charCodeAt(i) : -1;
}

/** The code b[i], or -1 at or past `end`. */
export function at(b: Uint8Array, i: number, end = b.length): number {
  return i < end ? b[i] : -1;
}

// token (RFC 3261 §25.1).
export const TOKEN = charTable("-.!%*_+`'~");
// An unquoted gen-value: token plus the characters of hosts and IPv6 references, and leniently
// a few URI characters seen in the wild. Never ',' which separates list elements.
const PVALUE = charTable("-.!%*_+`'~:[]/@&=+$?()");

export function isToken(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!inTable(TOKEN, s.charCodeAt(i))) return false;
  return s.length > 0;
}

export function isWs(c: number): boolean {
  return c === 32 || c === 9;
}

export function skipWs(b: Uint8Array, i: number, end = b.length): number {
  while (i < end && isWs(b[i])) i++;
  return i;
}

/**
 * End of the run of `table` characters (a charTable()) starting at `i`, stopping at `end`.
 * Letters, in every charTable(), are admitted without reading the table: one typed-array
 * read per character fewer for the bulk of names and values.
 */
export function scan(table: Uint8Array, b: Uint8Array, i: number, end = b.length): number {
  for (; i < end; i++) {
    const c = b[i];
    if (((c | 0x20) - 97) >>> 0 >= 26 && table[c] !== 1) break;
  }
  return i;
}

/**
 * Value of the decimal digits in s[start, end), or -1 when the range is empty, holds a
 * non-digit or exceeds `max`. Leading zeros are fine (1*DIGIT, RFC 3261 §25.1).
 */
export function decimal(b: Uint8Array, start: number, end: number, max: number): number {
  if (start >= end) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = b[i] - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
    if (n > max) return -1;
  }
  return n;
}

/** End of the run of digits starting at `i`, stopping at `end`. */
export function digitsEnd(b: Uint8Array, i: number, end = b.length): number {
  while (i < end && b[i] >= 48 && b[i] <= 57) i++;
  return i;
}

/**
 * Whether b[start, end) is the three-letter word whose lower-case codes are l0 l1 l2, ignoring
 * ASCII case (see WordList). Cheaper than a WordList for the one word that nearly always comes.
 */
export function isWord3(b: Uint8Array, start: number, end: number, l0: number, l1: number, l2: number): boolean {
  return end - start === 3 && (b[start] | 0x20) === l0 && (b[start + 1] | 0x20) === l1 && (b[start + 2] | 0x20) === l2;
}

/**
 * A few words of letters, found in bytes ignoring ASCII case. Setting bit 0x20 lower-cases a
 * letter and turns no other byte into a letter, so comparing each byte with that bit set
 * against the lower-case word is exact.
 */
export class WordList {
  private readonly lowered: Uint8Array[];

  constructor(readonly words: readonly string[]) {
    if (words.some((w) => !/^[A-Za-z]+$/.test(w))) throw new Error('WordList takes letters only');
    this.lowered = words.map((w) => Buffer.from(w.toLowerCase(), 'latin1'));
  }

  /** The word b[start, end) spells, ignoring ASCII case; undefined when none. */
  match(b: Uint8Array, start: number, end: number): string | undefined {
    const len = end - start;
    const lowered = this.lowered;
    next: for (let w = 0; w < lowered.length; w++) {
      const word = lowered[w];
      if (word.length !== len) continue;
      for (let i = 0; i < len; i++) if ((b[start + i] | 0x20) !== word[i]) continue next;
      return this.words[w];
    }
    return undefined;
  }
}

/** A read position in s[i, end) (codes in `b`), advanced by the scanners below. */
export class Cursor {
  constructor(
    readonly s: string,
    readonly b: Uint8Array,
    public i = 0,
    readonly end = s.length,
  ) {}
}

/**
 * Index of the closing quote of the quoted-string that opens at `start`, honouring
 * backslash escapes (RFC 3261 §25.1 quoted-pair); -1 when unterminated before `end`.
 */
export function endOfQuoted(b: Uint8Array, start: number, end = b.length): number {
  for (let i = start + 1; i < end; i++) {
    const c = b[i];
    if (c === 92 /* \ */) i++;
    else if (c === 34 /* " */) return i;
  }
  return -1;
}

/** The content of the quoted-string from `open` to `close` (its quotes), quoted-pairs undone. */
export function unquoteRange(s: string, open: number, close: number): string {
  const inner = s.slice(open + 1, close);
  return inner.includes('\\') ? inner.replace(/\\(.)/gs, '$1') : inner;
}

/** Removes the quotes and quoted-pair escapes of a quoted-string. */
export function unquote(s: string): string {
  return s.length < 2 || s[0] !== '"' ? s : unquoteRange(s, 0, s.length - 1);
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
  const b = codesOf(s);
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = b[i];
    if (c === 34) {
      const end = endOfQuoted(b, i);
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

// Parameter names common enough to be worth recognising without allocating.
export const COMMON_PARAMS = new WordList(['branch', 'tag', 'rport', 'received', 'transport', 'lr', 'expires', 'q', 'maddr', 'user', 'ttl']);

/** The lower-case parameter name s[start, end); tag, which every From has, before the word list is searched. */
function paramName(s: string, b: Uint8Array, start: number, end: number): string {
  if (isWord3(b, start, end, 116, 97, 103) /* tag */) return 'tag';
  return COMMON_PARAMS.match(b, start, end) ?? s.slice(start, end).toLowerCase();
}

/**
 * Reads `*( SEMI name [ EQUAL value ] )` (RFC 3261 §25.1 generic-param) into `params`
 * (emptied first), names lower-cased and quoted values unquoted; with `params` null it only
 * checks them.
 * Stops before the first character after the parameters (and any whitespace), leaving
 * the cursor there; false when a parameter is empty or malformed (e.g. `;;` or `;a=`).
 */
export function scanParams(cur: Cursor, params: ParamsCollector | null): boolean {
  const { s, b, end } = cur;
  params?.clear();
  let i = skipWs(b, cur.i, end);
  while (at(b, i, end) === 59 /* ; */) {
    const nameStart = skipWs(b, i + 1, end);
    i = scan(TOKEN, b, nameStart, end);
    if (i === nameStart) return false;
    const name = params ? paramName(s, b, nameStart, i) : '';
    i = skipWs(b, i, end);
    if (at(b, i, end) !== 61 /* = */) {
      params?.add(name, null);
      continue;
    }
    i = skipWs(b, i + 1, end);
    if (at(b, i, end) === 34 /* " */) {
      const close = endOfQuoted(b, i, end);
      if (close < 0) return false;
      params?.add(name, unquoteRange(s, i, close));
      i = close + 1;
    } else {
      const valueStart = i;
      i = scan(PVALUE, b, i, end);
      if (i === valueStart) return false;
      params?.add(name, s.slice(valueStart, i));
    }
    i = skipWs(b, i, end);
  }
  cur.i = i;
  return true;
}

const parsedParams = new ParamsCollector();

/** Parses a whole string of `;name[=value]` pairs; null when malformed or followed by other text. */
export function parseParams(s: string): Params | null {
  const cur = new Cursor(s, codesOf(s));
  return scanParams(cur, parsedParams) && cur.i === s.length ? parsedParams.take() : null;
}

const PLAIN_VALUE = /^[\w.:\[\]\-+%@]+$/;

export function formatParams(params: Params): string {
  return params.joined(formatParam);
}

function formatParam(name: string, value: string | null): string {
  if (value === null) return ';' + name;
  return ';' + name + '=' + (isToken(value) || PLAIN_VALUE.test(value) ? value : quote(value));
}
