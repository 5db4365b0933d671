// A file playing (or queued) on an endpoint. Created by Endpoint.play once the file is
// loaded; `done` resolves when it ends, whatever the reason.
import type { NativePlayOptions, PlaybackReason } from './native.js';

export type { PlaybackReason };

export interface PlaybackResult {
  reason: PlaybackReason;
  /** Audio actually played, in ms (all rounds of a loop). */
  playedMs: number;
}

/** How to play a file; documented in native.ts. */
export type PlayOptions = NativePlayOptions;

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
