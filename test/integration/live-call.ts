// Phones for a test, waiting for a live call to reach a state, and judging who hears whom in
// it, for the contact-centre tests that drive real SIP phones with audio; their hold music.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { audioOf, sine, toneAmplitude, type ReceivedRtp } from '../unit/media/helpers.js';
import { writeWav } from '../unit/media/audio_helpers.js';
import { startEngine, type Engine } from './harness.js';
import { SoftPhone } from './softphone.js';

/** Polls `fn` every 100 ms until it returns a value; fails after `timeoutMs`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** How loud each of `freqs` is in the PCMU audio of `packets`. */
function levels(packets: ReceivedRtp[], freqs: number[]): Record<number, number> {
  const samples = audioOf(packets.filter((p) => p.pt === 0), 'PCMU');
  return Object.fromEntries(freqs.map((f) => [f, toneAmplitude(samples, f)]));
}

/**
 * `phone` hears every one of `loud` and none of `silent` (each loud one above 100 and 10x the
 * loudest silent one) in a 1 s window. On a loaded machine a phone's paced sender can stall,
 * so the first window where it holds is judged (half-overlapping windows over up to 20 s of
 * audio, like RtpPeer.windowWhere); the last one is reported when none does. Every phone sends
 * from this process's event loop, so a stall silences all of them at once: a window in which
 * the loud ones came through is one in which the silent ones were sending too.
 */
export async function assertHears(t: Test, who: string, phone: SoftPhone, loud: number[], silent: number[]): Promise<void> {
  const freqs = [...loud, ...silent];
  const holds = (heard: Record<number, number>) => {
    const floor = Math.min(...loud.map((f) => heard[f]));
    const noise = Math.max(0, ...silent.map((f) => heard[f]));
    return floor > 10 * noise && floor > 100;
  };
  const window = await phone.rtp.windowWhere(phone.rtp.received.length, 50, (packets) => holds(levels(packets, freqs)), 40);
  const heard = levels(window, freqs);
  t.ok(holds(heard), `${who} hears ${loud.join(' + ')} Hz${silent.length ? `, not ${silent.join(' / ')} Hz` : ''} (${JSON.stringify(Object.fromEntries(Object.entries(heard).map(([k, v]) => [k, Math.round(v)])))})`);
}

/** A way to open phones against the engine at `sipPort`; every one is closed when `t` ends. */
export function phonesFor(t: Test, sipPort: number): (user: string, freq: number) => Promise<SoftPhone> {
  const phones: SoftPhone[] = [];
  t.teardown(async () => {
    for (const p of phones) await p.close();
  });
  return async (user, freq) => {
    const p = await SoftPhone.open(sipPort, user, freq);
    phones.push(p);
    return p;
  };
}

/** Starts the engine process with `acd` as the contact centre of its config file; stopped when `t` ends. */
export async function startContactCentre(t: Test, acd: Record<string, unknown>): Promise<Engine> {
  const dir = mkdtempSync(join(tmpdir(), 'contact-centre-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify({ acd }));
  const engine = await startEngine({ env: { SWITCHYARD_CONFIG: configFile } });
  t.teardown(engine.stop);
  return engine;
}

/**
 * A scratch folder (removed at teardown) holding `hold.wav`: one second of `holdHz` at 8 kHz,
 * a whole number of cycles for a whole-Hz tone, so looping it leaves no seam.
 */
export async function scratchWithHoldMusic(t: Test, prefix: string, holdHz: number): Promise<{ dir: string; holdFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const holdFile = join(dir, 'hold.wav');
  await writeWav(holdFile, sine(holdHz, 8000, 0, 8000), 8000);
  return { dir, holdFile };
}
