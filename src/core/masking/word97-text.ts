// Owns reading a Word 97 file's text as Word does: through its piece table, not as its streams
// happen to store it ([MS-DOC] 2.4.1 Retrieving Text). A fast save appends changed text at the
// end of the WordDocument stream, so `anna.weber@` and `buyer.example` may stand there in the other
// order, or one compressed (a byte a character) and the other UTF-16; only the pieces join them.
import { utf16 } from './ole-bytes.js';

/** An automatically numbered footnote's or endnote's reference mark in a .doc's text ([MS-DOC] 2.8.19 PlcffndRef; an endnote's alike). */
export const WORD97_NOTE_MARK = '\u0002';

/** True when a WordDocument stream's FIB says the file is encrypted or obfuscated (FibBase fEncrypted, [MS-DOC] 2.5.2): its text cannot be read. */
export const word97Encrypted = (word: Uint8Array): boolean =>
  word.length >= 0x20 && word[0] === 0xec && word[1] === 0xa5 && ((word[0x0b] as number) & 0x01) !== 0;

type Tables = { readonly '0Table'?: Uint8Array; readonly '1Table'?: Uint8Array };

/**
 * A Word 97 FIB's table stream and one of its FibRgFcLcb97 pairs ([MS-DOC] 2.5.1 Fib: FibBase of
 * 32 bytes with wIdent 0xA5EC, nFib, fWhichTblStm and fEncrypted; csw and fibRgW, cslw and
 * fibRgLw, cbRgFcLcb and the pairs): the bytes `fc`…`fc + lcb` of the table stream for pair
 * `index` from 0 (fcSttbfBkmk, fcPlcfBkf, fcPlcfBkl 21–23, fcClx 33, fcPlfLst 73). Null when not a Word 97
 * FIB (too short, Word 6/95, encrypted), the table stream is missing or the pair points outside it.
 */
function fibPart(word: Uint8Array, tables: Tables, index: number): { table: Uint8Array; fc: number; lcb: number } | null {
  const w = new DataView(word.buffer, word.byteOffset, word.byteLength);
  if (word.length < 0x9a || w.getUint16(0, true) !== 0xa5ec || w.getUint16(2, true) < 0xc0) return null;
  const flags = w.getUint16(0x0a, true);
  // fEncrypted (bit 8): nothing past the FIB is readable.
  if (flags & 0x0100) return null;
  const table = flags & 0x0200 ? tables['1Table'] : tables['0Table'];
  if (!table) return null;
  const csw = w.getUint16(0x20, true);
  const lw = 0x22 + csw * 2;
  if (lw + 2 > word.length) return null;
  const fcLcb = lw + 2 + w.getUint16(lw, true) * 4;
  if (fcLcb + 2 > word.length) return null;
  const at = fcLcb + 2 + index * 8;
  if (w.getUint16(fcLcb, true) <= index || at + 8 > word.length) return null;
  const fc = w.getUint32(at, true);
  const lcb = w.getUint32(at + 4, true);
  if (fc + lcb > table.length) return null;
  return { table, fc, lcb };
}

// Number formats ([MS-OSHARED] MSONFC, an LVLF's nfc: 0 decimal, 22 decimal with a leading zero, 23 bullet, 255
// none) that show no letters; any other (roman, letters, ordinal, words, hex, other scripts) may.
const DIGIT_NFC: ReadonlySet<number> = new Set([0, 22, 23, 255]);
// A Latin letter or a digit the number's letters would join into an address or a Latin name (`第%1条`, a Chinese article label, is kept).
const LETTER_OR_DIGIT = /[\p{Script=Latin}0-9\uff10-\uff19]/u;
const AT = /[@\uff20\ufe6b]/;

/**
 * True when a Word 97 file's list levels may show letters that join an address or a name: a label
 * (an LVL's xst, its placeholders U+0000–U+0008 the levels' numbers) with a placeholder of a level
 * numbered in letters, roman numerals or words that holds an at-sign, or stands next to a letter
 * or digit of the label (`Anna Webe%1`), or ends the label with nothing after it (ixchFollow 2:
 * the paragraph's text goes on from the letter). Read from the PlfLst at fcPlfLst and the LVLs
 * after it (LSTF 28 bytes, fSimpleList: one level, else nine; LVL: LVLF 28 bytes with nfc at 4,
 * ixchFollow at 15, cbGrpprlChpx and cbGrpprlPapx at 24 and 25, then both grpprls and the xst:
 * [MS-DOC] 2.9.131 LSTF, 2.9.150 LVL, 2.9.151 LVLF, 2.9.190 PlfLst). Which paragraph shows which
 * label is not read, so such a level removes the document wherever it is used. False when there
 * are no lists or they cannot be read (data cut short: what was read is judged). Linear.
 */
