// Owns removing the metadata that can identify a person from JPEG, PNG, GIF, TIFF, WebP and BMP
// files (GPS position, camera owner and serial, author, software, comments: EXIF, XMP, IPTC, text
// chunks, TIFF tags), leaving the picture itself byte for byte. Each format is walked by its own
// structure (segments, chunks, blocks, IFDs), never by searching for byte patterns; anything that
// does not walk cleanly is refused. The npm candidates (exif-be-gone, piexifjs) are Node stream
// transforms that search for markers, or handle JPEG EXIF only and leave XMP, IPTC and comments in
// place; for TIFF and WebP (round 18) sharp and jimp re-encode the pixels, exiftool-vendored runs
// Perl in a subprocess and removes known groups (a list of removals), utif only decodes. A TIFF or
// a BMP is blanked in place (KeptBytes: offsets stay valid); a HEIC or AVIF is not cleaned (isHeif).
// The EXIF orientation is the one tag kept: a phone stores a photo taken sideways as it came off
// the sensor plus Orientation = 6, and without it the photo arrives sideways. It is written back
// as a new EXIF segment holding that tag alone (IFD0, big-endian), so nothing else of the
// original EXIF (GPS, owner, serial, maker notes) can ride along.
// What is kept is listed, not what is removed: a chunk or segment no viewer draws (a private PNG
// chunk, C2PA credentials, an APP2 that is no ICC profile) carried any text past a list of
// removals (the round-17 attack). The one picture cleaner: an attached photo, a `data:` picture and
// the pictures inside an Office package (document-metadata.ts) all come through stripImageMetadata.
// A picture's pixels are kept as they are and never read as text.
import { Inflate, zlibSync } from 'fflate';
import { stripDataLength } from './strip-ends.js';
import { alphaLength, vp8lLength } from './vp8l-end.js';

export class NotAnImage extends Error {}

/**
 * JPEG APPn segments kept, by marker and the identifier their data begins with: JFIF and its
 * thumbnail extension (APP0), an ICC colour profile (APP2), Adobe's colour transform (APP14).
 * Any other APPn (EXIF, XMP, IPTC, FlashPix, MPF, C2PA, a maker's own) and comments are removed.
 */
const JPEG_KEEP: ReadonlyMap<number, readonly string[]> = new Map([
  [0xe0, ['JFIF\0', 'JFXX\0']],
  [0xe2, ['ICC_PROFILE\0']],
  [0xee, ['Adobe']],
]);

/**
 * Whether a JPEG segment other than an APPn is one a decoder reads (ITU T.81 Table B.1): frame
 * headers SOF0–SOF15 (0xC0–0xCF, with DHT 0xC4 and DAC 0xCC) but the reserved JPG (0xC8), DQT,
 * DNL, DRI, DHP, EXP (0xDB–0xDF). JPEG extensions (JPGn, 0xF0–0xFD) and reserved markers carry
 * whatever their writer put there and are removed.
 */
const decoderSegment = (marker: number) => (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) || (marker >= 0xdb && marker <= 0xdf);

function keptApp(marker: number, data: Uint8Array): boolean {
  const ids = JPEG_KEEP.get(marker);
  return ids !== undefined && ids.some((id) => id.length <= data.length && [...id].every((ch, k) => data[k] === ch.charCodeAt(0)));
}
const EOI = Uint8Array.from([0xff, 0xd9]);

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/** The Orientation (1–8) in an EXIF APP1 segment's data, or null when it has none or does not read. */
export function exifOrientation(data: Uint8Array): number | null {
  if (!EXIF_HEADER.every((v, i) => data[i] === v)) return null;
  const t = data.subarray(6);
  const le = t[0] === 0x49 && t[1] === 0x49;
  if (!le && !(t[0] === 0x4d && t[1] === 0x4d)) return null;
  const u16 = (o: number) => (o + 2 > t.length ? -1 : le ? (t[o] as number) | ((t[o + 1] as number) << 8) : ((t[o] as number) << 8) | (t[o + 1] as number));
  const u32 = (o: number) => (o + 4 > t.length ? -1 : le ? u16(o) + u16(o + 2) * 0x10000 : u16(o) * 0x10000 + u16(o + 2));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  const n = u16(ifd);
  if (ifd < 8 || n < 0) return null;
  for (let i = 0; i < n && i < 1000; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > t.length) return null;
    if (u16(e) === 0x0112 && u16(e + 2) === 3) {
      const v = u16(e + 8);
      return v >= 1 && v <= 8 ? v : null;
    }
  }
  return null;
}

/** An APP1 segment with an EXIF block holding only the Orientation tag. */
function orientationSegment(orientation: number): Uint8Array {
  // prettier-ignore
  const tiff = [
    0x4d, 0x4d, 0, 42, 0, 0, 0, 8, // big-endian TIFF header, IFD0 at 8
    0, 1, // one entry
    0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, // Orientation, SHORT, 1 value
    0, 0, 0, 0, // no next IFD
  ];
  const data = [...EXIF_HEADER, ...tiff];
  const len = data.length + 2;
  return Uint8Array.from([0xff, 0xe1, len >> 8, len & 0xff, ...data]);
}

function stripJpeg(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let pos = 2;
  let orientation: number | null = null;
  let afterJfif = 1; // where the orientation segment goes: after SOI, or after a leading JFIF APP0
  const icc: JpegIccPart[] = [];
  for (;;) {
    if (pos + 4 > b.length || b[pos] !== 0xff) throw new NotAnImage('JPEG segments do not follow each other');
    let m = pos + 1;
    while (b[m] === 0xff && m < b.length) m++; // fill bytes
    const marker = b[m] as number;
    if (marker === 0xda || marker === 0xd9) {
      // Start of scan: the picture data follows to the end of image; anything after it goes. The
      // first end marker is the image's end (inside scan data a 0xFF is always followed by 0x00 or
      // a restart marker): what follows it — phones append a preview or depth image there, with
      // its own EXIF (location, serial numbers) — is not part of the picture shown.
      const eoi = Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(EOI, m + 1);
      const end = eoi < 0 ? b.length : eoi + 2;
      out.push(b.subarray(pos, end));
      break;
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      out.push(b.subarray(pos, m + 1));
      pos = m + 1;
      continue;
    }
    const len = ((b[m + 1] as number) << 8) | (b[m + 2] as number);
    const end = m + 1 + len;
    if (len < 2 || end > b.length) throw new NotAnImage('a JPEG segment runs past the end');
    const isApp = marker >= 0xe0 && marker <= 0xef;
    if (marker === 0xe1 && orientation === null) orientation = exifOrientation(b.subarray(m + 3, end));
    const keep = isApp ? keptApp(marker, b.subarray(m + 3, end)) : decoderSegment(marker);
    if (keep && marker === 0xe2) icc.push({ index: out.length, at: m + 3, end });
    if (keep) out.push(b.subarray(pos, end));
    if (keep && marker === 0xe0 && out.length === 2) afterJfif = 2;
    pos = end;
  }
  jpegProfile(b, icc, out);
  if (orientation !== null && orientation !== 1) out.splice(afterJfif, 0, orientationSegment(orientation));
  return concat(out);
}

