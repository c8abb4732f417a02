// Owns removing the metadata that can identify a person from JPEG, PNG, GIF, TIFF, WebP and BMP
// files (GPS position, camera owner and serial, author, software, comments: EXIF, XMP, IPTC, text
// chunks, TIFF tags), leaving the picture itself byte for byte. Each format is walked by its own
// structure (segments, chunks, blocks, IFDs), never by searching for byte patterns; anything that
// does not walk cleanly is refused. The npm candidates (exif-be-gone, piexifjs) are Node stream
// transforms that search for markers, or handle JPEG EXIF only and leave XMP, IPTC and comments in
// place; for TIFF and WebP (round 18) sharp and jimp re-encode the pixels, exiftool-vendored runs
// Perl in a subprocess and removes known groups (a list of removals), utif only decodes. A TIFF or
// a BMP is blanked in place (KeptBytes: offsets stay valid), and so is a HEIC or an AVIF (its items
// but the picture's removed, their bytes zeroed where they stand: pictures/heif.ts).
// The EXIF orientation is the one tag kept: a phone stores a photo taken sideways as it came off
// the sensor plus Orientation = 6, and without it the photo arrives sideways. It is written back
// as a new EXIF segment holding that tag alone (IFD0, big-endian), so nothing else of the
// original EXIF (GPS, owner, serial, maker notes) can ride along.
// What is kept is listed, not what is removed: a chunk or segment no viewer draws (a private PNG
// chunk, C2PA credentials, an APP2 that is no ICC profile) carried any text past a list of
// removals (the round-17 attack). The one picture cleaner: an attached photo, a `data:` picture and
// the pictures inside an Office package (document-metadata.ts) all come through stripImageMetadata.
// A picture's pixels are kept as they are and never read as text.
// This module picks the format and keeps the entry points; each format is walked in its own module
// under pictures/ (jpeg, png, gif, tiff, webp, bmp, heif; icc for a kept profile's text, bytes for reads).
import { ascii, le32, NotAnImage } from './pictures/bytes.js';
import { stripBmp } from './pictures/bmp.js';
import { stripGif } from './pictures/gif.js';
import { isHeif, stripHeif } from './pictures/heif.js';
import { stripJpeg } from './pictures/jpeg.js';
import { stripPng } from './pictures/png.js';
import { stripTiff } from './pictures/tiff.js';
import { stripWebp } from './pictures/webp.js';

// What other modules import from here, wherever it is written now.
export { NotAnImage } from './pictures/bytes.js';
export { iccWithoutText } from './pictures/icc.js';
export { exifOrientation } from './pictures/jpeg.js';
export { isHeif } from './pictures/heif.js';
export { crc32 } from './pictures/png.js';

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'tiff' | 'webp' | 'bmp' | 'heif';

/** BMP DIB header sizes read (BITMAPCOREHEADER, INFO, V2, V3, OS/2 2.x, V4, V5). */
const BMP_HEADERS = new Set([12, 40, 52, 56, 64, 108, 124]);

/**
 * The picture format `b`'s first bytes show, or null: JPEG, PNG, GIF; TIFF (`II*\0`, `MM\0*`); WebP
 * (`RIFF`, a size, `WEBP`); BMP (`BM` and a DIB header size BMP_HEADERS names, since two letters
 * alone begin many files); HEIC, HEIF or AVIF (`ftyp` naming a HEIF brand: isHeif).
 */
export function imageFormat(b: Uint8Array): ImageFormat | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42)) return 'tiff';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d && BMP_HEADERS.has(le32(b, 14))) return 'bmp';
  if (isHeif(b)) return 'heif';
  return null;
}

const MIME: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  tiff: 'image/tiff',
  webp: 'image/webp',
  bmp: 'image/bmp',
  heif: 'image/heic',
};

export interface CleanPicture {
  /** The picture without its metadata. */
  readonly bytes: Uint8Array;
  /** Its real type (by its bytes). */
  readonly contentType: string;
  /** Bytes removed, or blanked (a TIFF's, a BMP's or a HEIF's, set to zero where they stand). */
  readonly removed: number;
  /** What it keeps compressed (a PNG's ICC profile, inflated): searched with its bytes, never delivered apart. */
  readonly hidden: readonly Uint8Array[];
}

/**
 * The picture without its metadata, its real type, and what it keeps compressed for the search
 * (CleanPicture). Throws NotAnImage when it is not a JPEG, PNG, GIF, TIFF, WebP, BMP, HEIC or AVIF (imageFormat),
 * or its structure does not walk. The one cleaner for every picture: attached, inline, or inside an
 * Office package; `opts` as StripOptions says.
 */
export function stripImageMetadata(b: Uint8Array, opts: StripOptions = {}): CleanPicture {
  const format = imageFormat(b);
  if (!format) throw new NotAnImage('not a JPEG, PNG, GIF, TIFF, WebP, BMP, HEIC or AVIF image');
  const hidden: Uint8Array[] = [];
  // A HEIC's type is by its pictures' codec (HEVC, or AV1: image/avif).
  const heif = format === 'heif' ? stripHeif(b) : null;
  const bytes = format === 'heif' ? (heif as { bytes: Uint8Array }).bytes : STRIP[format](b, hidden, opts);
  let removed = b.length - bytes.length;
  // A TIFF, a BMP or a HEIF keeps its length where it blanks (offsets stay valid): those bytes count too.
  if (format === 'tiff' || format === 'bmp' || heif) for (let i = 0; i < bytes.length; i++) if (bytes[i] !== b[i]) removed++;
  return { bytes, contentType: heif ? heif.contentType : MIME[format], removed, hidden };
}

/** How stripImageMetadata cleans beyond the default. */
export interface StripOptions {
  /**
   * Drop a PNG's ICC profile instead of keeping it re-deflated: for a picture that must fit its
   * place (picture-same-length.ts), since the profile deflated again may be longer than it was.
   */
  readonly dropPngProfile?: boolean;
}

const STRIP: Readonly<Record<Exclude<ImageFormat, 'heif'>, (b: Uint8Array, hidden: Uint8Array[], opts: StripOptions) => Uint8Array>> = {
  jpeg: (b) => stripJpeg(b),
  png: stripPng,
  gif: (b) => stripGif(b),
  tiff: (b) => stripTiff(b),
  webp: (b) => stripWebp(b),
  bmp: (b) => stripBmp(b),
};
