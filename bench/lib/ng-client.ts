// A minimal client of rtpengine's "ng" control protocol: each request is one UDP datagram
// "<cookie> <bencoded dictionary>", and the reply echoes the cookie before its own
// dictionary. Only what the media benchmark needs: offer, answer, delete, with SDP.
import dgram from 'node:dgram';
import { once } from 'node:events';

export type Bencodable = string | number | Bencodable[] | { [key: string]: Bencodable };

export function bencode(v: Bencodable): Buffer {
  if (typeof v === 'number') return Buffer.from(`i${Math.trunc(v)}e`);
  if (typeof v === 'string') {
    const bytes = Buffer.from(v);
    return Buffer.concat([Buffer.from(`${bytes.length}:`), bytes]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  // Dictionary keys go in sorted order (bencoding's rule).
  const keys = Object.keys(v).sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(v[k])]), Buffer.from('e')]);
}

/** Decodes one value at `at`; strings come back as UTF-8 text. */
export function bdecode(buf: Buffer, at = 0): { value: Bencodable; next: number } {
  const c = String.fromCharCode(buf[at]);
  if (c === 'i') {
    const end = buf.indexOf('e', at);
    return { value: Number(buf.toString('latin1', at + 1, end)), next: end + 1 };
  }
  if (c === 'l' || c === 'd') {
    const items: Bencodable[] = [];
    let pos = at + 1;
    while (buf[pos] !== 0x65 /* e */) {
      if (pos >= buf.length) throw new Error('bencode: unterminated list or dictionary');
      const item = bdecode(buf, pos);
      items.push(item.value);
      pos = item.next;
    }
    if (c === 'l') return { value: items, next: pos + 1 };
    const dict: { [key: string]: Bencodable } = {};
    for (let i = 0; i + 1 < items.length; i += 2) dict[String(items[i])] = items[i + 1];
    return { value: dict, next: pos + 1 };
  }
  const colon = buf.indexOf(':', at);
  const length = Number(buf.toString('latin1', at, colon));
  if (colon < 0 || !Number.isInteger(length)) throw new Error(`bencode: bad value at ${at}`);
  return { value: buf.toString('utf8', colon + 1, colon + 1 + length), next: colon + 1 + length };
}

export class NgClient {
  private seq = 0;
  private readonly pending = new Map<string, (reply: Record<string, Bencodable>) => void>();

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly port: number,
    private readonly host: string,
  ) {
    socket.on('message', (msg) => {
      const space = msg.indexOf(' ');
      const cookie = msg.toString('latin1', 0, space);
      const done = this.pending.get(cookie);
      if (!done) return;
      this.pending.delete(cookie);
      done(bdecode(msg, space + 1).value as Record<string, Bencodable>);
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<NgClient> {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new NgClient(socket, port, host);
  }

  /** Sends a command, resends it every 500 ms until a reply (UDP); fails unless the result is `expect`. */
  async request(command: Record<string, Bencodable>, timeoutMs = 5000, expect = 'ok'): Promise<Record<string, Bencodable>> {
    const cookie = `${process.pid}_${++this.seq}`;
    const message = Buffer.concat([Buffer.from(`${cookie} `), bencode(command)]);
    const reply = new Promise<Record<string, Bencodable>>((resolve) => this.pending.set(cookie, resolve));
    const deadline = Date.now() + timeoutMs;
    let answer: Record<string, Bencodable> | undefined;
    void reply.then((r) => (answer = r));
    while (!answer) {
      if (Date.now() > deadline) {
        this.pending.delete(cookie);
        throw new Error(`rtpengine did not answer '${String(command.command)}' within ${timeoutMs} ms`);
      }
      this.socket.send(message, this.port, this.host);
      await Promise.race([reply, new Promise((r) => setTimeout(r, 500))]);
    }
    if (answer.result !== expect) throw new Error(`rtpengine '${String(command.command)}': ${String(answer['error-reason'] ?? answer.result)}`);
    return answer;
  }

  close(): void {
    this.socket.close();
  }
}
