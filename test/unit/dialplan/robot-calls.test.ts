// Outbound robot calls through the REST API over real SIP and RTP: a simulated callee answers
// and keys digits, the outcome is read back and POSTed to a real local webhook; a busy callee
// is retried with back-off, then the call fails; bad requests get 4xx with the reason.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EspeakSynthesizer } from '../../../dialplan/tts/espeak.js';
import type { Synthesizer } from '../../../dialplan/tts/synthesizer.js';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import t from 'tap';
import { HttpApi } from '../../../engine/api/http.js';
import { Tokens } from '../../../engine/api/auth.js';
import { robotRoutes } from '../../../engine/api/robot-routes.js';
import { SipStack } from '../../../engine/sip/index.js';
import { defineRobot } from '../../../dialplan/index.js';
import { RobotCalls, type RobotCallRecord } from '../../../dialplan/robot/robot-calls.js';
import { SimulatedCallee } from '../../../dialplan/testkit/index.js';
import { startEngine as startMediaEngine, waitFor } from '../media/helpers.js';

const robots = {
  pin: defineRobot({ name: 'pin', start: 'pin', steps: { pin: { ask: { prompt: 'Your order {{order}} ships on {{date}}. Enter your pin.', slot: 'pin', type: 'digits', maxDigits: 4 }, timeoutMs: 8000, attempts: 1 } } }),
};

