// Owns finding where a lossless WebP bitstream (VP8L, RFC 9649 §3–§5; libwebp's vp8l_dec.c) ends:
// its transforms, colour cache, prefix codes and LZ77-coded pixels are read as its decoder reads
// them, without producing a picture (but the entropy image, whose values choose the codes), so the
// bytes after its last pixel, which no decoder reads, are known (round-19 attack: a VP8L chunk
// larger than its bitstream carried them raw). Linear in the chunk's bits and the pixels' tiles.
import { type CanonicalCode, canonicalCode, decodeSymbol } from './canonical-huffman.js';
import { NotAnImage } from './pictures/bytes.js';

/** A canonical prefix code (RFC 9649 §3.7.2), or its one symbol (`single`, ≥ 0), read with no bit. */
type Code = CanonicalCode & { readonly single: number };

/** Five codes a prefix group holds (RFC 9649 §3.7.2.2): green with lengths and cache indices, red, blue, alpha, distance. */
type Group = readonly [Code, Code, Code, Code, Code];

const CODE_LENGTH_ORDER = [17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];

// RFC 9649 §3.6.2 (libwebp kCodeToPlane): a distance code's (dx, dy) as 8 − low nibble, high nibble.
// prettier-ignore
const CODE_TO_PLANE = [
  0x18, 0x07, 0x17, 0x19, 0x28, 0x06, 0x27, 0x29, 0x16, 0x1a, 0x26, 0x2a, 0x38, 0x05, 0x37, 0x39, 0x15, 0x1b, 0x36, 0x3a,
  0x25, 0x2b, 0x48, 0x04, 0x47, 0x49, 0x14, 0x1c, 0x35, 0x3b, 0x46, 0x4a, 0x24, 0x2c, 0x58, 0x45, 0x4b, 0x34, 0x3c, 0x03,
  0x57, 0x59, 0x13, 0x1d, 0x56, 0x5a, 0x23, 0x2d, 0x44, 0x4c, 0x55, 0x5b, 0x33, 0x3d, 0x68, 0x02, 0x67, 0x69, 0x12, 0x1e,
  0x66, 0x6a, 0x22, 0x2e, 0x54, 0x5c, 0x43, 0x4d, 0x65, 0x6b, 0x32, 0x3e, 0x78, 0x01, 0x77, 0x79, 0x53, 0x5d, 0x11, 0x1f,
  0x64, 0x6c, 0x42, 0x4e, 0x76, 0x7a, 0x21, 0x2f, 0x75, 0x7b, 0x31, 0x3f, 0x63, 0x6d, 0x52, 0x5e, 0x00, 0x74, 0x7c, 0x41,
  0x4f, 0x10, 0x20, 0x62, 0x6e, 0x30, 0x73, 0x7d, 0x51, 0x5f, 0x40, 0x72, 0x7e, 0x61, 0x6f, 0x50, 0x71, 0x7f, 0x60, 0x70,
];

const sub = (size: number, bits: number) => (size + (1 << bits) - 1) >> bits;

/** The bitstream read LSB first (RFC 9649 §3.2); NotAnImage past its end (libwebp's eos: a decoder fails there). */
class Bits {
  pos = 0;
  /**
   * Work not paid for in bits: pixels held for the entropy image, tiles whose codes read no bit.
   * 4 Mi and 64 a bit of the chunk: a 20-byte stream said 16383×16383 pixels of 4-pixel tiles
   * (64 MiB held, 67 million tiles) is past any honest file.
   */
  #free: number;
  constructor(private readonly d: Uint8Array) {
    this.#free = (1 << 22) + 64 * 8 * d.length;
  }
  spend(n: number): void {
    this.#free -= n;
    if (this.#free < 0) throw new NotAnImage('a lossless WebP whose pixels cost nothing to describe, past any honest file');
  }
  /** The next 32 bits, the first in the lowest (zeros past the end), not taken. */
  #peek(): number {
    const d = this.d;
    const i = this.pos >> 3;
    const s = this.pos & 7;
    const lo = ((d[i] ?? 0) | ((d[i + 1] ?? 0) << 8) | ((d[i + 2] ?? 0) << 16) | ((d[i + 3] ?? 0) << 24)) >>> 0;
    return s === 0 ? lo : ((lo >>> s) | ((d[i + 4] ?? 0) << (32 - s))) >>> 0;
  }
  #take(n: number): void {
    this.pos += n;
    if (this.pos > this.d.length * 8) throw new NotAnImage('a lossless WebP bitstream runs past its chunk');
  }
  read(n: number): number {
    if (n === 0) return 0;
    const v = n === 32 ? this.#peek() : this.#peek() & ((1 << n) - 1);
    this.#take(n);
    return v >>> 0;
  }
  decode(c: Code): number {
    if (c.single >= 0) return c.single;
    const hit = decodeSymbol(c, this.#peek());
    // Never for a complete code: every bit pattern begins one.
    if (hit < 0) throw new NotAnImage('a lossless WebP bitstream with a damaged code');
    this.#take(hit & 15);
    return hit >> 4;
  }
  /** A length or distance from its prefix symbol (RFC 9649 §3.6.1). */
  prefixed(symbol: number): number {
    if (symbol < 4) return symbol + 1;
    const extra = (symbol - 2) >> 1;
    return ((2 + (symbol & 1)) << extra) + this.read(extra) + 1;
  }
}

