// Owns GIF: the extensions kept (graphic control, animation looping), each cut to its first sub-block.
import { concat } from '../concat-bytes.js';
import { NotAnImage } from './bytes.js';

/**
 * GIF (GIF89a): comment, plain text (label 0x01: text few viewers draw, kept as written) and
 * application extensions other than animation looping removed; a kept one (graphic control,
 * NETSCAPE2.0, ANIMEXTS1.0) keeps only its own first sub-block, since a decoder skips any more and
 * they carried text as they liked (the round-15 attack).
 */
export function stripGif(b: Uint8Array): Uint8Array {
  const out: Uint8Array[] = [];
  const flags = b[10] as number;
  let pos = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  out.push(b.subarray(0, pos));
  const subBlocks = (p: number) => {
    while (p < b.length && b[p] !== 0) p += (b[p] as number) + 1;
    if (p >= b.length) throw new NotAnImage('GIF data runs past the end');
    return p + 1;
  };
  for (;;) {
    const kind = b[pos];
    if (kind === 0x3b) {
      out.push(b.subarray(pos, pos + 1));
      break;
    }
    if (kind === 0x21) {
      const label = b[pos + 1];
      const end = subBlocks(pos + 2);
      const app = label === 0xff ? String.fromCharCode(...b.subarray(pos + 3, pos + 14)) : '';
      const keep = label === 0xf9 || app === 'NETSCAPE2.0' || app === 'ANIMEXTS1.0';
      // Its header and first block (the application's identifier), then its data's first block.
      if (keep) {
        const first = pos + 2 + (b[pos + 2] as number) + 1;
        const own = label === 0xf9 || b[first] === 0 ? first : first + (b[first] as number) + 1;
        if (own >= end) throw new NotAnImage('GIF data runs past the end');
        out.push(b.subarray(pos, own), Uint8Array.of(0));
      }
      pos = end;
    } else if (kind === 0x2c) {
      const f = b[pos + 9] as number;
      const start = pos;
      pos += 10 + (f & 0x80 ? 3 * 2 ** ((f & 7) + 1) : 0) + 1; // descriptor, local colours, LZW size
      pos = subBlocks(pos);
      out.push(b.subarray(start, pos));
    } else throw new NotAnImage('unknown GIF block');
  }
  return concat(out);
}
