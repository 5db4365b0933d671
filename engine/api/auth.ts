// Token auth with roles (issue 5): agent (own state and calls), supervisor (their groups),
// admin (everything). Fixed tokens come from the config; agents get session tokens by logging
// in with their SIP credentials.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError } from './http.js';
import type { Principal, Role } from './principal.js';

export type { Principal, Role };

export interface ConfiguredToken extends Principal {
  token: string;
}

export class Tokens {
  private readonly sessions = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly fixed: ConfiguredToken[],
    private readonly sessionMs = 12 * 3600_000,
  ) {}

  issue(principal: Principal): string {
    const token = randomBytes(24).toString('base64url');
    this.sessions.set(token, { principal, expiresAt: Date.now() + this.sessionMs });
    return token;
  }

  revoke(token: string): void {
    this.sessions.delete(token);
  }

  resolve(token: string | null): Principal | null {
    if (!token) return null;
    const session = this.sessions.get(token);
    if (session) {
      if (session.expiresAt > Date.now()) return session.principal;
      this.sessions.delete(token);
      return null;
    }
    const hit = this.fixed.find((f) => sameSecret(f.token, token));
    return hit ? { role: hit.role, name: hit.name, agentId: hit.agentId, groups: hit.groups, extension: hit.extension } : null;
  }

  /** The caller's principal, or 401; with `roles`, 403 unless the caller has one of them. */
  require(token: string | null, ...roles: Role[]): Principal {
    const principal = this.resolve(token);
    if (!principal) throw new HttpError(401, 'unauthorized', 'a valid bearer token is required');
    if (roles.length && !roles.includes(principal.role)) throw new HttpError(403, 'forbidden', `this needs the role ${roles.join(' or ')}`);
    return principal;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares secrets in constant time (over their digests, so lengths leak nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
