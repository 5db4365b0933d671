// Numbers the contact centre answers: `queue-<id>` puts the caller in an ACD queue; feature
// codes let agents change state (*50 ...) and supervisors join an agent's call (*1<ext> ...).
import type { Mixer } from '../../media/mixer.js';
import type { AgentState, InboundCall } from '../acd/index.js';
import { AcdError } from '../acd/index.js';
import { IncomingCall, type CallLeg } from '../call/index.js';
import { SipError, type IncomingRequest, type ServerResponse } from '../sip/index.js';
import { isSipUri } from '../sip/uri.js';
import { SUPERVISOR_MODES } from './contact-call.js';
import type { CallDesk } from './desk.js';
import { TRANSFER_HEADER } from './referrals.js';
import { endUnanswered } from './unanswered.js';

/** Agent state feature codes (dialled from the agent's registered phone). */
export const STATE_CODES: Readonly<Record<string, AgentState>> = { '*50': 'available', '*51': 'break', '*52': 'dnd', '*53': 'outbound', '*59': 'offline' };

/** *1<ext> listen, *2<ext> whisper, *3<ext> barge on the call of the agent at <ext>. */
const SUPERVISE_CODE = /^\*([123])(\d+)$/;

export const QUEUE_PREFIX = 'queue-';

export class ContactCentreInbound {
  constructor(
    private readonly desk: CallDesk,
    /** Extensions allowed to use the supervisor feature codes. */
    private readonly supervisors: ReadonlySet<string>,
  ) {}

  /** Takes the INVITE if its number is the contact centre's; false leaves it to other routes. */
  handle(req: IncomingRequest, res: ServerResponse): boolean {
    const uri = req.msg.parsedUri;
    const number = uri && isSipUri(uri) ? (uri.user ?? '') : '';
    let work: Promise<void>;
    if (number.startsWith(QUEUE_PREFIX) && this.desk.acd.findQueue(number.slice(QUEUE_PREFIX.length))) {
      work = this.queueCall(number.slice(QUEUE_PREFIX.length), number, req, res);
    } else if (STATE_CODES[number]) {
      work = this.stateCode(STATE_CODES[number], req, res);
    } else if (SUPERVISE_CODE.test(number)) {
      const [, digit, extension] = SUPERVISE_CODE.exec(number)!;
      work = this.superviseCode(SUPERVISOR_MODES[Number(digit) - 1], extension, req, res);
    } else {
      return false;
    }
    work.catch((err: unknown) => {
      if (!res.finalResponseSent) res.send(err instanceof SipError ? err.status : 500);
      if (!(err instanceof SipError)) this.desk.deps.logger.error({ err, callId: req.callId }, 'contact-centre call failed');
    });
    return true;
  }

  /** Answers with an endpoint (on `mixer`'s thread if given). */
  private async answer(req: IncomingRequest, res: ServerResponse, mixer?: Mixer): Promise<CallLeg> {
    const { stack, media, advertisedAddress, rtpTimeoutMs } = this.desk.deps;
    const leg = await new IncomingCall({ stack, req, res, media, mixer, advertisedAddress, rtpTimeoutMs }).answer();
    leg.dialog.keepAlive(this.desk.deps.keepAliveMs);
    return leg;
  }

  private async queueCall(queueId: string, dnis: string, req: IncomingRequest, res: ServerResponse): Promise<void> {
    const leg = await this.answer(req, res);
    const from = req.msg.from;
    const caller = (from && isSipUri(from.uri) ? from.uri.user : undefined) ?? 'anonymous';
    // A caller's phone placing the new call of a transfer by REFER: the transferred call's context goes on.
    const referral = this.desk.referrals.take(req.msg.get(TRANSFER_HEADER));
    const info: Omit<InboundCall, 'callId'> = { from: caller, dnis };
    if (referral) {
      this.desk.deps.events.append('call.referred', { from: referral.callId }, leg.callId);
      if (Object.keys(referral.attached).length > 0) this.desk.acd.attachContext(caller, referral.attached);
      Object.assign(info, { dnis: referral.dnis, ivr: referral.ivr, priority: referral.priority });
      // The colleague is offered it first if still free (else anyone in the queue takes it).
      if (referral.agentId && this.desk.acd.findAgent(referral.agentId)?.routable) info.agentId = referral.agentId;
    }
    const allowsRefer = req.msg.getAll('allow').some((a) => /\bREFER\b/i.test(a));
    const outcome = await this.desk.enqueue(queueId, leg, info, { allowsRefer });
    await endUnanswered(this.desk, leg.callId, caller, outcome);
  }

  /** *50 ... from an agent's phone: the state changes, a beep confirms, we hang up. */
  private async stateCode(state: AgentState, req: IncomingRequest, res: ServerResponse): Promise<void> {
    const extension = this.registeredCaller(req);
    const agent = extension ? this.desk.acd.agentByExtension(extension) : undefined;
    if (!agent) throw new SipError(403, 'Not An Agent');
    const leg = await this.answer(req, res);
    let tone: 'beep' | 'congestion' = 'beep';
    try {
      this.desk.acd.setState(agent.id, state, 'phone');
    } catch (err) {
      if (!(err instanceof AcdError)) throw err;
      tone = 'congestion';
    }
    leg.endpoint.playTone(tone, { durationMs: 1000 });
    leg.endpoint.once('toneDone', () => void leg.hangup());
  }

  /** *1<ext> ...: a supervisor's phone joins the call of the agent at <ext>; 1/2/3 switch mode, 4 takes over. */
  private async superviseCode(mode: (typeof SUPERVISOR_MODES)[number], extension: string, req: IncomingRequest, res: ServerResponse): Promise<void> {
    const supervisor = this.registeredCaller(req);
    if (!supervisor || !this.supervisors.has(supervisor)) throw new SipError(403, 'Not A Supervisor');
    const call = this.desk.callOfExtension(extension);
    if (!call || !call.connected || call.supervisor) throw new SipError(404, 'No Call To Supervise');
    // The supervisor's endpoint is created on the call's mixer thread so it can join it.
    const leg = await this.answer(req, res, call.mixer);
    this.desk.join(call, supervisor, leg, mode);
  }

  /**
   * The From user, if that extension is registered from the address the INVITE came from.
   * With INVITE digest auth on (config.auth.invites) the user has also proven its password;
   * with it off, this is all that ties a feature code to a phone.
   */
  private registeredCaller(req: IncomingRequest): string | undefined {
    const from = req.msg.from;
    const user = from && isSipUri(from.uri) ? from.uri.user : undefined;
    if (!user) return undefined;
    const bindings = this.desk.deps.registrar.lookup(user);
    return bindings.some((b) => b.target.address === req.source.remote.address) ? user : undefined;
  }
}
