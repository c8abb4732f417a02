// Owns finding where a TIFF strip's or tile's compressed data really ends (LZW, Deflate, PackBits),
// so that what its byte count says beyond it is not kept: a decoder stops once it has the bytes the
// strip draws (libtiff's LZWDecode, ZIPDecode and PackBitsDecode fill the row buffer and return), so
// bytes past that point are never drawn and carried whatever a writer put there (round-19). Each
// walker reads the codes only (no pixel is produced), counting the bytes they would decode to;
// linear in the strip's length.
import { type CanonicalCode, canonicalCode, decodeSymbol } from './canonical-huffman.js';
import { NotAnImage } from './pictures/bytes.js';

/** TIFF 6.0 compression values with a walker here: LZW (§13), Deflate (Adobe, and its old number), PackBits (§9). */
const LZW = 5;
const DEFLATE = 8;
const OLD_DEFLATE = 32946;
const PACKBITS = 32773;

/**
 * The bytes of a strip or tile (`count` bytes at `at` in `b`, compressed as `compression` says) that
 * its decoder reads to draw it (StripEnd, with the bits it skips among them): up to and with the code that completes the `want` bytes it draws
 * (and an end code, EOI or the end of a Deflate stream with its checksum, right after it), or up to
 * its own end code when that comes first. `count` for a compression not walked here (CCITT fax,
 * JPEG, LZMA, ZSTD…: JPEG is cut by its caller after its end of image) and for data that runs out
 * before either end. Throws NotAnImage when the codes do not walk (a code the table does not hold,
 * a Deflate block of a reserved type, or anything zlib refuses before the strip is drawn: Huffman
 * code lengths over-subscribed or incomplete as inftrees.c judges them, a distance back past the
 * strip's first byte, too many codes, no end-of-block code, a window over 32 KiB): a decoder cannot
 * draw it, so its bytes are no picture.
 */
export function stripDataLength(compression: number, b: Uint8Array, at: number, count: number, want: number): StripEnd {
  const data = b.subarray(at, Math.min(at + count, b.length));
  if (compression === LZW) {
    // MSB first: the bits after its last code read, the low ones of its last byte, are not read.
    const end = lzwEndBit(data, want);
    const length = Math.min(Math.ceil(end / 8), data.length);
    const last = end & 7 ? (0xff << (8 - (end & 7))) & 0xff : 0xff;
    if (length === 0 || ((data[length - 1] as number) & ~last & 0xff) === 0) return { length, readBits: null };
    const readBits = new Uint8Array(length).fill(0xff);
    readBits[length - 1] = last;
    return { length, readBits };
  }
  if (compression === DEFLATE || compression === OLD_DEFLATE) {
    // Only bits skipped that are not zero are marked: none in a stream zlib wrote.
    let readBits: Uint8Array | null = null;
    const length = zlibLength(data, want, (byte, mask) => {
      if (((data[byte] as number) & ~mask & 0xff) !== 0) (readBits ??= new Uint8Array(data.length).fill(0xff))[byte] = mask;
    });
    return { length, readBits: (readBits as Uint8Array | null)?.subarray(0, length) ?? null };
  }
  if (compression === PACKBITS) return packBitsEnd(data, want);
  return { length: count, readBits: null };
}

/**
 * Where a strip's data ends (`length` bytes from its offset), and, per byte of those, the bits its
 * decoder reads (0xff all; null when every bit it skips is zero already): the others are to be
 * zeroed. A Deflate stream's bits after its final block and before a stored block's length are
 * skipped (RFC 1951 §3.2.4, "ignore any remaining bits") and could hold 7 bits of anything each;
 * a PackBits literal run's bytes past the last one drawn are not read at all (packBitsEnd).
 */
export interface StripEnd {
  readonly length: number;
  readonly readBits: Uint8Array | null;
}

/**
 * PackBits (TIFF 6.0 §9): a header byte n, then n+1 literal bytes (0…127) or one byte repeated 1−n
 * times (−1…−127); −128 is skipped. A literal run longer than the bytes left to draw keeps its
 * length, its bytes past the last drawn zeroed (readBits 0): libtiff's PackBitsDecode copies what
 * the strip still needs and discards the rest ("Discarding … bytes to avoid buffer overflow"), so
 * up to 127 bytes of anything crossed undrawn (round-20 attack).
 */
function packBitsEnd(d: Uint8Array, want: number): StripEnd {
  let out = 0;
  let p = 0;
  let undrawn = -1; // where the last run's bytes past `want` begin, when it has any
  while (p < d.length && out < want) {
    const n = ((d[p] as number) << 24) >> 24;
    if (n >= 0) {
      if (out + n + 1 > want) undrawn = p + 1 + (want - out);
      out += n + 1;
      p += n + 2;
    } else if (n !== -128) {
      out += 1 - n;
      p += 2;
    } else p += 1;
  }
  const length = Math.min(p, d.length);
  if (undrawn < 0 || undrawn >= length) return { length, readBits: null };
  const readBits = new Uint8Array(length).fill(0xff);
  readBits.fill(0, undrawn);
  return { length, readBits };
}

