// RTCP (RFC 3550 §6) over real sockets: two endpoints exchanging SR/RR, a far end of our
// own that loses 10 % and reads the endpoint's reports off the wire, RTT from LSR/DLSR,
// BYE on close, rtcp-mux, malformed RTCP, and the RTCP port freed with the RTP port.
import dgram from 'node:dgram';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import { answerSdp, remoteMedia } from '../../../media/index.js';
import { HOST, encode, rtpPacket, sine, startEngine, waitFor } from './helpers.js';

const PORTS = 34400;

interface Block { ssrc: number; fraction: number; cumulative: number; highestSeq: number; jitter: number; lsr: number; dlsr: number }
interface Rtcp { types: number[]; ssrc: number; ntp?: bigint; blocks: Block[]; cname?: string }

/** A minimal reader of the compound packets the endpoint sends. */
function parseRtcp(buf: Buffer): Rtcp {
  const out: Rtcp = { types: [], ssrc: buf.readUInt32BE(4), blocks: [] };
  for (let o = 0; o + 4 <= buf.length; ) {
    const count = buf[o] & 0x1f;
    const type = buf[o + 1];
    const length = (buf.readUInt16BE(o + 2) + 1) * 4;
    out.types.push(type);
    if (type === 200 || type === 201) {
      const fixed = type === 200 ? 28 : 8;
      if (type === 200) out.ntp = buf.readBigUInt64BE(o + 8);
      for (let i = 0; i < count; i++) {
        const b = o + fixed + 24 * i;
        out.blocks.push({
          ssrc: buf.readUInt32BE(b),
          fraction: buf[b + 4],
          cumulative: buf.readIntBE(b + 5, 3),
          highestSeq: buf.readUInt32BE(b + 8),
          jitter: buf.readUInt32BE(b + 12),
          lsr: buf.readUInt32BE(b + 16),
          dlsr: buf.readUInt32BE(b + 20),
        });
      }
    }
    if (type === 202 && buf[o + 8] === 1) out.cname = buf.subarray(o + 10, o + 10 + buf[o + 9]).toString();
    o += length;
  }
  return out;
}

/** An RR (+ SDES CNAME) from `ssrc` with one report block. */
function receiverReport(ssrc: number, b: Block): Buffer {
  const rr = Buffer.alloc(32);
  rr[0] = 0x81;
  rr[1] = 201;
  rr.writeUInt16BE(7, 2);
  rr.writeUInt32BE(ssrc, 4);
  rr.writeUInt32BE(b.ssrc, 8);
  rr.writeUInt32BE(((b.fraction << 24) | (b.cumulative & 0xffffff)) >>> 0, 12);
  rr.writeUInt32BE(b.highestSeq, 16);
  rr.writeUInt32BE(b.jitter, 20);
  rr.writeUInt32BE(b.lsr, 24);
  rr.writeUInt32BE(b.dlsr, 28);
  const sdes = Buffer.from([0x81, 202, 0, 2, 0, 0, 0, 0, 1, 1, 0x78, 0]);
  sdes.writeUInt32BE(ssrc, 4);
  return Buffer.concat([rr, sdes]);
}

/** A dgram socket that keeps every RTCP packet it gets. */
async function rtcpSink(t: Test): Promise<{ socket: dgram.Socket; port: number; got: Rtcp[] }> {
  const socket = dgram.createSocket('udp4');
  const got: Rtcp[] = [];
  socket.on('message', (m) => {
    if (m.length >= 8 && m[1] >= 200 && m[1] <= 204) got.push(parseRtcp(m));
  });
  socket.bind(0, HOST);
  await once(socket, 'listening');
  t.teardown(() => socket.close());
  return { socket, port: socket.address().port, got };
}

function send(socket: dgram.Socket, buf: Buffer, port: number): Promise<void> {
  return new Promise((resolve, reject) => socket.send(buf, port, HOST, (e) => (e ? reject(e) : resolve())));
}

t.test('two endpoints exchange SR/RR: reports, no loss, an RTT', async (t) => {
  const engine = startEngine(t, PORTS, { rtcpIntervalMs: 400 });
  const a = engine.createEndpoint();
  const b = engine.createEndpoint({ echo: true });
  a.setRemote(HOST, b.port);
  b.setRemote(HOST, a.port);
  a.playTone(1000);
  await waitFor('reports both ways with an RTT', () => {
    const [sa, sb] = [a.stats(), b.stats()];
    return sa.rtcpReceived >= 3 && sb.rtcpReceived >= 3 && sa.rttUs >= 0 && sb.rttUs >= 0;
  });
  for (const [name, ep] of [['a', a], ['b', b]] as const) {
    const s = ep.stats();
    t.ok(s.rtcpSent >= 3, `${name} sent ${s.rtcpSent} reports`);
    t.equal(s.rtcpMalformed, 0, `${name}: every report it got was well formed`);
    t.equal(s.remoteLossPermille, 0, `${name}: the peer reports no loss of its stream`);
    t.ok(s.rttUs >= 0 && s.rttUs < 500000, `${name}: RTT ${s.rttUs} µs on loopback`);
  }
});

