// Composition root: reads config, wires the parts, starts and stops them in order.
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { HttpApi } from './api/http.js';
import { StaticFiles } from './api/static-files.js';
import { DemoRoutes } from './call/demo-routes.js';
import type { Config } from './config.js';
import { startContactCentre, type ContactCentre } from './contact-centre.js';
import { Registrar, SipStack } from './sip/index.js';
import { EventLog } from './store/event-log.js';
import { DialplanService } from '../dialplan/service.js';

export interface Engine {
  readonly config: Config;
  readonly stack: SipStack;
  readonly registrar: Registrar;
  readonly events: EventLog;
  readonly contactCentre: ContactCentre;
  readonly log: Logger;
  stop(): Promise<void>;
}

export async function startEngine(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<Engine> {
  const events = new EventLog(join(config.dataDir, 'switchyard.sqlite'));
  const stack = new SipStack({
    host: config.sip.host,
    port: config.sip.port,
    logger: log,
    timers: { t1: config.sip.t1, t2: config.sip.t2, t4: config.sip.t4 },
    tcpIdleTimeoutMs: config.sip.tcpIdleTimeoutMs,
  });
  const registrar = new Registrar({
    realm: config.realm,
    users: new Map(Object.entries(config.users)),
    algorithms: config.auth.algorithms,
    hideUnknownUsers: config.auth.hideUnknownUsers,
    nonceLifetimeMs: config.auth.nonceLifetimeSeconds * 1000,
  });
  registrar.onChange = (aor, bindings) => events.append('registration.changed', { aor, contacts: bindings.map((b) => b.contact) });
  const dialplan = new DialplanService({
    stack,
    logger: log,
    events,
    dataDir: config.dataDir,
    path: config.dialplan.path,
    watch: config.dialplan.watch,
    trunks: config.trunks,
    ttsCacheDir: config.tts.cacheDir,
    keepAliveMs: config.calls.keepAliveSeconds * 1000,
  });
  const routes = new DemoRoutes({
    stack,
    registrar,
    events,
    logger: log.child({ component: 'calls' }),
    noAnswerMs: config.calls.noAnswerSeconds * 1000,
    hangupDemoMs: config.calls.hangupDemoSeconds * 1000,
    keepAliveMs: config.calls.keepAliveSeconds * 1000,
    media: { address: config.sip.host, port: 40000 },
    fallback: dialplan.handler,
  });
  stack.register((req, res) => registrar.handle(req, res));
  stack.invite((req, res) => routes.handle(req, res));

  const api = new HttpApi(
    {
      'GET /api/health': () => ({ status: 'ok', sip: stack.stats, registrations: registrar.size, activeCalls: routes.activeCalls, dialplan: dialplan.status }),
      'GET /api/registrations': () =>
        Object.keys(config.users).flatMap((user) => registrar.lookup(user).map((b) => ({ user, contact: b.contact, expiresAt: new Date(b.expiresAt).toISOString() }))),
    },
    log.child({ component: 'http' }),
  );

  api.serveFiles(new StaticFiles(config.http.consoleDir));

  await stack.start();
  await dialplan.start();
  const contactCentre = startContactCentre(config, events, api);

  await api.listen(config.http.port, config.http.host);
  events.append('engine.started', { sip: `${stack.host}:${stack.port}`, http: api.port });
  log.info({ sip: { host: stack.host, port: stack.port }, http: { host: config.http.host, port: api.port } }, 'engine ready');

  return {
    config,
    stack,
    registrar,
    events,
    contactCentre,
    log,
    async stop() {
      await routes.hangupAll();
      await dialplan.stop();
      await stack.stop();
      contactCentre.stop();
      await api.close();
      registrar.close();
      events.append('engine.stopped');
      events.close();
    },
  };
}
