// Owns removing what can identify a person from an MP4, MOV, 3GP or M4A file (ISO/IEC 14496-12
// boxes, QuickTime atoms): its title, artist, comment, location (©xyz, `loci`, Apple's keys), XMP
// (`uuid`), a handler's or a compressor's name, and any track but its video and sound (subtitles
// and timed metadata are text in the media data). Kept is listed, not removed: a box no entry names
// is turned into `free` of the same size with its bytes zero, a kept one keeps only the bytes a
// player reads (video-tables.ts, video-sample-entries.ts; the file type's known brands here), and
// the media data's bytes no kept sample takes are zero too, so no box moves and the chunk offsets
// (`stco`, `co64`) stay valid: the video is not muxed again. The npm candidates either rewrite the
// file (mp4box.js, metadata-detector: offsets move, a muxer's job) or overwrite a list of known GPS and date fields
// (@xoi/gps-metadata-remover: a list of removals, which an unnamed box passes).
import { isHeif } from './image-metadata.js';
import { ascii, be16, be32, type Box, children, NotAVideo } from './video-boxes.js';
import { sampleEntries } from './video-sample-entries.js';
import { fieldsOf, freed, keptBrands, keptChildren, withUnitMatrix, zeroOutside } from './video-tables.js';

export { NotAVideo };

/** What stripVideoMetadata returns: the file as kept, and how many of its bytes changed. */
export interface CleanVideo {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly removed: number;
}

/** Boxes a file may begin with: QuickTime before `ftyp` (1991–2001) began with its movie or data. */
const FIRST_BOXES = new Set(['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip']);

/**
 * True when `b` is an ISO base media file (MP4, MOV, 3GP, M4V, M4A): its first box is `ftyp`, or
 * for an old QuickTime movie `moov`, `mdat`, `wide`, `free` or `skip`, of a size that fits; a HEIC
 * or AVIF picture (isHeif) is not one.
 */
export function isIsoMedia(b: Uint8Array): boolean {
  if (b.length < 16 || isHeif(b)) return false;
  const size = be32(b, 0);
  return FIRST_BOXES.has(ascii(b, 4, 4)) && (size === 0 || size === 1 || (size >= 8 && size <= b.length));
}

/** Containers walked, by where they are, and what each keeps (a box not listed is freed). */
const KEEP: Readonly<Record<string, ReadonlySet<string>>> = {
  file: new Set(['ftyp', 'moov', 'mdat']),
  moov: new Set(['mvhd', 'trak']),
  trak: new Set(['tkhd', 'edts', 'mdia']),
  edts: new Set(['elst']),
  mdia: new Set(['mdhd', 'hdlr', 'minf']),
  minf: new Set(['vmhd', 'smhd', 'hdlr', 'dinf', 'stbl']),
  dinf: new Set(['dref']),
  stbl: new Set([
    'stsd',
    'stts',
    'stss',
    'ctts',
    'stsc',
    'stsz',
    'stz2',
    'stco',
    'co64',
    'sdtp',
    'cslg',
    'stps',
    'sgpd',
    'sbgp',
    'subs',
    'padb',
    'stdp',
    'stsh',
  ]),
};

/**
 * Brands a player of the files read here knows (ISO/IEC 14496-12 §4.3 and the MP4 registration
 * authority's list, mp4ra.org: ISO, MP4, QuickTime, Apple's M4A/M4V, 3GPP/3GPP2, Flash, DASH and
 * CMAF, codec brands); any other brand is dropped (video-tables.ts keptBrands).
 */
const BRANDS = new Set([
  ...['isom', 'iso2', 'iso3', 'iso4', 'iso5', 'iso6', 'iso7', 'iso8', 'iso9', 'isoa', 'isob', 'isoc', 'mp41', 'mp42', 'mp71', 'qt  '],
  ...['avc1', 'hvc1', 'hev1', 'av01', 'vp09', 'dby1', 'M4A ', 'M4B ', 'M4P ', 'M4V ', 'M4VH', 'M4VP', 'F4V ', 'F4A ', 'F4P ', 'F4B '],
  ...['3gp4', '3gp5', '3gp6', '3gp7', '3gp8', '3gp9', '3g2a', '3g2b', '3g2c', '3ge6', '3ge7', '3ge9', '3gg6', '3gg9', '3gr6', '3gr9'],
  ...['3gs6', '3gs9', '3gt9', 'mmp4', 'MSNV', 'XAVC', 'dash', 'msdh', 'msix', 'cmfc', 'cmf2', 'mp4v', 'CAEP', 'caqv', 'niko', 'kddi'],
]);

