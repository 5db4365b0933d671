// The WebSocket event stream (/api/stream): every ACD event the caller's role may see, as JSON
// text frames, in order. Authenticated like the REST API (bearer header or ?token=).
import { WebSocketServer, type WebSocket } from 'ws';
import type { Acd } from '../acd/index.js';
import type { Tokens } from './auth.js';
import type { HttpApi } from './http.js';
import { Scope } from './scope.js';

/** A client this far behind is cut off rather than buffered without limit. */
const MAX_BUFFERED = 4 * 1024 * 1024;

export class EventStream {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Map<WebSocket, Scope>();
  private readonly unsubscribe: () => void;

  constructor(api: HttpApi, acd: Acd, tokens: Tokens) {
    api.onUpgrade('/api/stream', (req, socket, head, token) => {
      const principal = tokens.resolve(token);
      if (!principal) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.clients.set(ws, new Scope(acd, principal));
        ws.on('close', () => this.clients.delete(ws));
        ws.on('error', () => this.clients.delete(ws));
        ws.send(JSON.stringify({ type: 'hello', principal }));
      });
    });
    this.unsubscribe = acd.on((event) => this.send(event, (scope) => scope.seesEvent(event)));
  }

  /** Streams an event that is not the ACD's (alerts, achievements, quests) to the clients `sees` admits. */
  publish(event: { type: string; at: number } & Record<string, unknown>, sees: (scope: Scope) => boolean): void {
    this.send(event, sees);
  }

  private send(event: object, sees: (scope: Scope) => boolean): void {
    let frame: string | null = null;
    for (const [ws, scope] of this.clients) {
      if (ws.readyState !== ws.OPEN || !sees(scope)) continue;
      if (ws.bufferedAmount > MAX_BUFFERED) {
        ws.terminate();
        continue;
      }
      ws.send((frame ??= JSON.stringify(event)));
    }
  }

  close(): void {
    this.unsubscribe();
    for (const ws of this.clients.keys()) ws.terminate();
    this.wss.close();
  }
}
