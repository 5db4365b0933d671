// Trunks over real UDP on loopback: outbound registration against the engine's own registrar
// (401 challenge, refresh before expiry, back-off on failure, unregister on stop), a silent
// gateway, and an INVITE answered after a 407 challenge.
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import pino from 'pino';
import t, { type Test } from 'tap';
import { NonceManager, formatChallenge, parseDigestHeader, verifyAuthorization } from '../../../engine/sip/auth/digest.js';
import { Registrar, SipStack } from '../../../engine/sip/index.js';
import { Trunks } from '../../../dialplan/trunk/trunk.js';
import type { OutboundRegistration, RegistrationEvents } from '../../../dialplan/trunk/registration.js';

const HOST = '127.0.0.1';
const logger = pino({ level: 'silent' });
const timers = { t1: 20, t2: 160, t4: 200 };

async function stackOn(t: Test): Promise<SipStack> {
  const stack = new SipStack({ host: HOST, port: 0, logger, timers });
  await stack.start();
  t.teardown(() => stack.stop());
  return stack;
}

/** A provider: a SIP stack with a registrar for `trunk1`, recording every REGISTER it gets. */
async function provider(t: Test, password: string) {
  const stack = await stackOn(t);
  const users = new Map([['trunk1', password]]);
  const registrar = new Registrar({ realm: 'provider', users, algorithms: ['MD5'], minExpires: 1 });
  t.teardown(() => registrar.close());
  const registers: { callId: string; cseq: number; authorized: boolean; expires: string | undefined }[] = [];
  stack.register((req, res) => {
    registers.push({ callId: req.callId, cseq: req.msg.cseq!.seq, authorized: req.has('authorization'), expires: req.get('expires') });
    registrar.handle(req, res);
  });
  return { stack, registrar, users, registers };
}

async function registered(reg: OutboundRegistration): Promise<RegistrationEvents['registered'][0]> {
  return ((await once(reg, 'registered')) as RegistrationEvents['registered'])[0];
}

async function failed(reg: OutboundRegistration): Promise<RegistrationEvents['failed'][0]> {
  return ((await once(reg, 'failed')) as RegistrationEvents['failed'])[0];
}

t.test('registers after a 401 challenge, refreshes before expiry, unregisters on stop', async (t) => {
  const p = await provider(t, 'pw');
  const engine = await stackOn(t);
  const trunks = new Trunks({ prov: { host: HOST, port: p.stack.port, username: 'trunk1', password: 'pw', register: { expires: 2 } } }, engine, logger);
  const reg = trunks.get('prov').registrar!;
  const first = registered(reg);
  trunks.start();
  const granted = await first;
  t.equal(granted.expires, 2, 'the registrar granted the requested 2 s');
  t.ok(granted.refreshInMs < 2000, 'the refresh is planned before expiry');
  t.same(p.registrar.lookup('trunk1').map((b) => b.contact), [`sip:trunk1@${HOST}:${engine.port}`], 'the binding points at the engine');
  t.same(p.registers.slice(0, 2).map((r) => r.authorized), [false, true], 'challenged first, then answered with credentials');
  t.same(trunks.status, [{ name: 'prov', target: `udp:${HOST}:${p.stack.port}`, registration: 'registered' }]);

  await registered(reg);
  t.equal(p.registers.length, 3, 'one refresh REGISTER, not challenged again');
  t.ok(p.registers[2].authorized, 'the refresh reuses the credentials with the next nonce-count');
  t.ok(p.registers.every((r) => r.callId === p.registers[0].callId), 'one Call-ID for every registration (RFC 3261 §10.2)');
  t.ok(p.registers.every((r, i) => i === 0 || r.cseq > p.registers[i - 1].cseq), 'CSeq grows');
  t.equal(p.registrar.lookup('trunk1').length, 1, 'still registered after the refresh (no expiry gap)');

  await trunks.stop();
  t.equal(p.registers.at(-1)?.expires, '0', 'stop sends Expires: 0');
  t.equal(p.registrar.lookup('trunk1').length, 0, 'the binding is gone');
  t.equal(reg.state, 'stopped');
});

