// Digest authentication of calls from local users (RFC 3261 §22.3): an initial INVITE whose
// From is one of our SIP users must carry Proxy-Authorization with that user's password, or
// it is answered 407 Proxy-Authenticate (the engine is a B2BUA, so it challenges like a proxy:
// the request's target is not the engine itself). Calls from other numbers (callers from
// outside) pass. Which users and trunks are challenged is configurable.
import { DigestChallenger } from './auth/challenger.js';
import type { DigestAlgorithm } from './auth/digest.js';
import type { IncomingRequest, ServerResponse } from './incoming.js';
import { isSipUri } from './uri.js';

export interface InviteAuthOptions {
  realm: string;
  /** user → password */
  users: ReadonlyMap<string, string>;
  algorithms: DigestAlgorithm[];
  nonceLifetimeMs?: number;
  /** Challenge local users' INVITEs (the default for every user). */
  challenge: boolean;
  /** Per-extension override of `challenge`. */
  perUser?: Readonly<Record<string, boolean>>;
  /** Source addresses whose INVITEs are never challenged (trunk gateways, which cannot answer). */
  trustedAddresses?: ReadonlySet<string>;
}

export class InviteAuth {
  private readonly challenger: DigestChallenger;

  constructor(private readonly o: InviteAuthOptions) {
    this.challenger = new DigestChallenger({ kind: 'proxy', realm: o.realm, users: o.users, algorithms: o.algorithms, nonceLifetimeMs: o.nonceLifetimeMs });
  }

  /** Whether INVITEs from `user` are challenged. */
  challenges(user: string): boolean {
    return this.o.users.has(user) && (this.o.perUser?.[user] ?? this.o.challenge);
  }

  /**
   * True: route the INVITE on (authenticated, or not one to challenge). False: it has been
   * answered (407 challenge, or 403 after a second wrong answer).
   */
  admit(req: IncomingRequest, res: ServerResponse): boolean {
    const from = req.msg.from;
    const user = from && isSipUri(from.uri) ? from.uri.user : undefined;
    if (!user || !this.challenges(user) || this.o.trustedAddresses?.has(req.source.remote.address)) return true;
    return this.challenger.check(user, req, res);
  }
}
