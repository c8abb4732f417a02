import exifr from 'exifr';
import { describe, expect, it } from 'vitest';
import { box, full } from '../../../../test/fixtures/iso-boxes.js';
import { heifFile, type HeifParts, hvcC, ispe, nal } from '../../../../test/fixtures/heif-files.js';
import { iccProfile, pictureFile } from '../../../../test/fixtures/pictures.js';
import { children } from '../video-boxes.js';
import { imageFormat, NotAnImage, stripImageMetadata } from '../image-metadata.js';
import { itemTables, single } from './heif-items.js';

const OTHER = 'anna.private@othermail.example';
const has = (b: Uint8Array, s: string) => Buffer.from(b).includes(s);

/** The items of a HEIF file (type by id) and the bytes each takes, read with the cleaner's own reader. */
function items(b: Uint8Array): { types: Map<number, string>; bytes: Map<number, Buffer>; primary: number } {
  const meta = children(b, 0, b.length).find((x) => x.type === 'meta')!;
  const byType = single(children(b, meta.data + 4, meta.end), 'meta');
  const t = itemTables(b, byType);
  const idat = byType.get('idat');
  const bytes = new Map<number, Buffer>();
  for (const [id, l] of t.locations) {
    const base = l.method === 1 ? idat!.data : 0;
    bytes.set(id, Buffer.concat(l.extents.map(([from, to]) => Buffer.from(b.subarray(base + from, base + to)))));
  }
  return { types: new Map([...t.items].map(([id, i]) => [id, i.type])), bytes, primary: t.primary };
}

/** The item types kept, and whether each picture item's bytes are as they were. */
function pictureKept(before: Uint8Array, after: Uint8Array): { types: string[]; same: boolean } {
  const a = items(before);
  const z = items(after);
  const same = [...z.types].every(([id, type]) => !['hvc1', 'av01', 'grid'].includes(type) || z.bytes.get(id)!.equals(a.bytes.get(id)!));
  return { types: [...z.types.values()].sort(), same };
}

