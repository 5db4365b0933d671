// Params: the ordered parameter list of Via, From, To, Contact and URIs.
import t from 'tap';
import { Params } from '../../../engine/sip/params.js';
import { parseNameAddr, parseVia } from '../../../engine/sip/headers.js';

t.test('keeps order, tells a value-less parameter from an absent one', async (t) => {
  const p = Params.from([['branch', 'z9hG4bK-1'], ['rport', null], ['x', '']]);
  t.equal(p.size, 3);
  t.equal(p.get('branch'), 'z9hG4bK-1');
  t.equal(p.get('rport'), null);
  t.equal(p.get('x'), '');
  t.equal(p.get('received'), undefined);
  t.ok(p.has('rport'));
  t.notOk(p.has('received'));
  t.same([...p], [['branch', 'z9hG4bK-1'], ['rport', null], ['x', '']]);
});

t.test('set replaces in place and appends new names last, as Map.set does', async (t) => {
  const p = Params.from([['a', '1'], ['b', null]]);
  t.equal(p.set('a', '2'), p, 'chains');
  p.set('c', '3');
  t.same([...p], [['a', '2'], ['b', null], ['c', '3']]);
  t.same([...p], [...new Map([['a', '1'], ['b', null], ['c', '3']]).set('a', '2')]);
});

t.test('a repeated name in the input keeps its first position and last value', async (t) => {
  t.same([...Params.from([['tag', 'x'], ['q', '1'], ['tag', 'y']])], [['tag', 'y'], ['q', '1']]);
  t.same([...parseNameAddr('<sip:a@127.0.0.1>;tag=x;q=1;tag=y')!.params], [['tag', 'y'], ['q', '1']]);
});

t.test('delete', async (t) => {
  const p = Params.from([['a', '1'], ['b', '2'], ['c', null]]);
  t.equal(p.delete('b'), true);
  t.equal(p.delete('b'), false);
  t.same([...p], [['a', '1'], ['c', null]]);
  t.equal(p.size, 2);
  p.delete('a');
  p.delete('c');
  t.equal(p.size, 0);
  t.same([...p], []);
});

t.test('joined concatenates one formatted piece per parameter', async (t) => {
  const p = Params.from([['lr', null], ['transport', 'tcp']]);
  t.equal(p.joined((name, value) => `;${name}${value === null ? '' : '=' + value}`), ';lr;transport=tcp');
  t.equal(new Params().joined(() => 'never'), '');
});

t.test('a stamped Via keeps its parameters in order', async (t) => {
  const via = parseVia('SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-p;rport')!;
  via.params.set('received', '127.0.0.2').set('rport', '5071');
  t.same([...via.params], [['branch', 'z9hG4bK-p'], ['rport', '5071'], ['received', '127.0.0.2']]);
});

t.test('a list that failed half-way leaves nothing behind for the next one', async (t) => {
  t.equal(parseVia('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-bad;x=;'), null);
  t.same([...parseVia('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK-good')!.params], [['branch', 'z9hG4bK-good']]);
  t.equal(parseNameAddr('<sip:a@127.0.0.1;user=phone;lr=>;tag=1'), null);
  const na = parseNameAddr('<sip:b@127.0.0.1;transport=tcp>;tag=2')!;
  t.same([...(na.uri as { params: Params }).params], [['transport', 'tcp']]);
  t.same([...na.params], [['tag', '2']]);
});
