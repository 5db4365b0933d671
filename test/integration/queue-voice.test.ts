// What a waiting caller hears and leaves, on real SIP calls with audio: position and
// estimated-wait announcements (espeak-ng, cached) interrupt the looped hold music for exactly
// their own length; a queue with no agent logged in overflows to voicemail, where the caller's
// message is recorded (until their hang-up, or silence), stored as a WAV with a record in the
// SQLite event log, listed by REST per role, downloaded over HTTP (with byte ranges), and made a
// missed-call record for a callback.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import t from 'tap';
import { EspeakSynthesizer } from '../../dialplan/tts/espeak.js';
import { decode, toneAmplitude, type ReceivedRtp } from '../unit/media/helpers.js';
import { speak, streamPcm } from '../unit/media/audio_helpers.js';
import { readWav } from '../unit/media/wav.js';
import { apiOf } from './api-client.js';
import { phonesFor, scratchWithHoldMusic, until } from './live-call.js';
import { startEngine } from './harness.js';
import { SoftPhone } from './softphone.js';

const HOLD = 600;
const CALLER = 700;
const GREETING = 'Please leave a message.';

const { dir, holdFile } = await scratchWithHoldMusic(t, 'queue-voice-', HOLD);
const configFile = join(dir, 'config.json');
writeFileSync(
  configFile,
  JSON.stringify({
    acd: {
      musicOnHold: holdFile,
      voicemail: { greeting: GREETING, maxSeconds: 20, silenceSeconds: 2 },
      agents: [
        { id: 'a1', name: 'Anna', extension: '1001', groups: ['support'] },
        { id: 's1', name: 'Sergei', extension: '1006', groups: ['sales'] },
      ],
      queues: [
        { id: 'wait', groups: ['nobody'], wrapUpMs: 0, announce: { everyMs: 3000 } },
        { id: 'vm', groups: ['support'], overflow: { target: { kind: 'voicemail', box: 'support' }, whenNoAgents: true } },
      ],
      tokens: [
        { token: 'admin-token', role: 'admin', name: 'root' },
        { token: 'sup-support', role: 'supervisor', name: 'Olga', groups: ['support'] },
        { token: 'sup-sales', role: 'supervisor', name: 'Petr', groups: ['sales'] },
      ],
    },
  }),
);

const engine = await startEngine({ env: { SWITCHYARD_CONFIG: configFile } });
t.teardown(engine.stop);
const api = apiOf(engine);

const openPhone = phonesFor(t, engine.sipPort);
const phone = (user: string) => openPhone(user, CALLER);

/** The same synthesizer the engine uses: same text, same cache file name and audio length. */
const tts = new EspeakSynthesizer({ cacheDir: join(dir, 'tts') });
const frames = async (text: string) => Math.ceil(readWav(await tts.synthesize(text)).channelData[0].length / 160);

type Kind = 'hold' | 'other';
/**
 * Each 20 ms frame the caller received, in arrival order (loopback keeps the send order; sorting
 * by sequence number would break where it wraps): the hold music (a pure 600 Hz) or something else.
 */
function kinds(packets: ReceivedRtp[]): Kind[] {
  return packets
    .filter((p) => p.pt === 0)
    .map((p) => {
      const pcm = decode('PCMU', p.payload);
      const peak = Math.sqrt(2 * pcm.reduce((s, x) => s + x * x, 0) / pcm.length);
      const hold = toneAmplitude(pcm, HOLD);
      return peak > 2000 && Math.abs(hold - peak) < 0.1 * peak ? 'hold' : 'other';
    });
}

/** Lengths of the runs of non-music frames that have music on both sides. */
function breaks(k: Kind[]): number[] {
  const out: number[] = [];
  let run = -1; // -1: no music heard yet
  for (const kind of k) {
    if (kind === 'hold') {
      if (run > 0) out.push(run);
      run = 0;
    } else if (run >= 0) run++;
  }
  return out;
}

