// The narrow seam the Call object sits on: one inbound call leg. Everything a dialplan does to
// the caller's side goes through this interface, so the Call object does not care whether the
// leg carries media (media-leg.ts, over engine/call) or only signalling (signalling-leg.ts).
import type { NameAddr } from '../engine/sip/headers.js';
import type { IncomingRequest } from '../engine/sip/index.js';
import { isSipUri, type Uri } from '../engine/sip/uri.js';
import type { DialHooks, DialOptions, DialResult, DialTarget } from './dial.js';
import type { InboundCall } from '../engine/acd/index.js';
import type { QueueEntry, QueueOutcome } from './queue-port.js';

/** A party of a call as the INVITE names it. */
export interface Party {
  /** The URI as written (`sip:1001@example.com`). */
  uri: string;
  /** The user part of a SIP URI, the number of a tel URI, '' otherwise. */
  user: string;
  displayName?: string;
}

/** What the router and the dialplan see of an inbound call before anything is done with it. */
export interface CallInfo {
  callId: string;
  /** The Request-URI user: the number dialled. */
  number: string;
  requestUri: string;
  from: Party;
  to: Party;
  /** First value of a header (case-insensitive name), undefined when absent. */
  header(name: string): string | undefined;
  /** Every value of a header, from all its lines (RFC 3261 §7.3.1), as sent; [] when absent. */
  headers(name: string): string[];
  /** Where the INVITE came from. */
  source: { address: string; port: number; protocol: string };
}

export type LegState = 'offered' | 'early' | 'answered' | 'ended';

/**
 * Why the leg ended without the dialplan asking: the caller's CANCEL or BYE, no answer to
 * keep-alives, no RTP for too long, or an unusable SDP answer.
 */
export type LegGoneReason = 'canceled' | 'bye' | 'vanished' | 'rtp-timeout' | 'media-failed';

export interface InboundLeg {
  readonly info: CallInfo;
  readonly state: LegState;
  /** 180 Ringing, or 183 Session Progress with an SDP answer (early media, RFC 3960). */
  progress(earlyMedia: boolean): void;
  /** 200 OK with our SDP answer; resolves once the dialog is confirmed. */
  answer(): Promise<void>;
  /** A final failure response (4xx-6xx) to an unanswered call. */
  reject(status: number, headers?: Record<string, string>): void;
  /** BYE on an answered call. */
  hangup(headers?: Record<string, string>): Promise<void>;
  /** Blind transfer of an answered call by REFER; resolves once the transferee reached `target`. */
  refer(target: string, timeoutMs: number): Promise<void>;
  /**
   * Blind transfer by a new leg (for a caller's side without REFER): calls `target` and, once it
   * answered, bridges it with this (answered) leg for as long as either stays; resolves then.
   * Rejects with DialplanError 'transfer-failed' when the target does not answer. Legs without
   * media lack it.
   */
  transferByNewLeg?(target: DialTarget, timeoutMs: number, signal: AbortSignal): Promise<void>;
  /** Calls `targets` and bridges the first to answer with this leg (answered with it); legs without media lack it. */
  dial?(targets: DialTarget[], options: DialOptions, signal: AbortSignal, hooks: DialHooks): Promise<DialResult>;
  /** Puts this (answered) leg in an ACD queue through the contact centre's entry; legs without media lack it. */
  enqueue?(entry: QueueEntry, queueId: string, info: Omit<InboundCall, 'callId'>): Promise<QueueOutcome>;
  /** Called once when the caller's side ends the leg (CANCEL, BYE, or no answer to keep-alives). */
  onGone(listener: (reason: LegGoneReason) => void): void;
}

function party(addr: NameAddr | null, fallback: string): Party {
  if (!addr) return { uri: fallback, user: '' };
  return { uri: uriText(addr.uri, fallback), user: uriUser(addr.uri), displayName: addr.displayName };
}

function uriUser(uri: Uri | null): string {
  if (!uri) return '';
  if (isSipUri(uri)) return uri.user ?? '';
  if (uri.scheme === 'tel' && 'number' in uri) return uri.number;
  return '';
}

function uriText(uri: Uri, fallback: string): string {
  if (isSipUri(uri)) return `${uri.scheme}:${uri.user !== undefined ? `${uri.user}@` : ''}${uri.host}${uri.port ? `:${uri.port}` : ''}`;
  if (uri.scheme === 'tel' && 'number' in uri) return `tel:${uri.number}`;
  return fallback;
}

export function callInfoOf(req: IncomingRequest): CallInfo {
  const msg = req.msg;
  return {
    callId: req.callId,
    number: uriUser(msg.parsedUri),
    requestUri: msg.uri,
    from: party(msg.from, msg.get('from') ?? ''),
    to: party(msg.to, msg.get('to') ?? ''),
    header: (name) => msg.get(name),
    headers: (name) => msg.getAll(name),
    source: { address: req.source.remote.address, port: req.source.remote.port, protocol: req.source.protocol },
  };
}

/** What every leg does alike: its state, and telling listeners once that the far side ended it. */
export abstract class LegBase {
  protected current: LegState = 'offered';
  private goneListeners: ((reason: LegGoneReason) => void)[] = [];

  get state(): LegState {
    return this.current;
  }

  onGone(listener: (reason: LegGoneReason) => void): void {
    this.goneListeners.push(listener);
  }

  /** The far side ended the leg; ignored once the leg has ended (our own hang-up included). */
  protected gone(reason: LegGoneReason): void {
    if (this.current === 'ended') return;
    this.current = 'ended';
    const listeners = this.goneListeners;
    this.goneListeners = [];
    for (const listener of listeners) listener(reason);
  }
}
