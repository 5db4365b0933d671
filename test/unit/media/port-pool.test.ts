// Creating an endpoint costs the event loop one call into the addon and no system call: the
// media threads keep RTP/RTCP port pairs bound ahead of need, and createEndpoint takes the
// settings a call needs (remote, codec, payload types, mixer membership) in the same call.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import t from 'tap';
import { HOST, audioOf, openPeer, rtpPacket, startEngine, toneAmplitude, waitFor } from './helpers.js';

const PORTS = 29400;

t.test('created and configured in one call: sends as told, and is a member of its mixer', async (t) => {
  const engine = startEngine(t, PORTS);
  const caller = await openPeer(t);
  const callee = await openPeer(t);
  const mixer = engine.createMixer();
  const a = engine.createEndpoint({
    mixer,
    join: true,
    remote: { address: HOST, port: caller.port },
    codec: 'PCMA',
    payloadTypes: { pcmu: 0, pcma: 8, telephoneEvent: 96 },
  });
  const b = engine.createEndpoint({ mixer, join: true });
  b.configure({ remote: { address: HOST, port: callee.port }, codec: 'PCMU', rtpTimeoutMs: 0 });
  t.same(mixer.members(), [a, b], 'both are members without addMember');
  mixer.setMode('bridge', { agent: a, client: b });

  // The callee speaks 1 kHz: the caller gets it in PCMA (payload type 8), as created.
  callee.startSine(b.port, 1000);
  const window = await caller.windowWhere(0, 25, (p) => toneAmplitude(audioOf(p, 'PCMA'), 1000) > 0.5 * 9830);
  t.ok(window.every((p) => p.pt === 8), 'PCMA, payload type 8');
  t.ok(toneAmplitude(audioOf(window, 'PCMA'), 1000) > 0.5 * 9830, "the callee's tone reaches the caller");
});

t.test('pairs bound ahead: taken ready, a burst beyond them binds on demand, the media threads top the pool up', async (t) => {
  const engine = startEngine(t, PORTS + 100, { portPool: 4 });
  await waitFor('4 pairs ready', () => engine.stats().portPool.ready === 4);
  const burst = Array.from({ length: 10 }, () => engine.createEndpoint());
  const ports = burst.map((e) => e.port);
  t.equal(new Set(ports).size, 10, 'ten distinct ports');
  t.ok(ports.every((p) => p % 2 === 0 && p >= PORTS + 100 && p <= PORTS + 198), 'even, from the range');
  const { taken, missed } = engine.stats().portPool;
  t.equal(taken + missed, 10, 'each endpoint took a ready pair or bound one');
  t.ok(taken >= 4, `the 4 ready pairs were used (${taken} taken, ${missed} bound on demand)`);
  await Promise.all(burst.map((e) => e.close()));
  await waitFor('4 pairs ready after the burst', () => engine.stats().portPool.ready === 4);
  t.equal(engine.stats().endpoints, 0);
});

t.test('a datagram that reached a pooled port before its endpoint existed is not read', async (t) => {
  const engine = startEngine(t, PORTS + 200, { portPool: 4 });
  await waitFor('4 pairs ready', () => engine.stats().portPool.ready === 4);
  // A stray datagram to every RTP port of the range: whichever ready pair the endpoint takes
  // (a port in use elsewhere moves the pool along the range), one went to its port.
  const stray = await openPeer(t);
  for (let port = PORTS + 200; port <= PORTS + 298; port += 2) await stray.send(silentPacket(0x5757), port);
  const ep = engine.createEndpoint();
  t.equal(engine.stats().portPool.taken, 1, 'the endpoint took a pair bound before the stray datagrams were sent');
  const peer = await openPeer(t);
  const latched = once(ep, 'latched');
  await peer.send(silentPacket(0x1111), ep.port);
  const [where] = await latched;
  t.equal(where.port, peer.port, 'symmetric RTP latched onto the real peer, not the stray');
  await waitFor('the packet counted', () => ep.stats().packetsIn >= 1);
  t.equal(ep.stats().packetsIn, 1, 'only the packet sent after creation was read');
});

/** One PCMU packet of silence. */
function silentPacket(ssrc: number): Buffer {
  return rtpPacket({ pt: 0, seq: 1, ts: 160, ssrc, payload: new Uint8Array(160).fill(0xff) });
}

// A range of 500 pairs: a pool of 64 is within a quarter of it.
const WIDE = { portMin: 19000, portMax: 19998 };

t.test('the media thread binds at most 16 pairs after each tick: filling the pool takes several ticks', async (t) => {
  const engine = startEngine(t, WIDE.portMin, { ...WIDE, threads: 1, portPool: 64 });
  // Sampled as fast as the loop allows; `ready` is read before `ticks`, so a pool filled no
  // faster than 16 pairs a tick never shows more than 16 × ticks.
  const overfull: string[] = [];
  for (let ready = 0; ready < 64; await new Promise(setImmediate)) {
    ready = engine.stats().portPool.ready;
    const ticks = engine.stats().threads[0].ticks;
    if (ready > 16 * ticks) overfull.push(`${ready} ready after ${ticks} ticks`);
  }
  t.same(overfull, [], 'never more than 16 pairs bound per tick');
});

t.test('a burst of 200 endpoints: every one gets its own pair, and every port is free again after', async (t) => {
  const engine = startEngine(t, WIDE.portMin, { ...WIDE, threads: 1, portPool: 64 });
  await waitFor('64 pairs ready', () => engine.stats().portPool.ready === 64);
  const endpoints = Array.from({ length: 200 }, () => engine.createEndpoint());
  const ports = endpoints.map((e) => e.port);
  t.equal(new Set(ports).size, 200, '200 distinct ports');
  t.ok(ports.every((p) => p % 2 === 0 && p >= WIDE.portMin && p <= WIDE.portMax), 'even, from the range');
  const { taken, missed } = engine.stats().portPool;
  t.equal(taken + missed, 200, 'each endpoint took a ready pair or bound one');
  await Promise.all(endpoints.map((e) => e.close()));
  await waitFor('no endpoint left', () => engine.stats().endpoints === 0);
  await waitFor('the pool refilled', () => engine.stats().portPool.ready === 64);
  t.equal(await bindablePairs(WIDE.portMin, WIDE.portMax), 500 - 64, 'every pair but the 64 ready ones is free');
  engine.close();
  t.equal(await bindablePairs(WIDE.portMin, WIDE.portMax), 500, 'after close, every pair is free');
});

/** How many even ports in [min, max] can be bound on HOST together with the port above. */
async function bindablePairs(min: number, max: number): Promise<number> {
  let free = 0;
  for (let port = min; port <= max; port += 2) {
    const pair = await Promise.all([bindable(port), bindable(port + 1)]);
    if (pair.every(Boolean)) free++;
  }
  return free;
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, HOST, () => socket.close(() => resolve(true)));
  });
}
