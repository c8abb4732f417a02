import { describe, expect, it } from 'vitest';
import { NotAnImage, stripImageMetadata } from './image-metadata.js';
import { vp8lLength } from './vp8l-end.js';
import { pictureFile, riffChunk, vp8x, webpChunksGrown, webpFile } from '../../../test/fixtures/pictures.js';

const ADDRESS = 'anna.private@othermail.example';
const FILES = ['lossless-alpha.webp', 'lossless-300x200.webp', 'lossy-alpha.webp', 'lossy-raw-alpha.webp', 'animated.webp'];

/** Bits written LSB first, as VP8L reads them. */
function bitWriter() {
  const bits: number[] = [];
  return {
    put(v: number, n: number) {
      for (let k = 0; k < n; k++) bits.push((v >> k) & 1);
    },
    bytes: () => Buffer.from(Array.from({ length: Math.ceil(bits.length / 8) }, (_, i) => bits.slice(8 * i, 8 * i + 8).reduce((a, b, k) => a | (b << k), 0))),
  };
}

describe('round-19 attack: bytes after a lossless WebP bitstream or an alpha plane inside its chunk', () => {
  it('keeps real WebPs (libwebp’s: lossless, lossy with compressed or raw alpha, animated) byte for byte', () => {
    for (const f of FILES) expect(Buffer.from(stripImageMetadata(new Uint8Array(pictureFile(f))).bytes).equals(pictureFile(f)), f).toBe(true);
  });

  it('cuts a VP8L or ALPH chunk after its last pixel: the file as libwebp wrote it, without the address', () => {
    for (const f of FILES) {
      const grown = webpChunksGrown(pictureFile(f), Buffer.from(`sent by ${ADDRESS}`));
      expect(grown.toString('latin1'), f).toContain(ADDRESS);
      expect(Buffer.from(stripImageMetadata(new Uint8Array(grown)).bytes).equals(pictureFile(f)), f).toBe(true);
    }
  });

  it('refuses a VP8L chunk that is no bitstream, a bitstream cut short, an alpha chunk of an unknown compression', () => {
    const text = riffChunk('VP8L', Buffer.from(`/${ADDRESS}`));
    expect(() => stripImageMetadata(new Uint8Array(webpFile([text])))).toThrow(NotAnImage);
    const real = pictureFile('lossless-300x200.webp');
    const cut = webpFile([riffChunk('VP8L', real.subarray(20, real.length - 100))]);
    expect(() => stripImageMetadata(new Uint8Array(cut))).toThrow(NotAnImage);
    const alpha = webpFile([vp8x(0x10), riffChunk('ALPH', Buffer.from([3, 0, 0])), riffChunk('VP8L', pictureFile('lossless-alpha.webp').subarray(20))]);
    expect(() => stripImageMetadata(new Uint8Array(alpha))).toThrow(NotAnImage);
  });

  it('reads a hostile 16383×16383 picture at once when its codes read no bit, and refuses one whose tiles would cost 64 MiB to hold', () => {
    /** Tiles of 2^`bits` pixels, the entropy image and the picture each one group of one-symbol codes. */
    const stream = (bits: number) => {
      const w = bitWriter();
      w.put(0x2f, 8);
      w.put(16382, 14);
      w.put(16382, 14);
      w.put(0, 4); // no alpha, version 0
      w.put(0, 1); // no transform
      w.put(0, 1); // no colour cache
      w.put(1, 1); // an entropy image
      w.put(bits - 2, 3);
      w.put(0, 1); // the entropy image: no colour cache
      for (let k = 0; k < 10; k++) w.put(0b0001, 4); // its 5 codes, then the picture's: simple, one symbol, of 1 bit, symbol 0
      return w.bytes();
    };
    const chunk = stream(9);
    expect(vp8lLength(new Uint8Array(Buffer.concat([chunk, Buffer.from(ADDRESS)])))).toBe(chunk.length);
    expect(() => vp8lLength(new Uint8Array(stream(2)))).toThrow(/past any honest file/);
  });
});
