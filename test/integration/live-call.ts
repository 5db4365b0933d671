// Phones for a test, waiting for a live call to reach a state, and judging who hears whom in
// it, for the contact-centre tests that drive real SIP phones with audio.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { SoftPhone } from './softphone.js';

/** Polls `fn` every 100 ms until it returns a value; fails after `timeoutMs`. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * `phone` hears every one of `loud` and none of `silent` (each loud one above 100 and 10x the
 * loudest silent one) in a 1 s window. On a loaded machine a phone's paced sender can stall,
 * so up to ten windows are tried; the last one is reported.
 */
export async function assertHears(t: Test, who: string, phone: SoftPhone, loud: number[], silent: number[]): Promise<void> {
  let heard: Record<number, number> = {};
  let ok = false;
  for (let attempt = 0; attempt < 10 && !ok; attempt++) {
    heard = await phone.hears([...loud, ...silent]);
    const floor = Math.min(...loud.map((f) => heard[f]));
    const noise = Math.max(0, ...silent.map((f) => heard[f]));
    ok = floor > 10 * noise && floor > 100;
  }
  t.ok(ok, `${who} hears ${loud.join(' + ')} Hz${silent.length ? `, not ${silent.join(' / ')} Hz` : ''} (${JSON.stringify(Object.fromEntries(Object.entries(heard).map(([k, v]) => [k, Math.round(v)])))})`);
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