const CLEAR = 256;
const EOI = 257;

/**
 * TIFF LZW (TIFF 6.0 §13): codes MSB first, 9 bits wide from a Clear, 10 from when the table's next
 * entry is 511, 11 from 1023, 12 from 2047 (the early change libtiff writes and reads); each code
 * after the first since a Clear adds an entry one byte longer than the code before it. The old,
 * pre-6.0 bit order (first bytes 0x00 and an odd one: libtiff's LZWDecodeCompat) is refused.
 * The bit after the last code its decoder reads (its EOI, or the code completing `want`).
 */
function lzwEndBit(d: Uint8Array, want: number): number {
  if (d.length >= 2 && d[0] === 0 && ((d[1] as number) & 1) === 1) throw new NotAnImage('a TIFF strip in the old LZW bit order');
  const lengths = new Uint32Array(4096).fill(1, 0, 256);
  let bit = 0;
  let width = 9;
  let next = 258;
  let prev = -1;
  let out = 0;
  const read = (): number => {
    if (bit + width > d.length * 8) return -1;
    let v = 0;
    for (let k = 0; k < width; k++, bit++) v = (v << 1) | (((d[bit >> 3] as number) >> (7 - (bit & 7))) & 1);
    return v;
  };
  while (out < want) {
    const code = read();
    if (code < 0) return d.length * 8;
    if (code === EOI) return bit;
    if (code === CLEAR) {
      width = 9;
      next = 258;
      prev = -1;
      continue;
    }
    let len: number;
    if (code < 256 || (code < next && prev >= 0)) len = lengths[code] as number;
    else if (code === next && prev >= 0) len = (lengths[prev] as number) + 1;
    else throw new NotAnImage('a TIFF LZW strip names a code its table does not hold');
    if (prev >= 0 && next < 4096) {
      lengths[next] = (lengths[prev] as number) + 1;
      next++;
      if (next >= (1 << width) - 1 && width < 12) width++;
    }
    out += len;
    prev = code;
  }
  // The bytes it draws are complete: an end code right after is the stream's own, anything else is not read.
  const done = bit;
  return read() === EOI ? bit : done;
}

/** Bytes a Deflate stream may run on after its last drawn byte before it ends: end-of-block codes, an empty stored block (a sync flush), the Adler-32. */
const DEFLATE_CLOSE = 16;

// RFC 1951 §3.2.5: lengths and distances, their bases and extra bits.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
// RFC 1951 §3.2.7: the order code length code lengths are given in.
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A literal/length or distance code as zlib builds it (inftrees.c inflate_table): over-subscribed
 * lengths are refused, and incomplete ones but a single code of one bit (zlib's "max != 1"; the
 * other bit is no code, refused when read); no code at all is built and refused when read (a block
 * of literals needs no distance). Code length codes (`lengthsCode`) must be complete.
 */
function zlibCode(lengths: ArrayLike<number>, what: string, lengthsCode = false): CanonicalCode {
  const c = canonicalCode(lengths);
  if (c.fill === 'over-subscribed' || (c.fill === 'incomplete' && (lengthsCode || c.longest !== 1)) || (lengthsCode && c.fill === 'empty'))
    throw new NotAnImage(`a TIFF Deflate strip with ${c.fill} ${what} code lengths`);
  return c;
}

// RFC 1951 §3.2.6, as zlib's fixed tables: 288 literal/length codes and 32 distance codes (286,
// 287, 30 and 31 are codes no stream may use).
const FIXED_LIT = canonicalCode(Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)));
const FIXED_DIST = canonicalCode(new Array<number>(32).fill(5));

class OutOfData extends Error {}

/**
 * A zlib stream (RFC 1950: a 2-byte header, Deflate blocks, an Adler-32) walked block by block and
 * symbol by symbol (RFC 1951), counting the bytes it inflates to. Once they reach `want` the stream
 * may only close: end-of-block codes, empty blocks (a sync flush), within DEFLATE_CLOSE bytes; a
 * byte more out, or more bytes before its end, and it is cut after the symbol that completed
 * `want`. A preset dictionary (FDICT) is refused: TIFF's Deflate never has one.
 */
