import { strToU8, zipSync } from 'fflate';
import CFB from 'cfb';
import { describe, expect, it } from 'vitest';
import {
  bof,
  container,
  cString,
  currentUser,
  eof,
  excelFile,
  label,
  powerPointFile,
  pptByOffsets,
  pptContainer,
  pptRecord,
  rec,
  slideTexts,
  sst,
  textBytes,
  textChars,
  wordFile,
  wordStreams,
  workbookStream,
  xlString,
} from '../../../test/fixtures/legacy-office.js';
import { findAddresses } from './address-finder.js';
import { cleanOle, NotWhatItClaims } from './document-metadata.js';
import { oleShownTexts } from './ole-text.js';
import { docFormFieldTexts } from './doc-text.js';
import { BrokenText } from './ole-bytes.js';
import { xlsPivotCacheTexts, xlsText } from './xls-text.js';

const DOC = 'application/msword';
const XLS = 'application/vnd.ms-excel';
const PPT = 'application/vnd.ms-powerpoint';
const KIM = 'kim.lee@partner.example';
const texts = (file: Buffer, type: string) => cleanOle(file, type).texts;
const u16 = (n: number) => Buffer.from([n & 0xff, n >>> 8]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};

/** A container of `streams` as cfb holds it after reading (oleShownTexts' input). */
function held(streams: Record<string, Uint8Array>): CFB.CFB$Container {
  const c = CFB.utils.cfb_new();
  for (const [name, data] of Object.entries(streams)) CFB.utils.cfb_add(c, name, data);
  return c;
}

const written = (streams: Record<string, Uint8Array>) => Buffer.from(CFB.write(held(streams), { type: 'buffer' }) as Uint8Array);

