// What the Call object needs from the media core for its media verbs. The media helpers
// (playback, DTMF, recording, VAD) provide an implementation per call; a call without one
// rejects media verbs with NotAvailableError rather than pretending to play.
import type { Endpoint, Mixer } from '../media/index.js';
import type { MediaConnection } from './media-connection.js';
import type { Pcm16 } from './audio/wav.js';

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
  /**
   * Listen for speech too: `phrases` (keyword/grammar mode: the result is one of them or
   * nothing), without them (or 'free') any words. Needs a recognizer (see `SpeechOptions`).
   */
  speech?: SpeechOptions | 'free';
}

export interface SpeechOptions {
  /** The words or short phrases to listen for; absent: free text. */
  phrases?: readonly string[];
  /** The language to recognize (default 'en'); one the recognizer has no model for rejects with NotAvailableError. */
  lang?: string;
  /** Longest utterance, ms (default 10 000): a caller still talking then is heard up to there. */
  maxSpeechMs?: number;
}

/** What the caller said: `text` as heard ('' for nothing the recognizer could make out), `phrase` one of the asked phrases. */
export interface SpeechResult {
  text: string;
  phrase?: string;
  /** 0–1, when the recognizer reports one. */
  confidence?: number;
}

export interface GatherResult {
  digits: string;
  /** Set when the caller spoke (reason 'speech'). */
  speech?: SpeechResult;
  /** Why gathering stopped: 'speech' when the caller spoke and stopped. */
  reason: 'max-digits' | 'finish-key' | 'timeout' | 'speech';
  /** A key came while the prompt was still playing and stopped it (barge-in). */
  bargedIn: boolean;
}

export interface RecordOptions {
  /** Longest recording (default 60). */
  maxSeconds?: number;
  /** A 200 ms 1 kHz beep before recording starts. */
  beep?: boolean;
  /** Stop after this much silence (caller VAD), counted from the start or the end of speech. */
  silenceTimeoutMs?: number;
  /** Keys that stop the recording (default '#'); '' for none. */
  finishOnKey?: string;
  /**
   * Both sides of a bridged call (while dial's callee or bridge()'s other call is connected):
   * a stereo WAV, the caller left and the other party right, until the bridge ends too.
   */
  stereo?: boolean;
}

export interface RecordResult {
  /** The WAV file (8 kHz PCM16, mono; stereo with `stereo`). */
  file: string;
  durationMs: number;
  reason: 'max-seconds' | 'silence' | 'finish-key' | 'hangup' | 'bridge-ended';
}

/** The mixer a call is bridged through: `self` is its endpoint, `other` what brings the other party's audio. */
export interface MediaBridge {
  mixer: Mixer;
  self: Endpoint;
  other: Endpoint;
}

export interface EchoOptions {
  /** Longest echo (default 60). */
  maxSeconds?: number;
  /** Keys that end the echo (default '#'); '' for none. */
  finishOnKey?: string;
}

export interface EchoResult {
  durationMs: number;
  reason: 'max-seconds' | 'finish-key' | 'hangup';
}

export interface GatherHooks {
  started?: () => void;
  typed?: string;
  recognize?: (audio: Pcm16) => Promise<SpeechResult>;
}

/** Media operations on one call; `signal` aborts when the call ends. */
export interface CallMedia {
  /** Reports each DTMF key the caller presses (the Call's 'dtmf' event). */
  onDtmf?(listener: (digit: string) => void): void;
  /** `started`: called when the media thread has taken the file (the prompt begins). */
  play(file: string, options: PlayOptions, signal: AbortSignal, started?: () => void): Promise<void>;
  /**
   * `typed`: keys the caller pressed before (while a text prompt was synthesized); they count
   * first and skip the prompt. `recognize`: what turns the caller's utterance into words
   * (options.speech needs it).
   */
  gather(options: GatherOptions, signal: AbortSignal, hooks?: GatherHooks): Promise<GatherResult>;
  record(options: RecordOptions, signal: AbortSignal): Promise<RecordResult>;
  /** The caller hears themself (what arrives is sent back) until a finish key, maxSeconds or the end. */
  echo(options: EchoOptions, signal: AbortSignal): Promise<EchoResult>;
  /** The call was bridged (or, undefined, the bridge ended). */
  bridged?(bridge: MediaBridge | undefined): void;
  /** Connects this call's audio with `other`'s (both hear each other) until close(). */
  connect?(other: CallMedia): MediaConnection;
}