function zlibLength(d: Uint8Array, want: number, skipped: (byte: number, mask: number) => void): number {
  // RFC 1950 §2.2: method 8, a window of 32 KiB at most (CINFO ≤ 7: zlib's "invalid window size"), the check, no dictionary.
  const cmf = d[0] as number;
  if (d.length < 2 || (cmf & 0x0f) !== 8 || cmf >> 4 > 7 || (cmf * 256 + (d[1] as number)) % 31 !== 0 || (d[1] as number) & 0x20)
    throw new NotAnImage('a TIFF Deflate strip without its zlib header');
  let bit = 16;
  let out = 0;
  let done = -1; // the bit where the bytes it draws were complete
  const total = d.length * 8;
  const bits = (n: number): number => {
    if (bit + n > total) throw new OutOfData();
    let v = 0;
    for (let k = 0; k < n; k++, bit++) v |= (((d[bit >> 3] as number) >> (bit & 7)) & 1) << k;
    return v;
  };
  // The next 32 bits, the first in the lowest (zeros past the end), not taken.
  const peek = (): number => {
    const i = bit >> 3;
    const sh = bit & 7;
    const lo = ((d[i] ?? 0) | ((d[i + 1] ?? 0) << 8) | ((d[i + 2] ?? 0) << 16) | ((d[i + 3] ?? 0) << 24)) >>> 0;
    return sh === 0 ? lo : ((lo >>> sh) | ((d[i + 4] ?? 0) << (32 - sh))) >>> 0;
  };
  const decode = (h: CanonicalCode): number => {
    const hit = decodeSymbol(h, peek());
    const len = hit < 0 ? h.longest : hit & 15;
    if (bit + len > total) throw new OutOfData();
    // zlib's "invalid code": bits no code of an incomplete (one-code) or empty code begins with.
    if (hit < 0) throw new NotAnImage('a TIFF Deflate strip with a damaged code');
    bit += len;
    return hit >> 4;
  };
  const cut = () => Math.ceil(done / 8);
  try {
    for (let last = 0; !last;) {
      if (done >= 0 && bit - done > DEFLATE_CLOSE * 8) return cut();
      last = bits(1);
      const type = bits(2);
      if (type === 3) throw new NotAnImage('a TIFF Deflate strip with a reserved block type');
      if (type === 0) {
        if (bit & 7) skipped(bit >> 3, (1 << (bit & 7)) - 1);
        bit = (bit + 7) & ~7;
        const len = bits(16);
        if ((bits(16) ^ 0xffff) !== len) throw new NotAnImage('a TIFF Deflate strip with a damaged stored block');
        if (len > 0 && done >= 0) return cut();
        if (done < 0 && out + len >= want) done = bit + 8 * (want - out);
        out += len;
        bit += 8 * len;
        if (bit > total) throw new OutOfData();
        continue;
      }
      let lit = FIXED_LIT;
      let dist = FIXED_DIST;
      if (type === 2) {
        const nlen = bits(5) + 257;
        const ndist = bits(5) + 1;
        // zlib: "too many length or distance symbols" (RFC 1951 §3.2.7: 286 and 30 at most).
        if (nlen > 286 || ndist > 30) throw new NotAnImage('a TIFF Deflate strip with too many codes');
        const ncode = bits(4) + 4;
        const cl = new Uint8Array(19);
        for (let k = 0; k < ncode; k++) cl[CL_ORDER[k] as number] = bits(3);
        const clh = zlibCode(cl, 'code length', true);
        const lengths = new Uint8Array(nlen + ndist);
        for (let k = 0; k < nlen + ndist;) {
          const sym = decode(clh);
          if (sym < 16) lengths[k++] = sym;
          else {
            if (sym === 16 && k === 0) throw new NotAnImage('a TIFF Deflate strip repeats no length');
            const value = sym === 16 ? (lengths[k - 1] as number) : 0;
            const times = sym === 16 ? 3 + bits(2) : sym === 17 ? 3 + bits(3) : 11 + bits(7);
            if (k + times > nlen + ndist) throw new NotAnImage('a TIFF Deflate strip with too many lengths');
            lengths.fill(value, k, k + times);
            k += times;
          }
        }
        // zlib: "invalid code -- missing end-of-block".
        if (!lengths[256]) throw new NotAnImage('a TIFF Deflate strip with no end-of-block code');
        lit = zlibCode(lengths.subarray(0, nlen), 'literal/length');
        dist = zlibCode(lengths.subarray(nlen), 'distance');
      }
      for (;;) {
        const sym = decode(lit);
        if (sym === 256) break;
        if (done >= 0) return cut();
        if (sym < 256) out++;
        else {
          const i = sym - 257;
          if (i >= 29) throw new NotAnImage('a TIFF Deflate strip with a reserved length');
          const length = (LENGTH_BASE[i] as number) + bits(LENGTH_EXTRA[i] as number);
          const ds = decode(dist);
          if (ds >= 30) throw new NotAnImage('a TIFF Deflate strip with a reserved distance');
          // RFC 1951 §3.2.5: a distance back in the output stream; each strip is a stream of its
          // own (libtiff resets zlib per strip), so none reaches before its first byte (zlib:
          // "invalid distance too far back").
          if ((DIST_BASE[ds] as number) + bits(DIST_EXTRA[ds] as number) > out) throw new NotAnImage('a TIFF Deflate strip copying from before its start');
          out += length;
        }
        if (out >= want) done = bit;
      }
    }
  } catch (err) {
    if (!(err instanceof OutOfData)) throw err;
    // Out of data: every byte there was read as the stream.
    return done >= 0 ? Math.min(cut(), d.length) : d.length;
  }
  if (done >= 0 && bit - done > DEFLATE_CLOSE * 8) return cut();
  // The stream's end: its Adler-32 after the last block, byte aligned; the bits up to it unread.
  if (bit & 7) skipped(bit >> 3, (1 << (bit & 7)) - 1);
  return Math.min(d.length, ((bit + 7) >> 3) + 4);
}
