// SipStack as a UAS over real UDP: server transactions (RFC 3261 §17.2), CANCEL (§9.2),
// the UAS checks of §8.2, malformed requests and response routing (§18.2.2, RFC 3581).
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import type { IncomingRequest, ServerResponse } from '../../../engine/sip/incoming.js';
import type { SipResponse } from '../../../engine/sip/message.js';
import { SipError } from '../../../engine/sip/errors.js';
import { HOST, SDP, T1, T2, drain, fixture, formatMessage, newBranch, settle, waitFor, within, type PeerCall } from './raw-peer.js';

interface Held {
  req: IncomingRequest;
  res: ServerResponse;
}

t.test('INVITE server transaction (§17.2.1)', async (t) => {
  t.test('100 Trying comes back when the TU is silent; a retransmission gets the last provisional and the handler runs once', async (t) => {
    const { stack, call } = await fixture(t);
    const held: Held[] = [];
    stack.invite((req, res) => held.push({ req, res }));
    const c = call();
    const invite = c.request('INVITE', { body: SDP });
    c.peer.send(invite.text, stack.port);

    // The handler has not answered anything, yet 100 arrives.
    const trying = await c.waitResponse(100, 'INVITE');
    t.equal(trying.topVia?.params.get('branch'), invite.branch, '100 carries the INVITE branch');
    t.equal(trying.cseq?.seq, 1);
    await waitFor(() => held.length === 1, 'the INVITE handler');

    c.peer.send(invite.text, stack.port);
    await waitFor(() => c.responses({ status: 100 }).length === 2, 'a second 100 for the retransmission');
    t.equal(c.responses({ final: true }).length, 0, 'no final response yet');

    held[0].res.send(180);
    const ringing = await c.waitResponse(180, 'INVITE');
    t.ok(ringing.toTag, '180 has a To tag');
    c.peer.send(invite.text, stack.port);
    await waitFor(() => c.responses({ status: 180 }).length === 2, 'the 180 again for the retransmission');
    t.equal(c.responses({ status: 180 })[1].toTag, ringing.toTag, 'the repeated 180 is the same response');
    t.equal(c.responses({ status: 100 }).length, 2, 'no third 100: the last provisional is now 180');
    t.equal(held.length, 1, 'the handler ran once for three copies of the INVITE');

    held[0].res.send(486);
    const busy = await c.waitResponse(486, 'INVITE');
    t.equal(busy.toTag, ringing.toTag, 'final response keeps the To tag of the 180');
    c.ackNon2xx(invite.branch, busy);
  });

  t.test('a retransmitted INVITE after the final non-2xx gets that final again', async (t) => {
    const { stack, call } = await fixture(t);
    let calls = 0;
    stack.invite((_req, res) => {
      calls++;
      res.send(486);
    });
    const c = call();
    const invite = c.request('INVITE', { body: SDP });
    c.peer.send(invite.text, stack.port);
    const busy = await c.waitResponse(486, 'INVITE');
    const before = c.responses({ status: 486 }).length;
    c.peer.send(invite.text, stack.port);
    await waitFor(() => c.responses({ status: 486 }).length > before, 'the 486 again');
    t.equal(calls, 1, 'handler ran once');
    c.ackNon2xx(invite.branch, busy);
  });
});

