// Prompt templates: "your order {{order}} ships on {{date}}" filled from the call's variables.
// A placeholder without a value is an error, not an empty word in the middle of a sentence.
import { DialplanError } from '../errors.js';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.]*)\s*\}\}/g;

export function fillTemplate(text: string, vars: Record<string, unknown>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = vars[name];
    if (value === undefined || value === null) throw new DialplanError('invalid-argument', `prompt "${text}": no variable "${name}"`);
    return String(value);
  });
}

/** The placeholders a template uses (to check a request's variables before calling anyone). */
export function templateNames(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}
