// A Word 97 file ([MS-DOC]) as Word reads its text: a FIB in the WordDocument stream pointing to a
// piece table (Clx) in the 1Table stream, each piece's text stored UTF-16LE or compressed (one
// byte a character). Only what maskgate reads is filled in; enough for its tests, not for Word.
import CFB from 'cfb';

/** One piece of the text: its characters, and whether they are stored one byte each (cp1252). */
export interface Piece {
  readonly text: string;
  readonly compressed?: boolean;
}

/** A bookmark: its name and the character positions it spans (`to` not included). */
export interface Bookmark {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** A list level: its number format (MSONFC: 0 decimal, 2 lower roman, 4 lower letter), its label (U+0000 the first level's number), what follows it (0 tab, 1 space, 2 nothing). */
export interface Level {
  readonly nfc: number;
  readonly label: string;
  readonly follow?: number;
}

/**
 * A .doc (CFB bytes) whose text is `pieces` in order; `stored` gives the order the pieces' bytes
 * stand in the WordDocument stream (a fast save appends a later piece after an earlier one), by
 * default the same. `ccpText` is the whole text (one story). `lists`: each list's levels (one: a
 * simple list; else nine), as a PlfLst and its LVLs in the table stream. `bookmarks`: as an
 * SttbfBkmk, a PlcfBkf and a PlcfBkl (ends in reverse order, each start naming its end's index).
 * `encrypted`: the FIB's fEncrypted set (the text is left as it is).
 */
export function word97(
  pieces: readonly Piece[],
  {
    stored = pieces.map((_, k) => k),
    lists = [],
    bookmarks = [],
    encrypted = false,
  }: { stored?: readonly number[]; lists?: readonly (readonly Level[])[]; bookmarks?: readonly Bookmark[]; encrypted?: boolean } = {},
): Buffer {
  const FIB = 0x400;
  const chunks: Buffer[] = [];
  const fcs: number[] = new Array<number>(pieces.length).fill(0);
  let at = FIB;
  for (const k of stored) {
    const p = pieces[k] as Piece;
    const bytes = p.compressed ? Buffer.from(p.text, 'latin1') : Buffer.from(p.text, 'utf16le');
    fcs[k] = p.compressed ? (at * 2) | 0x40000000 : at;
    chunks.push(bytes);
    at += bytes.length;
  }
  const fib = Buffer.alloc(FIB);
  fib.writeUInt16LE(0xa5ec, 0); // wIdent
  fib.writeUInt16LE(0x00c1, 2); // nFib: Word 97
  fib.writeUInt16LE((1 << 9) | (encrypted ? 1 << 8 : 0), 0x0a); // fWhichTblStm: 1Table; fEncrypted
  fib.writeUInt16LE(14, 0x20); // csw
  fib.writeUInt16LE(22, 0x3e); // cslw
  const total = pieces.reduce((n, p) => n + p.text.length, 0);
  fib.writeInt32LE(total, 0x4c); // ccpText
  fib.writeUInt16LE(0x5d, 0x98); // cbRgFcLcb: Word 97's 93 pairs
  // Clx: one Pcdt (clxt 2, lcb, PlcPcd: n+1 CPs then n PCDs of 8 bytes).
  const n = pieces.length;
  const plc = Buffer.alloc((n + 1) * 4 + n * 8);
  let cp = 0;
  for (let k = 0; k <= n; k++) {
    plc.writeInt32LE(cp, k * 4);
    if (k < n) {
      plc.writeUInt32LE(fcs[k] as number, (n + 1) * 4 + k * 8 + 2);
      cp += (pieces[k] as Piece).text.length;
    }
  }
  const head = Buffer.alloc(5);
  head.writeUInt8(2, 0);
  head.writeUInt32LE(plc.length, 1);
  const clx = Buffer.concat([Buffer.from([1, 2, 0, 0xaa, 0xbb]), head, plc]); // a Prc of 2 bytes first
  fib.writeUInt32LE(0, 0x1a2); // fcClx
  fib.writeUInt32LE(clx.length, 0x1a6); // lcbClx
  // PlfLst (cLst, LSTFs of 28 bytes: fSimpleList at 26), then each list's LVLs (LVLF of 28 bytes:
  // nfc at 4, ixchFollow at 15, a 2-byte grpprlPapx; then the xst: cch and UTF-16).
  const plf = Buffer.alloc(2 + lists.length * 28);
  plf.writeUInt16LE(lists.length, 0);
  const lvls: Buffer[] = [];
  lists.forEach((levels, l) => {
    plf.writeUInt8(levels.length === 1 ? 1 : 0, 2 + l * 28 + 26);
    for (const level of levels) {
      const lvlf = Buffer.alloc(28 + 2);
      lvlf.writeUInt8(level.nfc, 4);
      lvlf.writeUInt8(level.follow ?? 0, 15);
      lvlf.writeUInt8(2, 25);
      const cch = Buffer.alloc(2);
      cch.writeUInt16LE(level.label.length, 0);
      lvls.push(lvlf, cch, Buffer.from(level.label, 'utf16le'));
    }
  });
  fib.writeUInt32LE(clx.length, 0x2e2); // fcPlfLst
  fib.writeUInt32LE(plf.length, 0x2e6); // lcbPlfLst (the LVLs follow, not counted)
  const table = [clx, plf, ...lvls];
  if (bookmarks.length) {
    let at = table.reduce((n, b) => n + b.length, 0);
    const n = bookmarks.length;
    const sttb = Buffer.concat([
      Buffer.from([0xff, 0xff, n & 0xff, n >> 8, 0, 0]),
      ...bookmarks.map((b) => Buffer.concat([Buffer.from([b.name.length, 0]), Buffer.from(b.name, 'utf16le')])),
    ]);
    const bkf = Buffer.alloc((n + 1) * 4 + n * 4);
    const bkl = Buffer.alloc((n + 1) * 4);
    bookmarks.forEach((b, k) => {
      bkf.writeInt32LE(b.from, k * 4);
      bkf.writeUInt16LE(n - 1 - k, (n + 1) * 4 + k * 4);
      bkl.writeInt32LE(b.to, (n - 1 - k) * 4);
    });
    bkf.writeInt32LE(total + 1, n * 4);
    bkl.writeInt32LE(total + 1, n * 4);
    for (const [offset, part] of [
      [0x142, sttb],
      [0x14a, bkf],
      [0x152, bkl],
    ] as const) {
      fib.writeUInt32LE(at, offset);
      fib.writeUInt32LE(part.length, offset + 4);
      table.push(part);
      at += part.length;
    }
  }
  const c = CFB.utils.cfb_new();
  CFB.utils.cfb_add(c, 'WordDocument', Buffer.concat([fib, ...chunks]));
  CFB.utils.cfb_add(c, '1Table', Buffer.concat(table));
  return Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array);
}
