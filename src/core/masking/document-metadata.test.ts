import { decodePDFRawStream, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { decodeXML } from 'entities';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { cleanOoxml, cleanPdf, fieldResults, headersFooters, memberTexts, NotWhatItClaims, ooxmlText, utf16WithoutMark } from './document-metadata.js';
import { withoutCommentsAndPIs } from './part-formulas.js';
import { container } from '../../../test/fixtures/legacy-office.js';
import { bmpFile, pictureFile, riffChunk, TIFF_PAGE, tiffFile, tiffText, VP8L_1X1, vp8x, webpFile } from '../../../test/fixtures/pictures.js';

/** Every object a reader of the file can open, streams inflated: what a recipient could dig out of it. */
async function everything(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  return doc.context
    .enumerateIndirectObjects()
    .map(([, o]) => (o instanceof PDFRawStream ? `${o.dict.toString()} ${Buffer.from(decodePDFRawStream(o).decode()).toString('latin1')}` : o.toString()))
    .join('\n');
}

describe('a PDF’s metadata, cleaned', () => {
  it('leaves no compressed XMP packet, page or image metadata, or earlier revision’s Info naming the writer anywhere in the file', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    const page = doc.addPage();
    doc.setAuthor('Jane Buyer');
    doc.setProducer('Jane Buyer’s laptop');
    const xmp = (who: string) =>
      doc.context.register(
        doc.context.flateStream(`<x:xmpmeta><dc:creator>${who}</dc:creator><pdf:Producer>jane@buyer.example</pdf:Producer></x:xmpmeta>`, {
          Type: 'Metadata',
          Subtype: 'XML',
        }),
      );
    // The document's XMP packet, compressed as writers often store it, and one on the page.
    doc.catalog.set(PDFName.of('Metadata'), xmp('Jane Buyer'));
    page.node.set(PDFName.of('Metadata'), xmp('Jane Buyer (page)'));
    // What an incremental update leaves behind: the earlier revision's Info, no longer referenced.
    doc.context.register(doc.context.obj({ Author: 'Jane Buyer (first draft)', Creator: 'jane@buyer.example' }));
    const original = await doc.save(); // object streams: the leftovers are compressed too
    expect(await everything(original)).toContain('Jane Buyer');

    const cleaned = await cleanPdf(original, (s) => s);
    const left = await everything(cleaned.bytes);
    expect(left).not.toMatch(/jane/i);
    // Still the same one-page document.
    expect((await PDFDocument.load(cleaned.bytes)).getPageCount()).toBe(1);
  });

  it('gives the name search every string the PDF keeps, as a reader decodes it, even inside compressed object streams', async () => {
    // A comment's author (/T) and text: no reader shows them as page text, and object streams compress them.
    const doc = await PDFDocument.create({ updateMetadata: false });
    const page = doc.addPage();
    const note = doc.context.obj({ Type: 'Annot', Subtype: 'Text', Rect: [10, 10, 30, 30], Contents: PDFHexString.fromText('write to jane@buyer.example') });
    note.set(PDFName.of('T'), PDFString.of('Jane Buyer'));
    page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(note)]));
    const cleaned = await cleanPdf(await doc.save(), (s) => s);
    expect(Buffer.from(cleaned.bytes).toString('latin1')).not.toContain('Jane Buyer');
    const searched = cleaned.readings.join('\n');
    expect(searched).toContain('Jane Buyer');
    expect(searched).toContain('write to jane@buyer.example');
  });

  it('drops files embedded in the PDF (an attachment inside the attachment is not read, so it does not cross)', async () => {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.addPage();
    await doc.attach(Buffer.from('Ordered by Jane Buyer, jane@buyer.example'), 'notes.txt', { mimeType: 'text/plain' });
    const original = await doc.save();
    expect(await everything(original)).toContain('Jane Buyer');
    const cleaned = await cleanPdf(original, (s) => s);
    expect(await everything(cleaned.bytes)).not.toMatch(/jane/i);
    expect((await PDFDocument.load(cleaned.bytes)).getPageCount()).toBe(1);
  });
});