/**
 * The code the lengths give, as libwebp builds it (huffman_utils.c BuildHuffmanTable): none is
 * refused; one symbol is read with no bit, whatever its length; more must fill the code space,
 * neither over-subscribed nor incomplete. NotAnImage otherwise.
 */
function code(lengths: Uint8Array): Code {
  const c = canonicalCode(lengths);
  if (c.fill === 'empty') throw new NotAnImage('a lossless WebP code without a symbol');
  if (c.symbols.length === 1) return { ...c, single: c.symbols[0] as number };
  if (c.fill !== 'complete') throw new NotAnImage(`a lossless WebP code ${c.fill}`);
  return { ...c, single: -1 };
}

/** One prefix code of `alphabet` symbols (RFC 9649 §3.7.2.1): a simple one (one or two symbols) or its code lengths, themselves coded. */
function readCode(br: Bits, alphabet: number): Code {
  const lengths = new Uint8Array(alphabet);
  if (br.read(1)) {
    const two = br.read(1);
    const first = br.read(br.read(1) ? 8 : 1);
    if (first < alphabet) lengths[first] = 1;
    if (two) {
      const second = br.read(8);
      if (second < alphabet) lengths[second] = 1;
    }
    return code(lengths);
  }
  const cl = new Uint8Array(19);
  const n = br.read(4) + 4;
  for (let i = 0; i < n; i++) cl[CODE_LENGTH_ORDER[i] as number] = br.read(3);
  const clc = code(cl);
  let max = alphabet;
  if (br.read(1)) {
    max = 2 + br.read(2 + 2 * br.read(3));
    if (max > alphabet) throw new NotAnImage('a lossless WebP code longer than its alphabet');
  }
  let prev = 8;
  for (let s = 0; s < alphabet;) {
    if (max-- === 0) break;
    const c = br.decode(clc);
    if (c < 16) {
      lengths[s++] = c;
      if (c) prev = c;
      continue;
    }
    const repeat = br.read([2, 3, 7][c - 16] as number) + ([3, 3, 11][c - 16] as number);
    if (s + repeat > alphabet) throw new NotAnImage('a lossless WebP code longer than its alphabet');
    lengths.fill(c === 16 ? prev : 0, s, s + repeat);
    s += repeat;
  }
  return code(lengths);
}

function readGroup(br: Bits, cacheBits: number): Group {
  return [readCode(br, 256 + 24 + (cacheBits ? 1 << cacheBits : 0)), readCode(br, 256), readCode(br, 256), readCode(br, 256), readCode(br, 40)];
}

/**
 * An image stream (RFC 9649 §5: libwebp's DecodeImageStream) of `xsize` × `ysize` pixels: at
 * level 0 its transforms (each reading its own sub-image) and the entropy image choosing a prefix
 * group per tile; then its colour cache, its groups and its pixels. The pixels' values (ARGB) when
 * `values` is set (the entropy image, whose values the codes depend on), else only counted.
 */
