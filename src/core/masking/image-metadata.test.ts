import { describe, expect, it } from 'vitest';
import { exifOrientation, stripImageMetadata } from './image-metadata.js';
import { jpegCarryingElsewhere, pngCarryingElsewhere, pngWithProfile } from '../../../test/fixtures/pictures.js';

const seg = (marker: number, data: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255]), data]);
const exif = (extra: string) =>
  Buffer.concat([Buffer.from('Exif\0\0'), Buffer.from('MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0'), Buffer.from(extra)]);
/** A JPEG's segment layout: SOI, the given APP segments, a table, one scan (with a stuffed 0xFF 0x00), EOI. */
const jpeg = (app: Buffer[]) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    ...app,
    seg(0xdb, Buffer.alloc(65)),
    seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([1, 0xff, 0, 4]),
    Buffer.from([0xff, 0xd9]),
  ]);
const has = (b: Uint8Array, s: string) => Buffer.from(b).includes(s);

describe('photo metadata is removed and the orientation kept', () => {
  it('removes the EXIF block (location, camera) and writes back only the orientation', () => {
    const r = stripImageMetadata(new Uint8Array(jpeg([seg(0xe1, exif('GPS 48.8584N 2.2945E SERIAL-12345'))])));
    expect(has(r.bytes, 'GPS 48.8584N')).toBe(false);
    expect(r.removed).toBeGreaterThan(0);
    const b = Buffer.from(r.bytes);
    const app1 = b.indexOf(Buffer.from([0xff, 0xe1]));
    expect(exifOrientation(new Uint8Array(b.subarray(app1 + 4, app1 + 4 + b.readUInt16BE(app1 + 2) - 2)))).toBe(6);
  });

  it('removes a second image appended after the first one ends, with its own EXIF (phones store a preview or depth map so)', () => {
    const r = stripImageMetadata(new Uint8Array(Buffer.concat([jpeg([]), jpeg([seg(0xe1, exif('GPS 48.8584N 2.2945E SERIAL-12345'))])])));
    expect(has(r.bytes, 'GPS 48.8584N')).toBe(false);
    expect(has(r.bytes, 'SERIAL-12345')).toBe(false);
    // The first image is whole: its scan (a stuffed 0xFF 0x00 inside) up to its end marker.
    expect(Buffer.from(r.bytes).equals(jpeg([]))).toBe(true);
  });

  it('keeps a GIF’s looping and frame timing, and drops text kept in a plain text extension or in blocks past a kept extension’s own (round-15 attack)', () => {
    const sub = (b: Buffer) => Buffer.concat([Buffer.from([b.length]), b]);
    const text = Buffer.from('anna@other.example');
    const head = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([1, 0, 1, 0, 0, 0, 0])]);
    const loop = Buffer.concat([Buffer.from([0x21, 0xff]), sub(Buffer.from('NETSCAPE2.0')), sub(Buffer.from([1, 5, 0]))]);
    const timing = Buffer.from([0x21, 0xf9, 4, 4, 10, 0, 0]);
    const frame = Buffer.from([0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x4c, 0x01, 0]);
    const plain = Buffer.concat([Buffer.from([0x21, 0x01, 12]), Buffer.alloc(12), sub(text), Buffer.from([0])]);
    const gif = Buffer.concat([head, loop, sub(text), Buffer.from([0]), timing, sub(text), Buffer.from([0]), plain, frame, Buffer.from([0x3b])]);
    const r = Buffer.from(stripImageMetadata(new Uint8Array(gif)).bytes);
    expect(r.equals(Buffer.concat([head, loop, Buffer.from([0]), timing, Buffer.from([0]), frame, Buffer.from([0x3b])]))).toBe(true);
  });

  it('keeps only the PNG chunks and JPEG segments a viewer reads: a private chunk, C2PA, an APPn that is no JFIF, ICC or Adobe, a JPEG extension go (round-17 attack)', () => {
    expect(has(stripImageMetadata(new Uint8Array(pngCarryingElsewhere('anna@other.example'))).bytes, 'anna@other.example')).toBe(false);
    expect(has(stripImageMetadata(new Uint8Array(jpegCarryingElsewhere('anna@other.example'))).bytes, 'anna@other.example')).toBe(false);
    // The JFIF segment and every segment a decoder reads stay.
    expect(has(stripImageMetadata(new Uint8Array(jpegCarryingElsewhere('x'))).bytes, 'JFIF')).toBe(true);
  });

  it('keeps a PNG’s ICC profile for its colours and hands its inflated data over for the search', () => {
    const r = stripImageMetadata(new Uint8Array(pngWithProfile('Display P3', 'Copyright anna@other.example')));
    expect(has(r.bytes, 'iCCP')).toBe(true);
    expect(r.hidden.map((b) => Buffer.from(b).toString('latin1').includes('anna@other.example'))).toEqual([true]);
  });
});
