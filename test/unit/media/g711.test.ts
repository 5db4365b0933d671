// G.711 against the standard: decoder outputs of ITU-T G.711 Tables 1/2 (first level and step
// of every segment), the digital milliwatt sequences (Tables 5/6), every code word's round
// trip, and encoder decisions over all 65,536 linear values.
import t from 'tap';
import { alawDecode, alawEncode, ulawDecode, ulawEncode } from '../../../media/index.js';

const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);
const ALL_LINEAR = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

// µ-law decoder output, 14-bit uniform code, per segment: first value and step (Table 2).
const ULAW_FIRST = [0, 33, 99, 231, 495, 1023, 2079, 4191];
const ULAW_STEP = [2, 4, 8, 16, 32, 64, 128, 256];
// A-law decoder output, 13-bit uniform code, per segment (Table 1).
const ALAW_FIRST = [1, 33, 66, 132, 264, 528, 1056, 2112];
const ALAW_STEP = [2, 2, 4, 8, 16, 32, 64, 128];

t.test('µ-law decodes every code word to the value of Table 2', async (t) => {
  const out = ulawDecode(ALL_CODES);
  for (let code = 0; code < 256; code++) {
    const n = 0x7f - (code & 0x7f); // code words are sent inverted
    const value14 = ULAW_FIRST[n >> 4] + (n & 15) * ULAW_STEP[n >> 4];
    const expected = (code & 0x80 ? 1 : -1) * value14 * 4; // 14-bit, left-justified in 16
    if (out[code] !== expected) t.fail(`µ-law ${code.toString(16)} → ${out[code]}, expected ${expected}`);
  }
  t.equal(out[0xff], 0, 'positive zero');
  t.equal(out[0x7f], 0, 'negative zero');
  t.equal(out[0x80], 32124, 'largest positive');
  t.equal(out[0x00], -32124, 'largest negative');
});

t.test('A-law decodes every code word to the value of Table 1', async (t) => {
  const out = alawDecode(ALL_CODES);
  for (let code = 0; code < 256; code++) {
    const n = (code ^ 0x55) & 0x7f; // even bits are sent inverted
    const value13 = ALAW_FIRST[n >> 4] + (n & 15) * ALAW_STEP[n >> 4];
    const expected = (code & 0x80 ? 1 : -1) * value13 * 8; // 13-bit, left-justified in 16
    if (out[code] !== expected) t.fail(`A-law ${code.toString(16)} → ${out[code]}, expected ${expected}`);
  }
  t.equal(out[0xd5], 8, 'smallest positive');
  t.equal(out[0x55], -8, 'smallest negative');
  t.equal(out[0xaa], 32256, 'largest positive');
  t.equal(out[0x2a], -32256, 'largest negative');
});

t.test('known encoder outputs', async (t) => {
  t.same([...ulawEncode(Int16Array.from([0, -1, 32767, -32768, 132, -132]))], [0xff, 0x7f, 0x80, 0x00, 0xef, 0x6f]);
  t.same([...alawEncode(Int16Array.from([0, -1, 32767, -32768, 8, -8]))], [0xd5, 0x55, 0xaa, 0x2a, 0xd5, 0x55]);
});

t.test('the digital milliwatt (1 kHz at 0 dBm0) encodes to the sequences of Tables 5 and 6', async (t) => {
  // Samples at 22.5° + k·45° of the period; 0 dBm0 is 3.17 dB (µ-law) / 3.14 dB (A-law)
  // below the overload point of 8159 (14-bit) / 4096 (13-bit).
  const phases = [202.5, 247.5, 292.5, 337.5, 22.5, 67.5, 112.5, 157.5];
  const muPeak = 8159 * 4 * 10 ** (-3.17 / 20);
  const aPeak = 4096 * 8 * 10 ** (-3.14 / 20);
  const mu = Int16Array.from(phases, (p) => Math.round(muPeak * Math.sin((p * Math.PI) / 180)));
  const a = Int16Array.from(phases, (p) => Math.round(aPeak * Math.sin((p * Math.PI) / 180)));
  t.same([...ulawEncode(mu)], [0x1e, 0x0b, 0x0b, 0x1e, 0x9e, 0x8b, 0x8b, 0x9e]);
  t.same([...alawEncode(a)], [0x34, 0x21, 0x21, 0x34, 0xb4, 0xa1, 0xa1, 0xb4]);
});

