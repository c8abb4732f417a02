// Owns reading the strings of an Excel 97–2003 workbook's BIFF8 records (for xls-text.ts): a
// record's data read on across the CONTINUE records after it (Segments), the shared string table,
// a comment's or text box's text, an external workbook's path and sheet names, and the string
// constants in a formula.
import { BrokenText, bytesAt, latin1, u16, utf16 } from './ole-bytes.js';

/**
 * [MS-XLS] 2.4.265 SST: cstTotal, cstUnique, then XLUnicodeRichExtendedString each, pushed onto
 * `out` one by one (a workbook may hold millions: no spread onto the stack).
 */
export function sharedStrings(s: Segments, out: string[]): void {
  s.skip(4);
  const unique = s.u32();
  for (let n = 0; n < unique && !s.atEnd(); n++) {
    const cch = s.u16();
    const flags = s.byte();
    const runs = flags & 0x08 ? s.u16() : 0;
    const ext = flags & 0x04 ? s.u32() : 0;
    out.push(s.chars(cch, flags & 1));
    // Formatting runs (4 bytes each) and the phonetic block: not text Excel shows as the cell's.
    s.skip(runs * 4).skip(ext);
  }
}

/** A comment's or text box's text ([MS-XLS] 2.4.329 TxO): in the CONTINUE records after it, each opening with its flags byte. */
export function boxText(cch: number, segs: Uint8Array[]): string[] {
  if (cch === 0 || segs.length === 0) return [];
  const s = new Segments(segs);
  return [s.chars(cch, s.byte() & 1)];
}

/** [MS-XLS] 2.4.271 SupBook: an external workbook's path and its sheet names. */
export function externalBook(body: Uint8Array): string[] {
  const ctab = u16(body, 0);
  const cch = u16(body, 2);
  // 0x0401: this workbook; 0x3A01: add-in functions. Neither holds strings.
  if (cch === 0x0401 || cch === 0x3a01) return [];
  const s = new Segments([body]).skip(4);
  const out = [s.chars(cch, s.byte() & 1)];
  for (let n = 0; n < ctab && !s.atEnd(); n++) out.push(s.xlString());
  return out;
}

/**
 * String constants (PtgStr: 0x17, an 8-bit count, a flags byte, the characters, [MS-XLS] 2.5.198.89)
 * in a record holding a formula. Looked for at every byte rather than by walking the tokens: a
 * record is at most 8 KiB, and a false match is a few bytes read as text.
 */
export function ptgStrings(body: Uint8Array): string[] {
  const out: string[] = [];
  for (let k = 0; k + 3 <= body.length; k++) {
    if (body[k] !== 0x17) continue;
    const cch = body[k + 1] as number;
    const high = body[k + 2] as number;
    if (cch === 0 || high > 1 || k + 3 + cch * (high + 1) > body.length) continue;
    const chars = body.subarray(k + 3, k + 3 + cch * (high + 1));
    out.push(high ? utf16(chars) : latin1(chars));
  }
  return out;
}

/**
 * A record's data with the CONTINUE records after it, read as one: a string's characters that go
 * past a record go on in the next after a flags byte restating fHighByte ([MS-XLS] 2.4.58
 * Continue); any other field goes on as it is. Every read past the last throws BrokenText.
 */
export class Segments {
  readonly #segs: readonly Uint8Array[];
  #i = 0;
  #at = 0;

  constructor(segs: readonly Uint8Array[]) {
    this.#segs = segs;
  }

  /** True when nothing is left (the position moved past finished segments first). */
  atEnd(): boolean {
    this.#settle();
    return this.#i >= this.#segs.length;
  }

  byte(): number {
    this.#settle();
    const seg = this.#segs[this.#i];
    if (!seg) throw new BrokenText('a string past its record');
    return seg[this.#at++] as number;
  }

  u16(): number {
    return this.byte() | (this.byte() << 8);
  }

  u32(): number {
    return this.u16() + this.u16() * 0x10000;
  }

  skip(n: number): this {
    for (let left = n; left > 0;) {
      this.#settle();
      const seg = this.#segs[this.#i];
      if (!seg) throw new BrokenText('a string past its record');
      const step = Math.min(left, seg.length - this.#at);
      this.#at += step;
      left -= step;
    }
    return this;
  }

  /** An XLUnicodeString ([MS-XLS] 2.5.294): a 16-bit count, a flags byte, the characters. */
  xlString(): string {
    const cch = this.u16();
    return this.chars(cch, this.byte() & 1);
  }

  /** `cch` characters, 16-bit when `high`, else 8-bit (the low bytes of UTF-16). */
  chars(cch: number, high: number): string {
    const parts: string[] = [];
    let left = cch;
    while (left > 0) {
      let seg = this.#segs[this.#i];
      if (seg && this.#at >= seg.length) {
        // The string goes on in the next CONTINUE record, after its flags byte.
        seg = this.#segs[++this.#i];
        this.#at = 0;
        if (!seg) break;
        high = (seg[this.#at++] as number) & 1;
        continue;
      }
      if (!seg) break;
      const width = high ? 2 : 1;
      const n = Math.min(left, Math.floor((seg.length - this.#at) / width));
      if (n === 0) throw new BrokenText('half a character at the end of a record');
      const bytes = bytesAt(seg, this.#at, n * width);
      parts.push(high ? utf16(bytes) : latin1(bytes));
      this.#at += n * width;
      left -= n;
    }
    if (left > 0) throw new BrokenText('a string past its record');
    return parts.join('');
  }

  #settle(): void {
    while (this.#i < this.#segs.length && this.#at >= (this.#segs[this.#i] as Uint8Array).length) {
      this.#i++;
      this.#at = 0;
    }
  }
}
