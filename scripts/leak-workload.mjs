// The workload of scripts/leak-check.sh: engines, endpoints and mixers created, used (RTP and
// RTCP both ways, mixing, tones, jitter buffer, bad arguments) and closed, many times; SIP UDP
// sockets likewise (datagrams both ways, a refused send, bad arguments, close with sends still
// queued, close twice); then every port of the range and every SIP port must be free again.
// Exits 0 when done, 1 on a port still bound.
import dgram from 'node:dgram';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSipUdpSocket } from '../dist/engine/sip/transport/native-udp-socket.js';
import { MediaEngine } from '../dist/media/index.js';

const PORT_MIN = 36000;
const PORT_MAX = 36198;
const ROUNDS = 6;

async function round(n) {
  const engine = new MediaEngine({ threads: 2, portMin: PORT_MIN, portMax: PORT_MAX, address: '127.0.0.1', rtcpIntervalMs: 100 }).start();
  const mixer = engine.createMixer();
  const members = [];
  for (let i = 0; i < 4; i++) members.push(engine.createEndpoint({ mixer, rtcpMux: i % 2 === 0 }));
  for (const m of members) mixer.addMember(m);
  mixer.setMode('barge', { agent: members[0], client: members[1], supervisor: members[2] });
  // Pairs that talk to each other: tone one way, echo the other, RTCP both ways.
  const pairs = [];
  for (let i = 0; i < 6; i++) {
    const a = engine.createEndpoint({ jitterMs: 20 + 10 * i });
    const b = engine.createEndpoint({ echo: true });
    a.setRemote('127.0.0.1', b.port);
    b.setRemote('127.0.0.1', a.port);
    a.playTone(400 + 100 * i, { durationMs: 200 });
    pairs.push([a, b]);
  }
  for (let i = 0; i < members.length; i++) members[i].setRemote('127.0.0.1', pairs[i][0].port);
  for (const bad of [() => engine.createEndpoint({ jitterMs: -1 }), () => mixer.setHears(members[0], [12345]), () => members[0].setRtcp({ port: 1 })]) {
    try {
      bad();
    } catch {
      // expected: a TypeError or RangeError
    }
  }
  await sleep(400);
  mixer.removeMember(members[3]);
  await members[3].close();
  for (const [a] of pairs.slice(0, 3)) await a.close();
  mixer.close();
  // The rest stays open: closing the engine must free it too (every other round, after an
  // idle moment; else at once).
  if (n % 2 === 0) await sleep(50);
  engine.close();
}

const sipPorts = [];

async function sipRound(n) {
  let received = 0;
  let failures = 0;
  const handlers = {
    onMessage: () => received++,
    onSendErrors: () => {},
  };
  const a = openSipUdpSocket('127.0.0.1', 0, { batch: 8 }, handlers);
  const b = openSipUdpSocket('127.0.0.1', 0, {}, handlers);
  sipPorts.push(a.localPort(), b.localPort());
  for (let i = 0; i < 100; i++) {
    a.send(Buffer.from(`INVITE ${i}`), '127.0.0.1', b.localPort());
    b.send(Buffer.from(`SIP/2.0 200 ${i}`), '127.0.0.1', a.localPort());
  }
  a.send(Buffer.alloc(70_000), '127.0.0.1', b.localPort());
  for (const bad of [() => a.send('text', '127.0.0.1', 5060), () => a.send(Buffer.from('x'), 'nowhere', 5060), () => openSipUdpSocket('127.0.0.1', -1, {}, handlers)]) {
    try {
      bad();
    } catch {
      // expected: a TypeError or RangeError
    }
  }
  await sleep(100);
  failures += a.takeSendResults().errors.length;
  if (received === 0 || failures !== 1) throw new Error(`sip udp round ${n}: ${received} received, ${failures} failed sends`);
  b.send(Buffer.from('queued at close'), '127.0.0.1', a.localPort());
  b.close();
  a.close();
  a.close();
}

async function portFree(port) {
  const s = dgram.createSocket('udp4');
  try {
    await new Promise((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, '127.0.0.1', resolve);
    });
    return true;
  } catch {
    return false;
  } finally {
    s.close();
  }
}

/** Inodes of the sockets this process holds open. */
function ownSocketInodes() {
  const inodes = new Set();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/** The socket inode bound to a UDP port (IPv4), from /proc/net/udp; undefined if none. */
function udpInode(port) {
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length > 9 && parseInt(cols[1].split(':')[1], 16) === port) return cols[9];
  }
  return undefined;
}

for (let n = 0; n < ROUNDS; n++) {
  await round(n);
  await sipRound(n);
}
// The range lies inside the kernel's ephemeral range, so another program (a test running
// beside this one) may hold one of its ports: only a socket of this process is a leak.
const own = ownSocketInodes();
const busy = [];
for (const p of [...Array.from({ length: PORT_MAX + 2 - PORT_MIN }, (_, i) => PORT_MIN + i), ...sipPorts]) {
  if (await portFree(p)) continue;
  const inode = udpInode(p);
  if (inode === undefined || own.has(inode)) busy.push(p);
  else console.log(`port ${p} is bound by another process (not ours): skipped`);
}
if (busy.length > 0) {
  console.error(`ports still bound after closing everything: ${busy.join(' ')}`);
  process.exit(1);
}
console.log(`leak workload: ${ROUNDS} rounds done, ports ${PORT_MIN}-${PORT_MAX + 1} and ${sipPorts.length} SIP ports all free`);
