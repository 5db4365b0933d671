// PCM16 WAV (RIFF) reading and writing: what espeak-ng writes, what the player and the
// recognizer read. Streams written to a pipe carry placeholder sizes, so the data chunk is
// taken as "the rest of the file" when its size does not fit.
export interface Pcm16 {
  sampleRate: number;
  /** Mono samples. */
  samples: Int16Array;
}

export function parseWav(buf: Buffer): Pcm16 {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new TypeError('not a RIFF/WAVE file');
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  while (offset + 8 <= buf.length) {
    const id = buf.toString('ascii', offset, offset + 4);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const format = buf.readUInt16LE(body);
      channels = buf.readUInt16LE(body + 2);
      sampleRate = buf.readUInt32LE(body + 4);
      const bits = buf.readUInt16LE(body + 14);
      if (format !== 1 || bits !== 16) throw new TypeError(`only PCM16 WAV is supported (format ${format}, ${bits} bits)`);
      if (channels !== 1) throw new TypeError(`only mono WAV is supported (${channels} channels)`);
    } else if (id === 'data') {
      if (!sampleRate) throw new TypeError('WAV data before its fmt chunk');
      const end = Math.min(buf.length, body + size);
      const bytes = (end - body) & ~1;
      // Copy into an aligned buffer; WAV is little-endian, like every platform Node runs on here.
      const samples = new Int16Array(bytes / 2);
      Buffer.from(samples.buffer).set(buf.subarray(body, body + bytes));
      return { sampleRate, samples };
    }
    offset = body + size + (size & 1);
  }
  throw new TypeError('WAV without a data chunk');
}

/** PCM16 WAV bytes; with `channels` > 1, `pcm.samples` holds that many channels interleaved. */
export function formatWav(pcm: Pcm16, channels = 1): Buffer {
  const dataBytes = pcm.samples.length * 2;
  const blockAlign = channels * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(pcm.sampleRate, 24);
  buf.writeUInt32LE(pcm.sampleRate * blockAlign, 28);
  buf.writeUInt16LE(blockAlign, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  buf.set(Buffer.from(pcm.samples.buffer, pcm.samples.byteOffset, dataBytes), 44);
  return buf;
}

/** Root-mean-square level of the samples in dBFS (-Infinity for silence). */
export function rmsDbfs(samples: Int16Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  const rms = Math.sqrt(sum / Math.max(1, to - from));
  return 20 * Math.log10(rms / 32768);
}
