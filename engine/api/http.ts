// The HTTP API server: JSON routes keyed "METHOD /path" (":name" segments are parameters),
// bodies parsed as JSON, errors answered as JSON `{ error, message }` with a 4xx/5xx status,
// and WebSocket upgrades handed to whoever registered the path.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { AcdError, type AcdErrorCode } from '../acd/index.js';
import type { StaticFiles } from './static-files.js';

export interface ApiRequest {
  raw: IncomingMessage;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when there is none). */
  body: unknown;
  /** The bearer token (Authorization header, or `?token=` for browsers' WebSockets). */
  token: string | null;
}

export type Route = (req: ApiRequest) => unknown;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, token: string | null) => void;

/** A request the API refuses, with the status and machine-readable code it answers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A route's answer that is a file to download (an export) rather than JSON. */
export class FileReply {
  constructor(
    readonly contentType: string,
    /** ASCII, without quotes: it goes into Content-Disposition as is. */
    readonly filename: string,
    readonly body: Uint8Array | string,
  ) {}
}

/** A route's answer that writes the response itself (a file streamed from disk, with ranges). */
export abstract class StreamedReply {
  abstract send(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

const ACD_STATUS: Record<AcdErrorCode, number> = { invalid: 400, forbidden: 403, 'not-found': 404, conflict: 409 };
const MAX_BODY = 64 * 1024;

interface Compiled {
  method: string;
  parts: string[];
  route: Route;
}

export class HttpApi {
  private readonly server: Server;
  private readonly table: Compiled[] = [];
  private readonly upgrades = new Map<string, UpgradeHandler>();
  /** The web console, served for every GET outside /api. */
  private files: StaticFiles | null = null;

  constructor(
    routes: Record<string, Route>,
    private readonly log: Logger,
  ) {
    this.add(routes);
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const handler = this.upgrades.get(url.pathname);
      if (!handler) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      handler(req, socket, head, bearer(req, url));
    });
  }

  add(routes: Record<string, Route>): void {
    for (const [key, route] of Object.entries(routes)) {
      const [method, path] = key.split(' ');
      this.table.push({ method, parts: path.split('/'), route });
    }
  }

  serveFiles(files: StaticFiles): void {
    this.files = files;
  }

  onUpgrade(path: string, handler: UpgradeHandler): void {
    this.upgrades.set(path, handler);
  }

  private match(method: string, path: string): { route: Route; params: Record<string, string> } | 'wrong-method' | null {
    const parts = path.split('/');
    let pathMatched = false;
    for (const c of this.table) {
      if (c.parts.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const ok = c.parts.every((p, i) => (p.startsWith(':') ? (params[p.slice(1)] = decodeSegment(parts[i])) !== '' : p === parts[i]));
      if (!ok) continue;
      if (c.method === method) return { route: c.route, params };
      pathMatched = true;
    }
    return pathMatched ? 'wrong-method' : null;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? null));
    };
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    if (!isApi && this.files && (req.method === 'GET' || req.method === 'HEAD')) {
      await this.files.serve(url.pathname, req.method === 'HEAD', res).catch((err) => {
        this.log.error({ err, path: url.pathname }, 'static file failed');
        if (!res.headersSent) reply(500, { error: 'internal', message: 'internal error' });
      });
      return;
    }
    try {
      const found = this.match(req.method ?? 'GET', url.pathname);
      if (found === null) throw new HttpError(404, 'not-found', `no route for ${req.method} ${url.pathname}`);
      if (found === 'wrong-method') throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname}`);
      const body = await readJson(req);
      const answer = await found.route({ raw: req, params: found.params, query: url.searchParams, body, token: bearer(req, url) });
      if (answer instanceof StreamedReply) await answer.send(req, res);
      else if (answer instanceof FileReply) {
        res.writeHead(200, { 'content-type': answer.contentType, 'content-disposition': `attachment; filename="${answer.filename}"` });
        res.end(answer.body);
      } else reply(200, answer);
    } catch (err) {
      if (res.headersSent) {
        // A stream that broke halfway (the client went away): nothing more can be said.
        res.destroy();
        return;
      }
      if (err instanceof HttpError) reply(err.status, { error: err.code, message: err.message });
      else if (err instanceof AcdError) reply(ACD_STATUS[err.code], { error: err.code, message: err.message });
      else {
        this.log.error({ err, path: url.pathname }, 'api route failed');
        reply(500, { error: 'internal', message: 'internal error' });
      }
    }
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'bad-path', `malformed path segment "${segment}"`);
  }
}

function bearer(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return url.searchParams.get('token');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, 'too-large', `body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad-json', 'the body is not valid JSON');
  }
}
