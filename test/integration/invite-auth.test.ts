// Digest authentication of INVITEs from local users (407 Proxy-Authenticate, RFC 3261 §22.3),
// on a started engine with real SIPp and raw SIP phones: a user's call answers the challenge
// (SIPp's [authentication], the phone's Proxy-Authorization) and goes through, a wrong password
// is re-challenged once then refused, callers from outside are not challenged, a per-user
// override exempts one extension, and with challenges off (the tests' default) nothing changes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { loadConfig } from '../../engine/config.js';
import { expectCalls, runSipp, startEngine } from './harness.js';
import { SoftPhone } from './softphone.js';

const dir = mkdtempSync(join(tmpdir(), 'invite-auth-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const configFile = join(dir, 'config.json');
writeFileSync(configFile, JSON.stringify({ auth: { invites: { users: { '1002': false } } } }));

t.test('the demo configuration challenges INVITEs; SWITCHYARD_CHALLENGE_INVITES switches it', async (t) => {
  t.equal(loadConfig({}).auth.invites.challenge, true);
  t.equal(loadConfig({ SWITCHYARD_CHALLENGE_INVITES: '0' }).auth.invites.challenge, false);
  t.throws(() => loadConfig({ SWITCHYARD_CHALLENGE_INVITES: 'maybe' }), /SWITCHYARD_CHALLENGE_INVITES must be 0 or 1/);
});

t.test('challenges on', async (t) => {
  const engine = await startEngine({ env: { SWITCHYARD_CONFIG: configFile, SWITCHYARD_CHALLENGE_INVITES: '1', SWITCHYARD_ADMIN_TOKEN: 'admin' } });
  t.teardown(engine.stop);
  const phones: SoftPhone[] = [];
  t.teardown(async () => {
    for (const p of phones) await p.close();
  });
  const phone = async (user: string) => {
    const p = await SoftPhone.open(engine.sipPort, user, 1000);
    phones.push(p);
    return p;
  };

  t.test('SIPp as user 1001 answers the 407 with [authentication] and the call completes', async (t) => {
    const r = await runSipp({ scenario: 'uac-call-auth.xml', target: engine.sipPort, service: 'answer', keys: { user: '1001' }, args: ['-au', '1001', '-ap', 'secret-1001'] });
    expectCalls(t, r, 1, 'authenticated call to answer', engine);
    t.match(r.messages, /SIP\/2.0 407 /, 'the first INVITE was challenged');
  });

  t.test('a caller from outside (not a local user) is not challenged', async (t) => {
    const r = await runSipp({ scenario: 'uac-call.xml', target: engine.sipPort, service: 'answer' });
    expectCalls(t, r, 1, 'call from sipp to answer', engine);
  });

  t.test('a phone: 407 without credentials; with them, its feature code works', async (t) => {
    const anna = await phone('1001');
    await anna.register();
    t.equal(await anna.dialFails('*50'), 407, 'no credentials: 407');
    anna.invitePassword = 'secret-1001';
    await anna.dial('*50');
    t.equal(anna.challenges, 2, 'the second INVITE was challenged too, and answered');
    for (let i = 0; i < 100 && anna.byes === 0; i++) await sleep(100);
    t.equal(anna.byes, 1, 'the engine beeped and hung up');
    const agent = await fetch(`http://127.0.0.1:${engine.httpPort}/api/agents/agent-1001`, { headers: { authorization: 'Bearer admin' } });
    t.match(await agent.json(), { state: 'available', reason: 'phone' }, 'the feature code was taken: Anna is available');
  });

  t.test('a wrong password is challenged once more, then refused with 403', async (t) => {
    const boris = await phone('1003');
    boris.invitePassword = 'wrong';
    t.equal(await boris.dialFails('answer'), 407, 'the first wrong answer gets a fresh challenge');
    t.equal(await boris.dialFails('answer'), 403, 'the second is refused');
  });

  t.test('a per-user override: 1002 is not challenged', async (t) => {
    const carl = await phone('1002');
    await carl.dial('answer');
    t.equal(carl.challenges, 0);
    t.equal(await carl.hangUp(), 200);
  });
});

t.test('challenges off: a local user dials without credentials', async (t) => {
  const engine = await startEngine();
  t.teardown(engine.stop);
  const anna = await SoftPhone.open(engine.sipPort, '1001', 1000);
  t.teardown(() => anna.close());
  await anna.dial('answer');
  t.equal(anna.challenges, 0, 'no 407');
  t.equal(await anna.hangUp(), 200);
});