/** Data reference kinds (§8.7.2, QuickTime's `alis`, `rsrc`). */
const REFERENCES = new Set(['url ', 'urn ', 'alis', 'rsrc']);

/** Boxes that say the file is fragmented (ISO/IEC 14496-12 §8.8): its samples are described outside `moov`, which is not walked here. */
const FRAGMENTED = new Set(['mvex', 'moof', 'mfra', 'sidx', 'styp', 'ssix', 'emsg']);

/** Tracks kept, by their handler: pictures and sound. Subtitles, chapters, timecode and timed metadata are removed. */
const TRACKS = new Set(['vide', 'soun']);

/**
 * The file without what can identify a person (see the module's head), as long as it was, and
 * how many bytes changed. Throws NotAVideo when a box runs past its parent, the file has no
 * movie (`moov`) or more than one, is fragmented (FRAGMENTED) or its sample tables do not read.
 * Linear in the file's length and its sample count.
 */
export function stripVideoMetadata(b: Uint8Array): CleanVideo {
  const c = new Cleaner(b);
  const mdats: [number, number][] = [];
  let movies = 0;
  for (const box of c.kids(0, b.length)) {
    if (FRAGMENTED.has(box.type)) throw new NotAVideo('a fragmented video, whose samples are not read here');
    if (!KEEP.file?.has(box.type)) c.free(box);
    else if (box.type === 'ftyp') c.brands(box);
    else if (box.type === 'mdat') mdats.push([box.data, box.end]);
    else if (box.type === 'moov') {
      movies++;
      c.movie(box);
    }
  }
  if (movies !== 1) throw new NotAVideo(movies === 0 ? 'a video without its movie box' : 'a video with two movie boxes');
  // The media data's bytes no kept sample takes: a removed track's, or nobody's. The samples'
  // ranges sorted, cut to the media data box each starts in, joined, then swept with the media
  // data boxes (in file order): linear after the sort, however the ranges overlap.
  const kept = clippedJoined(c.samples, mdats);
  let k = 0;
  for (const [from, to] of mdats) {
    let pos = from;
    while (k < kept.length && (kept.to[k] as number) <= pos) k++;
    for (let j = k; j < kept.length && (kept.from[j] as number) < to; j++) {
      const [s, e] = [kept.from[j] as number, kept.to[j] as number];
      if (s > pos) c.out.fill(0, pos, s);
      pos = Math.max(pos, e);
    }
    if (pos < to) c.out.fill(0, pos, to);
  }
  let removed = 0;
  for (let i = 0; i < b.length; i++) if (c.out[i] !== b[i]) removed++;
  return { bytes: c.out, removed };
}

/** The file as it is being cleaned, and the byte ranges its kept tracks' samples take. */
class Cleaner {
  readonly out: Uint8Array<ArrayBuffer>;
  readonly samples = new Ranges();
  constructor(readonly b: Uint8Array) {
    this.out = new Uint8Array(b);
  }

  /** A box turned into `free` of its size, every byte after its header zero (ISO/IEC 14496-12 §8.1.2: readers skip it). */
  free(box: Box): void {
    freed(this.b, this.out, box);
  }

  /** A file type box with the brands a player knows (BRANDS; video-tables.ts keptBrands), or freed when it is not the file's first box. */
  brands(ftyp: Box): void {
    if (!keptBrands(this.b, this.out, ftyp, BRANDS, 'isom')) this.free(ftyp);
  }

  /** The boxes between `start` and `end` (children), the bytes left over after them (fewer than 8) zeroed. */
  kids(start: number, end: number): Box[] {
    return keptChildren(this.b, this.out, start, end);
  }

  /** A movie box: each kept track walked, every other box freed. */
  movie(moov: Box): void {
    for (const box of this.kids(moov.data, moov.end)) {
      if (FRAGMENTED.has(box.type)) throw new NotAVideo('a fragmented video, whose samples are not read here');
      if (!KEEP.moov?.has(box.type)) this.free(box);
      else if (box.type === 'trak') this.track(box);
      else this.leaf(box, 0);
    }
  }

