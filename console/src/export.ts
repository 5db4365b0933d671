// Export of a table the screen shows, made in the browser from the very table on screen (live
// values at that moment, the drill-down as chosen) with the engine's own writers, so CSV and
// XLSX need no round trip and no extra package. The same writers serve GET /api/reports/kpi.
import { csv, CSV_TYPE } from '../../engine/reports/csv.js';
import type { Table } from '../../engine/reports/table.js';
import { xlsx, XLSX_TYPE } from '../../engine/reports/xlsx.js';

function download(filename: string, type: string, data: string | Uint8Array): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `stem`: the file name without extension (ASCII is safest). */
export function exportTable(table: Table, stem: string, format: 'csv' | 'xlsx'): void {
  if (format === 'csv') download(`${stem}.csv`, CSV_TYPE, csv(table));
  else download(`${stem}.xlsx`, XLSX_TYPE, xlsx([table]));
}
