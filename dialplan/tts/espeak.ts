// `say` with Debian's espeak-ng: text → espeak-ng's 22.05 kHz WAV → band-limited resampling
// to 8 kHz mono PCM16 → a WAV file in the cache, named by a hash of everything that shapes the
// sound. Concurrent requests for the same prompt share one synthesis; a cached prompt costs a stat().
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resample } from '../audio/resample.js';
import { formatWav, parseWav } from '../audio/wav.js';
import { DialplanError } from '../errors.js';
import type { SayOptions, Synthesizer } from './synthesizer.js';

export interface EspeakOptions {
  cacheDir: string;
  /** Output sample rate (default 8000, telephone audio). */
  sampleRate?: number;
  /** Words per minute (espeak-ng default 175). */
  wordsPerMinute?: number;
  /** The espeak-ng binary (default from PATH). */
  command?: string;
}

/** Bumped when the audio pipeline changes, so old cache entries are not reused. */
const PIPELINE_VERSION = 1;
const MAX_TEXT = 4000;
/** espeak-ng's output rate. */
const ESPEAK_RATE = 22050;
const LANG = /^[a-z]{2,3}(-[a-z0-9]{1,8})*$/i;
const VOICE = /^[a-z0-9_-]{1,32}$/i;

export class EspeakSynthesizer implements Synthesizer {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly rate: number;
  private cacheReady?: Promise<unknown>;
  /** Syntheses run (cache misses), for tests and stats. */
  misses = 0;

  constructor(private readonly o: EspeakOptions) {
    this.rate = o.sampleRate ?? 8000;
    // Build the filter and let the JIT optimise the resampling loop now, not on the first call.
    resample({ sampleRate: ESPEAK_RATE, samples: new Int16Array(ESPEAK_RATE / 2) }, this.rate);
  }

  synthesize(text: string, options: SayOptions = {}): Promise<string> {
    const lang = options.lang ?? 'en';
    if (typeof text !== 'string' || text.trim() === '') return Promise.reject(new DialplanError('invalid-argument', 'say: text must be a non-empty string'));
    if (text.length > MAX_TEXT) return Promise.reject(new DialplanError('invalid-argument', `say: text longer than ${MAX_TEXT} characters`));
    if (!LANG.test(lang)) return Promise.reject(new DialplanError('invalid-argument', `say: bad language "${lang}"`));
    if (options.voice !== undefined && !VOICE.test(options.voice)) return Promise.reject(new DialplanError('invalid-argument', `say: bad voice "${options.voice}"`));
    const key = createHash('sha256')
      .update(JSON.stringify([PIPELINE_VERSION, this.rate, this.o.wordsPerMinute ?? null, lang, options.voice ?? null, text]))
      .digest('hex');
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const file = join(this.o.cacheDir, `${key}.wav`);
    const work = this.cachedOrMake(file, text, lang, options.voice).finally(() => this.inflight.delete(key));
    this.inflight.set(key, work);
    return work;
  }

  private async cachedOrMake(file: string, text: string, lang: string, voice: string | undefined): Promise<string> {
    try {
      await stat(file);
      return file;
    } catch {
      // not cached yet
    }
    this.misses++;
    this.cacheReady ??= mkdir(this.o.cacheDir, { recursive: true });
    const [raw] = await Promise.all([this.run(text, lang, voice), this.cacheReady]);
    let pcm;
    try {
      pcm = parseWav(raw);
    } catch (err) {
      throw new DialplanError('tts-failed', `espeak-ng produced no usable WAV: ${(err as Error).message}`);
    }
    const out = formatWav(resample(pcm, this.rate));
    // Write then rename, so a reader never sees half a prompt.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(tmp, out);
    await rename(tmp, file);
    return file;
  }

  private run(text: string, lang: string, voice: string | undefined): Promise<Buffer> {
    const args = ['--stdout', '--stdin', '-v', voice ? `${lang}+${voice}` : lang];
    if (this.o.wordsPerMinute) args.push('-s', String(this.o.wordsPerMinute));
    return new Promise((resolve, reject) => {
      const child = spawn(this.o.command ?? 'espeak-ng', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', (e: NodeJS.ErrnoException) =>
        reject(new DialplanError('tts-failed', e.code === 'ENOENT' ? 'espeak-ng is not installed (scripts/install-peers.sh installs it)' : `espeak-ng: ${e.message}`)),
      );
      child.on('close', (code) => {
        if (code === 0) resolve(Buffer.concat(out));
        else reject(new DialplanError('tts-failed', `espeak-ng exited ${code} for voice "${args[3]}": ${err.trim()}`));
      });
      // A child that dies early closes its stdin; the exit code tells the story.
      child.stdin.on('error', () => undefined);
      child.stdin.end(text);
    });
  }
}
