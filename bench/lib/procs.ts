// Child processes of the benchmark: every one is tracked so that a normal end, an error, or a
// SIGINT/SIGTERM of the benchmark stops all of them (by their own pid, or by the process group
// the benchmark created for them with `group: true`).
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface Managed {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  /** Spawned as the leader of its own process group: signals go to the whole group. */
  readonly group: boolean;
  readonly done: Promise<Exit>;
  exit: Exit | undefined;
}

export interface LaunchOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: StdioOptions;
  group?: boolean;
}

const live = new Set<Managed>();

export function launch(name: string, command: string, args: string[], opts: LaunchOptions = {}): Managed {
  const child = spawn(command, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: opts.stdio ?? ['ignore', 'ignore', 'ignore'],
    detached: opts.group === true,
  });
  let settle!: (e: Exit) => void;
  const done = new Promise<Exit>((resolve) => (settle = resolve));
  const managed: Managed = {
    name,
    child,
    pid: child.pid ?? -1,
    group: opts.group === true,
    done,
    exit: undefined,
  };
  const finish = (e: Exit): void => {
    if (managed.exit) return;
    managed.exit = e;
    live.delete(managed);
    settle(e);
  };
  child.once('error', (error) => finish({ code: null, signal: null, error }));
  child.once('exit', (code, signal) => finish({ code, signal }));
  if (child.pid !== undefined) live.add(managed);
  return managed;
}

function signal(m: Managed, sig: NodeJS.Signals): void {
  if (m.exit || m.pid <= 0) return;
  try {
    if (m.group) process.kill(-m.pid, sig);
    else process.kill(m.pid, sig);
  } catch {
    // Already gone.
  }
}

export function send(m: Managed, sig: NodeJS.Signals): void {
  signal(m, sig);
}

/** Resolves with the exit, or undefined if the process is still running after `ms`. */
export async function waitExit(m: Managed, ms: number): Promise<Exit | undefined> {
  if (m.exit) return m.exit;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([m.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `sig` first, SIGKILL after `graceMs`; for a group, the group is SIGKILLed too. */
export async function terminate(m: Managed, sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<Exit> {
  if (m.exit) {
    // The leader may be gone while group members are not.
    if (m.group) signal({ ...m, exit: undefined }, 'SIGKILL');
    return m.exit;
  }
  signal(m, sig);
  const e = await waitExit(m, graceMs);
  if (m.group) {
    try {
      process.kill(-m.pid, 'SIGKILL');
    } catch {
      // Group empty.
    }
  }
  if (e) return e;
  signal(m, 'SIGKILL');
  return (await waitExit(m, 5000)) ?? { code: null, signal: 'SIGKILL' };
}

/** Synchronous last resort (process exit, signals): SIGKILL everything still running. */
export function killAllNow(): void {
  for (const m of [...live]) {
    try {
      if (m.group) process.kill(-m.pid, 'SIGKILL');
      else process.kill(m.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    live.delete(m);
  }
}

export function liveProcesses(): readonly Managed[] {
  return [...live];
}

/**
 * On SIGINT/SIGTERM: kill the children, run `cleanup`, exit 130/143. On any exit: kill the
 * children (a crash must not leave an engine or a SIPp behind).
 */
export function installCleanup(cleanup: () => void): void {
  let cleaned = false;
  const once = (): void => {
    if (cleaned) return;
    cleaned = true;
    killAllNow();
    try {
      cleanup();
    } catch {
      // Best effort.
    }
  };
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`\n[bench] ${sig}: stopping all child processes\n`);
      // SIGTERM first and wait for the exits (so they are reaped, and Kamailio stops its own
      // children); SIGKILL whatever is left after 3 s.
      const waiting = [...live].map((m) => terminate(m, 'SIGTERM', 3000));
      const cap = new Promise((resolve) => setTimeout(resolve, 6000).unref());
      void Promise.race([Promise.all(waiting), cap]).finally(() => {
        once();
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
    });
  }
  process.on('exit', once);
}
