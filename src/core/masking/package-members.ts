// Owns reading the members of an Office package (a zip) for the search: each member's text as its
// program would open it (XML, plain text in UTF-8 or UTF-16, gzip), binary parts as data, media
// cleaned of metadata, and the unzipped size counted against a zip bomb.
import { gunzipSync, strFromU8, strToU8 } from 'fflate';
import { looksLikeText } from './part-table.js';
import { MAX_XML_TEXT, NotWhatItClaims, TOO_MUCH_TEXT } from './not-what-it-claims.js';
import type { BinaryData } from './binary-readings.js';
import { BrokenText, cp1252 } from './ole-bytes.js';
import { metafileTexts } from './metafile-text.js';
import { NotAVideo, stripVideoMetadata } from './video-metadata.js';

/** Unzipped size limit: a zip bomb is not a document. */
const MAX_UNZIPPED = 100 * 1024 * 1024;

/** A plain-text part's characters: UTF-16 by its byte-order mark (Notepad's "Unicode"), else UTF-8 (WHATWG Encoding, replacement characters for invalid bytes). */
function plainText(b: Uint8Array): string {
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b);
  if (b[0] === 0xfe && b[1] === 0xff) return new TextDecoder('utf-16be').decode(b);
  return strFromU8(b);
}

/** Bytes of a member looked at to judge it text: as looksLikeText. */
const JUDGED = 8192;

/**
 * Which UTF-16 `b` is in without a byte-order mark, judged by where its NULs stand in its first
 * 8 KiB (JUDGED), or null. Text in UTF-16LE has its zero bytes at odd offsets only: ASCII's, a
 * space's, a digit's and a line break's high bytes, whatever the script around them (a Cyrillic
 * letter's high byte is 0x04, not zero: `Иван` is 18 04 32 04 30 04 3D 04); binary data has them at
 * both. UTF-16LE (`le`) when at least 3 in 4 of the odd bytes are zero and at most 1 in 4 of the
 * even ones (mostly ASCII: Notepad's guess, IsTextUnicode), or when at least 1 in 16 of the odd
 * bytes is zero, at most 1 even zero byte stands for 16 odd ones and its characters hold no C0
 * control but tab, line breaks and form feed (one in 64 allowed): any script with blanks or digits
 * between its words. UTF-16BE (`be`) the same from the other byte. Constant cost.
 */
export function utf16WithoutMark(b: Uint8Array): 'le' | 'be' | null {
  const n = Math.min(b.length, JUDGED) & ~1;
  if (n < 4) return null;
  const zeros = [0, 0];
  for (let i = 0; i < n; i++) if (b[i] === 0) zeros[i & 1]!++;
  const pairs = n >> 1;
  const judged = (high: 0 | 1): boolean => {
    const zh = zeros[high] as number;
    const zl = zeros[high ^ 1] as number;
    if (zh * 4 >= pairs * 3 && zl * 4 <= pairs) return true;
    if (zh * 16 < pairs || zl * 16 > zh) return false;
    let controls = 0;
    for (let k = 0; k < n; k += 2) {
      const unit = high === 1 ? (b[k] as number) | ((b[k + 1] as number) << 8) : ((b[k] as number) << 8) | (b[k + 1] as number);
      if (unit < 0x20 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0d && unit !== 0x0c) controls++;
    }
    return controls * 64 <= pairs;
  };
  return judged(1) ? 'le' : judged(0) ? 'be' : null;
}

/**
 * A package member's readings as a text editor shows it (a zip program opens it for whoever renames
 * the package), or null when it is binary. Judged by its first 8 KiB (JUDGED): UTF-16 by its
 * byte-order mark; UTF-16 without one by where its NULs stand (utf16WithoutMark: a Russian note in
 * UTF-16LE, whose Cyrillic high bytes are 0x04, read as UTF-8 made `р` (U+0440) an `@` and its
 * other letters junk: the round-17 attack), read as UTF-16 and, past the judged bytes, as
 * Windows-1252 too (a member may change its encoding after them); UTF-8 when they decode without an
 * error (WHATWG Encoding, fatal; control bytes and NULs allowed: the fold reads them as nothing);
 * else Windows-1252 when at most 1 in 16 of its bytes is a C0 control (random or compressed data
 * has ~1 in 9). Constant cost to judge; the readings are the whole member's, NotWhatItClaims
 * (TOO_MUCH_TEXT) before they are decoded when they would pass `limit` characters.
 */
