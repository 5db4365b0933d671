// The survey example, loaded from its file as the engine would, answered by DTMF over real SIP
// and RTP: the answers land in the event log with the call.
//   npx tsc -p . && node scripts/run-tests.mjs examples
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { MediaEngine } from '../../media/index.js';
import { startTestEngine } from '../testkit/index.js';
import { EspeakSynthesizer } from '../tts/espeak.js';

const DIALPLAN = fileURLToPath(new URL('../../../dialplan/examples/survey.ts', import.meta.url));

t.test('survey robot', async (t) => {
  const media = new MediaEngine({ address: '127.0.0.1', portMin: 34800, portMax: 34898 }).start();
  const ttsDir = await mkdtemp(join(tmpdir(), 'survey-tts-'));
  const events: { type: string; data: unknown; callId?: string }[] = [];
  const kit = await startTestEngine({ dialplan: DIALPLAN, media, tts: new EspeakSynthesizer({ cacheDir: ttsDir }), events: { append: (type, data, callId) => events.push({ type, data, callId }) } });
  t.teardown(async () => {
    await kit.stop();
    await media.close();
    await rm(ttsDir, { recursive: true, force: true });
  });
  const caller = kit.call('survey');
  await caller.answered;
  await sleep(1500); // into the first question (a key stops the prompt)
  caller.sendDtmf('5');
  await sleep(1500);
  caller.sendDtmf('9#');
  t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
  t.match(events.find((e) => e.type === 'robot.survey'), { data: { csat: 5, nps: 9 }, callId: /.+/ });
  t.ok(kit.loader!.current!.dialplan.robots?.survey, 'the dialplan offers the survey to robot calls');
});
