/** An ACD rule was broken; `code` is machine-readable and the API maps it to a 4xx status. */
export class AcdError extends Error {
  constructor(
    readonly code: AcdErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AcdError';
  }
}

export type AcdErrorCode =
  | 'invalid' // a malformed argument (400)
  | 'not-found' // unknown agent, queue, call or missed-call record (404)
  | 'conflict' // the request does not fit the current state (409)
  | 'forbidden'; // the caller's role may not do this (403)
