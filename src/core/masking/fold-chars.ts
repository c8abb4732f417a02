// Owns how one character reads in the fold (fold.ts): whitespace, invisible and control characters,
// the folded form (foldChar) and the plain form (plainChar) of any other, and the tables of the
// Basic Multilingual Plane's readings filled as characters are met (readingOf).
import { isAsciiSpace } from './fold-ascii.js';

export const isSpace = (c: number) =>
  isAsciiSpace(c) ||
  c === 0xa0 ||
  c === 0x85 ||
  c === 0x1680 ||
  (c >= 0x2000 && c <= 0x200a) ||
  c === 0x2028 ||
  c === 0x2029 ||
  c === 0x202f ||
  c === 0x205f ||
  c === 0x3000 ||
  c === 0x2800;
export const isInvisible = (c: number) =>
  c === 0xad ||
  (c >= 0x200b && c <= 0x200d) ||
  c === 0x2060 ||
  c === 0xfeff ||
  c === 0x180e ||
  (c >= 0xfff9 && c <= 0xfffb) ||
  (c >= 0x80 && c <= 0x9f && c !== 0x85);
/** ASCII control characters other than whitespace: nothing a reader sees (C1 controls are isInvisible). */
export const isControl = (c: number) => c <= 0x08 || (c >= 0x0e && c <= 0x1f) || c === 0x7f;
/**
 * Every character Unicode says a reader never sees (Default_Ignorable_Code_Point: direction marks
 * and overrides, isolates, invisible operators, tag characters, Hangul fillers, variation
 * selectors…), so none of them can split a word or an address the filters look for.
 */
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;

const foldCache = new Map<string, string>();

/** One character (a code point) folded: NFD, marks dropped, lowercase, ß → ss, fullwidth ＠ → @. */
export function foldChar(ch: string): string {
  const cached = foldCache.get(ch);
  if (cached !== undefined) return cached;
  const folded = IGNORABLE.test(ch) ? '' : ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss').normalize('NFC');
  if (foldCache.size < 10_000) foldCache.set(ch, folded);
  return folded;
}

const nfkcCache = new Map<string, string>();

/** One character as a reader sees it: NFKC (fullwidth ｈ → h), case and accents kept. */
export function plainChar(ch: string): string {
  const cached = nfkcCache.get(ch);
  if (cached !== undefined) return cached;
  const plain = IGNORABLE.test(ch) ? '' : ch.normalize('NFKC');
  if (nfkcCache.size < 10_000) nfkcCache.set(ch, plain);
  return plain;
}

// How each character of the Basic Multilingual Plane reads, filled as characters are met (one
// table per reading): 0 not known yet, 1 + the unit it reads as, or one of these.
export const SPACE = -1;
export const NOTHING = -2;
export const MORE = -3; // several units (ß → ss, ﬃ → ffi): read with foldChar / plainChar
const FOLDED_READING = new Int32Array(0x10000);
const PLAIN_READING = new Int32Array(0x10000);

/** How a BMP unit at or above U+0080 (not a surrogate) reads: see FOLDED_READING. */
export function readingOf(c: number, plain: boolean): number {
  const table = plain ? PLAIN_READING : FOLDED_READING;
  let v = table[c] as number;
  if (v === 0) {
    if (isSpace(c)) v = SPACE;
    else if (isInvisible(c)) v = NOTHING;
    else {
      const ch = String.fromCharCode(c);
      const r = plain ? plainChar(ch) : foldChar(ch);
      v = r.length === 0 ? NOTHING : r.length === 1 ? 1 + r.charCodeAt(0) : MORE;
    }
    table[c] = v;
  }
  return v;
}
