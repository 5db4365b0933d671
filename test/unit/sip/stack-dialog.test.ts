// SipStack UAS dialogs over real UDP: 2xx retransmission until the ACK (RFC 3261 §13.3.1.4),
// BYE both ways (§15), in-dialog requests (§12.2) and re-INVITE (§14).
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { Dialog } from '../../../engine/sip/dialog.js';
import type { IncomingRequest, ServerResponse } from '../../../engine/sip/incoming.js';
import type { SipResponse } from '../../../engine/sip/message.js';
import { HOST, SDP, T1, T2, T64, drain, fixture, formatResponse, sdp, settle, waitFor, waitForValue, within, type Fixture, type PeerCall } from './raw-peer.js';

/** The stack answers every INVITE with createUAS; the dialogs it makes are collected. */
function answerWithUAS(stack: Fixture['stack'], localSdp = SDP): Dialog[] {
  const dialogs: Dialog[] = [];
  stack.invite((req, res) => {
    void stack.createUAS(req, res, { localSdp }).then((d) => dialogs.push(d));
  });
  return dialogs;
}

/** INVITE from the peer, 200 from the stack, ACK from the peer; returns the confirmed call. */
async function establish(f: Fixture, c: PeerCall, dialogs: Dialog[]): Promise<{ dialog: Dialog; ok: SipResponse; branch: string }> {
  const branch = c.send('INVITE', { body: SDP });
  const ok = await c.waitResponse(200, 'INVITE');
  c.toTag = ok.toTag;
  const dialog = await waitForValue(() => dialogs.find((d) => d.callId === c.callId), 'the UAS dialog');
  const acked = once(dialog, 'ack');
  c.ack2xx(ok);
  await within(acked, "the dialog's 'ack' event");
  return { dialog, ok, branch };
}

