// Recording over real sockets: far ends send distinct sines by RTP, the engine records, and
// the WAV is read back with our own reader (header fields, length, who is on which channel,
// by Goertzel). Lengths are checked against the media thread's own tick count (one frame per
// tick), not against the wall clock.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { Test } from 'tap';
import { MediaError, type Endpoint, type MediaEngine, type Mixer, type Recording, type RecordingResult } from '../../../media/index.js';
import { HOST, openPeer, startEngine, toneAmplitude, waitFor } from './helpers.js';
import { readWav, slice, type Wav } from './wav.js';

const PORTS = 27300;
const SENT = 9830; // amplitude each far end sends (0.3 of full scale)
const FRAME_MS = 20;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'sy-rec-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Ticks run so far by the media thread `thread`. */
function ticks(engine: MediaEngine, thread: number): number {
  return engine.stats().threads.find((x) => x.index === thread)!.ticks;
}

async function waitTicks(engine: MediaEngine, thread: number, n: number): Promise<void> {
  const from = ticks(engine, thread);
  await waitFor(`${n} media ticks`, () => ticks(engine, thread) >= from + n);
}

/** An endpoint of `mixer` whose far end sends a sine of `hz` to it. */
async function party(t: Test, engine: MediaEngine, mixer: Mixer, hz: number, join = true): Promise<Endpoint> {
  const ep = engine.createEndpoint({ mixer });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  peer.startSine(ep.port, hz, { amplitude: SENT, ssrc: 0x1000 + hz });
  if (join) mixer.addMember(ep);
  return ep;
}

/**
 * The amplitude of `hz` in each 100 ms block. Blocks, not one long window: a glitch in the
 * RTP stream (a receive-buffer underrun) shifts the sine's phase, which a long Goertzel
 * window would partly cancel.
 */
function blockLevels(samples: Int16Array, hz: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + 800 <= samples.length; i += 800) out.push(toneAmplitude(samples.subarray(i, i + 800), hz));
  return out.sort((x, y) => x - y);
}

const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)] ?? 0;
const max = (xs: number[]): number => xs[xs.length - 1] ?? 0;

/** Median and maximum block level of each frequency, for messages. */
function levels(samples: Int16Array, freqs: number[]): string {
  return freqs.map((f) => `${f} Hz ${median(blockLevels(samples, f)).toFixed(0)}/${max(blockLevels(samples, f)).toFixed(0)}`).join(', ');
}

/** `hz` is in most blocks; none of `others` is in any. */
function hasTone(t: Test, samples: Int16Array, hz: number, what: string, others: number[]): void {
  const all = [hz, ...others];
  t.ok(median(blockLevels(samples, hz)) > 0.4 * SENT, `${what}: ${hz} Hz present (${levels(samples, all)})`);
  for (const o of others) t.ok(max(blockLevels(samples, o)) < 0.05 * SENT, `${what}: ${o} Hz absent (${levels(samples, all)})`);
}

function isSilent(t: Test, samples: Int16Array, what: string): void {
  let peak = 0;
  for (const s of samples) peak = Math.max(peak, Math.abs(s));
  t.equal(peak, 0, `${what}: silence`);
}

/** The header describes 8 kHz PCM16 and exactly the data the file holds. */
function checkHeader(t: Test, wav: Wav, channels: number, result: RecordingResult): void {
  t.equal(wav.formatTag, 1, 'PCM');
  t.equal(wav.channels, channels, `${channels} channel(s)`);
  t.equal(wav.sampleRate, 8000, '8 kHz');
  t.equal(wav.bitsPerSample, 16, '16-bit');
  t.equal(wav.blockAlign, channels * 2, 'block align');
  t.equal(wav.byteRate, 8000 * channels * 2, 'byte rate');
  t.equal(wav.dataOffset, 44, 'canonical 44-byte header');
  t.equal(wav.dataSize, wav.fileBytes - 44, 'data size fixed up to what the file holds');
  t.equal(wav.riffSize, wav.fileBytes - 8, 'RIFF size fixed up');
  t.equal(result.bytes, wav.fileBytes, 'result.bytes is the file size');
  t.equal(result.durationMs, wav.dataSize / (channels * 16), 'result.durationMs matches the data');
  t.equal(result.droppedFrames, 0, 'no dropped frames');
}

