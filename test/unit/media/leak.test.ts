// `npm test` runs the addon's leak check (scripts/leak-check.sh): an AddressSanitizer build
// of the addon under node, many engines/endpoints/mixers created, used and closed; no leak
// allocated by the addon, no memory error, every port free afterwards.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';

const libasan = spawnSync('g++', ['-print-file-name=libasan.so'], { encoding: 'utf8' }).stdout?.trim() ?? '';
const skip = existsSync(libasan) ? false : `cannot build with AddressSanitizer: g++ has no libasan.so (${libasan || 'no g++'})`;
if (skip) console.log(`# leak check skipped: ${skip}`);

t.test('closing everything returns memory and ports (AddressSanitizer/LeakSanitizer)', { skip }, async (t) => {
  const run = spawnSync('bash', ['scripts/leak-check.sh'], { encoding: 'utf8', timeout: 280000 });
  const output = `${run.stdout}${run.stderr}`;
  t.equal(run.status, 0, output.slice(-4000));
  t.match(run.stdout, /leak check: no leaks from the addon/);
  t.match(run.stdout, /all free/, 'every RTP and RTCP port of the range bindable again');
});
