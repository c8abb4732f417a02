// Owns cleaning a picture where it stands inside a file that finds it by offset and size: the JPEG
// and PNG pictures (OfficeArt blips, [MS-ODRAW] 2.2.23) inside an old binary Office file's streams
// (a .doc's Data and WordDocument streams, a .ppt's Pictures stream, a workbook's drawing group
// records). Word reaches a picture by its offset in the Data stream and every blip record states its
// size, so the picture is cleaned by the one cleaner (image-metadata.ts stripImageMetadata) and
// padded back to its length with what no viewer draws: nothing else in the file moves.
import { concat } from './concat-bytes.js';
import { crc32, imageFormat, NotAnImage, stripImageMetadata, type CleanPicture } from './image-metadata.js';

/** A picture cleaned in its place: its bytes (as long as it was) and the cleaner's result (for the search for the writer). */
export interface PictureInPlace {
  readonly bytes: Uint8Array;
  readonly clean: CleanPicture;
}

/**
 * `picture` without its metadata (stripImageMetadata) at its own length, padded with what no viewer
 * draws: JPEG, APP15 segments of zeros after its leading APPn segments (a JFIF segment stays first,
 * as JFIF 1.02 wants it; at most 65 533 zeros a segment, so several when more is needed); PNG, a
 * private ancillary chunk (`paDd`, PNG 3rd edition §5.4) of zeros before IEND with its CRC; GIF, a
 * comment extension (GIF89a §24) of zero sub-blocks before the trailer; any other format the cleaner
 * reads (TIFF, BMP…), zeros after it, which its decoder does not read. Where such a filler cannot
 * be that short (under 4 bytes for JPEG, 12 for PNG; 1, 2 or 4 for GIF) zeros follow the picture's
 * end marker instead. Returns null, the bytes left as they are, when the cleaner does not read its
 * format (imageFormat). A PNG whose ICC profile, deflated again, would not fit loses the profile
 * (StripOptions.dropPngProfile). Throws NotAnImage when its structure does not walk (as stripImageMetadata)
 * or when the cleaned picture is longer than the original (an EXIF orientation kept from a segment
 * shorter than the one written back). Linear in its length.
 */
export function pictureInPlace(picture: Uint8Array): PictureInPlace | null {
  if (imageFormat(picture) === null) return null;
  // A PNG's ICC profile is deflated again (image-metadata.ts pngProfile) and may come out longer
  // than it was: then the picture is cleaned again without it, which is never longer.
  let clean = stripImageMetadata(picture);
  if (clean.bytes.length > picture.length && clean.contentType === 'image/png') clean = stripImageMetadata(picture, { dropPngProfile: true });
  const extra = picture.length - clean.bytes.length;
  if (extra < 0) throw new NotAnImage('a picture whose cleaned copy is longer than its place in the file');
  const pad = PADDING[clean.contentType] ?? zerosAfter;
  const bytes = extra === 0 ? clean.bytes : pad(clean.bytes, extra);
  if (bytes.length !== picture.length) throw new Error('picture padding of the wrong length');
  return { bytes, clean };
}

/** `b` with `n` zero bytes after it. */
const zerosAfter = (b: Uint8Array, n: number): Uint8Array => concat([b, new Uint8Array(n)]);

/** `b` with `filler` inserted at `at`. */
const inserted = (b: Uint8Array, at: number, filler: Uint8Array): Uint8Array => concat([b.subarray(0, at), filler, b.subarray(at)]);

/** Bytes of an APPn segment past its 2-byte marker: a length (itself counted) of at most 65 535. */
const MAX_SEGMENT = 2 + 65_535;

/** A cleaned JPEG (stripImageMetadata's: its segments walk) and `n` bytes more (see pictureInPlace). */
function jpegPadded(b: Uint8Array, n: number): Uint8Array {
  if (n < 4) return zerosAfter(b, n);
  // Past SOI and the APPn segments that lead (JFIF, the orientation, an ICC profile), fill bytes too.
  let at = 2;
  for (;;) {
    let m = at;
    while (b[m] === 0xff && m < b.length) m++;
    const marker = b[m] as number;
    if (m === at || marker < 0xe0 || marker > 0xef || m + 3 > b.length) break;
    at = m + 3 + (((b[m + 1] as number) << 8) | (b[m + 2] as number)) - 2;
  }
  // Segments of 4…MAX_SEGMENT bytes adding up to n: as many as needed, sizes as even as can be.
  const count = Math.ceil(n / MAX_SEGMENT);
  const filler = new Uint8Array(n);
  for (let k = 0, pos = 0; k < count; k++) {
    const size = Math.floor(n / count) + (k < n % count ? 1 : 0);
    filler.set([0xff, 0xef, (size - 2) >> 8, (size - 2) & 0xff], pos);
    pos += size;
  }
  return inserted(b, at, filler);
}

/** A cleaned PNG (its chunks walk, IEND last when it has one) and `n` bytes more (see pictureInPlace). */
function pngPadded(b: Uint8Array, n: number): Uint8Array {
  if (n < 12) return zerosAfter(b, n);
  const chunk = new Uint8Array(n);
  const len = n - 12;
  chunk.set([len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, 0x70, 0x61, 0x44, 0x64]); // length, `paDd`
  const crc = crc32(chunk.subarray(4, n - 4));
  chunk.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], n - 4);
  const iend = b.length >= 12 && String.fromCharCode(...b.subarray(b.length - 8, b.length - 4)) === 'IEND';
  return inserted(b, iend ? b.length - 12 : b.length, chunk);
}

