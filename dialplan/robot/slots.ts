// Slot values from what the caller keyed or said: a number, a date, yes/no. Each parser
// returns the value or undefined (no match: the robot re-prompts).
import { normalizePhrase } from '../speech/recognizer.js';

export type SlotType = 'number' | 'date' | 'yes-no' | 'digits';

/** A whole number from keys ("42") or spoken digits ("four two"). */
export function parseNumber(input: string): number | undefined {
  const digits = /^\d+$/.test(input) ? input : spokenDigits(input);
  if (digits === undefined || digits.length === 0 || digits.length > 15) return undefined;
  return Number(digits);
}

const DIGIT_WORDS: Record<string, string> = { zero: '0', oh: '0', one: '1', two: '2', three: '3', four: '4', five: '5', six: '6', seven: '7', eight: '8', nine: '9' };

function spokenDigits(text: string): string | undefined {
  const words = normalizePhrase(text).split(' ').filter(Boolean);
  if (words.length === 0 || words.some((w) => DIGIT_WORDS[w] === undefined)) return undefined;
  return words.map((w) => DIGIT_WORDS[w]).join('');
}

/**
 * A calendar date as ISO `YYYY-MM-DD` from keys: DDMMYYYY (8 keys) or DDMM (4 keys, the next
 * such date from `today`). Impossible dates (31 February) are no match.
 */
export function parseDate(input: string, today = new Date()): string | undefined {
  const m = /^(\d\d)(\d\d)(\d{4})?$/.exec(input);
  if (!m) return undefined;
  const day = Number(m[1]);
  const month = Number(m[2]);
  let year = m[3] ? Number(m[3]) : today.getUTCFullYear();
  const valid = (y: number) => {
    const d = new Date(Date.UTC(y, month - 1, day));
    return d.getUTCFullYear() === y && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
  };
  if (!valid(year) && !m[3]) year += 1; // 29 February of a later leap year is not looked for
  if (!valid(year)) return undefined;
  if (!m[3] && Date.UTC(year, month - 1, day) < Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate())) year += 1;
  if (!valid(year)) return undefined;
  return `${String(year).padStart(4, '0')}-${m[2]}-${m[1]}`;
}

/** Keys 1 = yes, 2 = no; spoken "yes"/"no" and their common variants. */
export function parseYesNo(input: string): boolean | undefined {
  if (input === '1') return true;
  if (input === '2') return false;
  const said = normalizePhrase(input);
  if (['yes', 'yeah', 'yep', 'correct', 'right', 'да'].includes(said)) return true;
  if (['no', 'nope', 'wrong', 'нет'].includes(said)) return false;
  return undefined;
}

/** The speech phrases a slot listens for (keyword mode), or none when it takes keys only. */
export function slotPhrases(type: SlotType): string[] | undefined {
  return type === 'yes-no' ? ['yes', 'no'] : undefined;
}
