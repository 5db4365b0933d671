// Audio helpers for the VAD and playback tests: WAV files and resampling (dialplan's),
// speech synthesized by espeak-ng, PCM streamed as paced PCMU RTP, and white noise.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { resample } from '../../../dialplan/audio/resample.js';
import { formatWav, parseWav } from '../../../dialplan/audio/wav.js';
import { concat, encode, rtpPacket, type RtpPeer } from './helpers.js';

export { concat };

const run = promisify(execFile);

/** 16-bit PCM WAV bytes (dialplan's writer); `channels` > 1 means `samples` is interleaved. */
export function wavBytes(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  return formatWav({ sampleRate, samples }, channels);
}

export async function writeWav(path: string, samples: Int16Array, sampleRate: number, channels = 1): Promise<void> {
  await writeFile(path, wavBytes(samples, sampleRate, channels));
}

/** A sentence spoken by espeak-ng, at 8 kHz, with its leading and trailing silence cut. */
export async function speak(text: string, dir: string, name: string): Promise<Int16Array> {
  const path = `${dir}/${name}.wav`;
  // Without a preloaded sanitizer runtime (an AddressSanitizer run of the addon): espeak-ng hangs under it.
  await run('espeak-ng', ['-v', 'en', '-s', '160', '-w', path, text], { env: { ...process.env, LD_PRELOAD: '' } });
  const pcm = resample(parseWav(await readFile(path)), 8000).samples;
  const loud = (i: number): boolean => Math.abs(pcm[i]) > 300;
  let first = 0;
  while (first < pcm.length && !loud(first)) first++;
  let last = pcm.length - 1;
  while (last > first && !loud(last)) last--;
  return pcm.slice(first, last + 1);
}

/** White noise (uniform), peak `amplitude`, from a seeded generator so runs repeat. */
export function noise(n: number, amplitude: number, seed = 12345): Int16Array {
  let s = seed >>> 0;
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = Math.round(((s / 2 ** 32) * 2 - 1) * amplitude);
  }
  return out;
}

export function sineAt(freq: number, amplitude: number, n: number, rate = 8000): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Adds b into a (saturating), in place; returns a. */
export function addInto(a: Int16Array, b: Int16Array): Int16Array {
  for (let i = 0; i < Math.min(a.length, b.length); i++) a[i] = Math.max(-32768, Math.min(32767, a[i] + b[i]));
  return a;
}

/**
 * Streams `pcm` (8 kHz) from `peer` to `port` as 20 ms PCMU packets paced by the wall clock
 * (every packet due since the start is sent, so timer jitter does not change the rate).
 * Resolves when the last packet is sent.
 */
export function streamPcm(peer: RtpPeer, port: number, pcm: Int16Array, ssrc = 0x5151): Promise<void> {
  const frames = Math.floor(pcm.length / 160);
  return new Promise((resolve) => {
    const started = Date.now();
    let sent = 0;
    const tick = (): void => {
      const due = Math.min(frames, Math.floor((Date.now() - started) / 20) + 1);
      while (sent < due) {
        const payload = encode('PCMU', pcm.subarray(sent * 160, sent * 160 + 160));
        void peer.send(rtpPacket({ pt: 0, seq: 100 + sent, ts: 1000 + sent * 160, ssrc, marker: sent === 0, payload }), port).catch(() => {});
        sent++;
      }
      if (sent >= frames) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 10);
    tick();
  });
}
