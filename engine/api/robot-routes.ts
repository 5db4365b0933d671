// REST routes of outbound robot calls (issue 4): admins and supervisors start a call that
// runs a robot flow, and read its outcome back. The request is checked before anyone is
// called: a bad one is a 400 with the reason.
import { DialplanError } from '../../dialplan/errors.js';
import type { RobotCallRequest, RobotCalls } from '../../dialplan/robot/robot-calls.js';
import type { Tokens } from './auth.js';
import { HttpError, type Route } from './http.js';

export function robotRoutes(d: { robotCalls: () => RobotCalls | undefined; tokens: Tokens }): Record<string, Route> {
  const service = (): RobotCalls => {
    const calls = d.robotCalls();
    if (!calls) throw new HttpError(503, 'unavailable', 'robot calls need the media engine and a dialplan');
    return calls;
  };
  return {
    'POST /api/robot-calls': (req) => {
      d.tokens.require(req.token, 'admin', 'supervisor');
      if (req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) throw new HttpError(400, 'invalid', 'the body must be a JSON object');
      try {
        return service().start(req.body as RobotCallRequest);
      } catch (err) {
        if (err instanceof DialplanError && err.code === 'invalid-argument') throw new HttpError(400, 'invalid', err.message);
        throw err;
      }
    },
    'GET /api/robot-calls/:id': (req) => {
      d.tokens.require(req.token, 'admin', 'supervisor');
      const record = service().get(req.params.id);
      if (!record) throw new HttpError(404, 'not-found', `no robot call ${req.params.id}`);
      return record;
    },
  };
}