/** A kept ICC_PROFILE APP2 segment: its place in stripJpeg's output, its data's start and end in the JPEG. */
interface JpegIccPart {
  readonly index: number;
  readonly at: number;
  readonly end: number;
}

/** Bytes of an ICC_PROFILE APP2 segment's data before its part of the profile: the identifier, a sequence number, a count. */
const ICC_APP2_HEAD = 'ICC_PROFILE\0'.length + 2;

/**
 * The ICC profile a JPEG's APP2 segments carry (ICC.1 Annex B.4: each segment's data is
 * `ICC_PROFILE\0`, its sequence number 1…count, the count, its part) put back in `out` without its
 * text: the parts joined in sequence order, iccWithoutText, and cut again at the same sizes, so
 * every segment keeps its place and length. Parts that do not join (a sequence number missing,
 * repeated or past the count, counts that differ) or a profile that is not one: every segment goes
 * (left empty in `out`, so the indices after it hold). Round-18 attack: the profile was kept raw and
 * searched for the writer only, so another person's address in its description crossed.
 */
function jpegProfile(b: Uint8Array, parts: readonly JpegIccPart[], out: Uint8Array[]): void {
  if (parts.length === 0) return;
  const count = parts.length;
  const bySeq: (JpegIccPart | undefined)[] = new Array<JpegIccPart | undefined>(count);
  let joins = true;
  for (const p of parts) {
    const seq = b[p.at + ICC_APP2_HEAD - 2] as number;
    if (p.end - p.at < ICC_APP2_HEAD || b[p.at + ICC_APP2_HEAD - 1] !== count || seq < 1 || seq > count || bySeq[seq - 1]) joins = false;
    else bySeq[seq - 1] = p;
  }
  const ordered = joins ? (bySeq as JpegIccPart[]) : [];
  const clean = joins ? iccWithoutText(concat(ordered.map((p) => b.subarray(p.at + ICC_APP2_HEAD, p.end)))) : null;
  if (!clean) {
    for (const p of parts) out[p.index] = new Uint8Array(0);
    return;
  }
  let from = 0;
  for (const p of ordered) {
    const seg = Uint8Array.from(out[p.index] as Uint8Array);
    const head = seg.length - (p.end - p.at) + ICC_APP2_HEAD;
    seg.set(clean.subarray(from, from + seg.length - head), head);
    from += seg.length - head;
    out[p.index] = seg;
  }
}

/**
 * PNG chunks kept (PNG 3rd edition §4.3): the critical ones, transparency, colour (gamma,
 * chromaticities, sRGB, an ICC profile, coding-independent code points, HDR mastering and light
 * levels), significant bits, background, pixel size, and APNG's animation. Any other (text, EXIF,
 * time, C2PA, suggested palettes, calibration, offsets, a program's private chunk) is removed.
 */
const PNG_KEEP = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'cICP',
  'mDCV',
  'cLLI',
  'sBIT',
  'bKGD',
  'pHYs',
  'acTL',
  'fcTL',
  'fdAT',
]);

/** An ICC profile inflated for the search, at most (a display's is ~0.5–4 KB, a printer's up to ~1 MB): one past it is removed. */
const ICC_LIMIT = 4 * 1024 * 1024;

/**
 * `data` (zlib) inflated, or null when it is damaged or would pass `max` bytes: fed in 4 KiB
 * slices so at most ~4 MiB comes out before the count is looked at (deflate expands ~1 032 times).
 */
function inflatedUpTo(data: Uint8Array, max: number): Uint8Array | null {
  if (data.length < 3 || ((data[0] as number) & 0x0f) !== 8) return null;
  const chunks: Uint8Array[] = [];
  let size = 0;
  const inflate = new Inflate((chunk) => {
    size += chunk.length;
    if (size > max) throw new RangeError('too much');
    chunks.push(chunk);
  });
  try {
    for (let at = 2; at < data.length; at += 4096) inflate.push(data.subarray(at, Math.min(at + 4096, data.length)), at + 4096 >= data.length);
  } catch {
    return null;
  }
  return concat(chunks);
}

/** The name a kept PNG ICC profile is given (PNG 3rd edition §11.3.2.4: 1–79 Latin-1 bytes): the writer's named anything. */
const ICC_NAME = 'ICC profile';

/**
 * A PNG iCCP chunk's data (a profile name of 1–79 bytes, a zero, compression method 0, the zlib
 * profile) as it is kept: named ICC_NAME, the profile inflated (at most ICC_LIMIT), without its text
 * (iccWithoutText) and deflated again (fflate, level 9), with that cleaned profile; null when it does
 * not read as one (a name too long, another method, damaged or too large data, no ICC profile).
 */
function pngProfile(data: Uint8Array): { data: Uint8Array; profile: Uint8Array } | null {
  const name = data.subarray(0, 80).indexOf(0);
  if (name < 1 || data[name + 1] !== 0) return null;
  const inflated = inflatedUpTo(data.subarray(name + 2), ICC_LIMIT);
  const profile = inflated && iccWithoutText(inflated);
  if (!profile) return null;
  const head = Uint8Array.from([...ICC_NAME].map((c) => c.charCodeAt(0)).concat([0, 0]));
  return { data: concat([head, zlibSync(profile, { level: 9 })]), profile };
}

