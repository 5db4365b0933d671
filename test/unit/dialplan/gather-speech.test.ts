// gather({ speech }) over real SIP and RTP: the test kit's caller speaks espeak-ng words into
// the call (PCMU), the engine's VAD marks the utterance, the endpoint's recording captures it
// and pocketsphinx matches it against the asked phrases. Keys still work in the same gather,
// silence is a no-input, and a caller hanging up mid-gather leaves no capture file, endpoint
// or dialplan call behind. The words were picked by measuring the call path
// (bench/asr-call-bench.ts, see bench/RESULTS.md).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { CallGoneError, defineDialplan, defineRobot, DialplanError, NotAvailableError, runRobot, type GatherResult, type RobotOutcome } from '../../../dialplan/index.js';
import type { SpeechResult } from '../../../dialplan/media-port.js';
import { CAPTURE_PREFIX } from '../../../dialplan/speech-capture.js';
import { PocketsphinxRecognizer } from '../../../dialplan/speech/pocketsphinx.js';
import { startTestEngine } from '../../../dialplan/testkit/index.js';
import { EspeakSynthesizer } from '../../../dialplan/tts/espeak.js';
import { startEngine as startMediaEngine, waitFor } from '../media/helpers.js';

const MENU = ['billing', 'support', 'operator'];

const media = startMediaEngine(t, 36600);
const ttsCache = await mkdtemp(join(tmpdir(), 'gather-speech-tts-'));
const speechDir = await mkdtemp(join(tmpdir(), 'gather-speech-captures-'));
t.teardown(() => Promise.all([ttsCache, speechDir].map((d) => rm(d, { recursive: true, force: true }))));
/** Each call's gather result (or error) under the caller's user name. */
const results = new Map<string, GatherResult | Error>();
const heard: SpeechResult[] = [];
const robotOutcomes: RobotOutcome[] = [];

const helpdesk = defineRobot({
  name: 'helpdesk',
  start: 'main',
  speech: true,
  steps: {
    main: {
      menu: {
        prompt: 'Say billing, support or operator.',
        into: 'choice',
        choices: [
          { intent: 'billing', keys: '1', phrases: ['billing'], next: 'bye' },
          { intent: 'support', keys: '2', phrases: ['support'], next: 'bye' },
          { intent: 'operator', keys: '0', phrases: ['operator'], next: 'bye' },
        ],
      },
      attempts: 2,
      timeoutMs: 4000,
    },
    bye: { hangup: true },
  },
});

const kit = await startTestEngine({
  media,
  asr: new PocketsphinxRecognizer(),
  speechDir,
  tts: new EspeakSynthesizer({ cacheDir: ttsCache }),
  dialplan: defineDialplan({
    routes: [
      {
        match: { number: 'menu' },
        handler: async (call) => {
          await call.answer();
          call.on('speech', (s) => heard.push(s));
          try {
            results.set(call.info.from.user, await call.gather({ speech: { phrases: MENU }, maxDigits: 1, timeout: 8000 }));
          } catch (err) {
            results.set(call.info.from.user, err as Error);
            throw err;
          }
        },
      },
      {
        match: { number: 'bad' },
        handler: async (call) => {
          await call.answer();
          const tries = [{ speech: { phrases: MENU, lang: 'ru' } }, { speech: { phrases: ['zzyzxq'] } }, { speech: { phrases: [] } }];
          for (const [i, options] of tries.entries()) {
            try {
              await call.gather({ ...options, timeout: 100 });
            } catch (err) {
              results.set(`bad-${i}`, err as Error);
            }
          }
        },
      },
      { match: { number: 'robot' }, handler: async (call) => void robotOutcomes.push(await runRobot(call, helpdesk)) },
    ],
  }),
});
t.teardown(() => kit.stop());

function capturesLeft(): Promise<string[]> {
  return readdir(speechDir).then((names) => names.filter((n) => n.startsWith(CAPTURE_PREFIX)));
}

async function callMenu(user: string, act: (caller: ReturnType<typeof kit.call>) => Promise<void>): Promise<GatherResult | Error | undefined> {
  const caller = kit.call('menu', { from: `sip:${user}@127.0.0.1` });
  await caller.answered;
  await act(caller);
  await caller.ended;
  await waitFor(`${user}'s gather`, () => results.has(user));
  return results.get(user);
}

t.test('a spoken menu word resolves the gather with it', async (t) => {
  for (const word of MENU) {
    const r = await callMenu(`say-${word}`, (caller) => caller.say(word));
    t.match(r, { digits: '', reason: 'speech', speech: { phrase: word, text: word } }, `"${word}" heard`);
  }
  t.same(heard.map((s) => s.phrase), MENU, "the Call's 'speech' event reports each");
  t.same(await capturesLeft(), [], 'no capture file is left');
});

t.test('keys work in the same gather, silence is a no-input', async (t) => {
  const keyed = await callMenu('keys', async (caller) => {
    await sleep(500);
    caller.sendDtmf('2');
  });
  t.same(keyed, { digits: '2', reason: 'max-digits', bargedIn: false }, 'the key wins');
  const silent = await callMenu('silent', async () => undefined);
  t.same(silent, { digits: '', reason: 'timeout', bargedIn: false }, 'no input: timeout without speech');
  t.same(await capturesLeft(), [], 'no capture file is left');
});

t.test('a caller hanging up mid-utterance: CallGoneError, nothing left behind', async (t) => {
  const caller = kit.call('menu', { from: 'sip:gone@127.0.0.1' });
  await caller.answered;
  const speaking = caller.say('support operator billing support operator billing', { pauseMs: 300 }).catch(() => undefined);
  await sleep(1500); // in the middle of the words
  await caller.hangup();
  await speaking;
  await waitFor('the gather to end', () => results.has('gone'));
  t.type(results.get('gone'), CallGoneError);
  await waitFor('the call to be cleaned up', () => kit.runner.activeCalls === 0 && media.stats().endpoints === 0);
  // The capture's file goes once the media core's writer closed it.
  for (let i = 0; i < 50 && (await capturesLeft()).length > 0; i++) await sleep(100);
  t.same(await capturesLeft(), [], 'no capture file is left');
});

t.test('requests the recognizer cannot serve reject before anyone speaks', async (t) => {
  const caller = kit.call('bad');
  await caller.answered;
  await caller.ended;
  t.type(results.get('bad-0'), NotAvailableError, 'no Russian model');
  t.match(results.get('bad-0'), { feature: 'asr-ru' });
  t.match(results.get('bad-1'), { code: 'invalid-argument', message: /zzyzxq/ });
  t.type(results.get('bad-2'), DialplanError);
  t.match(results.get('bad-2'), { code: 'invalid-argument' });
});

t.test("a robot's menu takes a spoken choice", async (t) => {
  const caller = kit.call('robot');
  await caller.answered;
  await caller.say('operator');
  await caller.ended;
  await waitFor('the robot to finish', () => robotOutcomes.length === 1);
  t.match(robotOutcomes[0], { status: 'completed', intents: ['operator'], path: ['main', 'bye'] });
});

t.test('without a recognizer, speech input is not available', async (t) => {
  const plain = await startTestEngine({
    media,
    dialplan: defineDialplan({
      routes: [
        {
          match: () => true,
          handler: async (call) => {
            await call.answer();
            results.set('no-asr', await call.gather({ speech: 'free', timeout: 100 }).catch((e: Error) => e));
          },
        },
      ],
    }),
  });
  t.teardown(() => plain.stop());
  const caller = plain.call('x');
  await caller.answered;
  await caller.ended;
  t.type(results.get('no-asr'), NotAvailableError);
});
