// Owns the text an Excel 97–2003 workbook (.xls) shows, read from the BIFF8 records of its
// `Workbook` stream ([MS-XLS] 2.1.4): cell strings, formula results and constants, sheet and
// defined names, headers and footers (odd, even and first pages), comments and text boxes,
// hyperlinks, number formats, validation messages and lists, chart series names, external workbook
// paths and cached cells, AutoFilter criteria, scenarios, the zipped theme, font and cell style
// names, pivot caches' strings (xlsPivotCacheTexts), and the texts its drawings keep as shape properties (office-art.ts: WordArt,
// alt text).
import { strFromU8, unzipSync } from 'fflate';
import { concat } from './concat-bytes.js';
import { NotWhatItClaims } from './not-what-it-claims.js';
import { officeArtPictureTexts, officeArtTexts } from './office-art.js';
import { BrokenText, latin1, u16, u32, utf16 } from './ole-bytes.js';
import { boxText, externalBook, ptgStrings, Segments, sharedStrings } from './xls-strings.js';

// Record types ([MS-XLS] 2.3).
const BOF = 0x0809;
const EOF = 0x000a;
const FILEPASS = 0x002f;
const CONTINUE = 0x003c;
const SST = 0x00fc;
const LABEL = 0x0204;
const RSTRING = 0x00d6;
const STRING = 0x0207;
const BOUNDSHEET = 0x0085;
const LBL = 0x0018;
const HEADER = 0x0014;
const FOOTER = 0x0015;
const NOTE = 0x001c;
const TXO = 0x01b6;
const HLINK = 0x01b8;
const HLINKTOOLTIP = 0x0800;
const FORMAT = 0x041e;
const FONT = 0x0031; // its name shows in the font box
const STYLE = 0x0293; // a user-defined cell style's name shows in the styles gallery
const DV = 0x01be;
const SERIESTEXT = 0x100d;
const SUPBOOK = 0x01ae;
const HEADER_FOOTER = 0x089c; // the even and first pages' headers and footers (Excel 2007 and later)
// An AutoFilter's criteria (the strings its drop-down shows), a scenario's name, comment, author and
// values, an external workbook's cached cells (CRN): read in both alignments and as 8-bit text.
const AUTOFILTER = 0x009e;
const SCENARIO = 0x00af;
const CRN = 0x005a;
// The workbook's theme ([MS-XLS] 2.4.326 Theme): a zipped theme package, going on in CONTINUEFRT12 records.
const THEME = 0x0896;
const CONTINUE_FRT12 = 0x087f;
// A pivot cache's string ([MS-XLS] 2.4.276 SXString), in the `_SX_DB_CUR` storage's streams.
const SXSTRING = 0x00cd;
/**
 * At most this much unzipped from a workbook's themes, all its THEME records together (Office's own
 * themes are under 1 MB: XML and a picture or two). Each record alone had 100 MB: 100 KB of .xls per
 * THEME record of zeros kept ~600 MB alive, and the records add up.
 */
const MAX_THEME = 20 * 1024 * 1024;
// Drawing records ([MS-XLS] 2.4.168–170 MsoDrawingGroup, MsoDrawing, MsoDrawingSelection): OfficeArt
// records, one drawing going on across them and their CONTINUE records.
const DRAWINGS = new Set([0x00eb, 0x00ec, 0x00ed]);
// Records holding a formula (parsed expression), whose string constants (PtgStr) Excel shows in
// the formula bar: FORMULA, ARRAY, SHRFMLA, conditional formats (CF, CF12), defined names (LBL),
// and data validation (DV: a list typed in, `"Anna,Kim"`, is the cell's drop-down).
const FORMULAS = new Set([0x0006, 0x0221, 0x04bc, 0x01b1, 0x087a, LBL, DV]);
const BIFF8 = 0x0600;

// The records read here; every other record (a number, a style, a picture) is passed over unread.
const READ = new Set([
  FILEPASS,
  SST,
  LABEL,
  RSTRING,
  STRING,
  BOUNDSHEET,
  HEADER,
  FOOTER,
  NOTE,
  TXO,
  HLINK,
  HLINKTOOLTIP,
  FORMAT,
  FONT,
  STYLE,
  DV,
  SERIESTEXT,
  SUPBOOK,
  HEADER_FOOTER,
  AUTOFILTER,
  SCENARIO,
  CRN,
  THEME,
  ...FORMULAS,
]);

/** Where each record of a workbook stream starts, its type, and where each BOF record is. */
interface Records {
  readonly types: number[];
  readonly ats: number[];
  readonly bofs: Set<number>;
}

/**
 * The strings of a BIFF8 workbook stream, each as Excel shows it. Returns null when the stream does
 * not open with a BOF record (not a workbook Excel 97 reads). Throws NotWhatItClaims for an
 * encrypted (FILEPASS) or pre-97 (BIFF5) workbook and BrokenText when its records do not add up (a
 * record past the end inside a substream, a sheet whose BoundSheet8 offset is no BOF record, a
 * string past its record and its CONTINUE records). Linear in the stream's length.
 */
