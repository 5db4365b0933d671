// One contact-centre call in the media layer: the client, the agent and at most one supervisor
// on one mixer. Who hears whom is a hear-set change (media/modes.ts), so switching a
// supervisor between listen, whisper and barge never touches SIP.
import { EventEmitter } from 'node:events';
import type { Mixer } from '../../media/mixer.js';
import type { MixMode } from '../../media/modes.js';
import type { CallLeg } from '../call/index.js';
import type { HoldMusic } from './hold-music.js';

export type SupervisorMode = Exclude<MixMode, 'bridge'>;

export const SUPERVISOR_MODES: readonly SupervisorMode[] = ['listen', 'whisper', 'barge'];

export interface Supervisor {
  extension: string;
  leg: CallLeg;
  mode: SupervisorMode;
}

export class ContactCall extends EventEmitter<{ ended: []; supervisorLeft: [Supervisor] }> {
  private clientLeg: CallLeg | undefined;
  private agentLeg: CallLeg | undefined;
  private sup: Supervisor | undefined;
  private isEnded = false;
  /** Set when a supervisor took the call over: the ACD's agent is no longer on it. */
  takenOverBy: string | undefined;
  /** The waiting client's music on hold; it stops when an agent joins. */
  hold: HoldMusic | undefined;
  /** The client's phone listed REFER in its Allow header: a transfer lets it place the new call. */
  clientAllowsRefer = false;

  /** `mixer` is this call's own: it closes with the call. */
  constructor(
    readonly callId: string,
    readonly mixer: Mixer,
  ) {
    super();
  }

  get client(): CallLeg | undefined {
    return this.clientLeg;
  }

  get agent(): CallLeg | undefined {
    return this.agentLeg;
  }

  get supervisor(): Supervisor | undefined {
    return this.sup;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Agent and client both on the call. */
  get connected(): boolean {
    return !!this.clientLeg && !!this.agentLeg;
  }

  /** The client's leg (its endpoint created on this mixer). The call ends when it does. */
  setClient(leg: CallLeg): void {
    this.clientLeg = leg;
    this.mixer.addMember(leg.endpoint);
    leg.once('ended', () => void this.end());
    this.applyMode();
  }

  /** The agent answered: bridged to the client (if there is one yet). The call ends with the agent too. */
  setAgent(leg: CallLeg): void {
    this.agentLeg = leg;
    this.mixer.addMember(leg.endpoint);
    leg.once('ended', () => {
      if (this.agentLeg === leg) void this.end();
    });
    this.hold?.stop();
    this.applyMode();
  }

  /** A supervisor's answered leg joins in `mode`; DTMF 1/2/3 switch mode, 4 takes the call over. */
  addSupervisor(extension: string, leg: CallLeg, mode: SupervisorMode, onTakeOver: () => void): void {
    if (this.sup) throw new Error(`call ${this.callId} is already supervised by ${this.sup.extension}`);
    const sup: Supervisor = { extension, leg, mode };
    this.sup = sup;
    this.mixer.addMember(leg.endpoint);
    this.applyMode();
    leg.endpoint.on('dtmf', ({ digit }) => {
      if (this.sup !== sup) return;
      const picked = SUPERVISOR_MODES[Number(digit) - 1];
      if (picked) this.setSupervisorMode(picked);
      else if (digit === '4') onTakeOver();
    });
    leg.once('ended', () => {
      if (this.sup !== sup) return;
      this.sup = undefined;
      // The leg's endpoint is closed by now, and a closed endpoint has left the mixer already.
      this.applyMode();
      this.emit('supervisorLeft', sup);
    });
  }

  /** Live switch: only the hear sets change. */
  setSupervisorMode(mode: SupervisorMode): void {
    if (!this.sup) throw new Error(`call ${this.callId} has no supervisor`);
    if (!SUPERVISOR_MODES.includes(mode)) throw new RangeError(`mode must be one of ${SUPERVISOR_MODES.join(', ')}`);
    this.sup.mode = mode;
    this.applyMode();
  }

  /** The supervisor replaces the agent: the agent's leg is hung up, the supervisor stays with the client. */
  async takeOver(): Promise<void> {
    const sup = this.sup;
    const old = this.agentLeg;
    if (!sup || !old) throw new Error(`call ${this.callId} has no supervisor and agent to swap`);
    this.sup = undefined;
    this.takenOverBy = sup.extension;
    this.agentLeg = sup.leg;
    sup.leg.once('ended', () => void this.end());
    this.mixer.removeMember(old.endpoint);
    this.applyMode();
    await old.hangup();
  }

  /**
   * The agent leaves and the client stays (a blind transfer): the agent's leg is hung up and
   * the client hears hold music until the next party joins with setAgent.
   */
  async releaseAgent(): Promise<void> {
    const old = this.agentLeg;
    if (!old) return;
    this.agentLeg = undefined;
    this.mixer.removeMember(old.endpoint);
    this.hold?.start();
    await old.hangup();
  }

  /** Hangs every leg up (`headers` go in the client's BYE); emits 'ended' once. */
  async end(headers?: Record<string, string>): Promise<void> {
    if (this.isEnded) return;
    this.isEnded = true;
    await Promise.all([this.clientLeg?.hangup('local', headers), this.agentLeg?.hangup(), this.sup?.leg.hangup()]);
    this.mixer.close();
    this.emit('ended');
  }

  private applyMode(): void {
    if (this.mixer.closed) return;
    const agent = this.agentLeg?.endpoint;
    const client = this.clientLeg?.endpoint;
    if (!agent || !client) return;
    const supervisor = this.sup?.leg.endpoint;
    this.mixer.setMode(this.sup?.mode ?? 'bridge', { agent, client, supervisor });
  }
}
