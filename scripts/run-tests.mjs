// Runs every compiled test file under tap and ends with the line "N passed, N failed",
// so a run that executed nothing is visible at a glance. Exit code follows tap's.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
// Example dialplan tests live beside the examples (dialplan/examples).
let files = [...findTests('dist/test'), ...findTests('dist/dialplan')].sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  // tap given no file would discover and run every test on its own.
  console.log(`no compiled test file matches ${filters.join(' ')}\n0 passed, 0 failed`);
  process.exit(1);
}

const tap = spawn(
  'npx',
  ['tap', '--disable-coverage', '--reporter=tap', '--timeout=300', '--jobs=2', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
let tail = '';
tap.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4096);
});
tap.on('close', (code) => {
  const m = /# \{ total: (\d+)(?:, pass: (\d+))?(?:, fail: (\d+))?/.exec(tail);
  const total = m ? Number(m[1]) : 0;
  const pass = m && m[2] ? Number(m[2]) : 0;
  const fail = m && m[3] ? Number(m[3]) : total - pass;
  console.log(`${pass} passed, ${fail} failed`);
  process.exit(code === 0 && total > 0 ? 0 : 1);
});
