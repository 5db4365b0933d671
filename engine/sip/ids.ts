// Identifiers the stack mints: branches, tags, Call-IDs. A random per-process prefix plus a
// counter is unique enough (RFC 3261 §8.1.1.7 asks for uniqueness, not secrecy) and cheap.
import { randomBytes } from 'node:crypto';

const prefix = randomBytes(6).toString('hex');
let counter = 0;

function next(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return prefix + counter.toString(36);
}

/** RFC 3261 §8.1.1.7: branches start with the magic cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

export function newBranch(): string {
  return MAGIC_COOKIE + next();
}

export function newTag(): string {
  return next();
}

export function newCallId(host: string): string {
  return next() + '@' + host;
}
