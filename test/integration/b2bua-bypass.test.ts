// The B2BUA in media-bypass mode (SWITCHYARD_B2BUA_MEDIA=bypass): signalling only. The callee
// gets the caller's SDP unchanged and the caller the callee's (read back from each SIPp's
// message trace), re-INVITE and UPDATE offers are relayed, BYE goes both ways, CANCEL and busy are relayed.
// With media anchored the callee would get the engine's own offer and no re-INVITE: every test
// here checks something only bypass does.
import t, { type Test } from 'tap';
import { loadConfig } from '../../engine/config.js';
import { expectCalls, runSipp, startEngine, startRegisteredCallee, type SippResult } from './harness.js';

const engine = await startEngine({ noAnswerSeconds: 3, env: { SWITCHYARD_B2BUA_MEDIA: 'bypass' } });
t.teardown(engine.stop);

interface TracedMessage {
  direction: 'sent' | 'received';
  startLine: string;
  body: string;
}

/** The messages of a SIPp -trace_msg log, in order. */
function tracedMessages(r: SippResult): TracedMessage[] {
  return r.messages
    .replace(/\r\n/g, '\n')
    .split(/^-{20,}.*$/m)
    .map((chunk) => /^\s*\S+ message (sent|received)[^\n]*\n+([^\n]+)\n([\s\S]*)$/.exec(chunk))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => {
      const rest = m[3];
      const blank = rest.indexOf('\n\n');
      return { direction: m[1] as 'sent' | 'received', startLine: m[2].trim(), body: blank < 0 ? '' : rest.slice(blank + 2).trim() };
    });
}

/** The SDP body of the first message `direction` whose start line matches `startLine`. */
function sdpOf(t: Test, r: SippResult, direction: 'sent' | 'received', startLine: RegExp): string {
  const found = tracedMessages(r).find((m) => m.direction === direction && startLine.test(m.startLine) && m.body.startsWith('v=0'));
  t.ok(found, `SIPp ${direction} a message ${startLine} with SDP`);
  return found?.body ?? '';
}

/** The c= and m= lines of an SDP body. */
const connectionAndMedia = (sdp: string): string[] => sdp.split('\n').filter((l) => /^[cm]=/.test(l));

/** The callee got exactly the caller's offer: same c= and m= lines, same body. */
function offerPassedThrough(t: Test, caller: SippResult, callee: SippResult): void {
  const sent = sdpOf(t, caller, 'sent', /^INVITE /);
  const got = sdpOf(t, callee, 'received', /^INVITE /);
  t.same(connectionAndMedia(got), connectionAndMedia(sent), "the callee got the caller's c= and m= lines");
  t.match(got, /^o=sipp /m, "and the caller's origin line (no engine offer)");
  t.equal(got, sent, "the callee got the caller's SDP unchanged");
}

/** The caller got exactly the callee's answer. */
function answerPassedBack(t: Test, caller: SippResult, callee: SippResult): void {
  const sent = sdpOf(t, callee, 'sent', /^SIP\/2\.0 200 /);
  const got = sdpOf(t, caller, 'received', /^SIP\/2\.0 200 /);
  t.same(connectionAndMedia(got), connectionAndMedia(sent), "the caller got the callee's c= and m= lines");
  t.equal(got, sent, "the caller got the callee's SDP unchanged");
}

t.test('config: b2bua.media defaults to anchor; the env variable sets bypass; anything else is refused', async (t) => {
  t.equal(loadConfig({}).b2bua.media, 'anchor');
  t.equal(loadConfig({ SWITCHYARD_B2BUA_MEDIA: 'bypass' }).b2bua.media, 'bypass');
  t.throws(() => loadConfig({ SWITCHYARD_B2BUA_MEDIA: 'proxy' }), /SWITCHYARD_B2BUA_MEDIA must be one of anchor, bypass/);
});

t.test("the caller's BYE reaches the callee; the SDP passes unchanged both ways", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1002', 'uas-answer.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-call.xml', target: engine.sipPort, service: '1002' });
  const answered = await callee.done;
  expectCalls(t, caller, 1, 'caller', engine);
  expectCalls(t, answered, 1, 'callee receives BYE', engine);
  offerPassedThrough(t, caller, answered);
  answerPassedBack(t, caller, answered);
});

t.test("the callee's BYE reaches the caller", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1003', 'uas-answer-bye.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-recv-bye.xml', target: engine.sipPort, service: '1003' });
  const answered = await callee.done;
  expectCalls(t, caller, 1, 'caller receives BYE', engine);
  expectCalls(t, answered, 1, 'callee', engine);
  offerPassedThrough(t, caller, answered);
  answerPassedBack(t, caller, answered);
});

t.test("hold and resume: the caller's re-INVITEs reach the callee, its answers come back", async (t) => {
  // uas-hold.xml fails unless it gets a re-INVITE with a=sendonly, then one with a=sendrecv;
  // uac-hold.xml fails unless the answers say a=recvonly, then a=sendrecv.
  const callee = await startRegisteredCallee(engine.sipPort, '1006', 'uas-hold.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-hold.xml', target: engine.sipPort, service: '1006' });
  expectCalls(t, caller, 1, 'caller: recvonly then sendrecv, from the callee', engine);
  expectCalls(t, await callee.done, 1, 'callee: sendonly then sendrecv re-INVITEs', engine);
});

t.test("hold by UPDATE: the caller's offer reaches the callee, its answer comes back", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1008', 'uas-update.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-update.xml', target: engine.sipPort, service: '1008' });
  expectCalls(t, caller, 1, 'caller: recvonly from the callee', engine);
  expectCalls(t, await callee.done, 1, 'callee: the sendonly UPDATE', engine);
});

t.test("the caller's CANCEL reaches the callee, which got the caller's offer", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1004', 'uas-cancelled.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-cancel.xml', target: engine.sipPort, service: '1004' });
  const cancelled = await callee.done;
  expectCalls(t, caller, 1, 'caller', engine);
  expectCalls(t, cancelled, 1, 'callee receives CANCEL', engine);
  offerPassedThrough(t, caller, cancelled);
});

t.test('no answer cancels the callee and gives the caller 480', async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1005', 'uas-cancelled.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-unavailable.xml', target: engine.sipPort, service: '1005' });
  const cancelled = await callee.done;
  expectCalls(t, caller, 1, 'caller gets 480', engine);
  expectCalls(t, cancelled, 1, 'callee receives CANCEL', engine);
  offerPassedThrough(t, caller, cancelled);
});

t.test("the callee's 486 reaches the caller, the callee having got the caller's offer", async (t) => {
  const callee = await startRegisteredCallee(engine.sipPort, '1007', 'uas-busy.xml');
  t.teardown(callee.stop);
  const caller = await runSipp({ scenario: 'uac-busy.xml', target: engine.sipPort, service: '1007' });
  const busy = await callee.done;
  expectCalls(t, caller, 1, 'caller gets 486', engine);
  expectCalls(t, busy, 1, 'busy callee', engine);
  offerPassedThrough(t, caller, busy);
});
