// Owns the folded reading of text that every address and name search runs on: lowercase, accents
// and other combining marks dropped (NFC and NFD read the same), ß as ss, every run of whitespace
// (tab, line end, NEL, no-break space…) one space, invisible characters (zero-width, soft hyphen,
// control characters: `anna@<U+0001>shop.example` shows as an address) gone,
// HTML entities and percent-escapes decoded (escapes inside escapes too, as a program that
// unescapes the text again and again reads them: `%2540`, `&#37;40`, `%%34%30` read `@`), and — for HTML — tags and comments read as nothing
// (block tags as a space), so `john<span></span>&#46;smith%40acme.example` reads
// `john.smith@acme.example`. Linear: one pass, every character looked at once; plain ASCII is
// copied in a tight loop through a table, other characters read through a table filled as they
// are met, into buffers kept between calls; the source map is kept as segments (Folded.at). A
// text that is all plain ASCII without `%` or `&` (most message bodies) is read by fold-ascii.ts.
// The plain reading (`plain`) is what a reader sees with case, accents and percent-escapes kept
// (each character in NFKC): it judges links, whose host must not be folded (shöp ≠ shop).
// Entities are decoded by `entities` (the decoder htmlparser2 and sanitize-html use), so every
// named entity of HTML5 reads as a browser shows it.
import { decodeHTMLStrict } from 'entities';
import { foldPlainAscii, isAsciiSpace } from './fold-ascii.js';

export interface Folded {
  /** The folded text. */
  readonly text: string;
  /**
   * The index in the source where folded character `k` starts (UTF-16 units); `at(text.length)`
   * is the source length. A folded span [s, e) is the source span [at(s), at(e)). O(log n).
   */
  at(k: number): number;
}

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

// Tags after which a reader sees a break: a name or address cannot run across them.
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3',
  'h4', 'h5', 'h6', 'header', 'hr', 'img', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]); // prettier-ignore

const isSpace = (c: number) =>
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
const isInvisible = (c: number) =>
  c === 0xad ||
  (c >= 0x200b && c <= 0x200d) ||
  c === 0x2060 ||
  c === 0xfeff ||
  c === 0x180e ||
  (c >= 0xfff9 && c <= 0xfffb) ||
  (c >= 0x80 && c <= 0x9f && c !== 0x85);
/** ASCII control characters other than whitespace: nothing a reader sees (C1 controls are isInvisible). */
const isControl = (c: number) => c <= 0x08 || (c >= 0x0e && c <= 0x1f) || c === 0x7f;
/**
 * Every character Unicode says a reader never sees (Default_Ignorable_Code_Point: direction marks
 * and overrides, isolates, invisible operators, tag characters, Hangul fillers, variation
 * selectors…), so none of them can split a word or an address the filters look for.
 */
const IGNORABLE = /^\p{Default_Ignorable_Code_Point}$/u;
const hexValue = (c: number) => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

const foldCache = new Map<string, string>();

/** One character (a code point) folded: NFD, marks dropped, lowercase, ß → ss, fullwidth ＠ → @. */
export function foldChar(ch: string): string {
  const cached = foldCache.get(ch);
  if (cached !== undefined) return cached;
  const folded = IGNORABLE.test(ch) ? '' : ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss').normalize('NFC');
  if (foldCache.size < 10_000) foldCache.set(ch, folded);
  return folded;
}

