// What a long-lived object keeps of a parsed message must not keep the message's text: a
// Call-ID taken from a message (dialogs, the calls map and log rows key on it) holds its own
// characters only, however large the message was.
import t from 'tap';
import { detach } from '../../../engine/sip/detach.js';
import { parseMessage } from '../../../engine/sip/parser.js';
import { collectGarbage } from './raw-peer.js';

const MESSAGES = 2000;
const PAD = 8000;

function invite(i: number): Buffer {
  return Buffer.from(
    [
      'INVITE sip:1001@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-${i}`,
      'From: <sip:alice@127.0.0.1>;tag=a1',
      'To: <sip:1001@127.0.0.1>',
      `Call-ID: call-${i}-0123456789abcdef@127.0.0.1`,
      'CSeq: 1 INVITE',
      `X-Pad: ${String(i % 10).repeat(PAD)}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

/** Heap growth while `keep` holds what `take` returns for each of MESSAGES parsed messages. */
async function heapKept(take: (i: number) => string): Promise<{ bytes: number; kept: string[] }> {
  await collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const kept: string[] = [];
  for (let i = 0; i < MESSAGES; i++) kept.push(take(i));
  await collectGarbage();
  return { bytes: process.memoryUsage().heapUsed - before, kept };
}

t.test('detach() returns the same characters, without the string it was cut from', async (t) => {
  const { bytes, kept } = await heapKept((i) => detach(`${String(i % 10).repeat(PAD)}|tag-${i}-0123456789`.slice(PAD + 1)));
  t.same(kept.slice(0, 2), ['tag-0-0123456789', 'tag-1-0123456789']);
  t.ok(bytes < (MESSAGES * PAD) / 8, `${MESSAGES} kept tags hold ${bytes} bytes (their ${PAD}-character parents were ${MESSAGES * PAD})`);
});

t.test("a message's Call-ID does not keep the message text alive", async (t) => {
  const { bytes, kept } = await heapKept((i) => {
    const parsed = parseMessage(invite(i));
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.message.callId;
  });
  t.equal(kept[7], 'call-7-0123456789abcdef@127.0.0.1');
  t.ok(bytes < (MESSAGES * PAD) / 8, `${MESSAGES} kept Call-IDs hold ${bytes} bytes (their messages were over ${MESSAGES * PAD})`);
});
