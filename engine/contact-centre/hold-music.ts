// Music on hold for a waiting caller: a WAV file looped by the media core when one is
// configured (config.acd.musicOnHold), else a soft tone (and the tone if the file fails).
// Announcements interrupt it for exactly their own length (announce()).
import type { Endpoint } from '../../media/endpoint.js';
import type { ToneSpec } from '../../media/tones.js';

/** A soft G-major chord, 1 s on, 0.5 s off, looping. */
export const HOLD_TONE: ToneSpec = { frequencies: [392, 494, 587], amplitude: 0.05, onMs: 1000, offMs: 500 };

export class HoldMusic {
  private playing = false;
  private announcing = false;

  constructor(
    private readonly endpoint: Endpoint,
    /** WAV (or any format Endpoint.play reads); empty: the tone. */
    private readonly file: string,
  ) {}

  start(): void {
    if (this.playing || this.endpoint.closed) return;
    this.playing = true;
    if (this.file) this.loopFile(false);
    else this.endpoint.playTone(HOLD_TONE);
  }

  stop(): void {
    if (!this.playing) return;
    this.playing = false;
    if (this.endpoint.closed) return;
    this.endpoint.stopTone();
    this.endpoint.stopPlayback();
  }

  /**
   * Plays `prompt` (a WAV) in place of the music, then the music again, with no silence in
   * between: the prompt replaces the looping file only once it is loaded (the music plays on
   * meanwhile), and the music is queued behind it, so the media thread starts it on the tick
   * the prompt ends. A tone is stopped when the prompt starts and restarted when it ends.
   * Resolves when the prompt ended; does nothing while the music is stopped or another
   * announcement plays.
   */
  async announce(prompt: string): Promise<void> {
    if (!this.playing || this.announcing || this.endpoint.closed) return;
    this.announcing = true;
    try {
      const playback = await this.endpoint.play(prompt);
      if (!this.playing) return playback.stop();
      if (this.file) this.loopFile(true);
      else this.endpoint.stopTone();
      await playback.done;
      if (!this.file && this.playing && !this.endpoint.closed) this.endpoint.playTone(HOLD_TONE);
    } finally {
      this.announcing = false;
    }
  }

  /** The file looped; `queued`: after what plays now. It loads off the event loop, so the caller may be gone (or answered) before it plays. */
  private loopFile(queued: boolean): void {
    this.endpoint.play(this.file, { loop: true, queue: queued }).then(
      (playback) => {
        if (!this.playing) playback.stop();
      },
      () => {
        if (this.playing && !this.endpoint.closed) this.endpoint.playTone(HOLD_TONE);
      },
    );
  }
}
