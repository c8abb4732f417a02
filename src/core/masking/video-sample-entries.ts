// Owns cleaning a track's sample descriptions (`stsd`, ISO/IEC 14496-12 §8.5.2): which entries
// and which of their boxes a decoder reads, and of each such box the bytes it reads (a decoder
// configuration's declared parameter sets and descriptors); the rest is freed or zeroed in place.
import { iccWithoutText } from './pictures/icc.js';
import { ascii, be16, be32, type Box, NotAVideo } from './video-boxes.js';
import { type Fields, zeroOutside } from './video-tables.js';

/** What the video cleaner lends this file: the file read, the copy written, a box freed, a box's children. */
export interface BoxEditor {
  readonly b: Uint8Array;
  readonly out: Uint8Array;
  free(box: Box): void;
  kids(start: number, end: number): Box[];
}

/**
 * Sample entry types (codecs) a player of these files reads: pictures (ISO/IEC 14496-15 AVC,
 * HEVC, Dolby Vision; AV1, VP8/9, MPEG-4 Part 2, H.263, JPEG, ProRes, DV, uncompressed) and sound
 * (AAC and MPEG audio, AC-3/E-AC-3/AC-4, Opus, FLAC, ALAC, PCM, AMR, DTS, MPEG-H). An entry of
 * another type is freed: its type is 4 bytes anyone may choose.
 */
const CODECS = new Set([
  ...['avc1', 'avc2', 'avc3', 'avc4', 'hvc1', 'hev1', 'dvh1', 'dvhe', 'dva1', 'dvav', 'av01', 'vp08', 'vp09', 'mp4v', 's263', 'h263'],
  ...['jpeg', 'mjpa', 'mjpb', 'mjp2', 'png ', 'apch', 'apcn', 'apcs', 'apco', 'ap4h', 'ap4x', 'raw ', '2vuy', 'yuv2', 'v210', 'dvc '],
  ...['dvcp', 'dvpp', 'dv5n', 'dv5p', 'dvh5', 'dvh6', 'dvhp', 'dvhq', 'encv', 'mp4a', 'ac-3', 'ec-3', 'ac-4', 'Opus', 'fLaC', 'alac'],
  ...['lpcm', 'sowt', 'twos', 'in24', 'in32', 'fl32', 'fl64', 'ulaw', 'alaw', 'ima4', '.mp3', 'samr', 'sawb', 'mlpa', 'dtsc', 'dtsh'],
  ...['dtsl', 'dtse', 'mha1', 'mhm1', 'NONE', 'enca'],
]);

/** Boxes kept inside a sample entry (a decoder's configuration, how to show its pictures or sound) and inside QuickTime's `wave`. */
const INSIDE: Readonly<Record<'entry' | 'wave', ReadonlySet<string>>> = {
  entry: new Set([
    ...['avcC', 'hvcC', 'av1C', 'vpcC', 'dvcC', 'dvvC', 'esds', 'dOps', 'dfLa', 'dac3', 'dec3', 'dac4', 'alac', 'pasp', 'clap', 'colr'],
    ...['btrt', 'fiel', 'gama', 'chan', 'mdcv', 'clli', 'glbl', 'wave'],
  ]),
  wave: new Set(['frma', 'mp4a', 'esds', 'enda', 'chan', 'alac']),
};

/**
 * The bytes of a configuration box a decoder reads (from its data), by type: fixed lengths
 * (ISO/IEC 14496-12 §12.1.4 pasp, clap, §8.5.2 btrt, §12.1.5 colr; ISO/IEC 23001-8 mdcv, clli;
 * QTFF fiel, gama, chan, frma, enda; Apple's alac; ETSI TS 102 366 dac3; Opus-in-ISOBMFF dOps; VP
 * codec ISO-BMFF vpcC; Dolby Vision dvcC), or read from the box (esds, avcC, hvcC, av1C, dfLa, each
 * its own function). A listed box absent here (dac4; glbl but its MPEG-4 user data) is kept whole.
 */
