import { zlibSync } from 'fflate';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { bitmapBlip, drawingGroup, drawingGroupRecords, fbse, pptRecord, workbookStream } from '../../../test/fixtures/legacy-office.js';
import { emf, extTextOut, officeArtBlip } from '../../../test/fixtures/metafile.js';
import { iccProfile, jpegCarrying, pngCarrying, pngChunk, pngWithProfile } from '../../../test/fixtures/pictures.js';
import { iccWithoutText, NotAnImage, stripImageMetadata, type CleanPicture } from './image-metadata.js';
import { blipPicturesInPlace, pictureInPlace, workbookPicturesInPlace } from './picture-same-length.js';
import { xlsDrawingParts } from './xls-text.js';

const OTHER = 'anna.private@othermail.example';
const holds = (b: Uint8Array, s = OTHER) => Buffer.from(b).toString('latin1').includes(s);
const pixels = (b: Uint8Array) => Buffer.from(jpeg.decode(b, { useTArray: true }).data);

/** The segment markers of a JPEG up to its scan. */
function jpegMarkers(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 2; b[at] === 0xff && b[at + 1] !== 0xda; at += 2 + ((b[at + 2]! << 8) | b[at + 3]!)) out.push(b[at + 1]!);
  return out;
}

/** The chunk types of a PNG, each with its CRC checked. */
function pngChunks(b: Uint8Array): string[] {
  const buf = Buffer.from(b);
  const out: string[] = [];
  for (let at = 8; at + 12 <= buf.length; at += 12 + buf.readUInt32BE(at)) {
    const type = buf.toString('latin1', at + 4, at + 8);
    const len = buf.readUInt32BE(at);
    expect(pngChunk(type, buf.subarray(at + 8, at + 8 + len)).equals(buf.subarray(at, at + 12 + len)), type).toBe(true);
    out.push(type);
  }
  return out;
}

/** A one-pixel GIF89a with a comment extension of `comment`, then `after` bytes past its trailer. */
function gif(comment: string, after = 0): Buffer {
  const head = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0]), Buffer.alloc(6)]);
  const frame = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0]);
  const c = Buffer.from(comment, 'latin1');
  const ext = comment ? Buffer.concat([Buffer.from([0x21, 0xfe, c.length]), c, Buffer.from([0])]) : Buffer.alloc(0);
  return Buffer.concat([head, ext, frame, Buffer.from([0x3b]), Buffer.alloc(after, 7)]);
}

