// Robot flows declared in TypeScript: named steps (prompts, menus, questions that fill slots,
// hand-offs, a survey) joined by `next`. `defineRobot()` checks the graph when the module
// loads, so a typo in a step name fails at load time, not in the middle of a call.
import { DialplanError } from '../errors.js';
import type { SlotType } from './slots.js';

/** Text to say ("{{name}}" placeholders are filled from call.vars), or a WAV file to play. */
export type Prompt = string | { say: string; lang?: string; voice?: string } | { play: string };

/** The next step's name, or a function of the call's variables choosing it; omitted: hang up. */
export type Next = string | ((vars: Record<string, unknown>) => string);

/** How a question re-prompts: tries before giving up, what to say on no-match / no-input. */
export interface RetryPolicy {
  /** Attempts in all (default 3). */
  attempts?: number;
  /** Said before the next attempt when the answer matched nothing. */
  noMatch?: Prompt;
  /** Said before the next attempt when nothing came within `timeoutMs`. */
  noInput?: Prompt;
  /** Wait for the first key / word, ms (default 5000). */
  timeoutMs?: number;
  /** Where to go when the attempts are used up (default: hang up). */
  giveUp?: Next;
}

export interface MenuChoice {
  /** The intent's name, recorded in the outcome and in `call.vars[intoVar]`. */
  intent: string;
  /** Keys that pick it ('1', or several: ['1', '*']). */
  keys?: string | string[];
  /** Spoken phrases that pick it (used where a recognizer is configured). */
  phrases?: string[];
  next?: Next;
}

export interface SayStep {
  say: Prompt | Prompt[];
  next?: Next;
}

export interface MenuStep extends RetryPolicy {
  menu: { /** Omitted: the step before said it. */ prompt?: Prompt; choices: MenuChoice[]; /** Variable that receives the intent. */ into?: string };
}

export interface AskStep extends RetryPolicy {
  ask: {
    /** Omitted: the step before said it. */
    prompt?: Prompt;
    /** The variable the answer goes into. */
    slot: string;
    type: SlotType;
    /** Numbers: inclusive bounds. */
    min?: number;
    max?: number;
    /** Keys: how many at most (default: 8 for dates, 1 for yes/no, 15 for numbers and digits); '#' ends early. */
    maxDigits?: number;
    /** Further checks: return a message to say (re-prompt) when the value is not acceptable. */
    validate?: (value: unknown, vars: Record<string, unknown>) => string | undefined;
  };
  next?: Next;
}

export interface HandoffStep {
  /** Said before the hand-off. */
  announce?: Prompt;
  /** A queue (call.enqueue), a blind transfer (call.transfer) or people to ring and bridge (call.dial). */
  handoff: { queue: string; priority?: number } | { transfer: string } | { dial: string | string[]; strategy?: 'sequential' | 'parallel'; timeoutMs?: number; callerId?: string };
  /** With `dial`: where to go when nobody answers (default: the robot ends, status gave-up). */
  noAnswer?: Next;
}

export interface SurveyStep {
  survey: {
    /** Customer satisfaction 1–5. */
    csat?: Prompt;
    /** Net promoter score 0–10 (keys: 0–9, or 1 then 0 for ten, ended by '#'). */
    nps?: Prompt;
    thanks?: Prompt;
  };
  timeoutMs?: number;
  next?: Next;
}

export interface HangupStep {
  hangup: true;
  say?: Prompt;
}

export type Step = SayStep | MenuStep | AskStep | HandoffStep | SurveyStep | HangupStep;

export interface RobotDefinition {
  name: string;
  start: string;
  steps: Record<string, Step>;
  /** Listen for speech too (gather({ speech })): needs a recognizer in the engine. */
  speech?: boolean;
  lang?: string;
  voice?: string;
}

const ROBOT = Symbol.for('switchyard.robot');
export type Robot = Readonly<RobotDefinition> & { readonly [ROBOT]: true };

export function isRobot(value: unknown): value is Robot {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ROBOT] === true;
}

export function defineRobot(definition: RobotDefinition): Robot {
  validate(definition);
  return Object.freeze({ ...definition, [ROBOT]: true as const });
}

function validate(d: RobotDefinition): void {
  const fail = (what: string): never => {
    throw new DialplanError('invalid-dialplan', `defineRobot(${d?.name ?? '?'}): ${what}`);
  };
  if (typeof d !== 'object' || d === null) fail('expects an object');
  if (typeof d.name !== 'string' || !d.name) fail('`name` is required');
  if (typeof d.steps !== 'object' || d.steps === null) fail('`steps` must be an object of named steps');
  const known = (next: Next | undefined, at: string) => {
    if (typeof next === 'string' && !(next in d.steps)) fail(`${at} goes to unknown step "${next}"`);
  };
  if (!(d.start in d.steps)) fail(`start step "${d.start}" is not among the steps`);
  for (const [name, step] of Object.entries(d.steps)) {
    const at = `steps.${name}`;
    if ('next' in step) known(step.next, at);
    if ('giveUp' in step) known(step.giveUp, `${at}.giveUp`);
    if ('menu' in step) {
      if (!Array.isArray(step.menu.choices) || step.menu.choices.length === 0) fail(`${at}.menu.choices must list at least one choice`);
      step.menu.choices.forEach((c, i) => {
        if (!c.keys && !c.phrases?.length) fail(`${at}.menu.choices[${i}] (${c.intent}) needs keys or phrases`);
        known(c.next, `${at}.menu.choices[${i}]`);
      });
    } else if ('ask' in step) {
      if (!['number', 'date', 'yes-no', 'digits'].includes(step.ask.type)) fail(`${at}.ask.type must be number, date, yes-no or digits`);
      if (typeof step.ask.slot !== 'string' || !step.ask.slot) fail(`${at}.ask.slot must name a variable`);
    } else if ('handoff' in step) {
      const h = step.handoff as Record<string, unknown>;
      if (typeof h.queue !== 'string' && typeof h.transfer !== 'string' && h.dial === undefined) fail(`${at}.handoff needs a queue, a transfer target or people to dial`);
      if ('noAnswer' in step) known(step.noAnswer, `${at}.noAnswer`);
    } else if (!('say' in step) && !('survey' in step) && !('hangup' in step)) {
      fail(`${at} is not a step (say, menu, ask, handoff, survey or hangup)`);
    }
  }
}
