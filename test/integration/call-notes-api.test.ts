// The agent window's caller card and notes over real HTTP against an engine started in-process
// with its SQLite log: who may read a card and file a topic, a comment or a script path, the
// 4xx answers to bad input, the client's history with earlier notes on the next call, and the
// notes surviving a restart. Calls reach agents through the scripted double of the ACD port.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../engine/config.js';
import { startEngine, type Engine } from '../../engine/server.js';
import { ScriptedPhones } from '../unit/acd/phones.js';
import { acdTestConfig } from './acd-fixture.js';

const dataDir = mkdtempSync(join(tmpdir(), 'call-notes-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

const SCRIPT = {
  title: 'Support',
  start: 'greet',
  steps: {
    greet: { text: 'Hello', options: [{ label: 'Login', next: 'login' }, { label: 'Other', next: 'close' }] },
    login: { text: 'Reset the password', options: [{ label: 'Solved', next: 'close' }] },
    close: { text: 'Goodbye' },
  },
};

function config(): Config {
  const c = acdTestConfig(dataDir);
  c.acd.guides = { topics: ['Other'], queueTopics: { support: ['Login', 'Billing'] }, scripts: { support: SCRIPT } };
  return c;
}

async function start(): Promise<{ engine: Engine; base: string }> {
  const engine = await startEngine(config());
  const port = (engine.events.recent(1, 'engine.started')[0].data as { http: number }).http;
  engine.contactCentre.acd.attachDialer(new ScriptedPhones());
  return { engine, base: `http://127.0.0.1:${port}` };
}

let { engine, base } = await start();
t.teardown(() => engine.stop());

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;
const as =
  (token: string | null): Api =>
  async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

async function agentLogin(extension: string): Promise<Api> {
  const { body } = await as(null)('POST', '/api/session', { extension, password: `secret-${extension}` });
  return as(body.token);
}

const admin = as('admin-token');
const sup = as('sup-token');
const NUMBER = '79005550101';

t.test('notes on a call: who may file them, and what is refused', async (t) => {
  const anna = await agentLogin('1001');
  const boris = await agentLogin('1002');
  const sergei = await agentLogin('1006');
  await anna('POST', '/api/agents/a1/login');
  const acd = engine.contactCentre.acd;
  t.match(await acd.enqueue('support', { callId: 'n-1', from: NUMBER, dnis: '8800', ivr: { lang: 'ru' } }), { kind: 'answered', agentId: 'a1' });

  const card = await anna('GET', '/api/calls/n-1/card');
  t.match(card, { status: 200, body: { callId: 'n-1', queueId: 'support', phase: 'connected', number: NUMBER, context: { ivr: { lang: 'ru' } }, topics: ['Login', 'Billing'], script: { start: 'greet' }, history: [], notes: { topic: null, comments: [], script: null } } });
  t.match(await as(null)('GET', '/api/calls/n-1/card'), { status: 401 });
  t.match(await sergei('GET', '/api/calls/n-1/card'), { status: 404 }, 'another group does not see the call');
  t.match(await anna('GET', '/api/calls/nope/card'), { status: 404 });

  t.match(await anna('POST', '/api/calls/n-1/topic', { topic: 'Login' }), { status: 200, body: { topic: { topic: 'Login', by: 'a1' } } });
  t.match(await anna('POST', '/api/calls/n-1/topic', { topic: 'Other' }), { status: 400, body: { message: /topic must be one of: Login, Billing/ } }, 'only the queue\'s topics');
  t.match(await anna('POST', '/api/calls/n-1/topic'), { status: 400 });
  t.match(await anna('POST', '/api/calls/n-1/comment', { text: '  Forgot the password  ' }), { status: 200, body: { comments: [{ text: 'Forgot the password', by: 'a1' }] } });
  t.match(await anna('POST', '/api/calls/n-1/comment', { text: ' ' }), { status: 400 });
  t.match(await anna('POST', '/api/calls/n-1/comment', { text: 'x'.repeat(2001) }), { status: 400 });
  t.match(await anna('PUT', '/api/calls/n-1/script', { path: ['greet', 'login'] }), { status: 200, body: { script: { path: ['greet', 'login'], finished: false } } });
  t.match(await anna('PUT', '/api/calls/n-1/script', { path: ['greet', 'close', 'login'] }), { status: 400, body: { message: /does not follow "close"/ } });
  t.match(await anna('PUT', '/api/calls/n-1/script', { path: 'greet' }), { status: 400 });

  t.match(await boris('POST', '/api/calls/n-1/comment', { text: 'me too' }), { status: 403, body: { error: 'forbidden' } }, 'a colleague sees the call but does not note it');
  t.match(await sergei('POST', '/api/calls/n-1/comment', { text: 'me too' }), { status: 404 });
  t.match(await sup('POST', '/api/calls/n-1/comment', { text: 'Checked by Olga' }), { status: 200, body: { comments: [{}, { by: 'Olga' }] } }, 'the supervisor of the queue may');

  // After the call, in wrap-up or later, its agent can still finish the notes.
  acd.callEnded('n-1');
  t.match(await anna('PUT', '/api/calls/n-1/script', { path: ['greet', 'login', 'close'] }), { status: 200, body: { script: { finished: true } } });
  t.match(await anna('GET', '/api/calls/n-1/card'), { status: 200, body: { phase: 'done', context: null } });
  t.match(await boris('GET', '/api/calls/n-1/card'), { status: 404 }, 'a finished call is seen only by the agent who took it');
  t.match(await admin('GET', '/api/events?type=call.topic&limit=1'), { body: [{ callId: 'n-1', data: { topic: 'Login', by: 'a1', queueId: 'support' } }] }, 'notes are events of the log');
});

t.test('the next call of the same client shows the earlier requests and missed calls', async (t) => {
  const acd = engine.contactCentre.acd;
  const anna = await agentLogin('1001');
  await anna('PUT', '/api/agents/a1/state', { state: 'break' });
  const missed = acd.enqueue('support', { callId: 'n-2', from: '+7 900 555-01-01', dnis: '8800' });
  acd.abandon('n-2');
  await missed;
  t.match(await admin('POST', '/api/context', { number: '+79005550101', context: { campaign: 'spring' } }), { status: 200 });
  const outcome = acd.enqueue('support', { callId: 'n-3', from: '+7 (900) 555 01 01', dnis: '8800' });
  const waiting = await anna('GET', '/api/calls/n-3/card');
  t.match(waiting.body, { phase: 'waiting', context: { attached: { campaign: 'spring' } } }, 'call tracking context on the card');
  t.same(
    waiting.body.history.map((c: any) => [c.callId, c.outcome]),
    [
      ['n-2', 'abandoned'],
      ['n-1', 'answered'],
    ],
    'the same client written three ways: newest first',
  );
  t.match(waiting.body.history[1], { agentIds: ['a1'], topic: { topic: 'Login' }, comments: [{ text: 'Forgot the password' }, { text: 'Checked by Olga' }], script: { path: ['greet', 'login', 'close'], finished: true } });
  t.match(waiting.body.missed, [{ callId: 'n-2', status: 'not-called-back' }]);
  t.match(await anna('POST', '/api/calls/n-3/topic', { topic: 'Login' }), { status: 403 }, 'nobody notes a call for an agent before they take it');
  await anna('PUT', '/api/agents/a1/state', { state: 'available' });
  t.match(await outcome, { kind: 'answered', agentId: 'a1' });
  acd.callEnded('n-3');
  t.match((await sup('GET', '/api/calls/n-3/card')).body.missed, [{ callId: 'n-2', status: 'got-through' }], 'the client got through since');
});

t.test('notes and history survive a restart; a broken script in the config stops the start', async (t) => {
  await engine.stop();
  ({ engine, base } = await start());
  const card = await admin('GET', '/api/calls/n-3/card');
  t.match(card.body.history.find((c: any) => c.callId === 'n-1'), { topic: { topic: 'Login' }, script: { finished: true } });
  const broken = config();
  broken.acd.guides.scripts = { support: { start: 'greet', steps: { greet: { text: 'hi', options: [{ label: 'go', next: 'gone' }] } } } };
  await t.rejects(startEngine(broken), /config acd\.guides: scripts\.support\.steps\.greet\.options\[0\]\.next: no step "gone"/);
});
