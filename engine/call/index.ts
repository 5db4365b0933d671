// Calls with media: the public face of engine/call (see README.md here for the API and rules).
export { CallLeg, type CallLegEvents, type DialOptions, type EndReason, type LegMediaOptions } from './call-leg.js';
export { IncomingCall, type IncomingCallOptions } from './incoming-call.js';
export { Bridge, anchoredCall, type AnchoredCallOptions } from './bridge.js';
export { MediaSession, type MediaSessionOptions, type RemoteChange } from './media-session.js';
