// Voicemail messages over REST: listed, read and their WAV downloaded (with byte ranges, for a
// player that seeks) by anyone who sees the message's queue (scope.ts: admins all, supervisors
// their groups' queues, agents their own queues).
import { AcdError, type Acd } from '../acd/index.js';
import type { VoicemailBox, VoicemailRecord } from '../store/voicemail.js';
import type { Tokens } from './auth.js';
import { FileDownload } from './file-download.js';
import { HttpError, type ApiRequest, type Route } from './http.js';
import { Scope } from './scope.js';

export interface VoicemailRouteDeps {
  acd: Acd;
  tokens: Tokens;
  box: VoicemailBox;
}

export function voicemailRoutes({ acd, tokens, box }: VoicemailRouteDeps): Record<string, Route> {
  /** The message named in the path; 404 as well when it is in a queue the asker does not see. */
  const visibleMessage = (req: ApiRequest): VoicemailRecord => {
    const scope = new Scope(acd, tokens.require(req.token));
    const record = box.get(req.params.id);
    if (!record || !scope.seesQueueId(record.queueId)) throw new AcdError('not-found', `no voicemail ${req.params.id}`);
    return record;
  };
  return {
    'GET /api/voicemail': (req) => {
      const scope = new Scope(acd, tokens.require(req.token));
      const limit = Number(req.query.get('limit') ?? 100);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HttpError(400, 'invalid', 'limit must be an integer from 1 to 1000');
      const queue = req.query.get('queue');
      const visible = new Set(acd.allQueues().filter((q) => scope.seesQueue(q) && (queue === null || q.id === queue)).map((q) => q.id));
      return box.list({ queueIds: visible, limit });
    },
    'GET /api/voicemail/:id': (req) => visibleMessage(req),
    'GET /api/voicemail/:id/audio': (req) => {
      const record = visibleMessage(req);
      return new FileDownload(record.path, 'audio/wav', `${record.id}.wav`);
    },
  };
}
