// The B2BUA in media-bypass mode (SWITCHYARD_B2BUA_MEDIA=bypass): signalling only. The callee
// gets the caller's SDP unchanged and the caller the callee's (read back from each SIPp's
// message trace), re-INVITE and UPDATE offers are relayed (and an UPDATE's offer/answer is what
// a later offerless re-INVITE offers), BYE goes both ways, CANCEL and busy are relayed.
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

interface CallCase {
  user: string;
  /** SIPp scenarios (test/integration/scenarios) and what each side must have done. */
  callee: [scenario: string, what: string];
  caller: [scenario: string, what: string];
}

/** A call from a SIPp caller through the engine to `user`, a registered SIPp callee; both must succeed. */
async function bridged(t: Test, c: CallCase): Promise<{ caller: SippResult; callee: SippResult }> {
  const calleeProc = await startRegisteredCallee(engine.sipPort, c.user, c.callee[0]);
  t.teardown(calleeProc.stop);
  const caller = await runSipp({ scenario: c.caller[0], target: engine.sipPort, service: c.user });
  const callee = await calleeProc.done;
  expectCalls(t, caller, 1, c.caller[1], engine);
  expectCalls(t, callee, 1, c.callee[1], engine);
  return { caller, callee };
}

t.test("the caller's BYE reaches the callee; the SDP passes unchanged both ways", async (t) => {
  const { caller, callee } = await bridged(t, { user: '1002', callee: ['uas-answer.xml', 'callee receives BYE'], caller: ['uac-call.xml', 'caller'] });
  offerPassedThrough(t, caller, callee);
  answerPassedBack(t, caller, callee);
});

t.test("the callee's BYE reaches the caller", async (t) => {
  const { caller, callee } = await bridged(t, { user: '1003', callee: ['uas-answer-bye.xml', 'callee'], caller: ['uac-recv-bye.xml', 'caller receives BYE'] });
  offerPassedThrough(t, caller, callee);
  answerPassedBack(t, caller, callee);
});

t.test("hold and resume: the caller's re-INVITEs reach the callee, its answers come back", async (t) => {
  // uas-hold.xml fails unless it gets a re-INVITE with a=sendonly, then one with a=sendrecv;
  // uac-hold.xml fails unless the answers say a=recvonly, then a=sendrecv.
  await bridged(t, { user: '1006', callee: ['uas-hold.xml', 'callee: sendonly then sendrecv re-INVITEs'], caller: ['uac-hold.xml', 'caller: recvonly then sendrecv, from the callee'] });
});

t.test("hold by UPDATE: the caller's offer reaches the callee, its answer comes back", async (t) => {
  await bridged(t, { user: '1008', callee: ['uas-update.xml', 'callee: the sendonly UPDATE'], caller: ['uac-update.xml', 'caller: recvonly from the callee'] });
});

t.test('an offer/answer by UPDATE is the session an offerless re-INVITE offers, on both legs', async (t) => {
  // The caller UPDATEs (s=caller-update), the callee answers (s=callee-update); then each sends a
  // re-INVITE without SDP, which the engine answers with its leg's SDP as the offer (RFC 3261
  // §14.1): the callee must be offered the caller's updated SDP and the caller the callee's answer.
  await bridged(t, {
    user: '1009',
    callee: ['uas-update-reinvite.xml', "callee: offered the caller's updated SDP"],
    caller: ['uac-update-reinvite.xml', "caller: the UPDATE's 2xx has a Contact; offered the callee's updated SDP"],
  });
});

t.test("the caller's CANCEL reaches the callee, which got the caller's offer", async (t) => {
  const { caller, callee } = await bridged(t, { user: '1004', callee: ['uas-cancelled.xml', 'callee receives CANCEL'], caller: ['uac-cancel.xml', 'caller'] });
  offerPassedThrough(t, caller, callee);
});

t.test('no answer cancels the callee and gives the caller 480', async (t) => {
  const { caller, callee } = await bridged(t, { user: '1005', callee: ['uas-cancelled.xml', 'callee receives CANCEL'], caller: ['uac-unavailable.xml', 'caller gets 480'] });
  offerPassedThrough(t, caller, callee);
});

t.test("the callee's 486 reaches the caller, the callee having got the caller's offer", async (t) => {
  const { caller, callee } = await bridged(t, { user: '1007', callee: ['uas-busy.xml', 'busy callee'], caller: ['uac-busy.xml', 'caller gets 486'] });
  offerPassedThrough(t, caller, callee);
});
