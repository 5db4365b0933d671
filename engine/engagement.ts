// Wires gamification (achievements, quests) and alerts into the contact centre: both follow the
// event log, serve their REST routes on the engine's API and announce grants, quest progress
// and alerts on the WebSocket stream to whoever may see them.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Acd, AcdMetrics } from './acd/index.js';
import { Alerts } from './alerts/alerts.js';
import { SMTP_TLS_MODES } from './alerts/smtp.js';
import { alertRoutes, seesAlert } from './api/alert-routes.js';
import type { Tokens } from './api/auth.js';
import type { EventStream } from './api/event-stream.js';
import { gamificationRoutes } from './api/gamification-routes.js';
import type { HttpApi } from './api/http.js';
import type { Scope } from './api/scope.js';
import type { Config } from './config.js';
import { Achievements } from './gamification/achievements.js';
import { Quests } from './gamification/quests.js';
import type { EventLog } from './store/event-log.js';

export interface EngagementDeps {
  events: EventLog;
  api: HttpApi;
  acd: Acd;
  tokens: Tokens;
  stream: EventStream;
  live: AcdMetrics;
  logger?: Logger;
}

export interface Engagement {
  readonly achievements: Achievements;
  readonly quests: Quests;
  readonly alerts: Alerts;
  stop(): Promise<void>;
}

export function startEngagement(config: Config, d: EngagementDeps): Engagement {
  const seesAgent = (agentId: string) => (scope: Scope) => scope.principal.role === 'admin' || scope.principal.agentId === agentId || (scope.principal.role === 'supervisor' && scope.seesAgentId(agentId));

  const achievements = new Achievements(d.events, {
    sprinterSeconds: config.gamification.sprinterSeconds,
    onGrant: (grant) => d.stream.publish({ type: 'achievement.granted', ...grant }, seesAgent(grant.agentId)),
    onError: (err) => d.logger?.error({ err }, 'judging achievements failed'),
  });
  const quests = new Quests(d.events, (progress, quest) =>
    d.stream.publish({ type: 'quest.progress', at: Date.now(), questId: quest.id, name: quest.name, agentId: progress.agentId, done: progress.steps.length, of: quest.steps.length, completed: progress.completedAt !== null }, seesAgent(progress.agentId)),
    d.logger && ((err) => d.logger!.error({ err }, 'quest tracking failed')),
  );
  const smtp = config.alerts.smtp;
  if (!SMTP_TLS_MODES.includes(smtp.tls)) throw new Error(`config alerts.smtp.tls must be one of ${SMTP_TLS_MODES.join(', ')}, got "${smtp.tls}"`);
  const alerts = new Alerts(d.events, {
    report: (now) => d.live.report(now),
    tickMs: config.alerts.tickMs,
    publish: (t) => d.stream.publish({ type: `alert.${t.kind}`, at: t.alert.clearedAt ?? t.alert.firedAt, alert: t.alert }, (scope) => seesAlert(scope, t.alert)),
    mail: smtp.host
      ? {
          host: smtp.host,
          port: smtp.port,
          from: smtp.from,
          helo: smtp.helo,
          timeoutMs: smtp.timeoutMs,
          tls: smtp.tls,
          verify: smtp.verify,
          ...(smtp.caFile ? { ca: readFileSync(smtp.caFile, 'utf8') } : {}),
          ...(smtp.user ? { user: smtp.user, password: smtp.password } : {}),
        }
      : null,
    onOutcome: (o) => !o.ok && d.logger?.warn(o, 'alert delivery failed'),
  });
  d.api.add(gamificationRoutes({ acd: d.acd, tokens: d.tokens, achievements, quests }));
  d.api.add(alertRoutes(d.acd, d.tokens, alerts));
  achievements.start();
  alerts.start();
  return {
    achievements,
    quests,
    alerts,
    async stop() {
      await achievements.stop();
      quests.close();
      await alerts.stop();
    },
  };
}
