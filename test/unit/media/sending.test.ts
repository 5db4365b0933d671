// Endpoint.setSending: hold on the media side. Nothing leaves the endpoint while off (echo,
// mixer output and tones alike); receiving goes on; on again, sending resumes.
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { HOST, openPeer, startEngine, waitFor } from './helpers.js';

const PORTS = 26000;

t.test('setSending(false) stops what an echoing endpoint sends; true resumes it', async (t) => {
  const engine = startEngine(t, PORTS);
  const ep = engine.createEndpoint({ echo: true });
  const peer = await openPeer(t);
  ep.setRemote(HOST, peer.port);
  peer.startSine(ep.port, 1000);
  await peer.packetsAfter(0, 5);

  ep.setSending(false);
  await sleep(100); // the command reaches the media thread on its next tick
  const outBefore = ep.stats().packetsOut;
  const inBefore = ep.stats().packetsIn;
  await sleep(400);
  t.equal(ep.stats().packetsOut, outBefore, 'nothing sent while off');
  t.ok(ep.stats().packetsIn > inBefore, 'still receiving');

  ep.setSending(true);
  await waitFor('sending again', () => ep.stats().packetsOut > outBefore);
  t.pass('sending again once on');
});

t.test('setSending checks its arguments', async (t) => {
  const engine = startEngine(t, PORTS + 100);
  const ep = engine.createEndpoint();
  t.throws(() => ep.setSending('yes' as unknown as boolean), TypeError);
  await ep.close();
  t.throws(() => ep.setSending(true), RangeError, 'a closed endpoint');
});