/** Where the next `;` at or after a position is (entityAt only asks up to 33 characters ahead). */
interface Semis {
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
class NextOf implements Semis {
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
function entityAt(src: string, i: number, semis: Semis): [string, number] | null {
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
function percentAt(src: string, i: number): [string, number] | null {
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
function mayNest(src: string, i: number, percent: boolean): boolean {
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
function nestedAt(src: string, i: number): [string, number] | null {
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

const nfkcCache = new Map<string, string>();

/** One character as a reader sees it: NFKC (fullwidth ｈ → h), case and accents kept. */
function plainChar(ch: string): string {
  const cached = nfkcCache.get(ch);
  if (cached !== undefined) return cached;
  const plain = IGNORABLE.test(ch) ? '' : ch.normalize('NFKC');
  if (nfkcCache.size < 10_000) nfkcCache.set(ch, plain);
  return plain;
}

// Where the fold writes: one-byte units while every folded character is below U+0100, two-byte
// after, and the map's segments. Kept from call to call (a fold runs to its end without yielding,
// one at a time per thread) up to about 2 MiB each (a 1 MiB text), so an ordinary text allocates
// nothing but its folded string; a larger one writes into arrays of its own, dropped after.
const KEEP8 = 1 << 21;
const KEEP16 = (1 << 20) + (1 << 16);
const KEEP_SEGMENTS = 1 << 18;
let scratch8: Uint8Array = new Uint8Array(1 << 12);
let scratch16: Uint16Array = new Uint16Array(1 << 12);
let scratchF: Int32Array = new Int32Array(1 << 10);
let scratchS: Int32Array = new Int32Array(1 << 10);

/** The folded text and its source map as segments: folded [F[j], F[j+1]) follows source S[j]… one for one. */
class Reading implements Folded {
  constructor(
    readonly text: string,
    private readonly len: number,
    private readonly srcLen: number,
    private readonly F: Int32Array,
    private readonly S: Int32Array,
  ) {}

  at(k: number): number {
    if (k >= this.len) return this.srcLen;
    const F = this.F;
    let lo = 0;
    let hi = F.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((F[mid] as number) <= k) lo = mid;
      else hi = mid - 1;
    }
    return (this.S[lo] as number) + k - (F[lo] as number);
  }
}

// How each ASCII character reads in a run (Out.ascii): the unit it becomes, or one of these.
const ASCII_SPACE = -1; // whitespace: one space after anything but a space
const ASCII_STOP = -2; // `%`, `&`, `<`: looked at by the fold itself
const ASCII_NOTHING = -3; // a control character (NUL, ESC, DEL…): read as nothing
const ASCII_FOLDED = new Int16Array(0x80);
const ASCII_PLAIN = new Int16Array(0x80);
for (let c = 0; c < 0x80; c++) {
  const kind = isAsciiSpace(c) ? ASCII_SPACE : c === 0x25 || c === 0x26 || c === 0x3c ? ASCII_STOP : isControl(c) ? ASCII_NOTHING : c;
  ASCII_PLAIN[c] = kind;
  ASCII_FOLDED[c] = kind >= 0x41 && kind <= 0x5a ? kind + 32 : kind;
}

class Out {
  b8: Uint8Array;
  b16: Uint16Array = scratch16;
  wide = false;
  surrogate = false;
  len = 0;
  F: Int32Array = scratchF;
  S: Int32Array = scratchS;
  segs = 0;
  /** The source index that continues the current segment. */
  next = -1;
  constructor(n: number) {
    this.b8 = scratch8.length >= n + 16 ? scratch8 : new Uint8Array(n + 16);
  }
  push(code: number, at: number): void {
    if (at !== this.next) {
      if (this.segs === this.F.length) this.moreSegments();
      this.F[this.segs] = this.len;
      this.S[this.segs] = at;
      this.segs++;
    }
    this.next = at + 1;
    if (!this.wide && code < 0x100) {
      if (this.len === this.b8.length) this.b8 = grown8(this.b8);
      this.b8[this.len++] = code;
      return;
    }
    if (!this.wide) this.widen();
    if (this.len === this.b16.length) this.b16 = grown16(this.b16, this.len + 1);
    if (code >= 0xd800 && code <= 0xdfff) this.surrogate = true;
    this.b16[this.len++] = code;
  }
  /**
   * Plain ASCII from src[i] on (no `%`, `&`, `<`), lowercased by adding `lower` to capitals,
   * whitespace runs as one space, written straight into the buffer; returns where it stopped.
   */
  ascii(src: string, i: number, n: number, lower: number): number {
    // Each source character gives at most one unit.
    if (this.wide) {
      if (this.b16.length - this.len < n - i) this.b16 = grown16(this.b16, this.len + n - i);
      return this.asciiInto(this.b16, src, i, n, lower);
    }
    if (this.b8.length - this.len < n - i) this.b8 = grown8(this.b8, this.len + n - i);
    return this.asciiInto(this.b8, src, i, n, lower);
  }
  private asciiInto(b: Uint8Array | Uint16Array, src: string, i: number, n: number, lower: number): number {
    const read = lower ? ASCII_FOLDED : ASCII_PLAIN;
    let o = this.len;
    let next = this.next;
    let last = o > 0 ? (b[o - 1] as number) : 0x20; // an empty reading takes no space either
    for (; i < n; i++) {
      const c = src.charCodeAt(i);
      if (c >= 0x80) break;
      let u = read[c] as number;
      if (u < 0) {
        if (u === ASCII_STOP) break;
        if (u === ASCII_NOTHING) continue;
        if (last === 0x20) continue;
        u = 0x20;
      }
      if (i !== next) {
        if (this.segs === this.F.length) this.moreSegments();
        this.F[this.segs] = o;
        this.S[this.segs] = i;
        this.segs++;
      }
      next = i + 1;
      b[o++] = u;
      last = u;
    }
    this.len = o;
    this.next = next;
    return i;
  }
  pushString(s: string, at: number): void {
    for (let k = 0; k < s.length; k++) this.push(s.charCodeAt(k), at);
  }
  space(at: number): void {
    if (this.len > 0 && (this.wide ? this.b16[this.len - 1] : this.b8[this.len - 1]) !== 0x20) this.push(0x20, at);
  }
  private widen(): void {
    if (this.b16.length < this.b8.length) this.b16 = grown16(this.b16, this.b8.length);
    this.b16.set(this.b8.subarray(0, this.len));
    this.wide = true;
  }
  private moreSegments(): void {
    const F = new Int32Array(this.F.length * 2);
    F.set(this.F);
    const S = new Int32Array(this.S.length * 2);
    S.set(this.S);
    this.F = F;
    this.S = S;
  }
  /**
   * The reading. A surrogate left unpaired (a lone one in the source, or one decoded from a
   * percent-escape) reads as U+FFFD and two halves side by side as their pair, as UTF-16 decoding
   * reads them (one unit for one unit, so the map is unchanged).
   */
  finish(srcLen: number): Folded {
    let text: string;
    if (!this.wide) text = Buffer.from(this.b8.buffer, this.b8.byteOffset, this.len).toString('latin1');
    else {
      text = Buffer.from(this.b16.buffer, this.b16.byteOffset, this.len * 2).toString('ucs2');
      if (this.surrogate) text = (text as unknown as WellFormed).toWellFormed();
    }
    const f = new Reading(text, this.len, srcLen, this.F.slice(0, this.segs), this.S.slice(0, this.segs));
    // Keep what grew for the next call, unless a huge text grew it.
    if (this.b8.length > scratch8.length && this.b8.length <= KEEP8) scratch8 = this.b8;
    if (this.b16.length > scratch16.length && this.b16.length <= KEEP16) scratch16 = this.b16;
    if (this.F.length > scratchF.length && this.F.length <= KEEP_SEGMENTS) {
      scratchF = this.F;
      scratchS = this.S;
    }
    return f;
  }
}

// How each character of the Basic Multilingual Plane reads, filled as characters are met (one
// table per reading): 0 not known yet, 1 + the unit it reads as, or one of these.
const SPACE = -1;
const NOTHING = -2;
const MORE = -3; // several units (ß → ss, ﬃ → ffi): read with foldChar / plainChar
const FOLDED_READING = new Int32Array(0x10000);
const PLAIN_READING = new Int32Array(0x10000);

/** How a BMP unit at or above U+0080 (not a surrogate) reads: see FOLDED_READING. */
function readingOf(c: number, plain: boolean): number {
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

/** ES2024's String#toWellFormed (Node 20 has it; the project's lib is ES2023). */
interface WellFormed {
  toWellFormed(): string;
}

function grown8(b: Uint8Array, atLeast = 0): Uint8Array {
  const g = new Uint8Array(Math.max(atLeast, b.length * 2));
  g.set(b);
  return g;
}
function grown16(b: Uint16Array, atLeast: number): Uint16Array {
  const g = new Uint16Array(Math.max(atLeast, b.length * 2));
  g.set(b);
  return g;
}

function pushPlain(out: Out, ch: string, at: number): void {
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) return isControl(c) ? undefined : out.push(c, at);
    if (isSpace(c)) return out.space(at);
    if (isInvisible(c)) return;
  }
  out.pushString(plainChar(ch), at);
}

function pushFolded(out: Out, ch: string, at: number): void {
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) {
      if (!isControl(c)) out.push(c >= 0x41 && c <= 0x5a ? c + 32 : c, at);
      return;
    }
    if (isSpace(c)) return out.space(at);
    if (isInvisible(c)) return;
  }
  out.pushString(foldChar(ch), at);
}

/** The one-byte scratch (Out's), grown as Out grows it, for fold-ascii.ts. */
function borrowScratch8(size: number): Uint8Array {
  if (scratch8.length >= size) return scratch8;
  const b = new Uint8Array(size + 16);
  if (b.length <= KEEP8) scratch8 = b;
  return b;
}

/**
 * Texts at least this long are first tried with fold-ascii.ts (plain ASCII, no `%` or `&`): below
 * it, its checks cost more than the loop they spare.
 */
const NATIVE_FROM = 256;

/**
 * Folds `src` (see the module comment). `html`: tags and comments read as nothing or a space.
 * `plain`: the reader's text only (entities decoded, tags, invisible characters dropped, NFKC),
 * no lowercase, no accents dropped, percent-escapes kept.
 */
export function fold(src: string, html = false, plain = false): Folded {
  if (!html && !plain && src.length >= NATIVE_FROM) {
    const r = foldPlainAscii(src, borrowScratch8);
    if (r) return new Reading(r.text, r.text.length, src.length, r.F, r.S);
  }
  return foldEachCharacter(src, html, plain);
}

// An image's alt text (HTML §4.8.4.4): a reader sees it in the image's place when pictures are not
// shown (Outlook's default for a sender it does not know) or the picture is missing, inline, so it
// is read as text there (entities decoded), not as the image's break (round-18 attack:
// `anna.private<img src="cid:x" alt="@">othermail.example` showed an address).
const ALT = /\salt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

/** Where the non-empty alt value of the tag [i, end] stands in `src`, or null. */
function altSpan(src: string, i: number, end: number): [number, number] | null {
  const m = ALT.exec(src.slice(i, end));
  const v = m ? (m[1] ?? m[2] ?? m[3] ?? '') : '';
  if (!m || v === '') return null;
  const start = i + m.index + m[0].length - v.length - (m[3] === undefined ? 1 : 0);
  return [start, start + v.length];
}

/** The alt value [s, e) of `src` read as text: entities decoded, whitespace one space, each character as the fold reads it. */
function readAlt(out: Out, src: string, [s, e]: [number, number], pushChar: (out: Out, ch: string, at: number) => void, semis: Semis): void {
  for (let j = s; j < e;) {
    const c = src.charCodeAt(j);
    if (c === 0x26) {
      const r = entityAt(src, j, semis);
      if (r && j + r[1] <= e) {
        for (const ch of r[0]) pushChar(out, ch, j);
        j += r[1];
        continue;
      }
    }
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      out.space(j);
      j++;
      continue;
    }
    const ch = String.fromCodePoint(src.codePointAt(j) as number);
    pushChar(out, ch, j);
    j += ch.length;
  }
}

/** fold's reading made character by character, for any text (fold tries fold-ascii.ts first). */
export function foldEachCharacter(src: string, html: boolean, plain: boolean): Folded {
  const n = src.length;
  const out = new Out(n);
  const pushChar = plain ? pushPlain : pushFolded;
  const lower = plain ? 0 : 32;
  const semis = new NextOf(src, ';');
  const tagEnds = new NextOf(src, '>');
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c < 0x80 && c !== 0x25 && c !== 0x26 && c !== 0x3c) {
      i = out.ascii(src, i, n, lower);
      continue;
    }
    if (c === 0x3c && html) {
      const next = src.charCodeAt(i + 1);
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        i = end < 0 ? n : end + 3;
        continue;
      }
      const tagLike = next === 0x2f || next === 0x21 || next === 0x3f || (next >= 0x41 && next <= 0x5a) || (next >= 0x61 && next <= 0x7a);
      const end = tagLike ? tagEnds.from(i + 1) : -1;
      if (end >= 0) {
        const name = /^<\/?([a-z0-9]{1,12})/i.exec(src.slice(i, Math.min(end, i + 14)))?.[1]?.toLowerCase();
        const alt = name === 'img' ? altSpan(src, i, end) : null;
        if (alt) readAlt(out, src, alt, pushChar, semis);
        else if (name && BLOCK_TAGS.has(name)) out.space(i);
        i = end + 1;
        continue;
      }
    }
    if (c === 0x26) {
      // &lt; &gt; &amp; (what sanitize-html writes for every < > & of the text) read at once.
      const c1 = src.charCodeAt(i + 1);
      const c2 = src.charCodeAt(i + 2);
      const c3 = src.charCodeAt(i + 3);
      if (c2 === 0x74 && c3 === 0x3b && (c1 === 0x6c || c1 === 0x67)) {
        out.push(c1 === 0x6c ? 0x3c : 0x3e, i);
        i += 4;
        continue;
      }
      let e: [string, number] | null = c1 === 0x61 && c2 === 0x6d && c3 === 0x70 && src.charCodeAt(i + 4) === 0x3b ? ['&', 5] : entityAt(src, i, semis);
      // An entity that reads `&` or `%`, or a `&` that starts none, read again (nestedAt).
      if (!plain && (e ? e[0] === '&' || e[0] === '%' : mayNest(src, i, false))) e = nestedAt(src, i) ?? e;
      if (e) {
        if (e[0] === '&') out.push(0x26, i);
        else for (const ch of e[0]) pushChar(out, ch, i);
        i += e[1];
        continue;
      }
    }
    if (c === 0x25 && !plain) {
      let p = percentAt(src, i);
      if (p ? p[0] === '%' || p[0] === '&' : mayNest(src, i, true)) p = nestedAt(src, i) ?? p;
      if (p) {
        pushFolded(out, p[0], i);
        i += p[1];
        continue;
      }
    }
    if (c < 0x80) {
      out.push(c, i);
      i++;
      continue;
    }
    if (c < 0xd800 || c > 0xdfff) {
      // One unit of the Basic Multilingual Plane: its reading from the table.
      const v = readingOf(c, plain);
      if (v > 0) out.push(v - 1, i);
      else if (v === SPACE) out.space(i);
      else if (v === MORE) pushChar(out, src[i] as string, i);
      i++;
      continue;
    }
    const cp = src.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    pushChar(out, ch, i);
    i += ch.length;
  }
  return out.finish(n);
}