t.test('non-INVITE server transaction (§17.2.2)', async (t) => {
  t.test('OPTIONS without a handler gets 200 with Allow and Accept; a retransmission gets the same 200', async (t) => {
    const { stack, call } = await fixture(t);
    const c = call();
    const options = c.request('OPTIONS');
    c.peer.send(options.text, stack.port);
    const ok = await c.waitResponse(200, 'OPTIONS');
    t.match(ok.get('allow') ?? '', /\bINVITE\b/, 'Allow lists INVITE');
    t.match(ok.get('allow') ?? '', /\bBYE\b/, 'Allow lists BYE');
    t.match(ok.get('accept') ?? '', /application\/sdp/, 'Accept: application/sdp');
    t.ok(ok.toTag, '200 has a To tag');
    t.equal(c.responses({ method: 'OPTIONS' }).length, 1, 'no provisional for a non-INVITE');

    c.peer.send(options.text, stack.port);
    await waitFor(() => c.responses({ status: 200 }).length === 2, 'the 200 again');
    const raws = c.peer.raw.filter((r) => r.includes(c.callId));
    t.equal(raws.length, 2);
    t.equal(raws[1], raws[0], 'the retransmitted 200 is byte-for-byte the first one');
  });

  t.test('retransmissions are absorbed while the handler works and answered with the final after; handler runs once', async (t) => {
    const { stack, call } = await fixture(t);
    const held: Held[] = [];
    stack.on('OPTIONS', (req, res) => held.push({ req, res }));
    const c = call();
    const options = c.request('OPTIONS');
    c.peer.send(options.text, stack.port);
    await waitFor(() => held.length === 1, 'the OPTIONS handler');
    c.peer.send(options.text, stack.port);
    c.peer.send(options.text, stack.port);
    await sleep(150);
    t.equal(c.responses().length, 0, 'nothing sent while the request is in Trying');
    held[0].res.send(200, { headers: { Allow: stack.allow, Accept: 'application/sdp' } });
    await c.waitResponse(200, 'OPTIONS');
    c.peer.send(options.text, stack.port);
    await waitFor(() => c.responses({ status: 200 }).length === 2, 'the 200 for the retransmission');
    t.equal(held.length, 1, 'the handler ran once for four copies');
  });
});

t.test('non-2xx final over UDP is retransmitted (Timer G) until the ACK', async (t) => {
  const { stack, call } = await fixture(t);
  stack.invite((_req, res) => res.send(486));
  const c = call();
  const invite = c.request('INVITE', { body: SDP });
  c.peer.send(invite.text, stack.port);
  await waitFor(() => c.responses({ status: 486 }).length >= 3, 'three copies of the 486');
  const copies = c.responses({ status: 486 });
  t.ok(copies.every((r) => r.toTag === copies[0].toTag), 'every copy has the same To tag');
  t.ok(copies.every((r) => r.topVia?.params.get('branch') === invite.branch), 'every copy has the INVITE branch');

  // ACK with the INVITE's branch (§17.1.1.3) ends the retransmissions.
  const atAck = c.responses({ status: 486 }).length;
  c.ackNon2xx(invite.branch, copies[0]);
  await sleep(3 * T2); // Timer G would send at least two more copies in this time (interval capped at T2)
  await drain();
  // One copy may already have been on its way when the ACK went out; never more.
  t.ok(c.responses({ status: 486 }).length - atAck <= 1, `no 486 after the ACK (${c.responses({ status: 486 }).length - atAck} crossed it)`);
  t.equal(c.peer.requests().length, 0, 'the stack sent no requests');
});

