// The engine's JS surface: arguments are checked (TypeError/RangeError, never a crash),
// closing frees ports and is idempotent, placement on threads, stats, and a process with a
// running engine still exits.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { MediaEngine, MediaError, type Endpoint } from '../../../media/index.js';
import { loadAddon } from '../../../media/native.js';
import { HOST, openPeer, startEngine, waitFor } from './helpers.js';

const PORTS = 23000;

async function canBind(port: number): Promise<boolean> {
  const s = dgram.createSocket('udp4');
  try {
    s.bind(port, HOST);
    await once(s, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

t.test('engine options are checked', async (t) => {
  const bad: Array<[unknown, ErrorConstructor]> = [
    [{ threads: 0 }, RangeError],
    [{ threads: 65 }, RangeError],
    [{ threads: 1.5 }, RangeError],
    [{ threads: 'two' }, TypeError],
    [{ portMin: 80 }, RangeError],
    [{ portMin: 30001, portMax: 30001 }, RangeError],
    [{ portMin: 30000, portMax: 20000 }, RangeError],
    [{ portMax: 70000 }, RangeError],
    [{ address: 'localhost' }, TypeError],
    [{ address: 42 }, TypeError],
    [{ rtpTimeoutMs: -1 }, RangeError],
    [{ jitterMs: 1000 }, RangeError],
    [{ portPool: -1 }, RangeError],
    [{ portPool: 5000 }, RangeError],
    [{ portPool: '16' }, TypeError],
    [{ realtimePriority: -1 }, RangeError],
    [{ realtimePriority: 100 }, RangeError],
    [{ realtimePriority: 'high' }, TypeError],
    [{ theads: 2 }, TypeError],
    ['fast', TypeError],
  ];
  for (const [options, type] of bad) {
    t.throws(() => new MediaEngine(options as never).start(), type, `${JSON.stringify(options)} → ${type.name}`);
  }
  const { Engine } = loadAddon();
  t.throws(() => new Engine({}, 'not a function' as never), TypeError, 'the event callback is checked');
  t.throws(() => (Engine as unknown as (o: object, f: () => void) => void)({}, () => {}), TypeError, 'needs new');
  t.throws(() => Engine.prototype.stats.call({}), TypeError, 'a method on a foreign object');
  const e = new MediaEngine({ threads: 1, portMin: PORTS, portMax: PORTS + 10 });
  t.throws(() => e.createEndpoint(), MediaError, 'not started yet');
  e.start();
  e.close();
  e.close();
  t.throws(() => e.start(), MediaError, 'closed for good');
});

/** The scheduling policy of each media thread, read from the kernel (/proc/self/task/<tid>/stat field 41). */
function mediaThreadPolicies(): number[] {
  const policies: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    if (!readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').startsWith('sy-media-')) continue;
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    policies.push(Number(fields[41 - 3]));
  }
  return policies;
}

t.test('media threads run under SCHED_FIFO when asked and allowed', async (t) => {
  const SCHED_OTHER = 0;
  const SCHED_FIFO = 1;
  const plain = startEngine(t, PORTS + 800, { threads: 2, portMax: PORTS + 848 });
  t.same(plain.stats().threads.map((th) => th.realtime), [false, false], 'ordinary scheduling by default');
  t.same(mediaThreadPolicies(), [SCHED_OTHER, SCHED_OTHER], 'the kernel agrees');
  plain.close();

  const rt = startEngine(t, PORTS + 850, { threads: 2, portMax: PORTS + 898, realtimePriority: 10 });
  // Root (as in CI) may; others are refused by the kernel and keep running as usual.
  const allowed = process.getuid?.() === 0;
  t.same(rt.stats().threads.map((th) => th.realtime), [allowed, allowed], `realtime reported ${allowed}`);
  t.same(mediaThreadPolicies(), allowed ? [SCHED_FIFO, SCHED_FIFO] : [SCHED_OTHER, SCHED_OTHER], 'the kernel agrees');
  const ep = rt.createEndpoint();
  t.ok(ep.port > 0, 'the engine serves either way');
});

t.test('endpoint and mixer arguments are checked', async (t) => {
  const engine = startEngine(t, PORTS + 100, { threads: 2 });
  const ep = engine.createEndpoint();
  const native = ep.native;
  const mixer = engine.createMixer({ thread: 0 });
  const elsewhere = engine.createEndpoint({ thread: 1 });

  const cases: Array<[string, () => unknown, ErrorConstructor]> = [
    ['codec G729', () => engine.createEndpoint({ codec: 'G729' as never }), RangeError],
    ['codec 0', () => engine.createEndpoint({ codec: 0 as never }), TypeError],
    ['thread 7 of 2', () => engine.createEndpoint({ thread: 7 }), RangeError],
    ['thread -1', () => engine.createEndpoint({ thread: -1 }), RangeError],
    ['thread "0"', () => engine.createEndpoint({ thread: '0' as never }), TypeError],
    ['mixer and another thread', () => engine.createEndpoint({ mixer, thread: 1 }), RangeError],
    ['mixer not a Mixer', () => engine.createEndpoint({ mixer: {} as never }), TypeError],
    ['address 999.0.0.1', () => engine.createEndpoint({ address: '999.0.0.1' }), TypeError],
    ['telephone-event 50', () => engine.createEndpoint({ payloadTypes: { telephoneEvent: 50 } }), RangeError],
    ['PCMU = PCMA', () => engine.createEndpoint({ payloadTypes: { pcmu: 8 } }), RangeError],
    ['pt 128', () => engine.createEndpoint({ payloadTypes: { pcma: 128 } }), RangeError],
    ['unknown option', () => engine.createEndpoint({ echoo: true } as never), TypeError],
    ['echo "yes"', () => engine.createEndpoint({ echo: 'yes' as never }), TypeError],
    ['setRemote host name', () => ep.setRemote('example.com', 4000), TypeError],
    ['setRemote port 0', () => ep.setRemote(HOST, 0), RangeError],
    ['setRemote port 65536', () => ep.setRemote(HOST, 65536), RangeError],
    ['setRemote port "4000"', () => ep.setRemote(HOST, '4000' as never), TypeError],
    ['setRemote port NaN', () => ep.setRemote(HOST, NaN), RangeError],
    ['setRemote no args', () => (ep.setRemote as () => void)(), TypeError],
    ['setCodec opus', () => ep.setCodec('opus' as never), RangeError],
    ['setEcho 1', () => ep.setEcho(1 as never), TypeError],
    ['setRtpTimeout -5', () => ep.setRtpTimeout(-5), RangeError],
    ['playTone 0 Hz', () => ep.playTone(0), RangeError],
    ['playTone 4000 Hz', () => ep.playTone(4000), RangeError],
    ['playTone Infinity', () => ep.playTone(Infinity), RangeError],
    ['playTone "440" (not a preset)', () => ep.playTone('440' as never), RangeError],
    ['playTone true', () => ep.playTone(true as never), TypeError],
    ['playTone amplitude 2', () => ep.playTone(440, { amplitude: 2 }), RangeError],
    ['playTone target', () => ep.playTone(440, { target: 'speaker' as never }), RangeError],
    ['playTone duration 1.5', () => ep.playTone(440, { durationMs: 1.5 }), RangeError],
    ['setPayloadTypes null', () => ep.setPayloadTypes(null as never), TypeError],
    ['create remote host name', () => engine.createEndpoint({ remote: { address: 'example.com', port: 4000 } }), TypeError],
    ['create remote without port', () => engine.createEndpoint({ remote: { address: HOST } as never }), TypeError],
    ['create remote port 0', () => engine.createEndpoint({ remote: { address: HOST, port: 0 } }), RangeError],
    ['create rtcpMux and rtcp', () => engine.createEndpoint({ rtcpMux: true, rtcp: { mux: true } }), TypeError],
    ['create join without mixer', () => engine.createEndpoint({ join: true }), RangeError],
    ['create join "yes"', () => engine.createEndpoint({ mixer, join: 'yes' as never }), TypeError],
    ['create sending 1', () => engine.createEndpoint({ sending: 1 as never }), TypeError],
    ['create dtmfDetect', () => engine.createEndpoint({ dtmfDetect: 'ears' as never }), RangeError],
    ['configure not an object', () => ep.configure(5 as never), TypeError],
    ['configure null', () => ep.configure(null as never), TypeError],
    ['configure unknown key', () => ep.configure({ jitterMs: 40 } as never), TypeError],
    ['configure codec opus', () => ep.configure({ codec: 'opus' as never }), RangeError],
    ['configure PCMU = PCMA', () => ep.configure({ payloadTypes: { pcma: 0 } }), RangeError],
    ['configure remote port 65536', () => ep.configure({ remote: { address: HOST, port: 65536 } }), RangeError],
    ['configure rtcp port 0', () => ep.configure({ rtcp: { address: HOST, port: 0 } }), RangeError],
    ['configure rtpTimeoutMs -1', () => ep.configure({ rtpTimeoutMs: -1 }), RangeError],
    ['configure unknown endpoint', () => native.configureEndpoint(999999, {}), RangeError],
    ['id 0', () => native.setEcho(0, true), RangeError],
    ['id -1', () => native.setEcho(-1, true), RangeError],
    ['id 1.5', () => native.setEcho(1.5, true), RangeError],
    ['id 2^32', () => native.setEcho(2 ** 32, true), RangeError],
    ['id "1"', () => native.setEcho('1' as never, true), TypeError],
    ['id {}', () => native.endpointStats({} as never), TypeError],
    ['id missing', () => (native.closeEndpoint as () => void)(), TypeError],
    ['id symbol', () => native.stopTone(Symbol('x') as never), TypeError],
    ['id bigint', () => native.stopTone(1n as never), TypeError],
    ['unknown endpoint', () => native.setEcho(999999, true), RangeError],
    ['mixer id as endpoint id', () => native.setEcho(mixer.id, true), RangeError],
    ['unknown mixer', () => native.addMember(999999, ep.id), RangeError],
    ['member on another thread', () => mixer.addMember(elsewhere), RangeError],
    ['addMember not an endpoint', () => mixer.addMember({ id: ep.id } as never), TypeError],
    ['hears a non-member', () => mixer.setHears(engine.createEndpoint({ mixer }), [ep]), RangeError],
    ['hear sets not an array', () => native.setHears(mixer.id, 'all' as never), TypeError],
    ['hear set pair malformed', () => native.setHears(mixer.id, [[ep.id]] as never), TypeError],
    ['hear set not an array', () => native.setHears(mixer.id, [[ep.id, ep.id]] as never), TypeError],
    ['createMixer thread 9', () => engine.createMixer({ thread: 9 }), RangeError],
    ['removeMember non-member', () => mixer.removeMember(ep), RangeError],
    ['mode unknown', () => mixer.setMode('spy' as never, { agent: ep, client: ep }), RangeError],
  ];
  for (const [name, fn, type] of cases) t.throws(fn, type, `${name} → ${type.name}`);

  // Messages name the problem.
  t.throws(() => ep.setRemote(HOST, 70000), { message: 'port must be an integer from 1 to 65535, got 70000' });
  t.throws(() => native.setEcho(424242, true), { message: 'unknown endpoint 424242' });

  // Hostile values: throwing getters and proxies surface as their own errors, no crash.
  const getter = {
    get echo(): boolean {
      throw new Error('boom');
    },
  };
  t.throws(() => engine.createEndpoint(getter as never), { message: 'boom' });
  const proxy = new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } });
  t.throws(() => engine.createEndpoint(proxy as never), { message: 'no keys' });

  // An endpoint in a mixer cannot join another one.
  const m2 = engine.createMixer({ thread: 0 });
  const shared = engine.createEndpoint({ mixer });
  mixer.addMember(shared);
  t.throws(() => m2.addMember(shared), RangeError, 'one mixer per endpoint');

  // After close, the endpoint refuses commands with a clear error.
  await ep.close();
  t.throws(() => ep.setEcho(true), { message: `unknown endpoint ${ep.id}` });
  t.same(ep.stats(), await ep.close(), 'stats after close are the final ones; close is idempotent');
});

