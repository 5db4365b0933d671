// Echo (the demo number `echo`) and tones, over real sockets: what the endpoint sends is
// checked as RTP (header fields) and as audio (Goertzel).
import { once } from 'node:events';
import t, { type Test } from 'tap';
import { HOST, audioOf, openPeer, startEngine, toneAmplitude, waitFor, type Codec, type ReceivedRtp } from './helpers.js';

const PORTS = 21600;
const PROBES = [500, 1000, 1500, 2100, 2700];

function dominant(samples: Int16Array): { freq: number; amp: number; others: number } {
  const amps = PROBES.map((f) => ({ freq: f, amp: toneAmplitude(samples, f) })).sort((a, b) => b.amp - a.amp);
  return { freq: amps[0].freq, amp: amps[0].amp, others: amps[1].amp };
}

function checkStream(t: Test, packets: ReceivedRtp[], pt: number): void {
  const ssrc = packets[0].ssrc;
  let bad = 0;
  for (let i = 1; i < packets.length; i++) {
    const a = packets[i - 1];
    const b = packets[i];
    if (b.ssrc !== ssrc || b.pt !== pt || b.version !== 2 || b.payload.length !== 160) bad++;
    if (((b.seq - a.seq) & 0xffff) !== 1) bad++;
    if (((b.ts - a.ts) >>> 0) !== 160) bad++;
    if (b.marker) bad++;
  }
  t.equal(bad, 0, 'one SSRC, payload type ' + pt + ', sequence +1 and timestamp +160 per packet, 160-byte payloads');
}

for (const codec of ['PCMU', 'PCMA'] as Codec[]) {
  t.test(`echo returns what was sent (${codec})`, async (t) => {
    const engine = startEngine(t, codec === 'PCMU' ? PORTS : PORTS + 100);
    const ep = engine.createEndpoint({ echo: true, codec });
    const peer = await openPeer(t);
    ep.setRemote(HOST, peer.port);
    peer.startSine(ep.port, 1000, { codec });
    const packets = await peer.packetsAfter(0, 45);
    t.ok(packets[0].marker, 'the first packet carries the marker bit');
    checkStream(t, packets, codec === 'PCMU' ? 0 : 8);
    // The tone over 500 ms from the 20th packet on (a later window if the paced sender stalled).
    const window = await peer.windowWhere(20, 25, (w) => dominant(audioOf(w, codec)).amp > 7000);
    const tone = dominant(audioOf(window, codec));
    t.equal(tone.freq, 1000, 'the echo is the 1000 Hz that was sent');
    t.ok(tone.amp > 7000, `at about the sent amplitude (9830): ${tone.amp.toFixed(0)}`);
    t.ok(tone.others < tone.amp / 20, 'and nothing else');
    const s = ep.stats();
    // Read while the echo still runs: each counter is exact but the two are not one instant
    // (native/src/counters.h), so bytesOut may already or not yet include the packet in flight.
    t.ok(s.packetsOut >= 45 && Math.abs(s.bytesOut - s.packetsOut * 172) <= 172, `counted out: ${s.packetsOut} packets, ${s.bytesOut} bytes`);
    t.equal(s.bytesOut % 172, 0, 'whole 172-byte packets');
  });
}

t.test('IPv6: an endpoint on ::1 echoes and latches like one on IPv4', async (t) => {
  let peer;
  try {
    peer = await openPeer(t, '::1');
  } catch {
    t.comment('no IPv6 loopback here: skipped');
    return;
  }
  const engine = startEngine(t, PORTS + 400);
  const ep = engine.createEndpoint({ address: '::1', echo: true });
  t.equal(ep.address, '::1');
  t.throws(() => engine.createEndpoint({ address: '::ffff:zz' }), TypeError);
  const latched = once(ep, 'latched');
  ep.setRemote('::1', peer.port);
  peer.startSine(ep.port, 1500);
  t.same(await latched, [{ address: '::1', port: peer.port }]);
  const packets = await peer.packetsAfter(10, 20);
  t.equal(dominant(audioOf(packets)).freq, 1500);
});

t.test('echo can be switched on and off on a live endpoint', async (t) => {
  const engine = startEngine(t, PORTS + 200);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  peer.startSine(ep.port, 1500);
  ep.setEcho(true);
  const on = await peer.packetsAfter(0, 30);
  t.equal(dominant(audioOf(on.slice(10))).freq, 1500);
  ep.setEcho(false);
  // Off: nothing to send, so the stream stops; the inbound side keeps counting. Inbound
  // packets, read by the same media thread, serve as its clock.
  const tenMoreIn = async (): Promise<void> => {
    const from = ep.stats().packetsIn;
    await waitFor('10 more inbound packets', () => ep.stats().packetsIn >= from + 10);
  };
  await tenMoreIn();
  const out = ep.stats().packetsOut;
  const stopped = peer.received.length;
  await tenMoreIn();
  t.equal(ep.stats().packetsOut, out, 'no packets while echo is off');
  t.ok(peer.received.length <= stopped + 1, 'none arrive');
  ep.setEcho(true);
  const again = await peer.packetsAfter(stopped, 1);
  t.ok(again[0].marker, 'a new talkspurt starts with the marker bit');
});

t.test('a tone into an endpoint reaches its remote; toneDone after its duration', async (t) => {
  const engine = startEngine(t, PORTS + 300);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const done = once(ep, 'toneDone');
  ep.playTone(2100, { amplitude: 0.3, durationMs: 600 });
  const packets = await peer.packetsAfter(0, 25);
  checkStream(t, packets, 0);
  const tone = dominant(audioOf(packets.slice(0, 25)));
  t.equal(tone.freq, 2100);
  t.ok(tone.amp > 0.3 * 32767 * 0.9, `amplitude ${tone.amp.toFixed(0)}`);
  await done;
  const count = ep.stats().packetsOut;
  t.ok(count >= 30 && count <= 31, `600 ms of tone is 30 packets (${count}), then the stream stops`);
  ep.playTone(500);
  const next = await peer.packetsAfter(peer.received.length, 10);
  t.equal(dominant(audioOf(next)).freq, 500, 'a new tone');
  ep.stopTone();
});