// CRC-32 as PNG computes it (PNG 3rd edition §5.5, ISO 3309): reflected, polynomial 0xEDB88320.
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
/** The CRC-32 of `b` (PNG 3rd edition §5.5): a PNG chunk's over its type and data. fflate keeps its own CRC private; node:zlib's is not for src/core. */
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (const x of b) c = (CRC_TABLE[(c ^ x) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One PNG chunk (PNG 3rd edition §5.3): length, type, data, CRC-32 of type and data. */
function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(
    [...type].map((c) => c.charCodeAt(0)),
    4,
  );
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function stripPng(b: Uint8Array, hidden: Uint8Array[], opts: StripOptions): Uint8Array {
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let pos = 8;
  while (pos < b.length) {
    if (pos + 12 > b.length) throw new NotAnImage('a PNG chunk runs past the end');
    const len = (((b[pos] as number) << 24) >>> 0) + ((b[pos + 1] as number) << 16) + ((b[pos + 2] as number) << 8) + (b[pos + 3] as number);
    const end = pos + 12 + len;
    if (end > b.length) throw new NotAnImage('a PNG chunk runs past the end');
    const type = String.fromCharCode(...b.subarray(pos + 4, pos + 8));
    // An ICC profile is kept for its colours, without its text and under a neutral name (round-18
    // attack: its name and deflated description carried another person's address); one that does
    // not read as a profile goes. Its cleaned profile is handed over for the search too.
    if (type === 'iCCP') {
      const kept = opts.dropPngProfile ? null : pngProfile(b.subarray(pos + 8, end - 4));
      if (kept) {
        hidden.push(kept.profile);
        out.push(pngChunk('iCCP', kept.data));
      }
    } else if (PNG_KEEP.has(type)) out.push(b.subarray(pos, end));
    pos = end;
    if (type === 'IEND') break;
  }
  return concat(out);
}

/**
 * GIF (GIF89a): comment, plain text (label 0x01: text few viewers draw, kept as written) and
 * application extensions other than animation looping removed; a kept one (graphic control,
 * NETSCAPE2.0, ANIMEXTS1.0) keeps only its own first sub-block, since a decoder skips any more and
 * they carried text as they liked (the round-15 attack).
 */
function stripGif(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  const flags = b[10] as number;
  let pos = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  out.push(b.subarray(0, pos));
  const subBlocks = (p: number) => {
    while (p < b.length && b[p] !== 0) p += (b[p] as number) + 1;
    if (p >= b.length) throw new NotAnImage('GIF data runs past the end');
    return p + 1;
  };
  for (;;) {
    const kind = b[pos];
    if (kind === 0x3b) {
      out.push(b.subarray(pos, pos + 1));
      break;
    }
    if (kind === 0x21) {
      const label = b[pos + 1];
      const end = subBlocks(pos + 2);
      const app = label === 0xff ? String.fromCharCode(...b.subarray(pos + 3, pos + 14)) : '';
      const keep = label === 0xf9 || app === 'NETSCAPE2.0' || app === 'ANIMEXTS1.0';
      // Its header and first block (the application's identifier), then its data's first block.
      if (keep) {
        const first = pos + 2 + (b[pos + 2] as number) + 1;
        const own = label === 0xf9 || b[first] === 0 ? first : first + (b[first] as number) + 1;
        if (own >= end) throw new NotAnImage('GIF data runs past the end');
        out.push(b.subarray(pos, own), Uint8Array.of(0));
      }
      pos = end;
    } else if (kind === 0x2c) {
      const f = b[pos + 9] as number;
      const start = pos;
      pos += 10 + (f & 0x80 ? 3 * 2 ** ((f & 7) + 1) : 0) + 1; // descriptor, local colours, LZW size
      pos = subBlocks(pos);
      out.push(b.subarray(start, pos));
    } else throw new NotAnImage('unknown GIF block');
  }
  return concat(out);
}

/** The parts one after another, in one new array. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'tiff' | 'webp' | 'bmp';

/** BMP DIB header sizes read (BITMAPCOREHEADER, INFO, V2, V3, OS/2 2.x, V4, V5). */
const BMP_HEADERS = new Set([12, 40, 52, 56, 64, 108, 124]);

/**
 * The picture format `b`'s first bytes show, or null: JPEG, PNG, GIF; TIFF (`II*\0`, `MM\0*`); WebP
 * (`RIFF`, a size, `WEBP`); BMP (`BM` and a DIB header size BMP_HEADERS names, since two letters
 * alone begin many files).
 */
export function imageFormat(b: Uint8Array): ImageFormat | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 42 && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 42)) return 'tiff';
  if (b.length >= 12 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return 'webp';
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d && BMP_HEADERS.has(le32(b, 14))) return 'bmp';
  return null;
}

/** HEIF brands (ISO/IEC 23008-12: HEIC, HEIF image and sequence, AVIF): a file naming one is a picture, not a video. */
const HEIF_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'mif2', 'msf1', 'avif', 'avis']);

/**
 * True when `b` is a HEIC or AVIF picture (an ISO BMFF `ftyp` box whose major or a compatible brand
 * is a HEIF one, HEIF_BRANDS; an MP4 video names none). Not cleaned here: its EXIF and XMP are items
 * found through `meta`/`iinf`/`iloc`, which stripImageMetadata does not walk, so a caller refuses it.
 */
export function isHeif(b: Uint8Array): boolean {
  if (b.length < 16 || ascii(b, 4, 4) !== 'ftyp') return false;
  const size = Math.min(((b[0] as number) << 24) | ((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number), b.length, 4096);
  for (let at = 8; at + 4 <= size; at += at === 8 ? 8 : 4) if (HEIF_BRANDS.has(ascii(b, at, 4))) return true;
  return false;
}

const MIME: Readonly<Record<ImageFormat, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  tiff: 'image/tiff',
  webp: 'image/webp',
  bmp: 'image/bmp',
};

export interface CleanPicture {
  /** The picture without its metadata. */
  readonly bytes: Uint8Array;
  /** Its real type (by its bytes). */
  readonly contentType: string;
  /** Bytes removed, or blanked (a TIFF's or a BMP's, set to zero where they stand). */
  readonly removed: number;
  /** What it keeps compressed (a PNG's ICC profile, inflated): searched with its bytes, never delivered apart. */
  readonly hidden: readonly Uint8Array[];
}

/**
 * The picture without its metadata, its real type, and what it keeps compressed for the search
 * (CleanPicture). Throws NotAnImage when it is not a JPEG, PNG, GIF, TIFF, WebP or BMP (imageFormat),
 * or its structure does not walk. The one cleaner for every picture: attached, inline, or inside an
 * Office package; `opts` as StripOptions says.
 */
export function stripImageMetadata(b: Uint8Array, opts: StripOptions = {}): CleanPicture {
  const format = imageFormat(b);
  if (!format) throw new NotAnImage('not a JPEG, PNG, GIF, TIFF, WebP or BMP image');
  const hidden: Uint8Array[] = [];
  const bytes = STRIP[format](b, hidden, opts);
  let removed = b.length - bytes.length;
  // A TIFF or a BMP keeps its length where it blanks (offsets stay valid): those bytes count too.
  if (format === 'tiff' || format === 'bmp') for (let i = 0; i < bytes.length; i++) if (bytes[i] !== b[i]) removed++;
  return { bytes, contentType: MIME[format], removed, hidden };
}

/** How stripImageMetadata cleans beyond the default. */
export interface StripOptions {
  /**
   * Drop a PNG's ICC profile instead of keeping it re-deflated: for a picture that must fit its
   * place (picture-same-length.ts), since the profile deflated again may be longer than it was.
   */
  readonly dropPngProfile?: boolean;
}

