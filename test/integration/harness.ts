// Integration-test harness: starts the engine process and SIPp, all on 127.0.0.1.
// Every child is bounded by a timeout and is killed on teardown (and, as a last resort,
// when the test process exits), so a failing test never leaves processes behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

const HOST = '127.0.0.1';
// This file runs from dist/test/integration/; the XML files stay in the source tree.
const SCENARIO_DIR = fileURLToPath(new URL('../../../test/integration/scenarios/', import.meta.url));
const ENGINE_MAIN = fileURLToPath(new URL('../../engine/main.js', import.meta.url));

const live = new Set<ChildProcess>();
const scratchDirs = new Set<string>();
const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of scratchDirs) removeScratch(dir);
};
process.on('exit', killAll);
// tap ends a test process that runs over its time limit with SIGTERM, which would
// otherwise exit without 'exit' handlers and leave the engine running.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + constants.signals[signal]);
  });
}

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function makeScratch(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratchDirs.add(dir);
  return dir;
}

function removeScratch(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  scratchDirs.delete(dir);
}

function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? constants.signals[signal] : 0);
}

function waitExit(child: ChildProcess): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(exitStatus(child.exitCode, child.signalCode));
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(exitStatus(code, signal))));
}

/** Sends `signal`, then SIGKILL if the child is still alive after `graceMs`. */
async function terminate(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<number> {
  const exited = waitExit(child);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    exited.finally(() => clearTimeout(timer));
  }
  return exited;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function bindsOn(kind: 'udp' | 'tcp', port: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (kind === 'udp') {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(null));
      sock.bind(port, HOST, () => {
        const bound = sock.address().port;
        sock.close(() => resolve(bound));
      });
    } else {
      const server = createServer();
      server.once('error', () => resolve(null));
      server.listen(port, HOST, () => {
        const address = server.address();
        const bound = typeof address === 'object' && address ? address.port : null;
        server.close(() => resolve(bound));
      });
    }
  });
}

// A port found free is closed again before its user binds it, so the kernel may offer it to
// the next probe too: two SIPp processes of one test were handed the same media port and the
// second failed with EADDRINUSE. Ports handed out once are not handed out again by this process.
const handedOutPorts = new Set<number>();
const handedOut = (port: number): boolean => handedOutPorts.has(port);
function handOut(port: number): number {
  handedOutPorts.add(port);
  return port;
}

/** A port that is free on 127.0.0.1 for both UDP and TCP (SIP listens on both). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindsOn('udp', 0);
    if (port !== null && !handedOut(port) && (await bindsOn('tcp', port)) === port) return handOut(port);
  }
  throw new Error('no port free for both UDP and TCP on 127.0.0.1 after 50 attempts');
}

/** SIPp's RTP echo binds -mp and -mp + 2 (audio and video): both must be free. */
async function freeMediaPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bindsOn('udp', 0);
    if (port !== null && port < 65534 && !handedOut(port) && !handedOut(port + 2) && (await bindsOn('udp', port + 2)) === port + 2) {
      handOut(port + 2);
      return handOut(port);
    }
  }
  throw new Error('no free UDP port pair for SIPp media after 50 attempts');
}

// ---------------------------------------------------------------------------------------
// Engine

export interface EngineOptions {
  /** SWITCHYARD_NO_ANSWER_SECONDS: B2BUA and `ringing` no-answer timeout. */
  noAnswerSeconds?: number;
  readyTimeoutMs?: number;
  env?: Record<string, string>;
}

export interface Engine {
  /** The engine process's id (its main thread's too). */
  pid: number;
  sipPort: number;
  httpPort: number;
  dataDir: string;
  /** stdout and stderr lines so far (pino JSON on stdout). */
  logs: string[];
  /** SIGTERM, then SIGKILL after 5 s; resolves to the exit code (128 + signal if killed). Idempotent. */
  stop(): Promise<number>;
}

