import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { stripTiff } from './tiff.js';
import { iccProfile } from '../../../../test/fixtures/pictures.js';

/**
 * One IFD entry: tag, type (3 SHORT, 4 LONG, 5 RATIONAL, 7 UNDEFINED), and its values as numbers or
 * bytes (placed after the IFD when over 4 bytes), or `count` values at `at` already in the file.
 */
type Entry = [tag: number, type: number, values: number[] | Buffer | { at: number; count: number }];

/**
 * A little-endian TIFF: `data` at offset 8, then each page's IFD (entries sorted as given) with
 * its values after it, chained. Entries name `data` by offset 8 + its index: what a test points
 * strips, profiles or colour maps at.
 */
function rawTiff(data: Buffer, pages: Entry[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('II*\0\0\0\0\0', 'latin1'), data];
  let at = 8 + data.length;
  let prevNext = 4;
  const nexts: [number, number][] = [];
  for (const entries of pages) {
    // Each IFD at an even offset (TIFF 6.0 §2), a zero byte before it when needed.
    if (at & 1) {
      parts.push(Buffer.alloc(1));
      at++;
    }
    const ifd = Buffer.alloc(2 + 12 * entries.length + 4);
    const values: Buffer[] = [];
    let valueAt = at + ifd.length;
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, v], i) => {
      const e = 2 + 12 * i;
      if (!Array.isArray(v) && !Buffer.isBuffer(v)) {
        ifd.writeUInt16LE(tag, e);
        ifd.writeUInt16LE(type, e + 2);
        ifd.writeUInt32LE(v.count, e + 4);
        ifd.writeUInt32LE(v.at, e + 8);
        return;
      }
      const bytes = Buffer.isBuffer(v) ? v : Buffer.alloc(v.length * (type === 3 ? 2 : 4));
      if (!Buffer.isBuffer(v)) v.forEach((x, k) => (type === 3 ? bytes.writeUInt16LE(x, 2 * k) : bytes.writeUInt32LE(x, 4 * k)));
      ifd.writeUInt16LE(tag, e);
      ifd.writeUInt16LE(type, e + 2);
      ifd.writeUInt32LE(Buffer.isBuffer(v) ? v.length : type === 5 ? v.length / 2 : v.length, e + 4);
      if (bytes.length <= 4) bytes.copy(ifd, e + 8);
      else {
        ifd.writeUInt32LE(valueAt, e + 8);
        values.push(bytes);
        valueAt += bytes.length;
      }
    });
    nexts.push([prevNext, at]);
    prevNext = at + 2 + 12 * entries.length;
    parts.push(ifd, ...values);
    at = valueAt;
  }
  const b = Buffer.concat(parts);
  for (const [where, value] of nexts) b.writeUInt32LE(value, where);
  return b;
}

/** A grey 8-bit page of `width` × `rows × strips` pixels in `strips` strips, compressed as `compression`, each strip at `offsets[j]` of `counts[j]` bytes. */
const page = (width: number, rows: number, compression: number, offsets: number[], counts: number[], extra: Entry[] = []): Entry[] =>
  [
    [256, 4, [width]],
    [257, 4, [rows * offsets.length]],
    [258, 3, [8]],
    [259, 3, [compression]],
    [262, 3, [1]],
    [273, 4, offsets],
    [277, 3, [1]],
    [278, 4, [rows]],
    [279, 4, counts],
    ...extra,
  ].sort((x, y) => (x[0] as number) - (y[0] as number)) as Entry[];