const STRIP: Readonly<Record<ImageFormat, (b: Uint8Array, hidden: Uint8Array[], opts: StripOptions) => Uint8Array>> = {
  jpeg: (b) => stripJpeg(b),
  png: stripPng,
  gif: (b) => stripGif(b),
  tiff: (b) => stripTiff(b),
  webp: (b) => stripWebp(b),
  bmp: (b) => stripBmp(b),
};

function ascii(b: Uint8Array, at: number, n: number): string {
  return String.fromCharCode(...b.subarray(at, at + n));
}

function le24(b: Uint8Array, at: number): number {
  return (b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16);
}

function le32(b: Uint8Array, at: number): number {
  return ((b[at] as number) | ((b[at + 1] as number) << 8) | ((b[at + 2] as number) << 16) | ((b[at + 3] as number) << 24)) >>> 0;
}

/**
 * ICC tag types (ICC.1:2022 §10) whose data is numbers a colour engine reads: curves, matrices,
 * lookup tables, XYZ values, chromaticities, measurement and viewing conditions, a signature, a date,
 * Apple's video card gamma. Any other type (`desc`, `mluc`, `text`, a colorant table's or a named
 * colour's names, `data`, `dict`, a private one) is text or may be: blanked by iccWithoutText.
 */
const ICC_NUMBER_TYPES = new Set([
  'curv',
  'para',
  'XYZ ',
  'sf32',
  'uf32',
  'ui08',
  'ui16',
  'ui32',
  'ui64',
  'mft1',
  'mft2',
  'mAB ',
  'mBA ',
  'mpet',
  'chrm',
  'meas',
  'view',
  'sig ',
  'dtim',
  'vcgt',
  'cicp',
]);

/**
 * A copy of the ICC profile `p` (ICC.1: a 128-byte header, a tag table of signature, offset and
 * size, the tags' data) with its text blanked: every tag whose type is not ICC_NUMBER_TYPES keeps
 * its type and, for a `desc` (v2) its string length and for an `mluc` (v4) its records, every other
 * byte zero (so a profile's description, copyright, device names read as empty strings); bytes no
 * tag names, what follows the profile's own size, and the profile ID (an MD5 of what it was; zero
 * means "not computed") are zero too. Null when `p` is not an ICC profile (no `acsp`, a size past
 * its bytes, a tag past its size): the caller drops it. Round-18 attack: a TIFF's, WebP's or BMP's
 * profile was kept raw and searched for the writer only, so another person's address in its
 * description crossed.
 */
export function iccWithoutText(p: Uint8Array): Uint8Array | null {
  const be32 = (o: number) => (((p[o] as number) << 24) | ((p[o + 1] as number) << 16) | ((p[o + 2] as number) << 8) | (p[o + 3] as number)) >>> 0;
  if (p.length < 132 || ascii(p, 36, 4) !== 'acsp') return null;
  const size = be32(0);
  const count = be32(128);
  if (size < 132 || size > p.length || count > (size - 132) / 12) return null;
  const out = new Uint8Array(p.length);
  out.set(p.subarray(0, 132 + 12 * count));
  out.fill(0, 84, 100);
  // The bytes of a tag's data kept: a number type's own length (a curve's 2-byte entries, a
  // parametric curve's parameters, fixed records), not more than its table entry says; a text
  // type's type and, for `desc` (v2) its string length, for `mluc` (v4) its record table.
  const PARA = [1, 3, 4, 5, 7];
  const kept = (type: string, at: number, len: number): number => {
    if (type === 'curv') return 12 + 2 * be32(at + 8);
    if (type === 'para') return 12 + 4 * (PARA[((p[at + 8] as number) << 8) | (p[at + 9] as number)] ?? 0);
    if (type === 'sig ') return 12;
    if (type === 'dtim') return 20;
    if (type === 'meas' || type === 'view') return 36;
    if (type === 'chrm') return 12 + 8 * (((p[at + 8] as number) << 8) | (p[at + 9] as number));
    if (ICC_NUMBER_TYPES.has(type)) return len;
    if (type === 'desc') return 12;
    if (type === 'mluc' && len >= 16) return 16 + 12 * be32(at + 8);
    return 8;
  };
  const tags: [number, number, boolean][] = [];
  for (let i = 0; i < count; i++) {
    const at = be32(132 + 12 * i + 4);
    const len = be32(132 + 12 * i + 8);
    if (at + len > size || len < 8) return null;
    const type = ascii(p, at, 4);
    out.set(p.subarray(at, at + Math.min(len, kept(type, at, len))), at);
    tags.push([at, len, ICC_NUMBER_TYPES.has(type)]);
  }
  // Tags may share or overlap their data (a v2 profile's rTRC, gTRC, bTRC): a text type's strings
  // copied as part of another's range are blanked again.
  for (const [at, len, number] of tags) if (!number) out.fill(0, at + Math.min(len, kept(ascii(p, at, 4), at, len)), at + len);
  return out;
}

/**
 * A copy of `b` that holds only the byte ranges `keep` is given, every other byte zero, cut after
 * the last kept byte: the allow-list for formats whose parts point at each other by offset (TIFF,
 * BMP), so nothing moves and no offset is rewritten. A range past the end is NotAnImage.
 */
class KeptBytes {
  readonly out: Uint8Array;
  end = 0;
  constructor(private readonly b: Uint8Array) {
    this.out = new Uint8Array(b.length);
  }
  keep(at: number, len: number, what: string): void {
    if (!Number.isSafeInteger(at) || !Number.isSafeInteger(len) || at < 0 || len < 0 || at + len > this.b.length)
      throw new NotAnImage(`${what} runs past the end`);
    this.out.set(this.b.subarray(at, at + len), at);
    this.end = Math.max(this.end, at + len);
  }
  bytes(): Uint8Array {
    return this.out.subarray(0, this.end);
  }
}

/**
 * A JPEG stream inside another picture (a TIFF's JPEG-compressed strip or tile, its JPEGTables)
 * kept as stripJpeg keeps a JPEG, in place: each segment's marker and length stay, so the stream
 * still walks, but an APPn's data (but JFIF, ICC and Adobe: JPEG_KEEP) and a comment's are blanked;
 * from the scan on it is kept to `end`. NotAnImage when its segments do not walk.
 */
