// Registrar over real UDP (RFC 3261 §10.3): digest challenge and retry, wrong password
// re-challenged once then 403, stale nonces, several contacts, wildcard removal, Min-Expires.
import t from 'tap';
import pino from 'pino';
import { SipStack } from '../../../engine/sip/stack.js';
import { Registrar } from '../../../engine/sip/registrar.js';
import { NonceManager, buildAuthorization, parseDigestHeader } from '../../../engine/sip/auth/digest.js';
import { HOST, UdpPeer, formatMessage, newBranch, rand } from './raw-peer.js';

let clock = Date.now();
const stack = new SipStack({ host: HOST, port: 0, logger: pino({ level: 'silent' }), timers: { t1: 50, t2: 400, t4: 500 } });
const registrar = new Registrar({
  realm: 'switchyard',
  users: new Map([['1001', 'secret-1001'], ['1002', 'secret-1002']]),
  algorithms: ['SHA-256', 'MD5'],
  nonceLifetimeMs: 60_000,
  now: () => clock,
});
stack.register((req, res) => registrar.handle(req, res));
await stack.start();
const peer = await UdpPeer.open();
t.teardown(async () => {
  registrar.close();
  await peer.close();
  await stack.stop();
});

/** One REGISTER dialogue of the peer: same Call-ID, rising CSeq. */
class Registration {
  callId = `${rand()}@${HOST}`;
  tag = rand();
  cseq = 1;
  constructor(readonly user: string) {}

  async send(opts: { contacts?: string[]; expires?: number; authorization?: string } = {}) {
    const since = peer.received.length;
    const headers = [
      `Via: SIP/2.0/UDP ${HOST}:${peer.port};branch=${newBranch()};rport`,
      'Max-Forwards: 70',
      `From: <sip:${this.user}@${HOST}>;tag=${this.tag}`,
      `To: <sip:${this.user}@${HOST}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq++} REGISTER`,
      ...(opts.contacts ?? [`<sip:${this.user}@${HOST}:${peer.port}>`]).map((c) => `Contact: ${c}`),
      ...(opts.expires !== undefined ? [`Expires: ${opts.expires}`] : []),
      ...(opts.authorization ? [`Authorization: ${opts.authorization}`] : []),
    ];
    peer.send(formatMessage(`REGISTER sip:${HOST}:${stack.port} SIP/2.0`, headers), stack.port);
    const got = await peer.wait((m) => !m.isRequest && m.cseq?.method === 'REGISTER' && m.cseq.seq === this.cseq - 1, 'REGISTER response', { since });
    return got.msg as import('../../../engine/sip/message.js').SipResponse;
  }

  /** Sends, answers the challenge with `password`, returns the final response. */
  async withAuth(password: string, opts: { contacts?: string[]; expires?: number } = {}) {
    const challenge = await this.send(opts);
    if (challenge.status !== 401) return challenge;
    return this.send({ ...opts, authorization: answer(challenge, this.user, password) });
  }
}

function answer(challenge: import('../../../engine/sip/message.js').SipResponse, user: string, password: string, which = 0): string {
  const parsed = parseDigestHeader(challenge.getAll('www-authenticate')[which] ?? challenge.lines('www-authenticate')[which]);
  if (!parsed) throw new Error('no challenge');
  return buildAuthorization({ challenge: parsed.params, username: user, password, method: 'REGISTER', uri: `sip:${HOST}:${stack.port}` });
}

t.test('challenge lists SHA-256 then MD5, and either answer registers', async (t) => {
  const reg = new Registration('1001');
  const challenge = await reg.send();
  t.equal(challenge.status, 401);
  const offers = challenge.lines('www-authenticate');
  t.match(offers[0], /algorithm=SHA-256/);
  t.match(offers[1], /algorithm=MD5/);
  const ok = await reg.send({ authorization: answer(challenge, '1001', 'secret-1001', 1) });
  t.equal(ok.status, 200, 'MD5 answer accepted');
  t.match(ok.get('contact') ?? '', new RegExp(`sip:1001@${HOST}:${peer.port}`));
  const again = await reg.withAuth('secret-1001');
  t.equal(again.status, 200, 'SHA-256 answer accepted');
  t.equal(registrar.lookup('1001').length, 1, 'one binding, refreshed not duplicated');
});