export async function startEngine(opts: EngineOptions = {}): Promise<Engine> {
  if (!existsSync(ENGINE_MAIN)) throw new Error(`engine not built: ${ENGINE_MAIN} does not exist`);
  const sipPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === sipPort) httpPort = await freePort();
  const dataDir = makeScratch('switchyard-it-');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHYARD_SIP_HOST: HOST,
    SWITCHYARD_SIP_PORT: String(sipPort),
    SWITCHYARD_HTTP_PORT: String(httpPort),
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_LOG_LEVEL: 'info',
    // Test phones dial without credentials unless a test turns INVITE challenges on.
    SWITCHYARD_CHALLENGE_INVITES: '0',
    ...(opts.noAnswerSeconds === undefined ? {} : { SWITCHYARD_NO_ANSWER_SECONDS: String(opts.noAnswerSeconds) }),
    ...opts.env,
  };
  const child = track(spawn(process.execPath, [ENGINE_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  const logs: string[] = [];
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  collectLines(child, (line) => {
    if (logs.length >= 5000) logs.splice(0, 1000); // only the tail is ever reported
    logs.push(line);
    if (logMessage(line) === 'engine ready') onReady();
  });

  let stopping: Promise<number> | undefined;
  const stop = () => {
    stopping ??= terminate(child, 'SIGTERM', 5000).finally(() => removeScratch(dataDir));
    return stopping;
  };

  // Generous: the engine starts in about a second, but on a loaded machine (CI, two test files
  // at once) loading the dialplans and opening SQLite can take many times that.
  const timeoutMs = opts.readyTimeoutMs ?? 60000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    waitExit(child).then((status) => `exited with status ${status}`),
    new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`not ready after ${timeoutMs} ms`), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await stop();
    throw new Error(`engine ${outcome}; last log lines:\n${logs.slice(-30).join('\n')}`);
  }
  return { pid: child.pid!, sipPort, httpPort, dataDir, logs, stop };
}

