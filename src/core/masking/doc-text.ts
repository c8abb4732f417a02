// Owns the text a Word 97–2003 document (.doc) shows: every piece of its piece table, so the main
// text, footnotes, headers and footers, comments, endnotes and text boxes alike (one CP range,
// [MS-DOC] 2.4.1), with Word's marks in it (fields U+0013/14/15, cells U+0007, paragraphs U+000D);
// and the comment and revision authors Word shows in their balloons (docAuthors).
import { NotWhatItClaims } from './not-what-it-claims.js';
import { BrokenText, bytesAt, cp1252, u16, u32, utf16 } from './ole-bytes.js';

// [MS-DOC] 2.5.2 FibBase.
const W_IDENT = 0xa5ec;
// Word 97's nFib is 0x00C1 (some writers put 0x00C0 or 0x00C2); Word 6 and 95 wrote 0x0065–0x0068.
const NFIB_97 = 0x00c0;
const F_ENCRYPTED = 0x0100;
const F_WHICH_TBL_STM = 0x0200; // the table stream is 1Table, else 0Table
// fcClx is the 34th FcLcb pair of FibRgFcLcb97 ([MS-DOC] 2.5.6); fcGrpXstAtnOwners the 37th,
// fcSttbfRMark the 52nd.
const FC_CLX_INDEX = 33;
const FC_ATN_OWNERS_INDEX = 36;
const FC_RMARK_INDEX = 51;
const FC_FFN_INDEX = 15; // fcSttbfFfn, the 16th

/**
 * The text of a .doc's `WordDocument` stream ([MS-DOC] 2.5.1 Fib → fcClx/lcbClx in the table stream
 * → 2.9.38 Clx → 2.9.178 Pcdt → 2.8.35 PlcPcd; each 2.9.177 Pcd's FcCompressed gives 8-bit
 * Windows-1252 at fc/2 or UTF-16LE at fc). `table` returns the `0Table` or `1Table` stream.
 * Returns null when the stream does not start with a Word 97 FIB (wIdent 0xA5EC): not a file Word
 * reads as a .doc. Throws NotWhatItClaims (the reason to remove it) for a Word 6/95 or encrypted
 * document and BrokenText when the structure does not add up (bounds, CPs out of order, more
 * characters than the stream has bytes). A fast-saved document (fComplex; WPS Office writes them)
 * is read by its pieces as Word shows it: the text a fast save left behind unshown is searched
 * only for the writer, with the stream's bytes. Linear in the streams: the text is at most as many
 * characters as `word` has bytes.
 */
export function docText(word: Uint8Array, table: (name: '0Table' | '1Table') => Uint8Array | undefined): string | null {
  const pair = fibPairs(word, table);
  return pair && pieces(word, plcPcd(pair(FC_CLX_INDEX)));
}

/**
 * The comment and revision authors of a .doc ([MS-DOC] 2.9.113 GrpXstAtnOwners, 2.2.4 SttbfRMark in
 * the table stream), which Word shows in their balloons ("Deleted: kim.lee@…"), and its font names
 * (SttbfFfn, in the font box); null, NotWhatItClaims and BrokenText as docText's. Linear.
 */
export function docAuthors(word: Uint8Array, table: (name: '0Table' | '1Table') => Uint8Array | undefined): string[] | null {
  const pair = fibPairs(word, table);
  return pair && [...xsts(pair(FC_ATN_OWNERS_INDEX)), ...sttb(pair(FC_RMARK_INDEX)), ...fontNames(pair(FC_FFN_INDEX))];
}

/**
 * [MS-DOC] 2.9.279 SttbfFfn: cData, cbExtra (0), then each FFN after its 8-bit size: 39 bytes, then
 * the font's name and its alternative name, NUL-terminated UTF-16 (the font box shows them).
 */
function fontNames(b: Uint8Array): string[] {
  if (b.length === 0) return [];
  const count = u16(b, 0);
  const out: string[] = [];
  for (let n = 0, at = 4; n < count; n++) {
    const size = u8(b, at);
    const ffn = bytesAt(b, at + 1, size);
    if (size > FFN_NAME_AT) out.push(utf16(ffn.subarray(FFN_NAME_AT, FFN_NAME_AT + ((size - FFN_NAME_AT) & ~1))).replaceAll('\0', '\n'));
    at += 1 + size;
  }
  return out;
}
const FFN_NAME_AT = 39;
const u8 = (b: Uint8Array, at: number): number => bytesAt(b, at, 1)[0] as number;

/** FcLcb pair `k` of a Word 97 FIB's FibRgFcLcb97 as the bytes it names in the table stream (none past cbRgFcLcb); null: not a Word 97 FIB. */
function fibPairs(word: Uint8Array, table: (name: '0Table' | '1Table') => Uint8Array | undefined): ((k: number) => Uint8Array) | null {
  if (word.length < 32 || u16(word, 0) !== W_IDENT) return null;
  if (u16(word, 2) < NFIB_97) throw new NotWhatItClaims('a Word 6 or 95 document, whose text is not read here, so it does not cross');
  const flags = u16(word, 0x0a);
  if (flags & F_ENCRYPTED) throw new NotWhatItClaims('an encrypted Word document: its text cannot be read, so it does not cross');
  const csw = u16(word, 0x20);
  const cslwAt = 0x22 + csw * 2;
  const cslw = u16(word, cslwAt);
  const cbAt = cslwAt + 2 + cslw * 4;
  const cbRgFcLcb = u16(word, cbAt);
  if (cbRgFcLcb <= FC_CLX_INDEX) throw new BrokenText('a FIB without a piece table');
  const tableStream = table(flags & F_WHICH_TBL_STM ? '1Table' : '0Table');
  if (!tableStream) throw new BrokenText('no table stream');
  return (k) => (k < cbRgFcLcb ? bytesAt(tableStream, u32(word, cbAt + 2 + k * 8), u32(word, cbAt + 2 + k * 8 + 4)) : new Uint8Array(0));
}