function keepJpegStream(k: KeptBytes, b: Uint8Array, at: number, end: number): void {
  let pos = at + 2;
  k.keep(at, 2, 'a JPEG stream');
  while (pos < end) {
    if (pos + 2 > end || b[pos] !== 0xff) throw new NotAnImage('JPEG segments inside the TIFF do not follow each other');
    const marker = b[pos + 1] as number;
    if (marker === 0xda) {
      // The scan to the end of image; what follows it inside the strip is not drawn (stripJpeg).
      const eoi = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
        .subarray(0, end)
        .indexOf(EOI, pos + 2);
      return k.keep(pos, (eoi < 0 ? end : eoi + 2) - pos, 'a JPEG scan');
    }
    if (marker === 0xd9 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      k.keep(pos, marker === 0xff ? 1 : 2, 'a JPEG marker');
      pos += marker === 0xff ? 1 : 2;
      continue;
    }
    if (pos + 4 > end) throw new NotAnImage('a JPEG segment inside the TIFF runs past its end');
    const len = ((b[pos + 2] as number) << 8) | (b[pos + 3] as number);
    if (len < 2 || pos + 2 + len > end) throw new NotAnImage('a JPEG segment inside the TIFF runs past its end');
    const isApp = marker >= 0xe0 && marker <= 0xef;
    // A colour profile inside the stream (APP2 ICC_PROFILE) is blanked too, kept as an empty APP2:
    // its text would cross raw, and cleaning it in place is the TIFF's own profile's job (34675,
    // iccWithoutText), which a viewer of the TIFF reads instead.
    const keep = isApp ? marker !== 0xe2 && keptApp(marker, b.subarray(pos + 4, pos + 2 + len)) : decoderSegment(marker);
    k.keep(pos, keep ? 2 + len : 4, 'a JPEG segment');
    pos += 2 + len;
  }
}

/** TIFF field types' sizes in bytes, by type number (TIFF 6.0 §2: BYTE … DOUBLE; 13 IFD, Technical Note 1). */
const TIFF_TYPE_SIZE: readonly number[] = [0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8, 4];

/**
 * TIFF tags kept (TIFF 6.0 baseline and extension tags a viewer decodes and shows by): subfile type,
 * dimensions, bits and samples, compression, photometric interpretation, thresholding, fill order,
 * strips, tiles, orientation, sample range and format, resolution and its unit, planar
 * configuration, page number, grey response, transfer function, predictor, white point,
 * chromaticities, colour map, halftone hints, ink set and count, extra samples, JPEG tables, YCbCr
 * coefficients, subsampling and positioning, reference black and white, and the ICC profile
 * (34675, TIFF/EP; without its text, iccWithoutText). Any other (description,
 * document and page names, make, model, software, artist, copyright, date, host computer, XMP 700,
 * IPTC 33723, Photoshop 34377, EXIF 34665, GPS 34853 and interoperability sub-IFDs, SubIFDs 330,
 * old-style JPEG 512–521, a program's private tag) goes, with every byte only it pointed at.
 */
const TIFF_KEEP = new Set([
  254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 274, 277, 278, 279, 280, 281, 282, 283, 284, 290, 291, 296, 297, 301, 317, 318, 319, 320, 321, 322, 323,
  324, 325, 332, 334, 338, 339, 340, 341, 347, 529, 530, 531, 532, 34675,
]);
/** Kept tags whose type may be UNDEFINED (bytes): JPEG tables and the ICC profile. A kept tag of type ASCII goes. */
const TIFF_BYTES_TAGS = new Set([347, 34675]);
/** Pages (IFDs) walked at most: a fax or a scan has tens. */
const TIFF_MAX_PAGES = 10_000;

/**
 * How many values each kept TIFF tag takes on the page whose IFD is at `ifd` (`n` entries), by
 * TIFF 6.0: one per sample (BitsPerSample, Min/MaxSampleValue, SampleFormat, ExtraSamples), 2^bits
 * (GrayResponseCurve), 3 × 2^bits (ColorMap, TransferFunction), the strips or tiles the page's
 * size makes (one set per sample when planar), the fixed counts of the others (PageNumber 2,
 * WhitePoint 2, PrimaryChromaticities 6, …); JPEG tables and the ICC profile any number of bytes.
 * A tag not named takes one value. Defaults as TIFF 6.0 gives them when a tag is not there.
 */
function tiffCounts(
  ifd: number,
  n: number,
  u16: (o: number) => number,
  u32: (o: number) => number,
): { takes: Map<number, number>; drawn: (j: number, tiled: boolean) => number } {
  const first = (tag: number, fallback: number) => {
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      if (u16(e) !== tag) continue;
      const type = u16(e + 2);
      const size = type === 3 ? 2 : 4;
      const at = u32(e + 4) * size <= 4 ? e + 8 : u32(e + 8);
      const v = type === 3 ? u16(at) : type === 4 ? u32(at) : -1;
      return v < 0 ? fallback : v;
    }
    return fallback;
  };
  const samples = first(277, 1);
  const bits = Math.min(first(258, 1), 16);
  const width = first(256, 0);
  const length = first(257, 0);
  const planes = first(284, 1) === 2 ? samples : 1;
  const strips = Math.ceil(length / Math.max(1, Math.min(first(278, 0xffffffff), length))) * planes;
  const tiles = Math.ceil(width / Math.max(1, first(322, 1))) * Math.ceil(length / Math.max(1, first(323, 1))) * planes;
  const counts = new Map<number, number>([
    [273, strips],
    [279, strips],
    [324, tiles],
    [325, tiles],
    [291, 2 ** bits],
    [301, 3 * 2 ** bits],
    [320, 3 * 2 ** bits],
    [297, 2],
    [318, 2],
    [321, 2],
    [530, 2],
    [529, 3],
    [319, 6],
    [532, 6],
    [347, Infinity],
    [34675, Infinity],
  ]);
  for (const tag of [258, 280, 281, 338, 339, 340, 341]) counts.set(tag, samples);
  // The bytes uncompressed strip or tile `j` holds: its rows of (width × bits × samples, when
  // chunky) bits each, rounded up to a byte a row (TIFF 6.0 §3, §15). Bits as the first sample's,
  // the widest when a writer gave more: never fewer than drawn.
  // Bits uncapped here (a 32-bit float sample is 32): fewer would cut pixels off.
  const sampleBits = Math.max(first(258, 1), 1);
  const rowBits = (w: number) => Math.ceil((w * sampleBits * (planes === 1 ? samples : 1)) / 8);
  const rps = Math.max(1, Math.min(first(278, 0xffffffff), length));
  const perPlane = Math.ceil(length / rps);
  const drawn = (j: number, tiled: boolean) =>
    tiled ? rowBits(first(322, 1)) * first(323, 1) : rowBits(width) * Math.max(0, Math.min(rps, length - (j % Math.max(1, perPlane)) * rps));
  return { takes: counts, drawn };
}

/**
 * TIFF (TIFF 6.0, classic: BigTIFF is refused): each page's IFD keeps only its TIFF_KEEP entries,
 * rewritten in place (fewer entries, the next page's offset after them), and the bytes kept are the
 * header, those IFDs, their kept values and each page's strips or tiles; every other byte is zero
 * and the file is cut after the last kept one (KeptBytes). Blanking, not rewriting the file: no
 * strip, tile or value moves, so no offset has to be rewritten, and bytes no tag names (a gap, an
 * EXIF sub-IFD's values, what follows the file) are not kept either. A JPEG-compressed strip keeps
 * only its decoder segments' data (keepJpegStream). NotAnImage when an IFD, a value or a strip runs
 * past the end, the IFDs loop, or a page has no strips or tiles.
 */