/** The folded form of a needle (an address or a name) with no source map. */
export function foldString(s: string): string {
  return fold(s).text.trim();
}

// A blank in a folded reading, as address searches read it (body-scrub.ts, address-finder.ts): a
// space (any whitespace run), then any quote marks and spaces, as a quoted reply's line break reads
// (`anna@⏎> shop.example` folds to `anna@ > shop.example`).
// How many spaces and quote marks one blank may hold (`⏎> > > `): a long run of `>` stays linear.
const BLANK_MAX = 16;

// The longest RFC 5322 comment read as a blank (`anna.weber(work)@shop.example`), parentheses
// included, nested ones too (`anna.weber((x)y)@…`: a depth count, no recursion).
const COMMENT_MAX = 66;

// The most folded characters one blank (before or after an `@` or a dot) may span: any number of
// spaces, comments and wrapping marks within it (`anna.weber(a)(b)(c)(d)(e)@…`). A bound keeps
// hostile text linear: each `@` and each dot of a needle looks at most this far, whatever follows.
// More than the four comments with their runs of spaces read before (4 × (66 + 16)); a longer run
// is a passage of text, not something a reader reads past inside an address.
const BLANK_SPAN = 384;

/**
 * The marks that wrap a part of an address (`"anna.weber"@…`, `anna.weber@'buyer.example'`,
 * `<anna.weber>@<buyer.example>`, `[anna.weber]@…`, `“anna.weber”@…`, `«anna.weber»@…`), which a
 * reader reads past: for each, the family it pairs within and its shape (QUOTE: it opens or closes
 * by where it stands, as `"` and `»`, which opens a German quotation and closes a French one).
 * Parentheses are marks only when they are not read as comments (`(anna.weber)@buyer.example`: a
 * comment hides the local part from a parser, but a reader reads it). Fullwidth forms (＜, （) are
 * folded to these already (NFKC).
 */
