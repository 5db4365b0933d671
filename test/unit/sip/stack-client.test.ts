// SipStack as a UAC over real sockets: non-INVITE and INVITE client transactions (RFC 3261
// §17.1), ACK for non-2xx and 2xx (§17.1.1.3, §13.2.2.4), CANCEL (§9.1), UDP→TCP (§18.1.1).
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import type { Dialog } from '../../../engine/sip/dialog.js';
import { SipError } from '../../../engine/sip/errors.js';
import type { SipRequest, SipResponse } from '../../../engine/sip/message.js';
import type { OutgoingInvite } from '../../../engine/sip/stack.js';
import { HOST, SDP, T64, drain, fixture, formatMessage, formatResponse, newBranch, rand, settle, waitFor, within } from './raw-peer.js';

t.test('non-INVITE client transaction (§17.1.2)', async (t) => {
  t.test('a silent peer sees Timer E retransmissions and the request fails 408 after 64*T1', async (t) => {
    const f = await fixture(t);
    const result = settle(f.stack.request(`sip:peer@${HOST}:${f.peer.port}`, { method: 'OPTIONS' }));
    await within(result.promise, 'the OPTIONS to time out', T64 + 5000);
    await drain();
    t.type(result.error, SipError, 'rejects with a SipError');
    t.equal((result.error as SipError).status, 408);
    const sent = f.peer.requests('OPTIONS');
    t.ok(sent.length >= 4, `original plus at least 3 retransmissions (${sent.length} in all)`);
    const raws = f.peer.raw;
    t.ok(raws.every((r) => r === raws[0]), 'every retransmission is identical to the original');
    t.ok(sent[0].topVia?.params.get('branch')?.startsWith('z9hG4bK'), 'RFC 3261 branch');
    t.equal(sent[0].cseq?.method, 'OPTIONS');
    t.equal(sent[0].uri, `sip:peer@${HOST}:${f.peer.port}`);
    const n = sent.length;
    await sleep(500);
    t.equal(f.peer.requests('OPTIONS').length, n, 'retransmissions stop once the transaction timed out');
  });

  t.test('a 200 ends the retransmissions and resolves; a retransmitted 200 is absorbed', async (t) => {
    const f = await fixture(t);
    const result = settle(f.stack.request(`sip:peer@${HOST}:${f.peer.port}`, { method: 'MESSAGE', body: 'hello', contentType: 'text/plain' }));
    const req = await f.peer.waitRequest('MESSAGE');
    t.equal(req.body.toString(), 'hello');
    t.equal(req.get('content-type'), 'text/plain');
    const ok = formatResponse(req, 200, 'OK', { toTag: rand() });
    f.peer.send(ok, f.stack.port);
    await within(result.promise, 'the MESSAGE to resolve');
    t.equal((result.value as SipResponse | undefined)?.status, 200);
    f.peer.send(ok, f.stack.port);
    await sleep(100);
    const n = f.peer.requests('MESSAGE').length;
    await sleep(300);
    t.equal(f.peer.requests('MESSAGE').length, n, 'no retransmissions after the 200');
  });
});

/** Starts createUAC towards the peer and returns the INVITE the peer received. */
async function startCall(
  f: Awaited<ReturnType<typeof fixture>>,
  callbacks: { cbRequest?: (h: OutgoingInvite) => void; cbProvisional?: (r: SipResponse) => void } = {},
): Promise<{ result: ReturnType<typeof settle<Dialog>>; invite: SipRequest }> {
  const result = settle(f.stack.createUAC(`sip:x@${HOST}:${f.peer.port}`, { localSdp: SDP }, callbacks));
  const invite = await f.peer.waitRequest('INVITE');
  return { result, invite };
}