t.test('closing frees the port', async (t) => {
  const engine = startEngine(t, PORTS + 200);
  const ep = engine.createEndpoint();
  t.equal(ep.port % 2, 0, 'RTP port is even');
  t.ok(ep.port >= PORTS + 200 && ep.port <= PORTS + 298, 'from the configured range');
  t.notOk(await canBind(ep.port), 'taken while open');
  const closed = once(ep, 'closed');
  const stats = await ep.close();
  await closed;
  t.equal(typeof stats.packetsIn, 'number', 'final counters');
  t.ok(await canBind(ep.port), 'free once close() resolves');

  // Ports are handed out round-robin, so a just-freed one is not reused at once.
  const next = engine.createEndpoint();
  t.not(next.port, ep.port);

  // Engine close frees every port at once; close twice is harmless.
  const many = [engine.createEndpoint(), engine.createEndpoint(), engine.createEndpoint()];
  const ended: number[] = [];
  engine.on('closed', (e) => ended.push(e.id));
  engine.close();
  engine.close();
  for (const e of [...many, next]) t.ok(await canBind(e.port), `port ${e.port} free after engine close`);
  t.same(ended.sort(), [...many, next].map((e) => e.id).sort(), "every open endpoint got 'closed'");
  t.ok(many.every((e) => e.closed));
  await many[0].close();
  t.throws(() => engine.createEndpoint(), MediaError);
  t.throws(() => engine.stats(), MediaError);
});