const MARKS = new Map<number, readonly [family: string, shape: number]>();
const QUOTE = 0;
const OPENS = 1;
const CLOSES = -1;
for (const q of '"“”„‟«»‹›「」『』') MARKS.set(q.charCodeAt(0), ['"', QUOTE]);
for (const q of "'‘’‚‛") MARKS.set(q.charCodeAt(0), ["'", QUOTE]);
MARKS.set(0x60, ['`', QUOTE]);
// A backslash escapes the next character (RFC 5322's quoted-pair, Markdown): `anna.weber\@buyer.example` reads whole.
MARKS.set(0x5c, ['\\', QUOTE]);
for (const [o, c] of ['()', '<>', '[]', '〈〉', '《》', '【】']) {
  MARKS.set((o as string).charCodeAt(0), [o as string, OPENS]);
  MARKS.set((c as string).charCodeAt(0), [o as string, CLOSES]);
}
MARKS.set(0x7b, ['{', OPENS]);
MARKS.set(0x7d, ['{', CLOSES]);
// Every other bracket and quotation mark, by Unicode's general category (`⟨⟩`, `〔〕`, `❨❩`, `⸂⸃` …):
// Ps opens and Pe closes (a bracket pairs with the closer right after it, else with any closer not
// so paired); Pi and Pf are quotes that open or close by where they stand. Read when first met.
const UNICODE_MARK = /^[\p{Ps}\p{Pe}\p{Pi}\p{Pf}]$/u;
const NOT_A_MARK = new Set<number>();

