// The fold of masking/fold.ts as it was before round 6 (one character at a time into a Uint16Array
// with a full Int32Array source map), kept only as the reference the new fold is compared with
// (src/core/masking/fold-equivalence.test.ts). Not used by the gateway. Since round 10 it reads
// escapes inside escapes too (`%2540` → `@`), written here the plain way: the 200 units from a `%`
// or `&` decoded whole, again and again.
import { decodeHTMLStrict } from 'entities';

export interface Folded {
  /** The folded text. */
  readonly text: string;
  /**
   * For every folded character, the index in the source where it starts; one more entry at the
   * end for the source length. A folded span [s, e) is the source span [map[s], map[e]).
   */
  readonly map: Int32Array;
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
  c === 0x20 ||
  (c >= 0x09 && c <= 0x0d) ||
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
const UTF16 = new TextDecoder('utf-16le');

/** One character (a code point) folded: NFD, marks dropped, lowercase, ß → ss, fullwidth ＠ → @. */
export function foldChar(ch: string): string {
  const cached = foldCache.get(ch);
  if (cached !== undefined) return cached;
  const folded = IGNORABLE.test(ch) ? '' : ch.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss').normalize('NFC');
  if (foldCache.size < 10_000) foldCache.set(ch, folded);
  return folded;
}

class Out {
  buf: Uint16Array;
  map: Int32Array;
  len = 0;
  constructor(n: number) {
    this.buf = new Uint16Array(n + 16);
    this.map = new Int32Array(n + 17);
  }
  push(code: number, at: number): void {
    if (this.len + 1 >= this.buf.length) {
      const buf = new Uint16Array(this.buf.length * 2);
      buf.set(this.buf);
      this.buf = buf;
      const map = new Int32Array(this.buf.length + 1);
      map.set(this.map);
      this.map = map;
    }
    this.buf[this.len] = code;
    this.map[this.len] = at;
    this.len++;
  }
  pushString(s: string, at: number): void {
    for (let k = 0; k < s.length; k++) this.push(s.charCodeAt(k), at);
  }
  space(at: number): void {
    if (this.len > 0 && this.buf[this.len - 1] !== 0x20) this.push(0x20, at);
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

/** Decodes `&…;` at i: [decoded text, length in the source], or null. */
function entityAt(src: string, i: number): [string, number] | null {
  if (src.charCodeAt(i + 1) === 0x23) return numericAt(src, i);
  const semi = src.indexOf(';', i + 2);
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

/** Decodes a run of `%XX` escapes at i as UTF-8 (one character): [text, length], or null. */
function percentAt(src: string, i: number): [string, number] | null {
  const byteAt = (k: number) => (src.charCodeAt(k) === 0x25 ? hexValue(src.charCodeAt(k + 1)) * 16 + hexValue(src.charCodeAt(k + 2)) : -1);
  const hi = hexValue(src.charCodeAt(i + 1));
  const lo = hexValue(src.charCodeAt(i + 2));
  if (hi < 0 || lo < 0) return null;
  const first = hi * 16 + lo;
  if (first < 0x80) return [String.fromCharCode(first), 3];
  const extra = first >= 0xf0 ? 3 : first >= 0xe0 ? 2 : first >= 0xc0 ? 1 : -1;
  if (extra < 0) return null;
  let cp = first & (0x3f >> extra);
  for (let k = 1; k <= extra; k++) {
    const b = byteAt(i + 3 * k);
    if (b < 0x80 || b > 0xbf) return null;
    cp = (cp << 6) | (b & 0x3f);
  }
  return cp > 0x10ffff ? null : [String.fromCodePoint(cp), 3 * (extra + 1)];
}

/**
 * The `%` or `&` at i as a program that unescapes the text again and again reads it: the next 200
 * units of the source, every escape in them decoded (each unit remembering where its source ends),
 * then all of that decoded again, nine times at most, while the first character is `%` or `&`.
 * [the first character, its length in the source], or null when it is the plain character.
 */
function nestedAt(src: string, i: number): [string, number] | null {
  let units = src.slice(i, i + 200);
  let ends = Array.from({ length: units.length }, (_, k) => i + k + 1);
  for (let level = 0; level < 9 && (units[0] === '%' || units[0] === '&'); level++) {
    let next = '';
    const nextEnds: number[] = [];
    for (let k = 0; k < units.length;) {
      const r = (units[k] === '%' ? percentAt(units, k) : units[k] === '&' ? entityAt(units, k) : null) ?? [units[k] as string, 1];
      const end = ends[k + r[1] - 1] as number;
      next += r[0];
      for (let j = 0; j < r[0].length; j++) nextEnds.push(end);
      k += r[1];
    }
    if (next === units && nextEnds.every((e, k) => e === ends[k])) break; // nothing more decodes
    units = next;
    ends = nextEnds;
  }
  const end = ends[0];
  if (end === undefined || end === i + 1) return null;
  let k = 1;
  while (ends[k] === end) k++;
  return [units.slice(0, k), end - i];
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

/**
 * Folds `src` (see the module comment). `html`: tags and comments read as nothing or a space.
 * `plain`: the reader's text only (entities decoded, tags, invisible characters dropped, NFKC),
 * no lowercase, no accents dropped, percent-escapes kept.
 */

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
function readAlt(out: Out, src: string, [s, e]: [number, number], pushChar: (out: Out, ch: string, at: number) => void): void {
  for (let j = s; j < e;) {
    const c = src.charCodeAt(j);
    if (c === 0x26) {
      const r = entityAt(src, j);
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

export function fold(src: string, html = false, plain = false): Folded {
  const n = src.length;
  const out = new Out(n);
  const pushChar = plain ? pushPlain : pushFolded;
  const lower = plain ? 0 : 32;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c < 0x80 && c !== 0x25 && c !== 0x26 && c !== 0x3c) {
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) out.space(i);
      else if (isControl(c)) {
        // read as nothing
      } else out.push(c >= 0x41 && c <= 0x5a ? c + lower : c, i);
      i++;
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
      const end = tagLike ? src.indexOf('>', i + 1) : -1;
      if (end >= 0) {
        const name = /^<\/?([a-z0-9]{1,12})/i.exec(src.slice(i, Math.min(end, i + 14)))?.[1]?.toLowerCase();
        const alt = name === 'img' ? altSpan(src, i, end) : null;
        if (alt) readAlt(out, src, alt, pushChar);
        else if (name && BLOCK_TAGS.has(name)) out.space(i);
        i = end + 1;
        continue;
      }
    }
    if (c === 0x26) {
      let e = entityAt(src, i);
      if (!plain && (!e || e[0] === '&' || e[0] === '%')) e = nestedAt(src, i) ?? e;
      if (e) {
        for (const ch of e[0]) pushChar(out, ch, i);
        i += e[1];
        continue;
      }
    }
    if (c === 0x25 && !plain) {
      let p = percentAt(src, i);
      if (!p || p[0] === '%' || p[0] === '&') p = nestedAt(src, i) ?? p;
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
    const cp = src.codePointAt(i) as number;
    const ch = String.fromCodePoint(cp);
    pushChar(out, ch, i);
    i += ch.length;
  }
  out.map[out.len] = n;
  const text = UTF16.decode(out.buf.subarray(0, out.len));
  return { text, map: out.map.subarray(0, out.len + 1) };
}

/** The folded form of a needle (an address or a name) with no source map. */
export function foldString(s: string): string {
  return fold(s).text.trim();
}
