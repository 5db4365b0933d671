// Supervisor actions on live agent calls (issue 5): join by phone in listen, whisper or barge,
// switch mode live, take over. Supervisors act on calls of their groups' queues, admins on all.
import type { Acd } from '../acd/index.js';
import { AcdError } from '../acd/index.js';
import type { Tokens } from '../api/auth.js';
import { HttpError, type ApiRequest, type Route } from '../api/http.js';
import { Scope } from '../api/scope.js';
import { SUPERVISOR_MODES, type ContactCall, type SupervisorMode } from './contact-call.js';
import type { CallDesk } from './desk.js';

function body(req: ApiRequest): Record<string, unknown> {
  const b = req.body;
  if (b === null || typeof b !== 'object' || Array.isArray(b)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
  return b as Record<string, unknown>;
}

function modeOf(raw: unknown): SupervisorMode {
  if (!SUPERVISOR_MODES.includes(raw as SupervisorMode)) throw new HttpError(400, 'invalid', `mode must be one of ${SUPERVISOR_MODES.join(', ')}`);
  return raw as SupervisorMode;
}

function view(call: ContactCall) {
  return { callId: call.callId, supervisor: call.supervisor ? { extension: call.supervisor.extension, mode: call.supervisor.mode } : null, takenOverBy: call.takenOverBy ?? null };
}

export function supervisorRoutes(desk: CallDesk, acd: Acd, tokens: Tokens): Record<string, Route> {
  /** The call, if the token's supervisor may act on it (its queue is in their groups). */
  const visibleCall = (req: ApiRequest): string => {
    const scope = new Scope(acd, tokens.require(req.token, 'supervisor', 'admin'));
    const callId = req.params.callId;
    const item = acd.calls().find((c) => c.callId === callId);
    if (!item || !scope.seesQueueId(item.queueId)) throw new AcdError('not-found', `no call ${callId} in the ACD`);
    return callId;
  };
  return {
    // The supervised calls the token's supervisor sees, with the supervisor's phone and mode.
    'GET /api/supervision': (req) => {
      const scope = new Scope(acd, tokens.require(req.token, 'supervisor', 'admin'));
      return acd
        .calls()
        .filter((item) => scope.seesQueueId(item.queueId) && desk.find(item.callId)?.supervisor)
        .map((item) => ({ ...view(desk.find(item.callId)!), agentId: item.agent?.id ?? null }));
    },
    // Rings the supervisor's phone (body.extension, else the token's own) and joins it in body.mode once answered.
    'POST /api/calls/:callId/supervise': async (req) => {
      const callId = visibleCall(req);
      const b = body(req);
      const extension = b.extension ?? tokens.resolve(req.token)?.extension;
      if (typeof extension !== 'string' || !/^\d+$/.test(extension)) throw new HttpError(400, 'invalid', 'extension must be a string of digits (the token has no phone of its own)');
      try {
        return view(await desk.supervise(callId, extension, modeOf(b.mode ?? 'listen')));
      } catch (err) {
        if (err instanceof AcdError || err instanceof HttpError) throw err;
        throw new HttpError(409, 'unreachable', `the supervisor's phone did not answer: ${(err as Error).message}`);
      }
    },
    'POST /api/calls/:callId/supervise/mode': (req) => view(desk.setMode(visibleCall(req), modeOf(body(req).mode))),
    'POST /api/calls/:callId/take-over': async (req) => view(await desk.takeOver(visibleCall(req))),
  };
}
