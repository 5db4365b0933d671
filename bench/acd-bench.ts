// ACD routing benchmark, in-process: how long one routing decision takes as the number of
// agents grows. Two kinds of decision are timed:
//   - call arrives: Acd.enqueue() with free agents -> the best agent is picked and offered;
//   - agent freed:  Acd.callEnded() with calls waiting -> the agent is offered the best call.
// Agents are spread over queues (one per 10 agents, each agent in 2 of them) with longest-idle
// and skills-based routing. The call layer is a stand-in that answers when told to, so only
// the ACD's own work is timed. Prints one JSON object.
//
//   npm run bench:acd [-- --agents 100,1000,10000 --decisions 20000]
import { Acd, type AgentDialer, type OfferHandle, type OfferResult } from '../engine/acd/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const sizes = arg('agents', '100,1000,10000').split(',').map(Number);
const decisions = Number(arg('decisions', '20000'));

/** Rings nothing: offers wait until the bench answers them all. */
class HeldOffers implements AgentDialer {
  private pending: ((r: OfferResult) => void)[] = [];
  offer(): OfferHandle {
    let settle!: (r: OfferResult) => void;
    const result = new Promise<OfferResult>((resolve) => (settle = resolve));
    this.pending.push(settle);
    return { result, cancel: () => settle('cancelled'), drop: () => undefined };
  }
  dialClient() {
    return Promise.resolve('connected' as const);
  }
  async answerAll(): Promise<void> {
    const pending = this.pending;
    this.pending = [];
    for (const settle of pending) settle('answered');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

function summary(ns: number[]) {
  const sorted = [...ns].sort((a, b) => a - b);
  const total = ns.reduce((s, x) => s + x, 0);
  return {
    decisionsPerSecond: Math.round((ns.length * 1e9) / total),
    p50us: +(percentile(sorted, 50) / 1000).toFixed(2),
    p99us: +(percentile(sorted, 99) / 1000).toFixed(2),
  };
}

async function run(agents: number, strategy: 'longest-idle' | 'skills-based') {
  let seq = 0;
  const acd = new Acd({ missedOffer: null });
  const queues = Math.max(1, Math.round(agents / 10));
  for (let q = 0; q < queues; q++) {
    acd.defineQueue({ id: `q${q}`, groups: [`g${q}`], strategy, wrapUpMs: 0, requiredSkills: strategy === 'skills-based' ? { lang: 3 } : {} });
  }
  for (let a = 0; a < agents; a++) {
    const groups = [`g${a % queues}`, `g${(a * 7 + 3) % queues}`];
    acd.defineAgent({ id: `a${a}`, extension: `${100000 + a}`, groups, skills: { lang: 1 + (Math.floor(a / 7) % 10) } });
    acd.setState(`a${a}`, 'available');
  }
  const dialer = new HeldOffers();
  acd.attachDialer(dialer);
  const arrive: number[] = [];
  const freed: number[] = [];
  const call = (prefix: string) => {
    const callId = `${prefix}${++seq}`;
    return acd.enqueue(`q${seq % queues}`, { callId, from: `+${seq}`, dnis: '1' });
  };
  const timed = (into: number[], fn: () => void) => {
    const t0 = process.hrtime.bigint();
    fn();
    into.push(Number(process.hrtime.bigint() - t0));
  };
  const connected = () => acd.calls().filter((c) => c.phase === 'connected');

  // Calls arrive while agents are free: each enqueue is one decision.
  const batch = Math.max(10, Math.min(200, Math.floor(agents / 4)));
  while (arrive.length < decisions) {
    for (let i = 0; i < batch; i++) timed(arrive, () => void call('c'));
    await dialer.answerAll();
    for (const c of connected()) acd.callEnded(c.callId);
  }

  // Every agent busy and calls waiting: each hang-up frees an agent, who is offered the best
  // waiting call of their queues (one decision); a new caller keeps the queues supplied.
  for (let i = 0; i < agents; i++) void call('c');
  await dialer.answerAll();
  for (let i = 0; i < queues * 2; i++) void call('w');
  while (freed.length < decisions) {
    const busy = connected();
    if (busy.length === 0) throw new Error('no agent is on a call: the queues cannot be served');
    for (const c of busy.slice(0, batch)) {
      timed(freed, () => acd.callEnded(c.callId));
      void call('w');
    }
    await dialer.answerAll();
  }
  for (const c of acd.calls()) {
    if (c.phase === 'connected') acd.callEnded(c.callId);
    else acd.abandon(c.callId);
  }
  acd.close();
  return { agents, queues, strategy, callArrives: summary(arrive), agentFreed: summary(freed) };
}

const results = [];
for (const agents of sizes) {
  for (const strategy of ['longest-idle', 'skills-based'] as const) {
    const r = await run(agents, strategy);
    process.stderr.write(`${agents} agents ${strategy}: ${r.callArrives.decisionsPerSecond}/s on arrival, ${r.agentFreed.decisionsPerSecond}/s when freed\n`);
    results.push(r);
  }
}
console.log(JSON.stringify({ node: process.version, decisionsPerSize: decisions, results }, null, 2));
