// Owns BMP: the headers, masks, palette, pixels (an RLE stream to its end mark) and an embedded
// profile kept in place, a linked profile's file name dropped, every other byte blanked or cut.
import { iccWithoutText } from './icc.js';
import { KeptBytes, le32, NotAnImage } from './bytes.js';

/**
 * The length of a BMP's RLE8 or RLE4 pixel data at `at` (Windows BI_RLE8/BI_RLE4: count and value
 * pairs; escapes 0 0 end of line, 0 1 end of bitmap, 0 2 dx dy move, 0 n then n literal pixels
 * padded to a word), up to and with its end-of-bitmap mark, at most `max` bytes (the header's
 * biSizeImage). What follows the mark is not drawn. NotAnImage when there is no mark within `max`.
 */
function rleLength(b: Uint8Array, at: number, max: number, four: boolean): number {
  const end = Math.min(at + max, b.length);
  for (let p = at; p + 1 < end;) {
    const n = b[p] as number;
    const v = b[p + 1] as number;
    p += 2;
    if (n !== 0 || v === 0) continue;
    if (v === 1) return p - at;
    if (v === 2) p += 2;
    else {
      const bytes = four ? Math.ceil(v / 2) : v;
      p += bytes + (bytes & 1);
    }
  }
  throw new NotAnImage('BMP RLE pixels without their end');
}

const BMP_LINKED = 0x4c494e4b; // 'LINK': bV5CSType of a profile named by a file name
const BMP_EMBEDDED = 0x4d424544; // 'MBED': a profile inside the file
const BMP_SRGB = 0x73524742; // 'sRGB'

/**
 * BMP (Windows BITMAPCOREHEADER to BITMAPV5HEADER, OS/2 2.x): kept are the file header but its
 * reserved field and size (written anew), the DIB header, the colour masks, the palette, the pixels
 * and a V5 embedded colour profile (kept raw, so its bytes are searched with the picture's); every
 * other byte (between the palette and the pixels, after the pixels) is zero or cut (KeptBytes). A
 * V5 linked profile (a file name, often a user's folder) is dropped and the colour space said sRGB.
 * NotAnImage when a part runs past the end, and for a BMP holding a JPEG or PNG (compression 4/5:
 * printers' format, which viewers do not draw) or of a bit depth or compression not drawn.
 */
export function stripBmp(b: Uint8Array): Uint8Array {
  const u16 = (o: number) => (b[o] as number) | ((b[o + 1] as number) << 8);
  const i32 = (o: number) => le32(b, o) | 0;
  const dib = le32(b, 14);
  if (14 + dib > b.length) throw new NotAnImage('the BMP header runs past the end');
  const core = dib === 12;
  const width = core ? u16(18) : i32(18);
  const height = core ? u16(20) : i32(22);
  const bpp = core ? u16(24) : u16(28);
  const compression = core ? 0 : le32(b, 30);
  const colours = core ? 0 : le32(b, 46);
  if (width <= 0 || height === 0 || height === -0x80000000 || ![1, 2, 4, 8, 16, 24, 32].includes(bpp))
    throw new NotAnImage('a BMP of a size or depth not drawn');
  const bitfields = compression === 3 || compression === 6;
  if (compression === 4 || compression === 5) throw new NotAnImage('a BMP holding a JPEG or PNG picture, which viewers do not draw');
  if (compression > 6 || (dib === 64 && compression > 2)) throw new NotAnImage('a BMP of a compression not drawn');
  const k = new KeptBytes(b);
  k.keep(0, 2, 'the BMP header');
  k.keep(10, 4, 'the BMP header');
  k.keep(14, dib, 'the BMP header');
  let at = 14 + dib;
  // BITMAPINFOHEADER with bit fields: the colour masks follow it (V2 and later hold them inside).
  if (dib === 40 && bitfields) {
    k.keep(at, compression === 6 ? 16 : 12, 'the BMP colour masks');
    at += compression === 6 ? 16 : 12;
  }
  // The colours a pixel can name: 2^bits at most, none past 8 bits (a palette there is not drawn).
  const paletteCount = bpp <= 8 ? Math.min(colours || 2 ** bpp, 2 ** bpp) : 0;
  k.keep(at, paletteCount * (core ? 3 : 4), 'the BMP palette');
  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  const pixelAt = le32(b, 10);
  // Pixels after the headers, masks and palette: said to start at 0 they kept the whole file
  // (round-18 attack). RLE data up to its end-of-bitmap mark, not the size the header claims.
  if (pixelAt < at + paletteCount * (core ? 3 : 4)) throw new NotAnImage('BMP pixels overlap its headers');
  const pixelSize = compression === 1 || compression === 2 ? rleLength(b, pixelAt, le32(b, 34), compression === 2) : stride * Math.abs(height);
  if (pixelSize === 0) throw new NotAnImage('a BMP without its pixels');
  k.keep(pixelAt, pixelSize, 'the BMP pixels');
  if (dib >= 108) {
    // V4/V5: the colour masks when no bit fields use them (but 16/32 bits, whose alpha mask some
    // readers use), the endpoints and gammas when the colour space is not calibrated (0): numbers
    // no viewer reads, 64 bytes an address fits in (round-18 attack).
    if (!bitfields && bpp !== 16 && bpp !== 32) k.out.fill(0, 14 + 40, 14 + 56);
    if (le32(b, 14 + 56) !== 0) k.out.fill(0, 14 + 60, 14 + 108);
  }
  if (dib === 124) {
    let cs = le32(b, 14 + 56);
    if (cs === BMP_EMBEDDED) {
      // The profile without its text (iccWithoutText); one that is no profile goes, as a linked one.
      const at = 14 + le32(b, 14 + 112);
      const len = le32(b, 14 + 116);
      const icc = at + len <= b.length ? iccWithoutText(b.subarray(at, at + len)) : null;
      if (icc) {
        k.keep(at, len, 'the BMP colour profile');
        k.out.set(icc, at);
      } else cs = BMP_LINKED;
    }
    if (cs === BMP_LINKED) k.out.set([BMP_SRGB & 0xff, (BMP_SRGB >> 8) & 0xff, (BMP_SRGB >> 16) & 0xff, BMP_SRGB >>> 24], 14 + 56);
    // The profile's offset and size when none is embedded, and the reserved field.
    k.out.fill(0, cs === BMP_EMBEDDED ? 14 + 120 : 14 + 112, 14 + 124);
  }
  const out = k.bytes();
  out.set([out.length & 0xff, (out.length >> 8) & 0xff, (out.length >> 16) & 0xff, out.length >>> 24], 2);
  return out;
}