const FIXED: Readonly<Record<string, (e: Uint8Array, data: number, length: number) => number>> = {
  pasp: () => 8,
  clap: () => 32,
  btrt: () => 12,
  fiel: () => 2,
  gama: () => 4,
  mdcv: () => 24,
  clli: () => 4,
  dac3: () => 3,
  frma: () => 4,
  enda: () => 2,
  alac: () => 28,
  // Dolby Vision: versions, profile, level, flags and the compatibility id (5 bytes); the 19 after are reserved.
  dvcC: () => 5,
  dvvC: () => 5,
  mp4a: () => 4,
  chan: (b, d, n) => (n >= 16 ? 16 + 20 * be32(b, d + 12) : n),
  dOps: (b, d, n) => (n >= 11 && b[d + 10] !== 0 ? 13 + (b[d + 1] as number) : 11),
  // VP codec ISO-BMFF §2.2: codecInitializationData "is not used for VP8 and VP9" and its size must
  // be 0; the size (bytes 10-11, 8-9 in version 0) and any data zeroed.
  vpcC: (b, d) => (b[d] === 0 ? 8 : 10),
  dec3: (b, d, n) => {
    // E-AC-3 (ETSI TS 102 366 F.6): 2 bytes, then per independent substream 3 bytes, one more when it has dependent ones.
    let at = 2;
    for (let i = n >= 2 ? ((b[d + 1] as number) & 7) + 1 : 0; i > 0 && at + 3 <= n; i--) at += (b[d + at + 2] as number) & 0x1e ? 4 : 3;
    return Math.min(at + 2, n);
  },
};

/** A visual entry's fields kept (§12.1.3): data reference index, width and height, resolution, frame count, depth; its reserved ones, QuickTime's vendor and qualities, and the compressor name zeroed. A sound entry keeps its data reference index, version and numbers (from byte 16). */
const VISUAL_FIELDS: Fields = [
  [6, 8],
  [24, 36],
  [40, 42],
  [74, 78],
];

/**
 * A sample description box (§8.5.2): the entries its count declares and whose type is a codec
 * (CODECS) kept, others freed. An entry keeps its fixed fields but the reserved ones and a
 * visual entry's compressor name (a 32-byte string) and QuickTime's vendor; and the boxes INSIDE
 * names, each cut to the bytes its decoder reads (config); other boxes freed. The fixed fields'
 * length by the track's handler: visual 78 bytes (§12.1.3), sound 28, or 44 and 64 for
 * QuickTime's version 1 and 2 (QTFF "Sound sample description").
 */
export function sampleEntries(c: BoxEditor, stsd: Box, handler: string): void {
  if (stsd.end - stsd.data < 8) throw new NotAVideo('a sample description box too short');
  let left = be32(c.b, stsd.data + 4);
  for (const entry of c.kids(stsd.data + 8, stsd.end)) {
    if (left-- <= 0 || !CODECS.has(entry.type)) {
      c.free(entry);
      continue;
    }
    const version = entry.end - entry.data >= 10 ? be16(c.b, entry.data + 8) : 0;
    const fixed = handler === 'vide' ? 78 : version === 1 ? 44 : version === 2 ? 64 : 28;
    if (entry.end - entry.data < fixed) throw new NotAVideo('a sample description too short');
    zeroOutside(
      c.out,
      { ...entry, end: entry.data + fixed },
      handler === 'vide'
        ? VISUAL_FIELDS
        : [
            [6, 10],
            [16, fixed],
          ],
    );
    const inside = (parent: Box, keep: ReadonlySet<string>) => {
      for (const box of c.kids(parent.data, parent.end)) {
        if (!keep.has(box.type)) c.free(box);
        else if (box.type === 'wave') inside(box, INSIDE.wave);
        else decoderConfig(c, box);
      }
    };
    inside({ ...entry, data: entry.data + fixed }, INSIDE.entry);
  }
}

