// The engine with a user dialplan (SWITCHYARD_DIALPLAN): demo numbers keep working, other
// numbers go to the dialplan, and an edit to the file is live for the next call, no restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { expectCalls, runSipp, startEngine } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-dialplan-it-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const entry = join(dir, 'main.ts');

function dialplan(dpBusyCause: string): string {
  return `import { defineDialplan } from 'switchyard/dialplan';
export default defineDialplan({
  routes: [
    { match: { number: 'dp-busy' }, handler: (call) => call.hangup('${dpBusyCause}') },
    {
      match: { number: 'dp-answer' },
      handler: async (call) => {
        await call.answer();
        await call.pause(30_000); // the caller hangs up first: CallGoneError ends the handler
      },
    },
  ],
  default: (call) => call.hangup('no-answer'),
});
`;
}

writeFileSync(entry, dialplan('busy'));
const engine = await startEngine({ env: { SWITCHYARD_DIALPLAN: entry } });
t.teardown(engine.stop);

async function health(): Promise<{ dialplan: { version: number; activeCalls: number } }> {
  const res = await fetch(`http://127.0.0.1:${engine.httpPort}/api/health`);
  return (await res.json()) as { dialplan: { version: number; activeCalls: number } };
}

t.test('demo numbers still answer as before', async (t) => {
  expectCalls(t, await runSipp({ scenario: 'uac-busy.xml', target: engine.sipPort, service: 'busy' }), 1, 'demo busy', engine);
});

t.test('other numbers go to the dialplan', async (t) => {
  expectCalls(t, await runSipp({ scenario: 'uac-busy.xml', target: engine.sipPort, service: 'dp-busy', calls: 3 }), 3, 'dialplan busy', engine);
  expectCalls(t, await runSipp({ scenario: 'uac-call.xml', target: engine.sipPort, service: 'dp-answer', calls: 2 }), 2, 'dialplan answers, caller hangs up', engine);
  expectCalls(t, await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: 'anything-else' }), 1, 'dialplan default 480', engine);
  const h = await health();
  t.equal(h.dialplan.version, 1);
  t.equal(h.dialplan.activeCalls, 0, 'no dialplan call left behind');
});

t.test('an edit is picked up without a restart', async (t) => {
  writeFileSync(entry, dialplan('no-answer'));
  const deadline = Date.now() + 15_000;
  while ((await health()).dialplan.version !== 2) {
    if (Date.now() > deadline) throw new Error('the edited dialplan was not loaded');
    await sleep(50);
  }
  expectCalls(t, await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: 'dp-busy' }), 1, 'dp-busy now answers 480', engine);
});
