// Owns reading the text a Windows metafile picture draws: EMF ([MS-EMF]) and its EMF+ records
// ([MS-EMFPLUS]), and WMF ([MS-WMF]), as Word and Outlook paste them into a document
// (word/media/image1.emf) and draw their text records as visible text. Pixels (a bitmap record)
// and text drawn as glyph numbers (ETO_GLYPH_INDEX, an EMF+ driver string without its cmap flag)
// are not read, as a photo's pixels are not.
import { BrokenText, cp1252 } from './ole-bytes.js';

/** EMF record types ([MS-EMF] 2.1.1). */
const EMR_HEADER = 1;
const EMR_EOF = 14;
const EMR_COMMENT = 70;
const EMR_EXTTEXTOUTA = 83;
const EMR_EXTTEXTOUTW = 84;
const EMR_POLYTEXTOUTA = 96;
const EMR_POLYTEXTOUTW = 97;
const EMR_SMALLTEXTOUT = 108;
const EMR_EXTCREATEFONTINDIRECTW = 82;
/** ' EMF' ([MS-EMF] 2.2.9 RecordSignature). */
const ENHMETA_SIGNATURE = 0x464d4520;
/** 'EMF+' ([MS-EMFPLUS] 2.3.3 EmfPlusRecord in an EMR_COMMENT_EMFPLUS). */
const EMFPLUS_SIGNATURE = 0x2b464d45;
/** EMF+ record types ([MS-EMFPLUS] 2.1.1.1). */
const EMFPLUS_OBJECT = 0x4008;
/** EMF+ object types ([MS-EMFPLUS] 2.1.1.22): an image, a font. */
const OBJECT_IMAGE = 5;
const OBJECT_FONT = 6;
const EMFPLUS_DRAWSTRING = 0x401c;
const EMFPLUS_DRAWDRIVERSTRING = 0x4036;
/** WMF record functions ([MS-WMF] 2.1.1.1). */
const META_TEXTOUT = 0x0521;
const META_EXTTEXTOUT = 0x0a32;
const META_ESCAPE = 0x0626;
const META_CREATEFONTINDIRECT = 0x02fb;
/** 'WMFC': an EMF kept in a WMF's escapes ([MS-WMF] 2.3.6.1 META_ESCAPE_ENHANCED_METAFILE). */
const WMFC_SIGNATURE = 0x43464d57;
/** A WMF's placeable header ([MS-WMF] 2.3.2.3 META_PLACEABLE). */
const PLACEABLE_KEY = 0x9ac6cdd7;
/** ETO_OPAQUE, ETO_CLIPPED: a WMF ExtTextOut record holds a rectangle ([MS-WMF] 2.1.2.2). */
const ETO_RECT = 0x0002 | 0x0004;
/** An EMR_SMALLTEXTOUT without a bounding rectangle, and with 8-bit characters ([MS-EMF] 2.1.11 ExtTextOutOptions). */
const ETO_NO_RECT = 0x0100;
const ETO_SMALL_CHARS = 0x0200;

/**
 * Raw data (comments, escapes, embedded pictures) read as text, and the strings a picture draws, at
 * most, in bytes: each raw byte makes two characters of readings, each drawn one one or two (the
 * string and the join, withJoined). Counted before they are decoded (a 100 KB docx unzips to a
 * 90 MB picture drawing 90 MB of text: it held ~275 MB of a pool thread before the 16 MB of text
 * were counted, the round-15 attack).
 */
export const RAW_LIMIT = 8 * 1024 * 1024;

/** Embedded metafiles read inside a metafile: one level (an EMF in a WMF, a metafile in an EMF+ image). */
const MAX_DEPTH = 2;

