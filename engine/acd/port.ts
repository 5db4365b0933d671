// The one seam between the ACD and the call layer (engine/call). The ACD decides who rings;
// the call layer makes phones ring. See engine/acd/README.md for the full contract.
import type { AttemptResult, CallContext } from './types.js';

/** How an offer to an agent ended. */
export type OfferResult =
  | 'answered' // the agent's phone answered (2xx): the call layer has bridged the caller to it
  | 'no-answer' // rang until the ACD cancelled it at the queue's ring timeout
  | 'busy' // 486/600: the phone is busy with something outside the ACD
  | 'rejected' // 603 or another final failure chosen by the agent
  | 'unavailable' // no registration, 404/408/480, transport error
  | 'cancelled'; // the ACD cancelled it (caller hung up, another agent answered in ring-all)

export interface OfferRequest {
  offerId: string;
  /** The inbound call's id, or for a callback the id the ACD made up for the new call. */
  callId: string;
  kind: 'call' | 'callback';
  agent: { id: string; extension: string; name: string };
  queueId: string;
  context: CallContext;
  /** The ACD cancels the offer itself after this long; given so the phone can show it. */
  ringTimeoutMs: number;
}

export interface OfferHandle {
  /** Settles once, with the first final outcome. Never rejects. */
  readonly result: Promise<OfferResult>;
  /** Stop ringing (CANCEL). The result then settles as `cancelled` unless it already settled. */
  cancel(): void;
  /**
   * The phone answered (its 200 crossed the CANCEL) but the call had already gone elsewhere
   * (caller hung up, another phone answered): hang that leg up (BYE).
   */
  drop(): void;
}

export interface AgentDialer {
  /** Ring the agent's phone with a call (or a callback task). Must return at once; ringing is asynchronous. */
  offer(req: OfferRequest): OfferHandle;
  /**
   * For a callback whose agent leg answered: dial the client from that agent's leg and bridge
   * them. Resolves with the attempt's result; on `connected` the call then runs under
   * `req.callId` and ends through `Acd.callEnded`. Never rejects.
   */
  dialClient(req: OfferRequest, number: string): Promise<AttemptResult>;
}
