// Tones over real sockets: presets with their regional frequencies and cadences, specs,
// the single sine still works; and the DTMF and tone entry points reject bad arguments
// with TypeError/RangeError (never a crash).
import { once } from 'node:events';
import t, { type Test } from 'tap';
import { tonePreset, TONE_REGIONS, type ToneArgument, type ToneOptions } from '../../../media/index.js';
import { HOST, audioOf, openPeer, startEngine, toneAmplitude } from './helpers.js';

const PORTS = 27300;

/** Per 20 ms packet: is the frequency there (the tone starts on the first packet sent)? */
async function framesWith(t: Test, tone: ToneArgument, options: ToneOptions, freqs: number[], frames: number, ports: number): Promise<string> {
  const engine = startEngine(t, ports);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  ep.playTone(tone, options);
  const packets = await peer.packetsAfter(0, frames);
  return packets
    .map((p) => {
      const audio = audioOf([p]);
      return freqs.every((f) => toneAmplitude(audio, f) > 300) ? '1' : Math.max(...audio.map(Math.abs)) === 0 ? '0' : '?';
    })
    .join('');
}

t.test('ringback and busy follow their region', async (t) => {
  // US ringback: 440 + 480 Hz, 2 s on, 4 s off → 100 frames on, then off.
  const us = await framesWith(t, 'ringback', {}, [440, 480], 110, PORTS);
  t.equal(us, '1'.repeat(100) + '0'.repeat(10), 'us ringback: 440+480 Hz for 2 s, then silence');
  // Russian busy: 425 Hz, 0.4 s on, 0.4 s off.
  const ru = await framesWith(t, 'busy', { region: 'ru' }, [425], 60, PORTS + 100);
  t.equal(ru, ('1'.repeat(20) + '0'.repeat(20)).repeat(2).slice(0, 60), 'ru busy: 425 Hz 0.4 s on / 0.4 s off');
  // European ringback: 425 Hz 1 s on.
  const eu = await framesWith(t, 'ringback', { region: 'eu' }, [425], 55, PORTS + 200);
  t.equal(eu, '1'.repeat(50) + '0'.repeat(5), 'eu ringback: 425 Hz for 1 s, then silence');
  // US busy: 480 + 620 Hz, 0.5 / 0.5 s; and not 425 Hz.
  const usBusy = await framesWith(t, 'busy', { region: 'us' }, [480, 620], 60, PORTS + 300);
  t.equal(usBusy, '1'.repeat(25) + '0'.repeat(25) + '1'.repeat(10), 'us busy: 480+620 Hz 0.5 s on / 0.5 s off');
  t.same(tonePreset('ringback', 'uk').cadence, [400, 200, 400, 2000], 'uk ringback is a double burst');
  t.same(TONE_REGIONS, ['us', 'eu', 'ru', 'uk']);
});

t.test('a spec with onMs/offMs and a duration, then toneDone; a plain sine still works', async (t) => {
  const engine = startEngine(t, PORTS + 400);
  const ep = engine.createEndpoint();
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const done = once(ep, 'toneDone');
  ep.playTone({ frequencies: [800, 1300], onMs: 100, offMs: 60, durationMs: 300, amplitude: 0.2 });
  await done;
  const packets = await peer.packetsAfter(0, 15);
  const pattern = packets.map((p) => (toneAmplitude(audioOf([p]), 800) > 3000 && toneAmplitude(audioOf([p]), 1300) > 3000 ? '1' : '0')).join('');
  t.equal(pattern.slice(0, 15), '111110001111100', 'on 100 ms, off 60 ms, on until 300 ms in all');

  const from = peer.received.length;
  ep.playTone(1000, { amplitude: 0.5 });
  const sine = await peer.packetsAfter(from, 10);
  t.ok(toneAmplitude(audioOf(sine), 1000) > 0.45 * 32767, 'the single sine at its amplitude');
  const beep = once(ep, 'toneDone');
  ep.playTone('beep');
  await beep;
  t.pass("'beep' ends by itself");
});