t.test('UAS 2xx retransmission (§13.3.1.4)', async (t) => {
  t.test('the 200 is retransmitted with doubling intervals until the ACK, then stops', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const branch = c.send('INVITE', { body: SDP });
    await waitFor(() => c.responses({ status: 200 }).length >= 4, 'four copies of the 200 without an ACK', T64);
    const copies = c.responses({ status: 200 });
    const first = copies[0];
    t.ok(first.toTag, '200 has a To tag');
    t.ok(copies.every((r) => r.toTag === first.toTag && r.body.equals(first.body)), 'every copy is the same 200');
    t.equal(first.topVia?.params.get('branch'), branch);
    t.match(first.get('contact') ?? '', new RegExp(`sip:${HOST}:${f.stack.port}`), '200 carries the stack Contact');
    t.equal(first.get('content-type'), 'application/sdp');
    t.equal(first.body.toString(), SDP, 'the 200 carries localSdp');
    // Lower bound only, so load cannot break it: the retransmit timers chain, so the fourth copy
    // leaves at least 2*T1 + 4*T1 after the second, and the first is read no later than the
    // second is sent. A fixed T1 interval would give about 3*T1 from first to fourth.
    const arrivals = c.peer.received.filter((r) => !r.msg.isRequest && (r.msg as SipResponse).status === 200).map((r) => r.at);
    t.ok(arrivals[3] - arrivals[0] >= 6 * T1 - 20, `intervals double (first to fourth copy: ${arrivals[3] - arrivals[0]} ms)`);

    const dialog = await waitForValue(() => dialogs[0], 'the dialog');
    t.equal(dialog.state, 'confirmed');
    const acked = once(dialog, 'ack');
    c.toTag = first.toTag;
    const ackBranch = c.ack2xx(first);
    t.not(ackBranch, branch, 'the ACK is a new transaction');
    const [ack] = await within(acked, "the dialog's 'ack'");
    t.equal(ack.cseq?.seq, 1, 'ACK has the INVITE CSeq number');
    await drain();
    const after = c.responses({ status: 200 }).length;
    await sleep(2 * T2 + 300);
    t.equal(c.responses({ status: 200 }).length, after, 'no 200 after the ACK');
    t.equal(c.peer.requests('BYE').length, 0, 'no BYE: the call is up');
    t.equal(f.stack.stats.dialogs, 1);
  });

  t.test('after the ACK a retransmitted INVITE is absorbed in the Accepted state (RFC 6026 §7.1); the call goes on', async (t) => {
    const f = await fixture(t);
    let handled = 0;
    const dialogs: Dialog[] = [];
    f.stack.invite((req, res) => {
      handled++;
      void f.stack.createUAS(req, res, { localSdp: SDP }).then((d) => dialogs.push(d));
    });
    const c = f.call();
    const invite = c.request('INVITE', { body: SDP });
    c.peer.send(invite.text, f.stack.port);
    const ok = await c.waitResponse(200, 'INVITE');
    c.toTag = ok.toTag;
    const dialog = await waitForValue(() => dialogs[0], 'the dialog');
    const acked = once(dialog, 'ack');
    c.ack2xx(ok);
    await within(acked, "the dialog's 'ack'");
    await drain();
    const before = c.peer.received.length;
    // The INVITE transaction lingers (Timer L) without the 2xx's bytes: the same INVITE again
    // is matched to it and absorbed, neither answered nor handed to the handler.
    c.peer.send(invite.text, f.stack.port);
    c.peer.send(invite.text, f.stack.port);
    await drain(300);
    t.equal(c.peer.received.length, before, 'nothing answers the retransmitted INVITE');
    t.equal(handled, 1, 'the handler ran once');
    t.equal(f.stack.stats.serverTransactions, 1, 'the INVITE transaction still absorbs (Timer L)');
    t.equal(dialog.state, 'confirmed');
    // The dialog works as before: the peer hangs up and gets its 200.
    const ended = once(dialog, 'destroy');
    c.send('BYE', { cseq: 2 });
    await c.waitResponse(200, 'BYE');
    await within(ended, "the dialog's 'destroy'");
  });

  t.test('without an ACK the stack gives up after 64*T1: BYE to the peer and destroy', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    c.send('INVITE', { body: SDP });
    const dialog = await waitForValue(() => dialogs[0], 'the dialog');
    const destroyed = settle(once(dialog, 'destroy'));
    const bye = await c.peer.waitRequest('BYE', 'the BYE after 64*T1 without ACK', { timeoutMs: T64 + 5000 });
    await within(destroyed.promise, "the dialog's 'destroy'");
    t.ok(destroyed.done() && destroyed.error === undefined, "'destroy' fired");
    const ok = c.responses({ status: 200 })[0];
    t.ok(c.responses({ status: 200 }).length >= 5, `the 200 was retransmitted (${c.responses({ status: 200 }).length} copies)`);
    t.equal(bye.callId, c.callId);
    t.equal(bye.fromTag, ok.toTag, 'BYE From tag is our To tag');
    t.equal(bye.toTag, c.fromTag, 'BYE To tag is the peer From tag');
    t.equal(bye.uri, c.contactUri, 'BYE goes to the peer Contact');
    t.equal(bye.cseq?.method, 'BYE');
    c.peer.send(formatResponse(bye, 200, 'OK'), f.stack.port);

    const count = c.responses({ status: 200, method: 'INVITE' }).length;
    await sleep(2 * T2);
    t.equal(c.responses({ status: 200, method: 'INVITE' }).length, count, 'no 200 retransmissions after the BYE');
    t.equal(f.stack.stats.dialogs, 0, 'the dialog is gone');
  });
});

