// The addon's SIP UDP socket over real loopback sockets: batched receive, threaded send,
// send failures reported back, argument checking, close.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import t, { type Test } from 'tap';
import { loadAddon } from '../../../media/native.js';
import { openSipUdpSocket, type NativeSendResults, type NativeSipUdpSocket } from '../../../engine/sip/transport/native-udp-socket.js';

const HOST = '127.0.0.1';
const BATCH = 50; // datagrams in flight at once: a burst of hundreds can overrun a socket buffer

interface Datagram {
  text: string;
  address: string;
  port: number;
}

/** A native socket that records what it receives and wakes waiters on failed sends. */
function open(t: Test, address = HOST, port = 0): { socket: NativeSipUdpSocket; got: Datagram[]; failures: () => Promise<NativeSendResults> } {
  const got: Datagram[] = [];
  let wake: (() => void) | undefined;
  const socket = openSipUdpSocket(address, port, {}, {
    onMessage: (data, address, port) => got.push({ text: data.toString(), address, port }),
    onSendErrors: () => wake?.(),
  });
  t.teardown(() => socket.close());
  const failures = () =>
    within(
      new Promise<NativeSendResults>((resolve) => {
        wake = () => resolve(socket.takeSendResults());
      }),
      'send errors',
    );
  return { socket, got, failures };
}

function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms, undefined, { ref: false }).then(() => Promise.reject(new Error(`timed out waiting for ${what}`))),
  ]);
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(5)) {
    if (Date.now() - started > 5000) throw new Error(`timed out waiting for ${what}`);
  }
}

async function dgramSocket(t: Test, type: 'udp4' | 'udp6' = 'udp4', host = HOST): Promise<dgram.Socket> {
  const s = dgram.createSocket(type);
  t.teardown(() => s.close());
  await new Promise<void>((resolve) => s.bind(0, host, resolve));
  return s;
}

t.test('a burst from two sources arrives complete, in order per source, with each source named', async (t) => {
  const { socket, got } = open(t);
  const peers = [await dgramSocket(t), await dgramSocket(t)];
  const perPeer = 300;
  for (let sent = 0; sent < perPeer; sent += BATCH) {
    const batch: Promise<unknown>[] = [];
    for (let i = sent; i < sent + BATCH; i++) {
      for (const [p, peer] of peers.entries()) {
        batch.push(new Promise((resolve) => peer.send(`peer${p} #${i}`, socket.localPort(), HOST, resolve)));
      }
    }
    await Promise.all(batch);
    await until('the batch', () => got.length === (sent + BATCH) * peers.length);
  }
  for (const [p, peer] of peers.entries()) {
    const mine = got.filter((d) => d.text.startsWith(`peer${p} `));
    t.same(mine.map((d) => d.text), Array.from({ length: perPeer }, (_, i) => `peer${p} #${i}`), `peer ${p}: all, in order`);
    t.ok(mine.every((d) => d.address === HOST && d.port === peer.address().port), `peer ${p}: source address and port`);
  }
});

t.test('what one datagram resolved settles before the next is delivered, as with dgram', async (t) => {
  const order: string[] = [];
  const socket = openSipUdpSocket(HOST, 0, {}, {
    onMessage: (data) => {
      order.push(data.toString());
      void Promise.resolve().then(() => order.push(`settled ${data.toString()}`));
    },
    onSendErrors: () => {},
  });
  t.teardown(() => socket.close());
  const peer = await dgramSocket(t);
  // Queued together: the socket finds them in one recvmmsg batch.
  for (const text of ['200 OK', 'REFER']) peer.send(text, socket.localPort(), HOST);
  await until('both datagrams', () => order.length === 4);
  t.same(order, ['200 OK', 'settled 200 OK', 'REFER', 'settled REFER']);
});

t.test('sends leave from the bound port, in order, and a large burst arrives complete', async (t) => {
  const { socket } = open(t);
  const peer = await dgramSocket(t);
  const got: string[] = [];
  const ports = new Set<number>();
  peer.on('message', (data, rinfo) => {
    got.push(data.toString());
    ports.add(rinfo.port);
  });
  const total = 400;
  for (let sent = 0; sent < total; sent += BATCH) {
    for (let i = sent; i < sent + BATCH; i++) socket.send(Buffer.from(`#${i}`), HOST, peer.address().port);
    await until('the batch', () => got.length === sent + BATCH);
  }
  t.same(got, Array.from({ length: total }, (_, i) => `#${i}`));
  t.same([...ports], [socket.localPort()]);
  t.equal(socket.takeSendResults().handledThrough, total, 'every send handled');
});

