// Ended transactions waiting out their last timer are lean records (engine/sip/transaction/
// lingering.ts): the transaction object itself is collectable at once, while the record still
// answers retransmissions as RFC 3261 §17 and RFC 6026 require, and goes after its timer.
// Real UDP peers; the heap is inspected with WeakRefs after full garbage collections.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { SipRequest } from '../../../engine/sip/message.js';
import { HOST, SDP, T1, T4, T64, collectGarbage, drain, fixture, formatResponse, rand, waitFor } from './raw-peer.js';

t.test('server: a retransmitted request after the final gets the same bytes from the record; the record goes after Timer J', async (t) => {
  const f = await fixture(t);
  let handled = 0;
  let tx: WeakRef<object> | undefined;
  f.stack.on('OPTIONS', (req, res) => {
    handled++;
    tx = new WeakRef(req.tx);
    res.send(200, { headers: { Allow: f.stack.allow } });
  });
  const c = f.call();
  const options = c.request('OPTIONS');
  c.peer.send(options.text, f.stack.port);
  await c.waitResponse(200, 'OPTIONS');
  await collectGarbage();
  t.equal(tx?.deref(), undefined, 'the transaction object is collected');
  t.equal(f.stack.stats.serverTransactions, 1, 'its record lingers (Timer J)');

  c.peer.send(options.text, f.stack.port);
  await waitFor(() => c.responses({ status: 200 }).length === 2, 'the 200 again');
  const raws = c.peer.raw.filter((r) => r.includes(c.callId));
  t.equal(raws[1], raws[0], 'the repeated 200 is byte-for-byte the first one');
  t.equal(handled, 1, 'the handler ran once');

  await waitFor(() => f.stack.stats.serverTransactions === 0, 'the record to go after Timer J', 4 * T64);
  c.peer.send(options.text, f.stack.port);
  await waitFor(() => handled === 2, 'the same request, after Timer J, to be a new transaction');
});

t.test('server: after the ACK an INVITE transaction is collected; its record absorbs a retransmitted INVITE (RFC 6026 §7.1)', async (t) => {
  const f = await fixture(t);
  let handled = 0;
  let tx: WeakRef<object> | undefined;
  f.stack.invite((req, res) => {
    handled++;
    tx = new WeakRef(req.tx);
    void f.stack.createUAS(req, res, { localSdp: SDP });
  });
  const c = f.call();
  const invite = c.request('INVITE', { body: SDP });
  c.peer.send(invite.text, f.stack.port);
  const ok = await c.waitResponse(200, 'INVITE');
  c.toTag = ok.toTag;
  c.ack2xx(ok);
  await drain();
  await collectGarbage();
  t.equal(tx?.deref(), undefined, 'the INVITE transaction object is collected once the ACK came');
  t.equal(f.stack.stats.serverTransactions, 1, 'its record lingers (Timer L)');

  const before = c.responses().length;
  c.peer.send(invite.text, f.stack.port);
  await drain(100);
  t.equal(c.responses().length, before, 'the retransmitted INVITE gets no answer');
  t.equal(handled, 1, 'and does not reach the handler');
  t.equal(f.stack.stats.dialogs, 1, 'the call goes on');
});

t.test('client: retransmitted finals after the first are absorbed; the transaction object is collected; the record goes after Timer K', async (t) => {
  const f = await fixture(t);
  const uri = `sip:peer@${HOST}:${f.peer.port}`;
  const request = new SipRequest('MESSAGE', uri);
  request.set('max-forwards', '70');
  request.set('from', `<sip:stack@${HOST}>;tag=${rand()}`);
  request.set('to', `<${uri}>`);
  request.set('call-id', `${rand()}@${HOST}`);
  request.set('cseq', '1 MESSAGE');
  const heard: number[] = [];
  const tx = new WeakRef(
    f.stack.layer.request(request, { protocol: 'udp', address: HOST, port: f.peer.port }, { onResponse: (r) => heard.push(r.status), onFailure: (s) => heard.push(s) }),
  );
  const sent = await f.peer.waitRequest('MESSAGE');
  // The final, then at once a copy of it and another final (Timer K is only T4 here).
  f.peer.send(formatResponse(sent, 200, 'OK', { toTag: rand() }), f.stack.port);
  f.peer.send(formatResponse(sent, 200, 'OK', { toTag: rand() }), f.stack.port);
  f.peer.send(formatResponse(sent, 500, 'Server Error', { toTag: rand() }), f.stack.port);
  await waitFor(() => heard.length >= 1, 'the 200 at the TU');
  await drain(100);
  t.same(heard, [200], 'the TU heard only the first final');
  t.equal(f.peer.requests().length, 1, 'nothing but the MESSAGE was sent to the peer');
  // Past Timer E's first retransmission, which the queue holds the transaction for.
  await sleep(4 * T1);
  await collectGarbage();
  t.equal(tx.deref(), undefined, 'the transaction object is collected');
  await waitFor(() => f.stack.stats.clientTransactions === 0, 'the record to go after Timer K', 4 * T4 + 2000);
});

t.test('client: a retransmitted non-2xx final to an INVITE is ACKed again from the record, with the same bytes', async (t) => {
  const f = await fixture(t);
  const result = f.stack.createUAC(`sip:x@${HOST}:${f.peer.port}`, { localSdp: SDP }).catch((err: unknown) => err);
  const invite = await f.peer.waitRequest('INVITE');
  const busy = formatResponse(invite, 486, 'Busy Here', { toTag: rand() });
  f.peer.send(busy, f.stack.port);
  await f.peer.waitRequest('ACK');
  await result;
  await collectGarbage();
  f.peer.send(busy, f.stack.port);
  await waitFor(() => f.peer.requests('ACK').length === 2, 'a second ACK');
  const acks = f.peer.raw.filter((r) => r.startsWith('ACK '));
  t.equal(acks[1], acks[0], 'the second ACK is byte-for-byte the first');
  t.equal(f.stack.stats.clientTransactions, 1, 'the record lingers (Timer D)');
});
