// The contact centre's calls with media: callers waiting in a queue (music on hold, the
// callback offer), agents bridged on answer, supervisors joining and taking over, and what
// the ACD hears about it (abandon, callEnded, transferred).
import type { Logger } from 'pino';
import type { ToneSpec } from '../../media/tones.js';
import { AcdError, type Acd, type AcdEvent, type InboundCall, type QueueOutcome } from '../acd/index.js';
import type { CallLeg } from '../call/index.js';
import type { EventLog } from '../store/event-log.js';
import type { VoicemailRecord } from '../store/voicemail.js';
import { Announcer, type Speech } from './announcer.js';
import { ContactCall, type SupervisorMode } from './contact-call.js';
import { HoldMusic } from './hold-music.js';
import { ringExtension, type PhoneDeps } from './phones.js';
import { Referrals } from './referrals.js';
import type { Voicemail } from './voicemail.js';

/** "Press 1 to be called back" until prompts can be played: three short 1400 Hz beeps. */
const CALLBACK_PROMPT: ToneSpec = { frequencies: [1400], amplitude: 0.2, cadence: [150, 100], durationMs: 750 };

export interface CallDeskOptions extends PhoneDeps {
  acd: Acd;
  events: EventLog;
  logger: Logger;
  /** Music-on-hold file looped for waiting callers; empty: a tone. */
  musicOnHold: string;
  /** Synthesizes the position / wait announcements and the voicemail greeting (none: no announcements). */
  speech?: Speech;
  /** Takes messages on overflow to voicemail (none: those callers are hung up on). */
  voicemail?: Voicemail;
}

export class CallDesk {
  private readonly calls = new Map<string, ContactCall>();
  /** Transfers by REFER waiting for the caller's new call. */
  readonly referrals = new Referrals();
  private readonly announcers = new Map<string, Announcer>();
  private readonly unsubscribe: () => void;

  constructor(readonly deps: CallDeskOptions) {
    this.unsubscribe = deps.acd.on((e) => this.onAcdEvent(e));
  }

  get acd(): Acd {
    return this.deps.acd;
  }

  find(callId: string): ContactCall | undefined {
    return this.calls.get(callId);
  }

  /** A call with a fresh mixer (a callback: the agent's leg comes first). Not tracked until answered. */
  newCall(callId: string, thread?: number): ContactCall {
    return new ContactCall(callId, this.deps.media.createMixer(thread === undefined ? {} : { thread }));
  }

  /** From now on the call's end is reported to the ACD. */
  track(call: ContactCall): void {
    this.calls.set(call.callId, call);
    call.once('ended', () => {
      this.calls.delete(call.callId);
      this.reportEnd(call);
    });
  }

  /**
   * Puts an answered caller in an ACD queue: music on hold while waiting, "press 1" when the
   * queue offers a callback, bridged to the agent who answers. Resolves with the outcome; on
   * `answered` the call is bridged and runs on its own, otherwise the caller's leg is still up
   * (except `abandoned`) and the caller of this function decides (hang up, transfer...).
   * This is what the dialplan's `call.enqueue` calls.
   */
  async enqueue(queueId: string, leg: CallLeg, info: Omit<InboundCall, 'callId'>, peer: { allowsRefer?: boolean } = {}): Promise<QueueOutcome> {
    const callId = leg.callId;
    if (this.calls.has(callId)) throw new AcdError('conflict', `call ${callId} is already in the contact centre`);
    this.acd.queue(queueId);
    // The mixer lives on the caller's media thread, so the caller's endpoint can join it.
    const call = this.newCall(callId, leg.endpoint.thread);
    call.setClient(leg);
    call.clientAllowsRefer = peer.allowsRefer ?? false;
    this.track(call);
    call.hold = new HoldMusic(leg.endpoint, this.deps.musicOnHold);
    call.hold.start();
    let outcome: QueueOutcome;
    try {
      const waiting = this.acd.enqueue(queueId, { ...info, callId });
      this.announceTo(call, queueId);
      outcome = await waiting;
    } catch (err) {
      await call.end();
      throw err;
    } finally {
      this.stopAnnouncing(callId);
    }
    call.hold.stop();
    this.deps.events.append('call.queue-outcome', { queueId, ...outcome }, callId);
    return outcome;
  }

  /** Rings `extension` and joins it to the agent call `callId` as a supervisor in `mode`. */
  async supervise(callId: string, extension: string, mode: SupervisorMode): Promise<ContactCall> {
    const call = this.connectedCall(callId);
    if (call.supervisor) throw new AcdError('conflict', `call ${callId} is already supervised by ${call.supervisor.extension}`);
    const leg = await ringExtension(this.deps, extension, { mixer: call.mixer, from: 'supervisor' });
    this.join(call, extension, leg, mode);
    return call;
  }

