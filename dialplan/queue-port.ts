// What call.enqueue needs from the contact centre: put an answered leg in an ACD queue and
// report how it left (engine/contact-centre's CallDesk.enqueue has this shape).
import type { InboundCall, QueueOutcome } from '../engine/acd/index.js';
import type { CallLeg } from '../engine/call/call-leg.js';

export type { QueueOutcome };

export type QueueEntry = (queueId: string, leg: CallLeg, info: Omit<InboundCall, 'callId'>) => Promise<QueueOutcome>;
