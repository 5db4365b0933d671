// One typed configuration: defaults, then a JSON file (SWITCHYARD_CONFIG), then environment.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AgentState, GuidesConfig } from './acd/index.js';
import type { ConfiguredToken } from './api/auth.js';
import { B2BUA_MEDIA, type B2buaMedia } from './call/bypass.js';
import type { DigestAlgorithm } from './sip/auth/digest.js';
import type { TrunkConfig } from '../dialplan/trunk/trunk.js';
import type { SmtpTls } from './alerts/smtp.js';

export interface Config {
  sip: {
    host: string;
    port: number;
    t1: number;
    t2: number;
    t4: number;
    tcpIdleTimeoutMs: number;
    /** SCHED_RR priority 1-99 of the event loop and the SIP sender thread (engine/process-priority.ts); 0: ordinary scheduling. */
    realtimePriority: number;
  };
  /** `consoleDir`: the built web console (`npm run build` writes it), served outside /api. */
  http: { host: string; port: number; consoleDir: string };
  dataDir: string;
  logLevel: string;
  /** The engine's nice value, -20..19 (lower gets a core first; below 0 needs root or CAP_SYS_NICE); 0: as started. */
  nice: number;
  realm: string;
  /** extension → password */
  users: Record<string, string>;
  auth: {
    algorithms: DigestAlgorithm[];
    hideUnknownUsers: boolean;
    nonceLifetimeSeconds: number;
    /**
     * Digest auth of INVITEs from local users (407, RFC 3261 §22.3): `challenge` for every user,
     * `users` overrides it per extension; INVITEs from a trunk's gateway address are not
     * challenged unless `trunks[name]` is true. Env SWITCHYARD_CHALLENGE_INVITES=0/1 sets `challenge`.
     */
    invites: { challenge: boolean; users: Record<string, boolean>; trunks: Record<string, boolean> };
  };
  calls: { noAnswerSeconds: number; hangupDemoSeconds: number; keepAliveSeconds: number };
  /**
   * Extension-to-extension calls (the demo routes' B2BUA). `media: 'anchor'`: RTP flows through
   * two engine endpoints on a mixer (transcoding, recording, supervision possible). `'bypass'`:
   * signalling only, the SDP passes end to end and RTP flows between the phones, as through a
   * proxy; no media port is used. Env SWITCHYARD_B2BUA_MEDIA.
   */
  b2bua: { media: B2buaMedia };
  acd: {
    /** Agent profiles and queue settings (engine/acd/README.md); the API can change them later. */
    agents: unknown[];
    queues: unknown[];
    /** Fixed API tokens for supervisors, admins and integrations (agents log in instead). */
    tokens: ConfiguredToken[];
    /** Where an agent goes after letting an offered call ring out (null: stays available). */
    missedOffer: { state: AgentState; reason: string } | null;
    contextTtlSeconds: number;
    /** Extensions that may join agent calls with the supervisor feature codes (*1<ext> ...). */
    supervisorExtensions: string[];
    /** A WAV looped for callers waiting in a queue; empty: a soft tone. */
    musicOnHold: string;
    /** The team's shared target of answered calls per day, shown on the wallboard. */
    dailyPlanCalls: number;
    /** Topics requests are filed under and the queues' call scripts (engine/acd/guides.ts). */
    guides: GuidesConfig;
    /** Overflow to voicemail: the greeting (synthesized; '' none), the longest message, the silence that ends one. */
    voicemail: { greeting: string; maxSeconds: number; silenceSeconds: number };
  };
  /** Achievements (issue 6): Sprinter answers every inbound call within this many seconds. */
  gamification: { sprinterSeconds: number };
  /**
   * Alerts (issue 6): rules are checked every `tickMs`; e-mail goes through this SMTP server
   * (host '' = no e-mail; `user` set = AUTH PLAIN). `tls`: STARTTLS off, opportunistic (when
   * offered) or required; `caFile`: PEM file of CAs to trust for the server's certificate ('' =
   * Node's roots); `verify: false` accepts any certificate.
   */
  alerts: {
    tickMs: number;
    smtp: { host: string; port: number; from: string; helo: string; user: string; password: string; timeoutMs: number; tls: SmtpTls; caFile: string; verify: boolean };
  };
  /**
   * The user dialplan (a .ts module; its folder is watched and reloaded on change), for
   * inbound calls the demo numbers and registered extensions do not take. '' for none.
   * Default: the demo dialplan with the `ivr` and `survey` numbers (dialplan/examples/ivr.ts).
   */
  dialplan: { path: string; watch: boolean };
  /** SIP gateways by name, for outbound routes (see dialplan/README.md). */
  trunks: Record<string, TrunkConfig>;
  /** Synthesized prompts are cached here; '' means `<dataDir>/tts-cache`. */
  tts: { cacheDir: string };
  media: {
    /** Address RTP sockets bind to. */
    address: string;
    /** Address our SDP advertises (c=); empty: the bind address. Set it behind NAT or when binding 0.0.0.0. */
    advertisedAddress: string;
    /** RTP ports are the even ports of portMin..portMax. */
    portMin: number;
    portMax: number;
    /** Media threads; 0: one per core. */
    threads: number;
    /** SCHED_FIFO priority of the media threads (1-99; needs root or CAP_SYS_NICE); 0: ordinary scheduling. */
    realtimePriority: number;
    /** A call whose party sends no RTP this long is hung up (BYE); 0: never. Held parties are exempt. */
    rtpTimeoutSeconds: number;
  };
}

