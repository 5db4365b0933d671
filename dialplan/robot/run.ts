// Runs a robot flow on a call with the public Call verbs only: prompts by say/play, input by
// gather (keys, and speech phrases where the robot listens), hand-off by enqueue/transfer,
// results into call.vars and the engine's event log (call.note).
import type { Call, CallVariables } from '../call.js';
import type { GatherOptions, GatherResult } from '../media-port.js';
import type { AskStep, MenuStep, Next, Prompt, RetryPolicy, Robot, Step, SurveyStep } from './flow.js';
import { parseDate, parseNumber, parseYesNo, slotPhrases } from './slots.js';
import { fillTemplate } from './template.js';

export interface RobotOutcome {
  robot: string;
  /** completed: the flow ran out of steps; gave-up: a question's attempts ran out; handed-off: queued or transferred. */
  status: 'completed' | 'gave-up' | 'handed-off';
  /** Steps visited, in order. */
  path: string[];
  /** Menu intents chosen, in order. */
  intents: string[];
  /** Every gather's keys, in order. */
  digits: string[];
  /** Slot values by slot name (also in call.vars). */
  answers: Record<string, unknown>;
  survey?: { csat?: number; nps?: number };
  handoff?: { queue: string; result?: string } | { transfer: string } | { dial: string[]; answeredBy?: string };
}

/** An answer: a value, or a reason to ask again (no-match, with an optional message). */
type Interpretation<T> = { value: T } | { noMatch: Prompt | undefined };

const DEFAULT_ATTEMPTS = 3;
const DEFAULT_TIMEOUT_MS = 5000;
/** Steps a flow may take on one call: a loop in a flow ends instead of running forever. */
const MAX_STEPS = 200;

export async function runRobot(call: Call<CallVariables>, robot: Robot): Promise<RobotOutcome> {
  return startRobot(call, robot).done;
}

/** Runs a robot; `outcome` fills in as the call goes (what was collected before a hang-up stays). */
export function startRobot(call: Call<CallVariables>, robot: Robot): { outcome: RobotOutcome; done: Promise<RobotOutcome> } {
  const run = new RobotRun(call, robot);
  return { outcome: run.outcome, done: run.run() };
}

class RobotRun {
  readonly outcome: RobotOutcome;

  constructor(
    private readonly call: Call<CallVariables>,
    private readonly robot: Robot,
  ) {
    this.outcome = { robot: robot.name, status: 'completed', path: [], intents: [], digits: [], answers: {} };
  }

  async run(): Promise<RobotOutcome> {
    await this.call.answer();
    let name: string | undefined = this.robot.start;
    while (name !== undefined) {
      if (this.outcome.path.length >= MAX_STEPS) throw new Error(`robot ${this.robot.name}: more than ${MAX_STEPS} steps (a loop in the flow?)`);
      this.outcome.path.push(name);
      name = await this.step(name, this.robot.steps[name]);
    }
    this.call.note('robot.finished', { ...this.outcome });
    return this.outcome;
  }

  /** Runs one step; returns the next step's name, undefined to end the flow. */
  private async step(name: string, step: Step): Promise<string | undefined> {
    if ('say' in step && !('hangup' in step)) {
      for (const p of Array.isArray(step.say) ? step.say : [step.say]) await this.prompt(p);
      return this.next(step.next);
    }
    if ('menu' in step) return this.menu(name, step);
    if ('ask' in step) return this.ask(name, step);
    if ('survey' in step) return this.survey(name, step);
    if ('handoff' in step) {
      if (step.announce) await this.prompt(step.announce);
      const h = step.handoff;
      this.outcome.status = 'handed-off';
      this.outcome.handoff = 'queue' in h ? { queue: h.queue } : 'transfer' in h ? { transfer: h.transfer } : { dial: [h.dial].flat() };
      this.call.note('robot.handoff', { robot: this.robot.name, step: name, ...this.outcome.handoff, answers: this.outcome.answers, intents: this.outcome.intents });
      if ('queue' in h) {
        const left = await this.call.enqueue(h.queue, { priority: h.priority, context: { robot: this.robot.name, intents: this.outcome.intents, ...this.outcome.answers } });
        (this.outcome.handoff as { result?: string }).result = left.kind;
      }
      else if ('transfer' in h) await this.call.transfer(fillTemplate(h.transfer, this.call.vars));
      else {
        const r = await this.call.dial(h.dial, { strategy: h.strategy, timeout: h.timeoutMs, callerId: h.callerId });
        if (r.status === 'answered') (this.outcome.handoff as { answeredBy?: string }).answeredBy = r.target;
        else {
          this.call.note('robot.no-answer', { robot: this.robot.name, step: name, status: r.status });
          this.outcome.status = 'gave-up';
          if (step.noAnswer !== undefined) {
            this.outcome.status = 'completed';
            return this.next(step.noAnswer);
          }
        }
      }
      return undefined;
    }
    if (step.say) await this.prompt(step.say);
    await this.call.hangup();
    return undefined;
  }

  private async menu(name: string, step: MenuStep): Promise<string | undefined> {
    const { choices, prompt, into } = step.menu;
    const phrases = choices.flatMap((c) => c.phrases ?? []);
    const got = await this.collect(name, step, prompt, { maxDigits: 1, phrases }, (r) => {
      const choice = choices.find((c) => (r.digits && [c.keys ?? []].flat().includes(r.digits)) || (r.speech?.phrase && c.phrases?.includes(r.speech.phrase)));
      return choice ? { value: choice } : { noMatch: undefined };
    });
    if (!got) return this.gaveUp(name, step);
    this.outcome.intents.push(got.intent);
    if (into) this.call.vars[into] = got.intent;
    this.call.note('robot.intent', { robot: this.robot.name, step: name, intent: got.intent });
    return this.next(got.next);
  }