/** The mark `c` is (MARKS, then its Unicode category), or undefined. */
function markOf(c: number): readonly [family: string, shape: number] | undefined {
  const known = MARKS.get(c);
  if (known || c < 0x80 || NOT_A_MARK.has(c)) return known;
  const ch = String.fromCharCode(c);
  if (!UNICODE_MARK.test(ch)) {
    NOT_A_MARK.add(c);
    return undefined;
  }
  if (/\p{Pi}|\p{Pf}/u.test(ch)) MARKS.set(c, ['"', QUOTE]);
  else if (/\p{Ps}/u.test(ch)) {
    const pairs = /\p{Pe}/u.test(String.fromCharCode(c + 1));
    MARKS.set(c, [pairs ? ch : '\u27e8', OPENS]);
  } else {
    const pairs = /\p{Ps}/u.test(String.fromCharCode(c - 1));
    MARKS.set(c, [pairs ? String.fromCharCode(c - 1) : '\u27e8', CLOSES]);
  }
  return MARKS.get(c);
}

/** True for a mark that may wrap a part of an address (a quote or a bracket: MARKS). */
export const isWrapMark = (c: number): boolean => markOf(c) !== undefined;

/**
 * Markdown's emphasis (`*`, `_`, `~`, single or doubled: CommonMark's emphasis, GFM's
 * strikethrough), as bits of a set: which of them a search reads as marks that wrap a part
 * (`anna.weber@*buyer.example*`, `**anna.weber**@…`). They are RFC 5322 atext, so a search reads
 * them so only where a part cannot hold them: EMPHASIS for a domain, emphasisLacking(needle) for
 * the writer's address.
 */