t.test('a wrong password is re-challenged once, then refused with 403', async (t) => {
  const reg = new Registration('1002');
  const first = await reg.send();
  const retry = await reg.send({ authorization: answer(first, '1002', 'wrong') });
  t.equal(retry.status, 401, 'first wrong answer: a fresh challenge');
  const refused = await reg.send({ authorization: answer(retry, '1002', 'wrong') });
  t.equal(refused.status, 403, 'second wrong answer: 403');
  t.equal(registrar.lookup('1002').length, 0);
});

t.test('an unknown user looks exactly like a wrong password', async (t) => {
  const reg = new Registration('7777');
  const first = await reg.send();
  t.equal(first.status, 401, 'challenged like anyone');
  const retry = await reg.send({ authorization: answer(first, '7777', 'guess') });
  t.equal(retry.status, 401);
  const refused = await reg.send({ authorization: answer(retry, '7777', 'guess') });
  t.equal(refused.status, 403, 'never 404, which would reveal the user does not exist');
});

t.test('an expired nonce gets a new challenge with stale=true', async (t) => {
  const reg = new Registration('1001');
  const challenge = await reg.send();
  clock += 120_000;
  const stale = await reg.send({ authorization: answer(challenge, '1001', 'secret-1001') });
  t.equal(stale.status, 401);
  t.match(stale.get('www-authenticate') ?? '', /stale=true/i, 'stale flag (case-insensitive, RFC 7616 §3.3)');
  const ok = await reg.send({ authorization: answer(stale, '1001', 'secret-1001') });
  t.equal(ok.status, 200, 'the fresh nonce works');
});

t.test('several contacts, expiry per contact, wildcard removal', async (t) => {
  const reg = new Registration('1001');
  const two = await reg.withAuth('secret-1001', {
    contacts: [`<sip:1001@${HOST}:40001>;expires=120`, `<sip:1001@${HOST}:40002>;q=0.5`],
    expires: 600,
  });
  t.equal(two.status, 200);
  const bindings = registrar.lookup('1001').map((b) => b.contact);
  t.ok(bindings.includes(`sip:1001@${HOST}:40001`) && bindings.includes(`sip:1001@${HOST}:40002`), 'both contacts bound');
  clock += 121_000;
  t.notOk(registrar.lookup('1001').some((b) => b.contact.endsWith(':40001')), 'the 120 s contact expired');
  t.ok(registrar.lookup('1001').some((b) => b.contact.endsWith(':40002')), 'the 600 s contact lives on');

  const bad = await reg.withAuth('secret-1001', { contacts: ['*'], expires: 60 });
  t.equal(bad.status, 400, '* needs Expires: 0');
  const cleared = await reg.withAuth('secret-1001', { contacts: ['*'], expires: 0 });
  t.equal(cleared.status, 200);
  t.equal(registrar.lookup('1001').length, 0, 'wildcard removed every binding');
});

t.test('too short an expiry gets 423 with Min-Expires; Expires 0 unregisters one contact', async (t) => {
  const reg = new Registration('1001');
  const brief = await reg.withAuth('secret-1001', { expires: 5 });
  t.equal(brief.status, 423);
  t.equal(brief.get('min-expires'), '60');
  t.equal((await reg.withAuth('secret-1001', { expires: 300 })).status, 200);
  t.equal(registrar.lookup('1001').length, 1);
  t.equal((await reg.withAuth('secret-1001', { expires: 0 })).status, 200);
  t.equal(registrar.lookup('1001').length, 0, 'unregistered');
});

t.test('nonces are not accepted from another registrar secret', async (t) => {
  const foreign = new NonceManager({ lifetimeMs: 60_000 }).issue();
  const reg = new Registration('1001');
  const forged = buildAuthorization({
    challenge: { realm: 'switchyard', nonce: foreign, qop: 'auth', algorithm: 'MD5' },
    username: '1001',
    password: 'secret-1001',
    method: 'REGISTER',
    uri: `sip:${HOST}:${stack.port}`,
  });
  const res = await reg.send({ authorization: forged });
  t.not(res.status, 200, 'a nonce we did not issue is refused');
});