function stripTiff(b: Uint8Array): Uint8Array {
  const le = b[0] === 0x49;
  const u16 = (o: number) => (o + 2 > b.length ? -1 : le ? (b[o] as number) | ((b[o + 1] as number) << 8) : ((b[o] as number) << 8) | (b[o + 1] as number));
  const u32 = (o: number) =>
    o + 4 > b.length
      ? -1
      : le
        ? le32(b, o)
        : (((b[o] as number) << 24) | ((b[o + 1] as number) << 16) | ((b[o + 2] as number) << 8) | (b[o + 3] as number)) >>> 0;
  const put16 = (out: Uint8Array, o: number, v: number) => {
    out[o + (le ? 0 : 1)] = v & 0xff;
    out[o + (le ? 1 : 0)] = v >> 8;
  };
  const k = new KeptBytes(b);
  k.keep(0, 8, 'the TIFF header');
  const seen = new Set<number>();
  // Byte ranges [from, to) of the strips or tiles, and of the header and each page's IFD as written.
  const strips: [number, number][] = [];
  const pages: [number, number][] = [[0, 8]];
  const rewritten: [number, Uint8Array][] = [];
  // Byte counts cut to the bytes kept: where each is written (as rewritten), its size, its value.
  const counted: [number, number, number][] = [];
  for (let ifd = u32(4); ifd !== 0;) {
    if (ifd < 8 || seen.has(ifd) || seen.size >= TIFF_MAX_PAGES) throw new NotAnImage('TIFF pages do not follow each other');
    seen.add(ifd);
    const n = u16(ifd);
    if (n <= 0 || ifd + 2 + 12 * n + 4 > b.length) throw new NotAnImage('a TIFF page runs past the end');
    const kept: number[] = [];
    const arrays = new Map<number, number[]>();
    // Where the strip or tile byte counts are: their entry, and their values' offset when not in it.
    let countEntry = -1;
    let countsAt = -1;
    let compression = 1;
    const { takes, drawn } = tiffCounts(ifd, n, u16, u32);
    for (let i = 0; i < n; i++) {
      const e = ifd + 2 + 12 * i;
      const tag = u16(e);
      const type = u16(e + 2);
      const size = TIFF_TYPE_SIZE[type] as number;
      if (!TIFF_KEEP.has(tag) || !(TIFF_BYTES_TAGS.has(tag) ? type === 1 || type === 7 : type === 3 || type === 4 || type === 5)) continue;
      const count = u32(e + 4);
      // A kept tag holds the values it takes, no more (round-18 attack: PageNumber with 16 values,
      // a colour map longer than its 3 × 2^bits, each an address's letters, crossed as "numbers").
      if (count > (takes.get(tag) ?? 1)) throw new NotAnImage(`a TIFF tag (${tag}) holds more values than it takes`);
      const len = count * size;
      const at = len <= 4 ? e + 8 : u32(e + 8);
      if (tag === 34675) {
        // The ICC profile without its text (iccWithoutText); one that is no profile goes.
        if (at + len > b.length) throw new NotAnImage('a TIFF value runs past the end');
        const icc = iccWithoutText(b.subarray(at, at + len));
        if (!icc) continue;
        k.keep(at, len, 'a TIFF value');
        k.out.set(icc, at);
      }
      // JPEG tables are kept below as a JPEG stream (their APPn data blanked), other values whole.
      else if (len > 4 && tag !== 347) k.keep(at, len, 'a TIFF value');
      kept.push(e);
      if (tag === 279 || tag === 325) [countEntry, countsAt] = [e, len <= 4 ? -1 : at];
      if (tag === 259 && (type === 3 || type === 4)) compression = type === 3 ? u16(at) : u32(at);
      if (tag === 273 || tag === 279 || tag === 324 || tag === 325 || tag === 347) {
        if (type !== 3 && type !== 4 && tag !== 347) throw new NotAnImage('TIFF strip offsets are not numbers');
        arrays.set(tag, tag === 347 ? [at, len] : Array.from({ length: count }, (_, j) => (type === 3 ? u16(at + 2 * j) : u32(at + 4 * j))));
      }
    }
    // The IFD, its kept entries in their order (sorted, as written), then the next page's offset.
    const next = u32(ifd + 2 + 12 * n);
    k.keep(ifd, 2, 'a TIFF page');
    put16(k.out, ifd, kept.length);
    kept.forEach((e, j) => {
      const to = ifd + 2 + 12 * j;
      k.out.set(b.subarray(e, e + 12), to);
      // A value shorter than the 4-byte field it is stored in: the bytes after it are zero.
      const len = u32(e + 4) * (TIFF_TYPE_SIZE[u16(e + 2)] as number);
      if (len < 4) k.out.fill(0, to + 8 + len, to + 12);
    });
    k.out.set(b.subarray(ifd + 2 + 12 * n, ifd + 6 + 12 * n), ifd + 2 + 12 * kept.length);
    k.end = Math.max(k.end, ifd + 6 + 12 * kept.length);
    const span = new Uint8Array(6 + 12 * n);
    span.set(k.out.subarray(ifd, ifd + 6 + 12 * kept.length));
    rewritten.push([ifd, span]);
    const jpeg = compression === 6 || compression === 7;
    const tables = arrays.get(347);
    if (tables) {
      const [at, len] = tables as [number, number];
      if (len > 4 && b[at] === 0xff && b[at + 1] === 0xd8) keepJpegStream(k, b, at, at + len);
      else if (len > 4) k.keep(at, len, 'TIFF JPEG tables');
    }
    const offsets = arrays.get(273) ?? arrays.get(324);
    const counts = arrays.get(273) ? arrays.get(279) : arrays.get(325);
    if (!offsets || !counts || offsets.length !== counts.length || offsets.length === 0) throw new NotAnImage('a TIFF page without its strips or tiles');
    const countSize = TIFF_TYPE_SIZE[u16(countEntry + 2)] as number;
    const countPlace = (j: number) => (countsAt >= 0 ? countsAt : ifd + 2 + 12 * kept.indexOf(countEntry) + 8) + countSize * j;
    offsets.forEach((at, j) => {
      // An uncompressed strip keeps the bytes its rows take: a 1×1 page's strip said to run over
      // the whole file kept every byte of it (round-18 attack).
      // A compressed one (LZW, Deflate, PackBits) the bytes its decoder reads to draw them, up to
      // its end code: what its byte count says past that was kept raw (round-19 attack).
      const count = counts[j] as number;
      if (at < 0 || count < 0 || at + count > b.length) throw new NotAnImage('a TIFF strip runs past the end');
      const want = drawn(j, !arrays.get(273));
      const len = compression === 1 ? Math.min(count, want) : stripDataLength(compression, b, at, count, want);
      // Its byte count says what is kept, so a decoder reads no more than the file holds.
      if (len !== count) counted.push([countPlace(j), countSize, len]);
      strips.push([at, at + len]);
      if (jpeg && len >= 2 && b[at] === 0xff && b[at + 1] === 0xd8) keepJpegStream(k, b, at, at + len);
      else k.keep(at, len, 'a TIFF strip');
    });
    pages.push([ifd, ifd + 6 + 12 * n]);
    ifd = next;
  }
  if (seen.size === 0) throw new NotAnImage('a TIFF without pages');
  // No strip over the header or a page's IFD: kept as pixels, it held the IFD as written (every
  // entry, the removed ones too) and, compressed, whatever it was said to span (round-18 attack).
  if (strips.some(([from, to]) => to > from && pages.some(([at, end]) => from < end && at < to))) throw new NotAnImage('a TIFF strip overlaps its pages');
  // The IFDs as rewritten, over any kept value that overlapped them.
  for (const [at, bytes] of rewritten) k.out.set(bytes, at);
  for (const [at, size, value] of counted)
    if (size === 2) put16(k.out, at, value);
    else {
      put16(k.out, at + (le ? 0 : 2), value & 0xffff);
      put16(k.out, at + (le ? 2 : 0), value >>> 16);
    }
  return k.bytes();
}

