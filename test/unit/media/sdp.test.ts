// media/sdp.ts: SDP offer/answer for audio and what an endpoint needs from the remote SDP.
import t from 'tap';
import { answerSdp, configureEndpoint, remoteMedia, sdpDirection } from '../../../media/index.js';
import { HOST, audioOf, openPeer, startEngine, toneAmplitude, waitFor, type ReceivedRtp } from './helpers.js';

const PORTS_SDP = 23900;

function offer(media: string, extra = ''): string {
  return [
    'v=0',
    'o=alice 2890844526 2890844526 IN IP4 192.0.2.10',
    's=-',
    'c=IN IP4 192.0.2.10',
    't=0 0',
    media,
    ...extra.split('\n').filter(Boolean),
    '',
  ].join('\r\n');
}

const OFFERS = {
  pcmu: offer('m=audio 49170 RTP/AVP 0 101', 'a=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-16'),
  pcmaFirst: offer('m=audio 49172 RTP/AVP 8 0 96', 'a=rtpmap:96 telephone-event/8000\na=sendonly'),
  staticOnly: offer('m=audio 49174 RTP/AVP 18 0'),
  lowercase: offer('m=audio 49176 RTP/AVP 0', 'a=rtpmap:0 pcmu/8000\na=recvonly'),
  unsupported: offer('m=audio 49178 RTP/AVP 18 9', 'a=rtpmap:18 G729/8000\na=rtpmap:9 G722/8000'),
  videoOnly: offer('m=video 51372 RTP/AVP 31'),
  mediaLevelC: offer('m=audio 49180 RTP/AVP 0', 'c=IN IP4 198.51.100.7\na=ptime:30'),
  hold: offer('m=audio 49182 RTP/AVP 0').replace('c=IN IP4 192.0.2.10', 'c=IN IP4 0.0.0.0'),
  inactive: offer('m=audio 49184 RTP/AVP 0', 'a=inactive'),
};

const withoutOrigin = (sdp: string | null): string | null => sdp && sdp.replace(/^o=.*$/m, 'o=');

t.test('answer content', async (t) => {
  const local = { address: '203.0.113.5', port: 40000 };
  const a = answerSdp(OFFERS.pcmaFirst, local)!;
  t.match(a, /^m=audio 40000 RTP\/AVP 8 96\r$/m, 'first offered codec we speak, plus telephone-event');
  t.match(a, /^a=recvonly\r$/m, 'sendonly offer → recvonly answer');
  t.match(a, /^c=IN IP4 203\.0\.113\.5\r$/m);
  t.equal(answerSdp(OFFERS.unsupported, local), null, 'no common codec → null (488)');
  t.equal(answerSdp(OFFERS.videoOnly, local), null, 'no audio → null');
  t.match(answerSdp(undefined, local)!, /^m=audio 40000 RTP\/AVP 0 8 101\r$/m, 'an offer of our own: PCMU, PCMA, telephone-event');
});

t.test('remoteMedia: address, port, codec and payload types to use', async (t) => {
  t.same(remoteMedia(OFFERS.pcmu), {
    address: '192.0.2.10',
    port: 49170,
    codec: 'PCMU',
    payloadType: 0,
    payloadTypes: { pcmu: 0, telephoneEvent: 101 },
    direction: 'sendrecv',
    ptime: undefined,
    held: false,
    rtcpMux: false,
    rtcp: undefined,
  });
  const pcma = remoteMedia(OFFERS.pcmaFirst)!;
  t.same([pcma.codec, pcma.payloadType, pcma.payloadTypes, pcma.direction], ['PCMA', 8, { pcma: 8, pcmu: 0, telephoneEvent: 96 }, 'sendonly']);
  const st = remoteMedia(OFFERS.staticOnly)!;
  t.same([st.codec, st.payloadTypes], ['PCMU', { pcmu: 0 }], 'static payload type without rtpmap');
  const lc = remoteMedia(OFFERS.mediaLevelC)!;
  t.same([lc.address, lc.ptime], ['198.51.100.7', 30], 'media-level c= wins; ptime');
  t.equal(remoteMedia(OFFERS.hold)!.held, true, 'c=0.0.0.0 is hold');
  t.equal(remoteMedia(OFFERS.unsupported), null);
  t.equal(remoteMedia(OFFERS.videoOnly), null);
});

t.test('configureEndpoint: an offer with PCMA and telephone-event 96 sets up a real endpoint', async (t) => {
  const engine = startEngine(t, PORTS_SDP);
  const ep = engine.createEndpoint({ echo: true });
  const peer = await openPeer(t);
  const o = offer(`m=audio ${peer.port} RTP/AVP 8 96`, 'a=rtpmap:8 PCMA/8000\na=rtpmap:96 telephone-event/8000').replace(/192\.0\.2\.10/g, HOST);
  const remote = remoteMedia(o)!;
  configureEndpoint(ep, remote);
  const answer = answerSdp(o, { address: ep.address, port: ep.port })!;
  t.match(answer, new RegExp(`^m=audio ${ep.port} RTP/AVP 8 96\\r$`, 'm'));
  peer.startSine(ep.port, 1000, { codec: 'PCMA' });
  // Per packet, in the first window where most carry the tone (a paced sender stalls on a
  // loaded machine: its tone is then missing at the source).
  const tonedIn = (w: ReceivedRtp[]): number => w.filter((p) => toneAmplitude(audioOf([p], 'PCMA'), 1000) > 5000).length;
  const back = await peer.windowWhere(10, 20, (w) => tonedIn(w) >= w.length / 2);
  t.ok(back.every((p) => p.pt === 8), 'we send PCMA with the negotiated payload type');
  const toned = tonedIn(back);
  t.ok(toned >= back.length / 2, `and the echo is the tone (${toned} of ${back.length} packets)`);
  await peer.send(Buffer.from([0x80, 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 160]), ep.port);
  await waitFor('the telephone-event packet', () => ep.stats().telephoneEvents === 1);
  t.equal(ep.stats().unknownPayloadType, 0, 'telephone-event on 96 is recognised');
});

