// Composition root: reads config, wires the parts, starts and stops them in order.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { MediaEngine } from '../media/engine.js';
import { HttpApi } from './api/http.js';
import { robotRoutes } from './api/robot-routes.js';
import { StaticFiles } from './api/static-files.js';
import { DemoRoutes } from './call/demo-routes.js';
import type { Config } from './config.js';
import { guidesOf, startContactCentre, type ContactCentre } from './contact-centre.js';
import { InviteAuth, Registrar, SipStack } from './sip/index.js';
import { EventLog } from './store/event-log.js';
import { DialplanService } from '../dialplan/service.js';
import { EndpointMedia } from '../dialplan/endpoint-media.js';
import { EspeakSynthesizer } from '../dialplan/tts/espeak.js';

export interface Engine {
  readonly config: Config;
  readonly stack: SipStack;
  readonly registrar: Registrar;
  readonly events: EventLog;
  readonly contactCentre: ContactCentre;
  readonly media: MediaEngine;
  readonly log: Logger;
  stop(): Promise<void>;
}

export async function startEngine(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<Engine> {
  guidesOf(config); // a broken call script stops the start before anything is opened
  const events = new EventLog(join(config.dataDir, 'switchyard.sqlite'), undefined, {
    writeInWorker: true,
    onWriterFailure: (err) => log.error({ err }, 'event log writer thread failed: writing on the event loop from now on'),
  });
  const recordingsDir = join(config.dataDir, 'recordings');
  mkdirSync(recordingsDir, { recursive: true });
  const voicemailDir = join(config.dataDir, 'voicemail');
  const ttsCacheDir = config.tts.cacheDir || join(config.dataDir, 'tts-cache');
  const media = new MediaEngine({
    address: config.media.address,
    portMin: config.media.portMin,
    portMax: config.media.portMax,
    ...(config.media.threads > 0 ? { threads: config.media.threads } : {}),
    realtimePriority: config.media.realtimePriority,
  }).start();
  if (config.media.realtimePriority > 0 && media.stats().threads.some((t) => !t.realtime)) {
    log.warn({ realtimePriority: config.media.realtimePriority }, 'media threads run without real-time priority: the kernel refused SCHED_FIFO (needs root or CAP_SYS_NICE)');
  }
  const stack = new SipStack({
    host: config.sip.host,
    port: config.sip.port,
    logger: log,
    timers: { t1: config.sip.t1, t2: config.sip.t2, t4: config.sip.t4 },
    tcpIdleTimeoutMs: config.sip.tcpIdleTimeoutMs,
    realtimePriority: config.sip.realtimePriority,
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
    ttsCacheDir,
    media,
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
    media,
    advertisedAddress: config.media.advertisedAddress || undefined,
    rtpTimeoutMs: config.media.rtpTimeoutSeconds * 1000,
    fallback: dialplan.handler,
    recordingsDir,
    b2buaMedia: config.b2bua.media,
  });
  stack.register((req, res) => registrar.handle(req, res));

  const api = new HttpApi(
    {
      'GET /api/health': () => ({ status: 'ok', sip: stack.stats, media: mediaHealth(media), registrations: registrar.size, activeCalls: routes.activeCalls, dialplan: dialplan.status }),
      'GET /api/sip/udp-timing': () => stack.transport.takeUdpTiming(),
      'GET /api/media/calls': () => routes.calls(),
      'GET /api/registrations': () =>
        Object.keys(config.users).flatMap((user) => registrar.lookup(user).map((b) => ({ user, contact: b.contact, expiresAt: new Date(b.expiresAt).toISOString() }))),
    },
    log.child({ component: 'http' }),
  );

  const contactCentre = startContactCentre(config, events, api, {
    stack,
    registrar,
    media,
    advertisedAddress: config.media.advertisedAddress || undefined,
    rtpTimeoutMs: config.media.rtpTimeoutSeconds * 1000,
    keepAliveMs: config.calls.keepAliveSeconds * 1000,
    // Numbers outside the registrar (click-to-call, callbacks) leave by the dialplan's outbound routes.
    outboundRoute: (number) => dialplan.outboundRoute(number),
    logger: log.child({ component: 'contact-centre' }),
    // Queue announcements and the voicemail greeting use the dialplan's speech and recording.
    speech: new EspeakSynthesizer({ cacheDir: ttsCacheDir }),
    recordMessage: (endpoint, name, options, signal) => new EndpointMedia(endpoint, { dir: voicemailDir, name }).record(options, signal),
  });
  const inviteAuth = new InviteAuth({
    realm: config.realm,
    users: new Map(Object.entries(config.users)),
    algorithms: config.auth.algorithms,
    nonceLifetimeMs: config.auth.nonceLifetimeSeconds * 1000,
    challenge: config.auth.invites.challenge,
    perUser: config.auth.invites.users,
    trustedAddresses: new Set(Object.entries(config.trunks).filter(([name]) => config.auth.invites.trunks[name] !== true).map(([, trunk]) => trunk.host)),
  });
  stack.invite((req, res) => {
    if (!inviteAuth.admit(req, res)) return;
    if (!contactCentre.handleInvite(req, res)) routes.handle(req, res);
  });
  api.add(robotRoutes({ robotCalls: () => dialplan.robotCalls, tokens: contactCentre.tokens }));
  // A dialplan's call.enqueue puts its caller in the contact centre's queues.
  const desk = contactCentre.desk;
  if (desk) dialplan.queueEntry = (queueId, leg, info) => desk.enqueue(queueId, leg, info);
  api.serveFiles(new StaticFiles(config.http.consoleDir));

  await stack.start();
  await dialplan.start();

  await api.listen(config.http.port, config.http.host);
  events.append('engine.started', { sip: `${stack.host}:${stack.port}`, http: api.port });
  log.info({ sip: { host: stack.host, port: stack.port }, http: { host: config.http.host, port: api.port } }, 'engine ready');

  return {
    config,
    stack,
    registrar,
    events,
    contactCentre,
    media,
    log,
    async stop() {
      await Promise.all([routes.hangupAll(), contactCentre.hangupAll()]);
      await dialplan.stop();
      await stack.stop();
      contactCentre.stop();
      media.close();
      await api.close();
      registrar.close();
      events.append('engine.stopped');
      events.close();
    },
  };
}

/** Media threads' load and the open endpoints and mixers, for GET /api/health. */
function mediaHealth(media: MediaEngine): object {
  const { threads, endpoints, mixers } = media.stats();
  return {
    endpoints,
    mixers,
    threads: threads.map((t) => ({ index: t.index, realtime: t.realtime, endpoints: t.endpoints, mixers: t.mixers, overruns: t.overruns, latenessP99Us: t.latenessUs.p99, workP99Us: t.workUs.p99 })),
  };
}
