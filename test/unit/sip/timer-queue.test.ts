// The transactions' shared timers: one FIFO per delay, fired in start order, due times
// handed back so a transaction can tell a timer that still applies from an outdated one.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { TimerQueues, type TimerTarget } from '../../../engine/sip/transaction/timer-queue.js';

function recorder(log: string[], name: string, dues?: number[]): TimerTarget {
  return {
    onTimer(kind, due) {
      log.push(`${name}:${kind}`);
      dues?.push(due);
    },
  };
}

t.test('timers of one delay fire in start order, each once, with the due time start() returned', async (t) => {
  const timers = new TimerQueues();
  const log: string[] = [];
  const dues: number[] = [];
  const expected: number[] = [];
  for (let i = 0; i < 5; i++) expected.push(timers.start(20, recorder(log, `t${i}`, dues), i));
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(log, ['t0:0', 't1:1', 't2:2', 't3:3', 't4:4']);
  t.same(dues, expected, 'onTimer gets the due time start() returned');
  for (const due of dues) t.ok(due <= performance.now(), 'not before it was due');
  timers.stop();
});

t.test('a shorter delay started later fires first; queues of different delays are independent', async (t) => {
  const timers = new TimerQueues();
  const log: string[] = [];
  timers.start(150, recorder(log, 'long'), 0);
  timers.start(10, recorder(log, 'short'), 0);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.same(log, ['short:0', 'long:0']);
  timers.stop();
});

t.test('a target that throws does not stop the timers behind it', async (t) => {
  const timers = new TimerQueues();
  const log: string[] = [];
  const thrown: unknown[] = [];
  const onUncaught = (err: unknown): void => void thrown.push(err);
  process.prependListener('uncaughtException', onUncaught);
  timers.start(10, { onTimer: () => { throw new Error('boom'); } }, 0);
  timers.start(10, recorder(log, 'after'), 1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  process.off('uncaughtException', onUncaught);
  t.same(log, ['after:1']);
  t.equal((thrown[0] as Error | undefined)?.message, 'boom', 'the error is still reported');
  timers.stop();
});

t.test('stop() drops every pending timer', async (t) => {
  const timers = new TimerQueues();
  const log: string[] = [];
  timers.start(20, recorder(log, 'a'), 0);
  timers.start(40, recorder(log, 'b'), 0);
  timers.stop();
  await new Promise((resolve) => setTimeout(resolve, 150));
  t.same(log, []);
});

t.test('many timers through one queue (compaction keeps order and fires all)', async (t) => {
  const timers = new TimerQueues();
  let fired = 0;
  let inOrder = true;
  const n = 10000;
  for (let i = 0; i < n; i++) {
    timers.start(5, { onTimer: (kind) => { inOrder &&= kind === fired; fired++; } }, i);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(fired, n);
  t.ok(inOrder, 'in start order');
  timers.stop();
});

t.test('a timer started from onTimer with the same delay fires once, a delay later', async (t) => {
  const timers = new TimerQueues();
  const log: string[] = [];
  let rounds = 0;
  const again: TimerTarget = {
    onTimer(kind) {
      log.push(`again:${kind}`);
      if (++rounds < 3) timers.start(15, again, kind + 1);
    },
  };
  timers.start(15, again, 0);
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.same(log, ['again:0', 'again:1', 'again:2'], 'each restart fired exactly once');
  timers.stop();
});

t.test('timers falling due every millisecond share wake-ups: at most one per 10 ms, none before its due time', async (t) => {
  const timers = new TimerQueues();
  const lateBy: number[] = [];
  const n = 120;
  const firstDue = timers.start(200, { onTimer: (_kind, due) => void lateBy.push(performance.now() - due) }, 0);
  // One more timer every millisecond of the loop (setTimeout 1), so they fall due ~1 ms apart.
  for (let i = 1; i < n; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    timers.start(200, { onTimer: (_kind, due) => void lateBy.push(performance.now() - due) }, i);
  }
  const lastDue = performance.now() + 200;
  await new Promise((resolve) => setTimeout(resolve, 450));
  t.equal(lateBy.length, n, 'every timer fired');
  t.ok(lateBy.every((late) => late >= 0), 'none before its due time');
  // Each wake-up after the first comes at least 10 ms after the one before, and the last one
  // is the first at or after the last due time.
  const bound = Math.floor((lastDue - firstDue) / 10) + 2;
  t.ok(timers.wakeups <= bound, `${timers.wakeups} wake-ups for ${n} timers over ${Math.round(lastDue - firstDue)} ms (at most ${bound})`);
  timers.stop();
});

t.test('a delay whose timers all fired leaves no queue behind (many distinct delays do not accumulate)', async (t) => {
  const timers = new TimerQueues();
  let fired = 0;
  const counter: TimerTarget = { onTimer: () => void fired++ };
  for (let delay = 1; delay <= 500; delay++) timers.start(delay, counter, 0);
  t.equal(timers.delayCount, 500, 'one queue per pending delay');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  t.equal(fired, 500);
  t.equal(timers.delayCount, 0, 'every emptied queue was removed');
  // A delay used again after its queue went gets a new one that fires.
  timers.start(7, counter, 0);
  t.equal(timers.delayCount, 1);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(fired, 501);
  t.equal(timers.delayCount, 0);
  timers.stop();
});

t.test('pending timers alone do not keep the process alive', async (t) => {
  // A child process with timers an hour out and nothing else open exits by itself; with a
  // referenced Node timer it would wait the hour (the parent kills it after a minute).
  const module = fileURLToPath(new URL('../../../engine/sip/transaction/timer-queue.js', import.meta.url));
  const code = `
    const { TimerQueues } = await import(${JSON.stringify(module)});
    const timers = new TimerQueues();
    const target = { onTimer: () => console.log('fired') };
    for (const delay of [32000, 600000, 3600000]) timers.start(delay, target, 0);
    console.log('armed');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  const killer = setTimeout(() => child.kill('SIGKILL'), 60000);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  clearTimeout(killer);
  t.equal(signal, null, 'the child exited by itself (not killed)');
  t.equal(exitCode, 0);
  t.equal(stdout.trim(), 'armed', 'its timers were armed and none fired');
});
