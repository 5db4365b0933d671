// SIP/SIPS/tel URIs (RFC 3261 §19.1, §25.1; RFC 3966) and opaque other schemes.
import t from 'tap';
import { type SipUri, formatUri, isSipUri, parseUri, sipUri, unescapeUriPart } from '../../../engine/sip/uri.js';
import { Params } from '../../../engine/sip/params.js';

function sip(text: string): SipUri {
  const u = parseUri(text);
  if (!u || !isSipUri(u)) throw new Error(`not a SIP URI: ${text}`);
  return u;
}

t.test('parts of a SIP URI', async (t) => {
  const u = sip('SIPS:Alice:secr%65t@PBX.Switchyard.Test:5061;Transport=TLS;lr;maddr=127.0.0.1?Subject=hi%20there&Priority=urgent');
  t.equal(u.scheme, 'sips', 'scheme case-insensitive');
  t.equal(u.user, 'Alice', 'user case kept');
  t.equal(u.password, 'secret', 'password unescaped');
  t.equal(u.host, 'pbx.switchyard.test', 'host lower-cased');
  t.equal(u.port, 5061);
  t.same([...u.params], [['transport', 'TLS'], ['lr', null], ['maddr', '127.0.0.1']], 'parameter names lower-cased, values kept');
  t.same([...u.headers], [['Subject', 'hi there'], ['Priority', 'urgent']]);
});

t.test('hosts', async (t) => {
  t.same(sip('sip:127.0.0.1').host, '127.0.0.1');
  t.same(sip('sip:[2001:db8::1]:5060').host, '[2001:db8::1]');
  t.same(sip('sip:[2001:db8::1]:5060').port, 5060);
  t.same(sip('sip:[::ffff:127.0.0.1]').host, '[::ffff:127.0.0.1]');
  t.same(sip('sip:host-1.switchyard.test.').host, 'host-1.switchyard.test.', 'trailing dot');
  t.equal(sip('sip:h').user, undefined, 'no userinfo');
  t.equal(sip('sip:u@h:0').port, 0);
  t.equal(sip('sip:u@h:65535').port, 65535);
});

t.test('userinfo', async (t) => {
  t.equal(sip('sip:u:@h').password, '', 'empty password');
  t.equal(sip('sip:+1-555-0100;phone-context=switchyard.test@h;user=phone').user, '+1-555-0100;phone-context=switchyard.test', 'telephone-subscriber with ;');
  t.equal(sip('sip:a%40b%3Ac@h').user, 'a@b:c');
  t.equal(sip('sip:%00@h').user, '\0');
  t.equal(sip("sip:-_.!~*'()&=+$,;?/@h").user, "-_.!~*'()&=+$,;?/", 'every unescaped user character');
  t.equal(sip('sip:%C3%A9@h').user, '\xc3\xa9', 'escaped octets are one character each');
});

t.test('tel and other schemes', async (t) => {
  t.same(parseUri('tel:+1-555-0100;phone-context=+1'), { scheme: 'tel', number: '+1-555-0100', params: Params.from([['phone-context', '+1']]) });
  t.same(parseUri('urn:service:sos'), { scheme: 'urn', opaque: 'service:sos' });
  t.same(parseUri('soap.beep://127.0.0.1:3002'), { scheme: 'soap.beep', opaque: '//127.0.0.1:3002' });
  t.equal(parseUri('tel:'), null);
  t.equal(parseUri('tel:12 34'), null);
  t.equal(parseUri('mailto:'), null);
});

t.test('malformed URIs', async (t) => {
  for (const bad of [
    '',
    'sip',
    'sip:',
    ':user@host',
    '1sip:host',
    'sip:user@',
    'sip:@host',
    'sip:user@host name',
    'sip:user@host;lr ',
    ' sip:user@host',
    '<sip:user@host>',
    'sip:us"er@host',
    'sip:us<er@host',
    'sip:us{er@host',
    'sip:u\u00e9@host',
    'sip:%4G@host',
    'sip:user%@host',
    'sip:user%4@host',
    'sip:user@host:65536',
    'sip:user@host:',
    'sip:user@host:5x',
    'sip:user@-host',
    'sip:user@.host',
    'sip:user@ho_st',
    'sip:user@[::1',
    'sip:user@[]',
    'sip:user@[::g]',
    'sip:user@host;;lr',
    'sip:user@host;=x',
    'sip:user@host;a=',
    'sip:user@host;a="b"',
    'sip:user@host;a=%ZZ',
    'sip:user@host?',
    'sip:user@host?a',
    'sip:user@host?=b',
    'sip:user@host?a=b&',
    'sip:user@host#frag',
  ]) {
    t.equal(parseUri(bad), null, JSON.stringify(bad));
  }
});

t.test('format → parse round trip, escaping what must be escaped', async (t) => {
  for (const text of [
    'sip:1002@127.0.0.1:5060',
    'sips:alice:pw@pbx.switchyard.test;transport=tls;lr',
    'sip:[2001:db8::1]:5070;maddr=127.0.0.1',
    'sip:cal%6Cer@h;%6C%72;n%61me=v%61lue%25%34%31?Subject=hi%20there',
    'sip:I%20have%20spaces@h',
    'sip:%00%FF@h',
    'tel:+1-555-0100;phone-context=+1',
    'urn:service:sos',
  ]) {
    const u = parseUri(text)!;
    t.same(parseUri(formatUri(u)), u, text);
  }
  t.equal(formatUri(sip('sip:I%20have%20spaces@h')), 'sip:I%20have%20spaces@h');
  t.equal(formatUri(sip('sip:cal%6Cer@h;%6C%72')), 'sip:caller@h;lr', 'unnecessary escapes dropped');
  t.equal(formatUri(sip('sip:u@h;n=a%3Bb')), 'sip:u@h;n=a%3Bb', 'a ; in a parameter value stays escaped');
});

t.test('sipUri builds what formatUri writes', async (t) => {
  const u = sipUri('bob smith', '127.0.0.1', 5070, { transport: 'udp', lr: null });
  t.equal(formatUri(u), 'sip:bob%20smith@127.0.0.1:5070;transport=udp;lr');
  t.same(parseUri(formatUri(u)), { ...u, password: undefined });
  t.equal(formatUri(sipUri('€', 'h')), 'sip:%E2%82%AC@h', 'characters beyond Latin-1 escaped as UTF-8 octets');
  t.equal(formatUri(sipUri(undefined, 'h')), 'sip:h');
});

t.test('unescapeUriPart', async (t) => {
  t.equal(unescapeUriPart('plain'), 'plain');
  t.equal(unescapeUriPart('a%20b%2fc'), 'a b/c');
  t.equal(unescapeUriPart('%'), null);
  t.equal(unescapeUriPart('%2'), null);
  t.equal(unescapeUriPart('%zz'), null);
});
