// The RTP receive path over real sockets: malformed datagrams are counted and dropped (the
// process lives), symmetric latching, sequence tracking (duplicates, loss, reordering,
// wrap, SSRC change, restarts), payload types, the RTP timeout.
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { Endpoint, EndpointStats } from '../../../media/index.js';
import { HOST, audioOf, openPeer, rtpPacket, sine, startEngine, toneAmplitude, ulawEncodeFrame, waitFor, type RtpPeer } from './helpers.js';

const PORTS = 21000;

function frame(seq: number, opts: { ssrc?: number; pt?: number } = {}): Buffer {
  return rtpPacket({ pt: opts.pt ?? 0, seq, ts: seq * 160, ssrc: opts.ssrc ?? 0xabc, payload: ulawEncodeFrame(sine(1000, 8000, seq * 160, 160)) });
}

// In batches of 25, each counted before the next is sent: a burst of hundreds could overrun
// the socket's receive buffer while the media thread waits for a CPU, and a dropped datagram
// is never counted.
async function sendAll(peer: RtpPeer, ep: Endpoint, packets: Buffer[]): Promise<void> {
  for (let i = 0; i < packets.length; i += 25) {
    const batch = packets.slice(i, i + 25);
    const before = ep.stats().packetsIn;
    for (const p of batch) await peer.send(p, ep.port);
    await waitFor(`${batch.length} datagrams counted`, () => ep.stats().packetsIn >= before + batch.length);
  }
}

function counters(s: EndpointStats, keys: Array<keyof EndpointStats>): Partial<EndpointStats> {
  return Object.fromEntries(keys.map((k) => [k, s[k]]));
}

t.test('malformed datagrams are counted and dropped; the endpoint keeps working', async (t) => {
  const engine = startEngine(t, PORTS);
  const ep = engine.createEndpoint({ echo: true });
  const peer = await openPeer(t);
  const header = (b0: number, b1 = 0): Buffer => Buffer.from([b0, b1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]);
  const malformed = [
    Buffer.alloc(0), // empty
    Buffer.from('x'), // 1 byte
    Buffer.alloc(11, 0x80), // one short of the fixed header
    Buffer.concat([header(0x40), Buffer.alloc(160)]), // version 1
    Buffer.concat([header(0x00), Buffer.alloc(160)]), // version 0
    Buffer.concat([header(0xc0), Buffer.alloc(160)]), // version 3
    Buffer.concat([header(0x8f), Buffer.alloc(20)]), // 15 CSRCs announced, 5 present
    Buffer.concat([header(0x90), Buffer.alloc(2)]), // extension bit, no extension header
    Buffer.concat([header(0x90), Buffer.from([0xbe, 0xde, 0x00, 0x0a]), Buffer.alloc(8)]), // extension of 10 words, 2 present
    Buffer.concat([header(0xa0), Buffer.alloc(40), Buffer.from([0])]), // padding count 0
    Buffer.concat([header(0xa0), Buffer.alloc(40), Buffer.from([200])]), // padding past the header
    Buffer.concat([header(0x80), Buffer.alloc(600, 0xff)]), // 75 ms of PCMU in one packet
    Buffer.concat([header(0x80), Buffer.alloc(3000, 0xff)]), // larger than a receive slot: truncated
  ];
  await sendAll(peer, ep, malformed);
  t.equal(ep.stats().malformed, malformed.length, 'each malformed datagram counted');

  const unknown = [frame(1, { pt: 99 }), frame(2, { pt: 72 }), frame(3, { pt: 18 })];
  await sendAll(peer, ep, unknown);
  t.equal(ep.stats().unknownPayloadType, 3, 'valid RTP with unmapped payload types counted');

  // Valid packets with the optional header parts: CSRCs, an extension, padding.
  const csrc = Buffer.concat([Buffer.from([0x82, 0, 0, 10, 0, 0, 6, 64, 0, 0, 0x0a, 0xbc]), Buffer.alloc(8, 7), Buffer.alloc(160, 0xff)]);
  const ext = Buffer.concat([Buffer.from([0x90, 0, 0, 11, 0, 0, 6, 224, 0, 0, 0x0a, 0xbc]), Buffer.from([0xbe, 0xde, 0, 1]), Buffer.alloc(4), Buffer.alloc(160, 0xff)]);
  const padded = Buffer.concat([Buffer.from([0xa0, 0, 0, 12, 0, 0, 7, 128, 0, 0, 0x0a, 0xbc]), Buffer.alloc(160, 0xff), Buffer.from([0, 0, 3])]);
  await sendAll(peer, ep, [csrc, ext, padded]);
  t.equal(ep.stats().malformed, malformed.length, 'CSRC list, extension and padding are parsed, not rejected');

  // Random garbage: whatever it parses as, nothing crashes.
  const fuzz = Array.from({ length: 400 }, (_, i) => randomBytes(i % 200));
  await sendAll(peer, ep, fuzz);
  const s = ep.stats();
  t.equal(s.packetsIn, malformed.length + unknown.length + 3 + fuzz.length, 'every datagram counted');

  // Still alive and working: it echoes a tone back.
  ep.setRemote(HOST, peer.port);
  const from = peer.received.length;
  peer.startSine(ep.port, 1000, { ssrc: 0x7777 });
  const echoed = await peer.windowWhere(from + 15, 20, (w) => toneAmplitude(audioOf(w), 1000) > 3000);
  t.ok(toneAmplitude(audioOf(echoed), 1000) > 3000, 'the endpoint still echoes');
});