describe('pictureInPlace', () => {
  it('cleans a JPEG at its own length: APP15 filler after its JFIF segment, the same pixels, and cleaning it again gives the same picture', () => {
    const jpg = jpegCarrying(`Photo by ${OTHER}`, OTHER);
    const r = pictureInPlace(jpg)!;
    expect(r.bytes.length).toBe(jpg.length);
    expect(holds(r.bytes)).toBe(false);
    expect(jpegMarkers(r.bytes).slice(0, 2)).toEqual([0xe0, 0xef]);
    expect(pixels(r.bytes)).toEqual(pixels(jpg));
    expect(Buffer.from(stripImageMetadata(r.bytes).bytes)).toEqual(Buffer.from(r.clean.bytes));
    expect(Buffer.from(pictureInPlace(r.bytes)!.bytes)).toEqual(Buffer.from(r.bytes));
  });

  it('fills more than one APPn segment can hold with several, each at most 65 535 long', () => {
    const jpg = jpegCarrying('x'.repeat(65_000), 'y'.repeat(65_000));
    const r = pictureInPlace(jpg)!;
    expect(r.bytes.length).toBe(jpg.length);
    expect(jpegMarkers(r.bytes).filter((m) => m === 0xef)).toHaveLength(2);
    expect(pixels(r.bytes)).toEqual(pixels(jpg));
  });

  it('puts zeros after the end marker when what is removed is shorter than any segment (bytes after a JPEG’s end)', () => {
    const plain = pictureInPlace(jpegCarrying('', ''))!.clean.bytes;
    for (const n of [1, 2, 3]) {
      const jpg = Buffer.concat([plain, Buffer.alloc(n, 0x41)]);
      const r = pictureInPlace(jpg)!;
      expect([...r.bytes.subarray(plain.length)]).toEqual(Array(n).fill(0));
    }
    const four = pictureInPlace(Buffer.concat([plain, Buffer.alloc(4, 0x41)]))!;
    expect(jpegMarkers(four.bytes)).toContain(0xef);
  });

  it('refuses a JPEG whose cleaned copy is longer (an orientation kept from an EXIF segment shorter than the one written back)', () => {
    const plain = pictureInPlace(jpegCarrying('', ''))!.clean.bytes;
    // EXIF with IFD0 holding Orientation = 6 and no next-IFD offset: 28 bytes of data.
    const tiff = Buffer.from([0x4d, 0x4d, 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]);
    const data = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    const exif = Buffer.concat([Buffer.from([0xff, 0xe1, 0, data.length + 2]), data]);
    const jpg = Buffer.concat([plain.subarray(0, 2), exif, plain.subarray(2)]);
    expect(() => pictureInPlace(jpg)).toThrow(NotAnImage);
  });

  it('cleans a PNG at its own length with a private chunk of zeros before IEND (CRC correct), or zeros after IEND when fewer than 12 bytes go', () => {
    const png = pngCarrying(OTHER);
    const r = pictureInPlace(png)!;
    expect(r.bytes.length).toBe(png.length);
    expect(holds(r.bytes)).toBe(false);
    expect(pngChunks(r.bytes)).toEqual(['IHDR', 'IDAT', 'paDd', 'IEND']);
    expect(Buffer.from(stripImageMetadata(r.bytes).bytes)).toEqual(Buffer.from(r.clean.bytes));
    const plain = Buffer.from(r.clean.bytes);
    for (let n = 1; n < 30; n++) {
      const out = pictureInPlace(Buffer.concat([plain, Buffer.alloc(n, 0x41)]))!.bytes;
      expect(out.length).toBe(plain.length + n);
      if (n < 12) expect([...out.subarray(plain.length)]).toEqual(Array(n).fill(0));
      else expect(pngChunks(out)).toEqual(['IHDR', 'IDAT', 'paDd', 'IEND']);
    }
  });

  it('keeps what a PNG hides compressed (an ICC profile, without its text) in its result, for the search for the writer', () => {
    const r = pictureInPlace(pngWithProfile('sRGB', 'Copyright anna.weber@buyer.example'))!;
    expect(r.clean.hidden.map((h) => [holds(h, 'acsp'), holds(h, 'anna.weber@buyer.example')])).toEqual([[true, false]]);
  });

  it('keeps a PNG’s ICC profile deflated again where it fits, drops it where it comes out longer (round-18)', () => {
    // A long name: the profile renamed `ICC profile` and without its text fits, padded.
    const fits = pngWithProfile(`Display of ${OTHER}`, `Profile of ${OTHER}`);
    const r = pictureInPlace(fits)!;
    expect(r.bytes.length).toBe(fits.length);
    expect(pngChunks(r.bytes)).toEqual(['IHDR', 'iCCP', 'IDAT', 'paDd', 'IEND']);
    expect(holds(r.bytes)).toBe(false);
    // A one-letter name and nothing else removed: kept, it would be longer than its place, so it goes.
    const plain = pngWithProfile('a', 'P3');
    const at = plain.indexOf('iCCP') - 4;
    const clean = iccWithoutText(iccProfile('P3'))!;
    const iccp = pngChunk('iCCP', Buffer.concat([Buffer.from('a\0\0'), zlibSync(clean, { level: 9 })]));
    const tight = Buffer.concat([plain.subarray(0, at), iccp, plain.subarray(at + 12 + plain.readUInt32BE(at))]);
    expect(stripImageMetadata(tight).bytes.length).toBeGreaterThan(tight.length);
    const t = pictureInPlace(tight)!;
    expect(t.bytes.length).toBe(tight.length);
    expect(pngChunks(t.bytes)).toEqual(['IHDR', 'IDAT', 'paDd', 'IEND']);
    expect(t.clean.hidden).toEqual([]);
  });

  it('cleans a GIF at its own length with a comment of zero sub-blocks before its trailer, whatever is removed', () => {
    const plain = Buffer.from(stripImageMetadata(gif('')).bytes);
    const removed = [1, 2, 3, 4, 5, 6, 200, 255, 256, 257, 258, 259, 260, 515, 516, 517, 1000];
    for (const n of removed) {
      // A comment of k bytes is k + 4 removed; bytes after the trailer, as many as they are.
      const g = n >= 5 && n <= 259 ? gif(OTHER.repeat(10).slice(0, n - 4)) : gif('', n);
      const out = pictureInPlace(g)!.bytes;
      expect([n, out.length]).toEqual([n, g.length]);
      expect(holds(out)).toBe(false);
      expect(Buffer.from(stripImageMetadata(out).bytes)).toEqual(plain);
      if ([1, 2, 4].includes(n)) expect([...out.subarray(plain.length)]).toEqual(Array(n).fill(0));
      else expect([out[plain.length - 1], out[plain.length], out.at(-1)]).toEqual([0x21, 0xfe, 0x3b]);
    }
  });

  it('leaves a format the cleaner does not read as it is (null), and refuses one that does not walk', () => {
    expect(pictureInPlace(Buffer.from('BM not read here'))).toBeNull();
    expect(() => pictureInPlace(Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0xff, 0xff, 0]))).toThrow(NotAnImage);
  });
});