/**
 * A decoder configuration box cut to what its decoder reads (FIXED, or its own reader), or freed
 * when it does not read. The same for a video's sample entry and a HEIF picture's item properties
 * (pictures/heif.ts: hvcC, av1C, colr, clap, pasp, clli, mdcv).
 */
export function decoderConfig(c: BoxEditor, box: Box): void {
  const { b, out } = c;
  const n = box.end - box.data;
  const cut = (length: number) => out.fill(0, Math.min(box.data + length, box.end), box.end);
  const fixed = FIXED[box.type];
  if (fixed) return void cut(fixed(b, box.data, n));
  if (box.type === 'colr') return colour(c, box);
  // FFmpeg's global header: a codec's extradata as is; an MPEG-4 Part 2 one (start codes) loses its user data.
  if (box.type === 'glbl' && n >= 3 && b[box.data] === 0 && b[box.data + 1] === 0 && b[box.data + 2] === 1) return withoutUserData(b, out, box.data, box.end);
  const length =
    box.type === 'avcC'
      ? avc(b, out, box)
      : box.type === 'hvcC'
        ? hevc(b, out, box)
        : box.type === 'esds'
          ? es(b, out, box)
          : box.type === 'av1C'
            ? av1(b, box)
            : box.type === 'dfLa'
              ? flac(b, out, box)
              : n;
  if (length === null) c.free(box);
  else cut(length);
}

/**
 * A colour box (§12.1.5): `nclx`/`nclc` (colour numbers, 11 and 10 bytes) kept; an ICC profile
 * (`prof`, `rICC`) keeps its curves and tables with its text blanked in place (pictures/icc.ts
 * iccWithoutText, the same length: a profile's `desc`/`cprt` is free text); anything else freed.
 */
function colour(c: BoxEditor, box: Box): void {
  const kind = box.end - box.data >= 4 ? ascii(c.b, box.data, 4) : '';
  if (kind === 'nclx' || kind === 'nclc') return void c.out.fill(0, Math.min(box.data + (kind === 'nclx' ? 11 : 10), box.end), box.end);
  const clean = kind === 'prof' || kind === 'rICC' ? iccWithoutText(c.b.subarray(box.data + 4, box.end)) : null;
  if (clean) c.out.set(clean, box.data + 4);
  else c.free(box);
}

/**
 * An AVC configuration (ISO/IEC 14496-15 §5.3.3.1): 5 bytes, the sequence and picture parameter
 * sets it counts, and for a profile other than 66, 77, 88 the chroma and depth bytes and the
 * extension sets. A set whose NAL type is not its list's (7, 8, 13: an SEI's user data is text)
 * is zeroed, a NAL of type 0 decoders skip. The length read, or null when the counts run past the box.
 */
function avc(b: Uint8Array, out: Uint8Array, box: Box): number | null {
  const end = box.end;
  let at = box.data + 5;
  const sets = (count: number, type: number): boolean => {
    for (let i = 0; i < count; i++) {
      if (at + 2 > end) return false;
      const len = be16(b, at);
      if (at + 2 + len > end) return false;
      if (len && ((b[at + 2] as number) & 0x1f) !== type) out.fill(0, at + 2, at + 2 + len);
      at += 2 + len;
    }
    return true;
  };
  if (at + 1 > end || !sets((b[at++] as number) & 0x1f, 7)) return null;
  if (at + 1 > end || !sets(b[at++] as number, 8)) return null;
  // The chroma and depth bytes begin with reserved bits all 1 (6, 5 and 5 of them): bytes that do
  // not are not those fields (text after the sets), and are cut.
  const profile = b[box.data + 1] as number;
  const reserved = at + 4 <= end && ((b[at] as number) & 0xfc) === 0xfc && ((b[at + 1] as number) & 0xf8) === 0xf8 && ((b[at + 2] as number) & 0xf8) === 0xf8;
  if (![66, 77, 88].includes(profile) && reserved) {
    at += 3;
    if (!sets(b[at++] as number, 13)) return null;
  }
  return at - box.data;
}

