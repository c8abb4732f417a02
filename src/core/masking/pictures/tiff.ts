// Owns TIFF: the tags kept on every page (IFD), the strips and tiles cut at their decoders' end,
// everything else blanked in place so no offset moves.
import { stripDataLength } from '../strip-ends.js';
import { KeptBytes, le32, NotAnImage } from './bytes.js';
import { iccWithoutText } from './icc.js';
import { keepJpegStream } from './jpeg.js';

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
 * The IFDs and kept values (ICC profile, JPEG tables, colour maps…) read, together, at most this
 * many times the file's length: pages may share a value (a resolution, a profile), but 2 000 pages
 * naming one 60 KB profile read it 2 000 times (round-20 review). Strips and tiles may not share
 * at all (stripTiff).
 */
const TIFF_READ_PER_BYTE = 4;

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
  // Each tag's first entry, found once: `drawn` asks per strip, and a page may have 65 535 entries
  // and as many strips (round-20 review: a scan of the entries per strip was quadratic).
  const entries = new Map<number, number>();
  for (let i = n - 1; i >= 0; i--) entries.set(u16(ifd + 2 + 12 * i), ifd + 2 + 12 * i);
  const first = (tag: number, fallback: number) => {
    const e = entries.get(tag);
    if (e === undefined) return fallback;
    const type = u16(e + 2);
    const size = type === 3 ? 2 : 4;
    const at = u32(e + 4) * size <= 4 ? e + 8 : u32(e + 8);
    const v = type === 3 ? u16(at) : type === 4 ? u32(at) : -1;
    return v < 0 ? fallback : v;
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
  const tile = rowBits(first(322, 1)) * first(323, 1);
  const row = rowBits(width);
  const drawn = (j: number, tiled: boolean) => (tiled ? tile : row * Math.max(0, Math.min(rps, length - (j % Math.max(1, perPlane)) * rps)));
  return { takes: counts, drawn };
}

/**
 * Whether a non-empty range of `a` overlaps one of `b` (ranges [from, to)): `b` sorted by start with
 * its ends' running maximum, each of `a` looked up by binary search. O((|a| + |b|) log |b|): each
 * strip against each page was 10 000 pages × 100 000 strips (round-20 review).
 */
function anyOverlaps(a: readonly [number, number][], b: readonly [number, number][]): boolean {
  const sorted = [...b].sort(([x], [y]) => x - y);
  const reach: number[] = [];
  for (const [, end] of sorted) reach.push(Math.max(end, reach[reach.length - 1] ?? -Infinity));
  return a.some(([from, to]) => {
    if (to <= from) return false;
    // The last range of `b` starting before `to`: if any of those reaches past `from`, they overlap.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as [number, number])[0] < to) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && (reach[lo - 1] as number) > from;
  });
}

/** Kept values the cleaner rewrites (the ICC profile's text blanked, the JPEG tables' APPn data): copied whole after them, another value wrote it back. */
const CLEANED = new Set([347, 34675]);

/**
 * Whether a CLEANED value ([from, to, tag]) overlaps another kept value but itself named again (the
 * same bytes by the same tag: pages sharing one profile). Round-20 attack: a later page's colour
 * map over a page's profile, copied whole, wrote its blanked description back. Sorted once, then
 * swept with the furthest end reached by any value and by a cleaned one.
 */