t.test('INVITE client transaction (§17.1.1)', async (t) => {
  t.test('486: ACK with the INVITE branch and the response To tag, promise rejects 486; a repeated 486 is ACKed again', async (t) => {
    const f = await fixture(t);
    const { result, invite } = await startCall(f);
    t.equal(invite.cseq?.seq, 1);
    t.equal(invite.get('content-type'), 'application/sdp');
    t.equal(invite.body.toString(), SDP, 'INVITE carries localSdp');
    t.ok(invite.get('contact'), 'INVITE has a Contact');
    t.ok(invite.fromTag, 'INVITE has a From tag');
    t.equal(invite.toTag, undefined, 'INVITE has no To tag');

    const tag = rand();
    const busy = formatResponse(invite, 486, 'Busy Here', { toTag: tag });
    f.peer.send(busy, f.stack.port);
    const ack = await f.peer.waitRequest('ACK');
    await within(result.promise, 'createUAC to settle');
    t.type(result.error, SipError);
    t.equal((result.error as SipError).status, 486);
    t.equal(ack.topVia?.params.get('branch'), invite.topVia?.params.get('branch'), 'ACK has the INVITE branch');
    t.equal(ack.uri, invite.uri, 'ACK Request-URI is the INVITE Request-URI');
    t.equal(ack.get('cseq'), '1 ACK');
    t.equal(ack.toTag, tag, 'ACK To has the 486 tag');
    t.equal(ack.fromTag, invite.fromTag);
    t.equal(ack.callId, invite.callId);

    f.peer.send(busy, f.stack.port);
    await waitFor(() => f.peer.requests('ACK').length === 2, 'a second ACK for the repeated 486');
    await sleep(100);
    t.equal(f.peer.requests('ACK').length, 2, 'one ACK per 486');
    t.equal(f.stack.stats.dialogs, 0);
  });

  t.test('180 then 200: ACK in a new transaction to the Contact, CSeq 1 ACK; a repeated 200 is ACKed again; BYE has CSeq 2', async (t) => {
    const f = await fixture(t);
    const contact = await f.extraPeer();
    const provisionals: number[] = [];
    const { result, invite } = await startCall(f, { cbProvisional: (r) => provisionals.push(r.status) });
    const tag = rand();
    const contactUri = `sip:callee@${HOST}:${contact.port}`;
    f.peer.send(formatResponse(invite, 180, 'Ringing', { toTag: tag, headers: [`Contact: <${contactUri}>`] }), f.stack.port);
    await waitFor(() => provisionals.length === 1, 'cbProvisional');
    t.same(provisionals, [180]);
    const ok = formatResponse(invite, 200, 'OK', { toTag: tag, headers: [`Contact: <${contactUri}>`], body: SDP });
    f.peer.send(ok, f.stack.port);

    const ack = await contact.waitRequest('ACK', 'ACK at the 200 Contact');
    await within(result.promise, 'createUAC to resolve');
    t.equal(result.error, undefined, 'createUAC resolves');
    const dialog = result.value!;
    t.equal(ack.uri, contactUri, 'ACK Request-URI is the Contact of the 200');
    t.not(ack.topVia?.params.get('branch'), invite.topVia?.params.get('branch'), 'ACK for a 2xx has a new branch');
    t.equal(ack.get('cseq'), '1 ACK');
    t.equal(ack.toTag, tag);
    t.equal(ack.fromTag, invite.fromTag);
    t.equal(ack.callId, invite.callId);
    t.equal(f.peer.requests('ACK').length, 0, 'no ACK to the INVITE target');
    t.equal(dialog.remoteTag, tag);
    t.equal(dialog.remoteSdp, SDP);
    t.equal(f.stack.stats.dialogs, 1);

    f.peer.send(ok, f.stack.port);
    await waitFor(() => contact.requests('ACK').length === 2, 'an ACK for the retransmitted 200');
    const ack2 = contact.requests('ACK')[1];
    t.equal(ack2.get('cseq'), '1 ACK');
    t.equal(ack2.toTag, tag);

    const done = settle(dialog.destroy());
    const bye = await contact.waitRequest('BYE', 'BYE at the Contact');
    t.equal(bye.get('cseq'), '2 BYE', 'BYE CSeq is the INVITE CSeq plus one');
    t.equal(bye.uri, contactUri);
    t.equal(bye.fromTag, invite.fromTag);
    t.equal(bye.toTag, tag);
    contact.send(formatResponse(bye, 200, 'OK'), f.stack.port);
    await within(done.promise, 'destroy() resolves');
    t.equal(f.stack.stats.dialogs, 0);
  });

  t.test('cancel() after a 180: CANCEL with the INVITE branch; 487 is ACKed and the promise rejects 487', async (t) => {
    const f = await fixture(t);
    let handle: OutgoingInvite | undefined;
    const { result, invite } = await startCall(f, {
      cbRequest: (h) => (handle = h),
      cbProvisional: () => handle?.cancel(),
    });
    t.ok(handle, 'cbRequest gave a handle');
    t.equal(handle?.request.callId, invite.callId);
    const tag = rand();
    f.peer.send(formatResponse(invite, 180, 'Ringing', { toTag: tag }), f.stack.port);
    const cancel = await f.peer.waitRequest('CANCEL');
    t.equal(cancel.topVia?.params.get('branch'), invite.topVia?.params.get('branch'), 'CANCEL has the INVITE branch');
    t.equal(cancel.uri, invite.uri, 'same Request-URI');
    t.equal(cancel.get('cseq'), '1 CANCEL', 'same CSeq number, method CANCEL');
    t.equal(cancel.callId, invite.callId);
    t.equal(cancel.get('from'), invite.get('from'));
    t.equal(cancel.get('to'), invite.get('to'), 'To as in the INVITE (no tag)');

    f.peer.send(formatResponse(cancel, 200, 'OK', { toTag: tag }), f.stack.port);
    const terminated = formatResponse(invite, 487, 'Request Terminated', { toTag: tag });
    f.peer.send(terminated, f.stack.port);
    const ack = await f.peer.waitRequest('ACK');
    await within(result.promise, 'createUAC to settle');
    t.type(result.error, SipError);
    t.equal((result.error as SipError).status, 487);
    t.equal(ack.topVia?.params.get('branch'), invite.topVia?.params.get('branch'), 'ACK for the 487 has the INVITE branch');
    t.equal(ack.get('cseq'), '1 ACK');
    t.equal(ack.toTag, tag);
    await sleep(100);
    t.equal(f.peer.requests('CANCEL').length, 1, 'CANCEL sent once (its 200 arrived)');
  });

  t.test('cancel() before any provisional waits for one (§9.1)', async (t) => {
    const f = await fixture(t);
    let handle: OutgoingInvite | undefined;
    const { result, invite } = await startCall(f, { cbRequest: (h) => (handle = h) });
    handle!.cancel();
    await sleep(150);
    t.equal(f.peer.requests('CANCEL').length, 0, 'no CANCEL before a provisional');
    const tag = rand();
    f.peer.send(formatResponse(invite, 180, 'Ringing', { toTag: tag }), f.stack.port);
    const cancel = await f.peer.waitRequest('CANCEL');
    f.peer.send(formatResponse(cancel, 200, 'OK', { toTag: tag }), f.stack.port);
    f.peer.send(formatResponse(invite, 487, 'Request Terminated', { toTag: tag }), f.stack.port);
    await within(result.promise, 'createUAC to settle');
    t.equal((result.error as SipError | undefined)?.status, 487);
  });
});