describe('round-20: a TIFF’s strips, pages and values pointing at the same bytes are read once, not once each', () => {
  // A 64 KiB Deflate stream drawing 64 KiB: walked to its end for each strip that names it.
  const pixels = Buffer.from(Array.from({ length: 1 << 16 }, (_, i) => (i * 2654435761) >>> 24));
  const deflated = Buffer.from(zlibSync(pixels));

  it('refuses 4 000 strips all naming one compressed range before walking past the file’s length (4 000 × 64 KiB walked from a 64 KiB file)', () => {
    const n = 4000;
    const t = rawTiff(deflated, [page(256, 256, 8, new Array<number>(n).fill(8), new Array<number>(n).fill(deflated.length))]);
    // The refusal says the strips together hold more than the file: the walk stopped at the file's length.
    expect(() => stripTiff(new Uint8Array(t))).toThrow(/strips or tiles said to hold more bytes than the file/);
    // Uncompressed, each strip copied: the same.
    const raw = rawTiff(pixels, [page(256, 256, 1, new Array<number>(n).fill(8), new Array<number>(n).fill(pixels.length))]);
    expect(() => stripTiff(new Uint8Array(raw))).toThrow(/more bytes than the file/);
  });

  it('refuses 2 000 pages whose one strip is the same range (the pages differ, their strip does not)', () => {
    const t = rawTiff(
      deflated,
      Array.from({ length: 2000 }, () => page(256, 256, 8, [8], [deflated.length])),
    );
    expect(() => stripTiff(new Uint8Array(t))).toThrow(/more bytes than the file/);
  });

  it('refuses two strips that overlap by a byte, on one page or on two', () => {
    const half = deflated.length >> 1;
    const one = rawTiff(deflated, [page(256, 128, 1, [8, 8 + half - 1], [half, half])]);
    expect(() => stripTiff(new Uint8Array(one))).toThrow(/strips or tiles overlap/);
    const two = rawTiff(deflated, [page(256, 128, 1, [8], [half]), page(256, 128, 1, [8 + half - 1], [half])]);
    expect(() => stripTiff(new Uint8Array(two))).toThrow(/strips or tiles overlap/);
  });

  it('refuses 2 000 pages naming one ICC profile, JPEG tables or colour map past 4 × the file read, and keeps pages sharing a small value', () => {
    const icc = iccProfile('sRGB', '', Buffer.alloc(60_000));
    // Each page its own strip (one byte of 2 000), all of them one profile, tables or map after them.
    const pages = (shared: Buffer, extra: (at: number) => Entry[]) =>
      rawTiff(
        Buffer.concat([Buffer.alloc(2000, 0x80), shared]),
        Array.from({ length: 2000 }, (_, p) => page(1, 1, 1, [8 + p], [1], extra(8 + 2000))),
      );
    expect(() => stripTiff(new Uint8Array(pages(icc, (at) => [[34675, 7, { at, count: icc.length }]])))).toThrow(/more than 4 × the file/);
    const dqt = Buffer.concat([Buffer.from([0xff, 0xdb, 0, 67]), Buffer.alloc(65, 1)]);
    const tables = Buffer.concat([Buffer.from([0xff, 0xd8]), ...new Array<Buffer>(900).fill(dqt), Buffer.from([0xff, 0xd9])]);
    expect(() => stripTiff(new Uint8Array(pages(tables, (at) => [[347, 7, { at, count: tables.length }]])))).toThrow(/more than 4 × the file/);
    const map = Buffer.alloc(3 * 2 ** 16 * 2);
    const pagesOf16 = (extra: (at: number) => Entry[]) =>
      rawTiff(
        Buffer.concat([Buffer.alloc(4000, 0x80), map]),
        Array.from({ length: 2000 }, (_, p) => [...page(1, 1, 1, [8 + 2 * p], [2], extra(8 + 4000))].map((e): Entry => (e[0] === 258 ? [258, 3, [16]] : e))),
      );
    expect(() => stripTiff(new Uint8Array(pagesOf16((at) => [[320, 3, { at, count: map.length / 2 }]])))).toThrow(/more than 4 × the file/);
    // 2 000 pages sharing one resolution (8 bytes): kept.
    const kept = stripTiff(new Uint8Array(pages(Buffer.from([72, 0, 0, 0, 1, 0, 0, 0]), (at) => [[282, 5, { at, count: 1 }]])));
    expect(kept.length).toBeGreaterThan(2000);
  });
});

describe('round-20 attack: a strip over a value the cleaner blanks', () => {
  it("refuses a strip said to span the page's ICC profile: kept as pixels, it wrote the profile's description back over its blanked copy", () => {
    const icc = iccProfile('anna.weber@buyer.example');
    // One grey row as wide as the profile, its only strip the profile's own bytes.
    const t = rawTiff(icc, [page(icc.length, 1, 1, [8], [icc.length], [[34675, 7, { at: 8, count: icc.length }]])]);
    expect(Buffer.from(t).toString('latin1')).toContain('anna.weber@buyer.example');
    let out: Uint8Array | null = null;
    try {
      out = stripTiff(new Uint8Array(t));
    } catch (err) {
      expect(String(err)).toMatch(/overlaps/);
    }
    if (out) expect(Buffer.from(out).toString('latin1')).not.toContain('anna.weber');
    expect(out).toBeNull();
  });

  it("refuses another page's colour map, JPEG tables or profile over a page's ICC profile: kept after it, each wrote the blanked description back", () => {
    const icc = iccProfile('anna.weber@buyer.example');
    const data = Buffer.concat([Buffer.alloc(2, 0x80), icc, Buffer.alloc(2, 0x80)]);
    const profile: Entry = [34675, 7, { at: 10, count: icc.length }];
    const grey16 = (extra: Entry[], at: number) => page(1, 1, 1, [at], [2], extra).map((e): Entry => (e[0] === 258 ? [258, 3, [16]] : e));
    const over: Entry[] = [
      [320, 3, { at: 10, count: icc.length / 2 }],
      [347, 7, { at: 10, count: icc.length }],
      [34675, 7, { at: 14, count: icc.length - 4 }],
    ];
    for (const entry of over) {
      const t = rawTiff(data, [grey16([profile], 8), grey16([entry], 10 + icc.length)]);
      let out: Uint8Array | null = null;
      try {
        out = stripTiff(new Uint8Array(t));
      } catch (err) {
        expect(String(err)).toMatch(/overlap/);
      }
      if (out) expect(Buffer.from(out).toString('latin1'), String(entry[0])).not.toContain('anna.weber');
    }
    // Pages sharing one profile (the same bytes, the same tag) are kept.
    expect(stripTiff(new Uint8Array(rawTiff(data, [grey16([profile], 8), grey16([profile], 10 + icc.length)])))).not.toBeNull();
  });
});