t.test('CANCEL (§9.2)', async (t) => {
  t.test('CANCEL of a ringing INVITE: 200 to CANCEL, 487 to INVITE with the 180 To tag, cancel event', async (t) => {
    const { stack, call } = await fixture(t);
    const held: Held[] = [];
    const cancelEvents: string[] = [];
    stack.invite((req, res) => {
      held.push({ req, res });
      req.on('cancel', (msg) => cancelEvents.push(msg.callId));
      res.send(180);
    });
    const c = call();
    const invite = c.request('INVITE', { body: SDP });
    c.peer.send(invite.text, stack.port);
    const ringing = await c.waitResponse(180, 'INVITE');

    c.send('CANCEL', { branch: invite.branch });
    const cancelOk = await c.waitResponse(200, 'CANCEL');
    t.equal(cancelOk.topVia?.params.get('branch'), invite.branch, '200 to CANCEL has the CANCEL branch');
    const terminated = await c.waitResponse(487, 'INVITE');
    t.equal(terminated.toTag, ringing.toTag, '487 has the same To tag as the 180');
    t.equal(terminated.cseq?.seq, 1);
    await waitFor(() => cancelEvents.length === 1, "IncomingRequest 'cancel'");
    t.same(cancelEvents, [c.callId], "one 'cancel' event, for this call");
    t.equal(held[0].req.canceled, true, 'req.canceled is set');

    // The application is too late now: createUAS refuses with 487.
    const late = settle(stack.createUAS(held[0].req, held[0].res, { localSdp: SDP }));
    await late.promise;
    t.type(late.error, SipError);
    t.equal((late.error as SipError).status, 487);
    c.ackNon2xx(invite.branch, terminated);
    await sleep(100);
    t.equal(c.responses({ status: 200, method: 'INVITE' }).length, 0, 'no 200 to the cancelled INVITE');
    t.equal(stack.stats.dialogs, 0);
  });

  t.test('CANCEL for an unknown branch gets 481', async (t) => {
    const { call } = await fixture(t);
    const c = call();
    c.send('CANCEL', { branch: newBranch() });
    const r = await c.waitFinal('CANCEL');
    t.equal(r.status, 481);
  });

  t.test('CANCEL after the final response, transaction still alive: 200 and no effect (§9.2)', async (t) => {
    const { stack, call } = await fixture(t);
    stack.invite((_req, res) => res.send(486));
    const c = call();
    const invite = c.request('INVITE', { body: SDP });
    c.peer.send(invite.text, stack.port);
    await c.waitResponse(486, 'INVITE');
    // No ACK yet: the INVITE server transaction is in Completed, retransmitting the 486.
    c.send('CANCEL', { branch: invite.branch });
    const r = await c.waitFinal('CANCEL');
    t.equal(r.status, 200, '"as long as the CANCEL matched an existing transaction, the UAS answers the CANCEL request itself with a 200"');
    t.equal(c.responses({ status: 487 }).length, 0, 'no 487: the CANCEL has no effect');
    c.ackNon2xx(invite.branch, c.responses({ status: 486 })[0]);
  });
});

t.test('UAS request checks (§8.2)', async (t) => {
  t.test('merged request: same From tag, Call-ID and CSeq on another branch gets 482 (§8.2.2.2)', async (t) => {
    const { stack, call } = await fixture(t);
    const held: Held[] = [];
    stack.invite((req, res) => {
      held.push({ req, res });
      res.send(180);
    });
    const c = call();
    const first = c.request('INVITE', { body: SDP });
    c.peer.send(first.text, stack.port);
    await c.waitResponse(180, 'INVITE');
    const second = c.request('INVITE', { body: SDP });
    t.not(second.branch, first.branch);
    c.peer.send(second.text, stack.port);
    const merged = await c.waitFinal('INVITE');
    t.equal(merged.status, 482);
    t.equal(merged.topVia?.params.get('branch'), second.branch, '482 answers the second INVITE');
    t.equal(held.length, 1, 'the handler saw only the first INVITE');
    c.ackNon2xx(second.branch, merged);

    held[0].res.send(480);
    const final = await c.waitResponse(480, 'INVITE');
    c.ackNon2xx(first.branch, final);
  });

  const rejected: { name: string; status: number; build: (c: PeerCall) => { text: string; branch: string }; check?: (t: Test, r: SipResponse) => void }[] = [
    { name: 'Max-Forwards: 0 gets 483', status: 483, build: (c) => c.request('INVITE', { body: SDP, maxForwards: '0' }) },
    {
      name: 'Require: foo gets 420 with Unsupported: foo (§8.2.2.3)',
      status: 420,
      build: (c) => c.request('INVITE', { body: SDP, headers: ['Require: foo'] }),
      check: (t, r) => t.equal(r.get('unsupported'), 'foo'),
    },
    { name: 'Request-URI scheme xyz: gets 416 (§8.2.2.1)', status: 416, build: (c) => c.request('INVITE', { body: SDP, uri: 'xyz:somebody@example.com' }) },
    {
      name: 'INVITE with a text/plain body gets 415 (§8.2.3)',
      status: 415,
      build: (c) => c.request('INVITE', { body: 'hello', contentType: 'text/plain' }),
      check: (t, r) => t.match(r.get('accept') ?? '', /application\/sdp/, '415 lists Accept'),
    },
  ];
  for (const { name, status, build, check } of rejected) {
    t.test(name, async (t) => {
      const { stack, call } = await fixture(t);
      let calls = 0;
      stack.invite((_req, res) => {
        calls++;
        res.send(500);
      });
      const c = call();
      const invite = build(c);
      c.peer.send(invite.text, stack.port);
      const r = await c.waitFinal('INVITE');
      t.equal(r.status, status);
      t.ok(r.toTag, 'final response has a To tag');
      check?.(t, r);
      t.equal(calls, 0, 'the handler never saw it');
      c.ackNon2xx(invite.branch, r);
    });
  }
});

