// RFC 4733 DTMF over real sockets: every key received from a raw peer, the repeated end
// packets and lost packets give exactly one event per key, SIPp's RFC 2833 captures are
// understood, events are never played as audio, and sendDtmf produces the packets the RFC
// asks for and is understood by another endpoint.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import t from 'tap';
import type { DtmfSentEvent } from '../../../media/index.js';
import { collectDtmf, digitsOf, eventPayload, EventStream, KEYS, pcapUdpPayloads } from './dtmf-helpers.js';
import { HOST, audioOf, openPeer, rtpPacket, startEngine, waitFor, type ReceivedRtp } from './helpers.js';

const PORTS = 26300;
// The long-event and packed-event tests: past PORTS + 598, where dtmf-inband's range begins.
const LONG_PORTS = 28400;

t.test('all 16 keys from a peer, one event each, never played as audio', async (t) => {
  const engine = startEngine(t, PORTS);
  const ep = engine.createEndpoint({ echo: true });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const got = collectDtmf(ep);
  const events = new EventStream(peer, ep.port);
  for (let i = 0; i < KEYS.length; i++) await events.press(KEYS[i], 10000 + i * 4000, 60 + 20 * i);
  await waitFor('16 digits', () => got.length >= 16);
  t.equal(digitsOf(got), KEYS, 'every key, in order');
  t.same(got.map((e) => e.durationMs), KEYS.split('').map((_, i) => 60 + 20 * i), 'durations from the end packets');
  t.ok(got.every((e) => e.method === 'rfc4733'), 'method rfc4733');
  const s = ep.stats();
  t.equal(s.dtmfDigits, 16, 'counted as 16 key presses');
  t.equal(s.malformed + s.unknownPayloadType, 0, 'nothing rejected');
  // The echo sends back what the endpoint hears: silence, since events are not audio.
  const echoed = await peer.packetsAfter(peer.received.length, 10);
  t.equal(Math.max(...audioOf(echoed).map(Math.abs)), 0, 'the echo is silent: no event was decoded as audio');
});

t.test('repeated end packets, lost start and end packets, stragglers', async (t) => {
  const engine = startEngine(t, PORTS + 100);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  const s = new EventStream(peer, ep.port);

  // '1': the end packet arrives three times, then twice more late (a retransmitting sender).
  await s.press('1', 1000);
  await s.send(1000, eventPayload(1, true, 800));
  await s.send(1000, eventPayload(1, true, 800));
  // A late update of the ended event.
  await s.send(1000, eventPayload(1, false, 640));
  // '2': its first packets (with the marker) are lost; updates then the end.
  await s.send(5000, eventPayload(2, false, 480));
  await s.send(5000, eventPayload(2, true, 640));
  await s.send(5000, eventPayload(2, true, 640));
  // '3': only one end packet survives.
  await s.send(9000, eventPayload(3, true, 400));
  // '4': starts but its end packets are all lost; '5' (a new timestamp) follows.
  await s.send(13000, eventPayload(4, false, 160), true);
  await s.send(13000, eventPayload(4, false, 320));
  await s.press('5', 17000);
  // A straggler of '4' (older timestamp) after '5' started: ignored.
  await s.send(13000, eventPayload(4, false, 480));
  // The same key twice: two presses (new timestamp each).
  await s.press('5', 21000);
  // Not DTMF: flash (16) is ignored; a payload shorter than one event is malformed.
  await s.send(25000, eventPayload(16, true, 800), true);
  await s.send(29000, Buffer.from([7, 0x80]), true);
  // '6' never ends: it is reported after the event timeout.
  await s.send(33000, eventPayload(6, false, 160), true);

  await waitFor('7 digits', () => got.length >= 7);
  t.equal(digitsOf(got), '1234556', 'one event per key press');
  t.same(got.map((e) => e.durationMs), [100, 80, 50, 40, 100, 100, 20], 'longest duration seen for each');
  t.equal(ep.stats().malformed, 1, 'the short payload is counted as malformed');
  t.equal(ep.stats().telephoneEvents, 33, 'every well-formed event packet counted');
});

