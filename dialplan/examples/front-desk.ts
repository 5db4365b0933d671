// An example dialplan: a small company's front desk. Load it with
// SWITCHYARD_DIALPLAN=dialplan/examples/front-desk.ts; edit it while the engine runs.
import { defineDialplan, type Call } from 'switchyard/dialplan';

/** Call variables this dialplan keeps per call. */
interface Vars extends Record<string, unknown> {
  route: string;
  vip: boolean;
}

/** The menu: a greeting, then a spoken or keyed choice (needs the media core's DTMF and playback). */
async function menu(call: Call<Vars>): Promise<void> {
  await call.answer();
  await call.say('Welcome to Switchyard. Say sales or support, or press 1 or 2.');
  const choice = await call.gather({ maxDigits: 1, timeout: 5000, speech: { phrases: ['sales', 'support'] } });
  const wanted = choice.digits === '1' || choice.speech?.phrase === 'sales' ? 'sales' : 'support';
  await call.enqueue(wanted, { priority: call.vars.vip ? 10 : 0 });
}

export default defineDialplan<Vars>({
  variables: () => ({ route: '', vip: false }),
  routes: [
    // Withheld numbers are turned away before anything else.
    { name: 'anonymous', match: { from: /^anonymous$/i }, handler: (call) => call.hangup('rejected') },
    // Partners' PBXs mark their calls; they get the menu with priority.
    {
      name: 'partner',
      match: { number: 'desk', headers: { 'X-Partner': /^[a-z0-9-]+$/i } },
      handler: async (call) => {
        call.vars.vip = true;
        await menu(call);
      },
    },
    { name: 'desk', match: { number: 'desk' }, handler: menu },
    // The old sales line rings, then tells the caller it is out of service.
    {
      name: 'old-sales',
      match: { number: /^(sales|4000)$/ },
      handler: async (call) => {
        await call.ring();
        await call.pause(300);
        await call.hangup('not-found');
      },
    },
    // A line for checking that calls get through: answer, a moment of silence, goodbye.
    {
      name: 'line-check',
      match: (info) => info.number === 'check' && info.source.protocol === 'udp',
      handler: async (call) => {
        await call.answer();
        await call.pause(200);
        await call.hangup();
      },
    },
  ],
  default: (call) => call.hangup('not-found'),
  outbound: [
    // Local numbers leave by the carrier trunk in international format.
    { name: 'local', match: /^0[1-9]\d+$/, trunk: 'carrier', rewrite: (n) => `+49${n.slice(1)}` },
    { name: 'international', match: /^\+\d+$/, trunk: 'carrier' },
  ],
});
