// The two SIP peers of bench/b2bua-driver.ts, run as a child process so that the driver's
// measurements (heap, GC, CPU) are the B2BUA's alone. A UAC places calls through the B2BUA
// to a UAS, `window` calls at a time, until `calls` are done: INVITE with SDP, 180, 200, ACK,
// BYE (`holdMs` after the ACK, default at once), 200. Messages are plain text from templates, so the peers stay
// cheap beside the stack. They answer retransmissions (and count them) but never time out:
// the driver bounds the run.
import dgram from 'node:dgram';

const HOST = '127.0.0.1';
const SDP = ['v=0', `o=- 1 1 IN IP4 ${HOST}`, 's=-', `c=IN IP4 ${HOST}`, 't=0 0', 'm=audio 40000 RTP/AVP 0 8 101', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');

export interface PeersStart {
  stackPort: number;
  calls: number;
  window: number;
  /** How long the UAC waits between its ACK and its BYE. */
  holdMs: number;
}

export interface PeersReport {
  completed: number;
  /** Final responses other than 200 to the UAC's INVITE or BYE. */
  failed: number;
  /** Retransmitted requests or 200s the peers received: non-zero means the B2BUA was late (over T1). */
  retransmissionsSeen: number;
}

/** The value of the first header line named `name` (long form only: the stack writes long forms). */
function header(text: string, name: string): string {
  const at = text.search(new RegExp(`^${name}:`, 'im'));
  if (at < 0) return '';
  const colon = text.indexOf(':', at);
  return text.slice(colon + 1, text.indexOf('\r\n', colon)).trim();
}

function allLines(text: string, name: string): string[] {
  return text.split('\r\n').filter((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
}

function message(startLine: string, headers: string[], body = ''): Buffer {
  const lines = [startLine, ...headers];
  if (body) lines.push('Content-Type: application/sdp');
  lines.push(`Content-Length: ${Buffer.byteLength(body)}`, '', body);
  return Buffer.from(lines.join('\r\n'));
}

/** A response to `request` (raw text) echoing its Via, From, To, Call-ID, CSeq. */
function response(request: string, status: string, toTag: string, contactPort: number, body = ''): Buffer {
  const to = header(request, 'To');
  return message(`SIP/2.0 ${status}`, [
    ...allLines(request, 'Via'),
    `From: ${header(request, 'From')}`,
    `To: ${to.includes(';tag=') ? to : `${to};tag=${toTag}`}`,
    `Call-ID: ${header(request, 'Call-ID')}`,
    `CSeq: ${header(request, 'CSeq')}`,
    `Contact: <sip:uas@${HOST}:${contactPort}>`,
  ], body);
}

interface UacCall {
  callId: string;
  fromTag: string;
  state: 'inviting' | 'bye';
  ack?: Buffer;
}

/** Runs the calls; `ready` hears the UAS port and resolves once the B2BUA routes to it. */
export async function runPeers(start: PeersStart, ready: (uasPort: number) => Promise<void>): Promise<PeersReport> {
  const uac = dgram.createSocket('udp4');
  const uas = dgram.createSocket('udp4');
  await Promise.all([uac, uas].map((s) => new Promise<void>((resolve) => s.bind(0, HOST, () => resolve()))));
  for (const s of [uac, uas]) s.setRecvBufferSize(4 * 1024 * 1024);
  const uacPort = uac.address().port;
  const uasPort = uas.address().port;
  const report: PeersReport = { completed: 0, failed: 0, retransmissionsSeen: 0 };
  const send = (s: dgram.Socket, data: Buffer, port: number): void => s.send(data, port, HOST);

  // UAS: answers every INVITE 180 + 200 and every BYE 200; resends the 200 to a retransmitted INVITE.
  const answered = new Map<string, Buffer>();
  uas.on('message', (data, rinfo) => {
    const text = data.toString('latin1');
    if (text.startsWith('SIP/2.0')) return;
    const method = text.slice(0, text.indexOf(' '));
    const callId = header(text, 'Call-ID');
    if (method === 'INVITE') {
      const previous = answered.get(callId);
      if (previous) {
        report.retransmissionsSeen++;
        send(uas, previous, rinfo.port);
        return;
      }
      const ok = response(text, '200 OK', 'uas' + callId.length, uasPort, SDP);
      answered.set(callId, ok);
      send(uas, response(text, '180 Ringing', 'uas' + callId.length, uasPort), rinfo.port);
      send(uas, ok, rinfo.port);
    } else if (method === 'BYE') {
      answered.delete(callId);
      send(uas, response(text, '200 OK', '', uasPort), rinfo.port);
    }
  });

  // UAC: keeps `window` calls going until `calls` have been started.
  const calls = new Map<string, UacCall>();
  let started = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const startCall = (): void => {
    const n = started++;
    const call: UacCall = { callId: `bench-${n}@${HOST}`, fromTag: `f${n}`, state: 'inviting' };
    calls.set(call.callId, call);
    send(uac, message(`INVITE sip:1001@${HOST}:${start.stackPort} SIP/2.0`, [
      `Via: SIP/2.0/UDP ${HOST}:${uacPort};branch=z9hG4bK-i${n};rport`,
      'Max-Forwards: 70',
      `From: "Bench" <sip:bench@${HOST}>;tag=${call.fromTag}`,
      `To: <sip:1001@${HOST}>`,
      `Call-ID: ${call.callId}`,
      'CSeq: 1 INVITE',
      `Contact: <sip:bench@${HOST}:${uacPort}>`,
      'User-Agent: switchyard-b2bua-driver',
    ], SDP), start.stackPort);
  };
  const ended = (call: UacCall, ok: boolean): void => {
    calls.delete(call.callId);
    if (ok) report.completed++;
    else report.failed++;
    if (started < start.calls) startCall();
    else if (calls.size === 0) finish();
  };
  uac.on('message', (data) => {
    const text = data.toString('latin1');
    if (!text.startsWith('SIP/2.0')) return;
    const status = Number(text.slice(8, 11));
    const call = calls.get(header(text, 'Call-ID'));
    if (!call || status < 200) return;
    const cseq = header(text, 'CSeq');
    if (cseq.endsWith('INVITE')) {
      if (call.ack) {
        // A retransmitted 200: ACK it again (RFC 3261 §13.2.2.4).
        report.retransmissionsSeen++;
        send(uac, call.ack, start.stackPort);
        return;
      }
      if (status >= 300 || call.state !== 'inviting') {
        ended(call, false);
        return;
      }
      const dialog = [`From: ${header(text, 'From')}`, `To: ${header(text, 'To')}`, `Call-ID: ${call.callId}`, 'Max-Forwards: 70'];
      const uri = header(text, 'Contact').replace(/^<|>$/g, '');
      call.ack = message(`ACK ${uri} SIP/2.0`, [`Via: SIP/2.0/UDP ${HOST}:${uacPort};branch=z9hG4bK-a${call.callId};rport`, ...dialog, 'CSeq: 1 ACK']);
      send(uac, call.ack, start.stackPort);
      call.state = 'bye';
      const bye = message(`BYE ${uri} SIP/2.0`, [`Via: SIP/2.0/UDP ${HOST}:${uacPort};branch=z9hG4bK-b${call.callId};rport`, ...dialog, 'CSeq: 2 BYE']);
      if (start.holdMs > 0) setTimeout(() => send(uac, bye, start.stackPort), start.holdMs);
      else send(uac, bye, start.stackPort);
    } else if (cseq.endsWith('BYE') && call.state === 'bye') {
      ended(call, status < 300);
    }
  });

  await ready(uasPort);
  for (let i = 0; i < Math.min(start.window, start.calls); i++) startCall();
  if (start.calls === 0) finish();
  await done;
  uac.close();
  uas.close();
  return report;
}

// As a child process: start on the parent's message, report back when done.
if (process.send) {
  // The driver gone (killed, crashed): nothing left to report to.
  process.once('disconnect', () => process.exit(1));
  process.once('message', (msg: PeersStart) => {
    const ready = (uasPort: number): Promise<void> =>
      new Promise((resolve) => {
        process.once('message', () => resolve());
        process.send!({ uasPort });
      });
    void runPeers(msg, ready).then((report) => {
      process.send!({ report }, () => process.exit(0));
    });
  });
}