describe('an Office file’s parts besides its XML', () => {
  const seg = (marker: number, data: Buffer) => Buffer.concat([Buffer.from([0xff, marker, (data.length + 2) >> 8, (data.length + 2) & 255]), data]);
  /** A JPEG whose EXIF block names the buyer (the Artist tag a camera or phone writes). */
  const photo = Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    seg(0xe1, Buffer.concat([Buffer.from('Exif\0\0MM\0\x2a\0\0\0\x08\0\0'), Buffer.from('Artist: Jane Buyer <jane@buyer.example>')])),
    seg(0xdb, Buffer.alloc(65)),
    seg(0xda, Buffer.from([1, 1, 0, 0, 63, 0])),
    Buffer.from([1, 0xff, 0, 4]),
    Buffer.from([0xff, 0xd9]),
  ]);
  const docx = (extra: Record<string, Uint8Array>) =>
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
      'word/document.xml': strToU8('<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Order 1234</w:t></w:r></w:p></w:body></w:document>'),
      ...extra,
    });
  const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

  it('removes the metadata of the pictures inside it (word/media, the thumbnail), as of a photo attached on its own', () => {
    const out = unzipSync(cleanOoxml(docx({ 'word/media/image1.jpeg': photo, 'docProps/thumbnail.jpeg': photo }), DOCX).bytes);
    for (const name of ['word/media/image1.jpeg', 'docProps/thumbnail.jpeg']) {
      expect(Buffer.from(out[name] as Uint8Array).includes('Jane Buyer')).toBe(false);
      expect(Buffer.from(out[name] as Uint8Array).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
  });

  it('cleans TIFF, WebP and BMP pictures in a workbook’s and a presentation’s media as in a document’s, keeping each picture (round-18)', () => {
    const other = 'anna.private@othermail.example';
    const media = {
      'image1.tiff': tiffFile([[...TIFF_PAGE, tiffText(270, other)]]),
      'image2.webp': webpFile([vp8x(0x04), VP8L_1X1, riffChunk('XMP ', Buffer.from(other))]),
      'image3.bmp': bmpFile({ trailing: Buffer.from(other) }),
    };
    const types = strToU8('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>');
    for (const [declared, main, dir] of [
      ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xl/workbook.xml', 'xl/media'],
      ['application/vnd.openxmlformats-officedocument.presentationml.presentation', 'ppt/presentation.xml', 'ppt/media'],
    ] as const) {
      const zip = zipSync({
        '[Content_Types].xml': types,
        [main]: strToU8('<?xml version="1.0"?><root/>'),
        ...Object.fromEntries(Object.entries(media).map(([n, b]) => [`${dir}/${n}`, new Uint8Array(b)])),
      });
      const out = unzipSync(cleanOoxml(zip, declared).bytes);
      for (const [n, b] of Object.entries(media)) {
        const got = Buffer.from(out[`${dir}/${n}`] as Uint8Array);
        expect(got.toString('latin1'), `${dir}/${n}`).not.toContain(other);
        expect(got.subarray(0, 2), `${dir}/${n}`).toEqual(b.subarray(0, 2));
      }
    }
  });

  it('keeps a HEIC or AVIF picture inside it without its Exif and XMP items (round 21), refuses one whose items do not read, and keeps a video (round-18), cleaned (round-19)', () => {
    const box = (type: string, data: Buffer) => Buffer.concat([Buffer.from([0, 0, (data.length + 8) >> 8, (data.length + 8) & 255]), Buffer.from(type), data]);
    const heif = (brand: string, compatible: string) =>
      Buffer.concat([box('ftyp', Buffer.from(`${brand}\0\0\0\0${compatible}`)), box('meta', Buffer.from('Exif\0\0Artist anna.private@othermail.example'))]);
    // Real photos (libheif: test/fixtures/picture-files/heif-tool.py): GPS and the owner in Exif, the writer's address in XMP.
    for (const [name, file] of [
      ['word/media/image1.heic', pictureFile('photo-tagged.heic')],
      ['word/media/image1.avif', pictureFile('photo-tagged.avif')],
      ['word/media/image1.bin', pictureFile('photo-tagged.heic')],
    ] as const) {
      const doc = cleanOoxml(docx({ [name]: file }), DOCX);
      const kept = Buffer.from(unzipSync(doc.bytes)[name]!);
      expect(kept.length, name).toBe(file.length);
      for (const gone of ['Anna Private', 'anna.private@othermail.example', 'MM\0*']) expect(kept.includes(gone), `${name}: ${gone}`).toBe(false);
      // Its picture's bytes (the media data's first bytes, the first tile) as they were.
      const mdat = file.indexOf('mdat') + 4;
      expect(kept.subarray(mdat, mdat + 64).equals(file.subarray(mdat, mdat + 64)), name).toBe(true);
    }
    // Without its item tables (a meta box holding only text), the picture and so the package are refused.
    for (const [name, file] of [
      ['word/media/image1.heic', heif('heic', 'mif1heic')],
      ['word/media/image1.avif', heif('avif', 'mif1avif')],
      ['word/media/image1.bin', heif('mif1', 'heic')],
    ] as const)
      expect(() => cleanOoxml(docx({ [name]: file }), DOCX), name).toThrow(/HEIF/);
    // A video is one (round 19: cleaned by video-metadata.ts); one whose boxes hold no movie is refused.
    expect(() => cleanOoxml(docx({ 'word/media/media1.mp4': pictureFile('video-tagged.mp4') }), DOCX)).not.toThrow();
    expect(() => cleanOoxml(docx({ 'word/media/media1.mp4': heif('isom', 'isomiso2mp41') }), DOCX)).toThrow(/video or sound/);
  });

  it('removes a VBA project whatever its part is named: by its relationship or its VBA storage', () => {
    const project = container({ 'VBA/dir': Buffer.from([1, 2, 3]), 'VBA/Module1': Buffer.from([1, 0x19, 0xb0]) });
    const rels = (type: string, target: string) =>
      strToU8(`<Relationships xmlns="r"><Relationship Id="rId9" Type="${type}" Target="${target}"/></Relationships>`);
    const types = (inner: string) => strToU8(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">${inner}</Types>`);
    const removed: Record<string, Uint8Array>[] = [
      { 'word/_rels/document.xml.rels': rels('http://schemas.microsoft.com/office/2006/relationships/vbaProject', 'code.dat') },
      { 'word/_rels/document.xml.rels': rels('http://schemas.microsoft.com/office/2006/relationships/&#x76;baproject', 'code.dat') },
      // Undeclared: a compound file whose VBA storage is named in any case, in any binary part.
      { 'word/code.dat': project },
      { 'word/printerSettings/printerSettings1.bin': container({ 'vba/dir': Buffer.from([1]) }) },
    ];
    for (const extra of removed) expect(() => cleanOoxml(docx(extra), DOCX), Object.keys(extra)[0]).toThrow(NotWhatItClaims);
    // Kept: the word in the text, an ordinary relationship, a compound file without a VBA project.
    const kept: Record<string, Uint8Array>[] = [
      { 'word/settings.xml': strToU8('<w:settings xmlns:w="w"><w:docVar w:name="vbaProject" w:val="vbaProject"/></w:settings>') },
      { 'word/_rels/document.xml.rels': rels('http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles', 'vbaProjects.xml') },
      { 'word/printerSettings/printerSettings1.bin': container({ Printer: Buffer.from('VBA/dir') }) },
      // A content type left declared for a VBA project, with no project (and an ordinary binary part).
      {
        '[Content_Types].xml': types('<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'),
        'word/printerSettings/printerSettings1.bin': Buffer.from('printer'),
      },
    ];
    for (const extra of kept) expect(() => cleanOoxml(docx(extra), DOCX), Object.keys(extra)[0]).not.toThrow();
  });

  it('reads VML drawings and SVG pictures as it reads the XML, so a name or an address in them is seen', () => {
    const r = cleanOoxml(
      docx({
        'word/vmlDrawing1.vml': strToU8('<xml><v:textbox>write to jane@buyer.example</v:textbox></xml>'),
        'word/media/a.svg': strToU8('<svg><text>Jane Buyer</text></svg>'),
      }),
      DOCX,
    );
    expect(r.readings.join('\n')).toContain('jane@buyer.example');
    expect(r.readings.join('\n')).toContain('Jane Buyer');
  });

  it('reads every other binary part (a sheet’s printer settings, a font), so a name or an address kept there is seen', () => {
    // Excel keeps the last printer's DEVMODE here: its device name is UTF-16 and may name the machine's owner.
    const devmode = Buffer.concat([Buffer.from('\\\\JANE-BUYER-PC\\HP LaserJet', 'utf16le'), Buffer.alloc(64)]);
    const r = cleanOoxml(
      docx({
        'xl/printerSettings/printerSettings1.bin': devmode,
        'word/fonts/font1.odttf': Buffer.concat([Buffer.alloc(32), Buffer.from('jane@buyer.example', 'latin1')]),
      }),
      DOCX,
    );
    // Searched in pieces (binary-readings.ts); here each part read whole, as those pieces read it.
    const searched = [...r.readings, ...r.binary.flatMap((b) => [Buffer.from(b.bytes).toString('latin1'), Buffer.from(b.bytes).toString('utf16le')])].join(
      '\n',
    );
    expect(r.binary.every((b) => b.utf16)).toBe(true);
    expect(searched).toContain('JANE-BUYER-PC');
    expect(searched).toContain('jane@buyer.example');
  });

  it('reads a member as text as an editor shows it, control bytes and all (memberTexts), and leaves binary data binary', () => {
    const held = 'Lager: anna@other.example';
    const read = (b: Buffer) => memberTexts(new Uint8Array(b))?.join('|') ?? null;
    // Text: UTF-8 with a control byte or NULs, Latin-1 with one, UTF-16 with or without its mark.
    expect(read(Buffer.from(`\u0001${held}`))).toContain(held);
    expect(read(Buffer.from(`\u0000\u0000${held}`))).toContain(held);
    expect(read(Buffer.from(`\u0001M\u00fcller ${held}`, 'latin1'))).toContain(`M\u00fcller ${held}`);
    expect(read(Buffer.from(`\u0001M\u00fcller ${held}`, 'utf16le'))).toContain(held);
    expect(read(Buffer.concat([Buffer.from([0x07]), Buffer.from(`M\u00fcller ${held}`, 'utf16le')]))).toContain(held);
    expect(read(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`\u0001${held}`, 'utf16le')]))).toContain(held);
    // Binary: random (compressed) bytes, a font's or a picture's, a run of zeros with Latin-1 bytes.
    let x = 7;
    const random = Buffer.from(Array.from({ length: 9000 }, () => ((x = (x * 1103515245 + 12345) >>> 0), x >>> 24)));
    expect(read(random)).toBeNull();
    expect(read(Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x80, 0x00]), Buffer.alloc(40), Buffer.from([0xe9, 0x10])]))).toBeNull();
    expect(read(Buffer.alloc(0))).toBeNull();
    // Named as text (`contacts.txt`), read as Windows-1252 past 8 KiB of binary-looking bytes (round-15 attack).
    const late = Buffer.concat([random, Buffer.from(`\r\n${held}`, 'latin1')]);
    expect(read(late)).toBeNull();
    expect(memberTexts(new Uint8Array(late), Infinity, true)?.join('|')).toContain(held);
    // Counted before it is decoded.
    expect(() => memberTexts(new Uint8Array(Buffer.from(held)), 10)).toThrow(NotWhatItClaims);
  });

  it('reads UTF-16 without a byte-order mark by where its NULs stand, Cyrillic first too, and not as UTF-8 junk (round-17 attack)', () => {
    const russian = 'Адрес: «Москва, ул. Ленина 5», почта anna@other.example';
    const le = Buffer.from(russian, 'utf16le');
    const be = Buffer.from(russian, 'utf16le').swap16();
    expect([utf16WithoutMark(new Uint8Array(le)), utf16WithoutMark(new Uint8Array(be))]).toEqual(['le', 'be']);
    expect(memberTexts(new Uint8Array(le))).toEqual([russian]);
    expect(memberTexts(new Uint8Array(be))).toEqual([russian]);
    // Ordinary Cyrillic read as UTF-8 made `р` (U+0440) an `@`: read as UTF-16, it holds none.
    expect(memberTexts(new Uint8Array(Buffer.from('Доставка в рабочее время', 'utf16le')))?.join('')).not.toContain('@');
    // Past the judged 8 KiB a member may change its encoding: read as Windows-1252 there too.
    const late = Buffer.concat([Buffer.from('Привет, мир. '.repeat(400), 'utf16le'), Buffer.from(' anna@other.example')]);
    expect(memberTexts(new Uint8Array(late))?.join('|')).toContain('anna@other.example');
    // UTF-8 and Latin-1 text, and binary data with zeros at both offsets, are no UTF-16.
    expect(utf16WithoutMark(new Uint8Array(Buffer.from(russian)))).toBeNull();
    expect(utf16WithoutMark(new Uint8Array(Buffer.from([0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x80, 0x00, 0, 0, 0, 0])))).toBeNull();
  });

  it('does not pass on a file embedded in the document, which it cannot read: the document is refused as such', () => {
    const inner = docx({ 'docProps/core.xml': strToU8('<cp:coreProperties><dc:creator>Jane Buyer</dc:creator></cp:coreProperties>') });
    expect(() => cleanOoxml(docx({ 'word/embeddings/Microsoft_Word_Document.docx': inner }), DOCX)).toThrow(NotWhatItClaims);
    expect(() => cleanOoxml(docx({ 'word/embeddings/oleObject1.bin': new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]) }), DOCX)).toThrow(/embedded/);
  });
});

