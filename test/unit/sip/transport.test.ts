import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { StreamFramer, type Frame } from '../../../engine/sip/transport/stream-framer.js';
import { TransportLayer, type InboundMessage, type TransportLayerOptions } from '../../../engine/sip/transport/index.js';

const HOST = '127.0.0.1';

function request(n: number, body = '', lengthHeader = 'Content-Length'): string {
  return (
    `OPTIONS sip:bob@example.com SIP/2.0\r\n` +
    `Via: SIP/2.0/TCP ${HOST}:5060;branch=z9hG4bK${n}\r\n` +
    `Call-ID: call-${n}\r\n` +
    `CSeq: ${n} OPTIONS\r\n` +
    `${lengthHeader}: ${Buffer.byteLength(body)}\r\n\r\n` +
    body
  );
}

function within<T>(promise: Promise<T>, what: string, ms = 5000): Promise<T> {
  return Promise.race([
    promise,
    sleep(ms, undefined, { ref: false }).then(() => Promise.reject(new Error(`timed out waiting for ${what}`))),
  ]);
}

async function startLayer(t: Test, opts: Partial<TransportLayerOptions> = {}): Promise<TransportLayer> {
  const layer = new TransportLayer({ host: HOST, port: 0, logger: pino({ level: 'silent' }), ...opts });
  await layer.start();
  t.teardown(() => layer.stop());
  return layer;
}

function nextMessages(layer: TransportLayer, count: number): Promise<InboundMessage[]> {
  const got: InboundMessage[] = [];
  return within(
    new Promise((resolve) => {
      const onMessage = (m: InboundMessage) => {
        got.push(m);
        if (got.length < count) return;
        layer.off('message', onMessage);
        resolve(got);
      };
      layer.on('message', onMessage);
    }),
    `${count} message(s)`,
  );
}

async function connect(t: Test, port: number): Promise<net.Socket> {
  const socket = net.connect({ host: HOST, port });
  t.teardown(() => socket.destroy());
  await within(once(socket, 'connect'), 'tcp connect');
  return socket;
}

/** Resolves with everything read once it reaches `length` bytes. */
function readBytes(socket: net.Socket, length: number): Promise<string> {
  let text = '';
  return within(
    new Promise((resolve) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.length < length) return;
        socket.off('data', onData);
        resolve(text);
      };
      socket.on('data', onData);
    }),
    `${length} bytes`,
  );
}

t.test('stream framer', async (t) => {
  const messages = (frames: Frame[]) => frames.map((f) => (f.type === 'message' ? f.data.toString() : f.type));

  t.test('byte-by-byte input yields each message once', async (t) => {
    const framer = new StreamFramer(65535);
    const input = Buffer.from('\r\n' + request(1, 'v=0\r\n\r\n') + request(2));
    const frames: Frame[] = [];
    for (const byte of input) frames.push(...framer.push(Buffer.from([byte])));
    t.same(messages(frames), [request(1, 'v=0\r\n\r\n'), request(2)]);
  });

  t.test('a ping split across chunks is still a ping', async (t) => {
    const framer = new StreamFramer(65535);
    t.same(messages(framer.push(Buffer.from('\r\n'))), []);
    t.same(messages(framer.push(Buffer.from('\r\n' + request(1)))), ['ping', request(1)]);
  });

  t.test('missing Content-Length means an empty body', async (t) => {
    const framer = new StreamFramer(65535);
    const bare = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n';
    t.same(messages(framer.push(Buffer.from(bare + bare))), [bare, bare]);
  });

  t.test('folded Content-Length is honoured', async (t) => {
    const framer = new StreamFramer(65535);
    const folded = 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length:\r\n 3\r\n\r\nabc';
    t.same(messages(framer.push(Buffer.from(folded))), [folded]);
  });

  t.test('unusable Content-Length loses framing and stops the framer', async (t) => {
    for (const value of ['abc', '-1', '1e3', '5, 6']) {
      const framer = new StreamFramer(65535);
      const frames = framer.push(Buffer.from(request(1).replace('Content-Length: 0', `Content-Length: ${value}`)));
      t.equal(frames.length, 1, value);
      t.equal(frames[0].type, 'invalid', value);
      t.same(framer.push(Buffer.from(request(2))), [], 'ignores later input');
    }
    const conflicting = new StreamFramer(65535);
    const twice = request(1).replace('Content-Length: 0', 'Content-Length: 0\r\nl: 4');
    t.equal(conflicting.push(Buffer.from(twice))[0].type, 'invalid', 'conflicting values');
  });

  t.test('size limits apply to the header block and the whole message', async (t) => {
    const headers = new StreamFramer(100);
    t.equal(headers.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'a'.repeat(100)))[0]?.type, 'invalid');
    const body = new StreamFramer(200);
    t.equal(body.push(Buffer.from(request(1).replace('Content-Length: 0', 'Content-Length: 150')))[0]?.type, 'invalid');
  });
});