t.test('BYE (§15)', async (t) => {
  t.test('BYE for an unknown dialog gets 481 (§12.2.2)', async (t) => {
    const f = await fixture(t);
    const c = f.call();
    c.send('BYE', { toTag: 'no-such-tag', cseq: 2 });
    t.equal((await c.waitFinal('BYE')).status, 481);
  });

  t.test('BYE with a known Call-ID but wrong tags gets 481', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    c.send('BYE', { toTag: 'not-' + c.toTag, cseq: 2 });
    t.equal((await c.waitFinal('BYE')).status, 481);
    t.equal(dialog.state, 'confirmed', 'the real dialog is untouched');
  });

  t.test('peer hangs up: BYE gets 200 and the dialog emits destroy', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    t.equal(f.stack.stats.dialogs, 1);
    const destroyed = once(dialog, 'destroy');
    c.send('BYE', { cseq: 2 });
    const ok = await c.waitFinal('BYE');
    t.equal(ok.status, 200);
    t.equal(ok.toTag, c.toTag, '200 to BYE keeps the dialog To tag');
    const [byeReq] = await within(destroyed, "'destroy'");
    t.equal(byeReq?.method, 'BYE', "'destroy' carries the BYE");
    t.equal(dialog.state, 'terminated');
    t.equal(f.stack.stats.dialogs, 0);
  });

  t.test('we hang up: BYE to the peer Contact with the next CSeq and the dialog tags', async (t) => {
    const f = await fixture(t);
    const contact = await f.extraPeer();
    const dialogs = answerWithUAS(f.stack);
    const c = f.call({ contactPort: contact.port });
    const { dialog, ok } = await establish(f, c, dialogs);

    // An in-dialog request first, to see CSeq go up by one per request (§12.2.1.1).
    const info = settle(dialog.request('INFO', { body: 'Signal=1\r\n', contentType: 'application/dtmf-relay' }));
    const infoReq = await contact.waitRequest('INFO', 'INFO at the Contact');
    contact.send(formatResponse(infoReq, 200, 'OK'), f.stack.port);
    await within(info.promise, 'INFO answered');
    t.equal((info.value as SipResponse | undefined)?.status, 200);

    const done = settle(dialog.destroy());
    const bye = await contact.waitRequest('BYE', 'BYE at the Contact');
    t.equal(bye.uri, c.contactUri, 'Request-URI is the peer Contact');
    t.equal(bye.callId, c.callId);
    t.equal(bye.fromTag, ok.toTag, 'From tag is the tag of our 200');
    t.equal(bye.toTag, c.fromTag, 'To tag is the peer From tag');
    t.match(bye.get('from') ?? '', /sip:service@127\.0\.0\.1/, 'From is the INVITE To URI');
    t.match(bye.get('to') ?? '', /sip:alice@127\.0\.0\.1/, 'To is the INVITE From URI');
    t.equal(bye.cseq?.method, 'BYE');
    t.equal(bye.cseq?.seq, infoReq.cseq!.seq + 1, 'CSeq is one more than the previous request');
    t.ok(bye.topVia?.params.get('branch')?.startsWith('z9hG4bK'), 'BYE has an RFC 3261 branch');
    t.equal(c.peer.requests('BYE').length, 0, 'nothing went to the INVITE source socket');
    contact.send(formatResponse(bye, 200, 'OK'), f.stack.port);
    await within(done.promise, 'destroy() resolves');
    t.equal(dialog.state, 'terminated');
    t.equal(f.stack.stats.dialogs, 0);
  });

  t.test('an in-dialog request with a lower CSeq gets 500 (§12.2.2)', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    c.cseq = 5;
    const { dialog } = await establish(f, c, dialogs);
    c.send('INFO', { cseq: 4 });
    t.equal((await c.waitFinal('INFO')).status, 500);
    t.equal(dialog.state, 'confirmed');
  });
});

