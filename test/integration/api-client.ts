// A REST client with a bearer token and a WebSocket event-stream reader, for tests that drive
// the engine's API over real HTTP.
import WebSocket from 'ws';
import type { Engine } from './harness.js';

export class Client {
  constructor(
    private readonly base: string,
    public token: string | null,
  ) {}

  async call(method: string, path: string, body?: unknown, raw?: string): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    return { status: res.status, body: await res.json() };
  }
}

export class Stream {
  readonly frames: any[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data))));
  }

  static open(port: number, token: string): Promise<Stream> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/stream?token=${token}`);
    const stream = new Stream(ws);
    return new Promise((resolve, reject) => {
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('open', () => resolve(stream));
    });
  }

  async until(match: (f: any) => boolean): Promise<any> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const f = this.frames.find(match);
      if (f) return f;
      if (Date.now() > deadline) throw new Error('no matching frame within 5 s');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

export type ApiCall = (method: string, path: string, token: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** Calls on a started engine's API as `token` ('' for none), for the contact-centre tests. */
export function apiOf(engine: Engine): ApiCall {
  return (method, path, token, body) => new Client(`http://127.0.0.1:${engine.httpPort}`, token || null).call(method, path, body);
}