t.test('announcements: position and estimated wait, said in place of the hold music for exactly their length', async (t) => {
  const first = await phone('79001110001');
  const second = await phone('79001110002');
  const firstText = 'You are next in line. Your estimated wait is about 3 minutes.';
  const secondText = 'You are number 2 in the queue. Your estimated wait is about 6 minutes.';
  const expected = { first: await frames(firstText), second: await frames(secondText) };
  const from = { first: first.rtp.received.length, second: second.rtp.received.length };
  await first.dial('queue-wait');
  await second.dial('queue-wait');
  // Two announcement periods (3 s each) plus the prompts' own length, and some slack.
  const packets = (p: SoftPhone, since: number, prompt: number) => {
    const count = 2 * 150 + 2 * prompt + 100;
    return until(`${count} packets at ${p.user}`, () => (p.rtp.received.length >= since + count ? p.rtp.received.slice(since, since + count) : undefined), 60000);
  };
  const [heardFirst, heardSecond] = await Promise.all([packets(first, from.first, expected.first), packets(second, from.second, expected.second)]);
  for (const [who, heard, prompt, text] of [
    ['first caller', heardFirst, expected.first, firstText],
    ['second caller', heardSecond, expected.second, secondText],
  ] as const) {
    const k = kinds(heard);
    t.ok(k.filter((x) => x === 'hold').length > 150, `${who} hears the hold music`);
    const gaps = breaks(k);
    t.ok(gaps.length >= 2, `${who}: the music was interrupted twice (${gaps.join(', ')} frames)`);
    // The prompt replaces the music on a tick and the queued music follows it on the tick it
    // ends, so a break is the prompt's own length (a frame either way for the tick boundaries).
    for (const gap of gaps.slice(0, 2)) t.ok(Math.abs(gap - prompt) <= 2, `${who}: a break of ${gap} frames for a ${prompt}-frame prompt`);
    const cached = join(engine.dataDir, 'tts-cache', basename(await tts.synthesize(text)));
    t.ok(existsSync(cached), `${who} was told "${text}" (synthesized once into the engine's cache)`);
  }
  await first.hangUp();
  await second.hangUp();
});