/** [MS-DOC] 2.9.113 GrpXstAtnOwners: Xsts (a 16-bit count, UTF-16LE characters) filling `b`. */
function xsts(b: Uint8Array): string[] {
  const out: string[] = [];
  for (let at = 0; at < b.length;) {
    const cch = u16(b, at);
    out.push(utf16(bytesAt(b, at + 2, cch * 2)));
    at += 2 + cch * 2;
  }
  return out;
}

/** [MS-DOC] 2.2.4 STTB of extended (UTF-16) strings: 0xFFFF, cData, cbExtra, then cData of (cch, characters, cbExtra bytes). */
function sttb(b: Uint8Array): string[] {
  if (b.length === 0) return [];
  if (u16(b, 0) !== 0xffff) throw new BrokenText('a string table of 8-bit strings in a Word 97 document');
  const count = u16(b, 2);
  const extra = u16(b, 4);
  const out: string[] = [];
  for (let n = 0, at = 6; n < count; n++) {
    const cch = u16(b, at);
    out.push(utf16(bytesAt(b, at + 2, cch * 2)));
    at += 2 + cch * 2 + extra;
  }
  return out;
}

/** The PlcPcd of a Clx: its Prc entries (clxt 1, a 16-bit size) skipped, then the Pcdt (clxt 2). */
function plcPcd(clx: Uint8Array): Uint8Array {
  let at = 0;
  while (clx[at] === 0x01) at += 3 + u16(clx, at + 1);
  if (clx[at] !== 0x02) throw new BrokenText('a Clx without its Pcdt');
  return bytesAt(clx, at + 5, u32(clx, at + 1));
}

/** Each piece's text, in CP order; CPs ascending and the whole at most `word.length` characters. */
function pieces(word: Uint8Array, plc: Uint8Array): string {
  // (n + 1) CPs of 4 bytes, then n Pcds of 8 bytes.
  const n = (plc.length - 4) / 12;
  if (!Number.isInteger(n) || n < 1) throw new BrokenText('a PlcPcd of the wrong size');
  const first = u32(plc, 0);
  if (u32(plc, n * 4) - first > word.length) throw new BrokenText('more text than the stream holds');
  const out: string[] = [];
  for (let k = 0; k < n; k++) {
    const start = u32(plc, k * 4);
    const end = u32(plc, k * 4 + 4);
    if (end < start) throw new BrokenText('CPs out of order');
    const fc = u32(plc, (n + 1) * 4 + k * 8 + 2);
    const length = end - start;
    // FcCompressed: bit 30 fCompressed; the fc its low 30 bits.
    if (fc & 0x40000000) out.push(cp1252(bytesAt(word, (fc & 0x3fffffff) >>> 1, length)));
    else out.push(utf16(bytesAt(word, fc & 0x3fffffff, length * 2)));
  }
  return out.join('');
}

// [MS-DOC] 2.9.78 FFData follows a 0x44-byte header (lcb, cbHeader 0x44) at its place in the Data stream.
const FF_HEADER = 0x44;

/**
 * The texts of a .doc's form fields that Word shows besides the field's result ([MS-DOC] 2.9.78
 * FFData, in the `Data` stream): a drop-down's entries, a field's name, default text, format, help
 * and status-bar text and macro names. Found at every FFData header in `data` (version 0xFFFFFFFF
 * after a FFDataBase-sized header) rather than through the character properties that point at it:
 * a candidate that does not parse is passed over. Throws BrokenText when candidates read add up to
 * more than twice `data`'s bytes (made to overlap; honest ones add up to at most its length). Linear.
 */
export function docFormFieldTexts(data: Uint8Array): string[] {
  const out: string[] = [];
  let budget = 2 * data.length + 4096;
  for (let q = FF_HEADER; q + 10 <= data.length; q++) {
    if (data[q] !== 0xff || u32(data, q) !== 0xffffffff || u16(data, q - FF_HEADER + 4) !== FF_HEADER) continue;
    const end = Math.min(data.length, q - FF_HEADER + u32(data, q - FF_HEADER));
    let at = q + 10;
    try {
      const texts: string[] = [];
      const type = u16(data, q + 4) & 0x3;
      const xstz = () => {
        const cch = u16(data, at);
        if (at + 4 + cch * 2 > end) throw new BrokenText('a form field string past its data');
        texts.push(utf16(data.subarray(at + 2, at + 2 + cch * 2)));
        at += 4 + cch * 2;
      };
      xstz(); // name
      if (type === 0)
        xstz(); // default text
      else at += 2; // wDef
      for (let n = 0; n < 5; n++) xstz(); // format, help, status bar, entry and exit macros
      if (type === 2) {
        if (u16(data, at) !== 0xffff) throw new BrokenText('a drop-down list of 8-bit strings');
        const count = u16(data, at + 2);
        const extra = u16(data, at + 4);
        at += 6;
        for (let n = 0; n < count; n++) {
          const cch = u16(data, at);
          if (at + 2 + cch * 2 + extra > end) throw new BrokenText('a drop-down entry past its data');
          texts.push(utf16(data.subarray(at + 2, at + 2 + cch * 2)));
          at += 2 + cch * 2 + extra;
        }
      }
      out.push(...texts);
    } catch (err) {
      if (!(err instanceof BrokenText)) throw err;
    }
    // The bytes this candidate read, parsed or not.
    budget -= at - q;
    if (budget < 0) throw new BrokenText('form field data overlapping past any honest file');
  }
  return out;
}
