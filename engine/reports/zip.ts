// A ZIP archive of stored (uncompressed) entries, enough for an OOXML package (APPNOTE.TXT
// 4.3: local file headers, then the central directory, then its end record). No ZIP64, so
// fewer than 65,535 entries and 4 GiB in all; names are UTF-8 (general purpose flag bit 11).
import { crc32 } from './crc32.js';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
}

/** 1980-01-01 00:00 in MS-DOS date/time: entries carry no real time, so equal input gives equal bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 1 << 11;
const VERSION = 20; // 2.0: the version that reads stored entries

export function zip(entries: ZipEntry[]): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.name);
    const crc = crc32(entry.data);
    const local = header(30, name, (v) => {
      v.setUint32(0, 0x04034b50, true);
      v.setUint16(4, VERSION, true);
      common(v, 6, crc, entry.data.length, name.length);
    });
    central.push(
      header(46, name, (v) => {
        v.setUint32(0, 0x02014b50, true);
        v.setUint16(4, VERSION, true); // version made by
        v.setUint16(6, VERSION, true); // version needed
        common(v, 8, crc, entry.data.length, name.length);
        // extra, comment, disk number, internal and external attributes stay 0
        v.setUint32(42, offset, true);
      }),
    );
    parts.push(local, entry.data);
    offset += local.length + entry.data.length;
  }
  const directorySize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, directorySize, true);
  v.setUint32(16, offset, true);
  return concat([...parts, ...central, end]);
}

/** A header of `size` fixed bytes followed by the name. */
function header(size: number, name: Uint8Array, fill: (v: DataView) => void): Uint8Array {
  const bytes = new Uint8Array(size + name.length);
  fill(new DataView(bytes.buffer));
  bytes.set(name, size);
  return bytes;
}

/** The fields local and central headers share, from flags to the name length. */
function common(v: DataView, at: number, crc: number, size: number, nameLength: number): void {
  v.setUint16(at, UTF8_NAMES, true);
  v.setUint16(at + 2, 0, true); // method 0: stored
  v.setUint16(at + 4, DOS_TIME, true);
  v.setUint16(at + 6, DOS_DATE, true);
  v.setUint32(at + 8, crc, true);
  v.setUint32(at + 12, size, true); // compressed size = size: stored
  v.setUint32(at + 16, size, true);
  v.setUint16(at + 20, nameLength, true);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
