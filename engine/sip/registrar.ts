// Registrar (RFC 3261 §10.3) with digest authentication (RFC 7616, RFC 8760).
import { DigestChallenger } from './auth/challenger.js';
import type { DigestAlgorithm } from './auth/digest.js';
import { contactUri } from './dialog.js';
import type { IncomingRequest, ServerResponse } from './incoming.js';
import { isSipUri } from './uri.js';
import type { SendTarget } from './transport/types.js';
import { targetFromUri } from './target.js';

export interface RegistrarOptions {
  realm: string;
  /** user → password */
  users: ReadonlyMap<string, string>;
  algorithms?: DigestAlgorithm[];
  minExpires?: number;
  maxExpires?: number;
  defaultExpires?: number;
  nonceLifetimeMs?: number;
  /** Unknown users get 403 like a bad password (true) or 404 (false). */
  hideUnknownUsers?: boolean;
  now?: () => number;
}

export interface Binding {
  aor: string;
  contact: string;
  /** Where requests for this contact go: the contact URI, or the REGISTER's source when NATed. */
  target: SendTarget;
  expiresAt: number;
  callId: string;
  cseq: number;
  q: number;
}

export class Registrar {
  private readonly bindings = new Map<string, Binding[]>();
  private readonly auth: DigestChallenger;
  private readonly now: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  onChange?: (aor: string, bindings: readonly Binding[]) => void;

  constructor(private readonly opts: RegistrarOptions) {
    this.now = opts.now ?? Date.now;
    this.auth = new DigestChallenger({
      kind: 'www',
      realm: opts.realm,
      users: opts.users,
      algorithms: opts.algorithms ?? ['SHA-256', 'MD5'],
      nonceLifetimeMs: opts.nonceLifetimeMs,
      hideUnknownUsers: opts.hideUnknownUsers,
      now: this.now,
    });
    this.sweepTimer = setInterval(() => this.sweep(), 5000).unref();
  }

  close(): void {
    clearInterval(this.sweepTimer);
  }

  hasUser(user: string): boolean {
    return this.opts.users.has(user);
  }

  /** Live bindings of a user, best q first. */
  lookup(user: string): Binding[] {
    const list = this.bindings.get(user);
    if (!list) return [];
    const now = this.now();
    return list.filter((b) => b.expiresAt > now).sort((a, b) => b.q - a.q);
  }

  get size(): number {
    let n = 0;
    for (const list of this.bindings.values()) n += list.length;
    return n;
  }

  handle(req: IncomingRequest, res: ServerResponse): void {
    const to = req.msg.to!;
    const user = isSipUri(to.uri) ? to.uri.user : undefined;
    if (!user) {
      res.send(404, { reason: 'Not Found' });
      return;
    }
    if (!this.auth.check(user, req, res)) return;

    const contacts = req.msg.contacts();
    if (!contacts) {
      res.send(400, { reason: 'Bad Contact' });
      return;
    }
    const headerExpires = req.get('expires');
    const callId = req.callId;
    const cseq = req.msg.cseq!.seq;
    const existing = this.lookup(user);
    if (contacts.star) {
      // §10.3 step 6: `*` only with Expires: 0, and it removes every binding.
      if (headerExpires === undefined || Number(headerExpires) !== 0 || req.msg.getAll('contact').length !== 1) {
        res.send(400, { reason: 'Invalid Wildcard' });
        return;
      }
      this.bindings.delete(user);
      this.onChange?.(user, []);
      res.send(200);
      return;
    }
    const updated = [...existing];
    const now = this.now();
    for (const c of contacts.list) {
      const expiresParam = c.params.get('expires');
      const requested = Number(expiresParam ?? headerExpires ?? this.opts.defaultExpires ?? 3600);
      const uriText = contactUri(req.msg.getAll('contact')[contacts.list.indexOf(c)]);
      const index = updated.findIndex((b) => b.contact === uriText);
      const prior = index >= 0 ? updated[index] : undefined;
      // §10.3 step 7: an older CSeq within the same Call-ID is out of order.
      if (prior && prior.callId === callId && cseq <= prior.cseq) {
        res.send(500, { reason: 'Out Of Order Registration' });
        return;
      }
      if (requested === 0) {
        if (index >= 0) updated.splice(index, 1);
        continue;
      }
      if (requested < (this.opts.minExpires ?? 60)) {
        res.send(423, { headers: { 'Min-Expires': String(this.opts.minExpires ?? 60) } });
        return;
      }
      const expires = Math.min(requested, this.opts.maxExpires ?? 7200);
      const binding: Binding = {
        aor: user,
        contact: uriText,
        target: this.targetFor(uriText, req),
        expiresAt: now + expires * 1000,
        callId,
        cseq,
        q: Number(c.params.get('q') ?? 1),
      };
      if (index >= 0) updated[index] = binding;
      else updated.push(binding);
    }
    if (updated.length) this.bindings.set(user, updated);
    else this.bindings.delete(user);
    if (contacts.list.length) this.onChange?.(user, updated);
    const contactLines = updated.map((b) => `<${b.contact}>;expires=${Math.max(0, Math.round((b.expiresAt - now) / 1000))}`);
    res.send(200, { headers: contactLines.length ? { Contact: contactLines, Date: new Date(now).toUTCString() } : { Date: new Date(now).toUTCString() } });
  }

  /** Where to reach a contact: a UA behind NAT is reached at the REGISTER's source (RFC 3581 spirit). */
  private targetFor(contact: string, req: IncomingRequest): SendTarget {
    const source = req.source;
    try {
      const t = targetFromUri(contact);
      if (t.address === source.remote.address && t.port === source.remote.port) return { ...t, connectionId: source.connectionId };
      return source.protocol === 'tcp' ? { ...t, protocol: 'tcp', connectionId: source.connectionId } : t;
    } catch {
      return { protocol: source.protocol, address: source.remote.address, port: source.remote.port, connectionId: source.connectionId };
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [aor, list] of this.bindings) {
      const live = list.filter((b) => b.expiresAt > now);
      if (live.length === list.length) continue;
      if (live.length) this.bindings.set(aor, live);
      else this.bindings.delete(aor);
      this.onChange?.(aor, live);
    }
  }
}
