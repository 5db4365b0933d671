// Query-string values shared by the API's routes.
import { HttpError } from './http.js';

/** `raw` as epoch milliseconds (digits) or an ISO date; undefined when absent; else 400. */
export function time(raw: string | null, what: string): number | undefined {
  if (raw === null) return undefined;
  const ms = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(ms)) throw new HttpError(400, 'invalid', `${what} must be epoch milliseconds or an ISO date`);
  return ms;
}
