// The parser's byte-level lookups: header names compared four bytes at a time, parameter
// names, schemes and transports matched ignoring case, the ASCII (Latin-1) decoding path and
// the header lines handed to the message in one call. Each case here is one the RFC 4475
// tests in parser.test.ts do not pin down.
import t from 'tap';
import { parseMessage } from '../../../engine/sip/parser.js';
import { SipRequest } from '../../../engine/sip/message.js';
import { type SipUri } from '../../../engine/sip/uri.js';
import { KNOWN_HEADERS, headerDisplayName, knownHeaderIndex, knownHeaderNameAt } from '../../../engine/sip/headers.js';

const HEAD = [
  'INVITE sip:bob@127.0.0.1 SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-lookups',
  'To: <sip:bob@127.0.0.1>',
  'From: "Alice" <sip:alice@127.0.0.1>;tag=a1',
  'Call-ID: lookups@127.0.0.1',
  'CSeq: 1 INVITE',
  'Max-Forwards: 70',
];

function wire(lines: string[], body = ''): Buffer {
  return Buffer.from([...lines, `Content-Length: ${Buffer.byteLength(body)}`].join('\r\n') + '\r\n\r\n' + body);
}

function parsed(lines: string[], body = ''): SipRequest {
  const r = parseMessage(wire(lines, body));
  if (!r.ok) throw new Error(`expected a request to parse, got ${r.reason}`);
  return r.message as SipRequest;
}

/** HEAD with the line starting `prefix` replaced by `line`. */
function vary(prefix: string, line: string): string[] {
  return HEAD.map((l) => (l.startsWith(prefix) ? line : l));
}

t.test('header names of every length and case are known under their key', async (t) => {
  const names: [string, string][] = [
    ['Subject', 'subject'], // 7: one word and the overlapping last
    ['SUBJECT', 'subject'],
    ['Date', 'date'], // exactly 4: one word
    ['Accept', 'accept'],
    ['Content-Encoding', 'content-encoding'], // 16: four words exactly
    ['content-disposition', 'content-disposition'], // 19
    ['P-Preferred-Identity', 'p-preferred-identity'], // 20
    ['Proxy-Authorization', 'proxy-authorization'],
    ['Reply-To', 'reply-to'], // shares (length, first, last) with Refer-To
    ['Refer-To', 'refer-to'],
    ['rEfEr-tO', 'refer-to'],
    ['s', 'subject'], // compact forms, either case
    ['S', 'subject'],
  ];
  for (const [name, key] of names) {
    const m = parsed([...HEAD, `${name}: value of ${name}`]);
    t.same(m.lines(key), [`value of ${name}`], `${name} is ${key}`);
  }
  // Case and spacing before the colon of the headers parseMessage checks.
  const m = parsed(vary('Call-ID', 'CALL-id   :  spaced@127.0.0.1').map((l) => (l.startsWith('CSeq') ? 'cseq\t: 1 INVITE' : l)));
  t.equal(m.callId, 'spaced@127.0.0.1');
  t.same(m.cseq, { seq: 1, method: 'INVITE' });
});

t.test('names one letter off a known name are other headers, kept under their lower-case name', async (t) => {
  for (const name of ['Content-Lengtx', 'Contemt-Length', 'Content_Length', 'Call-IB', 'Subjects', 'Subjec', 'Vias', 'Dat', 'X-Date']) {
    const m = parsed([...HEAD, `${name}: 12`]);
    t.same(m.lines(name.toLowerCase()), ['12'], name);
  }
  // '-' is not folded: a name with '.' or '_' where a known name has '-' is not that name.
  const m = parsed([...HEAD, 'Max.Forwards: 1', 'Call_ID: other']);
  t.same(m.lines('max-forwards'), ['70']);
  t.equal(m.callId, 'lookups@127.0.0.1');
});

