// What the caller says during a gather({ speech }), for the recognizer: the endpoint's own mono
// recording (decoded input, written by the media core's writer thread) into a temporary WAV,
// read back once the caller stopped speaking. JS never sees an RTP packet; the file never
// outlives the capture, however it ends.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Endpoint, Recording } from '../media/index.js';
import { parseWav, type Pcm16 } from './audio/wav.js';

/** Temporary capture files are named `<CAPTURE_PREFIX><uuid>.wav` in the system's temp folder. */
export const CAPTURE_PREFIX = 'switchyard-speech-';

export class SpeechCapture {
  private constructor(
    private readonly recording: Recording,
    private readonly path: string,
  ) {}

  /** Starts recording what arrives at `endpoint` (from the next 20 ms tick). */
  static start(endpoint: Endpoint, dir = tmpdir()): SpeechCapture {
    const path = join(dir, `${CAPTURE_PREFIX}${randomUUID()}.wav`);
    return new SpeechCapture(endpoint.record(path), path);
  }

  /** Stops and returns the audio captured (8 kHz mono); the file is removed. */
  async stop(): Promise<Pcm16> {
    try {
      const done = await this.recording.stop();
      return parseWav(await readFile(done.path));
    } finally {
      await rm(this.path, { force: true });
    }
  }

  /** Stops and removes the file without reading it; never rejects. */
  async discard(): Promise<void> {
    // Wait for the writer to close the file first: removing it before the writer opened it would leave a new one behind.
    await this.recording.stop().catch(() => undefined);
    await rm(this.path, { force: true });
  }
}
