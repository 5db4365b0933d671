// Header and URI parameters (RFC 3261 §25.1 generic-param, §19.1.1 uri-parameter), in order,
// names lower-cased, a value-less parameter's value null.
//
// A flat [name, value, name, value, ...] array rather than a Map: every Via, From, To,
// Contact and URI of every message parsed or built has a parameter list, nearly always of one
// to three entries, for which a Map's hash table is about twice the memory and twice the time
// to build; scanning three names is also cheaper than hashing one. A bridged call allocates
// 4.6 % less for it (bench/RESULTS.md, tenth session).

export type ParamValue = string | null;

/** Where `name` sits in a flat name, value... array among its first `end` slots; -1 if absent. */
function nameIndex(items: readonly ParamValue[], end: number, name: string): number {
  for (let i = 0; i < end; i += 2) if (items[i] === name) return i;
  return -1;
}

export class Params implements Iterable<[string, ParamValue]> {
  /**
   * Takes `items`, a flat name, value, name, value... array with distinct names. A literal or
   * a slice is sized to fit; an array grown by push reserves 17 slots, more than a Map.
   */
  constructor(private readonly items: ParamValue[] = []) {}

  /** A list from name/value pairs; a repeated name keeps its first position and last value. */
  static from(entries: Iterable<readonly [string, ParamValue]>): Params {
    const params = new Params();
    for (const [name, value] of entries) params.set(name, value);
    return params;
  }

  get size(): number {
    return this.items.length >> 1;
  }

  private indexOf(name: string): number {
    return nameIndex(this.items, this.items.length, name);
  }

  /** The value, null for a parameter without one, undefined when absent. */
  get(name: string): ParamValue | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.items[i + 1];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  /** Replaces the value in place, or appends the parameter (as Map.set orders it). */
  set(name: string, value: ParamValue): this {
    const i = this.indexOf(name);
    if (i < 0) this.items.push(name, value);
    else this.items[i + 1] = value;
    return this;
  }

  delete(name: string): boolean {
    const i = this.indexOf(name);
    if (i < 0) return false;
    this.items.splice(i, 2);
    return true;
  }

  /** `formatOne` of each parameter, concatenated in order: the formatters' loop, without an iterator. */
  joined(formatOne: (name: string, value: ParamValue) => string): string {
    const items = this.items;
    let out = '';
    for (let i = 0; i < items.length; i += 2) out += formatOne(items[i] as string, items[i + 1]);
    return out;
  }

  *[Symbol.iterator](): IterableIterator<[string, ParamValue]> {
    const items = this.items;
    for (let i = 0; i < items.length; i += 2) yield [items[i] as string, items[i + 1]];
  }
}

/**
 * Collects a list while a scanner reads it, then hands it over sized to fit. A scanner owns
 * one and uses it for one list at a time: clear() before reading, take() once it is valid.
 * It counts instead of truncating its array (setting an array's length is a slow path), so
 * it keeps the last list's strings until the next one overwrites them: one message's at most.
 */
export class ParamsCollector {
  private readonly items: ParamValue[] = [];
  private count = 0;

  clear(): void {
    this.count = 0;
  }

  /** Adds a parameter; a repeated name keeps its first position and takes the last value. */
  add(name: string, value: ParamValue): void {
    const items = this.items;
    const at = nameIndex(items, this.count, name);
    if (at >= 0) {
      items[at + 1] = value;
      return;
    }
    items[this.count] = name;
    items[this.count + 1] = value;
    this.count += 2;
  }

  take(): Params {
    const it = this.items;
    const count = this.count;
    this.count = 0;
    // Array literals for the usual one to three parameters: about half the time of slice().
    switch (count) {
      case 0:
        return new Params();
      case 2:
        return new Params([it[0], it[1]]);
      case 4:
        return new Params([it[0], it[1], it[2], it[3]]);
      case 6:
        return new Params([it[0], it[1], it[2], it[3], it[4], it[5]]);
      default:
        return new Params(it.slice(0, count));
    }
  }
}