t.test('the byte lookup agrees with the string lookup on every known name, compact form and near miss', async (t) => {
  const compact = 'ifmtvlcskeourbxajdyIFMTVLCSKEOURBXAJDY'.split('');
  const names = [...KNOWN_HEADERS.flatMap((k) => [k, k.toUpperCase(), headerDisplayName(k)]), ...compact];
  // Near misses of every length class: one letter changed first, in the middle and last, one more or one less.
  for (const k of KNOWN_HEADERS) names.push('x' + k.slice(1), k.slice(0, -1) + 'x', k.slice(0, k.length >> 1) + 'q' + k.slice((k.length >> 1) + 1), k + 's', k.slice(0, -1));
  names.push('g', 'q', 'Vi', 'Tx', 'vIA');
  let agreed = 0;
  for (const name of names.filter((n) => n !== '')) {
    // At an offset inside a larger buffer, as the parser sees a name.
    const b = Buffer.from(`..${name}: v`, 'latin1');
    const known = knownHeaderNameAt(b, 2, b.length);
    const index = knownHeaderIndex(name);
    if (index < 0 ? known === -1 : known === name.length * 256 + index) agreed++;
    else t.fail(`${name}: byte lookup ${known}, string lookup ${index}`);
  }
  t.equal(agreed, names.filter((n) => n !== '').length);
});

t.test('a CR inside a header name is a bad header line, not a folded "-"', async (t) => {
  // CR | 0x20 is '-': the name comparison must not fold it.
  const r = parseMessage(wire([...HEAD.filter((l) => !l.startsWith('Call-ID')), 'Call\rID: x@127.0.0.1']));
  t.equal(r.ok, false);
  if (!r.ok) {
    t.equal(r.reason, 'Bad Header Line');
    t.equal(r.status, 400);
  }
});

t.test('parameter names, schemes and transports match ignoring case', async (t) => {
  const m = parsed([
    'INVITE SIP:bob@127.0.0.1;TRANSPORT=tcp;Lr SIP/2.0',
    'Via: sip/2.0/udp Host.Example.Test:5070;BRANCH=z9hG4bK-x;RPort;Received=127.0.0.2;x-Mine=Yes',
    'To: <sIp:bob@127.0.0.1;User=phone>',
    'From: "Alice" <SIPS:alice@127.0.0.1>;TAG=Mixed;Flag',
    'Call-ID: case@127.0.0.1',
    'CSeq: 1 INVITE',
    'Contact: <sip:alice@127.0.0.1:5070;Transport=UDP;MADDR=127.0.0.3>;Expires=60;Q=0.5',
  ]);
  const via = m.topVia!;
  t.equal(via.protocol, 'SIP/2.0');
  t.equal(via.transport, 'UDP');
  t.equal(via.host, 'host.example.test');
  t.same([...via.params], [['branch', 'z9hG4bK-x'], ['rport', null], ['received', '127.0.0.2'], ['x-mine', 'Yes']]);
  t.equal(m.fromTag, 'Mixed');
  t.same([...m.from!.params], [['tag', 'Mixed'], ['flag', null]]);
  t.equal(m.from!.uri.scheme, 'sips');
  const to = m.to!.uri as SipUri;
  t.equal(to.scheme, 'sip');
  t.same([...to.params], [['user', 'phone']]);
  const ruri = m.parsedUri as SipUri;
  t.equal(ruri.scheme, 'sip');
  t.same([...ruri.params], [['transport', 'tcp'], ['lr', null]]);
  const contact = m.contacts()!.list[0];
  t.same([...(contact.uri as SipUri).params], [['transport', 'UDP'], ['maddr', '127.0.0.3']]);
  t.same([...contact.params], [['expires', '60'], ['q', '0.5']]);
  // Transports and a protocol the table does not know are upper-cased as before.
  const other = parsed(vary('Via', 'Via: Sip/3.0/Quic 127.0.0.1;branch=z9hG4bK-y'));
  t.equal(other.topVia!.protocol, 'SIP/3.0');
  t.equal(other.topVia!.transport, 'QUIC');
});

