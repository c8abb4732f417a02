import { unzlibSync, zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { exifOrientation, imageFormat, NotAnImage, stripImageMetadata } from './image-metadata.js';
import {
  bmpFile,
  iccProfile,
  jpegCarryingElsewhere,
  jpegWithProfile,
  pngChunk,
  pngCarryingElsewhere,
  pngWithProfile,
  riffChunk,
  TIFF_PAGE,
  tiffFile,
  tiffPages,
  tiffText,
  VP8L_1X1,
  vp8x,
  webpFile,
} from '../../../test/fixtures/pictures.js';

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

  it('keeps a PNG’s ICC profile for its colours, without its text, and hands its inflated data over for the search', () => {
    const r = stripImageMetadata(new Uint8Array(pngWithProfile('Display P3', 'Copyright anna@other.example')));
    expect(has(r.bytes, 'iCCP')).toBe(true);
    expect(r.hidden.map((b) => [Buffer.from(b).toString('latin1').includes('acsp'), Buffer.from(b).toString('latin1').includes('anna@other.example')])).toEqual(
      [[true, false]],
    );
  });
});

const ADDRESS = 'anna.private@othermail.example';
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('TIFF: only the tags a viewer draws by are kept, every other byte blanked (round-18)', () => {
  const carriers = {
    'ImageDescription (270)': [tiffText(270, `Photo by ${ADDRESS}`)],
    'Artist, Copyright, Make, Software (315, 33432, 271, 305)': [
      tiffText(315, ADDRESS),
      tiffText(33432, `(c) ${ADDRESS}`),
      tiffText(271, `Make ${ADDRESS}`),
      tiffText(305, `Software ${ADDRESS}`),
    ],
    'XMP (700)': [{ tag: 700, type: 1, bytes: Buffer.from(`<x:xmpmeta><dc:creator>${ADDRESS}</dc:creator></x:xmpmeta>`) }],
    'IPTC (33723)': [{ tag: 33723, type: 7, bytes: Buffer.concat([Buffer.from([0x1c, 2, 80, 0, ADDRESS.length]), Buffer.from(ADDRESS)]) }],
    'Photoshop (34377)': [{ tag: 34377, type: 1, bytes: Buffer.from(`8BIM\x04\x04\0\0\0\0\0\x20${ADDRESS}`, 'latin1') }],
    'an EXIF sub-IFD (34665: UserComment, CameraOwnerName) and a GPS sub-IFD (34853)': [
      { tag: 34665, type: 4, ifd: [{ tag: 0x9286, type: 7, bytes: Buffer.from(`ASCII\0\0\0${ADDRESS}`, 'latin1') }, tiffText(0xa430, ADDRESS)] },
      { tag: 34853, type: 4, ifd: [tiffText(0x001b, ADDRESS)] },
    ],
  };
  it.each(Object.entries(carriers))('removes an address kept in %s, and keeps the page drawable', (_, extra) => {
    for (const bigEndian of [false, true]) {
      const r = stripImageMetadata(new Uint8Array(tiffFile([[...TIFF_PAGE, ...extra]], { bigEndian })));
      expect(latin1(r.bytes)).not.toContain(ADDRESS);
      expect(r.contentType).toBe('image/tiff');
      expect(r.removed).toBeGreaterThan(0);
      const [page] = tiffPages(r.bytes);
      expect(page!.map(([tag]) => tag)).toEqual([256, 257, 258, 259, 262, 273, 277, 278, 279, 282, 283, 296]);
      // The strip is where StripOffsets says, byte for byte.
      const strip = page!.find(([tag]) => tag === 273)![3];
      expect(r.bytes[strip]).toBe(0x80);
    }
  });

  it('cleans every page (a second IFD), keeps the orientation and an ICC profile, blanks bytes no tag names and drops what follows', () => {
    const icc = iccProfile('Display P3');
    const t = tiffFile(
      [
        [...TIFF_PAGE, { tag: 274, type: 3, values: [6] }, { tag: 34675, type: 7, bytes: icc }],
        [...TIFF_PAGE, tiffText(270, `Page 2 by ${ADDRESS}`), tiffText(285, ADDRESS)],
      ],
      { gap: Buffer.from(`gap ${ADDRESS}`), trailing: Buffer.from(`after ${ADDRESS}`) },
    );
    const r = stripImageMetadata(new Uint8Array(t));
    expect(latin1(r.bytes)).not.toContain(ADDRESS);
    expect(latin1(r.bytes)).toContain('curv');
    const pages = tiffPages(r.bytes);
    expect(pages).toHaveLength(2);
    expect(pages[0]!.find(([tag]) => tag === 274)?.[3]).toBe(6);
    expect(pages[1]!.map(([tag]) => tag)).not.toContain(270);
    expect(r.bytes[pages[1]!.find(([tag]) => tag === 273)![3]]).toBe(0x80);
  });

  it('keeps a JPEG-compressed page’s tables and strips as JPEG streams, their EXIF, comment and ICC data blanked', () => {
    const seg = (marker: number, data: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255]), data]);
    const stream = (scan: Buffer[]) =>
      Buffer.concat([
        Buffer.from([0xff, 0xd8]),
        seg(0xe1, Buffer.from(`Exif\0\0${ADDRESS}`, 'latin1')),
        seg(0xfe, Buffer.from(ADDRESS)),
        // An ICC profile of its own, whose description names someone (round-18 icc pass).
        seg(0xe2, Buffer.concat([Buffer.from('ICC_PROFILE\0\x01\x01', 'latin1'), iccProfile(`by ${ADDRESS}`)])),
        seg(0xdb, Buffer.alloc(65, 7)),
        ...scan,
        Buffer.from([0xff, 0xd9]),
      ]);
    const page = TIFF_PAGE.map((e) => (e.tag === 259 ? { tag: 259, type: 3, values: [7] } : e));
    const t = tiffFile([[...page, { tag: 347, type: 7, bytes: stream([]) }]]);
    const r = stripImageMetadata(new Uint8Array(t));
    expect(latin1(r.bytes)).not.toContain(ADDRESS);
    // A strip that is a whole JPEG stream (its own EXIF before its scan) is cleaned so too.
    const strip = stream([seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])), Buffer.from([1, 2, 3])]);
    const withStrip = Buffer.concat([t, strip]);
    const ifd = withStrip.readUInt32LE(4);
    for (let i = 0; i < withStrip.readUInt16LE(ifd); i++) {
      const e = ifd + 2 + 12 * i;
      if (withStrip.readUInt16LE(e) === 273) withStrip.writeUInt32LE(t.length, e + 8);
      if (withStrip.readUInt16LE(e) === 279) withStrip.writeUInt32LE(strip.length, e + 8);
    }
    const s = stripImageMetadata(new Uint8Array(withStrip));
    expect(latin1(s.bytes)).not.toContain(ADDRESS);
    expect(Buffer.from(s.bytes).subarray(-5)).toEqual(Buffer.from([1, 2, 3, 0xff, 0xd9]));
    // The quantisation table stays.
    expect(Buffer.from(r.bytes).includes(seg(0xdb, Buffer.alloc(65, 7)))).toBe(true);
  });

  it('refuses a TIFF whose structure does not walk: an IFD or a strip past the end, a loop of IFDs', () => {
    const t = tiffFile([TIFF_PAGE]);
    const past = Buffer.from(t);
    past.writeUInt32LE(t.length + 10, 4);
    expect(() => stripImageMetadata(new Uint8Array(past))).toThrow(NotAnImage);
    expect(() => stripImageMetadata(new Uint8Array(t.subarray(0, t.length - 8)))).toThrow(NotAnImage);
    const loop = Buffer.from(t);
    const ifd = loop.readUInt32LE(4);
    loop.writeUInt32LE(ifd, ifd + 2 + 12 * loop.readUInt16LE(ifd));
    expect(() => stripImageMetadata(new Uint8Array(loop))).toThrow(NotAnImage);
  });
});