t.test('every code word survives decode → encode', async (t) => {
  const mu = ulawEncode(ulawDecode(ALL_CODES));
  const a = alawEncode(alawDecode(ALL_CODES));
  for (let c = 0; c < 256; c++) {
    // µ-law has two zeros; negative zero (0x7f) comes back as positive zero.
    const expected = c === 0x7f ? 0xff : c;
    if (mu[c] !== expected) t.fail(`µ-law ${c.toString(16)} came back as ${mu[c].toString(16)}`);
    if (a[c] !== c) t.fail(`A-law ${c.toString(16)} came back as ${a[c].toString(16)}`);
  }
  t.pass('256 + 256 code words');
});

t.test('every linear value encodes into the interval of its code word', async (t) => {
  for (const [name, encode, decode, width, top] of [
    ['µ-law', ulawEncode, ulawDecode, (c: number) => ULAW_STEP[((~c) & 0x7f) >> 4] * 4, 32124],
    ['A-law', alawEncode, alawDecode, (c: number) => ALAW_STEP[((c ^ 0x55) & 0x7f) >> 4] * 8, 32256],
  ] as const) {
    const codes = encode(ALL_LINEAR);
    const back = decode(codes);
    let bad = 0;
    let previous = -Infinity;
    for (let i = 0; i < ALL_LINEAR.length; i++) {
      const x = Math.max(-top, Math.min(top, ALL_LINEAR[i])); // beyond the last level: clipped
      if (Math.abs(x - back[i]) > width(codes[i]) / 2) bad++;
      if (back[i] < previous) bad++; // the quantiser is monotonic
      previous = back[i];
    }
    t.equal(bad, 0, `${name}: all 65,536 values within half a step of their level, monotonic`);
  }
});

t.test('decoding is symmetric in the sign bit', async (t) => {
  const mu = ulawDecode(ALL_CODES);
  const a = alawDecode(ALL_CODES);
  let bad = 0;
  for (let c = 0; c < 128; c++) {
    if (mu[c] !== -mu[c | 0x80]) bad++;
    if (a[c] !== -a[c | 0x80]) bad++;
  }
  t.equal(bad, 0);
});

t.test('codec functions check their arguments', async (t) => {
  t.throws(() => ulawEncode([1, 2, 3] as unknown as Int16Array), TypeError);
  t.throws(() => ulawEncode(new Uint8Array(4) as unknown as Int16Array), TypeError);
  t.throws(() => ulawDecode(new Int16Array(4) as unknown as Uint8Array), TypeError);
  t.throws(() => alawDecode('abc' as unknown as Uint8Array), TypeError);
  t.throws(() => alawEncode(undefined as unknown as Int16Array), TypeError);
  t.equal(ulawDecode(Buffer.from([0xff, 0x80])).length, 2, 'a Buffer is a Uint8Array');
  t.equal(alawEncode(new Int16Array(0)).length, 0);
});

// The encoders as the standard words them (G.711 §3/§4, the procedure of the G.191 reference
// tools), written as a plain segment search: every one of the 65,536 linear values must give
// exactly this code word (the addon encodes through tables; this pins their every entry).
function ulawReference(x: number): number {
  const magnitude = (x < 0 ? ~x : x) >> 2; // 14-bit; negative values mirrored around -1/2
  const biased = Math.min(magnitude + 33, 0x1fff);
  let segment = 0;
  while (biased >= 64 << segment) segment++;
  const step = (biased >> (segment + 1)) & 0x0f;
  return ~((x < 0 ? 0x80 : 0) | (segment << 4) | step) & 0xff; // sent inverted
}

function alawReference(x: number): number {
  const magnitude = (x < 0 ? ~x : x) >> 4; // 13-bit, in units of 2
  let code = magnitude; // segments 0 and 1: the magnitude itself
  if (magnitude >= 32) {
    let segment = 2;
    while (magnitude >= 32 << (segment - 1)) segment++;
    code = (segment << 4) | ((magnitude >> (segment - 1)) & 0x0f);
  }
  return (code | (x >= 0 ? 0x80 : 0)) ^ 0x55; // even bits inverted
}

t.test('every linear value encodes to the code word of the standard procedure', async (t) => {
  for (const [name, encode, reference] of [
    ['µ-law', ulawEncode, ulawReference],
    ['A-law', alawEncode, alawReference],
  ] as const) {
    const codes = encode(ALL_LINEAR);
    let bad = 0;
    for (let i = 0; i < ALL_LINEAR.length; i++) {
      if (codes[i] !== reference(ALL_LINEAR[i]) && bad++ < 5) {
        t.fail(`${name}: ${ALL_LINEAR[i]} → ${codes[i].toString(16)}, expected ${reference(ALL_LINEAR[i]).toString(16)}`);
      }
    }
    t.equal(bad, 0, `${name}: all 65,536 values`);
  }
});
