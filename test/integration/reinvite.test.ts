// Hold (a=sendonly) and resume (a=sendrecv) with re-INVITEs, answered by the engine and
// relayed through the B2BUA. The scenarios check the SDP direction in each answer.
import t from 'tap';
import { expectCalls, runSipp, startEngine, startRegisteredCallee } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('answer: recvonly for a sendonly offer, sendrecv on resume', async (t) => {
  const caller = await runSipp({ scenario: 'uac-hold.xml', target: engine.sipPort, service: 'answer', calls: 3 });
  expectCalls(t, caller, 3, 'hold and resume', engine);
});

t.test('the B2BUA relays both re-INVITEs to the callee', async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1008', 'uas-hold.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-hold.xml', target: engine.sipPort, service: '1008' });
  expectCalls(t, caller, 1, 'caller', engine);
  expectCalls(t, await callee.done, 1, 'callee sees sendonly, then sendrecv', engine);
});
