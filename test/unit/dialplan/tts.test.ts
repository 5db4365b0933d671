// Text to speech: espeak-ng output resampled to 8 kHz mono PCM16 WAV, cached on disk,
// shared between concurrent requests; English and Russian.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { resample } from '../../../dialplan/audio/resample.js';
import { parseWav, rmsDbfs, type Pcm16 } from '../../../dialplan/audio/wav.js';
import { DialplanError } from '../../../dialplan/errors.js';
import { EspeakSynthesizer } from '../../../dialplan/tts/espeak.js';

/** Share of 20 ms frames louder than -45 dBFS: speech, not silence or a click. */
function voicedShare(pcm: Pcm16): number {
  const frame = pcm.sampleRate / 50;
  let voiced = 0;
  let frames = 0;
  for (let i = 0; i + frame <= pcm.samples.length; i += frame, frames++) if (rmsDbfs(pcm.samples, i, i + frame) > -45) voiced++;
  return voiced / Math.max(1, frames);
}

async function wavOf(file: string): Promise<{ pcm: Pcm16; header: Buffer }> {
  const buf = await readFile(file);
  return { pcm: parseWav(buf), header: buf.subarray(0, 44) };
}

t.test('espeak-ng prompts', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'tts-cache-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const tts = new EspeakSynthesizer({ cacheDir: dir });

  t.test('English: 8 kHz mono PCM16 with speech, of the expected rough length', async (t) => {
    const file = await tts.synthesize('Thank you for calling Switchyard. Press one for sales.');
    const { pcm, header } = await wavOf(file);
    t.equal(header.readUInt16LE(20), 1, 'PCM');
    t.equal(header.readUInt16LE(22), 1, 'mono');
    t.equal(header.readUInt32LE(24), 8000, '8 kHz');
    t.equal(header.readUInt16LE(34), 16, '16 bits');
    const seconds = pcm.samples.length / pcm.sampleRate;
    t.ok(seconds > 1.5 && seconds < 6, `about 3 s of audio for 9 words (${seconds.toFixed(2)} s)`);
    t.ok(voicedShare(pcm) > 0.4, `mostly voiced (${(voicedShare(pcm) * 100).toFixed(0)} % of frames)`);
    t.equal(tts.misses, 1);
  });

  t.test('the second request is a cache hit: same file, no new synthesis', async (t) => {
    const text = 'Your call is important to us.';
    const first = await tts.synthesize(text);
    const before = (await stat(first)).mtimeMs;
    const misses = tts.misses;
    const second = await tts.synthesize(text);
    t.equal(second, first);
    t.equal(tts.misses, misses, 'no synthesis the second time');
    t.equal((await stat(second)).mtimeMs, before, 'the file was not rewritten');
    t.not(await tts.synthesize(text, { voice: 'f3' }), first, 'another voice is another prompt');
  });

  t.test('concurrent requests for one prompt share one synthesis', async (t) => {
    const misses = tts.misses;
    const files = await Promise.all(Array.from({ length: 6 }, () => tts.synthesize('Please hold the line.')));
    t.equal(new Set(files).size, 1);
    t.equal(tts.misses, misses + 1);
  });

  t.test('Russian', async (t) => {
    const file = await tts.synthesize('Здравствуйте! Спасибо за звонок.', { lang: 'ru' });
    const { pcm } = await wavOf(file);
    t.equal(pcm.sampleRate, 8000);
    const seconds = pcm.samples.length / pcm.sampleRate;
    t.ok(seconds > 1 && seconds < 6, `about 2 s (${seconds.toFixed(2)} s)`);
    t.ok(voicedShare(pcm) > 0.4, 'speech energy');
  });

  t.test('bad input is refused clearly', async (t) => {
    const codeOf = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'resolved';
      } catch (e) {
        return e instanceof DialplanError ? `${e.code}: ${e.message}` : String(e);
      }
    };
    t.match(await codeOf(tts.synthesize('')), /^invalid-argument/);
    t.match(await codeOf(tts.synthesize('hi', { lang: '--help' })), /^invalid-argument: say: bad language/);
    t.match(await codeOf(tts.synthesize('hi', { lang: 'zz' })), /^tts-failed: espeak-ng exited 1/);
    t.match(await codeOf(new EspeakSynthesizer({ cacheDir: dir, command: 'no-such-espeak' }).synthesize('hi')), /not installed/);
  });
});

t.test('resampling: the pass band is kept, what 8 kHz cannot carry is removed', async (t) => {
  const tone = (hz: number, rate: number): Pcm16 => {
    const samples = new Int16Array(rate);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / rate));
    return { sampleRate: rate, samples };
  };
  const level = (p: Pcm16) => rmsDbfs(p.samples, 400, p.samples.length - 400);
  const input = level(tone(1000, 22050));
  for (const hz of [300, 1000, 3000]) {
    const out = resample(tone(hz, 22050), 8000);
    t.equal(out.samples.length, 8000, 'one second stays one second');
    t.ok(Math.abs(level(out) - input) < 0.5, `${hz} Hz passes (${(level(out) - input).toFixed(2)} dB)`);
  }
  for (const hz of [4500, 6000, 9000]) {
    const out = resample(tone(hz, 22050), 8000);
    t.ok(level(out) - input < -60, `${hz} Hz would alias: attenuated ${(level(out) - input).toFixed(0)} dB`);
  }
  const up = resample(tone(1000, 8000), 16000);
  t.equal(up.samples.length, 16000);
  t.ok(Math.abs(level(up) - input) < 0.5, 'upsampling 8 → 16 kHz keeps the level');
  t.throws(() => resample(tone(1000, 8000), 0), RangeError);
});