t.test('udp round trip, keep-alive datagram dropped, reply from the listening port', async (t) => {
  const layer = await startLayer(t);
  const client = dgram.createSocket('udp4');
  t.teardown(() => client.close());
  await new Promise<void>((resolve) => client.bind(0, HOST, resolve));

  const received = nextMessages(layer, 1);
  client.send('\r\n\r\n', layer.localPort, HOST);
  client.send(request(1), layer.localPort, HOST);
  const [m] = await received;
  t.equal(m.data.toString(), request(1));
  t.equal(m.protocol, 'udp');
  t.same(m.remote, { address: HOST, port: client.address().port });
  t.same(m.local, { address: HOST, port: layer.localPort });
  t.equal(m.connectionId, undefined);

  const reply = within(once(client, 'message'), 'udp reply');
  layer.send({ protocol: 'udp', ...m.remote }, Buffer.from('SIP/2.0 200 OK\r\n\r\n'));
  const [data, rinfo] = (await reply) as [Buffer, dgram.RemoteInfo];
  t.equal(data.toString(), 'SIP/2.0 200 OK\r\n\r\n');
  t.equal(rinfo.port, layer.localPort, 'source port is the listening port');
});

t.test('tcp message written one byte at a time', async (t) => {
  const layer = await startLayer(t);
  const client = await connect(t, layer.localPort);
  client.setNoDelay(true);
  const received = nextMessages(layer, 1);
  const text = request(1, 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n');
  for (const byte of Buffer.from(text)) {
    client.write(Buffer.from([byte]));
    await sleep(1);
  }
  const [m] = await received;
  t.equal(m.data.toString(), text);
  t.equal(m.protocol, 'tcp');
  t.same(m.remote, { address: HOST, port: client.localPort });
  t.same(m.local, { address: HOST, port: layer.localPort });
  t.type(m.connectionId, 'number');
});

t.test('tcp messages coalesced in one write, one body containing a blank line', async (t) => {
  const layer = await startLayer(t);
  const client = await connect(t, layer.localPort);
  const sent = [request(1), request(2, 'first\r\n\r\nsecond\r\n'), request(3, 'abc')];
  const received = nextMessages(layer, 3);
  client.write('\r\n' + sent.join('\r\n'));
  const got = await received;
  t.same(got.map((m) => m.data.toString()), sent);
  t.equal(new Set(got.map((m) => m.connectionId)).size, 1, 'same connection');
});

t.test('tcp compact l: header', async (t) => {
  const layer = await startLayer(t);
  const client = await connect(t, layer.localPort);
  const sent = [request(1, 'hello', 'l'), request(2, 'world!', 'L ')];
  const received = nextMessages(layer, 2);
  client.write(sent.join(''));
  t.same((await received).map((m) => m.data.toString()), sent);
});

t.test('oversize or unframeable input closes that connection only', async (t) => {
  const layer = await startLayer(t, { maxMessageBytes: 1000 });
  const cases = {
    'oversize Content-Length': request(1).replace('Content-Length: 0', 'Content-Length: 5000'),
    'endless header block': 'OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'a'.repeat(2000),
    'non-numeric Content-Length': request(1).replace('Content-Length: 0', 'Content-Length: many'),
  };
  for (const [name, text] of Object.entries(cases)) {
    const bad = await connect(t, layer.localPort);
    bad.on('error', () => {});
    bad.write(text);
    await within(once(bad, 'close'), `${name}: server close`);
    t.pass(`${name}: connection closed`);
  }

  const good = await connect(t, layer.localPort);
  const received = nextMessages(layer, 1);
  good.write(request(2, 'ok'));
  t.equal((await received)[0].data.toString(), request(2, 'ok'), 'still serving new connections');
});

t.test('double-CRLF ping gets a single CRLF pong and framing continues', async (t) => {
  const layer = await startLayer(t);
  const client = await connect(t, layer.localPort);
  const pong = readBytes(client, 2);
  client.write('\r\n\r\n');
  t.equal(await pong, '\r\n');

  const received = nextMessages(layer, 1);
  client.write(request(1));
  t.equal((await received)[0].data.toString(), request(1));
});

t.test('replies reuse the inbound connection, by connectionId or by remote address', async (t) => {
  const layer = await startLayer(t);
  const client = await connect(t, layer.localPort);
  const received = nextMessages(layer, 1);
  client.write(request(1));
  const [m] = await received;

  const first = 'SIP/2.0 100 Trying\r\nContent-Length: 0\r\n\r\n';
  let reply = readBytes(client, first.length);
  layer.send({ protocol: 'tcp', ...m.remote, connectionId: m.connectionId }, Buffer.from(first));
  t.equal(await reply, first, 'by connectionId');

  const second = 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n';
  reply = readBytes(client, second.length);
  layer.send({ protocol: 'tcp', ...m.remote }, Buffer.from(second));
  t.equal(await reply, second, 'by remote address:port');
});

t.test('outbound tcp send opens one connection and reuses it', async (t) => {
  const layer = await startLayer(t);
  const accepted: net.Socket[] = [];
  let data = '';
  const peer = net.createServer((socket) => {
    accepted.push(socket);
    socket.on('data', (chunk) => (data += chunk.toString()));
  });
  t.teardown(() => {
    accepted.forEach((s) => s.destroy());
    peer.close();
  });
  await new Promise<void>((resolve) => peer.listen(0, HOST, resolve));
  const target = { protocol: 'tcp' as const, address: HOST, port: (peer.address() as net.AddressInfo).port };
  const errors: Error[] = [];

  // The second send is queued while the first connection is still being set up.
  layer.send(target, Buffer.from(request(1)), (err) => errors.push(err));
  layer.send(target, Buffer.from(request(2)), (err) => errors.push(err));
  await within(
    (async () => {
      while (data.length < request(1).length + request(2).length) await sleep(5);
    })(),
    'both messages at the peer',
  );
  t.equal(data, request(1) + request(2), 'in order');
  t.equal(accepted.length, 1, 'one connection');

  // The peer answers on that connection; the layer frames it as a client.
  const received = nextMessages(layer, 1);
  accepted[0].write('SIP/2.0 200 OK\r\nl: 2\r\n\r\nhi');
  const [m] = await received;
  t.equal(m.data.toString(), 'SIP/2.0 200 OK\r\nl: 2\r\n\r\nhi');
  t.same(m.remote, { address: HOST, port: target.port });

  layer.send(target, Buffer.from(request(3)));
  await within(
    (async () => {
      while (!data.endsWith(request(3))) await sleep(5);
    })(),
    'third message at the peer',
  );
  t.equal(accepted.length, 1, 'still one connection');
  t.same(errors, []);
});

t.test('idle connections are closed', async (t) => {
  const layer = await startLayer(t, { tcpIdleTimeoutMs: 150 });
  const client = await connect(t, layer.localPort);
  const started = Date.now();
  client.write(request(1));
  await within(once(client, 'close'), 'idle close', 3000);
  t.ok(Date.now() - started >= 100, 'not before the idle timeout');
});

t.test('send to a closed port calls onError', async (t) => {
  const layer = await startLayer(t);
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, HOST, resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));

  const err = await within(
    new Promise<Error>((resolve) => layer.send({ protocol: 'tcp', address: HOST, port }, Buffer.from(request(1)), resolve)),
    'onError',
  );
  t.equal((err as NodeJS.ErrnoException).code, 'ECONNREFUSED');
});

