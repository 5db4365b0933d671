// The Switchyard engine as a benchmark target: started from dist/ on free loopback ports with a
// private data directory, watched through its JSON log and /api/health, stopped with SIGTERM.
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { UdpTiming } from '../../engine/sip/transport/native-udp-socket.js';
import { launch, terminate, type Managed } from './procs.js';
import { freePort, sleep } from './sys.js';

export interface Health {
  status?: string;
  sip?: { dialogs: number; serverTransactions: number; clientTransactions: number };
  registrations?: number;
  activeCalls?: number;
}

export interface Engine {
  proc: Managed;
  pid: number;
  sipPort: number;
  httpPort: number;
  /** Its SWITCHYARD_DATA_DIR (event log, recordings, prompt cache). */
  dataDir: string;
  /** Log lines at warn level or above (pino level >= 40). */
  warnings: number;
  firstWarnings: string[];
  health(): Promise<Health | undefined>;
  /** GET /api/sip/udp-timing: where SIP datagrams spent their time since the previous call (undefined if it did not answer). */
  udpTiming(): Promise<UdpTiming | undefined>;
  stop(): Promise<void>;
}

async function getJson<T>(httpPort: number, path: string): Promise<T | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${httpPort}${path}`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) return undefined;
    return (await res.json()) as T;
  } catch {
    return undefined;
  }
}

export const getHealth = (httpPort: number): Promise<Health | undefined> => getJson<Health>(httpPort, '/api/health');

/** `env`: extra engine settings, e.g. { SWITCHYARD_B2BUA_MEDIA: 'bypass' }. */
export async function startEngine(root: string, workDir: string, label: string, env: Record<string, string> = {}): Promise<Engine> {
  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt++) {
    const sipPort = await freePort();
    const httpPort = await freePort();
    const dataDir = join(workDir, `${label}-data-${attempt}`);
    mkdirSync(dataDir, { recursive: true });
    const engineEnv: NodeJS.ProcessEnv = {
      ...process.env,
      SWITCHYARD_SIP_PORT: String(sipPort),
      SWITCHYARD_HTTP_PORT: String(httpPort),
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_LOG_LEVEL: process.env.BENCH_ENGINE_LOG_LEVEL ?? 'warn',
      // BENCH_ENGINE_NICE=-10: the engine's threads get a core before the SIPp processes.
      SWITCHYARD_NICE: process.env.BENCH_ENGINE_NICE ?? '',
      ...env,
    };
    // BENCH_ENGINE_NODE_ARGS: extra node flags for the engine, e.g. --max-old-space-size=256
    // to see whether its RSS is bounded under a tighter V8 heap.
    const nodeArgs = (process.env.BENCH_ENGINE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const proc = launch(`engine ${label}`, process.execPath, [...nodeArgs, join(root, 'dist/engine/main.js')], {
      cwd: root,
      env: engineEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const engine: Engine = {
      proc,
      pid: proc.pid,
      sipPort,
      httpPort,
      dataDir,
      warnings: 0,
      firstWarnings: [],
      health: () => getHealth(httpPort),
      udpTiming: () => getJson<UdpTiming>(httpPort, '/api/sip/udp-timing'),
      stop: async () => {
        await terminate(proc, 'SIGTERM', 10_000);
      },
    };
    let ready = false;
    // BENCH_ENGINE_LOG_FILE: every line the engine prints, JSON or not, e.g. V8's --trace-gc-nvp.
    const logFile = process.env.BENCH_ENGINE_LOG_FILE;
    const onLine = (line: string): void => {
      if (logFile) appendFileSync(logFile, line + '\n');
      let level = 0;
      let msg = '';
      try {
        const j = JSON.parse(line) as { level?: number; msg?: string };
        level = j.level ?? 0;
        msg = j.msg ?? '';
      } catch {
        level = 50; // not JSON: something unexpected on the console
      }
      if (msg === 'engine ready') ready = true;
      if (level >= 40) {
        engine.warnings++;
        if (engine.firstWarnings.length < 5) engine.firstWarnings.push(line.slice(0, 300));
        if (engine.warnings <= 3) process.stderr.write(`[bench]   engine log: ${line.slice(0, 300)}\n`);
      }
    };
    if (proc.child.stdout) createInterface({ input: proc.child.stdout }).on('line', onLine);
    if (proc.child.stderr) createInterface({ input: proc.child.stderr }).on('line', onLine);

    // "engine ready" is logged at info level, so with the default warn level the health
    // endpoint answering is the readiness signal.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !proc.exit) {
      if (ready || (await getHealth(httpPort))?.status === 'ok') return engine;
      await sleep(100);
    }
    lastError = proc.exit ? `engine exited (${JSON.stringify(proc.exit)}): ${engine.firstWarnings.join(' | ')}` : 'engine not ready after 20 s';
    await terminate(proc, 'SIGTERM', 5000);
    process.stderr.write(`[bench] engine start attempt ${attempt} failed: ${lastError}\n`);
  }
  throw new Error(`could not start the engine: ${lastError}`);
}