t.test('robustness', async (t) => {
  t.test('a request without Call-ID gets 400 with a reason phrase; the stack then answers OPTIONS', async (t) => {
    const { stack, call } = await fixture(t);
    const c = call();
    c.peer.send(c.request('OPTIONS', { omit: ['Call-ID'] }).text, stack.port);
    await waitFor(() => c.peer.raw.length === 1, 'a response to the request without Call-ID');
    const statusLine = c.peer.raw[0].split('\r\n')[0];
    t.match(statusLine, /^SIP\/2\.0 400 \S/, `400 with a reason phrase: ${statusLine}`);
    t.match(c.peer.raw[0], /^CSeq: 1 OPTIONS\r$/m, 'the 400 copies the CSeq');

    const c2 = call();
    c2.send('OPTIONS');
    t.equal((await c2.waitFinal('OPTIONS')).status, 200);
  });

  t.test('a CSeq method mismatch gets 400 with a reason phrase; the stack then answers OPTIONS', async (t) => {
    const { call } = await fixture(t);
    const c = call();
    c.send('OPTIONS', { cseqMethod: 'INVITE' });
    const bad = await c.waitFinal('INVITE');
    t.equal(bad.status, 400);
    t.ok(bad.reason.length > 0 && bad.reason !== 'Bad Request', `reason says why: ${bad.reason}`);
    const c2 = call();
    c2.send('OPTIONS');
    t.equal((await c2.waitFinal('OPTIONS')).status, 200);
  });

  t.test('a handler that throws gets 500 and the stack keeps serving', async (t) => {
    const { stack, call } = await fixture(t);
    stack.on('MESSAGE', () => {
      throw new Error('boom');
    });
    stack.invite(() => {
      throw new Error('boom');
    });
    const c = call();
    c.send('MESSAGE', { body: 'hi', contentType: 'text/plain' });
    t.equal((await c.waitFinal('MESSAGE')).status, 500);

    const c2 = call();
    const invite = c2.request('INVITE', { body: SDP });
    c2.peer.send(invite.text, stack.port);
    const failed = await c2.waitFinal('INVITE');
    t.equal(failed.status, 500);
    c2.ackNon2xx(invite.branch, failed);

    const c3 = call();
    c3.send('OPTIONS');
    t.equal((await c3.waitFinal('OPTIONS')).status, 200);
  });

  t.test('RFC 3581: with ;rport the response goes to the source port, Via gets received and rport', async (t) => {
    const { peer, extraPeer, call } = await fixture(t);
    const elsewhere = await extraPeer();
    const c = call();
    // sent-by names the other socket; rport asks for the source port instead.
    const branch = newBranch();
    c.send('OPTIONS', { via: `SIP/2.0/UDP ${HOST}:${elsewhere.port};branch=${branch};rport` });
    const ok = await c.waitFinal('OPTIONS');
    t.equal(ok.status, 200);
    const via = ok.topVia!;
    t.equal(via.params.get('rport'), String(peer.port), 'rport is the source port');
    t.equal(via.params.get('received'), HOST, 'received is the source address');
    t.equal(via.params.get('branch'), branch);
    t.equal(via.port, elsewhere.port, 'sent-by is left alone');
    await sleep(100);
    t.equal(elsewhere.raw.length, 0, 'nothing went to the sent-by port');
  });

  t.test('§18.2.2: without rport the response goes to the sent-by port', async (t) => {
    const { extraPeer, call } = await fixture(t);
    const elsewhere = await extraPeer();
    const c = call();
    c.send('OPTIONS', { via: `SIP/2.0/UDP ${HOST}:${elsewhere.port};branch=${newBranch()}` });
    await waitFor(() => elsewhere.responses().length === 1, 'the 200 at the sent-by port');
    t.equal(elsewhere.responses()[0].status, 200);
    t.equal(c.peer.raw.length, 0, 'nothing went to the source port');
  });

  t.test('garbage and a stray response do not disturb the stack', async (t) => {
    const { stack, call } = await fixture(t);
    const c = call();
    c.peer.send('this is not SIP at all', stack.port);
    c.peer.send(formatMessage('SIP/2.0 200 OK', ['Via: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKnothing']), stack.port);
    c.send('OPTIONS');
    t.equal((await within(c.waitFinal('OPTIONS'), 'OPTIONS answer')).status, 200);
  });

  t.test('a datagram with no Via gets no response: there is nowhere to route one (§8.2.6.2, §18.2.2)', async (t) => {
    const { stack, call } = await fixture(t);
    const c = call();
    c.peer.send('this is not SIP at all', stack.port);
    c.peer.send(formatMessage(`OPTIONS sip:x@${HOST} SIP/2.0`, ['Call-ID: novia', 'CSeq: 1 OPTIONS']), stack.port);
    c.send('OPTIONS');
    await c.waitFinal('OPTIONS');
    await sleep(100);
    const answers = c.peer.raw.filter((r) => !r.includes(c.callId));
    t.same(answers, [], 'no Via-less responses were sent');
  });
});

