// In-band DTMF over real sockets: a far end streams PCMU audio with dual tones; the
// endpoint's Goertzel detector reports each key once, and nothing for a single sine,
// noise, silence, speech-like harmonics, too much twist or too short a tone. sendDtmf in
// band is heard by another endpoint, and a DTMF tone preset too.
import t from 'tap';
import { dtmfTone, type DtmfSentEvent } from '../../../media/index.js';
import { amplitudeAt, collectDtmf, concat, digitsOf, keyTone, KEYS, silence, streamPcm, tones } from './dtmf-helpers.js';
import { HOST, openPeer, startEngine, waitFor } from './helpers.js';

const PORTS = 26800;
// A deep receive buffer: a late Node timer on the sending side must not cut a tone in two.
const JITTER_MS = 120;

t.test('all 16 keys in band, one event each', async (t) => {
  const engine = startEngine(t, PORTS);
  // No telephone-event payload type: 'auto' detection listens in band.
  const ep = engine.createEndpoint({ payloadTypes: { telephoneEvent: null }, jitterMs: JITTER_MS });
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  const audio = concat([silence(200), ...KEYS.split('').flatMap((k) => [keyTone(k, 100), silence(100)]), silence(200)]);
  await streamPcm(peer, ep.port, audio);
  await waitFor('16 digits', () => got.length >= 16);
  await waitFor('the stream played out', () => ep.stats().underruns > 0);
  t.equal(digitsOf(got), KEYS, 'every key once, in order');
  t.ok(got.every((e) => e.method === 'inband'), 'method inband');
  t.ok(got.every((e) => e.durationMs >= 80 && e.durationMs <= 130), `durations near 100 ms (${got.map((e) => e.durationMs).join(' ')})`);
  t.equal(ep.stats().dtmfDigits, 16, 'counted');
});

t.test('no digit from a single sine, noise, silence, harmonics, twist or a short tone', async (t) => {
  const engine = startEngine(t, PORTS + 100);
  const ep = engine.createEndpoint({ dtmfDetect: 'inband', jitterMs: JITTER_MS });
  const peer = await openPeer(t);
  const got = collectDtmf(ep);
  const loud = amplitudeAt(-6);
  let seed = 12345;
  const noise = new Int16Array(8000).map(() => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return ((seed / 0x7fffffff) * 2 - 1) * 12000;
  });
  const audio = concat([
    silence(300),
    tones([[697, loud]], 400), silence(100), // one row tone
    tones([[1336, loud]], 400), silence(100), // one column tone
    tones([[1000, loud]], 400), silence(100), // between the groups
    noise, silence(100),
    // Two DTMF frequencies with strong overtones (a voiced sound, not a key).
    tones([[770, loud / 2], [1540, loud / 2], [2310, loud / 3], [1209, loud / 2], [2418, loud / 2]], 400), silence(100),
    keyTone('1', 200, -10, 12), silence(100), // column 12 dB weaker: beyond the 8 dB normal twist
    keyTone('2', 200, -10, -8), silence(100), // column 8 dB stronger: beyond the 4 dB reverse twist
    keyTone('3', 20), silence(100), // 20 ms: too short
    keyTone('4', 200, -50), silence(100), // -50 dBm0: too quiet
    tones([[852 * 1.035, amplitudeAt(-10)], [1209 * 1.035, amplitudeAt(-10)]], 200), silence(100), // '7' 3.5 % off
    // Accepted: within the twist limits, 50 ms long, 1.5 % off frequency.
    keyTone('5', 150, -10, 6), silence(100),
    keyTone('6', 150, -10, -3), silence(100),
    keyTone('7', 50), silence(100),
    tones([[941 * 0.985, amplitudeAt(-10)], [1633 * 0.985, amplitudeAt(-10)]], 100), silence(300), // 'D' 1.5 % off
  ]);
  await streamPcm(peer, ep.port, audio);
  await waitFor('the stream played out', () => ep.stats().underruns > 0 && got.length >= 4);
  t.equal(digitsOf(got), '567D', 'only the keys within the limits');
});

t.test('sendDtmf in band from one endpoint is detected by another', async (t) => {
  const engine = startEngine(t, PORTS + 200);
  const a = engine.createEndpoint({ payloadTypes: { telephoneEvent: null } });
  const b = engine.createEndpoint({ payloadTypes: { telephoneEvent: null } });
  a.setRemote(HOST, b.port);
  const got = collectDtmf(b);
  const sent: DtmfSentEvent[] = [];
  a.on('dtmfSent', (e) => sent.push(e));
  a.sendDtmf(KEYS, { durationMs: 80, gapMs: 80 }); // 'auto': no telephone-event, so in band
  a.sendDtmf('00', { method: 'inband', volume: 20 });
  await waitFor('18 digits at b', () => got.length >= 18);
  await waitFor('both batches sent', () => sent.length === 2);
  t.equal(digitsOf(got), KEYS + '00', 'b heard every key in order, the repeated key twice');
  t.ok(got.every((e) => e.method === 'inband'), 'in band');
  t.same(sent, [{ digits: KEYS, method: 'inband' }, { digits: '00', method: 'inband' }], "'auto' chose in-band");
});

t.test('a DTMF tone preset played to the remote is a key for the far end', async (t) => {
  const engine = startEngine(t, PORTS + 300);
  const a = engine.createEndpoint();
  const b = engine.createEndpoint({ dtmfDetect: 'inband' });
  a.setRemote(HOST, b.port);
  const got = collectDtmf(b);
  a.playTone(dtmfTone('9', 120));
  await waitFor('one digit', () => got.length >= 1);
  t.equal(digitsOf(got), '9');
});

t.test('RFC 4733 and in-band detection side by side: auto listens in band only without telephone-event', async (t) => {
  const engine = startEngine(t, PORTS + 400);
  const withEvents = engine.createEndpoint({ jitterMs: JITTER_MS }); // telephone-event 101: auto = RFC 4733 only
  const peer = await openPeer(t);
  const got = collectDtmf(withEvents);
  await streamPcm(peer, withEvents.port, concat([keyTone('1', 150), silence(400)]));
  withEvents.setPayloadTypes({ telephoneEvent: null }); // the peer re-negotiated without it
  await streamPcm(peer, withEvents.port, concat([keyTone('2', 150), silence(200)]), 0x6161);
  await waitFor('one digit', () => got.length >= 1);
  t.equal(digitsOf(got), '2', 'the tone is a key only once no telephone-event is negotiated');
});
