// Owns which bytes of a kept leaf box in a movie a reader takes (ISO/IEC 14496-12 §8, QuickTime
// File Format): a table's entries as many as its count says, a header box's fields but its
// reserved ones, a file type box's known brands. Whatever else the box holds (slack after the last
// entry, reserved fields) can carry text a player never shows, so the video cleaner (and the HEIF
// picture cleaner, pictures/heif.ts) zeroes it in place: no box changes size.
import { ascii, be16, be32, type Box, children, NotAVideo } from './video-boxes.js';

/** Byte ranges [from, to) counted from a box's data (its version and flags for a full box), in order. */
export type Fields = readonly (readonly [number, number])[];

/** What fieldsOf reads a box with: the file, the box, how many samples its track has (stsz), the box's data length and version. */
interface Leaf {
  readonly b: Uint8Array;
  readonly box: Box;
  readonly samples: number;
  readonly length: number;
  readonly version: number;
}

/** A table of `count` entries of `entry` bytes after `head` bytes; NotAVideo when it runs past its box. */
function entries(leaf: Leaf, head: number, count: number, entry: number): Fields {
  const end = head + count * entry;
  if (end > leaf.length) throw new NotAVideo(`a ${leaf.box.type} table runs past its box`);
  return [[0, end]];
}

/** Ranges from a flat list of their bounds: pairs(0, 4, 8, 12) is [[0, 4], [8, 12]]. */
const pairs = (...n: number[]): Fields => n.flatMap((v, i) => (i % 2 ? [] : [[v, n[i + 1] as number] as const]));

/** The 32-bit number at `at` in a leaf's data (0 past its end). */
const n32 = (leaf: Leaf, at: number) => (at + 4 <= leaf.length ? be32(leaf.b, leaf.box.data + at) : 0);

/** Sample group entries' length by grouping type, for a description box of version 0 or 2 that does not say it (ISO/IEC 14496-12 §10.1, §10.4, §10.5, ISO/IEC 14496-15). */
const GROUP_ENTRY: Readonly<Record<string, number>> = { roll: 2, prol: 2, 'rap ': 1, sync: 1, tele: 1 };

/** A table's fields (count at byte 4 unless said) or a header box's, by type; a box not listed is read elsewhere (its own walk) or kept whole. */
const LEAVES: Readonly<Record<string, (leaf: Leaf) => Fields | 'free'>> = {
  stts: (l) => entries(l, 8, n32(l, 4), 8),
  ctts: (l) => entries(l, 8, n32(l, 4), 8),
  stsc: (l) => entries(l, 8, n32(l, 4), 12),
  stco: (l) => entries(l, 8, n32(l, 4), 4),
  co64: (l) => entries(l, 8, n32(l, 4), 8),
  stss: (l) => entries(l, 8, n32(l, 4), 4),
  stps: (l) => entries(l, 8, n32(l, 4), 4),
  stsh: (l) => entries(l, 8, n32(l, 4), 8),
  // One size for all (byte 4 not zero) or a table (§8.7.3.2); a compact table of 4, 8 or 16 bits (§8.7.3.3).
  stsz: (l) => entries(l, 12, n32(l, 4) ? 0 : n32(l, 8), 4),
  stz2: (l) => entries(l, 12, Math.ceil((((l.b[l.box.data + 7] as number) || 0) * n32(l, 8)) / 8), 1),
  padb: (l) => entries(l, 8, Math.ceil(n32(l, 4) / 2), 1),
  // One byte a sample (§8.6.4), two (§8.7.6): counted by the sample size box.
  sdtp: (l) => entries(l, 4, l.samples, 1),
  stdp: (l) => entries(l, 4, l.samples, 2),
  elst: (l) => entries(l, 8, n32(l, 4), l.version === 1 ? 20 : 12),
  cslg: (l) => entries(l, l.version === 1 ? 44 : 24, 0, 0),
  sbgp: (l) => (l.version === 1 ? entries(l, 16, n32(l, 12), 8) : entries(l, 12, n32(l, 8), 8)),
  sgpd: (l) => {
    // Entries of a grouping type not known here are opaque bytes (any length a version 1 box
    // declares): freed, as is a version 1 box whose declared length is not its type's.
    const size = GROUP_ENTRY[l.length >= 8 ? ascii(l.b, l.box.data + 4, 4) : ''];
    if (!size) return 'free';
    if (l.version === 1) {
      const length = n32(l, 8);
      if (length) return length === size ? entries(l, 16, n32(l, 12), size) : 'free';
      // Each entry says its length (§8.9.3.2): walked, each its type's, at most the box's bytes.
      let at = 16;
      for (let i = n32(l, 12); i > 0; i--) {
        if (at + 4 > l.length) throw new NotAVideo('a sgpd table runs past its box');
        if (n32(l, at) !== size) return 'free';
        at += 4 + size;
      }
      return entries(l, at, 0, 0);
    }
    const head = l.version >= 2 ? 16 : 12;
    return entries(l, head, n32(l, head - 4), size);
  },
  subs: (l) => {
    // Sub-sample information (§8.7.7): per entry a delta, a count of 16 bits, then per sub-sample a
    // size (32 bits in version 1, else 16), a priority, a discardable flag and 32 codec bits.
    let at = 8;
    for (let i = n32(l, 4); i > 0; i--) {
      if (at + 6 > l.length) throw new NotAVideo('a subs table runs past its box');
      at += 6 + be16(l.b, l.box.data + at + 4) * (l.version === 1 ? 10 : 8);
    }
    return entries(l, at, 0, 0);
  },
  // Header boxes: their reserved and pre-defined fields (zero, §8.2.2, §8.3.2, §8.4.2) are left out.
  // The matrix (36 bytes: a, b, u, c, d, v, x, y, w) keeps a, b, c, d, x, y; u, v, w are 0, 0, 1
  // (§8.2.2.3: "restricted to"), set so by withUnitMatrix.
  mvhd: (l) => (l.version === 1 ? pairs(0, 38, 48, 56, 60, 68, 72, 80, 108, 112) : pairs(0, 26, 36, 44, 48, 56, 60, 68, 96, 100)),
  tkhd: (l) => (l.version === 1 ? pairs(0, 24, 28, 36, 44, 50, 52, 60, 64, 72, 76, 84, 88, 96) : pairs(0, 16, 20, 24, 32, 38, 40, 48, 52, 60, 64, 72, 76, 84)),
  mdhd: (l) => (l.version === 1 ? [[0, 34]] : [[0, 22]]),
  vmhd: () => [[0, 12]],
  smhd: () => [[0, 6]],
  // A handler (§8.4.3): its type kept; QuickTime's component maker and flags, and its name, blanked.
  hdlr: () => [[0, 12]],
};

