// What each role may see (issue 5: "no endpoint leaks another group's data"): admins see all,
// supervisors the agents and queues of their groups, agents themselves and their queues.
import type { Acd, AcdEvent, Agent, Queue } from '../acd/index.js';
import type { Principal } from './auth.js';

const overlaps = (a: readonly string[], b: readonly string[] = []) => a.some((x) => b.includes(x));

export class Scope {
  constructor(
    private readonly acd: Acd,
    readonly principal: Principal,
  ) {}

  seesAgent(agent: Agent): boolean {
    const p = this.principal;
    if (p.role === 'admin') return true;
    if (p.role === 'supervisor') return overlaps(agent.profile.groups, p.groups);
    return agent.id === p.agentId;
  }

  seesQueue(queue: Queue): boolean {
    const p = this.principal;
    if (p.role === 'admin') return true;
    if (p.role === 'supervisor') return overlaps(queue.config.groups, p.groups);
    const self = p.agentId ? this.acd.findAgent(p.agentId) : undefined;
    return !!self && this.acd.queuesOf(self).has(queue);
  }

  seesQueueId(queueId: string): boolean {
    const queue = this.acd.findQueue(queueId);
    return !!queue && this.seesQueue(queue);
  }

  seesAgentId(agentId: string): boolean {
    const agent = this.acd.findAgent(agentId);
    return !!agent && this.seesAgent(agent);
  }

  seesEvent(e: AcdEvent): boolean {
    switch (e.type) {
      case 'agent.defined':
        return this.principal.role === 'admin' || this.seesAgentId(e.agent.id);
      case 'agent.removed':
      case 'context.attached':
        return this.principal.role !== 'agent';
      case 'agent.state':
      case 'outbound.dialled':
      case 'outbound.answered':
      case 'outbound.ended':
        return this.seesAgentId(e.agentId);
      case 'queue.defined':
        return this.seesQueueId(e.queue.id);
      case 'missed.created':
        return this.seesQueueId(e.record.queueId);
      case 'missed.claimed':
      case 'missed.attempt':
      case 'missed.status':
        return this.seesQueueId(this.acd.missed.get(e.id).queueId);
      default:
        // call.*: an agent sees the calls offered to or taken by them, plus their queues' waiting calls.
        return this.seesQueueId(e.queueId);
    }
  }
}
