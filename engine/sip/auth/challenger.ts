// The server side of digest authentication for one kind of challenge: 401 WWW-Authenticate /
// Authorization from a registrar or user agent server (RFC 3261 §22.2), or 407
// Proxy-Authenticate / Proxy-Authorization from a proxy or B2BUA (§22.3), with RFC 7616
// digests over stateless nonces. Shared by the registrar (REGISTER) and INVITE checks.
import type { IncomingRequest, ServerResponse } from '../incoming.js';
import { formatChallenge, NonceManager, parseDigestHeader, verifyAuthorization, type DigestAlgorithm } from './digest.js';

export type ChallengeKind = 'www' | 'proxy';

const FIELDS = {
  www: { status: 401, challenge: 'WWW-Authenticate', credentials: 'authorization' },
  proxy: { status: 407, challenge: 'Proxy-Authenticate', credentials: 'proxy-authorization' },
} as const;

export interface ChallengerOptions {
  kind: ChallengeKind;
  realm: string;
  /** user → password */
  users: ReadonlyMap<string, string>;
  /** Offered in this order, one challenge header each (most phones answer only the first). */
  algorithms: DigestAlgorithm[];
  nonceLifetimeMs?: number;
  /** Unknown users get 403 like a bad password (true) or 404 (false). */
  hideUnknownUsers?: boolean;
  now?: () => number;
}

export class DigestChallenger {
  private readonly nonces: NonceManager;
  /** Failed attempts per user and source: the first bad answer is re-challenged, the next gets 403. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly o: ChallengerOptions) {
    this.nonces = new NonceManager({ lifetimeMs: o.nonceLifetimeMs ?? 300_000, now: o.now });
  }

  /** True when `req` carries valid credentials of `user`; otherwise it answers the request (challenge, 403 or 404) and returns false. */
  check(user: string, req: IncomingRequest, res: ServerResponse): boolean {
    const fields = FIELDS[this.o.kind];
    const header = req.get(fields.credentials);
    const challenge = (stale: boolean): void => {
      const values = this.o.algorithms.map((algorithm) => formatChallenge({ realm: this.o.realm, nonce: this.nonces.issue(), algorithm, qop: 'auth', stale }));
      res.send(fields.status, { headers: { [fields.challenge]: values } });
    };
    if (!header) {
      challenge(false);
      return false;
    }
    const parsed = parseDigestHeader(header);
    if (!parsed || parsed.params.username !== user || !parsed.params.nonce) {
      res.send(403, { reason: 'Forbidden' });
      return false;
    }
    const password = this.o.users.get(user);
    const failureKey = `${user}|${req.source.remote.address}:${req.source.remote.port}`;
    const reject = (): boolean => {
      // The first wrong answer on a nonce is re-challenged (the phone may have used an old
      // password); a second one is refused.
      const count = (this.failures.get(failureKey) ?? 0) + 1;
      this.failures.set(failureKey, count);
      if (this.failures.size > 10_000) this.failures.clear();
      if (count >= 2) {
        this.failures.delete(failureKey);
        res.send(403, { reason: 'Forbidden' });
      } else {
        challenge(false);
      }
      return false;
    };
    if (password === undefined) {
      if (this.o.hideUnknownUsers === false) {
        res.send(404, { reason: 'Not Found' });
        return false;
      }
      return reject();
    }
    const result = verifyAuthorization({ header: parsed.params, method: req.method, realm: this.o.realm, nonces: this.nonces, password, algorithms: this.o.algorithms });
    if (result.ok) {
      this.failures.delete(failureKey);
      return true;
    }
    if (result.reason === 'stale') {
      challenge(true);
      return false;
    }
    return reject();
  }
}
