// Music on hold for a waiting caller: a WAV file looped by the media core when one is
// configured (config.acd.musicOnHold), else a soft tone (and the tone if the file fails).
import type { Endpoint } from '../../media/endpoint.js';
import type { ToneSpec } from '../../media/tones.js';

/** A soft G-major chord, 1 s on, 0.5 s off, looping. */
export const HOLD_TONE: ToneSpec = { frequencies: [392, 494, 587], amplitude: 0.05, onMs: 1000, offMs: 500 };

export class HoldMusic {
  private playing = false;

  constructor(
    private readonly endpoint: Endpoint,
    /** WAV (or any format Endpoint.play reads); empty: the tone. */
    private readonly file: string,
  ) {}

  start(): void {
    if (this.playing || this.endpoint.closed) return;
    this.playing = true;
    if (!this.file) {
      this.endpoint.playTone(HOLD_TONE);
      return;
    }
    // The file loads off the event loop: the caller may be answered (or gone) before it plays.
    this.endpoint.play(this.file, { loop: true }).then(
      (playback) => {
        if (!this.playing) playback.stop();
      },
      () => {
        if (this.playing && !this.endpoint.closed) this.endpoint.playTone(HOLD_TONE);
      },
    );
  }

  stop(): void {
    if (!this.playing) return;
    this.playing = false;
    if (this.endpoint.closed) return;
    this.endpoint.stopTone();
    this.endpoint.stopPlayback();
  }
}
