// The indexed heap against a sorted-array model under random pushes, re-keys, deletes and pops.
import t from 'tap';
import { IndexedHeap } from '../../../engine/acd/indexed-heap.js';

t.test('random operations agree with a sorted model', async (t) => {
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const items = Array.from({ length: 200 }, (_, id) => ({ id, key: 0 }));
  const before = (a: { id: number; key: number }, b: { id: number; key: number }) => a.key < b.key || (a.key === b.key && a.id < b.id);
  const heap = new IndexedHeap(before);
  const model = new Set<(typeof items)[number]>();
  let mismatches = 0;
  for (let step = 0; step < 20_000; step++) {
    const item = items[rand(items.length)];
    const op = rand(4);
    if (op === 0 || op === 1) {
      item.key = rand(1000);
      heap.push(item); // a push of a present item re-keys it
      model.add(item);
    } else if (op === 2) {
      if (heap.delete(item) !== model.delete(item)) mismatches++;
    } else {
      const expected = [...model].sort((a, b) => (before(a, b) ? -1 : 1))[0];
      const got = heap.pop();
      if (got !== expected) mismatches++;
      if (expected) model.delete(expected);
    }
    if (heap.size !== model.size) mismatches++;
  }
  t.equal(mismatches, 0);
  t.equal(heap.has(items[0]), model.has(items[0]));
});
