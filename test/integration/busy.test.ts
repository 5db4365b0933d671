// 486 Busy Here from the engine's `busy` number and relayed from a busy callee.
import t from 'tap';
import { expectCalls, runSipp, startEngine, startRegisteredCallee } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('busy answers 486', async (t) => {
  const caller = await runSipp({ scenario: 'uac-busy.xml', target: engine.sipPort, service: 'busy', calls: 5 });
  expectCalls(t, caller, 5, 'busy calls', engine);
});

t.test("the B2BUA relays the callee's 486", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1007', 'uas-busy.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-busy.xml', target: engine.sipPort, service: '1007' });
  expectCalls(t, caller, 1, 'caller gets 486', engine);
  expectCalls(t, await callee.done, 1, 'busy callee', engine);
});
