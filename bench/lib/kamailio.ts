// Kamailio as the stateful-proxy yardstick: bench/kamailio.cfg in the foreground, one UDP
// worker, a private runtime directory, its own process group (so all its processes are
// measured and stopped together).
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { launch, terminate, type Managed } from './procs.js';
import { freePort, groupPids, sleep, udpBound } from './sys.js';

export const KAMAILIO = process.env.BENCH_KAMAILIO ?? 'kamailio';

export interface Kamailio {
  proc: Managed;
  port: number;
  log: string;
  pids(): number[];
  stop(): Promise<void>;
}

/** `rtPriority` > 0: its processes run under SCHED_RR at it, as the engine's SIP path does in the same run. */
export async function startKamailio(root: string, runDir: string, uasPort: number, rtPriority: number): Promise<Kamailio> {
  const port = await freePort();
  const log = join(runDir, 'kamailio.log');
  const args = [
    '-f', join(root, 'bench/kamailio.cfg'),
    '-DD', '-E',
    '-n', '1',
    '-m', '1024', '-M', '64',
    // f_malloc: the default of this build, q_malloc, is the debugging allocator (see the cfg).
    '-x', 'fm',
    '-l', `udp:127.0.0.1:${port}`,
    '-Y', runDir,
    '-P', join(runDir, 'kamailio.pid'),
    '-A', `UAS_DST="sip:127.0.0.1:${uasPort}"`,
    ...(rtPriority > 0 ? ['-A', `RT_PRIO=${rtPriority}`] : []),
  ];
  const fd = openSync(log, 'w');
  let proc: Managed;
  try {
    proc = launch('kamailio', KAMAILIO, args, { cwd: runDir, stdio: ['ignore', fd, fd], group: true });
  } finally {
    closeSync(fd);
  }
  const k: Kamailio = {
    proc,
    port,
    log,
    pids: () => groupPids(proc.pid),
    stop: async () => {
      await terminate(proc, 'SIGTERM', 8000);
    },
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !proc.exit) {
    // Bound, and the worker processes forked (the main process binds before it forks).
    if (udpBound(port) && k.pids().length >= 3) {
      await sleep(300);
      return k;
    }
    await sleep(100);
  }
  await k.stop();
  throw new Error(`kamailio did not start (see ${log}; exit ${JSON.stringify(proc.exit ?? null)})`);
}
