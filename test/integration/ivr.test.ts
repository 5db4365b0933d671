// The `ivr` demo number of the default configuration, called by SIPp with RFC 2833 keys from
// SIPp's own pcaps: each key takes its route (echo / record / survey), the key pressed while the
// menu prompt plays stops it (barge-in), the survey's answers and the message are stored, and a
// caller hanging up mid-prompt leaves no dialog, endpoint or dialplan call behind.
import { existsSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { StoredEvent } from '../../engine/store/event-log.js';
import { expectCalls, getJson, runSipp, startEngine, type SippResult } from './harness.js';

const ADMIN_TOKEN = 'ivr-test-admin';
// No SWITCHYARD_DIALPLAN: the default configuration's dialplan serves `ivr`.
const engine = await startEngine({ env: { SWITCHYARD_ADMIN_TOKEN: ADMIN_TOKEN } });
t.teardown(engine.stop);

async function events(type: string): Promise<StoredEvent[]> {
  return getJson<StoredEvent[]>(engine, `/api/events?type=${type}&limit=1000`, ADMIN_TOKEN);
}

/** The one event of `type` the SIPp call `callId` left (the log is written in batches: poll a little). */
async function eventOf(type: string, callId: string): Promise<StoredEvent | undefined> {
  for (let i = 0; i < 50; i++) {
    const found = (await events(type)).find((e) => e.callId === callId);
    if (found) return found;
    await sleep(100);
  }
  return undefined;
}

/** The Call-ID of the one call a SIPp run placed, from its message trace. */
function callIdOf(r: SippResult): string {
  const id = /^Call-ID:\s*(\S+)/im.exec(r.messages)?.[1];
  if (!id) throw new Error(`no Call-ID in the SIPp trace:\n${r.messages.slice(0, 2000)}`);
  return id;
}

interface Health {
  sip: { dialogs: number; serverTransactions: number; clientTransactions: number };
  media: { endpoints: number; mixers: number };
  dialplan: { version: number | null; activeCalls: number };
}

t.test('the default configuration serves ivr', async (t) => {
  const h = await getJson<Health>(engine, '/api/health');
  t.equal(h.dialplan.version, 1, 'the demo dialplan is loaded');
});

t.test('each key takes its route; the key stops the menu prompt', async (t) => {
  const options = { target: engine.sipPort, service: 'ivr', timeoutMs: 60_000, recvTimeoutMs: 40_000 };
  // Three callers at once: the routes do not wait for each other.
  const [echo, record, survey] = await Promise.all([
    runSipp({ ...options, scenario: 'uac-ivr-echo.xml' }),
    runSipp({ ...options, scenario: 'uac-ivr-record.xml' }),
    runSipp({ ...options, scenario: 'uac-ivr-survey.xml' }),
  ]);
  expectCalls(t, echo, 1, 'echo caller', engine);
  expectCalls(t, record, 1, 'record caller', engine);
  expectCalls(t, survey, 1, 'survey caller', engine);

  for (const [result, key, route] of [
    [echo, '1', 'echo'],
    [record, '2', 'record'],
    [survey, '3', 'survey'],
  ] as const) {
    const choice = await eventOf('ivr.choice', callIdOf(result));
    t.match(choice?.data, { key, route, bargedIn: true, attempt: 1 }, `key ${key} took the ${route} route and stopped the menu prompt`);
  }

  const echoed = await eventOf('ivr.echo', callIdOf(echo));
  t.match(echoed?.data, { reason: 'finish-key' }, 'the echo test ended on #');

  const recorded = await eventOf('ivr.recorded', callIdOf(record));
  t.match(recorded?.data, { reason: 'finish-key' }, 'the message ended on #');
  const message = recorded?.data as { file: string; durationMs: number } | undefined;
  t.ok(message && message.durationMs > 3000, `the message holds the caller's speech (${message?.durationMs} ms)`);
  t.ok(message && existsSync(message.file) && statSync(message.file).size > 44 + 3 * 16000, 'the message is a WAV in the recordings folder');

  const answers = await eventOf('robot.survey', callIdOf(survey));
  t.match(answers?.data, { csat: 5, nps: 9 }, 'the survey answers are stored with the call');
});

t.test('a caller hanging up mid-prompt leaves nothing behind, and the next call works', async (t) => {
  const gone = await runSipp({ scenario: 'uac-ivr-hangup.xml', target: engine.sipPort, service: 'ivr', calls: 3, rate: 3 });
  expectCalls(t, gone, 3, 'callers hanging up during the menu', engine);
  let h = await getJson<Health>(engine, '/api/health');
  for (let i = 0; i < 100 && (h.sip.dialogs || h.media.endpoints || h.dialplan.activeCalls); i++) {
    await sleep(100);
    h = await getJson<Health>(engine, '/api/health');
  }
  t.same({ dialogs: h.sip.dialogs, endpoints: h.media.endpoints, mixers: h.media.mixers, dialplanCalls: h.dialplan.activeCalls }, { dialogs: 0, endpoints: 0, mixers: 0, dialplanCalls: 0 }, 'no dialog, endpoint, mixer or dialplan call left');
  const next = await runSipp({ scenario: 'uac-ivr-survey.xml', target: engine.sipPort, service: 'ivr', timeoutMs: 60_000, recvTimeoutMs: 40_000 });
  expectCalls(t, next, 1, 'the next caller', engine);
  t.match((await eventOf('robot.survey', callIdOf(next)))?.data, { csat: 5, nps: 9 });
});
