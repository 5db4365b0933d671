// Audio helpers for the VAD and playback tests: a tiny WAV writer and reader, a resampler,
// speech synthesized by espeak-ng, PCM streamed as paced PCMU RTP, and white noise.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { concat, encode, rtpPacket, type RtpPeer } from './helpers.js';

export { concat };

const run = promisify(execFile);

/** 16-bit PCM WAV bytes; `channels` > 1 means `samples` is interleaved. */
export function wavBytes(samples: Int16Array, sampleRate: number, channels = 1, bits = 16): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE((sampleRate * channels * bits) / 8, 28);
  h.writeUInt16LE((channels * bits) / 8, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export async function writeWav(path: string, samples: Int16Array, sampleRate: number, channels = 1): Promise<void> {
  await writeFile(path, wavBytes(samples, sampleRate, channels));
}

/** Mono 16-bit PCM of a WAV (the plain 44-byte layout espeak-ng writes, or any chunk order). */
export async function readWavMono(path: string): Promise<{ rate: number; samples: Int16Array }> {
  const b = await readFile(path);
  let pos = 12;
  let rate = 0;
  let channels = 1;
  while (pos + 8 <= b.length) {
    const id = b.toString('ascii', pos, pos + 4);
    let len = b.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      channels = b.readUInt16LE(pos + 10);
      rate = b.readUInt32LE(pos + 12);
    } else if (id === 'data') {
      len = Math.min(len, b.length - pos - 8);
      const all = new Int16Array(b.buffer.slice(b.byteOffset + pos + 8, b.byteOffset + pos + 8 + len - (len % 2)));
      const mono = new Int16Array(Math.floor(all.length / channels));
      for (let i = 0; i < mono.length; i++) mono[i] = all[i * channels];
      return { rate, samples: mono };
    }
    pos += 8 + len + (len & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Band-limited resampling (windowed sinc, Blackman window, cutoff 90 % of the lower Nyquist). */
export function resample(input: Int16Array, from: number, to: number): Int16Array {
  const ratio = from / to;
  const fc = (0.9 * Math.min(from, to)) / 2 / from; // cycles per input sample
  const half = 48;
  const out = new Int16Array(Math.floor(input.length / ratio));
  for (let n = 0; n < out.length; n++) {
    const t = n * ratio;
    const centre = Math.floor(t);
    let acc = 0;
    let norm = 0;
    for (let k = centre - half + 1; k <= centre + half; k++) {
      const x = t - k;
      const sinc = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / half) + 0.08 * Math.cos((2 * Math.PI * x) / half);
      const h = sinc * w;
      norm += h;
      if (k >= 0 && k < input.length) acc += h * input[k];
    }
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc / norm)));
  }
  return out;
}

/** A sentence spoken by espeak-ng, at 8 kHz, with its leading and trailing silence cut. */
export async function speak(text: string, dir: string, name: string): Promise<Int16Array> {
  const path = `${dir}/${name}.wav`;
  // Without a preloaded sanitizer runtime (an AddressSanitizer run of the addon): espeak-ng hangs under it.
  await run('espeak-ng', ['-v', 'en', '-s', '160', '-w', path, text], { env: { ...process.env, LD_PRELOAD: '' } });
  const { rate, samples } = await readWavMono(path);
  const pcm = resample(samples, rate, 8000);
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
