// Test helpers for DTMF: telephone-event packets (RFC 4733 §2.3), dual tones, and a far end
// that streams a prepared stretch of audio as paced 20 ms PCMU packets.
import { setTimeout as sleep } from 'node:timers/promises';
import type { DtmfEvent, Endpoint } from '../../../media/index.js';
import { rtpPacket, sine, ulawEncodeFrame, type RtpPeer } from './helpers.js';

export { concat } from './helpers.js';

export const KEYS = '0123456789*#ABCD';
const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

/** Row and column frequency of a key. */
export function keyFrequencies(key: string): [number, number] {
  const row = KEYPAD.findIndex((r) => r.includes(key));
  return [ROWS[row], COLUMNS[KEYPAD[row].indexOf(key)]];
}

/** Peak amplitude of a sine at `dbm0` (G.711: full scale is +3.17 dBm0). */
export function amplitudeAt(dbm0: number): number {
  return 32767 * Math.pow(10, (dbm0 - 3.17) / 20);
}

export function silence(ms: number): Int16Array {
  return new Int16Array(ms * 8);
}

/** A sum of sines, each [frequency, peak amplitude], for `ms`. */
export function tones(parts: Array<[number, number]>, ms: number): Int16Array {
  const out = new Int16Array(ms * 8);
  for (const [f, a] of parts) {
    const s = sine(f, a, 0, out.length);
    for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, out[i] + s[i]));
  }
  return out;
}

/** A key's dual tone; `twistDb` > 0 makes the column tone that much weaker, < 0 stronger. */
export function keyTone(key: string, ms: number, dbm0 = -10, twistDb = 0): Int16Array {
  const [row, column] = keyFrequencies(key);
  return tones([[row, amplitudeAt(dbm0)], [column, amplitudeAt(dbm0 - twistDb)]], ms);
}

/**
 * Streams `pcm` to `port` as PCMU packets of 20 ms, paced by the wall clock (packets due
 * since the start are sent, so timer jitter does not change the rate). Resolves when done.
 */
export async function streamPcm(peer: RtpPeer, port: number, pcm: Int16Array, ssrc = 0x5151): Promise<void> {
  const frames = Math.ceil(pcm.length / 160);
  const started = Date.now();
  let sent = 0;
  while (sent < frames) {
    const due = Math.min(frames, Math.floor((Date.now() - started) / 20) + 1);
    for (; sent < due; sent++) {
      const frame = new Int16Array(160);
      frame.set(pcm.subarray(sent * 160, sent * 160 + 160));
      await peer.send(rtpPacket({ pt: 0, seq: 100 + sent, ts: 9000 + sent * 160, ssrc, marker: sent === 0, payload: ulawEncodeFrame(frame) }), port);
    }
    await sleep(10);
  }
}

/** A telephone-event payload: event, E bit, volume, duration (timestamp units). */
export function eventPayload(code: number, end: boolean, duration: number, volume = 10): Buffer {
  return Buffer.from([code, (end ? 0x80 : 0) | volume, duration >> 8, duration & 0xff]);
}

/** Sends RFC 4733 packets in order, each with the next sequence number. */
export class EventStream {
  private seq = 500;
  constructor(
    private readonly peer: RtpPeer,
    private readonly port: number,
    private readonly pt = 101,
    private readonly ssrc = 0x4733,
  ) {}

  async send(ts: number, payload: Buffer, marker = false): Promise<void> {
    await this.peer.send(rtpPacket({ pt: this.pt, seq: this.seq++, ts, ssrc: this.ssrc, marker, payload }), this.port);
  }

  /** A whole key press as a sender does it: start (marker), updates every 20 ms, end three times. */
  async press(key: string, ts: number, durationMs = 100): Promise<void> {
    const code = KEYS.indexOf(key);
    const total = durationMs * 8;
    for (let d = 160; d < total; d += 160) await this.send(ts, eventPayload(code, false, d), d === 160);
    for (let i = 0; i < 3; i++) await this.send(ts, eventPayload(code, true, total));
  }
}

/** Collects an endpoint's 'dtmf' events. */
export function collectDtmf(ep: Endpoint): DtmfEvent[] {
  const got: DtmfEvent[] = [];
  ep.on('dtmf', (e) => got.push(e));
  return got;
}

export function digitsOf(events: DtmfEvent[]): string {
  return events.map((e) => e.digit).join('');
}

/** The UDP payloads (RTP packets) of a pcap file of IPv4/UDP over Ethernet, in capture order. */
export function pcapUdpPayloads(file: Buffer): Buffer[] {
  if (file.readUInt32LE(0) !== 0xa1b2c3d4 || file.readUInt32LE(20) !== 1) {
    throw new Error('expected a little-endian pcap of Ethernet frames');
  }
  const out: Buffer[] = [];
  for (let off = 24; off + 16 <= file.length; ) {
    const length = file.readUInt32LE(off + 8);
    const frame = file.subarray(off + 16, off + 16 + length);
    off += 16 + length;
    const ip = frame.subarray(14);
    const udp = ip.subarray((ip[0] & 0x0f) * 4);
    if (ip[9] === 17) out.push(udp.subarray(8, udp.readUInt16BE(4)));
  }
  return out;
}