  private async ask(name: string, step: AskStep): Promise<string | undefined> {
    const a = step.ask;
    const maxDigits = a.maxDigits ?? { date: 8, 'yes-no': 1, number: 15, digits: 15 }[a.type];
    const got = await this.collect(name, step, a.prompt, { maxDigits, phrases: slotPhrases(a.type), free: a.type !== 'yes-no' }, (r) => {
      const input = r.digits || r.speech?.phrase || r.speech?.text || '';
      const value = a.type === 'number' ? parseNumber(input) : a.type === 'date' ? parseDate(input) : a.type === 'yes-no' ? parseYesNo(input) : /^\d+$/.test(input) ? input : undefined;
      if (value === undefined) return { noMatch: undefined };
      if (typeof value === 'number' && ((a.min !== undefined && value < a.min) || (a.max !== undefined && value > a.max))) return { noMatch: undefined };
      const complaint = a.validate?.(value, this.call.vars);
      return complaint ? { noMatch: complaint } : { value };
    });
    if (got === undefined) return this.gaveUp(name, step);
    this.outcome.answers[a.slot] = got;
    this.call.vars[a.slot] = got;
    this.call.note('robot.slot', { robot: this.robot.name, step: name, slot: a.slot, value: got });
    return this.next(step.next);
  }

  private async survey(name: string, step: SurveyStep): Promise<string | undefined> {
    const policy: RetryPolicy = { attempts: 2, timeoutMs: step.timeoutMs };
    const score = (prompt: Prompt, max: number, maxDigits: number) =>
      this.collect(name, policy, prompt, { maxDigits }, (r) => {
        const n = parseNumber(r.digits);
        return n !== undefined && n <= max && (max === 10 || n >= 1) ? { value: n } : { noMatch: undefined };
      });
    const answers: { csat?: number; nps?: number } = {};
    if (step.survey.csat) answers.csat = await score(step.survey.csat, 5, 1);
    if (step.survey.nps) answers.nps = await score(step.survey.nps, 10, 2);
    this.outcome.survey = answers;
    // With the call in the event log: what the caller answered, and what they left out.
    this.call.note('robot.survey', { robot: this.robot.name, step: name, csat: answers.csat ?? null, nps: answers.nps ?? null });
    if (step.survey.thanks) await this.prompt(step.survey.thanks);
    return this.next(step.next);
  }

  /**
   * Asks until an answer is accepted or the attempts run out: the prompt (with barge-in) and
   * the input together, a no-input or no-match message before each further attempt.
   */
  private async collect<T>(
    step: string,
    policy: RetryPolicy,
    prompt: Prompt | undefined,
    input: { maxDigits: number; phrases?: string[]; free?: boolean },
    interpret: (r: GatherResult) => Interpretation<T>,
  ): Promise<T | undefined> {
    const attempts = policy.attempts ?? DEFAULT_ATTEMPTS;
    let preface: Prompt | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (preface) await this.prompt(preface);
      const options: GatherOptions = { maxDigits: input.maxDigits, finishOnKey: '#', timeout: policy.timeoutMs ?? DEFAULT_TIMEOUT_MS, prompt: this.gatherPrompt(prompt) };
      if (this.robot.speech && input.phrases?.length) options.speech = { phrases: input.phrases, lang: this.robot.lang };
      else if (this.robot.speech && input.free) options.speech = { lang: this.robot.lang };
      const r = await this.call.gather(options);
      if (r.digits) this.outcome.digits.push(r.digits);
      // Speech the recognizer could not make out is a no-match (the caller did answer), silence a no-input.
      if (!r.digits && !r.speech) {
        this.call.note('robot.no-input', { robot: this.robot.name, step, attempt });
        preface = policy.noInput;
        continue;
      }
      const i = interpret(r);
      if ('value' in i) return i.value;
      this.call.note('robot.no-match', { robot: this.robot.name, step, attempt, digits: r.digits, speech: r.speech?.text });
      preface = i.noMatch ?? policy.noMatch;
    }
    return undefined;
  }

  private gaveUp(step: string, policy: RetryPolicy): string | undefined {
    this.call.note('robot.gave-up', { robot: this.robot.name, step });
    if (policy.giveUp !== undefined) return this.next(policy.giveUp);
    this.outcome.status = 'gave-up';
    return undefined;
  }

  private next(next: Next | undefined): string | undefined {
    const name = typeof next === 'function' ? next(this.call.vars) : next;
    if (name !== undefined && !(name in this.robot.steps)) throw new Error(`robot ${this.robot.name}: next step "${name}" does not exist`);
    return name;
  }

  private gatherPrompt(p: Prompt | undefined): GatherOptions['prompt'] {
    if (p === undefined) return undefined;
    if (typeof p === 'string') return { say: fillTemplate(p, this.call.vars), lang: this.robot.lang, voice: this.robot.voice };
    if ('play' in p) return p.play;
    return { say: fillTemplate(p.say, this.call.vars), lang: p.lang ?? this.robot.lang, voice: p.voice ?? this.robot.voice };
  }

  private async prompt(p: Prompt): Promise<void> {
    const g = this.gatherPrompt(p)!;
    if (typeof g === 'string') await this.call.play(g, { bargeIn: true });
    else await this.call.say(g.say, { lang: g.lang, voice: g.voice, bargeIn: true });
  }
}
