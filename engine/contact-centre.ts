// Wires the ACD into the engine: rebuilds it from the event log, journals what it does,
// applies the configured agents and queues, folds live metrics and serves its REST routes and
// WebSocket stream on the engine's HTTP API. The call layer connects with acd.attachDialer().
import { Acd, AcdMetrics } from './acd/index.js';
import { acdRoutes } from './api/acd-routes.js';
import { Tokens } from './api/auth.js';
import { EventStream } from './api/event-stream.js';
import type { HttpApi } from './api/http.js';
import type { Config } from './config.js';
import { AcdJournal } from './store/acd-journal.js';
import type { EventLog } from './store/event-log.js';

export interface ContactCentre {
  readonly acd: Acd;
  stop(): void;
}

export function startContactCentre(config: Config, events: EventLog, api: HttpApi): ContactCentre {
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
  api.add(acdRoutes({ acd, tokens, users: new Map(Object.entries(config.users)), events, live, liveFrom, dailyPlanCalls: config.acd.dailyPlanCalls }));
  const stream = new EventStream(api, acd, tokens);
  return {
    acd,
    stop() {
      stream.close();
      acd.close();
      journal.detach();
    },
  };
}