t.test('bad DTMF and tone arguments throw TypeError or RangeError', async (t) => {
  const engine = startEngine(t, PORTS + 500);
  const ep = engine.createEndpoint();
  const noEvents = engine.createEndpoint({ payloadTypes: { telephoneEvent: null } });
  const cases: Array<[string, () => unknown, ErrorConstructor]> = [
    ['sendDtmf empty', () => ep.sendDtmf(''), RangeError],
    ['sendDtmf X', () => ep.sendDtmf('12X'), RangeError],
    ['sendDtmf 65 keys', () => ep.sendDtmf('1'.repeat(65)), RangeError],
    ['sendDtmf number', () => ep.sendDtmf(123 as never), TypeError],
    ['sendDtmf durationMs 10', () => ep.sendDtmf('1', { durationMs: 10 }), RangeError],
    ['sendDtmf durationMs 60001', () => ep.sendDtmf('1', { durationMs: 60001 }), RangeError],
    ['sendDtmf gapMs 1.5', () => ep.sendDtmf('1', { gapMs: 41.5 }), RangeError],
    ['sendDtmf volume 64', () => ep.sendDtmf('1', { volume: 64 }), RangeError],
    ['sendDtmf volume "loud"', () => ep.sendDtmf('1', { volume: 'loud' as never }), TypeError],
    ['sendDtmf method sip', () => ep.sendDtmf('1', { method: 'sip' as never }), RangeError],
    ['sendDtmf unknown option', () => ep.sendDtmf('1', { duration: 100 } as never), TypeError],
    ['sendDtmf options "x"', () => ep.sendDtmf('1', 'x' as never), TypeError],
    ['sendDtmf rfc4733 without telephone-event', () => noEvents.sendDtmf('1', { method: 'rfc4733' }), RangeError],
    ['setDtmfDetect loud', () => ep.setDtmfDetect('loud' as never), RangeError],
    ['setDtmfDetect 1', () => ep.setDtmfDetect(1 as never), TypeError],
    ['createEndpoint dtmfDetect', () => engine.createEndpoint({ dtmfDetect: 'yes' as never }), RangeError],
    ['playTone preset unknown', () => ep.playTone('siren' as never), RangeError],
    ['playTone region unknown', () => ep.playTone('busy', { region: 'mars' as never }), RangeError],
    ['playTone region with a sine', () => ep.playTone(440, { region: 'eu' }), TypeError],
    ['playTone no frequencies', () => ep.playTone({ frequencies: [] }), RangeError],
    ['playTone 5 frequencies', () => ep.playTone({ frequencies: [400, 500, 600, 700, 800] }), RangeError],
    ['playTone frequency 5000', () => ep.playTone({ frequencies: [440, 5000] }), RangeError],
    ['playTone frequencies "440"', () => ep.playTone({ frequencies: ['440'] as never }), TypeError],
    ['playTone onMs alone', () => ep.playTone({ frequencies: [440], onMs: 100 }), RangeError],
    ['playTone offMs 0', () => ep.playTone({ frequencies: [440], onMs: 100, offMs: 0 }), RangeError],
    ['playTone cadence odd', () => ep.playTone({ frequencies: [440], cadence: [100, 100, 100] }), RangeError],
    ['playTone cadence 10 steps', () => ep.playTone({ frequencies: [440], cadence: Array(10).fill(100) }), RangeError],
    ['playTone cadence not an array', () => ep.playTone({ frequencies: [440], cadence: 100 as never }), TypeError],
    ['playTone spec unknown key', () => ep.playTone({ frequencies: [440], volume: 3 } as never), TypeError],
    ['playTone options unknown key', () => ep.playTone(440, { loop: true } as never), TypeError],
    ['native sendDtmf id 0', () => ep.native.sendDtmf(0, '1'), RangeError],
    ['native sendDtmf unknown id', () => ep.native.sendDtmf(987654, '1'), RangeError],
    ['native playTone frequencies object', () => ep.native.playTone(ep.id, {} as never), TypeError],
  ];
  for (const [name, fn, type] of cases) t.throws(fn, type, `${name} → ${type.name}`);
  t.throws(() => ep.sendDtmf('12X'), { message: "digits[2] is not a DTMF key (0-9 * # A-D): 'X'" });
  // Hostile values surface as their own errors, no crash.
  const getter = {
    get durationMs(): number {
      throw new Error('boom');
    },
  };
  t.throws(() => ep.sendDtmf('1', getter), { message: 'boom' }, 'a throwing getter');
  const trapped = [440, 480];
  Object.defineProperty(trapped, 1, { get: () => { throw new Error('trap'); } });
  t.throws(() => ep.native.playTone(ep.id, trapped), { message: 'trap' }, 'an array with a throwing element');
  t.throws(() => ep.playTone({ frequencies: [440], cadence: trapped }), { message: 'trap' }, 'a cadence with a throwing element');
  t.throws(() => ep.native.playTone(ep.id, new Proxy([440], {})), TypeError, 'a proxy is not an array of frequencies');
  // Still alive and working.
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  const sent = once(ep, 'dtmfSent');
  ep.sendDtmf('1');
  await sent;
  t.pass('the endpoint still sends DTMF');
});
