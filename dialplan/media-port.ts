// What the Call object needs from the media core for its media verbs. The media helpers
// (playback, DTMF, recording, VAD) provide an implementation per call; a call without one
// rejects media verbs with NotAvailableError rather than pretending to play.
export interface PlayOptions {
  loop?: boolean;
  /** Stop the prompt on a DTMF digit or caller speech (barge-in). */
  bargeIn?: boolean;
}

export interface GatherOptions {
  /** Collect DTMF digits (default true). */
  digits?: boolean;
  maxDigits?: number;
  finishOnKey?: string;
  /** Milliseconds to wait for the first input. */
  timeout?: number;
  interDigitTimeout?: number;
  /** Played (with barge-in) while gathering: a WAV path, or text to say. */
  prompt?: string | { say: string; lang?: string; voice?: string };
  /** Speech input: the phrases (keyword/grammar mode) or 'free' text. */
  speech?: { phrases: string[] } | 'free';
}

export interface GatherResult {
  digits: string;
  speech?: { text: string; phrase?: string };
  /** Why gathering stopped. */
  reason: 'max-digits' | 'finish-key' | 'timeout' | 'speech';
}

export interface RecordOptions {
  maxSeconds?: number;
  beep?: boolean;
  silenceTimeoutMs?: number;
  stereo?: boolean;
}

export interface RecordResult {
  file: string;
  durationMs: number;
}

/** Media operations on one call; `signal` aborts when the call ends. */
export interface CallMedia {
  /** Reports each DTMF key the caller presses (the Call's 'dtmf' event). */
  onDtmf?(listener: (digit: string) => void): void;
  play(file: string, options: PlayOptions, signal: AbortSignal): Promise<void>;
  gather(options: GatherOptions, signal: AbortSignal): Promise<GatherResult>;
  record(options: RecordOptions, signal: AbortSignal): Promise<RecordResult>;
}
