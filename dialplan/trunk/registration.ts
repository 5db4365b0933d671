// Outbound registration of a trunk account with its provider (RFC 3261 §10.2): REGISTER with
// digest credentials when challenged, refreshed before the granted expiry, retried with
// exponential back-off when it fails, removed (Expires: 0) on stop.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { buildAuthorization, parseDigestHeader } from '../../engine/sip/auth/digest.js';
import { contactUri } from '../../engine/sip/dialog.js';
import { newCallId, newTag } from '../../engine/sip/ids.js';
import { SipError, SipRequest, type SendTarget, type SipResponse, type SipStack } from '../../engine/sip/index.js';

export interface RegistrationOptions {
  stack: SipStack;
  /** Where REGISTER goes. */
  target: SendTarget;
  /** The provider's domain: Request-URI `sip:domain`, AOR `sip:username@domain`. */
  domain: string;
  username: string;
  password: string;
  /** Requested lifetime in seconds (default 3600). */
  expires?: number;
  /** First retry after a failure (ms, default 2000), doubling up to `maxRetryMs` (default 300000). */
  retryMs?: number;
  maxRetryMs?: number;
  logger: Logger;
}

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'failed' | 'stopped';

export interface RegistrationEvents {
  registered: [{ expires: number; refreshInMs: number }];
  failed: [{ status: number; reason: string; attempt: number; retryInMs: number }];
}

/** Challenges answered in a row before giving up on one attempt (a stale nonce gets one more). */
const MAX_CHALLENGES = 2;

export class OutboundRegistration extends EventEmitter<RegistrationEvents> {
  private current: RegistrationState = 'idle';
  private readonly callId: string;
  private readonly fromTag = newTag();
  private cseq = 0;
  private expires: number;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  /** The last challenge answered, reused for refreshes with a growing nonce-count (RFC 3261 §22.1). */
  private credentials?: { header: string; challenge: Record<string, string>; nc: number };
  private readonly aor: string;
  private readonly log: Logger;

  constructor(private readonly o: RegistrationOptions) {
    super();
    // §10.2: a UA SHOULD use one Call-ID for all its registrations with a registrar.
    this.callId = newCallId(o.stack.host);
    this.expires = o.expires ?? 3600;
    this.aor = `sip:${o.username}@${o.domain}`;
    this.log = o.logger.child({ component: 'trunk-registration', aor: this.aor });
  }

  get state(): RegistrationState {
    return this.current;
  }

  start(): void {
    if (this.current !== 'idle' && this.current !== 'stopped') return;
    this.schedule(0);
  }

  /** Stops refreshing; removes the binding if one is held. */
  async stop(): Promise<void> {
    const wasRegistered = this.current === 'registered';
    this.current = 'stopped';
    clearTimeout(this.timer);
    if (!wasRegistered) return;
    try {
      await this.send(0);
    } catch (err) {
      this.log.warn({ err }, 'unregister failed');
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.attempt(), ms);
    this.timer.unref();
  }

  private async attempt(): Promise<void> {
    if (this.current === 'stopped') return;
    this.current = 'registering';
    let response: SipResponse;
    try {
      response = await this.send(this.expires);
    } catch (err) {
      const status = err instanceof SipError ? err.status : 503;
      return this.fail(status, err instanceof Error ? err.message : String(err));
    }
    if ((this.current as RegistrationState) === 'stopped') return;
    if (response.status === 423) {
      // §10.2.8: the registrar wants a longer interval; ask again with its minimum.
      const min = Number(response.get('min-expires'));
      if (Number.isFinite(min) && min > this.expires) {
        this.expires = min;
        return this.attempt();
      }
    }
    if (response.status >= 300) return this.fail(response.status, response.reason);
    const granted = this.grantedExpires(response);
    // Refresh well before expiry: at half the lifetime for short ones, a minute early for long ones.
    const refreshInMs = Math.max(granted / 2, granted - 60) * 1000;
    this.failures = 0;
    this.current = 'registered';
    this.log.info({ expires: granted }, 'trunk registered');
    this.emit('registered', { expires: granted, refreshInMs });
    this.schedule(refreshInMs);
  }

  private fail(status: number, reason: string): void {
    if (this.current === 'stopped') return;
    this.failures++;
    const base = Math.min((this.o.retryMs ?? 2000) * 2 ** (this.failures - 1), this.o.maxRetryMs ?? 300_000);
    // ±10 % jitter so many trunks do not retry in step; the delays still grow every time.
    const retryInMs = Math.round(base * (0.9 + Math.random() * 0.2));
    this.current = 'failed';
    this.log.warn({ status, reason, attempt: this.failures, retryInMs }, 'trunk registration failed');
    this.emit('failed', { status, reason, attempt: this.failures, retryInMs });
    this.schedule(retryInMs);
  }

  /** The lifetime the registrar granted our contact (§10.2.4): its Contact expires param, else Expires. */
  private grantedExpires(response: SipResponse): number {
    const ours = contactUri(this.contact());
    const list = response.contacts()?.list ?? [];
    const lines = response.getAll('contact');
    for (let i = 0; i < list.length; i++) {
      if (contactUri(lines[i]) !== ours) continue;
      const value = Number(list[i].params.get('expires'));
      if (Number.isFinite(value) && value > 0) return value;
    }
    const header = Number(response.get('expires'));
    return Number.isFinite(header) && header > 0 ? header : this.expires;
  }

  private contact(): string {
    return `<sip:${this.o.username}@${this.o.stack.host}:${this.o.stack.port}>`;
  }

  /** One REGISTER transaction, answering digest challenges; resolves with the final response. */
  private async send(expires: number): Promise<SipResponse> {
    let authorization = this.reuseCredentials();
    for (let challenges = 0; ; challenges++) {
      const request = this.build(expires, authorization);
      const response = await this.o.stack.sendRequest(request, this.o.target);
      if (response.status !== 401 && response.status !== 407) return response;
      const header = response.get(response.status === 401 ? 'www-authenticate' : 'proxy-authenticate');
      const challenge = header ? parseDigestHeader(header) : null;
      // A second challenge is only worth answering when it says our nonce was merely stale.
      const stale = challenge?.params.stale?.toLowerCase() === 'true';
      if (!challenge || challenges >= MAX_CHALLENGES || (challenges > 0 && !stale)) {
        this.credentials = undefined;
        return response;
      }
      this.credentials = { header: response.status === 401 ? 'authorization' : 'proxy-authorization', challenge: challenge.params, nc: 0 };
      authorization = this.reuseCredentials();
    }
  }

  /** Credentials for the last challenge with the next nonce-count; a registrar that finds them stale challenges again. */
  private reuseCredentials(): { header: string; value: string } | undefined {
    const c = this.credentials;
    if (!c) return undefined;
    c.nc++;
    const value = buildAuthorization({ challenge: c.challenge, username: this.o.username, password: this.o.password, method: 'REGISTER', uri: `sip:${this.o.domain}`, nc: c.nc });
    return { header: c.header, value };
  }

  private build(expires: number, authorization?: { header: string; value: string }): SipRequest {
    const req = new SipRequest('REGISTER', `sip:${this.o.domain}`);
    req.set('max-forwards', '70');
    req.set('from', `<${this.aor}>;tag=${this.fromTag}`);
    req.set('to', `<${this.aor}>`);
    req.set('call-id', this.callId);
    req.set('cseq', `${++this.cseq} REGISTER`);
    req.set('contact', this.contact());
    req.set('expires', String(expires));
    if (authorization) req.set(authorization.header, authorization.value);
    return req;
  }
}
