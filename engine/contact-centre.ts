// Wires the ACD into the engine: rebuilds it from the event log, journals what it does,
// applies the configured agents and queues, folds live metrics and serves its REST routes and
// WebSocket stream on the engine's HTTP API. With phones (SIP and media), real calls are
// distributed: the call layer's AgentDialer is attached and the queue numbers and feature codes
// are answered (engine/contact-centre/).
import type { Logger } from 'pino';
import { Acd, AcdError, AcdMetrics, Guides } from './acd/index.js';
import { acdRoutes } from './api/acd-routes.js';
import { callNotesRoutes } from './api/call-notes-routes.js';
import { Tokens } from './api/auth.js';
import { EventStream } from './api/event-stream.js';
import { kpiRoutes } from './api/kpi-routes.js';
import type { HttpApi } from './api/http.js';
import type { Config } from './config.js';
import { AcdJournal } from './store/acd-journal.js';
import { CallHistory } from './store/call-history.js';
import type { EventLog } from './store/event-log.js';
import type { IncomingRequest, ServerResponse } from './sip/index.js';
import { CallAgentDialer } from './contact-centre/agent-dialer.js';
import { CallDesk } from './contact-centre/desk.js';
import { callControlRoutes } from './contact-centre/call-control-routes.js';
import { ClickToCall } from './contact-centre/click-to-call.js';
import { ContactCentreInbound } from './contact-centre/inbound.js';
import type { PhoneDeps } from './contact-centre/phones.js';
import type { Speech } from './contact-centre/announcer.js';
import { Voicemail, type RecordMessage } from './contact-centre/voicemail.js';
import { VoicemailBox } from './store/voicemail.js';
import { voicemailRoutes } from './api/voicemail-routes.js';
import { cdrRoutes } from './api/cdr-routes.js';
import { CdrTable } from './store/cdr-table.js';
import { supervisorRoutes } from './contact-centre/supervisor-routes.js';
import { startEngagement } from './engagement.js';
import { taskRoutes } from './api/task-routes.js';
import { workdayRoutes } from './api/workday-routes.js';
import { TaskBook } from './store/task-book.js';

export interface ContactCentre {
  readonly acd: Acd;
  /** The calls with media (absent without phones). */
  readonly desk: CallDesk | undefined;
  /** Takes an INVITE for a queue number or a feature code; false: not the contact centre's. */
  handleInvite(req: IncomingRequest, res: ServerResponse): boolean;
  /** Hangs up the contact centre's calls (before the SIP stack stops). */
  hangupAll(): Promise<void>;
  /** API tokens (configured and agents' sessions), for other routes that check roles. */
  readonly tokens: Tokens;
  stop(): void;
}

/** What calls with media need beyond SIP and media: a logger, speech for prompts, a recorder for voicemail. */
export interface ContactCentrePhones extends PhoneDeps {
  logger: Logger;
  speech?: Speech;
  recordMessage?: RecordMessage;
}

export function startContactCentre(config: Config, events: EventLog, api: HttpApi, phones?: ContactCentrePhones): ContactCentre {
  const acd = new Acd({ missedOffer: config.acd.missedOffer, contextTtlMs: config.acd.contextTtlSeconds * 1000 });
  const journal = new AcdJournal(events, acd);
  acd.restore(AcdJournal.events(events));
  for (const queue of config.acd.queues) acd.defineQueue(queue);
  for (const agent of config.acd.agents) acd.defineAgent(agent);

  // Live figures count from the start of the current UTC day; earlier events set the scene.
  const liveFrom = new Date().setUTCHours(0, 0, 0, 0);
  const live = new AcdMetrics(liveFrom);
  for (const e of AcdJournal.events(events)) live.apply(e);
  acd.on((e) => live.apply(e));

  const tokens = new Tokens(config.acd.tokens);
  const routeDeps = { acd, tokens, users: new Map(Object.entries(config.users)), events, live, liveFrom, dailyPlanCalls: config.acd.dailyPlanCalls };
  api.add(acdRoutes(routeDeps));
  api.add(kpiRoutes(routeDeps));
  const stream = new EventStream(api, acd, tokens);
  api.add(callNotesRoutes({ acd, tokens, history: new CallHistory(events), guides: guidesOf(config), stream }));
  const engagement = startEngagement(config, { events, api, acd, tokens, stream, live, logger: phones?.logger });
  // The supervisor workplace: agents' tasks and workday cards.
  api.add(taskRoutes({ acd, tokens, tasks: new TaskBook(events), stream }));
  api.add(workdayRoutes({ acd, tokens, events }));
  const box = new VoicemailBox(events);
  api.add(voicemailRoutes({ acd, tokens, box }));
  const cdrs = new CdrTable(events);
  api.add(cdrRoutes({ acd, tokens, cdrs }));
  const voicemail =
    phones?.recordMessage && new Voicemail({ box, record: phones.recordMessage, speech: phones.speech, settings: config.acd.voicemail, logger: phones.logger });
  const desk = phones && new CallDesk({ ...phones, acd, events, musicOnHold: config.acd.musicOnHold, voicemail });
  const inbound = desk && new ContactCentreInbound(desk, new Set(config.acd.supervisorExtensions));
  if (desk) {
    api.add(supervisorRoutes(desk, acd, tokens));
    api.add(callControlRoutes(desk, tokens, new ClickToCall(desk)));
    acd.attachDialer(new CallAgentDialer(desk));
  }
  return {
    acd,
    desk,
    handleInvite: (req, res) => inbound?.handle(req, res) ?? false,
    hangupAll: async () => desk?.hangupAll(),
    tokens,
    stop() {
      void engagement.stop();
      stream.close();
      acd.close();
      journal.detach();
      cdrs.close();
    },
  };
}

/** The topics and call scripts of the config, or an Error naming the broken field. */
export function guidesOf(config: Config): Guides {
  try {
    return new Guides(config.acd.guides);
  } catch (err) {
    if (err instanceof AcdError) throw new Error(`config acd.guides: ${err.message}`);
    throw err;
  }
}