t.test('a new source starts its own timestamps', async (t) => {
  const engine = startEngine(t, PORTS + 600);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  await new EventStream(peer, ep.port, 101, 0xaaaa).press('1', 900000);
  // Another SSRC (say, after a transfer) with a timestamp far below the first one's.
  await new EventStream(peer, ep.port, 101, 0xbbbb).press('2', 1000);
  await waitFor('two digits', () => got.length >= 2);
  t.equal(digitsOf(got), '12', 'the second source is not mistaken for a straggler');
});

t.test('a key held past the 16-bit duration field: segments make one key press (RFC 4733 §2.5.1.3)', async (t) => {
  const engine = startEngine(t, LONG_PORTS);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  const s = new EventStream(peer, ep.port);
  const MAX = 0xffff;
  const start = 40000;
  // '7': a first segment up to the maximum duration (no E bit), a second whose last updates
  // are lost, a third that ends it: each segment starts where the previous one reached MAX.
  await s.send(start, eventPayload(7, false, 160), true);
  await s.send(start, eventPayload(7, false, 32000));
  await s.send(start, eventPayload(7, false, MAX));
  await s.send(start + MAX, eventPayload(7, false, 160));
  await s.send(start + MAX, eventPayload(7, false, 20000));
  for (let i = 0; i < 3; i++) await s.send(start + 2 * MAX, eventPayload(7, true, 8000));
  // A straggler of the first segment after the second one started: ignored.
  await s.send(start, eventPayload(7, false, 48000));
  // '9' held, then a packet MAX later with the marker bit: a new press of the same key, not a segment.
  const nine = 400000;
  await s.send(nine, eventPayload(9, false, 160), true);
  await s.send(nine + MAX, eventPayload(9, false, 160), true);
  for (let i = 0; i < 3; i++) await s.send(nine + MAX, eventPayload(9, true, 800));
  await waitFor('three key presses', () => got.length >= 3);
  t.equal(digitsOf(got), '799', "one '7', then two '9'");
  t.equal(got[0].durationMs, Math.floor(((2 * MAX + 8000) * 1000) / 8000), "the '7' lasts its three segments");
  t.equal(got[2].durationMs, 100, "the second '9' is only its own");
});

t.test('several events in one packet (RFC 4733 §2.5.1.5): each key once, repeats dropped', async (t) => {
  const engine = startEngine(t, LONG_PORTS + 200);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  const s = new EventStream(peer, ep.port);
  // '1' (ended, 100 ms) and '2' (going on) in one packet at '1''s timestamp; '2' starts 800
  // units later. The packet comes twice (a sender repeating it), then '2' goes on alone.
  const packed = Buffer.concat([eventPayload(1, true, 800), eventPayload(2, false, 160)]);
  await s.send(1000, packed, true);
  await s.send(1000, packed);
  await s.send(1800, eventPayload(2, false, 480));
  for (let i = 0; i < 3; i++) await s.send(1800, eventPayload(2, true, 640));
  // '3' and '4', both ended, packed together and sent three times (the end repeats, §2.5.1.4).
  const both = Buffer.concat([eventPayload(3, true, 400), eventPayload(4, true, 320)]);
  for (let i = 0; i < 3; i++) await s.send(9000, both, i === 0);
  await waitFor('four digits', () => got.length >= 4);
  // A later event proves nothing more of the packed ones is on its way.
  await s.press('5', 20000);
  await waitFor('five digits', () => got.length >= 5);
  t.equal(digitsOf(got), '12345', 'both events of each packet, each once');
  t.same(got.map((e) => e.durationMs), [100, 80, 50, 40, 100], 'each with its own duration');
  t.equal(ep.stats().dtmfDigits, 5);
});