export function xlsText(stream: Uint8Array): string[] | null {
  if (stream.length < 8 || u16(stream, 0) !== BOF) return null;
  if (u16(stream, 4) !== BIFF8) throw new NotWhatItClaims('an Excel 5 or 95 workbook, whose text is not read here, so it does not cross');
  const { types, ats, bofs } = records(stream);
  // A record's data (records() checked that it is all in the stream).
  const dataOf = (k: number) => {
    const at = ats[k] as number;
    return stream.subarray(at + 4, at + 4 + u16(stream, at + 2));
  };
  const out: string[] = [];
  const sheetsAt: number[] = [];
  const drawings = drawingParts(types, dataOf);
  const themes = { left: MAX_THEME };
  for (let k = 0; k < types.length; k++) {
    const type = types[k] as number;
    if (!READ.has(type)) continue;
    const body = dataOf(k);
    // The CONTINUE records after this one, which carry the rest of its data.
    const more = (): Uint8Array[] => {
      const segs: Uint8Array[] = [];
      for (let j = k + 1; j < types.length && types[j] === CONTINUE; j++) segs.push(dataOf(j));
      return segs;
    };
    if (type === FILEPASS) throw new NotWhatItClaims('an encrypted Excel workbook: its text cannot be read, so it does not cross');
    if (FORMULAS.has(type)) out.push(...ptgStrings(body));
    if (type === SST) sharedStrings(new Segments([body, ...more()]), out);
    else if (type === LABEL || type === RSTRING || type === NOTE) out.push(new Segments([body]).skip(type === NOTE ? 8 : 6).xlString());
    else if (type === STRING) out.push(new Segments([body, ...more()]).xlString());
    else if ((type === HEADER || type === FOOTER || type === FORMAT) && body.length > 0)
      out.push(new Segments([body]).skip(type === FORMAT ? 2 : 0).xlString());
    else if (type === BOUNDSHEET) {
      sheetsAt.push(u32(body, 0));
      const s = new Segments([body]).skip(6);
      out.push(s.chars(s.byte(), s.byte() & 1));
    } else if (type === LBL) {
      const s = new Segments([body]).skip(14);
      out.push(s.chars(u16(body, 3) & 0xff, s.byte() & 1));
    } else if (type === TXO) out.push(...boxText(u16(body, 10), more()));
    else if (type === HLINK || type === HLINKTOOLTIP) {
      // A hyperlink object ([MS-OSHARED] 2.3.7.1: display name, target, location as UTF-16 with
      // 32-bit lengths; a file moniker's 8-bit path): read in both alignments and as 8-bit text.
      const rest = body.subarray(type === HLINK ? 8 : 10);
      out.push(utf16(rest), utf16(rest.subarray(1)), latin1(rest));
    } else if (type === DV) {
      const s = new Segments([body]).skip(4);
      for (let n = 0; n < 4; n++) out.push(s.xlString());
    } else if (type === FONT) {
      // [MS-XLS] 2.4.122 Font: 14 bytes, then fontName (ShortXLUnicodeString: an 8-bit count, flags).
      const s = new Segments([body]).skip(14);
      out.push(s.chars(s.byte(), s.byte() & 1));
    } else if (type === STYLE) {
      // [MS-XLS] 2.4.269 Style: ixfe with fBuiltIn (bit 15); a user-defined style's name follows.
      if (!(u16(body, 0) & 0x8000)) out.push(new Segments([body]).skip(2).xlString());
    } else if (type === SERIESTEXT) {
      const s = new Segments([body]).skip(2);
      out.push(s.chars(s.byte(), s.byte() & 1));
    } else if (type === SUPBOOK) out.push(...externalBook(body));
    else if (type === AUTOFILTER || type === SCENARIO || type === CRN) {
      const all = concat([body, ...more()]);
      out.push(latin1(all), utf16(all), utf16(all.subarray(1)));
    } else if (type === THEME && body.length > 16 && u32(body, 12) === 0) {
      const parts = [body.subarray(16)];
      for (let j = k + 1; j < types.length && types[j] === CONTINUE_FRT12; j++) parts.push(dataOf(j).subarray(12));
      out.push(...themeTexts(concat(parts), themes));
    } else if (type === HEADER_FOOTER) {
      // [MS-XLS] 2.4.137: FrtHeader, guidSView, flags, four counts, then each string without its count.
      const s = new Segments([body]).skip(30);
      const counts = [s.u16(), s.u16(), s.u16(), s.u16()];
      for (const cch of counts) if (cch > 0) out.push(s.chars(cch, s.byte() & 1));
    }
  }
  if (sheetsAt.some((at) => !bofs.has(at))) throw new BrokenText('a sheet where no BOF record is');
  // The drawings' texts (WordArt, a shape's name and alternative text), read as one OfficeArt stream.
  if (drawings.length > 0) {
    const art = concat(drawings);
    out.push(...officeArtTexts(art));
    // And what its EMF and WMF pictures draw (the drawing group's blips).
    out.push(...officeArtPictureTexts(art));
  }
  return out;
}