/**
 * An HEVC configuration (ISO/IEC 14496-15 §8.3.3.1): 22 bytes, then arrays of NAL units by type;
 * the video, sequence and picture parameter sets' arrays (types 32, 33, 34) kept, moved up over
 * the others (SEI arrays, 39 and 40, can hold user data: text), their count rewritten; a unit of
 * another type than its array's zeroed (a NAL of type 0, as in avc). The length
 * kept, or null when an array runs past the box.
 */
function hevc(b: Uint8Array, out: Uint8Array, box: Box): number | null {
  if (box.end - box.data < 23) return null;
  let at = box.data + 23;
  let to = at;
  let kept = 0;
  for (let i = b[box.data + 22] as number; i > 0; i--) {
    if (at + 3 > box.end) return null;
    const start = at;
    at += 3;
    for (let k = be16(b, start + 1); k > 0; k--) {
      if (at + 2 > box.end || at + 2 + be16(b, at) > box.end) return null;
      at += 2 + be16(b, at);
    }
    const type = (b[start] as number) & 0x3f;
    if (![32, 33, 34].includes(type)) continue;
    out.set(b.subarray(start, at), to);
    // A unit whose own type (its header's bits 1-6) is not its array's is zeroed, as avcC's are (round-20 attack: an SEI in the VPS array).
    for (let p = to + 3, k = be16(b, start + 1); k > 0; k--) {
      const len = be16(out, p);
      if (len && (((out[p + 2] as number) >> 1) & 0x3f) !== type) out.fill(0, p + 2, p + 2 + len);
      p += 2 + len;
    }
    to += at - start;
    kept++;
  }
  out[box.data + 22] = kept;
  return to - box.data;
}

/**
 * An AV1 configuration (AV1 Codec ISO Media File Format §2.3.3): 4 bytes, then configuration OBUs;
 * the sequence headers (type 1, with their size) at its start kept, anything after (a metadata
 * OBU can carry text) cut.
 */
function av1(b: Uint8Array, box: Box): number {
  let at = box.data + 4;
  while (at < box.end) {
    const head = b[at] as number;
    if (((head >> 3) & 15) !== 1 || !(head & 2)) break;
    let p = at + 1 + (head & 4 ? 1 : 0);
    let size = 0;
    for (let shift = 0; p < box.end && shift < 35; shift += 7) {
      const byte = b[p++] as number;
      size += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) break;
    }
    if (p + size > box.end) break;
    at = p + size;
  }
  return Math.min(at, box.end) - box.data;
}

/**
 * FLAC in ISO BMFF (`dfLa`, FLAC-in-ISOBMFF §3.3.2): its STREAMINFO block kept, marked the last;
 * any other metadata block (a VORBIS_COMMENT holds tags, a PICTURE cover art) cut. Null when the
 * first block is not a STREAMINFO of 34 bytes.
 */
function flac(b: Uint8Array, out: Uint8Array, box: Box): number | null {
  const at = box.data + 4;
  if (at + 38 > box.end || ((b[at] as number) & 0x7f) !== 0 || (be32(b, at) & 0xffffff) !== 34) return null;
  out[at] = 0x80;
  return 42;
}

/** An MPEG-4 descriptor's tag, where its body starts (after the 1-4 length bytes), and where it ends; null when not whole before `end`. */
function descriptor(b: Uint8Array, at: number, end: number): { tag: number; body: number; end: number; lengthAt: number } | null {
  if (at + 2 > end) return null;
  let length = 0;
  let p = at + 1;
  for (let i = 0; i < 4 && p < end; i++) {
    const byte = b[p++] as number;
    length = length * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) return p + length <= end ? { tag: b[at] as number, body: p, end: p + length, lengthAt: at + 1 } : null;
  }
  return null;
}