describe('an Office file’s text as its application shows it (ooxmlText)', () => {
  it('joins runs across a tag of any length and reads a symbol as the character Word shows', () => {
    const run = (t: string) => `<w:r><w:t>${t}</w:t></w:r>`;
    // A hyperlink's tooltip is free text: the tag around the second run can be as long as one likes.
    expect(ooxmlText(`<w:p>${run('anna.weber')}<w:hyperlink w:tooltip="${'x'.repeat(5000)}" r:id="rId1">${run('@buyer.example')}</w:hyperlink></w:p>`)).toBe(
      'anna.weber@buyer.example\n',
    );
    // <w:sym w:char="0040"/> in an ordinary font shows "@"; in a symbol font F0xx shows xx.
    expect(ooxmlText(`<w:p>${run('anna.weber')}<w:r><w:sym w:font="Arial" w:char="0040"/></w:r>${run('buyer.example')}</w:p>`)).toBe(
      'anna.weber&#x40;buyer.example\n',
    );
    expect(ooxmlText(`<w:p>${run('bob')}<w:r><w:sym w:char="F040" w:font="Symbol"/></w:r>${run('shop.example')}</w:p>`)).toBe('bob&#x40;shop.example\n');
    // In single quotes, which XML allows as well.
    expect(ooxmlText(`<w:p>${run('bob')}<w:r><w:sym w:font='Arial' w:char = '0040'/></w:r>${run('shop.example')}</w:p>`)).toBe('bob&#x40;shop.example\n');
    // Under another prefix: Word reads the namespace, not the prefix.
    expect(ooxmlText(`<x:p><x:r><x:t>bob</x:t></x:r><x:r><x:sym x:font="Arial" x:char="0040"/></x:r><x:r><x:t>shop.example</x:t></x:r></x:p>`)).toBe(
      'bob&#x40;shop.example',
    );
    // A value holding '>', a decoy char inside another attribute's value.
    expect(ooxmlText(`<w:p>${run('bob')}<w:sym w:font="a>b" w:x=' w:char="0041"' w:char="0040"/>${run('shop.example')}</w:p>`)).toBe('bob&#x40;shop.example\n');
    // Not a symbol: an attribute that only ends in char, an element that only ends in sym.
    expect(ooxmlText(`<w:p><w:sym w:xchar="0040"/><w:asym w:char="0040"/>${run('ok')}</w:p>`)).toBe('ok\n');
    expect(ooxmlText(`<w:p>${run('5 &lt; 6 &amp; 7 &gt; 2')}</w:p>`)).toBe('5 &lt; 6 &amp; 7 &gt; 2\n');
  });

  it('reads a CDATA section as the text it holds (XML character data, which Word shows), not as a tag', () => {
    const run = (t: string) => `<w:r><w:t>${t}</w:t></w:r>`;
    expect(ooxmlText(`<w:p>${run('<![CDATA[anna.weber]]>')}${run('<![CDATA[@buyer.example]]>')}</w:p>`)).toBe('anna.weber@buyer.example\n');
    // Its < and > are text: they cannot open a tag that would hide what follows.
    expect(ooxmlText(`<w:p>${run('<![CDATA[a<b & c>]]>')}${run('d')}</w:p>`)).toBe('a&lt;b & c&gt;d\n');
    // One never closed is left as it is (linear: each opening looked at once).
    expect(ooxmlText(`${'<![CDATA['.repeat(3)}x`)).toBe(`${'<![CDATA['.repeat(3)}x`);
  });
});

