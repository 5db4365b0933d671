// The voice robot over real SIP and RTP with the dialplan test kit: menus answered by DTMF,
// re-prompts on no-input then giving up, slot filling with validation, hand-off by transfer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { EspeakSynthesizer } from '../../../dialplan/tts/espeak.js';
import { defineDialplan, defineRobot, runRobot, type RobotOutcome } from '../../../dialplan/index.js';
import { SimulatedCallee, startTestEngine } from '../../../dialplan/testkit/index.js';
import { startEngine as startMediaEngine } from '../media/helpers.js';

async function until(fn: () => boolean, what: string, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

interface Noted {
  type: string;
  data: Record<string, unknown>;
  callId?: string;
}

const shop = defineRobot({
  name: 'shop',
  start: 'main',
  steps: {
    main: {
      menu: { prompt: 'Press 1 to order, 0 for a person.', choices: [{ intent: 'order', keys: '1', next: 'quantity' }, { intent: 'agent', keys: ['0', '*'], next: 'agent' }], into: 'choice' },
      attempts: 2,
      timeoutMs: 700,
      noInput: 'Sorry, I did not hear you.',
    },
    quantity: { ask: { prompt: 'How many would you like? Then press hash.', slot: 'quantity', type: 'number', min: 1, max: 99, validate: (v) => (v === 13 ? 'We do not sell thirteen.' : undefined) }, timeoutMs: 3000, next: 'confirm' },
    confirm: { ask: { prompt: 'You want {{quantity}}. Press 1 for yes, 2 for no.', slot: 'confirmed', type: 'yes-no' }, timeoutMs: 3000, next: (vars) => (vars.confirmed ? 'bye' : 'main') },
    agent: { handoff: { transfer: 'sip:desk@127.0.0.1' } },
    bye: { hangup: true, say: 'Thank you.' },
  },
});

const survey = defineRobot({
  name: 'survey',
  start: 'survey',
  steps: { survey: { survey: { csat: 'How satisfied were you, from 1 to 5?', nps: 'From 0 to 10, how likely are you to recommend us? Then press hash.' }, timeoutMs: 3000 } },
});

/** Keys typed before the robot listens are not taken (no type-ahead): give it time to start its prompt. */
const listening = () => sleep(1000);

t.test('robot flows over SIP and RTP', async (t) => {
  const media = startMediaEngine(t, 34000);
  const ttsDir = await mkdtemp(join(tmpdir(), 'robot-tts-'));
  t.teardown(() => rm(ttsDir, { recursive: true, force: true }));
  const notes: Noted[] = [];
  const playbacks: string[] = [];
  media.on('playbackDone', (_ep, { reason }) => playbacks.push(reason));
  const outcomes: RobotOutcome[] = [];
  const desk = await SimulatedCallee.start({ media, behaviour: (n) => (n === 0 ? { answer: true, hangupAfterMs: 500 } : { reject: 486 }) });
  t.teardown(() => desk.stop());
  const reception = defineRobot({
    name: 'reception',
    start: 'who',
    steps: {
      who: { ask: { prompt: 'Your customer number, then hash.', slot: 'customer', type: 'number' }, timeoutMs: 3000, next: 'person' },
      person: { handoff: { dial: desk.uri('desk'), timeoutMs: 5000 }, noAnswer: 'queue' },
      queue: { handoff: { queue: 'support', priority: 3 } },
    },
  });
  const queued: { queueId: string; callId: string; info: unknown }[] = [];
  const kit = await startTestEngine({
    // The contact centre's side of call.enqueue: records what the robot hands over; the queue times out.
    queues: async (queueId, leg, info) => (queued.push({ queueId, callId: leg.callId, info }), { kind: 'timeout' }),
    logger: (await import('pino')).default({ level: 'error' }),
    media,
    tts: new EspeakSynthesizer({ cacheDir: ttsDir }),
    events: { append: (type, data, callId) => notes.push({ type, data: data as Record<string, unknown>, callId }) },
    dialplan: defineDialplan({
      routes: [
        { match: { number: 'shop' }, handler: async (call) => void outcomes.push(await runRobot(call, shop)) },
        { match: { number: 'reception' }, handler: async (call) => void outcomes.push(await runRobot(call, reception)) },
        { match: { number: 'survey' }, handler: async (call) => void outcomes.push(await runRobot(call, survey)) },
      ],
    }),
  });
  t.teardown(() => kit.stop());
  const notesOf = (callId: string, type: string) => notes.filter((n) => n.callId === callId && n.type === type);

  t.test('a menu answered by DTMF routes to its step; a number slot is validated and filled', async (t) => {
    const caller = kit.call('shop');
    await caller.answered;
    await until(() => notes.some((n) => n.type === 'dialplan.call'), 'the call to start');
    const callId = notes.filter((n) => n.type === 'dialplan.call').at(-1)!.callId!;
    await listening();
    caller.sendDtmf('1'); // during the prompt: barge-in
    await until(() => notesOf(callId, 'robot.intent').length === 1, 'the menu choice');
    t.match(notesOf(callId, 'robot.intent')[0].data, { step: 'main', intent: 'order' });
    await listening();
    caller.sendDtmf('150#'); // above max
    await until(() => notesOf(callId, 'robot.no-match').length === 1, 'the out-of-range number to be refused');
    await listening();
    caller.sendDtmf('13#'); // refused by validate
    await until(() => notesOf(callId, 'robot.no-match').length === 2, 'the validator to refuse');
    await listening();
    caller.sendDtmf('42#');
    await until(() => notesOf(callId, 'robot.slot').length === 1, 'the slot');
    t.match(notesOf(callId, 'robot.slot')[0].data, { slot: 'quantity', value: 42 });
    await listening();
    caller.sendDtmf('1'); // yes
    t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
    await until(() => outcomes.length === 1, 'the outcome');
    t.match(outcomes[0], { status: 'completed', path: ['main', 'quantity', 'confirm', 'bye'], intents: ['order'], digits: ['1', '150', '13', '42', '1'], answers: { quantity: 42, confirmed: true } });
    t.match(notesOf(callId, 'robot.finished')[0].data, { answers: { quantity: 42, confirmed: true } }, 'the outcome is in the event log with the call');
    t.ok(playbacks.includes('dtmf'), 'a key stopped a prompt (barge-in)');
    t.ok(playbacks.includes('finished'), 'prompts played to the end');
  });

  t.test('no input: the menu asks again, then gives up and hangs up', async (t) => {
    const caller = kit.call('shop');
    await caller.answered;
    t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
    const callId = notes.filter((n) => n.type === 'dialplan.call').at(-1)!.callId!;
    t.same(notesOf(callId, 'robot.no-input').map((n) => n.data.attempt), [1, 2], 'two attempts, both without input');
    t.equal(notesOf(callId, 'robot.gave-up').length, 1);
    await until(() => outcomes.length === 2, 'the outcome');
    t.match(outcomes[1], { status: 'gave-up', path: ['main'], intents: [] });
  });

  t.test('a hand-off to a person carries the collected data in the call and its events', async (t) => {
    const caller = kit.call('shop', { transfer: 'accept' });
    await caller.answered;
    await listening();
    caller.sendDtmf('*');
    t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
    t.equal(caller.referredTo, '<sip:desk@127.0.0.1>');
    const callId = notes.filter((n) => n.type === 'dialplan.call').at(-1)!.callId!;
    t.match(notesOf(callId, 'robot.handoff')[0].data, { transfer: 'sip:desk@127.0.0.1', intents: ['agent'] });
    await until(() => outcomes.length === 3, 'the outcome');
    t.match(outcomes[2], { status: 'handed-off', handoff: { transfer: 'sip:desk@127.0.0.1' } });
  });

  t.test('the survey stores CSAT and NPS with the call; an answer out of range is asked again', async (t) => {
    const caller = kit.call('survey');
    await caller.answered;
    await until(() => notes.filter((n) => n.type === 'dialplan.call').length === 4, 'the call to start');
    const callId = notes.filter((n) => n.type === 'dialplan.call').at(-1)!.callId!;
    await listening();
    caller.sendDtmf('7'); // not 1-5
    await until(() => notesOf(callId, 'robot.no-match').length === 1, 'the re-prompt');
    await listening();
    caller.sendDtmf('4');
    await listening();
    caller.sendDtmf('10#');
    t.match(await caller.ended, { kind: 'hungup-by-dialplan' });
    t.match(notesOf(callId, 'robot.survey')[0]?.data, { robot: 'survey', csat: 4, nps: 10 });
    await until(() => outcomes.length === 4, 'the outcome');
    t.match(outcomes[3], { status: 'completed', survey: { csat: 4, nps: 10 } });
  });

  t.test('a hand-off by dial bridges the caller with a person; nobody free goes to the noAnswer step', async (t) => {
    const first = kit.call('reception');
    await first.answered;
    await listening();
    first.sendDtmf('7#');
    t.match(await first.ended, { kind: 'hungup-by-dialplan' }, 'the person hanging up ends the call');
    await until(() => outcomes.length === 5, 'the outcome');
    t.match(outcomes[4], { status: 'handed-off', answers: { customer: 7 }, handoff: { dial: [desk.uri('desk')], answeredBy: desk.uri('desk') } });
    const second = kit.call('reception');
    await second.answered;
    await listening();
    second.sendDtmf('8#');
    await second.ended;
    await until(() => outcomes.length === 6, 'the outcome');
    t.match(outcomes[5], { status: 'handed-off', path: ['who', 'person', 'queue'], handoff: { queue: 'support', result: 'timeout' } });
    t.match(queued, [{ queueId: 'support', info: { priority: 3, ivr: { robot: 'reception', customer: '8', intents: '[]' } } }], 'the queue got the collected data');
  });

  t.test('after all that: no calls, dialogs or RTP endpoints left', async (t) => {
    await until(() => kit.runner.activeCalls === 0 && kit.stack.stats.dialogs === 0 && media.stats().endpoints === 0, 'everything to end');
    t.pass('clean');
  });
});

t.test('defineRobot checks the flow when it loads', async (t) => {
  t.throws(() => defineRobot({ name: 'x', start: 'nowhere', steps: { a: { hangup: true } } }), /start step "nowhere"/);
  t.throws(() => defineRobot({ name: 'x', start: 'a', steps: { a: { say: 'hi', next: 'b' } } }), /unknown step "b"/);
  t.throws(() => defineRobot({ name: 'x', start: 'a', steps: { a: { menu: { choices: [{ intent: 'i' }] } } } }), /needs keys or phrases/);
});
