import { decodePDFRawStream, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { cleanOoxml, cleanPdf, fieldResults, NotWhatItClaims, ooxmlText } from './document-metadata.js';

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
    const searched = r.readings.join('\n');
    expect(searched).toContain('JANE-BUYER-PC');
    expect(searched).toContain('jane@buyer.example');
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