/** Whether `b` begins as an EMF (its header record with its signature) or a WMF (placeable or bare header). */
export function isMetafile(b: Uint8Array): boolean {
  return emfAt(b) || wmfStart(b) !== null;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function emfAt(b: Uint8Array): boolean {
  return b.length >= 88 && view(b).getUint32(0, true) === EMR_HEADER && view(b).getUint32(40, true) === ENHMETA_SIGNATURE;
}

/** Where a WMF's META_HEADER starts (0, or 22 after a placeable header), or null when `b` is no WMF. */
function wmfStart(b: Uint8Array): number | null {
  if (b.length < 18) return null;
  const at = view(b).getUint32(0, true) === PLACEABLE_KEY ? 22 : 0;
  if (b.length < at + 18) return null;
  const d = view(b);
  const type = d.getUint16(at, true);
  const headerSize = d.getUint16(at + 2, true);
  const version = d.getUint16(at + 4, true);
  return (type === 1 || type === 2) && headerSize === 9 && (version === 0x0100 || version === 0x0300) ? at : null;
}

/**
 * The texts a metafile picture draws, or null when `b` is no EMF or WMF (isMetafile): EMF
 * EMR_EXTTEXTOUTA/W, EMR_POLYTEXTOUTA/W and EMR_SMALLTEXTOUT strings, its header's description, EMF+
 * DrawString and DrawDriverString (characters, not glyph numbers) strings; WMF META_TEXTOUT and
 * META_EXTTEXTOUT strings; an EMF kept in a WMF's escapes read as an EMF; and what a metafile keeps
 * that another program may draw instead (an EMF comment's or a WMF escape's data but EMF+ records,
 * an EMF+ image object's data that is no bitmap and does not read as a metafile) read whole as Windows-1252 and as UTF-16LE from byte 0 and byte 1.
 * 8-bit strings read as Windows-1252 (their font's charset is not followed). Walks each record once:
 * linear in `b`'s size; stops at a record whose size runs past the data (a reader stops there too).
 * Throws BrokenText before raw data or drawn strings past `raw.left` bytes (RAW_LIMIT, 8 MiB, unless
 * given: a file's pictures share one) would be read; `raw.left` is what is left after.
 */
export function metafileTexts(b: Uint8Array, raw: { left: number } = { left: RAW_LIMIT }): string[] | null {
  return readMetafile(b, { depth: 0, raw });
}

/** Where a reading stands: how deep inside metafiles, and how many bytes of raw data may still be read (shared). */
interface Ctx {
  readonly depth: number;
  readonly raw: { left: number };
}

function readMetafile(b: Uint8Array, c: Ctx): string[] | null {
  if (emfAt(b)) return emfTexts(b, c);
  const start = wmfStart(b);
  return start === null ? null : wmfTexts(b, start, c);
}

const utf16 = (b: Uint8Array) => new TextDecoder('utf-16le').decode(b);

/** Spends `n` bytes of what may be read as text (RAW_LIMIT): BrokenText past it, before they are decoded. */
function spend(c: Ctx, n: number): void {
  c.raw.left -= n;
  if (c.raw.left < 0) throw new BrokenText('a picture keeps more data than is read');
}

/** Data another program may draw, read as text every way a string may stand in it. */
function rawReadings(b: Uint8Array, c: Ctx): string[] {
  if (b.length === 0) return [];
  spend(c, b.length);
  const inner = c.depth < MAX_DEPTH ? readMetafile(b, { ...c, depth: c.depth + 1 }) : null;
  return [...(inner ?? []), cp1252(b), utf16(b), utf16(b.subarray(1))];
}

/** A string a metafile draws, with its reference point (where its first character stands). */
interface Run {
  readonly text: string;
  readonly x: number;
  readonly y: number;
}

/**
 * The strings a metafile draws, each, and all of them joined twice: as drawn (in record order,
 * nothing between), and as placed (runs whose reference points share a baseline, y, joined left to
 * right by x; lines top to bottom, a line break between). A picture draws its text in as many
 * records as it likes (a word, a font run, a glyph each: PDF printers and charts do), and a reader
 * sees `bob.stone` and `@gmail.com` drawn side by side as one address (the round-15 attack), in
 * whatever order the records come (`@gmail.com` drawn first at x 300, `bob.stone` after at x 100:
 * the round-17 attack). Each join is one more reading of at most their size (counted once, when
 * each string was read: RAW_LIMIT).
 */
function withJoined(texts: string[], drawn: readonly Run[]): string[] {
  if (drawn.length <= 1) return texts;
  texts.push(drawn.map((r) => r.text).join(''));
  const lines = new Map<number, Run[]>();
  for (const r of drawn) {
    const line = lines.get(r.y);
    if (line) line.push(r);
    else lines.set(r.y, [r]);
  }
  // Array sort is stable: runs at the same point stay in record order.
  const placed = [...lines.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, line]) =>
      line
        .sort((a, b) => a.x - b.x)
        .map((r) => r.text)
        .join(''),
    )
    .join('\n');
  if (placed !== texts[texts.length - 1]) texts.push(placed);
  return texts;
}

