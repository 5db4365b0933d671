// Route selection: first match wins, every condition of a match must hold, the default catches the rest.
import t from 'tap';
import { DialplanError, defineDialplan, selectOutbound, selectRoute, type CallInfo } from '../../../dialplan/index.js';

function info(o: { number?: string; to?: string; from?: string; headers?: Record<string, string> }): CallInfo {
  const headers = new Map(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    callId: 'c1',
    number: o.number ?? '',
    requestUri: `sip:${o.number ?? ''}@127.0.0.1`,
    from: { uri: `sip:${o.from ?? ''}@127.0.0.1`, user: o.from ?? '' },
    to: { uri: `sip:${o.to ?? ''}@127.0.0.1`, user: o.to ?? '' },
    header: (name) => headers.get(name.toLowerCase()),
    headers: (name) => (headers.has(name.toLowerCase()) ? [headers.get(name.toLowerCase())!] : []),
    source: { address: '127.0.0.1', port: 5060, protocol: 'udp' },
  };
}

const noop = async (): Promise<void> => undefined;
const plan = defineDialplan({
  routes: [
    { name: 'vip', match: { from: /^1\d{3}$/, headers: { 'X-Priority': 'high' } }, handler: noop },
    { name: 'sales', match: { number: 'sales' }, handler: noop },
    { name: 'sales-again', match: { number: 'sales' }, handler: noop },
    { name: 'to-support', match: { to: (u) => u.startsWith('support') }, handler: noop },
    { name: 'tenant', match: { headers: { 'x-tenant': /^acme$/i } }, handler: noop },
    { name: 'predicate', match: (i) => i.number.length === 9 && i.number.startsWith('9'), handler: noop },
    { name: 'when', match: { number: /^\d+$/g, when: (i) => i.source.protocol === 'udp' }, handler: noop },
  ],
  default: noop,
  outbound: [
    { name: 'local', match: /^0\d+$/, trunk: 'city', rewrite: (n) => `+4930${n.slice(1)}` },
    { match: /^\+/, trunk: 'intl' },
  ],
});

t.test('inbound: first match wins, conditions combine, default last', async (t) => {
  t.equal(selectRoute(plan, info({ number: 'sales' }))?.name, 'sales', 'by Request-URI user, first of two matching routes');
  t.equal(selectRoute(plan, info({ number: 'sales', from: '1001', headers: { 'X-Priority': 'high' } }))?.name, 'vip', 'From and a header together');
  t.equal(selectRoute(plan, info({ number: 'sales', from: '1001' }))?.name, 'sales', 'a missing header fails the match');
  t.equal(selectRoute(plan, info({ number: 'x', to: 'support-2' }))?.name, 'to-support', 'To by function');
  t.equal(selectRoute(plan, info({ number: 'x', headers: { 'X-TENANT': 'ACME' } }))?.name, 'tenant', 'header names case-insensitive');
  t.equal(selectRoute(plan, info({ number: '912345678' }))?.name, 'predicate', 'a predicate route');
  t.equal(selectRoute(plan, info({ number: '1234' }))?.name, 'when', 'a global regexp matches every time');
  t.equal(selectRoute(plan, info({ number: '1234' }))?.name, 'when', '...and again');
  t.equal(selectRoute(plan, info({ number: 'nothing' }))?.name, 'default', 'the default route');
  t.equal(selectRoute(defineDialplan({ routes: [] }), info({ number: 'x' })), null, 'no default: null');
});

t.test('outbound: number to trunk, with rewrite', async (t) => {
  t.same(selectOutbound(plan.outbound!, '0123456'), { trunk: 'city', number: '+4930123456', route: 'local' });
  t.same(selectOutbound(plan.outbound!, '+441234'), { trunk: 'intl', number: '+441234', route: 'outbound[1]' });
  t.equal(selectOutbound(plan.outbound!, '1001'), null);
});

t.test('defineDialplan rejects a malformed dialplan with a clear message', async (t) => {
  const bad = (d: unknown, msg: RegExp): void => {
    let error: unknown;
    try {
      defineDialplan(d as never);
    } catch (e) {
      error = e;
    }
    t.type(error, DialplanError);
    t.equal((error as DialplanError).code, 'invalid-dialplan');
    t.match((error as Error).message, msg);
  };
  bad({}, /routes` must be an array/);
  bad({ routes: [{ match: { number: 'x' } }] }, /routes\[0\]\.handler must be a function/);
  bad({ routes: [{ name: 'n', match: { number: 5 }, handler: noop }] }, /routes\[0\] \(n\)\.match\.number/);
  bad({ routes: [{ match: { headers: { a: 1 } }, handler: noop }] }, /match\.headers\["a"\]/);
  bad({ routes: [], default: 'x' }, /default/);
  bad({ routes: [], outbound: [{ match: /x/ }] }, /outbound\[0\]\.trunk/);
});