describe('a Word 97 file’s text as Word shows its fields (fieldResults)', () => {
  it.each([
    ['an instruction with no result', 'anna.weber@\u0013 QUOTE "x" \u0014\u0015buyer.example', 'anna.weber@buyer.example'],
    ['a symbol field whose result is the @', 'anna.weber\u0013 SYMBOL 64 \\f "Arial" \u0014@\u0015buyer.example', 'anna.weber@buyer.example'],
    ['a field without a separator (no result)', 'anna.weber@\u0013 PAGE \u0015buyer.example', 'anna.weber@buyer.example'],
    [
      'nested fields: the outer result holds an inner field',
      'a\u0013 IF \u0013 PAGE \u00141\u0015 = 1 "x" \u0014b\u0013 QUOTE "y" \u0014c\u0015d\u0015e',
      'abcde',
    ],
    ['stray marks: a separator or an end with no field open', 'a\u0014b\u0015c', 'abc'],
    ['a field never closed hides the rest (the other readings keep it)', 'ab\u0013 QUOTE "x" \u0014c\u0013 PAGE', 'abc'],
  ])('%s', (_name, text, shown) => expect(fieldResults(text)).toBe(shown));

  it('is linear on a text of nothing but field marks', () => {
    const hostile = '\u0013\u0014\u0015\u0013'.repeat(250_000);
    expect(fieldResults(hostile)).toBe('');
  });
});

