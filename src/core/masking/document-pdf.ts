// Owns cleaning a PDF of who wrote it: the document information emptied but its title (masked by
// the caller), every XMP packet, embedded file and unreferenced object removed, via pdf-lib.
import { NotWhatItClaims } from './not-what-it-claims.js';
import type { PDFDict, PDFDocument, PDFObject, PDFRef } from 'pdf-lib';
import type { CleanDocument } from './document-metadata.js';

const PDF_MAGIC = Buffer.from('%PDF-');

/**
 * True when `%PDF-` begins within the first 1024 bytes (ISO 32000-1 §7.5.2 puts it first; Acrobat,
 * pdf-lib and PDF.js accept it up to 1 KiB in). A bounded probe: a 16 MB file of anything else
 * named .pdf costs nothing more (pdf-lib scanned all of it, ~0.5 s, before it gave up).
 */
export function looksLikePdf(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024 + PDF_MAGIC.length)).includes(PDF_MAGIC);
}

/**
 * PDF: document information emptied (the title kept, masked by the caller), every XMP packet, every
 * embedded file and every object nothing refers to removed. Throws
 * NotWhatItClaims when the bytes do not begin as a PDF (looksLikePdf) or pdf-lib cannot read them.
 */
export async function cleanPdf(bytes: Uint8Array, maskTitle: (s: string) => string): Promise<CleanDocument> {
  if (!looksLikePdf(bytes)) throw new NotWhatItClaims('not a PDF (no %PDF- header)');
  // Loaded with the first PDF, not with the masking code: every relay pool thread loaded it at start
  // (~270 ms of CPU and ~2.9 MB of heap each), for mail that mostly carries none (as pdf-text.ts does pdf.js).
  const { ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFStream, PDFString } = await import('pdf-lib');
  let doc: PDFDocument;
  try {
    // Fastest: no yielding between objects (the default pauses every 100, costing seconds a MB).
    doc = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest });
  } catch (err) {
    throw new NotWhatItClaims(/encrypt/i.test((err as Error).message) ? 'an encrypted PDF cannot be checked' : 'not a readable PDF');
  }
  const title = doc.getTitle();
  // getInfoDict is private in pdf-lib's types; the trailer's Info dictionary is what it returns.
  const info = (doc as unknown as { getInfoDict(): PDFDict }).getInfoDict();
  for (const key of info.keys()) info.delete(key);
  if (title) doc.setTitle(maskTitle(title));
  // pdf-lib writes every object the file held, referenced or not: an XMP packet (often compressed)
  // dropped from the catalog, an earlier revision's Info left by an incremental update. Only what is
  // reachable from the trailer is kept, and no XMP packet anywhere (document, pages, images, fonts).
  const metadata = PDFName.of('Metadata');
  // A file embedded in the PDF (a file specification's /EF, /RF) is not read here: cut, and so not kept.
  const embedded = [PDFName.of('EF'), PDFName.of('RF')];
  const reached = new Set<PDFRef>();
  // Every string kept (a comment's author, outline titles, form values), decoded as a reader does:
  // inside an object stream they are compressed, out of reach of the bytes' own reading.
  const strings: string[] = [];
  const open: (PDFObject | undefined)[] = [doc.context.trailerInfo.Root, doc.context.trailerInfo.Info];
  while (open.length) {
    const o = open.pop();
    if (o instanceof PDFRef) {
      if (reached.has(o)) continue;
      reached.add(o);
      open.push(doc.context.lookup(o));
    } else if (o instanceof PDFDict || o instanceof PDFStream) {
      const dict = o instanceof PDFStream ? o.dict : o;
      dict.delete(metadata);
      for (const key of embedded) dict.delete(key);
      for (const v of dict.values()) open.push(v);
    } else if (o instanceof PDFArray) for (const v of o.asArray()) open.push(v);
    else if (o instanceof PDFString || o instanceof PDFHexString) strings.push(o.decodeText());
  }
  for (const [ref] of doc.context.enumerateIndirectObjects()) if (!reached.has(ref)) doc.context.delete(ref);
  const out = await doc.save({ updateFieldAppearances: false, objectsPerTick: Infinity });
  // Its bytes read as Latin-1 (in pieces: binaryHolds) and the strings as a reader decodes them.
  return { bytes: out, readings: [strings.join('\n')], binary: [{ bytes: out, utf16: false }] };
}