t.test('a range with no free port is an error, not a crash', async (t) => {
  const engine = startEngine(t, PORTS + 300);
  const small = new MediaEngine({ threads: 1, portMin: PORTS + 400, portMax: PORTS + 403, address: HOST }).start();
  t.teardown(() => small.close());
  const a = small.createEndpoint();
  const b = small.createEndpoint();
  t.throws(() => small.createEndpoint(), { message: /no free even RTP port/ });
  await a.close();
  t.ok(small.createEndpoint().port === a.port, 'the freed port is used again when it is the only one');
  t.ok(b.port !== a.port);
  t.ok(engine.started);
});

t.test('placement: least loaded thread, or the mixer’s', async (t) => {
  const engine = startEngine(t, PORTS + 500, { threads: 2 });
  const eps: Endpoint[] = [0, 1, 2, 3].map(() => engine.createEndpoint());
  t.same(eps.map((e) => e.thread).sort(), [0, 0, 1, 1], 'spread over both threads');
  const mixer = engine.createMixer({ thread: 1 });
  t.equal(engine.createEndpoint({ mixer }).thread, 1);
  t.equal(engine.createEndpoint({ thread: 0 }).thread, 0);
  await waitFor('two ticks on each thread', () => engine.stats().threads.every((th) => th.ticks >= 2));
  const stats = engine.stats();
  t.equal(stats.threads.length, 2);
  t.equal(stats.endpoints, 6);
  t.equal(stats.mixers, 1);
  for (const th of stats.threads) {
    const l = th.latenessUs;
    t.ok(l.samples > 0 && l.p50 <= l.p99 && l.p99 <= l.max, `thread ${th.index} lateness p50 ${l.p50} ≤ p99 ${l.p99} ≤ max ${l.max} µs`);
    t.ok(th.workUs.samples > 0);
  }
});