/** One frame per tick: the file has as many frames as the thread ran ticks while recording (± the ticks racing the commands). */
function checkFrames(t: Test, result: RecordingResult, tickCount: number): void {
  const frames = result.durationMs / FRAME_MS;
  t.ok(Math.abs(frames - tickCount) <= 3, `${frames} frames for ${tickCount} ticks`);
}

t.test('stereo recording of a bridged call: A left, B right', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS, { threads: 2 });
  const mixer = engine.createMixer();
  const a = await party(t, engine, mixer, 440);
  const b = await party(t, engine, mixer, 1000);
  mixer.setMode('bridge', { agent: a, client: b });
  await waitTicks(engine, mixer.thread, 10); // latched and prefilled

  const events: Array<[Recording, RecordingResult]> = [];
  engine.on('recordingDone', (rec, res) => events.push([rec, res]));
  const t0 = ticks(engine, mixer.thread);
  const wall0 = Date.now();
  const rec = mixer.record(join(dir, 'call.wav'), { layout: 'stereo', left: a, right: b });
  t.equal(rec.layout, 'stereo');
  t.equal(rec.path, join(dir, 'call.wav'), 'path is absolute');
  let doneEvent: RecordingResult | undefined;
  rec.on('done', (r) => (doneEvent = r));
  await waitTicks(engine, mixer.thread, 75); // 1.5 s
  const tickCount = ticks(engine, mixer.thread) - t0;
  const wallMs = Date.now() - wall0;
  const result = await rec.stop();
  t.equal(await rec.stop(), result, 'stop() is idempotent');
  t.same(result, { path: rec.path, durationMs: result.durationMs, bytes: result.bytes, droppedFrames: 0, reason: 'stopped' });
  t.same(doneEvent, result, "the recording's 'done' event");
  t.equal(events.length, 1, "the engine's 'recordingDone' event");
  t.equal(events[0][0], rec);
  t.same(events[0][1], result);

  const wav = readWav(result.path);
  checkHeader(t, wav, 2, result);
  checkFrames(t, result, tickCount);
  t.comment(`recorded ${result.durationMs} ms over ${wallMs} ms of wall time`);
  const [left, right] = wav.channelData;
  const end = result.durationMs;
  hasTone(t, slice(left, 100, end), 440, 'left (A)', [1000]);
  hasTone(t, slice(right, 100, end), 1000, 'right (B)', [440]);
  t.throws(() => rec.pause(), MediaError, 'a stopped recording cannot be paused');
});

t.test('conference mix (mono) and per-member mono', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS + 100);
  const mixer = engine.createMixer();
  const freqs = [440, 1000, 1700];
  const [a, b, c] = await Promise.all(freqs.map((hz) => party(t, engine, mixer, hz)));
  mixer.setMode('barge', { agent: a, client: b, supervisor: c });
  await waitTicks(engine, mixer.thread, 10);

  const t0 = ticks(engine, mixer.thread);
  const mix = mixer.record(join(dir, 'conference.wav'), { layout: 'mix' });
  const member = b.record(join(dir, 'b.wav'));
  t.equal(member.layout, 'mono');
  await waitTicks(engine, mixer.thread, 50);
  const tickCount = ticks(engine, mixer.thread) - t0;
  const [mixResult, memberResult] = await Promise.all([mix.stop(), member.stop()]);

  const mixWav = readWav(mixResult.path);
  checkHeader(t, mixWav, 1, mixResult);
  checkFrames(t, mixResult, tickCount);
  const all = slice(mixWav.channelData[0], 100, mixResult.durationMs);
  for (const hz of freqs) t.ok(median(blockLevels(all, hz)) > 0.4 * SENT, `mix has ${hz} Hz (${levels(all, freqs)})`);

  const memberWav = readWav(memberResult.path);
  checkHeader(t, memberWav, 1, memberResult);
  checkFrames(t, memberResult, tickCount);
  hasTone(t, slice(memberWav.channelData[0], 100, memberResult.durationMs), 1000, 'b alone', [440, 1700]);
});