t.test("dtmfDetect 'off' and 'inband' ignore RFC 4733 events", async (t) => {
  const engine = startEngine(t, PORTS + 200);
  const ep = engine.createEndpoint({ dtmfDetect: 'off' });
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  const s = new EventStream(peer, ep.port);
  // Packets and commands reach the media thread by different paths: let each key arrive
  // before changing the mode.
  const arrived = (n: number) => waitFor(`${n} event packets`, () => ep.stats().telephoneEvents === n);
  await s.press('7', 1000);
  await arrived(7);
  ep.setDtmfDetect('inband');
  await s.press('8', 5000);
  await arrived(14);
  ep.setDtmfDetect('rfc4733');
  await s.press('9', 9000);
  await waitFor('one digit', () => got.length >= 1);
  await arrived(21);
  t.equal(digitsOf(got), '9', 'only the key sent while RFC 4733 detection was on');
});

t.test('sendDtmf as RFC 4733: marker, one timestamp per event, growing duration, end three times', async (t) => {
  const engine = startEngine(t, PORTS + 300);
  const ep = engine.createEndpoint({ payloadTypes: { telephoneEvent: 100 } });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const sent = once(ep, 'dtmfSent') as Promise<[DtmfSentEvent]>;
  ep.sendDtmf('5#', { durationMs: 100, gapMs: 60, volume: 7 });
  const [done] = await sent;
  t.same(done, { digits: '5#', method: 'rfc4733' }, "'dtmfSent' names the digits and the method");

  // Each key: 5 updates (the last one ending it), the 2 repeats of the end in the gap, then
  // voice (here silence) for the rest of the 60 ms gap.
  const kinds = peer.received.map((p) => (p.pt === 100 ? 'E' : p.pt === 0 ? 'A' : '?')).join('');
  t.equal(kinds, 'EEEEEEEAEEEEEEEA', 'events replace the voice; the gap carries audio');
  const packets = peer.received.filter((p) => p.pt === 100);
  const seqs = peer.received.map((p) => p.seq);
  t.ok(seqs.every((q, i) => i === 0 || q === ((seqs[i - 1] + 1) & 0xffff)), 'consecutive sequence numbers');
  const byEvent = new Map<number, typeof packets>();
  for (const p of packets) byEvent.set(p.ts, [...(byEvent.get(p.ts) ?? []), p]);
  t.equal(byEvent.size, 2, 'one timestamp per event');
  const [first, second] = [...byEvent.values()];
  for (const [event, code] of [[first, 5], [second, 11]] as const) {
    const fields = event.map((p) => ({ code: p.payload[0], end: (p.payload[1] & 0x80) !== 0, volume: p.payload[1] & 0x3f, duration: p.payload.readUInt16BE(2), marker: p.marker }));
    t.same(fields.map((f) => f.duration), [160, 320, 480, 640, 800, 800, 800], `key ${code}: duration grows by 20 ms, final value three times`);
    t.same(fields.map((f) => f.end), [false, false, false, false, true, true, true], 'E bit on the last three');
    t.same(fields.map((f) => f.marker), [true, false, false, false, false, false, false], 'marker on the first only');
    t.ok(fields.every((f) => f.code === code && f.volume === 7), 'event code and volume');
  }
  // The second event starts 100 ms + 60 ms after the first (timestamps are in 1/8000 s).
  t.equal((second[0].ts - first[0].ts) >>> 0, 8 * 160, 'the next key starts after duration + gap');
});