/**
 * The data bytes of `box` a reader takes (Fields), 'free' when the box cannot be read so (a sample
 * group whose entries' length is not known here), or undefined for a box not listed (kept whole
 * or walked by its own code). `samples` is its track's sample count (stsz), for `sdtp` and `stdp`.
 * Throws NotAVideo when a table's count runs past its box.
 */
export function fieldsOf(b: Uint8Array, box: Box, samples: number): Fields | 'free' | undefined {
  const read = LEAVES[box.type];
  if (!read) return undefined;
  const length = box.end - box.data;
  return read({ b, box, samples, length, version: length ? (b[box.data] as number) : 0 });
}

/** Every byte of a box's data outside `fields` (ranges from its data, in order) zeroed in `out`. */
export function zeroOutside(out: Uint8Array, box: { readonly data: number; readonly end: number }, fields: Fields): void {
  let at = box.data;
  for (const [from, to] of fields) {
    out.fill(0, at, Math.min(box.data + from, box.end));
    at = Math.max(at, box.data + to);
  }
  out.fill(0, Math.min(at, box.end), box.end);
}

/** Where a header box's matrix starts in its data (§8.2.2, §8.3.2), by version 0 and 1. */
const MATRIX: Readonly<Record<string, readonly [number, number]>> = { mvhd: [36, 48], tkhd: [40, 52] };

/** A movie or track header's matrix with its w written 1 (0x40000000, a 2.30 fixed-point number; u and v, zeroed with the other unread bytes, are 0). */
export function withUnitMatrix(b: Uint8Array, out: Uint8Array, box: Box): void {
  const at = MATRIX[box.type];
  if (!at || box.end <= box.data) return;
  const w = box.data + at[b[box.data] === 1 ? 1 : 0] + 32;
  if (w + 4 <= box.end) out.set([0x40, 0, 0, 0], w);
}

/** A box turned into `free` of its size, every byte after its header zero (ISO/IEC 14496-12 §8.1.2: readers skip it). */
export function freed(b: Uint8Array, out: Uint8Array, box: Box): void {
  out.set([0x66, 0x72, 0x65, 0x65], box.at + 4);
  out.fill(0, box.at + (be32(b, box.at) === 1 ? 16 : 8), box.end);
}

/** The boxes between `start` and `end` of `b` (children), the bytes left over after them (fewer than 8) zeroed in `out`. */
export function keptChildren(b: Uint8Array, out: Uint8Array, start: number, end: number): Box[] {
  const boxes = children(b, start, end);
  out.fill(0, boxes.length ? (boxes[boxes.length - 1] as Box).end : start, end);
  return boxes;
}

/** Brands kept in a file type box: real files name 2-6. */
const MAX_BRANDS = 8;

/**
 * A file type box (§4.3) written in `out` with the brands its reader knows: its major brand kept
 * when `known` holds it (else `fallback`), its minor version (a number) kept, its compatible brands
 * `known` holds, at most MAX_BRANDS of them, moved up in order. The rest, when 8 bytes or more,
 * becomes a `free` box after it (the file type box shrinks, nothing else moves), else is zeroed: a
 * brand is 4 free bytes, and a thousand made-up ones spell a message. False, nothing written, when
 * the box is not the file's first or has no room for its two fields (the caller frees it).
 */
export function keptBrands(b: Uint8Array, out: Uint8Array, ftyp: Box, known: ReadonlySet<string>, fallback: string): boolean {
  if (ftyp.at !== 0 || ftyp.data !== 8 || ftyp.end - ftyp.data < 8) return false;
  if (!known.has(ascii(b, 8, 4)))
    out.set(
      [...fallback].map((ch) => ch.charCodeAt(0)),
      8,
    );
  const kept = new Set<string>();
  let to = 16;
  for (let at = 16; at + 4 <= ftyp.end && kept.size < MAX_BRANDS; at += 4) {
    const brand = ascii(b, at, 4);
    if (!known.has(brand) || kept.has(brand)) continue;
    kept.add(brand);
    out.copyWithin(to, at, at + 4);
    to += 4;
  }
  out.fill(0, to, ftyp.end);
  if (ftyp.end - to < 8) return true;
  out.set([0, 0, 0, to], 0);
  out.set([...be32Bytes(ftyp.end - to), 0x66, 0x72, 0x65, 0x65], to);
  return true;
}

export function be32Bytes(n: number): number[] {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}