t.test('pause and resume: paused time is left out of the file', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS + 200);
  const mixer = engine.createMixer();
  const a = await party(t, engine, mixer, 440);
  await waitTicks(engine, mixer.thread, 10);

  const t0 = ticks(engine, mixer.thread);
  const rec = a.record(join(dir, 'paused.wav'));
  await waitTicks(engine, mixer.thread, 25);
  rec.pause();
  rec.pause();
  t.equal(rec.paused, true);
  const p0 = ticks(engine, mixer.thread);
  await waitTicks(engine, mixer.thread, 50);
  rec.resume();
  t.equal(rec.paused, false);
  const pausedTicks = ticks(engine, mixer.thread) - p0;
  await waitTicks(engine, mixer.thread, 25);
  const totalTicks = ticks(engine, mixer.thread) - t0;
  const result = await rec.stop();
  const frames = result.durationMs / FRAME_MS;
  t.ok(
    Math.abs(frames - (totalTicks - pausedTicks)) <= 5,
    `${frames} frames = ${totalTicks} ticks - ${pausedTicks} paused (± the ticks racing four commands)`,
  );
  t.ok(frames < totalTicks - 40, 'the paused second is not in the file');
  const wav = readWav(result.path);
  checkHeader(t, wav, 1, result);
  hasTone(t, slice(wav.channelData[0], 100, result.durationMs), 440, 'across the pause', [1000]);
});

t.test('stereo with parties joining and leaving: a missing party is silence', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS + 300);
  const mixer = engine.createMixer();
  const a = await party(t, engine, mixer, 440);
  const b = await party(t, engine, mixer, 1000, false); // not a member yet
  await waitTicks(engine, mixer.thread, 10);

  const t0 = ticks(engine, mixer.thread);
  const rec = mixer.record(join(dir, 'join.wav'), { layout: 'stereo', left: a, right: b });
  await waitTicks(engine, mixer.thread, 25);
  const joined = ticks(engine, mixer.thread) - t0;
  mixer.addMember(b);
  await waitTicks(engine, mixer.thread, 25);
  const left = ticks(engine, mixer.thread) - t0;
  mixer.removeMember(b);
  await waitTicks(engine, mixer.thread, 25);
  const result = await rec.stop();
  const wav = readWav(result.path);
  checkHeader(t, wav, 2, result);
  const ms = (frame: number): number => frame * FRAME_MS;
  const [l, r] = wav.channelData;
  isSilent(t, slice(r, ms(2), ms(joined - 3)), 'right before B joins');
  hasTone(t, slice(r, ms(joined + 3), ms(left - 3)), 1000, 'right while B is a member', [440]);
  isSilent(t, slice(r, ms(left + 3), result.durationMs), 'right after B left');
  hasTone(t, slice(l, 100, result.durationMs), 440, 'left (A) throughout', [1000]);
});

t.test('a recording ends when its source closes', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS + 400);
  const mixer = engine.createMixer();
  const a = await party(t, engine, mixer, 440);
  const b = await party(t, engine, mixer, 1000);
  const ofEndpoint = a.record(join(dir, 'a.wav'));
  const ofMixer = mixer.record(join(dir, 'mix.wav'), { layout: 'stereo', left: a, right: b });
  await waitTicks(engine, mixer.thread, 20);
  await a.close();
  const first = await ofEndpoint.done();
  t.equal(first.reason, 'sourceClosed', 'endpoint closed: its recording is complete');
  t.equal(ofMixer.ended, false, 'the mixer recording goes on (A is silence now)');
  mixer.close();
  const second = await ofMixer.done();
  t.equal(second.reason, 'sourceClosed', 'mixer closed: its recording is complete');
  checkHeader(t, readWav(first.path), 1, first);
  checkHeader(t, readWav(second.path), 2, second);
  t.same(await ofEndpoint.stop(), first, 'stop() after the end resolves with the result');
});

t.test('closing the engine completes every open recording', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS + 500);
  const mixer = engine.createMixer();
  const a = await party(t, engine, mixer, 440);
  const rec = a.record(join(dir, 'a.wav'));
  await waitTicks(engine, mixer.thread, 20);
  engine.close();
  t.equal(rec.ended, true, 'settled synchronously by close()');
  const result = await rec.done();
  t.equal(result.reason, 'engineClosed');
  checkHeader(t, readWav(result.path), 1, result);
  t.ok(result.durationMs >= 20 * FRAME_MS - 3 * FRAME_MS, `${result.durationMs} ms written`);
});