/** The data of each drawing record and of the CONTINUE records after it, in order (`dataOf` a record's data by its index). */
function drawingParts(types: readonly number[], dataOf: (k: number) => Uint8Array): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let k = 0; k < types.length; k++)
    if (DRAWINGS.has(types[k] as number)) for (let j = k; j === k || (j < types.length && types[j] === CONTINUE); j++) parts.push(dataOf(j));
  return parts;
}

/**
 * Where a BIFF8 workbook stream keeps its drawings (OfficeArt records, their pictures among them):
 * the data of each MsoDrawingGroup, MsoDrawing and MsoDrawingSelection record and of the CONTINUE
 * records after it, in order, each a view of `stream` (what xlsText joins and reads as one
 * OfficeArt stream). Empty when the stream does not open with a BOF record. Throws BrokenText as
 * xlsText does when its records do not add up. Linear.
 */
export function xlsDrawingParts(stream: Uint8Array): Uint8Array[] {
  if (stream.length < 8 || u16(stream, 0) !== BOF) return [];
  const { types, ats } = records(stream);
  return drawingParts(types, (k) => stream.subarray((ats[k] as number) + 4, (ats[k] as number) + 4 + u16(stream, (ats[k] as number) + 2)));
}

/**
 * A zipped theme package's XML parts, each as shown (tags as nothing) and as written; BrokenText
 * when it does not unzip or when the workbook's themes unpack to more than `budget.left` bytes
 * (MAX_THEME, shared by its THEME records).
 */
function themeTexts(zip: Uint8Array, budget: { left: number }): string[] {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (f) => {
        budget.left -= f.originalSize;
        if (budget.left < 0) throw new BrokenText('themes unpacking to more than 20 MB');
        return true;
      },
    });
  } catch (err) {
    throw err instanceof BrokenText ? err : new BrokenText('a theme that does not unzip');
  }
  const out: string[] = [];
  for (const [name, bytes] of Object.entries(files)) {
    if (!/\.(xml|rels)$/i.test(name)) {
      out.push(latin1(bytes), utf16(bytes));
      continue;
    }
    const xml = strFromU8(bytes);
    out.push(xml.replace(/<[^>]*>/g, ''), xml);
  }
  return out;
}

/**
 * The strings of a pivot cache stream (a `_SX_DB_CUR` storage's: [MS-XLS] 2.1.7.3 PivotCache),
 * each SXString record's, across its CONTINUE records. A record past the end ends the walk; a
 * string past its records is BrokenText. Linear in the stream's length.
 */
export function xlsPivotCacheTexts(stream: Uint8Array): string[] {
  const types: number[] = [];
  const ats: number[] = [];
  for (let at = 0; at + 4 <= stream.length;) {
    const length = u16(stream, at + 2);
    if (at + 4 + length > stream.length) break;
    types.push(u16(stream, at));
    ats.push(at);
    at += 4 + length;
  }
  const dataOf = (k: number) => stream.subarray((ats[k] as number) + 4, (ats[k] as number) + 4 + u16(stream, (ats[k] as number) + 2));
  const out: string[] = [];
  for (let k = 0; k < types.length; k++) {
    if (types[k] !== SXSTRING) continue;
    const segs = [dataOf(k)];
    for (let j = k + 1; j < types.length && types[j] === CONTINUE; j++) segs.push(dataOf(j));
    const s = new Segments(segs);
    const cch = s.u16();
    if (cch > 0) out.push(s.chars(cch, s.byte() & 1));
  }
  return out;
}

/**
 * The stream's records, in order (two numbers each, no object: a workbook may hold millions).
 * Between substreams (after an EOF closing the last open BOF) a record past the end ends the walk:
 * Excel reaches each sheet by its BoundSheet8 offset, so bytes there are not shown; inside a
 * substream it is BrokenText.
 */
function records(stream: Uint8Array): Records {
  const types: number[] = [];
  const ats: number[] = [];
  const bofs = new Set<number>();
  let depth = 0;
  for (let at = 0; at + 4 <= stream.length;) {
    const type = u16(stream, at);
    const length = u16(stream, at + 2);
    if (at + 4 + length > stream.length) {
      if (depth === 0) break;
      throw new BrokenText('a record past the end of the workbook stream');
    }
    types.push(type);
    ats.push(at);
    if (type === BOF) {
      depth++;
      bofs.add(at);
    } else if (type === EOF && depth > 0) depth--;
    at += 4 + length;
  }
  return { types, ats, bofs };
}
