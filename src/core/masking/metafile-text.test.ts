import { describe, expect, it } from 'vitest';
import { isMetafile, metafileTexts } from './metafile-text.js';
import { BrokenText } from './ole-bytes.js';
import {
  emf,
  emfFont,
  emfPlusDrawString,
  emfRecord,
  emfShapes,
  extTextOut,
  smallTextOut,
  wmf,
  wmfExtTextOut,
  wmfFont,
  wmfTextOut,
  wmfTextOutAt,
} from '../../../test/fixtures/metafile.js';

const joined = (b: Buffer) => metafileTexts(new Uint8Array(b))?.join('|') ?? null;

describe('the text a metafile picture draws (metafileTexts)', () => {
  it.each([
    ['EMR_EXTTEXTOUTW', emf([extTextOut('anna@other.example')])],
    ['EMR_EXTTEXTOUTA', emf([extTextOut('anna@other.example', false)])],
    ['EMR_SMALLTEXTOUT', emf([...emfShapes(), smallTextOut('anna@other.example')])],
    ['EMF+ DrawString', emf([emfPlusDrawString('anna@other.example')])],
    ["the header's description", emf([], 'anna@other.example')],
    ['a comment another program may draw', emf([emfRecord(70, Buffer.concat([Buffer.from([22, 0, 0, 0]), Buffer.from('GDICanna@other.example')]))])],
    ['META_TEXTOUT', wmf([wmfTextOut('anna@other.example')])],
    ['META_EXTTEXTOUT', wmf([wmfExtTextOut('anna@other.example')])],
  ])('reads %s', (_, b) => {
    expect(joined(b)).toContain('anna@other.example');
  });

  it('reads a text drawn in pieces (a record per word or per character) joined as drawn (round-15 attack)', () => {
    expect(joined(emf([extTextOut('anna.o'), extTextOut('@other.example')]))).toContain('anna.o@other.example');
    expect(joined(emf([...'anna@other.example'].map((ch) => extTextOut(ch, false))))).toContain('anna@other.example');
    expect(joined(emf([emfPlusDrawString('anna@'), emfPlusDrawString('other.example')]))).toContain('anna@other.example');
    expect(joined(wmf([wmfTextOut('anna@'), wmfExtTextOut('other.example')]))).toContain('anna@other.example');
    expect(joined(emf([extTextOut('only one')]))).toBe('only one');
  });

  it('reads a font’s names: an EMF LogFont’s FaceName and a LogFontEx’s FullName, a WMF font’s FaceName (round-17 attack)', () => {
    expect(joined(emf([emfFont('anna@other.example'), extTextOut('Total 19.99')]))).toContain('anna@other.example');
    expect(joined(emf([emfFont('Arial', 'anna@other.example')]))).toContain('anna@other.example');
    expect(joined(wmf([wmfFont('anna@other.example'), wmfTextOut('Total')]))).toContain('anna@other.example');
    // Its name up to its NUL, not the field's leftovers; an ordinary font reads as its name.
    expect(metafileTexts(new Uint8Array(emf([emfFont('Arial')])))).toEqual(['Arial']);
  });

  it('reads text placed by position out of record order: runs on one baseline joined left to right (round-17 attack)', () => {
    // `@other.example` drawn first at x 300, `anna` after it at x 100: a reader sees `anna@other.example`.
    const emfRuns = emf([extTextOut('@other.example', true, 0, [300, 50]), extTextOut('Total', true, 0, [100, 90]), extTextOut('anna', true, 0, [100, 50])]);
    expect(metafileTexts(new Uint8Array(emfRuns))).toContain('anna@other.example\nTotal');
    expect(joined(wmf([wmfTextOutAt('@other.example', 300, 50), wmfTextOutAt('anna', 100, 50)]))).toContain('anna@other.example');
    // Runs on other baselines are not joined into one line.
    expect(joined(emf([extTextOut('@other.example', true, 0, [300, 50]), extTextOut('anna', true, 0, [100, 80])]))).not.toContain('anna@other.example');
  });

  it('reads an EMF kept in a WMF’s escapes (META_ESCAPE_ENHANCED_METAFILE), in pieces', () => {
    const inner = emf([extTextOut('anna@other.example')]);
    const piece = (bytes: Buffer) => {
      const data = Buffer.concat([Buffer.from(new Uint32Array([0x43464d57, 1, 0x10000]).buffer), Buffer.alloc(2), Buffer.alloc(20), bytes]);
      const params = Buffer.concat([Buffer.from(new Uint16Array([0x000f, data.length]).buffer), data, Buffer.alloc(data.length % 2)]);
      return Buffer.concat([Buffer.from(new Uint32Array([(6 + params.length) / 2]).buffer), Buffer.from(new Uint16Array([0x0626]).buffer), params]);
    };
    const half = inner.length >> 1;
    expect(joined(wmf([piece(inner.subarray(0, half)), piece(inner.subarray(half))]))).toContain('anna@other.example');
  });

  it('reads a metafile inside an EMF+ image object, whole or in continued pieces, and not a bitmap’s pixels', () => {
    const u32 = (...v: number[]) => Buffer.from(new Uint32Array(v).buffer);
    const plus = (flags: number, data: Buffer) =>
      Buffer.concat([Buffer.from(new Uint16Array([0x4008, flags]).buffer), u32(12 + data.length, data.length), data]);
    const comment = (records: Buffer[]) => {
      const body = Buffer.concat([u32(0x2b464d45), ...records]);
      return emfRecord(70, Buffer.concat([u32(body.length), body]));
    };
    const inner = emf([extTextOut('anna@other.example')]);
    const image = Buffer.concat([u32(0xdbc01002, 2, 3, inner.length), inner]);
    const IMAGE = 5 << 8;
    expect(joined(emf([comment([plus(IMAGE, image)])]))).toContain('anna@other.example');
    const half = image.length >> 1;
    const pieces = [plus(IMAGE | 0x8000, Buffer.concat([u32(image.length), image.subarray(0, half)])), plus(IMAGE, image.subarray(half))];
    expect(joined(emf([comment(pieces)]))).toContain('anna@other.example');
    const bitmap = Buffer.concat([u32(0xdbc01002, 1), Buffer.from('anna@other.example')]);
    expect(joined(emf([comment([plus(IMAGE, bitmap)])]))).toBe('');
  });

  it('reads nothing from a logo of shapes, and stops at a record that runs past the data', () => {
    expect(joined(emf(emfShapes()))).toBe('');
    const cut = emf([extTextOut('anna@other.example')]);
    cut.writeUInt32LE(0x7fffffff, 88 + 4);
    expect(joined(cut)).toBe('');
  });

  it('refuses (BrokenText) raw data past its limit before reading it', () => {
    const big = emf([emfRecord(70, Buffer.concat([Buffer.from([0, 0x10, 0, 0]), Buffer.alloc(4096, 0x41)]))]);
    expect(() => metafileTexts(new Uint8Array(big), { left: 1000 })).toThrow(BrokenText);
    expect(metafileTexts(new Uint8Array(big), { left: 5000 })).not.toBeNull();
    // The strings it draws count too, before they are decoded (round-15 attack: 90 MB of text records).
    const drawing = emf(Array.from({ length: 10 }, () => extTextOut('x'.repeat(100))));
    expect(() => metafileTexts(new Uint8Array(drawing), { left: 1500 })).toThrow(BrokenText);
    expect(metafileTexts(new Uint8Array(drawing), { left: 2500 })).toHaveLength(11);
  });

  it('is null for anything that is no metafile (a PNG, text, nothing)', () => {
    expect(isMetafile(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(false);
    expect(metafileTexts(new TextEncoder().encode('anna@other.example, and more text beyond 88 bytes '.repeat(3)))).toBeNull();
    expect(metafileTexts(new Uint8Array(0))).toBeNull();
    expect(isMetafile(new Uint8Array(emf([])))).toBe(true);
    expect(isMetafile(new Uint8Array(wmf([])))).toBe(true);
  });

  it('reads 100 000 text records (a quadratic reading would pass the test timeout)', () => {
    const records = Array.from({ length: 100_000 }, (_, k) => extTextOut(`line ${k}`));
    // Each record's string, and all of them joined as drawn.
    expect(metafileTexts(new Uint8Array(emf(records)))).toHaveLength(100_001);
  });
});
