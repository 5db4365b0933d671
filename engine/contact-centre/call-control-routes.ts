// The agent window's call buttons (issue 6): take a waiting call, transfer a connected call
// to a colleague, a queue or a number (and the directory of targets), hang up, and call a
// number (click-to-call). An agent acts on their own calls (and takes
// waiting calls of their queues for themselves); a supervisor on their groups' queues' calls,
// naming the agent who takes; an admin on all.
import { AcdError, type Agent, type WaitingItem } from '../acd/index.js';
import type { Tokens } from '../api/auth.js';
import { HttpError, type ApiRequest, type Route } from '../api/http.js';
import { Scope } from '../api/scope.js';
import type { CallDesk } from './desk.js';
import type { ClickToCall } from './click-to-call.js';
import { DIALABLE_NUMBER, NOT_DIALABLE } from './phones.js';
import { transferCall, type TransferTarget } from './transfer.js';

function fields(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** Exactly one of agentId, queueId, number. */
function targetOf(body: Record<string, unknown>): TransferTarget {
  const given = (['agentId', 'queueId', 'number'] as const).filter((k) => body[k] !== undefined);
  if (given.length !== 1) throw new HttpError(400, 'invalid', 'give exactly one of agentId, queueId, number');
  const value = body[given[0]];
  if (typeof value !== 'string' || value.trim() === '' || value.length > 100) throw new HttpError(400, 'invalid', `${given[0]} must be a non-empty string`);
  if (given[0] === 'number' && !DIALABLE_NUMBER.test(value)) throw new HttpError(400, 'invalid', NOT_DIALABLE);
  return given[0] === 'agentId' ? { kind: 'agent', agentId: value } : given[0] === 'queueId' ? { kind: 'queue', queueId: value } : { kind: 'number', number: value };
}

export function callControlRoutes(desk: CallDesk, tokens: Tokens, clickToCall: ClickToCall): Record<string, Route> {
  const acd = desk.acd;
  /** The live ACD call, if the token may see it; agents see theirs and their queues' waiting calls. */
  const visible = (req: ApiRequest): { scope: Scope; item: WaitingItem } => {
    const scope = new Scope(acd, tokens.require(req.token));
    const item = acd.calls().find((c) => c.callId === req.params.callId);
    const self = scope.principal.agentId;
    if (!item || !(scope.seesQueueId(item.queueId) || (self !== undefined && item.agent?.id === self))) throw new AcdError('not-found', `no call ${req.params.callId} in the ACD`);
    return { scope, item };
  };
  /** A connected call the token may act on: an agent only their own. */
  const own = (req: ApiRequest): WaitingItem => {
    const { scope, item } = visible(req);
    if (item.phase !== 'connected') throw new AcdError('conflict', `call ${item.callId} is ${item.phase}, not connected`);
    if (scope.principal.role === 'agent' && item.agent?.id !== scope.principal.agentId) throw new HttpError(403, 'forbidden', 'an agent acts only on their own calls');
    return item;
  };

  return {
    // Who and where a call can be transferred to: every queue (names only), and the colleagues
    // of the caller's groups (a supervisor's: their groups; an admin's: everyone) with whether they are free.
    'GET /api/transfer-targets': (req) => {
      const scope = new Scope(acd, tokens.require(req.token));
      const p = scope.principal;
      const groups = p.role === 'agent' ? (acd.findAgent(p.agentId!)?.profile.groups ?? []) : [];
      const listed = (a: Agent) => (p.role === 'agent' ? a.profile.groups.some((g) => groups.includes(g)) : scope.seesAgent(a));
      return {
        agents: acd.allAgents().filter(listed).map((a) => ({ id: a.id, name: a.profile.name, free: a.routable })),
        queues: acd.allQueues().map((q) => ({ id: q.id, name: q.config.name })),
      };
    },
    'POST /api/calls/:callId/take': (req) => {
      const { scope, item } = visible(req);
      const body = fields(req.body);
      const p = scope.principal;
      let agentId = p.agentId;
      if (p.role !== 'agent') {
        if (typeof body.agentId !== 'string') throw new HttpError(400, 'invalid', 'agentId is required');
        if (!scope.seesAgentId(body.agentId)) throw new AcdError('not-found', `no agent ${body.agentId}`);
        agentId = body.agentId;
      }
      acd.takeWaiting(item.callId, agentId!);
      return { callId: item.callId, agentId, phase: item.phase };
    },
    'POST /api/calls/:callId/transfer': async (req) => {
      const item = own(req);
      return transferCall(desk, item.callId, targetOf(fields(req.body)));
    },
    // Click-to-call: the engine rings the agent's phone, then the number (agents for themselves;
    // a supervisor or admin names an agent they see). Answers at once; the call runs on.
    'POST /api/calls/outbound': (req) => {
      const scope = new Scope(acd, tokens.require(req.token));
      const body = fields(req.body);
      if (typeof body.number !== 'string') throw new HttpError(400, 'invalid', 'number is required');
      let agentId = scope.principal.agentId;
      if (scope.principal.role !== 'agent') {
        if (typeof body.agentId !== 'string') throw new HttpError(400, 'invalid', 'agentId is required');
        if (!scope.seesAgentId(body.agentId)) throw new AcdError('not-found', `no agent ${body.agentId}`);
        agentId = body.agentId;
      }
      const { callId, number } = clickToCall.place(agentId!, body.number);
      return { callId, agentId, number };
    },
    'POST /api/calls/:callId/hangup': async (req) => {
      const outboundAgent = clickToCall.agentOf(req.params.callId);
      if (outboundAgent !== undefined) {
        const scope = new Scope(acd, tokens.require(req.token));
        const self = scope.principal.agentId;
        if (!(self === outboundAgent || (scope.principal.role !== 'agent' && scope.seesAgentId(outboundAgent)))) throw new AcdError('not-found', `no call ${req.params.callId}`);
        await clickToCall.hangup(req.params.callId);
        return { callId: req.params.callId, ended: true };
      }
      const item = own(req);
      await desk.connectedCall(item.callId).end();
      return { callId: item.callId, ended: true };
    },
  };
}