/** mulberry32: the same bytes on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomBytes = (n: number, next: () => number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));

describe('a .doc: the text of its piece table', () => {
  it.each([
    ['one UTF-16 piece', [`Ask ${KIM}\r`], `Ask ${KIM}\r`],
    ['8-bit pieces read as Windows-1252', [{ text: 'Price \x80 5, \x93quoted\x94\r', compressed: true }], 'Price € 5, “quoted”\r'],
    ['an address across two pieces of either kind', [{ text: 'kim.lee', compressed: true }, '@partner.example\r'], `${KIM}\r`],
    ['footnotes and headers after the main text (one CP range)', ['Main\r', 'Footnote: write to kim\r', 'Header\r'], 'Main\rFootnote: write to kim\rHeader\r'],
  ])('reads %s', (_, pieces, want) => {
    expect(texts(wordFile(pieces), DOC)).toEqual([want]);
  });

  it('reads a field as stored (instruction and result), then as Word shows it (its result)', () => {
    const field = '\u0013 HYPERLINK "mailto:x@y.example" \u0014x\u0015\r';
    expect(texts(wordFile([field]), DOC)).toEqual([field, 'x\r', 'x\r']);
  });

  it('reads a fast-saved document by its pieces, as Word shows it', () => {
    expect(texts(wordFile(['Old text', { text: ' new text\r', compressed: true }], { flags: 0x0004 | 0x0010 }), DOC)).toEqual(['Old text new text\r']);
  });

  it('skips the property entries (Prc) before the piece table', () => {
    const withPrc = (clx: Buffer) => Buffer.concat([Buffer.from([0x01]), u16(3), Buffer.from([1, 2, 3]), Buffer.from([0x01]), u16(0), clx]);
    expect(texts(wordFile(['Return label\r'], { clx: withPrc }), DOC)).toEqual(['Return label\r']);
  });

  it('reads no text from a WordDocument stream without a Word 97 FIB (Word does not open it)', () => {
    const c = CFB.utils.cfb_new();
    CFB.utils.cfb_add(c, 'WordDocument', Buffer.from(`Return label ${KIM}`, 'utf16le'));
    expect(texts(Buffer.from(CFB.write(c, { type: 'buffer' }) as Uint8Array), DOC)).toBeUndefined();
  });

  it.each([
    ['an encrypted document', { flags: 0x0100 }, /^an encrypted Word document/],
    ['a Word 95 document', { nFib: 0x0068 }, /^a Word 6 or 95 document/],
    ['a piece table past the table stream', { clx: (c: Buffer) => c.subarray(0, c.length - 4) }, /^a Word document whose text could not be read/],
    ['CPs out of order', { clx: (c: Buffer) => Buffer.concat([c.subarray(0, 5), u32(7), c.subarray(9)]) }, /could not be read/],
    ['more characters than the stream holds', { clx: (c: Buffer) => Buffer.concat([c.subarray(0, 9), u32(0x7fffffff), c.subarray(13)]) }, /could not be read/],
    ['a piece past the stream', { clx: (c: Buffer) => Buffer.concat([c.subarray(0, 15), u32(0x00ffffff), c.subarray(19)]) }, /could not be read/],
    ['no piece table', { clx: () => Buffer.from([0x05]) }, /could not be read/],
  ])('removes %s', (_, o, message) => {
    expect(() => cleanOle(wordFile(['Hello\r'], o), DOC)).toThrow(message);
  });

  it('removes a document whose table stream is missing', () => {
    const { WordDocument } = wordStreams(['Hello\r']);
    expect(() => oleShownTexts(held({ WordDocument }))).toThrow(NotWhatItClaims);
  });

  it('removes a document carrying a VBA project, its storage named in any case, even a bare VBA storage', () => {
    const body = wordStreams(['Hello\r']);
    for (const storage of ['Macros/VBA/ThisDocument', 'MACROS/vba/dir', 'Macro\u017f/VBA/dir', '_vba_project_cur/VBA/dir', 'VBA/dir', 'Vba/Module1'])
      expect(() => cleanOle(container({ ...body, [storage]: Buffer.from([1, 0x19, 0xb0]) }), DOC), storage).toThrow(/carries macros/);
    // Kept: a stream whose name only begins like one, or a storage of that name deeper down.
    for (const stream of ['Macrosoft', 'VBAData', 'Data/VBA/x'])
      expect(() => cleanOle(container({ ...body, [stream]: Buffer.from('x') }), DOC), stream).not.toThrow();
  });
});

describe('a .xls: the strings of its BIFF8 records', () => {
  const read = (globals: Buffer[], cells: Buffer[] = []) => texts(excelFile(workbookStream(globals, cells)), XLS)?.[0]?.split('\n');

  it('reads the shared strings, across CONTINUE records that restate the flags byte', () => {
    const strings = ['Name', `${'y'.repeat(40)} ${KIM}`, 'Ünïcödé ✓ Kim', `Kim ✓ ${'z'.repeat(30)}`];
    expect(read([sst(strings, 24)])).toEqual([...strings, 'Sheet1']);
  });

  it('reads a workbook of 300 000 shared strings (none spread onto the stack)', () => {
    const strings = Array.from({ length: 300_000 }, (_, k) => `Item ${k}`);
    expect(read([sst(strings)])).toHaveLength(300_001);
  });

  it('skips rich-text runs and phonetic blocks in the shared strings', () => {
    // One string with 2 runs and a 6-byte phonetic block, then a plain one.
    const rich = Buffer.concat([u16(5), Buffer.from([0x0c]), u16(2), u32(6), Buffer.from('Hello'), Buffer.alloc(8, 0x40), Buffer.alloc(6, 0x40)]);
    const body = Buffer.concat([u32(2), u32(2), rich, u16(3), Buffer.from([0]), Buffer.from('Bye')]);
    expect(read([rec(0x00fc, body)])).toEqual(['Hello', 'Bye', 'Sheet1']);
  });

  it('reads cells, formula results and constants, names, headers, comments, links, formats, validations, chart and external texts', () => {
    const hlink = Buffer.concat([
      Buffer.alloc(8),
      Buffer.alloc(16),
      u32(2),
      u32(0x17),
      u32(4),
      Buffer.from('Kim\0', 'utf16le'),
      u32(0),
      Buffer.from(`mailto:${KIM}\0`, 'utf16le'),
    ]);
    const got = read(
      [
        rec(
          0x0018,
          Buffer.concat([
            u16(0),
            Buffer.from([0, 4]),
            u16(7),
            u16(0),
            u16(0),
            Buffer.alloc(4),
            Buffer.from([0]),
            Buffer.from('Kims'),
            Buffer.from([0x17, 3, 0]),
            Buffer.from('a@b'),
          ]),
        ),
        rec(0x041e, Buffer.concat([u16(164), xlString('"Price "0.00')])),
        rec(0x01ae, Buffer.concat([u16(1), u16(13), Buffer.from([0]), Buffer.from('\\\\srv\\kim.xls'), xlString('Orders')])),
      ],
      [
        label('Label text'),
        rec(0x0006, Buffer.concat([Buffer.alloc(20), u16(11), Buffer.from([0x17, 8, 0]), Buffer.from('Formula '), Buffer.from([0x17, 0, 0])])),
        rec(0x0207, xlString('Formula result')),
        rec(0x0014, xlString('&LHeader text')),
        rec(0x0015, Buffer.alloc(0)),
        rec(0x001c, Buffer.concat([Buffer.alloc(8), xlString('Kim Lee')])),
        rec(0x01b6, Buffer.concat([Buffer.alloc(10), u16(12), Buffer.alloc(6)])),
        rec(0x003c, Buffer.concat([Buffer.from([0]), Buffer.from('Comment ')])),
        rec(0x003c, Buffer.concat([Buffer.from([1]), Buffer.from('text', 'utf16le')])),
        rec(0x01b8, hlink),
        rec(0x01be, Buffer.concat([u32(0), xlString('Prompt title'), xlString('\0'), xlString('Prompt text'), xlString('\0')])),
        rec(0x100d, Buffer.concat([u16(0), Buffer.from([6, 0]), Buffer.from('Series')])),
        rec(
          0x089c,
          Buffer.concat([
            Buffer.alloc(30),
            u16(0),
            u16(11),
            u16(0),
            u16(12),
            Buffer.from([0]),
            Buffer.from('Even footer'),
            Buffer.from([1]),
            Buffer.from('First footer', 'utf16le'),
          ]),
        ),
      ],
    );
    for (const want of [
      'Kims',
      'a@b',
      '"Price "0.00',
      '\\\\srv\\kim.xls',
      'Orders',
      'Label text',
      'Formula ',
      'Formula result',
      '&LHeader text',
      'Kim Lee',
      'Comment text',
      'Prompt title',
      'Prompt text',
      'Series',
      'Even footer',
      'First footer',
    ])
      expect(got, want).toContain(want);
    expect(got?.some((t) => t.includes(`mailto:${KIM}`))).toBe(true);
  });

  it('reads no address from a picture, a number or a record it does not show', () => {
    const picture = Buffer.from('\x89PNG ab@cd.com kim.lee@partner.example', 'latin1');
    const got = read([rec(0x00eb, picture)], [rec(0x00ec, picture), rec(0x0203, Buffer.concat([Buffer.alloc(6), Buffer.from('x@yy.com')])), label('Total')]);
    expect(got).toEqual(['Sheet1', 'Total']);
  });

  it('reads past zero padding or bytes after the last substream, which Excel does not reach', () => {
    const stream = workbookStream([], [label('Total')]);
    expect(texts(excelFile(Buffer.concat([stream, Buffer.alloc(4096 - stream.length)])), XLS)).toEqual(['Sheet1\nTotal']);
    expect(texts(excelFile(Buffer.concat([stream, Buffer.from([1, 2, 0xff, 0xff, 9])])), XLS)).toEqual(['Sheet1\nTotal']);
  });

  it('reads no text from a Workbook stream that does not open with a BOF record', () => {
    expect(texts(excelFile(Buffer.from(`Total ${KIM}`, 'utf16le')), XLS)).toBeUndefined();
  });

  it.each([
    ['an encrypted workbook', workbookStream([rec(0x002f, Buffer.alloc(54))]), /^an encrypted Excel workbook/],
    ['an Excel 95 workbook', Buffer.concat([bof(0x0005, 0x0500), eof()]), /^an Excel 5 or 95 workbook/],
    ['a record past the end of a sheet', workbookStream([], [label('Total')]).subarray(0, -6), /^an Excel workbook whose text could not be read/],
    [
      'a string past its record',
      workbookStream([], [rec(0x0204, Buffer.concat([Buffer.alloc(6), u16(50), Buffer.from([0]), Buffer.from('short')]))]),
      /could not be read/,
    ],
    [
      'a shared string past the SST',
      workbookStream([rec(0x00fc, Buffer.concat([u32(1), u32(1), u16(9), Buffer.from([1]), Buffer.from('ab')]))]),
      /could not be read/,
    ],
    [
      'a sheet where no BOF record is',
      Buffer.concat([bof(), rec(0x0085, Buffer.concat([u32(3), Buffer.from([0, 0, 1, 0]), Buffer.from('S')])), eof()]),
      /could not be read/,
    ],
  ])('removes %s', (_, stream, message) => {
    expect(() => cleanOle(excelFile(stream), XLS)).toThrow(message);
  });
});

describe('a .ppt: the text atoms of its record tree', () => {
  it('reads text atoms, 8-bit text atoms and strings at any depth, and no picture', () => {
    const file = powerPointFile([
      slideTexts([textChars('Slide one ✓'), textBytes('Notes: caf\xe9')]),
      pptContainer(0x0fd7, [cString('Kim'), cString(`mailto:${KIM}`)]),
      pptContainer(0xf002, [pptContainer(0xf00d, [textChars('In a shape')]), pptRecord(0xf01e, Buffer.from('ab@cd.com'))]),
    ]);
    expect(texts(file, PPT)).toEqual([['Slide one ✓', 'Notes: café', 'Kim', `mailto:${KIM}`, 'In a shape'].join('\n')]);
  });

  it('reads the record tree without a PowerPoint 97 Current User stream, and no text when it does not add up', () => {
    expect(oleShownTexts(held({ 'PowerPoint Document': slideTexts([textChars(KIM)]) }))).toEqual([KIM]);
    expect(oleShownTexts(held({ 'PowerPoint Document': Buffer.from(`Slide ${KIM}`, 'utf16le') }))).toBeUndefined();
  });

  it('reads a text atom marked as a container as the atom it is', () => {
    expect(
      oleShownTexts(held({ 'PowerPoint Document': slideTexts([pptRecord(0x0fa0, Buffer.from(KIM, 'utf16le'), 0x0f)]), 'Current User': currentUser() })),
    ).toEqual([KIM]);
  });

  it('reads a slide its persist directory points at inside another record, and passes over offsets past the stream', () => {
    const doc = pptContainer(0x03e8, [slideTexts([textChars('Kettle')])]);
    const inner = pptContainer(0x03ee, [textChars(KIM)]);
    expect(oleShownTexts(held(pptByOffsets([doc, pptRecord(0x0fc9, inner)], [0, doc.length + 8, 1 << 30])))).toEqual([`Kettle\n${KIM}`]);
    // An honest file: every offset a record the walk reached, each read once.
    expect(oleShownTexts(held(pptByOffsets([doc, inner], [0, doc.length])))).toEqual([`Kettle\n${KIM}`]);
  });

  it('removes offsets made to walk one region again and again (linear)', () => {
    // 2 000 containers nested in an atom's data, an offset at each: each would walk all inside it.
    let nest = textChars('x');
    for (let k = 0; k < 2000; k++) nest = pptContainer(0x03ee, [nest]);
    const doc = pptContainer(0x03e8, [textChars('Kettle')]);
    const offsets = Array.from({ length: 2000 }, (_, k) => doc.length + 8 + k * 8);
    expect(() => cleanOle(container(pptByOffsets([doc, pptRecord(0x0fc9, nest)], offsets)), PPT)).toThrow(/could not be read/);
  });

  it('reads the packages PowerPoint 2007 keeps in atoms (a slide layout), tags as nothing, and removes one that does not unzip', () => {
    const zip = Buffer.from(zipSync({ 'slideLayout1.xml': strToU8(`<a:p><a:r><a:t>kim.lee@</a:t></a:r><a:r><a:t>partner.example</a:t></a:r></a:p>`) }));
    expect(texts(powerPointFile([pptContainer(0x03f8, [pptRecord(0x041e, zip)])]), PPT)?.join('\n')).toContain(KIM);
    const broken = Buffer.concat([zip.subarray(0, 30), Buffer.alloc(20)]);
    expect(() => cleanOle(powerPointFile([pptContainer(0x03f8, [pptRecord(0x041e, broken)])]), PPT)).toThrow(/could not be read/);
  });

  it('removes a presentation whose packages hold more than 16 MB of XML (a 336 KB .ppt held ~500 MB)', () => {
    const para = '<a:p><a:r><a:t>Kettle order A-1001 shipped today.</a:t></a:r></a:p>';
    const layout = (mb: number) =>
      Buffer.from(zipSync({ 'slideLayout1.xml': strToU8(`<p:sldLayout>${para.repeat(Math.ceil((mb * 1024 * 1024) / para.length))}</p:sldLayout>`) }));
    const ppt = (...mbs: number[]) =>
      powerPointFile([
        pptContainer(
          0x03f8,
          mbs.map((mb) => pptRecord(0x041e, layout(mb))),
        ),
      ]);
    expect(() => cleanOle(ppt(17), PPT)).toThrow(/more than 16 MB of text/);
    expect(() => cleanOle(ppt(9, 9), PPT)).toThrow(/more than 16 MB of text/);
    expect(() => cleanOle(ppt(1), PPT)).not.toThrow();
  });

  it('reads past a few bytes after the last record', () => {
    const stream = Buffer.concat([slideTexts([textChars('Hello')]), Buffer.from([1, 2, 3])]);
    expect(oleShownTexts(held({ 'PowerPoint Document': stream, 'Current User': currentUser() }))).toEqual(['Hello']);
  });

  it.each([
    ['an encrypted presentation', powerPointFile([slideTexts([textChars('x')])], 0xf3d1c4df), /^an encrypted PowerPoint presentation/],
    [
      'a record longer than its container',
      powerPointFile([pptRecord(0x0ff0, Buffer.concat([u16(0), u16(0x0fa0), u32(100), Buffer.from('ab')]), 0x0f)]),
      /^a PowerPoint presentation whose text could not be read/,
    ],
    ['a container ending inside a header', powerPointFile([pptRecord(0x0ff0, Buffer.from([0, 0, 0xa0, 0x0f]), 0x0f)]), /could not be read/],
  ])('removes %s', (_, file, message) => {
    expect(() => cleanOle(file, PPT)).toThrow(message);
  });
});

describe('a legacy Office file that embeds another file', () => {
  it.each([
    ['a .doc with an object in its ObjectPool', { ...wordStreams(['Chart:\u0001\r']), 'ObjectPool/_1577691201/\u0001Ole10Native': Buffer.from(KIM) }],
    ['a .xls with an MBD storage', { Workbook: workbookStream([], [label('Total')]), 'MBD0009CF7B/\u0001Ole10Native': Buffer.from(KIM) }],
    [
      'a .ppt with an ExOleObjStg record',
      { 'PowerPoint Document': pptContainer(0x03e8, [pptRecord(0x1011, Buffer.from(KIM))]), 'Current User': currentUser() },
    ],
  ])('removes %s: nothing reads it', (_, streams) => {
    expect(() => oleShownTexts(held(streams))).toThrow(/^carries an embedded file \(an OLE object\)/);
  });

  it("keeps a .doc with an empty ObjectPool (Word makes one), and a workbook's \u0001Ole stream", () => {
    const c = held({ ...wordStreams(['Hello\r']), '\u0001Ole': Buffer.alloc(20) });
    CFB.utils.cfb_add(c, 'ObjectPool/', Buffer.alloc(0));
    expect(oleShownTexts(c)).toEqual(['Hello\r']);
    expect(oleShownTexts(held({ Workbook: workbookStream([], [label('Total')]), '\u0001Ole': Buffer.alloc(20) }))).toEqual(['Sheet1\nTotal']);
  });
});

describe('legacy Office readers on hostile input', () => {
  const samples: Record<string, Record<string, Buffer>> = {
    doc: wordStreams(['Return label for A-1001\r', { text: `Kim ${KIM}\r`, compressed: true }, '\u0013 PAGE \u00141\u0015\r']),
    xls: { Workbook: workbookStream([sst(['Name', `Kim ${KIM}`, 'Ünïcödé'], 20)], [label('Total'), rec(0x0207, xlString('x'))]) },
    ppt: {
      'PowerPoint Document': pptContainer(0x03e8, [slideTexts([textChars('Slide'), textBytes(KIM)]), pptContainer(0x0fd7, [cString('Kim')])]),
      'Current User': currentUser(),
    },
  };

  /** Reads or refuses (NotWhatItClaims); anything else thrown fails the test. */
  const readsOrRefuses = (streams: Record<string, Uint8Array>) => {
    try {
      const t = oleShownTexts(held(streams));
      return t === undefined || t.every((s) => typeof s === 'string');
    } catch (err) {
      return err instanceof NotWhatItClaims;
    }
  };

  it.each(Object.keys(samples))('reads or refuses every truncation of a %s stream and of its table stream', (kind) => {
    const streams = samples[kind] as Record<string, Buffer>;
    for (const [name, data] of Object.entries(streams))
      for (let n = 0; n < data.length; n++) expect(readsOrRefuses({ ...streams, [name]: data.subarray(0, n) }), `${name} cut at ${n}`).toBe(true);
  });

  it.each(Object.keys(samples))('reads or refuses 2000 garbled %s streams, in bounded time and text', (kind) => {
    const next = seeded(kind.length * 7919);
    const streams = samples[kind] as Record<string, Buffer>;
    for (let round = 0; round < 2000; round++) {
      const garbled = Object.fromEntries(
        Object.entries(streams).map(([name, data]) => {
          const copy = Buffer.from(data);
          for (let k = 0; k < 1 + Math.floor(next() * 6); k++) copy[Math.floor(next() * copy.length)] = next() < 0.3 ? 0xff : Math.floor(next() * 256);
          return [name, copy];
        }),
      );
      expect(readsOrRefuses(garbled), `round ${round}`).toBe(true);
      try {
        const total = (oleShownTexts(held(garbled)) ?? []).reduce((n, t) => n + t.length, 0);
        // Never more text than the streams have bytes (no length field makes it grow).
        expect(total).toBeLessThanOrEqual(Object.values(garbled).reduce((n, d) => n + d.length, 0) * 3);
      } catch (err) {
        expect(err).toBeInstanceOf(NotWhatItClaims);
      }
    }
  });

  it('reads no address in 1 MiB of random bytes kept as a picture in a .doc, a .xls or a .ppt', () => {
    const next = seeded(42);
    const noise = randomBytes(1 << 20, next);
    // Random bytes hold something shaped like an address at once when read whole.
    expect(findAddresses(noise.toString('latin1')).length + findAddresses(noise.toString('utf16le')).length).toBeGreaterThan(0);
    const records: Buffer[] = [];
    for (let at = 0; at < noise.length; at += 8000) records.push(rec(0x00ec, noise.subarray(at, at + 8000)));
    const files: [Buffer, string][] = [
      [written({ ...wordStreams(['A picture:\u0001\r']), Data: noise }), DOC],
      [excelFile(workbookStream([sst(['Kettle'])], [label('Total'), ...records])), XLS],
      [powerPointFile([slideTexts([textChars('Slide')]), pptRecord(0xf01e, noise)]), PPT],
    ];
    for (const [file, type] of files) for (const t of texts(file, type) ?? []) expect(findAddresses(t)).toEqual([]);
  });
});