describe('a spreadsheet’s formulas, read as Excel computes them', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  /** A workbook with one formula in B1 (a decoy value kept beside it) and, if given, one defined name. */
  const sheet = (formula: string, name = '', parts: Record<string, string> = {}) =>
    zipSync({
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
      'xl/workbook.xml': strToU8(
        `<?xml version="1.0"?><workbook><sheets><sheet name="Form" sheetId="1" r:id="rId1"/></sheets><definedNames>${name && `<definedName name="x">${esc(name)}</definedName>`}</definedNames><calcPr fullCalcOnLoad="1"/></workbook>`,
      ),
      'xl/worksheets/sheet1.xml': strToU8(
        `<?xml version="1.0"?><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>anna.weber</t></is></c><c r="B1" t="str"><f>${esc(formula)}</f><v>see A1</v></c></row></sheetData></worksheet>`,
      ),
      ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)])),
    });
  const texts = (formula: string, name = '') => (cleanOoxml(sheet(formula, name), XLSX).texts ?? []).join('\n');

  // Each builds text from what the formula does not hold: the sheet is refused (removed with a note).
  const removed = [
    'A2&"@"&A3',
    'CONCAT(A2,CHAR(64),A3)',
    '_xlfn.CONCAT(A1,"@buyer.example")',
    'CONCATENATE(\'Sheet 1\'!$A$1,"@",Form!B2)',
    'SUBSTITUTE("anna.weber#buyer.example","#","@")',
    'REPLACE("anna.weberXbuyer.example",11,1,"@")',
    'MID(A2,1,10)',
    'LEFT(A2,3)',
    '_xlfn.TEXTJOIN("@",TRUE,"anna.weber","buyer.example")',
    'REPT("a",3)',
    'A1&CHAR(64)&"buyer.example"',
    'IF(A1="","bob",A2)&"@buyer.example"', // a selector's result joined
    'IFERROR(A2&"@"&A3,"")', // a selector passing on built text
    'HYPERLINK("mailto:"&A2&"@"&A3,"Write to us")', // the target a click follows
    '_xlfn.LET(_xlpm.x,A2,_xlpm.x&"@"&A3)',
    '_xlfn.LAMBDA(_xlpm.x,_xlpm.x&"@buyer.example")(A1)',
    '_xll.MyAddIn(A1)', // an add-in's: unknown
    'TEXT(A1,"\\"x\\"@")'.replace(/\\"/g, '""'), // a cell's text through a text section
    'CHAR(A1)',
    '_xlfn.CONCAT({"anna.weber","@buyer.example"})', // an array joined whole
    'Table1[[#This Row],[Name]]&"@buyer.example"',
    '[1]Sheet1!A1&"@buyer.example"',
    "'[2]Price list'!B2", // another workbook's cell, updated from a path or URL the writer chose
    '"unterminated',
    'CONCAT (A2,"@",A3)', // a blank before the bracket: LibreOffice calls it all the same
    'A2&"@"&A3 ', // trailing blanks
    'a2&"@"&a3', // lower case
    'concat(A2,"@",A3)',
    'A2&"@"&A3)', // a stray bracket: not readable, so not kept
  ];
  it.each(removed)('refuses a sheet whose formula builds text: %s', (formula) => {
    expect(() => cleanOoxml(sheet(formula), XLSX)).toThrow(NotWhatItClaims);
  });

  it('refuses a sheet whose defined name builds text, shown by a cell that names it', () => {
    expect(() => cleanOoxml(sheet('x', 'Form!$A$2&CHAR(64)&Form!$A$3'), XLSX)).toThrow(/formula/);
    // A table's calculated column and a macro sheet's cells are formulas too.
    const table =
      '<table><tableColumns><tableColumn id="1" name="Mail"><calculatedColumnFormula>[Name]&amp;"@"&amp;[Domain]</calculatedColumnFormula></tableColumn></tableColumns></table>';
    expect(() => cleanOoxml(sheet('1', '', { 'xl/tables/table1.xml': table }), XLSX)).toThrow(NotWhatItClaims);
    expect(() => cleanOoxml(sheet('1', '', { 'xl/macrosheets/sheet1.xml': '<c><f>A2&amp;"@"&amp;A3</f></c>' }), XLSX)).toThrow(NotWhatItClaims);
    // A shape's text linked to a cell, a form control's text box.
    const drawing = '<xdr:wsDr><xdr:sp macro="" textlink="Form!$A$2&amp;&quot;@&quot;&amp;Form!$A$3"/></xdr:wsDr>';
    expect(() => cleanOoxml(sheet('1', '', { 'xl/drawings/drawing1.xml': drawing }), XLSX)).toThrow(NotWhatItClaims);
    expect(() => cleanOoxml(sheet('1', '', { 'xl/ctrlProps/ctrlProp1.xml': '<formControlPr objectType="Label" fmlaTxbx="A2&amp;A3"/>' }), XLSX)).toThrow(
      NotWhatItClaims,
    );
    expect(() => cleanOoxml(sheet('1', '', { 'xl/drawings/drawing1.xml': '<xdr:sp textlink="$A$1"/>' }), XLSX)).not.toThrow();
    expect(() => cleanOoxml(sheet('1', '', { 'xl/drawings/drawing1.xml': "<xdr:sp textlink = 'A2&amp;A3'/>" }), XLSX)).toThrow(NotWhatItClaims);
    const vml = '<xml><v:shape><x:ClientData ObjectType="Label"><x:FmlaTxbx>A2&amp;"@"&amp;A3</x:FmlaTxbx></x:ClientData></v:shape></xml>';
    expect(() => cleanOoxml(sheet('1', '', { 'xl/drawings/vmlDrawing1.vml': vml }), XLSX)).toThrow(NotWhatItClaims);
    // Inside a CDATA section, as an XML reader reads it.
    expect(() => cleanOoxml(sheet('1', '', { 'xl/worksheets/sheet2.xml': '<c><f><![CDATA[A2&"@"&A3]]></f></c>' }), XLSX)).toThrow(NotWhatItClaims);
  });

  // Each shows a number, a cell as it stands, or its own literals: kept, and what it shows is read.
  const kept: [string, string][] = [
    ['SUM(A1:A3)&" EUR"', '0 EUR'],
    ['IF(A1>0,"yes","no")', 'no'],
    ['VLOOKUP(B2,Prices!A:B,2,FALSE)', ''],
    ['A1', ''],
    ['IFERROR(A2,"")', ''],
    ['ROUND(B2*C2,2)', ''],
    ['"Total: "&TEXT(SUM(B2:B9),"0.00")', 'Total: 0.00'],
    ['_xlfn.XLOOKUP(A2,Prices!A:A,Prices!B:B,"none")', 'none'],
    ['INDEX(Prices!$B$2:$B$99,MATCH(A2,Prices!$A$2:$A$99,0))', ''],
    ['COUNTIFS(A:A,"x",B:B,">"&C1)', ''],
    ['SUMPRODUCT(--(A1:A9>0))*1.19', ''],
    ['LEN(A2&"@"&A3)', ''], // built inside a number: never shown
    ['INDIRECT("A"&ROW())', ''],
    ['UPPER(A2)', ''], // the fold reads case alike
    ['TRIM(A2)', ''],
    ['TEXT(A1,"dd.mm.yyyy")', 'dd.mm.yyyy'],
    ['_xlfn.LET(_xlpm.net,B2*C2,_xlpm.net*1.19)', ''],
    ['IFS(A1>100,"large",A1>10,"medium",TRUE,"small")', 'medium'],
    ['SWITCH(A1,1,"one","other")', 'other'],
    ['A1:A3 B2:C2', ''],
    ['NOW()-TODAY()', ''],
    ['"anna.weber"&CHAR(64)&"buyer.example"', 'anna.weber@buyer.example'], // read, then found by the address search
    ['IF(A1="","bob","anna.weber")&"@buyer.example"', 'anna.weber@buyer.example'],
    ['CONCATENATE("anna.private","@","othermail.example")', 'anna.private@othermail.example'],
    ['INDEX({"anna.weber","bob"},2)&"@buyer.example"', 'bob@buyer.example'],
    ['_xlfn.LET(_xlpm.x,"anna.weber",_xlpm.x&"@buyer.example")', 'anna.weber@buyer.example'],
    ['SUM(A1:A3)&"@qq.example"', '0@qq.example'], // a number's digits read as 0: still an address
    ['"anna@"&CHAR(154)&"hop.example"', 'anna@šhop.example'], // Windows-1252, as Excel on Windows
    ['"anna"&_xlfn.UNICHAR(65312)&"shop.example"', 'anna＠shop.example'],
  ];
  it.each(kept)('keeps a sheet whose formula shows a number, a cell or its own literals: %s', (formula, shows) => {
    expect(texts(formula)).toContain(shows);
  });

  it('keeps a shared formula’s other cells and a data table, which keep no formula text', () => {
    const parts = {
      'xl/worksheets/sheet2.xml':
        '<worksheet><sheetData><row r="1"><c r="C1"><f t="shared" ref="C1:C3" si="0">A1*2</f></c><c r="C2"><f t="shared" si="0"></f></c><c r="C3"><f t="shared" si="0"/></c><c r="D1"><f t="dataTable" ref="D1:D3" r1="A1"> </f></c></row></sheetData></worksheet>',
    };
    expect(() => cleanOoxml(sheet('1', '', parts), XLSX)).not.toThrow();
  });

  it('refuses, rather than reads at length, a formula whose readings grow past what Excel shows', () => {
    // TEXT of a long literal through a format that shows it many times: 8 000 x 40 characters.
    const long = `TEXT("${'a'.repeat(40)}","${'@'.repeat(8000)}")`;
    expect(() => cleanOoxml(sheet(long), XLSX)).toThrow(NotWhatItClaims);
    // Nested choices multiply: 2^7 readings.
    expect(() => cleanOoxml(sheet(Array.from({ length: 7 }, () => 'IF(A1,"a","b")').join('&')), XLSX)).toThrow(NotWhatItClaims);
    expect(() => cleanOoxml(sheet(Array.from({ length: 6 }, () => 'IF(A1,"a","b")').join('&')), XLSX)).not.toThrow();
  });

  it('keeps ordinary defined names (a print area, a range, a constant)', () => {
    for (const name of ['Form!$A$1:$B$9', 'OFFSET(Form!$A$1,0,0,COUNTA(Form!$A:$A),1)', '0.19', '"EUR"']) expect(() => texts('SUM(x)', name)).not.toThrow();
  });
});