export function memberTexts(b: Uint8Array, limit = Infinity, textNamed = false): string[] | null {
  if (b.length === 0) return null;
  const readings: ((b: Uint8Array) => string)[] = [];
  const wide = (b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff) ? 'mark' : utf16WithoutMark(b);
  if (wide === 'mark') readings.push(plainText);
  else if (wide !== null) {
    readings.push((x) => new TextDecoder(wide === 'le' ? 'utf-16le' : 'utf-16be').decode(x));
    if (b.length > JUDGED) readings.push((x) => cp1252(x.subarray(JUDGED)));
  } else {
    const n = Math.min(b.length, JUDGED);
    let controls = 0;
    for (let i = 0; i < n; i++) {
      const c = b[i] as number;
      if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) controls++;
    }
    try {
      // A multi-byte character cut at the judged bytes' end is no error (stream).
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, n), { stream: n < b.length });
      readings.push(strFromU8);
    } catch {
      if (controls * 16 <= n) readings.push(cp1252);
    }
  }
  // Named as text (TEXT_NAME: `contacts.txt`), it is opened as text whatever its first bytes
  // (Notepad shows an address after 8 KiB of binary-looking bytes; its UTF-16 the fold reads past
  // the zero bytes): read as Windows-1252 (the round-15 attack).
  if (readings.length === 0 && textNamed) readings.push(cp1252);
  if (readings.length === 0) return null;
  // Counted before it is decoded: a reading is at most a character a byte.
  if (readings.length * b.length > limit) throw new NotWhatItClaims(TOO_MUCH_TEXT);
  return readings.map((read) => read(b));
}

/**
 * An XML part's text and how to write it back: UTF-16 by its byte-order mark or, without one, by
 * where its NULs stand (utf16WithoutMark: a custom XML part saved as UTF-16 by a program); else
 * UTF-8. Written back in the same encoding (with its mark when it had one), so the part still opens.
 */
export function xmlPartText(data: Uint8Array): { text: string; encode: (s: string) => Uint8Array<ArrayBuffer> } {
  const le = data[0] === 0xff && data[1] === 0xfe;
  const be = data[0] === 0xfe && data[1] === 0xff;
  const wide = le ? 'le' : be ? 'be' : utf16WithoutMark(data);
  if (wide === null) return { text: strFromU8(data), encode: strToU8 };
  const mark = le || be ? 2 : 0;
  return {
    text: new TextDecoder(wide === 'le' ? 'utf-16le' : 'utf-16be').decode(data.subarray(mark)),
    encode: (s) => {
      const out = Buffer.from(`${mark ? '\ufeff' : ''}${s}`, 'utf16le');
      return Uint8Array.from(wide === 'be' ? out.swap16() : out);
    },
  };
}

/**
 * A gzip member's bytes unzipped (a compressed metafile, `.emz`/`.wmz`, RFC 1952), counted in the
 * package's MAX_UNZIPPED by its stated size before it is unzipped; empty when `b` is no gzip or does
 * not unzip (then read as any binary part).
 */
function gunzipped(b: Uint8Array, counts: { total: number; text: number }): Uint8Array {
  if (b.length < 18 || b[0] !== 0x1f || b[1] !== 0x8b) return new Uint8Array(0);
  counts.total += view32(b, b.length - 4);
  if (counts.total > MAX_UNZIPPED) throw new NotWhatItClaims('unpacks to more than 100 MB');
  try {
    return gunzipSync(b);
  } catch {
    return new Uint8Array(0);
  }
}

const view32 = (b: Uint8Array, at: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);

/**
 * A binary part into `binary` (searched for the writer in pieces as Latin-1 and UTF-16LE:
 * binaryHolds), and, when it is a metafile picture (metafile-text.ts: the text an EMF or a WMF draws, gzipped
 * or not) or reads as text (memberTexts: a `contacts.txt` a zip program shows to
 * whoever renames the package, control bytes and all), its readings into `texts`, searched for any
 * address; counted in MAX_XML_TEXT (NotWhatItClaims past it). A picture (a HEIC or an AVIF too) never
 * comes here: the caller cleans it (image-metadata.ts stripImageMetadata).
 */