t.test('symmetric RTP latches onto the first source and drops the others', async (t) => {
  const engine = startEngine(t, PORTS + 100);
  const ep = engine.createEndpoint({ echo: true });
  const signalled = await openPeer(t); // the address from SDP (say, a private one behind NAT)
  const actual = await openPeer(t); // where the packets really come from
  const intruder = await openPeer(t);

  ep.setRemote(HOST, signalled.port);
  await signalled.packetsAfter(0, 3); // before any packet arrives we send to the SDP address
  t.ok(signalled.received.every((p) => p.pt === 0 && p.version === 2), 'PCMU RTP to the signalled address');

  const latched = once(ep, 'latched');
  actual.startSine(ep.port, 700);
  const [where] = (await latched) as [{ address: string; port: number }];
  t.same(where, { address: HOST, port: actual.port }, 'latched onto the source of the first packet');

  await actual.packetsAfter(0, 5);
  const atLatch = signalled.received.length;
  await actual.packetsAfter(5, 10);
  t.ok(signalled.received.length <= atLatch + 1, 'the signalled address gets nothing once latched');

  for (let i = 0; i < 7; i++) await intruder.send(frame(100 + i, { ssrc: 0xbad }), ep.port);
  await waitFor('7 packets from the wrong source', () => ep.stats().wrongSource === 7);
  t.equal(ep.stats().ssrcChanges, 0, 'the intruder did not disturb the stream');
  t.equal(intruder.received.length, 0, 'nothing is sent to the intruder');

  const heard = await actual.windowWhere(actual.received.length, 20, (w) => toneAmplitude(audioOf(w), 700) > 3000);
  t.ok(toneAmplitude(audioOf(heard), 700) > 3000, 'the latched source hears its echo');

  // A new remote (re-INVITE) latches anew.
  const relatched = once(ep, 'latched');
  ep.setRemote(HOST, signalled.port);
  const [again] = (await relatched) as [{ address: string; port: number }];
  t.equal(again.port, actual.port, 'latched again after setRemote');
});

t.test('without symmetric RTP, every source is accepted and we send to the signalled address', async (t) => {
  const engine = startEngine(t, PORTS + 200);
  const ep = engine.createEndpoint({ echo: true, symmetric: false });
  const signalled = await openPeer(t);
  const a = await openPeer(t);
  const b = await openPeer(t);
  ep.setRemote(HOST, signalled.port);
  await sendAll(a, ep, [frame(1), frame(2)]);
  await sendAll(b, ep, [frame(3), frame(4)]);
  t.equal(ep.stats().wrongSource, 0);
  await signalled.packetsAfter(0, 5);
  t.equal(a.received.length + b.received.length, 0, 'nothing goes to the senders');
});

t.test('sequence tracking: duplicates, loss, reordering, wrap, SSRC change, restart', async (t) => {
  const engine = startEngine(t, PORTS + 300);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  const keys: Array<keyof EndpointStats> = ['lost', 'duplicates', 'late', 'ssrcChanges', 'sequenceRestarts'];

  await sendAll(peer, ep, [100, 101, 102, 103, 104].map((s) => frame(s)));
  await sendAll(peer, ep, [frame(104), frame(102)]);
  t.same(counters(ep.stats(), keys), { lost: 0, duplicates: 2, late: 0, ssrcChanges: 0, sequenceRestarts: 0 }, 'duplicates');

  await sendAll(peer, ep, [106, 107, 109].map((s) => frame(s)));
  t.equal(ep.stats().lost, 2, '105 and 108 missing');
  await sendAll(peer, ep, [frame(108)]);
  t.equal(ep.stats().lost, 1, 'a reordered packet is not lost');
  t.equal(ep.stats().duplicates, 2);

  const ssrcEvent = once(ep, 'ssrcChange');
  await sendAll(peer, ep, [65534, 65535, 0, 1, 2].map((s) => frame(s, { ssrc: 0xdef })));
  const [change] = (await ssrcEvent) as [{ ssrc: number; previous: number }];
  t.same(change, { ssrc: 0xdef, previous: 0xabc }, 'ssrcChange event');
  t.same(counters(ep.stats(), keys), { lost: 1, duplicates: 2, late: 0, ssrcChanges: 1, sequenceRestarts: 0 }, 'new SSRC: fresh tracking, wrap at 65535 is no loss');

  // One packet far ahead is held back (late); a second in sequence confirms the restart.
  await sendAll(peer, ep, [frame(30000, { ssrc: 0xdef })]);
  t.equal(ep.stats().late, 1, 'an unconfirmed jump is dropped');
  await sendAll(peer, ep, [frame(30001, { ssrc: 0xdef }), frame(30002, { ssrc: 0xdef })]);
  t.same(counters(ep.stats(), keys), { lost: 1, duplicates: 2, late: 1, ssrcChanges: 1, sequenceRestarts: 1 }, 'confirmed jump restarts tracking');
});