describe('a spreadsheet’s number formats, read as Excel shows a number', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const shown = (format: string) =>
    (
      cleanOoxml(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
          'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook/>'),
          'xl/styles.xml': strToU8(
            `<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="${format.replace(/"/g, '&quot;')}"/></numFmts></styleSheet>`,
          ),
          'xl/worksheets/sheet1.xml': strToU8('<worksheet><sheetData><row r="1"><c r="A1" s="1"><v>1001</v></c></row></sheetData></worksheet>'),
        }),
        XLSX,
      ).texts ?? []
    ).join('\n');
  it.each([
    // 1001 shows anna.weber1001@buyer.example: read with its digits as 0, an address all the same.
    ['"anna.weber"0"@buyer.example"', 'anna.weber0@buyer.example'],
    ['"anna.weber"General"@buyer.example"', 'anna.weber0@buyer.example'],
    // A currency's symbol is any text: [$text-locale].
    ['[$anna.weber@buyer.example-409]#,##0', 'anna.weber@buyer.example0'],
    ['[$@buyer.example]"anna.weber"0', '@buyer.exampleanna.weber0'],
    // Ordinary formats read as nothing alarming.
    ['#,##0.00 "EUR"', '0,000.00 EUR'],
    ['[Red][<0]-0.0;[Blue]0.0', '-0.0\n0.0'],
    ['[$€-407]#,##0.00', '€0,000.00'],
  ])('reads %s as %s', (format, reading) => {
    expect(shown(format)).toContain(reading);
  });
  it('reads a format code in single quotes (XML allows either)', () => {
    const styles = `<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode = '&quot;anna.weber@&quot;@'/></numFmts></styleSheet>`;
    const files = {
      '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
      'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook/>'),
      'xl/styles.xml': strToU8(styles),
      'xl/sharedStrings.xml': strToU8('<sst><si><t>buyer.example</t></si></sst>'),
    };
    expect((cleanOoxml(zipSync(files), XLSX).texts ?? []).join('\n')).toContain('anna.weber@buyer.example');
  });
});