/**
 * A font's face name in a fixed field of `len` bytes (UTF-16LE when `wide`, else 8-bit), up to its
 * first NUL, into `texts`: a name is not drawn, but an editor shows it (the font menu), and Word
 * lists the fonts a document uses. Counted as a drawn string is.
 */
function fontName(b: Uint8Array, from: number, len: number, wide: boolean, c: Ctx, texts: string[]): void {
  if (from < 0 || len <= 0 || from + len > b.length) return;
  spend(c, len);
  const field = wide ? utf16(b.subarray(from, from + len)) : cp1252(b.subarray(from, from + len));
  const name = field.split('\0')[0] ?? '';
  if (name.trim()) texts.push(name);
}

function emfTexts(b: Uint8Array, c: Ctx): string[] {
  const d = view(b);
  const texts: string[] = [];
  const drawn: Run[] = [];
  const comments: Uint8Array[] = [];
  /** `chars` characters at `off` from the record at `rec` (of `size` bytes), 8-bit or UTF-16LE, drawn at (x, y). */
  const string = (rec: number, size: number, off: number, chars: number, wide: boolean, x = 0, y = 0) => {
    const len = wide ? chars * 2 : chars;
    if (off < 8 || off > size || len > size - off) return;
    spend(c, len);
    const s = b.subarray(rec + off, rec + off + len);
    const text = wide ? utf16(s) : cp1252(s);
    texts.push(text);
    drawn.push({ text, x, y });
  };
  // The header's description is not drawn: it takes no place among the drawn strings.
  const described = (rec: number, size: number, off: number, chars: number) => {
    const len = chars * 2;
    if (off < 8 || off > size || len > size - off) return;
    spend(c, len);
    texts.push(utf16(b.subarray(rec + off, rec + off + len)));
  };
  for (let at = 0; at + 8 <= b.length;) {
    const type = d.getUint32(at, true);
    const size = d.getUint32(at + 4, true);
    if (size < 8 || size > b.length - at) break;
    if (type === EMR_HEADER && size >= 68) described(at, size, d.getUint32(at + 64, true), d.getUint32(at + 60, true));
    else if ((type === EMR_EXTTEXTOUTA || type === EMR_EXTTEXTOUTW) && size >= 56)
      // EmrText ([MS-EMF] 2.2.5) at 36: its Reference point, then Chars and offString.
      string(at, size, d.getUint32(at + 48, true), d.getUint32(at + 44, true), type === EMR_EXTTEXTOUTW, d.getInt32(at + 36, true), d.getInt32(at + 40, true));
    else if ((type === EMR_POLYTEXTOUTA || type === EMR_POLYTEXTOUTW) && size >= 40) {
      const count = d.getUint32(at + 36, true);
      for (let k = 0, e = at + 40; k < count && e + 40 <= at + size; k++, e += 40)
        string(at, size, d.getUint32(e + 12, true), d.getUint32(e + 8, true), type === EMR_POLYTEXTOUTW, d.getInt32(e, true), d.getInt32(e + 4, true));
    } else if (type === EMR_SMALLTEXTOUT && size >= 36) {
      const options = d.getUint32(at + 20, true);
      string(
        at,
        size,
        options & ETO_NO_RECT ? 36 : 52,
        d.getUint32(at + 16, true),
        !(options & ETO_SMALL_CHARS),
        d.getInt32(at + 8, true),
        d.getInt32(at + 12, true),
      );
    } else if (type === EMR_EXTCREATEFONTINDIRECTW && size >= 12 + 92) {
      // ihFont, then a LogFont ([MS-EMF] 2.2.13): FaceName, 32 UTF-16 characters, at 28; a
      // LogFontEx goes on with FullName (64), Style (32) and Script (32).
      fontName(b, at + 40, 64, true, c, texts);
      if (size >= 12 + 348) {
        fontName(b, at + 104, 128, true, c, texts);
        fontName(b, at + 232, 64, true, c, texts);
        fontName(b, at + 296, 64, true, c, texts);
      }
    } else if (type === EMR_COMMENT && size >= 12) {
      const data = b.subarray(at + 12, at + 12 + Math.min(d.getUint32(at + 8, true), size - 12));
      if (data.length >= 4 && view(data).getUint32(0, true) === EMFPLUS_SIGNATURE) texts.push(...emfPlusTexts(data.subarray(4), c, drawn));
      else comments.push(data);
    } else if (type === EMR_EOF) break;
    at += size;
  }
  if (comments.length) texts.push(...rawReadings(Buffer.concat(comments), c));
  return withJoined(texts, drawn);
}

