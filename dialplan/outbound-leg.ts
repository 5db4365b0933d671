// A call the engine placed (an outbound robot call), answered, seen through the same seam as
// an inbound leg so the Call object and its verbs work on it unchanged. "Answer" is a no-op:
// the far end answered; ringing and rejecting make no sense any more.
import type { CallLeg } from '../engine/call/call-leg.js';
import { DialplanError } from './errors.js';
import { LegBase, type CallInfo, type InboundLeg } from './leg.js';
import { GONE } from './media-leg.js';
import { referTransfer } from './refer.js';

export class OutboundLeg extends LegBase implements InboundLeg {
  readonly info: CallInfo;

  /** `target` is the URI called, `from` the URI we called from. */
  constructor(
    private readonly leg: CallLeg,
    target: string,
    from: string,
  ) {
    super();
    this.current = 'answered';
    const user = (uri: string) => /^(?:sips?:|tel:)([^@;]+)/i.exec(uri)?.[1] ?? '';
    this.info = {
      callId: leg.callId,
      number: user(target),
      requestUri: target,
      from: { uri: from, user: user(from) },
      to: { uri: target, user: user(target) },
      header: () => undefined,
      headers: () => [],
      source: { address: leg.remote?.address ?? '', port: leg.remote?.port ?? 0, protocol: 'udp' },
    };
    leg.once('ended', ({ reason }) => {
      if (reason !== 'local') this.gone(GONE[reason]);
    });
  }

  get endpoint(): CallLeg['endpoint'] {
    return this.leg.endpoint;
  }

  progress(): void {
    throw new DialplanError('invalid-state', 'ring: an outbound call is already answered');
  }

  async answer(): Promise<void> {}

  reject(): void {
    throw new DialplanError('invalid-state', 'an outbound call is answered: hang it up instead');
  }

  async hangup(headers?: Record<string, string>): Promise<void> {
    this.current = 'ended';
    await Promise.all([this.leg.dialog.destroy({ headers }), this.leg.hangup()]);
  }

  refer(target: string, timeoutMs: number): Promise<void> {
    return referTransfer(this.leg.dialog, target, timeoutMs);
  }
}