  /**
   * A track: freed whole unless its handler is a kept one (TRACKS); else its boxes walked by KEEP,
   * a handler's name blanked (its first 24 bytes kept: version, flags, type, reserved), a data
   * reference's location blanked, its sample descriptions walked (entries), and the byte ranges
   * of its samples noted (sampleRanges).
   */
  track(trak: Box): void {
    const handler = handlerOf(this.b, trak);
    if (!TRACKS.has(handler)) return this.free(trak);
    const tables = new Map<string, Box>();
    const leaves: Box[] = [];
    const walk = (parent: Box, keep: ReadonlySet<string> | undefined) => {
      for (const box of this.kids(parent.data, parent.end)) {
        if (!keep?.has(box.type)) this.free(box);
        else if (box.type === 'dref') this.references(box);
        else if (box.type === 'stsd') sampleEntries(this, box, handler);
        else if (KEEP[box.type]) walk(box, KEEP[box.type]);
        else leaves.push(box);
        tables.set(box.type, box);
      }
    };
    walk(trak, KEEP.trak);
    const samples = sampleRanges(this.b, tables, this.samples);
    for (const box of leaves) this.leaf(box, samples);
  }

  /** A kept leaf box: the bytes its fields do not take zeroed (video-tables.ts fieldsOf), or the box freed when it cannot be read so. */
  leaf(box: Box, samples: number): void {
    const fields = fieldsOf(this.b, box, samples);
    if (fields === 'free') return this.free(box);
    if (fields) zeroOutside(this.out, box, fields);
    withUnitMatrix(this.b, this.out, box);
  }

  /**
   * A data reference box (§8.7.2): each entry its count declares written version 0, flags 1 (the
   * media is in this file), its location (a URL, a file's alias) blanked, a type other than
   * REFERENCES read as `url `; an entry past the count is freed (its type is 4 more bytes).
   */
  references(dref: Box): void {
    if (dref.end - dref.data < 8) throw new NotAVideo('a data reference box too short');
    let left = be32(this.b, dref.data + 4);
    for (const entry of this.kids(dref.data + 8, dref.end)) {
      if (left-- <= 0) this.free(entry);
      else if (!REFERENCES.has(entry.type)) this.out.set([0x75, 0x72, 0x6c, 0x20], entry.at + 4);
      this.out.fill(0, entry.data, entry.end);
      // Version 0, flags 1 (the media is in this file): the 4 bytes are not copied, as they could spell text.
      if (entry.end - entry.data >= 4 && left >= 0) this.out[entry.data + 3] = 1;
    }
  }
}

/**
 * Byte ranges [from[i], to[i]), i < length, as two growing arrays of doubles: 16 bytes a range,
 * where a list of pairs took about 90 (round-20 attack: the 4.7 million chunks of an 18.8 MB
 * file's chunk table held 424 MB of heap).
 */
class Ranges {
  from = new Float64Array(64);
  to = new Float64Array(64);
  length = 0;
  push(from: number, to: number): void {
    if (this.length === this.from.length) {
      const grown = (a: Float64Array) => {
        const g = new Float64Array(a.length * 2);
        g.set(a);
        return g;
      };
      this.from = grown(this.from);
      this.to = grown(this.to);
    }
    this.from[this.length] = from;
    this.to[this.length++] = to;
  }
}

/**
 * Sample ranges in order of start, each cut to the end of the media data box it starts in (one
 * that starts in none dropped: a sample is read from its chunk's box, §8.7.5, so a size declared
 * past it keeps nothing of the next box, another box's text, a removed track's samples), and those
 * that overlap or touch joined.
 */
function clippedJoined(ranges: Ranges, mdats: readonly [number, number][]): Ranges {
  const { from, to, length: n } = ranges;
  // Chunks mostly come in file order: sorted (by index) only when they do not.
  let order: Uint32Array | null = null;
  for (let i = 1; i < n && !order; i++)
    if ((from[i] as number) < (from[i - 1] as number)) order = new Uint32Array(n).map((_, j) => j).sort((x, y) => (from[x] as number) - (from[y] as number));
  const out = new Ranges();
  let m = 0;
  for (let k = 0; k < n; k++) {
    const i = order ? (order[k] as number) : k;
    const s = from[i] as number;
    while (m < mdats.length && (mdats[m] as [number, number])[1] <= s) m++;
    const box = mdats[m];
    if (!box || box[0] > s || s >= (to[i] as number)) continue;
    const e = Math.min(to[i] as number, box[1]);
    const last = out.length - 1;
    if (last >= 0 && s <= (out.to[last] as number)) out.to[last] = Math.max(out.to[last] as number, e);
    else out.push(s, e);
  }
  return out;
}