t.test('sendDtmf of a 9 s key goes as two segments; another endpoint hears one 9 s key', async (t) => {
  const engine = startEngine(t, LONG_PORTS + 100);
  const a = engine.createEndpoint({ payloadTypes: { telephoneEvent: 101 } });
  const b = engine.createEndpoint();
  const peer = await openPeer(t);
  a.setRemote(HOST, peer.port);
  const sent = once(a, 'dtmfSent');
  a.sendDtmf('3', { durationMs: 9000, gapMs: 40 });
  await sent;
  const events = peer.received.filter((p) => p.pt === 101);
  const first = events[0].ts;
  const MAX = 0xffff;
  const one = events.filter((p) => p.ts === first);
  const two = events.filter((p) => p.ts === ((first + MAX) >>> 0));
  t.equal(one.length + two.length, events.length, 'two timestamps: the second segment starts MAX after the first');
  const duration = (p: ReceivedRtp): number => p.payload.readUInt16BE(2);
  const ended = (p: ReceivedRtp): boolean => (p.payload[1] & 0x80) !== 0;
  t.equal(duration(one[one.length - 1]), MAX, 'the first segment ends at the maximum duration');
  t.ok(one.every((p) => !ended(p)), '... without the E bit');
  t.ok(one.every((p, i) => i === 0 || duration(p) > duration(one[i - 1])), 'its duration grows');
  t.same(events.map((p) => p.marker).filter(Boolean).length, 1, 'the marker only on the first packet of the event');
  t.same(two.slice(-3).map((p) => [duration(p), ended(p)]), Array(3).fill([9000 * 8 - MAX, true]), 'the second ends the key: 9 s in all, end three times');
  t.ok(two.slice(0, -3).every((p) => !ended(p)), 'no E bit before');

  // What a sent, replayed to b, is understood as one 9 s key.
  const got = collectDtmf(b);
  const packets = peer.received.filter((p) => p.pt === 101 || p.pt === 0);
  for (let i = 0; i < packets.length; i++) {
    const p = packets[i];
    await peer.send(rtpPacket({ pt: p.pt, seq: p.seq, ts: p.ts, ssrc: p.ssrc, marker: p.marker, payload: p.payload }), b.port);
    if (i % 25 === 24) await waitFor(`packet ${i + 1} at b`, () => b.stats().packetsIn === i + 1);
  }
  await waitFor('the key at b', () => got.length >= 1);
  t.same(got, [{ digit: '3', durationMs: 9000, method: 'rfc4733' }], 'one key of 9000 ms');
});

t.test('sendDtmf from one endpoint is detected by another (RFC 4733)', async (t) => {
  const engine = startEngine(t, PORTS + 400);
  const a = engine.createEndpoint();
  const b = engine.createEndpoint();
  a.setRemote(HOST, b.port);
  const got = collectDtmf(b);
  const sent: DtmfSentEvent[] = [];
  a.on('dtmfSent', (e) => sent.push(e));
  a.sendDtmf(KEYS.slice(0, 8), { durationMs: 80, gapMs: 40 });
  a.sendDtmf(KEYS.slice(8).toLowerCase(), { method: 'rfc4733' });
  await waitFor('16 digits at b', () => got.length >= 16);
  await waitFor('both batches reported sent', () => sent.length === 2);
  t.equal(digitsOf(got), KEYS, 'b heard every key in order');
  t.same(got.map((e) => e.durationMs), [...Array(8).fill(80), ...Array(8).fill(100)], 'with their durations');
  t.same(sent, [{ digits: KEYS.slice(0, 8), method: 'rfc4733' }, { digits: KEYS.slice(8), method: 'rfc4733' }], "one 'dtmfSent' per call, in order");
});

t.test("SIPp's RFC 2833 recordings: each is its key, once", async (t) => {
  // Debian's sip-tester (SIPp) ships these captures (scripts/install-peers.sh installs it).
  const dir = '/usr/share/sip-tester';
  const names: Array<[string, string]> = [...'0123456789'].map((d) => [d, d]);
  names.push(['*', 'star'], ['#', 'pound']);
  const engine = startEngine(t, PORTS + 500);
  const peer = await openPeer(t);
  for (const [key, name] of names) {
    const packets = pcapUdpPayloads(readFileSync(`${dir}/dtmf_2833_${name}.pcap`));
    const ep = engine.createEndpoint();
    const got = collectDtmf(ep);
    for (const p of packets) await peer.send(p, ep.port);
    await waitFor(`the packets of ${name}`, () => ep.stats().packetsIn === packets.length);
    await waitFor(`key ${key}`, () => got.length >= 1);
    t.same(got, [{ digit: key, durationMs: 280, method: 'rfc4733' }], `dtmf_2833_${name}.pcap is '${key}' (280 ms)`);
    await ep.close();
  }
});
