// Owns where the fold (fold.ts) writes its reading: the folded units (one byte each while every
// character is below U+0100, two after) and the source map as segments, in buffers kept between
// calls, and the Folded it hands back (Reading).
import { isAsciiSpace } from './fold-ascii.js';
import { foldChar, isControl, isInvisible, isSpace, plainChar } from './fold-chars.js';
import { lastAtMost } from '../sorted-search.js';

/** A folded reading of a text and its map back to the source. */
export interface Folded {
  /** The folded text. */
  readonly text: string;
  /**
   * The index in the source where folded character `k` starts (UTF-16 units); `at(text.length)`
   * is the source length. A folded span [s, e) is the source span [at(s), at(e)). O(log n).
   */
  at(k: number): number;
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
export class Reading implements Folded {
  constructor(
    readonly text: string,
    private readonly len: number,
    private readonly srcLen: number,
    private readonly F: Int32Array,
    private readonly S: Int32Array,
  ) {}

  at(k: number): number {
    if (k >= this.len) return this.srcLen;
    const j = lastAtMost(this.F, k);
    return (this.S[j] as number) + k - (this.F[j] as number);
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

export class Out {
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

export function pushPlain(out: Out, ch: string, at: number): void {
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) return isControl(c) ? undefined : out.push(c, at);
    if (isSpace(c)) return out.space(at);
    if (isInvisible(c)) return;
  }
  out.pushString(plainChar(ch), at);
}

export function pushFolded(out: Out, ch: string, at: number): void {
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
export function borrowScratch8(size: number): Uint8Array {
  if (scratch8.length >= size) return scratch8;
  const b = new Uint8Array(size + 16);
  if (b.length <= KEEP8) scratch8 = b;
  return b;
}