describe('HEIC and AVIF photos keep their picture and lose their metadata', () => {
  // Made with libheif 1.15 (x265, libaom): test/fixtures/picture-files/heif-tool.py.
  for (const [file, type, kept] of [
    ['photo-tagged.heic', 'image/heic', ['grid', 'hvc1']],
    ['photo-tagged.avif', 'image/avif', ['av01']],
  ] as const) {
    it(`removes a real ${type.slice(6).toUpperCase()}'s Exif item (GPS, the camera owner's name) and XMP item (the writer's address); its picture items are kept byte for byte`, async () => {
      const photo = pictureFile(file);
      // The Exif item as a reader finds it: the position and the owner are there.
      const tiff = photo.subarray(photo.indexOf('MM\0*'));
      const tags = (await exifr.parse(tiff, { gps: true, exif: true })) as Record<string, unknown>;
      expect(tags).toMatchObject({ OwnerName: 'Anna Private', Artist: 'Anna Private', GPSLatitudeRef: 'N' });
      expect(has(photo, OTHER)).toBe(true);

      const clean = stripImageMetadata(photo);
      expect(imageFormat(photo)).toBe('heif');
      expect(clean.contentType).toBe(type);
      expect(clean.bytes.length).toBe(photo.length);
      for (const gone of ['Anna Private', OTHER, 'Lilas', 'MM\0*', 'rdf+xml', 'Exif']) expect(has(clean.bytes, gone), gone).toBe(false);
      expect(pictureKept(photo, clean.bytes)).toEqual({ types: kept, same: true });
      expect(clean.removed).toBeGreaterThan(0);
      // Cleaned again, nothing more changes.
      expect(Buffer.from(stripImageMetadata(clean.bytes).bytes).equals(Buffer.from(clean.bytes))).toBe(true);
    });
  }

  /** An iPhone-like HEIC: a grid of two tiles, a thumbnail, a depth map, Exif and XMP items; text in every place a box can hold it. */
  const iphone = (over: Partial<HeifParts> = {}): Buffer =>
    heifFile({
      items: [
        { id: 1, type: 'grid', method: 1, data: Buffer.from([0, 0, 0, 1, 0, 64, 0, 32]) },
        { id: 2, type: 'hvc1', data: Buffer.from('TILE-ONE-PIXELS') },
        { id: 3, type: 'hvc1', data: Buffer.from('TILE-TWO-PIXELS') },
        { id: 4, type: 'hvc1', data: Buffer.from('THUMBNAIL-PIXELS'), name: `thumb of ${OTHER}` },
        { id: 5, type: 'hvc1', data: Buffer.from('DEPTH-MAP-PIXELS') },
        { id: 6, type: 'Exif', data: Buffer.from(`\0\0\0\x06Exif\0\0MM\0*GPS 48.8584N owner Anna Private`) },
        { id: 7, type: 'mime', contentType: 'application/rdf+xml', data: Buffer.from(`<x:xmpmeta>${OTHER}, 12 Rue des Lilas</x:xmpmeta>`) },
      ],
      primary: 1,
      refs: [
        ['dimg', 1, [2, 3]],
        ['thmb', 4, [1]],
        ['auxl', 5, [1]],
        ['cdsc', 6, [1]],
        ['cdsc', 7, [1]],
      ],
      props: [
        hvcC([
          [32, [nal(32, Buffer.from('VPS'))]],
          [33, [nal(33, Buffer.from('SPS'))]],
          [34, [nal(34, Buffer.from('PPS'))]],
          [39, [nal(39, Buffer.from(`SEI user data ${OTHER}`))]],
        ]),
        ispe(64, 32),
        ispe(32, 32),
        full('udes', Buffer.from(`en\0Anna's bike\0Call ${OTHER}\0tags\0`)),
        box('irot', Buffer.from([0xf1])),
        full('auxC', Buffer.from(`urn:mpeg:hevc:2015:auxid:2\0${OTHER}`)),
        box('colr', Buffer.from('prof'), iccProfile(`Display P3 ${OTHER}`, 'Copyright Anna Private')),
      ],
      assoc: [
        [1, [2, 4, 5, 7]],
        [2, [-1, 3]],
        [3, [-1, 3]],
        [4, [-1, 3]],
        [5, [-1, 3, 6]],
      ],
      top: [box('uuid', Buffer.alloc(16, 0x11), Buffer.from(`vendor ${OTHER}`)), box('udta', Buffer.from(`©xyz ${OTHER}`)), box('free', Buffer.from(OTHER))],
      inMeta: [box('grpl', Buffer.from(`altr ${OTHER}`)), box('free', Buffer.from(OTHER)), box('free', Buffer.from(OTHER))],
      ...over,
    });

  it("keeps a grid, its tiles, its thumbnail and its colour profile, and removes the depth map, the Exif and XMP items, a description property, SEI in the HEVC configuration, the profile's text, uuid, udta and free bytes", () => {
    const photo = iphone();
    const clean = stripImageMetadata(photo);
    expect(clean.contentType).toBe('image/heic');
    expect(clean.bytes.length).toBe(photo.length);
    expect(has(clean.bytes, OTHER)).toBe(false);
    for (const gone of ['Anna', 'Lilas', 'DEPTH-MAP', 'SEI user', 'Apple pict', 'auxid']) expect(has(clean.bytes, gone), gone).toBe(false);
    for (const kept of ['TILE-ONE-PIXELS', 'TILE-TWO-PIXELS', 'THUMBNAIL-PIXELS', 'VPS', 'SPS', 'PPS', 'prof', 'acsp'])
      expect(has(clean.bytes, kept), kept).toBe(true);
    const after = items(clean.bytes);
    expect([...after.types]).toEqual([
      [1, 'grid'],
      [2, 'hvc1'],
      [3, 'hvc1'],
      [4, 'hvc1'],
    ]);
    expect(after.primary).toBe(1);
    expect(pictureKept(photo, clean.bytes).same).toBe(true);
    // The rotation's reserved bits zeroed, its angle kept.
    expect(clean.bytes[Buffer.from(clean.bytes).indexOf('irot') + 4]).toBe(1);
  });

  it('keeps an AVIF picture, its alpha plane, and is read as image/avif', () => {
    const av1C = box('av1C', Buffer.from([0x81, 0, 0x0c, 0]), Buffer.from([0x0a, 3, 1, 2, 3]), Buffer.from([0x2a, 4]), Buffer.from(OTHER));
    const photo = heifFile({
      brand: 'avif',
      items: [
        { id: 1, type: 'av01', data: Buffer.from('AV1-PIXELS') },
        { id: 2, type: 'av01', data: Buffer.from('ALPHA-PLANE') },
        { id: 3, type: 'Exif', data: Buffer.from(`\0\0\0\0MM\0*GPS ${OTHER}`) },
      ],
      primary: 1,
      refs: [
        ['auxl', 2, [1]],
        ['cdsc', 3, [1]],
      ],
      props: [av1C, ispe(8, 8), full('auxC', Buffer.from('urn:mpeg:mpegB:cicp:systems:auxiliary:alpha\0'))],
      assoc: [
        [1, [-1, 2]],
        [2, [-1, 2, -3]],
      ],
    });
    const clean = stripImageMetadata(photo);
    expect(clean.contentType).toBe('image/avif');
    expect(has(clean.bytes, OTHER)).toBe(false);
    expect([...items(clean.bytes).types.values()]).toEqual(['av01', 'av01']);
    expect(has(clean.bytes, 'ALPHA-PLANE') && has(clean.bytes, 'AV1-PIXELS') && has(clean.bytes, 'auxiliary:alpha')).toBe(true);
  });

  const grid = { id: 1, type: 'grid', method: 1, data: Buffer.from([0, 0, 0, 0, 0, 8, 0, 8]) };
  const tile = { id: 2, type: 'hvc1', data: Buffer.from('PIXELS') };
  const exif = { id: 3, type: 'Exif', data: Buffer.from(`\0\0\0\0MM\0*${OTHER}`) };
  const plain = { items: [grid, tile, exif], primary: 1, refs: [['dimg', 1, [2]] as const], props: [ispe(8, 8)], assoc: [[1, [1]] as const] };

  it.each<[string, HeifParts]>([
    ['two items whose bytes overlap', { ...plain, items: [grid, tile, { ...exif, extent: [2, 4] }] }],
    ['a location for an item the list does not have', { ...plain, strayLocation: 9 }],
    ['a picture whose bytes are outside its media data (in the box before it)', { ...plain, items: [grid, { ...tile, extent: [-20, 6] }, exif] }],
    [
      'a reference to an item the list does not have',
      {
        ...plain,
        refs: [
          ['dimg', 1, [2]],
          ['cdsc', 3, [8]],
        ],
      },
    ],
    [
      'a property for an item the list does not have',
      {
        ...plain,
        assoc: [
          [1, [1]],
          [7, [1]],
        ],
      },
    ],
    ['a property index past its properties', { ...plain, assoc: [[1, [5]]] }],
    ['an item located by construction method 2 (through other items)', { ...plain, items: [grid, { ...tile, method: 2 }, exif] }],
    ['a primary item that is no picture (its Exif)', { ...plain, primary: 3 }],
    ['a primary item the list does not have', { ...plain, primary: 12 }],
    ['a grid with more bytes than its fields', { ...plain, items: [{ ...grid, data: Buffer.from([0, 0, 0, 0, 0, 8, 0, 8, 0x41, 0x42]) }, tile, exif] }],
    ['a grid saying more tiles than it references', { ...plain, items: [{ ...grid, data: Buffer.from([0, 0, 1, 0, 0, 8, 0, 8]) }, tile, exif] }],
    ['a tile of a codec not read here', { ...plain, items: [grid, { ...tile, type: 'jpeg' }, exif] }],
    ['a property marked essential that is not kept', { ...plain, props: [ispe(8, 8), full('udes', Buffer.from('x\0'))], assoc: [[1, [1, -2]]] }],
  ])('removes a HEIF picture with %s', (_, parts) => {
    expect(() => stripImageMetadata(heifFile(parts))).toThrow(NotAnImage);
  });

  it('zeroes an Exif item kept in idat beside the grid, the grid kept where it was', () => {
    const photo = heifFile({ ...plain, items: [grid, tile, { ...exif, method: 1 }] });
    const clean = stripImageMetadata(photo);
    expect(has(clean.bytes, OTHER)).toBe(false);
    expect([...items(clean.bytes).types.values()]).toEqual(['grid', 'hvc1']);
    expect(items(clean.bytes).bytes.get(1)).toEqual(grid.data);
  });

  it('removes a HEIF image sequence (tracks in moov), a cut file, and one without its item tables', () => {
    const ok = heifFile(plain);
    expect(stripImageMetadata(ok).bytes.length).toBe(ok.length);
    const withMovie = Buffer.concat([ok, box('moov', box('mvhd'))]);
    expect(() => stripImageMetadata(withMovie)).toThrow(NotAnImage);
    expect(() => stripImageMetadata(ok.subarray(0, ok.length - 3))).toThrow(NotAnImage);
    const noTables = Buffer.concat([
      box('ftyp', Buffer.from('heic\0\0\0\0mif1heic')),
      full('meta', full('hdlr', Buffer.concat([Buffer.alloc(4), Buffer.from('pict'), Buffer.alloc(13)]))),
    ]);
    expect(() => stripImageMetadata(noTables)).toThrow(NotAnImage);
  });

  describe('round-21 attack: a hostile file is read in time linear in its size', () => {
    const two = [
      { id: 1, type: 'hvc1', data: Buffer.from('PIXELS') },
      { id: 2, type: 'hvc1', data: Buffer.from('NOT-AN-ALPHA-PLANE') },
    ];
    const refs = (n: number) => Array.from({ length: n }, () => ['auxl', 2, Array<number>(65_535).fill(1)] as const);

    it('an item naming the primary as its auxiliary 500 000 times, with a 4 MB auxC, is looked at once (was: the 4 MB read per reference, minutes)', () => {
      const photo = heifFile({
        items: two,
        primary: 1,
        refs: refs(8),
        props: [ispe(8, 8), full('auxC', Buffer.from(`${OTHER} `.repeat(130_000)))],
        assoc: [
          [1, [1]],
          [2, [1, 2]],
        ],
      });
      const clean = stripImageMetadata(photo);
      expect([...items(clean.bytes).types.values()]).toEqual(['hvc1']);
      expect(has(clean.bytes, OTHER) || has(clean.bytes, 'NOT-AN-ALPHA')).toBe(false);
    });

    it('500 000 such references beside 30 000 property association boxes are looked at once each (was: every box per reference)', () => {
      const photo = heifFile({
        items: two,
        primary: 1,
        refs: refs(8),
        props: [ispe(8, 8)],
        assoc: [
          [1, [1]],
          [2, [1]],
        ],
        inIprp: Array.from({ length: 30_000 }, () => full('ipma', Buffer.alloc(4))),
      });
      expect([...items(stripImageMetadata(photo).bytes).types.values()]).toEqual(['hvc1']);
    });

    it('an auxiliary type of a megabyte is no alpha plane and no stack overflow (was: RangeError)', () => {
      const photo = heifFile({
        items: two,
        primary: 1,
        refs: [['auxl', 2, [1]]],
        props: [ispe(8, 8), full('auxC', Buffer.from(`${'x'.repeat(1 << 20)}\0`))],
        assoc: [
          [1, [1, 2]],
          [2, [1, 2]],
        ],
      });
      const clean = stripImageMetadata(photo);
      expect([...items(clean.bytes).types.values()]).toEqual(['hvc1']);
      expect(has(clean.bytes, 'xxxx')).toBe(false);
    });
  });
});