t.test('§9.1: a CANCELled INVITE whose 487 never comes is given up after 64*T1', async (t) => {
  const f = await fixture(t);
  let handle: OutgoingInvite | undefined;
  const { result, invite } = await startCall(f, { cbRequest: (h) => (handle = h), cbProvisional: () => handle?.cancel() });
  const tag = rand();
  f.peer.send(formatResponse(invite, 180, 'Ringing', { toTag: tag }), f.stack.port);
  const cancel = await f.peer.waitRequest('CANCEL');
  f.peer.send(formatResponse(cancel, 200, 'OK', { toTag: tag }), f.stack.port);
  await within(result.promise, 'createUAC to settle without a 487', T64 + 5000);
  t.type(result.error, SipError, 'createUAC rejects');
  await waitFor(() => f.stack.stats.clientTransactions === 0, 'the INVITE and CANCEL transactions to end', T64 + 3000);
  t.equal(f.stack.stats.dialogs, 0);
});

t.test('§18.1.1: a request over 1300 bytes goes over TCP', async (t) => {
  const f = await fixture(t);
  const tcp = await f.tcpPeer();
  const body = 'x'.repeat(2000);
  const result = settle(f.stack.request(`sip:peer@${HOST}:${tcp.port}`, { method: 'MESSAGE', body, contentType: 'text/plain' }));
  const got = await tcp.wait((m) => m.isRequest, 'the MESSAGE over TCP');
  const req = got.msg as SipRequest;
  t.equal(req.method, 'MESSAGE');
  t.equal(req.topVia?.transport, 'TCP', 'top Via says TCP');
  t.equal(req.body.length, 2000, 'whole body arrived');
  got.socket!.write(formatResponse(req, 200, 'OK', { toTag: rand() }));
  await within(result.promise, 'the MESSAGE to resolve');
  t.equal((result.value as SipResponse | undefined)?.status, 200, 'the 200 on the connection completes the transaction');
  t.equal(f.peer.raw.length, 0);
});