t.test('re-INVITE in a dialog (§14)', async (t) => {
  t.test("hold: 'modify' gets the sendonly offer, the app answers recvonly, 200 until the ACK", async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    const offers: string[] = [];
    dialog.on('modify', (req: IncomingRequest, res: ServerResponse) => {
      offers.push(req.body);
      res.send(200, { body: sdp('recvonly', 40000, 2), contentType: 'application/sdp' });
    });
    c.cseq = 2;
    const reinvite = c.send('INVITE', { body: sdp('sendonly', 41000, 2) });
    const ok = await waitForValue(() => c.responses({ status: 200, method: 'INVITE' }).find((r) => r.cseq?.seq === 2), '200 to the re-INVITE');
    t.same(offers, [sdp('sendonly', 41000, 2)], "'modify' got the offer once");
    t.equal(ok.topVia?.params.get('branch'), reinvite);
    t.equal(ok.toTag, c.toTag, 'same dialog To tag');
    t.match(ok.body.toString(), /a=recvonly/);
    t.ok(ok.get('contact'), 'the 2xx to a re-INVITE has a Contact (§12.1.1, §14.2)');
    t.equal(dialog.remoteSdp, sdp('sendonly', 41000, 2), 'remoteSdp updated');
    t.equal(dialog.localSdp, sdp('recvonly', 40000, 2), 'localSdp updated');

    await waitFor(() => c.responses({ status: 200, method: 'INVITE' }).filter((r) => r.cseq?.seq === 2).length >= 2, 'the re-INVITE 200 retransmitted');
    const acked = once(dialog, 'ack');
    c.ack2xx(ok, 2);
    const [ack] = await within(acked, "'ack' for the re-INVITE");
    t.equal(ack.cseq?.seq, 2);
    await drain();
    const after = c.responses({ status: 200, method: 'INVITE' }).length;
    await sleep(2 * T2 + 300);
    t.equal(c.responses({ status: 200, method: 'INVITE' }).length, after, 'no 200 after the ACK');
    t.equal(dialog.state, 'confirmed');
  });

  t.test('without a modify listener the stack answers 200 with its SDP', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    c.cseq = 2;
    c.send('INVITE', { body: sdp('sendonly', 41000, 2) });
    const ok = await waitForValue(() => c.responses({ status: 200, method: 'INVITE' }).find((r) => r.cseq?.seq === 2), '200 to the re-INVITE');
    t.equal(ok.get('content-type'), 'application/sdp');
    t.ok(ok.body.length > 0, 'the 200 carries an answer');
    t.equal(dialog.remoteSdp, sdp('sendonly', 41000, 2), 'remoteSdp is the new offer');
    const acked = once(dialog, 'ack');
    c.ack2xx(ok, 2);
    await within(acked, "'ack' for the re-INVITE");
    t.equal(dialog.state, 'confirmed');
  });

  t.test('the default answer to a sendonly offer is recvonly or inactive (RFC 3264 §6.1)', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    await establish(f, c, dialogs);
    c.cseq = 2;
    c.send('INVITE', { body: sdp('sendonly', 41000, 2) });
    const ok = await waitForValue(() => c.responses({ status: 200, method: 'INVITE' }).find((r) => r.cseq?.seq === 2), '200 to the re-INVITE');
    c.ack2xx(ok, 2);
    t.match(ok.body.toString(), /a=(recvonly|inactive)/, `answer direction: ${/a=(\w+only|sendrecv|inactive)/.exec(ok.body.toString())?.[1]}`);
  });

  t.test('a second re-INVITE while the first is unanswered gets 500 with Retry-After (§14.2)', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    const held: ServerResponse[] = [];
    dialog.on('modify', (_req, res) => held.push(res));
    c.cseq = 2;
    c.send('INVITE', { body: sdp('sendonly', 41000, 2) });
    await waitFor(() => held.length === 1, "the first 'modify'");
    c.cseq = 3;
    c.send('INVITE', { body: sdp('inactive', 41000, 3) });
    const second = await c.peer
      .wait((m) => !m.isRequest && m.callId === c.callId && (m as SipResponse).cseq?.seq === 3 && (m as SipResponse).status >= 200, 'a final response to the second re-INVITE', { timeoutMs: 1500 })
      .then((r) => r.msg as SipResponse)
      .catch(() => undefined);
    t.equal(second?.status, 500, 'second re-INVITE gets 500');
    t.ok(second?.get('retry-after'), '500 has Retry-After');
    t.equal(held.length, 1, "the application saw one 'modify'");
    // Clean up: answer what is outstanding.
    for (const res of held) res.send(488);
  });
});