t.test('overflow to voicemail: greeting, beep, the message until the hang-up, stored and listed by role', async (t) => {
  const caller = await phone('79002220001');
  const since = caller.rtp.received.length;
  const call = await caller.dial('queue-vm');
  const message = await speak('one two three four five six seven eight', dir, 'message');
  // The beep (1 kHz) ends the greeting: then the caller speaks and hangs up before any silence.
  await until('the beep', () => (caller.rtp.received.slice(since).some((p) => toneAmplitude(decode('PCMU', p.payload), 1000) > 1000) ? true : undefined));
  caller.rtp.stop();
  await streamPcm(caller.rtp, caller.lastDialPort, message);
  await caller.hangUp();
  const list = await until('the voicemail record', async () => {
    const r = await api('GET', '/api/voicemail', 'sup-support');
    return r.body.length ? r.body : undefined;
  });
  const vm = list[0];
  t.match(vm, { caller: '79002220001', queueId: 'vm', box: 'support', callId: call.callId, endedBy: 'hangup' });
  const spokenMs = (message.length / 8000) * 1000;
  t.ok(vm.durationMs >= spokenMs - 1000 && vm.durationMs < spokenMs + 5000, `the message is as long as the caller spoke (${vm.durationMs} ms for ${Math.round(spokenMs)} ms of speech)`);
  t.ok(existsSync(vm.path) && vm.path.startsWith(join(engine.dataDir, 'voicemail')), 'the WAV is in the voicemail folder');
  const samples = readWav(vm.path).channelData[0];
  const rms = (x: Int16Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0) / Math.max(1, x.length));
  let loudest = 0;
  for (let at = 0; at + 8000 <= samples.length; at += 4000) loudest = Math.max(loudest, rms(samples.subarray(at, at + 8000)));
  t.ok(loudest > 0.3 * rms(message), `the recording holds the caller's speech (loudest second at RMS ${Math.round(loudest)}, spoken ${Math.round(rms(message))})`);

  const missed = (await api('GET', '/api/missed', 'admin-token')).body.find((m: { id: string }) => m.id === vm.missedId);
  t.match(missed, { callId: call.callId, number: '79002220001', reason: 'voicemail', status: 'not-called-back' }, 'the message is a missed call to call back');

  t.same((await api('GET', '/api/voicemail', 'sup-sales')).body, [], "another group's supervisor sees no messages");
  t.equal((await api('GET', `/api/voicemail/${vm.id}`, 'sup-sales')).status, 404, 'nor this one');
  t.match((await api('GET', `/api/voicemail/${vm.id}`, 'admin-token')).body, { id: vm.id });
  const anna = (await api('POST', '/api/session', '', { extension: '1001', password: 'secret-1001' })).body.token;
  t.equal((await api('GET', '/api/voicemail?queue=vm', anna)).body.length, 1, "an agent of the queue's group sees it");
  t.equal((await api('GET', '/api/voicemail', '')).status, 401, 'no token: 401');
  t.match((await api('GET', '/api/voicemail?limit=0', 'admin-token')).body, { error: 'invalid', message: /limit/ });

  // The WAV over HTTP, to whoever sees the message's queue.
  const audio = `/api/voicemail/${vm.id}/audio`;
  const whole = await download(audio, anna);
  t.equal(whole.status, 200);
  t.equal(whole.headers.get('content-type'), 'audio/wav');
  t.equal(Number(whole.headers.get('content-length')), whole.bytes.length, 'Content-Length is the body');
  t.same(whole.bytes, readFileSync(vm.path), 'the download is the recorded file');
  const downloaded = join(dir, 'downloaded.wav');
  writeFileSync(downloaded, whole.bytes);
  const wav = readWav(downloaded);
  t.match(wav, { formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }, 'an 8 kHz mono PCM16 WAV');
  const wavMs = (wav.dataSize / wav.byteRate) * 1000;
  t.ok(Math.abs(wavMs - vm.durationMs) <= 100, `its data lasts the message's duration (${Math.round(wavMs)} ms, record says ${vm.durationMs} ms)`);
  const head = await download(audio, 'admin-token', 'bytes=0-43');
  t.equal(head.status, 206, 'a byte range: 206');
  t.equal(head.headers.get('content-range'), `bytes 0-43/${whole.bytes.length}`);
  t.same(head.bytes, whole.bytes.subarray(0, 44), 'the first 44 bytes');
  const tail = await download(audio, 'admin-token', 'bytes=-100');
  t.same(tail.bytes, whole.bytes.subarray(whole.bytes.length - 100), 'a suffix range: the last 100 bytes');
  t.equal((await download(audio, 'admin-token', `bytes=${whole.bytes.length}-`)).status, 416, 'a range past the end: 416');
  const sergei = (await api('POST', '/api/session', '', { extension: '1006', password: 'secret-1006' })).body.token;
  t.equal((await download(audio, sergei)).status, 404, "an agent of another group cannot fetch it");
  t.equal((await download(audio, 'sup-sales')).status, 404, "nor another group's supervisor");
  t.equal((await download(audio, '')).status, 401, 'no token: 401');
  t.equal((await download('/api/voicemail/vm-unknown/audio', 'admin-token')).status, 404, 'an unknown message: 404');
});

async function download(path: string, token: string, range?: string): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (range) headers.range = range;
  const res = await fetch(`http://127.0.0.1:${engine.httpPort}${path}`, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

t.test('voicemail ends on silence: the engine hangs up with Reason 200 and keeps the message', async (t) => {
  const caller = await phone('79002220002');
  const call = await caller.dial('queue-vm');
  // Silence from the caller (RTP keeps flowing, so the call stays up).
  caller.rtp.startSine(caller.lastDialPort, CALLER, { amplitude: 0 });
  await until('the engine to hang up', () => (caller.byes > 0 ? true : undefined));
  t.match(caller.lastBye?.get('reason') ?? '', /cause=200/, 'BYE with Reason: message recorded');
  const vm = await until('the record', async () => (await api('GET', '/api/voicemail', 'admin-token')).body.find((v: { callId: string }) => v.callId === call.callId));
  t.match(vm, { endedBy: 'silence', caller: '79002220002' });
  t.ok(vm.durationMs >= 1500 && vm.durationMs < 10000, `two seconds of silence end it (${vm.durationMs} ms)`);
});