t.test('a udp send the kernel refuses reaches onError once, by its code; other sends are unaffected', async (t) => {
  const layer = await startLayer(t);
  const peer = dgram.createSocket('udp4');
  t.teardown(() => peer.close());
  await new Promise<void>((resolve) => peer.bind(0, HOST, resolve));
  const target = { protocol: 'udp' as const, address: HOST, port: peer.address().port };
  const errors: Error[] = [];
  const failed = within(
    new Promise<void>((resolve) =>
      layer.send(target, Buffer.alloc(70_000, 0x20), (err) => {
        errors.push(err);
        resolve();
      }),
    ),
    'onError',
  );
  const delivered = within(once(peer, 'message'), 'the next datagram');
  layer.send(target, Buffer.from(request(1)), () => errors.push(new Error('a good send reported a failure')));
  await failed;
  t.equal(String(((await delivered) as [Buffer])[0]), request(1));
  await sleep(50);
  t.same(errors.map((e) => (e as NodeJS.ErrnoException).code), ['EMSGSIZE']);
  t.match(errors[0].message, `${HOST}:${target.port}`, 'names the destination');
});

t.test('a udp target given by name is resolved; a name that does not resolve reaches onError', async (t) => {
  const layer = await startLayer(t);
  const peer = dgram.createSocket('udp4');
  t.teardown(() => peer.close());
  await new Promise<void>((resolve) => peer.bind(0, HOST, resolve));
  const delivered = within(once(peer, 'message'), 'the datagram');
  layer.send({ protocol: 'udp', address: 'localhost', port: peer.address().port }, Buffer.from(request(1)));
  t.equal(String(((await delivered) as [Buffer])[0]), request(1));
  const err = await within(
    new Promise<Error>((resolve) => layer.send({ protocol: 'udp', address: 'no-such-host.invalid', port: 5060 }, Buffer.from('x'), resolve)),
    'onError',
  );
  t.match((err as NodeJS.ErrnoException).code, /ENOTFOUND|EAI_AGAIN/);
});