/** GET of the engine's HTTP API, parsed; `token` is sent as a bearer token. */
export async function getJson<T>(engine: Engine, path: string, token?: string): Promise<T> {
  const response = await fetch(`http://${HOST}:${engine.httpPort}${path}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

function collectLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) onLine(line);
    });
    stream?.on('end', () => partial && onLine(partial));
  }
}

function logMessage(line: string): unknown {
  try {
    return (JSON.parse(line) as { msg?: unknown }).msg;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// SIPp

export interface SippOptions {
  /** Scenario file name in test/integration/scenarios/ (or an absolute path). */
  scenario?: string;
  /** A built-in scenario for -sn (uac, uas, ...), instead of `scenario`. */
  builtin?: string;
  /** Remote SIP port on 127.0.0.1; omit for a pure server (uas). */
  target?: number;
  /** -s: user part of the request URI ([service]). */
  service?: string;
  /** -p: local port; a free one by default. */
  localPort?: number;
  /** -m: calls to process before exiting (default 1). */
  calls?: number;
  /** -r: calls per second (default 10). */
  rate?: number;
  transport?: 'udp' | 'tcp';
  /** -key name value: available in the scenario as [name]. */
  keys?: Record<string, string>;
  /** Extra command-line arguments. */
  args?: string[];
  /** Whole-run bound: SIPp's own -timeout, and a SIGKILL a few seconds later. Default 30 s. */
  timeoutMs?: number;
  /** -recv_timeout: a call waiting longer than this for a message fails. Default 15 s. */
  recvTimeoutMs?: number;
}

export interface SippStats {
  successful: number;
  failed: number;
}

export interface SippResult {
  /** SIPp exit code: 0 all calls succeeded, 1 some failed, 97/99/255/254 see `sipp -h`. */
  code: number;
  stdout: string;
  stderr: string;
  stats: SippStats;
  /** Contents of SIPp's error trace (unexpected messages, timeouts). */
  errors: string;
  /** Last part of the SIP message trace, for diagnostics. */
  messages: string;
}

export interface SippProcess {
  localPort: number;
  /** Resolves when SIPp exits by itself (its -m or -timeout). */
  done: Promise<SippResult>;
  /** Soft exit (SIGUSR1: finish running calls), SIGKILL after 5 s. Idempotent. */
  stop(): Promise<SippResult>;
}

/** Spawns SIPp in the foreground (no -bg) and returns at once. */
async function spawnSipp(opts: SippOptions): Promise<SippProcess> {
  const localPort = opts.localPort ?? (await freePort());
  const mediaPort = await freeMediaPort(); // SIPp's default 6000 would clash between runs
  const dir = makeScratch('switchyard-sipp-');
  const timeoutMs = opts.timeoutMs ?? 30000;
  const files = { stat: join(dir, 'stat.csv'), errors: join(dir, 'errors.log'), messages: join(dir, 'messages.log') };
  const args = [
    ...(opts.scenario ? ['-sf', scenarioPath(opts.scenario)] : ['-sn', opts.builtin ?? 'uac']),
    ...(opts.target === undefined ? [] : [`${HOST}:${opts.target}`]),
    '-i', HOST,
    '-p', String(localPort),
    '-mp', String(mediaPort),
    '-t', opts.transport === 'tcp' ? 't1' : 'u1',
    '-m', String(opts.calls ?? 1),
    '-r', String(opts.rate ?? 10),
    '-nostdin',
    '-timeout', `${Math.ceil(timeoutMs / 1000)}s`,
    '-timeout_error',
    '-recv_timeout', String(opts.recvTimeoutMs ?? 15000),
    '-trace_stat', '-stf', files.stat, '-fd', '1',
    '-trace_err', '-error_file', files.errors,
    '-trace_msg', '-message_file', files.messages,
    ...(opts.service ? ['-s', opts.service] : []),
    ...Object.entries(opts.keys ?? {}).flatMap(([name, value]) => ['-key', name, value]),
    ...(opts.args ?? []),
  ];
  const child = track(spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout = (stdout + s).slice(-20000)));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-20000)));
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 5000);

  const done = waitExit(child).then((code) => {
    clearTimeout(killer);
    const result: SippResult = {
      code,
      stdout,
      stderr,
      stats: readStats(files.stat),
      errors: readText(files.errors).slice(-8000),
      // Enough for every message of a short call (tests read the SDP of its first INVITE).
      messages: readText(files.messages).slice(-64000),
    };
    removeScratch(dir);
    return result;
  });
  let stopping: Promise<SippResult> | undefined;
  const stop = () => {
    stopping ??= terminate(child, 'SIGUSR1', 5000).then(() => done);
    return stopping;
  };
  return { localPort, done, stop };
}

/** Runs SIPp to completion. */
export async function runSipp(opts: SippOptions): Promise<SippResult> {
  return (await spawnSipp(opts)).done;
}

/**
 * Starts SIPp as a server (a uas scenario) in the background and resolves once its
 * socket is bound, so a call sent next cannot arrive before it listens.
 */
export async function startSippServer(opts: Omit<SippOptions, 'target'>): Promise<SippProcess> {
  const sipp = await spawnSipp(opts);
  let exited = false;
  void sipp.done.then(() => (exited = true));
  for (let waited = 0; waited < 5000; waited += 50) {
    if (exited) throw new Error(`SIPp server exited before listening:\n${sippReport(await sipp.done)}`);
    if (isListening(opts.transport ?? 'udp', sipp.localPort)) return sipp;
    await delay(50);
  }
  await sipp.stop();
  throw new Error(`SIPp server did not bind port ${sipp.localPort} within 5 s`);
}

/**
 * Reads the kernel's socket table instead of probing with bind(): a probe could grab the
 * port before SIPp does and make SIPp fail with "unable to bind".
 */
function isListening(transport: 'udp' | 'tcp', port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const listenState = transport === 'udp' ? '07' : '0A'; // UDP sockets show as "closed" (07)
  return readText(`/proc/net/${transport}`)
    .split('\n')
    .some((row) => {
      const cols = row.trim().split(/\s+/);
      return cols[1] === local && cols[3] === listenState;
    });
}

/**
 * REGISTERs demo user `user` (digest password secret-<user>) with the Contact
 * 127.0.0.1:`localPort`, or removes that binding when `expires` is 0. It runs from
 * `localPort` itself so the source address matches the Contact.
 */
export function registerUser(sipPort: number, user: string, localPort: number, expires = 3600): Promise<SippResult> {
  return runSipp({
    scenario: 'uac-register.xml',
    target: sipPort,
    service: user,
    localPort,
    keys: { expires: String(expires) },
    args: ['-au', user, '-ap', `secret-${user}`],
  });
}

/**
 * A SIPp callee for B2BUA tests: registers `user` from a fresh port, then runs the uas
 * `scenario` there for `calls` calls. The caller should add `t.teardown(callee.stop)`.
 */
export async function startRegisteredCallee(
  sipPort: number,
  user: string,
  scenario: string,
  calls = 1,
  /** Extra SIPp arguments, e.g. -rtp_echo (RTP arriving on its media port goes back to the sender). */
  args: string[] = [],
): Promise<SippProcess> {
  const localPort = await freePort();
  const registration = await registerUser(sipPort, user, localPort);
  if (registration.code !== 0 || registration.stats.successful !== 1) {
    throw new Error(`REGISTER of ${user} failed:\n${sippReport(registration)}`);
  }
  return startSippServer({ scenario, localPort, calls, args });
}

function scenarioPath(name: string): string {
  return isAbsolute(name) ? name : join(SCENARIO_DIR, name);
}

function readText(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

/** Final cumulative counters from the -trace_stat CSV (header line, then one line per dump). */
function readStats(file: string): SippStats {
  const lines = readText(file).split('\n').filter(Boolean);
  if (lines.length < 2) return { successful: 0, failed: 0 };
  const header = lines[0].split(';');
  const values = lines[lines.length - 1].split(';');
  const counter = (name: string) => Number(values[header.indexOf(name)] ?? 0) || 0;
  return { successful: counter('SuccessfulCall(C)'), failed: counter('FailedCall(C)') };
}

/**
 * A compact failure report: exit code and counts, SIPp's last scenario screen (messages,
 * retransmissions, timeouts and unexpected messages per step), the error trace (or
 * stderr) and the tail of the message trace.
 */
export function sippReport(r: SippResult): string {
  const clean = (text: string, max: number) => text.replace(/\r\n/g, '\n').trim().slice(-max);
  const screenStart = r.stdout.lastIndexOf('Messages  Retrans');
  const screen = screenStart < 0 ? '' : r.stdout.slice(screenStart).split(/\n-{20,}/)[0].trimEnd();
  return [
    `sipp exit ${r.code}, ${r.stats.successful} successful, ${r.stats.failed} failed`,
    screen,
    clean(r.errors, 3000) || clean(r.stderr, 2000),
    r.messages.trim() && `message trace (tail):\n${clean(r.messages, 3000)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * Asserts that SIPp exited 0 with exactly `calls` successful calls and none failed; on
 * failure the report carries SIPp's traces and the engine's last log lines.
 */
export function expectCalls(t: Test, r: SippResult, calls: number, what: string, engine?: Engine): void {
  const ok = r.code === 0 && r.stats.successful === calls && r.stats.failed === 0;
  t.ok(ok, `${what}: ${calls} successful, 0 failed`, {
    found: { exit: r.code, ...r.stats },
    wanted: { exit: 0, successful: calls, failed: 0 },
    ...(ok ? {} : { sipp: sippReport(r), engineLog: engine?.logs.slice(-40).join('\n') ?? '' }),
  });
}