t.test('timing: each received and sent datagram is counted once, in the part where it waited', async (t) => {
  const spin = (ms: number): void => {
    for (const end = performance.now() + ms; performance.now() < end; );
  };
  const handled: string[] = [];
  const socket = openSipUdpSocket(HOST, 0, {}, {
    onMessage: (data) => {
      handled.push(data.toString());
      if (data.toString() === 'slow') spin(5);
    },
    onSendErrors: () => {},
  });
  t.teardown(() => socket.close());
  t.same(Object.values(socket.takeTiming()).map((p) => p.samples), [0, 0, 0, 0, 0], 'nothing yet');

  // A worker sends while this thread is busy: those datagrams wait in the socket until it reads.
  const sent = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const dgram = require('node:dgram'); const { workerData: { port, flag } } = require('node:worker_threads');
     const s = dgram.createSocket('udp4'); let left = 3;
     for (const text of ['a', 'b', 'slow']) s.send(text, port, '127.0.0.1', () => { if (--left === 0) { Atomics.store(flag, 0, 1); s.close(); } });`,
    { eval: true, workerData: { port: socket.localPort(), flag: sent } },
  );
  t.teardown(() => worker.terminate());
  while (Atomics.load(sent, 0) === 0) spin(1);
  spin(20);
  await until('three datagrams', () => handled.length === 3);

  const peer = await dgramSocket(t);
  const echoed = once(peer, 'message');
  socket.send(Buffer.from('reply'), HOST, peer.address().port);
  spin(10); // the hand-over to the sender thread comes after this callback
  await echoed;
  await until('the sender thread to record', () => socket.takeSendResults().handledThrough === 1);

  const timing = socket.takeTiming();
  t.same([timing.socketWait.samples, timing.batchWait.samples, timing.handling.samples], [3, 3, 3], 'three received');
  t.same([timing.untilHandOver.samples, timing.senderThread.samples], [1, 1], 'one sent');
  t.ok(timing.socketWait.p50 >= 20_000, `datagrams that arrived while the loop was busy waited ≥ 20 ms in the socket (${timing.socketWait.p50} µs)`);
  t.ok(timing.handling.max >= 5_000, `the slow handler's 5 ms are its handling (${timing.handling.max} µs)`);
  t.ok(timing.untilHandOver.max >= 10_000, `the reply waited for the callback to end (${timing.untilHandOver.max} µs)`);
  t.ok(Object.values(timing).every((p) => p.p50 >= 0 && p.p50 <= p.p99 && p.p99 <= p.max), 'percentiles in order');
  t.same(Object.values(socket.takeTiming()).map((p) => p.samples), [0, 0, 0, 0, 0], 'each call reports since the previous one');
});

t.test('a reply queued while a read is handled leaves before the rest of that read is handled', async (t) => {
  const spin = (ms: number, until: () => boolean = () => false): void => {
    for (const end = performance.now() + ms; !until() && performance.now() < end; );
  };
  const flags = new Int32Array(new SharedArrayBuffer(8)); // [0]: the burst was sent, [1]: the reply arrived
  const replied = (): boolean => Atomics.load(flags, 1) === 1;
  let peerPort = 0;
  const handled: string[] = [];
  const replySeenDuring: string[] = [];
  const socket = openSipUdpSocket(HOST, 0, {}, {
    onMessage: (data) => {
      const text = data.toString();
      handled.push(text);
      if (text === 'INVITE') {
        socket.send(Buffer.from('100 Trying'), HOST, peerPort);
        spin(2); // longer than a queued send may wait for the hand-over
      } else {
        spin(2000, replied); // the peer, on its own thread, says when the reply arrived
        if (replied()) replySeenDuring.push(text);
      }
    },
    onSendErrors: () => {},
  });
  t.teardown(() => socket.close());
  // The peer is a worker, so it receives while this thread is busy with the burst.
  const peer = new Worker(
    `const dgram = require('node:dgram');
     const { workerData: { port, flags }, parentPort } = require('node:worker_threads');
     const s = dgram.createSocket('udp4');
     s.on('message', () => Atomics.store(flags, 1, 1));
     s.bind(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
     parentPort.on('message', () => {
       let left = 4;
       for (const text of ['INVITE', 'x', 'y', 'z']) s.send(text, port, '127.0.0.1', () => { if (--left === 0) Atomics.store(flags, 0, 1); });
     });`,
    { eval: true, workerData: { port: socket.localPort(), flags } },
  );
  t.teardown(() => peer.terminate());
  peerPort = (await once(peer, 'message'))[0] as number;
  peer.postMessage('send');
  spin(5000, () => Atomics.load(flags, 0) === 1); // the whole burst waits in the socket: one read takes it
  await until('the burst', () => handled.length === 4);
  t.same(replySeenDuring, ['x', 'y', 'z'], 'the peer had the reply while the datagrams after the INVITE were handled');
});