describe('WebP: only the chunks a viewer draws are kept (round-18)', () => {
  it('removes EXIF, XMP, an unknown chunk, one inside an animation frame and bytes after the file, clearing the EXIF and XMP flags', () => {
    const t = Buffer.from(ADDRESS);
    const frame = riffChunk('ANMF', Buffer.concat([Buffer.alloc(16), VP8L_1X1, riffChunk('NOTE', t)]));
    const w = webpFile(
      [
        vp8x(0x20 | 0x08 | 0x04 | 0x02, [0x61, 0x62, 0x63]),
        riffChunk('ICCP', iccProfile('')),
        riffChunk('ANIM', Buffer.alloc(6)),
        frame,
        riffChunk('EXIF', Buffer.concat([Buffer.from('II*\0'), t])),
        riffChunk('XMP ', Buffer.from(`<x:xmpmeta>${ADDRESS}</x:xmpmeta>`)),
        riffChunk('prVt', t),
      ],
      Buffer.from(`after ${ADDRESS}`),
    );
    const r = stripImageMetadata(new Uint8Array(w));
    const b = Buffer.from(r.bytes);
    expect(b.toString('latin1')).not.toContain(ADDRESS);
    expect(r.contentType).toBe('image/webp');
    expect(b.readUInt32LE(4)).toBe(b.length - 8);
    expect(b.subarray(12, 16).toString('latin1')).toBe('VP8X');
    expect(b[20]).toBe(0x20 | 0x02);
    expect(b.subarray(21, 24)).toEqual(Buffer.alloc(3));
    expect(b.includes(Buffer.from('ICCP'))).toBe(true);
    expect(b.includes(VP8L_1X1)).toBe(true);
  });

  it('keeps a simple lossless WebP byte for byte and refuses one whose chunks run past the end', () => {
    const w = webpFile([VP8L_1X1]);
    expect(Buffer.from(stripImageMetadata(new Uint8Array(w)).bytes).equals(w)).toBe(true);
    expect(() => stripImageMetadata(new Uint8Array(w.subarray(0, w.length - 4)))).toThrow(NotAnImage);
  });
});

