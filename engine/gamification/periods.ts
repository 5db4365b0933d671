// The periods achievements are judged over: UTC days, and UTC weeks starting on Monday.
export const PERIODS = ['day', 'week'] as const;
export type PeriodKind = (typeof PERIODS)[number];

export interface Period {
  kind: PeriodKind;
  /** Epoch ms, inclusive. */
  start: number;
  /** Epoch ms, exclusive. */
  end: number;
}

const DAY = 86_400_000;

/** The period of `kind` that contains the instant `at`. */
export function periodOf(kind: PeriodKind, at: number): Period {
  const day = Math.floor(at / DAY) * DAY;
  if (kind === 'day') return { kind, start: day, end: day + DAY };
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  const start = day - sinceMonday * DAY;
  return { kind, start, end: start + 7 * DAY };
}

/** The period of `kind` that ended last before `now`. */
export function previousPeriod(kind: PeriodKind, now: number): Period {
  return periodOf(kind, periodOf(kind, now).start - 1);
}
