// Quests: an admin names a sequence of real actions (event types, optionally with field
// values, e.g. `missed.attempt` with `{ result: 'connected' }` = "call a client back") and a
// reward. Each agent's progress follows the event log live: a step is done by the first
// matching event of that agent after the previous step. Progress and completions are logged
// ("gamify.quest.*"), so they survive restarts. A daily quest starts over each UTC day.
import { AcdError } from '../acd/index.js';
import type { EventLog } from '../store/event-log.js';
import { CallOwners, mayNameOwner, toGameEvent, type GameEvent } from './events.js';
import { periodOf } from './periods.js';
import { check } from './validation.js';

export type FieldValue = string | number | boolean;

export interface QuestStep {
  /** The event type that does this step, e.g. `call.answered`, `call.topic`, `missed.attempt`. */
  event: string;
  /** Fields the event must have with these values. */
  where: Record<string, FieldValue>;
  label: string;
}

export const REPEATS = ['once', 'day'] as const;

export interface QuestDef {
  id: string;
  name: string;
  description: string;
  reward: string;
  steps: QuestStep[];
  repeat: (typeof REPEATS)[number];
  /** Only actions from this moment on count. */
  definedAt: number;
}

export interface QuestProgress {
  questId: string;
  agentId: string;
  /** The day a daily quest runs in (0 for a one-off quest). */
  round: number;
  /** When each finished step was done. */
  steps: number[];
  completedAt: number | null;
}

const T = {
  defined: 'gamify.quest.defined',
  removed: 'gamify.quest.removed',
  step: 'gamify.quest.step',
  completed: 'gamify.quest.completed',
};

const EVENT_TYPE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

export function parseQuest(id: string, body: unknown, now: number): QuestDef {
  const c = check(body, 'the quest');
  c.id(id);
  const name = c.text('name', 80);
  const description = c.optionalText('description', 400) ?? '';
  const reward = c.text('reward', 200);
  const repeat = c.oneOf('repeat', REPEATS, 'once');
  const steps = c.array('steps', { min: 1, max: 20 }).map((raw, i) => {
    const s = check(raw, `steps[${i}]`);
    const event = s.text('event', 64);
    if (event && !EVENT_TYPE.test(event)) s.problem(`steps[${i}].event must be an event type such as call.answered`);
    const where: Record<string, FieldValue> = {};
    const rawWhere = s.field('where');
    if (rawWhere !== undefined) {
      const w = check(rawWhere, `steps[${i}].where`);
      for (const [k, v] of Object.entries(rawWhere as object)) {
        if (['string', 'number', 'boolean'].includes(typeof v)) where[k] = v as FieldValue;
        else w.problem(`steps[${i}].where.${k} must be a string, number or boolean`);
      }
      s.absorb(w);
    }
    const label = s.optionalText('label', 120) ?? event;
    c.absorb(s);
    return { event, where, label };
  });
  c.done();
  return { id, name, description, reward, steps, repeat, definedAt: now };
}

const matches = (step: QuestStep, e: GameEvent) => step.event === e.type && Object.entries(step.where).every(([k, v]) => e[k] === v);

export class Quests {
  private readonly defs = new Map<string, QuestDef>();
  /** questId → agentId → progress */
  private readonly progress = new Map<string, Map<string, QuestProgress>>();
  private readonly owners = new CallOwners();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly log: EventLog,
    private readonly onProgress: (p: QuestProgress, quest: QuestDef) => void = () => {},
    /** Quests follow the log inside its append: a failure here is reported, never thrown at whoever appended. */
    private readonly onError: (err: unknown) => void = (err) => console.error('quest tracking failed', err),
  ) {
    for (const { type, data } of log.scan({ typePrefix: 'gamify.quest.' })) {
      const d = data as Record<string, unknown>;
      if (type === T.defined) this.setDefinition(d.definition as QuestDef);
      else if (type === T.removed) this.forget(String(d.id));
      else if (type === T.step) this.entry(String(d.questId), String(d.agentId), Number(d.round)).steps.push(Number(d.at));
      else if (type === T.completed) this.entry(String(d.questId), String(d.agentId), Number(d.round)).completedAt = Number(d.at);
    }
    this.unsubscribe = log.onAppend((stored) => {
      // With no quest defined only call ownership needs following (a quest defined later
      // counts steps on calls answered before it); every call's signalling events skip the copy.
      if (this.defs.size === 0 && !mayNameOwner(stored)) return;
      try {
        const e = toGameEvent(stored);
        if (e) this.apply(e);
      } catch (err) {
        this.onError(err);
      }
    });
  }

  definitions(): QuestDef[] {
    return [...this.defs.values()];
  }

  define(def: QuestDef): QuestDef {
    this.setDefinition(def);
    this.log.append(T.defined, { definition: def });
    return def;
  }

  remove(id: string): void {
    if (!this.defs.has(id)) throw new AcdError('not-found', `no quest ${id}`);
    this.forget(id);
    this.log.append(T.removed, { id });
  }

  /** Progress of the given agents in every quest (the current round of daily quests). */
  progressOf(agentIds: ReadonlySet<string> | null, now = Date.now()): QuestProgress[] {
    const out: QuestProgress[] = [];
    for (const [questId, byAgent] of this.progress) {
      const round = this.roundOf(this.defs.get(questId)!, now);
      for (const p of byAgent.values()) if ((!agentIds || agentIds.has(p.agentId)) && p.round === round) out.push(p);
    }
    return out;
  }

  close(): void {
    this.unsubscribe();
  }

  private apply(e: GameEvent): void {
    const agentId = this.owners.agentOf(e);
    if (!agentId) return;
    for (const quest of this.defs.values()) {
      if (e.at < quest.definedAt) continue;
      const round = this.roundOf(quest, e.at);
      const current = this.progress.get(quest.id)?.get(agentId);
      const done = current?.round === round ? current.steps.length : 0;
      if ((current?.round === round && current.completedAt !== null) || !matches(quest.steps[done], e)) continue;
      const p = this.entry(quest.id, agentId, round);
      p.steps.push(e.at);
      this.log.append(T.step, { questId: quest.id, agentId, round: p.round, step: p.steps.length - 1, at: e.at });
      if (p.steps.length === quest.steps.length) {
        p.completedAt = e.at;
        this.log.append(T.completed, { questId: quest.id, agentId, round: p.round, reward: quest.reward, at: e.at });
      }
      this.onProgress(p, quest);
    }
  }

  private roundOf(quest: QuestDef, at: number): number {
    return quest.repeat === 'day' ? periodOf('day', at).start : 0;
  }

  /** The agent's progress in the quest's round, started afresh when a new round begins. */
  private entry(questId: string, agentId: string, round: number): QuestProgress {
    const byAgent = this.progress.get(questId) ?? this.progress.set(questId, new Map()).get(questId)!;
    let p = byAgent.get(agentId);
    if (!p || p.round !== round) byAgent.set(agentId, (p = { questId, agentId, round, steps: [], completedAt: null }));
    return p;
  }

  /** A redefined quest starts everyone over: its steps may have changed. */
  private setDefinition(def: QuestDef): void {
    this.progress.delete(def.id);
    this.defs.set(def.id, def);
  }

  private forget(id: string): void {
    this.defs.delete(id);
    this.progress.delete(id);
  }
}
