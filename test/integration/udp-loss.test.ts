// Packet loss over UDP: SIPp drops 10% of what it sends and receives (-lost 10), so
// every call must complete through retransmissions on both sides (SIPp's and the
// engine's: 2xx retransmission until the ACK, BYE answered again from the transaction).
// The bounds are generous because a lost message costs retransmission timers, not errors.
import t from 'tap';
import { expectCalls, runSipp, startEngine } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('30 calls with 10% loss all complete', async (t) => {
  const calls = await runSipp({
    scenario: 'uac-call.xml',
    target: engine.sipPort,
    service: 'answer',
    calls: 30,
    rate: 10,
    args: ['-lost', '10'],
    recvTimeoutMs: 40000,
    timeoutMs: 180000,
  });
  expectCalls(t, calls, 30, 'calls under loss', engine);
});