describe('a .doc: its comment and revision authors', () => {
  // FibRgFcLcb97 fcGrpXstAtnOwners (36) and fcSttbfRMark (51) pointing past the piece table.
  const withAuthors = (owners: Buffer, rmark: Buffer) => {
    const s = wordStreams(['Text\r']);
    const at = s['1Table'].length;
    s.WordDocument.writeUInt32LE(at, 0x9a + 36 * 8);
    s.WordDocument.writeUInt32LE(owners.length, 0x9a + 36 * 8 + 4);
    s.WordDocument.writeUInt32LE(at + owners.length, 0x9a + 51 * 8);
    s.WordDocument.writeUInt32LE(rmark.length, 0x9a + 51 * 8 + 4);
    return held({ WordDocument: s.WordDocument, '1Table': Buffer.concat([s['1Table'], owners, rmark]) });
  };
  const xst = (t: string) => Buffer.concat([u16(t.length), Buffer.from(t, 'utf16le')]);

  it('reads them after the text, and an empty list as none', () => {
    const sttb = Buffer.concat([u16(0xffff), u16(1), u16(0), xst(KIM)]);
    expect(oleShownTexts(withAuthors(Buffer.concat([xst('Anna'), xst('Kim Lee')]), sttb))).toEqual(['Text\r', `Anna\nKim Lee\n${KIM}`]);
    expect(oleShownTexts(withAuthors(Buffer.alloc(0), Buffer.alloc(0)))).toEqual(['Text\r']);
  });

  it('removes an author list past its bytes, and a table of 8-bit strings', () => {
    expect(() => oleShownTexts(withAuthors(Buffer.concat([u16(40), Buffer.from('ab')]), Buffer.alloc(0)))).toThrow(NotWhatItClaims);
    expect(() => oleShownTexts(withAuthors(Buffer.alloc(0), Buffer.concat([u16(1), u16(0), u16(0)])))).toThrow(NotWhatItClaims);
  });
});

