// A binary min-heap that knows where each item sits, so an item can be removed or re-keyed
// in O(log n). The ACD keeps its available agents and waiting calls in these instead of
// sorting on every routing decision (issue 5: distribution is O(log n) in agents).
export class IndexedHeap<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<T, number>();

  /** `before(a, b)` is true when a must come out before b. */
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.index.has(item);
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds the item, or moves it to its new place if its key changed while inside. */
  push(item: T): void {
    const at = this.index.get(item);
    if (at !== undefined) {
      this.fix(at);
      return;
    }
    this.items.push(item);
    this.index.set(item, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.delete(top);
    return top;
  }

  delete(item: T): boolean {
    const at = this.index.get(item);
    if (at === undefined) return false;
    const last = this.items.pop() as T;
    this.index.delete(item);
    if (at < this.items.length) {
      this.items[at] = last;
      this.index.set(last, at);
      this.fix(at);
    }
    return true;
  }

  /** Unordered snapshot (for listings, not for routing). */
  values(): readonly T[] {
    return this.items;
  }

  private fix(at: number): void {
    if (at > 0 && this.before(this.items[at], this.items[(at - 1) >> 1])) this.up(at);
    else this.down(at);
  }

  private up(at: number): void {
    const item = this.items[at];
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.before(item, this.items[parent])) break;
      this.place(this.items[parent], at);
      at = parent;
    }
    this.place(item, at);
  }

  private down(at: number): void {
    const item = this.items[at];
    const n = this.items.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && this.before(this.items[child + 1], this.items[child])) child++;
      if (!this.before(this.items[child], item)) break;
      this.place(this.items[child], at);
      at = child;
    }
    this.place(item, at);
  }

  private place(item: T, at: number): void {
    this.items[at] = item;
    this.index.set(item, at);
  }
}
