// CDR search: GET /api/cdrs?from&to&number&agent&queue&disposition&limit&cursor, newest first,
// one page at a time (keyset paging: `nextCursor` of one page is the `cursor` of the next).
// Admins see every record, supervisors the calls that waited in a queue of their groups,
// agents the calls they answered.
import type { Acd } from '../acd/index.js';
import type { CdrTable } from '../store/cdr-table.js';
import { DISPOSITIONS, type CdrCursor, type Disposition } from '../store/cdrs.js';
import type { Tokens } from './auth.js';
import { HttpError, type Route } from './http.js';
import { Scope } from './scope.js';
import { time } from './query.js';

export interface CdrRouteDeps {
  acd: Acd;
  tokens: Tokens;
  cdrs: CdrTable;
}

const MAX_LIMIT = 500;
const invalid = (message: string) => new HttpError(400, 'invalid', message);

function filterText(raw: string | null, what: string): string | undefined {
  if (raw === null) return undefined;
  if (raw === '' || raw.length > 100) throw invalid(`${what} must be 1 to 100 characters`);
  return raw;
}

function limitOf(raw: string | null): number {
  if (raw === null) return 50;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_LIMIT) throw invalid(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return n;
}

const encodeCursor = (c: CdrCursor) => Buffer.from(JSON.stringify([c.startedAt, c.callId])).toString('base64url');

function decodeCursor(raw: string | null): CdrCursor | undefined {
  if (raw === null) return undefined;
  try {
    const [startedAt, callId] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(startedAt) && typeof callId === 'string') return { startedAt: startedAt as number, callId };
  } catch {
    // reported below
  }
  throw invalid('cursor is not one this API gave out (use nextCursor of the previous page)');
}

export function cdrRoutes({ acd, tokens, cdrs }: CdrRouteDeps): Record<string, Route> {
  return {
    'GET /api/cdrs': (req) => {
      const scope = new Scope(acd, tokens.require(req.token));
      const q = req.query;
      const from = time(q.get('from'), 'from');
      const to = time(q.get('to'), 'to');
      if (from !== undefined && to !== undefined && from > to) throw invalid('from must not be after to');
      const number = filterText(q.get('number'), 'number');
      if (number !== undefined && !/\d/.test(number)) throw invalid('number must contain digits');
      const disposition = q.get('disposition');
      if (disposition !== null && !DISPOSITIONS.includes(disposition as Disposition)) throw invalid(`disposition must be one of ${DISPOSITIONS.join(', ')}`);
      const p = scope.principal;
      const agent = filterText(q.get('agent'), 'agent');
      const limit = limitOf(q.get('limit'));
      const cursor = decodeCursor(q.get('cursor'));
      // An agent sees the calls they answered: another agent's are none of theirs.
      if (p.role === 'agent' && agent !== undefined && agent !== p.agentId) return { cdrs: [], nextCursor: null };
      const page = cdrs.search({
        from,
        to,
        number,
        agentId: p.role === 'agent' ? (p.agentId ?? '') : agent,
        queueId: filterText(q.get('queue'), 'queue'),
        inQueues: p.role === 'supervisor' ? acd.allQueues().filter((queue) => scope.seesQueue(queue)).map((queue) => queue.id) : undefined,
        disposition: (disposition as Disposition | null) ?? undefined,
        limit,
        cursor,
      });
      return { cdrs: page.cdrs, nextCursor: page.nextCursor && encodeCursor(page.nextCursor) };
    },
  };
}
