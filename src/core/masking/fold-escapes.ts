// Owns the escapes the fold (fold.ts) decodes: HTML character references (named, as browsers read
// them, through `entities`, and numeric) and percent-escapes of UTF-8, and escapes read again inside
// escapes (nestedAt), each looked at a bounded distance ahead so hostile text stays linear.
import { decodeHTMLStrict } from 'entities';

// Named references read without `entities` (the ones an address or a name is spelled with).
const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  commat: '@',
  period: '.',
  hyphen: '-',
  dash: '-',
  lowbar: '_',
  plus: '+',
  num: '#',
  percnt: '%',
  excl: '!',
  equals: '=',
  colon: ':',
  semi: ';',
  comma: ',',
  sol: '/',
  shy: '',
  zwj: '',
  zwnj: '',
};

const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/** Where the next `;` at or after a position is (entityAt only asks up to 33 characters ahead). */
export interface Semis {
  from(at: number): number;
}

/** The next `;` within 32 characters, for a look ahead of the fold's scan (NextOf must only grow). */
function nearSemis(src: string): Semis {
  return {
    from(at: number): number {
      const k = src.slice(at, at + 32).indexOf(';');
      return k < 0 ? -1 : at + k;
    },
  };
}

/**
 * The next place of a needle at or after a position, for positions that only grow (the fold's
 * scan): an answer still ahead is reused, so a hostile text (1 MiB of `&` or of `<a` with no `;` or
 * `>` after it) is searched once, not once per character.
 */
export class NextOf implements Semis {
  private found = -2;
  constructor(
    private readonly src: string,
    private readonly needle: string,
  ) {}
  from(at: number): number {
    if (this.found === -1 || this.found >= at) return this.found;
    this.found = this.src.indexOf(this.needle, at);
    return this.found;
  }
}

/**
 * The numeric character reference at i as HTML5 reads it, in text and in attribute values alike:
 * `&#` and decimal digits or `&#x` and hex digits, its `;` optional (`anna&#64shop.example` shows
 * `anna@shop.example`: a parse error, but the character is shown) and leading zeros allowed
 * (`&#00064;`); 0, a surrogate or a value past U+10FFFF read as U+FFFD, 128-159 as Windows-1252.
 * [text, length in the source], or null. Reads at most NUMERIC_DIGITS digits (an escape is read
 * at most 34 units ahead): a longer run is left as it is.
 */
function numericAt(src: string, i: number): [string, number] | null {
  if (src.charCodeAt(i + 1) !== 0x23) return null;
  const hex = (src.charCodeAt(i + 2) | 0x20) === 0x78;
  const from = i + (hex ? 3 : 2);
  let k = from;
  let value = 0;
  for (; k < from + NUMERIC_DIGITS; k++) {
    const c = src.charCodeAt(k);
    const d = hex ? hexValue(c) : c >= 0x30 && c <= 0x39 ? c - 0x30 : -1;
    if (d < 0) break;
    value = Math.min(value * (hex ? 16 : 10) + d, 0x110000);
  }
  if (k === from || k === from + NUMERIC_DIGITS) return null;
  return [decodeHTMLStrict(`&#${value};`), (src.charCodeAt(k) === 0x3b ? k + 1 : k) - i];
}

/** The most digits numericAt reads: `&#x`, 30 digits and `;` are 34 units. */
const NUMERIC_DIGITS = 30;

