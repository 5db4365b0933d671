// Call legs over real SIP (a hand-driven UDP peer or a second stack) and real RTP (the media
// addon on one side, a dgram RTP peer on the other): SDP offer/answer corner cases, hold and
// resume by re-INVITE, a moved remote, late offers, the endpoint's life following the dialog.
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import t, { type Test } from 'tap';
import { Bridge } from '../../../engine/call/bridge.js';
import { CallLeg } from '../../../engine/call/call-leg.js';
import { IncomingCall } from '../../../engine/call/incoming-call.js';
import type { IncomingRequest, ServerResponse } from '../../../engine/sip/incoming.js';
import { SipStack } from '../../../engine/sip/stack.js';
import { MediaEngine } from '../../../media/engine.js';
import { openPeer, startEngine, waitFor, type RtpPeer } from '../media/helpers.js';
import { HOST, T1, T2, T4, fixture, formatMessage, newBranch, waitForValue, within, type Fixture, type PeerCall } from '../sip/raw-peer.js';

// Port blocks of this file: 24000–24999 and 26400–26699 (other test files take other blocks).
const PORTS = 24000;

function offer(port: number, lines: string[], version = 1): string {
  return ['v=0', `o=peer 7 ${version} IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', `m=audio ${port} RTP/AVP ${lines[0]}`, ...lines.slice(1), ''].join('\r\n');
}

const PCMU_PCMA_TE101 = ['0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16'];

/** The stack answers each INVITE through an IncomingCall; legs and rejections are collected. */
function answering(f: Fixture, media: MediaEngine, opts: { echo?: boolean; rtpTimeoutMs?: number } = {}): { legs: CallLeg[]; errors: unknown[] } {
  const out = { legs: [] as CallLeg[], errors: [] as unknown[] };
  f.stack.invite((req: IncomingRequest, res: ServerResponse) => {
    try {
      const incoming = new IncomingCall({ stack: f.stack, req, res, media, ...opts });
      incoming.answer().then((leg) => out.legs.push(leg), (err: unknown) => out.errors.push(err));
    } catch (err) {
      out.errors.push(err);
    }
  });
  return out;
}

/** INVITE with `body` (or none), the 200, the ACK (with `ackBody` if given); returns the 200. */
async function call(c: PeerCall, body: string | undefined, ackBody?: string) {
  c.send('INVITE', body === undefined ? {} : { body });
  const ok = await c.waitResponse(200, 'INVITE');
  c.toTag = ok.toTag;
  if (ackBody === undefined) c.ack2xx(ok);
  else sendAck(c, ok, ackBody);
  return ok;
}

function sendAck(c: PeerCall, ok: { get(name: string): string | undefined; getAll(name: string): string[] }, body: string): void {
  const headers = [
    `Via: ${c.via(newBranch())}`,
    'Max-Forwards: 70',
    `From: ${c.from}`,
    `To: ${ok.get('to')}`,
    `Call-ID: ${c.callId}`,
    `CSeq: ${c.cseq} ACK`,
    'Content-Type: application/sdp',
  ];
  c.peer.send(formatMessage(`ACK ${c.uri} SIP/2.0`, headers, body), c.stackPort);
}

async function reinvite(c: PeerCall, body: string): Promise<string> {
  c.cseq++;
  const since = c.peer.received.length;
  c.send('INVITE', { body });
  const ok = await c.waitResponse(200, 'INVITE', { since });
  c.ack2xx(ok);
  return ok.body.toString();
}

function mLine(sdp: string): string {
  return /^m=audio .*$/m.exec(sdp)?.[0].trim() ?? '';
}

/** Counts packets reaching `peer` over a pause, after letting queued commands take effect. */
async function packetsDuring(peer: RtpPeer, ms: number): Promise<number> {
  await sleep(100);
  const before = peer.received.length;
  await sleep(ms);
  return peer.received.length - before;
}

async function setup(t: Test, portMin: number, opts: { echo?: boolean; rtpTimeoutMs?: number } = {}) {
  const media = startEngine(t, portMin);
  const f = await fixture(t);
  const calls = answering(f, media, opts);
  const rtp = await openPeer(t);
  return { media, f, calls, rtp };
}

t.test('answer: the first offered codec we speak, the offer\'s telephone-event type, a real endpoint', async (t) => {
  const { media, f, calls, rtp } = await setup(t, PORTS, { echo: true });
  const c = f.call();
  // PCMA only, telephone-event on 96 (not 101): the answer keeps the offer's numbers.
  const ok = await call(c, offer(rtp.port, ['8 96', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:96 telephone-event/8000', 'a=sendrecv']));
  const answer = ok.body.toString();
  const leg = await waitForValue(() => calls.legs[0], 'the leg');
  t.equal(mLine(answer), `m=audio ${leg.endpoint.port} RTP/AVP 8 96`, 'm= names the real endpoint port, PCMA and event 96');
  t.match(answer, /^c=IN IP4 127\.0\.0\.1\r$/m, 'c= is the endpoint address');
  t.match(answer, /^a=rtpmap:8 PCMA\/8000\r$/m);
  t.match(answer, /^a=rtpmap:96 telephone-event\/8000\r$/m);
  t.match(answer, /^a=sendrecv\r$/m);
  t.same(leg.remote && { codec: leg.remote.codec, port: leg.remote.port, te: leg.remote.payloadTypes.telephoneEvent }, { codec: 'PCMA', port: rtp.port, te: 96 });
  // The endpoint really speaks PCMA: what the peer sends in PCMA comes back as PCMA (echo).
  rtp.startSine(leg.endpoint.port, 1000, { codec: 'PCMA' });
  const back = await rtp.packetsAfter(0, 10);
  t.ok(back.every((p) => p.pt === 8 && p.from.port === leg.endpoint.port), 'echoed RTP is PCMA (PT 8) from the endpoint port');
  t.equal(media.stats().endpoints, 1);
});

t.test('answer: the offerer\'s order decides between PCMU and PCMA', async (t) => {
  const { f } = await setup(t, PORTS + 100);
  const a = await call(f.call(), offer(40000, ['8 0', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:0 PCMU/8000']));
  t.match(mLine(a.body.toString()), / RTP\/AVP 8$/, 'PCMA first in the offer → PCMA');
  const b = await call(f.call(), offer(40002, ['0 8']));
  t.match(mLine(b.body.toString()), / RTP\/AVP 0$/, 'PCMU first, static types without rtpmap → PCMU, no telephone-event offered, none answered');
});

t.test('no common codec: 488 and no endpoint left', async (t) => {
  const { media, f, calls } = await setup(t, PORTS + 200);
  const c = f.call();
  c.send('INVITE', { body: offer(40000, ['18 96', 'a=rtpmap:18 G729/8000', 'a=rtpmap:96 opus/48000/2']) });
  const r = await c.waitFinal('INVITE');
  t.equal(r.status, 488);
  t.equal(calls.legs.length, 0);
  await waitFor('the endpoint to close', () => media.stats().endpoints === 0);
  t.pass('the endpoint was closed');
});

t.test('INVITE without SDP: we offer in the 200 and take the answer from the ACK', async (t) => {
  const { f, calls, rtp } = await setup(t, PORTS + 300, { echo: true });
  const c = f.call();
  const ok = await call(c, undefined, offer(rtp.port, ['8 101', 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000']));
  const leg = await waitForValue(() => calls.legs[0], 'the leg');
  t.equal(mLine(ok.body.toString()), `m=audio ${leg.endpoint.port} RTP/AVP 0 8 101`, 'our offer: PCMU, PCMA, telephone-event');
  const [remote] = await within(once(leg, 'remoteChanged'), 'the answer from the ACK');
  t.same({ codec: remote.codec, port: remote.port }, { codec: 'PCMA', port: rtp.port }, 'the ACK answer is applied');
  rtp.startSine(leg.endpoint.port, 1000, { codec: 'PCMA' });
  const back = await rtp.packetsAfter(0, 5);
  t.ok(back.every((p) => p.pt === 8), 'media flows in the answered codec');
});

t.test('re-INVITE: hold stops our sending, resume restarts it, a new address moves it', async (t) => {
  const { f, calls, rtp } = await setup(t, PORTS + 400, { echo: true });
  const c = f.call();
  await call(c, offer(rtp.port, PCMU_PCMA_TE101));
  const leg = await waitForValue(() => calls.legs[0], 'the leg');
  rtp.startSine(leg.endpoint.port, 1000);
  await rtp.packetsAfter(0, 5);

  const held = once(leg, 'held');
  const holdAnswer = await reinvite(c, offer(rtp.port, [...PCMU_PCMA_TE101, 'a=sendonly'], 2));
  t.match(holdAnswer, /^a=recvonly\r$/m, 'sendonly offer → recvonly answer');
  t.match(holdAnswer, /^o=switchyard \d+ 2 /m, 'o= version went up with the changed SDP');
  await within(held, "'held'");
  t.ok(leg.held);
  t.equal(await packetsDuring(rtp, 400), 0, 'nothing is sent to a party that holds');

  const resumed = once(leg, 'resumed');
  t.match(await reinvite(c, offer(rtp.port, PCMU_PCMA_TE101, 3)), /^a=sendrecv\r$/m, 'resume → sendrecv');
  await within(resumed, "'resumed'");
  t.ok((await packetsDuring(rtp, 300)) > 0, 'sending again after resume');

  const inactive = await reinvite(c, offer(rtp.port, [...PCMU_PCMA_TE101, 'a=inactive'], 4));
  t.match(inactive, /^a=inactive\r$/m, 'inactive → inactive');
  t.ok(leg.held);

  // The far end moves to a new port (and stops sending from the old one) and resumes.
  rtp.stop();
  const moved = await openPeer(t);
  await reinvite(c, offer(moved.port, ['8', 'a=rtpmap:8 PCMA/8000'], 5));
  t.equal(leg.remote?.port, moved.port);
  moved.startSine(leg.endpoint.port, 1000, { codec: 'PCMA' });
  const back = await moved.packetsAfter(0, 5);
  t.ok(back.every((p) => p.pt === 8), 'the new address gets RTP in the new codec');
});

t.test('re-INVITE with no common codec gets 488 and changes nothing', async (t) => {
  const { f, calls, rtp } = await setup(t, PORTS + 500);
  const c = f.call();
  await call(c, offer(rtp.port, PCMU_PCMA_TE101));
  const leg = await waitForValue(() => calls.legs[0], 'the leg');
  c.cseq++;
  const since = c.peer.received.length;
  c.send('INVITE', { body: offer(rtp.port, ['18', 'a=rtpmap:18 G729/8000'], 2) });
  const r = await c.waitFinal('INVITE', { since });
  t.equal(r.status, 488);
  t.equal(leg.remote?.codec, 'PCMU');
  t.notOk(leg.ended);
});

t.test('BYE from the far end ends the leg and closes its endpoint', async (t) => {
  const { media, f, calls, rtp } = await setup(t, PORTS + 600);
  const c = f.call();
  await call(c, offer(rtp.port, PCMU_PCMA_TE101));
  const leg = await waitForValue(() => calls.legs[0], 'the leg');
  const ended = once(leg, 'ended');
  c.cseq++;
  c.send('BYE');
  t.equal((await c.waitFinal('BYE')).status, 200);
  t.doesNotThrow(() => leg.stats(), 'counters stay readable while the endpoint closes');
  const [info] = await within(ended, "'ended'");
  t.equal(info.reason, 'remote');
  t.equal(media.stats().endpoints, 0, 'endpoint closed');
});

t.test('RTP timeout: BYE to a far end that went silent', async (t) => {
  const { media, f, calls, rtp } = await setup(t, PORTS + 700, { rtpTimeoutMs: 300 });
  const c = f.call();
  await call(c, offer(rtp.port, PCMU_PCMA_TE101));
  const leg = await waitForValue(() => calls.legs[0], 'the leg');
  const ended = once(leg, 'ended');
  const [info] = await within(ended, "'ended'", 10000);
  t.equal(info.reason, 'rtp-timeout');
  const bye = await f.peer.waitRequest('BYE');
  t.equal(bye.callId, c.callId, 'the far end got BYE');
  t.equal(media.stats().endpoints, 0);
});

t.test('dial: our offer out, the answer applied, RTP both ways between two stacks', async (t) => {
  const media = startEngine(t, PORTS + 800);
  const far = await fixture(t);
  const farCalls = answering(far, media, { echo: true });
  const near = new SipStack({ host: HOST, port: 0, logger: pino({ level: 'silent' }), timers: { t1: T1, t2: T2, t4: T4 } });
  await near.start();
  t.teardown(() => near.stop());
  const leg = await CallLeg.dial({ stack: near, media, uri: `sip:echo@${HOST}:${far.stack.port}` });
  const farLeg = await waitForValue(() => farCalls.legs[0], 'the far leg');
  t.equal(leg.remote?.port, farLeg.endpoint.port, 'our leg sends to the far endpoint');
  t.equal(farLeg.remote?.port, leg.endpoint.port, 'the far leg sends to ours');
  t.equal(leg.remote?.codec, 'PCMU', 'the answerer took our first codec');
  t.equal(leg.remote?.payloadTypes.telephoneEvent, 101);
  // Our endpoint plays a tone to the far end, which echoes it back.
  leg.endpoint.playTone(1000);
  await waitFor('RTP both ways', () => leg.stats().packetsIn > 20 && farLeg.stats().packetsIn > 20);
  t.pass('packets in on both endpoints');
  const ended = once(farLeg, 'ended');
  await leg.hangup();
  t.equal((await within(ended, 'the far leg to end'))[0].reason, 'remote');
  await waitFor('both endpoints closed', () => media.stats().endpoints === 0);
});

t.test('dial: a refused call rejects and leaves no endpoint', async (t) => {
  const media = startEngine(t, PORTS + 900);
  const far = await fixture(t);
  far.stack.invite((_req, res) => res.send(486));
  const near = new SipStack({ host: HOST, port: 0, logger: pino({ level: 'silent' }), timers: { t1: T1, t2: T2, t4: T4 } });
  await near.start();
  t.teardown(() => near.stop());
  const err = await CallLeg.dial({ stack: near, media, uri: `sip:busy@${HOST}:${far.stack.port}` }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal((err as { status?: number } | undefined)?.status, 486, 'rejected with the callee\'s 486');
  await waitFor('the endpoint to close', () => media.stats().endpoints === 0);
});

t.test('a leg answered or dialled earlier can be bridged: the mixer goes on its thread', async (t) => {
  const media = startEngine(t, 26400, { threads: 2 });
  const far = await fixture(t);
  const farCalls = answering(far, media);
  const near = new SipStack({ host: HOST, port: 0, logger: pino({ level: 'silent' }), timers: { t1: T1, t2: T2, t4: T4 } });
  await near.start();
  t.teardown(() => near.stop());
  const uri = `sip:x@${HOST}:${far.stack.port}`;
  const first = await CallLeg.dial({ stack: near, media, uri });
  const mixer = media.createMixer({ thread: first.endpoint.thread });
  const second = await CallLeg.dial({ stack: near, media, uri, mixer });
  t.equal(second.endpoint.thread, first.endpoint.thread, 'the second leg is on the first one\'s thread');
  const bridge = new Bridge(first, second, mixer);
  await waitFor('audio through the mixer to both far legs', () => farCalls.legs.length === 2 && farCalls.legs.every((l) => l.stats().packetsIn > 10));
  const ended = once(bridge, 'ended');
  await first.hangup();
  t.equal((await within(ended, "the bridge's 'ended'"))[0].by, first);
  t.ok(second.ended, 'the other leg was hung up too');
  await waitFor('endpoints and mixer gone', () => media.stats().endpoints === 0 && media.stats().mixers === 0);
});

t.test('no RTP port left: 503, and the next call after a hang-up gets the port again', async (t) => {
  const media = new MediaEngine({ portMin: 26600, portMax: 26601, address: HOST }).start();
  t.teardown(() => media.close());
  const f = await fixture(t);
  const calls = answering(f, media);
  const rtp = await openPeer(t);
  const first = f.call();
  await call(first, offer(rtp.port, PCMU_PCMA_TE101));
  const leg = await waitForValue(() => calls.legs[0], 'the first leg');
  const second = f.call();
  second.send('INVITE', { body: offer(rtp.port, PCMU_PCMA_TE101) });
  t.equal((await second.waitFinal('INVITE')).status, 503, 'the one port is taken: 503');
  f.peer.answerByes = true;
  await leg.hangup();
  const third = f.call();
  await call(third, offer(rtp.port, PCMU_PCMA_TE101));
  t.pass('answered once the port was free again');
});
