// Keys pressed in a real call: SIPp plays its RFC 2833 captures into a call that a test
// dialplan answers; the dialplan notes each key its call hears (the endpoint's 'dtmf'
// events), and the notes in the event log must be the keys SIPp pressed, in order, once each.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { expectCalls, getJson, runSipp, startEngine } from './harness.js';

const ADMIN_TOKEN = 'media-dtmf-admin';
const dir = mkdtempSync(join(tmpdir(), 'switchyard-dtmf-it-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const entry = join(dir, 'main.ts');
writeFileSync(
  entry,
  `import { defineDialplan } from 'switchyard/dialplan';
export default defineDialplan({
  routes: [
    {
      match: { number: 'keys' },
      handler: async (call) => {
        call.on('dtmf', ({ digit }) => call.note('test.key', { digit }));
        await call.answer();
        await call.pause(60_000); // the caller hangs up first
      },
    },
  ],
  default: (call) => call.hangup('no-answer'),
});
`,
);
const engine = await startEngine({ env: { SWITCHYARD_DIALPLAN: entry, SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN } });
t.teardown(engine.stop);

interface StoredEvent {
  type: string;
  callId: string | null;
  data: Record<string, unknown>;
}

t.test("RFC 2833 keys from SIPp's captures reach the call as the right digits", async (t) => {
  const result = await runSipp({ scenario: 'uac-dtmf-pcap.xml', target: engine.sipPort, service: 'keys', timeoutMs: 40000 });
  expectCalls(t, result, 1, 'call pressing 1 5 9 * #', engine);
  const deadline = Date.now() + 15000;
  let keys: StoredEvent[] = [];
  let ended = false;
  while (Date.now() < deadline) {
    const events = await getJson<StoredEvent[]>(engine, '/api/events', ADMIN_TOKEN);
    keys = events.filter((e) => e.type === 'test.key').reverse(); // the log lists the newest first
    ended = events.some((e) => e.type === 'dialplan.call-ended' && e.callId === keys[0]?.callId);
    if (ended && keys.length >= 5) break;
    await sleep(100);
  }
  t.ok(ended, 'the call ended');
  t.equal(keys.map((e) => e.data.digit).join(''), '159*#', 'each key once, in order');
  t.equal(new Set(keys.map((e) => e.callId)).size, 1, 'all in the one call');
});
