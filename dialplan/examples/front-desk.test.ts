// An example test for a dialplan, with the test kit: the dialplan file is loaded as the engine
// would load it, and a simulated caller calls it over real SIP on loopback.
//   npx tsc -p . && node scripts/run-tests.mjs examples
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startTestEngine } from '../testkit/index.js';
import { selectOutbound } from '../router.js';

// Compiled to dist/dialplan/examples/; the dialplan source stays in dialplan/examples/.
const DIALPLAN = fileURLToPath(new URL('../../../dialplan/examples/front-desk.ts', import.meta.url));

t.test('front desk', async (t) => {
  const kit = await startTestEngine({ dialplan: DIALPLAN });
  t.teardown(() => kit.stop());

  t.test('the line check answers, then hangs up with normal clearing', async (t) => {
    const caller = kit.call('check');
    await caller.answered;
    const outcome = await caller.ended;
    t.equal(outcome.kind, 'hungup-by-dialplan');
    t.match(outcome.kind === 'hungup-by-dialplan' ? outcome.reasonHeader : '', /cause=16/);
  });

  t.test('the old sales line rings, then says 404', async (t) => {
    const caller = kit.call('4000');
    t.match(await caller.ended, { kind: 'rejected', status: 404 });
    t.same(caller.provisionalStatuses, [180]);
  });

  t.test('anonymous callers are declined', async (t) => {
    t.match(await kit.call('desk', { from: 'sip:anonymous@anonymous.invalid' }).ended, { kind: 'rejected', status: 603 });
  });

  t.test('unknown numbers get 404', async (t) => {
    t.match(await kit.call('nobody').ended, { kind: 'rejected', status: 404 });
  });

  t.test('outbound numbers pick the carrier trunk in international format', async (t) => {
    const plan = kit.loader!.current!.dialplan;
    t.same(selectOutbound(plan.outbound!, '030123456'), { trunk: 'carrier', number: '+4930123456', route: 'local' });
    t.equal(selectOutbound(plan.outbound!, '1001'), null, 'extensions do not leave by a trunk');
  });
});
