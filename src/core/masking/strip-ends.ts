// Owns finding where a TIFF strip's or tile's compressed data really ends (LZW, Deflate, PackBits),
// so that what its byte count says beyond it is not kept: a decoder stops once it has the bytes the
// strip draws (libtiff's LZWDecode, ZIPDecode and PackBitsDecode fill the row buffer and return), so
// bytes past that point are never drawn and carried whatever a writer put there (round-19). Each
// walker reads the codes only (no pixel is produced), counting the bytes they would decode to;
// linear in the strip's length.
import { NotAnImage } from './pictures/bytes.js';

/** TIFF 6.0 compression values with a walker here: LZW (§13), Deflate (Adobe, and its old number), PackBits (§9). */
const LZW = 5;
const DEFLATE = 8;
const OLD_DEFLATE = 32946;
const PACKBITS = 32773;

/**
 * The bytes of a strip or tile (`count` bytes at `at` in `b`, compressed as `compression` says) that
 * its decoder reads to draw it: up to and with the code that completes the `want` bytes it draws
 * (and an end code, EOI or the end of a Deflate stream with its checksum, right after it), or up to
 * its own end code when that comes first. `count` for a compression not walked here (CCITT fax,
 * JPEG, LZMA, ZSTD…: JPEG is cut by its caller after its end of image) and for data that runs out
 * before either end. Throws NotAnImage when the codes do not walk (a code the table does not hold,
 * a Deflate block of a reserved type or damaged Huffman lengths): a decoder cannot draw it, so its
 * bytes are no picture.
 */
export function stripDataLength(compression: number, b: Uint8Array, at: number, count: number, want: number): number {
  const data = b.subarray(at, Math.min(at + count, b.length));
  if (compression === LZW) return lzwLength(data, want);
  if (compression === DEFLATE || compression === OLD_DEFLATE) return zlibLength(data, want);
  if (compression === PACKBITS) return packBitsLength(data, want);
  return count;
}

/** PackBits (TIFF 6.0 §9): a header byte n, then n+1 literal bytes (0…127) or one byte repeated 1−n times (−1…−127); −128 is skipped. */
function packBitsLength(d: Uint8Array, want: number): number {
  let out = 0;
  let p = 0;
  while (p < d.length && out < want) {
    const n = ((d[p] as number) << 24) >> 24;
    if (n >= 0) {
      out += n + 1;
      p += n + 2;
    } else if (n !== -128) {
      out += 1 - n;
      p += 2;
    } else p += 1;
  }
  return Math.min(p, d.length);
}

const CLEAR = 256;
const EOI = 257;

/**
 * TIFF LZW (TIFF 6.0 §13): codes MSB first, 9 bits wide from a Clear, 10 from when the table's next
 * entry is 511, 11 from 1023, 12 from 2047 (the early change libtiff writes and reads); each code
 * after the first since a Clear adds an entry one byte longer than the code before it. The old,
 * pre-6.0 bit order (first bytes 0x00 and an odd one: libtiff's LZWDecodeCompat) is refused.
 */
function lzwLength(d: Uint8Array, want: number): number {
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
    if (code < 0) return d.length;
    if (code === EOI) return Math.ceil(bit / 8);
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
  return read() === EOI ? Math.ceil(bit / 8) : Math.ceil(done / 8);
}

/** Bytes a Deflate stream may run on after its last drawn byte before it ends: end-of-block codes, an empty stored block (a sync flush), the Adler-32. */
const DEFLATE_CLOSE = 16;

// RFC 1951 §3.2.5: lengths and distances, their bases and extra bits.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
// RFC 1951 §3.2.7: the order code length code lengths are given in.
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code (RFC 1951 §3.2.2) as puff.c decodes it: how many codes of each length, and the symbols in code order. */
interface Huffman {
  readonly counts: Uint16Array;
  readonly symbols: Uint16Array;
}

function huffman(lengths: ArrayLike<number>, n: number): Huffman {
  const counts = new Uint16Array(16);
  for (let s = 0; s < n; s++) counts[lengths[s] as number]!++;
  const offs = new Uint16Array(16);
  for (let len = 1; len < 15; len++) offs[len + 1] = (offs[len] as number) + (counts[len] as number);
  const symbols = new Uint16Array(n);
  for (let s = 0; s < n; s++) if (lengths[s]) symbols[offs[lengths[s] as number]!++] = s;
  return { counts, symbols };
}

const FIXED_LIT = huffman(
  Array.from({ length: 288 }, (_, s) => (s < 144 ? 8 : s < 256 ? 9 : s < 280 ? 7 : 8)),
  288,
);
const FIXED_DIST = huffman(new Array<number>(30).fill(5), 30);

class OutOfData extends Error {}

/**
 * A zlib stream (RFC 1950: a 2-byte header, Deflate blocks, an Adler-32) walked block by block and
 * symbol by symbol (RFC 1951), counting the bytes it inflates to. Once they reach `want` the stream
 * may only close: end-of-block codes, empty blocks (a sync flush), within DEFLATE_CLOSE bytes; a
 * byte more out, or more bytes before its end, and it is cut after the symbol that completed
 * `want`. A preset dictionary (FDICT) is refused: TIFF's Deflate never has one.
 */
function zlibLength(d: Uint8Array, want: number): number {
  if (d.length < 2 || ((d[0] as number) & 0x0f) !== 8 || ((d[0] as number) * 256 + (d[1] as number)) % 31 !== 0 || (d[1] as number) & 0x20)
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
  const decode = (h: Huffman): number => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len <= 15; len++) {
      code |= bits(1);
      const count = h.counts[len] as number;
      if (code - count < first) return h.symbols[index + (code - first)] as number;
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new NotAnImage('a TIFF Deflate strip with a damaged code');
  };
  const cut = () => Math.ceil(done / 8);
  try {
    for (let last = 0; !last;) {
      if (done >= 0 && bit - done > DEFLATE_CLOSE * 8) return cut();
      last = bits(1);
      const type = bits(2);
      if (type === 3) throw new NotAnImage('a TIFF Deflate strip with a reserved block type');
      if (type === 0) {
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
        const ncode = bits(4) + 4;
        const cl = new Uint8Array(19);
        for (let k = 0; k < ncode; k++) cl[CL_ORDER[k] as number] = bits(3);
        const clh = huffman(cl, 19);
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
        lit = huffman(lengths.subarray(0, nlen), nlen);
        dist = huffman(lengths.subarray(nlen), ndist);
      }
      for (;;) {
        const sym = decode(lit);
        if (sym === 256) break;
        if (done >= 0) return cut();
        if (sym < 256) out++;
        else {
          const i = sym - 257;
          if (i >= 29) throw new NotAnImage('a TIFF Deflate strip with a reserved length');
          out += (LENGTH_BASE[i] as number) + bits(LENGTH_EXTRA[i] as number);
          const ds = decode(dist);
          if (ds >= 30) throw new NotAnImage('a TIFF Deflate strip with a reserved distance');
          bits(DIST_EXTRA[ds] as number);
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
  // The stream's end: its Adler-32 after the last block, byte aligned.
  return Math.min(d.length, ((bit + 7) >> 3) + 4);
}