  /** A supervisor's answered leg (rung by the API or dialled in with a feature code) joins `call`. */
  join(call: ContactCall, extension: string, leg: CallLeg, mode: SupervisorMode): void {
    if (call.ended || call.supervisor) {
      void leg.hangup();
      throw new AcdError('conflict', `call ${call.callId} is over or already supervised`);
    }
    call.addSupervisor(extension, leg, mode, () => void this.takeOver(call.callId).catch(() => undefined));
    this.deps.events.append('call.supervised', { extension, mode }, call.callId);
  }

  setMode(callId: string, mode: SupervisorMode): ContactCall {
    const call = this.connectedCall(callId);
    if (!call.supervisor) throw new AcdError('conflict', `call ${callId} has no supervisor`);
    call.setSupervisorMode(mode);
    this.deps.events.append('call.supervised', { extension: call.supervisor.extension, mode }, callId);
    return call;
  }

  /** The supervisor replaces the agent: the agent leaves (and goes to wrap-up), the supervisor stays with the client. */
  async takeOver(callId: string): Promise<ContactCall> {
    const call = this.connectedCall(callId);
    const sup = call.supervisor;
    if (!sup) throw new AcdError('conflict', `call ${callId} has no supervisor`);
    if (this.isConnectedInAcd(callId)) this.acd.transferred(callId, `supervisor ${sup.extension}`);
    await call.takeOver();
    this.deps.events.append('call.taken-over', { extension: sup.extension }, callId);
    return call;
  }

  /** The live call an agent is on (for feature codes with the agent's extension). */
  callOfExtension(extension: string): ContactCall | undefined {
    const agent = this.acd.agentByExtension(extension);
    return agent?.callId ? this.calls.get(agent.callId) : undefined;
  }

  /**
   * The caller of an `overflow` to voicemail leaves a message (greeting, beep, recording); the
   * record is stored. Null when there is no voicemail or the caller hung up before the beep.
   */
  async takeVoicemail(callId: string, info: { caller: string; queueId: string; box: string; missedId: string | null }): Promise<VoicemailRecord | null> {
    const call = this.calls.get(callId);
    if (!call || !this.deps.voicemail) return null;
    return this.deps.voicemail.take(call, info);
  }

  /** Hangs up every contact-centre call (shutdown). */
  async hangupAll(): Promise<void> {
    this.unsubscribe();
    await Promise.all([...this.calls.values()].map((c) => c.end()));
  }

  /** The call with both client and agent on it, or AcdError not-found. */
  connectedCall(callId: string): ContactCall {
    const call = this.calls.get(callId);
    if (!call || call.ended || !call.connected) throw new AcdError('not-found', `no connected call ${callId}`);
    return call;
  }

  private isConnectedInAcd(callId: string): boolean {
    return this.acd.calls().some((c) => c.callId === callId && c.phase === 'connected');
  }

  private reportEnd(call: ContactCall): void {
    const item = this.acd.calls().find((c) => c.callId === call.callId);
    if (!item) return; // it left the ACD already (timeout, overflow, taken over...)
    try {
      if (item.phase === 'connected') this.acd.callEnded(call.callId);
      else if (item.kind === 'call') this.acd.abandon(call.callId);
    } catch (err) {
      this.deps.logger.warn({ err, callId: call.callId }, 'could not report the end of a call to the ACD');
    }
  }

  /** Position / wait announcements while the call waits in `queueId`, if that queue has them. */
  private announceTo(call: ContactCall, queueId: string): void {
    this.stopAnnouncing(call.callId);
    const { speech } = this.deps;
    if (!speech || !this.acd.findQueue(queueId)?.config.announce || call.ended) return;
    this.announcers.set(call.callId, new Announcer(call, queueId, this.acd, speech, this.deps.logger));
  }

  private stopAnnouncing(callId: string): void {
    this.announcers.get(callId)?.stop();
    this.announcers.delete(callId);
  }

  private onAcdEvent(e: AcdEvent): void {
    if (!e.callId) return;
    // An overflow to another queue: that queue's announcements from now on.
    if (e.type === 'call.queued' && this.announcers.has(e.callId)) this.announceTo(this.calls.get(e.callId)!, e.queueId);
    if (e.type === 'call.callback-offered') this.offerCallback(e.callId);
  }

  /** The queue offers a callback: play the prompt, then wait for "1" (RFC 4733 or in-band). */
  private offerCallback(callId: string): void {
    const call = this.calls.get(callId);
    const client = call?.client;
    if (!call || !client || call.agent || call.ended) return;
    const endpoint = client.endpoint;
    call.hold?.stop();
    endpoint.playTone(CALLBACK_PROMPT);
    endpoint.once('toneDone', () => {
      if (!call.agent && !call.ended) call.hold?.start();
    });
    const onDigit = ({ digit }: { digit: string }): void => {
      if (digit !== '1' || call.agent || call.ended) return;
      endpoint.off('dtmf', onDigit);
      try {
        this.acd.acceptCallback(call.callId);
      } catch (err) {
        this.deps.logger.warn({ err, callId: call.callId }, 'callback not accepted');
      }
    };
    endpoint.on('dtmf', onDigit);
  }
}
