// The agent window's REST routes on a request: the caller card (number, context, the client's
// past calls and missed calls with their topics and comments, the queue's topics and call
// script) and the notes an agent files on the call (topic, comments, the script path taken).
// An agent sees the calls offered to them, their queues' waiting calls and the calls they
// answered, and notes only calls they answered; supervisors their groups' queues; admins all.
// Every change of the notes goes on the WebSocket stream (notes.changed) to whoever sees the call.
import { AcdError, scriptPath, type Acd, type Guides, type WaitingItem } from '../acd/index.js';
import { numberDigits, type CallHistory, type PastCall } from '../store/call-history.js';
import type { Tokens } from './auth.js';
import type { EventStream } from './event-stream.js';
import { HttpError, type ApiRequest, type Route } from './http.js';
import { Scope } from './scope.js';

export interface CallNotesDeps {
  acd: Acd;
  tokens: Tokens;
  history: CallHistory;
  guides: Guides;
  stream: EventStream;
}

const MAX_COMMENT = 2000;
const HISTORY_LIMIT = 20;

/** A call the request may look at: live in the ACD, or only in the log. */
interface Found {
  scope: Scope;
  live: WaitingItem | undefined;
  past: PastCall | null;
  queueId: string;
}

function fields(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
  return body as Record<string, unknown>;
}

export function callNotesRoutes(d: CallNotesDeps): Record<string, Route> {
  const { acd, history, guides } = d;

  /** The call, if `scope` may look at it. */
  const visibleCall = (scope: Scope, callId: string): Found | null => {
    const live = acd.calls().find((c) => c.callId === callId);
    const past = history.ofCall(callId);
    const queueId = live?.queueId ?? past?.queueId;
    const self = scope.principal.agentId;
    const offeredToMe = !!live && self !== undefined && [...live.offers.values()].some((o) => o.agent.id === self);
    const visible = queueId !== undefined && (scope.principal.role === 'agent' ? offeredToMe || answeredBy({ live, past }, self) || (!!live && scope.seesQueueId(queueId)) : scope.seesQueueId(queueId));
    return visible ? { scope, live, past, queueId: queueId! } : null;
  };

  const find = (req: ApiRequest): Found => {
    const found = visibleCall(new Scope(acd, d.tokens.require(req.token)), req.params.callId);
    if (!found) throw new AcdError('not-found', `no call ${req.params.callId}`);
    return found;
  };

  /** Notes are filed by the agent who answered the call, or a supervisor of its queue. */
  const noting = (req: ApiRequest): Found & { by: string } => {
    const found = find(req);
    const p = found.scope.principal;
    if (p.role === 'agent' && !answeredBy(found, p.agentId)) throw new HttpError(403, 'forbidden', 'an agent notes only the calls they answered');
    return { ...found, by: p.agentId ?? p.name };
  };

  const notesOf = (callId: string) => {
    const call = history.ofCall(callId);
    return { topic: call?.topic ?? null, comments: call?.comments ?? [], script: call?.script ?? null };
  };

  /** The call's notes now, also streamed to every client that may see the call. */
  const changed = (callId: string, queueId: string) => {
    const notes = notesOf(callId);
    d.stream.publish({ type: 'notes.changed', at: Date.now(), callId, queueId, notes }, (scope) => visibleCall(scope, callId) !== null);
    return notes;
  };

  return {
    'GET /api/calls/:callId/card': (req) => {
      const { scope, live, past, queueId } = find(req);
      const callId = req.params.callId;
      const number = live?.context.from ?? past!.number;
      const digits = numberDigits(number);
      return {
        callId,
        queueId,
        kind: live?.kind ?? past!.kind,
        phase: live?.phase ?? 'done',
        number,
        context: live?.context ?? null,
        notes: notesOf(callId),
        history: history
          .ofNumber(number, HISTORY_LIMIT + 1)
          .filter((c) => c.callId !== callId && scope.seesQueueId(c.queueId))
          .slice(0, HISTORY_LIMIT),
        missed: acd.missed.list().filter((m) => numberDigits(m.number) === digits && scope.seesQueueId(m.queueId)),
        topics: guides.topicsFor(queueId),
        script: guides.scriptFor(queueId),
      };
    },
    'POST /api/calls/:callId/topic': (req) => {
      const { queueId, by } = noting(req);
      const { topic } = fields(req.body);
      const topics = guides.topicsFor(queueId);
      if (typeof topic !== 'string' || !topics.includes(topic)) throw new HttpError(400, 'invalid', `topic must be one of: ${topics.join(', ')}`);
      history.setTopic(req.params.callId, queueId, by, topic);
      return changed(req.params.callId, queueId);
    },
    'POST /api/calls/:callId/comment': (req) => {
      const { queueId, by } = noting(req);
      const { text } = fields(req.body);
      if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_COMMENT) throw new HttpError(400, 'invalid', `text must be a non-empty string of at most ${MAX_COMMENT} characters`);
      history.addComment(req.params.callId, queueId, by, text.trim());
      return changed(req.params.callId, queueId);
    },
    'PUT /api/calls/:callId/script': (req) => {
      const { queueId, by } = noting(req);
      const script = guides.scriptFor(queueId);
      if (!script) throw new AcdError('conflict', `queue ${queueId} has no call script`);
      const { path, finished } = scriptPath(script, fields(req.body).path);
      history.saveScriptPath(req.params.callId, queueId, by, path, finished);
      return changed(req.params.callId, queueId);
    },
  };
}

/** The agent answered this call (it is connected to them, or the log says they took it). */
function answeredBy(call: { live: WaitingItem | undefined; past: PastCall | null }, agentId: string | undefined): boolean {
  if (agentId === undefined) return false;
  return call.live?.agent?.id === agentId || (call.past?.agentIds.includes(agentId) ?? false);
}