t.test('an oversized datagram reports EMSGSIZE with its sequence number; the socket keeps working', async (t) => {
  const { socket, failures } = open(t);
  const peer = await dgramSocket(t);
  const got: string[] = [];
  peer.on('message', (data) => got.push(data.toString()));
  const failed = failures();
  socket.send(Buffer.from('before'), HOST, peer.address().port);
  const seq = socket.send(Buffer.alloc(70_000, 0x41), HOST, peer.address().port);
  const results = await failed;
  t.same(results.errors.map(({ seq, code, address, port }) => ({ seq, code, address, port })), [
    { seq, code: 'EMSGSIZE', address: HOST, port: peer.address().port },
  ]);
  t.ok(results.handledThrough >= seq);
  socket.send(Buffer.from('after'), HOST, peer.address().port);
  await until('the datagram after the failure', () => got.length === 2);
  t.same(got, ['before', 'after']);
});

t.test('a send to a closed port does not crash or stop the socket', async (t) => {
  const { socket, got } = open(t);
  const gone = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => gone.bind(0, HOST, resolve));
  const closedPort = gone.address().port;
  await new Promise<void>((resolve) => gone.close(resolve));
  for (let i = 0; i < 20; i++) socket.send(Buffer.from('lost'), HOST, closedPort);
  await until('the sends handled', () => socket.takeSendResults().handledThrough === 20);
  const peer = await dgramSocket(t);
  peer.send('still here', socket.localPort(), HOST);
  await until('a datagram after the refusals', () => got.length === 1);
  t.equal(got[0].text, 'still here');
});

t.test('IPv6: receives and sends on ::1', async (t) => {
  const { socket, got } = open(t, '::1');
  const peer = await dgramSocket(t, 'udp6', '::1');
  peer.send('over v6', socket.localPort(), '::1');
  await until('a datagram', () => got.length === 1);
  t.same(got[0], { text: 'over v6', address: '::1', port: peer.address().port });
  const reply = once(peer, 'message');
  socket.send(Buffer.from('back'), '::1', peer.address().port);
  t.equal(String((await within(reply, 'the reply'))[0]), 'back');
});

t.test('bad arguments throw TypeError or RangeError', async (t) => {
  const { SipUdpSocket } = loadAddon() as unknown as { SipUdpSocket: new (...args: unknown[]) => NativeSipUdpSocket };
  const fn = () => {};
  t.throws(() => new SipUdpSocket(5, 0, {}, fn, fn), TypeError, 'address not a string');
  t.throws(() => new SipUdpSocket('localhost', 0, {}, fn, fn), RangeError, 'address not a literal');
  t.throws(() => new SipUdpSocket(HOST, 70000, {}, fn, fn), RangeError, 'port out of range');
  t.throws(() => new SipUdpSocket(HOST, '5060', {}, fn, fn), TypeError, 'port not a number');
  t.throws(() => new SipUdpSocket(HOST, 0, { batch: 0 }, fn, fn), RangeError, 'batch out of range');
  t.throws(() => new SipUdpSocket(HOST, 0, { realtimePriority: 100 }, fn, fn), RangeError, 'real-time priority out of range');
  t.throws(() => new SipUdpSocket(HOST, 0, { bogus: 1 }, fn, fn), TypeError, 'unknown option');
  t.throws(() => new SipUdpSocket(HOST, 0, {}, 'nope', fn), TypeError, 'onMessage not a function');
  t.throws(() => new SipUdpSocket(HOST, 0, {}, fn), TypeError, 'onSendErrors missing');

  const { socket } = open(t);
  t.throws(() => socket.send('text' as unknown as Buffer, HOST, 5060), TypeError, 'data not bytes');
  t.throws(() => socket.send(Buffer.from('x'), HOST, 0), RangeError, 'destination port 0');
  t.throws(() => socket.send(Buffer.from('x'), 'example.com', 5060), RangeError, 'destination not a literal');
  t.throws(() => socket.send(Buffer.from('x'), HOST, 5060.5), RangeError, 'fractional port');
  t.equal(socket.takeSendResults().handledThrough, 0, 'nothing was queued');
  t.equal(socket.senderRealtime(), false, 'the sender thread runs on the ordinary scheduler unless asked');
});

t.test('a port in use fails with EADDRINUSE; close frees the port; close twice is fine', async (t) => {
  const { socket } = open(t);
  const port = socket.localPort();
  t.throws(() => open(t, HOST, port), { code: 'EADDRINUSE' });
  socket.close();
  socket.close();
  t.throws(() => socket.send(Buffer.from('x'), HOST, 5060), /closed/, 'send after close throws');
  const again = open(t, HOST, port);
  t.equal(again.socket.localPort(), port, 'the port can be bound again');
});
