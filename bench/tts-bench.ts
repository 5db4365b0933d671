// Text-to-speech latency: how long `say` takes before its prompt can start, on a cache miss
// (espeak-ng + resampling to 8 kHz + the cache write) and on a cache hit, for short sentences.
// Prints one JSON object.
//
//   npm run build && node dist/bench/tts-bench.js [--runs 20]
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakSynthesizer } from '../dialplan/tts/espeak.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const runs = Number(arg('runs', '20'));
const SENTENCES = [
  { text: 'Thank you for calling. Press one for sales.', lang: 'en' },
  { text: 'Спасибо за звонок. Нажмите один.', lang: 'ru' },
];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(ms: number[]): { p50: number; p90: number; max: number } {
  const s = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { p50: r(percentile(s, 50)), p90: r(percentile(s, 90)), max: r(s[s.length - 1]) };
}

const dir = await mkdtemp(join(tmpdir(), 'tts-bench-'));
try {
  const tts = new EspeakSynthesizer({ cacheDir: dir });
  const result: Record<string, unknown> = { runs, targetMs: 300 };
  for (const { text, lang } of SENTENCES) {
    const miss: number[] = [];
    const hit: number[] = [];
    for (let i = 0; i < runs; i++) {
      // A number that changes every run makes each text a cache miss without changing its length much.
      const unique = `${text} ${i}`;
      let t0 = performance.now();
      await tts.synthesize(unique, { lang });
      miss.push(performance.now() - t0);
      t0 = performance.now();
      await tts.synthesize(unique, { lang });
      hit.push(performance.now() - t0);
    }
    result[lang] = { text, cacheMissMs: summary(miss), cacheHitMs: summary(hit) };
  }
  console.log(JSON.stringify(result, null, 2));
} finally {
  await rm(dir, { recursive: true, force: true });
}