/** WebP chunks kept (WebP container specification): the bitstreams, the extended header, alpha, animation, its frames, the ICC profile. */
const WEBP_KEEP = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);
/** Chunks kept inside an animation frame (ANMF's Frame Data): alpha and the bitstream. */
const WEBP_FRAME_KEEP = new Set(['ALPH', 'VP8 ', 'VP8L']);

/** A RIFF chunk's header: `fourcc` and `size` (little-endian). */
function riffHead(fourcc: string, size: number): Uint8Array {
  return Uint8Array.from([...fourcc].map((c) => c.charCodeAt(0)).concat([size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24]));
}

/** A RIFF chunk of `fourcc` holding `data`, padded to an even length with a zero byte. */
function riff(fourcc: string, data: Uint8Array): Uint8Array {
  return concat([riffHead(fourcc, data.length), data, new Uint8Array(data.length & 1)]);
}

/**
 * WebP: its chunks walked from the RIFF header, and only WEBP_KEEP kept, each written anew (its
 * size, its data, a zero pad byte); EXIF, XMP and any other chunk removed, and with them the VP8X
 * flags saying they are there (EXIF 0x08, XMP 0x04) and its reserved bits and bytes; an animation
 * frame keeps only its header and WEBP_FRAME_KEEP. What follows the RIFF size goes, and what
 * follows a VP8L bitstream's or an ALPH plane's last pixel inside its chunk (vp8l-end.ts; an ALPH's
 * reserved bits zeroed); a lossy VP8 frame is kept to its chunk's end (its last partition ends
 * where decoding it ends). NotAnImage when a chunk runs past the RIFF's end, none holds a picture,
 * or a VP8L or ALPH chunk does not read.
 */
function stripWebp(b: Uint8Array): Uint8Array {
  const riffEnd = 8 + le32(b, 4);
  if (riffEnd > b.length) throw new NotAnImage('the WebP runs past the end');
  let pictures = 0;
  let header = -1;
  let dropIcc = false;
  // The canvas's width and height (VP8X), the ones an animation frame's alpha is read at (ANMF).
  let canvas: [number, number] | null = null;
  const walk = (start: number, end: number, keep: ReadonlySet<string>, frame: [number, number] | null): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let pos = start; pos < end;) {
      const size = pos + 8 <= end ? le32(b, pos + 4) : -1;
      if (size < 0 || pos + 8 + size > end) throw new NotAnImage('a WebP chunk runs past the end');
      const type = ascii(b, pos, 4);
      const data = b.subarray(pos + 8, pos + 8 + size);
      if (type === 'VP8X' && keep === WEBP_KEEP) {
        if (size < 10) throw new NotAnImage('a WebP header too short');
        const x = Uint8Array.from(data.subarray(0, 10));
        x[0] = (x[0] as number) & 0x32; // ICC 0x20, alpha 0x10, animation 0x02; EXIF, XMP and reserved bits cleared
        x.fill(0, 1, 4);
        header = out.length;
        canvas = [le24(x, 4) + 1, le24(x, 7) + 1];
        out.push(riff(type, x));
      } else if (type === 'ANMF' && keep === WEBP_KEEP) {
        // Frames at the top only: a frame inside a frame is not drawn (and was a recursion as deep as the file).
        if (size < 16) throw new NotAnImage('a WebP frame too short');
        out.push(riff(type, concat([data.subarray(0, 16), ...walk(pos + 24, pos + 8 + size, WEBP_FRAME_KEEP, [le24(data, 6) + 1, le24(data, 9) + 1])])));
      } else if (type === 'ANIM' && keep === WEBP_KEEP) {
        // Its background colour and loop count, 6 bytes: more were kept as they were (round-18 attack).
        if (size < 6) throw new NotAnImage('a WebP animation header too short');
        out.push(riff(type, data.subarray(0, 6)));
      } else if (type === 'ICCP' && keep === WEBP_KEEP) {
        // The colour profile without its text (iccWithoutText); one that is no profile goes.
        const icc = iccWithoutText(data);
        if (icc) out.push(riff(type, icc));
        else dropIcc = true;
      } else if (type === 'VP8L') {
        // The lossless bitstream up to its last pixel; what its chunk holds past that is read by no
        // decoder (round-19 attack: a chunk larger than its frame carried an address raw).
        out.push(riff(type, data.subarray(0, vp8lLength(data))));
      } else if (type === 'ALPH' && keep.has(type)) {
        // The alpha plane up to its last pixel (raw, or a VP8L stream), its header's reserved bits zero.
        const dims = frame ?? canvas;
        if (!dims) throw new NotAnImage('a WebP alpha chunk without the extended header giving its size');
        const alpha = Uint8Array.from(data.subarray(0, alphaLength(data, dims[0], dims[1])));
        alpha[0] = (alpha[0] as number) & 0x3f;
        out.push(riff(type, alpha));
      } else if (keep.has(type)) out.push(riff(type, data));
      if (type === 'VP8 ' || type === 'VP8L') pictures++;
      pos += 8 + size + (size & 1);
    }
    return out;
  };
  const chunks = walk(12, riffEnd, WEBP_KEEP, null);
  if (dropIcc && header >= 0) {
    const x = Uint8Array.from(chunks[header] as Uint8Array);
    x[8] = (x[8] as number) & ~0x20;
    chunks[header] = x;
  }
  if (pictures === 0) throw new NotAnImage('a WebP without a picture');
  const body = concat([b.subarray(8, 12), ...chunks]);
  return concat([riffHead('RIFF', body.length), body]);
}

