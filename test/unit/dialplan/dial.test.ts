// call.dial over real SIP and RTP: sequential and parallel strategies, busy / no answer, the
// answered callee bridged with the caller, hang-ups on either side, nothing left behind.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { CallGoneError, defineDialplan, type Call, type DialResult } from '../../../dialplan/index.js';
import { SimulatedCallee, startTestEngine } from '../../../dialplan/testkit/index.js';
import { startEngine as startMediaEngine, waitFor } from '../media/helpers.js';

t.test('dial', async (t) => {
  const media = startMediaEngine(t, 34400);
  const busy = await SimulatedCallee.start({ media, behaviour: () => ({ reject: 486 }) });
  const ringing = await SimulatedCallee.start({ media, behaviour: () => ({ ring: true }) });
  const answers = await SimulatedCallee.start({ media, behaviour: () => ({ answer: true, hangupAfterMs: 800 }) });
  const results: (DialResult | Error)[] = [];
  const dialFrom = (targets: string[], strategy: 'sequential' | 'parallel', timeout = 5000) => async (call: Call) => {
    try {
      results.push(await call.dial(targets, { strategy, timeout, callerId: 'sip:robot@127.0.0.1' }));
    } catch (err) {
      results.push(err as Error);
      throw err;
    }
  };
  const kit = await startTestEngine({
    media,
    dialplan: defineDialplan({
      routes: [
        { match: { number: 'seq' }, handler: dialFrom([busy.uri('a'), answers.uri('b')], 'sequential') },
        { match: { number: 'par' }, handler: dialFrom([busy.uri('a'), ringing.uri('c'), answers.uri('b')], 'parallel') },
        { match: { number: 'nobody' }, handler: async (call) => {
          await dialFrom([busy.uri('a'), ringing.uri('c')], 'sequential', 500)(call);
          await call.pause(200);
        } },
        { match: { number: 'hang-up-while-ringing' }, handler: dialFrom([ringing.uri('c')], 'sequential', 20000) },
      ],
    }),
  });
  t.teardown(async () => {
    await kit.stop();
    for (const c of [busy, ringing, answers]) await c.stop();
  });
  const clean = () => waitFor('calls, dialogs, endpoints to end', () => kit.runner.activeCalls === 0 && kit.stack.stats.dialogs === 0 && media.stats().endpoints === 0 && ringing.stack.stats.dialogs === 0);

  t.test('sequential: busy, then the next target answers; bridged until the callee hangs up', async (t) => {
    const caller = kit.call('seq');
    await caller.answered;
    t.ok(caller.provisionalStatuses.includes(183), 'not answered before a callee answered: ringback as early media');
    t.match(await caller.ended, { kind: 'hungup-by-dialplan' }, 'the callee hanging up ends the caller too');
    await waitFor('the result', () => results.length === 1);
    t.match(results[0], { status: 'answered', target: answers.uri('b'), endedBy: 'callee' });
    t.equal(busy.calls.length, 1);
    t.equal(answers.calls.length, 1);
    await clean();
  });

  t.test('parallel: the one that answers wins, the ringing one is canceled', async (t) => {
    const caller = kit.call('par');
    await caller.answered;
    await caller.ended;
    await waitFor('the result', () => results.length === 2);
    t.match(results[1], { status: 'answered', target: answers.uri('b') });
    t.equal(ringing.calls.length, 1, 'the ringing target was called');
    await clean();
  });

  t.test('nobody answers: the last failure comes back and the call goes on, still unanswered', async (t) => {
    const caller = kit.call('nobody');
    t.match(await caller.ended, { kind: 'rejected', status: 480 }, 'the handler returned: the unanswered call ends 480');
    t.ok(caller.provisionalStatuses.includes(183), 'the caller heard ringback as early media (183 with SDP)');
    t.match(results[2], { status: 'no-answer', sipStatus: 487 });
    await clean();
  });

  t.test('the caller hangs up while the target rings: dial rejects, the target is canceled', async (t) => {
    const caller = kit.call('hang-up-while-ringing');
    await caller.waitProvisional(183);
    await waitFor('the target to ring', () => ringing.calls.length === 3);
    await sleep(200);
    await caller.hangup();
    await waitFor('the result', () => results.length === 4);
    t.type(results[3], CallGoneError);
    await clean();
  });
});
