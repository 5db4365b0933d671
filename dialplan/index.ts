// The public dialplan API: what dialplan modules import as 'switchyard/dialplan'.
export { defineDialplan, isDialplan, type Dialplan, type DialplanDefinition, type InboundRoute, type OutboundRoute, type RouteMatch, type Matcher, type CallHandler } from './define.js';
export { Call, type CallEvents, type CallVariables, type HangupEvent } from './call.js';
export { HANGUP_CAUSES, type HangupCause, type HangupCauseName } from './causes.js';
export { DialplanError, CallGoneError, NotAvailableError, type DialplanErrorCode, type HangupParty } from './errors.js';
export type { CallInfo, Party, LegState } from './leg.js';
export type { CallMedia, PlayOptions, GatherOptions, GatherResult, RecordOptions, RecordResult, EchoOptions, EchoResult } from './media-port.js';
export type { SayOptions, Synthesizer } from './tts/synthesizer.js';
export { selectRoute, selectOutbound } from './router.js';
export { defineRobot, isRobot, runRobot, fillTemplate, type Robot, type RobotDefinition, type RobotOutcome, type Step, type Prompt, type Next, type MenuChoice, type RetryPolicy, type SlotType } from './robot/index.js';
export type { DialOptions, DialResult } from './dial.js';
