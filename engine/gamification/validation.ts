// Reads an untrusted JSON object (an admin's achievement, quest or alert rule) field by field,
// collecting every problem, so one 400 answer names all of them (AcdError 'invalid').
import { AcdError } from '../acd/index.js';

export class ValidationError extends AcdError {
  constructor(readonly problems: string[]) {
    super('invalid', problems.join('; '));
  }
}

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export class Checker {
  readonly problems: string[] = [];
  private readonly obj: Record<string, unknown>;
  private readonly isObject: boolean;

  constructor(
    value: unknown,
    private readonly what: string,
  ) {
    this.isObject = value !== null && typeof value === 'object' && !Array.isArray(value);
    this.obj = this.isObject ? (value as Record<string, unknown>) : {};
    if (!this.isObject) this.problems.push(`${what} must be a JSON object`);
  }

  /** Records a problem; not-an-object is the only one said about a value that is not an object. */
  problem(message: string): void {
    if (this.isObject) this.problems.push(message);
  }

  field(name: string): unknown {
    return this.obj[name];
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  private path(name: string): string {
    return `${this.what}.${name}`;
  }

  id(value: string): string {
    if (!ID.test(value)) this.problem(`the id "${value}" must be 1-64 of a-z, 0-9, _ and -, starting with a letter or digit`);
    return value;
  }

  text(name: string, max: number): string {
    const v = this.obj[name];
    if (typeof v !== 'string' || v.trim() === '' || v.length > max) this.problem(`${this.path(name)} must be a non-empty string of at most ${max} characters`);
    return typeof v === 'string' ? v : '';
  }

  optionalText(name: string, max: number): string | undefined {
    return this.obj[name] === undefined ? undefined : this.text(name, max);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const v = this.obj[name];
    if (v === undefined && fallback !== undefined) return fallback;
    if (!allowed.includes(v as T)) this.problem(`${this.path(name)} must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  number(name: string, { min = -Infinity, max = Infinity, fallback }: { min?: number; max?: number; fallback?: number } = {}): number {
    const v = this.obj[name];
    if (v === undefined && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.problem(`${this.path(name)} must be a number${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` ≤ ${max}` : ''}`);
      return 0;
    }
    return v;
  }

  boolean(name: string, fallback: boolean): boolean {
    const v = this.obj[name];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') this.problem(`${this.path(name)} must be true or false`);
    return v === true;
  }

  array(name: string, { min = 0, max = 100 }: { min?: number; max?: number } = {}): unknown[] {
    const v = this.obj[name];
    if (v === undefined && min === 0) return [];
    if (!Array.isArray(v) || v.length < min || v.length > max) {
      this.problem(`${this.path(name)} must be an array of ${min} to ${max} items`);
      return [];
    }
    return v;
  }

  /** Takes over the problems of a nested object's checker. */
  absorb(nested: Checker): void {
    this.problems.push(...nested.problems);
  }

  /** Throws if anything was wrong. */
  done(): void {
    if (this.problems.length) throw new ValidationError(this.problems);
  }
}

export const check = (value: unknown, what: string) => new Checker(value, what);
