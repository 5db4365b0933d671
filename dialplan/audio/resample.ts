// Sample-rate conversion by band-limited (windowed-sinc) interpolation, polyphase: for a
// rational ratio L/M the filter taps of each of the L output phases are computed once.
// The low-pass sits at 0.45 × the lower rate (3.6 kHz for 8 kHz telephone audio), so what
// the lower rate cannot carry is removed before it can alias; a Kaiser window (β = 8) puts
// the stop band about 80 dB down.
import type { Pcm16 } from './wav.js';

/** Zero crossings of the sinc on each side, at the lower rate. */
const ZERO_CROSSINGS = 16;
const KAISER_BETA = 8;
const CUTOFF = 0.45;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Modified Bessel function of the first kind, order 0 (series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

interface Filter {
  up: number;
  down: number;
  half: number;
  /** taps[phase * 2half + (d + half)] weighs input i - d for output phase `phase`. */
  taps: Float32Array;
}

const filters = new Map<string, Filter>();

function filterFor(from: number, to: number): Filter {
  const key = `${from}/${to}`;
  const cached = filters.get(key);
  if (cached) return cached;
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  // Cut-off as a fraction of the input rate, and the filter half-length in input samples.
  const fc = (CUTOFF * Math.min(from, to)) / from;
  const half = Math.ceil(ZERO_CROSSINGS / (2 * fc));
  const taps = new Float32Array(up * 2 * half);
  const i0beta = besselI0(KAISER_BETA);
  for (let phase = 0; phase < up; phase++) {
    const frac = phase / up;
    for (let d = -half; d < half; d++) {
      const x = frac + d; // distance from the input sample to the output instant
      const r = x / half;
      const window = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0beta;
      const arg = 2 * fc * x;
      const sinc = arg === 0 ? 1 : Math.sin(Math.PI * arg) / (Math.PI * arg);
      taps[phase * 2 * half + d + half] = 2 * fc * sinc * window;
    }
  }
  const filter = { up, down, half, taps };
  filters.set(key, filter);
  return filter;
}

export function resample(input: Pcm16, to: number): Pcm16 {
  const from = input.sampleRate;
  if (!Number.isInteger(to) || to <= 0) throw new RangeError(`target rate must be a positive integer, got ${to}`);
  if (from === to) return { sampleRate: to, samples: input.samples.slice() };
  const { up, down, half, taps } = filterFor(from, to);
  const x = input.samples;
  const n = Math.floor((x.length * up) / down);
  const out = new Int16Array(n);
  const width = 2 * half;
  // Output k sits at input position k·down/up = i + phase/up; step both without dividing.
  let i = 0;
  let phase = 0;
  for (let k = 0; k < n; k++, phase += down) {
    while (phase >= up) {
      phase -= up;
      i++;
    }
    const base = phase * width + half;
    let acc = 0;
    const dMin = Math.max(-half, i - x.length + 1);
    const dMax = Math.min(half - 1, i);
    for (let d = dMin; d <= dMax; d++) acc += x[i - d] * taps[base + d];
    // Upsampling keeps the gain: each output already sums unit-gain taps.
    out[k] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
  }
  return { sampleRate: to, samples: out };
}
