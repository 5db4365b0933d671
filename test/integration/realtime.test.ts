// SWITCHYARD_SIP_RT_PRIORITY: the engine's event loop and its SIP sender thread run under
// SCHED_RR, the media threads under their own SCHED_FIFO priority, and every other thread
// (V8's, libuv's, the workers') on the ordinary scheduler. Read back from /proc.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { getJson, startEngine } from './harness.js';

const SCHED_OTHER = 0;
const SCHED_FIFO = 1;
const SCHED_RR = 2;

interface ThreadSched {
  tid: number;
  name: string;
  policy: number;
  priority: number;
}

/** Each thread's name, policy and real-time priority (proc(5): stat fields 41 and 40). */
function threads(pid: number): ThreadSched[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // Fields after the parenthesised name start at field 3.
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
    return { tid: Number(tid), name: readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim(), policy: Number(fields[41 - 3]), priority: Number(fields[40 - 3]) };
  });
}

/** Why this machine cannot run a thread under SCHED_RR (asked of a child process), or undefined if it can. */
function realtimeRefused(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  const probe = `const { setEventLoopRealtime } = await import(${JSON.stringify(fileURLToPath(new URL('../../engine/process-priority.js', import.meta.url)))}); console.log(setEventLoopRealtime(1) ?? '');`;
  const refusal = execFileSync(process.execPath, ['--input-type=module', '-e', probe], { encoding: 'utf8' }).trim();
  return refusal ? `the kernel refuses SCHED_RR to this user: ${refusal} (needs root or CAP_SYS_NICE)` : undefined;
}

t.test('the SIP path runs real-time, the rest as usual', { skip: realtimeRefused() }, async (t) => {
  const engine = await startEngine({ env: { SWITCHYARD_SIP_RT_PRIORITY: '4', SWITCHYARD_MEDIA_RT_PRIORITY: '6', SWITCHYARD_MEDIA_THREADS: '1' } });
  t.teardown(() => engine.stop());
  const health = await getJson<{ status: string }>(engine, '/api/health');
  t.equal(health.status, 'ok', 'the engine serves');

  const all = threads(engine.pid);
  const main = all.find((th) => th.tid === engine.pid)!;
  t.same([main.policy, main.priority], [SCHED_RR, 4], 'the event loop: SCHED_RR at 4');
  const senders = all.filter((th) => th.name === 'sy-sip-send');
  t.equal(senders.length, 1, 'one SIP sender thread');
  t.same([senders[0].policy, senders[0].priority], [SCHED_RR, 4], 'the SIP sender: SCHED_RR at 4');
  const media = all.filter((th) => th.name.startsWith('sy-media-'));
  t.equal(media.length, 1, 'one media thread');
  t.same([media[0].policy, media[0].priority], [SCHED_FIFO, 6], 'the media thread keeps its own SCHED_FIFO priority');
  const others = all.filter((th) => th !== main && !senders.includes(th) && !media.includes(th));
  t.ok(others.length >= 6, `V8's, libuv's and the workers' threads are there (${others.length})`);
  t.same(
    others.filter((th) => th.policy !== SCHED_OTHER).map((th) => th.name),
    [],
    'none of them real-time (those started after the event loop was raised do not inherit it)',
  );
  t.notOk(engine.logs.some((line) => line.includes('refused')), 'no refusal logged');
});
