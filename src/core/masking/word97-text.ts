// Owns reading a Word 97 file's text as Word does: through its piece table, not as its streams
// happen to store it ([MS-DOC] 2.4.1 Retrieving Text). A fast save appends changed text at the
// end of the WordDocument stream, so `anna.weber@` and `buyer.example` may stand there in the other
// order, or one compressed (a byte a character) and the other UTF-16; only the pieces join them.

const decoder16 = new TextDecoder('utf-16le');
// Windows-1252's 0x80–0x9F (five unassigned, kept as their C1 control). Node's TextDecoder reads
// `windows-1252` as ISO-8859-1, so a compressed piece's quotes and dashes are mapped here.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

const latin1 = new TextDecoder('latin1');
const C1 = /[\u0080-\u009f]/g;

/** Bytes as Windows-1252 (a compressed piece, [MS-DOC] 2.4.1). Linear. */
const cp1252 = (bytes: Uint8Array): string => latin1.decode(bytes).replace(C1, (c) => CP1252_HIGH.charAt(c.charCodeAt(0) - 0x80));

/** An automatically numbered footnote's or endnote's reference mark in a .doc's text ([MS-DOC] 2.8.19 PlcffndRef; an endnote's alike). */
export const WORD97_NOTE_MARK = '\u0002';

/**
 * The text of a Word 97–2003 document (every story: body, notes, headers, comments, text boxes,
 * in character-position order) from its WordDocument stream and its table stream (`0Table` or
 * `1Table`, as the FIB's fWhichTblStm says): FibBase (wIdent 0xA5EC), FibRgFcLcb97's fcClx/lcbClx,
 * the Clx's Pcdt (PlcPcd: n+1 character positions, n 8-byte Pcds), each piece read UTF-16LE or,
 * when its FcCompressed has fCompressed, one cp1252 byte a character at fc/2 ([MS-DOC] 2.2.2, 2.9.38,
 * 2.9.73, 2.9.177, 2.9.178). Null when the stream is not a Word 97 file this can read (too short,
 * another version's FIB, encrypted, a piece outside the stream). At most `word.length` characters.
 */
export function word97Text(word: Uint8Array, tables: { readonly '0Table'?: Uint8Array; readonly '1Table'?: Uint8Array }): string | null {
  const w = new DataView(word.buffer, word.byteOffset, word.byteLength);
  if (word.length < 0x9a || w.getUint16(0, true) !== 0xa5ec) return null;
  const flags = w.getUint16(0x0a, true);
  // fEncrypted (bit 8): the text is not readable.
  if (flags & 0x0100) return null;
  const table = (flags & 0x0200 ? tables['1Table'] : tables['0Table']) ?? null;
  if (!table) return null;
  // FibBase (32 bytes), csw and fibRgW, cslw and fibRgLw, cbRgFcLcb and fibRgFcLcbBlob.
  const csw = w.getUint16(0x20, true);
  const lw = 0x22 + csw * 2;
  if (lw + 2 > word.length) return null;
  const cslw = w.getUint16(lw, true);
  const fcLcb = lw + 2 + cslw * 4;
  if (fcLcb + 2 > word.length) return null;
  const pairs = w.getUint16(fcLcb, true);
  // fcClx and lcbClx: FibRgFcLcb97's 34th pair (offsets 0x108 and 0x10C into the blob).
  const clxAt = fcLcb + 2 + 0x108;
  if (pairs < 34 || clxAt + 8 > word.length) return null;
  const fcClx = w.getUint32(clxAt, true);
  const lcbClx = w.getUint32(clxAt + 4, true);
  if (fcClx + lcbClx > table.length) return null;
  const t = new DataView(table.buffer, table.byteOffset + fcClx, lcbClx);
  // Prc entries (clxt 1, cbGrpprl, grpprl) before the one Pcdt (clxt 2, lcb, PlcPcd).
  let k = 0;
  while (k < lcbClx && t.getUint8(k) === 1) {
    if (k + 3 > lcbClx) return null;
    k += 3 + Math.max(0, t.getInt16(k + 1, true));
  }
  if (k + 5 > lcbClx || t.getUint8(k) !== 2) return null;
  const lcb = t.getUint32(k + 1, true);
  const plc = k + 5;
  if (plc + lcb > lcbClx || lcb < 16 || (lcb - 4) % 12 !== 0) return null;
  const n = (lcb - 4) / 12;
  let out = '';
  for (let p = 0; p < n; p++) {
    const from = t.getInt32(plc + p * 4, true);
    const to = t.getInt32(plc + (p + 1) * 4, true);
    const length = to - from;
    if (length < 0 || out.length + length > word.length) return null;
    const fc = t.getUint32(plc + (n + 1) * 4 + p * 8 + 2, true);
    const compressed = (fc & 0x40000000) !== 0;
    const start = compressed ? (fc & 0x3fffffff) / 2 : fc & 0x3fffffff;
    const end = start + (compressed ? length : length * 2);
    if (!Number.isInteger(start) || end > word.length) return null;
    out += compressed ? cp1252(word.subarray(start, end)) : decoder16.decode(word.subarray(start, end));
  }
  return out;
}
