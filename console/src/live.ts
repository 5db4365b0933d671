// Live data: the WebSocket event stream with reconnect, and snapshots from the REST API that
// are re-read whenever the stream (re)opens and, debounced, after events that touch them, so
// a screen is never stale after the engine restarts or the network drops.
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from './api';
import type { StreamEvent } from './types';

type Listener = (e: StreamEvent) => void;

export type Link = 'connecting' | 'live' | 'offline';

/** One stream per page; screens subscribe to it. */
export class LiveStream {
  private ws: WebSocket | null = null;
  private readonly listeners = new Set<Listener>();
  private readonly openers = new Set<() => void>();
  private retryMs = 500;
  private closed = false;
  link: Link = 'connecting';
  onLink: (link: Link) => void = () => {};

  constructor(private readonly token: string) {
    this.connect();
  }

  private connect(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/stream?token=${encodeURIComponent(this.token)}`);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = 500;
      this.setLink('live');
      for (const f of this.openers) f();
    };
    ws.onmessage = (m) => {
      const e = JSON.parse(String(m.data)) as StreamEvent;
      for (const f of this.listeners) f(e);
    };
    ws.onclose = () => {
      if (this.closed) return;
      this.setLink('offline');
      setTimeout(() => !this.closed && this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    };
  }

  private setLink(link: Link): void {
    this.link = link;
    this.onLink(link);
  }

  subscribe(onEvent: Listener, onOpen: () => void): () => void {
    this.listeners.add(onEvent);
    this.openers.add(onOpen);
    return () => {
      this.listeners.delete(onEvent);
      this.openers.delete(onOpen);
    };
  }

  close(): void {
    this.closed = true;
    this.ws?.close();
  }
}

/**
 * A REST resource kept fresh: read on mount, on every stream (re)open, after matching events
 * (debounced by `debounceMs`) and every `pollMs` as a safety net for long-open screens.
 */
export function useResource<T>(stream: LiveStream, token: string, path: string, relevant: (e: StreamEvent) => boolean, opts: { debounceMs?: number; pollMs?: number } = {}): [T | null, (fn: (t: T) => T) => void] {
  const [data, setData] = useState<T | null>(null);
  const relevantRef = useRef(relevant);
  relevantRef.current = relevant;
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let alive = true;
    const load = () => {
      timer = null;
      request<T>(token, 'GET', path).then((d) => alive && setData(d), () => {});
    };
    const soon = () => {
      if (!timer) timer = setTimeout(load, opts.debounceMs ?? 250);
    };
    load();
    const unsubscribe = stream.subscribe((e) => relevantRef.current(e) && soon(), load);
    const poll = setInterval(load, opts.pollMs ?? 30_000);
    return () => {
      alive = false;
      unsubscribe();
      clearInterval(poll);
      if (timer) clearTimeout(timer);
    };
  }, [stream, token, path]);
  const patch = (fn: (t: T) => T) => setData((d) => (d === null ? d : fn(d)));
  return [data, patch];
}

/** One timer per period for every ticking component (a thousand rows share one interval). */
const clocks = new Map<number, Set<(now: number) => void>>();

/** The current time, re-rendering every `everyMs` (durations tick live). */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    let subscribers = clocks.get(everyMs);
    if (!subscribers) {
      const set = new Set<(now: number) => void>();
      clocks.set(everyMs, (subscribers = set));
      const timer = setInterval(() => {
        const t = Date.now();
        for (const f of set) f(t);
        if (set.size === 0) {
          clearInterval(timer);
          clocks.delete(everyMs);
        }
      }, everyMs);
    }
    subscribers.add(setNow);
    return () => subscribers.delete(setNow);
  }, [everyMs]);
  return now;
}

/** Calls `onEvent` for every stream event while the component is mounted. */
export function useEvents(stream: LiveStream, onEvent: (e: StreamEvent) => void): void {
  const ref = useRef(onEvent);
  ref.current = onEvent;
  useEffect(() => stream.subscribe((e) => ref.current(e), () => {}), [stream]);
}
