// The ivr example, loaded from its file as the engine would, driven by DTMF over real SIP and
// RTP: key 1 stops the menu prompt and starts the echo test, where the caller hears its own
// tone back; # ends it and the dialplan says goodbye.
//   npx tsc -p . && node scripts/run-tests.mjs examples/ivr
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { MediaEngine } from '../../media/index.js';
import { startTestEngine } from '../testkit/index.js';
import { EspeakSynthesizer } from '../tts/espeak.js';
import { toneAmplitude } from '../../test/unit/media/helpers.js';
import { readWav } from '../../test/unit/media/wav.js';

const DIALPLAN = fileURLToPath(new URL('../../../dialplan/examples/ivr.ts', import.meta.url));

t.test('ivr: echo test', async (t) => {
  const media = new MediaEngine({ address: '127.0.0.1', portMin: 35600, portMax: 35698 }).start();
  const dir = await mkdtemp(join(tmpdir(), 'ivr-example-'));
  const events: { type: string; data: unknown }[] = [];
  const kit = await startTestEngine({ dialplan: DIALPLAN, media, tts: new EspeakSynthesizer({ cacheDir: dir }), events: { append: (type, data) => events.push({ type, data }) } });
  t.teardown(async () => {
    await kit.stop();
    await media.close();
    await rm(dir, { recursive: true, force: true });
  });
  const caller = kit.call('ivr');
  await caller.answered;
  await sleep(1000); // into the menu prompt
  caller.sendDtmf('1');
  // The caller speaks a 600 Hz tone; once the announcement is over, the echo sends it back.
  caller.endpoint!.playTone(600);
  let echoed = 0;
  for (let i = 0; i < 20 && echoed < 6000; i++) {
    const heard = await caller.endpoint!.record(join(dir, `heard-${i}.wav`));
    await sleep(1000);
    const samples = readWav((await heard.stop()).path).channelData[0];
    for (let at = 0; at + 1600 <= samples.length; at += 800) echoed = Math.max(echoed, toneAmplitude(samples.subarray(at, at + 1600), 600));
  }
  t.ok(echoed > 6000, `the caller hears its own tone back at about the level it sent (${echoed.toFixed(0)} of 8192)`);
  caller.endpoint!.stopTone();
  caller.sendDtmf('#');
  t.match(await caller.ended, { kind: 'hungup-by-dialplan' }, 'goodbye after #');
  t.match(events.find((e) => e.type === 'ivr.choice')?.data, { key: '1', route: 'echo', bargedIn: true });
  t.match(events.find((e) => e.type === 'ivr.echo')?.data, { reason: 'finish-key' });
});
