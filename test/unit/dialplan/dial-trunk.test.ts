// call.dial of a number through the dialplan's outbound route and its trunk, with the callee's
// early media (183 with SDP) reaching the caller before anyone answered, and record({ stereo })
// of the bridged call: the caller left, the callee right. Real SIP, RTP and media threads.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { defineDialplan, type DialResult, type RecordResult } from '../../../dialplan/index.js';
import { SimulatedCallee, startTestEngine } from '../../../dialplan/testkit/index.js';
import { startEngine as startMediaEngine, toneAmplitude, waitFor } from '../media/helpers.js';
import { readWav } from '../media/wav.js';

/** The strongest amplitude of `freq` over 200 ms windows of `samples`. */
function loudest(samples: Int16Array, freq: number): number {
  let best = 0;
  for (let at = 0; at + 1600 <= samples.length; at += 800) best = Math.max(best, toneAmplitude(samples.subarray(at, at + 1600), freq));
  return best;
}

t.test('dial through a trunk, early media, stereo recording', async (t) => {
  const media = startMediaEngine(t, 35000);
  const dir = await mkdtemp(join(tmpdir(), 'dialplan-dial-trunk-'));
  // The carrier: plays 700 Hz as early media for 1.5 s, then answers.
  const carrier = await SimulatedCallee.start({ media, behaviour: () => ({ answer: true, earlyMedia: { toneHz: 700, answerAfterMs: 1500 }, hangupAfterMs: 500 }) });
  // A callee that says 1000 Hz once answered.
  const person = await SimulatedCallee.start({ media, behaviour: () => ({ answer: true, toneHz: 1000, hangupAfterMs: 2000 }) });
  const dials: DialResult[] = [];
  const records: (RecordResult | Error)[] = [];
  const kit = await startTestEngine({
    media,
    recordingsDir: dir,
    trunks: { carrier: { host: '127.0.0.1', port: carrier.stack.port, domain: 'carrier.test', callerId: 'acme' } },
    dialplan: defineDialplan({
      routes: [
        { match: { number: 'out' }, handler: async (call) => void dials.push(await call.dial('0301234', { timeout: 10_000 })) },
        {
          match: { number: 'talk' },
          handler: async (call) => {
            call.once('bridged', () => void call.record({ stereo: true }).then((r) => records.push(r), (e: Error) => records.push(e)));
            dials.push(await call.dial(person.uri('p')));
          },
        },
      ],
      outbound: [{ match: /^0\d+$/, trunk: 'carrier', rewrite: (n) => `+49${n.slice(1)}` }],
    }),
  });
  t.teardown(async () => {
    await kit.stop();
    await carrier.stop();
    await person.stop();
    await rm(dir, { recursive: true, force: true });
  });

  t.test('a number leaves by the outbound route; the caller hears the carrier before the answer', async (t) => {
    const caller = kit.call('out');
    await caller.waitProvisional(183);
    const heard = caller.endpoint!.record(join(dir, 'heard-early.wav'));
    await caller.answered;
    const early = await heard.stop();
    t.equal(carrier.calls[0].requestUri, 'sip:+49301234@carrier.test', 'the rewritten number at the trunk domain');
    t.match(carrier.calls[0].from, /sip:acme@carrier\.test/, "the trunk's caller id");
    const samples = readWav(early.path).channelData[0];
    t.ok(loudest(samples, 700) > 2000, `the carrier's early media reached the caller before the answer (700 Hz at ${loudest(samples, 700).toFixed(0)})`);
    t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
    await waitFor('the dial result', () => dials.length === 1);
    t.match(dials[0], { status: 'answered', target: '0301234', endedBy: 'callee' });
  });

  t.test('record({ stereo }) while bridged: the caller left, the callee right', async (t) => {
    const caller = kit.call('talk');
    await caller.answered;
    caller.endpoint!.playTone(400);
    await caller.ended;
    await waitFor('the recording', () => records.length === 1);
    const result = records[0] as RecordResult;
    t.match(result, { reason: /^(bridge-ended|hangup)$/ });
    const wav = readWav(result.file);
    t.equal(wav.channels, 2, 'a stereo WAV');
    const [left, right] = wav.channelData;
    t.ok(loudest(left, 400) > 2000 && loudest(left, 1000) < loudest(left, 400) / 10, `left is the caller (400 Hz ${loudest(left, 400).toFixed(0)}, 1000 Hz ${loudest(left, 1000).toFixed(0)})`);
    t.ok(loudest(right, 1000) > 2000 && loudest(right, 400) < loudest(right, 1000) / 10, `right is the callee (1000 Hz ${loudest(right, 1000).toFixed(0)}, 400 Hz ${loudest(right, 400).toFixed(0)})`);
    await waitFor('nothing left', () => kit.runner.activeCalls === 0 && kit.stack.stats.dialogs === 0 && media.stats().endpoints === 0 && media.stats().mixers === 0);
  });
});
