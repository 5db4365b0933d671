// BYE from each side: to and from the engine itself, and through the B2BUA in both
// directions (the SIPp callee is registered as a demo user).
import t from 'tap';
import { expectCalls, runSipp, startEngine, startRegisteredCallee } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('caller hangs up a call to answer', async (t) => {
  const caller = await runSipp({ scenario: 'uac-call.xml', target: engine.sipPort, service: 'answer', calls: 3 });
  expectCalls(t, caller, 3, 'caller', engine);
});

t.test('hangup: the engine sends the BYE', async (t) => {
  const caller = await runSipp({ scenario: 'uac-recv-bye.xml', target: engine.sipPort, service: 'hangup', calls: 3 });
  expectCalls(t, caller, 3, 'caller receives BYE', engine);
});

t.test("through the B2BUA, the caller's BYE reaches the callee", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1002', 'uas-answer.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-call.xml', target: engine.sipPort, service: '1002' });
  expectCalls(t, caller, 1, 'caller', engine);
  expectCalls(t, await callee.done, 1, 'callee receives BYE', engine);
});

t.test("through the B2BUA, the callee's BYE reaches the caller", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1003', 'uas-answer-bye.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-recv-bye.xml', target: engine.sipPort, service: '1003' });
  expectCalls(t, caller, 1, 'caller receives BYE', engine);
  expectCalls(t, await callee.done, 1, 'callee', engine);
});
