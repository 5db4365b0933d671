// call.record over real SIP and RTP: beep, max length, silence timeout (VAD), finish key; the
// WAV is on disk with the length recorded.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { NotAvailableError, defineDialplan, type Call, type RecordOptions, type RecordResult } from '../../../dialplan/index.js';
import { startTestEngine } from '../../../dialplan/testkit/index.js';
import { startEngine as startMediaEngine } from '../media/helpers.js';

t.test('record', async (t) => {
  const media = startMediaEngine(t, 34600);
  const dir = await mkdtemp(join(tmpdir(), 'dialplan-rec-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const results: (RecordResult | Error)[] = [];
  const recordWith = (options: RecordOptions) => async (call: Call) => {
    await call.answer();
    results.push(await call.record(options).catch((e: Error) => e));
  };
  const kit = await startTestEngine({
    media,
    recordingsDir: dir,
    dialplan: defineDialplan({
      routes: [
        { match: { number: 'max' }, handler: recordWith({ maxSeconds: 1, beep: true }) },
        { match: { number: 'silence' }, handler: recordWith({ maxSeconds: 30, silenceTimeoutMs: 600 }) },
        { match: { number: 'key' }, handler: recordWith({ maxSeconds: 30 }) },
        { match: { number: 'stereo' }, handler: recordWith({ stereo: true }) },
      ],
    }),
  });
  t.teardown(() => kit.stop());

  t.test('beep, then up to maxSeconds into a WAV', async (t) => {
    const caller = kit.call('max');
    await caller.ended;
    const r = results[0] as RecordResult;
    t.equal(r.reason, 'max-seconds');
    t.ok(r.durationMs > 0, 'audio was recorded');
    const wav = await readFile(r.file);
    t.equal(wav.length - 44, r.durationMs * 16, 'the file holds durationMs of 8 kHz 16-bit audio');
    t.equal(wav.toString('ascii', 0, 4), 'RIFF');
    t.equal(wav.readUInt32LE(24), 8000, '8 kHz');
    t.ok(r.file.startsWith(dir));
  });

  t.test('a silent caller: stops after the silence timeout', async (t) => {
    await kit.call('silence').ended;
    t.match(results[1], { reason: 'silence' });
  });

  t.test('the finish key stops it', async (t) => {
    const caller = kit.call('key');
    await caller.answered;
    await sleep(1000); // the recording starts after the answer; no beep here
    caller.sendDtmf('#');
    await caller.ended;
    t.match(results[2], { reason: 'finish-key' });
  });

  t.test('stereo needs a bridged call', async (t) => {
    await kit.call('stereo').ended;
    t.type(results[3], NotAvailableError);
  });
});