describe('what a spreadsheet shows outside its cells: formats in other parts, headers and footers, formulas with comments', () => {
  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const texts = (parts: Record<string, string>) =>
    (
      cleanOoxml(
        zipSync({
          '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
          'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook/>'),
          'xl/sharedStrings.xml': strToU8('<sst><si><t>buyer.example</t></si></sst>'),
          ...Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, strToU8(v)])),
        }),
        XLSX,
      ).texts ?? []
    ).join('\n');
  it('reads a number format kept in a sheet (a conditional format’s x14:dxf) or a chart (c:numFmt)', () => {
    const dxf =
      '<worksheet><extLst><ext><x14:cfRule><x14:dxf><numFmt numFmtId="200" formatCode="&quot;anna.weber@&quot;@"/></x14:dxf></x14:cfRule></ext></extLst></worksheet>';
    expect(texts({ 'xl/worksheets/sheet1.xml': dxf })).toContain('anna.weber@buyer.example');
    const chart = '<c:chartSpace><c:dLbls><c:numFmt formatCode="&quot;anna.weber&quot;#&quot;@buyer.example&quot;" sourceLinked="0"/></c:dLbls></c:chartSpace>';
    expect(texts({ 'xl/charts/chart1.xml': chart })).toContain('anna.weber0@buyer.example');
  });
  it.each([
    ['&amp;Lanna.weber@&amp;12buyer.example', ' anna.weber@buyer.example'],
    ['anna.weber&amp;B@&amp;Bbuyer&amp;&quot;Arial,Bold&quot;.example', 'anna.weber@buyer.example'],
    ['anna.weber&amp;K00FF00@&amp;K01+000buyer.example', 'anna.weber@buyer.example'],
    ['anna.weber@&amp;Cbuyer.example', 'anna.weber@ buyer.example'],
    // Kept as printed: && is one &, a page number's code shows no letters.
    ['&amp;LAcme &amp;&amp; Co&amp;RPage &amp;P of &amp;N', ' Acme & Co Page  of '],
  ])('reads the header %s as %s', (header, reading) => {
    const sheet = `<worksheet><headerFooter><oddHeader>${header}</oddHeader></headerFooter></worksheet>`;
    expect(headersFooters(sheet)).toEqual([reading]);
  });
  it('reads a header written in CDATA or with a comment inside', () => {
    for (const h of ['<![CDATA[&Lanna.weber@&12buyer.example]]>', 'anna.weber@<!-- x -->&amp;12buyer.example'])
      expect(texts({ 'xl/worksheets/sheet1.xml': `<worksheet><headerFooter><oddHeader>${h}</oddHeader></headerFooter></worksheet>` }), h).toContain(
        'anna.weber@buyer.example',
      );
  });
  it('reads a formula with a comment or a processing instruction inside its element, or a blank in its end tag', () => {
    for (const f of ['<f>"a"&amp;<!-- x -->A2</f>', '<f><?pi x?>"a"&amp;A2</f>', '<f>"a"&amp;A2</f >', '<f x=">">"a"&amp;A2</f>'])
      expect(() => texts({ 'xl/worksheets/sheet1.xml': `<worksheet><sheetData><row><c r="B1">${f}</c></row></sheetData></worksheet>` }), f).toThrow(
        NotWhatItClaims,
      );
    expect(
      texts({ 'xl/worksheets/sheet1.xml': '<worksheet><sheetData><row><c r="B1"><f>SUM(A1:A3)<!-- A2&"@" --></f></c></row></sheetData></worksheet>' }),
    ).toContain('buyer.example');
  });
  it.each([
    ['a sheet name', { 'xl/workbook.xml': '<workbook><sheets><sheet name="anna.weber_x0040_buyer.example" sheetId="1"/></sheets></workbook>' }],
    [
      'a validation prompt',
      { 'xl/worksheets/sheet1.xml': '<worksheet><dataValidations><dataValidation prompt="anna.weber_x0040_buyer.example"/></dataValidations></worksheet>' },
    ],
    [
      'a link display text',
      { 'xl/worksheets/sheet1.xml': '<worksheet><hyperlinks><hyperlink ref="A1" display="anna.weber_x0040_buyer.example"/></hyperlinks></worksheet>' },
    ],
  ])('reads _xHHHH_ in %s (an ST_Xstring attribute)', (_n, parts) => {
    expect(texts(parts)).toContain('anna.weber&#x0040;buyer.example');
  });
  it('leaves a comment never closed as it is (linear: a long run of them)', () => {
    expect(withoutCommentsAndPIs('<a><!-- x --><b/><!-- open')).toBe('<a><b/><!-- open');
    const hostile = '<!--'.repeat(200_000);
    expect(withoutCommentsAndPIs(hostile)).toBe(hostile);
  });
});