t.test('bad arguments are refused at once; a file that cannot be opened fails later', async (t) => {
  const dir = tempDir(t);
  const engine = startEngine(t, PORTS + 600, { threads: 2 });
  const other = startEngine(t, PORTS + 700, { threads: 1 });
  const mixer = engine.createMixer({ thread: 0 });
  const a = engine.createEndpoint({ mixer });
  const b = engine.createEndpoint({ mixer });
  const elsewhere = engine.createEndpoint({ thread: 1 });
  const foreign = other.createEndpoint();
  const closed = engine.createEndpoint({ mixer });
  await closed.close();
  const path = join(dir, 'x.wav');

  t.throws(() => a.record(42 as never), TypeError, 'path must be a string');
  t.throws(() => a.record(''), RangeError, 'empty path');
  t.throws(() => a.record(join(dir, 'no', 'such', 'dir.wav')), { name: 'RangeError', message: /does not exist/ }, 'missing directory');
  t.throws(() => mixer.record(path, null as never), TypeError, 'options must be an object');
  t.throws(() => mixer.record(path, {} as never), TypeError, 'layout is required');
  t.throws(() => mixer.record(path, { layout: 'surround' } as never), RangeError, 'unknown layout');
  t.throws(() => mixer.record(path, { layout: 'stereo', left: a } as never), TypeError, 'stereo needs right');
  t.throws(() => mixer.record(path, { layout: 'stereo', left: a, right: a }), RangeError, 'left and right differ');
  t.throws(() => mixer.record(path, { layout: 'mix', left: a } as never), TypeError, 'left only with stereo');
  t.throws(() => mixer.record(path, { layout: 'mix', volume: 2 } as never), TypeError, 'unknown option');
  t.throws(() => mixer.record(path, { layout: 'stereo', left: a, right: 7 as never }), TypeError, 'right must be an Endpoint');
  t.throws(() => mixer.record(path, { layout: 'stereo', left: a, right: foreign }), { code: 'FOREIGN_OBJECT' }, 'an endpoint of another engine');
  t.throws(() => mixer.record(path, { layout: 'stereo', left: a, right: closed }), { name: 'RangeError', message: /unknown endpoint|closed/ }, 'a closed endpoint');
  t.throws(
    () => mixer.record(path, { layout: 'stereo', left: a, right: elsewhere }),
    { name: 'RangeError', message: /media thread 1 .* mixer .* thread 0/ },
    'an endpoint on another thread than the mixer',
  );
  t.throws(() => closed.record(path), RangeError, 'recording a closed endpoint');
  const native = a.native;
  t.throws(() => native.startRecording(path, { endpoint: a.id, mixer: mixer.id } as never), TypeError, 'native: endpoint or mixer, not both');
  t.throws(() => native.startRecording(path, { endpoint: 999999 }), { name: 'RangeError', message: /unknown endpoint/ }, 'native: unknown endpoint');
  t.throws(() => native.stopRecording(999999), { name: 'RangeError', message: /unknown recording/ }, 'native: unknown recording');
  t.throws(() => native.startRecording(dir + '/', { endpoint: a.id }), { name: 'RangeError', message: /names a directory/ }, 'native: a path ending in /');

  const rec = mixer.record(path, { layout: 'stereo', left: a, right: b });
  t.throws(() => a.record(path), { name: 'RangeError', message: /already being recorded/ }, 'one file, one recording');
  await rec.stop();

  // The directory exists and is writable, but the path is a directory: only open() can tell.
  const failures: MediaError[] = [];
  engine.on('recordingError', (_rec, err) => failures.push(err));
  const bad = a.record(dir);
  const failed = await new Promise<MediaError>((resolve) => bad.once('failed', resolve));
  t.equal(failed.code, 'RECORDING_FAILED');
  t.match(failed.message, /cannot open/);
  t.equal(failures.length, 1, "the engine's 'recordingError' event");
  await t.rejects(bad.stop(), { code: 'RECORDING_FAILED' }, 'stop() rejects with the failure');
  t.throws(() => bad.pause(), MediaError, 'a failed recording cannot be paused');
  t.equal(engine.recordingStats().failed, 1);

  engine.close();
  t.throws(() => a.record(path), { code: 'CLOSED' }, 'after the engine closed');
});

