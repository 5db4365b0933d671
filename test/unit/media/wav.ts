// A small WAV reader for the recording tests: walks the RIFF chunks (it does not assume
// the 44-byte layout it is checking) and splits PCM16 samples into channels.
import { readFileSync } from 'node:fs';

export interface Wav {
  fileBytes: number;
  riffSize: number;
  formatTag: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  dataOffset: number;
  /** The data chunk's size as the header says. */
  dataSize: number;
  /** Samples of each channel, over what the header counts. */
  channelData: Int16Array[];
}

export function readWav(path: string): Wav {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new Error(`${path}: not a RIFF/WAVE file`);
  }
  const wav = { fileBytes: buf.length, riffSize: buf.readUInt32LE(4) } as Wav;
  let fmt = false;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString('latin1', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') {
      wav.formatTag = buf.readUInt16LE(body);
      wav.channels = buf.readUInt16LE(body + 2);
      wav.sampleRate = buf.readUInt32LE(body + 4);
      wav.byteRate = buf.readUInt32LE(body + 8);
      wav.blockAlign = buf.readUInt16LE(body + 12);
      wav.bitsPerSample = buf.readUInt16LE(body + 14);
      fmt = true;
    } else if (id === 'data') {
      if (!fmt) throw new Error(`${path}: data chunk before fmt chunk`);
      wav.dataOffset = body;
      wav.dataSize = size;
      const frames = Math.floor(Math.min(size, buf.length - body) / wav.blockAlign);
      wav.channelData = Array.from({ length: wav.channels }, () => new Int16Array(frames));
      for (let i = 0; i < frames; i++) {
        for (let c = 0; c < wav.channels; c++) {
          wav.channelData[c][i] = buf.readInt16LE(body + i * wav.blockAlign + c * 2);
        }
      }
      return wav;
    }
    at = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}

/** Samples [fromMs, toMs) of one channel. */
export function slice(samples: Int16Array, fromMs: number, toMs: number, rate = 8000): Int16Array {
  return samples.subarray(Math.floor((fromMs * rate) / 1000), Math.floor((toMs * rate) / 1000));
}
