// Serialisation: parse → toBuffer → parse keeps every field; the body travels byte for
// byte and Content-Length is always written from it. Also the header editing API.
import t, { type Test } from 'tap';
import { parseMessage } from '../../../engine/sip/parser.js';
import { type SipMessage, SipRequest, SipResponse } from '../../../engine/sip/message.js';

function wire(lines: string[], body: string | Buffer = ''): Buffer {
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), Buffer.from(body)]);
}

function parse(data: Buffer): SipRequest | SipResponse {
  const r = parseMessage(data);
  if (!r.ok) throw new Error(r.reason);
  return r.message;
}

/** Everything a reader of the message can see, as plain data. */
function fields(m: SipMessage) {
  const keys = [...m.headerKeys()];
  return {
    start: m instanceof SipRequest ? [m.method, m.uri] : [(m as SipResponse).status, (m as SipResponse).reason],
    keys,
    lines: keys.filter((k) => k !== 'content-length').map((k) => [k, m.lines(k)]),
    vias: m.vias,
    from: m.from,
    to: m.to,
    cseq: m.cseq,
    callId: m.callId,
    contacts: m.contacts(),
    uri: m instanceof SipRequest ? m.parsedUri : null,
    body: [...m.body],
  };
}

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';
const BINARY = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0d, 0x0a, 0x0d, 0x0a, 0xe2, 0x82, 0x28, 0x7f]);

const CORPUS: Record<string, Buffer> = {
  'INVITE with SDP': wire(
    [
      'INVITE sip:1002@127.0.0.1:5060 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-1;rport',
      'Max-Forwards: 70',
      'Contact: <sip:1001@127.0.0.1:5070;transport=udp>',
      'To: <sip:1002@127.0.0.1>',
      'From: "Alice" <sip:1001@127.0.0.1>;tag=9fxced76sl',
      'Call-ID: 3848276298220188511@127.0.0.1',
      'CSeq: 1 INVITE',
      'Content-Type: application/sdp',
      `Content-Length: ${SDP.length}`,
    ],
    SDP,
  ),
  'folded, compact and oddly cased headers': wire([
    'OPTIONS sip:agent@edge.switchyard.test;transport=tcp SIP/2.0',
    'v: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKa,',
    ' SIP / 2.0 / UDP relay.switchyard.test:5062;branch=z9hG4bKb;received=127.0.0.1',
    'VIA: SIP/2.0/TLS [::1]:5061;branch=z9hG4bKc',
    't: sip:agent@edge.switchyard.test',
    'f: "Zoë Ω \\"Q\\"" <sip:zoe@switchyard.test>;tag=x1',
    'i: folded.1',
    'CSEQ: 7',
    ' OPTIONS',
    'm: <sip:zoe@127.0.0.1>;expires=60, "Other" <sips:other@switchyard.test>;q=0.5',
    'Subject: first line',
    '\tsecond line',
    'l: 0',
  ]),
  'REGISTER with escapes, star-free contacts and unknown headers': wire([
    'REGISTER sip:registrar.switchyard.test SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKreg',
    'To: <sip:I%20have%20spaces@switchyard.test>',
    'From: <sip:I%20have%20spaces@switchyard.test>;tag=r1',
    'Call-ID: reg.1',
    'CSeq: 2 REGISTER',
    'Contact: <sip:cal%6Cer@127.0.0.1;%6C%72;n%61me=v%61lue%25%34%31?Subject=hi%20there>',
    'X-Unknown-Thing: anything: goes, here;really',
    'Expires: 3600',
    'Content-Length: 0',
  ]),
  'response with a UTF-8 reason phrase and binary body': wire(
    [
      'SIP/2.0 200 Всё хорошо ✓',
      'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-r',
      'To: <sip:1002@127.0.0.1>;tag=t2',
      'From: "Алиса" <sip:1001@127.0.0.1>;tag=t1',
      'Call-ID: utf8.1',
      'CSeq: 1 MESSAGE',
      'Content-Type: application/octet-stream',
      `Content-Length: ${BINARY.length}`,
    ],
    BINARY,
  ),
};

t.test('parse → toBuffer → parse keeps every field', async (t) => {
  for (const [name, data] of Object.entries(CORPUS)) {
    const first = parse(data);
    const again = parse(first.toBuffer());
    t.same(fields(again), fields(first), name);
    t.ok(again.toBuffer().equals(first.toBuffer()), `${name}: serialising is stable`);
  }
});

t.test('the body is copied byte for byte, non-UTF-8 octets included', async (t) => {
  const m = parse(CORPUS['response with a UTF-8 reason phrase and binary body']);
  t.ok(m.body.equals(BINARY));
  const out = m.toBuffer();
  t.ok(out.subarray(out.length - BINARY.length).equals(BINARY), 'body is the tail of the wire form');
  t.ok(parse(out).body.equals(BINARY));
});

