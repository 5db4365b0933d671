// One error class for the dialplan domain (DESIGN.md conventions), with a machine-readable code.
export type DialplanErrorCode =
  | 'call-gone'
  | 'not-available'
  | 'invalid-state'
  | 'invalid-argument'
  | 'invalid-dialplan'
  | 'tts-failed'
  | 'asr-failed'
  | 'transfer-failed'
  | 'no-route';

export class DialplanError extends Error {
  constructor(
    readonly code: DialplanErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DialplanError';
  }
}

/** Who ended a call. */
export type HangupParty = 'caller' | 'dialplan' | 'engine';

/** A verb was called on (or was running when) the call ended. */
export class CallGoneError extends DialplanError {
  constructor(
    readonly callId: string,
    readonly by: HangupParty,
    verb: string,
  ) {
    super('call-gone', `${verb}: call ${callId} is gone (ended by the ${by})`);
    this.name = 'CallGoneError';
  }
}

/** A feature another part of Switchyard provides that is not present in this engine. */
export class NotAvailableError extends DialplanError {
  constructor(
    readonly feature: string,
    message: string,
  ) {
    super('not-available', message);
    this.name = 'NotAvailableError';
  }
}
