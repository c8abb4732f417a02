import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { NotAnImage, stripImageMetadata } from './image-metadata.js';
import { stripDataLength } from './strip-ends.js';
import { DEFLATE_CASES } from '../../../test/fixtures/deflate-streams.js';
import { pictureFile, TIFF_PAGE, tiffFile, tiffLastStrip, tiffLastStripOf } from '../../../test/fixtures/pictures.js';

const ADDRESS = 'anna.private@othermail.example';
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const has = (b: Uint8Array) => latin1(b).includes(ADDRESS) || latin1(b).includes(ADDRESS.slice(0, 12));

/** A 1×1 8-bit grey page (one byte drawn) compressed as `compression`, its strip `strip`. */
const onePixel = (compression: number, strip: Buffer) =>
  tiffLastStrip(tiffFile([TIFF_PAGE.map((e) => (e.tag === 259 ? { tag: 259, type: 3, values: [compression] } : e))]), Buffer.alloc(0), strip);

describe('round-19 attack: bytes after a compressed TIFF strip’s real end', () => {
  const files = ['rgb-lzw.tif', 'rgb-lzw-predictor.tif', 'rgb-deflate.tif', 'rgb-packbits.tif'];

  it('keeps real LZW, Deflate and PackBits TIFFs (libtiff’s) byte for byte', () => {
    for (const f of files) expect(Buffer.from(stripImageMetadata(new Uint8Array(pictureFile(f))).bytes).equals(pictureFile(f)), f).toBe(true);
  });

  it('cuts what a strip’s byte count says past its end code (LZW EOI, Deflate’s Adler-32, PackBits’ last run) and writes the count it keeps', () => {
    for (const f of files) {
      const real = tiffLastStripOf(pictureFile(f))[1];
      const r = stripImageMetadata(new Uint8Array(tiffLastStrip(pictureFile(f), Buffer.from(`sent by ${ADDRESS}`))));
      expect(has(r.bytes), f).toBe(false);
      expect(tiffLastStripOf(r.bytes)[1].equals(real), f).toBe(true);
    }
  });

  it('cuts a stream whose codes go on past the bytes the strip draws: Deflate stored text, a PackBits literal run, LZW codes', () => {
    const deflate = Buffer.from(zlibSync(Buffer.from(`\x80${ADDRESS}`, 'latin1'), { level: 0 }));
    const packBits = Buffer.concat([Buffer.from([0, 0x80, ADDRESS.length - 1]), Buffer.from(ADDRESS)]);
    // Clear (256), 0x80 (9 bits each), then the address as if it were more codes.
    const lzw = Buffer.concat([Buffer.from([0x80, 0x20, 0x00]), Buffer.from(ADDRESS)]);
    const cases: [number, Buffer, number][] = [
      [8, deflate, 2 + 5 + 1],
      [32773, packBits, 2],
      [5, lzw, 3],
    ];
    for (const [compression, strip, kept] of cases) {
      const r = stripImageMetadata(new Uint8Array(onePixel(compression, strip)));
      expect(has(r.bytes), String(compression)).toBe(false);
      expect(tiffLastStripOf(r.bytes)[1].equals(strip.subarray(0, kept)), String(compression)).toBe(true);
    }
  });

  it('refuses a strip said to be Deflate or LZW whose bytes are no such stream (text with no zlib header, a code the table lacks)', () => {
    expect(() => stripImageMetadata(new Uint8Array(onePixel(8, Buffer.from(ADDRESS))))).toThrow(NotAnImage);
    // Clear, then code 300 (the table holds 258 codes).
    expect(() => stripImageMetadata(new Uint8Array(onePixel(5, Buffer.from([0x80, 0x4b, 0x00, 0x00]))))).toThrow(NotAnImage);
  });

  it('walks a long hostile strip in linear time (a 24 MB run of Deflate stored blocks that never ends)', () => {
    const big = Buffer.concat([Buffer.from([0x78, 0x01]), Buffer.alloc(24 << 20)]);
    // All zero bytes: stored blocks of length 0 with a wrong complement, refused at once; then valid empty blocks.
    expect(() => stripImageMetadata(new Uint8Array(onePixel(8, big)))).toThrow(NotAnImage);
    const empty = Buffer.alloc(24 << 20);
    for (let at = 0; at + 5 <= empty.length; at += 5) empty.set([0, 0, 0, 0xff, 0xff], at);
    const r = stripImageMetadata(new Uint8Array(onePixel(8, Buffer.concat([Buffer.from([0x78, 0x01]), empty]))));
    // No end code and never the byte it draws: every byte was read as the stream, so kept.
    expect(tiffLastStripOf(r.bytes)[1].length).toBe(2 + empty.length);
  });
});

