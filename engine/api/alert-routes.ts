// REST routes of alerting (issue 6): admins define rules; supervisors see the rules and the
// alerts of their groups' queues and agents; admins see everything.
import type { Acd } from '../acd/index.js';
import type { Alerts } from '../alerts/alerts.js';
import type { Alert } from '../alerts/evaluator.js';
import { parseAlertRule } from '../alerts/rules.js';
import type { Tokens } from './auth.js';
import type { Route } from './http.js';
import { Scope } from './scope.js';

/** Whether the scope may see an alert: its queue or its agent is theirs. */
export function seesAlert(scope: Scope, alert: Pick<Alert, 'queueId' | 'agentId'>): boolean {
  if (scope.principal.role === 'admin') return true;
  if (scope.principal.role === 'agent') return false;
  return alert.queueId ? scope.seesQueueId(alert.queueId) : !!alert.agentId && scope.seesAgentId(alert.agentId);
}

export function alertRoutes(acd: Acd, tokens: Tokens, alerts: Alerts): Record<string, Route> {
  return {
    'GET /api/alerts': (req) => {
      const scope = new Scope(acd, tokens.require(req.token, 'admin', 'supervisor'));
      const { active, cleared } = alerts.list();
      return { active: active.filter((a) => seesAlert(scope, a)), cleared: cleared.filter((a) => seesAlert(scope, a)) };
    },
    'GET /api/alerts/rules': (req) => {
      tokens.require(req.token, 'admin', 'supervisor');
      return alerts.rules();
    },
    'PUT /api/alerts/rules/:id': (req) => {
      tokens.require(req.token, 'admin');
      return alerts.define(parseAlertRule(req.params.id, req.body));
    },
    'DELETE /api/alerts/rules/:id': (req) => {
      tokens.require(req.token, 'admin');
      alerts.remove(req.params.id);
      return { ok: true };
    },
  };
}
