// The media-anchoring B2BUA (anchoredCall) between two hand-driven SIP peers with dgram RTP
// sockets: the callee gets our offer, the caller our answer, audio crosses the mixer (and is
// transcoded PCMA → PCMU), a late offer from the caller, an unusable callee answer, BYE.
import { once } from 'node:events';
import t, { type Test } from 'tap';
import { anchoredCall, type Bridge } from '../../../engine/call/bridge.js';
import type { SipRequest } from '../../../engine/sip/message.js';
import { audioOf, openPeer, startEngine, toneAmplitude, waitFor, type ReceivedRtp } from '../media/helpers.js';
import { HOST, fixture, formatMessage, formatResponse, newBranch, waitForValue, within, type UdpPeer, type PeerCall } from '../sip/raw-peer.js';

const PORTS = 25000;

function sdp(port: number, pts: string, rtpmaps: string[] = []): string {
  return ['v=0', `o=peer 9 1 IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', `m=audio ${port} RTP/AVP ${pts}`, ...rtpmaps, ''].join('\r\n');
}

async function setup(t: Test, portMin: number) {
  const media = startEngine(t, portMin);
  const f = await fixture(t);
  const callee = await f.extraPeer();
  const bridges: Bridge[] = [];
  const errors: unknown[] = [];
  f.stack.invite((req, res) => {
    anchoredCall({ stack: f.stack, req, res, media, uri: `sip:bob@${HOST}:${callee.port}` }).then(
      (b) => bridges.push(b),
      (e: unknown) => errors.push(e),
    );
  });
  return { media, f, callee, bridges, errors };
}

/** The callee answers the INVITE it got with 200 and `body`; returns the INVITE. */
async function calleeAnswers(callee: UdpPeer, body: string): Promise<SipRequest> {
  const invite = await callee.waitRequest('INVITE');
  callee.send(formatResponse(invite, 200, 'OK', { toTag: 'bob1', headers: [`Contact: <sip:bob@${HOST}:${callee.port}>`], body }), portOf(invite));
  return invite;
}

/** The stack's port, from the top Via of a request it sent. */
function portOf(req: SipRequest): number {
  return Number(/:(\d+)/.exec(req.get('via') ?? '')?.[1]);
}

function ackWithBody(c: PeerCall, ok: { get(name: string): string | undefined }, body: string): void {
  const headers = [`Via: ${c.via(newBranch())}`, 'Max-Forwards: 70', `From: ${c.from}`, `To: ${ok.get('to')}`, `Call-ID: ${c.callId}`, `CSeq: ${c.cseq} ACK`, 'Content-Type: application/sdp'];
  c.peer.send(formatMessage(`ACK ${c.uri} SIP/2.0`, headers, body), c.stackPort);
}

t.test('late offer from the caller; audio crosses the mixer, PCMA in, PCMU out', async (t) => {
  const { media, f, callee, bridges } = await setup(t, PORTS);
  const rtpA = await openPeer(t);
  const rtpB = await openPeer(t);
  const c = f.call();
  c.send('INVITE');
  const invite = await calleeAnswers(callee, sdp(rtpB.port, '0', ['a=rtpmap:0 PCMU/8000']));
  const offerToCallee = invite.body.toString();
  t.match(offerToCallee, /^m=audio \d+ RTP\/AVP 0 8 101\r$/m, 'the callee gets our offer');
  const ok = await c.waitResponse(200, 'INVITE');
  c.toTag = ok.toTag;
  const offerToCaller = ok.body.toString();
  t.match(offerToCaller, /^m=audio \d+ RTP\/AVP 0 8 101\r$/m, 'the caller, who offered nothing, gets our offer in the 200');
  const portA = Number(/^m=audio (\d+)/m.exec(offerToCaller)?.[1]);
  const portB = Number(/^m=audio (\d+)/m.exec(offerToCallee)?.[1]);
  t.not(portA, portB, 'two engine endpoints');
  ackWithBody(c, ok, sdp(rtpA.port, '8', ['a=rtpmap:8 PCMA/8000']));
  const bridge = await waitForValue(() => bridges[0], 'the bridge');
  await waitFor('the answer in the ACK', () => bridge.a.remote?.codec === 'PCMA');
  t.equal(bridge.b.remote?.codec, 'PCMU');

  rtpA.startSine(portA, 1000, { codec: 'PCMA' });
  const atB = await rtpB.packetsAfter(0, 60);
  t.ok(atB.every((p) => p.from.port === portB && p.pt === 0), 'the callee gets PCMU from its engine port only');
  // The first 30-packet window from the 30th on in which the tone shows (a paced sender stalls
  // on a loaded machine).
  const callerTone = (w: ReceivedRtp[]): boolean => toneAmplitude(audioOf(w, 'PCMU'), 1000) > 10 * toneAmplitude(audioOf(w, 'PCMU'), 1500);
  const samples = audioOf(await rtpB.windowWhere(30, 30, callerTone), 'PCMU');
  t.ok(toneAmplitude(samples, 1000) > 10 * toneAmplitude(samples, 1500), "the callee hears the caller's 1000 Hz");

  f.peer.answerByes = true;
  const ended = once(bridge, 'ended');
  callee.send(
    formatMessage(`BYE sip:alice@${HOST} SIP/2.0`, [
      `Via: SIP/2.0/UDP ${HOST}:${callee.port};branch=${newBranch()}`,
      'Max-Forwards: 70',
      `From: ${invite.get('to')};tag=bob1`,
      `To: ${invite.get('from')}`,
      `Call-ID: ${invite.callId}`,
      'CSeq: 1 BYE',
    ]),
    portOf(invite),
  );
  const [info] = await within(ended, "the bridge's 'ended'");
  t.equal(info.by, bridge.b, 'ended by the callee');
  await f.peer.waitRequest('BYE');
  t.pass('the caller got BYE');
  await waitFor('endpoints and mixer gone', () => media.stats().endpoints === 0 && media.stats().mixers === 0);
});

t.test('a callee answer with no usable codec: the callee gets BYE, the caller 488', async (t) => {
  const { media, f, callee, errors } = await setup(t, PORTS + 100);
  callee.answerByes = true;
  const c = f.call();
  c.send('INVITE', { body: sdp(40000, '0', ['a=rtpmap:0 PCMU/8000']) });
  await calleeAnswers(callee, sdp(40002, '18', ['a=rtpmap:18 G729/8000']));
  t.equal((await c.waitFinal('INVITE')).status, 488);
  await callee.waitRequest('BYE');
  t.pass('the callee got BYE');
  await waitForValue(() => errors[0], 'the rejection');
  await waitFor('endpoints and mixer gone', () => media.stats().endpoints === 0 && media.stats().mixers === 0);
});
