// G.711 encode/decode of whole buffers, by the addon's codec (the one the media threads use).
import { loadAddon } from './native.js';

/** Linear 16-bit PCM → µ-law code words. */
export function ulawEncode(samples: Int16Array): Uint8Array {
  return loadAddon().g711.ulawEncode(samples);
}
/** µ-law code words → linear 16-bit PCM. */
export function ulawDecode(codes: Uint8Array): Int16Array {
  return loadAddon().g711.ulawDecode(codes);
}
/** Linear 16-bit PCM → A-law code words. */
export function alawEncode(samples: Int16Array): Uint8Array {
  return loadAddon().g711.alawEncode(samples);
}
/** A-law code words → linear 16-bit PCM. */
export function alawDecode(codes: Uint8Array): Int16Array {
  return loadAddon().g711.alawDecode(codes);
}