describe('BMP: headers, palette and pixels only (round-18)', () => {
  it('blanks the reserved field and bytes between the headers and the pixels, drops bytes after the pixels, keeps the pixels byte for byte', () => {
    const b = bmpFile({ gap: Buffer.from(`gap ${ADDRESS}`), trailing: Buffer.from(`after ${ADDRESS}`), reserved: 0x6e6e61 });
    const r = stripImageMetadata(new Uint8Array(b));
    const out = Buffer.from(r.bytes);
    expect(out.toString('latin1')).not.toContain(ADDRESS);
    expect(r.contentType).toBe('image/bmp');
    expect(out.readUInt32LE(2)).toBe(out.length);
    expect(out.readUInt32LE(6)).toBe(0);
    const pixelAt = out.readUInt32LE(10);
    expect(out.subarray(pixelAt)).toEqual(Buffer.from([0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0, 0]));
  });

  it('keeps a BMPv5 embedded colour profile (searched with the picture) and drops a linked one (a file name)', () => {
    const embedded = stripImageMetadata(new Uint8Array(bmpFile({ v5: { cs: 'MBED', profile: iccProfile('Display P3') } })));
    expect(latin1(embedded.bytes)).toContain('acsp');
    expect(Buffer.from(embedded.bytes).readUInt32LE(14 + 56)).toBe(0x4d424544);
    const linked = stripImageMetadata(new Uint8Array(bmpFile({ v5: { cs: 'LINK', profile: Buffer.from(`C:\\Users\\${ADDRESS}\\p.icc\0`, 'latin1') } })));
    expect(latin1(linked.bytes)).not.toContain(ADDRESS);
    // No profile named any more: the colour space is sRGB.
    expect(Buffer.from(linked.bytes).readUInt32LE(14 + 56)).toBe(0x73524742);
  });

  it('reads only a real BMP as one, and refuses one whose pixels run past the end', () => {
    expect(imageFormat(new TextEncoder().encode('BMW drivers club'))).toBe(null);
    const b = bmpFile();
    expect(imageFormat(new Uint8Array(b))).toBe('bmp');
    expect(() => stripImageMetadata(new Uint8Array(b.subarray(0, b.length - 2)))).toThrow(NotAnImage);
  });
});

