// Dialplans as .ts files: loaded, edited on disk while the engine runs (the next call uses the
// new version, a call in progress keeps its own), broken edits rejected with file and line.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { DialplanError } from '../../../dialplan/index.js';
import { startTestEngine } from '../../../dialplan/testkit/index.js';

/** A dialplan whose `busy` route hangs up with `status`, after `pauseMs` of ringing. */
function source(status: number, pauseMs = 0): string {
  return `import { defineDialplan, type Call } from 'switchyard/dialplan';
import { ringFor } from './helpers.ts';

export default defineDialplan({
  routes: [
    {
      match: { number: 'version' },
      handler: async (call: Call) => {
        await ringFor(call, ${pauseMs});
        await call.hangup(${status});
      },
    },
  ],
});
`;
}

const HELPERS = `import type { Call } from 'switchyard/dialplan';
export async function ringFor(call: Call, ms: number): Promise<void> {
  await call.ring();
  if (ms > 0) await call.pause(ms);
}
`;

t.test('hot reload of a dialplan folder', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dialplan-src-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const entry = join(dir, 'main.ts');
  await writeFile(join(dir, 'helpers.ts'), HELPERS);
  await writeFile(entry, source(486, 1500));
  const kit = await startTestEngine({ dialplan: entry });
  t.teardown(() => kit.stop());
  const loader = kit.loader!;
  const nextLoad = () => new Promise<number>((resolve) => loader.once('loaded', (l) => resolve(l.version)));
  const nextError = () => new Promise<DialplanError>((resolve) => loader.once('error', resolve));

  t.equal(loader.current?.version, 1);
  const long = kit.call('version');
  await long.waitProvisional(180);

  let loaded = nextLoad();
  await writeFile(entry, source(603));
  t.equal(await loaded, 2, 'the edit is loaded as version 2');
  t.match(await kit.call('version').ended, { kind: 'rejected', status: 603 }, 'the next call uses the new version');
  t.match(await long.ended, { kind: 'rejected', status: 486 }, 'the call in progress finished on the old version');

  let failed = nextError();
  await writeFile(entry, source(600).replace('await call.hangup(600);', 'await call.hangup(600;'));
  let error = await failed;
  t.match(error.message, new RegExp(`${entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:10:\\d+: `), 'syntax error reported with file and line');
  t.match(await kit.call('version').ended, { kind: 'rejected', status: 603 }, 'the previous version keeps serving');

  failed = nextError();
  await writeFile(entry, `${source(600)}\nthrow new Error('top-level failure');\n`);
  error = await failed;
  t.match(error.message, /top-level failure/);
  t.match(error.message, /main\.ts:16:\d+/, 'a load-time exception points at the .ts line');

  failed = nextError();
  await writeFile(entry, 'export default { routes: [] };\n');
  t.match((await failed).message, /default export must be defineDialplan/);
  t.equal(loader.current?.version, 2, 'still on version 2');

  loaded = nextLoad();
  await writeFile(join(dir, 'helpers.ts'), HELPERS.replace('await call.ring();', 'await call.ring({ earlyMedia: true });'));
  await writeFile(entry, source(480));
  await loaded;
  const caller = kit.call('version');
  t.match(await caller.ended, { kind: 'rejected', status: 480 });
  t.same(caller.provisionalStatuses, [183], 'an edit to an imported file is picked up too');
});
