// A table as CSV (RFC 4180: comma-separated, CRLF line ends, fields with a comma, quote or line
// break quoted with inner quotes doubled), cells as the screen shows them. A UTF-8 byte-order
// mark leads, so spreadsheet programs read non-Latin names right; text that a spreadsheet
// would run as a formula (= + - @ first) gets a leading apostrophe (CSV injection).
import { cellText, type Table } from './table.js';

export const CSV_TYPE = 'text/csv; charset=utf-8';

function field(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(table: Table): string {
  const header = table.columns.map((c) => field(c.title));
  const rows = table.rows.map((row) =>
    row.map((v, i) => {
      const kind = table.columns[i].kind;
      const text = cellText(kind, v);
      return field(kind === 'text' && /^[=+\-@]/.test(text) ? `'${text}` : text);
    }),
  );
  return '\ufeff' + [header, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';
}
