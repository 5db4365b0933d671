// Tone presets for Endpoint.playTone: call progress tones by region, a beep, DTMF keys.
// Levels are per frequency, in dBm0 (a full-scale sine is +3.17 dBm0 in G.711).
import type { DtmfDigit } from './dtmf.js';
import type { ToneOptions } from './endpoint.js';
import type { NativeToneOptions } from './native.js';

/** A tone: 1–4 summed sines, optionally switched on and off by a cadence. */
export interface ToneSpec {
  /** 1–4 frequencies, 1–3999 Hz each. */
  frequencies: number[];
  /** Peak amplitude of each sine as a fraction of full scale, 0–1. Default 0.25. */
  amplitude?: number;
  /** With offMs: on for onMs, off for offMs, repeated. */
  onMs?: number;
  offMs?: number;
  /** Alternating on/off times in ms (2, 4, 6 or 8 of them), for two-burst cadences; overrides onMs/offMs. */
  cadence?: number[];
  /** Total length; 0 or absent: until stopTone(). */
  durationMs?: number;
}

export type TonePreset = 'ringback' | 'busy' | 'dial' | 'congestion' | 'beep';

/**
 * Call-progress conventions: 'us' (North America, ANSI T1.401), 'eu' (ETSI, CEPT 425 Hz),
 * 'ru' (Russia and the CIS), 'uk'.
 */
export type ToneRegion = 'us' | 'eu' | 'ru' | 'uk';

export const TONE_REGIONS: readonly ToneRegion[] = ['us', 'eu', 'ru', 'uk'];

/** Peak amplitude (fraction of full scale) of a sine at `dbm0`. */
export function dbm0ToAmplitude(dbm0: number): number {
  return Math.pow(10, (dbm0 - 3.17) / 20);
}

type Preset = Omit<ToneSpec, 'amplitude'> & { dbm0: number };

const CALL_PROGRESS: Record<ToneRegion, Record<Exclude<TonePreset, 'beep'>, Preset>> = {
  us: {
    ringback: { frequencies: [440, 480], cadence: [2000, 4000], dbm0: -19 },
    busy: { frequencies: [480, 620], cadence: [500, 500], dbm0: -24 },
    congestion: { frequencies: [480, 620], cadence: [250, 250], dbm0: -24 },
    dial: { frequencies: [350, 440], dbm0: -13 },
  },
  eu: {
    ringback: { frequencies: [425], cadence: [1000, 4000], dbm0: -13 },
    busy: { frequencies: [425], cadence: [500, 500], dbm0: -13 },
    congestion: { frequencies: [425], cadence: [250, 250], dbm0: -13 },
    dial: { frequencies: [425], dbm0: -13 },
  },
  ru: {
    ringback: { frequencies: [425], cadence: [800, 3200], dbm0: -13 },
    busy: { frequencies: [425], cadence: [400, 400], dbm0: -13 },
    congestion: { frequencies: [425], cadence: [200, 200], dbm0: -13 },
    dial: { frequencies: [425], dbm0: -13 },
  },
  uk: {
    ringback: { frequencies: [400, 450], cadence: [400, 200, 400, 2000], dbm0: -19 },
    busy: { frequencies: [400], cadence: [375, 375], dbm0: -13 },
    congestion: { frequencies: [400], cadence: [400, 350, 225, 525], dbm0: -13 },
    dial: { frequencies: [350, 440], dbm0: -13 },
  },
};

const BEEP: Preset = { frequencies: [1000], durationMs: 200, dbm0: -10 };

/** The spec of a preset in a region (default 'us'). 'beep' is 1 kHz for 200 ms everywhere. */
export function tonePreset(name: TonePreset, region: ToneRegion = 'us'): ToneSpec {
  const table = CALL_PROGRESS[region];
  if (!table) throw new RangeError(`tone region must be one of ${TONE_REGIONS.join(', ')}, got ${String(region)}`);
  const preset = name === 'beep' ? BEEP : table[name];
  if (!preset) throw new RangeError(`unknown tone preset ${String(name)} (known: ringback, busy, dial, congestion, beep)`);
  const { dbm0, ...spec } = preset;
  return { ...spec, frequencies: [...spec.frequencies], cadence: spec.cadence && [...spec.cadence], amplitude: dbm0ToAmplitude(dbm0) };
}

const ROWS = [697, 770, 852, 941];
const COLUMNS = [1209, 1336, 1477, 1633];
const KEYPAD = ['123A', '456B', '789C', '*0#D'];

/** The dual tone of a DTMF key (ITU-T Q.23), at -10 dBm0 per tone, for durationMs (default 100). */
export function dtmfTone(digit: DtmfDigit, durationMs = 100): ToneSpec {
  const row = KEYPAD.findIndex((r) => r.includes(digit.toUpperCase()));
  if (typeof digit !== 'string' || digit.length !== 1 || row < 0) {
    throw new RangeError(`not a DTMF key (0-9 * # A-D): ${String(digit)}`);
  }
  const column = KEYPAD[row].indexOf(digit.toUpperCase());
  return { frequencies: [ROWS[row], COLUMNS[column]], amplitude: dbm0ToAmplitude(-10), durationMs };
}

/** What Endpoint.playTone takes: a frequency in Hz, a preset name, or a spec. */
export type ToneArgument = number | TonePreset | ToneSpec;

/** The addon's playTone arguments for a tone and the caller's options (which win over the spec's). */
export function nativeToneArgs(tone: ToneArgument, options: ToneOptions): [number | number[], NativeToneOptions] {
  checkKeys('options', options, ['amplitude', 'durationMs', 'target', 'region']);
  const { region, amplitude, durationMs, target } = options ?? {};
  if (typeof tone === 'number') {
    if (region !== undefined) throw new TypeError('options.region applies to tone presets only');
    return [tone, { amplitude, durationMs, target }];
  }
  let spec: ToneSpec;
  if (typeof tone === 'string') {
    spec = tonePreset(tone, region);
  } else if (typeof tone === 'object' && tone !== null) {
    if (region !== undefined) throw new TypeError('options.region applies to tone presets only');
    checkKeys('tone', tone, ['frequencies', 'amplitude', 'onMs', 'offMs', 'cadence', 'durationMs']);
    spec = tone;
  } else {
    throw new TypeError(`tone must be a frequency, a preset name or { frequencies, ... }, got ${typeof tone}`);
  }
  if ((spec.onMs === undefined) !== (spec.offMs === undefined)) {
    throw new RangeError('a tone cadence needs both onMs and offMs');
  }
  const cadence = spec.cadence ?? (spec.onMs !== undefined ? [spec.onMs, spec.offMs as number] : undefined);
  return [
    spec.frequencies,
    { amplitude: amplitude ?? spec.amplitude, durationMs: durationMs ?? spec.durationMs, cadence, target },
  ];
}

/** A misspelt option must not pass silently (the addon checks its own arguments the same way). */
function checkKeys(what: string, value: object | undefined, known: string[]): void {
  if (value === undefined || value === null || typeof value !== 'object') return;
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new TypeError(`${what} has an unknown option '${key}' (known: ${known.join(', ')})`);
  }
}