export const EMPHASIS = 7;
/** The emphasis bit of `c` (`*` 1, `_` 2, `~` 4), 0 for any other character. */
export const emphasisBit = (c: number): number => (c === 0x2a ? 1 : c === 0x5f ? 2 : c === 0x7e ? 4 : 0);
/** The emphasis marks (bits, see EMPHASIS) that `s` does not hold. */
export function emphasisLacking(s: string): number {
  return EMPHASIS & ~((s.includes('*') ? 1 : 0) | (s.includes('_') ? 2 : 0) | (s.includes('~') ? 4 : 0));
}

const isMark = (c: number, parens: boolean, emphasis: number) =>
  (markOf(c) !== undefined && (parens || (c !== 0x28 && c !== 0x29))) || (emphasisBit(c) & emphasis) !== 0;

/** Where a run of spaces and quote marks that ends at `j` starts (it starts with a space), or `j`. */
export function spacesBack(text: string, j: number): number {
  let k = j;
  while (k > 0 && j - k < BLANK_MAX && (text.charCodeAt(k - 1) === 0x20 || text.charCodeAt(k - 1) === 0x3e)) k--;
  // It starts with the space of the line break: a `>` right after a word is the word's.
  while (k < j && text.charCodeAt(k) === 0x3e) k++;
  return k;
}

