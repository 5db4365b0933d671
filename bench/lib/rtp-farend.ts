// The media benchmark's far ends: bench/rtp-farend.c, built with `cc` at run time, plays G.711
// streams at engine endpoints (or at rtpengine's ports) from one process and checks what comes
// back. See the protocol at the top of the C file. Every failure (no compiler, a compile error,
// a generator that does not start or dies) throws with the reason: the benchmark must not
// report figures measured without its far ends.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { launch, send, terminate, waitExit, type Managed } from './procs.js';

/** One stream: the generator's socket `socket` sends to 127.0.0.1:`port` and receives from it. */
export interface FarendStream {
  socket: number;
  port: number;
  payloadType: 0 | 8;
  ssrc: number;
  /** The tone it plays (integer Hz). */
  toneHz: number;
  /** The tone that should come back (the other party's), 0: no check. */
  expectHz: number;
}

/** The generator's figures over the measured window (see PrintResult in the C file). */
export interface FarendResult {
  streams: number;
  sockets: number;
  threads: number;
  slots: number;
  seconds: number;
  sent: number;
  received: number;
  /** Sequence gaps in what the engine sent (RFC 3550 A.3 in spirit; reordered packets fill theirs). */
  lost: number;
  lossPercent: number;
  duplicates: number;
  reordered: number;
  tooOld: number;
  ssrcChanges: number;
  /** Streams that received nothing in the window. */
  silentStreams: number;
  rtcpReceived: number;
  unknownSource: number;
  malformed: number;
  sendErrors: number;
  /** RFC 3550 §6.4.1 interarrival jitter per stream at the end: mean and max over the streams. */
  jitterUs: { mean: number; max: number };
  /** Frames (2 per second per stream) checked for the other party's tone, and streams where 90 % had it. */
  tone: { streamsChecked: number; streamsHearingPeer: number; framesChecked: number; framesWithTone: number };
  wakes: number;
  /** How late the generator's own clock woke it: above a few ms, the generator (not the engine) fell behind. */
  wakeLatenessUs: { p50: number; p99: number; max: number };
  /** The generator process's CPU over the window (per cent of one core) and per packet sent or received. */
  cpuPercent: number;
  cpuUsPerPacket: number;
}

export interface FarendOptions {
  /** Streams it will play: one socket per STREAMS_PER_SOCKET of them, at least one per thread. */
  streams: number;
  threads: number;
  /** The longest it runs (it normally stops earlier, at stop()). */
  seconds: number;
  /** Send phases per 20 ms (default 20: streams spread over 1 ms steps). */
  slots?: number;
}

/** Streams per generator socket: few sockets, but not one socket's buffer for everything. */
export const STREAMS_PER_SOCKET = 250;