t.test('a refused registration is retried with growing back-off until it succeeds', async (t) => {
  const p = await provider(t, 'right');
  const engine = await stackOn(t);
  const trunks = new Trunks({ prov: { host: HOST, port: p.stack.port, username: 'trunk1', password: 'wrong', register: { expires: 60, retryMs: 100 } } }, engine, logger);
  t.teardown(() => trunks.stop());
  const reg = trunks.get('prov').registrar!;
  const failures: RegistrationEvents['failed'][0][] = [];
  reg.on('failed', (f) => failures.push(f));
  trunks.start();
  await failed(reg);
  await failed(reg);
  await failed(reg);
  t.same(failures.map((f) => f.attempt), [1, 2, 3]);
  t.ok(failures.every((f) => f.status === 401 || f.status === 403), `refused with 401/403 (${failures.map((f) => f.status).join(', ')})`);
  t.ok(failures[1].retryInMs > failures[0].retryInMs && failures[2].retryInMs > failures[1].retryInMs, `back-off grows: ${failures.map((f) => f.retryInMs).join(', ')} ms`);
  t.equal(reg.state, 'failed');
  // The provider fixes the account: the next retry gets through.
  p.users.set('trunk1', 'wrong');
  const ok = await registered(reg);
  t.equal(ok.expires, 60);
  t.equal(p.registrar.lookup('trunk1').length, 1);
});

t.test('a gateway that never answers: 408 after the transaction timeout, then a retry', async (t) => {
  const silent = createSocket('udp4');
  await new Promise<void>((resolve) => silent.bind(0, HOST, resolve));
  t.teardown(() => silent.close());
  let received = 0;
  silent.on('message', () => received++);
  const engine = await stackOn(t);
  const trunks = new Trunks({ dead: { host: HOST, port: silent.address().port, username: 'u', password: 'p', register: { retryMs: 50 } } }, engine, logger);
  t.teardown(() => trunks.stop());
  const reg = trunks.get('dead').registrar!;
  trunks.start();
  const first = await failed(reg);
  t.equal(first.status, 408);
  await failed(reg);
  t.ok(received >= 2, 'REGISTER was sent (and retransmitted)');
});

t.test('an outbound INVITE answers a 407 challenge with the trunk credentials', async (t) => {
  const gw = await stackOn(t);
  const nonces = new NonceManager({ lifetimeMs: 30_000 });
  const seen: { uri: string; from: string | undefined; auth: string }[] = [];
  gw.invite((req, res) => {
    const header = req.get('proxy-authorization');
    if (!header) {
      seen.push({ uri: req.uri, from: req.msg.from && 'user' in req.msg.from.uri ? req.msg.from.uri.user : undefined, auth: 'none' });
      res.send(407, { headers: { 'Proxy-Authenticate': formatChallenge({ realm: 'gw', nonce: nonces.issue(), algorithm: 'MD5', qop: 'auth' }) } });
      return;
    }
    const parsed = parseDigestHeader(header);
    const result = parsed ? verifyAuthorization({ header: parsed.params, method: 'INVITE', realm: 'gw', nonces, password: 'pw' }) : { ok: false as const };
    seen.push({ uri: req.uri, from: undefined, auth: result.ok ? 'ok' : 'bad' });
    if (!result.ok) {
      res.send(403);
      return;
    }
    void gw.createUAS(req, res, { localSdp: undefined });
  });
  const engine = await stackOn(t);
  const trunks = new Trunks({ gw: { host: HOST, port: gw.port, username: 'trunk1', password: 'pw', domain: 'carrier.example' } }, engine, logger);
  const dialog = await trunks.get('gw').invite('4930123456');
  t.equal(dialog.state, 'confirmed', 'the call connects');
  t.same(seen.map((s) => s.auth), ['none', 'ok'], 'challenged, then accepted with valid credentials');
  t.equal(seen[0].uri, 'sip:4930123456@carrier.example', 'Request-URI names the number at the provider domain');
  t.equal(seen[0].from, 'trunk1', 'From carries the account');
  await dialog.destroy();
});

t.test('bad trunk configuration is refused with a clear message', async (t) => {
  const engine = await stackOn(t);
  t.throws(() => new Trunks({ x: { host: 'gw.example.com' } }, engine, logger), { message: /host must be an IP address/ });
  t.throws(() => new Trunks({ x: { host: HOST, username: 'u' } }, engine, logger), { message: /username and password go together/ });
  t.throws(() => new Trunks({ x: { host: HOST, register: true } }, engine, logger), { message: /registration needs username and password/ });
  t.throws(() => new Trunks({}, engine, logger).get('nope'), { message: /no trunk named "nope"/ });
});
