// Small Linux helpers: /proc readings, free loopback ports, sleeping.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let clockTicks: number | undefined;
/** USER_HZ, the unit of utime/stime in /proc/<pid>/stat. */
export function clkTck(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields of a stat file after the command name; index 0 is field 3 (state). */
function statFields(path: string): string[] | undefined {
  try {
    const raw = readFileSync(path, 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of one process, in clock ticks. */
export function cpuTicks(pid: number): number | undefined {
  return ticksOf(statFields(`/proc/${pid}/stat`));
}

/**
 * utime + stime of one thread of this process, in clock ticks. (/proc/<tid>/stat, though it
 * opens for any thread id, sums the whole thread group: only the task/ entry is the thread's.)
 */
export function threadCpuTicks(tid: number): number | undefined {
  return ticksOf(statFields(`/proc/self/task/${tid}/stat`));
}

/**
 * What the scheduler accounts to one thread (/proc/<pid>/task/<tid>/schedstat): time on a
 * core, and time runnable but waiting for one (its run queue), both in ns since it started.
 */
export function threadSchedstat(pid: number, tid: number): { runNs: number; waitNs: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
    return { runNs: Number(run), waitNs: Number(wait) };
  } catch {
    return undefined;
  }
}

/** The id of the thread of this process named `name` (e.g. a media thread, sy-media-0). */
export function threadIdByName(name: string): number {
  for (const tid of readdirSync('/proc/self/task')) {
    if (readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim() === name) return Number(tid);
  }
  throw new Error(`no thread named ${name}`);
}

/** The 1, 5 and 15 minute load averages (/proc/loadavg): how busy the shared machine was. */
export function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

function ticksOf(f: string[] | undefined): number | undefined {
  return f ? Number(f[11]) + Number(f[12]) : undefined; // fields 14 and 15
}

/** VmRSS in KiB. */
export function rssKiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Proportional set size in KiB (/proc/<pid>/smaps_rollup): shared pages are divided among the
 * processes that map them, so the PSS of a group of processes adds up correctly (their VmRSS
 * would count Kamailio's shared memory once per process).
 */
export function pssKiB(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Pids whose process group is `pgid` (e.g. Kamailio's main process and its children). */
export function groupPids(pgid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(`/proc/${name}/stat`);
    if (f && Number(f[2]) === pgid) out.push(Number(name)); // field 5: pgrp
  }
  return out;
}

/** CPU and memory of a set of processes, sampled at two instants. */
export interface ProcSample {
  at: number;
  ticks: number;
  rssKiB: number;
}

/** `memory`: VmRSS (one process) or PSS (a group of processes sharing memory), summed. */
export function sampleProcs(pids: number[], memory: 'rss' | 'pss' = 'rss'): ProcSample {
  let ticks = 0;
  let rss = 0;
  for (const pid of pids) {
    ticks += cpuTicks(pid) ?? 0;
    rss += (memory === 'pss' ? pssKiB(pid) : rssKiB(pid)) ?? 0;
  }
  return { at: performance.now(), ticks, rssKiB: rss };
}

/** CPU used between two samples, as a percentage of one core. */
export function cpuPercent(a: ProcSample, b: ProcSample): number {
  const wall = (b.at - a.at) / 1000;
  if (wall <= 0) return 0;
  return round(((b.ticks - a.ticks) / clkTck() / wall) * 100, 1);
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export const mib = (kib: number): number => round(kib / 1024, 1);

/** Whether something is bound to 127.0.0.1:<port>/udp (or 0.0.0.0), from /proc/net/udp. */
export function udpBound(port: number): boolean {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    return readFileSync('/proc/net/udp', 'utf8')
      .split('\n')
      .some((line) => {
        const local = line.trim().split(/\s+/)[1];
        return local === `0100007F:${hex}` || local === `00000000:${hex}`;
      });
  } catch {
    return false;
  }
}

export async function waitUdpBound(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (udpBound(port)) return true;
    await sleep(50);
  }
  return false;
}

const handedOut = new Set<number>();

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ host: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ address: '127.0.0.1', port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

function anyTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host: '127.0.0.1', port: 0 }, () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A loopback port that is free now for UDP and TCP, and, for each of `alsoFree` (offsets),
 * port + offset too (SIPp's media port uses +2). Other programs on the machine may use fixed
 * ports, so the benchmark never assumes one.
 */
export async function freePort(alsoFree: number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = await anyTcpPort();
    const ports = [base, ...alsoFree.map((o) => base + o)];
    if (ports.some((p) => p > 65535 || handedOut.has(p))) continue;
    let ok = true;
    for (const p of ports) {
      if (!(await tcpFree(p)) || !(await udpFree(p))) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    for (const p of ports) handedOut.add(p);
    return base;
  }
  throw new Error('no free loopback port found');
}

/**
 * UDP datagrams the kernel dropped because a socket's receive buffer was full
 * (RcvbufErrors in /proc/net/snmp). Machine-wide: other programs' drops count too.
 */
export function udpRcvbufErrors(): number | null {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    const i = names.indexOf('RcvbufErrors');
    return i > 0 && values[i] !== undefined ? Number(values[i]) : null;
  } catch {
    return null;
  }
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}
