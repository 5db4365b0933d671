// Reads an .xlsx back for tests: `unzip -t` and read-xlsx.py (python3's zipfile and XML parser).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The reader lives beside this file's source (tests run compiled from dist/).
const reader = join(dirname(fileURLToPath(import.meta.url)), '../../../../test/unit/reports/read-xlsx.py');

export interface Workbook {
  parts: string[];
  sheets: { name: string; rows: (string | number | null)[][] }[];
}

export function readXlsx(bytes: Uint8Array): Workbook {
  const dir = mkdtempSync(join(tmpdir(), 'xlsx-'));
  try {
    const file = join(dir, 'book.xlsx');
    writeFileSync(file, bytes);
    execFileSync('unzip', ['-tq', file]);
    return JSON.parse(execFileSync('python3', [reader, file], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
