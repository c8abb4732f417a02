// Owns canonical Huffman codes (RFC 1951 §3.2.2, reused by lossless WebP: RFC 9649 §3.7.2): from
// code lengths, the codes puff.c decodes by, how full they fill the code space, and decoding one
// symbol. Each format's decoder has its own rule for a code that does not fill it (zlib's
// inftrees.c, libwebp's huffman_utils.c BuildHuffmanTable): its caller applies it, from `fill`.

/** The longest code RFC 1951 and RFC 9649 allow, in bits. */
const MAX_BITS = 15;

/**
 * How code lengths fill the code space (RFC 1951 §3.2.2's "bl_count"): more codes than fit
 * ('over-subscribed': no decoder builds it), fewer ('incomplete': some bit patterns are no code),
 * exactly ('complete'), or no symbol has a code at all ('empty').
 */
export type CodeFill = 'empty' | 'incomplete' | 'complete' | 'over-subscribed';

/** A canonical Huffman code, as puff.c decodes it. */
export interface CanonicalCode {
  /** How many codes there are of each length 1…15 (index 0 unused). */
  readonly counts: Uint16Array;
  /** The symbols that have a code, in code order (by length, then symbol). */
  readonly symbols: Uint16Array;
  /** The longest code's length in bits; 0 when no symbol has one. */
  readonly longest: number;
  readonly fill: CodeFill;
  /** By the next 8 bits: symbol × 16 + length for a code of 8 bits or fewer, else −1; built on first use. */
  fast?: Int32Array;
}

/**
 * The canonical code for `lengths` (symbol s has a code of lengths[s] bits, 0 for none, each at
 * most 15), codes assigned in order of length then symbol (RFC 1951 §3.2.2). Always built, whatever
 * its fill: whether an over-subscribed or incomplete one is refused is the caller's decoder's rule.
 */
export function canonicalCode(lengths: ArrayLike<number>): CanonicalCode {
  const counts = new Uint16Array(MAX_BITS + 1);
  let used = 0;
  let longest = 0;
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s] as number;
    if (!len) continue;
    counts[len]!++;
    used++;
    if (len > longest) longest = len;
  }
  // Code space left after each length (zlib's inftrees.c "left"): below 0 once over-subscribed.
  let left = 1;
  for (let len = 1; len <= MAX_BITS && left >= 0; len++) left = left * 2 - (counts[len] as number);
  const fill: CodeFill = used === 0 ? 'empty' : left < 0 ? 'over-subscribed' : left > 0 ? 'incomplete' : 'complete';
  const offs = new Uint32Array(MAX_BITS + 1);
  for (let len = 1; len < MAX_BITS; len++) offs[len + 1] = (offs[len] as number) + (counts[len] as number);
  const symbols = new Uint16Array(used);
  for (let s = 0; s < lengths.length; s++) if (lengths[s]) symbols[offs[lengths[s] as number]!++] = s;
  return { counts, symbols, longest, fill };
}

/** The 8-bit lookup (CanonicalCode.fast): each code of length L ≤ 8 is read first bit first, so its bits reversed index it. */
function fastTable(c: CanonicalCode): Int32Array {
  const t = new Int32Array(256).fill(-1);
  let code = 0;
  let index = 0;
  for (let len = 1; len <= 8; len++) {
    for (let k = 0; k < (c.counts[len] as number); k++, code++, index++) {
      if (code >= 1 << len) return t; // over-subscribed: no more codes fit
      let r = 0;
      for (let b = 0; b < len; b++) r |= ((code >> b) & 1) << (len - 1 - b);
      for (let e = r; e < 256; e += 1 << len) t[e] = ((c.symbols[index] as number) << 4) | len;
    }
    code <<= 1;
  }
  return t;
}

/**
 * The symbol whose code begins `next` (the next bits of the stream, the first in the lowest bit;
 * at least `longest` of them, zeros past the stream's end) as symbol × 16 + its length in bits; −1
 * when its first `longest` bits are no code (an incomplete or empty code's gap: zlib's "invalid
 * code"). Reads no bits itself: the caller takes the length it returns.
 */
export function decodeSymbol(c: CanonicalCode, next: number): number {
  const hit = (c.fast ??= fastTable(c))[next & 0xff] as number;
  if (hit >= 0) return hit;
  let code = 0;
  let first = 0;
  let index = 0;
  for (let len = 1; len <= c.longest; len++) {
    code |= (next >>> (len - 1)) & 1;
    const count = c.counts[len] as number;
    if (code - count < first) return ((c.symbols[index + (code - first)] as number) << 4) | len;
    index += count;
    first = (first + count) << 1;
    code <<= 1;
  }
  return -1;
}
