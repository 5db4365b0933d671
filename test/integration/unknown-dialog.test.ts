// In-dialog requests that match no dialog get 481 Call/Transaction Does Not Exist.
import t from 'tap';
import { expectCalls, runSipp, startEngine } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('BYE and re-INVITE with an unknown Call-ID and tags get 481', async (t) => {
  const caller = await runSipp({ scenario: 'uac-unknown-dialog.xml', target: engine.sipPort, service: 'answer', calls: 5 });
  expectCalls(t, caller, 5, 'requests answered 481', engine);
});