t.test('dialog verbs from the stack side', async (t) => {
  t.test('modify() sends a re-INVITE in the dialog and ACKs the 200 at the Contact (§14.1)', async (t) => {
    const f = await fixture(t);
    const contact = await f.extraPeer();
    const dialogs = answerWithUAS(f.stack);
    const c = f.call({ contactPort: contact.port });
    const { dialog, ok } = await establish(f, c, dialogs);
    const answer = settle(dialog.modify(sdp('sendonly', 40000, 2)));
    const reinvite = await contact.waitRequest('INVITE', 're-INVITE at the Contact');
    t.equal(reinvite.uri, c.contactUri);
    t.equal(reinvite.fromTag, ok.toTag);
    t.equal(reinvite.toTag, c.fromTag);
    t.equal(reinvite.cseq?.method, 'INVITE');
    t.match(reinvite.body.toString(), /a=sendonly/);
    t.ok(reinvite.get('contact'), 're-INVITE has a Contact');
    contact.send(formatResponse(reinvite, 200, 'OK', { headers: [`Contact: <${c.contactUri}>`], body: sdp('recvonly', 41000, 2) }), f.stack.port);
    const ack = await contact.waitRequest('ACK', 'ACK for the re-INVITE 200');
    await within(answer.promise, 'modify() to resolve');
    t.equal(answer.value, sdp('recvonly', 41000, 2), 'modify() resolves with the answer');
    t.equal(ack.get('cseq'), `${reinvite.cseq!.seq} ACK`, 'ACK CSeq number is the re-INVITE one');
    t.not(ack.topVia?.params.get('branch'), reinvite.topVia?.params.get('branch'), 'ACK for 2xx has its own branch');
    t.equal(ack.toTag, c.fromTag);
  });

  t.test("an UPDATE's 2xx answer becomes the dialog's session and its Contact the remote target (RFC 3311 §5.1)", async (t) => {
    const f = await fixture(t);
    const contact = await f.extraPeer();
    const moved = await f.extraPeer();
    const dialogs = answerWithUAS(f.stack);
    const c = f.call({ contactPort: contact.port });
    const { dialog } = await establish(f, c, dialogs);
    const sent = settle(dialog.request('UPDATE', { body: sdp('sendonly', 40000, 2) }));
    const update = await contact.waitRequest('UPDATE', 'UPDATE at the Contact');
    contact.send(formatResponse(update, 200, 'OK', { headers: [`Contact: <sip:alice@${HOST}:${moved.port}>`], body: sdp('recvonly', 41000, 2) }), f.stack.port);
    await within(sent.promise, 'request() to resolve');
    t.equal(dialog.localSdp, sdp('sendonly', 40000, 2), 'our offer is the session we hold');
    t.equal(dialog.remoteSdp, sdp('recvonly', 41000, 2), 'and their answer the remote one');
    // A target refresh's 2xx replaces the remote target (RFC 3261 §12.2.1.2): the BYE goes there.
    const done = settle(dialog.destroy());
    const bye = await moved.waitRequest('BYE', "BYE at the 2xx's Contact");
    moved.send(formatResponse(bye, 200, 'OK'), f.stack.port);
    await within(done.promise, 'destroy() resolves');
  });

  t.test("the peer's UPDATE: its offer and our answer become the session; the 2xx carries our Contact", async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    c.cseq++;
    c.send('UPDATE', { body: sdp('sendonly', 40000, 2) });
    const ok = await c.waitResponse(200, 'UPDATE');
    t.match(ok.get('contact') ?? '', new RegExp(`sip:${HOST}:${f.stack.port}`), 'the 2xx carries the stack Contact');
    t.match(ok.body.toString(), /a=recvonly/, 'the default answer to sendonly');
    t.equal(dialog.remoteSdp, sdp('sendonly', 40000, 2), 'their offer is the remote session');
    t.equal(dialog.localSdp, ok.body.toString(), 'our answer is the session we hold');
  });

  t.test('destroy() before the ACK arrived waits for it before sending BYE (§15)', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    c.send('INVITE', { body: SDP });
    const ok = await c.waitResponse(200, 'INVITE');
    c.toTag = ok.toTag;
    const dialog = await waitForValue(() => dialogs[0], 'the dialog');
    const done = settle(dialog.destroy());
    await sleep(3 * T1 + 100);
    t.equal(c.peer.requests('BYE').length, 0, 'the callee MUST NOT send BYE before the ACK (or the transaction timing out)');
    c.ack2xx(ok);
    const bye = await c.peer.waitRequest('BYE', 'BYE after the ACK');
    c.peer.send(formatResponse(bye, 200, 'OK'), f.stack.port);
    await within(done.promise, 'destroy() resolves');
  });

  t.test('a re-INVITE while our own re-INVITE is pending gets 491 (§14.2)', async (t) => {
    const f = await fixture(t);
    const dialogs = answerWithUAS(f.stack);
    const c = f.call();
    const { dialog } = await establish(f, c, dialogs);
    const ours = settle(dialog.modify(sdp('sendonly', 40000, 2)));
    const reinvite = await c.peer.waitRequest('INVITE', 'our re-INVITE');
    let modifyEvents = 0;
    dialog.on('modify', (_req, res) => {
      modifyEvents++;
      res.send(200, { body: SDP, contentType: 'application/sdp' });
    });
    c.cseq = 2;
    c.send('INVITE', { body: sdp('inactive', 41000, 2) });
    const theirs = await c.peer
      .wait((m) => !m.isRequest && m.callId === c.callId && (m as SipResponse).cseq?.seq === 2 && (m as SipResponse).status >= 200, 'final response to the crossing re-INVITE', { timeoutMs: 1500 })
      .then((r) => r.msg as SipResponse)
      .catch(() => undefined);
    t.equal(theirs?.status, 491, 'glare: 491 Request Pending');
    t.equal(modifyEvents, 0, "no 'modify' for the crossing re-INVITE");
    if (theirs && theirs.status < 300) c.ack2xx(theirs, 2);
    // Clean up ours: the peer answers 491 too, the stack ACKs it.
    c.peer.send(formatResponse(reinvite, 491, 'Request Pending'), f.stack.port);
    await within(ours.promise, 'modify() to settle');
    t.equal((ours.error as { status?: number } | undefined)?.status, 491, 'modify() rejects 491');
  });
});
