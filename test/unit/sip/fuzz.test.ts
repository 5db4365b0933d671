// Mutation fuzzing of parseMessage with a seeded PRNG (set FUZZ_SEED to replay a run),
// plus bounded-memory and backtracking checks on pathological inputs. No timing.
import t from 'tap';
import v8 from 'node:v8';
import vm from 'node:vm';
import { type ParseResult, parseMessage } from '../../../engine/sip/parser.js';
import { type SipMessage, SipRequest, SipResponse } from '../../../engine/sip/message.js';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed2024) >>> 0;
const ITERATIONS = 20_000;

/** xorshift32 (Marsaglia 2003): a small, fast, reproducible generator. */
function xorshift(seed: number): (n: number) => number {
  let x = seed || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n';
const withLength = (lines: string[], body = ''): string => [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');

const SEEDS = [
  withLength(
    [
      'INVITE sip:1002@127.0.0.1:5060;transport=udp SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-524287-1;rport',
      'Via: SIP/2.0/TCP relay.switchyard.test;branch=z9hG4bK-2;received=127.0.0.1',
      'Max-Forwards: 70',
      'Contact: "Alice" <sip:1001@127.0.0.1:5070;transport=udp>;expires=60',
      'To: <sip:1002@127.0.0.1>',
      'From: "Alice \\"A\\"" <sip:1001@127.0.0.1>;tag=9fxced76sl',
      'Call-ID: 3848276298220188511@127.0.0.1',
      'CSeq: 1 INVITE',
      'Route: <sip:p1.switchyard.test;lr>, <sip:p2.switchyard.test;lr>',
      'Allow: INVITE, ACK, CANCEL, BYE',
      'Content-Type: application/sdp',
    ],
    SDP,
  ),
  withLength([
    'REGISTER sip:registrar.switchyard.test SIP/2.0',
    'v: SIP/2.0/UDP [::1]:5060;branch=z9hG4bKreg',
    'f: <sip:I%20have%20spaces@switchyard.test>;tag=r1',
    't: sip:user@switchyard.test',
    'i: reg.1',
    'CSeq: 2',
    ' REGISTER',
    'm: <sip:cal%6Cer@127.0.0.1;%6C%72?Subject=hi>;q=0.7, sip:other@127.0.0.1;expires=0',
    'Expires: 3600',
  ]),
  withLength([
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-524287-1;rport=5070;received=127.0.0.1',
    'To: <sip:1002@127.0.0.1>;tag=as2',
    'From: caller<sip:1001@127.0.0.1>;tag=9fxced76sl',
    'Call-ID: 3848276298220188511@127.0.0.1',
    'CSeq: 1 INVITE',
    'Contact: <sip:1002@127.0.0.1:5060>',
  ]),
  withLength([
    'OPTIONS tel:+1-555-0100;phone-context=+1 SIP/2.0',
    'Via: SIP/2.0/TLS edge.switchyard.test:5061;branch=z9hG4bKopt',
    'To: urn:service:sos',
    'From: "Ωmega" <sips:o@switchyard.test>;tag=o1',
    'Call-ID: opt.1',
    'CSeq: 9 OPTIONS',
    'Max-Forwards: 0',
    'Subject: folded',
    '\tvalue',
  ]),
].map((s) => Buffer.from(s));

const INTERESTING = [13, 10, 0, 32, 9, 58, 59, 44, 34, 60, 62, 92, 37, 64, 61, 47, 0x80, 0xc3, 0xff, 0xfe];
const HEADERS = ['Via', 'v', 'From', 'To', 'Contact', 'm', 'CSeq', 'Call-ID', 'Max-Forwards', 'Content-Length', 'l', 'Expires', 'Route'];
const PATTERNS = [';', '"', '\\"', '<', '>', ',', '%', '%4', 'a', ' ', ';a=b', 'SIP/2.0/UDP h;', '<sip:a@b>,', '"x" <sip:a@b>;tag=t,', '\\', 'sip:', '@', ':'];

type Rand = (n: number) => number;

function lines(b: Buffer): string[] {
  return b.toString('latin1').split('\n');
}

/** One random mutation of `b`. */
function mutate(b: Buffer, rand: Rand): Buffer {
  const at = rand(b.length + 1);
  switch (rand(12)) {
    case 0: {
      // flip a bit
      const c = Buffer.from(b);
      if (c.length) c[at % c.length] ^= 1 << rand(8);
      return c;
    }
    case 1: // insert an interesting or random byte
      return Buffer.concat([b.subarray(0, at), Buffer.from([rand(2) ? INTERESTING[rand(INTERESTING.length)] : rand(256)]), b.subarray(at)]);
    case 2: // delete a run
      return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rand(8))]);
    case 3: {
      // duplicate a line
      const l = lines(b);
      const i = rand(l.length);
      l.splice(i, 0, l[i]);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 4: // truncate
      return b.subarray(0, at);
    case 5: {
      // drop a line
      const l = lines(b);
      l.splice(rand(l.length), 1);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 6: // line breaks in odd places
      return Buffer.concat([b.subarray(0, at), Buffer.from(['\r', '\n', '\r\n', '\r\n '][rand(4)]), b.subarray(at)]);
    case 7: {
      // a huge header value of a repeated pattern
      const value = PATTERNS[rand(PATTERNS.length)].repeat(1 + rand(4000));
      const l = lines(b);
      l.splice(1 + rand(l.length - 1), 0, `${HEADERS[rand(HEADERS.length)]}: ${value}\r`);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 8: {
      // deep quoting in a display name
      const depth = 1 + rand(2000);
      const l = lines(b);
      l.splice(1 + rand(l.length - 1), 0, `${['To', 'From', 'Contact'][rand(3)]}: "${'\\"'.repeat(depth)}${rand(2) ? '"' : ''} <sip:a@b>\r`);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 9: {
      // give a line another (structured) header's name
      const l = lines(b);
      const i = 1 + rand(l.length - 1);
      if (i < l.length) l[i] = l[i].replace(/^[^:]*/, HEADERS[rand(HEADERS.length)]);
      return Buffer.from(l.join('\n'), 'latin1');
    }
    case 10: {
      // swap two lines
      const l = lines(b);
      const i = rand(l.length);
      const j = rand(l.length);
      [l[i], l[j]] = [l[j], l[i]];
      return Buffer.from(l.join('\n'), 'latin1');
    }
    default: // overwrite a byte with a high one
      return Buffer.concat([b.subarray(0, at), Buffer.from([0x80 + rand(128)]), b.subarray(at + 1)]);
  }
}

/** Every accessor the stack uses; returns a snapshot of what they read. */
function readAll(m: SipMessage): unknown {
  // Content-Length is rewritten last on output, so its position is not compared.
  const keys = [...m.headerKeys()].filter((k) => k !== 'content-length');
  return {
    start: m instanceof SipRequest ? [m.method, m.uri, m.parsedUri] : [(m as SipResponse).status, (m as SipResponse).reason],
    keys,
    lines: keys.map((k) => [m.lines(k), m.getAll(k), m.get(k), m.has(k)]),
    via: [m.vias, m.topVia],
    addr: [m.from, m.to, m.fromTag, m.toTag, m.contacts()],
    cseq: m.cseq,
    callId: m.callId,
    body: m.body.toString('base64'),
  };
}

function isParseResult(r: ParseResult): boolean {
  if (r.ok) return r.message instanceof SipRequest || r.message instanceof SipResponse;
  return typeof r.reason === 'string' && r.reason.length > 0 && (r.status === 400 || r.status === 505) && (r.request === undefined || r.request instanceof SipRequest);
}

const show = (b: Buffer): string => JSON.stringify(b.toString('latin1').slice(0, 300));

t.test(`mutated messages (seed ${SEED})`, async (t) => {
  t.comment(`FUZZ_SEED=${SEED} replays this run`);
  const rand = xorshift(SEED);
  const problems: string[] = [];
  let accepted = 0;
  for (let n = 0; n < ITERATIONS && problems.length < 5; n++) {
    let input: Buffer = SEEDS[rand(SEEDS.length)];
    for (let k = 1 + rand(4); k > 0; k--) input = mutate(input, rand);
    try {
      const r = parseMessage(input);
      if (!isParseResult(r)) {
        problems.push(`not a ParseResult for ${show(input)}`);
        continue;
      }
      if (!r.ok) {
        if (r.request) readAll(r.request), r.request.toBuffer();
        continue;
      }
      accepted++;
      const m = r.message;
      // What parseMessage validated must be readable.
      const valid = m.vias?.length && m.from && m.to && m.cseq && (!(m instanceof SipRequest) || (m.parsedUri && m.contacts()));
      if (!valid) problems.push(`accepted but a checked header does not parse: ${show(input)}`);
      // And it must survive serialisation unchanged.
      const again = parseMessage(m.toBuffer());
      if (!again.ok) problems.push(`re-parse failed (${again.reason}): ${show(input)}`);
      else if (JSON.stringify(readAll(again.message), replacer) !== JSON.stringify(readAll(m), replacer)) {
        problems.push(`re-parse differs: ${show(input)}\n${JSON.stringify(readAll(m), replacer)}\n${JSON.stringify(readAll(again.message), replacer)}`);
      }
    } catch (e) {
      problems.push(`threw ${(e as Error).stack}\n for ${show(input)}`);
    }
  }
  t.same(problems, [], 'never throws, always a ParseResult, accepted messages are readable and round-trip');
  t.ok(accepted > ITERATIONS / 20, `a fair share still parses (${accepted})`);
});

/** JSON for Maps too, so snapshots compare by content. */
function replacer(_key: string, value: unknown): unknown {
  return value instanceof Map ? [...value] : value;
}

// A 60 KB header line of each awkward shape, in each structured header.
const HUGE = 60_000;
function pathological(): Buffer[] {
  const out: Buffer[] = [];
  for (const header of ['Via', 'To', 'From', 'Contact', 'CSeq', 'Call-ID', 'Route', 'X-Other']) {
    for (const pattern of [';', ';;', '"', '\\"', '<', '<sip:a@b>,', ',', ' ', '%', 'a', ';a=b', 'SIP/2.0/UDP h;b=1,', '"a" <sip:b@c>;tag=', 'sip:a@b;', '\\']) {
      const value = pattern.repeat(Math.ceil(HUGE / pattern.length)).slice(0, HUGE);
      out.push(Buffer.from(withLength(['INVITE sip:a@127.0.0.1 SIP/2.0', `${header}: ${value}`, 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1', 'To: <sip:a@127.0.0.1>', 'From: <sip:b@127.0.0.1>;tag=1', 'Call-ID: p', 'CSeq: 1 INVITE'])));
    }
  }
  // Many tiny lines, and one header folded over many lines.
  out.push(Buffer.from(withLength(['INVITE sip:a@127.0.0.1 SIP/2.0', ...Array.from({ length: 10_000 }, () => 'X: y')])));
  out.push(Buffer.from(withLength(['INVITE sip:a@127.0.0.1 SIP/2.0', 'Subject: a', ...Array.from({ length: 10_000 }, () => ' b')])));
  out.push(Buffer.from('INVITE sip:a@127.0.0.1 SIP/2.0\r\n' + 'X'.repeat(HUGE) + '\r\n\r\n'));
  return out;
}

t.test('pathological inputs complete: no catastrophic backtracking or quadratic scans', async (t) => {
  // Each input is linear to parse; a super-linear path would keep this loop from finishing
  // within the test timeout. Counting the completed parses makes that the assertion.
  const inputs = pathological();
  let done = 0;
  for (const input of inputs) {
    const r = parseMessage(input);
    if (r.ok) readAll(r.message), r.message.toBuffer();
    else if (r.request) readAll(r.request);
    done++;
  }
  t.equal(done, inputs.length, `${inputs.length} inputs of up to 60 KB parsed`);
});

t.test('heap stays bounded when parsing 60 KB lines over and over', async (t) => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const inputs = pathological().slice(0, 40);
  const round = () => {
    for (const input of inputs) {
      const r = parseMessage(input);
      if (r.ok) r.message.toBuffer();
    }
  };
  round(); // warm caches and code
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 25; i++) round();
  gc();
  const growth = process.memoryUsage().heapUsed - before;
  t.ok(growth < 16 * 1024 * 1024, `heap grew ${(growth / 1024).toFixed(0)} KB over ${25 * inputs.length} parses of 60 KB messages`);
});
