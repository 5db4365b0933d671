// A trunk: a SIP gateway calls leave by, with an optional account (digest credentials for
// INVITE challenges, and outbound registration when the provider wants it).
import type { Logger } from 'pino';
import { isIP } from 'node:net';
import type { Dialog, SendTarget, SipStack, UacCallbacks } from '../../engine/sip/index.js';
import { DialplanError } from '../errors.js';
import { OutboundRegistration, type RegistrationState } from './registration.js';
import type { DialTarget } from '../dial.js';
import type { OutboundRoute } from '../define.js';
import { selectOutbound } from '../router.js';

export interface TrunkConfig {
  /** The gateway's IP address (name resolution is not done here). */
  host: string;
  port?: number;
  transport?: 'udp' | 'tcp';
  /** The provider's SIP domain (Request-URI host, AOR domain); defaults to `host`. */
  domain?: string;
  username?: string;
  password?: string;
  /** Register the account with the gateway; `true` or the requested expiry. */
  register?: boolean | { expires?: number; retryMs?: number; maxRetryMs?: number };
  /** The user part of From on outbound calls (default: `username`). */
  callerId?: string;
}

export interface TrunkStatus {
  name: string;
  target: string;
  registration: RegistrationState | 'off';
}

export class Trunk {
  readonly target: SendTarget;
  readonly domain: string;
  private readonly registration?: OutboundRegistration;

  constructor(
    readonly name: string,
    private readonly config: TrunkConfig,
    private readonly stack: SipStack,
    logger: Logger,
  ) {
    if (!isIP(config.host)) throw new DialplanError('invalid-argument', `trunk ${name}: host must be an IP address, got "${config.host}"`);
    if ((config.username === undefined) !== (config.password === undefined)) {
      throw new DialplanError('invalid-argument', `trunk ${name}: username and password go together`);
    }
    this.target = { protocol: config.transport ?? 'udp', address: config.host, port: config.port ?? 5060 };
    this.domain = config.domain ?? config.host;
    if (config.register) {
      if (config.username === undefined || config.password === undefined) {
        throw new DialplanError('invalid-argument', `trunk ${name}: registration needs username and password`);
      }
      const r = typeof config.register === 'object' ? config.register : {};
      this.registration = new OutboundRegistration({
        stack,
        target: this.target,
        domain: this.domain,
        username: config.username,
        password: config.password,
        expires: r.expires,
        retryMs: r.retryMs,
        maxRetryMs: r.maxRetryMs,
        logger: logger.child({ trunk: name }),
      });
    }
  }

  /** The outbound registration, when the trunk registers. */
  get registrar(): OutboundRegistration | undefined {
    return this.registration;
  }

  get status(): TrunkStatus {
    return { name: this.name, target: `${this.target.protocol}:${this.target.address}:${this.target.port}`, registration: this.registration?.state ?? 'off' };
  }

  start(): void {
    this.registration?.start();
  }

  stop(): Promise<void> {
    return this.registration?.stop() ?? Promise.resolve();
  }

  /** Where a call to `number` goes through this trunk: the gateway, the account for a 401/407 challenge, the From. */
  dialTarget(number: string, callerId?: string): DialTarget {
    const auth = this.config.username !== undefined && this.config.password !== undefined ? { username: this.config.username, password: this.config.password } : undefined;
    const caller = callerId ?? this.config.callerId ?? this.config.username;
    return { label: number, uri: `sip:${number}@${this.domain}`, target: this.target, auth, from: caller ? `sip:${caller}@${this.domain}` : undefined };
  }

  /**
   * Calls `number` through the gateway, answering a 401/407 challenge with the account's
   * credentials; resolves with the confirmed dialog, rejects with the SipError of a failure.
   */
  invite(number: string, options: { localSdp?: string; headers?: Record<string, string>; callerId?: string } = {}, callbacks: UacCallbacks = {}): Promise<Dialog> {
    const { uri, target, auth, from } = this.dialTarget(number, options.callerId);
    return this.stack.createUAC(uri, { target, auth, from, localSdp: options.localSdp, headers: options.headers }, callbacks);
  }
}

/** The configured trunks by name. */
export class Trunks {
  private readonly byName = new Map<string, Trunk>();

  constructor(configs: Record<string, TrunkConfig>, stack: SipStack, logger: Logger) {
    for (const [name, config] of Object.entries(configs)) this.byName.set(name, new Trunk(name, config, stack, logger));
  }

  get(name: string): Trunk {
    const trunk = this.byName.get(name);
    if (!trunk) throw new DialplanError('no-route', `no trunk named "${name}" (configured: ${[...this.byName.keys()].join(', ') || 'none'})`);
    return trunk;
  }

  /** Where `number` goes by the first matching outbound route; DialplanError 'no-route' when none matches. */
  route(routes: readonly OutboundRoute[], number: string): DialTarget {
    const selected = selectOutbound(routes, number);
    if (!selected) throw new DialplanError('no-route', `no outbound route matches "${number}"`);
    return { ...this.get(selected.trunk).dialTarget(selected.number), label: number };
  }

  get status(): TrunkStatus[] {
    return [...this.byName.values()].map((t) => t.status);
  }

  start(): void {
    for (const trunk of this.byName.values()) trunk.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.byName.values()].map((t) => t.stop()));
  }
}