/** A cleaned GIF (ending in its trailer, 0x3B) and `n` bytes more (see pictureInPlace). */
function gifPadded(b: Uint8Array, n: number): Uint8Array {
  // Introducer, label and terminator: 3 bytes; sub-blocks of 2…256 bytes each fill the rest.
  if (n < 3 || n === 4) return zerosAfter(b, n);
  const comment = new Uint8Array(n);
  comment.set([0x21, 0xfe]);
  for (let left = n - 3, pos = 2; left > 0;) {
    // Never leave 1 byte over: no sub-block is that short.
    const size = left <= 256 ? left : left - 256 === 1 ? 255 : 256;
    comment[pos] = size - 1;
    pos += size;
    left -= size;
  }
  return inserted(b, b[b.length - 1] === 0x3b ? b.length - 1 : b.length, comment);
}

const PADDING: Readonly<Record<string, (b: Uint8Array, n: number) => Uint8Array>> = {
  'image/jpeg': jpegPadded,
  'image/png': pngPadded,
  'image/gif': gifPadded,
};

// The bitmap blips ([MS-ODRAW] 2.2.23): JPEG (0xF01D), PNG (0xF01E), DIB (0xF01F), TIFF (0xF029),
// CMYK JPEG (0xF02A), recVer 0. Their data: one 16-byte UID, or two (an odd recInstance), a tag
// byte, then the picture's file as it is ([MS-ODRAW] 2.2.27–2.2.30). A metafile blip (EMF, WMF,
// PICT: compressed, read by office-art.ts officeArtPictureTexts) is not one.
const BITMAP_BLIPS = new Set([0xf01d, 0xf01e, 0xf01f, 0xf029, 0xf02a]);
const ONE_UID = 16 + 1;
const TWO_UIDS = 32 + 1;

/**
 * `bytes` (an OfficeArt stream, or a workbook's drawing records joined) with the picture of every
 * bitmap blip in it cleaned in place (pictureInPlace), each cleaned picture pushed onto `pictures`;
 * null when none changed. Blips are found at any byte, as office-art.ts finds its records (the
 * application reaches them by offsets kept elsewhere: a presentation's FBSE may point inside
 * another picture), so one inside a kept part of another picture (a JFIF thumbnail, scan data) is
 * cleaned too, after the picture around it; the picture is taken after one UID or two, whichever
 * begins a picture the cleaner reads (a recInstance that does not say is not trusted). A copy of
 * `bytes` is changed, never `bytes` (a stream cfb hands out is a view of the message's own bytes).
 * Throws NotAnImage as pictureInPlace, and when the pictures cleaned add up to more than twice
 * `bytes` (pictures nested inside pictures to cost quadratic time; pictures that do not overlap
 * add up to at most its length). Linear.
 */
export function blipPicturesInPlace(bytes: Uint8Array, pictures: CleanPicture[]): Uint8Array | null {
  let out: Uint8Array | null = null;
  // What is read: the bytes as cleaned so far.
  let cur = bytes;
  let budget = 2 * bytes.length + 4096;
  for (let at = 0; at + 8 <= cur.length; at++) {
    // recType's high byte 0xF0 at +3 is rare: test it before anything else.
    if (cur[at + 3] !== 0xf0 || ((cur[at] as number) & 0x0f) !== 0) continue;
    if (!BITMAP_BLIPS.has((cur[at + 2] as number) | 0xf000)) continue;
    const length = ((cur[at + 4] as number) | ((cur[at + 5] as number) << 8) | ((cur[at + 6] as number) << 16)) + (cur[at + 7] as number) * 0x1000000;
    const body = at + 8;
    if (length > cur.length - body) continue;
    const end = body + length;
    const start = [body + ONE_UID, body + TWO_UIDS].find((s) => s < end && imageFormat(cur.subarray(s, end)) !== null);
    if (start === undefined) continue;
    budget -= end - start;
    if (budget < 0) throw new NotAnImage('pictures nested inside pictures past any honest file');
    const cleaned = pictureInPlace(cur.subarray(start, end));
    if (cleaned === null) continue;
    pictures.push(cleaned.clean);
    if (!equal(cleaned.bytes, cur.subarray(start, end))) {
      if (out === null) cur = out = new Uint8Array(bytes);
      out.set(cleaned.bytes, start);
    }
  }
  return out;
}

/**
 * A workbook stream with the pictures of its drawing records cleaned in place: `parts` are the
 * data of its drawing records and their CONTINUE records, in order, each a view of `stream`
 * (xls-text.ts xlsDrawingParts), joined as Excel reads them (a picture goes on across records),
 * cleaned (blipPicturesInPlace) and put back record by record, so no record header moves. A copy of
 * `stream` when a picture changed, else null. Throws NotAnImage as pictureInPlace.
 */
export function workbookPicturesInPlace(stream: Uint8Array, parts: readonly Uint8Array[], pictures: CleanPicture[]): Uint8Array | null {
  const joined = blipPicturesInPlace(concat(parts), pictures);
  if (joined === null) return null;
  const out = new Uint8Array(stream);
  let pos = 0;
  for (const p of parts) {
    out.set(joined.subarray(pos, pos + p.length), p.byteOffset - stream.byteOffset);
    pos += p.length;
  }
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}
