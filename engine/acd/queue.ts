// One queue at run time: its waiting calls (a heap by priority, then arrival) and its free
// agents (a heap ordered by the queue's strategy). Routing is popping both tops: O(log n).
import type { Agent } from './agent.js';
import { IndexedHeap } from './indexed-heap.js';
import type { QueueConfig } from './types.js';
import type { WaitingItem } from './waiting-item.js';

/** Sum of the agent's levels in the required skills, or -1 when one is missing or too low. */
export function skillScore(agent: Agent, required: Record<string, number>): number {
  let score = 0;
  for (const [skill, min] of Object.entries(required)) {
    const level = agent.profile.skills[skill] ?? 0;
    if (level < min) return -1;
    score += level;
  }
  return score;
}

export class Queue {
  readonly waiting = new IndexedHeap<WaitingItem>(
    (a, b) => a.priority > b.priority || (a.priority === b.priority && (a.enqueuedAt < b.enqueuedAt || (a.enqueuedAt === b.enqueuedAt && a.seq < b.seq))),
  );
  readonly free: IndexedHeap<Agent>;
  /** Agents who serve this queue (group and, for skills-based, skills match). */
  readonly members = new Set<Agent>();
  /** Members not offline; kept as a count so "no agent logged in" is O(1). */
  loggedIn = 0;
  private readonly scores = new Map<Agent, number>();

  constructor(readonly config: QueueConfig) {
    this.free = new IndexedHeap<Agent>(this.order());
  }

  get id(): string {
    return this.config.id;
  }

  serves(agent: Agent): boolean {
    const inGroup = agent.profile.groups.some((g) => this.config.groups.includes(g));
    return inGroup && (this.config.strategy !== 'skills-based' || skillScore(agent, this.config.requiredSkills) >= 0);
  }

  addMember(agent: Agent): void {
    this.members.add(agent);
    this.scores.set(agent, skillScore(agent, this.config.requiredSkills));
    if (agent.loggedIn) this.loggedIn++;
    if (agent.routable) this.free.push(agent);
  }

  removeMember(agent: Agent): void {
    if (!this.members.delete(agent)) return;
    this.scores.delete(agent);
    if (agent.loggedIn) this.loggedIn--;
    this.free.delete(agent);
  }

  /** The strategy as an ordering of free agents; every key is fixed while the agent is in the heap. */
  private order(): (a: Agent, b: Agent) => boolean {
    const id = this.config.id;
    const idle = (a: Agent, b: Agent) => a.idleSince < b.idleSince || (a.idleSince === b.idleSince && a.id < b.id);
    const by = (key: (a: Agent) => number) => (a: Agent, b: Agent) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb || (ka === kb && idle(a, b));
    };
    switch (this.config.strategy) {
      case 'longest-idle':
      case 'ring-all':
        return idle;
      case 'round-robin':
        return by((a) => a.figuresFor(id).lastOfferSeq);
      case 'least-calls':
        return by((a) => a.figuresFor(id).answered);
      case 'fewest-talk-time':
        return by((a) => a.figuresFor(id).talkMs);
      case 'random':
        return by((a) => a.randomKey);
      case 'skills-based':
        return by((a) => -(this.scores.get(a) ?? 0));
    }
  }
}