t.test('a far end losing 10 %: the RR says so; its RR gives remote loss, jitter and RTT', async (t) => {
  const engine = startEngine(t, PORTS + 100, { rtcpIntervalMs: 500 });
  const ep = engine.createEndpoint({ echo: true });
  const rtp = await rtcpSink(t); // also the far end's RTP socket
  const rtcp = await rtcpSink(t);
  ep.setRemote(HOST, rtp.port);
  ep.setRtcp({ address: HOST, port: rtcp.port }); // as a=rtcp would
  // 300 packets, every tenth one lost.
  const started = Date.now();
  for (let i = 0; i < 300; i++) {
    const due = started + i * 20 - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    if (i % 10 === 5) continue;
    await send(rtp.socket, rtpPacket({ pt: 0, seq: 7000 + i, ts: i * 160, ssrc: 0xfa5, payload: encode('PCMU', sine(1000, 8000, i * 160, 160)) }), ep.port);
  }
  await waitFor('a report after the stream', () => rtcp.got.some((r) => r.blocks.some((b) => b.highestSeq === 7299)));
  const reports = rtcp.got.filter((r) => r.blocks.length > 0);
  const last = reports.find((r) => r.blocks[0].highestSeq === 7299)!;
  const block = last.blocks[0];
  t.equal(block.ssrc, 0xfa5, 'the block reports on the far end');
  t.equal(block.cumulative, 30, 'cumulative lost: 30 of 300');
  t.ok(last.types[0] === 200 && last.cname?.startsWith('switchyard-'), 'SR (we send RTP) with SDES CNAME');
  const fractions = reports.slice(1).map((r) => r.blocks[0].fraction / 256);
  const mean = fractions.reduce((x, y) => x + y, 0) / fractions.length;
  t.ok(mean > 0.07 && mean < 0.13, `fraction lost per interval ${fractions.map((f) => f.toFixed(3)).join(' ')}`);
  t.equal(ep.stats().lost, 30);

  // The far end answers an SR 200 ms later, saying it held it for 100 ms: RTT ≈ 100 ms.
  const sr = last;
  const lsr = Number((sr.ntp! >> 16n) & 0xffffffffn);
  await new Promise((r) => setTimeout(r, 200));
  const before = ep.stats().rtcpReceived;
  await send(rtcp.socket, receiverReport(0xfa5, { ssrc: sr.ssrc, fraction: 26, cumulative: 7, highestSeq: 1, jitter: 80, lsr, dlsr: 6554 }), ep.port + 1);
  await waitFor('the report read', () => ep.stats().rtcpReceived > before);
  const s = ep.stats();
  t.equal(s.remoteLossPermille, 101, 'remote fraction lost 26/256');
  t.equal(s.remoteCumulativeLost, 7);
  t.equal(s.remoteJitterUs, 10000, 'remote jitter 80 timestamp units');
  t.ok(s.rttUs >= 99000 && s.rttUs < 5000000, `RTT ${s.rttUs} µs: time since the SR minus the peer's 100 ms`);

  // Closing says BYE.
  const n = rtcp.got.length;
  await ep.close();
  await waitFor('a BYE', () => rtcp.got.slice(n).some((r) => r.types.includes(203)));
  t.pass('BYE on close');
});

t.test('rtcp-mux: reports go to the RTP port, and RTCP is read from it', async (t) => {
  const engine = startEngine(t, PORTS + 200, { rtcpIntervalMs: 300 });
  const ep = engine.createEndpoint({ rtcpMux: true });
  const peer = await rtcpSink(t);
  ep.setRemote(HOST, peer.port);
  await waitFor('reports on the RTP port', () => peer.got.length >= 2);
  t.equal(peer.got[0].types[0], 201, 'an RR (nothing sent yet)');
  await send(peer.socket, receiverReport(0x77, { ssrc: peer.got[0].ssrc, fraction: 0, cumulative: 0, highestSeq: 0, jitter: 0, lsr: 0, dlsr: 0 }), ep.port);
  await waitFor('the muxed report read', () => ep.stats().rtcpReceived === 1);
  t.equal(ep.stats().unknownPayloadType, 0, 'not taken for RTP');
  ep.setRtcp({ mux: false });
  const n = peer.got.length;
  await new Promise((r) => setTimeout(r, 1000));
  t.equal(peer.got.length, n, 'without mux, nothing more on the RTP port');
});

