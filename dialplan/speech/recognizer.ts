// Speech input behind a small interface, so gather({ speech }) does not care which engine
// listens. Two modes: phrases (a menu's keywords or short answers, as a grammar: the result is
// one of them or nothing) and free text.
import type { Pcm16 } from '../audio/wav.js';

export type RecognitionMode = { kind: 'phrases'; phrases: readonly string[] } | { kind: 'free' };

export interface RecognitionRequest {
  audio: Pcm16;
  mode: RecognitionMode;
  /** BCP 47-ish language, e.g. 'en' (default) or 'ru'. */
  lang?: string;
}

export interface RecognitionResult {
  /** What was heard, lower-case words separated by single spaces; '' for nothing. */
  text: string;
  /** In phrases mode: the phrase heard, as given in the request; undefined when none was. */
  phrase?: string;
  /** 0–1, for engines that report one (pocketsphinx's command line does not). */
  confidence?: number;
}

export interface Recognizer {
  /** Languages this recognizer has a model for. */
  readonly languages: readonly string[];
  recognize(request: RecognitionRequest): Promise<RecognitionResult>;
  /**
   * Optional: rejects (DialplanError 'invalid-argument', NotAvailableError) a request this
   * recognizer could not serve, before the caller is asked to speak (a word without a
   * pronunciation, an unknown language).
   */
  check?(request: Omit<RecognitionRequest, 'audio'>): Promise<void>;
}

/** Lower-case words separated by single spaces: how phrases and results are compared. */
export function normalizePhrase(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}
