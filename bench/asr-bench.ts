// Speech recognition accuracy of the pocketsphinx recognizer, by audio path: flite's slt and
// espeak-ng voices at the model's 16 kHz, and the same speech through the telephone path
// (resampled to 8 kHz, then back to 16 kHz for the wideband model). Phrases mode: 12 menu
// words against a grammar of those 12. Free mode: 4 sentences, word error rate.
// Prints one JSON object.
//
//   npm run build && node dist/bench/asr-bench.js
import { resample } from '../dialplan/audio/resample.js';
import type { Pcm16 } from '../dialplan/audio/wav.js';
import { PocketsphinxRecognizer } from '../dialplan/speech/pocketsphinx.js';
import { espeakSpeech, fliteSpeech } from '../dialplan/speech/voices.js';

const WORDS = ['sales', 'support', 'billing', 'yes', 'no', 'operator', 'agent', 'one', 'two', 'three', 'repeat', 'cancel'];
const SENTENCES = ['i would like to check my order status', 'please connect me to an agent', 'my account number is four five six', 'i want to cancel my subscription'];

const asr = new PocketsphinxRecognizer();
type Voice = (text: string) => Promise<Pcm16>;
const voices: Record<string, Voice> = { flite: fliteSpeech, espeak: (t) => espeakSpeech(t) };
const paths: Record<string, (p: Pcm16) => Pcm16> = {
  wideband: (p) => (p.sampleRate === 16000 ? p : resample(p, 16000)),
  telephone8k: (p) => resample(p, 8000),
};

/** Word-level edit distance over the reference length. */
function wordErrorRate(ref: string, hyp: string): number {
  const r = ref.split(' ');
  const h = hyp ? hyp.split(' ') : [];
  const d = Array.from({ length: r.length + 1 }, (_, i) => [i, ...Array<number>(h.length).fill(0)]);
  for (let j = 1; j <= h.length; j++) d[0][j] = j;
  for (let i = 1; i <= r.length; i++) {
    for (let j = 1; j <= h.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (r[i - 1] === h[j - 1] ? 0 : 1));
  }
  return d[r.length][h.length] / r.length;
}

const result: Record<string, unknown> = { model: 'pocketsphinx-en-us (wideband)', words: WORDS.length, sentences: SENTENCES.length };
for (const [voiceName, voice] of Object.entries(voices)) {
  const words = await Promise.all(WORDS.map((w) => voice(w)));
  const sentences = await Promise.all(SENTENCES.map((s) => voice(s)));
  for (const [pathName, path] of Object.entries(paths)) {
    let correct = 0;
    const misses: string[] = [];
    for (let i = 0; i < WORDS.length; i++) {
      const r = await asr.recognize({ audio: path(words[i]), mode: { kind: 'phrases', phrases: WORDS } });
      if (r.phrase === WORDS[i]) correct++;
      else misses.push(`${WORDS[i]}→${r.text || '∅'}`);
    }
    let wer = 0;
    const heard: string[] = [];
    for (let i = 0; i < SENTENCES.length; i++) {
      const r = await asr.recognize({ audio: path(sentences[i]), mode: { kind: 'free' } });
      wer += wordErrorRate(SENTENCES[i], r.text);
      heard.push(r.text);
    }
    result[`${voiceName}/${pathName}`] = {
      phrasesCorrect: `${correct}/${WORDS.length}`,
      phrasesMisses: misses,
      freeWordErrorRate: Math.round((wer / SENTENCES.length) * 100) / 100,
      freeHeard: heard,
    };
    process.stderr.write(`${voiceName}/${pathName} done\n`);
  }
}
console.log(JSON.stringify(result, null, 2));
