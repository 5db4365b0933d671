// Basic calls to the engine's `answer` number over UDP and TCP, and a clean shutdown.
import t from 'tap';
import { expectCalls, runSipp, startEngine } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('20 calls at 10 per second over UDP all complete', async (t) => {
  const calls = await runSipp({
    scenario: 'uac-call.xml',
    target: engine.sipPort,
    service: 'answer',
    calls: 20,
    rate: 10,
    timeoutMs: 60000,
  });
  expectCalls(t, calls, 20, 'UDP calls to answer', engine);
});

t.test('10 calls over TCP all complete', async (t) => {
  const calls = await runSipp({
    scenario: 'uac-call.xml',
    target: engine.sipPort,
    service: 'answer',
    transport: 'tcp',
    calls: 10,
    rate: 10,
    timeoutMs: 60000,
  });
  expectCalls(t, calls, 10, 'TCP calls to answer', engine);
});

t.test('SIGTERM stops the engine with exit code 0', async (t) => {
  t.equal(await engine.stop(), 0, 'exit code', { engineLog: engine.logs.slice(-20).join('\n') });
});