export function word97LabelLetters(word: Uint8Array, tables: Tables): boolean {
  const lists = fibPart(word, tables, 73);
  if (!lists || lists.lcb < 2) return false;
  const t = lists.table;
  const u16 = (at: number) => (t[at] as number) | ((t[at + 1] as number) << 8);
  const count = u16(lists.fc);
  if (lists.lcb < 2 + count * 28) return false;
  let at = lists.fc + lists.lcb;
  for (let l = 0; l < count; l++) {
    const simple = ((t[lists.fc + 2 + l * 28 + 26] as number) & 1) === 1;
    const levels: { nfc: number; follow: number; label: string }[] = [];
    for (let v = 0; v < (simple ? 1 : 9); v++) {
      if (at + 28 > t.length) return false;
      const nfc = t[at + 4] as number;
      const follow = t[at + 15] as number;
      at += 28 + (t[at + 24] as number) + (t[at + 25] as number);
      if (at + 2 > t.length) return false;
      const cch = u16(at);
      if (at + 2 + cch * 2 > t.length) return false;
      levels.push({ nfc, follow, label: utf16(t.subarray(at + 2, at + 2 + cch * 2)) });
      at += 2 + cch * 2;
    }
    for (const { follow, label } of levels) {
      // Once a label (not at each of its placeholders: a 65 535-character label would be quadratic).
      const hasAt = AT.test(label);
      for (let k = 0; k < label.length; k++) {
        const c = label.charCodeAt(k);
        const shown = c < 9 ? levels[c] : undefined;
        if (!shown || DIGIT_NFC.has(shown.nfc)) continue;
        const after = label.charAt(k + 1);
        if (hasAt || LETTER_OR_DIGIT.test(label.charAt(k - 1)) || LETTER_OR_DIGIT.test(after) || (after === '' && follow === 2)) return true;
      }
    }
  }
  return false;
}

/**
 * Each standard bookmark's range of the text doc-text.ts docText reads (character positions `from` to `to`,
 * the end not included), by name lowercased: SttbfBkmk (fcSttbfBkmk, an extended STTB: fExtend
 * 0xFFFF, a 2-byte cData, cbExtra 0, each name a 2-byte count and UTF-16), PlcfBkf (fcPlcfBkf: the
 * n+1 start CPs, then n FBKFs whose ibkl is the end's index) and PlcfBkl (fcPlcfBkl: the end CPs)
 * ([MS-DOC] 2.8.10, 2.8.12, 2.9.69 FBKF, 2.9.274 SttbfBkmk). An empty map when there are none;
 * null when they cannot be read (then a REF is refused). Linear in the tables.
 */
export function word97Bookmarks(word: Uint8Array, tables: Tables): Map<string, { from: number; to: number }> | null {
  const names = fibPart(word, tables, 21);
  const starts = fibPart(word, tables, 22);
  const ends = fibPart(word, tables, 23);
  if (!names || !starts || !ends) return null;
  const out = new Map<string, { from: number; to: number }>();
  if (names.lcb === 0) return out;
  const t = names.table;
  const u16 = (at: number) => (t[at] as number) | ((t[at + 1] as number) << 8);
  const i32 = (at: number) => new DataView(t.buffer, t.byteOffset + at, 4).getInt32(0, true);
  if (names.lcb < 6 || u16(names.fc) !== 0xffff) return null;
  const count = u16(names.fc + 2);
  // Starts: (count + 1) CPs and count FBKFs of 4 bytes; ends: at least count + 1 CPs.
  if (starts.lcb < (count + 1) * 4 + count * 4 || ends.lcb < 4) return null;
  const endCount = ends.lcb / 4 - 1;
  const extra = u16(names.fc + 4);
  let at = names.fc + 6;
  for (let k = 0; k < count; k++) {
    if (at + 2 > names.fc + names.lcb) return null;
    const cch = u16(at);
    if (at + 2 + cch * 2 > names.fc + names.lcb) return null;
    const name = utf16(t.subarray(at + 2, at + 2 + cch * 2)).toLowerCase();
    at += 2 + cch * 2 + extra;
    const from = i32(starts.fc + k * 4);
    const ibkl = u16(starts.fc + (count + 1) * 4 + k * 4);
    if (ibkl >= endCount) return null;
    const to = i32(ends.fc + ibkl * 4);
    if (from < 0 || to < from) return null;
    if (!out.has(name)) out.set(name, { from, to });
  }
  return out;
}
