// Where a bridged call's setup time goes, from a packet capture of a B2BUA bench run:
//
//   tcpdump -i lo -n -s 1500 -B 131072 --time-stamp-precision=nano -w run.pcap udp &
//   node dist/bench/sip-bench.js --targets engine-b2bua-bypass --rates 1000,1500 --step-seconds 10
//   node dist/bench/sip-latency-split.js run.pcap
//
// Each call's INVITE→200 is cut at the wire into the engine's inbound leg (the UAC's INVITE →
// the engine's INVITE to the UAS), the UAS (→ its 200) and the outbound leg (→ the engine's 200
// to the UAC). The two legs are matched by the SDP's session id, which bench/scenarios/uac.xml
// sets to SIPp's call number and the bypassed B2BUA passes through. Prints one JSON object:
// percentiles of each part, which part dominates the slowest 1 %, and the p99 per second of the
// run (a step's first second, or one stall, can carry a whole step's p99).
import { readFileSync } from 'node:fs';

interface Call {
  /** Capture times (ms): UAC INVITE, engine INVITE, UAS 200, engine 200. */
  t0?: number;
  t1?: number;
  t2?: number;
  t3?: number;
  aCallId?: string;
  bCallId?: string;
}

interface Datagram {
  t: number;
  sport: number;
  dport: number;
  text: string;
}

const PCAP_NANO = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
const LINKTYPE_LINUX_SLL = 113;
/** SIPp's call numbers restart with each step's UAC: a reuse this much later is a new call. */
const NEW_STEP_AFTER_MS = 2000;

/** IPv4 UDP datagrams of a classic pcap file (tcpdump -w), with capture times in ms. */
function* datagrams(file: string): Generator<Datagram> {
  const buf = readFileSync(file);
  const nano = buf.readUInt32LE(0) === PCAP_NANO;
  const link = buf.readUInt32LE(20);
  const ipAt = link === LINKTYPE_ETHERNET ? 14 : link === LINKTYPE_LINUX_SLL ? 16 : 0;
  for (let off = 24; off + 16 <= buf.length; ) {
    const t = buf.readUInt32LE(off) * 1000 + buf.readUInt32LE(off + 4) / (nano ? 1e6 : 1e3);
    const pkt = buf.subarray(off + 16, off + 16 + buf.readUInt32LE(off + 8));
    off += 16 + pkt.length;
    if (pkt.length < ipAt + 28 || pkt[ipAt] >> 4 !== 4 || pkt[ipAt + 9] !== 17) continue;
    const udp = ipAt + (pkt[ipAt] & 15) * 4;
    yield { t, sport: pkt.readUInt16BE(udp), dport: pkt.readUInt16BE(udp + 2), text: pkt.subarray(udp + 8).toString('latin1') };
  }
}

function readCalls(file: string): Call[] {
  const bySdpId = new Map<string, Call>();
  const byCallId = new Map<string, Call>();
  const finished: Call[] = [];
  let enginePort: number | undefined;
  for (const { t, sport, dport, text } of datagrams(file)) {
    const callId = /\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r]+)/i.exec(text)?.[1];
    if (!callId) continue;
    if (text.startsWith('INVITE ')) {
      const sdpId = /\no=bench (\d+) /.exec(text)?.[1];
      if (!sdpId) continue;
      // The UAC's From tag is "<pid>Bench<n>"; the engine's outgoing INVITE has its own.
      if (enginePort === undefined && /;tag=\d+Bench/.test(text)) enginePort = dport;
      let call = bySdpId.get(sdpId);
      const fromUac = dport === enginePort;
      if (call?.t0 !== undefined && fromUac && t - call.t0 > NEW_STEP_AFTER_MS) {
        finished.push(call);
        call = undefined;
      }
      if (!call) bySdpId.set(sdpId, (call = {}));
      if (fromUac && call.t0 === undefined) [call.t0, call.aCallId] = [t, callId];
      else if (sport === enginePort && call.t1 === undefined) [call.t1, call.bCallId] = [t, callId];
      byCallId.set(callId, call);
    } else if (text.startsWith('SIP/2.0 200') && /\r\nCSeq:[ \t]*\d+[ \t]+INVITE/i.test(text)) {
      const call = byCallId.get(callId);
      if (!call) continue;
      if (callId === call.bCallId && dport === enginePort) call.t2 ??= t;
      if (callId === call.aCallId && sport === enginePort) call.t3 ??= t;
    }
  }
  return [...finished, ...bySdpId.values()];
}

const at = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const ms = (x: number): number => Math.round(x * 100) / 100;

function percentiles(values: number[]): Record<string, number> {
  const s = [...values].sort((a, b) => a - b);
  return { p50: ms(at(s, 0.5)), p90: ms(at(s, 0.9)), p99: ms(at(s, 0.99)), p999: ms(at(s, 0.999)), max: ms(s[s.length - 1]) };
}

function main(): void {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/sip-latency-split.js CAPTURE.pcap\n');
    process.exit(2);
  }
  const calls = readCalls(file);
  type Complete = Required<Pick<Call, 't0' | 't1' | 't2' | 't3'>>;
  const complete = calls.filter((c): c is Call & Complete => c.t0 !== undefined && c.t1 !== undefined && c.t2 !== undefined && c.t3 !== undefined);
  if (complete.length === 0) throw new Error(`${file}: no bridged INVITE→200 found (is it a capture of engine-b2bua-bypass?)`);
  const parts = complete.map((c) => ({ t0: c.t0, engineIn: c.t1 - c.t0, uas: c.t2 - c.t1, engineOut: c.t3 - c.t2, total: c.t3 - c.t0 }));

  const slowest = [...parts].sort((a, b) => b.total - a.total).slice(0, Math.max(1, Math.floor(parts.length / 100)));
  const dominatedBy = { engineIn: 0, uas: 0, engineOut: 0 };
  for (const p of slowest) {
    const biggest = (['engineIn', 'uas', 'engineOut'] as const).reduce((a, b) => (p[b] > p[a] ? b : a));
    dominatedBy[biggest]++;
  }

  const start = Math.min(...parts.map((p) => p.t0));
  const bySecond = new Map<number, number[]>();
  for (const p of parts) {
    const second = Math.floor((p.t0 - start) / 1000);
    const list = bySecond.get(second) ?? [];
    list.push(p.total);
    bySecond.set(second, list);
  }
  const perSecond = [...bySecond].sort((a, b) => a[0] - b[0]).map(([second, totals]) => ({ second, calls: totals.length, p99: percentiles(totals).p99 }));

  const out = {
    calls: parts.length,
    incomplete: calls.length - parts.length,
    ms: {
      engineIn: percentiles(parts.map((p) => p.engineIn)),
      uas: percentiles(parts.map((p) => p.uas)),
      engineOut: percentiles(parts.map((p) => p.engineOut)),
      total: percentiles(parts.map((p) => p.total)),
    },
    slowestOnePercentDominatedBy: dominatedBy,
    perSecond,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main();