/** EMF+ records ([MS-EMFPLUS] 2.3): DrawString's and DrawDriverString's characters (also into `drawn`), an image object's texts (imageTexts). */
function emfPlusTexts(b: Uint8Array, c: Ctx, drawn: Run[]): string[] {
  const d = view(b);
  const texts: string[] = [];
  const draw = (s: Uint8Array, x: number, y: number) => {
    spend(c, s.length);
    const t = utf16(s);
    texts.push(t);
    drawn.push({ text: t, x, y });
  };
  let continued: Uint8Array[] | null = null;
  for (let at = 0; at + 12 <= b.length;) {
    const type = d.getUint16(at, true);
    const flags = d.getUint16(at + 2, true);
    const size = d.getUint32(at + 4, true);
    if (size < 12 || size > b.length - at) break;
    const data = b.subarray(at + 12, at + size);
    if (type === EMFPLUS_DRAWSTRING && data.length >= 28) {
      // BrushId, FormatID, Length, then its layout rectangle (x, y, width, height: floats).
      const chars = view(data).getUint32(8, true);
      draw(data.subarray(28, 28 + Math.min(chars * 2, data.length - 28)), view(data).getFloat32(12, true), view(data).getFloat32(16, true));
    } else if (type === EMFPLUS_DRAWDRIVERSTRING && data.length >= 16) {
      // DriverStringOptionsCmapLookup (1): the glyphs are characters; otherwise glyph numbers. Their
      // positions (points, floats) follow them: the first glyph's is the run's.
      if (view(data).getUint32(4, true) & 1) {
        const glyphs = view(data).getUint32(12, true);
        const point = 16 + glyphs * 2;
        const [x, y] = point + 8 <= data.length ? [view(data).getFloat32(point, true), view(data).getFloat32(point + 4, true)] : [0, 0];
        draw(data.subarray(16, 16 + Math.min(glyphs * 2, data.length - 16)), x, y);
      }
    } else if (type === EMFPLUS_OBJECT && ((flags >> 8) & 0x7f) === OBJECT_FONT && data.length >= 24) {
      // EmfPlusFont ([MS-EMFPLUS] 2.2.1.3): Version, EmSize, SizeUnit, FontStyleFlags, Reserved, Length, FamilyName.
      fontName(data, 24, Math.min(view(data).getUint32(20, true), 32) * 2, true, c, texts);
    } else if (type === EMFPLUS_OBJECT && ((flags >> 8) & 0x7f) === OBJECT_IMAGE) {
      // An image object (ObjectTypeImage). One kept in pieces (flag C, 0x8000: continued in the next
      // record, TotalObjectSize first) is joined before it is read.
      if (flags & 0x8000) (continued ??= []).push(data.subarray(4));
      else if (continued) {
        texts.push(...imageTexts(Buffer.concat([...continued, data]), c));
        continued = null;
      } else texts.push(...imageTexts(data, c));
    }
    at += size;
  }
  if (continued) texts.push(...imageTexts(Buffer.concat(continued), c));
  return texts;
}

