// transfer(target) for callers without REFER, over real SIP and RTP: SIPp plays a phone that
// leaves REFER out of its Allow header, or lists it but answers REFER with 403 / 501. The
// engine then calls the target itself (a SimulatedCallee) and bridges the caller with it: the
// target hears the caller's audio, the dialplan is done with the call ('transferred'), and
// when the target hangs up the caller gets the BYE. A target that is busy fails the transfer
// and leaves the call with the dialplan. Nothing is left behind.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseWav, rmsDbfs } from '../../../dialplan/audio/wav.js';
import { defineDialplan, type HangupEvent } from '../../../dialplan/index.js';
import { SimulatedCallee, startTestEngine } from '../../../dialplan/testkit/index.js';
import type { RecordingResult } from '../../../media/index.js';
import { runSipp, sippReport, type SippResult } from '../../integration/harness.js';
import { startEngine as startMediaEngine, waitFor } from '../media/helpers.js';

const media = startMediaEngine(t, 36800);
const dir = await mkdtemp(join(tmpdir(), 'transfer-new-leg-'));
t.teardown(() => rm(dir, { recursive: true, force: true }));

// The first three calls the target gets are answered (and hung up after 2.5 s); the fourth is busy.
const callee = await SimulatedCallee.start({ media, behaviour: (n) => (n < 3 ? { answer: true, hangupAfterMs: 2500 } : { reject: 486 }) });
t.teardown(() => callee.stop());

/** Per SIPp call: how transfer() ended and how the Call ended. */
const outcomes: { transfer: string; hangup?: HangupEvent }[] = [];
// SIP timer T1 at its RFC 3261 default: SIPp answers a retransmitted REFER as an unexpected message.
const kit = await startTestEngine({
  media,
  t1: 500,
  dialplan: defineDialplan({
    routes: [
      {
        match: { number: 'xfer' },
        handler: async (call) => {
          const outcome: (typeof outcomes)[number] = { transfer: 'pending' };
          outcomes.push(outcome);
          call.once('hangup', (e) => (outcome.hangup = e));
          await call.answer();
          try {
            await call.transfer(callee.uri('desk'), { timeoutMs: 5000 });
            outcome.transfer = 'done';
          } catch (err) {
            outcome.transfer = (err as { code?: string }).code ?? String(err);
            await call.hangup();
          }
        },
      },
    ],
  }),
});
t.teardown(() => kit.stop());

/** Records what the target hears on its n-th call from the moment it answers until it hangs up. */
async function targetHears(n: number): Promise<RecordingResult> {
  await waitFor(`the target's call ${n} to be answered`, () => callee.calls[n]?.leg !== undefined);
  return callee.calls[n].leg!.endpoint.record(join(dir, `target-${n}.wav`)).done();
}

function expectOne(t: Test, r: SippResult, what: string): void {
  t.equal(r.stats.successful, 1, `${what}: the SIPp call succeeded\n${r.stats.successful === 1 ? '' : sippReport(r)}`);
}

const sipp = { target: kit.stack.port, service: 'xfer', timeoutMs: 30_000 };
const NO_REFER = 'INVITE, ACK, CANCEL, BYE, OPTIONS';
const WITH_REFER = `${NO_REFER}, REFER`;

/** The refusing phone's scenario with `status` as its answer to REFER. */
async function refusing(status: number): Promise<string> {
  const template = await readFile(new URL('../../../../test/integration/scenarios/uac-transfer-refer-refused.xml', import.meta.url), 'utf8');
  const file = join(dir, `refer-${status}.xml`);
  await writeFile(file, template.replaceAll('REFER_STATUS', String(status)));
  return file;
}

const cases = [
  { name: 'Allow without REFER: no REFER is sent', scenario: 'uac-transfer-no-refer.xml', keys: { allow: NO_REFER } },
  { name: 'REFER answered 501', scenario: await refusing(501), keys: { allow: WITH_REFER } },
  { name: 'REFER answered 403', scenario: await refusing(403), keys: { allow: WITH_REFER } },
];

for (const [n, c] of cases.entries()) {
  t.test(`${c.name}: the engine calls the target and bridges the caller to it`, async (t) => {
    const [run, heard] = await Promise.all([runSipp({ ...sipp, scenario: c.scenario, keys: c.keys }), targetHears(n)]);
    expectOne(t, run, c.name);
    t.same(outcomes[n], { transfer: 'done', hangup: { by: 'dialplan', cause: 'transferred' } }, 'transfer() resolved; the dialplan is done with the call');
    const level = rmsDbfs(parseWav(await readFile(heard.path)).samples);
    t.ok(level > -45, `the target hears the caller's audio (${level.toFixed(1)} dBFS)`);
  });
}

t.test('a busy target fails the transfer; the call stays with the dialplan', async (t) => {
  const run = await runSipp({ ...sipp, scenario: 'uac-transfer-no-refer.xml', keys: { allow: NO_REFER } });
  expectOne(t, run, 'busy target');
  t.match(outcomes[3], { transfer: 'transfer-failed', hangup: { by: 'dialplan', cause: 'normal' } }, 'DialplanError transfer-failed, then the dialplan hung up itself');
});

t.test('nothing is left behind', async (t) => {
  await waitFor('calls and endpoints to be gone', () => kit.runner.activeCalls === 0 && media.stats().endpoints === 0 && media.stats().mixers === 0);
  await waitFor('dialogs to be gone', () => kit.stack.stats.dialogs === 0 && callee.stack.stats.dialogs === 0);
  t.pass('no call, endpoint, mixer or dialog is left');
});
