// The engine's nice value: from the environment, and applied to every thread of the process,
// those that exist and those started after (read back from /proc/self/task/*/stat).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadConfig } from '../../engine/config.js';
import { setEventLoopRealtime, setNice } from '../../engine/process-priority.js';
import { loadAddon } from '../../media/native.js';

t.test('SWITCHYARD_NICE', async (t) => {
  t.equal(loadConfig({}).nice, 0, 'left as started unless asked');
  t.equal(loadConfig({ SWITCHYARD_NICE: '-10' }).nice, -10);
  t.throws(() => loadConfig({ SWITCHYARD_NICE: '-21' }), /SWITCHYARD_NICE must be an integer from -20 to 19, got "-21"/);
  t.throws(() => loadConfig({ SWITCHYARD_NICE: 'high' }), /SWITCHYARD_NICE must be an integer/);
  t.throws(() => setNice(2.5), RangeError);
});

t.test('SWITCHYARD_SIP_RT_PRIORITY', async (t) => {
  t.equal(loadConfig({}).sip.realtimePriority, 0, 'ordinary scheduling unless asked');
  t.equal(loadConfig({ SWITCHYARD_SIP_RT_PRIORITY: '10' }).sip.realtimePriority, 10);
  t.throws(() => loadConfig({ SWITCHYARD_SIP_RT_PRIORITY: '100' }), /SWITCHYARD_SIP_RT_PRIORITY must be an integer from 0 to 99, got "100"/);
  t.throws(() => loadConfig({ SWITCHYARD_SIP_RT_PRIORITY: '1.5' }), /SWITCHYARD_SIP_RT_PRIORITY must be an integer/);
  t.throws(() => setEventLoopRealtime(0), /a real-time priority is an integer from 1 to 99, got 0/);
  const { setEventLoopRealtime: native } = loadAddon() as unknown as { setEventLoopRealtime: (p: unknown) => unknown };
  t.throws(() => native('10'), TypeError, 'the addon checks its argument too');
  t.throws(() => native(100), RangeError);
});

// Run in a child: raising one's own nice value is always allowed and cannot be undone without
// privilege, so not in the test runner. It prints every thread's nice (field 19 of stat)
// after setNice(7), then again after starting a worker thread, then the worker's own threads.
const child = `
  import { readdirSync, readFileSync } from 'node:fs';
  import { Worker } from 'node:worker_threads';
  const { setNice } = await import(${JSON.stringify(fileURLToPath(new URL('../../engine/process-priority.js', import.meta.url)))});
  const nices = () => readdirSync('/proc/self/task').map((tid) => Number(readFileSync('/proc/self/task/' + tid + '/stat', 'utf8').split(') ')[1].split(' ')[16]));
  const refused = setNice(7);
  const before = nices();
  const worker = new Worker('setTimeout(() => {}, 200)', { eval: true });
  await new Promise((resolve) => worker.once('online', resolve));
  console.log(JSON.stringify({ refused, before, after: nices() }));
  await worker.terminate();
`;

t.test('every thread takes the nice value, and threads started later inherit it', { skip: process.platform !== 'linux' && 'needs /proc' }, async (t) => {
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' })) as { refused?: string; before: number[]; after: number[] };
  t.equal(out.refused, undefined);
  t.ok(out.before.length >= 4, `V8's and libuv's threads are there already (${out.before.length})`);
  t.same(new Set(out.before), new Set([7]), 'every existing thread');
  t.ok(out.after.length > out.before.length, 'the worker added threads');
  t.same(new Set(out.after), new Set([7]), 'and they have it too');
});

t.test('a nice value and a real-time priority from the config file are checked too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nice-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ nice: 30 }));
  t.throws(() => loadConfig({ SWITCHYARD_CONFIG: file }), /nice must be an integer from -20 to 19, got 30/);
  writeFileSync(file, JSON.stringify({ nice: 5, sip: { realtimePriority: -1 } }));
  t.throws(() => loadConfig({ SWITCHYARD_CONFIG: file }), /sip.realtimePriority must be an integer from 0 to 99, got -1/);
  writeFileSync(file, JSON.stringify({ nice: 5, sip: { realtimePriority: 12 } }));
  t.equal(loadConfig({ SWITCHYARD_CONFIG: file }).nice, 5);
  t.equal(loadConfig({ SWITCHYARD_CONFIG: file }).sip.realtimePriority, 12);
  t.equal(loadConfig({ SWITCHYARD_CONFIG: file, SWITCHYARD_NICE: '-3' }).nice, -3, 'the environment wins');
  rmSync(dir, { recursive: true });
});
