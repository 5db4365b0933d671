// Building responses to a request (RFC 3261 §8.2.6) and the standard reason phrases.
import { SipRequest, SipResponse } from './message.js';

export const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  200: 'OK', 202: 'Accepted', 301: 'Moved Permanently', 302: 'Moved Temporarily',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout', 415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme', 420: 'Bad Extension', 423: 'Interval Too Brief', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops', 484: 'Address Incomplete',
  486: 'Busy Here', 487: 'Request Terminated', 488: 'Not Acceptable Here', 491: 'Request Pending',
  500: 'Server Internal Error', 501: 'Not Implemented', 503: 'Service Unavailable', 504: 'Server Time-out',
  505: 'Version Not Supported', 513: 'Message Too Large', 600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere',
};

/** The headers a response copies from its request (§8.2.6.2), as headerKey() names. */
const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'] as const;

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request's To has none (ignored for 100, RFC 3261 §8.2.6.2). */
  toTag?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  contentType?: string;
}

/**
 * A response copying Via, From, To, Call-ID and CSeq from the request (RFC 3261 §8.2.6.2).
 * Works on requests the parser rejected too, copying whatever of those headers they have.
 */
export function makeResponse(request: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
  const res = new SipResponse(status, options.reason ?? REASONS[status] ?? 'Unknown').copyLines(request, COPIED);
  if (status > 100 && options.toTag && request.has('to') && request.toTag === undefined) {
    res.set('to', request.get('to') + ';tag=' + options.toTag);
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) res.set(name, value);
  if (options.body !== undefined) {
    res.body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    if (options.contentType) res.set('content-type', options.contentType);
  }
  return res;
}
