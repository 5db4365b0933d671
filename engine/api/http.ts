// The HTTP API. For now: health and live SIP state as JSON; the ACD issue grows it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export type Route = (req: IncomingMessage) => unknown;

export class HttpApi {
  private readonly server: Server;

  constructor(
    private readonly routes: Record<string, Route>,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => this.serve(req, res));
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const route = this.routes[`${req.method} ${path}`];
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (!route) {
      reply(404, { error: 'not-found', message: `no route for ${req.method} ${path}` });
      return;
    }
    try {
      reply(200, route(req));
    } catch (err) {
      this.log.error({ err, path }, 'api route failed');
      reply(500, { error: 'internal', message: 'internal error' });
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
