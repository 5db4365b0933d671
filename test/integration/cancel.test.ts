// CANCEL before answer and the no-answer timeout, at the engine's `ringing` number and
// through the B2BUA.
import t from 'tap';
import { expectCalls, runSipp, startEngine, startRegisteredCallee } from './harness.js';

const engine = await startEngine({ noAnswerSeconds: 3 });
t.teardown(engine.stop);

t.test('CANCEL to ringing: 200 for the CANCEL, 487 for the INVITE', async (t) => {
  const caller = await runSipp({ scenario: 'uac-cancel.xml', target: engine.sipPort, service: 'ringing', calls: 5 });
  expectCalls(t, caller, 5, 'cancelled calls', engine);
});

t.test('ringing without an answer ends with 480 after the no-answer timeout', async (t) => {
  const caller = await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: 'ringing', calls: 2 });
  expectCalls(t, caller, 2, 'unanswered calls', engine);
});

t.test("through the B2BUA, the caller's CANCEL reaches the callee", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1004', 'uas-cancelled.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-cancel.xml', target: engine.sipPort, service: '1004' });
  expectCalls(t, caller, 1, 'caller', engine);
  expectCalls(t, await callee.done, 1, 'callee receives CANCEL', engine);
});

t.test('through the B2BUA, no answer cancels the callee and gives the caller 480', async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1005', 'uas-cancelled.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: '1005' });
  expectCalls(t, caller, 1, 'caller gets 480', engine);
  expectCalls(t, await callee.done, 1, 'callee receives CANCEL', engine);
});
