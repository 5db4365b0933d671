// Parser microbenchmark: parses a typical INVITE (with SDP) repeatedly and reads the fields
// the transaction layer needs; with --serialize, writes that INVITE back to bytes instead (what
// every message the stack sends costs). Prints JSON.
// Usage: npm run bench:parser [-- seconds] [--serialize] [--count N]
import { parseMessage } from '../engine/sip/parser.js';

const INVITE = Buffer.from(
  [
    'INVITE sip:1002@127.0.0.1:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-524287-1---7d3a2f5e8c1b;rport',
    'Max-Forwards: 70',
    'Contact: <sip:1001@127.0.0.1:5070;transport=udp>',
    'To: <sip:1002@127.0.0.1>',
    'From: "Alice" <sip:1001@127.0.0.1>;tag=9fxced76sl',
    'Call-ID: 3848276298220188511@127.0.0.1',
    'CSeq: 1 INVITE',
    'Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE',
    'Content-Type: application/sdp',
    'User-Agent: Switchyard bench',
    'Supported: replaces, timer',
    '',
    '',
  ].join('\r\n') +
    [
      'v=0',
      'o=alice 2890844526 2890844526 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 49170 RTP/AVP 0 8 101',
      'a=rtpmap:0 PCMU/8000',
      'a=rtpmap:8 PCMA/8000',
      'a=rtpmap:101 telephone-event/8000',
      'a=fmtp:101 0-16',
      'a=sendrecv',
      '',
    ].join('\r\n'),
);
// Content-Length is written from the body, as a peer would send it.
const head = INVITE.indexOf('\r\n\r\n') + 4;
const message = Buffer.concat([
  INVITE.subarray(0, head - 2),
  Buffer.from(`Content-Length: ${INVITE.length - head}\r\n\r\n`),
  INVITE.subarray(head),
]);

// `--count N` parses exactly N messages after a fixed warm-up instead of running for a time:
// run under valgrind --tool=cachegrind with two counts, the difference in instructions divided
// by the difference in counts is the cost of one parse, whatever else the machine is doing.
const countArg = process.argv.indexOf('--count');
const fixedCount = countArg >= 0 ? Number(process.argv[countArg + 1]) : 0;
const seconds = countArg >= 0 ? 0 : Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 3);
const serialize = process.argv.includes('--serialize');
const bench = serialize ? 'sip-serialize-invite' : 'sip-parse-invite';
let sink = 0;
const parsed = parseMessage(message);
if (!parsed.ok) throw new Error(parsed.reason);
const serializeBatch = (): void => {
  for (let i = 0; i < 1000; i++) sink += parsed.message.toBuffer().length;
};
const parseBatch = (): void => {
  for (let i = 0; i < 1000; i++) {
    const r = parseMessage(message);
    if (!r.ok) throw new Error(r.reason);
    // What the transaction layer reads of every request.
    sink += r.message.topVia!.params.size + r.message.cseq!.seq + r.message.callId.length + (r.message.fromTag?.length ?? 0);
  }
};
const batch = serialize ? serializeBatch : parseBatch;
const run = (ms: number): number => {
  const end = performance.now() + ms;
  let count = 0;
  while (performance.now() < end) {
    batch();
    count += 1000;
  }
  return count;
};
if (fixedCount > 0) {
  for (let i = 0; i < 100; i++) batch(); // the same warm-up whatever the count
  for (let i = 0; i < fixedCount; i += 1000) batch();
  console.log(JSON.stringify({ bench, bytes: message.length, messages: Math.ceil(fixedCount / 1000) * 1000, sink: sink > 0 }));
} else {
  run(500); // warm up the JIT
  const t0 = performance.now();
  const n = run(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ bench, bytes: message.length, messages: n, seconds: +elapsed.toFixed(2), perSecond: Math.round(n / elapsed), sink: sink > 0 }));
}
