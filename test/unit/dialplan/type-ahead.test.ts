// Keys pressed while gather's text prompt is still being synthesized are not lost: they count
// first (type-ahead) and the prompt is not played. Real SIP and RTP; a synthesizer that takes
// its time stands in for espeak-ng on a busy machine.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { formatWav } from '../../../dialplan/audio/wav.js';
import { defineDialplan, type GatherResult, type Synthesizer } from '../../../dialplan/index.js';
import { startTestEngine } from '../../../dialplan/testkit/index.js';
import { startEngine as startMediaEngine, waitFor } from '../media/helpers.js';

t.test('gather keeps the keys pressed while its prompt is synthesized', async (t) => {
  const media = startMediaEngine(t, 35800);
  const dir = await mkdtemp(join(tmpdir(), 'dialplan-type-ahead-'));
  const wav = join(dir, 'prompt.wav');
  await writeFile(wav, formatWav({ sampleRate: 8000, samples: new Int16Array(8000 * 3) }));
  let release!: () => void;
  const slow: Synthesizer = { synthesize: () => new Promise((resolve) => (release = () => resolve(wav))) };
  const results: GatherResult[] = [];
  const prompts: string[] = [];
  const kit = await startTestEngine({
    media,
    tts: slow,
    dialplan: defineDialplan({
      routes: [
        {
          match: { number: 'pin' },
          handler: async (call) => {
            await call.answer();
            call.on('prompt', ({ file }) => prompts.push(file));
            results.push(await call.gather({ prompt: { say: 'Your PIN, then hash.' }, finishOnKey: '#', timeout: 5000 }));
          },
        },
      ],
    }),
  });
  t.teardown(async () => {
    await kit.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const caller = kit.call('pin');
  await caller.answered;
  caller.sendDtmf('12');
  await sleep(1000); // both keys are in while the prompt is still being made
  release();
  await sleep(300);
  caller.sendDtmf('3#');
  await waitFor('gather to finish', () => results.length === 1);
  t.same(results[0], { digits: '123', reason: 'finish-key', bargedIn: true }, 'the early keys come first; the prompt counts as cut short');
  t.same(prompts, [], 'the prompt was not played: the caller had already answered');
  t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
});