t.test('the jitter buffer plays in sequence order and each packet once', async (t) => {
  const engine = startEngine(t, PORTS + 600);
  // A fixed 100 ms depth: the 40 ms bursts below never run it dry.
  const ep = engine.createEndpoint({ echo: true, jitterMs: 100, jitterMinMs: 100, jitterMaxMs: 100 });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  // Packet k carries the µ-law code word 0x80 + k in every byte (loud, so never dropped as
  // silence). Decode → encode is exact and monotonic, so the echoed stream carries the tags
  // in playout order. The depth control may repeat one pitch period (at most 10 ms, 80
  // samples) to grow the buffer: that is the only way back to an earlier tag.
  const tagged = (k: number): Buffer => rtpPacket({ pt: 0, seq: 500 + k, ts: k * 160, ssrc: 0x5eed, payload: new Uint8Array(160).fill(0x80 + k) });
  const started = Date.now();
  for (let pair = 0; pair < 25; pair++) {
    const a = 2 * pair + 1;
    // Out of order, with a duplicate of each, 40 ms of audio every 40 ms.
    for (const k of [a + 1, a, a + 1, a]) await peer.send(tagged(k), ep.port);
    const due = started + (pair + 1) * 40;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
  }
  // The stream goes on (tags 51..70) while the test reads the counters, so the concealment of
  // its end cannot be counted even when this process is slow to see tag 50 come back.
  const tail = (async () => {
    for (let k = 51; k <= 70; k++) {
      await peer.send(tagged(k), ep.port);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await waitFor('the last packet played', () => peer.received.some((p) => p.payload.includes(0x80 + 50)));
  const { concealed, duplicates } = ep.stats();
  await tail;
  const tags = peer.received
    .flatMap((p) => [...p.payload].filter((b) => b !== 0xff && b !== 0x7f).map((b) => b - 0x80))
    .filter((k) => k <= 50);
  let furthest = 0;
  let back = 0; // samples in the current return to an earlier packet
  let longestBack = 0;
  for (const k of tags) {
    back = k < furthest ? back + 1 : 0;
    longestBack = Math.max(longestBack, back);
    furthest = Math.max(furthest, k);
  }
  t.ok(longestBack <= 80, `played in sequence order (the longest repeat: ${longestBack} samples)`);
  t.same([...new Set(tags)], Array.from({ length: 50 }, (_, i) => i + 1), 'every packet played');
  t.equal(duplicates, 50, 'each duplicate counted');
  t.equal(concealed, 0, 'nothing concealed');
});

t.test('payload types: PCMA and telephone-event are mapped, the mapping can change', async (t) => {
  const engine = startEngine(t, PORTS + 400);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  await sendAll(peer, ep, [frame(1, { pt: 8 }), frame(2, { pt: 101 }), frame(3, { pt: 96 })]);
  t.same(counters(ep.stats(), ['unknownPayloadType', 'telephoneEvents']), { unknownPayloadType: 1, telephoneEvents: 1 });
  ep.setPayloadTypes({ telephoneEvent: 96 });
  await sendAll(peer, ep, [frame(4, { pt: 96 }), frame(5, { pt: 101 })]);
  t.same(counters(ep.stats(), ['unknownPayloadType', 'telephoneEvents']), { unknownPayloadType: 2, telephoneEvents: 2 });
});

t.test('RTP timeout: raised once per silence, re-armed by packets', async (t) => {
  const engine = startEngine(t, PORTS + 500);
  const ep = engine.createEndpoint({ rtpTimeoutMs: 100 });
  const peer = await openPeer(t);
  const first = once(ep, 'rtpTimeout');
  await sendAll(peer, ep, [frame(1), frame(2)]);
  const [info] = (await first) as [{ silentMs: number }];
  t.ok(info.silentMs >= 100, 'reports how long it has been silent');
  t.equal(ep.stats().rtpTimeouts, 1);
  const second = once(ep, 'rtpTimeout');
  await sendAll(peer, ep, [frame(3)]);
  await second;
  t.equal(ep.stats().rtpTimeouts, 2, 'a new silence, a new event');

  const quiet = engine.createEndpoint({ rtpTimeoutMs: 0 });
  await sendAll(peer, quiet, [frame(1)]);
  quiet.setRtpTimeout(50);
  await once(quiet, 'rtpTimeout');
  t.pass('setRtpTimeout arms it on a live endpoint');
});
