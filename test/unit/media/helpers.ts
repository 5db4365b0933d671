// Test helpers for the media layer: an RTP peer on a Node dgram socket, tone analysis by
// Goertzel, and waiting for a condition (a deadline only bounds the wait; nothing asserts
// on timing).
import dgram from 'node:dgram';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'tap';
import { MediaEngine, alawDecode, alawEncode, ulawDecode, ulawEncode, type MediaEngineOptions } from '../../../media/index.js';

export const HOST = '127.0.0.1';

/** Each test file takes its own port block so parallel files never compete for ports. */
export function startEngine(t: Test, portMin: number, options: MediaEngineOptions = {}): MediaEngine {
  const engine = new MediaEngine({ portMin, portMax: portMin + 98, address: HOST, ...options }).start();
  t.teardown(() => engine.close());
  return engine;
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export interface RtpFields {
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  marker?: boolean;
  payload: Uint8Array;
}

export function rtpPacket(f: RtpFields): Buffer {
  const h = Buffer.alloc(12);
  h[0] = 0x80;
  h[1] = (f.marker ? 0x80 : 0) | (f.pt & 0x7f);
  h.writeUInt16BE(f.seq & 0xffff, 2);
  h.writeUInt32BE(f.ts >>> 0, 4);
  h.writeUInt32BE(f.ssrc >>> 0, 8);
  return Buffer.concat([h, Buffer.from(f.payload)]);
}

export interface ReceivedRtp {
  version: number;
  marker: boolean;
  pt: number;
  seq: number;
  ts: number;
  ssrc: number;
  payload: Buffer;
  from: { address: string; port: number };
}

export function parseRtp(buf: Buffer, from: { address: string; port: number }): ReceivedRtp {
  return {
    version: buf[0] >> 6,
    marker: (buf[1] & 0x80) !== 0,
    pt: buf[1] & 0x7f,
    seq: buf.readUInt16BE(2),
    ts: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(12),
    from,
  };
}

export function sine(freq: number, amplitude: number, start: number, n: number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * (start + i)) / 8000));
  return out;
}

/** Amplitude of the `freq` component of `samples` (8 kHz), by the Goertzel algorithm. */
export function toneAmplitude(samples: ArrayLike<number>, freq: number, rate = 8000): number {
  const n = samples.length;
  const w = (2 * Math.PI * freq) / rate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const s0 = samples[i] + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(power, 0))) / n;
}

export type Codec = 'PCMU' | 'PCMA';

export function decode(codec: Codec, payload: Uint8Array): Int16Array {
  return codec === 'PCMU' ? ulawDecode(payload) : alawDecode(payload);
}

export function encode(codec: Codec, pcm: Int16Array): Uint8Array {
  return codec === 'PCMU' ? ulawEncode(pcm) : alawEncode(pcm);
}

/** Decodes packets in sequence order (modulo 2^16) into one run of samples. */
export function audioOf(packets: ReceivedRtp[], codec: Codec = 'PCMU'): Int16Array {
  const sorted = [...packets].sort((a, b) => {
    const d = (a.seq - b.seq) & 0xffff;
    return d === 0 ? 0 : d < 0x8000 ? 1 : -1;
  });
  return concat(sorted.map((p) => decode(p.pt === 8 ? 'PCMA' : codec, p.payload)));
}

/** Runs of samples one after the other. */
export function concat(parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A far end: a dgram socket that sends RTP (e.g. a paced sine) and records what arrives. */
export class RtpPeer {
  readonly received: ReceivedRtp[] = [];
  private timer: NodeJS.Timeout | undefined;
  private constructor(
    private readonly socket: dgram.Socket,
    readonly host: string,
  ) {
    socket.on('message', (msg, rinfo) => {
      if (msg.length >= 12) this.received.push(parseRtp(msg, { address: rinfo.address, port: rinfo.port }));
    });
  }

  static async open(host = HOST): Promise<RtpPeer> {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    socket.bind(0, host);
    await once(socket, 'listening');
    return new RtpPeer(socket, host);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(buf: Uint8Array, port: number): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(buf, port, this.host, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Sends a sine as 20 ms RTP packets to `port`, paced by the wall clock (packets due since
   * the start are sent, so timer jitter does not change the rate).
   */
  startSine(port: number, freq: number, opts: { amplitude?: number; codec?: Codec; ssrc?: number; pt?: number } = {}): void {
    this.stop();
    const codec = opts.codec ?? 'PCMU';
    const pt = opts.pt ?? (codec === 'PCMU' ? 0 : 8);
    const amplitude = opts.amplitude ?? 9830;
    const ssrc = opts.ssrc ?? 0x1234abcd;
    const started = Date.now();
    let sent = 0;
    const tick = (): void => {
      const due = Math.floor((Date.now() - started) / 20) + 1;
      while (sent < due) {
        const pcm = sine(freq, amplitude, sent * 160, 160);
        void this.send(rtpPacket({ pt, seq: 1000 + sent, ts: 5000 + sent * 160, ssrc, marker: sent === 0, payload: encode(codec, pcm) }), port).catch(() => {});
        sent++;
      }
    };
    tick();
    this.timer = setInterval(tick, 10);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Waits for `count` more packets after index `from`; returns them. */
  async packetsAfter(from: number, count: number): Promise<ReceivedRtp[]> {
    await waitFor(`${count} RTP packets at port ${this.port}`, () => this.received.length >= from + count);
    return this.received.slice(from, from + count);
  }

  /**
   * The first window of `count` packets from index `from` on for which `ok` holds, sliding by
   * half a window, at most `tries` windows (about ten seconds of audio by default); else the
   * last window tried. A paced JavaScript sender stalls when the machine is loaded (the tone
   * is then missing at its source, not lost by the engine), so a check on the audio the engine
   * carries asks whether it shows in a window where the sender kept up. The caller still
   * asserts on the window returned: an engine that never carries the tone fails.
   */
  async windowWhere(from: number, count: number, ok: (packets: ReceivedRtp[]) => boolean, tries = Math.ceil(1000 / count)): Promise<ReceivedRtp[]> {
    let window = await this.packetsAfter(from, count);
    for (let i = 1; i < tries && !ok(window); i++) {
      from += Math.max(1, Math.floor(count / 2));
      window = await this.packetsAfter(from, count);
    }
    return window;
  }

  close(): void {
    this.stop();
    this.socket.close();
  }
}

export async function openPeer(t: Test, host = HOST): Promise<RtpPeer> {
  const peer = await RtpPeer.open(host);
  t.teardown(() => peer.close());
  return peer;
}

export function ulawEncodeFrame(pcm: Int16Array): Uint8Array {
  return ulawEncode(pcm);
}
