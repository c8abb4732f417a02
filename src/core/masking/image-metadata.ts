// Owns removing the metadata that can identify a person from JPEG, PNG and GIF files (GPS position,
// camera owner and serial, author, software, comments: EXIF, XMP, IPTC, text chunks), leaving the
// picture itself byte for byte. Each format is walked by its own structure (segments, chunks,
// blocks), never by searching for byte patterns; anything that does not walk cleanly is refused.
// The npm candidates (exif-be-gone, piexifjs) are Node stream transforms that search for markers,
// or handle JPEG EXIF only and leave XMP, IPTC and comments in place.
// The EXIF orientation is the one tag kept: a phone stores a photo taken sideways as it came off
// the sensor plus Orientation = 6, and without it the photo arrives sideways. It is written back
// as a new EXIF segment holding that tag alone (IFD0, big-endian), so nothing else of the
// original EXIF (GPS, owner, serial, maker notes) can ride along.
// What is kept is listed, not what is removed: a chunk or segment no viewer draws (a private PNG
// chunk, C2PA credentials, an APP2 that is no ICC profile) carried any text past a list of
// removals (the round-17 attack). The one picture cleaner: an attached photo, a `data:` picture and
// the pictures inside an Office package (document-metadata.ts) all come through stripImageMetadata.
import { Inflate } from 'fflate';

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
    if (keep) out.push(b.subarray(pos, end));
    if (keep && marker === 0xe0 && out.length === 2) afterJfif = 2;
    pos = end;
  }
  if (orientation !== null && orientation !== 1) out.splice(afterJfif, 0, orientationSegment(orientation));
  return concat(out);
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

function stripPng(b: Uint8Array, hidden: Uint8Array[]): Uint8Array {
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let pos = 8;
  while (pos < b.length) {
    if (pos + 12 > b.length) throw new NotAnImage('a PNG chunk runs past the end');
    const len = (((b[pos] as number) << 24) >>> 0) + ((b[pos + 1] as number) << 16) + ((b[pos + 2] as number) << 8) + (b[pos + 3] as number);
    const end = pos + 12 + len;
    if (end > b.length) throw new NotAnImage('a PNG chunk runs past the end');
    const type = String.fromCharCode(...b.subarray(pos + 4, pos + 8));
    // An ICC profile is kept for its colours, but deflated: its text (a description, a copyright)
    // is not in the picture's bytes, so the inflated profile is searched too, or it goes.
    if (type === 'iCCP') {
      const data = b.subarray(pos + 8, end - 4);
      const name = data.indexOf(0);
      const profile = name < 0 ? null : inflatedUpTo(data.subarray(name + 2), ICC_LIMIT);
      if (profile) {
        hidden.push(profile);
        out.push(b.subarray(pos, end));
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

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

export type ImageFormat = 'jpeg' | 'png' | 'gif';

export function imageFormat(b: Uint8Array): ImageFormat | null {
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  return null;
}

const MIME: Readonly<Record<ImageFormat, string>> = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif' };

export interface CleanPicture {
  /** The picture without its metadata. */
  readonly bytes: Uint8Array;
  /** Its real type (by its bytes). */
  readonly contentType: string;
  /** Bytes removed. */
  readonly removed: number;
  /** What it keeps compressed (a PNG's ICC profile, inflated): searched with its bytes, never delivered apart. */
  readonly hidden: readonly Uint8Array[];
}

/**
 * The picture without its metadata, its real type, and what it keeps compressed for the search
 * (CleanPicture). Throws NotAnImage when it is not a JPEG, PNG or GIF, or its structure does not
 * walk. The one cleaner for every picture: attached, inline, or inside an Office package.
 */
export function stripImageMetadata(b: Uint8Array): CleanPicture {
  const format = imageFormat(b);
  if (!format) throw new NotAnImage('not a JPEG, PNG or GIF image');
  const hidden: Uint8Array[] = [];
  const bytes = format === 'jpeg' ? stripJpeg(b) : format === 'png' ? stripPng(b, hidden) : stripGif(b);
  return { bytes, contentType: MIME[format], removed: b.length - bytes.length, hidden };
}
