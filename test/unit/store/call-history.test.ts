// A client's past requests folded from a real SQLite event log written by the ACD: how each
// call ended, who answered (a transfer adds an agent), talk time, the notes filed on it, and
// the same client found however the number was written.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Acd } from '../../../engine/acd/index.js';
import { AcdJournal } from '../../../engine/store/acd-journal.js';
import { CallHistory } from '../../../engine/store/call-history.js';
import { EventLog } from '../../../engine/store/event-log.js';
import { ScriptedPhones } from '../acd/phones.js';

const dir = mkdtempSync(join(tmpdir(), 'call-history-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('outcomes, agents and notes of a client\'s calls, newest first', async (t) => {
  const log = new EventLog(join(dir, 'events.sqlite'));
  const acd = new Acd();
  const journal = new AcdJournal(log, acd);
  const history = new CallHistory(log);
  acd.defineQueue({ id: 'q', groups: ['g'], wrapUpMs: 0, maxWaitMs: 60_000 });
  acd.defineQueue({ id: 'q2', groups: ['g2'], wrapUpMs: 0, overflow: { target: { kind: 'number', number: '5000' }, afterMs: 20, whenNoAgents: false } });
  acd.defineAgent({ id: 'a1', extension: '2001', groups: ['g'] });
  acd.defineAgent({ id: 'a2', extension: '2002', groups: ['g'] });
  acd.setState('a1', 'available');
  acd.attachDialer(new ScriptedPhones());

  // 1: answered by a1, transferred to a2 (queued again under the same call id), ended.
  t.match(await acd.enqueue('q', { callId: 'h1', from: '+7 900 111-22-33', dnis: '8800' }), { kind: 'answered', agentId: 'a1' });
  acd.setState('a2', 'available');
  acd.transferred('h1', 'agent a2');
  t.match(await acd.enqueue('q', { callId: 'h1', from: '+7 900 111-22-33', dnis: '8800', agentId: 'a2' }), { kind: 'answered', agentId: 'a2' });
  history.setTopic('h1', 'q', 'a2', 'Billing');
  history.addComment('h1', 'q', 'a1', 'Wants a refund');
  history.addComment('h1', 'q', 'a2', 'Refund approved');
  history.saveScriptPath('h1', 'q', 'a2', ['greet'], false);
  history.saveScriptPath('h1', 'q', 'a2', ['greet', 'close'], true);
  acd.callEnded('h1');
  // 2: overflows to a number nobody in the ACD answers.
  t.match(await acd.enqueue('q2', { callId: 'h2', from: '79001112233', dnis: '8800' }), { kind: 'overflow' });
  // 3: still waiting (both agents on break).
  acd.setState('a1', 'break');
  acd.setState('a2', 'break');
  void acd.enqueue('q', { callId: 'h3', from: '8 (900) 111 22 33', dnis: '8800' });
  void acd.enqueue('q', { callId: 'other', from: '+1 555 0100', dnis: '8800' });

  const calls = history.ofNumber('+79001112233');
  t.same(calls.map((c) => c.callId), ['h2', 'h1'], 'the same digits, newest first; a different prefix is a different number');
  t.match(calls[1], {
    queueId: 'q',
    outcome: 'answered',
    transferredTo: 'agent a2',
    agentIds: ['a1', 'a2'],
    topic: { topic: 'Billing', by: 'a2' },
    comments: [{ text: 'Wants a refund', by: 'a1' }, { text: 'Refund approved', by: 'a2' }],
    script: { path: ['greet', 'close'], finished: true },
  });
  t.match(calls[0], { queueId: 'q2', outcome: 'overflow', agentIds: [], talkMs: 0, topic: null, comments: [], script: null });
  t.match(history.ofCall('h3'), { outcome: 'waiting', number: '8 (900) 111 22 33' });
  t.same(history.ofNumber('81112233').length, 0);
  t.same(history.ofNumber('no digits'), []);
  t.equal(history.ofCall('nope'), null, 'a call the ACD never saw');
  journal.detach();
  acd.close();
  log.close();
});
