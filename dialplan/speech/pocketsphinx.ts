// A Recognizer on Debian's pocketsphinx (pocketsphinx_continuous) with the pocketsphinx-en-us
// model. That model is wideband (16 kHz, filters up to 6.8 kHz): telephone audio (8 kHz) is
// upsampled to 16 kHz before it is heard. Its empty band above 4 kHz leaves the model's upper
// filters near log(0), which no training speech ever had; a faint white noise floor (about
// -50 dBFS) fills it and lifts a 12-word menu on telephone audio from 2-6/12 to 10-12/12
// (bench/asr-bench.ts measures it). Phrases mode runs a JSGF grammar with a
// dictionary cut down to the phrases' words (fast to load); free mode uses the full language model.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resample } from '../audio/resample.js';
import { formatWav, type Pcm16 } from '../audio/wav.js';
import { DialplanError, NotAvailableError } from '../errors.js';
import { normalizePhrase, type RecognitionRequest, type RecognitionResult, type Recognizer } from './recognizer.js';

export interface PocketsphinxOptions {
  /** The model folder (default Debian's pocketsphinx-en-us). */
  modelDir?: string;
  command?: string;
}

const MODEL_RATE = 16_000;
const DEFAULT_MODEL = '/usr/share/pocketsphinx/model/en-us';

export class PocketsphinxRecognizer implements Recognizer {
  readonly languages = ['en', 'en-us'] as const;
  private readonly modelDir: string;
  private dictionary?: Promise<Map<string, string[]>>;

  constructor(private readonly o: PocketsphinxOptions = {}) {
    this.modelDir = o.modelDir ?? DEFAULT_MODEL;
  }

  async check(request: Omit<RecognitionRequest, 'audio'>): Promise<void> {
    const lang = (request.lang ?? 'en').toLowerCase();
    if (!(this.languages as readonly string[]).includes(lang)) {
      throw new NotAvailableError(`asr-${lang}`, `speech recognition for "${lang}": no model for it is installed (pocketsphinx here has US English only)`);
    }
    if (request.mode.kind === 'phrases') await this.subDictionary(phrasesOf(request.mode.phrases));
  }

  async recognize(request: RecognitionRequest): Promise<RecognitionResult> {
    await this.check(request);
    const dir = await mkdtemp(join(tmpdir(), 'switchyard-asr-'));
    try {
      const audio = request.audio.sampleRate >= MODEL_RATE ? resample(request.audio, MODEL_RATE) : withNoiseFloor(resample(request.audio, MODEL_RATE));
      const wav = join(dir, 'input.wav');
      await writeFile(wav, formatWav(audio));
      const args = ['-infile', wav, '-hmm', join(this.modelDir, 'en-us')];
      if (request.mode.kind === 'phrases') {
        const phrases = phrasesOf(request.mode.phrases);
        await writeFile(join(dir, 'phrases.gram'), grammar(phrases));
        await writeFile(join(dir, 'phrases.dict'), await this.subDictionary(phrases));
        args.push('-jsgf', join(dir, 'phrases.gram'), '-dict', join(dir, 'phrases.dict'));
        const text = normalizePhrase(await this.run(args));
        const index = phrases.indexOf(text);
        return { text, phrase: index >= 0 ? request.mode.phrases[index] : undefined };
      }
      args.push('-lm', join(this.modelDir, 'en-us.lm.bin'), '-dict', join(this.modelDir, 'cmudict-en-us.dict'));
      return { text: normalizePhrase(await this.run(args)) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The pronunciations of the phrases' words; a word the dictionary lacks is an error. */
  private async subDictionary(phrases: string[]): Promise<string> {
    this.dictionary ??= readFile(join(this.modelDir, 'cmudict-en-us.dict'), 'utf8').then(parseDictionary);
    const dict = await this.dictionary;
    const lines: string[] = [];
    for (const word of new Set(phrases.flatMap((p) => p.split(' ')))) {
      const entries = dict.get(word);
      if (!entries) throw new DialplanError('invalid-argument', `speech phrases: no pronunciation for "${word}" in the model's dictionary`);
      lines.push(...entries);
    }
    return lines.join('\n') + '\n';
  }

  private run(args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.o.command ?? 'pocketsphinx_continuous', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-2000)));
      child.on('error', (e: NodeJS.ErrnoException) =>
        reject(new DialplanError('asr-failed', e.code === 'ENOENT' ? 'pocketsphinx is not installed (scripts/install-peers.sh installs it)' : `pocketsphinx: ${e.message}`)),
      );
      child.on('close', (code) => {
        if (code === 0) resolve(out.split('\n').filter(Boolean).join(' '));
        else reject(new DialplanError('asr-failed', `pocketsphinx exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      });
    });
  }
}

/** The phrases normalized; none, or an empty one, is an error. */
function phrasesOf(list: readonly string[]): string[] {
  const phrases = list.map(normalizePhrase);
  if (phrases.length === 0 || phrases.some((p) => p === '')) throw new DialplanError('invalid-argument', 'speech phrases must be non-empty');
  return phrases;
}

/** CMU dictionary lines by word (alternates `word(2)` kept under `word`). */
function parseDictionary(text: string): Map<string, string[]> {
  const dict = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    const word = line.slice(0, space).replace(/\(\d+\)$/, '');
    const list = dict.get(word);
    if (list) list.push(line);
    else dict.set(word, [line]);
  }
  return dict;
}

/** Peak of the noise floor added to narrowband audio: uniform ±200 (RMS ≈ -49 dBFS). */
const NOISE_FLOOR_PEAK = 200;

/**
 * The audio with a faint white noise added (see the top of this file), from a fixed seed: the
 * same audio always gets the same noise, so a recognition can be repeated exactly.
 */
export function withNoiseFloor(audio: Pcm16): Pcm16 {
  const samples = new Int16Array(audio.samples.length);
  let seed = 0x2545f491;
  for (let i = 0; i < samples.length; i++) {
    // xorshift32: cheap, and good enough for a noise floor.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    const noise = Math.round(((seed >>> 0) / 0xffffffff) * 2 * NOISE_FLOOR_PEAK - NOISE_FLOOR_PEAK);
    samples[i] = Math.max(-32768, Math.min(32767, audio.samples[i] + noise));
  }
  return { sampleRate: audio.sampleRate, samples };
}

function grammar(phrases: string[]): string {
  return `#JSGF V1.0;\ngrammar phrases;\npublic <phrase> = ${[...new Set(phrases)].join(' | ')};\n`;
}
