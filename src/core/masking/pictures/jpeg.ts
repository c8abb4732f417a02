// Owns JPEG: the segments kept (JFIF, ICC, Adobe and what a decoder reads), the EXIF orientation
// written back alone, the ICC profile's text blanked across its APP2 parts, and a JPEG stream inside
// another picture (a TIFF's strip) kept in place.
import { concat } from '../concat-bytes.js';
import { type KeptBytes, NotAnImage } from './bytes.js';
import { iccWithoutText } from './icc.js';

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
export const decoderSegment = (marker: number) => (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc8) || (marker >= 0xdb && marker <= 0xdf);

export function keptApp(marker: number, data: Uint8Array): boolean {
  const ids = JPEG_KEEP.get(marker);
  return ids !== undefined && ids.some((id) => id.length <= data.length && [...id].every((ch, k) => data[k] === ch.charCodeAt(0)));
}
export const EOI = Uint8Array.from([0xff, 0xd9]);

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

export function stripJpeg(b: Uint8Array): Uint8Array {
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
 * A JPEG stream inside another picture (a TIFF's JPEG-compressed strip or tile, its JPEGTables)
 * kept as stripJpeg keeps a JPEG, in place: each segment's marker and length stay, so the stream
 * still walks, but an APPn's data (but JFIF, ICC and Adobe: JPEG_KEEP) and a comment's are blanked;
 * from the scan on it is kept to `end`. NotAnImage when its segments do not walk.
 */
export function keepJpegStream(k: KeptBytes, b: Uint8Array, at: number, end: number): void {
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