/**
 * Where a run of spaces and quote marks that starts at `j` with a space ends, or `j`; at most
 * BLANK_MAX characters from `origin` (where the blank it belongs to starts).
 */
export function spacesAfter(text: string, j: number, origin = j): number {
  if (text.charCodeAt(j) !== 0x20) return j;
  let m = j + 1;
  while (m < text.length && m - origin < BLANK_MAX && (text.charCodeAt(m) === 0x20 || text.charCodeAt(m) === 0x3e)) m++;
  return m;
}

/** Where an RFC 5322 comment (`(…)`, comments nested inside) that ends at `j` starts, or `j`. */
function commentBack(text: string, j: number, span: number): number {
  if (text.charCodeAt(j - 1) !== 0x29) return j;
  const most = Math.min(span, COMMENT_MAX);
  let depth = 0;
  for (let k = j - 1; k >= 0 && j - k <= most; k--) {
    const c = text.charCodeAt(k);
    if (c === 0x29) depth++;
    else if (c === 0x28 && --depth === 0) return k;
  }
  return j;
}

/** Where an RFC 5322 comment (comments nested inside) that starts at `j` ends, or `j`. */
function commentAfter(text: string, j: number, span: number): number {
  if (text.charCodeAt(j) !== 0x28) return j;
  const most = Math.min(span, COMMENT_MAX);
  let depth = 0;
  for (let k = j; k < text.length && k + 1 - j <= most; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x28) depth++;
    else if (c === 0x29 && --depth === 0) return k + 1;
  }
  return j;
}

/**
 * Where a blank that ends at `j` starts, or `j` when none ends there: spaces (a space, then any
 * quote marks and spaces), RFC 5322 comments (`comments`; else parentheses are marks) and marks
 * that wrap a part (isMark), in any number and order within BLANK_SPAN characters; the emphasis
 * marks in `emphasis` (bits, see EMPHASIS) as marks too.
 */
export function blankBack(text: string, j: number, comments = true, emphasis = 0): number {
  let k = j;
  for (;;) {
    // A run of marks at once (a run of `>` would cost spacesBack's look each time).
    let m = k;
    while (m > 0 && j - m < BLANK_SPAN && isMark(text.charCodeAt(m - 1), !comments, emphasis)) m--;
    m = spacesBack(text, m);
    if (comments) m = commentBack(text, m, BLANK_SPAN - (j - m));
    if (m === k || j - m > BLANK_SPAN) return k;
    k = m;
  }
}

/** Where a blank that starts at `j` ends (see blankBack), or `j` when none starts there. */
export function blankAfter(text: string, j: number, comments = true, emphasis = 0): number {
  let k = j;
  for (;;) {
    let m = comments ? commentAfter(text, k, BLANK_SPAN - (k - j)) : k;
    m = spacesAfter(text, m, k);
    while (m < text.length && m - j < BLANK_SPAN && isMark(text.charCodeAt(m), !comments, emphasis)) m++;
    if (m === k || m - j > BLANK_SPAN) return k;
    k = m;
  }
}