t.test('server transactions over TCP', async (t) => {
  t.test('INVITE over TCP: 486 on the connection, no Timer G retransmissions', async (t) => {
    const { stack, call, tcpPeer } = await fixture(t);
    stack.invite((_req, res) => res.send(486));
    const tcp = await tcpPeer();
    const socket = await tcp.connect(stack.port);
    const c = call();
    const branch = newBranch();
    socket.write(c.request('INVITE', { body: SDP, via: `SIP/2.0/TCP ${HOST}:${tcp.port};branch=${branch}` }).text);
    const busy = await tcp.wait((m) => !m.isRequest && (m as SipResponse).status === 486, '486 over TCP');
    t.equal(tcp.received.filter((r) => !r.msg.isRequest && (r.msg as SipResponse).status === 100).length, 0, 'no 100: the TU answered within 200 ms (§17.2.1)');
    t.equal(busy.socket, socket, 'the response came back on the same connection');
    await sleep(8 * T1 + 200);
    t.equal(tcp.received.filter((r) => !r.msg.isRequest && (r.msg as SipResponse).status === 486).length, 1, 'the 486 was sent once');
    const ack = c.request('ACK', { branch, via: `SIP/2.0/TCP ${HOST}:${tcp.port};branch=${branch}`, toTag: (busy.msg as SipResponse).toTag });
    socket.write(ack.text);
    t.equal(c.peer.raw.length, 0, 'nothing over UDP');
  });

  t.test('once the request connection is closed, the response goes to the Via sent-by port (§18.2.2)', async (t) => {
    const { stack, call, tcpPeer } = await fixture(t);
    const held: Held[] = [];
    stack.on('MESSAGE', (req, res) => held.push({ req, res }));
    const listener = await tcpPeer();
    const socket = await listener.connect(stack.port);
    const c = call();
    socket.write(c.request('MESSAGE', { body: 'hi', contentType: 'text/plain', via: `SIP/2.0/TCP ${HOST}:${listener.port};branch=${newBranch()}` }).text);
    await waitFor(() => held.length === 1, 'the MESSAGE handler');
    socket.destroy();
    await sleep(100);
    held[0].res.send(200);
    const got = await listener
      .wait((m) => !m.isRequest && m.callId === c.callId, 'the 200 on a new connection to the sent-by port', 2000)
      .catch(() => undefined);
    t.ok(got, 'the 200 reached the sent-by port');
    t.not(got?.socket, socket, 'over a new connection');
  });
});