describe('a spreadsheet’s _xHHHH_ escapes (ST_Xstring), read as Excel shows them', () => {
  it('reads _x0040_ as @ in shared strings, formulas and formats, and _x005F_ as the underscore that writes an escape out', () => {
    const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    const texts = (strings: string, formula: string, format: string) =>
      (
        cleanOoxml(
          zipSync({
            '[Content_Types].xml': strToU8('<?xml version="1.0"?><Types/>'),
            'xl/workbook.xml': strToU8('<?xml version="1.0"?><workbook/>'),
            'xl/styles.xml': strToU8(`<styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="${format}"/></numFmts></styleSheet>`),
            'xl/sharedStrings.xml': strToU8(`<sst><si><t>${strings}</t></si></sst>`),
            'xl/worksheets/sheet1.xml': strToU8(`<worksheet><sheetData><row r="1"><c r="A1" t="str"><f>${formula}</f></c></row></sheetData></worksheet>`),
          }),
          XLSX,
        ).texts ?? []
      ).join('\n');
    const read = decodeXML(texts('anna.weber_x0040_buyer.example', '&quot;bob_x0040_shop.example&quot;', '&quot;carl_x0040_&quot;@'));
    expect(read).toContain('anna.weber@buyer.example');
    expect(read).toContain('bob@shop.example');
    expect(read).toContain('carl@');
    // Written out: Excel shows _x0040_ as it stands; never read twice.
    const near = decodeXML(texts('Part_x005F_x0040_7', '&quot;kit_x005F_x0040_1&quot;', '0'));
    expect(near).toContain('Part_x0040_7');
    expect(near).not.toMatch(/Part_?@|kit_?@/);
  });
});
