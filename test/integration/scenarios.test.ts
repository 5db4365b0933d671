// Self-check of the scenario files and the harness, without the engine: every caller
// scenario runs against a SIPp callee or stand-in (mock-*.xml) that behaves as the engine
// is specified to, and the basic pair also against SIPp's built-in uac/uas. A failure
// here is a scenario or harness bug, not an engine bug.
import t, { type Test } from 'tap';
import { expectCalls, runSipp, startSippServer, type SippOptions } from './harness.js';

type ServerOptions = Omit<SippOptions, 'target'>;

/** Runs `client` against a SIPp server; both must complete `client.calls` calls. */
async function pair(tt: Test, server: ServerOptions, client: SippOptions & { calls: number }): Promise<void> {
  const callee = await startSippServer({ ...server, calls: client.calls });
  tt.teardown(callee.stop);
  const caller = await runSipp({ ...client, target: callee.localPort });
  expectCalls(tt, caller, client.calls, `caller ${client.scenario ?? client.builtin}`);
  expectCalls(tt, await callee.done, client.calls, `callee ${server.scenario ?? server.builtin}`);
}

t.test("basic call against SIPp's built-in uas", (tt) =>
  pair(tt, { builtin: 'uas' }, { scenario: 'uac-call.xml', service: 'answer', calls: 3 }),
);

t.test("SIPp's built-in uac against the answering callee", (tt) =>
  pair(tt, { scenario: 'uas-answer.xml' }, { builtin: 'uac', service: 'answer', calls: 3 }),
);

t.test('basic call, caller hangs up', (tt) =>
  pair(tt, { scenario: 'uas-answer.xml' }, { scenario: 'uac-call.xml', service: 'answer', calls: 5 }),
);

t.test('basic call over TCP', async (tt) => {
  const callee = await startSippServer({ scenario: 'uas-answer.xml', calls: 5, transport: 'tcp' });
  tt.teardown(callee.stop);
  const caller = await runSipp({
    scenario: 'uac-call.xml',
    service: 'answer',
    calls: 5,
    transport: 'tcp',
    target: callee.localPort,
  });
  // Only the caller is judged: when it exits it closes the connection while the SIPp
  // callee still sits in its timewait, which SIPp counts as a failed call.
  expectCalls(tt, caller, 5, 'caller uac-call.xml over TCP');
});

t.test('far end hangs up', (tt) =>
  pair(tt, { scenario: 'uas-answer-bye.xml' }, { scenario: 'uac-recv-bye.xml', service: 'hangup', calls: 2 }),
);

t.test('CANCEL before answer', (tt) =>
  pair(tt, { scenario: 'uas-cancelled.xml' }, { scenario: 'uac-cancel.xml', service: 'ringing', calls: 2 }),
);

t.test('busy', (tt) =>
  pair(tt, { scenario: 'uas-busy.xml' }, { scenario: 'uac-busy.xml', service: 'busy', calls: 2 }),
);

t.test('unavailable', (tt) =>
  pair(tt, { scenario: 'mock-unavailable.xml' }, { scenario: 'uac-unavailable.xml', service: 'ringing', calls: 2 }),
);

t.test('hold and unhold', (tt) =>
  pair(tt, { scenario: 'uas-hold.xml' }, { scenario: 'uac-hold.xml', service: 'answer', calls: 2 }),
);

t.test('481 for unknown dialogs', (tt) =>
  pair(tt, { scenario: 'mock-no-dialog.xml' }, { scenario: 'uac-unknown-dialog.xml', service: 'answer', calls: 2 }),
);

t.test('REGISTER with digest, then un-REGISTER', async (tt) => {
  const registrar = await startSippServer({
    scenario: 'mock-registrar.xml',
    calls: 3,
    keys: { user: '1001', password: 'secret-1001' },
  });
  tt.teardown(registrar.stop);
  const register = (expires: string, password: string) =>
    runSipp({
      scenario: 'uac-register.xml',
      target: registrar.localPort,
      service: '1001',
      keys: { expires },
      args: ['-au', '1001', '-ap', password],
      recvTimeoutMs: 3000,
    });
  expectCalls(tt, await register('3600', 'secret-1001'), 1, 'REGISTER');
  expectCalls(tt, await register('0', 'secret-1001'), 1, 'un-REGISTER');
  const wrong = await register('3600', 'not-the-password');
  tt.equal(wrong.stats.failed, 1, 'REGISTER with a wrong password fails');
  // Two accepted registrations and one 403: the registrar's own calls all end normally.
  expectCalls(tt, await registrar.done, 3, 'mock registrar');
});