t.test('name-addrs with escaped quotes and header parameters with and without values', async (t) => {
  const m = parsed(vary('From', 'From: "A \\"quoted\\" \\\\ name" <sip:alice@127.0.0.1;lr>;tag=t1;novalue;q="x y";empty=""'));
  t.equal(m.from!.displayName, 'A "quoted" \\ name');
  t.same([...m.from!.params], [['tag', 't1'], ['novalue', null], ['q', 'x y'], ['empty', '']]);
  t.equal(m.fromTag, 't1');
  const bad = parseMessage(wire(vary('From', 'From: "A \\"unterminated <sip:alice@127.0.0.1>;tag=t1')));
  t.equal(bad.ok, false);
  if (!bad.ok) t.equal(bad.reason, 'Bad From');
});

t.test('ASCII and UTF-8 messages give the same headers and body', async (t) => {
  const ascii = parsed(vary('From', 'From: "Alice" <sip:alice@127.0.0.1>;tag=a1'), 'v=0\r\n');
  const utf8 = parsed(vary('From', 'From: "Алиса" <sip:alice@127.0.0.1>;tag=a1'), 'v=0\r\n');
  t.equal(ascii.from!.displayName, 'Alice');
  t.equal(utf8.from!.displayName, 'Алиса');
  t.equal(utf8.fromTag, 'a1');
  t.equal(ascii.body.toString(), 'v=0\r\n');
  t.equal(utf8.body.toString(), 'v=0\r\n');
  // A byte that is not UTF-8 in a header the parser does not check is kept as U+FFFD, as before.
  const raw = Buffer.concat([Buffer.from(HEAD.join('\r\n') + '\r\nSubject: a'), Buffer.from([0xff]), Buffer.from('\r\nContent-Length: 3\r\n\r\nabc')]);
  const r = parseMessage(raw);
  t.ok(r.ok);
  if (r.ok) {
    t.same(r.message.lines('subject'), ['a\ufffd']);
    t.equal(r.message.body.toString(), 'abc');
  }
});

t.test('the headers handed over by the parser can be edited, and the parsed caches follow', async (t) => {
  const m = parsed(HEAD);
  t.equal(m.topVia!.params.get('branch'), 'z9hG4bK-lookups');
  t.equal(m.fromTag, 'a1');
  m.add('Via', 'SIP/2.0/TCP 127.0.0.9;branch=z9hG4bK-top', true);
  t.equal(m.topVia!.host, '127.0.0.9');
  t.equal(m.vias!.length, 2);
  m.set('From', '<sip:carol@127.0.0.1>;tag=c3');
  t.equal(m.fromTag, 'c3');
  m.remove('Max-Forwards');
  t.notOk(m.has('max-forwards'));
  t.same([...m.headerKeys()], ['via', 'to', 'from', 'call-id', 'cseq', 'content-length']);
  const again = parseMessage(m.toBuffer());
  t.ok(again.ok);
  if (again.ok) {
    t.equal(again.message.topVia!.host, '127.0.0.9');
    t.equal(again.message.fromTag, 'c3');
  }
});

t.test("a name-addr's URI is read up to its '>', which must come right after it", async (t) => {
  for (const to of ['<sip:bob@127.0.0.1;lr?Subject=x>', '<tel:+1-555-0100;phone-context=example.test>', '<urn:service:sos>', '"Bob" <sips:bob@[::1]:5061>;tag=x']) {
    const r = parseMessage(wire(vary('To', `To: ${to}`)));
    t.ok(r.ok, to);
  }
  for (const to of ['<sip:bob@127.0.0.1 >', '<sip:bob@127.0.0.1"x>', '<tel:+1 555>', '<sip:bob@127.0.0.1', '<sip:bob@127.0.0.1;=x>', '<>']) {
    const r = parseMessage(wire(vary('To', `To: ${to}`)));
    t.equal(r.ok ? 'ok' : r.reason, 'Bad To', to);
  }
});