t.test('malformed RTCP is counted and dropped; a valid report still counts', async (t) => {
  const engine = startEngine(t, PORTS + 300, { rtcpIntervalMs: 0 });
  const ep = engine.createEndpoint({ rtcpMux: true });
  const peer = await rtcpSink(t);
  const valid = receiverReport(0x99, { ssrc: 1, fraction: 0, cumulative: 0, highestSeq: 0, jitter: 0, lsr: 0, dlsr: 0 });
  const bad = [
    Buffer.alloc(0),
    Buffer.from([0x80, 201, 0]),
    Buffer.from([0x40, 201, 0, 1, 0, 0, 0, 1]), // version 1
    Buffer.from([0x81, 202, 0, 1, 0, 0, 0, 1]), // SDES first
    Buffer.from([0x81, 201, 0, 1, 0, 0, 0, 1]), // one report block announced, none present
    Buffer.from([0x80, 201, 0, 9, 0, 0, 0, 1]), // length past the end
    Buffer.concat([Buffer.from([0xa0, 201, 0, 1, 0, 0, 0, 1]), valid.subarray(32)]), // padding, not last
    Buffer.concat([valid, Buffer.from([0x81])]), // trailing octet
    Buffer.concat([valid.subarray(0, 32), Buffer.from([0x00, 202, 0, 1, 0, 0, 0, 0])]), // second packet version 0
  ];
  const fuzz = Array.from({ length: 200 }, (_, i) => {
    const b = randomBytes(4 + (i % 90));
    b[0] = 0x80 | (b[0] & 0x3f);
    b[1] = 200 + (i % 2);
    return b;
  });
  for (const b of [...bad, ...fuzz]) await send(peer.socket, b, ep.port + 1);
  for (const b of bad.slice(1)) await send(peer.socket, b, ep.port); // muxed: the RTP port
  await send(peer.socket, valid, ep.port + 1);
  const total = bad.length + fuzz.length + bad.length - 1 + 1;
  await waitFor('every datagram read', () => ep.stats().rtcpMalformed + ep.stats().rtcpReceived >= total);
  const s = ep.stats();
  t.ok(s.rtcpMalformed >= 2 * bad.length - 1, `${s.rtcpMalformed} malformed counted`);
  t.ok(s.rtcpReceived >= 1, 'the valid report counted');
  t.equal(s.malformed + s.unknownPayloadType, 0, 'none of what came on the RTP port was taken for RTP');
});

t.test('closing frees the RTP port and the RTCP port above it', async (t) => {
  const engine = startEngine(t, PORTS + 400);
  const ep = engine.createEndpoint();
  const probe = async (port: number): Promise<string> => {
    const s = dgram.createSocket('udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.bind(port, HOST, () => resolve());
      });
      return 'free';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? 'error';
    } finally {
      s.close();
    }
  };
  t.same([await probe(ep.port), await probe(ep.port + 1)], ['EADDRINUSE', 'EADDRINUSE'], 'both bound while open');
  await ep.close();
  t.same([await probe(ep.port), await probe(ep.port + 1)], ['free', 'free'], 'both free after close');
});

t.test('SDP: a=rtcp and a=rtcp-mux in offers and answers', async (t) => {
  const offer = (extra: string): string =>
    ['v=0', 'o=- 1 1 IN IP4 192.0.2.1', 's=-', 'c=IN IP4 192.0.2.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', ...extra.split('|').filter(Boolean), ''].join('\r\n');
  const ours = answerSdp(undefined, { address: '127.0.0.1', port: 30000 })!;
  t.match(ours, /a=rtcp:30001/, 'our offer names the RTCP port');
  t.match(ours, /a=rtcp-mux/, 'and offers rtcp-mux');
  const muxed = answerSdp(offer('a=rtcp-mux'), { address: '127.0.0.1', port: 30000 })!;
  t.match(muxed, /a=rtcp-mux/, 'rtcp-mux accepted when offered');
  const plain = answerSdp(offer(''), { address: '127.0.0.1', port: 30000 })!;
  t.notMatch(plain, /a=rtcp-mux/, 'and not answered when not offered');
  t.same(remoteMedia(offer('a=rtcp:40005 IN IP4 192.0.2.9'))!.rtcp, { address: '192.0.2.9', port: 40005 });
  t.same(remoteMedia(offer('a=rtcp:40005'))!.rtcp, { address: '192.0.2.1', port: 40005 });
  t.equal(remoteMedia(offer('a=rtcp-mux'))!.rtcpMux, true);
});
