// Voicemail messages over REST: listed and read by anyone who sees the message's queue
// (scope.ts: admins all, supervisors their groups' queues, agents their own queues).
import { AcdError, type Acd } from '../acd/index.js';
import type { VoicemailBox } from '../store/voicemail.js';
import type { Tokens } from './auth.js';
import { HttpError, type Route } from './http.js';
import { Scope } from './scope.js';

export interface VoicemailRouteDeps {
  acd: Acd;
  tokens: Tokens;
  box: VoicemailBox;
}

export function voicemailRoutes({ acd, tokens, box }: VoicemailRouteDeps): Record<string, Route> {
  return {
    'GET /api/voicemail': (req) => {
      const scope = new Scope(acd, tokens.require(req.token));
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid', 'limit must be an integer from 1 to 1000');
      const queue = req.query.get('queue');
      const visible = new Set(acd.allQueues().filter((q) => scope.seesQueue(q) && (queue === null || q.id === queue)).map((q) => q.id));
      return box.list({ queueIds: visible, limit });
    },
    'GET /api/voicemail/:id': (req) => {
      const scope = new Scope(acd, tokens.require(req.token));
      const record = box.get(req.params.id);
      if (!record || !scope.seesQueueId(record.queueId)) throw new AcdError('not-found', `no voicemail ${req.params.id}`);
      return record;
    },
  };
}