/**
 * An address's span [start, end) in a folded reading, widened over the marks that wrap its parts
 * and stand outside it, so no stray half is left: the opening quote of `"anna.weber"@…` (the
 * closing one is in the blank before the `@`), the closing one of `anna.weber@"buyer.example"`,
 * the `<` of `<anna.weber>@…`, the `)` of `anna.weber@(buyer.example)`. Inside the span a bracket
 * opens or closes by its shape, a quote closes when it follows a word (`anna.weber"@`) and opens
 * otherwise (`@"buyer`, `."weber`); the halves left unmatched (by family: `“` pairs with `"` or
 * `”`) are looked for right before and after the span, spaces between allowed. A mark that wraps
 * nothing of the address stays (`"write anna.weber@shop.example"`). At most WRAP_MAX marks on each
 * side, never before `floor`. The emphasis marks of `emphasis` (bits, see EMPHASIS: `local` before
 * `at`, where the address's first `@` stands, `domain` from there on) are marks too, each a quote of
 * its own family, and a run of one (`**`) opens or closes as its first does
 * (`**anna.weber**@**buyer.example**`). [start, end] widened.
 */
export function withWrappers(text: string, start: number, end: number, floor = 0, emphasis?: EmphasisMarks): [number, number] {
  const { local = 0, domain = 0, at = start } = emphasis ?? {};
  const emphasisAt = (k: number, c: number) => (emphasisBit(c) & (k < at ? local : domain)) !== 0;
  /** The mark `c` (at `k`) is: MARKS, or an emphasis mark read as one. */
  const markAt = (k: number, c: number): readonly [family: string, shape: number] | undefined =>
    markOf(c) ?? (emphasisAt(k, c) ? [String.fromCharCode(c), QUOTE] : undefined);
  // Most addresses hold no mark: nothing to count.
  let k0 = start;
  while (k0 < end && !markAt(k0, text.charCodeAt(k0))) k0++;
  if (k0 === end) return [start, end];
  // Per family: openers the span lacks (its closers' other halves), and openers it leaves open.
  const lacks = new Map<string, number>();
  const open = new Map<string, number>();
  let prev = 0x20;
  let prevMark = false;
  let prevCloses = false;
  for (let k = start; k < end; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x20) continue;
    const mark = markAt(k, c);
    const [before, beforeMark] = [prev, prevMark];
    prev = c;
    prevMark = mark !== undefined;
    if (!mark) continue;
    const [family, shape] = mark;
    const closes: boolean =
      before === c && emphasisAt(k, c)
        ? prevCloses
        : shape === QUOTE
          ? !(before === 0x20 || before === 0x40 || before === 0x2e || beforeMark)
          : shape === CLOSES;
    prevCloses = closes;
    if (!closes) open.set(family, (open.get(family) ?? 0) + 1);
    else if ((open.get(family) ?? 0) > 0) open.set(family, (open.get(family) as number) - 1);
    else lacks.set(family, (lacks.get(family) ?? 0) + 1);
  }
  if (lacks.size === 0 && open.size === 0) return [start, end];
  /** Takes the mark `c` when it can stand on that side (`shape`) and its family is in `wanted`. */
  const take = (c: number, shape: number, wanted: Map<string, number>): boolean => {
    const mark = markOf(c) ?? ((emphasisBit(c) & (local | domain)) !== 0 ? ([String.fromCharCode(c), QUOTE] as const) : undefined);
    if (!mark || (mark[1] !== QUOTE && mark[1] !== shape) || !((wanted.get(mark[0]) ?? 0) > 0)) return false;
    wanted.set(mark[0], (wanted.get(mark[0]) as number) - 1);
    return true;
  };
  for (let n = 0; n < WRAP_MAX; n++) {
    let k = start;
    while (k > floor && start - k < BLANK_MAX && text.charCodeAt(k - 1) === 0x20) k--;
    if (k <= floor || !take(text.charCodeAt(k - 1), OPENS, lacks)) break;
    start = k - 1;
  }
  for (let n = 0; n < WRAP_MAX; n++) {
    let k = end;
    while (k < text.length && k - end < BLANK_MAX && text.charCodeAt(k) === 0x20) k++;
    if (k >= text.length || !take(text.charCodeAt(k), CLOSES, open)) break;
    end = k + 1;
  }
  return [start, end];
}

/** The emphasis marks (bits, see EMPHASIS) withWrappers reads as marks: `local` before `at`, `domain` from it. */
export interface EmphasisMarks {
  readonly local: number;
  readonly domain: number;
  readonly at: number;
}

/** The most wrapping marks withWrappers takes on each side of an address. */
const WRAP_MAX = 4;