/** A descriptor's length rewritten in the bytes it had (ISO/IEC 14496-1 §8.3.3: 7 bits a byte, the high bit saying another follows). */
function setLength(out: Uint8Array, at: number, bytes: number, length: number): void {
  for (let i = 0; i < bytes; i++) out[at + i] = ((length >>> (7 * (bytes - 1 - i))) & 0x7f) | (i < bytes - 1 ? 0x80 : 0);
}

/**
 * An elementary stream descriptor (`esds`, ISO/IEC 14496-14 §3.1.2; ISO/IEC 14496-1 §7.2.6.5): the
 * ES_Descriptor keeps its ID and flags, its DecoderConfigDescriptor (13 bytes and its
 * DecoderSpecificInfo) and its SLConfigDescriptor; any other descriptor (an IP identification
 * set, a language, a registration, an extension: text) and anything past the declared lengths is
 * cut, the two lengths rewritten in place. Null (freed) when it does not read so, or its stream
 * is at a URL (not in this file).
 */
function es(b: Uint8Array, out: Uint8Array, box: Box): number | null {
  const esd = descriptor(b, box.data + 4, box.end);
  if (!esd || esd.tag !== 3 || esd.body + 3 > esd.end) return null;
  const flags = b[esd.body + 2] as number;
  if (flags & 0x40) return null;
  const dcdAt = esd.body + 3 + (flags & 0x80 ? 2 : 0) + (flags & 0x20 ? 2 : 0);
  const dcd = descriptor(b, dcdAt, esd.end);
  if (!dcd || dcd.tag !== 4 || dcd.body + 13 > dcd.end) return null;
  const dsi = descriptor(b, dcd.body + 13, dcd.end);
  const dcdEnd = dsi && dsi.tag === 5 ? dsi.end : dcd.body + 13;
  // MPEG-4 Part 2 video (object type 0x20): its headers' user data is text.
  if (dsi && dsi.tag === 5 && b[dcd.body] === 0x20) withoutUserData(b, out, dsi.body, dsi.end);
  out.fill(0, dcdEnd, dcd.end);
  setLength(out, dcd.lengthAt, dcd.body - dcd.lengthAt, dcdEnd - dcd.body);
  // The SL descriptor, after the decoder's among optional others (ISO/IEC 14496-1 §7.2.6.5.1), moved up over what was cut.
  let end = dcdEnd;
  for (let d = descriptor(b, dcd.end, esd.end); d; d = descriptor(b, d.end, esd.end)) {
    if (d.tag !== 6 || d.end === d.body) continue;
    // In an MP4 file it is `predefined` 2 (ISO/IEC 14496-14 §3.1.2), one byte: written so, its
    // length 1 in the bytes it had, anything after that byte (text) left out.
    const head = d.body - d.lengthAt + 1;
    out.copyWithin(dcdEnd, d.lengthAt - 1, d.body);
    setLength(out, dcdEnd + 1, head - 1, 1);
    out[dcdEnd + head] = 2;
    end = dcdEnd + head + 1;
    break;
  }
  out.fill(0, end, esd.end);
  setLength(out, esd.lengthAt, esd.body - esd.lengthAt, end - esd.body);
  return end - box.data;
}

/**
 * MPEG-4 Part 2 video headers between `from` and `to` with each user data's bytes zeroed (ISO/IEC
 * 14496-2 §6.2.2.1: `user_data_start_code` 0x000001B2, then any bytes up to the next start code
 * prefix 0x000001; encoders write their name and settings there). Zero bytes are user data too, so
 * the headers still read. Linear.
 */
function withoutUserData(b: Uint8Array, out: Uint8Array, from: number, to: number): void {
  let user = false;
  for (let at = from; at < to; at++) {
    const prefix = at + 3 < to && b[at] === 0 && b[at + 1] === 0 && b[at + 2] === 1;
    if (prefix) {
      user = b[at + 3] === 0xb2;
      at += 3;
    } else if (user) out[at] = 0;
  }
}