describe('round-18 attack: text in what a TIFF, WebP or BMP keeps', () => {
  const text = Buffer.from(ADDRESS.padEnd(32, ' '));
  const has = (b: Uint8Array) => latin1(b).includes(ADDRESS) || latin1(b).includes(ADDRESS.slice(0, 12));

  it('refuses a kept TIFF tag holding more values than it takes (PageNumber, a colour map past 3 × 2^bits), drops one of a type it is not', () => {
    for (const bigEndian of [false, true]) {
      const words = Array.from({ length: 16 }, (_, i) => (bigEndian ? text.readUInt16BE(2 * i) : text.readUInt16LE(2 * i)));
      expect(() => stripImageMetadata(new Uint8Array(tiffFile([[...TIFF_PAGE, { tag: 297, type: 3, values: words }]], { bigEndian })))).toThrow(NotAnImage);
      const map = [...Array<number>(768).fill(0), ...words];
      expect(() => stripImageMetadata(new Uint8Array(tiffFile([[...TIFF_PAGE, { tag: 320, type: 3, values: map }]], { bigEndian })))).toThrow(NotAnImage);
      const r = stripImageMetadata(new Uint8Array(tiffFile([[...TIFF_PAGE, { tag: 297, type: 1, values: [...text] }]], { bigEndian })));
      expect(has(r.bytes)).toBe(false);
      expect(tiffPages(r.bytes)[0]!.map(([tag]) => tag)).not.toContain(297);
    }
  });

  it('refuses a TIFF strip over the header or a page, and keeps of an uncompressed strip only the bytes its rows take', () => {
    /** A 1×1 page with a description, its strip moved to `at` for `len` bytes. */
    const moved = (at: (t: Buffer) => number, len: (t: Buffer) => number, trailing?: Buffer) => {
      const t = tiffFile([[...TIFF_PAGE, tiffText(270, `Photo by ${ADDRESS}`)]], { trailing });
      const ifd = t.readUInt32LE(4);
      for (let i = 0; i < t.readUInt16LE(ifd); i++) {
        const e = ifd + 2 + 12 * i;
        if (t.readUInt16LE(e) === 273) t.writeUInt32LE(at(t), e + 8);
        if (t.readUInt16LE(e) === 279) t.writeUInt32LE(len(t), e + 8);
      }
      return new Uint8Array(t);
    };
    expect(() =>
      stripImageMetadata(
        moved(
          () => 0,
          (t) => t.length,
        ),
      ),
    ).toThrow(NotAnImage);
    expect(() =>
      stripImageMetadata(
        moved(
          (t) => t.readUInt32LE(4),
          () => 40,
        ),
      ),
    ).toThrow(NotAnImage);
    // A strip from its pixel to the file's end: the one byte a 1×1 grey page draws is kept.
    const tail = moved(
      (t) => t.length - 1 - ADDRESS.length,
      () => ADDRESS.length + 1,
      Buffer.from(`\x80${ADDRESS}`, 'latin1'),
    );
    const r = stripImageMetadata(tail);
    expect(has(r.bytes)).toBe(false);
    expect(r.bytes[r.bytes.length - 1]).toBe(0x80);
  });

  it('zeroes the bytes of a 4-byte TIFF field a short value leaves', () => {
    const t = tiffFile([[...TIFF_PAGE, { tag: 274, type: 3, values: [1] }]]);
    const ifd = t.readUInt32LE(4);
    let field = 0;
    for (let i = 0; i < t.readUInt16LE(ifd); i++) if (t.readUInt16LE(ifd + 2 + 12 * i) === 274) field = ifd + 2 + 12 * i + 8;
    t.write('@o', field + 2, 'latin1');
    const r = Buffer.from(stripImageMetadata(new Uint8Array(t)).bytes);
    expect(r.readUInt16LE(field)).toBe(1);
    expect(r.subarray(field + 2, field + 4)).toEqual(Buffer.alloc(2));
  });

  it('blanks an ICC profile’s text (description, copyright, bytes past a curve) in a TIFF, a WebP and a BMP, keeps its curve, drops one that is no profile', () => {
    const icc = iccProfile(`Profile of ${ADDRESS}`, `(c) ${ADDRESS}`, Buffer.from(ADDRESS));
    for (const bigEndian of [false, true]) {
      const r = stripImageMetadata(new Uint8Array(tiffFile([[...TIFF_PAGE, { tag: 34675, type: 7, bytes: icc }]], { bigEndian })));
      expect(has(r.bytes)).toBe(false);
      expect(latin1(r.bytes)).toContain('acsp');
      expect(Buffer.from(r.bytes).includes(Buffer.from('curv\0\0\0\0\0\0\0\x01\x02\x33', 'latin1'))).toBe(true);
      expect(latin1(r.bytes)).not.toContain('0123456789abcdef');
    }
    const w = stripImageMetadata(new Uint8Array(webpFile([vp8x(0x20), riffChunk('ICCP', icc), VP8L_1X1])));
    expect(has(w.bytes)).toBe(false);
    expect(latin1(w.bytes)).toContain('acsp');
    const b = stripImageMetadata(new Uint8Array(bmpFile({ v5: { cs: 'MBED', profile: icc } })));
    expect(has(b.bytes)).toBe(false);
    expect(latin1(b.bytes)).toContain('acsp');
    // Text where a profile should be: dropped, and the WebP no longer says it has one, the BMP says sRGB.
    const notIcc = stripImageMetadata(new Uint8Array(webpFile([vp8x(0x20), riffChunk('ICCP', Buffer.from(`desc ${ADDRESS}`)), VP8L_1X1])));
    expect(has(notIcc.bytes)).toBe(false);
    expect(notIcc.bytes[20]! & 0x20).toBe(0);
    const bmp = stripImageMetadata(new Uint8Array(bmpFile({ v5: { cs: 'MBED', profile: Buffer.from(`desc ${ADDRESS}`) } })));
    expect(has(bmp.bytes)).toBe(false);
    expect(Buffer.from(bmp.bytes).readUInt32LE(14 + 56)).toBe(0x73524742);
  });

  it('cuts a TIFF’s JPEG strip after its end of image', () => {
    const seg = (m: number, d: Buffer) => Buffer.concat([Buffer.from([0xff, m, (d.length + 2) >> 8, (d.length + 2) & 255]), d]);
    const strip = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      seg(0xdb, Buffer.alloc(65, 7)),
      seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
      Buffer.from([1, 2, 3, 0xff, 0xd9]),
      Buffer.from(ADDRESS),
    ]);
    const page = TIFF_PAGE.map((e) => (e.tag === 259 ? { tag: 259, type: 3, values: [7] } : e));
    const t = tiffFile([page]);
    const w = Buffer.concat([t, strip]);
    const ifd = w.readUInt32LE(4);
    for (let i = 0; i < w.readUInt16LE(ifd); i++) {
      const e = ifd + 2 + 12 * i;
      if (w.readUInt16LE(e) === 273) w.writeUInt32LE(t.length, e + 8);
      if (w.readUInt16LE(e) === 279) w.writeUInt32LE(strip.length, e + 8);
    }
    const r = Buffer.from(stripImageMetadata(new Uint8Array(w)).bytes);
    expect(has(r)).toBe(false);
    expect(r.subarray(-5)).toEqual(Buffer.from([1, 2, 3, 0xff, 0xd9]));
  });

  it('keeps a WebP animation header’s 6 bytes only, and no frame inside a frame', () => {
    const w = webpFile([
      vp8x(0x02),
      riffChunk('ANIM', Buffer.concat([Buffer.alloc(6), text])),
      riffChunk(
        'ANMF',
        Buffer.concat([
          Buffer.alloc(16),
          VP8L_1X1,
          riffChunk('ANMF', Buffer.concat([Buffer.alloc(16), riffChunk('VP8X', Buffer.concat([Buffer.alloc(10), text]))])),
        ]),
      ),
    ]);
    const r = Buffer.from(stripImageMetadata(new Uint8Array(w)).bytes);
    expect(has(r)).toBe(false);
    expect(r.includes(riffChunk('ANIM', Buffer.alloc(6)))).toBe(true);
    // A frame nested as deep as the file: refused as no picture, not a stack overflow.
    // Built outside in, each frame's header written once (a copy per level was quadratic: ~13 s of the test's own).
    const depth = 20_000;
    const heads: Buffer[] = [];
    // Frame k (0 innermost) holds 16 bytes and frame k−1's chunk: 16 + 22 + 24·k bytes.
    for (let k = depth - 1; k >= 0; k--) {
      const head = riffChunk('ANMF', Buffer.alloc(0));
      head.writeUInt32LE(16 + VP8L_1X1.length + 24 * k, 4);
      heads.push(Buffer.alloc(16), head);
    }
    const frame = Buffer.concat([...heads, Buffer.alloc(16), VP8L_1X1]);
    expect(() => stripImageMetadata(new Uint8Array(webpFile([vp8x(2), riffChunk('ANMF', frame)])))).toThrow(NotAnImage);
  });

  it('refuses BMP pixels said to start inside its headers, and keeps RLE pixels up to their end-of-bitmap mark', () => {
    const whole = bmpFile({ trailing: Buffer.from(ADDRESS) });
    whole.writeUInt32LE(0, 10);
    whole.writeInt32LE(whole.length / 3, 18); // wide enough that its one row spans the whole file
    expect(() => stripImageMetadata(new Uint8Array(whole))).toThrow(NotAnImage);
    const rle = Buffer.from([2, 1, 0, 0, 0, 1]); // two pixels of colour 1, end of line, end of bitmap
    const h = Buffer.alloc(54 + 8);
    h.write('BM', 0, 'latin1');
    h.writeUInt32LE(h.length, 10);
    h.writeUInt32LE(40, 14);
    h.writeInt32LE(2, 18);
    h.writeInt32LE(1, 22);
    h.writeUInt16LE(1, 26);
    h.writeUInt16LE(8, 28);
    h.writeUInt32LE(1, 30);
    h.writeUInt32LE(rle.length + ADDRESS.length, 34);
    h.writeUInt32LE(2, 46);
    const r = stripImageMetadata(new Uint8Array(Buffer.concat([h, rle, Buffer.from(ADDRESS)])));
    expect(has(r.bytes)).toBe(false);
    expect(Buffer.from(r.bytes).subarray(-6)).toEqual(rle);
  });

  it('zeroes a BMPv5’s unused colour masks, endpoints and gammas, and keeps no palette entry a pixel cannot name', () => {
    const b = bmpFile({ v5: { cs: 'LINK', profile: Buffer.from('p.icc\0') } });
    text.copy(b, 14 + 40, 0, 16); // masks (24-bit, no bit fields)
    text.copy(b, 14 + 60); // endpoints
    const r = stripImageMetadata(new Uint8Array(b));
    expect(has(r.bytes)).toBe(false);
    // An 8-bit BMP claiming 300 colours: the 44 past 256 are not kept.
    const pal = Buffer.alloc(300 * 4);
    text.copy(pal, 256 * 4);
    const h = Buffer.alloc(54);
    h.write('BM', 0, 'latin1');
    h.writeUInt32LE(54 + pal.length, 10);
    h.writeUInt32LE(40, 14);
    h.writeInt32LE(1, 18);
    h.writeInt32LE(1, 22);
    h.writeUInt16LE(1, 26);
    h.writeUInt16LE(8, 28);
    h.writeUInt32LE(300, 46);
    const p8 = stripImageMetadata(new Uint8Array(Buffer.concat([h, pal, Buffer.from([1, 0, 0, 0])])));
    expect(has(p8.bytes)).toBe(false);
    expect(p8.bytes[54 + pal.length]).toBe(1);
  });
});

