/** A SIP-level failure that maps onto a response status (RFC 3261 §21). */
export class SipError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly code: string = 'sip-error',
  ) {
    super(`${status} ${reason}`);
    this.name = 'SipError';
  }
}