describe('blipPicturesInPlace', () => {
  it('cleans the JPEG and PNG of each bitmap blip in a stream (one UID or two), at the same offsets, on a copy', () => {
    const jpg = jpegCarrying(OTHER, OTHER);
    const png = pngCarrying(OTHER);
    // recInstance 0x46B: a second UID before the tag.
    const twoUids = pptRecord(0xf01d, Buffer.concat([Buffer.alloc(16, 1), bitmapBlip(jpg).subarray(8)]), 0x46b << 4);
    const metafile = officeArtBlip(emf([extTextOut('Acme')]), true);
    const stream = Buffer.concat([Buffer.alloc(100, 3), bitmapBlip(jpg), metafile, twoUids, bitmapBlip(png), Buffer.alloc(7)]);
    const before = Buffer.from(stream);
    const pictures: CleanPicture[] = [];
    const out = blipPicturesInPlace(stream, pictures)!;
    expect(Buffer.from(stream)).toEqual(before);
    expect(out.length).toBe(stream.length);
    expect(holds(out)).toBe(false);
    expect(pictures.map((p) => p.contentType)).toEqual(['image/jpeg', 'image/jpeg', 'image/png']);
    // Everything but the pictures as it was: the metafile blip, the record headers, the bytes around.
    const at = stream.indexOf(metafile);
    expect(Buffer.from(out.subarray(at, at + metafile.length))).toEqual(metafile);
    for (const p of [jpg, png]) {
      const from = stream.indexOf(p);
      expect(Buffer.from(out.subarray(from - 25, from))).toEqual(stream.subarray(from - 25, from));
    }
    expect(pixels(out.subarray(stream.indexOf(jpg), stream.indexOf(jpg) + jpg.length))).toEqual(pixels(jpg));
  });

  it('returns null and pushes the picture when nothing changes (a picture without metadata), and ignores a blip past the stream’s end', () => {
    const plain = Buffer.from(pictureInPlace(jpegCarrying('', ''))!.clean.bytes);
    const pictures: CleanPicture[] = [];
    expect(blipPicturesInPlace(bitmapBlip(plain), pictures)).toBeNull();
    expect(pictures).toHaveLength(1);
    const cut = bitmapBlip(jpegCarrying(OTHER, OTHER));
    expect(blipPicturesInPlace(cut.subarray(0, cut.length - 1), [])).toBeNull();
  });

  it('cleans a picture hidden inside a kept part of another (a JFIF thumbnail), which an FBSE may point at, and refuses pictures nested past any honest file', () => {
    const plain = Buffer.from(pictureInPlace(jpegCarrying('', ''))!.clean.bytes);
    const app0End = 4 + plain.readUInt16BE(4);
    // A JFIF segment whose thumbnail area holds `inner`: kept byte for byte by the cleaner.
    const around = (inner: Buffer) => {
      const jfif = Buffer.concat([plain.subarray(6, app0End), inner]);
      return Buffer.concat([plain.subarray(0, 2), Buffer.from([0xff, 0xe0, (jfif.length + 2) >> 8, (jfif.length + 2) & 0xff]), jfif, plain.subarray(app0End)]);
    };
    const outer = bitmapBlip(around(bitmapBlip(jpegCarrying(OTHER, OTHER))));
    const pictures: CleanPicture[] = [];
    const out = blipPicturesInPlace(outer, pictures)!;
    expect([out.length, holds(out), pictures.length]).toEqual([outer.length, false, 2]);
    let nested = bitmapBlip(jpegCarrying(OTHER, OTHER));
    for (let k = 0; k < 6; k++) nested = bitmapBlip(around(nested));
    expect(() => blipPicturesInPlace(nested, [])).toThrow(/nested/);
  });

  it('refuses a blip whose picture does not walk (NotAnImage)', () => {
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe1, 0x7f, 0xff]), Buffer.from(OTHER)]);
    expect(() => blipPicturesInPlace(bitmapBlip(broken), [])).toThrow(NotAnImage);
  });
});

describe('workbookPicturesInPlace', () => {
  it('cleans a picture going on across a drawing group’s CONTINUE records, each record header where it was', () => {
    const jpg = jpegCarrying(OTHER, Array.from({ length: 600 }, () => OTHER).join(' '));
    const stream = workbookStream([drawingGroupRecords(drawingGroup([fbse(bitmapBlip(jpg), true)]))]);
    const parts = xlsDrawingParts(stream);
    expect(parts.length).toBeGreaterThan(2);
    const pictures: CleanPicture[] = [];
    const out = workbookPicturesInPlace(stream, parts, pictures)!;
    expect(out.length).toBe(stream.length);
    expect(pictures).toHaveLength(1);
    const joined = Buffer.concat(xlsDrawingParts(out).map((p) => Buffer.from(p)));
    expect([holds(out), holds(joined)]).toEqual([false, false]);
    // Each record's header (type and length) as it was.
    for (const p of parts) {
      const at = p.byteOffset - stream.byteOffset - 4;
      expect(Buffer.from(out.subarray(at, at + 4))).toEqual(stream.subarray(at, at + 4));
    }
    const from = Buffer.concat(parts.map((p) => Buffer.from(p))).indexOf(jpg);
    expect(pixels(joined.subarray(from, from + jpg.length))).toEqual(pixels(jpg));
  });
});
