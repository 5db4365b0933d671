// After calls of every kind complete, the stack forgets them: no dialogs, no transactions
// once the transaction timers (64*T1 = 3.2 s here) have run out.
import { once } from 'node:events';
import t from 'tap';
import type { Dialog } from '../../../engine/sip/dialog.js';
import { SipError } from '../../../engine/sip/errors.js';
import type { SipRequest } from '../../../engine/sip/message.js';
import { HOST, SDP, T64, fixture, formatResponse, rand, sdp, settle, waitFor, waitForValue, within } from './raw-peer.js';

const ZERO = { dialogs: 0, serverTransactions: 0, clientTransactions: 0 };

t.test('stack.stats returns to zero after every kind of exchange', async (t) => {
  const f = await fixture(t);
  const { stack, peer } = f;
  t.same(stack.stats, ZERO, 'starts empty');
  const dialogs: Dialog[] = [];
  stack.invite((req, res) => {
    const user = req.msg.parsedUri && 'user' in req.msg.parsedUri ? req.msg.parsedUri.user : undefined;
    if (user === 'busy') res.send(486);
    else if (user === 'ring') res.send(180);
    else void stack.createUAS(req, res, { localSdp: SDP }).then((d) => dialogs.push(d));
  });

  // OPTIONS in (non-INVITE server transaction, Timer J).
  const options = f.call();
  options.send('OPTIONS');
  await options.waitFinal('OPTIONS');

  // INVITE → 486 → ACK (Completed → Confirmed → Timer I).
  const busy = f.call({ user: 'busy' });
  const busyBranch = busy.send('INVITE', { body: SDP });
  busy.ackNon2xx(busyBranch, await busy.waitResponse(486, 'INVITE'));

  // INVITE → 180 → CANCEL → 487 → ACK.
  const ring = f.call({ user: 'ring' });
  const ringBranch = ring.send('INVITE', { body: SDP });
  await ring.waitResponse(180, 'INVITE');
  ring.send('CANCEL', { branch: ringBranch });
  ring.ackNon2xx(ringBranch, await ring.waitResponse(487, 'INVITE'));

  // UAS call: 200 → ACK → re-INVITE → 200 → ACK → BYE from the peer.
  const uas = f.call();
  uas.send('INVITE', { body: SDP });
  const ok = await uas.waitResponse(200, 'INVITE');
  uas.toTag = ok.toTag;
  const uasDialog = await waitForValue(() => dialogs[0], 'the UAS dialog');
  let acked = once(uasDialog, 'ack');
  uas.ack2xx(ok);
  await within(acked, 'ACK');
  uas.cseq = 2;
  uas.send('INVITE', { body: sdp('sendonly', 41000, 2) });
  const reOk = await waitForValue(() => uas.responses({ status: 200, method: 'INVITE' }).find((r) => r.cseq?.seq === 2), '200 to the re-INVITE');
  acked = once(uasDialog, 'ack');
  uas.ack2xx(reOk, 2);
  await within(acked, 'ACK for the re-INVITE');
  uas.send('BYE', { cseq: 3 });
  t.equal((await uas.waitFinal('BYE')).status, 200);

  // UAC call: 200 → ACK → our BYE.
  const uac = settle(stack.createUAC(`sip:x@${HOST}:${peer.port}`, { localSdp: SDP }));
  const invite = await peer.waitRequest('INVITE');
  peer.send(formatResponse(invite, 200, 'OK', { toTag: rand(), headers: [`Contact: <sip:x@${HOST}:${peer.port}>`], body: SDP }), stack.port);
  await within(uac.promise, 'createUAC');
  const hangup = settle(uac.value!.destroy());
  const bye = await peer.waitRequest('BYE');
  peer.send(formatResponse(bye, 200, 'OK'), stack.port);
  await within(hangup.promise, 'destroy()');

  // OPTIONS out (non-INVITE client transaction, Timer K).
  const out = settle(stack.request(`sip:x@${HOST}:${peer.port}`, { method: 'OPTIONS' }));
  const outReq = await peer.waitRequest('OPTIONS');
  peer.send(formatResponse(outReq, 200, 'OK', { toTag: rand() }), stack.port);
  await within(out.promise, 'OPTIONS out');

  const busyNow = stack.stats;
  t.equal(busyNow.dialogs, 0, 'both calls are over');
  t.ok(busyNow.serverTransactions > 0, `server transactions linger for their timers (${busyNow.serverTransactions})`);
  t.ok(busyNow.clientTransactions > 0, `client transactions linger for their timers (${busyNow.clientTransactions})`);

  await waitFor(() => stack.stats.serverTransactions === 0 && stack.stats.clientTransactions === 0, 'every transaction to end', T64 + 4000);
  t.same(stack.stats, ZERO, 'no dialogs and no transactions left');
});

t.test('over TCP a client INVITE transaction ends at the non-2xx final (Timer D = 0)', async (t) => {
  const f = await fixture(t);
  const tcp = await f.tcpPeer();
  const call = settle(f.stack.createUAC(`sip:x@${HOST}:${tcp.port};transport=tcp`, { localSdp: SDP }));
  const got = await tcp.wait((m) => m.isRequest && (m as SipRequest).method === 'INVITE', 'INVITE over TCP');
  const invite = got.msg as SipRequest;
  t.equal(invite.topVia?.transport, 'TCP');
  got.socket!.write(formatResponse(invite, 486, 'Busy Here', { toTag: rand() }));
  await within(call.promise, 'createUAC to reject');
  t.equal((call.error as SipError | undefined)?.status, 486);
  const ack = await tcp.wait((m) => m.isRequest && (m as SipRequest).method === 'ACK', 'ACK over TCP');
  t.equal((ack.msg as SipRequest).topVia?.params.get('branch'), invite.topVia?.params.get('branch'));
  t.equal(ack.socket, got.socket, 'ACK on the same connection');
  t.equal(f.stack.stats.clientTransactions, 0, 'no client transaction left');
  t.same(f.stack.stats, ZERO);
});