t.test('send before start or with a bad port reports through onError', async (t) => {
  const idle = new TransportLayer({ host: HOST, port: 0 });
  const notStarted = await within(
    new Promise<Error>((resolve) => idle.send({ protocol: 'udp', address: HOST, port: 5060 }, Buffer.from('x'), resolve)),
    'onError',
  );
  t.match(notStarted.message, /not started/);

  const layer = await startLayer(t);
  for (const protocol of ['udp', 'tcp'] as const) {
    const err = await within(
      new Promise<Error>((resolve) => layer.send({ protocol, address: HOST, port: 70000 }, Buffer.from('x'), resolve)),
      `${protocol} onError`,
    );
    t.ok(err instanceof Error, protocol);
  }
});

t.test('a throwing message listener does not stop the layer', async (t) => {
  const layer = await startLayer(t);
  const received = nextMessages(layer, 2);
  layer.on('message', () => {
    throw new Error('listener bug');
  });
  const client = await connect(t, layer.localPort);
  client.write(request(1));
  await sleep(20);
  client.write(request(2));
  t.equal((await received).length, 2);
});

t.test('stop() releases the port', async (t) => {
  const first = new TransportLayer({ host: HOST, port: 0 });
  await first.start();
  const port = first.localPort;
  const client = await connect(t, port);
  await first.stop();
  await within(once(client, 'close'), 'connection closed by stop');

  const second = new TransportLayer({ host: HOST, port });
  await second.start();
  t.equal(second.localPort, port);
  await second.stop();
});