describe('round-18 attack: text in a PNG’s or a JPEG’s ICC profile', () => {
  const icc = iccProfile(`Profile of ${ADDRESS}`, `(c) ${ADDRESS}`, Buffer.from(ADDRESS));
  const carries = (b: Uint8Array) => latin1(b).includes(ADDRESS.slice(0, 12));
  /** The PNG's chunks: type and data. */
  const chunks = (b: Uint8Array): [string, Buffer][] => {
    const out: [string, Buffer][] = [];
    for (let at = 8; at + 12 <= b.length;) {
      const len = Buffer.from(b).readUInt32BE(at);
      out.push([latin1(b.subarray(at + 4, at + 8)), Buffer.from(b.subarray(at + 8, at + 8 + len))]);
      at += 12 + len;
    }
    return out;
  };
  /** The profile a PNG's iCCP keeps, inflated. */
  const pngIcc = (b: Uint8Array) => {
    const data = chunks(b).find(([t]) => t === 'iCCP')![1];
    return { name: latin1(data.subarray(0, data.indexOf(0))), profile: Buffer.from(unzlibSync(data.subarray(data.indexOf(0) + 2))) };
  };

  it('PNG: the description blanked in the deflated profile, its curve kept, the chunk’s CRC right', () => {
    const r = stripImageMetadata(new Uint8Array(pngWithProfile('Display P3', `Profile of ${ADDRESS}`)));
    const { name, profile } = pngIcc(r.bytes);
    expect(name).toBe('ICC profile');
    expect(carries(profile)).toBe(false);
    expect(profile.includes(Buffer.from('curv\0\0\0\0\0\0\0\x01\x02\x33', 'latin1'))).toBe(true);
    expect(latin1(profile.subarray(36, 40))).toBe('acsp');
    expect(r.hidden.map(carries)).toEqual([false]);
    // Rebuilt chunk by chunk (fixtures' own CRC): the same bytes, so the CRC is the one PNG computes.
    expect(Buffer.from(r.bytes)).toEqual(Buffer.concat([Buffer.from(r.bytes.subarray(0, 8)), ...chunks(r.bytes).map(([t, d]) => pngChunk(t, d))]));
  });

  it('PNG: a profile name holding the address is replaced by a neutral one', () => {
    const r = stripImageMetadata(new Uint8Array(pngWithProfile(ADDRESS, 'Display P3')));
    expect(carries(r.bytes)).toBe(false);
    expect(pngIcc(r.bytes).name).toBe('ICC profile');
  });

  it('PNG: an iCCP that holds no profile (text, damaged zlib, a name past 79 bytes) is dropped', () => {
    const one = pngWithProfile('x', 'y');
    const at = one.indexOf('iCCP') - 4;
    const end = at + 12 + one.readUInt32BE(at);
    const withChunk = (data: Buffer) => Buffer.concat([one.subarray(0, at), pngChunk('iCCP', data), one.subarray(end)]);
    for (const data of [
      Buffer.concat([Buffer.from('sRGB\0\0'), zlibSync(Buffer.from(`desc ${ADDRESS}`))]),
      Buffer.concat([Buffer.from('sRGB\0\0'), Buffer.from(ADDRESS)]),
      Buffer.concat([Buffer.from(`${'n'.repeat(80)}\0\0`), zlibSync(icc)]),
    ]) {
      const r = stripImageMetadata(new Uint8Array(withChunk(data)));
      expect(chunks(r.bytes).map(([t]) => t)).toEqual(['IHDR', 'IDAT', 'IEND']);
      expect(carries(r.bytes)).toBe(false);
    }
  });

  it('JPEG: a profile in one APP2 segment or split over two is blanked in place, every segment its length', () => {
    for (const parts of [1, 2, 3]) {
      const j = jpegWithProfile(icc, parts);
      const r = stripImageMetadata(new Uint8Array(j));
      expect([parts, carries(r.bytes)]).toEqual([parts, false]);
      expect([parts, r.bytes.length]).toEqual([parts, j.length]);
      // The segments joined again make the cleaned profile: the curve, acsp, the tag table.
      const joined = Buffer.from(r.bytes)
        .toString('latin1')
        .split('ICC_PROFILE\0')
        .slice(1)
        .map((s) => s.slice(2));
      expect(joined.length).toBe(parts);
      expect(joined.join('')).toContain('acsp');
      expect(joined.join('')).toContain('curv\0\0\0\0\0\0\0\x01\x02\x33');
    }
  });

  it('JPEG: segments out of order are joined in sequence order; ones that do not join (missing, repeated) all go', () => {
    const two = jpegWithProfile(icc, 2);
    const first = two.indexOf('ICC_PROFILE');
    const seqAt = (k: number) => {
      let at = first - 4;
      for (let i = 0; i < k; i++) at += 2 + two.readUInt16BE(at + 2);
      return at + 4 + 12;
    };
    // The second part's segment first in the file: joined by sequence number, still a profile.
    const [a, b, c] = [first - 4, seqAt(1) - 16, seqAt(1) - 16 + 2 + two.readUInt16BE(seqAt(1) - 14)];
    const swapped = Buffer.concat([two.subarray(0, a), two.subarray(b, c), two.subarray(a, b), two.subarray(c)]);
    const s = stripImageMetadata(new Uint8Array(swapped));
    expect(carries(s.bytes)).toBe(false);
    expect(s.bytes.length).toBe(two.length);
    expect(latin1(s.bytes)).toContain('acsp');
    for (const [seq0, seq1, count] of [
      [1, 1, 2],
      [1, 3, 2],
      [1, 2, 3],
    ]) {
      const bad = Buffer.from(two);
      bad[seqAt(0)] = seq0!;
      bad[seqAt(1)] = seq1!;
      bad[seqAt(0) + 1] = bad[seqAt(1) + 1] = count!;
      const r = stripImageMetadata(new Uint8Array(bad));
      expect(carries(r.bytes)).toBe(false);
      expect(latin1(r.bytes)).not.toContain('ICC_PROFILE');
    }
  });
});
