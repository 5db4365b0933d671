// Public face of the SIP layer.
export { SipStack, type StackOptions, type UacOptions, type UacCallbacks, type OutgoingInvite, type RequestHandler } from './stack.js';
export { type B2buaOptions } from './b2bua.js';
export { Dialog, type DialogState } from './dialog.js';
export { IncomingRequest, ServerResponse } from './incoming.js';
export { SipRequest, SipResponse, SipMessage } from './message.js';
export { SipError } from './errors.js';
export { Registrar, type Binding, type RegistrarOptions } from './registrar.js';
export { InviteAuth, type InviteAuthOptions } from './invite-auth.js';
export { parseMessage, type ParseResult } from './parser.js';
export { parseUri, formatUri, isSipUri, type Uri, type SipUri } from './uri.js';
export type { TimerSettings } from './transaction/timers.js';
export type { SendTarget } from './transport/types.js';