/** Demo agents: 1001..1005 in group "support" (English levels 5..9), 1006..1010 in "sales". */
function demoAgents(): unknown[] {
  return Array.from({ length: 10 }, (_, i) => {
    const ext = String(1001 + i);
    const support = i < 5;
    return { id: `agent-${ext}`, name: `Agent ${ext}`, extension: ext, groups: [support ? 'support' : 'sales'], skills: support ? { english: 5 + i } : {} };
  });
}

/** A short call script for the demo support queue: greet, find the problem, close. */
function demoSupportScript(): unknown {
  return {
    title: 'Support call',
    start: 'greet',
    steps: {
      greet: { text: 'Greet the caller by name and ask how you can help.', options: [{ label: 'Cannot log in', next: 'login' }, { label: 'Something else', next: 'other' }] },
      login: { text: 'Check the account is not locked; offer a password reset link.', options: [{ label: 'Solved', next: 'close' }, { label: 'Still locked', next: 'escalate' }] },
      other: { text: 'Note the request in a comment.', options: [{ label: 'Done', next: 'close' }] },
      escalate: { text: 'Create a ticket for second line and tell the caller its number.', options: [{ label: 'Done', next: 'close' }] },
      close: { text: 'Ask if there is anything else, thank the caller and say goodbye.' },
    },
  };
}

/** The demo contact centre: agents 1001..1010 and supervisor 2001, password `secret-<ext>`. */
function demoUsers(): Record<string, string> {
  const users: Record<string, string> = {};
  for (const ext of [...Array.from({ length: 10 }, (_, i) => 1001 + i), 2001]) users[String(ext)] = `secret-${ext}`;
  return users;
}

export function defaultConfig(): Config {
  return {
    sip: { host: '127.0.0.1', port: 5060, t1: 500, t2: 4000, t4: 5000, tcpIdleTimeoutMs: 60_000, realtimePriority: 0 },
    http: { host: '127.0.0.1', port: 8080, consoleDir: fileURLToPath(new URL('../console', import.meta.url)) },
    dataDir: './data',
    logLevel: 'info',
    nice: 0,
    realm: 'switchyard',
    users: demoUsers(),
    // MD5 first: most phones (and SIPp) answer only the first challenge they are given.
    auth: { algorithms: ['MD5', 'SHA-256'], hideUnknownUsers: true, nonceLifetimeSeconds: 300, invites: { challenge: true, users: {}, trunks: {} } },
    calls: { noAnswerSeconds: 30, hangupDemoSeconds: 2, keepAliveSeconds: 60 },
    b2bua: { media: 'anchor' },
    acd: {
      agents: demoAgents(),
      queues: [
        { id: 'support', name: 'Support', groups: ['support'], strategy: 'longest-idle', overflow: { target: { kind: 'queue', queue: 'sales' }, afterMs: 120_000 } },
        { id: 'sales', name: 'Sales', groups: ['sales'], strategy: 'round-robin', callback: { mode: 'automatic' } },
      ],
      tokens: [],
      missedOffer: { state: 'dnd', reason: 'missed' },
      contextTtlSeconds: 1800,
      supervisorExtensions: ['2001'],
      musicOnHold: '',
      dailyPlanCalls: 200,
      guides: { topics: ['Billing', 'Technical issue', 'Order status', 'Complaint', 'Other'], queueTopics: {}, scripts: { support: demoSupportScript() } },
      voicemail: { greeting: 'Sorry, nobody can take your call right now. Please leave a message after the tone.', maxSeconds: 120, silenceSeconds: 5 },
    },
    gamification: { sprinterSeconds: 4 },
    alerts: { tickMs: 1000, smtp: { host: '', port: 25, from: 'switchyard@localhost', helo: 'localhost', user: '', password: '', timeoutMs: 30_000, tls: 'opportunistic', caFile: '', verify: true } },
    dialplan: { path: fileURLToPath(new URL('../../dialplan/examples/ivr.ts', import.meta.url)), watch: true },
    trunks: {},
    tts: { cacheDir: '' },
    media: { address: '127.0.0.1', advertisedAddress: '', portMin: 10000, portMax: 20000, threads: 0, realtimePriority: 0, rtpTimeoutSeconds: 60 },
  };
}

type Env = Record<string, string | undefined>;

function intFromEnv(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
}

