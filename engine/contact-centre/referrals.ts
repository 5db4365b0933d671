// Transfers made with REFER (RFC 3515): the caller's phone places a new call to the queue
// number, carrying a one-time token in a header of the Refer-To URI (RFC 3261 §19.1.1), so the
// engine knows the new call continues a transferred one: the same caller context, and the
// colleague it was transferred to.
import { randomBytes } from 'node:crypto';

export const TRANSFER_HEADER = 'X-Switchyard-Transfer';

export interface Referral {
  /** The call that was transferred. */
  callId: string;
  queueId: string;
  /** Offered first to this colleague. */
  agentId?: string;
  dnis: string;
  ivr: Record<string, string>;
  attached: Record<string, unknown>;
  priority: number;
}

/** How long the caller's phone has to place the new call (64 × T1, a transaction's lifetime). */
const LIFETIME_MS = 32_000;

export class Referrals {
  private readonly open = new Map<string, { referral: Referral; timer: NodeJS.Timeout }>();

  add(referral: Referral): string {
    const token = randomBytes(12).toString('base64url');
    const timer = setTimeout(() => this.open.delete(token), LIFETIME_MS);
    timer.unref();
    this.open.set(token, { referral, timer });
    return token;
  }

  /** The referral a new call's token stands for, once; undefined for an unknown or expired token. */
  take(token: string | undefined): Referral | undefined {
    const entry = token === undefined ? undefined : this.open.get(token);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.open.delete(token!);
    return entry.referral;
  }
}