/** Decodes `&…;` at i: [decoded text, length in the source], or null. `semis` finds the next `;`. */
export function entityAt(src: string, i: number, semis: Semis): [string, number] | null {
  if (src.charCodeAt(i + 1) === 0x23) return numericAt(src, i);
  const semi = semis.from(i + 2);
  // The longest HTML5 entity name is 31 characters (&CounterClockwiseContourIntegral;).
  if (semi < 0 || semi - i > 33) return null;
  const body = src.slice(i + 1, semi);
  const named = NAMED[body.toLowerCase()];
  if (named !== undefined) return [named, semi + 1 - i];
  if (!/^(#[0-9]{1,7}|#x[0-9a-f]{1,6}|[a-z][a-z0-9]{1,31})$/i.test(body)) return null;
  const whole = src.slice(i, semi + 1);
  const decoded = decodeHTMLStrict(whole);
  return decoded === whole ? null : [decoded, semi + 1 - i];
}

/** The byte of the `%XX` at k, or a negative number. */
const escapedByte = (src: string, k: number) => (src.charCodeAt(k) === 0x25 ? hexValue(src.charCodeAt(k + 1)) * 16 + hexValue(src.charCodeAt(k + 2)) : -1);

/** Decodes a run of `%XX` escapes at i as UTF-8 (one character): [text, length], or null. */
export function percentAt(src: string, i: number): [string, number] | null {
  const hi = hexValue(src.charCodeAt(i + 1));
  const lo = hexValue(src.charCodeAt(i + 2));
  if (hi < 0 || lo < 0) return null;
  const first = hi * 16 + lo;
  if (first < 0x80) return [String.fromCharCode(first), 3];
  const extra = first >= 0xf0 ? 3 : first >= 0xe0 ? 2 : first >= 0xc0 ? 1 : -1;
  if (extra < 0) return null;
  let cp = first & (0x3f >> extra);
  for (let k = 1; k <= extra; k++) {
    const b = escapedByte(src, i + 3 * k);
    if (b < 0x80 || b > 0xbf) return null;
    cp = (cp << 6) | (b & 0x3f);
  }
  return cp > 0x10ffff ? null : [String.fromCodePoint(cp), 3 * (extra + 1)];
}

// How many times escapes are read again inside escapes (a program that unescapes a text nine
// times), and which units can continue an escape: hex digits and `%` (a percent-escaped UTF-8
// character is at most 12 units, %F0%9F%98%80), an entity's letters, digits and `#` (at most 34).
const NEST = 8;
const isHex = (c: number) => hexValue(c) >= 0;
const isEntityChar = (c: number) => c === 0x23 || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** The units of a reading of the text from `i` on, and where each one ends in the source. */
interface Units {
  /** The `k`th unit (read if needed), or -1 past the end. */
  unit(k: number): number;
  /** Where the `k`th unit's characters end in the source (after unit(k) was read). */
  end(k: number): number;
  /** The units [from, to) as a string (after they were read). */
  slice(from: number, to: number): string;
}

/** The source from `i` on, as Units (level 0). */
class SourceUnits implements Units {
  constructor(
    private readonly src: string,
    private readonly i: number,
  ) {}
  unit(k: number): number {
    const at = this.i + k;
    return at < this.src.length ? this.src.charCodeAt(at) : -1;
  }
  end(k: number): number {
    return this.i + k + 1;
  }
  slice(from: number, to: number): string {
    return this.src.slice(this.i + from, this.i + to);
  }
}

/**
 * A reading one level deeper than another: the level below with each escape in it (a `%XX` run,
 * an entity) decoded once, read lazily, unit by unit (the units of one decoded character share an
 * end).
 */
class Level implements Units {
  units = '';
  readonly ends: number[] = [];
  /** True when some unit so far was decoded from an escape of the level below. */
  decoded = false;
  /** Where the next unit is read from in the level below. */
  private from = 0;
  constructor(private readonly below: Units) {}

  unit(k: number): number {
    while (this.units.length <= k) if (!this.readOne()) return -1;
    return this.units.charCodeAt(k);
  }
  end(k: number): number {
    return this.ends[k] as number;
  }
  slice(from: number, to: number): string {
    return this.units.slice(from, to);
  }

  /** How many units of the level below, from `p` (a `%` or `&`), an escape could take: no more are read. */
  private escapeLength(p: number, percent: boolean): number {
    const below = this.below;
    if (!percent) {
      // An entity: letters, digits and `#` up to a `;`, at most 34 units.
      for (let k = 1; k < 34; k++) {
        const u = below.unit(p + k);
        if (u === 0x3b) return k + 1;
        if (u < 0 || !isEntityChar(u)) return k;
      }
      return 34;
    }
    // `%XX`, and as many `%XX` more as its first byte announces (UTF-8).
    const hi = hexValue(below.unit(p + 1));
    const lo = hi < 0 ? -1 : hexValue(below.unit(p + 2));
    if (lo < 0) return 1;
    const first = hi * 16 + lo;
    const extra = first >= 0xf0 ? 3 : first >= 0xe0 ? 2 : first >= 0xc0 ? 1 : 0;
    let k = 3;
    for (let e = 0; e < extra; e++, k += 3) {
      if (below.unit(p + k) !== 0x25 || hexValue(below.unit(p + k + 1)) < 0 || hexValue(below.unit(p + k + 2)) < 0) break;
    }
    return k;
  }

  private readOne(): boolean {
    const below = this.below;
    const p = this.from;
    const c = below.unit(p);
    if (c < 0) return false;
    let r: [string, number] | null = null;
    if (c === 0x25 || c === 0x26) {
      const piece = below.slice(p, p + this.escapeLength(p, c === 0x25));
      r = c === 0x25 ? percentAt(piece, 0) : entityAt(piece, 0, nearSemis(piece));
    }
    const [text, len] = r ?? [String.fromCharCode(c), 1];
    if (r) this.decoded = true;
    this.units += text;
    const end = below.end(p + len - 1);
    for (let k = 0; k < text.length; k++) this.ends.push(end);
    this.from += len;
    return true;
  }

  /** The level's first character (its units) and where it ends in the source, or null when empty. */
  first(): [string, number] | null {
    if (this.unit(0) < 0) return null;
    const end = this.ends[0] as number;
    let k = 1;
    while (this.ends[k] === end) k++;
    return [this.units.slice(0, k), end];
  }
}

/**
 * False when the `%` or `&` at i, which starts no escape, cannot start one when the text is read
 * again either: the units an escape there could take (hex digits and `%`; entity letters, digits
 * and `#`) hold no other escape, so a second reading of them is the same. Spares nestedAt its work
 * for `100% sure`, `R&D` or a text of nothing but `%` or `&`.
 */
export function mayNest(src: string, i: number, percent: boolean): boolean {
  const n = Math.min(src.length, i + (percent ? 12 : 34));
  for (let k = i + 1; k < n; k++) {
    const c = src.charCodeAt(k);
    if (c === 0x25 && isHex(src.charCodeAt(k + 1)) && isHex(src.charCodeAt(k + 2))) return true;
    if (c === 0x26 && isEntityChar(src.charCodeAt(k + 1))) return true;
    if (percent ? !(isHex(c) || c === 0x25) : !isEntityChar(c)) return false;
  }
  return false;
}

/**
 * The `%` or `&` at i (an escape that decoded to one, or one that starts no escape) read as a
 * program that unescapes the text again and again reads it, up to NEST + 1 times: `%2540` → `%40`
 * → `@`, `&#37;40`, `%26%2364;`, `&amp;#64;`, `%25C3%25A9` → `é`, `%2526%252364%253B` → `&#64;`
 * → `@`, and escapes after a plain `%` or `&` (`%%34%30` → `%40` → `@`, `&&#35;64;`). [the
 * character, its length in the source], or null when it is the plain character. Each level looks
 * at most 34 units ahead of its first and stops at the first unit that cannot continue the escape,
 * and the levels stop as soon as one decodes nothing, so runs of `%25`, `&amp;` or `%` stay linear.
 */
export function nestedAt(src: string, i: number): [string, number] | null {
  let cur = new Level(new SourceUnits(src, i));
  let got = cur.first();
  for (let level = 0; level < NEST && got && (got[0] === '%' || got[0] === '&'); level++) {
    const next = new Level(cur);
    const f = next.first();
    if (!f) break;
    const same = !next.decoded && !cur.decoded;
    cur = next;
    got = f;
    if (same) break;
  }
  return got && got[1] > i + 1 ? [got[0], got[1] - i] : null;
}
