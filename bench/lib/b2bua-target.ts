// The engine as B2BUA in front of a SIPp UAS: the UAS registers as a demo user from the port
// it then answers on, so calls to that user are bridged to it. Shared by the benchmarks.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Engine } from './engine.js';
import { terminate, waitExit } from './procs.js';
import { firstErrors, readStats, startSipp, type SippProc } from './sipp.js';
import { sleep, waitUdpBound } from './sys.js';

const SCENARIOS = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'bench/scenarios');
export const UAC_XML = join(SCENARIOS, 'uac.xml');
const UAS_XML = join(SCENARIOS, 'uas.xml');
const REGISTER_XML = join(SCENARIOS, 'register.xml');
/** The demo user the SIPp UAS registers as. */
export const B2BUA_USER = '1001';
const B2BUA_PASSWORD = `secret-${B2BUA_USER}`;

/** Registers the SIPp UAS's address as B2BUA_USER with the engine, from the UAS's own port. */
export async function register(engine: Engine, dir: string, port: number, mediaPort: number): Promise<void> {
  const reg = startSipp({
    label: 'register',
    dir,
    scenario: REGISTER_XML,
    port,
    mediaPort,
    remote: `127.0.0.1:${engine.sipPort}`,
    args: ['-s', B2BUA_USER, '-au', B2BUA_USER, '-ap', B2BUA_PASSWORD, '-m', '1', '-recv_timeout', '5000', '-timeout', '15s'],
  });
  if (!(await waitExit(reg.proc, 20_000))) await terminate(reg.proc);
  const st = readStats(reg.stat);
  const health = await engine.health();
  if (!st || st.successful !== 1 || (health?.registrations ?? 0) < 1) {
    throw new Error(`REGISTER of ${B2BUA_USER} failed: ${firstErrors(reg.errors).join(' | ') || JSON.stringify(st?.failures ?? {})}`);
  }
}

/** `rtPriority`: SCHED_RR priority of the UAS (0: ordinary scheduling). */
export async function startUas(dir: string, port: number, mediaPort: number, seconds: number, rtPriority = 0): Promise<SippProc> {
  const uas = startSipp({
    label: 'uas',
    dir,
    scenario: UAS_XML,
    port,
    mediaPort,
    args: ['-timeout', `${Math.ceil(seconds)}s`],
    rtPriority,
  });
  if (!(await waitUdpBound(port, 10_000)) || uas.proc.exit) {
    await terminate(uas.proc);
    throw new Error(`SIPp UAS did not start on port ${port}: ${firstErrors(uas.screen).join(' | ')}`);
  }
  await sleep(200);
  return uas;
}

export async function stopUas(uas: SippProc | undefined): Promise<void> {
  if (!uas) return;
  // SIGTERM: SIPp writes its last statistics and exits. (Its graceful SIGUSR1 quit can wait
  // for ever on calls a UAC abandoned.)
  await terminate(uas.proc, 'SIGTERM', 5000);
}
