// Text to speech as the Call object needs it: text in, a ready-to-play WAV file out.
export interface SayOptions {
  /** espeak-ng language, e.g. 'en' (default), 'en-us', 'ru'. */
  lang?: string;
  /** A voice variant, e.g. 'f3', 'm1' (espeak-ng's `lang+variant`). */
  voice?: string;
}

export interface Synthesizer {
  /** Resolves with the path of an 8 kHz mono PCM16 WAV of `text`. */
  synthesize(text: string, options?: SayOptions): Promise<string>;
}
