// Hang-up causes a dialplan names, and what each becomes on the wire: the final response to
// an unanswered call, and the Q.850 cause in the Reason header (RFC 3326) of BYE or response.
export const HANGUP_CAUSES = {
  normal: { status: 480, q850: 16 },
  busy: { status: 486, q850: 17 },
  'no-answer': { status: 480, q850: 19 },
  rejected: { status: 603, q850: 21 },
  'not-found': { status: 404, q850: 1 },
  unavailable: { status: 503, q850: 41 },
  error: { status: 500, q850: 41 },
} as const;

export type HangupCauseName = keyof typeof HANGUP_CAUSES;
/** A named cause, or a SIP final status 400-699 for an unanswered call. */
export type HangupCause = HangupCauseName | number;

export function resolveCause(cause: HangupCause): { status: number; reason: string } {
  if (typeof cause === 'number') {
    if (!Number.isInteger(cause) || cause < 400 || cause > 699) throw new RangeError(`hangup status must be an integer 400-699, got ${cause}`);
    return { status: cause, reason: `SIP;cause=${cause}` };
  }
  const known = HANGUP_CAUSES[cause];
  if (!known) throw new RangeError(`unknown hangup cause "${String(cause)}" (one of ${Object.keys(HANGUP_CAUSES).join(', ')} or a SIP status)`);
  return { status: known.status, reason: `Q.850;cause=${known.q850};text="${cause}"` };
}
