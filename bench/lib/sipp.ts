// Running SIPp and reading what it writes: the statistics file (-trace_stat -stf, one line per
// -fd period plus a last one at exit) and the response-time file (-trace_rtt -rtt_freq 1, one
// line per measured response time: date_ms;response_time_ms;rtd_no).
import { existsSync, openSync, readdirSync, readFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { launch, type Managed } from './procs.js';
import { percentile } from './sys.js';

export const SIPP = process.env.BENCH_SIPP ?? 'sipp';

export interface SippFiles {
  dir: string;
  stat: string;
  errors: string;
  screen: string;
}

export interface SippProc extends SippFiles {
  proc: Managed;
}

export interface SippOptions {
  /** Files of this run go to dir/<label>.* */
  label: string;
  dir: string;
  scenario: string;
  /** -p: local SIP port. */
  port: number;
  /** -mp: local media port (SIPp also binds +2). */
  mediaPort: number;
  /** Remote host:port for a client; omitted for a server. */
  remote?: string;
  args: string[];
  /** SCHED_RR priority to run it at (through util-linux's chrt); 0 or absent: ordinary scheduling. */
  rtPriority?: number;
}

/** Options every SIPp of the benchmark gets. */
function commonArgs(o: SippOptions, files: SippFiles): string[] {
  return [
    '-sf', o.scenario,
    '-i', '127.0.0.1',
    '-p', String(o.port),
    '-mp', String(o.mediaPort),
    '-t', 'u1',
    '-nostdin',
    // Bigger socket buffers than SIPp's 64 KiB default (the kernel caps this at rmem_max).
    '-buff_size', String(4 * 1024 * 1024),
    '-trace_stat', '-stf', files.stat, '-fd', '1',
    '-trace_err', '-error_file', files.errors,
    '-ringbuffer_files', '1', '-ringbuffer_size', String(2 * 1024 * 1024),
  ];
}

export function startSipp(o: SippOptions): SippProc {
  const files: SippFiles = {
    dir: o.dir,
    stat: join(o.dir, `${o.label}.stat.csv`),
    errors: join(o.dir, `${o.label}.errors.log`),
    screen: join(o.dir, `${o.label}.screen.txt`),
  };
  const args = [...(o.remote ? [o.remote] : []), ...commonArgs(o, files), ...o.args];
  // SIPp redraws its screen on stdout; only the last one is of interest, kept in a file.
  const out = openSync(files.screen, 'w');
  try {
    const [command, ...prefix] = o.rtPriority ? ['chrt', '-r', String(o.rtPriority), SIPP] : [SIPP];
    const proc = launch(`sipp ${o.label}`, command, [...prefix, ...args], { cwd: o.dir, stdio: ['ignore', out, out] });
    return { ...files, proc };
  } finally {
    closeSync(out);
  }
}

export interface SippStats {
  elapsedS: number;
  created: number;
  current: number;
  successful: number;
  failed: number;
  retransmissions: number;
  /** Non-zero Failed*(C) counters, e.g. FailedTimeoutOnRecv. */
  failures: Record<string, number>;
  deadCallMsgs: number;
  outOfCallMsgs: number;
  watchdogMajor: number;
  watchdogMinor: number;
  raw: Record<string, string>;
}

const epoch = (field: string | undefined): number => Number((field ?? '').split('\t').pop());

/** The last complete line of a SIPp statistics file (it may be being written). */
export function readStats(file: string): SippStats | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').split('\n');
  const header = lines[0]?.split(';');
  if (!header || header.length < 10) return undefined;
  // Without a trailing newline the last line may be cut: use complete lines only.
  const complete = lines.slice(1, lines.length - 1).filter((l) => l.split(';').length >= header.length - 1);
  const last = complete[complete.length - 1];
  if (!last) return undefined;
  const values = last.split(';');
  const raw: Record<string, string> = {};
  header.forEach((h, i) => {
    if (h) raw[h] = values[i] ?? '';
  });
  const n = (k: string): number => Number(raw[k] ?? 0) || 0;
  const failures: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) {
    const m = /^(Failed\w+)\(C\)$/.exec(k);
    if (m && Number(v) > 0) failures[m[1]!] = Number(v);
  }
  return {
    elapsedS: epoch(raw.CurrentTime) - epoch(raw.StartTime),
    created: n('TotalCallCreated'),
    current: n('CurrentCall'),
    successful: n('SuccessfulCall(C)'),
    failed: n('FailedCall(C)'),
    retransmissions: n('Retransmissions(C)'),
    failures,
    deadCallMsgs: n('DeadCallMsgs(C)'),
    outOfCallMsgs: n('OutOfCallMsgs(C)'),
    watchdogMajor: n('WatchdogMajor(C)'),
    watchdogMinor: n('WatchdogMinor(C)'),
    raw,
  };
}

export interface Latency {
  samples: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
  /** p99 of each second of SIPp's run (by when the response came), to see which seconds make the tail. */
  p99BySecond: (number | null)[];
}

/** Response-time distributions by rtd number from the -trace_rtt file of SIPp `pid` in `dir`. */
export function readRtt(dir: string, pid: number): Map<number, Latency> {
  const file = readdirSync(dir).find((f) => f.endsWith(`_${pid}_rtt.csv`));
  const byRtd = new Map<number, { all: number[]; bySecond: number[][] }>();
  if (file) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      // Date_ms (since SIPp started);response_time_ms;rtd_no
      const [date, ms, rtd] = line.split(';');
      if (date === undefined || ms === undefined || rtd === undefined || !/^\d/.test(date)) continue;
      const key = Number(rtd);
      let lists = byRtd.get(key);
      if (!lists) byRtd.set(key, (lists = { all: [], bySecond: [] }));
      lists.all.push(Number(ms));
      (lists.bySecond[Math.floor(Number(date) / 1000)] ??= []).push(Number(ms));
    }
  }
  const out = new Map<number, Latency>();
  for (const [k, { all, bySecond }] of byRtd) {
    all.sort((a, b) => a - b);
    const p99BySecond = Array.from(bySecond, (second) => (second ? percentile(second.sort((a, b) => a - b), 99) : null));
    out.set(k, { samples: all.length, p50: percentile(all, 50), p99: percentile(all, 99), max: all[all.length - 1] ?? null, p99BySecond });
  }
  return out;
}

/**
 * A few lines of SIPp's error log for the progress output when a step fails: the lines that say
 * why a call was aborted first, else the first events (often late "dead call" messages).
 */
export function firstErrors(file: string, lines = 3): string[] {
  if (!existsSync(file)) return [];
  const all = readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('The following events occurred'));
  const events = all.filter((l) => /^\d{4}-\d\d-\d\d\s/.test(l));
  const causes = events.filter((l) => /abort|timeout|unexpected|cannot|error/i.test(l));
  return (causes.length ? causes : events.length ? events : all)
    .slice(0, lines)
    .map((l) => l.replace(/\s+/g, ' '))
    .map((l) => (l.length > 240 ? `${l.slice(0, 240)}…` : l));
}
