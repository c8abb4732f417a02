import { decodePDFRawStream, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { cleanPdf } from './document-metadata.js';

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
