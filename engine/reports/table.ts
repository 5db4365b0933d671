// A report table: typed columns and rows of raw values. The console shows it, and the same
// table is exported to CSV (the text on screen) and XLSX (the numbers), so an export is always
// what the user saw. Plain code with no Node or DOM imports: the console bundles it too.

/** count: an integer; decimal: one decimal; percent: a ratio 0..1 shown as a percentage; seconds: milliseconds shown in seconds. */
export type ColumnKind = 'text' | 'count' | 'decimal' | 'percent' | 'seconds';

export interface Column {
  title: string;
  kind: ColumnKind;
}

export type Value = string | number | null;

export interface Table {
  /** Also the sheet name of an XLSX export and the stem of the file name. */
  name: string;
  columns: Column[];
  rows: Value[][];
}

/** The cell as the screen and the CSV show it: one decimal but for counts, empty for no value. */
export function cellText(kind: ColumnKind, value: Value): string {
  if (value === null || value === '') return '';
  if (kind === 'text' || typeof value === 'string') return String(value);
  if (!Number.isFinite(value)) return '';
  if (kind === 'percent') return (value * 100).toFixed(1);
  if (kind === 'seconds') return (value / 1000).toFixed(1);
  if (kind === 'decimal') return value.toFixed(1);
  return String(Math.round(value));
}

/** The cell for a spreadsheet: the shown number as a number (same rounding as the screen), text as text. */
export function cellValue(kind: ColumnKind, value: Value): Value {
  const text = cellText(kind, value);
  if (text === '') return null;
  return kind === 'text' ? text : Number(text);
}
