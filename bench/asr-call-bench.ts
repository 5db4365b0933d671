// Speech recognition on the call path: a simulated caller speaks espeak-ng words into a real
// SIP+RTP call (PCMU), the dialplan's gather({ speech }) captures the caller's audio through
// the media core (VAD + endpoint recording) and pocketsphinx matches it against the grammar.
// Each word is spoken ROUNDS times, one call per utterance. Prints one JSON object.
//
//   npm run build && node dist/bench/asr-call-bench.js [rounds] [word,word,...]
import pino from 'pino';
import { defineDialplan, type GatherResult } from '../dialplan/index.js';
import { PocketsphinxRecognizer } from '../dialplan/speech/pocketsphinx.js';
import { startTestEngine } from '../dialplan/testkit/index.js';
import { MediaEngine } from '../media/index.js';

const rounds = Number(process.argv[2] ?? 3);
const words = (process.argv[3] ?? 'sales,support,billing,yes,no,operator,agent,one,two,three,repeat,cancel').split(',');
const media = new MediaEngine({ portMin: 37000, portMax: 37098, address: '127.0.0.1' }).start();
const results = new Map<string, GatherResult>();
const kit = await startTestEngine({
  media,
  asr: new PocketsphinxRecognizer(),
  logger: pino({ level: 'silent' }),
  dialplan: defineDialplan({
    routes: [
      {
        match: () => true,
        handler: async (call) => {
          await call.answer();
          results.set(call.info.from.user, await call.gather({ speech: { phrases: words }, timeout: 10_000 }));
        },
      },
    ],
  }),
});
let correct = 0;
const misses: string[] = [];
const started = Date.now();
for (let round = 0; round < rounds; round++) {
  for (const word of words) {
    const id = `r${round}-${word}`;
    const caller = kit.call('menu', { from: `sip:${id}@127.0.0.1` });
    await caller.answered;
    await new Promise((r) => setTimeout(r, 300));
    await caller.say(word);
    await caller.ended;
    const r = results.get(id);
    if (r?.speech?.phrase === word) correct++;
    else misses.push(`${word}→${r?.speech?.text ?? r?.reason ?? 'nothing'}`);
  }
}
await kit.stop();
await media.close();
console.log(JSON.stringify({ path: 'espeak-ng → PCMU RTP → VAD + endpoint recording → pocketsphinx (grammar)', words: words.length, rounds, correct: `${correct}/${words.length * rounds}`, misses, seconds: Math.round((Date.now() - started) / 1000) }, null, 2));