t.test('events: a batch per tick, routed to the engine and the endpoint', async (t) => {
  const engine = startEngine(t, PORTS + 600);
  const eps = [0, 1, 2, 3, 4].map(() => engine.createEndpoint({ rtpTimeoutMs: 20 }));
  const peer = await openPeer(t);
  const seen = new Set<number>();
  engine.on('rtpTimeout', (ep) => seen.add(ep.id));
  const own = once(eps[2], 'rtpTimeout');
  for (const ep of eps) ep.setRemote(HOST, peer.port); // arms the timeout
  await own;
  await waitFor('five timeouts', () => seen.size === 5);
  t.pass('every endpoint timed out and was reported');
});

// Children that start an engine and then end in various ways: each must exit cleanly.
const MEDIA = new URL('../../../media/index.js', import.meta.url).href;
const CHILD = `
import { MediaEngine } from ${JSON.stringify(MEDIA)};
const mode = process.argv[1];
function busy() {
  const engine = new MediaEngine({ threads: 2, portMin: ${PORTS + 700}, portMax: ${PORTS + 798}, address: '127.0.0.1' }).start();
  const a = engine.createEndpoint({ rtpTimeoutMs: 20 });
  const b = engine.createEndpoint({ echo: true, thread: a.thread });
  a.setRemote('127.0.0.1', b.port);
  b.setRemote('127.0.0.1', a.port);
  a.playTone(440);
  const m = engine.createMixer();
  engine.on('rtpTimeout', () => {});
  return engine;
}
if (mode === 'forget') { busy(); setTimeout(() => console.log('done'), 100); }
if (mode === 'exit') { busy(); setTimeout(() => process.exit(3), 100); }
if (mode === 'gc') { busy(); setTimeout(() => { globalThis.gc(); console.log('done'); }, 100); }
if (mode === 'throw') { busy(); setTimeout(() => { throw new Error('user bug'); }, 100); }
if (mode === 'await-close') {
  const engine = busy();
  const ep = engine.createEndpoint();
  const stats = await ep.close(); // nothing else keeps the loop alive: the pending close must
  console.log('done', typeof stats.packetsIn);
}
if (mode === 'close-in-event') {
  const engine = busy();
  const hold = setTimeout(() => {}, 10000); // an unreferenced engine alone does not hold the process
  engine.once('rtpTimeout', () => { engine.close(); engine.close(); clearTimeout(hold); console.log('done'); });
}
`;

const MODES = [['forget', 0], ['exit', 3], ['gc', 0], ['throw', 1], ['await-close', 0], ['close-in-event', 0]] as const;
for (const [mode, code] of MODES) {
  t.test(`a process with a running engine exits (${mode})`, async (t) => {
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.on('data', (d) => (out += d));
    const [exitCode, signal] = (await once(child, 'exit')) as [number | null, string | null];
    t.equal(signal, null, 'no crash signal');
    t.equal(exitCode, code, `exit code ${code}${err && code === 0 ? ': ' + err : ''}`);
    t.notMatch(err, /FATAL|Assertion|Segmentation/, 'no fatal error');
    if (code === 0) t.match(out, /^done/, 'ran to the end');
  });
}
