// SIP digest authentication: RFC 3261 §22 (SIP's profile of RFC 2617), RFC 7616 (SHA-256,
// -sess variants) and RFC 8760 (SHA-256 for SIP). Pure functions on header value strings.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface ParsedDigest {
  scheme: 'Digest';
  /** Auth-param names lowercased, values unquoted and unescaped. */
  params: Record<string, string>;
}

const HASHES: Record<DigestAlgorithm, string> = {
  MD5: 'md5',
  'MD5-sess': 'md5',
  'SHA-256': 'sha256',
  'SHA-256-sess': 'sha256',
};

/** Canonical algorithm name for a directive value; absent means MD5 (RFC 7616 §3.3). */
export function parseAlgorithm(value: string | undefined): DigestAlgorithm | null {
  if (value === undefined) return 'MD5';
  const upper = value.toUpperCase();
  return (Object.keys(HASHES) as DigestAlgorithm[]).find((a) => a.toUpperCase() === upper) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Parsing and formatting

// token per RFC 3261 §25.1.
const TOKEN = /[A-Za-z0-9\-.!%*_+`'~]+/y;

const isCtl = (c: string) => c < ' ' || c === '\x7f';

/**
 * Parses a Digest challenge or credentials header value. Returns null for anything malformed,
 * for another scheme, for a duplicated parameter (RFC 7235 §2.1) or when there are no parameters.
 */
export function parseDigestHeader(value: string): ParsedDigest | null {
  // Unfold LWS (RFC 3261 §7.3.1); any CR or LF left afterwards is invalid.
  const s = value.replace(/\r?\n[ \t]+/g, ' ');
  let i = 0;
  const skipWs = () => {
    const start = i;
    while (s[i] === ' ' || s[i] === '\t') i++;
    return i > start;
  };
  const token = () => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (m) i = TOKEN.lastIndex;
    return m ? m[0] : null;
  };
  const quoted = () => {
    let out = '';
    for (i++; i < s.length; ) {
      let c = s[i++];
      if (c === '"') return out;
      if (c === '\\') {
        if (i === s.length) return null;
        c = s[i++]; // quoted-pair may escape anything but CR and LF
        if (c === '\r' || c === '\n') return null;
      } else if (isCtl(c) && c !== '\t') {
        return null;
      }
      out += c;
    }
    return null; // unterminated
  };

  skipWs();
  const scheme = token();
  if (scheme?.toLowerCase() !== 'digest' || !skipWs()) return null;
  const params = new Map<string, string>();
  for (;;) {
    const name = token()?.toLowerCase();
    skipWs();
    if (!name || s[i++] !== '=') return null;
    skipWs();
    const val = s[i] === '"' ? quoted() : token();
    if (val === null || params.has(name)) return null;
    params.set(name, val);
    skipWs();
    if (i === s.length) break;
    if (s[i++] !== ',') return null;
    skipWs();
  }
  return { scheme: 'Digest', params: Object.fromEntries(params) };
}

/** quoted-string per RFC 3261 §25.1; throws on control characters to prevent header injection. */
function quote(value: string): string {
  if (/[\0-\x08\n-\x1f\x7f]/.test(value)) {
    throw new RangeError(`control character in digest parameter: ${JSON.stringify(value)}`);
  }
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

export interface ChallengeOptions {
  realm: string;
  nonce: string;
  algorithm: DigestAlgorithm;
  qop?: 'auth';
  /** Emitted as stale=TRUE when true; absence means false (RFC 7616 §3.3). */
  stale?: boolean;
  opaque?: string;
}

/** WWW-Authenticate / Proxy-Authenticate value. */
export function formatChallenge(o: ChallengeOptions): string {
  const parts = [`realm=${quote(o.realm)}`, `nonce=${quote(o.nonce)}`];
  if (o.opaque !== undefined) parts.push(`opaque=${quote(o.opaque)}`);
  parts.push(`algorithm=${o.algorithm}`);
  if (o.qop) parts.push(`qop=${quote(o.qop)}`);
  if (o.stale) parts.push('stale=TRUE');
  return `Digest ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// Response computation (RFC 7616 §3.4.1-3.4.3, RFC 3261 §22.4)

/** Either the cleartext password or the stored HA1 = H(username ":" realm ":" password). */
export type DigestSecret = { password: string } | { ha1: string };

export type DigestResponseOptions = {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  method: string;
  uri: string;
  nonce: string;
  qop?: 'auth';
  /** 8 hex digits, e.g. "00000001". Required with qop. */
  nc?: string;
  /** Required with qop and for -sess algorithms. */
  cnonce?: string;
} & DigestSecret;

const hash = (algorithm: DigestAlgorithm, data: string) =>
  createHash(HASHES[algorithm]).update(data, 'utf8').digest('hex');

/** HA1 for storage by a registrar; the same value serves an algorithm and its -sess variant. */
export function computeHA1(algorithm: DigestAlgorithm, username: string, realm: string, password: string): string {
  return hash(algorithm, `${username}:${realm}:${password}`);
}

/** The request-digest as lowercase hex. Throws if qop or -sess is used without nc/cnonce. */
export function digestResponse(o: DigestResponseOptions): string {
  const { algorithm, nonce, cnonce } = o;
  let ha1 = 'ha1' in o ? o.ha1.toLowerCase() : computeHA1(algorithm, o.username, o.realm, o.password);
  if (algorithm.endsWith('-sess')) {
    if (cnonce === undefined) throw new TypeError(`${algorithm} requires a cnonce`);
    ha1 = hash(algorithm, `${ha1}:${nonce}:${cnonce}`);
  }
  const ha2 = hash(algorithm, `${o.method}:${o.uri}`);
  if (!o.qop) return hash(algorithm, `${ha1}:${nonce}:${ha2}`); // RFC 2069 compatibility
  if (o.nc === undefined || cnonce === undefined) throw new TypeError('qop=auth requires nc and cnonce');
  return hash(algorithm, `${ha1}:${nonce}:${o.nc}:${cnonce}:${o.qop}:${ha2}`);
}

// ---------------------------------------------------------------------------------------------
// Stateless nonces

const TS_BYTES = 6; // milliseconds since the epoch, good until the year 10889
const RAND_BYTES = 16;
const MAC_BYTES = 32;
const NONCE_RE = new RegExp(`^[A-Za-z0-9_-]{${((TS_BYTES + RAND_BYTES + MAC_BYTES) * 4) / 3}}$`);
const NC_RE = /^[0-9a-fA-F]{8}$/;

export interface NonceManagerOptions {
  /** HMAC key; share it between nodes that must accept each other's nonces. Random by default. */
  secret?: Buffer;
  lifetimeMs: number;
  now?: () => number;
  /** Most nonces whose nonce-count is tracked at once (default 10000). */
  maxTracked?: number;
}

export type NonceStatus = 'valid' | 'stale' | 'invalid';

/**
 * Issues nonces of the form base64url(timestamp | random | HMAC-SHA256(secret, timestamp | random)),
 * so checking them needs no per-nonce state. Only nonce-count replay tracking keeps state.
 */
export class NonceManager {
  private readonly secret: Buffer;
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  private readonly maxTracked: number;
  /** nonce -> highest nonce-count accepted for it, and its issue time. */
  private readonly counts = new Map<string, { nc: number; issued: number }>();
  /** Nonces issued at or before this time are refused if untracked: their history may be evicted. */
  private forgottenUpTo = -Infinity;

  constructor(o: NonceManagerOptions) {
    this.secret = o.secret ?? randomBytes(32);
    this.lifetimeMs = o.lifetimeMs;
    this.now = o.now ?? Date.now;
    this.maxTracked = o.maxTracked ?? 10_000;
  }

  issue(): string {
    const payload = Buffer.alloc(TS_BYTES + RAND_BYTES);
    payload.writeUIntBE(this.now(), 0, TS_BYTES);
    randomBytes(RAND_BYTES).copy(payload, TS_BYTES);
    return Buffer.concat([payload, this.mac(payload)]).toString('base64url');
  }

  check(nonce: string): NonceStatus {
    const issued = this.issuedAt(nonce);
    if (issued === null) return 'invalid';
    return this.isFresh(issued) ? 'valid' : 'stale';
  }

  /**
   * Records nc (8 hex digits) for a valid nonce; false when the nonce is not valid or nc is not
   * higher than every count accepted before for it, i.e. a replay (RFC 7616 §3.4).
   */
  acceptNonceCount(nonce: string, nc: string): boolean {
    const issued = this.issuedAt(nonce);
    if (issued === null || !this.isFresh(issued) || !NC_RE.test(nc)) return false;
    const count = parseInt(nc, 16);
    const entry = this.counts.get(nonce);
    if (entry) {
      if (count <= entry.nc) return false;
      entry.nc = count;
      return true;
    }
    if (issued <= this.forgottenUpTo) return false;
    if (this.counts.size >= this.maxTracked) this.evict();
    this.counts.set(nonce, { nc: count, issued });
    return true;
  }

  private evict(): void {
    for (const [nonce, { issued }] of this.counts) if (!this.isFresh(issued)) this.counts.delete(nonce);
    if (this.counts.size < this.maxTracked) return;
    // Still full of live nonces: drop the first tracked one and refuse it from now on.
    const [nonce, { issued }] = this.counts.entries().next().value!;
    this.counts.delete(nonce);
    this.forgottenUpTo = Math.max(this.forgottenUpTo, issued);
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(payload).digest();
  }

  /** Issue time of an authentic nonce, or null. */
  private issuedAt(nonce: string): number | null {
    if (!NONCE_RE.test(nonce)) return null;
    const raw = Buffer.from(nonce, 'base64url');
    const payload = raw.subarray(0, TS_BYTES + RAND_BYTES);
    if (!timingSafeEqual(raw.subarray(TS_BYTES + RAND_BYTES), this.mac(payload))) return null;
    return payload.readUIntBE(0, TS_BYTES);
  }

  /** A nonce from the future (clock stepped back) is treated like an expired one. */
  private isFresh(issued: number): boolean {
    const age = this.now() - issued;
    return age >= 0 && age <= this.lifetimeMs;
  }
}

// ---------------------------------------------------------------------------------------------
// Server side

export type VerifyFailure = 'stale' | 'bad-response' | 'bad-realm' | 'bad-nonce' | 'malformed' | 'unsupported-algorithm';

export type VerifyResult = { ok: true; username: string } | { ok: false; reason: VerifyFailure };

export type VerifyOptions = {
  /** params of the parsed Authorization / Proxy-Authorization value. */
  header: Readonly<Record<string, string | undefined>>;
  method: string;
  realm: string;
  nonces: NonceManager;
  /** Algorithms accepted; all supported ones by default. */
  algorithms?: readonly DigestAlgorithm[];
} & DigestSecret; // the secret of header.username; an ha1 must match the header's algorithm

/**
 * Checks credentials against the request. 'stale' is only reported when the digest itself is right
 * (RFC 7616 §3.3), so a client can retry with a fresh nonce without asking the user again.
 */
export function verifyAuthorization(o: VerifyOptions): VerifyResult {
  const { username, realm, nonce, uri, response, qop, nc, cnonce } = o.header;
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return fail('malformed');
  }
  // nc and cnonce go together with qop, which must be one we offer (RFC 7616 §3.4).
  if (qop === undefined) {
    if (nc !== undefined || cnonce !== undefined) return fail('malformed');
  } else if (qop !== 'auth' || nc === undefined || !NC_RE.test(nc) || cnonce === undefined) {
    return fail('malformed');
  }
  const algorithm = parseAlgorithm(o.header.algorithm);
  if (!algorithm || (o.algorithms && !o.algorithms.includes(algorithm))) return fail('unsupported-algorithm');
  // -sess needs a cnonce (RFC 7616 §3.4.2), which is only sent with qop (RFC 2617 §3.2.2).
  if (algorithm.endsWith('-sess') && qop === undefined) return fail('malformed');
  if (realm !== o.realm) return fail('bad-realm');
  const status = o.nonces.check(nonce);
  if (status === 'invalid') return fail('bad-nonce');

  const secret: DigestSecret = 'ha1' in o ? { ha1: o.ha1 } : { password: o.password };
  const expected = digestResponse({ algorithm, username, realm, method: o.method, uri, nonce, qop, nc, cnonce, ...secret });
  const got = Buffer.from(response.toLowerCase());
  if (got.length !== expected.length || !timingSafeEqual(got, Buffer.from(expected))) return fail('bad-response');

  if (status === 'stale') return fail('stale');
  // A repeated nc means a replayed request; like an expired nonce, answer with a fresh challenge.
  if (nc !== undefined && !o.nonces.acceptNonceCount(nonce, nc)) return fail('stale');
  return { ok: true, username };
}

const fail = (reason: VerifyFailure): VerifyResult => ({ ok: false, reason });

// ---------------------------------------------------------------------------------------------
// Client side

export interface BuildAuthorizationOptions {
  /** params of the parsed WWW-Authenticate / Proxy-Authenticate value. */
  challenge: Readonly<Record<string, string | undefined>>;
  username: string;
  password: string;
  method: string;
  uri: string;
  /** Random by default. */
  cnonce?: string;
  /** Nonce-count for this nonce, starting at 1 (default). */
  nc?: number;
}

/** Authorization / Proxy-Authorization value answering a challenge. Throws if it cannot be answered. */
export function buildAuthorization(o: BuildAuthorizationOptions): string {
  const { realm, nonce, opaque } = o.challenge;
  if (realm === undefined || nonce === undefined) throw new TypeError('challenge lacks realm or nonce');
  const algorithm = parseAlgorithm(o.challenge.algorithm);
  if (!algorithm) throw new TypeError(`unsupported digest algorithm ${o.challenge.algorithm}`);
  // qop in a challenge is a quoted, comma-separated list (RFC 7616 §3.3).
  const offered = o.challenge.qop?.split(',').map((q) => q.trim().toLowerCase());
  if (offered && !offered.includes('auth')) throw new TypeError(`unsupported qop ${o.challenge.qop}`);
  if (!offered && algorithm.endsWith('-sess')) throw new TypeError(`${algorithm} without qop`);
  const qop = offered ? 'auth' : undefined;
  const cnonce = o.cnonce ?? randomBytes(16).toString('hex');
  const nc = (o.nc ?? 1).toString(16).padStart(8, '0');
  const { username, method, uri, password } = o;
  const response = digestResponse({ algorithm, username, realm, method, uri, nonce, qop, nc, cnonce, password });

  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(realm)}`,
    `nonce=${quote(nonce)}`,
    `uri=${quote(uri)}`,
    `response=${quote(response)}`,
    `algorithm=${algorithm}`,
  ];
  if (opaque !== undefined) parts.push(`opaque=${quote(opaque)}`);
  if (qop) parts.push(`cnonce=${quote(cnonce)}`, `qop=${qop}`, `nc=${nc}`); // qop, nc unquoted (RFC 3261 §25.1)
  return `Digest ${parts.join(', ')}`;
}
