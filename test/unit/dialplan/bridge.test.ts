// call.bridge(otherCall): two live calls connected so their callers hear each other, on one
// media thread (one mixer) or across two (two mixers joined by a loopback RTP link); the call
// that stays up goes on unbridged, and nothing is left once both ended. Real SIP and RTP.
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { CallGoneError, defineDialplan, type Call, type RecordResult } from '../../../dialplan/index.js';
import { connectEndpoints } from '../../../dialplan/media-connection.js';
import { startTestEngine } from '../../../dialplan/testkit/index.js';
import type { Endpoint, MediaEngine } from '../../../media/index.js';
import { startEngine as startMediaEngine, toneAmplitude, waitFor } from '../media/helpers.js';
import { readWav } from '../media/wav.js';

/** The strongest amplitude of `freq` over 200 ms windows of `samples`. */
function loudest(samples: Int16Array, freq: number): number {
  let best = 0;
  for (let at = 0; at + 1600 <= samples.length; at += 800) best = Math.max(best, toneAmplitude(samples.subarray(at, at + 1600), freq));
  return best;
}

/** A "phone" endpoint talking RTP with `far` (both on their threads): says `toneHz`. */
function phone(media: MediaEngine, far: Endpoint, toneHz: number): Endpoint {
  const ep = media.createEndpoint({ thread: far.thread });
  ep.setRemote(far.address, far.port);
  far.setRemote(ep.address, ep.port);
  ep.playTone(toneHz);
  return ep;
}

t.test('connectEndpoints: callers hear each other on one thread and across threads', async (t) => {
  const media = startMediaEngine(t, 35200, { threads: 2 });
  const dir = await mkdtemp(join(tmpdir(), 'dialplan-bridge-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [name, threads] of [
    ['one thread', [0, 0]],
    ['two threads', [0, 1]],
  ] as const) {
    const a = media.createEndpoint({ thread: threads[0] });
    const b = media.createEndpoint({ thread: threads[1] });
    const phoneA = phone(media, a, 400);
    const phoneB = phone(media, b, 1000);
    const connection = connectEndpoints(media, a, b);
    t.equal(media.stats().mixers, threads[0] === threads[1] ? 1 : 2, `${name}: ${threads[0] === threads[1] ? 'one mixer' : 'a mixer per thread'}`);
    const heardByA = phoneA.record(join(dir, `${name}-a.wav`));
    const heardByB = phoneB.record(join(dir, `${name}-b.wav`));
    await sleep(1500);
    const [ra, rb] = await Promise.all([heardByA.stop(), heardByB.stop()]);
    const atA = readWav(ra.path).channelData[0];
    const atB = readWav(rb.path).channelData[0];
    t.ok(loudest(atA, 1000) > 2000, `${name}: A hears B (1000 Hz at ${loudest(atA, 1000).toFixed(0)})`);
    t.ok(loudest(atB, 400) > 2000, `${name}: B hears A (400 Hz at ${loudest(atB, 400).toFixed(0)})`);
    connection.close();
    await Promise.all([a, b, phoneA, phoneB].map((e) => e.close()));
    await waitFor('the link and mixers to close', () => media.stats().endpoints === 0 && media.stats().mixers === 0);
  }
});

t.test('call.bridge', async (t) => {
  const media = startMediaEngine(t, 35400);
  const dir = await mkdtemp(join(tmpdir(), 'dialplan-bridge-call-'));
  const parked: Call[] = [];
  const outcomes: unknown[] = [];
  const records: (RecordResult | Error)[] = [];
  const kit = await startTestEngine({
    media,
    recordingsDir: dir,
    dialplan: defineDialplan({
      routes: [
        {
          match: { number: 'park' },
          handler: async (call) => {
            await call.answer();
            parked.push(call);
            await once(call, 'bridged');
            call.record({ stereo: true }).then((r) => records.push(r), (e: Error) => records.push(e));
            await once(call, 'unbridged');
            outcomes.push({ parkedGoesOn: true });
            await call.pause(300);
          },
        },
        {
          match: { number: 'pickup' },
          handler: async (call) => {
            try {
              outcomes.push(await call.bridge(parked.shift()!));
            } catch (err) {
              outcomes.push(err);
              throw err;
            }
          },
        },
        { match: { number: 'pickup-nobody' }, handler: async (call) => void (await call.bridge(call)) },
      ],
    }),
  });
  t.teardown(async () => {
    await kit.stop();
    await rm(dir, { recursive: true, force: true });
  });

  t.test('the picking-up caller hangs up: the parked call goes on unbridged', async (t) => {
    const a = kit.call('park');
    await a.answered;
    await waitFor('the call to be parked', () => parked.length === 1);
    const b = kit.call('pickup');
    await b.answered;
    a.endpoint!.playTone(400);
    b.endpoint!.playTone(1000);
    const heardByA = a.endpoint!.record(join(dir, 'heard-a.wav'));
    const heardByB = b.endpoint!.record(join(dir, 'heard-b.wav'));
    await sleep(1500);
    const [ra, rb] = await Promise.all([heardByA.stop(), heardByB.stop()]);
    t.ok(loudest(readWav(ra.path).channelData[0], 1000) > 2000, 'the parked caller hears the one who picked up');
    t.ok(loudest(readWav(rb.path).channelData[0], 400) > 2000, 'and the other way round');
    await b.hangup();
    await waitFor('both handlers to see the end', () => outcomes.length === 2);
    t.type(outcomes.find((o) => o instanceof Error), CallGoneError, "bridge() of the call that hung up rejects: it's gone");
    t.ok(outcomes.some((o) => (o as { parkedGoesOn?: boolean }).parkedGoesOn), 'the parked call went on after the bridge');
    await waitFor('the stereo recording', () => records.length === 1);
    t.match(records[0], { reason: 'bridge-ended' }, "the parked call's stereo recording ended with the bridge");
    const wav = readWav((records[0] as RecordResult).file);
    t.ok(loudest(wav.channelData[0], 400) > 2000 && loudest(wav.channelData[1], 1000) > 2000, 'stereo: the parked caller left, the other right');
    t.match(await a.ended, { kind: 'hungup-by-dialplan' });
    await waitFor('nothing left', () => kit.runner.activeCalls === 0 && kit.stack.stats.dialogs === 0 && media.stats().endpoints === 0 && media.stats().mixers === 0);
  });

  t.test('a call cannot bridge with itself', async (t) => {
    const c = kit.call('pickup-nobody');
    t.match(await c.ended, { kind: 'rejected', status: 500 }, 'the dialplan error ends the call');
  });
});