describe('a .doc: its form fields (FFData in the Data stream)', () => {
  const xstz = (t: string) => Buffer.concat([u16(t.length), Buffer.from(t, 'utf16le'), u16(0)]);
  const dropDown = (entries: string[]) => {
    const body = Buffer.concat([
      Buffer.from([0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0]),
      xstz('Dropdown1'),
      u16(0),
      ...['', 'Pick one', '', '', ''].map(xstz),
      u16(0xffff),
      u16(entries.length),
      u16(0),
      ...entries.map((e) => Buffer.concat([u16(e.length), Buffer.from(e, 'utf16le')])),
    ]);
    const header = Buffer.alloc(0x44);
    header.writeUInt32LE(0x44 + body.length, 0);
    header.writeUInt16LE(0x44, 4);
    return Buffer.concat([header, body]);
  };

  it('reads a drop-down’s name, help text and entries, and passes over one cut short', () => {
    expect(docFormFieldTexts(Buffer.concat([Buffer.alloc(7), dropDown(['Anna', KIM])]))).toEqual(['Dropdown1', '', 'Pick one', '', '', '', 'Anna', KIM]);
    const cut = dropDown([KIM]);
    expect(docFormFieldTexts(cut.subarray(0, cut.length - 4))).toEqual([]);
  });

  it('reads 3 000 headers whose data is empty or runs past them without error (each read once)', () => {
    // One header every 0x48 bytes, each claiming more data than there is.
    const unit = Buffer.alloc(0x48);
    unit.writeUInt32LE(0xffffff, 0);
    unit.writeUInt16LE(0x44, 4);
    unit.writeUInt32LE(0xffffffff, 0x44);
    const evil = Buffer.concat(Array.from({ length: 3000 }, () => unit));
    expect(docFormFieldTexts(evil).join('')).toBe('');
  });
});