function imageStream(br: Bits, xsize: number, ysize: number, level0: boolean, values: boolean): Uint32Array | null {
  if (level0) {
    const seen = new Set<number>();
    while (br.read(1)) {
      const type = br.read(2);
      if (seen.has(type)) throw new NotAnImage('a lossless WebP transform twice');
      seen.add(type);
      if (type === 0 || type === 1) {
        const bits = br.read(3) + 2;
        imageStream(br, sub(xsize, bits), sub(ysize, bits), false, false);
      } else if (type === 3) {
        const colours = br.read(8) + 1;
        imageStream(br, colours, 1, false, false);
        xsize = sub(xsize, colours > 16 ? 0 : colours > 4 ? 1 : colours > 2 ? 2 : 3);
      }
    }
  }
  let cacheBits = 0;
  if (br.read(1)) {
    cacheBits = br.read(4);
    if (cacheBits < 1 || cacheBits > 11) throw new NotAnImage('a lossless WebP colour cache of a size not drawn');
  }
  // The entropy image: a group number per tile of 2^metaBits pixels a side (its red and green).
  let metaBits = 0;
  let tiles: Uint32Array | null = null;
  let tilesX = 0;
  let groupCount = 1;
  if (level0 && br.read(1)) {
    metaBits = br.read(3) + 2;
    tilesX = sub(xsize, metaBits);
    tiles = imageStream(br, tilesX, sub(ysize, metaBits), false, true) as Uint32Array;
    for (let i = 0; i < tiles.length; i++) {
      const g = ((tiles[i] as number) >> 8) & 0xffff;
      tiles[i] = g;
      if (g >= groupCount) groupCount = g + 1;
    }
  }
  // Every group's codes are read; only those a tile names are kept (libwebp's mapping).
  const named = new Uint8Array(groupCount);
  if (tiles) for (const g of tiles) named[g] = 1;
  else named[0] = 1;
  const groups: (Group | undefined)[] = [];
  for (let g = 0; g < groupCount; g++) {
    const group = readGroup(br, cacheBits);
    groups.push(named[g] ? group : undefined);
  }
  const total = xsize * ysize;
  if (values) br.spend(total);
  const data = values ? new Uint32Array(total) : null;
  const trivial = (g: Group | undefined) => !g || (g[0].single >= 0 && g[0].single < 256 && g[1].single >= 0 && g[2].single >= 0 && g[3].single >= 0);
  // Every pixel reads no bit (and its value is not wanted): the picture is read.
  if (!values && groups.every(trivial)) return null;
  const cache = values && cacheBits ? new Uint32Array(1 << cacheBits) : null;
  let cached = 0;
  const plain = groups.map(trivial);
  const groupAt = (x: number, y: number) => (tiles ? (tiles[(y >> metaBits) * tilesX + (x >> metaBits)] as number) : 0);
  for (let pos = 0, x = 0, y = 0; pos < total;) {
    const at = groupAt(x, y);
    const g = groups[at] as Group;
    const green = g[0];
    let n = 1;
    if (plain[at]) {
      // Every pixel of this group reads no bit: the rest of its tile's row (or of the image) at once.
      n = tiles ? Math.min(xsize - x, (((x >> metaBits) + 1) << metaBits) - x) : total - pos;
      br.spend(1);
      if (data) data.fill(((g[3].single << 24) | (g[1].single << 16) | (green.single << 8) | g[2].single) >>> 0, pos, pos + n);
    } else {
      const c = br.decode(green);
      if (c < 256) {
        const r = br.decode(g[1]);
        const b = br.decode(g[2]);
        const a = br.decode(g[3]);
        if (data) data[pos] = ((a << 24) | (r << 16) | (c << 8) | b) >>> 0;
      } else if (c < 256 + 24) {
        n = br.prefixed(c - 256);
        const d = br.prefixed(br.decode(g[4]));
        const plane = d > 120 ? d - 120 : ((CODE_TO_PLANE[d - 1] as number) >> 4) * xsize + 8 - ((CODE_TO_PLANE[d - 1] as number) & 0xf);
        const back = Math.max(1, plane);
        if (pos < back || total - pos < n) throw new NotAnImage('a lossless WebP copy from before its start or past its end');
        if (data) for (let k = 0; k < n; k++) data[pos + k] = data[pos + k - back] as number;
      } else if (data && cache) {
        while (cached < pos) {
          const v = data[cached++] as number;
          cache[Math.imul(v, 0x1e35a7bd) >>> (32 - cacheBits)] = v;
        }
        data[pos] = cache[c - 280] as number;
      }
    }
    pos += n;
    x += n;
    if (x >= xsize) {
      y += Math.floor(x / xsize);
      x %= xsize;
    }
  }
  return data;
}

/**
 * The bytes of a VP8L chunk's data (RFC 9649 §3: the signature 0x2F, 14-bit width and height less
 * one, alpha and version bits, then the image stream) its decoder reads, up to the byte holding its
 * last bit. NotAnImage when it does not read as one (a bad signature or version, a damaged code, a
 * copy from outside the image, the bits running out before its last pixel).
 */
export function vp8lLength(d: Uint8Array): number {
  const br = new Bits(d);
  if (br.read(8) !== 0x2f) throw new NotAnImage('a lossless WebP without its signature');
  const width = br.read(14) + 1;
  const height = br.read(14) + 1;
  br.read(1);
  if (br.read(3) !== 0) throw new NotAnImage('a lossless WebP of an unknown version');
  imageStream(br, width, height, true, false);
  return Math.ceil(br.pos / 8);
}

/**
 * The bytes of an ALPH chunk's data (WebP container specification: a header byte, then the alpha
 * of `width` × `height` pixels, raw when its compression is 0, a VP8L image stream without its
 * header when 1) that its decoder reads. NotAnImage for another compression, or data that does not
 * read or runs short.
 */
export function alphaLength(d: Uint8Array, width: number, height: number): number {
  if (d.length < 1) throw new NotAnImage('a WebP alpha chunk without its header');
  const compression = (d[0] as number) & 3;
  if (compression === 0) {
    if (d.length < 1 + width * height) throw new NotAnImage('a WebP alpha chunk shorter than its pixels');
    return 1 + width * height;
  }
  if (compression !== 1) throw new NotAnImage('a WebP alpha chunk of an unknown compression');
  const br = new Bits(d.subarray(1));
  imageStream(br, width, height, true, false);
  return 1 + Math.ceil(br.pos / 8);
}