/**
 * An EMF+ image object's texts ([MS-EMFPLUS] 2.2.1.4 EmfPlusImage: Version, Type, then the image):
 * none for a bitmap (its pixels are not read); a metafile's (MetafileType, MetafileDataSize, data)
 * as a metafile, or raw when it does not read as one; anything else raw.
 */
function imageTexts(image: Uint8Array, c: Ctx): string[] {
  const type = image.length >= 8 ? view(image).getUint32(4, true) : 0;
  if (type === 1) return [];
  const inner =
    type === 2 && image.length >= 16 && c.depth < MAX_DEPTH
      ? readMetafile(image.subarray(16, 16 + view(image).getUint32(12, true)), { ...c, depth: c.depth + 1 })
      : null;
  return inner ?? rawReadings(image, c);
}

function wmfTexts(b: Uint8Array, start: number, c: Ctx): string[] {
  const d = view(b);
  const texts: string[] = [];
  const drawn: Run[] = [];
  const escapes: Uint8Array[] = [];
  const emf: Uint8Array[] = [];
  const string = (from: number, end: number, len: number, x: number, y: number) => {
    if (from + len > end) return;
    spend(c, len);
    drawn.push({ text: cp1252(b.subarray(from, from + len)), x, y });
  };
  for (let at = start + 18; at + 6 <= b.length;) {
    const size = d.getUint32(at, true) * 2;
    const fn = d.getUint16(at + 4, true);
    if (size < 6 || size > b.length - at) break;
    const end = at + size;
    if (fn === 0) break;
    if (fn === META_TEXTOUT && size >= 8) {
      // StringLength, String (padded to 2 bytes), then YStart and XStart ([MS-WMF] 2.3.3.20).
      const len = d.getUint16(at + 6, true);
      const point = at + 8 + len + (len & 1);
      const [x, y] = point + 4 <= end ? [d.getInt16(point + 2, true), d.getInt16(point, true)] : [0, 0];
      string(at + 8, end, len, x, y);
    } else if (fn === META_EXTTEXTOUT && size >= 14) {
      // Y, X, StringLength, fwOpts, [Rectangle], String ([MS-WMF] 2.3.3.5).
      const options = d.getUint16(at + 12, true);
      string(at + (options & ETO_RECT ? 22 : 14), end, d.getUint16(at + 10, true), d.getInt16(at + 8, true), d.getInt16(at + 6, true));
    } else if (fn === META_CREATEFONTINDIRECT && size >= 6 + 18) {
      // A Font object ([MS-WMF] 2.2.1.2): 18 bytes of sizes and flags, then FaceName (8-bit, 32 bytes at most).
      fontName(b, at + 24, Math.min(32, end - at - 24), false, c, texts);
    } else if (fn === META_ESCAPE && size >= 10) {
      const data = b.subarray(at + 10, Math.min(end, at + 10 + d.getUint16(at + 8, true)));
      // An EMF kept in pieces (META_ESCAPE_ENHANCED_METAFILE: 'WMFC', a 34-byte header, then its bytes).
      if (data.length >= 34 && view(data).getUint32(0, true) === WMFC_SIGNATURE) emf.push(data.subarray(34));
      else escapes.push(data);
    }
    at = end;
  }
  texts.push(...drawn.map((r) => r.text));
  if (emf.length) texts.push(...rawReadings(Buffer.concat(emf), c));
  if (escapes.length) texts.push(...rawReadings(Buffer.concat(escapes), c));
  return withJoined(texts, drawn);
}