describe('font names (the font box shows them)', () => {
  it('reads a user-defined cell style’s name, not a built-in one’s data', () => {
    const user = rec(0x0293, Buffer.concat([u16(0x0010), xlString('Price list')]));
    const builtIn = rec(0x0293, Buffer.concat([u16(0x8000), Buffer.from([0, 0xff])]));
    expect(texts(excelFile(workbookStream([user, builtIn])), XLS)?.join('\n')).toContain('Price list');
  });

  it('reads a workbook’s Font records, a presentation’s FontEntityAtom up to its NUL, and a .doc’s SttbfFfn', () => {
    const font = rec(0x0031, Buffer.concat([Buffer.alloc(14), Buffer.from([5, 0]), Buffer.from('Arial', 'latin1')]));
    expect(texts(excelFile(workbookStream([font])), XLS)?.join('\n')).toContain('Arial');
    const face = Buffer.alloc(68);
    face.write('Tahoma\u0000junk', 'utf16le');
    expect(oleShownTexts(held({ 'PowerPoint Document': pptContainer(0x07d5, [pptRecord(0x0fb7, face)]) }))).toEqual(['Tahoma']);
    const s = wordStreams(['Text\r']);
    const ffn = Buffer.concat([Buffer.alloc(39), Buffer.from('Times New Roman\u0000Tms\u0000', 'utf16le')]);
    const sttb = Buffer.concat([u16(1), u16(0), Buffer.from([ffn.length]), ffn]);
    s.WordDocument.writeUInt32LE(s['1Table'].length, 0x9a + 15 * 8);
    s.WordDocument.writeUInt32LE(sttb.length, 0x9a + 15 * 8 + 4);
    expect(oleShownTexts(held({ WordDocument: s.WordDocument, '1Table': Buffer.concat([s['1Table'], sttb]) }))).toEqual(['Text\r', 'Times New Roman\nTms\n']);
  });
});