/** The handler type of a track (`trak`/`mdia`/`hdlr`, ISO/IEC 14496-12 §8.4.3), or ''. */
function handlerOf(b: Uint8Array, trak: Box): string {
  const mdia = children(b, trak.data, trak.end).find((x) => x.type === 'mdia');
  const hdlr = mdia && children(b, mdia.data, mdia.end).find((x) => x.type === 'hdlr');
  return hdlr && hdlr.end - hdlr.data >= 12 ? ascii(b, hdlr.data + 8, 4) : '';
}

/**
 * The byte ranges a track's samples take (§8.7: chunk offsets `stco`/`co64`, samples per chunk
 * `stsc`, sample sizes `stsz`/`stz2`), pushed onto `ranges`, one a chunk. A track without them has
 * no samples. Returns the track's sample count (stsz). Throws NotAVideo when a table's count runs
 * past its box.
 */
function sampleRanges(b: Uint8Array, tables: ReadonlyMap<string, Box>, ranges: Ranges): number {
  const co = tables.get('stco') ?? tables.get('co64');
  const stsc = tables.get('stsc');
  const stsz = tables.get('stsz') ?? tables.get('stz2');
  if (!co || !stsc || !stsz) return 0;
  const wide = co.type === 'co64';
  const chunks = table(b, co, wide ? 8 : 4);
  const runs = table(b, stsc, 12);
  const offset = (c: number) => (wide ? be32(b, co.data + 8 + 8 * c) * 2 ** 32 + be32(b, co.data + 12 + 8 * c) : be32(b, co.data + 8 + 4 * c));
  // Sample sizes: one for all (stsz with a size), or a table of 32 (stsz), 4, 8 or 16 bits (stz2).
  let count: number;
  let size: (i: number) => number;
  let fixed = 0;
  if (stsz.type === 'stsz') {
    if (stsz.end - stsz.data < 12) throw new NotAVideo('a sample size box too short');
    fixed = be32(b, stsz.data + 4);
    count = be32(b, stsz.data + 8);
    if (fixed === 0 && stsz.data + 12 + 4 * count > stsz.end) throw new NotAVideo('a sample size table runs past its box');
    size = fixed ? () => fixed : (i) => be32(b, stsz.data + 12 + 4 * i);
  } else {
    if (stsz.end - stsz.data < 12) throw new NotAVideo('a sample size box too short');
    const bits = b[stsz.data + 7] as number;
    count = be32(b, stsz.data + 8);
    if (![4, 8, 16].includes(bits) || stsz.data + 12 + Math.ceil((bits * count) / 8) > stsz.end) throw new NotAVideo('a sample size table runs past its box');
    const at = stsz.data + 12;
    size = bits === 16 ? (i) => be16(b, at + 2 * i) : bits === 8 ? (i) => b[at + i] as number : (i) => ((b[at + (i >> 1)] as number) >> (i & 1 ? 0 : 4)) & 15;
  }
  let sampleIndex = 0;
  for (let r = 0; r < runs && sampleIndex < count; r++) {
    const first = be32(b, stsc.data + 8 + 12 * r);
    const next = r + 1 < runs ? be32(b, stsc.data + 8 + 12 * (r + 1)) : chunks + 1;
    // Each run's first chunk after the one before (§8.7.4), so every chunk is visited once.
    if (first < 1 || next <= first) throw new NotAVideo('a sample-to-chunk table out of order');
    const perChunk = be32(b, stsc.data + 12 + 12 * r);
    for (let c = first; c < next && c <= chunks && sampleIndex < count; c++) {
      const from = offset(c - 1);
      let len = 0;
      if (fixed) {
        // One size for every sample: the chunk's length at once (a hostile count of 2^32 samples
        // in one chunk would otherwise be counted one by one).
        const k = Math.min(perChunk, count - sampleIndex);
        len = fixed * k;
        sampleIndex += k;
      } else for (let k = 0; k < perChunk && sampleIndex < count; k++) len += size(sampleIndex++);
      ranges.push(from, from + len);
    }
  }
  return count;
}

/** The entry count of a full box holding a table (version and flags, a 32-bit count, then entries of `entry` bytes); NotAVideo when they run past it. */
function table(b: Uint8Array, box: Box, entry: number): number {
  if (box.end - box.data < 8) throw new NotAVideo(`a ${box.type} box too short`);
  const n = be32(b, box.data + 4);
  if (box.data + 8 + n * entry > box.end) throw new NotAVideo(`a ${box.type} table runs past its box`);
  return n;
}
