import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import { container, excelFile, fopt, pptContainer, pptRecord, rec, sst, workbookStream } from '../../../test/fixtures/legacy-office.js';
import { BrokenText } from './ole-bytes.js';
import { officeArtPictureTexts, officeArtTexts } from './office-art.js';
import { emf, emfShapes, extTextOut, officeArtBlip, wmf, wmfTextOut } from '../../../test/fixtures/metafile.js';
import { oleShownTexts } from './ole-text.js';

const KIM = 'kim.lee@partner.example';
const u16 = (n: number) => Buffer.from([n & 0xff, n >>> 8]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

describe('officeArtTexts: the texts drawings keep as shape properties', () => {
  it.each([
    ['WordArt (gtextUNICODE)', fopt([[0x00c0, `${KIM}\u0000`]]), [`${KIM}\u0000`]],
    [
      'a name, alt text and tooltip',
      fopt([
        [0x0380, 'Picture 1'],
        [0x0381, KIM],
        [0x038d, 'tip'],
      ]),
      ['Picture 1', KIM, 'tip'],
    ],
    ['a secondary property table', pptRecord(0xf121, fopt([[0x0381, KIM]]).subarray(8), 3 | (1 << 4)), [KIM]],
    ['inside a container, after other records', pptContainer(0xf004, [pptRecord(0xf00a, Buffer.alloc(8), 2), fopt([[0x00c0, KIM]])]), [KIM]],
  ])('reads %s', (_, bytes, texts) => expect(officeArtTexts(bytes)).toEqual(texts));

  it.each([
    // Kept: a shape's vertices, a property that is not complex, a table that does not fit its record.
    ['vertices (not text)', fopt([[0x0145, KIM]])],
    ['a simple property', pptRecord(0xf00b, Buffer.concat([u16(0x00c0), u32(64)]), 3 | (1 << 4))],
    ['a record longer than the bytes', Buffer.concat([u16(3 | (1 << 4)), u16(0xf00b), u32(999), u16(0x80c0), u32(4), Buffer.from('ab')])],
    ['ordinary bytes', Buffer.from('Kettle 2 pcs @ 19.99 EUR \u00f0\u000b', 'latin1')],
  ])('reads nothing from %s', (_, bytes) => expect(officeArtTexts(bytes).join('')).not.toContain('@partner'));

  it('refuses property tables overlapping past twice the bytes (linear), and reads 10 000 honest ones', () => {
    // One header every 8 bytes, each claiming 4 000 properties over what follows.
    const evil = Buffer.alloc(200_000);
    for (let at = 0; at + 8 <= evil.length; at += 8) Buffer.concat([u16(3 | (4000 << 4)), u16(0xf00b), u32(24_000)]).copy(evil, at);
    expect(() => officeArtTexts(evil)).toThrow(BrokenText);
    const honest = Buffer.concat(Array.from({ length: 10_000 }, () => fopt([[0x0380, 'Picture 1']])));
    expect(officeArtTexts(honest)).toHaveLength(10_000);
  });
});

describe('the texts of a legacy file reach its drawings', () => {
  it("reads a workbook's drawing, one OfficeArt stream across its records and CONTINUE", () => {
    const art = fopt([[0x00c0, KIM]]);
    const cut = 12;
    const stream = workbookStream([sst(['Kettle'])], [rec(0x00ec, art.subarray(0, cut)), rec(0x003c, art.subarray(cut))]);
    const texts = oleShownTexts(CFB.read(excelFile(stream), { type: 'buffer' }));
    expect(texts?.join('\n')).toContain(KIM);
  });

  it('reads a stream whose name is in another case (Office opens `workbook` as `Workbook`)', () => {
    const stream = workbookStream([sst([KIM])]);
    expect(oleShownTexts(CFB.read(container({ workbook: stream, 'Old/Workbook': workbookStream([]) }), { type: 'buffer' }))?.join('\n')).toContain(KIM);
  });
});

describe('the text an OfficeArt EMF or WMF picture draws (officeArtPictureTexts)', () => {
  it('reads a compressed or stored EMF and a WMF blip at any byte, and nothing from a logo or a blip that does not inflate', () => {
    const at = (blip: Buffer) => officeArtPictureTexts(new Uint8Array(Buffer.concat([Buffer.alloc(3, 1), blip, Buffer.alloc(5)]))).join('|');
    expect(at(officeArtBlip(emf([extTextOut('anna@other.example')])))).toContain('anna@other.example');
    expect(at(officeArtBlip(emf([extTextOut('anna@other.example')]), true))).toContain('anna@other.example');
    expect(at(officeArtBlip(wmf([wmfTextOut('anna@other.example')])))).toContain('anna@other.example');
    expect(at(officeArtBlip(emf(emfShapes())))).toBe('');
    const broken = officeArtBlip(emf([extTextOut('anna@other.example')]));
    broken.fill(0x55, 8 + 16 + 34);
    expect(at(broken)).toBe('');
  });

  it('refuses pictures that unpack past its limit', () => {
    const blip = officeArtBlip(emf([extTextOut('x'.repeat(5000))]));
    expect(() => officeArtPictureTexts(new Uint8Array(Buffer.concat([blip, blip])), 12_000)).toThrow(BrokenText);
  });
});