t.test('robot calls over the REST API', async (t) => {
  const log = pino({ level: 'silent' });
  const media = startMediaEngine(t, 34200);
  const stack = new SipStack({ host: '127.0.0.1', port: 0, logger: log, timers: { t1: 100, t2: 800, t4: 1000 } });
  await stack.start();
  const events: { type: string; data: unknown }[] = [];
  const ttsDir = await mkdtemp(join(tmpdir(), 'robot-calls-tts-'));
  t.teardown(() => rm(ttsDir, { recursive: true, force: true }));
  const espeak = new EspeakSynthesizer({ cacheDir: ttsDir });
  const spoken: string[] = [];
  const tts: Synthesizer = { synthesize: (text, o) => (spoken.push(text), espeak.synthesize(text, o)) };
  const robotCalls = new RobotCalls({ stack, media, logger: log, tts, robot: (f) => robots[f as keyof typeof robots], events: { append: (type, data) => events.push({ type, data }) } });
  const api = new HttpApi(robotRoutes({ robotCalls: () => robotCalls, tokens: new Tokens([{ token: 'admin-secret', role: 'admin', name: 'admin' }]) }), log);
  await api.listen(0, '127.0.0.1');
  const hooks: RobotCallRecord[] = [];
  const webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hooks.push(JSON.parse(body));
      res.end('ok');
    });
  }).listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  const hookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/robot-done`;
  const callees: SimulatedCallee[] = [];
  t.teardown(async () => {
    await robotCalls.stop();
    for (const c of callees) await c.stop();
    await stack.stop();
    await api.close();
    webhook.close();
  });
  const request = async (method: string, path: string, body?: unknown, token: string | null = 'admin-secret') => {
    const res = await fetch(`http://127.0.0.1:${api.port}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  t.test('bad requests get 4xx with the reason, and nobody is called', async (t) => {
    const callee = await SimulatedCallee.start({ media, behaviour: () => ({ answer: true }) });
    callees.push(callee);
    const target = callee.uri('alice');
    t.equal((await request('POST', '/api/robot-calls', { target, flow: 'pin' }, null)).status, 401);
    const cases: [unknown, RegExp][] = [
      [{ flow: 'pin' }, /target must be a sip/],
      [{ target: 'mailto:x@y', flow: 'pin' }, /target must be a sip/],
      [{ target, flow: 'nope' }, /no robot flow "nope"/],
      [{ target, flow: 'pin', variables: { order: 'A-17' } }, /need variables: date/],
      [{ target, flow: 'pin', variables: { order: 1, date: 2, x: { nested: 1 } } }, /variables.x must be/],
      [{ target, flow: 'pin', variables: { order: 1, date: 2 }, webhook: 'ftp://127.0.0.1/' }, /webhook must be an http/],
      [{ target, flow: 'pin', variables: { order: 1, date: 2 }, retry: { attempts: 0 } }, /retry.attempts/],
      [[1, 2], /JSON object/],
    ];
    for (const [body, reason] of cases) {
      const res = await request('POST', '/api/robot-calls', body);
      t.equal(res.status, 400, JSON.stringify(body));
      t.match(res.body.message, reason);
    }
    t.equal((await request('GET', '/api/robot-calls/unknown-id')).status, 404);
    t.equal(callee.calls.length, 0, 'no call was placed');
  });

  t.test('answered: the robot collects the keys; the outcome is read back and POSTed to the webhook', async (t) => {
    const callee = await SimulatedCallee.start({ media, behaviour: () => ({ answer: true, keys: [{ afterMs: 600, digits: '4711' }] }) });
    callees.push(callee);
    const started = await request('POST', '/api/robot-calls', { target: callee.uri('bob'), flow: 'pin', variables: { order: 'A-17', date: 'Monday' }, webhook: hookUrl });
    t.equal(started.status, 200);
    const id = started.body.id as string;
    await waitFor('the webhook', () => hooks.some((h) => h.id === id), 20000);
    const hook = hooks.find((h) => h.id === id)!;
    t.match(hook, { state: 'done', result: 'answered', target: callee.uri('bob'), flow: 'pin', variables: { order: 'A-17', date: 'Monday' }, attempts: [{ result: 'answered' }], robot: { status: 'completed', answers: { pin: '4711' }, digits: ['4711'] } });
    const read = await request('GET', `/api/robot-calls/${id}`);
    t.match(read.body, { id, state: 'done', result: 'answered', robot: { answers: { pin: '4711' } }, webhook: { url: hookUrl, status: 200 } });
    t.ok(events.some((e) => e.type === 'robot-call.done'), 'the outcome is in the event log');
    t.same(spoken, ['Your order A-17 ships on Monday. Enter your pin.'], 'the prompt template was filled from the variables');
  });

  t.test('busy: retried with back-off, then failed', async (t) => {
    const callee = await SimulatedCallee.start({ media, behaviour: () => ({ reject: 486 }) });
    callees.push(callee);
    const started = await request('POST', '/api/robot-calls', { target: callee.uri('carol'), flow: 'pin', variables: { order: 1, date: 2 }, webhook: hookUrl, retry: { attempts: 3, backoffMs: 150, factor: 2 } });
    const id = started.body.id as string;
    await waitFor('the webhook', () => hooks.some((h) => h.id === id), 20000);
    const hook = hooks.find((h) => h.id === id)!;
    t.match(hook, { result: 'failed', reason: /^busy: 486/ });
    t.same(hook.attempts.map((a) => [a.result, a.status, a.retryInMs]), [['busy', 486, 150], ['busy', 486, 300], ['busy', 486, undefined]], 'each wait doubles');
    t.equal(callee.calls.length, 3, 'the callee was called three times');
    t.equal(hook.robot, undefined, 'no robot ran');
  });

  t.test('no answer: the ring timeout cancels the call and it counts as no-answer', async (t) => {
    const callee = await SimulatedCallee.start({ media, behaviour: () => ({ ring: true }) });
    callees.push(callee);
    const started = await request('POST', '/api/robot-calls', { target: callee.uri('dave'), flow: 'pin', variables: { order: 1, date: 2 }, webhook: hookUrl, retry: { attempts: 1, ringTimeoutMs: 500 } });
    const id = started.body.id as string;
    await waitFor('the webhook', () => hooks.some((h) => h.id === id), 20000);
    t.match(hooks.find((h) => h.id === id), { result: 'failed', attempts: [{ result: 'no-answer', status: 487 }] });
  });

  t.test('no calls, dialogs or endpoints left', async () => {
    await waitFor('everything to end', () => stack.stats.dialogs === 0 && callees.every((c) => c.stack.stats.dialogs === 0));
  });
});
