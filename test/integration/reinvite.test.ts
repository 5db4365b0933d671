// Hold (a=sendonly) and resume (a=sendrecv) with re-INVITEs, answered by the engine: on an
// answered call, and on a B2BUA call where the caller's leg answers them itself (media is
// anchored) and the callee is not re-INVITEd. The scenarios check the SDP direction in each answer.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { CallInfo } from '../../engine/call/demo-routes.js';
import { expectCalls, getJson, runSipp, startEngine, startRegisteredCallee } from './harness.js';

const engine = await startEngine();
t.teardown(engine.stop);

t.test('answer: recvonly for a sendonly offer, sendrecv on resume', async (t) => {
  const caller = await runSipp({ scenario: 'uac-hold.xml', target: engine.sipPort, service: 'answer', calls: 3 });
  expectCalls(t, caller, 3, 'hold and resume', engine);
});

t.test('B2BUA: the caller leg answers hold and resume itself; the callee sees no re-INVITE', async (t) => {
  // uas-answer.xml expects INVITE, ACK, BYE only: a relayed re-INVITE would fail it.
  const callee = await startRegisteredCallee(engine.sipPort, '1008', 'uas-answer.xml');
  t.teardown(callee.stop);
  const caller = runSipp({ scenario: 'uac-hold.xml', target: engine.sipPort, service: '1008' });
  // The caller leg's hold state as GET /api/media/calls shows it, sampled until the call ends.
  const seen: string[] = [];
  let done = false;
  void caller.finally(() => (done = true));
  while (!done) {
    const call = (await getJson<CallInfo[]>(engine, '/api/media/calls')).find((c) => c.to === '1008');
    const state = call && `${call.legs[0].held ? 'held' : 'active'}/${call.legs[1].held ? 'held' : 'active'}`;
    if (state && seen[seen.length - 1] !== state) seen.push(state);
    await sleep(50);
  }
  expectCalls(t, await caller, 1, 'caller gets recvonly, then sendrecv', engine);
  expectCalls(t, await callee.done, 1, 'callee: no re-INVITE', engine);
  t.same(seen, ['active/active', 'held/active', 'active/active'], 'caller leg held then resumed; callee leg never held');
});
