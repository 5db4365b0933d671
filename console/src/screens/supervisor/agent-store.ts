// The workplace's agents, kept outside the component tree so that one agent's change
// re-renders that agent's row (and the counts), not a thousand rows: rows subscribe to their
// agent, the screen to the roster (who is listed, under which names and groups).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentView, StreamEvent } from '../../types';

type Listener = () => void;

/** The agent after an `agent.state` event (the ACD's activity rule: engine/acd/agent.ts). */
function afterState(a: AgentView, e: StreamEvent): AgentView {
  const state = e.state!;
  const callId = state === 'on-call' || state === 'wrap-up' ? (e.callId ?? a.callId) : null;
  const activity = state === 'on-call' ? 'talking' : state === 'available' && !a.ringing && !callId ? 'free' : 'busy';
  return { ...a, state, reason: e.reason ?? '', since: e.at, callId, activity };
}

const rosterOf = (list: AgentView[]) => list.map((a) => `${a.id}\t${a.name}\t${a.extension}\t${a.groups.join()}`).join('\n');

export class AgentStore {
  private readonly byId = new Map<string, AgentView>();
  private readonly rows = new Map<string, Set<Listener>>();
  private readonly anyChange = new Set<Listener>();
  private readonly rosterChange = new Set<Listener>();
  private rosterKey = '';
  private list: AgentView[] = [];
  loaded = false;
  /** Counts changes of any kind, and of the roster: a component can tell it missed one. */
  version = 0;
  rosterVersion = 0;

  get(id: string): AgentView | undefined {
    return this.byId.get(id);
  }

  /** Every agent, in the order the API listed them (a new array after each change). */
  all(): AgentView[] {
    return this.list;
  }

  /** A fresh list from the API: only agents that differ are re-rendered. */
  replace(list: AgentView[]): void {
    const changed: string[] = [];
    for (const a of list) if (JSON.stringify(this.byId.get(a.id)) !== JSON.stringify(a)) changed.push(a.id);
    this.byId.clear();
    for (const a of list) this.byId.set(a.id, a);
    this.list = list;
    this.loaded = true;
    const key = rosterOf(list);
    const rosterChanged = key !== this.rosterKey;
    this.rosterKey = key;
    this.notify(changed, rosterChanged);
  }

  /** Applies `agent.state` events (in order). */
  apply(events: StreamEvent[]): void {
    const changed = new Set<string>();
    for (const e of events) {
      const a = this.byId.get(e.agentId!);
      if (!a) continue;
      this.byId.set(a.id, afterState(a, e));
      changed.add(a.id);
    }
    if (changed.size === 0) return;
    this.list = this.list.map((a) => this.byId.get(a.id)!);
    this.notify([...changed], false);
  }

  private notify(ids: string[], rosterChanged: boolean): void {
    this.version++;
    if (rosterChanged) this.rosterVersion++;
    for (const id of ids) for (const f of this.rows.get(id) ?? []) f();
    for (const f of this.anyChange) f();
    if (rosterChanged) for (const f of this.rosterChange) f();
  }

  subscribeRow(id: string, f: Listener): () => void {
    let set = this.rows.get(id);
    if (!set) this.rows.set(id, (set = new Set()));
    set.add(f);
    return () => set.delete(f);
  }

  subscribe(f: Listener, what: 'any' | 'roster'): () => void {
    const set = what === 'any' ? this.anyChange : this.rosterChange;
    set.add(f);
    return () => set.delete(f);
  }
}

/**
 * Re-renders the calling component when `subscribe` says so, and also when `snapshot` moved
 * between the render and the subscription (effects run after the render: a change in between
 * would otherwise be missed until the next one).
 */
function useSubscription(subscribe: (f: Listener) => () => void, snapshot: () => unknown, deps: unknown[]): void {
  const [, setTick] = useState(0);
  const seen = useRef<unknown>(undefined);
  seen.current = snapshot();
  useEffect(() => {
    const update = () => setTick((n) => n + 1);
    const unsubscribe = subscribe(update);
    if (snapshot() !== seen.current) update();
    return unsubscribe;
  }, deps);
}

/** One agent, re-rendered when that agent changes. */
export function useAgent(store: AgentStore, id: string): AgentView | undefined {
  useSubscription((f) => store.subscribeRow(id, f), () => store.get(id), [store, id]);
  return store.get(id);
}

/** Re-renders on every change (`any`) or only when the roster changes. */
export function useStore(store: AgentStore, what: 'any' | 'roster'): AgentStore {
  useSubscription((f) => store.subscribe(f, what), () => (what === 'any' ? store.version : store.rosterVersion), [store, what]);
  return store;
}
