// Speech input with pocketsphinx + pocketsphinx-en-us, spoken by flite's slt voice at 16 kHz
// (the model's native rate). How 8 kHz telephone audio fares is measured by bench/asr-bench.ts.
import t from 'tap';
import { DialplanError, NotAvailableError } from '../../../dialplan/errors.js';
import { PocketsphinxRecognizer } from '../../../dialplan/speech/pocketsphinx.js';
import { fliteSpeech } from '../../../dialplan/speech/voices.js';

const asr = new PocketsphinxRecognizer();
const MENU = ['Sales', 'Support', 'Billing', 'Yes', 'No', 'Operator'];

t.test('phrases mode picks the menu word spoken', async (t) => {
  for (const word of ['Sales', 'Support', 'Billing', 'Yes']) {
    const audio = await fliteSpeech(word.toLowerCase());
    t.equal(audio.sampleRate, 16000);
    const result = await asr.recognize({ audio, mode: { kind: 'phrases', phrases: MENU } });
    t.equal(result.phrase, word, `"${word}" heard as ${JSON.stringify(result)}`);
  }
});

t.test('free mode transcribes a sentence', async (t) => {
  const audio = await fliteSpeech('I would like to check my order status');
  const result = await asr.recognize({ audio, mode: { kind: 'free' } });
  t.equal(result.text, 'i would like to check my order status');
  t.equal(result.phrase, undefined);
});

t.test('what it cannot do, it says', async (t) => {
  const audio = await fliteSpeech('yes');
  await t.rejects(asr.recognize({ audio, mode: { kind: 'free' }, lang: 'ru' }), NotAvailableError, 'no Russian model here');
  await t.rejects(asr.recognize({ audio, mode: { kind: 'phrases', phrases: ['zzyzxq'] } }), { message: /no pronunciation for "zzyzxq"/ });
  await t.rejects(asr.recognize({ audio, mode: { kind: 'phrases', phrases: [] } }), DialplanError);
  await t.rejects(new PocketsphinxRecognizer({ command: 'no-such-pocketsphinx' }).recognize({ audio, mode: { kind: 'phrases', phrases: ['yes'] } }), { message: /not installed/ });
});
