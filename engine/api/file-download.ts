// A route's answer that is a file on disk streamed to the client (a voicemail WAV), with
// Content-Length and single byte ranges (RFC 9110 §14: Range, 206 Partial Content, 416).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError, StreamedReply } from './http.js';

export class FileDownload extends StreamedReply {
  constructor(
    readonly path: string,
    readonly contentType: string,
    /** ASCII, without quotes: it goes into Content-Disposition as is. */
    readonly filename: string,
  ) {
    super();
  }

  async send(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const size = await sizeOf(this.path);
    const range = byteRange(req.headers.range, size);
    const headers = {
      'content-type': this.contentType,
      'content-disposition': `inline; filename="${this.filename}"`,
      'accept-ranges': 'bytes',
    };
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'content-type': 'application/json', 'content-range': `bytes */${size}` });
      res.end(JSON.stringify({ error: 'range-not-satisfiable', message: `the file has ${size} bytes` }));
      return;
    }
    const [start, end] = range ?? [0, size - 1];
    const length = end - start + 1;
    res.writeHead(range ? 206 : 200, { ...headers, 'content-length': length, ...(range ? { 'content-range': `bytes ${start}-${end}/${size}` } : {}) });
    if (length === 0) {
      res.end();
      return;
    }
    await pipeline(createReadStream(this.path, { start, end }), res);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (s.isFile()) return s.size;
  } catch {
    // answered below
  }
  throw new HttpError(404, 'not-found', 'the file is gone from the disk');
}

/**
 * The one range of a `Range: bytes=…` header as [first, last] byte; null to send the whole file
 * (no header, another unit, several ranges or a malformed one — RFC 9110 §14.2 lets a server
 * ignore those); 'unsatisfiable' when it starts past the end.
 */
export function byteRange(header: string | undefined, size: number): [number, number] | null | 'unsatisfiable' {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // A suffix: the last N bytes.
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return [Math.max(0, size - n), size - 1];
  }
  const first = Number(m[1]);
  const last = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < first) return null;
  if (first >= size) return 'unsatisfiable';
  return [first, last];
}
