// What the next young-generation collection (scavenge) would have to copy, by the function that
// allocated it. Preloaded into a process with `--import ./dist/bench/lib/young-survivors.js`
// and YOUNG_SURVIVORS_OUT=FILE: YOUNG_SURVIVORS_DELAY_MS (default 4000) after it starts, V8's
// sampling heap profiler records allocations over a window about as long as the time between
// two scavenges (YOUNG_SURVIVORS_WINDOW_MS, default 110) and keeps only what is still alive at
// its end; 20 windows, 200 ms apart. FILE gets JSON: KB alive at a window's end, and the top
// allocating functions with their share.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { isMainThread } from 'node:worker_threads';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const out = process.env.YOUNG_SURVIVORS_OUT;
const delayMs = Number(process.env.YOUNG_SURVIVORS_DELAY_MS ?? 4000);
const windowMs = Number(process.env.YOUNG_SURVIVORS_WINDOW_MS ?? 110);
const WINDOWS = 20;
const GAP_MS = 200;

if (out && isMainThread) {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object): Promise<T> =>
    new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result as T))));
  const bySite = new Map<string, number>();
  let total = 0;
  const add = (node: ProfileNode): void => {
    if (node.selfSize) {
      const { functionName, url, lineNumber } = node.callFrame;
      const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}`;
      bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) add(child);
  };
  const run = async (): Promise<void> => {
    await post('HeapProfiler.enable');
    for (let i = 0; i < WINDOWS; i++) {
      // Objects collected by either kind of GC before the window ends are left out.
      await post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: false, includeObjectsCollectedByMinorGC: false });
      await new Promise((resolve) => setTimeout(resolve, windowMs));
      const { profile } = await post<{ profile: { head: ProfileNode } }>('HeapProfiler.stopSampling');
      add(profile.head);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
    }
    const top = [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 40);
    writeFileSync(
      out,
      JSON.stringify(
        {
          windowMs,
          windows: WINDOWS,
          aliveKBPerWindow: Math.round(total / WINDOWS / 1024),
          top: top.map(([site, bytes]) => ({ site, kbPerWindow: Math.round(bytes / WINDOWS / 102.4) / 10, pct: Math.round((bytes / total) * 1000) / 10 })),
        },
        null,
        1,
      ),
    );
  };
  setTimeout(() => void run().catch((err: unknown) => console.error('young-survivors failed', err)), delayMs).unref();
}