t.test('UAC dialogs and 2xx handling (§13.2.2.4, §17.1.1.2)', async (t) => {
  t.test('Timer B does not run in Proceeding: a call that rings longer than 64*T1 is still answered', async (t) => {
    const f = await fixture(t);
    const { result, invite } = await startCall(f);
    const tag = rand();
    f.peer.send(formatResponse(invite, 180, 'Ringing', { toTag: tag }), f.stack.port);
    await sleep(T64 + 500);
    t.notOk(result.done(), `createUAC still pending while ringing (settled with: ${String(result.error ?? result.value ?? 'nothing')})`);
    f.peer.send(formatResponse(invite, 200, 'OK', { toTag: tag, headers: [`Contact: <sip:callee@${HOST}:${f.peer.port}>`], body: SDP }), f.stack.port);
    const acked = await f.peer
      .waitRequest('ACK', 'ACK for the late 200', { timeoutMs: 1500 })
      .then(() => true)
      .catch(() => false);
    t.ok(acked, 'the late 200 is ACKed');
    await within(result.promise, 'createUAC to settle');
    t.equal(result.error, undefined, 'createUAC resolves with the dialog');
  });

  t.test('a 2xx retransmitted after Timer M is still ACKed by the dialog', async (t) => {
    const f = await fixture(t);
    const { result, invite } = await startCall(f);
    const tag = rand();
    const ok = formatResponse(invite, 200, 'OK', { toTag: tag, headers: [`Contact: <sip:callee@${HOST}:${f.peer.port}>`], body: SDP });
    f.peer.send(ok, f.stack.port);
    await within(result.promise, 'createUAC to resolve');
    await f.peer.waitRequest('ACK');
    await waitFor(() => f.stack.stats.clientTransactions === 0, 'the INVITE transaction to end (Timer M)', T64 + 3000);
    f.peer.send(ok, f.stack.port);
    await waitFor(() => f.peer.requests('ACK').length === 2, 'an ACK for the late 2xx retransmission');
    t.equal(f.peer.requests('ACK')[1].get('cseq'), '1 ACK');
  });

  t.test('a second 2xx with another To tag (forked) is ACKed and then ended with BYE', async (t) => {
    const f = await fixture(t);
    const { result, invite } = await startCall(f);
    const contactUri = `sip:callee@${HOST}:${f.peer.port}`;
    const tagA = rand();
    const tagB = rand();
    f.peer.send(formatResponse(invite, 200, 'OK', { toTag: tagA, headers: [`Contact: <${contactUri}>`], body: SDP }), f.stack.port);
    await within(result.promise, 'createUAC to resolve');
    await waitFor(() => f.peer.requests('ACK').length === 1, 'ACK for the first 2xx');
    f.peer.send(formatResponse(invite, 200, 'OK', { toTag: tagB, headers: [`Contact: <${contactUri}>`], body: SDP }), f.stack.port);
    await waitFor(() => f.peer.requests('ACK').some((a) => a.toTag === tagB), 'ACK for the forked 2xx', 1500).catch(() => undefined);
    t.ok(f.peer.requests('ACK').some((a) => a.toTag === tagB), 'the forked 2xx is ACKed (MUST, §13.2.2.4)');
    const bye = await f.peer.wait((m) => m.isRequest && (m as SipRequest).method === 'BYE' && m.toTag === tagB, 'BYE for the forked dialog', { timeoutMs: 1500 }).catch(() => undefined);
    t.ok(bye, 'the unwanted second dialog gets a BYE');
    if (bye) f.peer.send(formatResponse(bye.msg as SipRequest, 200, 'OK'), f.stack.port);
    t.equal(result.value?.remoteTag, tagA, 'the call is the first dialog');
  });

  t.test('the callee may start its CSeq at 0: an in-dialog BYE with CSeq 0 gets 200 (§8.1.1.5, §12.2.2)', async (t) => {
    const f = await fixture(t);
    const { result, invite } = await startCall(f);
    const tag = rand();
    f.peer.send(formatResponse(invite, 200, 'OK', { toTag: tag, headers: [`Contact: <sip:callee@${HOST}:${f.peer.port}>`], body: SDP }), f.stack.port);
    await within(result.promise, 'createUAC to resolve');
    const dialog = result.value!;
    // The callee's BYE: From/To swapped, its own CSeq space.
    const bye = formatMessage(`BYE sip:${HOST}:${f.stack.port} SIP/2.0`, [
      `Via: SIP/2.0/UDP ${HOST}:${f.peer.port};branch=${newBranch()}`,
      'Max-Forwards: 70',
      `From: ${invite.get('to')};tag=${tag}`,
      `To: ${invite.get('from')}`,
      `Call-ID: ${invite.callId}`,
      'CSeq: 0 BYE',
    ]);
    f.peer.send(bye, f.stack.port);
    const r = await f.peer.wait((m) => !m.isRequest && (m as SipResponse).cseq?.method === 'BYE', 'response to the BYE');
    t.equal((r.msg as SipResponse).status, 200);
    t.equal(dialog.state, 'terminated');
  });
});
