// Serves the built web console (console/ → dist/console) on the API's HTTP port: files with
// their content type, index.html for the console's own routes (SPA fallback), and nothing
// outside the root — a path that resolves outside it is a 404, whatever its encoding.
import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

export class StaticFiles {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** Answers a GET/HEAD for `pathname` (still URL-encoded). */
  async serve(pathname: string, head: boolean, res: ServerResponse): Promise<void> {
    const file = await this.find(pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    const body = await readFile(file);
    // Vite names built assets by content hash, so they never change; index.html always may.
    const immutable = file.includes(`${sep}assets${sep}`);
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(head ? undefined : body);
  }

  private async find(pathname: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const target = resolve(this.root, '.' + decoded);
    if (target !== this.root && !target.startsWith(this.root + sep)) return null;
    if (await isFile(target)) return target;
    // A console route (no file extension) gets the app; a missing asset stays a 404.
    if (extname(decoded) === '') {
      const index = resolve(this.root, 'index.html');
      if (await isFile(index)) return index;
    }
    return null;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