function cleanedOverlaps(values: readonly [number, number, number][]): boolean {
  const sorted = [...values].sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  let reach = -1;
  let cleanedReach = -1;
  return sorted.some(([from, to, tag], i) => {
    const prev = sorted[i - 1];
    if (prev && prev[0] === from && prev[1] === to && prev[2] === tag) return false;
    const hit = from < (CLEANED.has(tag) ? reach : cleanedReach);
    reach = Math.max(reach, to);
    if (CLEANED.has(tag)) cleanedReach = Math.max(cleanedReach, to);
    return hit;
  });
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
export function stripTiff(b: Uint8Array): Uint8Array {
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
  // Byte ranges [from, to) of the kept values stored outside their entry (a profile, tables, a map), and their tag.
  const values: [number, number, number][] = [];
  const rewritten: [number, Uint8Array][] = [];
  // Byte counts cut to the bytes kept: where each is written (as rewritten), its size, its value.
  const counted: [number, number, number][] = [];
  // The bytes the strips and tiles say they hold ([from, to) as their offsets and counts say), and
  // their sum: no two may overlap (TIFF 6.0 §3 gives each its own bytes; no writer shares them),
  // so together they hold no more than the file, checked before each is walked or copied: N strips
  // or pages naming one compressed range walked it N times (round-20 review: 10 000 × 1 MB walked
  // from a 1 MB file). Which exactly overlap is checked once all are known.
  const said: [number, number][] = [];
  let saidBytes = 0;
  let read = 0;
  const reading = (len: number) => {
    read += len;
    if (read > TIFF_READ_PER_BYTE * b.length) throw new NotAnImage(`TIFF pages and values read more than ${TIFF_READ_PER_BYTE} × the file`);
  };
  for (let ifd = u32(4); ifd !== 0;) {
    if (ifd < 8 || seen.has(ifd) || seen.size >= TIFF_MAX_PAGES) throw new NotAnImage('TIFF pages do not follow each other');
    seen.add(ifd);
    const n = u16(ifd);
    if (n <= 0 || ifd + 2 + 12 * n + 4 > b.length) throw new NotAnImage('a TIFF page runs past the end');
    reading(6 + 12 * n);
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
      if (len > 4) reading(len);
      if (tag === 34675) {
        // The ICC profile without its text (iccWithoutText); one that is no profile goes.
        if (at + len > b.length) throw new NotAnImage('a TIFF value runs past the end');
        const icc = iccWithoutText(b.subarray(at, at + len));
        if (!icc) continue;
        k.keep(at, len, 'a TIFF value');
        k.out.set(icc, at);
        values.push([at, at + len, tag]);
      }
      // JPEG tables are kept below as a JPEG stream (their APPn data blanked), other values whole.
      else if (len > 4 && tag !== 347) {
        k.keep(at, len, 'a TIFF value');
        values.push([at, at + len, tag]);
      }
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
      if (len > 4) values.push([at, at + len, 347]);
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
      if (count > 0) said.push([at, at + count]);
      saidBytes += count;
      if (saidBytes > b.length) throw new NotAnImage('TIFF strips or tiles said to hold more bytes than the file: they overlap');
      const want = drawn(j, !arrays.get(273));
      const end = compression === 1 ? { length: Math.min(count, want), readBits: null } : stripDataLength(compression, b, at, count, want);
      const len = end.length;
      // Its byte count says what is kept, so a decoder reads no more than the file holds.
      if (len !== count) counted.push([countPlace(j), countSize, len]);
      strips.push([at, at + len]);
      if (jpeg && len >= 2 && b[at] === 0xff && b[at + 1] === 0xd8) keepJpegStream(k, b, at, at + len);
      else k.keep(at, len, 'a TIFF strip');
      // Bits its decoder skips (a Deflate stream's padding) are zero.
      if (end.readBits) for (let i = 0; i < len; i++) k.out[at + i]! &= end.readBits[i] as number;
    });
    pages.push([ifd, ifd + 6 + 12 * n]);
    ifd = next;
  }
  if (seen.size === 0) throw new NotAnImage('a TIFF without pages');
  said.sort(([x], [y]) => x - y);
  if (said.some(([from], i) => i > 0 && from < (said[i - 1] as [number, number])[1])) throw new NotAnImage('TIFF strips or tiles overlap');
  // No strip over the header or a page's IFD: kept as pixels, it held the IFD as written (every
  // entry, the removed ones too) and, compressed, whatever it was said to span (round-18 attack).
  // Nor over a kept value: kept as pixels after it, it wrote back the ICC profile's text or the
  // JPEG tables' APPn data the cleaner had blanked (round-20 attack).
  if (anyOverlaps(strips, [...pages, ...values.map(([from, to]): [number, number] => [from, to])]))
    throw new NotAnImage('a TIFF strip overlaps its pages or their values');
  if (cleanedOverlaps(values)) throw new NotAnImage('a TIFF value overlaps an ICC profile or JPEG tables');
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