t.test('a writer that cannot keep up: frames are dropped and counted, the media thread keeps its clock', async (t) => {
  // A FIFO whose reader reads nothing for 6 s stands in for a stalled disk: the writer
  // blocks once the pipe buffer (64 KiB, 2 s of stereo) is full, then the ring (2 s) fills.
  const dir = tempDir(t);
  const fifo = join(dir, 'stalled.wav');
  execFileSync('mkfifo', [fifo]);
  const engine = startEngine(t, PORTS + 1000);
  const mixer = engine.createMixer();
  const a = await party(t, engine, mixer, 440);
  const b = await party(t, engine, mixer, 1000);
  mixer.setMode('bridge', { agent: a, client: b });
  await waitTicks(engine, mixer.thread, 10);

  // The writer opens without blocking and fails on a FIFO that has no reader yet, so a read
  // end is held open (non-blocking open: no writer needed) before the recording starts. A
  // blocking open in the thread pool raced the writer and, when it lost, waited for ever.
  const holder = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const t0 = ticks(engine, mixer.thread);
  const sent0 = a.stats().packetsOut;
  const rec = mixer.record(fifo, { layout: 'stereo', left: a, right: b });
  const handle = await open(fifo, 'r'); // blocking reads, so readFile waits for data and EOF
  await holder.close();
  t.teardown(() => handle.close());
  await waitTicks(engine, mixer.thread, 300);
  const tickCount = ticks(engine, mixer.thread) - t0;
  const sent = a.stats().packetsOut - sent0;
  t.ok(Math.abs(sent - tickCount) <= 3, `the media thread sent ${sent} packets in ${tickCount} ticks: it never waited for the writer`);
  const stopped = rec.stop();
  const data = await handle.readFile(); // to EOF: the writer closes its end when done
  const result = await stopped;
  t.ok(result.droppedFrames > 0, `${result.droppedFrames} frames dropped and reported`);
  t.equal(data.length - 44, (result.durationMs / FRAME_MS) * 640, 'the stream holds the frames the result counts');
  const frames = result.durationMs / FRAME_MS + result.droppedFrames;
  t.ok(Math.abs(frames - tickCount) <= 3, `${frames} frames written or dropped for ${tickCount} ticks`);
  t.ok(engine.recordingStats().droppedFrames >= result.droppedFrames, 'the writer stats count them too');
});

/** Starts the child that records and waits until its file holds `ms` of stereo audio. */
async function recordingChild(t: Test, path: string, ports: number, ms: number, mode = 'close') {
  const script = fileURLToPath(new URL('./fixtures/record-child.js', import.meta.url));
  const child = spawn(process.execPath, [script, path, String(ports), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.teardown(() => child.kill('SIGKILL'));
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor('the child to start recording', () => out.includes('recording'));
  const bytes = (): number => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  };
  await waitFor(`${ms} ms in the child's file`, () => bytes() >= 44 + ms * 32, 30000);
  return child;
}

for (const mode of ['close', 'exit']) {
  const how = mode === 'close' ? 'the handler closes the engine' : 'the handler only calls process.exit()';
  t.test(`SIGTERM (${how}): the WAV is complete`, async (t) => {
    const path = join(tempDir(t), 'term.wav');
    const child = await recordingChild(t, path, PORTS + (mode === 'close' ? 800 : 850), 1000, mode);
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    t.equal(code, 0, 'the child exited from its SIGTERM handler');
    const wav = readWav(path);
    t.equal(wav.channels, 2);
    t.equal(wav.dataSize, wav.fileBytes - 44, 'data size fixed up on close');
    t.equal(wav.riffSize, wav.fileBytes - 8, 'RIFF size fixed up on close');
    t.ok(wav.dataSize >= 1000 * 32, `${wav.dataSize / 32} ms recorded`);
    const end = wav.dataSize / 32;
    hasTone(t, slice(wav.channelData[0], 100, end), 440, 'left', [1000]);
    hasTone(t, slice(wav.channelData[1], 100, end), 1000, 'right', [440]);
  });
}

t.test('SIGKILL: the periodically rewritten header still makes a playable file', async (t) => {
  const path = join(tempDir(t), 'kill.wav');
  const child = await recordingChild(t, path, PORTS + 900, 2500);
  child.kill('SIGKILL');
  await once(child, 'exit');
  const wav = readWav(path);
  const onDisk = wav.fileBytes - 44;
  t.ok(wav.dataSize > 0, 'the header counts audio (rewritten while recording)');
  t.ok(wav.dataSize <= onDisk, 'and no more than the file holds');
  t.equal(wav.dataSize % 4, 0, 'whole stereo frames');
  t.equal(wav.riffSize, wav.dataSize + 36, 'RIFF size consistent with the data size');
  t.comment(`header counts ${wav.dataSize / 32} ms of ${onDisk / 32} ms on disk`);
  hasTone(t, slice(wav.channelData[0], 100, wav.dataSize / 32), 440, 'left', [1000]);
});
