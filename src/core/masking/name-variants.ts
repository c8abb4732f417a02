// Owns the spellings of a person's full name that people and mail programs write: "John Smith",
// "Smith, John" (Exchange), "Smith John", vCard's "Smith;John", with a middle name or without,
// and a department in parentheses dropped ("Smith, John (Customer Service)"). Returned folded
// (see fold.ts), so whitespace, case, accents and Unicode form no longer matter.
import { foldString } from './fold.js';

/** Folded spellings of a full name; empty when the name is a single word (a first name alone). */
export function nameVariants(name: string): string[] {
  const clean = foldString(name.replace(/\([^)]{0,200}\)/g, ' ').replace(/["<>]/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  let first: string[];
  let last: string[];
  const comma = clean.indexOf(',');
  if (comma >= 0) {
    last = clean.slice(0, comma).trim().split(' ').filter(Boolean);
    first = clean
      .slice(comma + 1)
      .trim()
      .split(' ')
      .filter(Boolean);
  } else {
    const words = clean.split(' ').filter(Boolean);
    last = words.slice(-1);
    first = words.slice(0, -1);
  }
  if (first.length === 0 || last.length === 0) return [];
  const out = new Set<string>();
  const firsts = new Set([first.join(' '), first[0] as string]);
  const l = last.join(' ');
  for (const f of firsts) {
    if (f.length + l.length < 4) continue;
    out.add(`${f} ${l}`);
    out.add(`${l}, ${f}`);
    out.add(`${l},${f}`);
    out.add(`${l} ${f}`);
    out.add(`${l};${f}`);
  }
  return [...out];
}
