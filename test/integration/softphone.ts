// A raw SIP phone over loopback for the contact-centre tests: it REGISTERs with digest auth,
// answers (or lets ring) the engine's INVITEs, dials numbers, and in every call sends a sine
// of its own frequency over RTP while recording what the engine sends it.
import { parseDigestHeader, buildAuthorization } from '../../engine/sip/auth/digest.js';
import type { SipRequest, SipResponse } from '../../engine/sip/message.js';
import { parseMessage } from '../../engine/sip/parser.js';
import { audioOf, rtpPacket, toneAmplitude, RtpPeer, type ReceivedRtp } from '../unit/media/helpers.js';
import { formatMessage, formatResponse, HOST, isRequest, newBranch, PeerCall, rand, UdpPeer, waitForValue } from '../unit/sip/raw-peer.js';

function sdp(rtpPort: number): string {
  return ['v=0', `o=phone 1 1 IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', `m=audio ${rtpPort} RTP/AVP 0 101`, 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-16', 'a=sendrecv', ''].join('\r\n');
}

function mediaPort(body: string): number {
  const port = Number(/^m=audio (\d+) /m.exec(body)?.[1]);
  if (!port) throw new Error(`no m=audio port in SDP:\n${body}`);
  return port;
}

/** A call from this phone: From is the phone's own extension (feature codes identify it so). */
class OutgoingCall extends PeerCall {
  constructor(
    peer: UdpPeer,
    stackPort: number,
    number: string,
    private readonly fromUser: string,
  ) {
    super(peer, stackPort, { user: number });
  }

  override get from(): string {
    return `<sip:${this.fromUser}@${HOST}>;tag=${this.fromTag}`;
  }

  override get contactUri(): string {
    return `sip:${this.fromUser}@${HOST}:${this.peer.port}`;
  }
}

export class SoftPhone {
  /**
   * 'answer': 180 then 200 to every INVITE; 'ring': 180 and wait (CANCEL gets 487);
   * 'cross': 180, and the 200 is sent when the CANCEL arrives (a 200 crossing the CANCEL).
   */
  mode: 'answer' | 'ring' | 'cross' = 'answer';
  /** List REFER in Allow when dialling, and follow a REFER (RFC 3515) by dialling its Refer-To. */
  allowRefer = false;
  /** REFERs the engine sent this phone. */
  readonly refers: SipRequest[] = [];
  /** INVITEs from the engine, in order. */
  readonly invites: SipRequest[] = [];
  /** BYEs the engine sent this phone, and the last one. */
  byes = 0;
  lastBye: SipRequest | undefined;
  private current: OutgoingCall | undefined;
  /** The call the sine goes to (a BYE for an older call must not stop it). */
  private sineCallId = '';
  /** The engine's RTP port in the call this phone dialled last. */
  lastDialPort = 0;
  /** Answers 407 challenges to this phone's INVITEs with this password (undefined: does not answer). */
  invitePassword: string | undefined;
  /** 407 challenges this phone's INVITEs got. */
  challenges = 0;

  private constructor(
    readonly user: string,
    readonly sip: UdpPeer,
    readonly rtp: RtpPeer,
    readonly sipPort: number,
    /** The frequency this phone "says" in every call. */
    readonly freq: number,
  ) {
    sip.socket.on('message', (data) => {
      const parsed = parseMessage(data);
      if (parsed.ok && isRequest(parsed.message)) this.onRequest(parsed.message);
    });
  }

  static async open(sipPort: number, user: string, freq: number): Promise<SoftPhone> {
    return new SoftPhone(user, await UdpPeer.open(), await RtpPeer.open(), sipPort, freq);
  }

  async register(password = `secret-${this.user}`): Promise<void> {
    const callId = `${rand()}@${HOST}`;
    const uri = `sip:${HOST}:${this.sipPort}`;
    const send = (cseq: number, auth?: string) => {
      const headers = [
        `Via: SIP/2.0/UDP ${HOST}:${this.sip.port};branch=${newBranch()}`,
        'Max-Forwards: 70',
        `From: <sip:${this.user}@${HOST}>;tag=${rand()}`,
        `To: <sip:${this.user}@${HOST}>`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq} REGISTER`,
        `Contact: <sip:${this.user}@${HOST}:${this.sip.port}>`,
        'Expires: 3600',
        ...(auth ? [`Authorization: ${auth}`] : []),
      ];
      const since = this.sip.received.length;
      this.sip.send(formatMessage(`REGISTER ${uri} SIP/2.0`, headers), this.sipPort);
      return this.sip.wait((m) => !isRequest(m) && m.callId === callId && m.status >= 200, `REGISTER ${cseq} answered`, { since, timeoutMs: 10000 });
    };
    const first = (await send(1)).msg as SipResponse;
    if (first.status !== 401) throw new Error(`REGISTER of ${this.user}: expected 401, got ${first.status}`);
    const challenge = parseDigestHeader(first.getAll('www-authenticate')[0]);
    if (!challenge) throw new Error('no digest challenge');
    const auth = buildAuthorization({ challenge: challenge.params, username: this.user, password, method: 'REGISTER', uri });
    const second = (await send(2, auth)).msg as SipResponse;
    if (second.status !== 200) throw new Error(`REGISTER of ${this.user}: ${second.status}`);
  }

  /** Dials `number` (with extra `headers`); resolves once answered (ACK sent, sine started), with the call. */
  async dial(number: string, headers: string[] = []): Promise<OutgoingCall> {
    const { call, final } = await this.invite(number, headers);
    if (final.status !== 200) throw new Error(`${number}: ${final.status}`);
    call.toTag = final.toTag;
    call.ack2xx(final);
    this.current = call;
    this.lastDialPort = mediaPort(final.body.toString());
    this.sineCallId = call.callId;
    this.rtp.startSine(this.lastDialPort, this.freq, { amplitude: 6000 });
    return call;
  }

  /** Dials and expects a final failure; returns its status. */
  async dialFails(number: string): Promise<number> {
    const { call, final, branch } = await this.invite(number);
    if (final.status >= 300) call.ackNon2xx(branch, final);
    return final.status;
  }

  /**
   * Sends the INVITE and waits for its final response. A 407 is answered once, with
   * Proxy-Authorization for this phone's user and `invitePassword` (RFC 3261 §22.3), when set.
   */
  private async invite(number: string, extra: string[] = []): Promise<{ call: OutgoingCall; final: SipResponse; branch: string }> {
    const call = new OutgoingCall(this.sip, this.sipPort, number, this.user);
    const allow = this.allowRefer ? ['Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, REFER, NOTIFY'] : [];
    const send = async (auth: string[] = []) => {
      const since = this.sip.received.length;
      const branch = call.send('INVITE', { body: sdp(this.rtp.port), headers: [...allow, ...extra, ...auth] });
      return { branch, final: await call.waitFinal('INVITE', { since, timeoutMs: 15000 }) };
    };
    let { branch, final } = await send();
    this.challenges += final.status === 407 ? 1 : 0;
    if (final.status === 407 && this.invitePassword !== undefined) {
      call.ackNon2xx(branch, final);
      const challenge = parseDigestHeader(final.getAll('proxy-authenticate')[0]);
      if (!challenge) throw new Error('407 without a digest challenge');
      const auth = buildAuthorization({ challenge: challenge.params, username: this.user, password: this.invitePassword, method: 'INVITE', uri: call.uri });
      call.cseq++;
      ({ branch, final } = await send([`Proxy-Authorization: ${auth}`]));
    }
    return { call, final, branch };
  }

  /** Hangs up the call this phone dialled. */
  async hangUp(): Promise<number> {
    const call = this.current;
    if (!call) throw new Error('no call to hang up');
    this.current = undefined;
    this.rtp.stop();
    call.cseq++;
    const since = this.sip.received.length;
    call.send('BYE');
    return (await call.waitFinal('BYE', { since, timeoutMs: 10000 })).status;
  }

  /** Sends an RFC 4733 key press (payload type 101) to the engine port of the current call. */
  async pressKey(event: number, enginePort: number): Promise<void> {
    const ssrc = 0x5eed;
    for (let i = 0; i < 6; i++) {
      const end = i >= 3;
      const payload = Uint8Array.of(event, (end ? 0x80 : 0) | 10, ((i + 1) * 160) >> 8, ((i + 1) * 160) & 0xff);
      await this.rtp.send(rtpPacket({ pt: 101, seq: 60000 + i, ts: 900000, ssrc, marker: i === 0, payload }), enginePort);
    }
  }

  /** Packets from the engine from index `from` on, once `count` arrived. */
  packets(from: number, count: number): Promise<ReceivedRtp[]> {
    return this.rtp.packetsAfter(from, count);
  }

  /** How loud each of `freqs` is in the next `count` packets (20 ms each) from the engine. */
  async hears(freqs: number[], count = 50): Promise<Record<number, number>> {
    const packets = await this.packets(this.rtp.received.length, count);
    const samples = audioOf(packets.filter((p) => p.pt === 0), 'PCMU');
    return Object.fromEntries(freqs.map((f) => [f, toneAmplitude(samples, f)]));
  }

  /** The engine port of the call the engine placed to this phone last. */
  get lastInvitePort(): number {
    return mediaPort(this.invites[this.invites.length - 1].body.toString());
  }

  waitInvites(n: number): Promise<SipRequest> {
    return waitForValue(() => this.invites[n - 1], `${n} INVITEs at ${this.user}`, 15000);
  }

  /**
   * A blind transfer as a phone does it: dial the Refer-To URI (its `?name=value` part becomes
   * headers of the INVITE), then report the outcome in the old dialog with a sipfrag NOTIFY.
   */
  private async followReferral(refer: SipRequest): Promise<void> {
    const old = this.current;
    const target = /<sip:([^@>]+)@[^?>]*(?:\?([^>]*))?>/.exec(refer.get('refer-to') ?? '');
    if (!old || !target) return;
    const headers = (target[2] ?? '').split('&').filter(Boolean).map((h) => h.split('=').map(decodeURIComponent).join(': '));
    let status = 200;
    try {
      await this.dial(target[1], headers);
    } catch (err) {
      status = Number(/: (\d{3})$/.exec(String((err as Error).message))?.[1] ?? 500);
    }
    old.cseq++;
    old.send('NOTIFY', { headers: ['Event: refer', 'Subscription-State: terminated;reason=noresource'], body: `SIP/2.0 ${status} Done\r\n`, contentType: 'message/sipfrag;version=2.0' });
  }

  async close(): Promise<void> {
    this.rtp.close();
    await this.sip.close();
  }

  private reply(req: SipRequest, status: number, reason: string, o: { toTag?: string; body?: string } = {}): void {
    const headers = status === 200 && req.method === 'INVITE' ? [`Contact: <sip:${this.user}@${HOST}:${this.sip.port}>`] : [];
    this.sip.send(formatResponse(req, status, reason, { ...o, headers }), this.sipPort);
  }

  private onRequest(req: SipRequest): void {
    switch (req.method) {
      case 'INVITE': {
        if (req.toTag) {
          this.reply(req, 200, 'OK', { body: sdp(this.rtp.port) }); // a re-INVITE: same media
          return;
        }
        this.invites.push(req);
        const toTag = rand();
        (req as SipRequest & { localTag?: string }).localTag = toTag;
        this.reply(req, 180, 'Ringing', { toTag });
        if (this.mode === 'answer') {
          this.reply(req, 200, 'OK', { toTag, body: sdp(this.rtp.port) });
          this.sineCallId = req.callId;
          this.rtp.startSine(mediaPort(req.body.toString()), this.freq, { amplitude: 6000 });
        }
        return;
      }
      case 'CANCEL': {
        this.reply(req, 200, 'OK');
        const invite = this.invites.find((i) => i.callId === req.callId);
        if (!invite) return;
        const toTag = (invite as SipRequest & { localTag?: string }).localTag;
        if (this.mode !== 'cross') {
          this.reply(invite, 487, 'Request Terminated', { toTag });
          return;
        }
        this.reply(invite, 200, 'OK', { toTag, body: sdp(this.rtp.port) });
        this.sineCallId = invite.callId;
        this.rtp.startSine(mediaPort(invite.body.toString()), this.freq, { amplitude: 6000 });
        return;
      }
      case 'BYE':
        this.byes++;
        this.lastBye = req;
        if (req.callId === this.sineCallId) this.rtp.stop();
        this.reply(req, 200, 'OK');
        return;
      case 'REFER':
        this.refers.push(req);
        this.reply(req, this.allowRefer ? 202 : 405, this.allowRefer ? 'Accepted' : 'Method Not Allowed');
        if (this.allowRefer) void this.followReferral(req);
        return;
      case 'ACK':
        return;
      default:
        this.reply(req, 200, 'OK');
    }
  }
}