describe('workbook records read for the text they keep (AutoFilter, Scenario, CRN, THEME, pivot caches)', () => {
  const u16b = (n: number) => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
  it('reads an AutoFilter criterion, a scenario value, an external cell, a zipped theme, and a pivot cache string', () => {
    const s = 'bob@shop.example';
    const theme = zipSync({ 'theme/theme/theme1.xml': strToU8(`<a:theme name="${s}"/>`) });
    const records = [
      rec(
        0x009e,
        Buffer.concat([u16b(0), u16b(0), Buffer.from([6, 2, 0, 0, 0, 0, s.length, 1, 0, 0]), Buffer.alloc(10), Buffer.from([0]), Buffer.from(s, 'latin1')]),
      ),
      rec(0x00af, Buffer.concat([u16b(1), u16b(0), Buffer.from([4, 0, 0, 0]), Buffer.from('Best'), Buffer.from(s, 'utf16le')])),
      rec(0x005a, Buffer.concat([Buffer.from([0, 0]), u16b(0), Buffer.from([2]), u16b(s.length), Buffer.from([1]), Buffer.from(s, 'utf16le')])),
    ];
    for (const r of records) expect(xlsText(workbookStream([], [r]))!.join('\n')).toContain(s);
    const themed = xlsText(workbookStream([rec(0x0896, Buffer.concat([u16b(0x0896), Buffer.alloc(10), Buffer.alloc(4), Buffer.from(theme)]))]));
    expect(themed!.join('\n')).toContain(s);
    // The default theme (dwThemeVersion 124226) holds no package.
    expect(xlsText(workbookStream([rec(0x0896, Buffer.concat([u16b(0x0896), Buffer.alloc(10), Buffer.from([0x42, 0xe5, 0x01, 0])]))]))).not.toBeNull();
    expect(() =>
      xlsText(workbookStream([rec(0x0896, Buffer.concat([u16b(0x0896), Buffer.alloc(10), Buffer.alloc(4), Buffer.from('PK\u0003\u0004 broken')]))])),
    ).toThrow(BrokenText);
    const cache = Buffer.concat([rec(0x00c6, Buffer.alloc(20)), rec(0x00cd, Buffer.concat([u16b(s.length), Buffer.from([0]), Buffer.from(s, 'latin1')]))]);
    expect(xlsPivotCacheTexts(cache)).toEqual([s]);
  });

  it('unpacks at most 20 MB from all its THEME records together (each a few KB of zipped zeros)', () => {
    const themeRecord = (mb: number) => {
      const zip = Buffer.from(zipSync({ 'theme/media/x.bin': new Uint8Array(mb << 20) }, { level: 9 }));
      const out = [rec(0x0896, Buffer.concat([u16b(0x0896), Buffer.alloc(10), Buffer.alloc(4), zip.subarray(0, 8000)]))];
      for (let o = 8000; o < zip.length; o += 8000) out.push(rec(0x087f, Buffer.concat([u16b(0x087f), Buffer.alloc(10), zip.subarray(o, o + 8000)])));
      return out;
    };
    expect(xlsText(workbookStream(themeRecord(8)))).not.toBeNull();
    expect(() => xlsText(workbookStream([...themeRecord(8), ...themeRecord(8), ...themeRecord(8)]))).toThrow(BrokenText);
    expect(() => xlsText(workbookStream(themeRecord(95)))).toThrow(BrokenText);
  });
});
