// The ACD's public face (DESIGN.md: public types exported from each folder's index.ts).
export { Acd, type AcdOptions } from './acd.js';
export { AcdMetrics } from './metrics.js';
export { Guides, callScript, scriptPath, type CallScript, type GuidesConfig, type ScriptStep } from './guides.js';
export { foldWorkday, type StateSpan, type Workday } from './workday.js';
export type { Agent } from './agent.js';
export { AcdError, type AcdErrorCode } from './errors.js';
export type { AcdEvent, AcdEventMap, AcdEventOf, AcdEventType, AcdListener } from './events.js';
export type { MissedAttempt, MissedRecord, CallbackStats } from './missed-calls.js';
export type { AgentDialer, OfferHandle, OfferRequest, OfferResult } from './port.js';
export type { Queue } from './queue.js';
export * from './types.js';
export type { WaitingItem } from './waiting-item.js';
