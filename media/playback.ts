// A file playing (or queued) on an endpoint. Created by Endpoint.play once the file is
// loaded; `done` resolves when it ends, whatever the reason.

/** Why a playback ended. 'error': the media thread could not start it (its endpoint was gone). */
export type PlaybackReason = 'finished' | 'stopped' | 'dtmf' | 'speech' | 'error';

export interface PlaybackResult {
  reason: PlaybackReason;
  /** Audio actually played, in ms (all rounds of a loop). */
  playedMs: number;
}

export interface PlayOptions {
  /** The file is headerless 16-bit little-endian PCM in this format (default: the file is a WAV). */
  raw?: { sampleRate: number; channels?: number };
  /** Start over at the end, until stopped. */
  loop?: boolean;
  /** Queue behind what is playing (default: replace it; the replaced playback ends 'stopped'). */
  queue?: boolean;
  /** A key press (RFC 4733 event) ends it with reason 'dtmf'. */
  stopOnDtmf?: boolean;
  /** The remote party starting to speak (this endpoint's VAD) ends it with reason 'speech'. */
  stopOnSpeech?: boolean;
  /**
   * 'remote' (default): the endpoint's remote party hears it. 'mixer': it is added to what
   * the endpoint says, so the mixer members that hear this endpoint hear it (an announcement).
   */
  target?: 'remote' | 'mixer';
}

export class Playback {
  readonly done: Promise<PlaybackResult>;
  private result: PlaybackResult | undefined;
  private resolve!: (r: PlaybackResult) => void;

  /** @internal Use Endpoint.play. */
  constructor(
    readonly id: number,
    private readonly stopper: (id: number) => void,
  ) {
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Set once it ended. */
  get ended(): PlaybackResult | undefined {
    return this.result;
  }

  /** Ends it (playing or queued) with reason 'stopped'. No effect once it ended. */
  stop(): void {
    if (!this.result) this.stopper(this.id);
  }

  /** @internal */
  settle(result: PlaybackResult): void {
    if (this.result) return;
    this.result = result;
    this.resolve(result);
  }
}
