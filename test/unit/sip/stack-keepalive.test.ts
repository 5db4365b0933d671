// In-dialog OPTIONS keep-alive: a call whose peer forgot it (481) or vanished (no answer)
// ends with 'destroy' instead of living forever.
import { once } from 'node:events';
import t from 'tap';
import type { Dialog } from '../../../engine/sip/dialog.js';
import { SDP, T1, T64, fixture, formatResponse, waitForValue, within, type Fixture, type PeerCall } from './raw-peer.js';

async function confirmedCall(f: Fixture): Promise<{ dialog: Dialog; c: PeerCall }> {
  const dialogs: Dialog[] = [];
  f.stack.invite((req, res) => void f.stack.createUAS(req, res, { localSdp: SDP }).then((d) => dialogs.push(d)));
  const c = f.call();
  c.send('INVITE', { body: SDP });
  const ok = await c.waitResponse(200, 'INVITE');
  c.toTag = ok.toTag;
  const dialog = await waitForValue(() => dialogs[0], 'the UAS dialog');
  const acked = once(dialog, 'ack');
  c.ack2xx(ok);
  await within(acked, 'ACK');
  return { dialog, c };
}

t.test('a peer answering 200 to the probe keeps the call; 481 ends it', async (t) => {
  const f = await fixture(t);
  const { dialog, c } = await confirmedCall(f);
  let destroyed = 0;
  dialog.on('destroy', () => destroyed++);
  dialog.keepAlive(4 * T1);
  const first = await c.peer.waitRequest('OPTIONS', 'first probe', { timeoutMs: 20 * T1 });
  t.equal(first.callId, c.callId, 'the probe is in the dialog');
  t.equal(first.toTag, c.fromTag, 'To tag is the peer tag');
  c.peer.send(formatResponse(first, 200, 'OK'), f.stack.port);
  const since = c.peer.received.length;
  const second = await c.peer.waitRequest('OPTIONS', 'second probe', { since, timeoutMs: 20 * T1 });
  t.equal(dialog.state, 'confirmed', 'still up after a 200');
  const gone = once(dialog, 'destroy');
  c.peer.send(formatResponse(second, 481, 'Call/Transaction Does Not Exist'), f.stack.port);
  await within(gone, "'destroy' after 481");
  t.equal(dialog.state, 'terminated');
  t.equal(destroyed, 1, "'destroy' fired once");
});

t.test('a silent peer times out (64*T1) and the call ends', async (t) => {
  const f = await fixture(t);
  const { dialog } = await confirmedCall(f);
  const gone = once(dialog, 'destroy');
  dialog.keepAlive(4 * T1);
  await within(gone, "'destroy' after the probe timed out", T64 + 40 * T1);
  t.equal(dialog.state, 'terminated');
});