describe('round-20 review: bits a Deflate decoder skips carry nothing', () => {
  it('zeroes the bits after a Deflate stream’s final block in its last byte, and those before a stored block’s length, which zlib skips', () => {
    const clean = Buffer.from(zlibSync(Buffer.from([0x80])));
    // A fixed block: 3 + 8 + 7 bits, so the top 6 bits of the stream's 5th byte are never read.
    const dirty = Buffer.from(clean);
    dirty[4]! |= 0xfc;
    expect(unzlibSync(dirty)).toEqual(new Uint8Array([0x80]));
    const r = stripImageMetadata(new Uint8Array(onePixel(8, dirty)));
    expect(tiffLastStripOf(r.bytes)[1].equals(clean)).toBe(true);
    // A stored block: its 3 header bits, then 5 skipped to the byte's end before its length.
    const stored = Buffer.from(zlibSync(Buffer.from([0x80]), { level: 0 }));
    expect(stored[2]).toBe(1);
    const marked = Buffer.from(stored);
    marked[2]! |= 0xf8;
    expect(unzlibSync(marked)).toEqual(new Uint8Array([0x80]));
    const s = stripImageMetadata(new Uint8Array(onePixel(8, marked)));
    expect(tiffLastStripOf(s.bytes)[1].equals(stored)).toBe(true);
  });
});

describe('round-20 review: bits an LZW decoder does not read carry nothing', () => {
  it('zeroes the bits after an LZW strip’s last code read in its last byte', () => {
    // Clear (256) and 0x80, 9 bits each: 18 bits, so the low 6 bits of the third byte are not read.
    const strip = Buffer.concat([Buffer.from([0x80, 0x20, 0x3f]), Buffer.from(ADDRESS)]);
    const r = stripImageMetadata(new Uint8Array(onePixel(5, strip)));
    expect(tiffLastStripOf(r.bytes)[1]).toEqual(Buffer.from([0x80, 0x20, 0x00]));
  });
});

describe('round-20 review: the Deflate walker refuses exactly what zlib refuses', () => {
  // Each stream's zlib verdict is checked against Node's zlib in test/integration/deflate-zlib-oracle.test.ts.
  it('refuses a stream zlib refuses (a distance before the output’s start, over-subscribed or incomplete code lengths, too many codes, no end-of-block, a window over 32 KiB), keeps one it inflates', () => {
    for (const { name, stream, inflates } of DEFLATE_CASES) {
      const walk = () => stripDataLength(8, stream, 0, stream.length, 1000).length;
      if (inflates === null) expect(walk, name).toThrow(NotAnImage);
      else expect(walk(), name).toBe(stream.length);
    }
  });
});

describe('round-20 attack: a PackBits literal run longer than the bytes the strip draws', () => {
  it('zeroes the literal bytes past the last one drawn (libtiff discards them): one pixel, a run of 31 bytes, 30 of them an address', () => {
    const strip = Buffer.concat([Buffer.from([ADDRESS.length, 0x80]), Buffer.from(ADDRESS)]);
    const r = stripImageMetadata(new Uint8Array(onePixel(32773, strip)));
    expect(has(r.bytes)).toBe(false);
    // The run's header and its one drawn byte kept; the rest of the run zero, so the run still reads whole.
    expect(tiffLastStripOf(r.bytes)[1].equals(Buffer.concat([Buffer.from([ADDRESS.length, 0x80]), Buffer.alloc(ADDRESS.length)]))).toBe(true);
  });
});
