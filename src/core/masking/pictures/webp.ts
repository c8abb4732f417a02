// Owns WebP: the RIFF chunks kept (bitstreams, VP8X, alpha, animation, ICC), written anew, and a
// lossless bitstream or alpha plane cut at its last pixel.
import { alphaLength, vp8lLength } from '../vp8l-end.js';
import { concat } from '../concat-bytes.js';
import { ascii, le24, le32, NotAnImage } from './bytes.js';
import { iccWithoutText } from './icc.js';

/** WebP chunks kept (WebP container specification): the bitstreams, the extended header, alpha, animation, its frames, the ICC profile. */
const WEBP_KEEP = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);
/** Chunks kept inside an animation frame (ANMF's Frame Data): alpha and the bitstream. */
const WEBP_FRAME_KEEP = new Set(['ALPH', 'VP8 ', 'VP8L']);

/** A RIFF chunk's header: `fourcc` and `size` (little-endian). */
function riffHead(fourcc: string, size: number): Uint8Array {
  return Uint8Array.from([...fourcc].map((c) => c.charCodeAt(0)).concat([size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24]));
}

/** A RIFF chunk of `fourcc` holding `data`, padded to an even length with a zero byte. */
function riff(fourcc: string, data: Uint8Array): Uint8Array {
  return concat([riffHead(fourcc, data.length), data, new Uint8Array(data.length & 1)]);
}

/**
 * WebP: its chunks walked from the RIFF header, and only WEBP_KEEP kept, each written anew (its
 * size, its data, a zero pad byte); EXIF, XMP and any other chunk removed, and with them the VP8X
 * flags saying they are there (EXIF 0x08, XMP 0x04) and its reserved bits and bytes; an animation
 * frame keeps only its header and WEBP_FRAME_KEEP. What follows the RIFF size goes, and what
 * follows a VP8L bitstream's or an ALPH plane's last pixel inside its chunk (vp8l-end.ts; an ALPH's
 * reserved bits zeroed); a lossy VP8 frame is kept to its chunk's end (its last partition ends
 * where decoding it ends). NotAnImage when a chunk runs past the RIFF's end, none holds a picture,
 * or a VP8L or ALPH chunk does not read.
 */
export function stripWebp(b: Uint8Array): Uint8Array {
  const riffEnd = 8 + le32(b, 4);
  if (riffEnd > b.length) throw new NotAnImage('the WebP runs past the end');
  let pictures = 0;
  let header = -1;
  let dropIcc = false;
  // The canvas's width and height (VP8X), the ones an animation frame's alpha is read at (ANMF).
  let canvas: [number, number] | null = null;
  const walk = (start: number, end: number, keep: ReadonlySet<string>, frame: [number, number] | null): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let pos = start; pos < end;) {
      const size = pos + 8 <= end ? le32(b, pos + 4) : -1;
      if (size < 0 || pos + 8 + size > end) throw new NotAnImage('a WebP chunk runs past the end');
      const type = ascii(b, pos, 4);
      const data = b.subarray(pos + 8, pos + 8 + size);
      if (type === 'VP8X' && keep === WEBP_KEEP) {
        if (size < 10) throw new NotAnImage('a WebP header too short');
        const x = Uint8Array.from(data.subarray(0, 10));
        x[0] = (x[0] as number) & 0x32; // ICC 0x20, alpha 0x10, animation 0x02; EXIF, XMP and reserved bits cleared
        x.fill(0, 1, 4);
        header = out.length;
        canvas = [le24(x, 4) + 1, le24(x, 7) + 1];
        out.push(riff(type, x));
      } else if (type === 'ANMF' && keep === WEBP_KEEP) {
        // Frames at the top only: a frame inside a frame is not drawn (and was a recursion as deep as the file).
        if (size < 16) throw new NotAnImage('a WebP frame too short');
        out.push(riff(type, concat([data.subarray(0, 16), ...walk(pos + 24, pos + 8 + size, WEBP_FRAME_KEEP, [le24(data, 6) + 1, le24(data, 9) + 1])])));
      } else if (type === 'ANIM' && keep === WEBP_KEEP) {
        // Its background colour and loop count, 6 bytes: more were kept as they were (round-18 attack).
        if (size < 6) throw new NotAnImage('a WebP animation header too short');
        out.push(riff(type, data.subarray(0, 6)));
      } else if (type === 'ICCP' && keep === WEBP_KEEP) {
        // The colour profile without its text (iccWithoutText); one that is no profile goes.
        const icc = iccWithoutText(data);
        if (icc) out.push(riff(type, icc));
        else dropIcc = true;
      } else if (type === 'VP8L') {
        // The lossless bitstream up to its last pixel; what its chunk holds past that is read by no
        // decoder (round-19 attack: a chunk larger than its frame carried an address raw).
        out.push(riff(type, data.subarray(0, vp8lLength(data))));
      } else if (type === 'ALPH' && keep.has(type)) {
        // The alpha plane up to its last pixel (raw, or a VP8L stream), its header's reserved bits zero.
        const dims = frame ?? canvas;
        if (!dims) throw new NotAnImage('a WebP alpha chunk without the extended header giving its size');
        const alpha = Uint8Array.from(data.subarray(0, alphaLength(data, dims[0], dims[1])));
        alpha[0] = (alpha[0] as number) & 0x3f;
        out.push(riff(type, alpha));
      } else if (keep.has(type)) out.push(riff(type, data));
      if (type === 'VP8 ' || type === 'VP8L') pictures++;
      pos += 8 + size + (size & 1);
    }
    return out;
  };
  const chunks = walk(12, riffEnd, WEBP_KEEP, null);
  if (dropIcc && header >= 0) {
    const x = Uint8Array.from(chunks[header] as Uint8Array);
    x[8] = (x[8] as number) & ~0x20;
    chunks[header] = x;
  }
  if (pictures === 0) throw new NotAnImage('a WebP without a picture');
  const body = concat([b.subarray(8, 12), ...chunks]);
  return concat([riffHead('RIFF', body.length), body]);
}