/**
 * The length of a BMP's RLE8 or RLE4 pixel data at `at` (Windows BI_RLE8/BI_RLE4: count and value
 * pairs; escapes 0 0 end of line, 0 1 end of bitmap, 0 2 dx dy move, 0 n then n literal pixels
 * padded to a word), up to and with its end-of-bitmap mark, at most `max` bytes (the header's
 * biSizeImage). What follows the mark is not drawn. NotAnImage when there is no mark within `max`.
 */
function rleLength(b: Uint8Array, at: number, max: number, four: boolean): number {
  const end = Math.min(at + max, b.length);
  for (let p = at; p + 1 < end;) {
    const n = b[p] as number;
    const v = b[p + 1] as number;
    p += 2;
    if (n !== 0 || v === 0) continue;
    if (v === 1) return p - at;
    if (v === 2) p += 2;
    else {
      const bytes = four ? Math.ceil(v / 2) : v;
      p += bytes + (bytes & 1);
    }
  }
  throw new NotAnImage('BMP RLE pixels without their end');
}

const BMP_LINKED = 0x4c494e4b; // 'LINK': bV5CSType of a profile named by a file name
const BMP_EMBEDDED = 0x4d424544; // 'MBED': a profile inside the file
const BMP_SRGB = 0x73524742; // 'sRGB'

/**
 * BMP (Windows BITMAPCOREHEADER to BITMAPV5HEADER, OS/2 2.x): kept are the file header but its
 * reserved field and size (written anew), the DIB header, the colour masks, the palette, the pixels
 * and a V5 embedded colour profile (kept raw, so its bytes are searched with the picture's); every
 * other byte (between the palette and the pixels, after the pixels) is zero or cut (KeptBytes). A
 * V5 linked profile (a file name, often a user's folder) is dropped and the colour space said sRGB.
 * NotAnImage when a part runs past the end, and for a BMP holding a JPEG or PNG (compression 4/5:
 * printers' format, which viewers do not draw) or of a bit depth or compression not drawn.
 */
function stripBmp(b: Uint8Array): Uint8Array {
  const u16 = (o: number) => (b[o] as number) | ((b[o + 1] as number) << 8);
  const i32 = (o: number) => le32(b, o) | 0;
  const dib = le32(b, 14);
  if (14 + dib > b.length) throw new NotAnImage('the BMP header runs past the end');
  const core = dib === 12;
  const width = core ? u16(18) : i32(18);
  const height = core ? u16(20) : i32(22);
  const bpp = core ? u16(24) : u16(28);
  const compression = core ? 0 : le32(b, 30);
  const colours = core ? 0 : le32(b, 46);
  if (width <= 0 || height === 0 || height === -0x80000000 || ![1, 2, 4, 8, 16, 24, 32].includes(bpp))
    throw new NotAnImage('a BMP of a size or depth not drawn');
  const bitfields = compression === 3 || compression === 6;
  if (compression === 4 || compression === 5) throw new NotAnImage('a BMP holding a JPEG or PNG picture, which viewers do not draw');
  if (compression > 6 || (dib === 64 && compression > 2)) throw new NotAnImage('a BMP of a compression not drawn');
  const k = new KeptBytes(b);
  k.keep(0, 2, 'the BMP header');
  k.keep(10, 4, 'the BMP header');
  k.keep(14, dib, 'the BMP header');
  let at = 14 + dib;
  // BITMAPINFOHEADER with bit fields: the colour masks follow it (V2 and later hold them inside).
  if (dib === 40 && bitfields) {
    k.keep(at, compression === 6 ? 16 : 12, 'the BMP colour masks');
    at += compression === 6 ? 16 : 12;
  }
  // The colours a pixel can name: 2^bits at most, none past 8 bits (a palette there is not drawn).
  const paletteCount = bpp <= 8 ? Math.min(colours || 2 ** bpp, 2 ** bpp) : 0;
  k.keep(at, paletteCount * (core ? 3 : 4), 'the BMP palette');
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const pixelAt = le32(b, 10);
  // Pixels after the headers, masks and palette: said to start at 0 they kept the whole file
  // (round-18 attack). RLE data up to its end-of-bitmap mark, not the size the header claims.
  if (pixelAt < at + paletteCount * (core ? 3 : 4)) throw new NotAnImage('BMP pixels overlap its headers');
  const pixelSize = compression === 1 || compression === 2 ? rleLength(b, pixelAt, le32(b, 34), compression === 2) : stride * Math.abs(height);
  if (pixelSize === 0) throw new NotAnImage('a BMP without its pixels');
  k.keep(pixelAt, pixelSize, 'the BMP pixels');
  if (dib >= 108) {
    // V4/V5: the colour masks when no bit fields use them (but 16/32 bits, whose alpha mask some
    // readers use), the endpoints and gammas when the colour space is not calibrated (0): numbers
    // no viewer reads, 64 bytes an address fits in (round-18 attack).
    if (!bitfields && bpp !== 16 && bpp !== 32) k.out.fill(0, 14 + 40, 14 + 56);
    if (le32(b, 14 + 56) !== 0) k.out.fill(0, 14 + 60, 14 + 108);
  }
  if (dib === 124) {
    let cs = le32(b, 14 + 56);
    if (cs === BMP_EMBEDDED) {
      // The profile without its text (iccWithoutText); one that is no profile goes, as a linked one.
      const at = 14 + le32(b, 14 + 112);
      const len = le32(b, 14 + 116);
      const icc = at + len <= b.length ? iccWithoutText(b.subarray(at, at + len)) : null;
      if (icc) {
        k.keep(at, len, 'the BMP colour profile');
        k.out.set(icc, at);
      } else cs = BMP_LINKED;
    }
    if (cs === BMP_LINKED) k.out.set([BMP_SRGB & 0xff, (BMP_SRGB >> 8) & 0xff, (BMP_SRGB >> 16) & 0xff, BMP_SRGB >>> 24], 14 + 56);
    // The profile's offset and size when none is embedded, and the reserved field.
    k.out.fill(0, cs === BMP_EMBEDDED ? 14 + 120 : 14 + 112, 14 + 124);
  }
  const out = k.bytes();
  out.set([out.length & 0xff, (out.length >> 8) & 0xff, (out.length >> 16) & 0xff, out.length >>> 24], 2);
  return out;
}