export function binaryPart(data: Uint8Array, counts: { total: number; text: number }, texts: string[], binary: BinaryData[], name: string): void {
  let read: string[] | null;
  try {
    read = metafileTexts(data) ?? metafileTexts(gunzipped(data, counts)) ?? memberTexts(data, MAX_XML_TEXT - counts.text, TEXT_NAME.test(name));
  } catch (err) {
    // A metafile picture keeping more raw data than is read (metafile-text.ts RAW_LIMIT).
    throw err instanceof BrokenText ? new NotWhatItClaims(`${err.message}, so it does not cross`) : err;
  }
  if (read) {
    for (const t of read) counts.text += t.length;
    if (counts.text > MAX_XML_TEXT) throw new NotWhatItClaims(TOO_MUCH_TEXT);
    texts.push(...read);
  }
  binary.push({ bytes: data, utf16: true });
}

/**
 * A video or sound part (MP4, MOV, 3GP, M4A: isIsoMedia) without its metadata (stripVideoMetadata,
 * the cleaner an attached one goes through), into `binary` for the search for the writer, as any
 * binary part. Round-19 attack: its `udta`/`meta` boxes (title, artist, comment, ©xyz location,
 * XMP) were searched for the writer only, so another person's address in them crossed.
 * NotWhatItClaims when its boxes do not walk.
 */
export function cleanMedia(data: Uint8Array, name: string, binary: BinaryData[]): Uint8Array<ArrayBuffer> {
  try {
    const clean = stripVideoMetadata(data).bytes;
    binary.push({ bytes: clean, utf16: true });
    return clean;
  } catch (err) {
    if (err instanceof NotAVideo)
      throw new NotWhatItClaims(`holds a video or sound (${name}) that does not read as one (${err.message}), so it does not cross`);
    throw err;
  }
}

/** A member's name that a zip program opens in a text editor whatever its bytes (memberTexts). */
const TEXT_NAME = /\.(?:txt|text|csv|tsv|log|md|ini|cfg|conf|json|ya?ml|html?|vcf|ics|eml|rtf|tex|sql|srt|nfo)$/i;

/**
 * Whether a part named as no XML part is (OOXML_TEXT) is XML all the same: plain text
 * (looksLikeText) whose first character but blanks and a UTF-8 byte-order mark is `<`. Office
 * finds a part by its relationship and its type by [Content_Types].xml (ECMA-376 Part 2, 10.1.2),
 * not by its extension: `word/main.dat` declared the main document is shown as one. Counted in
 * MAX_XML_TEXT here, as it was not before it was unzipped (NotWhatItClaims past it).
 */
export function xmlUnderAnotherName(data: Uint8Array, counts: { total: number; text: number }): boolean {
  let i = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  while (i < data.length && i < 4096 && (data[i] === 0x20 || data[i] === 0x09 || data[i] === 0x0a || data[i] === 0x0d)) i++;
  if (data[i] !== 0x3c || !looksLikeText(data)) return false;
  counts.text += data.length;
  if (counts.text > MAX_XML_TEXT) throw new NotWhatItClaims(TOO_MUCH_TEXT);
  return true;
}

/** Counts an entry before it is unzipped: NotWhatItClaims past MAX_UNZIPPED or MAX_XML_TEXT. */
export function countEntry(counts: { total: number; text: number }, f: { readonly name: string; readonly originalSize: number }): true {
  counts.total += f.originalSize;
  if (counts.total > MAX_UNZIPPED) throw new NotWhatItClaims('unpacks to more than 100 MB');
  if (OOXML_TEXT.test(f.name)) {
    counts.text += f.originalSize;
    if (counts.text > MAX_XML_TEXT) throw new NotWhatItClaims(TOO_MUCH_TEXT);
  }
  return true;
}

/** Parts read as text: the XML, its relationships, VML drawings and SVG pictures. */
export const OOXML_TEXT = /\.(xml|rels|vml|svg)$/i;
