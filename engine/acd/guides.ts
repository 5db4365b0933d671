// What guides an agent through a request: the topics a request can be filed under (a global
// list, or a queue's own) and the queue's call script, a flowchart of steps whose options
// lead to other steps. Validated when the config is loaded; a path an agent took through a
// script is checked against it before it is stored.
import { AcdError } from './errors.js';
import { text } from './validate.js';

export interface ScriptOption {
  label: string;
  /** The step this option leads to. */
  next: string;
}

export interface ScriptStep {
  /** What the agent says or does at this step. */
  text: string;
  /** None: the script ends here. */
  options: ScriptOption[];
}

export interface CallScript {
  title: string;
  start: string;
  steps: Record<string, ScriptStep>;
}

export interface GuidesConfig {
  /** Topics of any queue without its own list. */
  topics: string[];
  /** queue id → that queue's topics. */
  queueTopics: Record<string, string[]>;
  /** queue id → its call script. */
  scripts: Record<string, unknown>;
}

const STEP_ID = /^[A-Za-z0-9_-]{1,40}$/;
const MAX_STEPS = 200;
const MAX_PATH = 100;

type Obj = Record<string, unknown>;

function object(value: unknown, what: string): Obj {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AcdError('invalid', `${what} must be an object`);
  return value as Obj;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new AcdError('invalid', `${what} must be an array`);
  return value;
}

function topicList(value: unknown, what: string): string[] {
  const topics = list(value, what).map((t, i) => text(t, `${what}[${i}]`));
  const twice = topics.find((t, i) => topics.indexOf(t) !== i);
  if (twice !== undefined) throw new AcdError('invalid', `${what} lists "${twice}" twice`);
  return topics;
}

/** A call script from untrusted input, or AcdError('invalid') naming the broken field. */
export function callScript(input: unknown, what: string): CallScript {
  const raw = object(input, what);
  const rawSteps = object(raw.steps, `${what}.steps`);
  const ids = Object.keys(rawSteps);
  if (ids.length === 0 || ids.length > MAX_STEPS) throw new AcdError('invalid', `${what}.steps must have 1 to ${MAX_STEPS} steps`);
  const steps: Record<string, ScriptStep> = {};
  for (const id of ids) {
    const at = `${what}.steps.${id}`;
    if (!STEP_ID.test(id)) throw new AcdError('invalid', `${at}: a step id is 1 to 40 letters, digits, _ or -`);
    const step = object(rawSteps[id], at);
    if (typeof step.text !== 'string' || step.text.trim() === '' || step.text.length > 2000) throw new AcdError('invalid', `${at}.text must be a non-empty string of at most 2000 characters`);
    const options = step.options === undefined ? [] : list(step.options, `${at}.options`);
    steps[id] = {
      text: step.text,
      options: options.map((o, i) => {
        const option = object(o, `${at}.options[${i}]`);
        const next = text(option.next, `${at}.options[${i}].next`);
        if (!(next in rawSteps)) throw new AcdError('invalid', `${at}.options[${i}].next: no step "${next}"`);
        return { label: text(option.label, `${at}.options[${i}].label`), next };
      }),
    };
    const labels = steps[id].options.map((o) => o.label);
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice !== undefined) throw new AcdError('invalid', `${at} offers "${twice}" twice`);
  }
  const start = text(raw.start, `${what}.start`);
  if (!steps[start]) throw new AcdError('invalid', `${what}.start: no step "${start}"`);
  // A step nothing leads to is a typo in some option's `next`.
  const reached = new Set([start]);
  for (const id of reached) for (const o of steps[id].options) reached.add(o.next);
  const lost = ids.find((id) => !reached.has(id));
  if (lost !== undefined) throw new AcdError('invalid', `${what}.steps.${lost} cannot be reached from the start`);
  return { title: raw.title === undefined ? '' : text(raw.title, `${what}.title`), start, steps };
}

/** The path an agent clicked through: it must start at the start and follow the options. */
export function scriptPath(script: CallScript, input: unknown): { path: string[]; finished: boolean } {
  const path = list(input, 'path');
  if (path.length === 0 || path.length > MAX_PATH) throw new AcdError('invalid', `path must have 1 to ${MAX_PATH} steps`);
  if (path[0] !== script.start) throw new AcdError('invalid', `path must begin at the start step "${script.start}"`);
  for (let i = 1; i < path.length; i++) {
    const from = script.steps[path[i - 1] as string];
    if (!from.options.some((o) => o.next === path[i])) throw new AcdError('invalid', `path[${i}]: step "${String(path[i])}" does not follow "${String(path[i - 1])}"`);
  }
  const steps = path as string[];
  return { path: steps, finished: script.steps[steps[steps.length - 1]].options.length === 0 };
}

export class Guides {
  private readonly topics: string[];
  private readonly queueTopics = new Map<string, string[]>();
  private readonly scripts = new Map<string, CallScript>();

  /** Throws AcdError('invalid') for a malformed config, naming the field. */
  constructor(config: GuidesConfig) {
    this.topics = topicList(config.topics, 'topics');
    for (const [queueId, topics] of Object.entries(object(config.queueTopics, 'queueTopics'))) this.queueTopics.set(queueId, topicList(topics, `queueTopics.${queueId}`));
    for (const [queueId, script] of Object.entries(object(config.scripts, 'scripts'))) this.scripts.set(queueId, callScript(script, `scripts.${queueId}`));
  }

  topicsFor(queueId: string): string[] {
    return this.queueTopics.get(queueId) ?? this.topics;
  }

  scriptFor(queueId: string): CallScript | null {
    return this.scripts.get(queueId) ?? null;
  }
}