/** The environment's `envName`, else the config file's value (named `fileName`): an integer from min to max. */
function integerSetting(env: Env, envName: string, fileName: string, fromFile: unknown, min: number, max: number): number {
  const raw = env[envName];
  const fromEnv = raw !== undefined && raw !== '';
  const n = fromEnv ? Number(raw) : fromFile;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${fromEnv ? envName : fileName} must be an integer from ${min} to ${max}, got ${JSON.stringify(fromEnv ? raw : fromFile)}`);
  }
  return n;
}

function flagFromEnv(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  throw new Error(`${name} must be 0 or 1, got "${raw}"`);
}

function b2buaMedia(raw: unknown, source: string): B2buaMedia {
  if ((B2BUA_MEDIA as readonly unknown[]).includes(raw)) return raw as B2buaMedia;
  throw new Error(`${source} must be one of ${B2BUA_MEDIA.join(', ')}, got ${JSON.stringify(raw)}`);
}

function merge<T>(base: T, override: unknown): T {
  if (override === null || typeof override !== 'object' || Array.isArray(override)) return (override ?? base) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(override)) out[k] = k in out && typeof out[k] === 'object' && !Array.isArray(out[k]) ? merge(out[k], v) : v;
  return out as T;
}

export function loadConfig(env: Env = process.env): Config {
  let config = defaultConfig();
  if (env.SWITCHYARD_CONFIG) config = merge(config, JSON.parse(readFileSync(env.SWITCHYARD_CONFIG, 'utf8')));
  config.sip.host = env.SWITCHYARD_SIP_HOST ?? config.sip.host;
  config.sip.port = intFromEnv(env, 'SWITCHYARD_SIP_PORT', config.sip.port);
  config.sip.t1 = intFromEnv(env, 'SWITCHYARD_SIP_T1_MS', config.sip.t1);
  config.http.host = env.SWITCHYARD_HTTP_HOST ?? config.http.host;
  config.http.port = intFromEnv(env, 'SWITCHYARD_HTTP_PORT', config.http.port);
  config.dataDir = env.SWITCHYARD_DATA_DIR ?? config.dataDir;
  config.logLevel = env.SWITCHYARD_LOG_LEVEL ?? config.logLevel;
  config.nice = integerSetting(env, 'SWITCHYARD_NICE', 'nice', config.nice, -20, 19);
  config.sip.realtimePriority = integerSetting(env, 'SWITCHYARD_SIP_RT_PRIORITY', 'sip.realtimePriority', config.sip.realtimePriority, 0, 99);
  config.calls.noAnswerSeconds = intFromEnv(env, 'SWITCHYARD_NO_ANSWER_SECONDS', config.calls.noAnswerSeconds);
  config.calls.keepAliveSeconds = intFromEnv(env, 'SWITCHYARD_KEEPALIVE_SECONDS', config.calls.keepAliveSeconds);
  config.b2bua.media = b2buaMedia(env.SWITCHYARD_B2BUA_MEDIA || config.b2bua.media, env.SWITCHYARD_B2BUA_MEDIA ? 'SWITCHYARD_B2BUA_MEDIA' : 'b2bua.media');
  if (env.SWITCHYARD_CHALLENGE_INVITES) config.auth.invites.challenge = flagFromEnv(env, 'SWITCHYARD_CHALLENGE_INVITES');
  if (env.SWITCHYARD_ADMIN_TOKEN) config.acd.tokens.push({ token: env.SWITCHYARD_ADMIN_TOKEN, role: 'admin', name: 'admin' });
  config.alerts.smtp.host = env.SWITCHYARD_SMTP_HOST ?? config.alerts.smtp.host;
  config.alerts.smtp.port = intFromEnv(env, 'SWITCHYARD_SMTP_PORT', config.alerts.smtp.port);
  config.alerts.smtp.tls = (env.SWITCHYARD_SMTP_TLS as SmtpTls | undefined) ?? config.alerts.smtp.tls;
  config.dialplan.path = env.SWITCHYARD_DIALPLAN ?? config.dialplan.path;
  config.media.address = env.SWITCHYARD_MEDIA_ADDRESS ?? config.media.address;
  config.media.advertisedAddress = env.SWITCHYARD_MEDIA_ADVERTISED_ADDRESS ?? config.media.advertisedAddress;
  config.media.portMin = intFromEnv(env, 'SWITCHYARD_RTP_PORT_MIN', config.media.portMin);
  config.media.portMax = intFromEnv(env, 'SWITCHYARD_RTP_PORT_MAX', config.media.portMax);
  config.media.threads = intFromEnv(env, 'SWITCHYARD_MEDIA_THREADS', config.media.threads);
  config.media.realtimePriority = intFromEnv(env, 'SWITCHYARD_MEDIA_RT_PRIORITY', config.media.realtimePriority);
  config.media.rtpTimeoutSeconds = intFromEnv(env, 'SWITCHYARD_RTP_TIMEOUT_SECONDS', config.media.rtpTimeoutSeconds);
  return config;
}