function contentLengths(data: Buffer): string[] {
  const head = data.toString('latin1', 0, data.indexOf('\r\n\r\n'));
  return head.split('\r\n').filter((l) => /^content-length:/i.test(l));
}

t.test('Content-Length is written from the body', async (t) => {
  t.test('extra datagram octets are not carried over', async (t) => {
    const m = parse(Buffer.concat([CORPUS['INVITE with SDP'], Buffer.from('trailing junk')]));
    t.same(contentLengths(m.toBuffer()), [`Content-Length: ${SDP.length}`]);
  });
  t.test('after the body changes', async (t) => {
    const m = parse(CORPUS['INVITE with SDP']);
    m.body = Buffer.from('v=0\r\n');
    const out = m.toBuffer();
    t.same(contentLengths(out), ['Content-Length: 5']);
    t.equal(parse(out).body.toString(), 'v=0\r\n');
  });
  t.test('when the message had none, and exactly once', async (t) => {
    const m = parse(wire(['OPTIONS sip:a@127.0.0.1 SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKn', 'To: <sip:a@127.0.0.1>', 'From: <sip:b@127.0.0.1>;tag=1', 'Call-ID: n', 'CSeq: 1 OPTIONS'], 'abc'));
    m.set('content-length', '999');
    t.same(contentLengths(m.toBuffer()), ['Content-Length: 3']);
  });
});

t.test('header editing', async (t) => {
  const fresh = (): SipRequest => parse(CORPUS['INVITE with SDP']) as SipRequest;

  t.test('add puts a new top Via first and invalidates the parsed Vias', async (t) => {
    const m = fresh();
    t.equal(m.vias!.length, 1);
    m.add('Via', 'SIP/2.0/TCP 127.0.0.2;branch=z9hG4bKtop', true);
    t.same(m.vias!.map((v) => v.host), ['127.0.0.2', '127.0.0.1']);
    t.equal(m.topVia!.params.get('branch'), 'z9hG4bKtop');
  });

  t.test('add appends after the existing lines of that header', async (t) => {
    const m = fresh();
    m.add('Record-Route', '<sip:p1.switchyard.test;lr>');
    m.add('Record-Route', '<sip:p2.switchyard.test;lr>');
    m.add('contact', '<sip:second@127.0.0.1>');
    t.same(m.lines('record-route'), ['<sip:p1.switchyard.test;lr>', '<sip:p2.switchyard.test;lr>']);
    t.equal(m.contacts()!.list.length, 2);
    const names = [...m.headerKeys()];
    t.equal(names.indexOf('contact') < names.indexOf('to'), true, 'Contact keeps its place');
    const head = m.toString();
    t.match(head, /Contact: <sip:1001[^\r]*\r\nContact: <sip:second@127\.0\.0\.1>\r\nTo:/, 'lines of a header stay together');
  });

  t.test('set replaces every line in place; remove drops them', async (t) => {
    const m = fresh();
    t.equal(m.fromTag, '9fxced76sl');
    m.from!.params.set('tag', 'edited');
    t.equal(m.fromTag, 'edited', 'fromTag reads the parsed From once there is one');
    m.set('FROM', '<sip:other@127.0.0.1>;tag=new');
    t.equal(m.fromTag, 'new', 'parsed From is invalidated');
    t.equal([...m.headerKeys()].indexOf('from'), 4, 'position kept');
    // To, likewise: its tag from what the parser handed over, then from a parsed To.
    t.equal(m.toTag, undefined, 'an initial INVITE has no To tag');
    m.set('to', '<sip:bob@127.0.0.1>;tag=first');
    t.equal(m.toTag, 'first');
    m.to!.params.set('tag', 'edited');
    t.equal(m.toTag, 'edited', 'toTag reads the parsed To once there is one');
    m.set('To', '<sip:bob@127.0.0.1>;tag=new');
    t.equal(m.toTag, 'new', 'parsed To is invalidated');
    m.set('x-new', ['a', 'b']);
    t.same(m.getAll('X-New'), ['a', 'b']);
    m.remove('x-new').remove('contact');
    t.equal(m.has('contact'), false);
    t.same(m.contacts(), { star: false, list: [] });
    t.equal(m.get('x-new'), undefined);
  });

  t.test('getAll splits list headers only', async (t) => {
    const m = parse(CORPUS['folded, compact and oddly cased headers']);
    t.equal(m.getAll('contact').length, 2);
    t.equal(m.getAll('via').length, 3);
    t.same(m.getAll('subject'), ['first line second line']);
  });

  t.test('Contact: * stands alone', async (t) => {
    const m = fresh();
    m.set('contact', '*');
    t.same(m.contacts(), { star: true, list: [] });
  });
});
