// What an ended B2BUA call leaves behind while the timers it started are still queued: the
// no-answer timeout (30 s in the engine) and the transactions' Timers J/L/M (64 × T1) outlive
// the call, and whatever they reference stays in memory that long (at 1,000 calls/s, tens of
// thousands of calls). The call's own objects (its request, its dialogs) must be collectable
// as soon as the call is over. Real UDP peers; the heap is inspected with WeakRefs after full
// garbage collections.
import t from 'tap';
import type { Dialog } from '../../../engine/sip/dialog.js';
import { HOST, SDP, T64, collectGarbage, drain, fixture, formatResponse, rand, waitFor } from './raw-peer.js';

t.test('a bridged call that ended keeps neither its request nor its dialogs alive while its no-answer timer waits', async (t) => {
  const f = await fixture(t);
  const callee = await f.extraPeer();
  callee.answerByes = true;
  // Only weak references leave the handler: the test itself must not keep the call alive.
  const refs: { req?: WeakRef<object>; dialogs: WeakRef<Dialog>[] } = { dialogs: [] };
  let bridged = false;
  f.stack.invite((req, res) => {
    refs.req = new WeakRef(req);
    void f.stack
      .createB2BUA(req, res, `sip:callee@${HOST}:${callee.port}`, {
        target: { protocol: 'udp', address: HOST, port: callee.port },
        // Far beyond the test: the timer is still queued when the heap is inspected.
        noAnswerTimeoutMs: 600_000,
      })
      .then(({ uas, uac }) => {
        refs.dialogs = [new WeakRef(uas), new WeakRef(uac)];
        bridged = true;
      });
  });

  const c = f.call({ user: 'callee' });
  c.send('INVITE', { body: SDP });
  const invite = await callee.waitRequest('INVITE', 'the bridged INVITE at the callee');
  const contact = `<sip:callee@${HOST}:${callee.port}>`;
  callee.send(formatResponse(invite, 200, 'OK', { toTag: rand(), headers: [`Contact: ${contact}`], body: SDP }), f.stack.port);
  await callee.waitRequest('ACK', "the stack's ACK for the callee's 200");
  const ok = await c.waitResponse(200, 'INVITE');
  c.toTag = ok.toTag;
  c.ack2xx(ok);
  await waitFor(() => bridged, 'both dialogs');

  c.cseq++;
  c.send('BYE');
  await c.waitResponse(200, 'BYE');
  await callee.waitRequest('BYE', 'the BYE relayed to the callee');
  await waitFor(() => f.stack.stats.dialogs === 0, 'both dialogs ended');
  await drain();

  t.ok(f.stack.stats.serverTransactions > 0, 'the ended transactions still linger (Timers J/L), as they should');
  await collectGarbage();
  t.equal(refs.req?.deref(), undefined, 'the INVITE request is collected');
  t.equal(refs.dialogs.length, 2);
  t.ok(refs.dialogs.every((d) => d.deref() === undefined), 'both dialogs are collected');
  // The lingering transactions still go away after 64 × T1.
  await waitFor(() => f.stack.stats.serverTransactions + f.stack.stats.clientTransactions === 0, 'every transaction ended', 4 * T64);
});
