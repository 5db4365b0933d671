// REGISTER with digest authentication, calls to the registered SIPp, and un-REGISTER.
import t from 'tap';
import { expectCalls, freePort, registerUser, runSipp, startEngine, startSippServer } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('a registered user is reachable until it un-registers', async (t) => {
  const port = await freePort();
  expectCalls(t, await registerUser(engine.sipPort, '1006', port), 1, 'REGISTER 1006', engine);

  const callee = await startSippServer({ scenario: 'uas-answer.xml', localPort: port });
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-call.xml', target: engine.sipPort, service: '1006' });
  expectCalls(t, caller, 1, 'call to 1006', engine);
  expectCalls(t, await callee.done, 1, 'registered callee', engine);

  expectCalls(t, await registerUser(engine.sipPort, '1006', port, 0), 1, 'un-REGISTER 1006', engine);
  const after = await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: '1006' });
  expectCalls(t, after, 1, 'call to 1006 after un-REGISTER gets 480', engine);
});

t.test('a user that never registered is unavailable (480)', async (t) => {
  const caller = await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: '1010' });
  expectCalls(t, caller, 1, 'call to 1010', engine);
});

t.test('REGISTER with a wrong password is refused', async (t) => {
  const wrong = await runSipp({
    scenario: 'uac-register.xml',
    target: engine.sipPort,
    service: '1009',
    keys: { expires: '3600' },
    args: ['-au', '1009', '-ap', 'not-the-password'],
  });
  t.equal(wrong.stats.successful, 0, 'no registration succeeded');
  t.equal(wrong.stats.failed, 1, 'the registration failed');
});
