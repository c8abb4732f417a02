// Owns PNG: the chunks kept (PNG 3rd edition §4.3), the ICC profile inflated, cleaned and deflated
// anew, and the chunk CRC-32.
import { Inflate, zlibSync } from 'fflate';
import type { StripOptions } from '../image-metadata.js';
import { concat } from '../concat-bytes.js';
import { NotAnImage } from './bytes.js';
import { iccWithoutText } from './icc.js';

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

export function stripPng(b: Uint8Array, hidden: Uint8Array[], opts: StripOptions): Uint8Array {
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