/** Compiles bench/rtp-farend.c; returns the executable and a cleanup. */
export function buildFarend(root: string): { exe: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sy-rtp-farend-'));
  const exe = join(dir, 'rtp-farend');
  try {
    execFileSync('cc', ['-O2', '-pthread', '-o', exe, resolve(root, 'bench/rtp-farend.c'), '-lm'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { code?: string; stderr?: Buffer };
    const why = e.code === 'ENOENT' ? 'no C compiler (cc): apt-get install -y gcc' : String(e.stderr ?? err);
    throw new Error(`media-bench: cannot build the far-end generator bench/rtp-farend.c: ${why}`);
  }
  return { exe, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export class RtpFarend {
  private constructor(
    private readonly proc: Managed,
    /** The generator's RTP ports, by socket index (RTCP on each + 1). */
    readonly ports: number[],
    private readonly lines: AsyncIterator<string>,
  ) {}

  /** Starts the generator and waits for its sockets (10 s at most). */
  static async start(exe: string, options: FarendOptions): Promise<RtpFarend> {
    const sockets = Math.max(options.threads, Math.ceil(options.streams / STREAMS_PER_SOCKET));
    const args = ['--sockets', String(sockets), '--threads', String(options.threads), '--seconds', String(options.seconds)];
    if (options.slots !== undefined) args.push('--slots', String(options.slots));
    // Its own session (group: true is setsid): with the kernel's autogroup scheduling a session
    // is one group sharing the CPU fairly with other sessions, so on a busy machine the far ends
    // do not take their CPU out of the share of the engine under test, nor the other way round.
    const proc = launch('rtp-farend', exe, args, { stdio: ['pipe', 'pipe', 'inherit'], group: true });
    const lines = createInterface({ input: proc.child.stdout! })[Symbol.asyncIterator]();
    const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000).unref());
    const first = await Promise.race([lines.next(), proc.done.then(() => undefined), timeout]);
    let ready: { ready?: boolean; ports?: number[] } | undefined;
    try {
      ready = first && !first.done ? (JSON.parse(first.value) as typeof ready) : undefined;
    } catch {
      ready = undefined;
    }
    if (!ready?.ready || !ready.ports || ready.ports.length !== sockets) {
      await terminate(proc, 'SIGKILL', 1000);
      const why = proc.exit ? `exit ${JSON.stringify(proc.exit)}` : first && !first.done ? `it said: ${first.value}` : 'no ready line in 10 s';
      throw new Error(`media-bench: the far-end generator did not start (${why})`);
    }
    return new RtpFarend(proc, ready.ports, lines);
  }

  /** The socket of the i-th stream: streams are dealt out in turn, so every thread gets its share. */
  socketOf(stream: number): number {
    return stream % this.ports.length;
  }

  /** The generator's RTP port that the i-th stream sends from (where its engine endpoint sends to). */
  portOf(stream: number): number {
    return this.ports[this.socketOf(stream)];
  }

  /** Hands over the streams; the generator starts sending at once. */
  play(streams: FarendStream[]): void {
    const text = streams.map((s) => `${s.socket} ${s.port} ${s.payloadType} ${s.ssrc >>> 0} ${s.toneHz} ${s.expectHz}\n`).join('');
    this.proc.child.stdin!.end(text);
  }

  /** The measured window starts now (the generator resets its counters). */
  startWindow(): void {
    this.assertRunning();
    send(this.proc, 'SIGUSR1');
  }

  /** Stops the generator; resolves with its figures over the window. */
  async stop(): Promise<FarendResult> {
    this.assertRunning();
    send(this.proc, 'SIGTERM');
    const exit = await waitExit(this.proc, 5000);
    const line = exit ? await this.lines.next() : undefined; // its stdout has ended: the result or nothing
    if (!line || line.done || exit?.code !== 0) {
      await terminate(this.proc, 'SIGKILL', 1000);
      throw new Error(`media-bench: the far-end generator failed (${exit ? JSON.stringify(exit) : 'still running 5 s after SIGTERM'})`);
    }
    return JSON.parse(line.value) as FarendResult;
  }

  /** Ends the generator if it still runs (after an error); idempotent. */
  async close(): Promise<void> {
    await terminate(this.proc, 'SIGKILL', 1000);
  }

  private assertRunning(): void {
    if (this.proc.exit) throw new Error(`media-bench: the far-end generator exited early (${JSON.stringify(this.proc.exit)})`);
  }
}

/** Tones of call `c`: A's far end plays `a`, B's plays `b` (each hears the other's through the bridge). */
function callTones(c: number): { a: number; b: number } {
  return { a: 500 + (c % 50), b: 1100 + (c % 50) };
}

/**
 * The streams of two-party calls: per call, stream 2c plays A's tone at `targets[c][0]` and
 * expects B's back, stream 2c+1 the other way round.
 */
export function callStreams(farend: RtpFarend, targets: Array<[number, number]>): FarendStream[] {
  return targets.flatMap(([portA, portB], c) => {
    const { a, b } = callTones(c);
    const stream = (i: number, port: number, toneHz: number, expectHz: number): FarendStream => ({
      socket: farend.socketOf(i),
      port,
      payloadType: 0,
      ssrc: (0x5eed0000 + i) >>> 0,
      toneHz,
      expectHz,
    });
    return [stream(2 * c, portA, a, b), stream(2 * c + 1, portB, b, a)];
  });
}
