// Small real files for tests that attach them: masking keeps only files that are what they claim
// (it re-reads PDFs with pdf-lib and walks PNG chunks), so a cut-off PNG or a PDF without a catalog
// is removed, as it would be in production.
import { PDFDocument } from 'pdf-lib';

/** A valid 1×1 PNG with no metadata chunks (70 bytes): delivered byte for byte. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A valid one-page PDF with no author (pdf-lib re-saves it when masking, so its size may change). */
export async function tinyPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.addPage([200, 200]).drawText('Return label', { x: 20, y: 100 });
  return Buffer.from(await doc.save());
}
